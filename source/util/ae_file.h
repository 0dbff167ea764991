/*
 * ae_file.h: files read and written the safe way.
 *
 * Every write goes to a temporary file in the same directory, created with
 * O_EXCL and its final mode (so a key is never readable by others, not even
 * for a moment), fsync'ed, renamed over the target, and the directory is
 * fsync'ed. A crash leaves either the old or the new content.
 *
 * Every read goes through ae_file_read_at: only a regular file is opened
 * (checked with fstatat before the open, so a FIFO, a device or a
 * directory is never opened and can neither block nor feed endless bytes),
 * the open is O_NONBLOCK|O_CLOEXEC (and O_NOFOLLOW unless AE_FILE_FOLLOW),
 * fstat must show the same inode that was checked, and the size is capped.
 */
#ifndef AE_FILE_H
#define AE_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <talloc.h>
#include "ae_error.h"

/* Atomically replace 'path' with len bytes of data, mode 'mode'. */
ae_err ae_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/*
 * The same for the entry 'name' (no '/') of the directory open as dirfd:
 * "<name>.tmp.<pid>" is created there with O_EXCL|O_NOFOLLOW and renamed
 * over name with renameat; dirfd is fsync'ed.
 */
/*
 * The last failure of ae_file_write_atomic_at in this thread, as logged
 * ("cannot write NAME: <strerror>"), so that an error message can name the
 * file and the cause; "" when there was none since ae_file_clear_error().
 * Also a read error of ae_file_read_at ("cannot read NAME: <strerror>", EIO)
 * and what a caller notes with ae_file_set_error (the store's renames,
 * unlinks, directory syncs and lock).
 */
const char *ae_file_last_error(void);
void ae_file_clear_error(void);
void ae_file_set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

ae_err ae_file_write_atomic_at(int dirfd, const char *name, const void *data, size_t len,
			       mode_t mode);

#define AE_FILE_FOLLOW 1u	/* follow a symbolic link in the last component */

/*
 * Read the regular file 'name' relative to dirfd (AT_FDCWD, or ignored for
 * an absolute name) of at most max bytes onto mem_ctx. A NUL is appended
 * after the data (not counted in *_len). Outputs are set only on success.
 * AE_ERR_NOT_FOUND: missing; AE_ERR_TOO_LARGE: larger than max;
 * AE_ERR_INVALID: the entry is not a regular file (a symbolic link without
 * AE_FILE_FOLLOW, a FIFO, a device, a directory, a socket) or changed
 * between the check and the open; AE_ERR_IO: any other failure. why (may
 * be NULL) receives the cause in words ("a FIFO, not a regular file").
 */
ae_err ae_file_read_at(TALLOC_CTX *mem_ctx, int dirfd, const char *name, size_t max,
		       unsigned flags, uint8_t **_data, size_t *_len, char *why, size_t why_len);

/* ae_file_read_at(mem_ctx, AT_FDCWD, path, max, AE_FILE_FOLLOW, ...) without the cause. */
ae_err ae_file_read(TALLOC_CTX *mem_ctx, const char *path, size_t max,
		    uint8_t **_data, size_t *_len);

/*
 * What the entry name of dirfd is, not followed: AE_OK for a regular file,
 * AE_ERR_NOT_FOUND when missing, AE_ERR_INVALID (why: "a FIFO, not a
 * regular file", ...) for anything else, AE_ERR_IO when fstatat fails.
 */
ae_err ae_file_check_regular_at(int dirfd, const char *name, char *why, size_t why_len);

/* "a regular file", "a FIFO", "a symbolic link", "a directory", ... for st_mode */
const char *ae_file_kind(mode_t mode);

/* mkdir -p with 'mode' for the directories it creates. */
ae_err ae_mkdir_p(const char *path, mode_t mode);

/*
 * A private cache directory of this process's user: created (mkdir -p, 0700)
 * when missing, then opened O_DIRECTORY | O_NOFOLLOW and accepted only if it
 * is ours with no access for group and others. AE_OK: *_fd set; else
 * AE_ERR_IO (or AE_ERR_INVALID for a relative path) and *_cause says why.
 */
ae_err ae_private_dir_open(const char *dir, int *_fd, const char **_cause);

/* true if path exists (any type) */
int ae_file_exists(const char *path);

#endif
