/*
 * ae_creds_cache.c: the kept machine ccache (ae_creds_cache.h): the reuse
 * decision, the kept cache checked before krb5 reads it (ae_creds_read.c), and the
 * TCP-only krb5 profile.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <talloc.h>
#include "ae_creds_cache.h"
#include "ae_log.h"

/* the realm of "name@REALM" (the last '@'), or NULL */
static const char *principal_realm(const char *principal)
{
	const char *at = principal != NULL ? strrchr(principal, '@') : NULL;

	return at != NULL && at[1] != '\0' ? at + 1 : NULL;
}

enum ae_ccache_verdict ae_ccache_decide(const char *want_principal,
					const struct ae_ccache_info *info,
					int64_t now, int64_t margin)
{
	if (info == NULL || info->principal == NULL || want_principal == NULL) {
		return AE_CCACHE_RENEW_UNREADABLE;
	}
	if (strcasecmp(info->principal, want_principal) != 0 ||
	    principal_realm(want_principal) == NULL) {
		return AE_CCACHE_RENEW_PRINCIPAL;
	}
	if (!info->has_tgt) {
		return AE_CCACHE_RENEW_NO_TGT;
	}
	if (margin < 0 || info->tgt_end <= now || info->tgt_end - now <= margin) {
		return AE_CCACHE_RENEW_EXPIRING;
	}
	return AE_CCACHE_REUSE;
}

const char *ae_ccache_verdict_str(enum ae_ccache_verdict v)
{
	switch (v) {
	case AE_CCACHE_REUSE:
		return "valid";
	case AE_CCACHE_RENEW_UNREADABLE:
		return "missing or unreadable";
	case AE_CCACHE_RENEW_PRINCIPAL:
		return "for another principal";
	case AE_CCACHE_RENEW_NO_TGT:
		return "without a TGT of the realm";
	case AE_CCACHE_RENEW_EXPIRING:
		return "expired or about to expire";
	}
	return "unknown";
}

/* a regular file of ours, 0600, not a link: else not read at all */
static bool cache_file_ok(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	       (st.st_mode & 07777) == 0600 && st.st_size > 0;
}

ae_err ae_ccache_inspect(TALLOC_CTX *mem_ctx, const char *path, const char *realm,
			 struct ae_ccache_info **_info)
{
	struct ae_ccache_info *info = NULL;
	char *spec = NULL, why[256];

	if (cache_file_ok(path) && realm != NULL &&
	    (spec = talloc_asprintf(mem_ctx, "FILE:%s", path)) != NULL &&
	    ae_ccache_read(mem_ctx, spec, realm, &info, why, sizeof(why)) == AE_ERR_NOMEM) {
		talloc_free(spec);
		return AE_ERR_NOMEM;
	}
	talloc_free(spec);
	/* unreadable, not ours, no principal: an empty answer (a verdict, not an error) */
	if (info == NULL && (info = talloc_zero(mem_ctx, struct ae_ccache_info)) == NULL) {
		return AE_ERR_NOMEM;
	}
	*_info = info;
	return AE_OK;
}

/*
 * Our krb5.conf layer over the system's: the KDC asked over TCP directly
 * (RFC 4120 section 7.2.1), and the service names we give (the DC's DNS
 * name from the SRV answer or autoenroll:dc) used as given, without a
 * forward and a reverse DNS lookup first (krb5.conf(5): canonicalization
 * only when the name as given fails; no reverse lookup): faster, and a DC
 * whose DNS hangs does not hold the LDAP bind for the resolver's timeouts.
 */
static const char tcp_profile[] =
	"# written by autoenroll (rewritten when it differs)\n"
	"[libdefaults]\n"
	"\tudp_preference_limit = 1\n"
	"\tdns_canonicalize_hostname = fallback\n"
	"\trdns = false\n";

/* true: path is our regular file with exactly tcp_profile in it */
static bool tcp_profile_current(const char *path)
{
	char buf[sizeof(tcp_profile) + 1];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		return false;
	}
	n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() ?
	    read(fd, buf, sizeof(buf)) : -1;
	close(fd);
	return n == (ssize_t)sizeof(tcp_profile) - 1 && memcmp(buf, tcp_profile, (size_t)n) == 0;
}

/* <run_dir>/krb5-tcp.conf: created atomically when missing; a regular file of ours */
static ae_err tcp_profile_file(const char *run_dir, const char *path)
{
	char tmp[4096];
	struct stat st;
	int fd;

	if (tcp_profile_current(path)) {
		return AE_OK;
	}
	if (lstat(path, &st) == 0 && (!S_ISREG(st.st_mode) || st.st_uid != geteuid())) {
		return AE_ERR_IO;
	}
	if (snprintf(tmp, sizeof(tmp), "%s/.krb5-tcp.conf.%ld", run_dir, (long)getpid()) >=
	    (int)sizeof(tmp)) {
		return AE_ERR_INVALID;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		return AE_ERR_IO;
	}
	if (write(fd, tcp_profile, sizeof(tcp_profile) - 1) != (ssize_t)sizeof(tcp_profile) - 1 ||
	    close(fd) != 0 || rename(tmp, path) != 0) {
		(void)unlink(tmp);
		return AE_ERR_IO;
	}
	return AE_OK;
}

ae_err ae_krb5_tcp_profile(const char *run_dir)
{
	const char *prev = getenv("KRB5_CONFIG");
	char *path, *value;
	ae_err err;

	path = talloc_asprintf(NULL, "%s/" AE_KRB5_TCP_PROFILE, run_dir);
	if (path == NULL) {
		return AE_ERR_NOMEM;
	}
	if (prev != NULL && strncmp(prev, path, strlen(path)) == 0) {
		talloc_free(path);
		return AE_OK;	/* done already */
	}
	err = tcp_profile_file(run_dir, path);
	if (err != AE_OK) {
		AE_WARN("cannot write %s (%s): the KDC may be asked over UDP first", path,
			strerror(errno));
		talloc_free(path);
		return err;
	}
	value = talloc_asprintf(path, "%s:%s", path,
				prev != NULL && prev[0] != '\0' ? prev : "/etc/krb5.conf");
	if (value == NULL || setenv("KRB5_CONFIG", value, 1) != 0) {
		talloc_free(path);
		return AE_ERR_NOMEM;
	}
	talloc_free(path);
	return AE_OK;
}
