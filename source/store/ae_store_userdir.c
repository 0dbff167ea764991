/*
 * ae_store_userdir.c: the user context's directories (ae_store_userdir.h).
 * No write as root into a directory a user controls: root creates <SID>
 * in a root-owned directory nobody else can write, hands it over with
 * fchown on its descriptor, and never goes inside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ae_store_userdir.h"

#define TOP_MODE 0711

bool ae_store_sid_name_ok(const char *sid)
{
	size_t i, n, digits = 0;

	if (sid == NULL || strncmp(sid, "S-1-", 4) != 0) {
		return false;
	}
	n = strnlen(sid, AE_STORE_SID_MAX + 1);
	if (n > AE_STORE_SID_MAX) {
		return false;
	}
	for (i = 4; i <= n; i++) {
		if (sid[i] >= '0' && sid[i] <= '9') {
			digits++;
		} else if ((sid[i] == '-' || sid[i] == '\0') && digits > 0) {
			digits = 0;
		} else {
			return false;
		}
	}
	return true;
}

/* root-owned, not writable by group/others unless sticky (as /tmp), passable by others */
static ae_err check_top_dir(int fd, const char *path, bool fix, bool last, char *why,
			    size_t why_len)
{
	struct stat st;
	mode_t m;

	if (fstat(fd, &st) != 0) {
		ae_why(why, why_len, "%s: %s", path, strerror(errno));
		return AE_ERR_IO;
	}
	m = st.st_mode & 07777;
	if (st.st_uid != 0) {
		ae_why(why, why_len, "%s is owned by uid %ld, not root; refusing to prepare user "
		       "directories under it", path, (long)st.st_uid);
		return AE_ERR_IO;
	}
	if ((m & 022) != 0 && (m & S_ISVTX) == 0) {
		ae_why(why, why_len, "%s is writable by group or others (mode %04o); refusing to "
		       "prepare user directories under it", path, (unsigned)m);
		return AE_ERR_IO;
	}
	if (last && (m & 022) != 0) {
		ae_why(why, why_len, "%s is writable by group or others (mode %04o); refusing it "
		       "as the root of user directories", path, (unsigned)m);
		return AE_ERR_IO;
	}
	if (last && (m & 077) != 011 && fchmod(fd, TOP_MODE) != 0) {
		ae_why(why, why_len, "cannot chmod %s to %04o: %s", path, TOP_MODE, strerror(errno));
		return AE_ERR_IO;
	}
	if (!last && (m & 001) == 0) {
		if (!fix) {
			ae_why(why, why_len, "%s (mode %04o) cannot be passed by other users: a user's "
			       "cycle could not reach its directory", path, (unsigned)m);
			return AE_ERR_IO;
		}
		if (fchmod(fd, m | 011) != 0) {
			ae_why(why, why_len, "cannot chmod %s to %04o: %s", path, (unsigned)(m | 011),
			       strerror(errno));
			return AE_ERR_IO;
		}
	}
	return AE_OK;
}

/* root reads (fchmod needs a real descriptor); a user only passes (O_PATH: search permission) */
static int open_dir_at(int parent, const char *name)
{
	int how = geteuid() == 0 ? O_RDONLY : O_PATH;

	return openat(parent, name, how | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static const char *kind_at(int parent, const char *name)
{
	struct stat st;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		return "unreadable";
	}
	return S_ISLNK(st.st_mode) ? "a symbolic link" : S_ISDIR(st.st_mode) ? "a directory" :
	       "not a directory";
}

/* Walk top from "/", creating missing components (root 0711); its descriptor in *_fd. */
static ae_err open_top(const char *top, unsigned fixable, bool create, int *_fd, char *why,
		       size_t why_len)
{
	char path[4096] = "", copy[4096];
	char *save = NULL, *c, *next;
	unsigned total = 0, i = 0;
	int fd, nfd;
	ae_err err = AE_OK;

	if (top == NULL || top[0] != '/' || strlen(top) >= sizeof(copy)) {
		ae_why(why, why_len, "user directory root '%s' is not an absolute path",
		       top ? top : "");
		return AE_ERR_INVALID;
	}
	snprintf(copy, sizeof(copy), "%s", top);
	for (c = copy; *c != '\0'; c++) {
		total += c[0] == '/' && c[1] != '/' && c[1] != '\0';
	}
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ae_why(why, why_len, "cannot open /: %s", strerror(errno));
		return AE_ERR_IO;
	}
	for (c = strtok_r(copy, "/", &save); c != NULL && err == AE_OK; c = next) {
		next = strtok_r(NULL, "/", &save);
		i++;
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s", c);
		if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0) {
			ae_why(why, why_len, "%s contains \"%s\"; refused", top, c);
			err = AE_ERR_INVALID;
			break;
		}
		nfd = open_dir_at(fd, c);
		if (nfd < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, c, TOP_MODE) != 0 && errno != EEXIST) {
				ae_why(why, why_len, "cannot create %s: %s", path, strerror(errno));
				err = AE_ERR_IO;
				break;
			}
			nfd = open_dir_at(fd, c);
		}
		if (nfd < 0) {
			int e = errno;
			ae_why(why, why_len, "%s: %s", path, e == ENOENT ? "does not exist" :
			       e == ELOOP || e == ENOTDIR ? kind_at(fd, c) : strerror(e));
			err = e == ENOENT ? AE_ERR_NOT_FOUND : AE_ERR_IO;
			break;
		}
		close(fd);
		fd = nfd;
		if (create) {
			err = check_top_dir(fd, path, i + fixable > total, next == NULL, why, why_len);
		}
	}
	if (err != AE_OK) {
		close(fd);
		return err;
	}
	*_fd = fd;
	return AE_OK;
}

