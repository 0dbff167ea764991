#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ae_file.h"
#include "ae_log.h"

static ae_err fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	char *slash;
	int fd;

	if (copy == NULL) {
		return AE_ERR_NOMEM;
	}
	slash = strrchr(copy, '/');
	if (slash == NULL) {
		strcpy(copy, ".");
	} else if (slash == copy) {
		slash[1] = '\0';
	} else {
		*slash = '\0';
	}
	fd = open(copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0) {
		return AE_ERR_IO;
	}
	(void)fsync(fd);
	close(fd);
	return AE_OK;
}

ae_err ae_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	const uint8_t *p = data;
	char *tmp = NULL;
	size_t done = 0;
	int fd = -1;
	int saved;

	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
		return AE_ERR_NOMEM;
	}
	(void)unlink(tmp);	/* a leftover of a killed run of this pid */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		saved = errno;
		AE_ERROR("cannot create %s: %s", tmp, strerror(saved));
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
	if (rename(tmp, path) != 0) {
		goto fail;
	}
	free(tmp);
	return fsync_dir_of(path);
fail:
	saved = errno;
	AE_ERROR("cannot write %s: %s", path, strerror(saved));
	if (fd >= 0) {
		close(fd);
	}
	(void)unlink(tmp);
	free(tmp);
	return AE_ERR_IO;
}

ae_err ae_file_read(TALLOC_CTX *mem_ctx, const char *path, size_t max,
		    uint8_t **_data, size_t *_len)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t done = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return errno == ENOENT ? AE_ERR_NOT_FOUND : AE_ERR_IO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return AE_ERR_IO;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return AE_ERR_TOO_LARGE;
	}
	buf = talloc_array(mem_ctx, uint8_t, (size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return AE_ERR_NOMEM;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		done += (size_t)n;
	}
	close(fd);
	if (done != (size_t)st.st_size) {
		talloc_free(buf);
		return AE_ERR_IO;
	}
	buf[done] = 0;
	*_data = buf;
	*_len = done;
	return AE_OK;
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

int ae_file_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}
