/*
 * ae_decide.h: the MS-CAESO per-template decisions as a pure function
 * (sources in ae_decide.c and ae_decide_cert.c). No I/O, no clock, no
 * logging: the caller reads the policy, the eligibility, the store and the
 * revocation status, passes "now", and acts on (or prints) the answer.
 *
 * AEPolicy (ae_decide.c cites the sources): absent, or 0x8000
 * AUTO_ENROLLMENT_DISABLE_ALL set: nothing but SKIPs. Otherwise each low
 * bit enables one component, and a due action whose component is off is a
 * SKIP naming the bit (policy-no-template-check, policy-no-store-management,
 * pending-not-retrieved):
 *
 *   0x1 AUTO_ENROLLMENT_ENABLE_TEMPLATE_CHECK ("update certificates that use
 *       certificate templates"): ENROLL for an eligible template without a
 *       certificate; RE-ENROLL a superseded certificate or one below the
 *       template's major version; RE-ENROLL an expired or revoked one (it is
 *       no valid certificate of the template)
 *   0x2 AUTO_ENROLLMENT_ENABLE_MY_STORE_MANAGEMENT ("renew expired
 *       certificates, update pending certificates, and remove revoked
 *       certificates"): RENEW in the renewal window (and the RE-ENROLL that
 *       replaces a renewal: RA signatures, unsupported periods); RE-ENROLL an
 *       expired or revoked certificate; REMOVE with template flag 0x400
 *   0x4 AUTO_ENROLLMENT_ENABLE_PENDING_FETCH: RETRIEVE pending requests
 *   ARCHIVE follows the RENEW / RE-ENROLL / RETRIEVE it belongs to; WARN
 *   needs no bit (only a configured, not disabled, policy).
 *
 * What it decides, per template, in this order (the first that applies):
 *
 *   policy gate   AEPolicy absent or 0x8000 set: SKIP
 *   not eligible  SKIP with the eligibility reason (pending: RETRIEVE)
 *   pending       a recorded request for the template: RETRIEVE (0x4), or
 *                 SKIP without 0x4 (no second request while one is pending)
 *   no current    ENROLL
 *   expired       RE-ENROLL
 *   revoked       RE-ENROLL (unknown status: noted, never re-enrolled for)
 *   superseded    RE-ENROLL (the current certificate is of a template this
 *                 one supersedes)
 *   major version RE-ENROLL (template revision above the certificate's);
 *                 without 0x1, what the renewal window asks (below)
 *   renewal due   now >= renew_at: SKIP with CT_FLAG_SKIP_AUTO_RENEWAL,
 *                 RE-ENROLL for RA-signature templates or unsupported
 *                 validity/renewal periods, else RENEW (same_key with
 *                 CT_FLAG_REQUIRE_SAME_KEY_RENEWAL)
 *   otherwise     SKIP "valid until X, renews at Y"
 *   DS certificate  user context, CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE
 *                 (0x10 of msPKI-Enrollment-Flag, [MS-CRTD] 2.26: no
 *                 autoenrollment "if the user's userCertificate attribute
 *                 ... has a valid certificate based on the same template"):
 *                 an ENROLL or RE-ENROLL chosen above is a SKIP when
 *                 ds_certs lists a valid certificate of the template that
 *                 is not the current one and not revoked (the caller checks
 *                 validity: ae_ds_cert.h); a RENEW is not affected
 *   names         template with CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT (0x1): an
 *                 ENROLL or RE-ENROLL chosen above, or a RENEW without
 *                 CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME (0x8), is a
 *                 SKIP "needs-manual-request" with the expiry date; also
 *                 for such a template that is not eligible (enrolled by
 *                 hand) once its certificate is past renew-at
 *   back-off      an ENROLL, RENEW or RE-ENROLL chosen above is a SKIP
 *                 ("backing off after N failed requests until T") while the
 *                 template's record counts failures and now < next_attempt
 *                 (ae_decide_backoff_s; the cycle records them)
 *
 * force_renew (`autoenroll renew TEMPLATE`): for that template, a RENEW
 * (cause "forced") of its current certificate if it is valid, whatever the
 * renewal window, the AEPolicy bits, CT_FLAG_SKIP_AUTO_RENEWAL or the
 * back-off; a SKIP with cause "nothing-to-renew" when it has none (or a
 * pending request, which is retrieved instead). Other templates as usual.
 *
 * A renewal-only template (ae_template_renewal_only: RA signatures with
 * CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT) is RENEWed, signed with
 * its current certificate, where another would be re-enrolled for a major
 * version or unsupported periods, and is SKIPped (not-eligible, with the
 * reason) where a new request would be needed: no certificate, an expired,
 * revoked or superseded one.
 *
 * plus, per certificate: ARCHIVE of the one a RENEW / RE-ENROLL / RETRIEVE
 * replaces, REMOVE of an invalid one when its template has
 * CT_FLAG_REMOVE_INVALID_CERTIFICATE_FROM_PERSONAL_STORE and AEPolicy has
 * 0x2, WARN when less than OfflineExpirationPercent % of its life is left.
 * The sources, and the choices that are ours, are cited in ae_decide.c.
 *
 * The current certificate of template T: a store certificate that is
 * installed (state not NONE, ARCHIVED or REMOVED, not_after > not_before,
 * both within years 1..9999), whose key is present, and whose template
 * extension names T (the OID of a v2+ template, or the v1 name equal to
 * T's cn, case-insensitive) or a template T lists in
 * msPKI-Supersede-Templates (the OID is resolved to a cn through the
 * templates given). Of several, the newest valid one (not expired, not
 * revoked; latest not_before, then latest not_after, then the first); when
 * none is valid, the newest of them. Eligible templates choose first (in
 * input order), then the others take what is left among their own
 * certificates: one certificate is current for at most one template.
 * A certificate without a template extension is of the template its state
 * record is for (has_record: the client requested it for that template;
 * some CAs omit the extension): the record binds it. Without a record
 * either (a certificate installed by hand), it is not managed and ignored.
 */
