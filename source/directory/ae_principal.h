/*
 * ae_principal.h: the security principal autoenrollment runs for (the
 * machine account "MEMBER1$", later a user): its own directory object and
 * its access token, read over the sealed LDAP connection.
 *
 * The token ([MS-DTYP] 2.5.2 as far as AD lists it) is:
 *   user   = objectSid
 *   groups = tokenGroups of the object (constructed by the DC, transitive,
 *            read with a BASE search: AD computes it for no other scope)
 *          + the primary group (domain SID + primaryGroupID) when
 *            tokenGroups lacks it
 *          + Everyone and Authenticated Users (ae_token_add_implicit()).
 */
#ifndef AE_PRINCIPAL_H
#define AE_PRINCIPAL_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_entry.h"
#include "ae_ldap.h"
#include "ae_sid.h"
#include "ae_token.h"

#define AE_PRINCIPAL_NAME_MAX	256	/* bytes of sAMAccountName (AD allows 20 / 16) */
#define AE_PRINCIPAL_DNS_MAX	253	/* bytes of dNSHostName */
#define AE_PRINCIPAL_GUID_LEN	16
#define AE_PRINCIPAL_MAIL_MAX	256	/* bytes of mail (RFC 5321 4.5.3.1.3: 254) */
#define AE_PRINCIPAL_UPN_MAX	1024	/* bytes of userPrincipalName */
#define AE_PRINCIPAL_CERTS_MAX	64	/* userCertificate values kept */
#define AE_PRINCIPAL_CERT_MAX	(64 * 1024)	/* bytes of one value kept */

/* userAccountControl bits ([MS-ADTS] 2.2.16) worth naming. */
#define AE_UAC_ACCOUNTDISABLE			0x00000002u
#define AE_UAC_NORMAL_ACCOUNT			0x00000200u
#define AE_UAC_WORKSTATION_TRUST_ACCOUNT	0x00001000u
#define AE_UAC_SERVER_TRUST_ACCOUNT		0x00002000u

struct ae_principal {
	char *dn;
	char *sam_account_name;
	struct ae_sid sid;			/* objectSid */
	struct ae_sid domain_sid;		/* objectSid without its RID */
	uint32_t primary_group_rid;		/* primaryGroupID */
	char *dns_host_name;			/* dNSHostName; NULL when absent */
	char *mail;				/* mail; NULL when absent */
	char *user_principal_name;		/* userPrincipalName; NULL when absent */
	/*
	 * userCertificate ([RFC 4523] 2.1, multi-valued DER): the values as
	 * the directory returned them, unparsed (the request layer parses
	 * them). At most AE_PRINCIPAL_CERTS_MAX values of 1..
	 * AE_PRINCIPAL_CERT_MAX bytes are kept, in directory order; the
	 * others are counted in user_certs_dropped.
	 */
	struct ae_principal_blob {
		uint8_t *data;
		size_t len;
	} *user_certs;				/* talloc child of the principal */
	size_t num_user_certs;
	size_t user_certs_dropped;
	uint32_t user_account_control;		/* userAccountControl, as bits */
	uint8_t guid[AE_PRINCIPAL_GUID_LEN];	/* objectGUID, stored form */
	struct ae_token *token;			/* talloc child of the principal */
};

/*
 * Pure: the principal from its object entry 'obj' (sAMAccountName,
 * objectSid, primaryGroupID, userAccountControl, objectGUID, optional
 * dNSHostName, mail and userPrincipalName; each single-valued, text
 * without NUL; optional userCertificate, multi-valued, kept as bytes
 * within the caps above) and the entry 'groups' of the BASE
 * search for tokenGroups (each value one binary SID; may be the same
 * entry as obj). objectSid must have at least two sub-authorities (a
 * domain SID and a RID).
 *
 * Errors: AE_ERR_PARSE (a missing or malformed attribute, including no
 * tokenGroups at all: the DC always lists the primary group there, so its
 * absence means it was not computed or not readable), AE_ERR_TOO_LARGE
 * (more than AE_TOKEN_GROUPS_MAX groups), AE_ERR_NOMEM; 'why' (may be
 * NULL) names the attribute. *_p (on mem_ctx) is set only on success.
 */
ae_err ae_principal_from_entries(TALLOC_CTX *mem_ctx, const struct ae_ldap_entry *obj,
				 const struct ae_ldap_entry *groups,
				 struct ae_principal **_p, char *why, size_t why_len);

/*
 * Read the principal whose sAMAccountName is 'sam_account_name' (escaped
 * for the filter here) under base_dn (the defaultNamingContext): one
 * SUBTREE search for its object (with mail, userPrincipalName and
 * userCertificate: no extra search for them), one BASE search on its DN for
 * tokenGroups; then ae_principal_from_entries(). Two LDAP searches.
 *
 * Errors: AE_ERR_INVALID, AE_ERR_NOT_FOUND (no such account), AE_ERR_LDAP
 * (search failed, or more than one object has that name), the errors of
 * ae_principal_from_entries(); each logged with the account name.
 */
ae_err ae_principal_read(struct ae_ldap *conn, TALLOC_CTX *mem_ctx, const char *base_dn,
			 const char *sam_account_name, struct ae_principal **_p);

/*
 * The objectGUID of the object 'dn' (one BASE search), e.g. the forest
 * root domain NC (rootDSE rootDomainNamingContext) whose GUID an "LDAP:"
 * policy server's PolicyID must equal ([MS-CAESO] 4.4.5.3.2.4).
 * Errors: AE_ERR_INVALID, AE_ERR_NOT_FOUND (no such object), AE_ERR_LDAP,
 * AE_ERR_PARSE (objectGUID missing or not 16 bytes).
 */
ae_err ae_ldap_object_guid(struct ae_ldap *conn, const char *dn,
			   uint8_t guid[AE_PRINCIPAL_GUID_LEN]);

#endif
