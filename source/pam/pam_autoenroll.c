/*
 * pam_autoenroll.c: the PAM session module that starts a domain user's
 * certificate autoenrollment cycle at logon:
 *
 *   session optional pam_autoenroll.so [debug] [wait=SECONDS]
 *                                      [command=PATH] [config=PATH]
 *
 * pam_sm_open_session, for a domain user (NSS gives a uid other than 0 and
 * winbind maps the name and that uid to a SID) with KRB5CCNAME in the PAM
 * environment, starts
 *
 *   <command> [-s <config>] run --user NAME --ccache <KRB5CCNAME>
 *
 * detached (ae_pam_spawn.h) and returns. KRB5CCNAME is read from the PAM
 * environment only (pam_getenv): pam_winbind (krb5_auth), pam_krb5 and
 * pam_sss all put the ccache of the user they authenticated there with
 * pam_putenv; the application's own process environment belongs to the
 * caller (su: the invoking user), not to the user logging on.
 *
 * Return values: PAM_SUCCESS when the cycle was started (or, with wait=,
 * ran), PAM_IGNORE in every other case: skipped users and the module's own
 * errors. Never PAM_SESSION_ERR: enrollment is not a reason to refuse or
 * delay a logon, and PAM_IGNORE keeps the module out of the stack's result
 * even if an administrator writes "required" instead of "optional".
 * Logging: pam_syslog (LOG_AUTHPRIV), naming the user and what happened;
 * the cycle itself logs templates, CAs and causes.
 */
#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/wait.h>
#include <security/pam_modules.h>
#include <security/pam_ext.h>
#include <wbclient.h>
#include "ae_pam_opts.h"
#include "ae_pam_spawn.h"

/* Winbind maps the name to this uid, and the uid to a SID. */
static bool winbind_user(const char *user, uid_t uid)
{
	struct wbcContext *ctx = wbcCtxCreate();
	struct passwd *pw = NULL;
	struct wbcDomainSid sid;
	bool ok = false;

	if (ctx == NULL) {
		return false;
	}
	if (wbcCtxGetpwnam(ctx, user, &pw) == WBC_ERR_SUCCESS && pw != NULL && pw->pw_uid == uid &&
	    wbcCtxUidToSid(ctx, uid, &sid) == WBC_ERR_SUCCESS) {
		ok = true;
	}
	wbcFreeMemory(pw);
	wbcCtxFree(ctx);
	return ok;
}

static bool domain_user(const char *user, uid_t uid)
{
#ifdef AE_TEST_SEAMS
	/* test builds only: AE_PAM_TEST_DOMAIN_USERS=name,name counts those
	 * local users as domain users (no winbindd in the unit tests) */
	const char *list = getenv("AE_PAM_TEST_DOMAIN_USERS");
	size_t n = strlen(user);

	for (const char *p = list; p != NULL && *p != '\0'; p += strcspn(p, ",") + (p[strcspn(p, ",")] != '\0')) {
		if (strncmp(p, user, n) == 0 && (p[n] == ',' || p[n] == '\0')) {
			return true;
		}
	}
#endif
	return winbind_user(user, uid);
}

/* NSS's uid for the user; false when NSS does not know it. getpwnam_r with
 * a growing buffer (pam_modutil_getpwnam would tie the entry to the handle). */
static bool nss_uid(const char *user, uid_t *uid)
{
	struct passwd pw, *res = NULL;
	size_t len = 4096;
	bool ok = false;

	while (len <= 1024 * 1024) {
		char *buf = malloc(len);
		int rc;

		if (buf == NULL) {
			return false;
		}
		rc = getpwnam_r(user, &pw, buf, len, &res);
		if (rc == 0 && res != NULL) {
			*uid = pw.pw_uid;
			ok = true;
		}
		free(buf);
		if (rc != ERANGE) {
			break;
		}
		len *= 4;
	}
	return ok;
}

/* README "Exit codes" of autoenroll */
static const char *exit_meaning(int rc)
{
	static const char *const m[] = { "success", "internal error", "usage error", "pending",
					 "denied by the CA", "DC, KDC or CA unreachable",
					 "misconfigured", "the CA's answer failed verification",
					 "local store error" };

	return rc >= 0 && rc < (int)(sizeof(m) / sizeof(m[0])) ? m[rc] : "unknown exit code";
}