#ifndef AE_DECIDE_H
#define AE_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <talloc.h>
#include "ae_aesettings.h"
#include "ae_eligibility.h"
#include "ae_error.h"
#include "ae_store_snapshot.h"
#include "ae_template.h"

/* Inputs above these are AE_ERR_TOO_LARGE (templates: AE_ELIGIBILITY_TEMPLATES_MAX). */
#define AE_DECIDE_CERTS_MAX		4096u
#define AE_DECIDE_PENDING_MAX		4096u
#define AE_DECIDE_REVOCATIONS_MAX	65536u

/* Renewal timing (the Microsoft article cited in ae_decide_cert.c). */
#define AE_RENEW_ELAPSED_PERCENT	80		/* renew after 80 % of the life */
#define AE_RENEW_OVERLAP_MIN_S		(8 * 3600)	/* supported overlap: more than 8 h */
#define AE_RENEW_OVERLAP_MAX_PERCENT	20		/*  and less than 20 % of the validity */

/* Times accepted: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z. */
#define AE_DECIDE_TIME_MIN		((int64_t)-62135596800)
#define AE_DECIDE_TIME_MAX		((int64_t)253402300799)

/*
 * Back-off after failed requests: 1 h after the first, doubling, at most
 * AE_BACKOFF_MAX_S (8 h: the interval of Windows' own autoenrollment
 * refresh, which retries a failed template only at its next pulse).
 */
#define AE_BACKOFF_FIRST_S		3600
#define AE_BACKOFF_MAX_S		(8 * 3600)

/* "No action" in ae_action.after. */
#define AE_ACTION_NONE			((size_t)-1)

enum ae_revocation_status {
	AE_REVSTAT_GOOD = 0,		/* checked, not revoked */
	AE_REVSTAT_REVOKED,		/* on the CRL */
	AE_REVSTAT_UNKNOWN,		/* CRL unreachable or unusable */
};

/*
 * The revocation status of one certificate, keyed by its serial number in
 * hex. Serials compare case-insensitively, leading zeros ignored ("00AB"
 * equals "ab"). A certificate whose serial is not listed counts as GOOD
 * (not checked). The first entry for a serial wins.
 */
struct ae_revocation_entry {
	const char *serial_hex;
	enum ae_revocation_status status;
};

/*
 * A valid certificate of a template found in the principal's
 * userCertificate (the cycle checks it: ae_ds_cert.h). Plain facts: decide
 * does not parse certificates.
 */
struct ae_ds_cert {
	const char *template_cn;	/* the template it is a certificate of */
	const char *serial_hex;		/* upper-case hex */
	const char *issuer;		/* one line */
	time_t not_after;
};

