/*
 * ae_store_lock.c: the per-context lock.
 *
 * flock(2), not fcntl(2) locks: a flock belongs to the open file
 * description, so two handles in one process exclude each other (fcntl
 * locks are per process and would be dropped by any close of the file),
 * and it goes away with the last descriptor when the process dies.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "ae_store_private.h"
#include "ae_file.h"
#include "ae_log.h"

struct ae_store_lock {
	struct ae_store *store;
	int fd;
};

static int lock_destructor(struct ae_store_lock *l)
{
	if (l->store != NULL && l->store->lock == l) {
		l->store->lock = NULL;
	}
	/* close only: LOCK_UN would also release a forked parent's lock */
	if (l->fd >= 0) {
		close(l->fd);
	}
	return 0;
}

/* a lock stolen away from its store must not point at a freed store */
static int store_destructor(struct ae_store *s)
{
	if (s->lock != NULL) {
		s->lock->store = NULL;
	}
	return 0;
}

ae_err ae_store_lock(struct ae_store *s, bool wait, struct ae_store_lock **_lock)
{
	struct ae_store_lock *l = NULL;
	char *path = NULL;
	int rc;

	if (s->lock != NULL) {
		AE_ERROR("store %s: this handle already holds the lock", s->dir);
		return AE_ERR_INVALID;
	}
	l = talloc_zero(s, struct ae_store_lock);
	path = talloc_asprintf(l, "%s/.lock", s->dir);
	if (l == NULL || path == NULL) {
		talloc_free(l);
		return AE_ERR_NOMEM;
	}
	l->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (l->fd < 0) {
		AE_ERROR("cannot open %s: %s", path, strerror(errno));
		talloc_free(l);
		return AE_ERR_IO;
	}
	talloc_set_destructor(l, lock_destructor);
	do {
		rc = flock(l->fd, LOCK_EX | (wait ? 0 : LOCK_NB));
	} while (rc != 0 && errno == EINTR);
	if (rc != 0) {
		int saved = errno;
		talloc_free(l);
		if (saved == EWOULDBLOCK) {
			return AE_ERR_LOCKED;
		}
		AE_ERROR("cannot lock %s/.lock: %s", s->dir, strerror(saved));
		return AE_ERR_IO;
	}
	talloc_free(path);
	l->store = s;
	s->lock = l;
	talloc_set_destructor(s, store_destructor);
	*_lock = l;
	return AE_OK;
}

ae_err ae_store_require_lock(const struct ae_store *s, const char *what)
{
	if (s == NULL || s->lock == NULL) {
		AE_ERROR("store %s: %s without the store lock", s ? s->dir : "?", what);
		return AE_ERR_INVALID;
	}
	return AE_OK;
}
