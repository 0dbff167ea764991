/*
 * ae_session_user.c: the user context of a session ([MS-CAESO] user
 * autoenrollment; `--user [NAME]`): who the user is, root's part (the
 * user's directories, then the permanent drop to the user), and the user's
 * own Kerberos ccache. After ae_session_user_open the process is the user:
 * every network and store access of the session happens as the user.
 *
 * Directories (ARCHITECTURE.md, "The user context"):
 *   <state dir>/autoenroll/users/<SID>/    the user's store (0700, the user's)
 *   <cache dir>/autoenroll-users/<SID>/    the user's GPO cache and Samba's
 *                                          cache/lock files while running as
 *                                          the user (0700, the user's)
 * The machine's <cache dir>/autoenroll stays root-only 0700 (its ticket).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <talloc.h>
#include "ae_smbconf.h"
#include "ae_session.h"
#include "ae_session_private.h"
#include "ae_config.h"
#include "ae_creds.h"
#include "ae_userid.h"
#include "ae_privs.h"
#include "ae_smb.h"
#include "ae_store.h"
#include "ae_store_userdir.h"
#include "ae_file.h"
#include "ae_log.h"

#define STATE_FIXABLE 2	/* "autoenroll", "users" are ours to make passable */
#define CACHE_FIXABLE 1	/* "autoenroll-users" */

static const char *dir_or(const char *v, const char *dflt)
{
	return v != NULL && v[0] != '\0' ? v : dflt;
}

static ae_err resolve(struct ae_session *s, const struct ae_session_opts *o)
{
	const char *sep = s->conf->winbind_separator;
	struct ae_userid_domain d = {
		.workgroup = s->conf->workgroup,
		.realm = s->conf->realm,
		.separator = sep != NULL && sep[0] != '\0' ? sep[0] : '\\',
	};
	bool named = o->user[0] != '\0';
	ae_err err;

	if (!named && geteuid() == 0) {
		snprintf(s->error, sizeof(s->error), "--user without a name means the calling "
			 "user, and that is root: root must name the user (--user NAME)");
		return AE_ERR_CONFIG;
	}
	if (getuid() != geteuid()) {
		snprintf(s->error, sizeof(s->error), "the user context does not run set-uid "
			 "(uid %ld, euid %ld)", (long)getuid(), (long)geteuid());
		return AE_ERR_CONFIG;
	}
	err = ae_userid_resolve(s, named ? o->user : NULL, getuid(), &d, &s->user, s->error,
				sizeof(s->error));
	if (err == AE_OK && geteuid() != 0 && s->user->uid != geteuid()) {
		snprintf(s->error, sizeof(s->error), "user %s is uid %ld, and we are uid %ld: only "
			 "root can run the user context of another user", o->user,
			 (long)s->user->uid, (long)geteuid());
		err = AE_ERR_CONFIG;
	}
	return err;
}

/* The session's fields of the user context (paths from the SID). */
static ae_err set_fields(struct ae_session *s, const char *store_top, const char *cache_top)
{
	struct ae_user_id *u = s->user;

	s->context = AE_CONTEXT_USER;
	s->sam_account_name = talloc_strdup(s, u->name);
	s->account = talloc_asprintf(s, "%s\\%s", u->domain, u->name);
	s->store_dir = talloc_asprintf(s, "%s/%s", store_top, u->sid);
	s->store_dir_default = false;	/* root made it; never its parents as the user */
	s->run_dir = talloc_asprintf(s, "%s/%s", cache_top, u->sid);
	s->gpo_cache_dir = talloc_asprintf(s, "%s/%s/gpo", cache_top, u->sid);
	if (s->account != NULL) {
		char who[300];

		snprintf(who, sizeof(who), "user %s", s->account);
		ae_log_set_who(who);	/* syslog lines name the user */
	}
	return s->sam_account_name && s->account && s->store_dir && s->run_dir &&
	       s->gpo_cache_dir ? AE_OK : AE_ERR_NOMEM;
}

/* Root: both directories made and handed over, then the drop. */
static ae_err root_part(struct ae_session *s, const char *store_top, const char *cache_top)
{
	struct ae_user_id *u = s->user;
	bool created = false;
	ae_err err;

	err = ae_store_userdir_prepare(store_top, STATE_FIXABLE, u->sid, u->uid, u->gid, &created,
				       s->error, sizeof(s->error));
	if (err == AE_OK && created) {
		AE_INFO("created the store of %s\\%s: %s/%s", u->domain, u->name, store_top, u->sid);
	}
	if (err == AE_OK) {
		err = ae_store_userdir_prepare(cache_top, CACHE_FIXABLE, u->sid, u->uid, u->gid,
					       NULL, s->error, sizeof(s->error));
	}
	if (err == AE_OK && !ae_privs_can_read(s->conf->configfile, u->uid, u->gid)) {
		/* the user could not read it: Samba's loadparm now, as root (ae_smbconf.h) */
		err = ae_smbconf_lp_load(s->conf, s->error, sizeof(s->error));
	}
	if (err == AE_OK) {
		err = ae_privs_drop(u->nss_name, u->uid, u->gid, s->error, sizeof(s->error));
		if (err != AE_OK) {
			/* half changed identities must not go on */
			AE_ERROR("%s", s->error);
			_exit(6);	/* "misconfigured" (README, exit codes) */
		}
		s->dropped_root = true;
		/* libraries read ~/.ldaprc, ~/.k5identity: the user's, not root's */
		if (u->home[0] == '/' && setenv("HOME", u->home, 1) != 0) {
			err = AE_ERR_NOMEM;
		}
	}
	return err == AE_OK ? AE_OK : err == AE_ERR_NOMEM ? err : AE_ERR_CONFIG;
}

