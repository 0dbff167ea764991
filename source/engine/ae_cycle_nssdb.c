/*
 * ae_cycle_nssdb.c: the user's shared NSS database synced with the store
 * at the end of a user cycle (ae_cycle_nssdb.h). The store is read through
 * its descriptor and its snapshot, the files parsed by the request layer;
 * the database is written by the deploy layer (NSS's own library).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <talloc.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>
#include "ae_cycle_nssdb.h"
#include "ae_cycle_private.h"
#include "ae_config.h"
#include "ae_file.h"
#include "ae_key.h"
#include "ae_log.h"
#include "ae_nssdb.h"
#include "ae_session.h"
#include "ae_store.h"
#include "ae_userid.h"
#include "ae_x509.h"

/* Buffers that held key material are wiped when freed. */
static int wipe(uint8_t *p)
{
	explicit_bzero(p, talloc_get_size(p));
	return 0;
}

ae_err ae_cycle_nssdb_key_der(TALLOC_CTX *mem, const struct ae_key *key, uint8_t **_der,
			      size_t *_len)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(key->pkey);
	unsigned char *der = NULL;
	uint8_t *out = NULL;
	int len = p8 != NULL ? i2d_PKCS8_PRIV_KEY_INFO(p8, &der) : 0;

	PKCS8_PRIV_KEY_INFO_free(p8);
	if (len <= 0) {
		ae_log_openssl(1, "nssdb: the key as PKCS#8");
		return AE_ERR_CRYPTO;
	}
	out = talloc_memdup(mem, der, (size_t)len);
	OPENSSL_clear_free(der, (size_t)len);
	if (out == NULL) {
		return AE_ERR_NOMEM;
	}
	talloc_set_destructor(out, wipe);
	*_der = out;
	*_len = (size_t)len;
	return AE_OK;
}

