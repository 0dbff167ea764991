/*
 * ae_store_trust.c: trust anchors for the system store (ae_store_trust.h).
 */
#include <stdlib.h>
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

/*
 * Before the first change to a trust dir: drop its AE_TRUST_SYNCED record,
 * so that from here on the set counts as not yet offered to the trust
 * command, whatever happens next (kill -9 included).
 */
static ae_err forget_synced(const char *record)
{
	ae_err err = record != NULL ? ae_store_unlink(record, NULL) : AE_OK;

	return err == AE_OK && record != NULL ? ae_store_fsync_dir(record) : err;
}

/* Write data to path (0644) unless it holds exactly that already (record: forget_synced). */
static ae_err write_if_changed(const char *path, const char *data, size_t len, bool *_changed,
			       const char *record)
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
	err = *_changed ? AE_OK : forget_synced(record);
	if (err == AE_OK) {
		err = ae_file_write_atomic(path, data, len, 0644);
	}
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

static ae_err check_set(const struct ae_trust_cert *certs, size_t n, const char *const *keep,
			size_t num_keep)
{
	size_t i, j;
	ae_err err;

	if (n > AE_TRUST_MAX || (n > 0 && certs == NULL) || (num_keep > 0 && keep == NULL) ||
	    num_keep > AE_STORE_DIR_MAX) {
		return AE_ERR_INVALID;
	}
	for (i = 0; i < num_keep; i++) {
		if (!trust_name_ok(keep[i])) {
			AE_ERROR("trust anchor name '%s' is not %s[A-Za-z0-9._+-]",
				 keep[i] ? keep[i] : "", AE_TRUST_PREFIX);
			return AE_ERR_INVALID;
		}
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

static bool stem_is(const char *name, const char *file, size_t stem)
{
	return strlen(name) == stem && strncmp(name, file, stem) == 0;
}

static bool in_set(const struct ae_trust_cert *certs, size_t n, const char *const *keep,
		   size_t num_keep, const char *file, size_t stem)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (stem_is(certs[i].name, file, stem)) {
			return true;
		}
	}
	for (i = 0; i < num_keep; i++) {
		if (stem_is(keep[i], file, stem)) {
			return true;
		}
	}
	return false;
}

ae_err ae_store_trust_sync(const char *dir, const struct ae_trust_cert *certs, size_t n,
			   bool *_changed)
{
	return ae_store_trust_sync_keep(dir, certs, n, NULL, 0, _changed);
}

ae_err ae_store_trust_sync_keep(const char *dir, const struct ae_trust_cert *certs, size_t n,
				const char *const *keep, size_t num_keep, bool *_changed)
{
	TALLOC_CTX *tmp = NULL;
	char **names = NULL, *record = NULL;
	size_t num = 0, i, stem = 0;
	bool changed = false, removed = false;
	ae_err err = check_set(certs, n, keep, num_keep);

	if (err != AE_OK) {
		return err;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	record = talloc_asprintf(tmp, "%s/%s", dir, AE_TRUST_SYNCED);
	err = record != NULL ? ae_mkdir_p(dir, 0755) : AE_ERR_NOMEM;
	for (i = 0; err == AE_OK && i < n; i++) {
		char *pem = with_newline(tmp, certs[i].pem);
		err = pem ? write_if_changed(talloc_asprintf(tmp, "%s/%s.crt", dir, certs[i].name),
					     pem, strlen(pem), &changed, record) : AE_ERR_NOMEM;
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
		} else if (ae_store_ends_with(f, ".crt", &stem) && !in_set(certs, n, keep, num_keep, f,
									   stem)) {
			err = changed ? AE_OK : forget_synced(record);
			if (err == AE_OK) {
				err = ae_store_unlink(talloc_asprintf(tmp, "%s/%s", dir, f), &did);
			}
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
	err = all ? write_if_changed(path, all, strlen(all), &changed, NULL) : AE_ERR_NOMEM;
	if (_changed != NULL) {
		*_changed = changed;
	}
	talloc_free(tmp);
	return err;
}

#define SYNCED_HEADER "# autoenroll: the trust command succeeded for these files\n"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The record of dir as it is now: a header line, then our .crt names sorted. */
static ae_err synced_record(TALLOC_CTX *mem_ctx, const char *dir, char **_rec)
{
	char **names = NULL, **ours = NULL;
	size_t num = 0, n = 0, i, stem = 0;
	char *rec = NULL;
	ae_err err = ae_store_list_dir(mem_ctx, dir, &names, &num);

	if (err == AE_ERR_NOT_FOUND) {
		err = AE_OK;
		num = 0;
	}
	ours = err == AE_OK ? talloc_zero_array(mem_ctx, char *, num + 1) : NULL;
	if (err == AE_OK && ours == NULL) {
		err = AE_ERR_NOMEM;
	}
	for (i = 0; err == AE_OK && i < num; i++) {
		if (strncmp(names[i], AE_TRUST_PREFIX, strlen(AE_TRUST_PREFIX)) == 0 &&
		    !ae_store_is_tmp_name(names[i]) && ae_store_ends_with(names[i], ".crt", &stem)) {
			ours[n++] = names[i];
		}
	}
	if (err != AE_OK) {
		return err;
	}
	qsort(ours, n, sizeof(*ours), cmp_str);
	rec = talloc_strdup(mem_ctx, SYNCED_HEADER);
	for (i = 0; rec != NULL && i < n; i++) {
		rec = talloc_asprintf_append_buffer(rec, "%s\n", ours[i]);
	}
	*_rec = rec;
	return rec != NULL ? AE_OK : AE_ERR_NOMEM;
}

ae_err ae_store_trust_pending(const char *dir, bool *_pending)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *now = NULL, *path = NULL;
	uint8_t *old = NULL;
	size_t old_len = 0;
	ae_err err;

	if (tmp == NULL || dir == NULL || _pending == NULL) {
		talloc_free(tmp);
		return tmp == NULL ? AE_ERR_NOMEM : AE_ERR_INVALID;
	}
	err = synced_record(tmp, dir, &now);
	path = talloc_asprintf(tmp, "%s/%s", dir, AE_TRUST_SYNCED);
	if (err == AE_OK && path == NULL) {
		err = AE_ERR_NOMEM;
	}
	if (err == AE_OK) {
		err = ae_file_read(tmp, path, AE_STORE_PEM_MAX, &old, &old_len);
	}
	if (err == AE_ERR_NOT_FOUND) {
		/* never recorded, or dropped by a change since: not yet offered */
		*_pending = true;
		err = AE_OK;
	} else if (err == AE_OK) {
		*_pending = old_len != strlen(now) || memcmp(old, now, old_len) != 0;
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_store_trust_mark_synced(const char *dir)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *rec = NULL, *path = NULL;
	ae_err err;

	if (tmp == NULL || dir == NULL) {
		talloc_free(tmp);
		return tmp == NULL ? AE_ERR_NOMEM : AE_ERR_INVALID;
	}
	err = ae_mkdir_p(dir, 0755);
	if (err == AE_OK) {
		err = synced_record(tmp, dir, &rec);
	}
	path = talloc_asprintf(tmp, "%s/%s", dir, AE_TRUST_SYNCED);
	if (err == AE_OK) {
		err = path != NULL ? ae_file_write_atomic(path, rec, strlen(rec), 0644) : AE_ERR_NOMEM;
	}
	talloc_free(tmp);
	return err;
}
