/*
 * ae_gpo_cache_private.h: the directory-descriptor file helpers behind
 * ae_gpo_cache.c, for its tests. 'name' is one path component (a '/' is
 * AE_ERR_INVALID); O_NOFOLLOW, so a symbolic link is AE_ERR_IO.
 */
#ifndef AE_GPO_CACHE_PRIVATE_H
#define AE_GPO_CACHE_PRIVATE_H

#include "ae_gpo_cache.h"

/* A regular file of at most max bytes (a NUL appended, not counted). */
ae_err ae_gpo_cache_read_at(TALLOC_CTX *mem_ctx, int dirfd, const char *name, size_t max,
			    uint8_t **_data, size_t *_len);

/* Atomically replace name (0600): temp file O_EXCL, fsync, renameat, fsync dir. */
ae_err ae_gpo_cache_write_at(int dirfd, const char *name, const uint8_t *data, size_t len);

#endif