/* <t><sfx> of the store, a regular file read through its descriptor; the cause in why. */
ae_err ae_cycle_read_store_file(TALLOC_CTX *mem, const struct ae_store *st, const char *t,
				const char *sfx, size_t max, uint8_t **_d, size_t *_n, char *why,
				size_t why_len)
{
	char *name = talloc_asprintf(mem, "%s%s", t, sfx);
	char cause[128] = "";
	ae_err err;

	if (name == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_file_read_at(mem, st->fd, name, max, 0, _d, _n, cause, sizeof(cause));
	if (err != AE_OK) {
		ae_why(why, why_len, "store file %s: %s", name, cause[0] ? cause : ae_strerror(err));
	}
	return err;
}

/* The installed pair of sc as the deploy layer takes it; AE_OK or the cause in why. */
static ae_err read_pair(TALLOC_CTX *mem, const struct ae_store *st,
			const struct ae_store_cert *sc, struct ae_nssdb_entry *e, char *why,
			size_t why_len)
{
	const char *t = sc->template_name;
	struct ae_cert *cert = NULL;
	struct ae_key *key = NULL;
	uint8_t *d = NULL, *cder = NULL, *kder = NULL;
	size_t n = 0, clen = 0, klen = 0;
	ae_err err;

	err = ae_cycle_read_store_file(mem, st, t, ".crt", AE_X509_PEM_MAX, &d, &n, why, why_len);
	if (err == AE_OK && (err = ae_cert_parse_pem(mem, d, n, &cert)) != AE_OK) {
		ae_why(why, why_len, "%s.crt does not parse: %s", t, ae_strerror(err));
	}
	if (err == AE_OK) {
		err = ae_cycle_read_store_file(mem, st, t, ".key", AE_KEY_PEM_MAX, &d, &n, why, why_len);
	}
	if (err == AE_OK) {
		talloc_set_destructor(d, wipe);
		if ((err = ae_key_from_pem(mem, d, n, &key)) != AE_OK) {
			ae_why(why, why_len, "%s.key does not parse: %s", t, ae_strerror(err));
		}
	}
	if (err == AE_OK && key->source == AE_KEY_SRC_TPM) {
		/* NSS needs the private key itself, which a TPM never gives out */
		ae_why(why, why_len, "%s.key is a TPM key: the NSS database needs a plain private "
		       "key (set autoenroll:key storage %s = file for this template)", t, t);
		err = AE_ERR_UNSUPPORTED;
	}
	if (err == AE_OK && (err = ae_cert_matches_key(cert, key)) != AE_OK) {
		ae_why(why, why_len, "%s.key is not the key of %s.crt", t, t);
	}
	if (err == AE_OK) {
		err = ae_cert_to_der(mem, cert, &cder, &clen);
	}
	if (err == AE_OK) {
		err = ae_cycle_nssdb_key_der(mem, key, &kder, &klen);
	}
	if (err != AE_OK) {
		return err;
	}
	e->cert_der = cder;
	e->cert_len = clen;
	e->key_der = kder;
	e->key_len = klen;
	return AE_OK;
}

/* One entry per template of the store; *_any: some template has a pair. */
static ae_err entries_from_store(TALLOC_CTX *mem, const struct ae_store *st,
				 struct ae_nssdb_entry **_e, size_t *_n, bool *_any)
{
	struct ae_store_snapshot *snap = NULL;
	struct ae_nssdb_entry *e;
	size_t i, n;
	ae_err err = ae_store_snapshot(mem, st, &snap);

	if (err != AE_OK) {
		return err;
	}
	/* all or nothing: a template left out would count as removed from the store */
	n = snap->num_certs;
	if (n > AE_NSSDB_ENTRIES_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	e = talloc_zero_array(mem, struct ae_nssdb_entry, n ? n : 1);
	if (e == NULL) {
		return AE_ERR_NOMEM;
	}
	*_any = false;
	for (i = 0; i < n; i++) {
		const struct ae_store_cert *sc = &snap->certs[i];
		char why[256] = "";

		e[i].name = sc->template_name;
		if (sc->cert_path == NULL) {
			continue;	/* no certificate: ours for it go */
		}
		*_any = true;
		if (read_pair(mem, st, sc, &e[i], why, sizeof(why)) != AE_OK) {
			/* read again next time; what the database holds for it stays */
			e[i].unknown = true;
			AE_WARN("NSS database: template %s left as it is: %s", sc->template_name,
				why);
		}
	}
	*_e = e;
	*_n = n;
	return AE_OK;
}

static void report(struct ae_cycle_ctx *c, const char *result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(struct ae_cycle_ctx *c, const char *result, const char *fmt, ...)
{
	struct ae_cycle_item *it = ae_cycle_item_add(c->r, AE_NSSDB_ITEM, "nssdb", "deploy");
	va_list ap;

	if (it == NULL) {
		return;
	}
	it->result = result;
	va_start(ap, fmt);
	it->reason = talloc_vasprintf(c->r, fmt, ap);
	va_end(ap);
	if (strcmp(result, "warned") == 0) {
		AE_WARN("%s", it->reason ? it->reason : "NSS database: failed");
	} else {
		AE_INFO("%s", it->reason ? it->reason : "NSS database: updated");
	}
}

ae_err ae_cycle_nssdb_sync(struct ae_cycle_ctx *c, const char *home)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_nssdb_entry *e = NULL;
	struct ae_nssdb_result res;
	char why[1024] = "";
	char *dir = NULL;
	size_t n = 0;
	bool any = false;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = entries_from_store(tmp, c->store, &e, &n, &any);
	if (err == AE_ERR_TOO_LARGE) {
		snprintf(why, sizeof(why), "NSS database not updated: store %s holds more than %d "
			 "templates", c->store->dir, AE_NSSDB_ENTRIES_MAX);
	} else if (err != AE_OK) {
		snprintf(why, sizeof(why), "NSS database not updated: store %s: %s",
			 c->store->dir, ae_strerror(err));
	}
	if (err == AE_OK) {
		/* the directory is made only when there is something to put in it */
		err = ae_nssdb_user_dir(tmp, home, any, &dir, why, sizeof(why));
		if (err == AE_ERR_NOT_FOUND && !any) {
			talloc_free(tmp);
			return AE_OK;
		}
	}
	if (err == AE_OK) {
		err = ae_nssdb_sync(dir, e, n, &res, why, sizeof(why));
	}
	if (err != AE_OK) {
		report(c, "warned", "%s%s", strncmp(why, "NSS database", 12) == 0 ? "" :
		       "NSS database: ", why[0] ? why : ae_strerror(err));
	} else if (res.changed) {
		report(c, "done", "NSS database %s%s: %u imported, %u removed (%u keys), %u "
		       "unchanged", dir, res.created ? " (created)" : "", res.added, res.removed,
		       res.removed_keys, res.kept);
	}
	talloc_free(tmp);
	return err;
}

void ae_cycle_nssdb(struct ae_cycle_ctx *c)
{
	const struct ae_session *s = c->s;
	const struct ae_user_id *u = s->user;
	uid_t uid = geteuid();

	if (s->context != AE_CONTEXT_USER || s->config == NULL || !s->config->user_nssdb ||
	    c->store == NULL) {
		return;
	}
	if (uid == 0 || u == NULL || u->uid != uid) {
		/* never a write as root (or as anybody else) into a directory the user controls */
		report(c, "warned", "NSS database not updated: the user cycle of %s runs as uid %u, "
		       "not as the user", s->sam_account_name ? s->sam_account_name : "the user",
		       (unsigned)uid);
		return;
	}
	if (u->home == NULL || u->home[0] != '/') {
		report(c, "warned", "NSS database not updated: %s has no home directory",
		       u->name ? u->name : "the user");
		return;
	}
	(void)ae_cycle_nssdb_sync(c, u->home);
}
