/*
 * ae_store_userdir.h: root's part of a user context: the directories a
 * user's cycle works in, made by root before it drops to the user.
 *
 *   <top>/             root, 0711: the user may pass, not list or write
 *   <top>/<SID>/       the user's own, 0700, owned uid:gid
 *
 * <top> is <state dir>/autoenroll/users (the stores) or <cache
 * dir>/autoenroll-users (the GPO caches). Root never creates, opens or
 * writes a file inside <top>/<SID>: that directory belongs to the user,
 * who could have put links there. Everything is done through directory
 * descriptors (mkdirat, openat O_DIRECTORY|O_NOFOLLOW, fstat, fchown and
 * fchmod on the descriptor), so a symbolic link or a swapped component is
 * refused, never followed.
 */
#ifndef AE_STORE_USERDIR_H
#define AE_STORE_USERDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "ae_error.h"

#define AE_STORE_SID_MAX 184

/* A SID string usable as a directory name: "S-1-" then digits and single dashes. */
bool ae_store_sid_name_ok(const char *sid);

/*
 * Make <top>/<sid> ready for uid:gid (needs root). The components of top
 * are walked from "/" (O_NOFOLLOW), missing ones created root 0711; each
 * must be a root-owned directory that group and others cannot write
 * (except a sticky root-owned one such as /tmp) and that others may pass;
 * the last 'fixable' components of top (ours: "autoenroll", "users") get
 * o+x added when they lack it, and top itself is set to 0711. The user's
 * directory is created 0700 and chowned to uid:gid; an existing one must be
 * a real directory owned by uid that group and others cannot write, else
 * AE_ERR_IO with 'why' naming it. *_created (may be NULL): made now.
 */
ae_err ae_store_userdir_prepare(const char *top, unsigned fixable, const char *sid, uid_t uid,
				gid_t gid, bool *_created, char *why, size_t why_len);

/*
 * The user's side (no privileges): <top>/<sid> exists, is a directory of
 * ours (uid) that group and others cannot write. AE_ERR_NOT_FOUND when
 * missing, AE_ERR_IO when refused, with 'why'.
 */
ae_err ae_store_userdir_check(const char *top, const char *sid, uid_t uid, char *why,
			      size_t why_len);

#endif
