/*
 * ae_enroll.h: one explicit enrollment (certreq-style `autoenroll request`)
 * and the retrieval of a pending request, into a store (the session's, or
 * --out) through the store's transitions. They and the autoenrollment
 * cycle run the same per-template step (ae_step.h) with this result type.
 *
 * The outcome keeps the layers apart: the transport status (NTSTATUS of
 * the connect/call), the CA's disposition (3 issued, 5 pending, 2 denied,
 * or an HRESULT) with its message, and our own local errors.
 */
#ifndef AE_ENROLL_H
#define AE_ENROLL_H

#include <stdint.h>
#include <time.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_session.h"

enum ae_outcome {
	AE_OUTCOME_ISSUED = 0,
	AE_OUTCOME_PENDING,		/* the CA took it under submission */
	AE_OUTCOME_REJECTED,		/* the CA denied it or answered an error HRESULT */
	AE_OUTCOME_UNREACHABLE,		/* DC, KDC or CA could not be reached */
	AE_OUTCOME_MISCONFIGURED,	/* template/CA not in AD, bad credentials, options */
	AE_OUTCOME_UNVERIFIED,		/* the answer failed our checks */
	AE_OUTCOME_STORE,		/* writing the store failed */
	AE_OUTCOME_INTERNAL,
};

enum ae_transport_choice {
	AE_TRANSPORT_AUTO = 0,
	AE_TRANSPORT_TCP,
	AE_TRANSPORT_NP,
};

struct ae_enroll_opts {
	const char *template_name;
	const char *ca_name;		/* NULL: the first CA that publishes it */
	const char *key_type;		/* NULL: 'autoenroll:key type' or rsa:2048 */
	const char *out_dir;		/* NULL: the session's store */
	enum ae_transport_choice transport;
	uint32_t request_id;		/* retrieve only */
	/* request only: names the administrator chooses (NULL: none; lists NULL-terminated) */
	const char *subject;		/* --subject, RFC 4514 */
	const char *const *dns;		/* --dns */
	const char *const *ip;		/* --ip */
	const char *upn;		/* --upn */
	const char *email;		/* --email */
};

/* Whether o carries any of the names above. */
bool ae_enroll_names_given(const struct ae_enroll_opts *o);

/*
 * The names of o checked without any network access (ae_enroll_names.c):
 * AE_ERR_INVALID with *_why (on mem) naming the option and the fault.
 */
ae_err ae_enroll_names_check(TALLOC_CTX *mem, const struct ae_enroll_opts *o, char **_why);

struct ae_enroll_result {
	enum ae_outcome outcome;
	const char *outcome_name;	/* "issued", "pending", "denied", "error" */
	uint32_t disposition;		/* as the CA sent it (0 if no answer) */
	uint32_t hresult;		/* the disposition when it is an HRESULT, else 0 */
	const char *hresult_name;	/* CERTSRV_E_... or NULL */
	uint32_t request_id;
	uint32_t nt_status;		/* transport status when the CA was not reached */
	char *message;			/* the CA's disposition message (UTF-8) */
	char *template_name, *ca_name, *ca_host, *binding;
	char *key_path, *cert_path, *chain_path;	/* set when installed */
	char *serial_hex;		/* of the installed certificate */
	time_t not_after;
	char *error;			/* our explanation, naming template, CA and cause */
	char *note;			/* a warning about an issued certificate (e.g. the CA omits
					 * the template extension), or NULL */
};

ae_err ae_enroll_request(TALLOC_CTX *mem_ctx, struct ae_session *s,
			 const struct ae_enroll_opts *o, struct ae_enroll_result **_r);

ae_err ae_enroll_retrieve(TALLOC_CTX *mem_ctx, struct ae_session *s,
			  const struct ae_enroll_opts *o, struct ae_enroll_result **_r);

/* Outcome for a session that could not even be opened. */
enum ae_outcome ae_outcome_from_err(ae_err err);

#endif
