/*
 * ae_creds_read.c: any ccache krb5 can open (FILE, DIR, KEYRING, KCM) read
 * with MIT krb5 for its client principal and its TGT (ae_creds_cache.h:
 * ae_ccache_read), and krb5's default ccache name. Used for the --ccache
 * given to a machine run and for a user's own ccache; Samba's credentials
 * on the same ccache are made only when an RPC connection needs them
 * (ae_creds_samba.c, in the network module).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <talloc.h>
#include <krb5/krb5.h>
#include "ae_creds.h"
#include "ae_creds_cache.h"
#include "ae_log.h"

/* the TGT krbtgt/realm@realm of client in cc (RFC 4120 section 7.3): its endtime, or -1 */
static int64_t tgt_end(krb5_context k, krb5_ccache cc, krb5_principal client, const char *realm)
{
	krb5_creds mcreds, creds;
	int64_t end = -1;

	memset(&mcreds, 0, sizeof(mcreds));
	memset(&creds, 0, sizeof(creds));
	mcreds.client = client;
	if (krb5_build_principal(k, &mcreds.server, (unsigned)strlen(realm), realm,
				 KRB5_TGS_NAME, realm, NULL) != 0) {
		return -1;
	}
	if (krb5_cc_retrieve_cred(k, cc, 0, &mcreds, &creds) == 0) {
		/* krb5_timestamp is 32 bits, read as unsigned (RFC 4120's 2038 rollover) */
		end = (int64_t)(uint32_t)creds.times.endtime;
		krb5_free_cred_contents(k, &creds);
	}
	krb5_free_principal(k, mcreds.server);
	return end;
}

static void k5_why(krb5_context k, krb5_error_code code, char *why, size_t why_len)
{
	const char *m = krb5_get_error_message(k, code);

	ae_why(why, why_len, "%s (krb5 error %ld)", m != NULL ? m : "error", (long)code);
	krb5_free_error_message(k, m);
}

/* info's principal and TGT from the open cc; krb5's error code */
static krb5_error_code read_cc(krb5_context k, krb5_ccache cc, const char *realm,
			       struct ae_ccache_info *info)
{
	krb5_principal client = NULL;
	char *name = NULL;
	krb5_error_code rc = krb5_cc_get_principal(k, cc, &client);

	if (rc == 0) {
		rc = krb5_unparse_name(k, client, &name);
	}
	if (rc == 0) {
		int64_t end = realm != NULL ? tgt_end(k, cc, client, realm) : -1;

		info->principal = talloc_strdup(info, name);
		info->has_tgt = end >= 0;
		info->tgt_end = end;
		rc = info->principal != NULL ? 0 : ENOMEM;
	}
	krb5_free_unparsed_name(k, name);
	if (client != NULL) {
		krb5_free_principal(k, client);
	}
	return rc;
}

ae_err ae_ccache_read(TALLOC_CTX *mem_ctx, const char *name, const char *realm,
		      struct ae_ccache_info **_info, char *why, size_t why_len)
{
	struct ae_ccache_info *info;
	krb5_context k = NULL;
	krb5_ccache cc = NULL;
	krb5_error_code rc;

	if (name == NULL || name[0] == '\0') {
		ae_why(why, why_len, "no ccache name");
		return AE_ERR_CREDENTIALS;
	}
	if (krb5_init_context(&k) != 0) {
		ae_why(why, why_len, "cannot initialise the krb5 library");
		return AE_ERR_CREDENTIALS;
	}
	info = talloc_zero(mem_ctx, struct ae_ccache_info);
	if (info == NULL) {
		krb5_free_context(k);
		return AE_ERR_NOMEM;
	}
	rc = krb5_cc_resolve(k, name, &cc);
	if (rc == 0) {
		rc = read_cc(k, cc, realm, info);
		krb5_cc_close(k, cc);
	}
	if (rc != 0) {
		k5_why(k, rc, why, why_len);
		krb5_free_context(k);
		talloc_free(info);
		return rc == ENOMEM ? AE_ERR_NOMEM : AE_ERR_CREDENTIALS;
	}
	krb5_free_context(k);
	*_info = info;
	return AE_OK;
}

char *ae_creds_default_ccache(TALLOC_CTX *mem)
{
	krb5_context k = NULL;
	char *out = NULL;

	if (krb5_init_context(&k) == 0) {
		const char *n = krb5_cc_default_name(k);

		out = n != NULL && n[0] != '\0' ? talloc_strdup(mem, n) : NULL;
		krb5_free_context(k);
	}
	if (out == NULL) {
		out = talloc_asprintf(mem, "FILE:/tmp/krb5cc_%ld", (long)geteuid());
	}
	return out;
}
