/*
 * ae_store_fs.c: the small file-system helpers the transitions share
 * (ae_store_private.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ae_store_private.h"
#include "ae_file.h"
#include "ae_log.h"

void (*ae_store_step_hook)(const char *step);

void ae_store_step(const char *step)
{
#ifdef AE_TEST_SEAMS
	/* lab scenarios: AE_TEST_KILL_AT=<step> stops the process there, as kill -9 would */
	const char *at = getenv("AE_TEST_KILL_AT");

	if (at != NULL && strcmp(at, step) == 0) {
		raise(SIGKILL);
	}
#endif
	if (ae_store_step_hook != NULL) {
		ae_store_step_hook(step);
	}
}

char *ae_store_fname(TALLOC_CTX *mem_ctx, const char *template_name, const char *suffix)
{
	return talloc_asprintf(mem_ctx, "%s%s", template_name, suffix);
}

char *ae_store_archive_name(TALLOC_CTX *mem_ctx, const char *template_name, const char *tag,
			    const char *suffix)
{
	return talloc_asprintf(mem_ctx, "%s.%s%s", template_name, tag, suffix);
}

ae_err ae_store_subdir(const struct ae_store *s, const char *name, bool create, int *_fd)
{
	struct stat st;
	int fd;

	fd = openat(s->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(s->fd, name, 0700) != 0 && errno != EEXIST) {
			AE_ERROR("store %s: cannot create %s/: %s", s->dir, name, strerror(errno));
			return AE_ERR_IO;
		}
		fd = openat(s->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT) {
			return AE_ERR_NOT_FOUND;
		}
		if (e == ELOOP || e == ENOTDIR) {
			AE_ERROR("store %s: refusing %s/: it is %s, not a directory", s->dir, name,
				 fstatat(s->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ?
				 ae_file_kind(st.st_mode) : "something else");
		} else {
			AE_ERROR("store %s: refusing %s/: %s", s->dir, name, strerror(e));
		}
		return AE_ERR_IO;
	}
	if (fstat(fd, &st) != 0 || st.st_uid != s->owner || (st.st_mode & 022) != 0) {
		AE_ERROR("store %s: refusing %s/: owned by uid %ld (want %ld) or writable by "
			 "group/others (mode %04o)", s->dir, name, (long)st.st_uid,
			 (long)s->owner, (unsigned)(st.st_mode & 07777));
		close(fd);
		return AE_ERR_IO;
	}
	*_fd = fd;
	return AE_OK;
}

bool ae_store_has(TALLOC_CTX *tmp, const struct ae_store *s, const char *t, const char *sfx)
{
	char *name = ae_store_fname(tmp, t, sfx);
	struct stat st;

	return name != NULL && fstatat(s->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

ae_err ae_store_fsync_dirfd(int dfd, const char *what)
{
	if (fsync(dfd) != 0) {
		AE_ERROR("cannot sync directory %s: %s", what, strerror(errno));
		ae_file_set_error("cannot sync the directory of %s: %s", what, strerror(errno));
		return AE_ERR_IO;
	}
	return AE_OK;
}

ae_err ae_store_unlink_at(int dfd, const char *name, bool *_did)
{
	if (name == NULL) {
		return AE_ERR_NOMEM;
	}
	if (unlinkat(dfd, name, 0) != 0) {
		if (errno == ENOENT) {
			return AE_OK;
		}
		AE_ERROR("cannot remove %s: %s", name, strerror(errno));
		ae_file_set_error("cannot remove %s: %s", name, strerror(errno));
		return AE_ERR_IO;
	}
	if (_did != NULL) {
		*_did = true;
	}
	return AE_OK;
}

ae_err ae_store_move(int from_dfd, const char *from, int to_dfd, const char *to, bool *_did)
{
	ae_err err;

	if (from == NULL || to == NULL) {
		return AE_ERR_NOMEM;
	}
	if (renameat(from_dfd, from, to_dfd, to) != 0) {
		if (errno == ENOENT) {
			return AE_OK;
		}
		AE_ERROR("cannot rename %s to %s: %s", from, to, strerror(errno));
		ae_file_set_error("cannot rename %s to %s: %s", from, to, strerror(errno));
		return AE_ERR_IO;
	}
	if (_did != NULL) {
		*_did = true;
	}
	err = ae_store_fsync_dirfd(to_dfd, to);
	if (err == AE_OK && from_dfd != to_dfd) {
		err = ae_store_fsync_dirfd(from_dfd, from);	/* a move into archive/ */
	}
	return err;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

ae_err ae_store_list_dir_at(TALLOC_CTX *mem_ctx, int dfd, const char *what, char ***_names,
			 size_t *_n)
{
	char **names = NULL;
	size_t n = 0;
	struct dirent *de = NULL;
	DIR *d = NULL;
	int fd;

	/* a fresh descriptor: fdopendir takes it, and its offset is its own */
	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		AE_ERROR("cannot read directory %s: %s", what, strerror(errno));
		if (fd >= 0) {
			close(fd);
		}
		return AE_ERR_IO;
	}
	names = talloc_array(mem_ctx, char *, 0);
	while (names != NULL && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
			continue;
		}
		if (n >= AE_STORE_DIR_MAX) {
			AE_ERROR("directory %s: more than %d entries", what, AE_STORE_DIR_MAX);
			closedir(d);
			talloc_free(names);
			return AE_ERR_TOO_LARGE;
		}
		names = talloc_realloc(mem_ctx, names, char *, n + 1);
		if (names != NULL && (names[n] = talloc_strdup(names, de->d_name)) != NULL) {
			n++;
		} else {
			talloc_free(names);
			names = NULL;
		}
	}
	closedir(d);
	if (names == NULL) {
		return AE_ERR_NOMEM;
	}
	qsort(names, n, sizeof(names[0]), cmp_names);
	*_names = names;
	*_n = n;
	return AE_OK;
}

ae_err ae_store_list_dir(TALLOC_CTX *mem_ctx, const char *path, char ***_names, size_t *_n)
{
	ae_err err;
	int fd;

	if (path == NULL) {
		return AE_ERR_NOMEM;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			return AE_ERR_NOT_FOUND;
		}
		AE_ERROR("cannot read directory %s: %s", path, strerror(errno));
		return AE_ERR_IO;
	}
	err = ae_store_list_dir_at(mem_ctx, fd, path, _names, _n);
	close(fd);
	return err;
}

bool ae_store_ends_with(const char *name, const char *suffix, size_t *_stem_len)
{
	size_t ln = strlen(name), ls = strlen(suffix);

	if (ln <= ls || strcmp(name + ln - ls, suffix) != 0) {
		return false;
	}
	if (_stem_len != NULL) {
		*_stem_len = ln - ls;
	}
	return true;
}

bool ae_store_is_tmp_name(const char *name)
{
	const char *p = NULL, *q = name;

	/* "<name>.tmp.<digits>", as ae_file_write_atomic makes them */
	while ((q = strstr(q, ".tmp.")) != NULL) {
		p = q;
		q++;
	}
	if (p == NULL || p == name || p[5] == '\0') {
		return false;
	}
	for (p += 5; *p != '\0'; p++) {
		if (*p < '0' || *p > '9') {
			return false;
		}
	}
	return true;
}
