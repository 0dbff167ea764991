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
 * krb5's default ccache name (krb5.conf default_ccache_name, else the
 * library's built-in FILE:/tmp/krb5cc_%{uid}) for the effective uid. MIT
 * krb5 is already loaded with Samba's libraries; its three public
 * functions are looked up at run time so that the build needs no krb5
 * headers.
 */
char *ae_creds_default_ccache(TALLOC_CTX *mem)
{
	typedef int32_t (*init_fn)(void **);
	typedef const char *(*name_fn)(void *);
	typedef void (*free_fn)(void *);
	init_fn init;
	name_fn name;
	free_fn fr;
	void *ctx = NULL;
	char *out = NULL;

	*(void **)&init = dlsym(RTLD_DEFAULT, "krb5_init_context");
	*(void **)&name = dlsym(RTLD_DEFAULT, "krb5_cc_default_name");
	*(void **)&fr = dlsym(RTLD_DEFAULT, "krb5_free_context");
	if (init != NULL && name != NULL && fr != NULL && init(&ctx) == 0) {
		const char *n = name(ctx);
		out = n != NULL && n[0] != '\0' ? talloc_strdup(mem, n) : NULL;
		fr(ctx);
	}
	if (out == NULL) {
		out = talloc_asprintf(mem, "FILE:/tmp/krb5cc_%ld", (long)geteuid());
	}
	return out;
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
