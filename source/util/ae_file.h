/*
 * ae_file.h: files written the safe way.
 *
 * Every write goes to a temporary file in the same directory, created with
 * O_EXCL and its final mode (so a key is never readable by others, not even
 * for a moment), fsync'ed, renamed over the target, and the directory is
 * fsync'ed. A crash leaves either the old or the new content.
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
 * Read a whole regular file of at most max bytes onto mem_ctx. A NUL is
 * appended after the data (not counted in *_len). Missing file ->
 * AE_ERR_NOT_FOUND; larger than max -> AE_ERR_TOO_LARGE.
 */
ae_err ae_file_read(TALLOC_CTX *mem_ctx, const char *path, size_t max,
		    uint8_t **_data, size_t *_len);

/* mkdir -p with 'mode' for the directories it creates. */
ae_err ae_mkdir_p(const char *path, mode_t mode);

/* true if path exists (any type) */
int ae_file_exists(const char *path);

#endif
