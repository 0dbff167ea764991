/*
 * ae_store_trust.c: trust anchors for the system store (ae_store_trust.h).
 */
#include <string.h>
#include <sys/stat.h>
#include "ae_store.h"
#include "ae_store_private.h"
#include "ae_file.h"
#include "ae_log.h"

static bool trust_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '+' || c == '-';
}

static bool trust_name_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0, i;

	if (len <= strlen(AE_TRUST_PREFIX) || len > AE_TRUST_NAME_MAX ||
	    strncmp(name, AE_TRUST_PREFIX, strlen(AE_TRUST_PREFIX)) != 0) {
		return false;
	}
	for (i = 0; i < len; i++) {
		if (!trust_char_ok(name[i])) {
			return false;
		}
	}
	return true;
}

static ae_err pem_ok(const char *pem)
{
	if (pem == NULL || strstr(pem, "-----BEGIN CERTIFICATE-----") == NULL) {
		return AE_ERR_INVALID;
	}
	return strlen(pem) > AE_STORE_PEM_MAX ? AE_ERR_TOO_LARGE : AE_OK;
}

char *ae_store_trust_name(TALLOC_CTX *mem_ctx, const char *label)
{
	size_t room = AE_TRUST_NAME_MAX - strlen(AE_TRUST_PREFIX), i;
	char *name = NULL, *p = NULL;

	if (label == NULL || label[0] == '\0') {
		return NULL;
	}
	name = talloc_asprintf(mem_ctx, "%s%.*s", AE_TRUST_PREFIX, (int)room, label);
	for (p = name ? name + strlen(AE_TRUST_PREFIX) : NULL, i = 0; p && p[i]; i++) {
		if (!trust_char_ok(p[i])) {
			p[i] = '_';
		}
	}
	return name;
}

/* Write data to path (0644) unless it holds exactly that already. */
static ae_err write_if_changed(const char *path, const char *data, size_t len, bool *_changed)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	uint8_t *old = NULL;
	size_t old_len = 0;
	struct stat st;
	ae_err err;

	if (tmp == NULL || path == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	err = ae_file_read(tmp, path, AE_STORE_PEM_MAX * AE_TRUST_MAX, &old, &old_len);
	if (err == AE_OK && old_len == len && memcmp(old, data, len) == 0 &&
	    lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644) {
		talloc_free(tmp);
		return AE_OK;
	}
	talloc_free(tmp);
	err = ae_file_write_atomic(path, data, len, 0644);
	if (err == AE_OK) {
		*_changed = true;
	}
	return err;
}

static char *with_newline(TALLOC_CTX *mem_ctx, const char *pem)
{
	size_t len = strlen(pem);

	if (len > 0 && pem[len - 1] == '\n') {
		return talloc_strdup(mem_ctx, pem);
	}
	return talloc_asprintf(mem_ctx, "%s\n", pem);
}

static ae_err check_set(const struct ae_trust_cert *certs, size_t n)
{
	size_t i, j;
	ae_err err;

	if (n > AE_TRUST_MAX || (n > 0 && certs == NULL)) {
		return AE_ERR_INVALID;
	}
	for (i = 0; i < n; i++) {
		if (!trust_name_ok(certs[i].name)) {
			AE_ERROR("trust anchor name '%s' is not %s[A-Za-z0-9._+-]",
				 certs[i].name ? certs[i].name : "", AE_TRUST_PREFIX);
			return AE_ERR_INVALID;
		}
		err = pem_ok(certs[i].pem);
		if (err != AE_OK) {
			AE_ERROR("trust anchor %s: %s", certs[i].name, err == AE_ERR_TOO_LARGE ?
				 "larger than AE_STORE_PEM_MAX" : "not a PEM certificate");
			return err;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(certs[i].name, certs[j].name) == 0) {
				AE_ERROR("trust anchor %s: named twice", certs[i].name);
				return AE_ERR_INVALID;
			}
		}
	}
	return AE_OK;
}

static bool in_set(const struct ae_trust_cert *certs, size_t n, const char *file, size_t stem)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strlen(certs[i].name) == stem && strncmp(certs[i].name, file, stem) == 0) {
			return true;
		}
	}
	return false;
}

ae_err ae_store_trust_sync(const char *dir, const struct ae_trust_cert *certs, size_t n,
			   bool *_changed)
{
	TALLOC_CTX *tmp = NULL;
	char **names = NULL;
	size_t num = 0, i, stem = 0;
	bool changed = false, removed = false;
	ae_err err = check_set(certs, n);

	if (err != AE_OK) {
		return err;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_mkdir_p(dir, 0755);
	for (i = 0; err == AE_OK && i < n; i++) {
		char *pem = with_newline(tmp, certs[i].pem);
		err = pem ? write_if_changed(talloc_asprintf(tmp, "%s/%s.crt", dir, certs[i].name),
					     pem, strlen(pem), &changed) : AE_ERR_NOMEM;
	}
	if (err == AE_OK) {
		err = ae_store_list_dir(tmp, dir, &names, &num);
	}
	for (i = 0; err == AE_OK && i < num; i++) {
		const char *f = names[i];
		bool did = false;
		if (strncmp(f, AE_TRUST_PREFIX, strlen(AE_TRUST_PREFIX)) != 0) {
			continue;	/* not ours */
		}
		if (ae_store_is_tmp_name(f)) {
			err = ae_store_unlink(talloc_asprintf(tmp, "%s/%s", dir, f), NULL);
		} else if (ae_store_ends_with(f, ".crt", &stem) && !in_set(certs, n, f, stem)) {
			err = ae_store_unlink(talloc_asprintf(tmp, "%s/%s", dir, f), &did);
			if (did) {
				AE_INFO("trust store: removed %s/%s", dir, f);
				removed = changed = true;
			}
		}
	}
	if (err == AE_OK && removed) {
		err = ae_store_fsync_dir(talloc_asprintf(tmp, "%s/x", dir));
	}
	if (_changed != NULL) {
		*_changed = changed;
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_store_write_pem_bundle(const char *path, const char *const *pems, size_t n,
				 bool *_changed)
{
	TALLOC_CTX *tmp = NULL;
	char *all = NULL;
	bool changed = false;
	size_t i;
	ae_err err = AE_OK;

	if (path == NULL || n > AE_TRUST_MAX || (n > 0 && pems == NULL)) {
		return AE_ERR_INVALID;
	}
	for (i = 0; err == AE_OK && i < n; i++) {
		err = pem_ok(pems[i]);
	}
	if (err != AE_OK) {
		AE_ERROR("%s: entry %zu is %s", path, i - 1, err == AE_ERR_TOO_LARGE ?
			 "larger than AE_STORE_PEM_MAX" : "not a PEM certificate");
		return err;
	}
	tmp = talloc_new(NULL);
	all = talloc_strdup(tmp, "");
	for (i = 0; all != NULL && i < n; i++) {
		char *pem = with_newline(tmp, pems[i]);
		all = pem ? talloc_strdup_append_buffer(all, pem) : NULL;
	}
	err = all ? write_if_changed(path, all, strlen(all), &changed) : AE_ERR_NOMEM;
	if (_changed != NULL) {
		*_changed = changed;
	}
	talloc_free(tmp);
	return err;
}