static int report(pam_handle_t *pamh, const struct ae_pam_opts *o, const char *user,
		  const struct ae_pam_spawn_result *r)
{
	switch (r->kind) {
	case AE_SPAWN_STARTED:
		pam_syslog(pamh, LOG_INFO, "user %s: autoenrollment started (%s run, pid %ld)", user,
			   o->command, (long)r->pid);
		return PAM_SUCCESS;
	case AE_SPAWN_EXITED:
		if (WIFEXITED(r->value)) {
			int rc = WEXITSTATUS(r->value);

			pam_syslog(pamh, rc == 0 ? LOG_INFO : LOG_WARNING,
				   "user %s: autoenrollment exited %d (%s)", user, rc, exit_meaning(rc));
		} else {
			pam_syslog(pamh, LOG_WARNING, "user %s: autoenrollment killed by signal %d",
				   user, WIFSIGNALED(r->value) ? WTERMSIG(r->value) : 0);
		}
		return PAM_SUCCESS;
	case AE_SPAWN_TIMEOUT:
		pam_syslog(pamh, LOG_NOTICE,
			   "user %s: autoenrollment still running after %u s (pid %ld), "
			   "continuing in the background", user, o->wait_s, (long)r->pid);
		return PAM_SUCCESS;
	case AE_SPAWN_EXEC_FAILED:
		pam_syslog(pamh, LOG_ERR, "user %s: cannot run %s: %s", user, o->command,
			   strerror(r->value));
		return PAM_IGNORE;
	case AE_SPAWN_FAILED:
		break;
	}
	pam_syslog(pamh, LOG_ERR, "user %s: cannot start autoenrollment: %s", user,
		   strerror(r->value));
	return PAM_IGNORE;
}

/* The facts about the session's user and whether they call for a run;
 * skips are logged (root, local users only with debug). */
static bool should_run(pam_handle_t *pamh, const struct ae_pam_opts *o, const char *user,
		       struct ae_pam_facts *f)
{
	enum ae_pam_decision d;

	f->uid = (uid_t)-1;
	f->known = nss_uid(user, &f->uid);
	f->domain = f->known && f->uid != 0 && domain_user(user, f->uid);
	f->ccache = pam_getenv(pamh, "KRB5CCNAME");
	d = ae_pam_decide(f);
	if (d == AE_PAM_RUN) {
		return true;
	}
	if (o->debug || d == AE_PAM_SKIP_NO_CCACHE || d == AE_PAM_SKIP_BAD_CCACHE) {
		pam_syslog(pamh, o->debug ? LOG_DEBUG : LOG_NOTICE,
			   "user %s: autoenrollment not started: %s", user, ae_pam_decision_str(d));
	}
	return false;
}

/* root runs it, and the command and config files pass their checks */
static bool may_start(pam_handle_t *pamh, const struct ae_pam_opts *o, const char *user)
{
	char why[128];

	if (geteuid() != 0) {
		pam_syslog(pamh, LOG_NOTICE, "user %s: autoenrollment not started: the application "
			   "does not run as root", user);
		return false;
	}
	if (!ae_pam_check_file(o->command, true, why, sizeof(why))) {
		pam_syslog(pamh, LOG_ERR, "user %s: command %s refused: %s", user, o->command, why);
		return false;
	}
	if (o->config != NULL && !ae_pam_check_file(o->config, false, why, sizeof(why))) {
		pam_syslog(pamh, LOG_ERR, "user %s: config %s refused: %s", user, o->config, why);
		return false;
	}
	return true;
}

/* <command> [-s <config>] run --user NAME --ccache CC, NULL-terminated */
static void build_argv(const struct ae_pam_opts *o, const char *user, const char *ccache,
		       const char *cargv[10])
{
	int n = 0;

	cargv[n++] = o->command;
	if (o->config != NULL) {
		cargv[n++] = "-s";
		cargv[n++] = o->config;
	}
	cargv[n++] = "run";
	cargv[n++] = "--user";
	cargv[n++] = user;
	cargv[n++] = "--ccache";
	cargv[n++] = ccache;
	cargv[n] = NULL;
}

static int open_session(pam_handle_t *pamh, int argc, const char **argv)
{
	struct ae_pam_opts o;
	struct ae_pam_facts f = { 0 };
	struct ae_pam_spawn_result r;
	const char *user = NULL;
	const char *cargv[10];
	char bad[128];

	if (ae_pam_opts_parse(argc, argv, &o, bad, sizeof(bad)) > 0) {
		pam_syslog(pamh, LOG_ERR, "ignoring option %s", bad);
	}
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || user == NULL) {
		pam_syslog(pamh, LOG_ERR, "cannot get the user name");
		return PAM_IGNORE;
	}
	if (!ae_pam_user_ok(user)) {
		/* not printed: it may hold control characters */
		pam_syslog(pamh, LOG_WARNING, "a user name of %zu bytes is not fit for a command "
			   "line; autoenrollment not started", strlen(user));
		return PAM_IGNORE;
	}
	if (!should_run(pamh, &o, user, &f) || !may_start(pamh, &o, user)) {
		return PAM_IGNORE;
	}
	build_argv(&o, user, f.ccache, cargv);
	if (o.debug) {
		pam_syslog(pamh, LOG_DEBUG, "user %s (uid %ld): running %s%s%s run --user %s "
			   "--ccache <KRB5CCNAME>%s", user, (long)f.uid, o.command,
			   o.config != NULL ? " -s " : "", o.config != NULL ? o.config : "", user,
			   o.wait_s > 0 ? ", waiting for it" : "");
	}
	ae_pam_spawn(cargv, o.wait_s, &r);
	return report(pamh, &o, user, &r);
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)flags;
	return open_session(pamh, argc, argv);
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_IGNORE;
}
