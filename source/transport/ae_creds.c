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
#include <time.h>
#include "ae_creds.h"
#include "ae_creds_cache.h"
#include "ae_file.h"
#include "ae_log.h"
#include "ae_smbconf.h"

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

/* "<NETBIOS NAME>$@<REALM>": the machine account's principal, from smb.conf alone */
static char *machine_principal(TALLOC_CTX *mem_ctx, const struct ae_smbconf *sc)
{
	char *p = talloc_asprintf(mem_ctx, "%s$@%s", sc->netbios_name, sc->realm);
	size_t i;

	for (i = 0; p != NULL && p[i] != '\0'; i++) {
		p[i] = (char)toupper((unsigned char)p[i]);
	}
	return p;
}

/*
 * The kept ccache <run_dir>/krb5cc.machine (ae_creds_cache.h): reused while
 * its TGT is the machine's and valid beyond the margin (no KDC exchange, no
 * secrets.tdb), else a new TGT renamed over it.
 */
static ae_err machine_ccache(struct ae_creds *c, const struct ae_smbconf *sc,
			     const char *run_dir, char *why, size_t why_len)
{
	struct ae_ccache_info *info = NULL;
	enum ae_ccache_verdict v;
	ae_err err;

	err = ae_run_dir_check(run_dir, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	(void)ae_ccache_remove_stale(run_dir, NULL);
	(void)ae_krb5_tcp_profile(run_dir);
	c->run_dir = talloc_strdup(c, run_dir);
	c->machine_principal = machine_principal(c, sc);
	c->ccache_name = talloc_asprintf(c, "FILE:%s/" AE_CCACHE_MACHINE, run_dir);
	if (c->run_dir == NULL || c->machine_principal == NULL || c->ccache_name == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_ccache_inspect(c, c->ccache_name + strlen("FILE:"), sc->realm, &info);
	if (err != AE_OK) {
		return err;
	}
	v = ae_ccache_decide(c->machine_principal, info, (int64_t)time(NULL), AE_CCACHE_MARGIN_S);
	talloc_free(info);
	if (v == AE_CCACHE_REUSE) {
		c->reused = true;
		AE_DEBUG("the machine's ticket cache %s is valid: reused", c->ccache_name);
	} else {
		AE_INFO("the machine's ticket cache %s is %s: a new TGT", c->ccache_name,
			ae_ccache_verdict_str(v));
		err = ae_ccache_kinit(sc, run_dir, c->machine_principal, why, why_len);
		if (err != AE_OK) {
			return err;
		}
	}
	c->principal = talloc_strdup(c, c->machine_principal);
	return c->principal != NULL ? AE_OK : AE_ERR_NOMEM;
}

ae_err ae_creds_machine_renew(struct ae_creds *c, const struct ae_smbconf *sc, char *why,
			      size_t why_len)
{
	ae_err err;

	if (c == NULL || !c->reused || c->run_dir == NULL) {
		return AE_ERR_INVALID;
	}
	c->reused = false;	/* once */
	AE_INFO("the cached ticket of %s was refused: a new TGT from secrets.tdb",
		c->machine_principal);
	err = ae_ccache_kinit(sc, c->run_dir, c->machine_principal, why, why_len);
	TALLOC_FREE(c->creds);	/* Samba's credentials, if made, were on the old ticket */
	return err;
}

/* --ccache: krb5 reads it (any type); Samba's credentials come when RPC needs them */
static ae_err given_ccache(struct ae_creds *c, const struct ae_smbconf *sc, const char *ccache,
			   char *why, size_t why_len)
{
	struct ae_ccache_info *info = NULL;
	char reason[300] = "";
	ae_err err = ae_ccache_read(c, ccache, sc->realm, &info, reason, sizeof(reason));

	if (err != AE_OK) {
		ae_why(why, why_len, "cannot use the Kerberos ccache %s: %s", ccache, reason);
		return err == AE_ERR_NOMEM ? err : AE_ERR_CREDENTIALS;
	}
	c->principal = talloc_strdup(c, info->principal);
	c->ccache_name = talloc_strdup(c, ccache);
	talloc_free(info);
	return c->ccache_name != NULL ? AE_OK : AE_ERR_NOMEM;
}

ae_err ae_creds_machine(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
			const struct ae_smbconf *sc, const char *ccache,
			const char *run_dir, struct ae_creds **_c,
			char *why, size_t why_len)
{
	struct ae_creds *c = talloc_zero(mem_ctx, struct ae_creds);
	ae_err err;

	(void)ev;	/* the AS exchange is MIT krb5's own (ae_creds_kinit.c) */
	if (c == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ccache != NULL ? given_ccache(c, sc, ccache, why, why_len) :
			       machine_ccache(c, sc, run_dir, why, why_len);
	if (err != AE_OK) {
		talloc_free(c);
		return err;
	}
	AE_INFO("credentials: %s, ccache %s", c->principal ? c->principal : "?", c->ccache_name);
	*_c = c;
	return AE_OK;
}
