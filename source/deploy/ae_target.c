/*
 * ae_target.c: deploy target files written as root without trusting any
 * directory a user controls (ae_target.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <talloc.h>
#include "ae_file.h"
#include "ae_target.h"

static const char *const file_names[AE_TARGET_FILES] = { "key", "cert", "chain", "fullchain" };

const char *ae_target_file_name(enum ae_target_file f)
{
	return (unsigned)f < AE_TARGET_FILES ? file_names[f] : "?";
}

/* A directory we may write into as root: ours, not writable by others. */
static bool dir_trusted(const struct stat *st, bool last)
{
	uid_t me = geteuid();

	if (st->st_uid != 0 && st->st_uid != me) {
		return false;
	}
	if ((st->st_mode & S_IWOTH) != 0 || ((st->st_mode & S_IWGRP) != 0 && st->st_gid != 0)) {
		/* /tmp: root's and sticky; never the directory the file goes into */
		return !last && st->st_uid == 0 && (st->st_mode & S_ISVTX) != 0;
	}
	return true;
}

/*
 * Open the directory part of path (len bytes) component by component,
 * O_NOFOLLOW, each checked; *_fd is the last one, opened for reading.
 */
static ae_err open_parent(const char *path, size_t len, int *_fd, char *why, size_t why_len)
{
	char buf[AE_TARGET_PATH_MAX], cur[AE_TARGET_PATH_MAX] = "/";
	char *save = NULL, *comp;
	int fd;
	struct stat st;

	if (len >= sizeof(buf)) {
		ae_why(why, why_len, "%s: path too long", path);
		return AE_ERR_INVALID;
	}
	memcpy(buf, path, len);
	buf[len] = '\0';
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	comp = strtok_r(buf, "/", &save);
	while (fd >= 0) {
		char *next = comp != NULL ? strtok_r(NULL, "/", &save) : NULL;
		int nfd, e;

		if (fstat(fd, &st) != 0) {
			break;
		}
		if (!dir_trusted(&st, comp == NULL)) {
			ae_why(why, why_len, "directory %s (owner uid %u, mode %04o) is not root's "
			       "alone: refusing to write %s as root into a directory another user "
			       "controls", cur, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
			       path);
			close(fd);
			return AE_ERR_INVALID;
		}
		if (comp == NULL) {
			*_fd = fd;
			return AE_OK;
		}
		snprintf(cur + strlen(cur), sizeof(cur) - strlen(cur), "%s%s",
			 strcmp(cur, "/") == 0 ? "" : "/", comp);
		nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		e = errno;
		close(fd);
		if (nfd < 0) {
			ae_why(why, why_len, "directory %s of %s: %s", cur, path,
			       e == ELOOP || e == ENOTDIR ? "a symbolic link or not a directory: "
			       "refused" : strerror(e));
			return e == ENOENT ? AE_ERR_NOT_FOUND :
				(e == ELOOP || e == ENOTDIR ? AE_ERR_INVALID : AE_ERR_IO);
		}
		fd = nfd;
		comp = next;
	}
	ae_why(why, why_len, "directory %s of %s: %s", cur, path, strerror(errno));
	if (fd >= 0) {
		close(fd);
	}
	return AE_ERR_IO;
}

/* The file name already holds exactly this, owned and moded so: *_same. */
static ae_err compare(int dfd, const char *name, const char *path, const uint8_t *data,
		      size_t len, uid_t uid, gid_t gid, mode_t mode, bool *_same, char *why,
		      size_t why_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	uint8_t *cur = NULL;
	size_t cur_len = 0;
	struct stat st;
	char cause[128] = "";
	ae_err err;

	*_same = false;
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		talloc_free(tmp);
		if (errno == ENOENT) {
			return AE_OK;
		}
		ae_why(why, why_len, "%s: fstatat: %s", path, strerror(errno));
		return AE_ERR_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		ae_why(why, why_len, "%s is %s, not a regular file: refused", path,
		       ae_file_kind(st.st_mode));
		talloc_free(tmp);
		return AE_ERR_INVALID;
	}
	if (st.st_uid != uid || st.st_gid != gid || (st.st_mode & 07777) != mode ||
	    (size_t)st.st_size != len) {
		talloc_free(tmp);
		return AE_OK;
	}
	err = ae_file_read_at(tmp, dfd, name, AE_TARGET_FILE_MAX, 0, &cur, &cur_len, cause,
			      sizeof(cause));
	if (err == AE_ERR_INVALID) {
		ae_why(why, why_len, "%s: %s: refused", path, cause);
	}
	if (err == AE_OK) {
		*_same = cur_len == len && memcmp(cur, data, len) == 0;
	}
	talloc_free(tmp);
	return err == AE_ERR_TOO_LARGE ? AE_OK : err;
}

static ae_err write_all(int fd, const uint8_t *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return AE_ERR_IO;
		}
		data += n;
		len -= (size_t)n;
	}
	return AE_OK;
}

