/*
 * ae_store_check.c: each managed certificate's files against its record and
 * the clock (ae_store_check.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ae_store_check.h"
#include "ae_store.h"
#include "ae_file.h"
#include "ae_key.h"
#include "ae_key_tpm.h"
#include "ae_log.h"
#include "ae_x509.h"

const char *ae_check_state_name(enum ae_check_state st)
{
	switch (st) {
	case AE_CHECK_NONE: return "none";
	case AE_CHECK_VALID: return "VALID";
	case AE_CHECK_EXPIRED: return "EXPIRED";
	case AE_CHECK_NOT_YET_VALID: return "NOT YET VALID";
	case AE_CHECK_INVALID: return "INVALID";
	}
	return "?";
}

/* A file of template t: "<t><sfx>" (on mem). */
static char *fname(TALLOC_CTX *mem, const char *t, const char *sfx)
{
	return talloc_asprintf(mem, "%s%s", t, sfx);
}

/* Read <t><sfx> (a regular file only). The cause in words on failure. */
static ae_err read_file(TALLOC_CTX *tmp, const struct ae_store *s, const char *name,
			size_t max, uint8_t **_d, size_t *_n, char **_cause)
{
	char why[96] = "";
	ae_err err = ae_file_read_at(tmp, s->fd, name, max, 0, _d, _n, why, sizeof(why));

	if (err == AE_ERR_NOT_FOUND) {
		*_cause = talloc_asprintf(tmp, "%s is missing", name);
	} else if (err == AE_ERR_TOO_LARGE) {
		*_cause = talloc_asprintf(tmp, "%s is larger than %zu bytes", name, max);
	} else if (err != AE_OK) {
		*_cause = talloc_asprintf(tmp, "%s: %s", name, why[0] ? why : ae_strerror(err));
	} else if (*_n == 0) {
		*_cause = talloc_asprintf(tmp, "%s is empty", name);
		err = AE_ERR_PARSE;
	}
	return err;
}

/*
 * The key file's owner and mode: a key owned by someone else is INVALID
 * (*_cause); a mode other than 0600 is noted and, with fix, set to 0600
 * (fchmod on a descriptor opened O_NOFOLLOW relative to the store).
 */
