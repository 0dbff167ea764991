/*
 * ae_session.h: what one invocation needs, set up once: the event context,
 * smb.conf (its values; loadparm only when needed), the principal's credentials (TGT first), the DC, the
 * LDAP connection (opened on first use) and the store.
 * One talloc parent per session; freeing it releases everything (the
 * temporary ccache file included).
 */
#ifndef AE_SESSION_H
#define AE_SESSION_H

#include <stdbool.h>
#include <sys/types.h>
#include <talloc.h>
#include <tevent.h>
#include "ae_error.h"
#include "ae_eligibility.h"	/* enum ae_context */

struct ae_smbconf;
struct ae_creds;
struct ae_ldap;
struct ae_rootdse;
struct ae_config;
struct ae_user_id;

struct ae_session_opts {
	const char *configfile;		/* -s; NULL = Samba's default smb.conf */
	const char *const *options;	/* --option name=value, NULL-terminated */
	const char *ccache;		/* machine: this ccache instead of the account; user: the user's */
	const char *store_dir;		/* NULL = 'autoenroll:store dir' or <state dir>/autoenroll/machine */
	bool offline;			/* configuration and store only: no credentials, no DC */
	bool config_only;		/* smb.conf and the autoenroll:* options only */
	bool quiet_unknown;		/* do not warn about unknown autoenroll:* names */
	const char *user;		/* --user [NAME]: the user context; "" = the calling user */
};

struct ae_session {
	struct tevent_context *ev;
	struct ae_smbconf *conf;	/* smb.conf's values (ae_smbconf.h); conf->lp loaded on demand */
	struct ae_config *config;	/* every autoenroll:* option, validated */
	struct ae_creds *creds;
	char *dc;			/* DC host name */
	const char *dc_how;		/* how it was found */
	const char *store_dir;		/* --out or config->store_dir */
	bool store_dir_default;		/* the default path: ae_store_open may create its parents */
	char *run_dir;			/* private scratch dir (ccache) */
	struct ae_ldap *ldap;		/* NULL until ae_session_ldap() */
	struct ae_rootdse *rootdse;
	char *machine_fqdn;		/* netbios name + DNS domain, lower case */
	char *account;			/* DOMAIN\NAME$, or DOMAIN\user in the user context */
	/*
	 * The principal the session works for ([MS-CAESO] contexts): the
	 * machine account, or a user (`--user`). Everything that differs
	 * between the two reads these fields; the per-template step does not
	 * fork into a second copy.
	 */
	enum ae_context context;	/* AE_CONTEXT_MACHINE or AE_CONTEXT_USER */
	char *sam_account_name;		/* the principal's object: "MEMBER1$" or "alice" */
	char *gpo_cache_dir;		/* GPO file cache and last good policy of this context */
	struct ae_user_id *user;	/* user context: name, uid, gid, SID; NULL for the machine */
	bool dropped_root;		/* user context started by root, now the user for good */
	/*
	 * Not a domain member (autoenroll:mode = workgroup, or auto and no
	 * realm): no DC, LDAP, GPO or Kerberos; creds, dc and ldap stay NULL
	 * and the policy comes from the local policy servers only.
	 */
	bool workgroup;
	char error[1024];		/* why the last step failed */
};

/*
 * Load the configuration and obtain credentials. On failure *_s is still
 * set (for its error text) unless AE_ERR_NOMEM; AE_ERR_TRANSPORT means the
 * KDC could not be reached, AE_ERR_CREDENTIALS/AE_ERR_CONFIG a local cause
 * (a bad autoenroll:* value: AE_ERR_CONFIG, the error names the option).
 * Unknown autoenroll:* names are warned about (once) and ignored.
 * With o->user (the user context): the user is resolved (NSS, winbind),
 * and when we are root the user's directories are prepared and the
 * process drops to the user's uid, gid and groups for good, before the DC
 * is located and before any store access; the credentials are the user's
 * ccache (--ccache, else KRB5CCNAME, else krb5's default for the user;
 * started by root without --ccache: never root's KRB5CCNAME); secrets.tdb
 * is not read.
 */
ae_err ae_session_open(TALLOC_CTX *mem_ctx, const struct ae_session_opts *o,
		       struct ae_session **_s);

/* Who must own the session's store: root (machine) or the user's uid. */
uid_t ae_session_store_owner(const struct ae_session *s);

/* The smb.conf that was loaded (for messages). */
const char *ae_session_configfile(const struct ae_session *s);

/* The sealed LDAP connection to the DC and its rootDSE (opened once). */
ae_err ae_session_ldap(struct ae_session *s);

#endif
