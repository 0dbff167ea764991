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

void ae_enroll_fail(struct ae_enroll_result *r, enum ae_outcome o, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

ae_err ae_enroll_lookup_ca(struct ae_session *s, TALLOC_CTX *mem, struct ae_enroll_result *r,
			   const char *template_name, const char *ca_name,
			   struct ae_cert_list **_anchors);

ae_err ae_enroll_call(struct ae_session *s, TALLOC_CTX *mem, struct ae_enroll_result *r,
		      enum ae_transport_choice transport, const struct icpr_request *in,
		      struct icpr_response **_resp);

/*
 * Handle the CA's answer. The store (out_dir, else the session's) is opened
 * (created) only when there is something to keep: issued or pending; then
 * *_store is set.
 */
ae_err ae_enroll_answer(struct ae_session *s, TALLOC_CTX *mem, struct ae_enroll_result *r,
			const char *out_dir, struct ae_store **_store, const struct ae_key *key,
			const struct icpr_response *resp, const struct ae_cert_list *anchors);

ae_err ae_enroll_open_store(struct ae_session *s, TALLOC_CTX *mem, struct ae_enroll_result *r,
			    const char *out_dir, struct ae_store **_store);

#endif
