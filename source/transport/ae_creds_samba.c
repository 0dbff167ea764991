/*
 * ae_creds_samba.c: Samba's credentials (cli_credentials) on the ccache a
 * session already chose and checked (ae_creds.h), made when the first RPC
 * connection needs them. Part of the network module (ae_netmod.h): only
 * a run that talks MS-ICPR loads libsamba-credentials.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <talloc.h>
#include <tevent.h>
#include <core/ntstatus.h>
#include <param.h>
#include <credentials.h>
#include "ae_creds.h"
#include "ae_log.h"

ae_err ae_creds_samba(struct ae_creds *c, struct loadparm_context *lp,
		      struct cli_credentials **_creds, char *why, size_t why_len)
{
	struct cli_credentials *creds;
	const char *err_str = NULL;

	if (c == NULL || c->ccache_name == NULL) {
		ae_why(why, why_len, "no Kerberos ccache for Samba's credentials");
		return AE_ERR_CREDENTIALS;
	}
	if (c->creds != NULL) {
		*_creds = c->creds;
		return AE_OK;
	}
	creds = cli_credentials_init(c);
	if (creds == NULL) {
		return AE_ERR_NOMEM;
	}
	cli_credentials_set_conf(creds, lp);
	/* never a password prompt: no callback, Kerberos from the ccache only */
	cli_credentials_set_kerberos_state(creds, CRED_USE_KERBEROS_REQUIRED, CRED_SPECIFIED);
	if (cli_credentials_set_ccache(creds, lp, c->ccache_name, CRED_SPECIFIED, &err_str) != 0) {
		ae_why(why, why_len, "%s: cannot use the Kerberos ccache %s: %s",
		       c->principal != NULL ? c->principal : "?", c->ccache_name,
		       err_str != NULL && err_str[0] != '\0' ? err_str :
		       "no valid ticket-granting ticket (missing or expired)");
		talloc_free(creds);
		return AE_ERR_CREDENTIALS;
	}
	c->creds = creds;
	*_creds = creds;
	return AE_OK;
}
