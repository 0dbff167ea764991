/*
 * ae_privs.h: dropping root for good, to one user's uid, gid and groups.
 *
 * The user context ([MS-CAESO] user autoenrollment) runs with the user's
 * own identity: when root starts it (PAM, samba-gpupdate), root prepares
 * the user's directories and then calls ae_privs_drop before any network or
 * store access. The drop is permanent (real, effective and saved ids all
 * change) and verified: afterwards setuid(0) must fail.
 */
#ifndef AE_PRIVS_H
#define AE_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "ae_error.h"

#define AE_PRIVS_MAX_GROUPS 1024	/* supplementary groups kept, at most */

/*
 * Become uid:gid with name's supplementary groups (from NSS: getgrouplist,
 * then setgroups), then setresgid, setresuid; verified by
 * ae_privs_verify. Needs euid 0. name: the account name NSS knows (for the
 * group list). On failure 'why' names the step and the cause; the process
 * must then stop (AE_ERR_CREDENTIALS: its identity may be half changed).
 */
ae_err ae_privs_drop(const char *name, uid_t uid, gid_t gid, char *why, size_t why_len);

/*
 * Is the process exactly uid:gid, for good? Real, effective and saved uid
 * all uid, the same for gid, and (when uid is not 0) setuid(0) and
 * setgid(0) fail. AE_OK or AE_ERR_CREDENTIALS with 'why'.
 */
ae_err ae_privs_verify(uid_t uid, gid_t gid, char *why, size_t why_len);

/*
 * Root, before the drop: could uid:gid open path for reading? Tried with
 * the file system ids (setfsuid/setfsgid) and no supplementary groups, then
 * root's ids and groups restored: a file the user reads only through a
 * supplementary group counts as unreadable (the caller then reads it while
 * still root, which is never wrong). false when not root.
 */
bool ae_privs_can_read(const char *path, uid_t uid, gid_t gid);

#endif