/* Not root: the directories root made at logon must be there and ours. */
static ae_err user_part(struct ae_session *s, const char *store_top, const char *cache_top)
{
	struct ae_user_id *u = s->user;
	const char *tops[2] = { store_top, cache_top };
	size_t i;
	ae_err err = AE_OK;

	for (i = 0; i < 2 && err == AE_OK; i++) {
		err = ae_store_userdir_check(tops[i], u->sid, u->uid, s->error, sizeof(s->error));
		if (err == AE_ERR_NOT_FOUND) {
			size_t n = strlen(s->error);
			snprintf(s->error + n, sizeof(s->error) - n, ": root creates it at logon "
				 "(pam_autoenroll), or run `autoenroll run --user %s` once as root",
				 u->name);
		}
	}
	return err == AE_OK ? AE_OK : err == AE_ERR_NOMEM ? err : AE_ERR_CONFIG;
}

/*
 * Samba's libraries keep caches and locks (gencache.tdb, ...) in the
 * configured directories, which belong to root; as the user they go into
 * the user's own cache directory instead.
 */
static ae_err samba_dirs(struct ae_session *s)
{
	char *dir = talloc_asprintf(s, "%s/samba", s->run_dir);
	ae_err err = dir != NULL ? ae_mkdir_p(dir, 0700) : AE_ERR_NOMEM;

	if (err == AE_OK) {
		err = ae_smb_set_default_cache_dir(dir);	/* libsmbclient: SYSVOL */
	}
	if (err == AE_OK) {
		/* loadparm gets them when it is (or was) loaded: ae_smbconf_lp_load */
		err = ae_smbconf_set(s->conf, "cache directory", dir);
	}
	if (err == AE_OK) {
		err = ae_smbconf_set(s->conf, "lock directory", dir);
	}
	if (err == AE_OK) {
		err = ae_smbconf_set(s->conf, "state directory", dir);
	}
	if (err != AE_OK) {
		snprintf(s->error, sizeof(s->error), "cannot set Samba's cache directory to %s",
			 dir ? dir : "?");
	}
	return err;
}

ae_err ae_session_user_open(struct ae_session *s, const struct ae_session_opts *o)
{
	const char *state = dir_or(s->conf->state_dir, "/var/lib/samba");
	const char *cache = dir_or(s->conf->cache_dir, "/var/cache/samba");
	char *store_top = talloc_asprintf(s, "%s/autoenroll/users", state);
	char *cache_top = talloc_asprintf(s, "%s/autoenroll-users", cache);
	ae_err err;

	/* nothing of the machine's until the user's paths are known */
	s->store_dir = NULL;
	if (store_top == NULL || cache_top == NULL) {
		return AE_ERR_NOMEM;
	}
	err = resolve(s, o);
	if (err == AE_OK) {
		err = geteuid() == 0 ? root_part(s, store_top, cache_top) :
		      user_part(s, store_top, cache_top);
	}
	if (err == AE_OK) {
		err = set_fields(s, store_top, cache_top);
	}
	if (err == AE_OK) {
		err = samba_dirs(s);
	}
	return err;
}

ae_err ae_session_user_creds(struct ae_session *s, const struct ae_session_opts *o)
{
	const char *env = getenv("KRB5CCNAME");
	const char *ccache = o->ccache;

	if (ccache == NULL && s->dropped_root) {
		/* root's KRB5CCNAME is not the user's: krb5's default for the user's uid */
		(void)unsetenv("KRB5CCNAME");
		ccache = ae_creds_default_ccache(s);
	} else if (ccache == NULL) {
		ccache = env != NULL && env[0] != '\0' ? env : ae_creds_default_ccache(s);
	}
	if (ccache == NULL) {
		return AE_ERR_NOMEM;
	}
	return ae_creds_user(s, s->conf, ccache, s->user->name, &s->creds, s->error,
			     sizeof(s->error));
}

uid_t ae_session_store_owner(const struct ae_session *s)
{
	return s->user != NULL ? s->user->uid : AE_STORE_MACHINE_OWNER;
}
