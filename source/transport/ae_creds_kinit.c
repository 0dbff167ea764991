/*
 * ae_creds_kinit.c: a new machine TGT (ae_creds_cache.h): the password
 * from secrets.tdb through libtdb (no secrets.ldb, none of the DC's
 * database modules), the AS exchange (RFC 4120 section 3.1) through MIT
 * krb5 with the key derived once, the ticket written to a temporary ccache
 * and renamed over the kept one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <unistd.h>
#include <sys/stat.h>
#include <talloc.h>
#include <tdb.h>
#include <krb5/krb5.h>
#include "ae_creds.h"
#include "ae_creds_cache.h"
#include "ae_smbconf.h"
#include "ae_log.h"
#include "ae_bounded.h"
#include "ae_net_timeout.h"

#define AE_MACHINE_PASSWORD_MAX 1024	/* Samba's are 120-240 UTF-8 bytes */

static int wipe_destructor(char *s)
{
	explicit_bzero(s, talloc_get_size(s));
	return 0;
}

/* secrets.tdb: a regular file of root's (or ours), not writable by others */
static bool secrets_file_ok(const char *path, char *why, size_t why_len)
{
	struct stat st;

	if (lstat(path, &st) != 0) {
		ae_why(why, why_len, "cannot read the machine account from %s (is this host joined, "
		       "are we root?): %s", path, strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & 022) != 0) {
		ae_why(why, why_len, "%s is not a regular file of root's writable only by root: "
		       "the machine password is not read from it", path);
		return false;
	}
	return true;
}

ae_err ae_machine_password(TALLOC_CTX *mem_ctx, const char *private_dir, const char *domain,
			   char **_pw, char *why, size_t why_len)
{
	char *path = talloc_asprintf(mem_ctx, "%s/secrets.tdb", private_dir);
	char *key = talloc_asprintf(path, "SECRETS/MACHINE_PASSWORD/%s", domain);
	struct tdb_context *tdb;
	TDB_DATA k, v;
	char *pw = NULL;
	size_t i, len;

	if (path == NULL || key == NULL) {
		talloc_free(path);
		return AE_ERR_NOMEM;
	}
	for (i = 0; key[i] != '\0'; i++) {
		key[i] = (char)toupper((unsigned char)key[i]);
	}
	if (!secrets_file_ok(path, why, why_len)) {
		talloc_free(path);
		return AE_ERR_CREDENTIALS;
	}
	tdb = tdb_open(path, 0, TDB_DEFAULT, O_RDONLY, 0);
	if (tdb == NULL) {
		ae_why(why, why_len, "cannot open %s (are we root?): %s", path, strerror(errno));
		talloc_free(path);
		return AE_ERR_CREDENTIALS;
	}
	k.dptr = (unsigned char *)key;
	k.dsize = strlen(key);
	v = tdb_fetch(tdb, k);
	tdb_close(tdb);
	/* stored NUL-terminated; nothing after the first NUL */
	len = v.dptr != NULL ? strnlen((const char *)v.dptr, v.dsize) : 0;
	if (v.dptr == NULL || len == 0 || len > AE_MACHINE_PASSWORD_MAX ||
	    (len != v.dsize && len + 1 != v.dsize)) {
		ae_why(why, why_len, "%s has no usable machine password of the domain %s (is this "
		       "host joined?)", path, domain);
		if (v.dptr != NULL) {
			explicit_bzero(v.dptr, v.dsize);
		}
		free(v.dptr);
		talloc_free(path);
		return AE_ERR_CREDENTIALS;
	}
	pw = talloc_size(mem_ctx, len + 1);
	if (pw != NULL) {
		talloc_set_name_const(pw, "char");
		talloc_set_destructor(pw, wipe_destructor);
		memcpy(pw, v.dptr, len);
		pw[len] = '\0';
	}
	explicit_bzero(v.dptr, v.dsize);
	free(v.dptr);
	talloc_free(path);
	if (pw == NULL) {
		return AE_ERR_NOMEM;
	}
	*_pw = pw;
	return AE_OK;
}

/* MIT's "cannot contact any KDC" family */
static bool kdc_unreachable(krb5_error_code ret)
{
	return ret == KRB5_KDC_UNREACH || ret == KRB5_REALM_CANT_RESOLVE ||
	       ret == KRB5_REALM_UNKNOWN;
}

/* the AS exchange with the password, into the FILE ccache 'spec' */
static krb5_error_code kinit_to(krb5_context k, const char *principal, const char *pw,
				const char *spec)
{
	krb5_get_init_creds_opt *opt = NULL;
	krb5_principal client = NULL;
	krb5_ccache cc = NULL;
	krb5_creds creds;
	krb5_error_code ret;

	memset(&creds, 0, sizeof(creds));
	ret = krb5_parse_name(k, principal, &client);
	if (ret == 0) {
		ret = krb5_get_init_creds_opt_alloc(k, &opt);
	}
	if (ret == 0) {
		/* the KDC may return the account's canonical name ([MS-KILE] 3.3.5.1.1) */
		krb5_get_init_creds_opt_set_canonicalize(opt, 1);
		ret = krb5_get_init_creds_password(k, &creds, client, pw, NULL, NULL, 0, NULL,
						   opt);
	}
	if (ret == 0) {
		ret = krb5_cc_resolve(k, spec, &cc);
	}
	if (ret == 0) {
		ret = krb5_cc_initialize(k, cc, creds.client);
	}
	if (ret == 0) {
		ret = krb5_cc_store_cred(k, cc, &creds);
	}
	if (cc != NULL) {
		krb5_cc_close(k, cc);
	}
	krb5_free_cred_contents(k, &creds);
	krb5_get_init_creds_opt_free(k, opt);
	krb5_free_principal(k, client);
	return ret;
}

