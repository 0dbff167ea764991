/*
 * ae_creds_user.c: a user's own Kerberos credentials (ae_creds.h): the
 * user's ccache, whatever its type (FILE, DIR, KEYRING, KCM: krb5 opens
 * it), never secrets.tdb and never a password. Runs after the drop to the
 * user, so only what the user can read is readable.
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <talloc.h>
#include <param.h>
#include <credentials.h>
#include "ae_creds.h"
#include "ae_log.h"

/*
 * The krb5 library Samba's credentials use (Debian's Samba: its own
 * Heimdal; else MIT), its public functions looked up at run time in that
 * one library, so that the build needs no krb5 headers and no two krb5
 * implementations are mixed. Contexts, ccaches and principals are opaque
 * pointers; error codes are int32_t (krb5_error_code).
 */
struct k5 {
	void *lib;
	int32_t (*init)(void **ctx);
	void (*free_ctx)(void *ctx);
	const char *(*default_name)(void *ctx);
	int32_t (*resolve)(void *ctx, const char *name, void **cc);
	int32_t (*get_principal)(void *ctx, void *cc, void **princ);
	int32_t (*unparse)(void *ctx, void *princ, char **out);
	void (*free_principal)(void *ctx, void *princ);
	int32_t (*close)(void *ctx, void *cc);
	int32_t (*lifetime)(void *ctx, void *cc, time_t *t);	/* Heimdal only */
	const char *(*errmsg)(void *ctx, int32_t code);
	void (*free_errmsg)(void *ctx, const char *msg);
	void (*free_string)(void *ctx, char *s);
};

static bool k5_load(struct k5 *k)
{
	/*
	 * Samba's Heimdal first: the process links MIT krb5 too (the machine
	 * ccache, ae_creds_cache.h), whose krb5_init_context may come first in
	 * the global scope; krb5_cc_get_lifetime is Heimdal's only.
	 */
	void *sym = dlsym(RTLD_DEFAULT, "krb5_cc_get_lifetime");
	Dl_info info;

	memset(k, 0, sizeof(*k));
	if (sym == NULL) {
		sym = dlsym(RTLD_DEFAULT, "krb5_init_context");
	}
	if (sym == NULL || dladdr(sym, &info) == 0 || info.dli_fname == NULL ||
	    (k->lib = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD)) == NULL) {
		return false;
	}
	*(void **)&k->init = dlsym(k->lib, "krb5_init_context");
	*(void **)&k->free_ctx = dlsym(k->lib, "krb5_free_context");
	*(void **)&k->default_name = dlsym(k->lib, "krb5_cc_default_name");
	*(void **)&k->resolve = dlsym(k->lib, "krb5_cc_resolve");
	*(void **)&k->get_principal = dlsym(k->lib, "krb5_cc_get_principal");
	*(void **)&k->unparse = dlsym(k->lib, "krb5_unparse_name");
	*(void **)&k->free_principal = dlsym(k->lib, "krb5_free_principal");
	*(void **)&k->close = dlsym(k->lib, "krb5_cc_close");
	*(void **)&k->lifetime = dlsym(k->lib, "krb5_cc_get_lifetime");
	*(void **)&k->errmsg = dlsym(k->lib, "krb5_get_error_message");
	*(void **)&k->free_errmsg = dlsym(k->lib, "krb5_free_error_message");
	*(void **)&k->free_string = dlsym(k->lib, "krb5_free_unparsed_name");
	return k->init != NULL && k->free_ctx != NULL;
}

static void k5_unload(struct k5 *k)
{
	if (k->lib != NULL) {
		dlclose(k->lib);
	}
}

char *ae_creds_default_ccache(TALLOC_CTX *mem)
{
	struct k5 k;
	void *ctx = NULL;
	char *out = NULL;

	if (k5_load(&k) && k.default_name != NULL && k.init(&ctx) == 0) {
		const char *n = k.default_name(ctx);
		out = n != NULL && n[0] != '\0' ? talloc_strdup(mem, n) : NULL;
		k.free_ctx(ctx);
	}
	k5_unload(&k);
	if (out == NULL) {
		out = talloc_asprintf(mem, "FILE:/tmp/krb5cc_%ld", (long)geteuid());
	}
	return out;
}

static void k5_why(struct k5 *k, void *ctx, int32_t code, char *buf, size_t len)
{
	const char *m = k->errmsg != NULL ? k->errmsg(ctx, code) : NULL;

	snprintf(buf, len, "%s (krb5 error %ld)", m != NULL ? m : "error", (long)code);
	if (m != NULL && k->free_errmsg != NULL) {
		k->free_errmsg(ctx, m);
	}
}

/*
 * The ccache's principal and its TGT's remaining lifetime (-1: the library
 * cannot tell). AE_ERR_CREDENTIALS with 'why' when the ccache cannot be
 * read or holds no principal.
 */
