/*
 * ae_eligibility.h: which certificate templates autoenrollment may enroll
 * for, and the exact reason for every template it may not (the candidate
 * selection; sources in ae_eligibility.c). Pure: no I/O, no clock, no
 * logging; the caller reads the templates, the Enrollment Services and the
 * token, and decides what to do with the answer.
 *
 * The checks, made per template in this order; the first that fails is the
 * template's code (spec sections cited in ae_eligibility.c):
 *
 *   1  NO_AUTOENROLL_FLAG  CT_FLAG_AUTO_ENROLLMENT (0x20) clear: in
 *                          msPKI-Enrollment-Flag for schema version 2 and
 *                          above, in flags for schema version 1 (and 0)
 *   2  CONTEXT             CT_FLAG_MACHINE_TYPE (0x40 of flags) set in the
 *                          user context, or clear in the machine context
 *   3  SCHEMA              msPKI-Template-Schema-Version not 1..4 (an
 *                          absent attribute reads as 1, ae_template.h)
 *   4  CLIENT_VERSION      msPKI-Private-Key-Flag & 0x0F000000 above
 *                          AE_CLIENT_CURRENT_VERSION << 24
 *   5  CA_TEMPLATE         CT_FLAG_IS_CA or CT_FLAG_IS_CROSS_CA in flags
 *   6  NO_SD               no nTSecurityDescriptor, or one that does not
 *                          parse (the permissions cannot be known)
 *   7  ENROLL_DENIED       an ACE denies Enroll to the token (ae_access.h)
 *   8  NO_ENROLL           nothing grants Enroll
 *   9  AUTOENROLL_DENIED   an ACE denies AutoEnroll
 *  10  NO_AUTOENROLL       nothing grants AutoEnroll
 *  11  NOT_PUBLISHED       no Enrollment Service lists the cn in
 *                          certificateTemplates (case-insensitive)
 *  12  USER_INTERACTION    CT_FLAG_USER_INTERACTION_REQUIRED (0x100)
 *  13  RA_SIGNATURES       msPKI-RA-Signature > 0: no RA certificate can
 *                          be offered yet; except with
 *                          CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT
 *                          (0x40): eligible, for renewal only (the reason
 *                          says so; ae_template_renewal_only, decide())
 *  14  KEY_ARCHIVAL        CT_FLAG_REQUIRE_PRIVATE_KEY_ARCHIVAL (0x1 of
 *                          msPKI-Private-Key-Flag): not supported yet
 *  14b NAME_ATTRIBUTE      (ae_eligibility_compute_subject only) the
 *                          template's msPKI-Certificate-Name-Flag needs an
 *                          attribute the principal lacks: mail,
 *                          userPrincipalName, dNSHostName (ae_name_req.h);
 *                          the reason names the attribute and the flag
 *  15  SUPERSEDED          another template that passed 1-14b lists this
 *                          one's cn in msPKI-Supersede-Templates
 *
 * NO_SD is numbered after KEY_ARCHIVAL (the enum is append-only, its values
 * are stable) but checked at 6, where the permission checks need it;
 * NAME_ATTRIBUTE is numbered last and checked at 14b.
 *
 * Not checked here, because it needs data this function does not get:
 * CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE (0x10, user context:
 * the user's userCertificate values; the engine's ae_ds_cert.h finds them,
 * decide() skips the request) and anything about local certificates.
 */
#ifndef AE_ELIGIBILITY_H
#define AE_ELIGIBILITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_pki.h"
#include "ae_sid.h"
#include "ae_template.h"
#include "ae_token.h"

/*
 * Client_Current_Version (MS-WCCE 3.1.2.1): 4 for a client that implements
 * CT_FLAG_REQUIRE_SAME_KEY_RENEWAL, 15 otherwise. We commit to 4.
 */
#define AE_CLIENT_CURRENT_VERSION	4u

/* Inputs above these are AE_ERR_TOO_LARGE. */
#define AE_ELIGIBILITY_TEMPLATES_MAX	16384u
#define AE_ELIGIBILITY_CAS_MAX		1024u
#define AE_SUPERSEDE_EDGES_MAX		(1u << 20)	/* S lists T pairs */

/* "No index" in struct ae_supersession. */
#define AE_SUPERSEDE_NONE		((size_t)-1)

enum ae_context { AE_CONTEXT_MACHINE, AE_CONTEXT_USER };

enum ae_inelig {
	AE_ELIGIBLE = 0,		/* "eligible" */
	AE_INELIG_NO_AUTOENROLL_FLAG,	/* "no-autoenroll-flag" */
	AE_INELIG_CONTEXT,		/* "wrong-context" */
	AE_INELIG_SCHEMA,		/* "unsupported-schema" */
	AE_INELIG_CLIENT_VERSION,	/* "client-version" */
	AE_INELIG_CA_TEMPLATE,		/* "ca-template" */
	AE_INELIG_ENROLL_DENIED,	/* "denied-enroll" */
	AE_INELIG_NO_ENROLL,		/* "no-enroll" */
	AE_INELIG_AUTOENROLL_DENIED,	/* "denied-autoenroll" */
	AE_INELIG_NO_AUTOENROLL,	/* "no-autoenroll" */
	AE_INELIG_NOT_PUBLISHED,	/* "not-published" */
	AE_INELIG_USER_INTERACTION,	/* "user-interaction" */
	AE_INELIG_RA_SIGNATURES,	/* "ra-signatures" */
	AE_INELIG_KEY_ARCHIVAL,		/* "key-archival" */
	AE_INELIG_NO_SD,		/* "no-security-descriptor" */
	AE_INELIG_SUPERSEDED,		/* "superseded" */
	AE_INELIG_NAME_ATTRIBUTE,	/* "missing-name-attribute" */
};