static void check_key_mode(TALLOC_CTX *tmp, const struct ae_store *s, const char *name,
			   bool fix, char **_cause, char **_note)
{
	struct stat st;
	int fd = openat(s->fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	unsigned mode;

	if (fd < 0) {
		return;		/* missing or not a regular file: the read says so */
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return;
	}
	mode = (unsigned)(st.st_mode & 07777);
	if (st.st_uid != s->owner) {
		*_cause = talloc_asprintf(tmp, "%s is owned by uid %u, not the store's owner %u",
					  name, (unsigned)st.st_uid, (unsigned)s->owner);
	} else if (mode != 0600 && fix) {
		if (fchmod(fd, 0600) == 0) {
			*_note = talloc_asprintf(tmp, "key file %s had mode %04o; set to 0600",
						 name, mode);
		} else {
			*_note = talloc_asprintf(tmp, "key file %s has mode %04o and cannot be "
						 "set to 0600: %s", name, mode, strerror(errno));
		}
	} else if (mode != 0600) {
		*_note = talloc_asprintf(tmp, "key file %s has mode %04o, not 0600 (the next "
					 "`autoenroll run` sets it to 0600)", name, mode);
	}
	close(fd);
}

/* The certificate is the one the record describes (serial, thumbprint). */
static char *record_mismatch(TALLOC_CTX *tmp, const struct ae_store_cert *c,
			     const struct ae_cert *cert, const char *name)
{
	char *serial = NULL, *thumb = NULL;

	if (!c->has_record) {
		return NULL;	/* installed by `autoenroll request`: nothing to compare */
	}
	if (c->serial_hex == NULL && c->thumbprint_hex == NULL) {
		return talloc_asprintf(tmp, "the state record describes no certificate, but %s "
				       "exists", name);
	}
	if (ae_cert_serial_hex(tmp, cert, &serial) != AE_OK ||
	    ae_cert_thumbprint_hex(tmp, cert, &thumb) != AE_OK) {
		return talloc_asprintf(tmp, "%s: cannot read its serial", name);
	}
	if (c->serial_hex != NULL && strcasecmp(c->serial_hex, serial) != 0) {
		return talloc_asprintf(tmp, "%s holds serial %s, the state record serial %s", name,
				       serial, c->serial_hex);
	}
	if (c->thumbprint_hex != NULL && strcasecmp(c->thumbprint_hex, thumb) != 0) {
		return talloc_asprintf(tmp, "%s has SHA-1 thumbprint %s, the state record %s",
				       name, thumb, c->thumbprint_hex);
	}
	return NULL;
}

/* The files of one certificate: NULL when sound, else the cause. Sets the times. */
static char *check_files(TALLOC_CTX *tmp, const struct ae_store *s, const struct ae_store_cert *c,
			 bool fix, struct ae_check_entry *e)
{
	const char *t = c->template_name;
	char *crt_name = fname(tmp, t, ".crt"), *key_name = fname(tmp, t, ".key");
	char *cause = NULL;
	struct ae_cert *cert = NULL;
	struct ae_key *key = NULL;
	uint8_t *d = NULL;
	size_t n = 0;
	ae_err err;

	if (crt_name == NULL || key_name == NULL) {
		return NULL;
	}
	if ((err = read_file(tmp, s, crt_name, AE_STORE_PEM_MAX, &d, &n, &cause)) != AE_OK) {
		e->io_error = err == AE_ERR_IO;
		return cause;
	}
	if (ae_cert_parse_pem(tmp, d, n, &cert) != AE_OK ||
	    ae_cert_not_before(cert, &e->not_before) != AE_OK ||
	    ae_cert_not_after(cert, &e->not_after) != AE_OK) {
		return talloc_asprintf(tmp, "%s does not parse as one PEM certificate (truncated "
				       "or corrupt)", crt_name);
	}
	(void)ae_cert_serial_hex(tmp, cert, &e->serial_hex);
	check_key_mode(tmp, s, key_name, fix, &cause, &e->note);
	if (cause != NULL) {
		return cause;
	}
	if ((err = read_file(tmp, s, key_name, AE_KEY_PEM_MAX, &d, &n, &cause)) != AE_OK) {
		e->io_error = err == AE_ERR_IO;
		return cause;
	}
	/* a static string: survives tmp */
	e->key_storage = ae_key_source_name(ae_key_pem_source(d, n));
	switch (ae_key_from_pem(tmp, d, n, &key)) {
	case AE_OK:
		break;
	case AE_ERR_UNAVAILABLE:
		/* a TPM key blob and no TPM now: the pair is not judged by that */
		e->note = talloc_asprintf(tmp, "%s is a TPM key; not checked against %s (no "
					  "TPM reachable)", key_name, crt_name);
		return record_mismatch(tmp, c, cert, crt_name);
	default:
		return talloc_asprintf(tmp, "%s does not parse as a private key", key_name);
	}
	if (ae_cert_matches_key(cert, key) != AE_OK) {
		return talloc_asprintf(tmp, "%s is not the key of %s (the key of another "
				       "certificate)", key_name, crt_name);
	}
	return record_mismatch(tmp, c, cert, crt_name);
}

/* Whether a pair is (meant to be) installed for c. */
static bool installed(const struct ae_store *s, TALLOC_CTX *tmp, const struct ae_store_cert *c)
{
	char *crt = fname(tmp, c->template_name, ".crt");
	struct stat st;

	if (c->state == AE_CERT_ISSUED || (ae_cert_state_in_flight(c->state) && c->renewal)) {
		return true;
	}
	return crt != NULL && fstatat(s->fd, crt, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void classify(struct ae_check_entry *e, time_t now, uint32_t percent)
{
	int64_t life = (int64_t)e->not_after - (int64_t)e->not_before;
	int64_t left = (int64_t)e->not_after - (int64_t)now;

	e->days_left = left >= 0 ? left / 86400 : -((-left + 86399) / 86400);
	e->left_percent = left <= 0 || life <= 0 ? 0 : left >= life ? 100 :
			  (unsigned)(left * 100 / life);
	if (left <= 0) {
		e->state = AE_CHECK_EXPIRED;
	} else if ((int64_t)now < (int64_t)e->not_before) {
		e->state = AE_CHECK_NOT_YET_VALID;
	} else {
		e->state = AE_CHECK_VALID;
		/*
		 * OfflineExpirationPercent: warn when less than this percentage of
		 * the lifetime is left (the Group Policy setting "Show expiry
		 * notifications when the percentage of remaining certificate
		 * lifetime is", default 10; [MS-CAESO] registry settings).
		 */
		e->expiring = percent > 0 && life > 0 && left * 100 < (int64_t)percent * life;
	}
}

ae_err ae_store_check(TALLOC_CTX *mem_ctx, const struct ae_store *s,
		      struct ae_store_snapshot *snap, time_t now, uint32_t percent, bool fix,
		      struct ae_store_check **_out)
{
	struct ae_store_check *out = talloc_zero(mem_ctx, struct ae_store_check);
	size_t i;

	if (out == NULL) {
		return AE_ERR_NOMEM;
	}
	out->percent = percent;
	out->entries = talloc_zero_array(out, struct ae_check_entry, snap->num_certs + 1);
	if (out->entries == NULL) {
		talloc_free(out);
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < snap->num_certs; i++) {
		struct ae_store_cert *c = &snap->certs[i];
		struct ae_check_entry *e = &out->entries[i];
		TALLOC_CTX *tmp = talloc_new(out);
		char *cause = NULL;

		if (tmp == NULL) {
			talloc_free(out);
			return AE_ERR_NOMEM;
		}
		e->not_before = c->not_before;
		e->not_after = c->not_after;
		if (installed(s, tmp, c)) {
			cause = check_files(tmp, s, c, fix, e);
			if (cause != NULL) {
				e->state = AE_CHECK_INVALID;
				e->cause = talloc_strdup(out, cause);
				c->invalid = true;
			} else {
				classify(e, now, percent);
				/* names from the request, no 0x8: decide's needs-manual-request */
				e->manual_due = c->manual_renewal && c->renew_at != 0 &&
						(int64_t)now >= (int64_t)c->renew_at;
			}
		}
		e->note = e->note != NULL ? talloc_strdup(out, e->note) : NULL;
		e->serial_hex = e->serial_hex != NULL ? talloc_strdup(out, e->serial_hex) : NULL;
		talloc_free(tmp);
		if ((e->state == AE_CHECK_INVALID && e->cause == NULL)) {
			talloc_free(out);
			return AE_ERR_NOMEM;
		}
	}
	out->num_entries = snap->num_certs;
	*_out = out;
	return AE_OK;
}

void ae_store_check_log(const struct ae_store_snapshot *snap, const struct ae_store_check *chk,
			bool times)
{
	size_t i;

	for (i = 0; i < chk->num_entries; i++) {
		const struct ae_check_entry *e = &chk->entries[i];
		const struct ae_store_cert *c = &snap->certs[i];

		if (e->note != NULL) {
			AE_WARN("template %s: %s", c->template_name, e->note);
		}
		if (e->state == AE_CHECK_INVALID && e->io_error) {
			AE_ERROR("template %s: the installed certificate cannot be read: %s",
				 c->template_name, e->cause);
		} else if (e->state == AE_CHECK_INVALID) {
			AE_ERROR("template %s: installed certificate INVALID: %s", c->template_name,
				 e->cause);
		} else if (!times) {
			continue;	/* decide() reports them online */
		} else if (e->state == AE_CHECK_EXPIRED) {
			AE_ERROR("template %s: certificate %s EXPIRED %lld day(s) ago", c->template_name,
				 c->serial_hex ? c->serial_hex : "?", -e->days_left);
		} else if (e->state == AE_CHECK_NOT_YET_VALID) {
			AE_WARN("template %s: certificate %s is NOT YET VALID", c->template_name,
				c->serial_hex ? c->serial_hex : "?");
		} else if (e->expiring) {
			AE_WARN("template %s: certificate %s expires in %lld day(s): %u%% of its "
				"lifetime left, below OfflineExpirationPercent %u", c->template_name,
				c->serial_hex ? c->serial_hex : "?", e->days_left, e->left_percent,
				chk->percent);
		}
	}
}
