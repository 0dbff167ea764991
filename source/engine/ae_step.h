/*
 * ae_step.h: the one per-template network step that `autoenroll request`,
 * `autoenroll retrieve` and the cycle (`run`) all use: store transition ->
 * CA call -> verify -> store transition, with one result type (struct
 * ae_enroll_result). Building the PKCS#10 request is the caller's (a
 * certreq-style request, an autoenrollment request or a renewal signed
 * with the old key differ), so is choosing and calling the CA (the cycle
 * keeps one connection per CA; the request command honours --transport).
 *
 * Every write goes through the store's transitions (ae_store.h): begin
 * (the new key and the record) before the CA is contacted; an answer
 * "pending" or "issued" is recorded as PENDING with the CA's request id
 * BEFORE anything else is written ([MS-ICPR] 3.2.4.1.1 CertServerRequest: the request id
 * retrieves the request, issued ones included), then commit archives the
 * installed pair and installs the new one; a refusal aborts.
 */
#ifndef AE_STEP_H
#define AE_STEP_H

#include <stdint.h>
#include <stddef.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_enroll.h"
#include "ae_store_snapshot.h"

struct ae_store;
struct ae_key;
struct ae_template;
struct ae_enrollment_service;
struct icpr_request;
struct icpr_response;

/*
 * The CA call: send in, set *_resp (on mem). On failure fill r (outcome
 * UNREACHABLE/INTERNAL/UNVERIFIED, error naming template and CA) and
 * return an error.
 */
typedef ae_err (*ae_step_call_fn)(void *priv, TALLOC_CTX *mem, struct ae_enroll_result *r,
				   const struct icpr_request *in, struct icpr_response **_resp);

struct ae_step_ca {
	const struct ae_enrollment_service *svc;	/* cn, dNSHostName, cACertificate */
	ae_step_call_fn call;
	void *priv;
};

struct ae_step {
	const struct ae_store *store;		/* locked, recovered */
	const char *template_name;		/* the store's name of the template */
	const struct ae_template *t;		/* for renew_at; may be NULL (then 0, unknown) */
	uint32_t request_id;			/* retrieve: must be the record's (0: any) */
	/* submit only */
	enum ae_cert_state kind;		/* AE_CERT_ENROLLING or AE_CERT_RENEWING */
	const struct ae_key *key;		/* the request's key */
	const uint8_t *csr;			/* PKCS#10 or CMC, DER */
	size_t csr_len;
};

/*
 * Submit: begin (key.new + record), CertServerRequest, then pending /
 * commit / abort as the answer says. r (the caller's) gets the outcome,
 * the CA's disposition and request id, and for ISSUED the installed
 * paths, serial and notAfter. Returns AE_OK when the CA answered and the
 * store followed (r->outcome says what: ISSUED, PENDING, REJECTED,
 * UNVERIFIED); an error otherwise, with r->outcome and r->error set.
 */
ae_err ae_step_submit(TALLOC_CTX *mem, const struct ae_step *st, const struct ae_step_ca *ca,
		      struct ae_enroll_result *r);

/*
 * Retrieve the template's PENDING request (CA and id from its record; the
 * key is <template>.key.new). A received answer staged next to it
 * (<template>.crt.new + .chain.pem.new, left by a kill or a full disk) is
 * verified again (key match, chain to the CA certificate in AD) and
 * installed without contacting the CA; otherwise the request id is sent to
 * the CA (MS-ICPR retrieval) and the answer handled as for submit; a
 * transport failure leaves the request pending. st->kind, key and csr are
 * not used.
 */
ae_err ae_step_retrieve(TALLOC_CTX *mem, const struct ae_step *st, const struct ae_step_ca *ca,
			struct ae_enroll_result *r);

/*
 * The template binding of an issued certificate (ae_cycle_attempt.c): with a
 * template extension, a mismatch with t is warned about and the extension
 * counts; without one (the CA omitted it), info is bound to t by the state
 * record (t's version, ca_omits_template_ext), warned once per CA: *_note
 * (on mem) is then set to a line for the caller's report, else untouched.
 */
struct ae_store_certinfo;
void ae_bind_template(TALLOC_CTX *mem, const struct ae_store *store, const char *template_name,
		      const struct ae_enrollment_service *ca, const struct ae_template *t,
		      struct ae_store_certinfo *info, char **_note);

#endif