static ae_err ccache_inspect(TALLOC_CTX *mem, const char *name, char **_principal,
			     long *_lifetime, char *why, size_t why_len)
{
	struct k5 k;
	void *ctx = NULL, *cc = NULL, *princ = NULL;
	char *str = NULL;
	time_t t = 0;
	int32_t rc = -1;
	ae_err err = AE_ERR_CREDENTIALS;

	*_lifetime = -1;
	if (!k5_load(&k) || k.resolve == NULL || k.get_principal == NULL || k.unparse == NULL ||
	    k.close == NULL || k.init(&ctx) != 0) {
		k5_unload(&k);
		*_principal = NULL;
		return AE_OK;	/* Samba's own checks below still apply */
	}
	rc = k.resolve(ctx, name, &cc);
	if (rc == 0) {
		rc = k.get_principal(ctx, cc, &princ);
	}
	if (rc == 0) {
		rc = k.unparse(ctx, princ, &str);
	}
	if (rc != 0) {
		k5_why(&k, ctx, rc, why, why_len);
	} else {
		*_principal = talloc_strdup(mem, str);
		err = *_principal != NULL ? AE_OK : AE_ERR_NOMEM;
		if (k.lifetime != NULL && k.lifetime(ctx, cc, &t) == 0) {
			*_lifetime = (long)t;
		} else if (k.lifetime != NULL) {
			*_lifetime = 0;	/* no TGT in it */
		}
	}
	if (str != NULL && k.free_string != NULL) {
		k.free_string(ctx, str);
	}
	if (princ != NULL && k.free_principal != NULL) {
		k.free_principal(ctx, princ);
	}
	if (cc != NULL) {
		k.close(ctx, cc);
	}
	k.free_ctx(ctx);
	k5_unload(&k);
	return err;
}

/* "alice@REALM" for sam, realm (case-insensitive). */
static bool principal_is(const char *principal, const char *sam, const char *realm)
{
	size_t n = strlen(sam);

	return principal != NULL && strncasecmp(principal, sam, n) == 0 && principal[n] == '@' &&
	       realm != NULL && strcasecmp(principal + n + 1, realm) == 0;
}

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '.')) {
		s[--n] = '\0';
	}
}

ae_err ae_creds_user(TALLOC_CTX *mem_ctx, struct loadparm_context *lp, const char *ccache,
		     const char *sam, struct ae_creds **_c, char *why, size_t why_len)
{
	struct ae_creds *c = talloc_zero(mem_ctx, struct ae_creds);
	const char *err_str = NULL, *realm = lpcfg_realm(lp);
	char reason[300] = "";
	long lifetime = -1;
	ae_err err;
	int ret;

	if (c == NULL || (c->creds = cli_credentials_init(c)) == NULL) {
		talloc_free(c);
		return AE_ERR_NOMEM;
	}
	if (ccache == NULL || ccache[0] == '\0' || sam == NULL) {
		ae_why(why, why_len, "user %s: no Kerberos ccache given", sam ? sam : "?");
		talloc_free(c);
		return AE_ERR_CREDENTIALS;
	}
	err = ccache_inspect(c, ccache, &c->principal, &lifetime, reason, sizeof(reason));
	if (err != AE_OK) {
		ae_why(why, why_len, "user %s: the Kerberos ccache %s cannot be read: %s (a ccache "
		       "with a valid TGT of %s@%s is needed: kinit as the user, or log in again)",
		       sam, ccache, reason, sam, realm ? realm : "?");
		talloc_free(c);
		return err == AE_ERR_NOMEM ? err : AE_ERR_CREDENTIALS;
	}
	if (c->principal != NULL && !principal_is(c->principal, sam, realm)) {
		ae_why(why, why_len, "the Kerberos ccache %s holds the credentials of %s, not of "
		       "the user %s@%s; refusing it", ccache, c->principal, sam, realm ? realm : "?");
		talloc_free(c);
		return AE_ERR_CREDENTIALS;
	}
	if (lifetime == 0) {
		ae_why(why, why_len, "user %s: the Kerberos ccache %s has no valid ticket-granting "
		       "ticket (expired or none): kinit as the user, or log in again", sam, ccache);
		talloc_free(c);
		return AE_ERR_CREDENTIALS;
	}
	cli_credentials_set_conf(c->creds, lp);
	/* never a password prompt: no callback, Kerberos from the ccache only */
	cli_credentials_set_kerberos_state(c->creds, CRED_USE_KERBEROS_REQUIRED, CRED_SPECIFIED);
	ret = cli_credentials_set_ccache(c->creds, lp, ccache, CRED_SPECIFIED, &err_str);
	if (ret != 0) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", err_str != NULL && err_str[0] != '\0' ? err_str :
			 "no valid ticket-granting ticket (missing or expired)");
		trim(msg);
		ae_why(why, why_len, "user %s: cannot use the Kerberos ccache %s: %s (a ccache "
		       "with a valid TGT of %s@%s is needed: kinit as the user, or log in again)",
		       sam, ccache, msg, sam, realm ? realm : "?");
		talloc_free(c);
		return AE_ERR_CREDENTIALS;
	}
	TALLOC_FREE(c->principal);
	c->principal = cli_credentials_get_principal(c->creds, c);
	if (!principal_is(c->principal, sam, realm)) {
		ae_why(why, why_len, "the Kerberos ccache %s holds the credentials of %s, not of "
		       "the user %s@%s; refusing it", ccache, c->principal ? c->principal : "nobody",
		       sam, realm ? realm : "?");
		talloc_free(c);
		return AE_ERR_CREDENTIALS;
	}
	c->ccache_name = talloc_strdup(c, ccache);
	if (c->ccache_name == NULL) {
		talloc_free(c);
		return AE_ERR_NOMEM;
	}
	AE_INFO("credentials: %s, ccache %s", c->principal, c->ccache_name);
	*_c = c;
	return AE_OK;
}
