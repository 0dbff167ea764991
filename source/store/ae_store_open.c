/*
 * ae_store_open.c: opening the store directory, and the checks that make it
 * safe to work in as root (ae_store.h, "Trust").
 *
 * The path is walked from "/" one component at a time with openat(...,
 * O_DIRECTORY|O_NOFOLLOW), so what is checked is what is opened, and no
 * symbolic link is followed. Each directory above the store must be owned
 * by root or the context's owner: another user who owns (or may write
 * into) one of them could rename the store away and put a directory of
 * their own in its place. A directory writable by group/others is allowed
 * above the store only with the sticky bit and owned by root (/tmp): there
 * nobody else can rename or remove an entry they do not own. The store
 * itself must belong to the owner and be writable by nobody else.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ae_store_private.h"
#include "ae_file.h"
#include "ae_log.h"

static int store_destructor(struct ae_store *s)
{
	ae_store_lock_detach(s);
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	return 0;
}

/* The checks of one directory (path: its name so far, for the message). */
static ae_err check_dir(int fd, const char *path, bool is_store, uid_t owner, char *why,
			size_t why_len)
{
	struct stat st;
	mode_t m;

	if (fstat(fd, &st) != 0) {
		ae_why(why, why_len, "store directory %s: cannot stat %s: %s", path, path,
		       strerror(errno));
		return AE_ERR_IO;
	}
	m = st.st_mode;
	if (is_store) {
		if (st.st_uid != owner) {
			ae_why(why, why_len, "store directory %s is owned by uid %ld, not by uid %ld "
			       "(the context's owner); refusing it", path, (long)st.st_uid,
			       (long)owner);
			return AE_ERR_IO;
		}
		if ((m & 022) != 0) {
			ae_why(why, why_len, "store directory %s is writable by group or others "
			       "(mode %04o); refusing it", path, (unsigned)(m & 07777));
			return AE_ERR_IO;
		}
		return AE_OK;
	}
	if (st.st_uid != 0 && st.st_uid != owner) {
		ae_why(why, why_len, "directory %s above the store is owned by uid %ld (neither root "
		       "nor uid %ld); refusing the store", path, (long)st.st_uid, (long)owner);
		return AE_ERR_IO;
	}
	if ((m & 022) != 0 && ((m & S_ISVTX) == 0 || st.st_uid != 0)) {
		ae_why(why, why_len, "directory %s above the store is writable by group or others "
		       "(mode %04o) without being a sticky root-owned directory; refusing the "
		       "store", path, (unsigned)(m & 07777));
		return AE_ERR_IO;
	}
	return AE_OK;
}

/* Open component name of parent (path: the path so far), creating it if allowed. */
static ae_err open_component(int parent, const char *name, const char *path, bool create,
			     bool last, int *_fd, char *why, size_t why_len)
{
	/*
	 * A directory above the store is only passed through: O_PATH needs
	 * search permission, not read (a user's store lies below root's 0711
	 * users/), and fstat/openat work on it. The store itself is opened
	 * for reading: it is listed.
	 */
	int how = (last ? O_RDONLY : O_PATH) | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(parent, name, how);

	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(parent, name, 0700) != 0 && errno != EEXIST) {
			ae_why(why, why_len, "cannot create the store directory %s: %s", path,
			       strerror(errno));
			return AE_ERR_IO;
		}
		AE_INFO("created %s (0700)", path);
		fd = openat(parent, name, how);
	}
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT) {
			ae_why(why, why_len, last ? "store directory %s does not exist" :
			       "store directory: %s does not exist; not creating it (a mistyped "
			       "path?)", path);
			return AE_ERR_NOT_FOUND;
		}
		if (e == ELOOP || e == ENOTDIR) {
			struct stat st;
			ae_why(why, why_len, "store directory: %s is %s, not a directory; refusing "
			       "the store", path, fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ?
			       ae_file_kind(st.st_mode) : "something else");
		} else {
			ae_why(why, why_len, "store directory: %s: %s; refusing the store", path,
			       strerror(e));
		}
		return AE_ERR_IO;
	}
	*_fd = fd;
	return AE_OK;
}

/* Walk dir from "/", checking each directory; the store's descriptor in *_fd. */
static ae_err walk(TALLOC_CTX *tmp, const char *dir, uid_t owner, unsigned flags, int *_fd,
		   char *why, size_t why_len)
{
	char *copy = talloc_strdup(tmp, dir), *save = NULL, *c = NULL, *next = NULL;
	char *path = talloc_strdup(tmp, "");
	int fd = -1, nfd = -1;
	ae_err err;

	if (copy == NULL || path == NULL) {
		return AE_ERR_NOMEM;
	}
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ae_why(why, why_len, "cannot open /: %s", strerror(errno));
		return AE_ERR_IO;
	}
	c = strtok_r(copy, "/", &save);
	err = check_dir(fd, "/", c == NULL, owner, why, why_len);
	for (; err == AE_OK && c != NULL; c = next) {
		bool last;
		next = strtok_r(NULL, "/", &save);
		last = next == NULL;
		if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0) {
			ae_why(why, why_len, "store directory %s contains \"%s\"; refusing it", dir,
			       c);
			err = AE_ERR_INVALID;
			break;
		}
		path = talloc_asprintf_append(path, "/%s", c);
		if (path == NULL) {
			err = AE_ERR_NOMEM;
			break;
		}
		err = open_component(fd, c, path, last ? (flags & AE_STORE_OPEN_CREATE) != 0 :
				     (flags & AE_STORE_OPEN_PARENTS) != 0, last, &nfd, why,
				     why_len);
		if (err == AE_OK) {
			close(fd);
			fd = nfd;
			err = check_dir(fd, path, last, owner, why, why_len);
		}
	}
	if (err != AE_OK) {
		close(fd);
		return err;
	}
	*_fd = fd;
	return AE_OK;
}

ae_err ae_store_open(TALLOC_CTX *mem_ctx, const char *dir, uid_t owner, unsigned flags,
		     struct ae_store **_s, char *why, size_t why_len)
{
	TALLOC_CTX *tmp = NULL;
	struct ae_store *s = NULL;
	char local[512];
	ae_err err;

	if (why == NULL || why_len == 0) {
		why = local;
		why_len = sizeof(local);
	}
	why[0] = '\0';
	if (dir == NULL || dir[0] != '/') {
		ae_why(why, why_len, "store directory %s is not an absolute path; refusing it",
		       dir ? dir : "(none)");
		if (why == local) {
			AE_ERROR("%s", why);
		}
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(NULL);
	s = talloc_zero(tmp, struct ae_store);
	if (s == NULL || (s->dir = talloc_strdup(s, dir)) == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	s->fd = -1;
	s->owner = owner;
	s->lock_wait_s = AE_STORE_LOCK_WAIT_S;
	talloc_set_destructor(s, store_destructor);
	err = walk(tmp, dir, owner, flags, &s->fd, why, why_len);
	if (err != AE_OK) {
		if (why == local) {	/* else the caller reports it */
			AE_ERROR("%s", why[0] != '\0' ? why : ae_strerror(err));
		}
		talloc_free(tmp);
		return err;
	}
	*_s = talloc_steal(mem_ctx, s);
	talloc_free(tmp);
	return AE_OK;
}
