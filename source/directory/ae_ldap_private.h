/*
 * ae_ldap_private.h: internals of ae_ldap*.c (the connection struct) and a
 * seam for tests. Not for product code outside ae_ldap*.c.
 */
#ifndef AE_LDAP_PRIVATE_H
#define AE_LDAP_PRIVATE_H

#include <ldap.h>
#include "ae_ldap.h"

struct ae_ldap {
	LDAP *ld;
	char *server;		/* the name given to connect */
	unsigned ssf;		/* negotiated SASL security strength factor */
	unsigned searches;	/* ae_ldap_search() calls that reached the server */
};

/* The sasl_secprops string ae_ldap_connect() uses. */
#define AE_LDAP_SECPROPS "minssf=56"

/*
 * ae_ldap_connect() with another sasl_secprops string (e.g. "maxssf=0" to
 * show that an unsealed bind is refused by SASL, or "minssf=0,maxssf=0" to
 * show that the post-bind SSF check refuses it too). The post-bind check
 * against AE_LDAP_MIN_SSF is applied whatever 'secprops' says, so this can
 * never yield an unsealed connection.
 */
ae_err ae_ldap_connect_secprops(TALLOC_CTX *mem_ctx, const char *dc_fqdn,
				const char *secprops, struct ae_ldap **_conn);

/* ae_ldap_search.c: one entry of a search result as a neutral entry on mem_ctx. */
ae_err ae_ldap_convert_entry(struct ae_ldap *c, LDAPMessage *msg, TALLOC_CTX *mem_ctx,
			     struct ae_ldap_entry **_e);
/*
 * Cyrus SASL initialised once with only its GSSAPI plugin (ae_ldap.c); call
 * it before any ldap_initialize of this process.
 */
void ae_ldap_sasl_gssapi_only(void);

#endif
