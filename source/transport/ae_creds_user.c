/*
 * ae_creds_user.c: a user's own Kerberos credentials (ae_creds.h): the
 * user's ccache, whatever its type (FILE, DIR, KEYRING, KCM: krb5 opens
 * it), never secrets.tdb and never a password. Runs after the drop to the
 * user, so only what the user can read is readable.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <string.h>
#include <strings.h>
#include <talloc.h>
#include "ae_creds.h"
#include "ae_smbconf.h"
#include "ae_creds_cache.h"
#include "ae_log.h"

/* "alice@REALM" for sam, realm (case-insensitive). */
static bool principal_is(const char *principal, const char *sam, const char *realm)
{
	size_t n = strlen(sam);

	return principal != NULL && strncasecmp(principal, sam, n) == 0 && principal[n] == '@' &&
	       realm != NULL && strcasecmp(principal + n + 1, realm) == 0;
}

ae_err ae_creds_user(TALLOC_CTX *mem_ctx, const struct ae_smbconf *sc, const char *ccache,
		     const char *sam, struct ae_creds **_c, char *why, size_t why_len)
{
	struct ae_creds *c = talloc_zero(mem_ctx, struct ae_creds);
	const char *realm = sc->realm;
	struct ae_ccache_info *info = NULL;
	char reason[300] = "";
	ae_err err;

	if (c == NULL) {
		return AE_ERR_NOMEM;
	}
	if (ccache == NULL || ccache[0] == '\0' || sam == NULL) {
		ae_why(why, why_len, "user %s: no Kerberos ccache given", sam ? sam : "?");
		talloc_free(c);
		return AE_ERR_CREDENTIALS;
	}
	err = ae_ccache_read(c, ccache, realm, &info, reason, sizeof(reason));
	if (err != AE_OK) {
		ae_why(why, why_len, "user %s: the Kerberos ccache %s cannot be read: %s (a ccache "
		       "with a valid TGT of %s@%s is needed: kinit as the user, or log in again)",
		       sam, ccache, reason, sam, realm ? realm : "?");
		talloc_free(c);
		return err == AE_ERR_NOMEM ? err : AE_ERR_CREDENTIALS;
	}
	if (!principal_is(info->principal, sam, realm)) {
		ae_why(why, why_len, "the Kerberos ccache %s holds the credentials of %s, not of "
		       "the user %s@%s; refusing it", ccache, info->principal, sam,
		       realm ? realm : "?");
		talloc_free(c);
		return AE_ERR_CREDENTIALS;
	}
	if (!info->has_tgt || info->tgt_end <= (int64_t)time(NULL)) {
		ae_why(why, why_len, "user %s: the Kerberos ccache %s has no valid ticket-granting "
		       "ticket (expired or none): kinit as the user, or log in again", sam, ccache);
		talloc_free(c);
		return AE_ERR_CREDENTIALS;
	}
	c->principal = talloc_strdup(c, info->principal);
	c->ccache_name = talloc_strdup(c, ccache);
	talloc_free(info);
	if (c->ccache_name == NULL) {
		talloc_free(c);
		return AE_ERR_NOMEM;
	}
	AE_INFO("credentials: %s, ccache %s", c->principal, c->ccache_name);
	*_c = c;
	return AE_OK;
}
