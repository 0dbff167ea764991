/*
 * ae_decide_private.h: what ae_decide.c (the decisions) and
 * ae_decide_cert.c (certificates: matching, the current one, timing,
 * revocation) share. Not for other files.
 */
#ifndef AE_DECIDE_PRIVATE_H
#define AE_DECIDE_PRIVATE_H

#include <stdarg.h>
#include "ae_decide.h"

/* "No index" for certificates and templates. */
#define AE_DECIDE_NONE ((size_t)-1)

/* Room for ae_decide_format_time: "9999-12-31T23:59:59Z" and a NUL. */
#define AE_DECIDE_TIME_BUF 32

/* What ae_decide_scan_certs learns of each store certificate. */
struct ae_decide_cert_info {
	bool usable;		/* installed and its times are sane */
	bool expired;		/* now >= not_after */
	enum ae_revocation_status rev;
	size_t tpl;		/* index of the template its extension names, or NONE */
	const char *cn;		/* that template's cn (or the v1 name), or NULL */
	size_t current_of;	/* the template it is current for, or NONE */
	bool handled;		/* an ARCHIVE or REMOVE was emitted for it */
};

/*
 * Per-certificate facts (info[0..num_certs)) and the current certificate of
 * every template (current[0..num_templates), AE_DECIDE_NONE when none), as
 * ae_decide.h describes. Both arrays are allocated by the caller.
 */
void ae_decide_scan_certs(const struct ae_decide_input *in, struct ae_decide_cert_info *info,
			  size_t *current);

/*
 * True when the certificate's extension names t itself (OID or v1 name), or
 * it has none and its state record is t's (ae_decide_cert_bound).
 */
bool ae_decide_cert_is_of(const struct ae_template *t, const struct ae_store_cert *c);

/* Hex serials: case-insensitive, leading zeros ignored (ae_decide_cert.c). */
bool ae_decide_serial_equal(const char *a, const char *b);

/* No template extension, and a state record whose template binds it. */
bool ae_decide_cert_bound(const struct ae_store_cert *c);

/* "YYYY-MM-DDTHH:MM:SSZ" (UTC) into buf; "?" when out of range. */
const char *ae_decide_format_time(char buf[AE_DECIDE_TIME_BUF], time_t t);

/* The AEPolicy gate: absent, disabled (0x8000), or open (the bits decide). */
enum ae_decide_gate { GATE_OPEN, GATE_ABSENT, GATE_DISABLED };

struct ae_dctx {
	const struct ae_decide_input *in;
	const struct ae_store_cert *certs;
	size_t num_certs;
	const struct ae_store_pending_req *pending;
	size_t num_pending;
	struct ae_decide_cert_info *info;
	size_t *current;
	bool *pending_done;
	enum ae_decide_gate gate;
	enum ae_action_cause gate_cause;
	const char *gate_text;
	const char *src;	/* " (set by GPO)" or "" */
	uint32_t aepolicy;
	uint32_t percent;
	struct ae_action *acts;	/* reasons hang below it */
	size_t num, cap;
};

/* Append an action; *_idx (may be NULL) gets its index (ae_decide.c). */
ae_err ae_decide_vpush(struct ae_dctx *d, enum ae_action_kind kind, enum ae_action_cause cause,
		       const char *name, const struct ae_template *t,
		       const struct ae_store_cert *cert, const struct ae_store_pending_req *p,
		       size_t *_idx, const char *fmt, va_list ap)
	__attribute__((format(printf, 9, 0)));

/* ae_decide_vpush with the reason as printf arguments. */
ae_err ae_decide_push(struct ae_dctx *d, enum ae_action_kind kind, enum ae_action_cause cause,
		      const char *name, const struct ae_template *t, const struct ae_store_cert *cert,
		      const struct ae_store_pending_req *p, size_t *_idx, const char *fmt, ...)
	__attribute__((format(printf, 9, 10)));

/* Whether component 'bit' of AEPolicy is on (never when absent or disabled). */
static inline bool ae_decide_has(const struct ae_dctx *d, uint32_t bit)
{
	return d->gate == GATE_OPEN && (d->aepolicy & bit) != 0;
}

static inline const char *ae_decide_serial(const struct ae_store_cert *c)
{
	return c->serial_hex != NULL ? c->serial_hex : "?";
}

/*
 * ae_decide_current.c. SKIP: 'what' is due for template i but its AEPolicy
 * component 'bit' (AE_AEPOLICY_ENROLL or AE_AEPOLICY_MANAGE) is off.
 */
ae_err ae_decide_push_off(struct ae_dctx *d, size_t i, const struct ae_store_cert *c,
			  uint32_t bit, size_t *_idx, const char *what);

/* SKIP for a renewal-only template: 'what' would need a new request. */
ae_err ae_decide_push_renewal_only(struct ae_dctx *d, size_t i, const struct ae_store_cert *c,
				    size_t *_idx, const char *what);

/* ae_decide_override.c: the state record of template t (any state), or NULL. */
const struct ae_store_cert *ae_decide_record_of(const struct ae_dctx *d, const struct ae_template *t);

/* The request (action idx) waits while rec counts failures and now < next_attempt: a SKIP. */
ae_err ae_decide_apply_backoff(struct ae_dctx *d, const struct ae_store_cert *rec, size_t idx);

/* force_renew names template i (current certificate k): RENEW it, or SKIP saying why not. */
ae_err ae_decide_forced(struct ae_dctx *d, size_t i, size_t k, size_t first_pending,
			size_t *_idx);

/*
 * ae_decide_ds.c: the ENROLL or RE-ENROLL at idx for template i (current
 * certificate c, may be NULL) becomes a SKIP when the template has
 * CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE and in->ds_certs lists
 * a valid certificate of it other than c and not revoked.
 */
ae_err ae_decide_ds_certificate(struct ae_dctx *d, size_t i, const struct ae_store_cert *c,
				size_t idx);

/*
 * ae_decide_manual.c: the template lets the enrollee supply the subject
 * (0x1); a due certificate c of it without 0x8 (needs a manual request);
 * the SKIP "needs-manual-request" for t (c may be NULL); the main action
 * idx turned into that SKIP when it would enroll, re-enroll, or renew
 * without 0x8.
 */
bool ae_decide_names_by_enrollee(const struct ae_template *t);
bool ae_decide_manual_due(const struct ae_dctx *d, const struct ae_template *t,
			  const struct ae_store_cert *c);
ae_err ae_decide_push_manual(struct ae_dctx *d, const struct ae_template *t,
			     const struct ae_store_cert *c, size_t *_idx);
ae_err ae_decide_manual_names(struct ae_dctx *d, size_t i, const struct ae_store_cert *c,
			      size_t idx);

/* The main action of eligible template i, whose current certificate is k. */
ae_err ae_decide_current(struct ae_dctx *d, size_t i, size_t k, size_t *_idx);

#endif
