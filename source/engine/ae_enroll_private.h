/* Shared between ae_enroll.c (lookups, call, answer) and ae_enroll_flow.c. */
#ifndef AE_ENROLL_PRIVATE_H
#define AE_ENROLL_PRIVATE_H

#include "ae_enroll.h"

struct ae_store;
struct ae_key;
struct ae_cert_list;
struct icpr_request;
struct icpr_response;
struct ae_enrollment_service;

/* A result not yet decided (outcome INTERNAL, "error"), for template_name (NULL: ""). */
struct ae_enroll_result *ae_enroll_result_new(TALLOC_CTX *mem_ctx, const char *template_name);

void ae_enroll_fail(struct ae_enroll_result *r, enum ae_outcome o, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

ae_err ae_enroll_call(struct ae_session *s, TALLOC_CTX *mem, struct ae_enroll_result *r,
		      enum ae_transport_choice transport, const struct icpr_request *in,
		      struct icpr_response **_resp);

/* The enrollment service for template_name (or the one named ca_name), from AD. */
ae_err ae_enroll_lookup_svc(struct ae_session *s, TALLOC_CTX *mem, struct ae_enroll_result *r,
			    const char *template_name, const char *ca_name,
			    const struct ae_enrollment_service **_svc);

/* ae_step_call_fn over ae_enroll_call (priv: struct ae_enroll_caller) */
struct ae_enroll_caller {
	struct ae_session *s;
	enum ae_transport_choice transport;
};
ae_err ae_enroll_call_fn(void *priv, TALLOC_CTX *mem, struct ae_enroll_result *r,
			 const struct icpr_request *in, struct icpr_response **_resp);

/*
 * Open (create) and lock the store: out_dir, else the session's. Done
 * before anything is sent to a CA: a store that cannot be used fails the
 * command first (exit 8).
 */
ae_err ae_enroll_open_store(struct ae_session *s, TALLOC_CTX *mem, struct ae_enroll_result *r,
			    const char *out_dir, struct ae_store **_store);

/*
 * The CA's answer as an outcome: ISSUED (still to be verified), PENDING, or
 * REJECTED with the HRESULT named and the CA's message; fills
 * disposition, request_id, message, hresult(_name) of r.
 */
void ae_enroll_classify(struct ae_enroll_result *r, const struct icpr_response *resp);

/*
 * The PKCS#10 parameters for template t as this machine (subject and DNS
 * SAN only when the template lets the enrollee supply them), with the
 * given client id (9 certreq-style, 6 autoenrollment) and what the template
 * asks (ae_enroll_template_csr_params; sid: the machine's objectSid, may be
 * NULL); strings on mem.
 */
struct ae_template;
struct ae_csr_params;
struct ae_key_spec;
struct ae_sid;
ae_err ae_enroll_csr_params(struct ae_session *s, TALLOC_CTX *mem, const struct ae_template *t,
			    const struct ae_sid *sid, uint32_t client_id, struct ae_csr_params *p);

/*
 * ae_enroll_tpl.c (sources there). The key a schema 3/4 template names in
 * msPKI-Asymmetric-Algorithm: AE_OK and *spec (before msPKI-Minimal-Key-Size
 * is applied); AE_ERR_NOT_FOUND when it names none (the configured key type
 * applies); AE_ERR_UNSUPPORTED (logged) for an algorithm not generated here.
 */
ae_err ae_enroll_template_key_spec(const struct ae_template *t, struct ae_key_spec *spec);

/*
 * Fill in p what template t asks of the request: the hash, the key usage
 * (and which extensions are critical), the issuance policies and, with
 * CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT and a sid, the SID extension. Lists and
 * strings on mem. AE_ERR_NOMEM.
 */
ae_err ae_enroll_template_csr_params(TALLOC_CTX *mem, const struct ae_template *t,
				     const struct ae_sid *sid, struct ae_csr_params *p);

/* The CA certificates (cACertificate) of an enrollment service, parsed. */
ae_err ae_enroll_anchors(TALLOC_CTX *mem, const struct ae_enrollment_service *svc,
			 struct ae_cert_list **_l);

/* A verified issued certificate: leaf (matches the key, chains to the AD CA). */
struct ae_cert;
struct ae_issued {
	struct ae_cert *leaf;
	char *cert_pem;
	size_t cert_len;
	char *chain_pem;	/* the verified chain: the leaf's issuer .. the AD anchor */
};

ae_err ae_enroll_verify_issued(TALLOC_CTX *mem, struct ae_enroll_result *r,
				const struct ae_key *key, const struct icpr_response *resp,
				const struct ae_cert_list *anchors, struct ae_issued *out);

#endif
