/*
 * ae_name_req.h: what a template's msPKI-Certificate-Name-Flag asks the CA
 * to take from the principal's directory object ([MS-CRTD] 2.28; the CA's
 * processing: [MS-WCCE] 3.2.2.6.2.1.4.5.9), checked against the attributes
 * the principal has, before any request: a request the CA must deny (e.g.
 * CERTSRV_E_SUBJECT_EMAIL_REQUIRED) is not made. Pure: no I/O.
 *
 *   CT_FLAG_SUBJECT_REQUIRE_EMAIL      0x20000000  mail
 *   CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL  0x04000000  mail
 *   CT_FLAG_SUBJECT_ALT_REQUIRE_UPN    0x02000000  userPrincipalName
 *   CT_FLAG_SUBJECT_ALT_REQUIRE_DNS    0x08000000  dNSHostName
 *   CT_FLAG_SUBJECT_REQUIRE_DNS_AS_CN  0x10000000  dNSHostName
 *
 * Checked in this order; the first attribute missing decides. Not checked:
 * CT_FLAG_SUBJECT_ALT_REQUIRE_DOMAIN_DNS, _SPN, _DIRECTORY_GUID and the
 * subject CN / directory path flags (every account has what they need).
 */
#ifndef AE_NAME_REQ_H
#define AE_NAME_REQ_H

#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_eligibility.h"
#include "ae_template.h"

/* The principal's attributes the name flags may need; NULL = absent. */
struct ae_subject_attrs {
	const char *account;		/* sAMAccountName, for the message */
	const char *mail;		/* mail */
	const char *upn;		/* userPrincipalName */
	const char *dns_host_name;	/* dNSHostName */
};

/* The directory attribute a name flag needs ("mail", ...), NULL if none known. */
const char *ae_name_flag_attribute(uint32_t flag);

/*
 * The first requirement of name_flag that 'a' does not meet: *_flag (may
 * be NULL) gets the flag, the return value the attribute ("mail",
 * "userPrincipalName", "dNSHostName"); NULL when every requirement is met.
 * An empty string counts as absent.
 */
const char *ae_name_req_missing(uint32_t name_flag, const struct ae_subject_attrs *a,
				uint32_t *_flag);

/*
 * The reason template t cannot be enrolled for by the principal in context
 * ctx, on mem, without the "not eligible: " prefix, e.g. "the template
 * needs the user's e-mail address (mail) for CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL
 * (0x04000000), which alice's account does not have"; *_why NULL when
 * nothing is missing. Errors: AE_ERR_INVALID (NULL arguments), AE_ERR_NOMEM;
 * *_why is set only on success.
 */
ae_err ae_name_req_check(TALLOC_CTX *mem, const struct ae_template *t, enum ae_context ctx,
			 const struct ae_subject_attrs *a, char **_why);

#endif
