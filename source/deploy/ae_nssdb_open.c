/*
 * ae_nssdb_open.c: the user's NSS database directory (ae_nssdb_user_dir)
 * and one database opened in NSS's own context (ae_nssdb_open/close).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <talloc.h>
#include <nss.h>
#include <pk11pub.h>
#include <prerror.h>
#include <secerr.h>
#include "ae_nssdb.h"
#include "ae_nssdb_private.h"
#include "ae_log.h"

/* The two places NSS looks (nsssysinit, NSS >= 3.42), legacy first. */
static const char *const legacy_dir[] = { ".pki", "nssdb", NULL };
static const char *const xdg_dir[] = { ".local", "share", "pki", "nssdb", NULL };

const char *ae_nssdb_error(char *buf, size_t n)
{
	PRErrorCode e = PORT_GetError();
	const char *name = PR_ErrorToName(e);
	const char *text = PR_ErrorToString(e, PR_LANGUAGE_I_DEFAULT);

	if (name == NULL) {
		snprintf(buf, n, "NSS error %d", (int)e);
	} else {
		snprintf(buf, n, "%s (%s)", name, text != NULL && text[0] ? text : "no text");
	}
	return buf;
}

/* A path NSS can be given inside a quoted module spec, and a file system path at all. */
static bool path_ok(const char *p)
{
	size_t i, n = strlen(p);

	if (n == 0 || n >= AE_NSSDB_PATH_MAX || p[0] != '/' || strstr(p, "/../") != NULL) {
		return false;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x20 || c == 0x7f || c == '\'' || c == '"' || c == '\\') {
			return false;
		}
	}
	return true;
}

/*
 * Walk comps below the directory open as *fd (consumed), creating missing
 * ones (0700) with create; each is opened O_DIRECTORY|O_NOFOLLOW. AE_OK
 * with *fd the last one; AE_ERR_NOT_FOUND when one is missing and !create.
 */
static ae_err walk(int *fd, const char *const *comps, bool create, char *why, size_t why_len,
		   const char *home)
{
	size_t i;

	for (i = 0; comps[i] != NULL; i++) {
		int next = openat(*fd, comps[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(*fd, comps[i], 0700) != 0 && errno != EEXIST) {
				ae_why(why, why_len, "cannot create %s in %s: %s", comps[i], home,
				       strerror(errno));
				close(*fd);
				return AE_ERR_IO;
			}
			next = openat(*fd, comps[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			int e = errno;
			close(*fd);
			if (e == ENOENT) {
				return AE_ERR_NOT_FOUND;
			}
			ae_why(why, why_len, "cannot open %s in %s: %s", comps[i], home,
			       e == ELOOP || e == ENOTDIR ? "not a directory (a symbolic link is "
			       "not followed)" : strerror(e));
			return AE_ERR_IO;
		}
		close(*fd);
		*fd = next;
	}
	return AE_OK;
}

static char *join(TALLOC_CTX *mem, const char *home, const char *const *comps)
{
	char *p = talloc_strdup(mem, home);
	size_t i;

	for (i = 0; p != NULL && comps[i] != NULL; i++) {
		p = talloc_asprintf_append(p, "%s%s", i == 0 && home[strlen(home) - 1] == '/' ?
					   "" : "/", comps[i]);
	}
	return p;
}

ae_err ae_nssdb_user_dir(TALLOC_CTX *mem_ctx, const char *home, bool create, char **_dir,
			 char *why, size_t why_len)
{
	const char *const *comps = legacy_dir;
	char *dir = NULL;
	ae_err err;
	int fd;

	if (home == NULL || !path_ok(home)) {
		ae_why(why, why_len, "home directory '%s' is not an absolute path NSS can use",
		       home ? home : "(none)");
		return AE_ERR_INVALID;
	}
	fd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ae_why(why, why_len, "home directory %s: %s", home, strerror(errno));
		return AE_ERR_IO;
	}
	err = walk(&fd, legacy_dir, false, why, why_len, home);
	if (err == AE_ERR_NOT_FOUND) {
		comps = xdg_dir;
		fd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			ae_why(why, why_len, "home directory %s: %s", home, strerror(errno));
			return AE_ERR_IO;
		}
		err = walk(&fd, xdg_dir, create, why, why_len, home);
	}
	if (err == AE_ERR_NOT_FOUND) {
		ae_why(why, why_len, "no NSS database directory in %s", home);
		return err;
	}
	if (err != AE_OK) {
		return err;
	}
	close(fd);
	dir = join(mem_ctx, home, comps);
	if (dir == NULL) {
		return AE_ERR_NOMEM;
	}
	*_dir = dir;
	return AE_OK;
}

