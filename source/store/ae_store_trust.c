/*
 * ae_store_trust.c: trust anchors for the system store (ae_store_trust.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
 * Open dir (written as root): O_DIRECTORY|O_NOFOLLOW, owned by us, not
 * writable by group or others; every later operation is relative to it and
 * never follows a link. create: mkdir -p dir (0755) first. AE_ERR_NOT_FOUND
 * when missing and !create; AE_ERR_IO (logged) for a refused directory.
 */
static ae_err open_dir(const char *dir, bool create, int *_fd)
{
	struct stat st;
	int fd;

	if (dir == NULL || dir[0] != '/') {
		AE_ERROR("trust store: %s is not an absolute path", dir ? dir : "(null)");
		return AE_ERR_INVALID;
	}
	if (create && ae_mkdir_p(dir, 0755) != AE_OK) {
		return AE_ERR_IO;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			return AE_ERR_NOT_FOUND;
		}
		AE_ERROR("trust store: cannot open the directory %s: %s%s", dir, strerror(errno),
			 errno == ELOOP || errno == ENOTDIR ? " (a symbolic link or not a directory; "
			 "refusing it)" : "");
		return AE_ERR_IO;
	}
	if (fstat(fd, &st) != 0 || st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		AE_ERROR("trust store: the directory %s is owned by uid %ld or writable by group or "
			 "others (mode %04o); refusing it", dir, (long)st.st_uid,
			 (unsigned)(st.st_mode & 07777));
		close(fd);
		return AE_ERR_IO;
	}
	*_fd = fd;
	return AE_OK;
}

/*
 * Before the first change to a trust dir: drop its AE_TRUST_SYNCED record,
 * so that from here on the set counts as not yet offered to the trust
 * command, whatever happens next (kill -9 included). record: false for a
 * bundle (no record).
 */
static ae_err forget_synced(int dfd, bool record)
{
	ae_err err = record ? ae_store_unlink_at(dfd, AE_TRUST_SYNCED, NULL) : AE_OK;

	return err == AE_OK && record ? ae_store_fsync_dirfd(dfd, AE_TRUST_SYNCED) : err;
}

