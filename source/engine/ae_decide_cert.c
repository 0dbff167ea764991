/*
 * The certificate side of decide() (ae_decide.h): renewal timing, which
 * store certificate belongs to which template, the current one of each
 * template, revocation look-up, names. Pure, like the rest of decide().
 *
 * Sources:
 *   renew_at            the Microsoft Learn troubleshooting article
 *                       "Approval required for certificate renewals when
 *                       certificate autoenrollment configured": "completed
 *                       80% of its validity period and be within the renewal
 *                       period", so the later of the two points.
 *   supported periods   the same article gives "more than 8 hours
 *                       and less than 20% of the validity period" for normal
 *                       renewal and says that with unsupported values "the
 *                       certificate renewal is skipped and the client triggers
 *                       new enrollment requests instead". That these bounds are
 *                       the exact test, that the validity is the template's
 *                       (the article speaks of the values "configured in a
 *                       certificate template") and that an overlap as long as
 *                       the certificate's own life is unsupported too, is ours.
 *   template extension  [MS-WCCE] 2.2.2.7.7.1-2: OID +
 *                       major/minor (v2+), or the v1 name; only certificates
 *                       carrying one are managed ("Certificate Autoenrollment
 *                       in Windows Server 2003", Autoenrollment Functions). Ours:
 *                       a certificate this client requested and recorded
 *                       without one (the CA omitted it) is bound to the
 *                       template its record is for, since the client knows
 *                       what it asked for; otherwise every cycle would
 *                       enroll again.
 *   current certificate ours: the newest valid one matching
 *                       T, or matching a template that T supersedes.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "ae_decide_private.h"

/* Caps that keep the arithmetic below far from int64 overflow. */
#define PERIOD_CAP ((int64_t)1 << 40)	/* ~34,800 years in seconds */

static const char *const kind_names[] = {
	[AE_ACTION_ENROLL] = "enroll",
	[AE_ACTION_RENEW] = "renew",
	[AE_ACTION_REENROLL] = "re-enroll",
	[AE_ACTION_RETRIEVE] = "retrieve",
	[AE_ACTION_ARCHIVE] = "archive",
	[AE_ACTION_REMOVE] = "remove",
	[AE_ACTION_WARN] = "warn",
	[AE_ACTION_SKIP] = "skip",
};

static const char *const cause_names[] = {
	[AE_CAUSE_NO_CERTIFICATE] = "no-certificate",
	[AE_CAUSE_RENEWAL_DUE] = "renewal-due",
	[AE_CAUSE_EXPIRED] = "expired",
	[AE_CAUSE_REVOKED] = "revoked",
	[AE_CAUSE_SUPERSEDED] = "superseded",
	[AE_CAUSE_MAJOR_REVISION] = "major-revision",
	[AE_CAUSE_RA_SIGNATURES] = "ra-signatures",
	[AE_CAUSE_UNSUPPORTED_PERIODS] = "unsupported-periods",
	[AE_CAUSE_PENDING] = "pending",
	[AE_CAUSE_REPLACED] = "replaced",
	[AE_CAUSE_EXPIRING] = "expiring",
	[AE_CAUSE_VALID] = "valid",
	[AE_CAUSE_SKIP_AUTO_RENEWAL] = "skip-auto-renewal",
	[AE_CAUSE_REVOCATION_UNKNOWN] = "revocation-unknown",
	[AE_CAUSE_NOT_ELIGIBLE] = "not-eligible",
	[AE_CAUSE_PENDING_NOT_RETRIEVED] = "pending-not-retrieved",
	[AE_CAUSE_POLICY_ABSENT] = "policy-absent",
	[AE_CAUSE_POLICY_DISABLED] = "policy-disabled",
	[AE_CAUSE_POLICY_NO_TEMPLATE_CHECK] = "policy-no-template-check",
	[AE_CAUSE_POLICY_NO_STORE_MANAGEMENT] = "policy-no-store-management",
	[AE_CAUSE_BACKING_OFF] = "backing-off",
	[AE_CAUSE_FORCED] = "forced",
	[AE_CAUSE_NOTHING_TO_RENEW] = "nothing-to-renew",
	[AE_CAUSE_DS_CERTIFICATE] = "ds-certificate",
	[AE_CAUSE_NEEDS_MANUAL_REQUEST] = "needs-manual-request",
};

