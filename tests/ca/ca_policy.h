/*
 * ca_policy.h: one CertServerRequest, decided as AD CS's Enterprise policy
 * module would (MS-ICPR 3.2.4.1.1; MS-WCCE 3.2.1.4.2.1, 3.2.2.6.2.1.4).
 *
 * New request (request_id 0, or a request blob present):
 *   authority != CA name (case-insensitive)  -> E_INVALIDARG, no id
 *   no request blob, bad attribute blob       -> E_INVALIDARG, no id
 *   request type other than any/PKCS#10/CMS   -> CRYPT_E_INVALID_MSG_TYPE, no id
 *   (from here on the request gets an id and a database record)
 *   blob of another kind than the type says,
 *   CMS that is not SignedData(id-data)       -> CRYPT_E_INVALID_MSG_TYPE
 *   PKCS#10 / CMS malformed                   -> CRYPT_E_ASN1_BADTAG
 *   PKCS#10 bad self-signature                -> NTE_BAD_SIGNATURE
 *   CMS request: its checks, and a renewal's  -> ca_renewal.h (signature, issuer,
 *                                                revocation, validity)
 *   no template identifier / disagreement     -> CERTSRV_E_NO_CERT_TYPE / _TEMPLATE_CONFLICT
 *   unknown or not in certificateTemplates    -> CERTSRV_E_UNSUPPORTED_CERT_TYPE
 *   renewal of another template / account     -> ca_renewal.h
 *   request version newer than the template   -> CERTSRV_E_BAD_TEMPLATE_VERSION
 *   no Enroll for the caller's token, or the
 *   template listed in <dir>/deny-templates   -> CERTSRV_E_TEMPLATE_DENIED
 *   key smaller than msPKI-Minimal-Key-Size   -> CERTSRV_E_KEY_LENGTH
 *   AD object lacks a required name           -> CERTSRV_E_SUBJECT_{DNS,UPN,EMAIL}_REQUIRED
 *   PEND_ALL_REQUESTS (not for a renewal when
 *   PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT)  -> 5 "Taken Under Submission"
 *   otherwise                                 -> 3 "Issued" + certificate + PKCS#7
 *                                                (CT_FLAG_PUBLISH_TO_DS: also added to the
 *                                                requester's userCertificate, ca_publish.c)
 * A renewal is issued for the caller exactly as a new request (subject and
 * SAN from AD); its record names the renewed serial (ca_db.h renews=), and
 * the certificate index links both ways (ca_certdb.h renews/renewed_by).
 * Every issued certificate is indexed (ca_certdb.h), at submission or at
 * its first retrieval. Every record names the principal that authenticated
 * the submission (ca_db.h requester=, the RPC session's DOMAIN\account).
 * Retrieval (request_id != 0, no request blob):
 *   unknown id -> CERTSRV_E_NO_REQUEST; other caller -> E_ACCESSDENIED;
 *   pending -> 5; denied/failed -> 2 (CR_DISP_DENIED); issued -> 3 (the
 *   certificate is built on the first retrieval and kept).
 * Errors travel in the disposition; the method's status is always 0.
 */
#ifndef CA_POLICY_H
#define CA_POLICY_H

#include <stdint.h>
#include <time.h>
#include <talloc.h>
#include "ae_error.h"
#include "ca.h"
#include "ca_ctx.h"
#include "ca_der.h"
#include "ca_request.h"
#include "ndr_icpr.h"

#define CA_E_DS_UNAVAILABLE	0x8007200Fu	/* HRESULT_FROM_WIN32(ERROR_DS_UNAVAILABLE) */
#define CA_E_NO_SUCH_USER	0x80070525u	/* HRESULT_FROM_WIN32(ERROR_NO_SUCH_USER) */

struct ca_answer {
	uint32_t request_id;
	uint32_t disposition;		/* 2, 3, 5 or an HRESULT */
	char *message;			/* UTF-8, one line */
	struct ca_bytes cert;		/* DER leaf (issued only) */
	struct ca_bytes chain;		/* DER PKCS#7 certs-only (issued only) */
	const char *template_name;	/* for the log; may be NULL */
};

/*
 * Decide one request. ca may be NULL (CA material not loadable: every
 * request is answered with an error). Directory and database failures are
 * answered too; only AE_ERR_NOMEM is returned as an error. *_a on mem_ctx.
 */
ae_err ca_process(TALLOC_CTX *mem_ctx, const struct ca_ctx *ca, const struct ca_directory *dir,
		  const struct ca_caller *caller, const struct icpr_request *req, time_t now,
		  struct ca_answer **_a);

/* The [out] half for an answer (message as UTF-16LE with its NUL). */
ae_err ca_answer_response(TALLOC_CTX *mem_ctx, const struct ca_answer *a,
			  struct icpr_response **_r);

/* internal (ca_answer.c): fill a->disposition and a->message for hr */
ae_err ca_answer_error(struct ca_answer *a, uint32_t hr, const char *detail);

/* internal (ca_retrieve.c): a retrieval; called by ca_process with the db lock */
ae_err ca_retrieve(const struct ca_ctx *ca, const struct ca_directory *dir,
		   const struct ca_caller *caller, uint32_t id, time_t now, struct ca_answer *a);

/* internal (ca_submit.c): issue for a stored/accepted request */
ae_err ca_issue(const struct ca_ctx *ca, const struct ca_template *t,
		const struct ca_account *acct, const struct ca_csr *csr, time_t now,
		struct ca_answer *a);

/*
 * internal (ca_publish.c): CT_FLAG_PUBLISH_TO_DS: an issued answer's
 * certificate added to acct's userCertificate (dir->publish_user_cert).
 * true when it was published; a failure is logged, the issuance stands.
 */
bool ca_publish_issued(const struct ca_directory *dir, const struct ca_template *t,
		       const struct ca_account *acct, const struct ca_answer *a);

#endif
