/*
 * ae_store_quarantine.c: entries of the store that are not regular files
 * (ae_store.h, "Trust"; finding E5): a FIFO named <T>.state would block
 * every reader in open(2), a symbolic link to /dev/zero or a device could
 * feed it endless bytes, a directory named like a record makes every
 * rename over it fail. Recovery moves such an entry into quarantine/ (it
 * deletes nothing: the entry may be evidence) and says so; the other
 * templates are then processed as usual.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "ae_store_private.h"
#include "ae_file.h"
#include "ae_log.h"

/*
 * A name the store reads or renames: a template's file or a pending
 * record/key, and <T>.state.corrupt, which recovery renames a bad record
 * over (a directory of that name made every recovery fail).
 */
static bool store_file_name(const char *name)
{
	static const char *const sfx[] = { SFX_KEY, SFX_CRT, SFX_CHAIN, SFX_STATE, SFX_NEW_KEY,
					    SFX_NEW_CRT, SFX_NEW_CHAIN, SFX_NEW_STATE, SFX_CORRUPT };
	size_t i;

	if (ae_store_is_tmp_name(name)) {
		return true;
	}
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		if (ae_store_ends_with(name, sfx[i], NULL)) {
			return true;
		}
	}
	return false;
}

/* Move dfd's entry name into quarantine/ (name, else name-1 ... name-99). */
static ae_err quarantine_one(TALLOC_CTX *tmp, const struct ae_store *s, int dfd,
			     const char *name, char **_as)
{
	int qfd = -1;
	unsigned n;
	ae_err err = ae_store_subdir(s, "quarantine", true, &qfd);

	for (n = 0; err == AE_OK && n < 100; n++) {
		char *as = n == 0 ? talloc_strdup(tmp, name) : talloc_asprintf(tmp, "%s-%u", name, n);
		if (as == NULL) {
			err = AE_ERR_NOMEM;
		} else if (renameat2(dfd, name, qfd, as, RENAME_NOREPLACE) == 0) {
			*_as = as;
			err = ae_store_fsync_dirfd(qfd, "quarantine");
			if (err == AE_OK) {
				err = ae_store_fsync_dirfd(dfd, name);
			}
			close(qfd);
			return err;
		} else if (errno != EEXIST) {
			AE_ERROR("store %s: cannot move %s to quarantine/: %s", s->dir, name,
				 strerror(errno));
			err = AE_ERR_IO;
		}
	}
	if (qfd >= 0) {
		close(qfd);
	}
	return err == AE_OK ? AE_ERR_IO : err;
}

static void add_line(TALLOC_CTX *mem_ctx, char ***_lines, size_t *_n, char *line)
{
	char **v = line ? talloc_realloc(mem_ctx, *_lines, char *, *_n + 1) : NULL;

	if (v != NULL) {
		v[(*_n)++] = talloc_steal(v, line);
		*_lines = v;
	}
}

ae_err ae_store_set_aside(TALLOC_CTX *mem_ctx, const struct ae_store *s, int dfd,
			  const char *where, char ***_lines, size_t *_n)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char **names = NULL;
	size_t n = 0, i;
	ae_err first = ae_store_list_dir_at(tmp, dfd, where[0] ? where : s->dir, &names, &n);

	*_lines = NULL;
	*_n = 0;

	for (i = 0; i < n; i++) {	/* one that cannot move does not stop the others */
		char why[96] = "", *as = NULL;
		ae_err err;
		if (!store_file_name(names[i]) ||
		    ae_file_check_regular_at(dfd, names[i], why, sizeof(why)) != AE_ERR_INVALID) {
			continue;
		}
		err = quarantine_one(tmp, s, dfd, names[i], &as);
		if (err == AE_OK) {
			add_line(mem_ctx, _lines, _n, talloc_asprintf(tmp, "%s%s is %s; set aside as "
								      "quarantine/%s", where,
								      names[i], why, as));
		} else {
			add_line(mem_ctx, _lines, _n, talloc_asprintf(tmp, "%s%s is %s; cannot set it "
								      "aside: %s", where, names[i],
								      why, ae_strerror(err)));
			first = first != AE_OK ? first : err;
		}
	}
	talloc_free(tmp);
	return first;
}
