#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ae_file.h"
#include "ae_log.h"

const char *ae_file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFLNK: return "a symbolic link";
	case S_IFIFO: return "a FIFO";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFSOCK: return "a socket";
	default: return "an unknown kind of file";
	}
}

static _Thread_local char last_error[256];

const char *ae_file_last_error(void)
{
	return last_error;
}

void ae_file_clear_error(void)
{
	last_error[0] = '\0';
}

void ae_file_set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
}

ae_err ae_file_write_atomic_at(int dirfd, const char *name, const void *data, size_t len,
			       mode_t mode)
{
	const uint8_t *p = data;
	char *tmp = NULL;
	size_t done = 0;
	int fd = -1;
	int saved;

	if (name == NULL || strchr(name, '/') != NULL) {
		return name == NULL ? AE_ERR_NOMEM : AE_ERR_INVALID;
	}
	if (asprintf(&tmp, "%s.tmp.%ld", name, (long)getpid()) < 0) {
		return AE_ERR_NOMEM;
	}
	(void)unlinkat(dirfd, tmp, 0);	/* a leftover of a killed run of this pid */
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		saved = errno;
		AE_ERROR("cannot create %s: %s", tmp, strerror(saved));
		snprintf(last_error, sizeof(last_error), "cannot create %s: %s", tmp,
			 strerror(saved));
		free(tmp);
		return AE_ERR_IO;
	}
	if (fchmod(fd, mode) != 0) {	/* umask must not widen or narrow it */
		goto fail;
	}
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			goto fail;
		}
		done += (size_t)n;
	}
	if (fsync(fd) != 0) {
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) != 0) {
		goto fail;
	}
	free(tmp);
	(void)fsync(dirfd);
	return AE_OK;
fail:
	saved = errno;
	AE_ERROR("cannot write %s: %s", name, strerror(saved));
	snprintf(last_error, sizeof(last_error), "cannot write %s: %s", name, strerror(saved));
	if (fd >= 0) {
		close(fd);
	}
	(void)unlinkat(dirfd, tmp, 0);
	free(tmp);
	return AE_ERR_IO;
}

ae_err ae_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	char *dir = NULL;
	ae_err err;
	int dfd;

	if (path == NULL) {
		return AE_ERR_NOMEM;
	}
	if (slash == NULL) {
		return ae_file_write_atomic_at(AT_FDCWD, path, data, len, mode);
	}
	dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	if (dir == NULL) {
		return AE_ERR_NOMEM;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		AE_ERROR("cannot write %s: directory %s: %s", path, dir, strerror(errno));
		free(dir);
		return AE_ERR_IO;
	}
	free(dir);
	err = ae_file_write_atomic_at(dfd, slash + 1, data, len, mode);
	close(dfd);
	return err;
}

ae_err ae_file_check_regular_at(int dirfd, const char *name, char *why, size_t why_len)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT) {
			return AE_ERR_NOT_FOUND;
		}
		ae_why(why, why_len, "%s", strerror(errno));
		return AE_ERR_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		ae_why(why, why_len, "%s, not a regular file", ae_file_kind(st.st_mode));
		return AE_ERR_INVALID;
	}
	return AE_OK;
}

/* open the regular file checked as *st (same inode), never blocking */
static ae_err open_checked(int dirfd, const char *name, unsigned flags, struct stat *st,
			   int *_fd, char *why, size_t why_len)
{
	struct stat st2;
	int fd;

	if (fstatat(dirfd, name, st, (flags & AE_FILE_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT) {
			return AE_ERR_NOT_FOUND;
		}
		ae_why(why, why_len, "%s", strerror(errno));
		return AE_ERR_IO;
	}
	if (!S_ISREG(st->st_mode)) {
		ae_why(why, why_len, "%s, not a regular file", ae_file_kind(st->st_mode));
		return AE_ERR_INVALID;
	}
	fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC |
		    ((flags & AE_FILE_FOLLOW) ? 0 : O_NOFOLLOW));
	if (fd < 0) {
		int e = errno;
		ae_why(why, why_len, "%s", e == ELOOP ? "a symbolic link, not a regular file" :
		       strerror(e));
		return e == ENOENT ? AE_ERR_NOT_FOUND : e == ELOOP ? AE_ERR_INVALID : AE_ERR_IO;
	}
	if (fstat(fd, &st2) != 0 || !S_ISREG(st2.st_mode) || st2.st_dev != st->st_dev ||
	    st2.st_ino != st->st_ino) {
		ae_why(why, why_len, "replaced while it was opened");
		close(fd);
		return AE_ERR_INVALID;
	}
	*st = st2;
	*_fd = fd;
	return AE_OK;
}

