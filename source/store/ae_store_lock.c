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
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
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

void ae_store_lock_detach(struct ae_store *s)
{
	if (s->lock != NULL) {
		s->lock->store = NULL;
	}
}

/* The pid the holder wrote into the lock file, or 0 if it cannot be read. */
static long holder_pid(int fd)
{
	char buf[24];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *end = NULL;
	long pid;

	if (n <= 0) {
		return 0;
	}
	buf[n] = '\0';
	pid = strtol(buf, &end, 10);
	return end != buf && (*end == '\n' || *end == '\0') && pid > 0 ? pid : 0;
}

static void write_pid(int fd)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	/* informational only: a failure does not matter */
	if (ftruncate(fd, 0) == 0 && n > 0) {
		(void)!pwrite(fd, buf, (size_t)n, 0);
	}
}

/*
 * flock with LOCK_NB, tried again every 100 ms: at most wait_s * 10 tries,
 * so the bound is a number of tries, not a deadline (a loaded machine waits
 * longer, never less). 0: one try.
 */
static int lock_bounded(int fd, unsigned wait_s)
{
	const struct timespec pause = { 0, 100 * 1000 * 1000 };
	unsigned long tries = (unsigned long)wait_s * 10, i;
	int rc;

	for (i = 0;; i++) {
		do {
			rc = flock(fd, LOCK_EX | LOCK_NB);
		} while (rc != 0 && errno == EINTR);
		if (rc == 0 || errno != EWOULDBLOCK || i >= tries) {
			return rc;
		}
		(void)nanosleep(&pause, NULL);
	}
}

ae_err ae_store_lock(struct ae_store *s, bool wait, struct ae_store_lock **_lock)
{
	struct ae_store_lock *l = NULL;
	struct stat st;
	int rc;

	if (s->lock != NULL) {
		AE_ERROR("store %s: this handle already holds the lock", s->dir);
		return AE_ERR_INVALID;
	}
	l = talloc_zero(s, struct ae_store_lock);
	if (l == NULL) {
		return AE_ERR_NOMEM;
	}
	l->fd = openat(s->fd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
		       0600);
	if (l->fd < 0) {
		const char *why = errno == ELOOP ? "it is a symbolic link" : strerror(errno);
		AE_ERROR("cannot open %s/.lock: %s", s->dir, why);
		ae_file_set_error("cannot open .lock: %s", why);
		talloc_free(l);
		return AE_ERR_IO;
	}
	talloc_set_destructor(l, lock_destructor);
	if (fstat(l->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		AE_ERROR("store %s: .lock is not a regular file", s->dir);
		talloc_free(l);
		return AE_ERR_IO;
	}
	rc = lock_bounded(l->fd, wait ? s->lock_wait_s : 0);
	if (rc != 0) {
		int saved = errno;
		long pid = saved == EWOULDBLOCK ? holder_pid(l->fd) : 0;
		talloc_free(l);
		if (saved == EWOULDBLOCK) {
			if (wait) {
				char p[32] = "";
				if (pid > 0) {
					snprintf(p, sizeof(p), " (pid %ld)", pid);
				}
				AE_ERROR("store %s: store lock held by another process%s for more "
					 "than %u s; giving up", s->dir, p, s->lock_wait_s);
			}
			return AE_ERR_LOCKED;
		}
		AE_ERROR("cannot lock %s/.lock: %s", s->dir, strerror(saved));
		ae_file_set_error("cannot lock .lock: %s", strerror(saved));
		return AE_ERR_IO;
	}
	write_pid(l->fd);
	l->store = s;
	s->lock = l;
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