/*
 * kinit_to within the step's bound (autoenroll:network timeout, or the time
 * left to the cycle's deadline): MIT krb5 1.20 has no per-request timeout
 * (sendto_kdc waits up to about 30 s for a KDC that accepted the TCP
 * connection and does not answer), so the exchange runs in a child
 * (ae_bounded.h) that is killed at the bound. msg: MIT's text, or the bound.
 */
struct kinit_args {
	krb5_context k;
	const char *principal, *pw, *spec;
};

static int kinit_child(void *arg, char *msg, size_t msg_len)
{
	struct kinit_args *a = arg;
	krb5_error_code ret = kinit_to(a->k, a->principal, a->pw, a->spec);

	if (ret != 0) {
		const char *m = krb5_get_error_message(a->k, ret);
		snprintf(msg, msg_len, "%s", m ? m : "unknown error");
		krb5_free_error_message(a->k, m);
	}
	return (int)ret;
}

static krb5_error_code kinit_bounded(krb5_context k, const char *principal, const char *pw,
				     const char *spec, char *msg, size_t msg_len)
{
	struct kinit_args a = { k, principal, pw, spec };
	int ret = KRB5_KDC_UNREACH;
	ae_err err;

	if (ae_net_deadline_passed()) {
		snprintf(msg, msg_len, "%s", ae_net_cycle_over());
		return KRB5_KDC_UNREACH;
	}
	err = ae_bounded_call(kinit_child, &a, ae_net_timeout() * 1000u, &ret, msg, msg_len);
	if (err == AE_ERR_TRANSPORT) {
		snprintf(msg, msg_len, "%s", ae_net_no_answer());
		return KRB5_KDC_UNREACH;
	}
	if (err != AE_OK) {
		return KRB5_KDC_UNREACH;	/* msg: no child */
	}
	return (krb5_error_code)ret;
}

/* the temporary ccache is a regular 0600 file of ours before it is renamed */
static bool tmp_cache_ok(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	       ((st.st_mode & 07777) == 0600 || chmod(path, 0600) == 0);
}

ae_err ae_ccache_kinit(const struct ae_smbconf *sc, const char *run_dir, const char *principal,
		       char *why, size_t why_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *pw = NULL, *tmp_path, *final_path, *spec;
	krb5_context k = NULL;
	krb5_error_code ret;
	char kmsg[AE_BOUNDED_MSG_MAX];
	mode_t old_umask;
	ae_err err;

	tmp_path = talloc_asprintf(tmp, "%s/krb5cc.%ld", run_dir, (long)getpid());
	final_path = talloc_asprintf(tmp, "%s/" AE_CCACHE_MACHINE, run_dir);
	spec = talloc_asprintf(tmp, "FILE:%s", tmp_path ? tmp_path : "");
	if (tmp == NULL || tmp_path == NULL || final_path == NULL || spec == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	if (sc->workgroup[0] == '\0' || sc->private_dir[0] == '\0') {
		ae_why(why, why_len, "smb.conf names no workgroup or private dir: no machine account");
		talloc_free(tmp);
		return AE_ERR_CREDENTIALS;
	}
	err = ae_machine_password(tmp, sc->private_dir, sc->workgroup, &pw,
				  why, why_len);
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	ret = krb5_init_context(&k);
	if (ret != 0) {
		ae_why(why, why_len, "cannot initialise Kerberos (krb5.conf): error %d", (int)ret);
		talloc_free(tmp);
		return AE_ERR_CREDENTIALS;
	}
	(void)unlink(tmp_path);	/* a leftover of a pid reused */
	old_umask = umask(077);
	ret = kinit_bounded(k, principal, pw, spec, kmsg, sizeof(kmsg));
	(void)umask(old_umask);
	TALLOC_FREE(pw);
	if (ret != 0) {
		ae_why(why, why_len, "cannot obtain a Kerberos ticket for %s from the KDC of %s: %s",
		       principal, sc->realm, kmsg[0] ? kmsg : "unknown error");
		err = kdc_unreachable(ret) ? AE_ERR_TRANSPORT : AE_ERR_CREDENTIALS;
	} else if (!tmp_cache_ok(tmp_path) || rename(tmp_path, final_path) != 0) {
		ae_why(why, why_len, "cannot install the ticket cache %s: %s", final_path,
		       strerror(errno));
		err = AE_ERR_CREDENTIALS;
	} else {
		AE_INFO("a new TGT for %s in %s", principal, final_path);
	}
	if (err != AE_OK) {
		(void)unlink(tmp_path);
	}
	krb5_free_context(k);
	talloc_free(tmp);
	return err;
}