ae_err ae_file_read_at(TALLOC_CTX *mem_ctx, int dirfd, const char *name, size_t max,
		       unsigned flags, uint8_t **_data, size_t *_len, char *why, size_t why_len)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t done = 0, size;
	int fd = -1;
	ae_err err;

	if (name == NULL) {
		return AE_ERR_NOMEM;
	}
	err = open_checked(dirfd, name, flags, &st, &fd, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	if ((uint64_t)st.st_size > max) {
		ae_why(why, why_len, "larger than %zu bytes", max);
		close(fd);
		return AE_ERR_TOO_LARGE;
	}
	size = (size_t)st.st_size;
	buf = talloc_array(mem_ctx, uint8_t, size + 1);
	if (buf == NULL) {
		close(fd);
		return AE_ERR_NOMEM;
	}
	while (done < size) {
		ssize_t n = read(fd, buf + done, size - done);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			int e = errno;	/* EIO: the device, not the content */
			ae_why(why, why_len, "%s", strerror(e));
			ae_file_set_error("cannot read %s: %s", name, strerror(e));
			close(fd);
			talloc_free(buf);
			return AE_ERR_IO;
		}
		if (n == 0) {
			break;
		}
		done += (size_t)n;
	}
	close(fd);
	if (done != size) {
		ae_why(why, why_len, "changed size while it was read");
		talloc_free(buf);
		return AE_ERR_IO;
	}
	buf[done] = 0;
	*_data = buf;
	*_len = done;
	return AE_OK;
}

ae_err ae_file_read(TALLOC_CTX *mem_ctx, const char *path, size_t max,
		    uint8_t **_data, size_t *_len)
{
	return ae_file_read_at(mem_ctx, AT_FDCWD, path, max, AE_FILE_FOLLOW, _data, _len, NULL, 0);
}

ae_err ae_mkdir_p(const char *path, mode_t mode)
{
	char *copy = strdup(path);
	char *p;

	if (copy == NULL) {
		return AE_ERR_NOMEM;
	}
	for (p = copy + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(copy, mode) != 0 && errno != EEXIST) {
				AE_ERROR("cannot create directory %s: %s", copy, strerror(errno));
				free(copy);
				return AE_ERR_IO;
			}
			*p = c;
			if (c == '\0') {
				break;
			}
		}
	}
	free(copy);
	return AE_OK;
}

ae_err ae_private_dir_open(const char *dir, int *_fd, const char **_cause)
{
	struct stat st;
	int fd;

	if (dir == NULL || dir[0] != '/') {
		*_cause = "not an absolute path";
		return AE_ERR_INVALID;
	}
	if (ae_mkdir_p(dir, 0700) != AE_OK) {
		*_cause = "cannot create it";
		return AE_ERR_IO;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		*_cause = strerror(errno);
		return AE_ERR_IO;
	}
	if (fstat(fd, &st) != 0) {
		*_cause = strerror(errno);
		close(fd);
		return AE_ERR_IO;
	}
	if (st.st_uid != geteuid()) {
		*_cause = "owned by another user: not used";
	} else if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		*_cause = "group or others have access (it must be 0700): not used";
	} else {
		*_fd = fd;
		return AE_OK;
	}
	close(fd);
	return AE_ERR_IO;
}

int ae_file_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}
