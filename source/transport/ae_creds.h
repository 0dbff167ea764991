/*
 * ae_creds.h: the principal's Kerberos credentials for LDAP, SMB and RPC.
 *
 * Machine context: the machine account's TGT, obtained BEFORE any connect,
 * in the machine's kept FILE ccache (ae_creds_cache.h: reused between runs
 * while valid; else a new TGT from the password in secrets.tdb, root only).
 * Without a ccache, Samba 4.17's dcerpc_pipe_connect runs the kinit
 * for a password-only machine credential inside its own tevent loop, and
 * the nested loop aborts (SIGABRT in _tevent_loop_once); obtaining it first
 * with cli_credentials_get_named_ccache avoids that. The same ccache serves
 * libldap's GSSAPI bind through KRB5CCNAME; children never see it (they
 * are started by util/ae_child.c with a fixed environment).
 * User context (ae_creds_user.c): the user's own ccache, after the drop to
 * the user; secrets.tdb is never read.
 */
#ifndef AE_CREDS_H
#define AE_CREDS_H

#include <stdbool.h>
#include <talloc.h>
#include <tevent.h>
#include "ae_error.h"

struct loadparm_context;
struct ae_smbconf;
struct cli_credentials;

struct ae_creds {
	struct cli_credentials *creds;	/* NULL until ae_creds_samba makes them */
	char *principal;	/* e.g. MEMBER1$@LAB.EXAMPLE.COM */
	char *ccache_name;	/* "FILE:/..." usable by GSSAPI */
	bool kdc_unreachable;	/* set with AE_ERR_TRANSPORT */
	/* machine context with the kept ccache (not --ccache): */
	bool reused;		/* the cached TGT was used as it was (no KDC, no secrets.tdb) */
	char *run_dir;		/* where krb5cc.machine is */
	char *machine_principal; /* NETBIOS$@REALM, from smb.conf */
};

#define AE_CCACHE_PREFIX "krb5cc."	/* <run_dir>/krb5cc.<pid>: a new TGT before its rename */

/*
 * The run directory that holds the machine's ticket: created 0700 when
 * missing; refused (AE_ERR_CONFIG, 'why' says why) unless it is a real
 * directory (not a symbolic link) owned by us (root) with no access for
 * group or others.
 */
ae_err ae_run_dir_check(const char *run_dir, char *why, size_t why_len);

/*
 * Remove the ticket caches krb5cc.<pid> in run_dir whose process is gone
 * (a run killed between its AS exchange and the rename, e.g. by
 * samba-gpupdate's timeout). A live pid's file is kept (a concurrent run). *_removed (may be
 * NULL): how many were removed.
 */
ae_err ae_ccache_remove_stale(const char *run_dir, unsigned *_removed);

/*
 * Machine credentials on the kept ccache <run_dir>/krb5cc.machine (0600;
 * run_dir checked by ae_run_dir_check, stale krb5cc.<pid> of killed runs
 * removed first): reused as it is while its TGT is the machine's and valid
 * for more than AE_CCACHE_MARGIN_S (c->reused; secrets.tdb not read), else
 * a new TGT renamed over it. With ccache != NULL use that ccache instead (no
 * secrets.tdb). On failure 'why' says what happened (principal, KDC, cause);
 * AE_ERR_TRANSPORT when the KDC could not be reached, AE_ERR_CREDENTIALS
 * otherwise.
 */
ae_err ae_creds_machine(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
			const struct ae_smbconf *sc, const char *ccache,
			const char *run_dir, struct ae_creds **_c,
			char *why, size_t why_len);

/*
 * The reused ticket was refused (a bind failed for another reason than the
 * network): once per session, a new TGT from secrets.tdb renamed over the
 * kept ccache, and c->creds on it. AE_ERR_INVALID when c did not reuse a
 * ticket (or did so already); else as ae_creds_machine.
 */
ae_err ae_creds_machine_renew(struct ae_creds *c, const struct ae_smbconf *sc, char *why,
			      size_t why_len);

/*
 * A user's credentials from the ccache 'ccache' (any type krb5 knows:
 * FILE, DIR, KEYRING, KCM). Its principal must be sam@<realm of smb.conf>
 * (compared without case), else AE_ERR_CREDENTIALS naming both. A missing
 * ccache or one without a valid TGT: AE_ERR_CREDENTIALS naming the ccache
 * (never a password prompt). Reads nothing of the machine account.
 */
ae_err ae_creds_user(TALLOC_CTX *mem_ctx, const struct ae_smbconf *sc, const char *ccache,
		     const char *sam, struct ae_creds **_c, char *why, size_t why_len);

/*
 * Samba's credentials (Kerberos only, no password prompt) on c's ccache,
 * made once when an RPC connection first needs them and kept in c->creds
 * (a renewal drops them). AE_ERR_CREDENTIALS with 'why' naming the
 * principal and the ccache when Samba cannot use it. In the network module
 * (ae_netmod.h).
 */
ae_err ae_creds_samba(struct ae_creds *c, struct loadparm_context *lp,
		      struct cli_credentials **_creds, char *why, size_t why_len);

/*
 * krb5's default ccache name for the effective uid (krb5.conf's
 * default_ccache_name, else FILE:/tmp/krb5cc_<uid>), as the caller's
 * environment leaves it: unset KRB5CCNAME first to ignore it.
 */
char *ae_creds_default_ccache(TALLOC_CTX *mem);

#endif