const char *ae_action_kind_name(enum ae_action_kind kind)
{
	if ((size_t)kind >= sizeof(kind_names) / sizeof(kind_names[0])) {
		return "unknown";
	}
	return kind_names[kind];
}

const char *ae_action_cause_name(enum ae_action_cause cause)
{
	if ((size_t)cause >= sizeof(cause_names) / sizeof(cause_names[0])) {
		return "unknown";
	}
	return cause_names[cause];
}

static bool time_ok(int64_t t)
{
	return t >= AE_DECIDE_TIME_MIN && t <= AE_DECIDE_TIME_MAX;
}

static int64_t clamp_period(int64_t s)
{
	if (s < 0) {
		return 0;
	}
	if (s > PERIOD_CAP) {
		return PERIOD_CAP;
	}
	return s;
}

time_t ae_decide_renew_at(time_t not_before, time_t not_after, int64_t overlap_s)
{
	int64_t nb = (int64_t)not_before;
	int64_t na = (int64_t)not_after;
	int64_t life, elapsed_point, overlap_point;

	if (!time_ok(nb) || !time_ok(na) || na <= nb) {
		return not_after;
	}
	life = na - nb;
	elapsed_point = nb + life * AE_RENEW_ELAPSED_PERCENT / 100;
	overlap_point = na - clamp_period(overlap_s);
	return (time_t)(elapsed_point > overlap_point ? elapsed_point : overlap_point);
}

bool ae_decide_periods_supported(int64_t template_validity_s, int64_t overlap_s,
				 time_t not_before, time_t not_after)
{
	int64_t nb = (int64_t)not_before;
	int64_t na = (int64_t)not_after;
	int64_t life, validity, overlap;

	if (!time_ok(nb) || !time_ok(na) || na <= nb) {
		return false;
	}
	life = na - nb;
	validity = template_validity_s > 0 ? clamp_period(template_validity_s) : life;
	overlap = clamp_period(overlap_s);
	if (overlap <= AE_RENEW_OVERLAP_MIN_S) {
		return false;
	}
	if (overlap * 100 >= validity * AE_RENEW_OVERLAP_MAX_PERCENT) {
		return false;
	}
	return overlap < life;
}

const char *ae_decide_format_time(char buf[AE_DECIDE_TIME_BUF], time_t t)
{
	struct tm tm = {0};

	if (!time_ok((int64_t)t) || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, AE_DECIDE_TIME_BUF, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		snprintf(buf, AE_DECIDE_TIME_BUF, "?");
	}
	return buf;
}

bool ae_decide_serial_equal(const char *a, const char *b)
{
	while (*a == '0') {
		a++;
	}
	while (*b == '0') {
		b++;
	}
	return strcasecmp(a, b) == 0;
}

static enum ae_revocation_status revocation_of(const struct ae_decide_input *in,
					       const struct ae_store_cert *c)
{
	size_t i;

	if (c->serial_hex == NULL) {
		return AE_REVSTAT_GOOD;
	}
	for (i = 0; i < in->num_revocations; i++) {
		const struct ae_revocation_entry *r = &in->revocations[i];

		if (r->serial_hex != NULL && ae_decide_serial_equal(r->serial_hex, c->serial_hex)) {
			return r->status;
		}
	}
	return AE_REVSTAT_GOOD;
}

bool ae_decide_cert_bound(const struct ae_store_cert *c)
{
	return c->template_oid == NULL && c->template_v1_name == NULL && c->has_record &&
	       c->template_name != NULL;
}

bool ae_decide_cert_is_of(const struct ae_template *t, const struct ae_store_cert *c)
{
	if (c->template_oid != NULL && t->oid != NULL && strcmp(c->template_oid, t->oid) == 0) {
		return true;
	}
	if (ae_decide_cert_bound(c)) {
		return strcasecmp(c->template_name, t->cn) == 0;
	}
	return c->template_v1_name != NULL && strcasecmp(c->template_v1_name, t->cn) == 0;
}

/* Installed, with a certificate whose times make sense. */
static bool cert_usable(const struct ae_store_cert *c)
{
	if (c->state == AE_CERT_NONE || c->state == AE_CERT_ARCHIVED ||
	    c->state == AE_CERT_REMOVED || c->invalid) {	/* invalid: ae_store_check.h */
		return false;
	}
	return time_ok((int64_t)c->not_before) && time_ok((int64_t)c->not_after) &&
	       c->not_after > c->not_before;
}