/* An existing <SID> directory: a directory of uid, not writable by group/others. */
static ae_err check_user_dir(int fd, const char *path, uid_t uid, char *why, size_t why_len)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		ae_why(why, why_len, "%s: %s", path, strerror(errno));
		return AE_ERR_IO;
	}
	if (st.st_uid != uid) {
		ae_why(why, why_len, "user directory %s is owned by uid %ld, not by the user "
		       "(uid %ld); refusing it", path, (long)st.st_uid, (long)uid);
		return AE_ERR_IO;
	}
	if ((st.st_mode & 022) != 0) {
		ae_why(why, why_len, "user directory %s is writable by group or others (mode "
		       "%04o); refusing it", path, (unsigned)(st.st_mode & 07777));
		return AE_ERR_IO;
	}
	return AE_OK;
}

/*
 * Create <SID> 0700 owned by uid:gid, atomically: made under a temporary
 * name, handed over on its descriptor, then renamed into place without
 * replacing anything (RENAME_NOREPLACE). A concurrent run (two logons at
 * once) sees either no <SID> or the finished one, never root's half-made
 * directory. *_exists: another run won the race (nothing made).
 */
static ae_err create_user_dir(int top_fd, const char *sid, const char *path, uid_t uid,
			      gid_t gid, bool *_exists, char *why, size_t why_len)
{
	char tmp[AE_STORE_SID_MAX + 32];
	int fd;

	*_exists = false;
	snprintf(tmp, sizeof(tmp), ".new-%s.%ld", sid, (long)getpid());
	if (mkdirat(top_fd, tmp, 0700) != 0) {
		ae_why(why, why_len, "cannot create the user directory %s: %s", path,
		       strerror(errno));
		return AE_ERR_IO;
	}
	fd = open_dir_at(top_fd, tmp);
	/* nobody but root can enter <top> to swap it: the descriptor is the new directory */
	if (fd < 0 || fchown(fd, uid, gid) != 0 || fchmod(fd, 0700) != 0) {
		ae_why(why, why_len, "cannot give the user directory %s to uid %ld gid %ld: %s",
		       path, (long)uid, (long)gid, strerror(errno));
		if (fd >= 0) {
			close(fd);
		}
		(void)unlinkat(top_fd, tmp, AT_REMOVEDIR);
		return AE_ERR_IO;
	}
	close(fd);
	if (renameat2(top_fd, tmp, top_fd, sid, RENAME_NOREPLACE) != 0) {
		int e = errno;
		(void)unlinkat(top_fd, tmp, AT_REMOVEDIR);
		if (e == EEXIST) {
			*_exists = true;
			return AE_OK;
		}
		ae_why(why, why_len, "cannot create the user directory %s: %s", path, strerror(e));
		return AE_ERR_IO;
	}
	return AE_OK;
}

/* The existing <SID>: a real directory of uid that group and others cannot write. */
static ae_err existing_user_dir(int top_fd, const char *sid, const char *path, uid_t uid,
				char *why, size_t why_len)
{
	int fd = open_dir_at(top_fd, sid);
	ae_err err;

	if (fd < 0) {
		ae_why(why, why_len, "user directory %s is %s; refusing it", path,
		       errno == ELOOP || errno == ENOTDIR ? kind_at(top_fd, sid) : strerror(errno));
		return AE_ERR_IO;
	}
	err = check_user_dir(fd, path, uid, why, why_len);
	close(fd);
	return err;
}

ae_err ae_store_userdir_prepare(const char *top, unsigned fixable, const char *sid, uid_t uid,
				gid_t gid, bool *_created, char *why, size_t why_len)
{
	char path[4400];
	bool created = false, exists = false;
	struct stat st;
	int top_fd = -1;
	ae_err err;

	if (!ae_store_sid_name_ok(sid)) {
		ae_why(why, why_len, "'%s' is not a SID usable as a directory name", sid ? sid : "");
		return AE_ERR_INVALID;
	}
	if (uid == 0) {
		ae_why(why, why_len, "refusing to prepare a user directory for uid 0");
		return AE_ERR_INVALID;
	}
	err = open_top(top, fixable, true, &top_fd, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	snprintf(path, sizeof(path), "%s/%s", top, sid);
	if (fstatat(top_fd, sid, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT) {
		err = create_user_dir(top_fd, sid, path, uid, gid, &exists, why, why_len);
		created = err == AE_OK && !exists;
	}
	if (err == AE_OK && !created) {
		err = existing_user_dir(top_fd, sid, path, uid, why, why_len);
	}
	close(top_fd);
	if (err == AE_OK && _created != NULL) {
		*_created = created;
	}
	return err;
}

ae_err ae_store_userdir_check(const char *top, const char *sid, uid_t uid, char *why,
			      size_t why_len)
{
	char path[4400];
	int top_fd = -1, fd;
	ae_err err;

	if (!ae_store_sid_name_ok(sid)) {
		ae_why(why, why_len, "'%s' is not a SID usable as a directory name", sid ? sid : "");
		return AE_ERR_INVALID;
	}
	err = open_top(top, 0, false, &top_fd, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	snprintf(path, sizeof(path), "%s/%s", top, sid);
	fd = open_dir_at(top_fd, sid);
	if (fd < 0) {
		int e = errno;
		ae_why(why, why_len, "user directory %s %s", path, e == ENOENT ? "does not exist" :
		       e == ELOOP || e == ENOTDIR ? kind_at(top_fd, sid) : strerror(e));
		close(top_fd);
		return e == ENOENT ? AE_ERR_NOT_FOUND : AE_ERR_IO;
	}
	err = check_user_dir(fd, path, uid, why, why_len);
	close(fd);
	close(top_fd);
	return err;
}
