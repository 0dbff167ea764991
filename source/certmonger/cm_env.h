/*
 * cm_env.h: certmonger's external CA helper contract, the pure part: the
 * operation, the environment certmonger sets (read through a getenv-like
 * function, checked and capped), the cookie that carries a pending request
 * from SUBMIT to POLL, and the exit codes. certmonger's doc/submit.txt
 * (0.79) and getcert-add-ca(1) describe the contract: CERTMONGER_OPERATION
 * SUBMIT, POLL, IDENTIFY, GET-NEW-REQUEST-REQUIREMENTS,
 * GET-RENEW-REQUEST-REQUIREMENTS, GET-SUPPORTED-TEMPLATES,
 * GET-DEFAULT-TEMPLATE, FETCH-ROOTS; exit 0 issued (PEM on stdout), 1 wait
 * (cookie on stdout), 2 rejected, 3 unreachable (retried), 4 needs
 * configuration, 5 wait a given time, 6 operation not supported.
 *
 * Nothing read here becomes a path or a command: the CSR goes to the
 * request parser, the profile is a template name sent to the CA as a
 * request attribute, the cookie is parsed into a CA name and a number.
 */
#ifndef CM_ENV_H
#define CM_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_enroll.h"

enum cm_op {
	CM_OP_SUBMIT = 0,
	CM_OP_POLL,
	CM_OP_IDENTIFY,
	CM_OP_NEW_REQS,		/* GET-NEW-REQUEST-REQUIREMENTS */
	CM_OP_RENEW_REQS,	/* GET-RENEW-REQUEST-REQUIREMENTS */
	CM_OP_TEMPLATES,	/* GET-SUPPORTED-TEMPLATES */
	CM_OP_DEFAULT_TEMPLATE,	/* GET-DEFAULT-TEMPLATE */
	CM_OP_FETCH_ROOTS,
	CM_OP_UNSUPPORTED,	/* anything else: exit 6 */
};

enum cm_exit {
	CM_EXIT_ISSUED = 0,
	CM_EXIT_WAIT = 1,
	CM_EXIT_REJECTED = 2,
	CM_EXIT_UNREACHABLE = 3,
	CM_EXIT_UNCONFIGURED = 4,
	CM_EXIT_WAIT_WITH_DELAY = 5,
	CM_EXIT_UNSUPPORTED = 6,
};

/* Caps on what certmonger passes (bytes). */
#define CM_CSR_MAX	(64 * 1024)
#define CM_PROFILE_MAX	256
#define CM_COOKIE_MAX	1024
#define CM_CA_NAME_MAX	256

/* Unset (NULL) is SUBMIT, as submit.txt suggests for a helper run by hand. */
enum cm_op cm_op_parse(const char *s);

typedef const char *(*cm_getenv_fn)(void *priv, const char *name);

struct cm_env {
	enum cm_op op;
	const char *op_name;		/* as given, "SUBMIT" when unset */
	const uint8_t *csr;		/* CERTMONGER_CSR (PEM), NULL when unset or empty */
	size_t csr_len;
	const char *profile;		/* CERTMONGER_CA_PROFILE, NULL when unset or empty */
	const char *cookie;		/* CERTMONGER_CA_COOKIE, trailing whitespace removed */
	size_t cookie_len;
	bool has_old_cert;		/* CERTMONGER_CERTIFICATE set (a renewal) */
};

/*
 * Read the environment: the operation; for SUBMIT and POLL the CSR
 * (required, at most CM_CSR_MAX), the profile (at most CM_PROFILE_MAX, no
 * control character) and for POLL the cookie (required, at most
 * CM_COOKIE_MAX). Strings are copied to *_e (on mem). A missing or bad
 * value: AE_ERR_CONFIG / AE_ERR_TOO_LARGE / AE_ERR_INVALID with 'why'
 * naming the variable (exit 4).
 */
ae_err cm_env_read(TALLOC_CTX *mem, cm_getenv_fn get, void *priv, struct cm_env **_e,
		   char *why, size_t why_len);

/*
 * The cookie: "aeicpr1.<request id>.<SHA-256 of the request's
 * SubjectPublicKeyInfo, 64 hex>.<CA cn as hex>". Which CA and which
 * request ([MS-ICPR] 3.2.4.1.1 retrieves by request id at that CA), bound
 * to the key of the request that was submitted: POLL refuses a cookie made
 * for another key, and an issued certificate must carry the request's key
 * anyway.
 */
struct cm_cookie {
	uint32_t request_id;		/* 1..UINT32_MAX */
	uint8_t spki_sha256[32];
	char *ca_name;			/* 1..CM_CA_NAME_MAX bytes, no control character */
};

/* The cookie text on mem; NULL for a bad CA name, id 0 or no memory. */
char *cm_cookie_encode(TALLOC_CTX *mem, const char *ca_name, uint32_t request_id,
		       const uint8_t spki_sha256[32]);

/*
 * Parse a cookie (untrusted bytes): exactly the form above, lower-case hex,
 * the id decimal without leading zeros, nothing after it. AE_ERR_TOO_LARGE
 * above CM_COOKIE_MAX, AE_ERR_PARSE otherwise; *_c (on mem) only on success.
 */
ae_err cm_cookie_decode(TALLOC_CTX *mem, const uint8_t *p, size_t len, struct cm_cookie **_c);

/* certmonger's exit code for an enrollment outcome. */
enum cm_exit cm_exit_for(enum ae_outcome o);

#endif
