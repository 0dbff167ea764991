#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <talloc.h>
#include <tevent.h>
#include <core/ntstatus.h>
#include <param.h>
#include <credentials.h>
#include "ae_creds.h"
#include "ae_file.h"
#include "ae_log.h"

const char *nt_errstr(NTSTATUS status);

ae_err ae_loadparm(TALLOC_CTX *mem_ctx, const char *configfile,
		   const char *const *options, struct loadparm_context **_lp)
{
	struct loadparm_context *lp = loadparm_init_global(false);
	size_t i;

	if (lp == NULL) {
		return AE_ERR_NOMEM;
	}
	if (configfile != NULL) {
		if (!lpcfg_load(lp, configfile)) {
			AE_ERROR("cannot load the configuration file %s", configfile);
			return AE_ERR_CONFIG;
		}
	} else if (!lpcfg_load_default(lp)) {
		AE_ERROR("cannot load Samba's default configuration file");
		return AE_ERR_CONFIG;
	}
	for (i = 0; options != NULL && options[i] != NULL; i++) {
		if (!lpcfg_set_option(lp, options[i])) {
			AE_ERROR("invalid --option '%s' (expected name=value)", options[i]);
			return AE_ERR_CONFIG;
		}
	}
	(void)mem_ctx;	/* the global loadparm context lives for the process */
	*_lp = lp;
	return AE_OK;
}

const char *ae_lp_string(struct loadparm_context *lp, const char *name)
{
	struct parm_struct *parm = lpcfg_parm_struct(lp, name);
	char **value;

	if (parm == NULL) {
		return NULL;
	}
	value = lpcfg_parm_ptr(lp, NULL, parm);
	return value != NULL ? *value : NULL;
}

static int creds_destructor(struct ae_creds *c)
{
	if (c->ccache_path != NULL) {
		(void)unlink(c->ccache_path);
	}
	return 0;
}

ae_err ae_run_dir_check(const char *run_dir, char *why, size_t why_len)
{
	struct stat st;

	if (run_dir == NULL || run_dir[0] != '/') {
		ae_why(why, why_len, "the run directory '%s' is not an absolute path",
		       run_dir ? run_dir : "");
		return AE_ERR_CONFIG;
	}
	if (lstat(run_dir, &st) != 0 && errno == ENOENT) {
		ae_err err = ae_mkdir_p(run_dir, 0700);

		if (err != AE_OK) {
			ae_why(why, why_len, "cannot create %s", run_dir);
			return err;
		}
	}
	if (lstat(run_dir, &st) != 0) {
		ae_why(why, why_len, "%s: %s", run_dir, strerror(errno));
		return AE_ERR_IO;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		ae_why(why, why_len, "%s (%s, uid %u, mode %04o) is not a directory only we (uid "
		       "%u) can enter: refused for the machine's Kerberos ticket (chown root, "
		       "chmod 0700)", run_dir, S_ISLNK(st.st_mode) ? "a symbolic link" :
		       S_ISDIR(st.st_mode) ? "a directory" : "not a directory",
		       (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), (unsigned)geteuid());
		return AE_ERR_CONFIG;
	}
	return AE_OK;
}

