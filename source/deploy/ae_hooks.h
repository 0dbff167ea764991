/*
 * ae_hooks.h: the hooks directory (`autoenroll:hooks dir`, default
 * /etc/samba/autoenroll/hooks.d): the programs to run after a certificate
 * changed, in name order. The engine decides when they run (ae_cycle_deploy.c)
 * and util's ae_child runs them.
 *
 * Trust, as for run-parts(8) run by root: the directory and every one above
 * it must be root's alone (ae_target_open_dir: O_NOFOLLOW, owned by root,
 * not writable by group or others); a hook is a regular file (not a
 * symbolic link) owned by root, not writable by group or others,
 * executable. Names are [A-Za-z0-9_-]+ only, so editor backups and
 * dpkg's *.dpkg-old/-new/-dist are never run; other names and
 * non-executable files are skipped silently (so a hook can be disabled
 * with chmod -x); a hook that fails the owner/mode checks is refused and
 * named in 'refused' with the cause.
 */
#ifndef AE_HOOKS_H
#define AE_HOOKS_H

#include <stddef.h>
#include <talloc.h>
#include "ae_error.h"

#define AE_HOOKS_MAX 64

struct ae_hook_list {
	char **paths;		/* absolute, in name order (strcmp), NULL-terminated */
	size_t n;
	char **refused;		/* "<path>: <cause>", NULL-terminated */
	size_t num_refused;
};

/*
 * The hooks of dir (on mem_ctx). A missing directory is an empty list
 * (AE_OK); a directory that fails the checks is AE_ERR_INVALID with why
 * naming it; more than AE_HOOKS_MAX hooks is AE_ERR_TOO_LARGE.
 */
ae_err ae_hooks_list(TALLOC_CTX *mem_ctx, const char *dir, struct ae_hook_list **_l, char *why,
		     size_t why_len);

#endif
