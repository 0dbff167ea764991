#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ae_store.h"
#include "ae_store_private.h"
#include "ae_file.h"
#include "ae_log.h"

int ae_store_name_ok(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;

	if (name == NULL || name[0] == '\0' || name[0] == '.' || strlen(name) > 200) {
		return 0;
	}
	for (; *p; p++) {
		if (*p == '/' || *p < 0x20 || *p == 0x7f) {
			return 0;
		}
	}
	return 1;
}

char *ae_store_path(TALLOC_CTX *mem_ctx, const struct ae_store *s, const char *template_name,
		    const char *suffix)
{
	return talloc_asprintf(mem_ctx, "%s/%s%s", s->dir, template_name, suffix);
}

ae_err ae_store_install(const struct ae_store *s, const char *template_name,
			const char *key_pem, size_t key_len,
			const char *cert_pem, size_t cert_len,
			const char *chain_pem, size_t chain_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *key = ae_store_fname(tmp, template_name, SFX_KEY);
	char *crt = ae_store_fname(tmp, template_name, SFX_CRT);
	char *chain = ae_store_fname(tmp, template_name, SFX_CHAIN);
	ae_err err = AE_ERR_NOMEM;

	if (!ae_store_name_ok(template_name)) {
		talloc_free(tmp);
		return AE_ERR_INVALID;
	}
	if (key == NULL || crt == NULL || chain == NULL) {
		goto done;
	}
	/* the old certificate goes first: it must never sit next to the new key */
	err = ae_store_unlink_at(s->fd, crt, NULL);
	if (err == AE_OK) {
		err = ae_store_fsync_dirfd(s->fd, s->dir);	/* gone before the key changes */
	}
	if (err == AE_OK) {
		err = ae_file_write_atomic_at(s->fd, key, key_pem, key_len, 0600);
	}
	if (err == AE_OK) {
		err = ae_file_write_atomic_at(s->fd, chain, chain_pem, chain_len, 0644);
	}
	if (err == AE_OK) {
		err = ae_file_write_atomic_at(s->fd, crt, cert_pem, cert_len, 0644);
	}
done:
	talloc_free(tmp);
	return err;
}

ae_err ae_store_read_new(TALLOC_CTX *mem_ctx, const struct ae_store *s, const char *t,
			 enum ae_store_new which, char **_pem, size_t *_len)
{
	static const char *const sfx[] = {
		[AE_STORE_NEW_KEY] = SFX_NEW_KEY,
		[AE_STORE_NEW_CRT] = SFX_NEW_CRT,
		[AE_STORE_NEW_CHAIN] = SFX_NEW_CHAIN,
	};
	TALLOC_CTX *tmp = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	char why[96] = "";
	ae_err err;

	if (!ae_store_name_ok(t) || (unsigned)which >= sizeof(sfx) / sizeof(sfx[0])) {
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(NULL);
	err = tmp ? ae_file_read_at(tmp, s->fd, ae_store_fname(tmp, t, sfx[which]),
				    AE_STORE_PEM_MAX, 0, &data, &len, why, sizeof(why))
		  : AE_ERR_NOMEM;
	if (err != AE_OK && err != AE_ERR_NOT_FOUND && why[0] != '\0') {
		AE_ERROR("store %s: %s%s: %s", s->dir, t, sfx[which], why);
	}
	if (err == AE_OK) {
		*_pem = (char *)talloc_steal(mem_ctx, data);
		*_len = len;
	}
	talloc_free(tmp);
	return err;
}

/* CA names compare case-insensitively in AD: the file name uses lower case */
static char *pending_name(TALLOC_CTX *mem_ctx, const char *ca, uint32_t id, const char *suffix)
{
	char *lower = talloc_strdup(mem_ctx, ca);
	char *name, *p;

	if (lower == NULL) {
		return NULL;
	}
	for (p = lower; *p; p++) {
		*p = (char)tolower((unsigned char)*p);
	}
	name = talloc_asprintf(mem_ctx, "%s.%" PRIu32 "%s", lower, id, suffix);
	talloc_free(lower);
	return name;
}

ae_err ae_store_pending_save(const struct ae_store *s, const struct ae_pending *p,
			     const char *key_pem, size_t key_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *rec = NULL;
	int pfd = -1;
	ae_err err = AE_ERR_NOMEM;

	if (!ae_store_name_ok(p->ca) || !ae_store_name_ok(p->template_name) ||
	    strchr(p->ca_host, '\n') != NULL) {
		talloc_free(tmp);
		return AE_ERR_INVALID;
	}
	rec = talloc_asprintf(tmp, "ca=%s\nca_host=%s\nrequest_id=%" PRIu32 "\ntemplate=%s\n"
			      "submitted=%lld\nstatus=pending\n", p->ca, p->ca_host, p->request_id,
			      p->template_name, (long long)p->submitted);
	if (rec == NULL) {
		goto done;
	}
	err = ae_store_subdir(s, "pending", true, &pfd);
	if (err == AE_OK) {
		/* the key first: a record always has its key */
		err = ae_file_write_atomic_at(pfd, pending_name(tmp, p->ca, p->request_id, SFX_KEY),
					      key_pem, key_len, 0600);
	}
	if (err == AE_OK) {
		err = ae_file_write_atomic_at(pfd, pending_name(tmp, p->ca, p->request_id,
								SFX_STATE), rec, strlen(rec), 0600);
	}
	if (pfd >= 0) {
		close(pfd);
	}
done:
	talloc_free(tmp);
	return err;
}

static ae_err parse_u32(const char *v, uint32_t *out)
{
	char *end = NULL;
	unsigned long long n;

	if (v[0] < '0' || v[0] > '9') {
		return AE_ERR_PARSE;
	}
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || n > UINT32_MAX) {
		return AE_ERR_PARSE;
	}
	*out = (uint32_t)n;
	return AE_OK;
}