/*
 * Everything decide() reads; nothing is modified or kept.
 *
 * aepolicy                    AutoEnrollment\AEPolicy (present or not)
 * offline_expiration_percent  AutoEnrollment\OfflineExpirationPercent; when
 *                             absent, AE_OFFLINE_EXPIRATION_PERCENT_DEFAULT
 *                             (10); values above 100 act as 100, 0 never warns
 * templates, eligibility      num_templates templates and their verdicts
 *                             (ae_eligibility_compute, same order); the
 *                             templates also resolve certificate template OIDs
 * snapshot                    the store (NULL: empty)
 * revocations                 per-serial status (NULL when num_revocations 0)
 * now                         the time to decide at
 * force_renew                 a template cn to renew now (NULL: none)
 * ds_certs                    valid certificates in the principal's
 *                             userCertificate, per template (user context;
 *                             NULL when num_ds_certs is 0)
 * principal_name              the account for reasons ("alice"; NULL: "the user")
 */
struct ae_decide_input {
	struct ae_setting_u32 aepolicy;
	struct ae_setting_u32 offline_expiration_percent;
	struct ae_template *const *templates;
	const struct ae_eligibility *eligibility;
	size_t num_templates;
	const struct ae_store_snapshot *snapshot;
	const struct ae_revocation_entry *revocations;
	size_t num_revocations;
	time_t now;
	const char *force_renew;
	const struct ae_ds_cert *ds_certs;
	size_t num_ds_certs;
	const char *principal_name;
};

enum ae_action_kind {
	AE_ACTION_ENROLL,	/* "enroll": a new key and request */
	AE_ACTION_RENEW,	/* "renew": a renewal request signed with the old key */
	AE_ACTION_REENROLL,	/* "re-enroll": a new request (new key) replacing 'cert' */
	AE_ACTION_RETRIEVE,	/* "retrieve": ask the CA for the pending request */
	AE_ACTION_ARCHIVE,	/* "archive": move the replaced 'cert' to the archive */
	AE_ACTION_REMOVE,	/* "remove": delete the invalid 'cert' */
	AE_ACTION_WARN,		/* "warn": log that 'cert' expires soon; nothing else */
	AE_ACTION_SKIP,		/* "skip": nothing to do, 'reason' says why */
};

enum ae_action_cause {
	AE_CAUSE_NO_CERTIFICATE,	/* "no-certificate"       ENROLL */
	AE_CAUSE_RENEWAL_DUE,		/* "renewal-due"          RENEW */
	AE_CAUSE_EXPIRED,		/* "expired"              RE-ENROLL, REMOVE */
	AE_CAUSE_REVOKED,		/* "revoked"              RE-ENROLL, REMOVE */
	AE_CAUSE_SUPERSEDED,		/* "superseded"           RE-ENROLL */
	AE_CAUSE_MAJOR_REVISION,	/* "major-revision"       RE-ENROLL (renewal-only: RENEW) */
	AE_CAUSE_RA_SIGNATURES,		/* "ra-signatures"        RE-ENROLL instead of RENEW */
	AE_CAUSE_UNSUPPORTED_PERIODS,	/* "unsupported-periods"  RE-ENROLL instead of RENEW */
	AE_CAUSE_PENDING,		/* "pending"              RETRIEVE */
	AE_CAUSE_REPLACED,		/* "replaced"             ARCHIVE */
	AE_CAUSE_EXPIRING,		/* "expiring"             WARN */
	AE_CAUSE_VALID,			/* "valid"                SKIP: nothing to do */
	AE_CAUSE_SKIP_AUTO_RENEWAL,	/* "skip-auto-renewal"    SKIP: renewal due, flag set */
	AE_CAUSE_REVOCATION_UNKNOWN,	/* "revocation-unknown"   SKIP: CRL unreachable */
	AE_CAUSE_NOT_ELIGIBLE,		/* "not-eligible"         SKIP */
	AE_CAUSE_PENDING_NOT_RETRIEVED,	/* "pending-not-retrieved" SKIP: AEPolicy lacks 0x4 */
	AE_CAUSE_POLICY_ABSENT,		/* "policy-absent"        SKIP */
	AE_CAUSE_POLICY_DISABLED,	/* "policy-disabled"      SKIP: AEPolicy 0x8000 */
	AE_CAUSE_POLICY_NO_TEMPLATE_CHECK,	/* "policy-no-template-check"   SKIP: due, lacks 0x1 */
	AE_CAUSE_POLICY_NO_STORE_MANAGEMENT,	/* "policy-no-store-management" SKIP: due, lacks 0x2 */
	AE_CAUSE_BACKING_OFF,		/* "backing-off"          SKIP: earlier requests failed */
	AE_CAUSE_FORCED,		/* "forced"               RENEW: force_renew */
	AE_CAUSE_NOTHING_TO_RENEW,	/* "nothing-to-renew"     SKIP: force_renew, no valid one */
	AE_CAUSE_DS_CERTIFICATE,	/* "ds-certificate"       SKIP: valid one in userCertificate */
	AE_CAUSE_NEEDS_MANUAL_REQUEST,	/* "needs-manual-request" SKIP: enrollee supplies the
					 * subject (0x1) and no 0x8 (ae_decide_manual.c) */
};

