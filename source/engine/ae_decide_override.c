/*
 * ae_decide_override.c: what the state record and the administrator add to
 * decide() (ae_decide.h): the back-off after failed requests and the
 * forced renewal of `autoenroll renew`. Pure, like the rest of decide().
 *
 * Sources (ours, not in the Windows documentation): Windows retries a
 * template whose request failed at its next autoenrollment event, every
 * 8 hours; a client refreshed every 90 to 120 minutes (Samba's Group
 * Policy timer) would ask a denying CA about 13 times as often. So a
 * failed request holds the template back for 1 h, doubling up to the 8 h of
 * Windows, and an issued or pending answer ends it (the cycle records
 * both). A forced renewal is certreq's "-enroll -machine -q renew": a
 * renewal signed with the current certificate ([MS-WCCE] 3.1.1.4.3.2.1),
 * asked for by the administrator, so the renewal window, the AEPolicy
 * components and the back-off do not hold it back; the CA decides.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "ae_decide_private.h"

int64_t ae_decide_backoff_s(uint32_t failures)
{
	int64_t s = AE_BACKOFF_FIRST_S;
	uint32_t n;

	if (failures == 0) {
		return 0;
	}
	for (n = 1; n < failures && s < AE_BACKOFF_MAX_S; n++) {
		s *= 2;
	}
	return s < AE_BACKOFF_MAX_S ? s : AE_BACKOFF_MAX_S;
}

/* The state record of template t (any state), or NULL. */
const struct ae_store_cert *ae_decide_record_of(const struct ae_dctx *d, const struct ae_template *t)
{
	size_t k;

	for (k = 0; k < d->num_certs; k++) {
		if (d->certs[k].has_record && d->certs[k].template_name != NULL &&
		    strcasecmp(d->certs[k].template_name, t->cn) == 0) {
			return &d->certs[k];
		}
	}
	return NULL;
}

/*
 * The request chosen for template i (action idx) waits while earlier ones
 * failed: a SKIP until the record's next_attempt (ours: the CA's answer
 * will not change by asking every cycle; the cycle records the failures).
 */
ae_err ae_decide_apply_backoff(struct ae_dctx *d, const struct ae_store_cert *rec, size_t idx)
{
	struct ae_action *a = &d->acts[idx];
	char until[AE_DECIDE_TIME_BUF];
	char *reason = NULL;

	if (rec == NULL || (a->kind != AE_ACTION_ENROLL && a->kind != AE_ACTION_RENEW &&
			    a->kind != AE_ACTION_REENROLL)) {
		return AE_OK;
	}
	a->failures = rec->failures;
	if (rec->failures == 0 || (int64_t)d->in->now >= (int64_t)rec->next_attempt ||
	    a->cause == AE_CAUSE_FORCED) {
		return AE_OK;
	}
	reason = talloc_asprintf(d->acts, "backing off after %u failed request%s until %s%s%s%s: "
				 "no %s now (%s)", rec->failures, rec->failures == 1 ? "" : "s",
				 ae_decide_format_time(until, rec->next_attempt),
				 rec->reason != NULL ? " (last: " : "",
				 rec->reason != NULL ? rec->reason : "",
				 rec->reason != NULL ? ")" : "", ae_action_kind_name(a->kind),
				 a->reason);
	if (reason == NULL) {
		return AE_ERR_NOMEM;
	}
	talloc_free(a->reason);
	a->kind = AE_ACTION_SKIP;
	a->cause = AE_CAUSE_BACKING_OFF;
	a->same_key = false;
	a->reason = reason;
	return AE_OK;
}

/* force_renew names template i: RENEW its valid current certificate, or say why not. */
ae_err ae_decide_forced(struct ae_dctx *d, size_t i, size_t k, size_t first_pending,
			size_t *_idx)
{
	const struct ae_template *t = d->in->templates[i];
	const struct ae_store_cert *c = k != AE_DECIDE_NONE ? &d->certs[k] : NULL;
	bool same_key = (t->private_key_flag & CT_FLAG_REQUIRE_SAME_KEY_RENEWAL) != 0;
	char until[AE_DECIDE_TIME_BUF];
	ae_err err;

	if (first_pending != AE_ACTION_NONE) {
		return ae_decide_push(d, AE_ACTION_SKIP, AE_CAUSE_NOTHING_TO_RENEW, t->cn, t, c, NULL, NULL,
			    "renewal asked for, but a request for the template is pending at the "
			    "CA: not renewed");
	}
	if (c == NULL || d->info[k].expired || d->info[k].rev == AE_REVSTAT_REVOKED) {
		return ae_decide_push(d, AE_ACTION_SKIP, AE_CAUSE_NOTHING_TO_RENEW, t->cn, t, c, NULL, _idx,
			    "renewal asked for, but the template has no valid certificate%s%s to "
			    "sign it with: use 'autoenroll request %s'", c != NULL ? " (" : "",
			    c == NULL ? "" : d->info[k].expired ? "it expired)" : "it is revoked)",
			    t->cn);
	}
	err = ae_decide_push(d, AE_ACTION_RENEW, AE_CAUSE_FORCED, t->cn, t, c, NULL, _idx,
		   "renewal asked for (valid until %s): renew with %s, signed with the current "
		   "certificate", ae_decide_format_time(until, c->not_after),
		   same_key ? "the same key (CT_FLAG_REQUIRE_SAME_KEY_RENEWAL)" : "a new key");
	if (err == AE_OK) {
		d->acts[*_idx].same_key = same_key;
	}
	return err;
}