/* T lists cn in msPKI-Supersede-Templates. */
static bool supersedes(const struct ae_template *t, const char *cn)
{
	size_t k;

	if (cn == NULL) {
		return false;
	}
	for (k = 0; k < t->num_supersede; k++) {
		if (t->supersede[k] != NULL && strcasecmp(t->supersede[k], cn) == 0) {
			return true;
		}
	}
	return false;
}

static bool info_valid(const struct ae_decide_cert_info *x)
{
	return !x->expired && x->rev != AE_REVSTAT_REVOKED;
}

/* Whether certificate a is a better "current" than b (NONE: anything is). */
static bool better(const struct ae_store_cert *certs, const struct ae_decide_cert_info *info,
		   size_t a, size_t b)
{
	if (b == AE_DECIDE_NONE) {
		return true;
	}
	if (info_valid(&info[a]) != info_valid(&info[b])) {
		return info_valid(&info[a]);
	}
	if (certs[a].not_before != certs[b].not_before) {
		return certs[a].not_before > certs[b].not_before;
	}
	return certs[a].not_after > certs[b].not_after;
}

enum match { MATCH_OWN, MATCH_SUPERSEDED };

/*
 * Let template i take the best unclaimed candidate of the kind 'how', if
 * better than what it has; a certificate it gives up is free again.
 */
static void claim(const struct ae_decide_input *in, struct ae_decide_cert_info *info,
		  size_t *current, size_t i, enum match how)
{
	const struct ae_store_cert *certs = in->snapshot->certs;
	const struct ae_template *t = in->templates[i];
	size_t best = current[i];
	size_t k;

	for (k = 0; k < in->snapshot->num_certs; k++) {
		const struct ae_store_cert *c = &certs[k];
		bool match;

		if (!info[k].usable || !c->key_present || info[k].current_of != AE_DECIDE_NONE) {
			continue;
		}
		if (how == MATCH_OWN) {
			match = ae_decide_cert_is_of(t, c);
		} else {
			match = !ae_decide_cert_is_of(t, c) && supersedes(t, info[k].cn);
		}
		if (match && better(certs, info, k, best)) {
			best = k;
		}
	}
	if (best == current[i]) {
		return;
	}
	if (current[i] != AE_DECIDE_NONE) {
		info[current[i]].current_of = AE_DECIDE_NONE;
	}
	current[i] = best;
	info[best].current_of = i;
}

void ae_decide_scan_certs(const struct ae_decide_input *in, struct ae_decide_cert_info *info,
			  size_t *current)
{
	size_t num_certs = in->snapshot != NULL ? in->snapshot->num_certs : 0;
	size_t i, k;

	for (i = 0; i < in->num_templates; i++) {
		current[i] = AE_DECIDE_NONE;
	}
	for (k = 0; k < num_certs; k++) {
		const struct ae_store_cert *c = &in->snapshot->certs[k];

		info[k] = (struct ae_decide_cert_info) {
			.usable = cert_usable(c),
			.expired = (int64_t)in->now >= (int64_t)c->not_after,
			.rev = revocation_of(in, c),
			.tpl = AE_DECIDE_NONE,
			.cn = ae_decide_cert_bound(c) ? c->template_name : c->template_v1_name,
			.current_of = AE_DECIDE_NONE,
		};
		for (i = 0; i < in->num_templates; i++) {
			if (ae_decide_cert_is_of(in->templates[i], c)) {
				info[k].tpl = i;
				info[k].cn = in->templates[i]->cn;
				break;
			}
		}
	}
	if (num_certs == 0) {
		return;
	}
	/*
	 * Eligible templates first take their own certificates, then (when
	 * better) those of templates they supersede, so that templates in a
	 * supersession cycle keep their own; the others take what is left of
	 * their own.
	 */
	for (i = 0; i < in->num_templates; i++) {
		if (in->eligibility[i].code == AE_ELIGIBLE) {
			claim(in, info, current, i, MATCH_OWN);
		}
	}
	for (i = 0; i < in->num_templates; i++) {
		if (in->eligibility[i].code == AE_ELIGIBLE) {
			claim(in, info, current, i, MATCH_SUPERSEDED);
		}
	}
	for (i = 0; i < in->num_templates; i++) {
		if (in->eligibility[i].code != AE_ELIGIBLE) {
			claim(in, info, current, i, MATCH_OWN);
		}
	}
}
