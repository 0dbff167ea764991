/*
 * ae_privs.c: the permanent drop to a user (ae_privs.h).
 *
 * Order matters: the supplementary groups and the gid first (changing them
 * needs CAP_SETGID, which goes with uid 0), the uid last. setresuid with
 * all three ids equal leaves no saved id to return to.
 */
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/fsuid.h>
#include "ae_privs.h"
#include "ae_log.h"

/* name's groups from NSS, gid first; *_n set. */
static ae_err group_list(const char *name, gid_t gid, gid_t *groups, int *_n, char *why,
			 size_t why_len)
{
	int n = AE_PRIVS_MAX_GROUPS;

	if (getgrouplist(name, gid, groups, &n) < 0) {
		ae_why(why, why_len, "user %s is in more than %d groups; refusing to run with a "
		       "truncated group list", name, AE_PRIVS_MAX_GROUPS);
		return AE_ERR_CREDENTIALS;
	}
	*_n = n;
	return AE_OK;
}

ae_err ae_privs_drop(const char *name, uid_t uid, gid_t gid, char *why, size_t why_len)
{
	gid_t groups[AE_PRIVS_MAX_GROUPS];
	int n = 0;
	ae_err err;

	if (name == NULL || name[0] == '\0') {
		ae_why(why, why_len, "dropping privileges: no user name");
		return AE_ERR_INVALID;
	}
	if (uid == 0 || gid == 0) {
		ae_why(why, why_len, "user %s has uid %ld, gid %ld: refusing to run a user "
		       "context as root", name, (long)uid, (long)gid);
		return AE_ERR_CREDENTIALS;
	}
	if (geteuid() != 0) {
		ae_why(why, why_len, "dropping privileges to %s needs root (euid is %ld)", name,
		       (long)geteuid());
		return AE_ERR_CREDENTIALS;
	}
	err = group_list(name, gid, groups, &n, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	if (setgroups((size_t)n, groups) != 0) {
		ae_why(why, why_len, "setgroups for user %s (%d groups): %s", name, n,
		       strerror(errno));
		return AE_ERR_CREDENTIALS;
	}
	if (setresgid(gid, gid, gid) != 0) {
		ae_why(why, why_len, "setresgid(%ld) for user %s: %s", (long)gid, name,
		       strerror(errno));
		return AE_ERR_CREDENTIALS;
	}
	if (setresuid(uid, uid, uid) != 0) {
		ae_why(why, why_len, "setresuid(%ld) for user %s: %s", (long)uid, name,
		       strerror(errno));
		return AE_ERR_CREDENTIALS;
	}
	err = ae_privs_verify(uid, gid, why, why_len);
	if (err == AE_OK) {
		AE_INFO("running as %s (uid %ld, gid %ld, %d groups)", name, (long)uid, (long)gid,
			n);
	}
	return err;
}

ae_err ae_privs_verify(uid_t uid, gid_t gid, char *why, size_t why_len)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0) {
		ae_why(why, why_len, "getresuid/getresgid: %s", strerror(errno));
		return AE_ERR_CREDENTIALS;
	}
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid) {
		ae_why(why, why_len, "identity is uid %ld/%ld/%ld gid %ld/%ld/%ld, expected uid %ld "
		       "gid %ld for real, effective and saved ids", (long)ru, (long)eu, (long)su,
		       (long)rg, (long)eg, (long)sg, (long)uid, (long)gid);
		return AE_ERR_CREDENTIALS;
	}
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		ae_why(why, why_len, "uid %ld could become root again: the privilege drop did not "
		       "hold", (long)uid);
		return AE_ERR_CREDENTIALS;
	}
	if (gid != 0 && uid != 0 && (setgid(0) == 0 || setegid(0) == 0)) {
		ae_why(why, why_len, "uid %ld could take gid 0 again: the privilege drop did not "
		       "hold", (long)uid);
		return AE_ERR_CREDENTIALS;
	}
	return AE_OK;
}

bool ae_privs_can_read(const char *path, uid_t uid, gid_t gid)
{
	gid_t groups[AE_PRIVS_MAX_GROUPS];
	int n = getgroups(AE_PRIVS_MAX_GROUPS, groups), fd = -1;

	if (path == NULL || geteuid() != 0 || n < 0 || setgroups(0, NULL) != 0) {
		return false;
	}
	(void)setfsgid(gid);
	(void)setfsuid(uid);
	if ((uid_t)setfsuid(uid) == uid && (gid_t)setfsgid(gid) == gid) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	}
	(void)setfsuid(0);
	(void)setfsgid(getegid());
	if ((uid_t)setfsuid(0) != 0 || (gid_t)setfsgid(getegid()) != getegid() ||
	    setgroups((size_t)n, groups) != 0) {
		/* root's own identity could not be put back: never go on half changed */
		AE_ERROR("cannot restore root's file system ids and groups: %s", strerror(errno));
		abort();
	}
	if (fd >= 0) {
		close(fd);
	}
	return fd >= 0;
}
