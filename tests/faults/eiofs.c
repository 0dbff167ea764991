/*
 * eiofs: a test file system for the fault suite (t_fault_store_eio*).
 *
 *   eiofs BACKING MOUNTPOINT CONTROL LOG
 *
 * A passthrough of the directory BACKING mounted on MOUNTPOINT (libfuse3,
 * high-level API, in the foreground, single-threaded, allow_other and
 * default_permissions: the kernel checks owner and mode as on a local file
 * system, and the files keep the owner and mode they have in BACKING) that
 * answers EIO on demand. CONTROL is read again whenever it changes (replace
 * it with rename so each version is read whole); each line:
 *
 *   OPS GLOB [COUNT [SKIP]]
 *
 * OPS: a comma-separated list of getattr, open, create, read, write,
 * fsync, fsyncdir, rename, unlink, readdir, flock, or all; GLOB (fnmatch(3)) is
 * matched against the last component of the file's name (rename: of either
 * name); SKIP: the first SKIP matching calls go through; COUNT: then only
 * COUNT matching calls fail (none or 0: all).
 * An empty or absent CONTROL: healthy. Every EIO returned is logged as one
 * line "EIO <op> <name>" appended to LOG, so a scenario can tell that its
 * fault was hit.
 *
 * Caches are off (entry, attribute and negative timeouts 0, direct I/O):
 * every stat, open, read and write reaches this process. Unlinked open
 * files are removed at once (hard_remove; the descriptor-based operations
 * do not need their name), so no .fuse_hidden file appears in a store.
 * flock(2) is passed to the backing file's descriptor (one per open, so
 * two opens exclude each other as on a local file system), never waiting:
 * this process serves one request at a time, and the store only asks with
 * LOCK_NB.
 */
#define FUSE_USE_VERSION 31
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include "eiofs_rules.h"

/* an open file: its descriptor in BACKING and its name when it was opened
 * (read, write and fsync get no path: nullpath_ok) */
struct handle {
	int fd;
	DIR *dir;	/* opendir */
	char name[256];
};

static int backing_fd = -1;

/* the path relative to the backing directory */
static const char *rel(const char *path)
{
	return path[1] == '\0' ? "." : path + 1;
}

#define FAULT(op, name) do { if (eio_fault(op, name, NULL)) return -EIO; } while (0)
#define FD(fi) (((struct handle *)(uintptr_t)(fi)->fh)->fd)
#define NAME(fi) (((struct handle *)(uintptr_t)(fi)->fh)->name)
#define RET(expr) return (expr) == 0 ? 0 : -errno

/* a new object belongs to the caller, as on a local file system */
static int own(const char *path)
{
	struct fuse_context *c = fuse_get_context();

	RET(fchownat(backing_fd, rel(path), c->uid, c->gid, AT_SYMLINK_NOFOLLOW));
}

static void *eio_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->use_ino = 1;
	cfg->hard_remove = 1;
	cfg->nullpath_ok = 1;
	cfg->direct_io = 1;
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	return NULL;
}

static int eio_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	FAULT("getattr", fi != NULL ? NAME(fi) : path);
	if (fi != NULL) {
		RET(fstat(FD(fi), st));
	}
	RET(fstatat(backing_fd, rel(path), st, AT_SYMLINK_NOFOLLOW));
}

static int eio_readlink(const char *path, char *buf, size_t size)
{
	ssize_t n = readlinkat(backing_fd, rel(path), buf, size - 1);

	if (n < 0) {
		return -errno;
	}
	buf[n] = '\0';
	return 0;
}

static int eio_mknod(const char *path, mode_t mode, dev_t rdev)
{
	if (mknodat(backing_fd, rel(path), mode, rdev) != 0) {
		return -errno;
	}
	return own(path);
}

static int eio_mkdir(const char *path, mode_t mode)
{
	if (mkdirat(backing_fd, rel(path), mode) != 0) {
		return -errno;
	}
	return own(path);
}

static int eio_unlink(const char *path)
{
	FAULT("unlink", path);
	RET(unlinkat(backing_fd, rel(path), 0));
}

static int eio_rmdir(const char *path)
{
	RET(unlinkat(backing_fd, rel(path), AT_REMOVEDIR));
}

static int eio_symlink(const char *target, const char *path)
{
	if (symlinkat(target, backing_fd, rel(path)) != 0) {
		return -errno;
	}
	return own(path);
}

static int eio_rename(const char *from, const char *to, unsigned int flags)
{
	if (eio_fault("rename", from, to)) {
		return -EIO;
	}
	RET(renameat2(backing_fd, rel(from), backing_fd, rel(to), flags));
}

static int eio_link(const char *from, const char *to)
{
	RET(linkat(backing_fd, rel(from), backing_fd, rel(to), 0));
}

static int eio_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	if (fi != NULL) {
		RET(fchmod(FD(fi), mode));
	}
	RET(fchmodat(backing_fd, rel(path), mode, 0));
}

static int eio_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	if (fi != NULL) {
		RET(fchown(FD(fi), uid, gid));
	}
	RET(fchownat(backing_fd, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW));
}

