/*
 * ae_store_fs.c: the small file-system helpers the transitions share
 * (ae_store_private.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ae_store_private.h"
#include "ae_log.h"

void (*ae_store_step_hook)(const char *step);

void ae_store_step(const char *step)
{
	if (ae_store_step_hook != NULL) {
		ae_store_step_hook(step);
	}
}

char *ae_store_archive_path(TALLOC_CTX *mem_ctx, const struct ae_store *s,
			    const char *template_name, const char *tag, const char *suffix)
{
	return talloc_asprintf(mem_ctx, "%s/archive/%s.%s%s", s->dir, template_name, tag, suffix);
}

ae_err ae_store_fsync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = NULL;
	int fd;

	dir = slash == NULL ? strdup(".") : strndup(path, slash == path ? 1 : (size_t)(slash - path));
	if (dir == NULL) {
		return AE_ERR_NOMEM;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		AE_ERROR("cannot sync directory %s: %s", dir, strerror(errno));
		if (fd >= 0) {
			close(fd);
		}
		free(dir);
		return AE_ERR_IO;
	}
	close(fd);
	free(dir);
	return AE_OK;
}

ae_err ae_store_unlink(const char *path, bool *_did)
{
	if (path == NULL) {
		return AE_ERR_NOMEM;
	}
	if (unlink(path) != 0) {
		if (errno == ENOENT) {
			return AE_OK;
		}
		AE_ERROR("cannot remove %s: %s", path, strerror(errno));
		return AE_ERR_IO;
	}
	if (_did != NULL) {
		*_did = true;
	}
	return AE_OK;
}

static bool same_dir(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');

	if (sa == NULL || sb == NULL) {
		return sa == sb;
	}
	return sa - a == sb - b && memcmp(a, b, (size_t)(sa - a)) == 0;
}

ae_err ae_store_move(const char *from, const char *to, bool *_did)
{
	ae_err err;

	if (from == NULL || to == NULL) {
		return AE_ERR_NOMEM;
	}
	if (rename(from, to) != 0) {
		if (errno == ENOENT) {
			return AE_OK;
		}
		AE_ERROR("cannot rename %s to %s: %s", from, to, strerror(errno));
		return AE_ERR_IO;
	}
	if (_did != NULL) {
		*_did = true;
	}
	err = ae_store_fsync_dir(to);
	if (err == AE_OK && !same_dir(from, to)) {
		err = ae_store_fsync_dir(from);	/* a move into archive/ */
	}
	return err;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

ae_err ae_store_list_dir(TALLOC_CTX *mem_ctx, const char *path, char ***_names, size_t *_n)
{
	char **names = NULL;
	size_t n = 0;
	struct dirent *de = NULL;
	DIR *d = NULL;

	if (path == NULL) {
		return AE_ERR_NOMEM;
	}
	d = opendir(path);
	if (d == NULL) {
		if (errno == ENOENT) {
			return AE_ERR_NOT_FOUND;
		}
		AE_ERROR("cannot read directory %s: %s", path, strerror(errno));
		return AE_ERR_IO;
	}
	names = talloc_array(mem_ctx, char *, 0);
	while (names != NULL && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
			continue;
		}
		if (n >= AE_STORE_DIR_MAX) {
			AE_ERROR("directory %s: more than %d entries", path, AE_STORE_DIR_MAX);
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