/* temp file, fchown, fchmod, fsync, rename, fsync of the directory */
static ae_err replace(int dfd, const char *name, const char *path, const uint8_t *data,
		      size_t len, uid_t uid, gid_t gid, mode_t mode, char *why, size_t why_len)
{
	char tmpname[300];
	const char *step = "create";
	int fd, e = 0;

	if ((size_t)snprintf(tmpname, sizeof(tmpname), ".%s.tmp.%ld", name, (long)getpid()) >=
	    sizeof(tmpname)) {
		ae_why(why, why_len, "%s: name too long", path);
		return AE_ERR_INVALID;
	}
	(void)unlinkat(dfd, tmpname, 0);	/* ours, from a killed run of this pid */
	fd = openat(dfd, tmpname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		ae_why(why, why_len, "%s: create %s: %s", path, tmpname, strerror(errno));
		return AE_ERR_IO;
	}
	if (write_all(fd, data, len) != AE_OK) {
		step = "write";
	} else if (fchown(fd, uid, gid) != 0) {
		step = "fchown";
	} else if (fchmod(fd, mode) != 0) {
		step = "fchmod";
	} else if (fsync(fd) != 0) {
		step = "fsync";
	} else {
		step = NULL;
	}
	e = errno;
	if (close(fd) != 0 && step == NULL) {
		step = "close";
		e = errno;
	}
	if (step == NULL && renameat(dfd, tmpname, dfd, name) != 0) {
		step = "rename";
		e = errno;
	}
	if (step != NULL) {
		(void)unlinkat(dfd, tmpname, 0);
		ae_why(why, why_len, "%s: %s: %s", path, step, strerror(e));
		return AE_ERR_IO;
	}
	if (fsync(dfd) != 0) {
		ae_why(why, why_len, "%s: fsync of its directory: %s", path, strerror(errno));
		return AE_ERR_IO;
	}
	return AE_OK;
}

ae_err ae_target_open_dir(const char *dir, int *_fd, char *why, size_t why_len)
{
	size_t n = dir != NULL ? strlen(dir) : 0;

	if (n == 0 || dir[0] != '/') {
		ae_why(why, why_len, "%s: not an absolute path", dir != NULL ? dir : "(null)");
		return AE_ERR_INVALID;
	}
	while (n > 1 && dir[n - 1] == '/') {
		n--;
	}
	return open_parent(dir, n == 1 ? 0 : n, _fd, why, why_len);
}

ae_err ae_target_write_file(const char *path, const uint8_t *data, size_t len, uid_t uid,
			    gid_t gid, mode_t mode, bool *_written, char *why, size_t why_len)
{
	const char *slash = path != NULL ? strrchr(path, '/') : NULL;
	bool same = false;
	int dfd = -1;
	ae_err err;

	*_written = false;
	if (slash == NULL || path[0] != '/' || slash[1] == '\0' || strlen(path) >= AE_TARGET_PATH_MAX ||
	    strcmp(slash + 1, ".") == 0 || strcmp(slash + 1, "..") == 0) {
		ae_why(why, why_len, "%s: not an absolute file path", path ? path : "(null)");
		return AE_ERR_INVALID;
	}
	uid = uid == (uid_t)-1 ? geteuid() : uid;
	gid = gid == (gid_t)-1 ? getegid() : gid;
	err = open_parent(path, (size_t)(slash - path), &dfd, why, why_len);
	if (err == AE_OK) {
		err = compare(dfd, slash + 1, path, data, len, uid, gid, mode, &same, why, why_len);
	}
	if (err == AE_OK && !same) {
		err = replace(dfd, slash + 1, path, data, len, uid, gid, mode, why, why_len);
		*_written = err == AE_OK;
	}
	if (dfd >= 0) {
		close(dfd);
	}
	return err;
}

ae_err ae_target_sync(const struct ae_target_spec *t, const struct ae_target_content *c,
		      struct ae_target_result *res, char *why, size_t why_len)
{
	/* the key first, the certificate last: a reader that sees the new
	 * certificate finds its key already there */
	static const enum ae_target_file order[] = { AE_TARGET_KEY, AE_TARGET_CHAIN,
						     AE_TARGET_FULLCHAIN, AE_TARGET_CERT };
	size_t i;

	memset(res, 0, sizeof(*res));
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum ae_target_file f = order[i];
		bool written = false;
		ae_err err;

		if (t->path[f] == NULL) {
			continue;
		}
		err = ae_target_write_file(t->path[f], c->data[f], c->len[f],
					   t->has_owner ? t->uid : (uid_t)-1,
					   t->has_group ? t->gid : (gid_t)-1,
					   f == AE_TARGET_KEY ? t->key_mode : AE_TARGET_CERT_MODE,
					   &written, why, why_len);
		if (err != AE_OK) {
			return err;
		}
		res->written += written;
		res->unchanged += !written;
	}
	return AE_OK;
}