/*
 * One template's verdict. Everything hangs below the array returned by
 * ae_eligibility_compute (one talloc_free of it frees all).
 *
 * reason      one line, never NULL: "eligible: published by LabCA",
 *             "not eligible: denied Enroll by LAB\Deny Group (S-1-5-21-..-1105)",
 *             ... When a callback (conditional) ACE matched the token for
 *             the right that decided, " (a conditional ACE was not
 *             evaluated)" follows. An eligible template in a supersession
 *             cycle says so ("; supersession cycle with B: neither dropped").
 * cas         the cn of every CA (in the order given) that publishes the
 *             template, whatever the code; NULL when num_cas is 0
 * superseded_by  for AE_INELIG_SUPERSEDED, the cn of the template that
 *             lists this one (the first in input order); else NULL
 */
struct ae_eligibility {
	enum ae_inelig code;
	const char *code_name;		/* static: ae_inelig_name(code) */
	char *reason;
	char **cas;
	size_t num_cas;
	const char *superseded_by;
};

/* The stable name of a code (above), "unknown" for other values. */
const char *ae_inelig_name(enum ae_inelig code);

/*
 * sid -> "DOMAIN\name", supplied by the caller; may return NULL (then the
 * SID string alone is used). The result is copied at once.
 */
typedef const char *(*ae_sid_namer)(void *private_data, const struct ae_sid *sid);

/*
 * The verdict for templates[0..n) in context ctx for the principal whose
 * token is given, against the Enrollment Services cas[0..num_cas). namer
 * may be NULL. *_out is a talloc array of n verdicts on mem, in the order
 * of templates (an empty array when n is 0); set only on success.
 * Errors: AE_ERR_INVALID (NULL arguments, a NULL template, CA or cn, an
 * unknown ctx), AE_ERR_TOO_LARGE (above the caps), AE_ERR_NOMEM. Nothing
 * is left on mem on failure; the inputs are not modified.
 */
ae_err ae_eligibility_compute(TALLOC_CTX *mem, struct ae_template *const *templates, size_t n,
			      struct ae_enrollment_service *const *cas, size_t num_cas,
			      const struct ae_token *token, enum ae_context ctx,
			      ae_sid_namer namer, void *namer_data,
			      struct ae_eligibility **_out);

/*
 * ae_eligibility_compute, and step 14b: the name flags against the
 * principal's attributes 'subject' (ae_name_req.h; NULL: not checked).
 */
struct ae_subject_attrs;
ae_err ae_eligibility_compute_subject(TALLOC_CTX *mem, struct ae_template *const *templates,
				      size_t n, struct ae_enrollment_service *const *cas,
				      size_t num_cas, const struct ae_token *token,
				      enum ae_context ctx, const struct ae_subject_attrs *subject,
				      ae_sid_namer namer, void *namer_data,
				      struct ae_eligibility **_out);

/*
 * The templates the principal may request explicitly (certreq, a
 * certmonger CA helper), not by autoenrollment: ae_eligibility_compute
 * without the steps only autoenrollment has, 1 (CT_FLAG_AUTO_ENROLLMENT),
 * 9-10 (the AutoEnroll right, or the policy server's autoEnroll), 12 (user
 * interaction: the caller asked) and 15 (supersession: the caller names its
 * template). Same arguments, outputs and errors.
 */
ae_err ae_eligibility_compute_enroll(TALLOC_CTX *mem, struct ae_template *const *templates,
				     size_t n, struct ae_enrollment_service *const *cas,
				     size_t num_cas, const struct ae_token *token,
				     enum ae_context ctx, ae_sid_namer namer, void *namer_data,
				     struct ae_eligibility **_out);

/*
 * Supersession among candidates (MS-CRTD 2.21), the
 * last step of ae_eligibility_compute, exposed for tests.
 *
 * S supersedes T when both are candidates, S != T and one of S's
 * msPKI-Supersede-Templates values equals T's cn (case-insensitive). T is
 * dropped when some S supersedes it, unless T also reaches S through
 * supersession (a cycle: A lists B and B lists A, or longer): templates in
 * one cycle never drop each other. A chain A -> B -> C drops B and C (B
 * still counts, being a candidate); templates that are not candidates drop
 * nothing. Linear in templates + values (strongly connected components).
 *
 * out[i].superseded_by: index of the first S in input order that drops i,
 * or AE_SUPERSEDE_NONE. out[i].cycle_with: for a candidate in a cycle, the
 * index of another member of it, else AE_SUPERSEDE_NONE. Non-candidates get
 * NONE for both. AE_ERR_INVALID for NULL arguments or a NULL template or
 * cn, AE_ERR_TOO_LARGE above AE_ELIGIBILITY_TEMPLATES_MAX templates or
 * AE_SUPERSEDE_EDGES_MAX supersession pairs, AE_ERR_NOMEM;
 * out[] is filled only on success.
 */
struct ae_supersession {
	size_t superseded_by;
	size_t cycle_with;
};

ae_err ae_supersession_compute(struct ae_template *const *templates, size_t n,
			       const bool *candidate, struct ae_supersession *out);

#endif
