/*
 * ae_wstep_ca.h: MS-WSTEP as the second implementation of the step's CA
 * call (ae_step_call_fn, ae_step.h), for the CAs of MS-XCEP policy servers
 * (struct ae_enrollment_service with xcep_ca set, ae_pki.h). The step
 * (store transitions, verification, install) is the one MS-ICPR uses; only
 * the call differs:
 *
 *   icpr_request with a request blob -> RequestSecurityToken, RequestType
 *     Issue ([MS-WSTEP] 3.1.4.1.2.1): a PKCS#10 as #PKCS10, a renewal's CMS
 *     SignedData (the bytes MS-ICPR sends, [MS-WCCE] 3.1.1.4.3.2.1) as
 *     #PKCS7, the template of the attributes ("CertificateTemplate:NAME")
 *     as AdditionalContext (3.1.4.1.3.3);
 *   icpr_request with a request id and no request -> RequestType
 *     QueryTokenStatus with the RequestID (3.1.4.1.2.7);
 *   the answer (ae_wstep_parse_response) -> icpr_response: issued
 *     (disposition 3, the certificate, the PKCS#7 chain), pending (5 and
 *     the request id), denied (the HRESULT of CertificateEnrollmentWSDetail
 *     ErrorCode, 3.1.4.1.4.1, so the step names it as it names an MS-ICPR
 *     one, exit 4).
 *
 * The three things stay apart as on the MS-ICPR path: no HTTPS exchange
 * with any end point (connect, TLS, authentication: outcome UNREACHABLE
 * or MISCONFIGURED, the call fails); the method failed (an HTTP error
 * status, a SOAP fault without a CA error code, an answer that does not
 * parse or whose wsa:RelatesTo is not our MessageID: the call fails, no
 * disposition); the CA's disposition (AE_OK and the response).
 *
 * End points: the CA's URIs by priority (lower first, [MS-XCEP]
 * 3.1.4.1.3.4), renewalOnly ones only for a renewal (and, for a
 * QueryTokenStatus, after the others); each with the authentication it
 * names, through the policy server's options (ae_polsrv_https_opts_why); a
 * renewal through a certificate end point authenticates with the
 * template's current certificate and key (key-based renewal, [MS-WSTEP]
 * 3.1.4.1.2.1 / [MS-XCEP] 3.1.4.1.3.4 ClientAuthentication 8). A connection
 * error, a server certificate that does not verify (nothing is sent) or an
 * authentication failure moves on to the next end point; every failure is
 * kept (failures) naming the URL and the cause.
 */
#ifndef AE_WSTEP_CA_H
#define AE_WSTEP_CA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include <tevent.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "ae_error.h"
#include "ae_https.h"

struct ae_session;
struct ae_polsrv;
struct ae_enrollment_service;
struct ae_enroll_result;
struct icpr_request;
struct icpr_response;

/* ae_https_post's shape (the real one by default; a fake in unit tests) */
typedef ae_err (*ae_wstep_post_fn)(TALLOC_CTX *mem, struct tevent_context *ev, const char *url,
				   const struct ae_https_opts *o, const uint8_t *body,
				   size_t body_len, struct ae_https_response **_resp, char *why,
				   size_t why_len);

/* ae_polsrv_https_opts_why's shape (the real one by default; a fake in unit tests) */
typedef ae_err (*ae_wstep_opts_fn)(TALLOC_CTX *mem, const struct ae_session *s,
				   const struct ae_polsrv *ps, uint32_t auth,
				   struct ae_https_opts *_opts, char **_username, char **_password,
				   char *why, size_t why_len);

/*
 * The priv of ae_wstep_ca_call: one CA call (a request or a retrieval). A
 * talloc object: the outputs hang below it.
 */
struct ae_wstep_ca {
	const struct ae_session *s;		/* credentials, s->ev */
	const struct ae_enrollment_service *svc;	/* svc->xcep_ca: its URIs */
	const struct ae_polsrv *ps;		/* its policy server (auth, credential, pin) */
	bool renewal;				/* renewalOnly end points usable */
	/* key-based renewal: the template's current pair (not owned), or NULL */
	EVP_PKEY *current_key;
	X509 *current_cert;
	ae_wstep_post_fn post;			/* NULL: ae_https_post */
	ae_wstep_opts_fn opts;			/* NULL: ae_polsrv_https_opts_why */
	unsigned *requests;			/* counts the requests sent, or NULL */
	/* out, below this struct: what failed before the end point used
	 * ("URL: cause; ..."), or NULL; the URL used and how (for the report) */
	char *failures;
	char *used_url;
	const char *used_auth;
};

/* ae_step_call_fn (priv: struct ae_wstep_ca). See above. */
ae_err ae_wstep_ca_call(void *priv, TALLOC_CTX *mem, struct ae_enroll_result *r,
			const struct icpr_request *in, struct icpr_response **_resp);

/*
 * Helpers, exposed for the tests. The order in which the CA's URIs are
 * tried (indices into xcep_ca->uris, on mem): priority, then the
 * response's order; renewalOnly URIs only when renewal (query: last).
 */
enum ae_wstep_op { AE_WSTEP_OP_ISSUE, AE_WSTEP_OP_RENEW, AE_WSTEP_OP_QUERY };
ae_err ae_wstep_ca_order(TALLOC_CTX *mem, const struct ae_enrollment_service *svc,
			 enum ae_wstep_op op, size_t **_idx, size_t *_n);

/* "kerberos", "password", "certificate", "anonymous" (client_auth AE_XCEP_AUTH_*) */
const char *ae_wstep_ca_auth_name(uint32_t client_auth);

/*
 * The value of "CertificateTemplate:" in an MS-ICPR attributes blob
 * (UTF-16LE "Name:Value" lines, [MS-WCCE] 2.2.2.7.10), on mem;
 * AE_ERR_NOT_FOUND when it names none.
 */
ae_err ae_wstep_ca_template(TALLOC_CTX *mem, const uint8_t *attribs, size_t len, char **_name);

/* true when der is a CMS ContentInfo (a renewal), false for a PKCS#10. */
bool ae_wstep_ca_is_cms(const uint8_t *der, size_t len);

#endif