/* "krb5cc.<pid>" with a pid that is not ours and not alive (ESRCH) */
static bool stale_ccache_name(const char *name)
{
	const char *d = name + strlen(AE_CCACHE_PREFIX);
	char *end = NULL;
	long pid;

	if (strncmp(name, AE_CCACHE_PREFIX, strlen(AE_CCACHE_PREFIX)) != 0 ||
	    !isdigit((unsigned char)d[0])) {
		return false;
	}
	errno = 0;
	pid = strtol(d, &end, 10);
	if (errno != 0 || *end != '\0' || pid <= 0 || pid > INT32_MAX || pid == (long)getpid()) {
		return false;
	}
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

ae_err ae_ccache_remove_stale(const char *run_dir, unsigned *_removed)
{
	int dfd = open(run_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	unsigned removed = 0;
	struct dirent *e;
	DIR *d;

	if (_removed != NULL) {
		*_removed = 0;
	}
	if (dfd < 0 || (d = fdopendir(dfd)) == NULL) {
		AE_WARN("cannot list %s for stale ticket caches: %s", run_dir, strerror(errno));
		if (dfd >= 0) {
			close(dfd);
		}
		return AE_ERR_IO;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (!stale_ccache_name(e->d_name) ||
		    fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISDIR(st.st_mode)) {
			continue;
		}
		if (unlinkat(dfd, e->d_name, 0) == 0) {
			AE_INFO("removed %s/%s, the Kerberos ticket cache of a run that was killed",
				run_dir, e->d_name);
			removed++;
		} else {
			AE_WARN("cannot remove the stale ticket cache %s/%s: %s", run_dir,
				e->d_name, strerror(errno));
		}
	}
	closedir(d);
	if (_removed != NULL) {
		*_removed = removed;
	}
	return AE_OK;
}

/* The ccache the KDC exchange wrote: a regular file of ours, 0600. */
static ae_err ccache_mode_check(const char *path, char *why, size_t why_len)
{
	struct stat st;

	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		ae_why(why, why_len, "the ticket cache %s is not a regular file of ours", path);
		return AE_ERR_CREDENTIALS;
	}
	if ((st.st_mode & 07777) != 0600 && chmod(path, 0600) != 0) {
		ae_why(why, why_len, "cannot make the ticket cache %s 0600: %s", path,
		       strerror(errno));
		return AE_ERR_CREDENTIALS;
	}
	return AE_OK;
}

/* MIT/Heimdal "cannot contact any KDC" and friends */
static bool is_unreachable(int krb5_ret, const char *msg)
{
	if (krb5_ret == -1765328228 /* KRB5_KDC_UNREACH */ ||
	    krb5_ret == -1765328164 /* KRB5_REALM_CANT_RESOLVE */) {
		return true;
	}
	return msg != NULL && (strstr(msg, "contact") != NULL ||
			       strstr(msg, "unreach") != NULL ||
			       strstr(msg, "timed out") != NULL);
}

ae_err ae_creds_machine(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
			struct loadparm_context *lp, const char *ccache,
			const char *run_dir, struct ae_creds **_c,
			char *why, size_t why_len)
{
	struct ae_creds *c = talloc_zero(mem_ctx, struct ae_creds);
	struct ccache_container *ccc = NULL;
	const char *err_str = NULL;
	NTSTATUS st;
	int ret;

	if (c == NULL) {
		return AE_ERR_NOMEM;
	}
	c->creds = cli_credentials_init(c);
	if (c->creds == NULL) {
		talloc_free(c);
		return AE_ERR_NOMEM;
	}
	cli_credentials_set_conf(c->creds, lp);
	if (ccache != NULL) {
		ret = cli_credentials_set_ccache(c->creds, lp, ccache, CRED_SPECIFIED, &err_str);
		if (ret != 0) {
			snprintf(why, why_len, "cannot use the Kerberos ccache %s: %s",
				 ccache, err_str ? err_str : "unknown error");
			talloc_free(c);
			return AE_ERR_CREDENTIALS;
		}
		c->ccache_name = talloc_strdup(c, ccache);
	} else {
		st = cli_credentials_set_machine_account(c->creds, lp);
		if (!NT_STATUS_IS_OK(st)) {
			snprintf(why, why_len, "cannot read the machine account from secrets.tdb "
				 "in %s (is this host joined, are we root?): %s",
				 lpcfg_private_dir(lp), nt_errstr(st));
			talloc_free(c);
			return AE_ERR_CREDENTIALS;
		}
	}
	cli_credentials_set_kerberos_state(c->creds, CRED_USE_KERBEROS_REQUIRED, CRED_SPECIFIED);
	c->principal = cli_credentials_get_principal(c->creds, c);
	if (ccache == NULL) {
		ae_err err = ae_run_dir_check(run_dir, why, why_len);
		mode_t old_umask;

		if (err != AE_OK) {
			talloc_free(c);
			return err;
		}
		(void)ae_ccache_remove_stale(run_dir, NULL);
		c->ccache_path = talloc_asprintf(c, "%s/" AE_CCACHE_PREFIX "%ld", run_dir,
						 (long)getpid());
		c->ccache_name = talloc_asprintf(c, "FILE:%s", c->ccache_path);
		if (c->ccache_path == NULL || c->ccache_name == NULL) {
			talloc_free(c);
			return AE_ERR_NOMEM;
		}
		talloc_set_destructor(c, creds_destructor);
		/* the TGT, before any connect (see the header); whatever krb5
		 * creates meanwhile is ours only (no threads run yet) */
		old_umask = umask(077);
		ret = cli_credentials_get_named_ccache(c->creds, ev, lp, c->ccache_name,
						       &ccc, &err_str);
		(void)umask(old_umask);
		if (ret == 0 && ccache_mode_check(c->ccache_path, why, why_len) != AE_OK) {
			talloc_free(c);
			return AE_ERR_CREDENTIALS;
		}
		if (ret != 0) {
			bool unreach = is_unreachable(ret, err_str);
			size_t n;
			snprintf(why, why_len, "cannot obtain a Kerberos ticket for %s from the KDC "
				 "of %s: %s", c->principal ? c->principal : "the machine account",
				 lpcfg_realm(lp), err_str ? err_str : "unknown error");
			n = strlen(why);
			while (n > 0 && (why[n - 1] == '\n' || why[n - 1] == ' ')) {
				why[--n] = '\0';
			}
			talloc_free(c);
			return unreach ? AE_ERR_TRANSPORT : AE_ERR_CREDENTIALS;
		}
	}
	AE_INFO("credentials: %s, ccache %s", c->principal ? c->principal : "?", c->ccache_name);
	*_c = c;
	return AE_OK;
}