/*
 * One decision.
 *
 * template_name  the template's cn (for a pending request of a template not
 *                among the inputs, the record's name, "?" when it has none)
 * t              the template, NULL for such a pending request
 * cert           the certificate concerned: the current one for ENROLL
 *                (always NULL), RENEW, RE-ENROLL, RETRIEVE, SKIP, WARN (may
 *                be NULL for RETRIEVE and SKIP); the one to archive or remove
 * pending        the request of RETRIEVE and of a SKIP for a pending one
 * renew_at       when 'cert' is (was) due for renewal
 *                (ae_decide_renew_at), 0 without a cert
 * same_key       RENEW only: reuse the key (CT_FLAG_REQUIRE_SAME_KEY_RENEWAL)
 * after          ARCHIVE only: the index of the RENEW / RE-ENROLL / RETRIEVE
 *                whose new certificate replaces 'cert': archive only once
 *                that action has installed a certificate; otherwise
 *                AE_ACTION_NONE
 * failures       the template's consecutive failed requests (its record), so
 *                that the cycle can count one more
 * reason         one line for humans, never NULL
 *
 * Order: the actions of each template together, templates in input order,
 * then pending requests of templates not among the inputs. Within a
 * template: REMOVE (independent of the rest, so it comes first: the
 * certificate is invalid whatever happens), then the main action (ENROLL,
 * RENEW, RE-ENROLL, RETRIEVE or SKIP), then ARCHIVE (after the main
 * action), then WARN. Executing in array order, honouring 'after', is
 * correct.
 */
struct ae_action {
	enum ae_action_kind kind;
	enum ae_action_cause cause;
	const char *template_name;
	const struct ae_template *t;
	const struct ae_store_cert *cert;
	const struct ae_store_pending_req *pending;
	time_t renew_at;
	bool same_key;
	size_t after;
	uint32_t failures;
	char *reason;
};

/*
 * Decide. *_actions is a talloc array of *_num actions on mem_ctx (an
 * empty array when there is nothing, e.g. no templates); every reason hangs
 * below it. Pointers in the actions (template_name, t, cert, pending) point
 * into 'in', which must outlive the array. Set only on success.
 * Errors: AE_ERR_INVALID (NULL in/outputs; templates or eligibility NULL
 * with num_templates > 0; a NULL template or cn; a NULL array with a
 * nonzero count; 'now' outside AE_DECIDE_TIME_MIN..MAX),
 * AE_ERR_TOO_LARGE (above the caps), AE_ERR_NOMEM. Nothing is left on
 * mem_ctx on failure.
 */
ae_err ae_decide(TALLOC_CTX *mem_ctx, const struct ae_decide_input *in,
		 struct ae_action **_actions, size_t *_num);

/*
 * renew_at = max(notBefore + 80 % of the lifetime, notAfter - overlap)
 * (ae_decide_cert.c). overlap_s below 0 counts as 0. Inputs must lie within
 * AE_DECIDE_TIME_MIN..MAX and not_after > not_before (else not_after is
 * returned).
 */
time_t ae_decide_renew_at(time_t not_before, time_t not_after, int64_t overlap_s);

/*
 * Whether the validity and renewal periods allow a renewal (our test of the
 * Microsoft article's bounds, ae_decide_cert.c): the overlap is more
 * than AE_RENEW_OVERLAP_MIN_S, less than AE_RENEW_OVERLAP_MAX_PERCENT % of
 * the validity (the template's pKIExpirationPeriod, or the certificate's
 * lifetime when the template has none) and less than the certificate's
 * lifetime. Otherwise renewal is replaced by a new enrollment.
 */
bool ae_decide_periods_supported(int64_t template_validity_s, int64_t overlap_s,
				 time_t not_before, time_t not_after);

/*
 * The back-off after 'failures' consecutive failed requests, in seconds:
 * AE_BACKOFF_FIRST_S * 2^(failures-1), at most AE_BACKOFF_MAX_S; 0 for 0.
 */
int64_t ae_decide_backoff_s(uint32_t failures);

/* Stable names of the enums above ("unknown" for other values). */
const char *ae_action_kind_name(enum ae_action_kind kind);
const char *ae_action_cause_name(enum ae_action_cause cause);

#endif