/* Write data to name in dfd (0644) unless it holds exactly that already (record: forget_synced). */
static ae_err write_if_changed(int dfd, const char *name, const char *data, size_t len,
			       bool *_changed, bool record)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	uint8_t *old = NULL;
	size_t old_len = 0;
	struct stat st;
	ae_err err;

	if (tmp == NULL || name == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	/* a link or another kind of file in its place is never read: it is replaced */
	err = ae_file_read_at(tmp, dfd, name, AE_STORE_PEM_MAX * AE_TRUST_MAX, 0, &old, &old_len,
			      NULL, 0);
	if (err == AE_OK && old_len == len && memcmp(old, data, len) == 0 &&
	    fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 07777) == 0644) {
		talloc_free(tmp);
		return AE_OK;
	}
	talloc_free(tmp);
	err = *_changed ? AE_OK : forget_synced(dfd, record);
	if (err == AE_OK) {
		err = ae_file_write_atomic_at(dfd, name, data, len, 0644);
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
	char **names = NULL;
	size_t num = 0, i, stem = 0;
	bool changed = false, removed = false;
	int dfd = -1;
	ae_err err = check_set(certs, n, keep, num_keep);

	if (err != AE_OK) {
		return err;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = open_dir(dir, true, &dfd);
	for (i = 0; err == AE_OK && i < n; i++) {
		char *pem = with_newline(tmp, certs[i].pem);
		char *name = talloc_asprintf(tmp, "%s.crt", certs[i].name);
		err = pem && name ? write_if_changed(dfd, name, pem, strlen(pem), &changed, true)
				  : AE_ERR_NOMEM;
	}
	if (err == AE_OK) {
		err = ae_store_list_dir_at(tmp, dfd, dir, &names, &num);
	}
	for (i = 0; err == AE_OK && i < num; i++) {
		const char *f = names[i];
		bool did = false;
		if (strncmp(f, AE_TRUST_PREFIX, strlen(AE_TRUST_PREFIX)) != 0) {
			continue;	/* not ours */
		}
		if (ae_store_is_tmp_name(f)) {
			err = ae_store_unlink_at(dfd, f, NULL);
		} else if (ae_store_ends_with(f, ".crt", &stem) && !in_set(certs, n, keep, num_keep, f,
									   stem)) {
			err = changed ? AE_OK : forget_synced(dfd, true);
			if (err == AE_OK) {
				err = ae_store_unlink_at(dfd, f, &did);
			}
			if (did) {
				AE_INFO("trust store: removed %s/%s", dir, f);
				removed = changed = true;
			}
		}
	}
	if (err == AE_OK && removed) {
		err = ae_store_fsync_dirfd(dfd, dir);
	}
	if (_changed != NULL) {
		*_changed = changed;
	}
	if (dfd >= 0) {
		close(dfd);
	}
	talloc_free(tmp);
	return err;
}

/* Write the bundle text to path (an absolute path whose directory exists) through its directory. */
static ae_err bundle_write(TALLOC_CTX *tmp, const char *path, const char *all, bool *_changed)
{
	const char *slash = strrchr(path, '/');
	char *dir = NULL;
	int dfd = -1;
	ae_err err;

	if (path[0] != '/' || slash == NULL || slash[1] == '\0') {
		AE_ERROR("trust store: %s is not an absolute file path", path);
		return AE_ERR_INVALID;
	}
	dir = slash == path ? talloc_strdup(tmp, "/") : talloc_strndup(tmp, path, slash - path);
	if (dir == NULL) {
		return AE_ERR_NOMEM;
	}
	err = open_dir(dir, false, &dfd);
	if (err == AE_OK) {
		err = write_if_changed(dfd, slash + 1, all, strlen(all), _changed, false);
		close(dfd);
	}
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
	err = all ? bundle_write(tmp, path, all, &changed) : AE_ERR_NOMEM;
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

/* The record of the trust dir dfd as it is now: a header line, then our .crt names sorted. */
static ae_err synced_record(TALLOC_CTX *mem_ctx, int dfd, const char *dir, char **_rec)
{
	char **names = NULL, **ours = NULL;
	size_t num = 0, n = 0, i, stem = 0;
	char *rec = NULL;
	ae_err err = ae_store_list_dir_at(mem_ctx, dfd, dir, &names, &num);

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
	char *now = NULL;
	uint8_t *old = NULL;
	size_t old_len = 0;
	int dfd = -1;
	ae_err err;

	if (tmp == NULL || dir == NULL || _pending == NULL) {
		talloc_free(tmp);
		return tmp == NULL ? AE_ERR_NOMEM : AE_ERR_INVALID;
	}
	err = open_dir(dir, false, &dfd);
	if (err == AE_OK) {
		err = synced_record(tmp, dfd, dir, &now);
	}
	if (err == AE_OK) {
		err = ae_file_read_at(tmp, dfd, AE_TRUST_SYNCED, AE_STORE_PEM_MAX, 0, &old, &old_len,
				      NULL, 0);
	}
	if (err == AE_ERR_NOT_FOUND) {
		/* no directory yet, never recorded, or dropped by a change since: not yet offered */
		*_pending = true;
		err = AE_OK;
	} else if (err == AE_OK) {
		*_pending = old_len != strlen(now) || memcmp(old, now, old_len) != 0;
	}
	if (dfd >= 0) {
		close(dfd);
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_store_trust_mark_synced(const char *dir)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *rec = NULL;
	int dfd = -1;
	ae_err err;

	if (tmp == NULL || dir == NULL) {
		talloc_free(tmp);
		return tmp == NULL ? AE_ERR_NOMEM : AE_ERR_INVALID;
	}
	err = open_dir(dir, true, &dfd);
	if (err == AE_OK) {
		err = synced_record(tmp, dfd, dir, &rec);
	}
	if (err == AE_OK) {
		err = ae_file_write_atomic_at(dfd, AE_TRUST_SYNCED, rec, strlen(rec), 0644);
	}
	if (dfd >= 0) {
		close(dfd);
	}
	talloc_free(tmp);
	return err;
}