ae_err ae_pending_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			struct ae_pending **_out)
{
	TALLOC_CTX *tmp = NULL;
	struct ae_pending *pe = NULL;
	char *text = NULL, *line = NULL, *save = NULL;
	bool have_id = false;

	if (len > AE_STORE_RECORD_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (memchr(p, '\0', len) != NULL) {
		return AE_ERR_PARSE;
	}
	tmp = talloc_new(NULL);
	pe = talloc_zero(tmp, struct ae_pending);
	text = talloc_strndup(tmp, (const char *)p, len);
	if (pe == NULL || text == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		const char *k = line, *v;
		if (eq == NULL) {
			goto bad;
		}
		*eq = '\0';
		v = eq + 1;
		if (strcmp(k, "ca") == 0) {
			pe->ca = talloc_strdup(pe, v);
		} else if (strcmp(k, "ca_host") == 0) {
			pe->ca_host = talloc_strdup(pe, v);
		} else if (strcmp(k, "template") == 0) {
			pe->template_name = talloc_strdup(pe, v);
		} else if (strcmp(k, "request_id") == 0) {
			if (parse_u32(v, &pe->request_id) != AE_OK) {
				goto bad;
			}
			have_id = true;
		} else if (strcmp(k, "submitted") == 0) {
			char *end = NULL;
			pe->submitted = (time_t)strtoll(v, &end, 10);
			if (*v == '\0' || *end != '\0') {
				goto bad;
			}
		}
		/* unknown keys (status, ...) are kept for later versions */
	}
	if (!have_id || !ae_store_name_ok(pe->ca) || pe->ca_host == NULL ||
	    !ae_store_name_ok(pe->template_name)) {
		goto bad;
	}
	*_out = talloc_steal(mem_ctx, pe);
	talloc_free(tmp);
	return AE_OK;
bad:
	talloc_free(tmp);
	return AE_ERR_PARSE;
}

ae_err ae_store_pending_load(TALLOC_CTX *mem_ctx, const struct ae_store *s, const char *ca,
			     uint32_t request_id, struct ae_pending **_p,
			     char **_key_pem, size_t *_key_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_pending *pe = NULL;
	uint8_t *rec = NULL, *key = NULL;
	size_t rec_len = 0, key_len = 0;
	char why[128] = "";
	char *name = NULL;
	int pfd = -1;
	ae_err err;

	if (!ae_store_name_ok(ca)) {
		talloc_free(tmp);
		return AE_ERR_INVALID;
	}
	err = ae_store_subdir(s, "pending", false, &pfd);
	if (err == AE_OK) {
		name = pending_name(tmp, ca, request_id, SFX_STATE);
		err = ae_file_read_at(tmp, pfd, name, AE_STORE_RECORD_MAX, 0, &rec, &rec_len, why,
				      sizeof(why));
	}
	if (err == AE_OK) {
		err = ae_pending_parse(tmp, rec, rec_len, &pe);
	}
	if (err == AE_OK && (pe->request_id != request_id || strcasecmp(pe->ca, ca) != 0)) {
		err = AE_ERR_PARSE;
	}
	if (err == AE_OK) {
		name = pending_name(tmp, ca, request_id, SFX_KEY);
		err = ae_file_read_at(tmp, pfd, name, AE_STORE_PEM_MAX, 0, &key, &key_len, why,
				      sizeof(why));
	}
	if (why[0] != '\0' && err != AE_ERR_NOT_FOUND) {
		AE_ERROR("store %s: pending/%s: %s", s->dir, name ? name : "?", why);
	}
	if (err == AE_OK) {
		*_p = talloc_steal(mem_ctx, pe);
		*_key_pem = (char *)talloc_steal(mem_ctx, key);
		*_key_len = key_len;
	}
	if (pfd >= 0) {
		close(pfd);
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_store_pending_remove(const struct ae_store *s, const char *ca, uint32_t request_id)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	int pfd = -1;
	ae_err err = ae_store_subdir(s, "pending", false, &pfd);

	if (err == AE_ERR_NOT_FOUND) {
		talloc_free(tmp);
		return AE_OK;
	}
	/* the record first: a key without a record is only litter */
	if (err == AE_OK) {
		err = ae_store_unlink_at(pfd, pending_name(tmp, ca, request_id, SFX_STATE), NULL);
	}
	if (err == AE_OK) {
		err = ae_store_unlink_at(pfd, pending_name(tmp, ca, request_id, SFX_KEY), NULL);
	}
	if (pfd >= 0) {
		close(pfd);
	}
	talloc_free(tmp);
	return err;
}