/* Is there a database in dir (cert9.db or key4.db)? */
static bool db_exists(const char *dir)
{
	char p[AE_NSSDB_PATH_MAX + 16];
	struct stat st;

	snprintf(p, sizeof(p), "%s/cert9.db", dir);
	if (lstat(p, &st) == 0) {
		return true;
	}
	snprintf(p, sizeof(p), "%s/key4.db", dir);
	return lstat(p, &st) == 0;
}

/* The empty password (the default of Chromium and certutil --empty-password), else refuse. */
static ae_err login(struct nssdb *db, char *why, size_t why_len)
{
	char e[256];

	if (PK11_NeedUserInit(db->slot)) {
		if (!db->rw) {
			return AE_OK;	/* nothing in it can be private yet */
		}
		if (PK11_InitPin(db->slot, NULL, "") != SECSuccess) {
			ae_why(why, why_len, "NSS database %s: cannot initialise its empty password: "
			       "%s", db->dir, ae_nssdb_error(e, sizeof(e)));
			return AE_ERR_IO;
		}
	}
	if (!PK11_NeedLogin(db->slot) || PK11_IsLoggedIn(db->slot, NULL)) {
		return AE_OK;
	}
	if (PK11_CheckUserPassword(db->slot, "") == SECSuccess) {
		return AE_OK;
	}
	ae_why(why, why_len, "NSS database %s is protected by a password; skipped (autoenroll "
	       "never asks for it)", db->dir);
	return AE_ERR_CREDENTIALS;
}

ae_err ae_nssdb_open(const char *dir, bool rw, struct nssdb *db, char *why, size_t why_len)
{
	const PRUint32 flags = NSS_INIT_READONLY | NSS_INIT_NOCERTDB | NSS_INIT_NOMODDB |
			       NSS_INIT_FORCEOPEN | NSS_INIT_NOROOTINIT | NSS_INIT_OPTIMIZESPACE;
	char spec[AE_NSSDB_PATH_MAX + 128], e[256];
	ae_err err;

	memset(db, 0, sizeof(*db));
	db->dir = dir;
	db->rw = rw;
	if (dir == NULL || !path_ok(dir)) {
		ae_why(why, why_len, "NSS database directory '%s' is not an absolute path NSS can "
		       "use", dir ? dir : "(none)");
		return AE_ERR_INVALID;
	}
	db->created = !db_exists(dir);
	if (db->created && !rw) {
		ae_why(why, why_len, "no NSS database in %s", dir);
		return AE_ERR_NOT_FOUND;
	}
	db->init = NSS_InitContext("", "", "", "", NULL, flags);
	if (db->init == NULL) {
		ae_why(why, why_len, "NSS database %s: NSS cannot be initialised: %s", dir,
		       ae_nssdb_error(e, sizeof(e)));
		return AE_ERR_IO;
	}
	snprintf(spec, sizeof(spec), "configdir='sql:%s' tokenDescription='autoenroll user db'%s",
		 dir, rw ? "" : " flags=readOnly");
	db->slot = SECMOD_OpenUserDB(spec);
	if (db->slot == NULL || !PK11_IsPresent(db->slot)) {
		ae_why(why, why_len, "NSS database %s cannot be opened%s: %s", dir,
		       rw ? " for writing" : "", ae_nssdb_error(e, sizeof(e)));
		ae_nssdb_close(db);
		return AE_ERR_IO;
	}
	err = login(db, why, why_len);
	if (err != AE_OK) {
		ae_nssdb_close(db);
		return err;
	}
	if (db->created) {
		AE_INFO("NSS database %s created (empty password)", dir);
	}
	return AE_OK;
}

void ae_nssdb_close(struct nssdb *db)
{
	if (db->slot != NULL) {
		(void)SECMOD_CloseUserDB(db->slot);
		PK11_FreeSlot(db->slot);
		db->slot = NULL;
	}
	if (db->init != NULL) {
		/* SEC_ERROR_BUSY here would mean an NSS object of ours still referenced */
		if (NSS_ShutdownContext(db->init) != SECSuccess) {
			char e[256];
			AE_WARN("NSS database %s: NSS context not shut down cleanly: %s", db->dir,
				ae_nssdb_error(e, sizeof(e)));
		}
		db->init = NULL;
	}
}
