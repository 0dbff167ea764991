/*
 * ae_decide_current.c: the main action for a template's current certificate
 * (decide(), ae_decide.h): RE-ENROLL, RENEW or SKIP, each only under the
 * AEPolicy component that allows it, and the renewal-only rule of RA
 * templates with CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT. Sources
 * and precedence: ae_decide.c. Pure, like the rest of decide().
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ae_decide_private.h"

/* What the components' bits are called in the reasons (the GPO dialog's words). */
#define TEXT_TEMPLATE_CHECK	"0x1 (update certificates that use certificate templates)"
#define TEXT_STORE_MANAGEMENT	"0x2 (renew expired certificates, update pending " \
				"certificates, and remove revoked certificates)"

#define REVOCATION_NOTE "; revocation status unknown (CRL unreachable): not re-enrolled for it"

/* An action of template i about certificate c (may be NULL). */
static ae_err act(struct ae_dctx *d, size_t i, const struct ae_store_cert *c,
		  enum ae_action_kind kind, enum ae_action_cause cause, size_t *_idx,
		  const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static ae_err act(struct ae_dctx *d, size_t i, const struct ae_store_cert *c,
		  enum ae_action_kind kind, enum ae_action_cause cause, size_t *_idx,
		  const char *fmt, ...)
{
	const struct ae_template *t = d->in->templates[i];
	va_list ap;
	ae_err err;

	va_start(ap, fmt);
	err = ae_decide_vpush(d, kind, cause, t->cn, t, c, NULL, _idx, fmt, ap);
	va_end(ap);
	return err;
}

ae_err ae_decide_push_off(struct ae_dctx *d, size_t i, const struct ae_store_cert *c,
			  uint32_t bit, size_t *_idx, const char *what)
{
	bool tc = bit == AE_AEPOLICY_ENROLL;

	return act(d, i, c, AE_ACTION_SKIP, tc ? AE_CAUSE_POLICY_NO_TEMPLATE_CHECK :
		   AE_CAUSE_POLICY_NO_STORE_MANAGEMENT, _idx,
		   "%s, but AEPolicy 0x%08x%s lacks %s: nothing done", what, d->aepolicy,
		   d->src, tc ? TEXT_TEMPLATE_CHECK : TEXT_STORE_MANAGEMENT);
}

ae_err ae_decide_push_renewal_only(struct ae_dctx *d, size_t i, const struct ae_store_cert *c,
				    size_t *_idx, const char *what)
{
	return act(d, i, c, AE_ACTION_SKIP, AE_CAUSE_NOT_ELIGIBLE, _idx,
		   "%s; msPKI-RA-Signature %u with CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT "
		   "(0x40): only a renewal signed with a valid certificate of the template goes "
		   "without RA signatures: nothing done", what, d->in->templates[i]->ra_signatures);
}

/* The current certificate k of template i is expired or revoked. */
static ae_err decide_invalid(struct ae_dctx *d, size_t i, size_t k, size_t *_idx)
{
	const struct ae_store_cert *c = &d->certs[k];
	bool revoked = !d->info[k].expired;
	char until[AE_DECIDE_TIME_BUF], what[128];

	if (revoked) {
		snprintf(what, sizeof(what), "certificate %s is revoked", ae_decide_serial(c));
	} else {
		snprintf(what, sizeof(what), "certificate %s expired at %s", ae_decide_serial(c),
			 ae_decide_format_time(until, c->not_after));
	}
	if (ae_template_renewal_only(d->in->templates[i])) {
		return ae_decide_push_renewal_only(d, i, c, _idx, what);
	}
	if (!ae_decide_has(d, AE_AEPOLICY_MANAGE) && !ae_decide_has(d, AE_AEPOLICY_ENROLL)) {
		return ae_decide_push_off(d, i, c, AE_AEPOLICY_MANAGE, _idx, what);
	}
	return act(d, i, c, AE_ACTION_REENROLL, revoked ? AE_CAUSE_REVOKED : AE_CAUSE_EXPIRED,
		   _idx, "%s: re-enroll", what);
}

/* RENEW certificate k of template i (cause: why). */
static ae_err push_renew(struct ae_dctx *d, size_t i, size_t k, enum ae_action_cause cause,
			 size_t *_idx, const char *why, const char *note)
{
	const struct ae_template *t = d->in->templates[i];
	bool same_key = (t->private_key_flag & CT_FLAG_REQUIRE_SAME_KEY_RENEWAL) != 0;
	ae_err err;

	err = act(d, i, &d->certs[k], AE_ACTION_RENEW, cause, _idx, "%s: renew with %s%s%s", why,
		  same_key ? "the same key (CT_FLAG_REQUIRE_SAME_KEY_RENEWAL)" : "a new key",
		  ae_template_renewal_only(t) ? ", signed with the current certificate "
		  "(CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT)" : "", note);
	if (err == AE_OK) {
		d->acts[*_idx].same_key = same_key;
	}
	return err;
}

/*
 * Certificate k is of a template i supersedes, or below i's major version.
 * *_done: an action was pushed. Otherwise, for a major version that the
 * template check (0x1) may not act on, held gets "; <why>" for the reason
 * of what the renewal window decides.
 */
static ae_err decide_outdated(struct ae_dctx *d, size_t i, size_t k, size_t *_idx,
			      char *held, size_t held_len, bool *_done)
{
	const struct ae_template *t = d->in->templates[i];
	const struct ae_store_cert *c = &d->certs[k];
	const char *note = d->info[k].rev == AE_REVSTAT_UNKNOWN ? REVOCATION_NOTE : "";
	bool tc = ae_decide_has(d, AE_AEPOLICY_ENROLL);
	bool ro = ae_template_renewal_only(t);
	char what[256];

	*_done = true;
	if (!ae_decide_cert_is_of(t, c)) {
		snprintf(what, sizeof(what), "certificate %s is of template %s, which %s "
			 "supersedes", ae_decide_serial(c),
			 d->info[k].cn != NULL ? d->info[k].cn : "?", t->cn);
		if (ro) {
			return ae_decide_push_renewal_only(d, i, c, _idx, what);
		}
		if (!tc) {
			return ae_decide_push_off(d, i, c, AE_AEPOLICY_ENROLL, _idx, what);
		}
		return act(d, i, c, AE_ACTION_REENROLL, AE_CAUSE_SUPERSEDED, _idx,
			   "%s: re-enroll%s", what, note);
	}
	if (c->has_major && t->major_revision > c->major) {
		snprintf(held, held_len, "; template major version %u is above the "
			 "certificate's %u", t->major_revision, c->major);
		if (tc && ro) {
			return push_renew(d, i, k, AE_CAUSE_MAJOR_REVISION, _idx, held + 2, note);
		}
		if (tc) {
			return act(d, i, c, AE_ACTION_REENROLL, AE_CAUSE_MAJOR_REVISION, _idx,
				   "%s: re-enroll%s", held + 2, note);
		}
	}
	*_done = false;
	return AE_OK;
}

ae_err ae_decide_current(struct ae_dctx *d, size_t i, size_t k, size_t *_idx)
{
	const struct ae_template *t = d->in->templates[i];
	const struct ae_store_cert *c = &d->certs[k];
	const struct ae_decide_cert_info *x = &d->info[k];
	time_t renew_at = ae_decide_renew_at(c->not_before, c->not_after, t->overlap_s);
	const char *note = x->rev == AE_REVSTAT_UNKNOWN ? REVOCATION_NOTE : "";
	bool ro = ae_template_renewal_only(t), done = false;
	char until[AE_DECIDE_TIME_BUF], at[AE_DECIDE_TIME_BUF], what[256], held[96] = "";
	ae_err err;

	if (x->expired || x->rev == AE_REVSTAT_REVOKED) {
		return decide_invalid(d, i, k, _idx);
	}
	err = decide_outdated(d, i, k, _idx, held, sizeof(held), &done);
	if (err != AE_OK || done) {
		return err;
	}
	ae_decide_format_time(until, c->not_after);
	ae_decide_format_time(at, renew_at);
	if ((int64_t)d->in->now < (int64_t)renew_at) {
		snprintf(what, sizeof(what), "valid until %s, renews at %s", until, at);
		if (held[0] != '\0') {
			strncat(what, held, sizeof(what) - strlen(what) - 1);
			return ae_decide_push_off(d, i, c, AE_AEPOLICY_ENROLL, _idx, what);
		}
		return act(d, i, c, AE_ACTION_SKIP, x->rev == AE_REVSTAT_UNKNOWN ?
			   AE_CAUSE_REVOCATION_UNKNOWN : AE_CAUSE_VALID, _idx, "%s%s", what, note);
	}
	if ((t->enrollment_flag & CT_FLAG_SKIP_AUTO_RENEWAL) != 0) {
		return act(d, i, c, AE_ACTION_SKIP, AE_CAUSE_SKIP_AUTO_RENEWAL, _idx,
			   "valid until %s, renewal due since %s, but the template has "
			   "CT_FLAG_SKIP_AUTO_RENEWAL (0x40000): not renewed%s", until, at, note);
	}
	snprintf(what, sizeof(what), "renewal due since %s (valid until %s)%s", at, until, held);
	if (!ae_decide_has(d, AE_AEPOLICY_MANAGE)) {
		return ae_decide_push_off(d, i, c, AE_AEPOLICY_MANAGE, _idx, what);
	}
	if (t->ra_signatures > 0 && !ro) {
		return act(d, i, c, AE_ACTION_REENROLL, AE_CAUSE_RA_SIGNATURES, _idx,
			   "%s; msPKI-RA-Signature %u: a new request, not a renewal%s", what,
			   t->ra_signatures, note);
	}
	if (!ro && !ae_decide_periods_supported(t->expiration_s, t->overlap_s, c->not_before,
						c->not_after)) {
		return act(d, i, c, AE_ACTION_REENROLL, AE_CAUSE_UNSUPPORTED_PERIODS, _idx,
			   "%s; unsupported periods (renewal %llds, validity %llds: the renewal "
			   "period must be more than 8 hours, under 20%% of the validity and "
			   "shorter than the certificate's life): a new request, not a renewal%s",
			   what, (long long)t->overlap_s, (long long)t->expiration_s, note);
	}
	return push_renew(d, i, k, AE_CAUSE_RENEWAL_DUE, _idx, what, note);
}