static int eio_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	int fd, rc;

	FAULT("write", fi != NULL ? NAME(fi) : path);
	if (fi != NULL) {
		RET(ftruncate(FD(fi), size));
	}
	fd = openat(backing_fd, rel(path), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	rc = ftruncate(fd, size) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

static int keep(const char *path, int fd, struct fuse_file_info *fi)
{
	struct handle *h = calloc(1, sizeof(*h));

	if (h == NULL) {
		close(fd);
		return -ENOMEM;
	}
	h->fd = fd;
	snprintf(h->name, sizeof(h->name), "%s", eio_base(path));
	fi->fh = (uint64_t)(uintptr_t)h;
	return 0;
}

static int eio_open(const char *path, struct fuse_file_info *fi)
{
	int fd;

	FAULT("open", path);
	fd = openat(backing_fd, rel(path), (fi->flags & ~O_CREAT) | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	return keep(path, fd, fi);
}

static int eio_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	int fd;

	FAULT("create", path);
	fd = openat(backing_fd, rel(path), fi->flags | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		return -errno;
	}
	if (own(path) != 0) {
		close(fd);
		(void)unlinkat(backing_fd, rel(path), 0);
		return -EPERM;
	}
	return keep(path, fd, fi);
}

static int eio_read(const char *path, char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	ssize_t n;

	(void)path;
	FAULT("read", NAME(fi));
	n = pread(FD(fi), buf, size, off);
	return n < 0 ? -errno : (int)n;
}

static int eio_write(const char *path, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	ssize_t n;

	(void)path;
	FAULT("write", NAME(fi));
	n = pwrite(FD(fi), buf, size, off);
	return n < 0 ? -errno : (int)n;
}

static int eio_statfs(const char *path, struct statvfs *st)
{
	(void)path;
	RET(fstatvfs(backing_fd, st));
}

static int eio_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	close(FD(fi));
	free((struct handle *)(uintptr_t)fi->fh);
	return 0;
}

static int eio_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	FAULT("fsync", NAME(fi));
	RET(datasync ? fdatasync(FD(fi)) : fsync(FD(fi)));
}

static int keep_dir(const char *path, DIR *d, struct fuse_file_info *fi)
{
	struct handle *h = calloc(1, sizeof(*h));

	if (h == NULL) {
		closedir(d);
		return -ENOMEM;
	}
	h->fd = dirfd(d);
	h->dir = d;
	snprintf(h->name, sizeof(h->name), "%s", eio_base(path));
	fi->fh = (uint64_t)(uintptr_t)h;
	return 0;
}

static int eio_opendir(const char *path, struct fuse_file_info *fi)
{
	int fd = openat(backing_fd, rel(path), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (d == NULL) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
		}
		return -e;
	}
	return keep_dir(path, d, fi);
}

static int eio_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		       struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	DIR *d = ((struct handle *)(uintptr_t)fi->fh)->dir;
	struct dirent *de;

	(void)path;
	(void)off;
	(void)flags;
	FAULT("readdir", NAME(fi));
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (fill(buf, de->d_name, NULL, 0, 0) != 0) {
			break;
		}
	}
	return 0;
}

static int eio_releasedir(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	closedir(((struct handle *)(uintptr_t)fi->fh)->dir);
	free((struct handle *)(uintptr_t)fi->fh);
	return 0;
}

static int eio_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	(void)datasync;
	FAULT("fsyncdir", NAME(fi));
	RET(fsync(FD(fi)));
}

static int eio_flock(const char *path, struct fuse_file_info *fi, int op)
{
	(void)path;
	FAULT("flock", NAME(fi));
	RET(flock(FD(fi), op | LOCK_NB));
}

static int eio_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	if (fi != NULL) {
		RET(futimens(FD(fi), tv));
	}
	RET(utimensat(backing_fd, rel(path), tv, AT_SYMLINK_NOFOLLOW));
}

static const struct fuse_operations eio_ops = {
	.init = eio_init,
	.getattr = eio_getattr,
	.readlink = eio_readlink,
	.mknod = eio_mknod,
	.mkdir = eio_mkdir,
	.unlink = eio_unlink,
	.rmdir = eio_rmdir,
	.symlink = eio_symlink,
	.rename = eio_rename,
	.link = eio_link,
	.chmod = eio_chmod,
	.chown = eio_chown,
	.truncate = eio_truncate,
	.open = eio_open,
	.create = eio_create,
	.read = eio_read,
	.write = eio_write,
	.statfs = eio_statfs,
	.release = eio_release,
	.fsync = eio_fsync,
	.opendir = eio_opendir,
	.readdir = eio_readdir,
	.releasedir = eio_releasedir,
	.fsyncdir = eio_fsyncdir,
	.utimens = eio_utimens,
	.flock = eio_flock,
};

int main(int argc, char **argv)
{
	char *fargv[] = {
		argv[0], NULL, "-f", "-s", "-o",
		"allow_other,default_permissions,fsname=eiofs,subtype=eiofs", NULL,
	};

	if (argc != 5 || argv[1][0] != '/' || argv[3][0] != '/' || argv[4][0] != '/') {
		fprintf(stderr, "usage: %s BACKING MOUNTPOINT CONTROL LOG (absolute paths)\n",
			argv[0]);
		return 2;
	}
	backing_fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (backing_fd < 0) {
		fprintf(stderr, "eiofs: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	eio_rules_init(argv[3], argv[4]);
	fargv[1] = argv[2];
	umask(0);	/* modes are the callers' (the kernel applied their umask) */
	return fuse_main(6, fargv, &eio_ops, NULL);
}
