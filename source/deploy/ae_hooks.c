/*
 * ae_hooks.c: the hooks directory listed with run-parts' rules and
 * root's trust checks (ae_hooks.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <talloc.h>
#include "ae_file.h"
#include "ae_hooks.h"
#include "ae_target.h"

static bool name_ok(const char *n)
{
	size_t i;

	for (i = 0; n[i] != '\0'; i++) {
		char c = n[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-')) {
			return false;
		}
	}
	return i > 0 && i < 256;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static ae_err push(TALLOC_CTX *mem, char ***v, size_t *n, char *s)
{
	char **nv = talloc_realloc(mem, *v, char *, *n + 2);

	if (nv == NULL || s == NULL) {
		talloc_free(s);
		return AE_ERR_NOMEM;
	}
	nv[*n] = talloc_steal(nv, s);
	nv[++*n] = NULL;
	*v = nv;
	return AE_OK;
}

/* NULL: run it; else why it is refused (static text) or "" to skip it silently */
static const char *check(int dfd, const char *name)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		return "";
	}
	if (S_ISLNK(st.st_mode)) {
		return "a symbolic link: refused";
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & S_IXUSR) == 0) {
		return "";	/* a directory, or disabled with chmod -x */
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		return "not owned by root: refused";
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		return "writable by group or others: refused";
	}
	return NULL;
}

ae_err ae_hooks_list(TALLOC_CTX *mem_ctx, const char *dir, struct ae_hook_list **_l, char *why,
		     size_t why_len)
{
	struct ae_hook_list *l = talloc_zero(NULL, struct ae_hook_list);
	struct dirent *de;
	DIR *d = NULL;
	int fd = -1;
	ae_err err;

	if (l == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_target_open_dir(dir, &fd, why, why_len);
	if (err == AE_ERR_NOT_FOUND) {
		err = AE_OK;	/* no directory: no hooks */
	} else if (err == AE_OK && (d = fdopendir(fd)) == NULL) {
		ae_why(why, why_len, "%s: %s", dir, strerror(errno));
		close(fd);
		err = AE_ERR_IO;
	}
	while (err == AE_OK && d != NULL && (de = readdir(d)) != NULL) {
		const char *c;

		if (!name_ok(de->d_name)) {
			continue;
		}
		c = check(dirfd(d), de->d_name);
		if (c != NULL) {
			if (c[0] != '\0') {
				err = push(l, &l->refused, &l->num_refused,
					   talloc_asprintf(NULL, "%s/%s: %s", dir, de->d_name, c));
			}
			continue;
		}
		if (l->n == AE_HOOKS_MAX) {
			ae_why(why, why_len, "%s: more than %d hooks", dir, AE_HOOKS_MAX);
			err = AE_ERR_TOO_LARGE;
			break;
		}
		err = push(l, &l->paths, &l->n, talloc_asprintf(NULL, "%s/%s", dir, de->d_name));
	}
	if (d != NULL) {
		closedir(d);
	}
	if (err != AE_OK) {
		talloc_free(l);
		return err;
	}
	if (l->n > 1) {
		qsort(l->paths, l->n, sizeof(char *), cmp);
	}
	*_l = talloc_steal(mem_ctx, l);
	return AE_OK;
}
