/*
 * ae_decide_manual.c: templates whose names the enrollee supplies
 * (CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT, msPKI-Certificate-Name-Flag 0x1,
 * [MS-CRTD] 2.28) are never autoenrolled: the names are the
 * administrator's choice (`autoenroll request --subject ...`), and nothing
 * in the directory says what they should be. A due renewal is made only
 * when the template has CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME
 * (0x8: "the subject name and subject alternative name of the certificate
 * being renewed" are reused, [MS-CRTD] 2.28); otherwise the ENROLL,
 * RE-ENROLL or RENEW chosen is a SKIP with cause "needs-manual-request",
 * naming the expiry date. The offline expiry WARN is untouched.
 */
#include <string.h>
#include <talloc.h>
#include "ae_decide_private.h"

bool ae_decide_names_by_enrollee(const struct ae_template *t)
{
	return (t->name_flag & CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT) != 0;
}

bool ae_decide_manual_due(const struct ae_dctx *d, const struct ae_template *t,
			  const struct ae_store_cert *c)
{
	if (!ae_decide_names_by_enrollee(t) ||
	    (t->name_flag & CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME) != 0 || c == NULL) {
		return false;
	}
	return (int64_t)d->in->now >=
	       (int64_t)ae_decide_renew_at(c->not_before, c->not_after, t->overlap_s);
}

static char *manual_reason(const struct ae_dctx *d, const struct ae_template *t,
			   const struct ae_store_cert *c)
{
	char until[AE_DECIDE_TIME_BUF], at[AE_DECIDE_TIME_BUF];

	if (c == NULL) {
		return talloc_asprintf(d->acts, "needs a manual request: template %s lets the "
				       "enrollee supply the subject "
				       "(CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT 0x1), which autoenrollment "
				       "never chooses (autoenroll request --template %s --subject DN)",
				       t->cn, t->cn);
	}
	return talloc_asprintf(d->acts, "needs a manual request: certificate %s expires %s "
			       "(renewal due since %s); template %s lets the enrollee supply the "
			       "subject (0x1) without CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME "
			       "(0x8), so it is not renewed automatically (autoenroll request "
			       "--template %s --subject DN ...)", ae_decide_serial(c),
			       ae_decide_format_time(until, c->not_after),
			       ae_decide_format_time(at, ae_decide_renew_at(c->not_before, c->not_after,
									    t->overlap_s)),
			       t->cn, t->cn);
}

ae_err ae_decide_push_manual(struct ae_dctx *d, const struct ae_template *t,
			     const struct ae_store_cert *c, size_t *_idx)
{
	char *reason = manual_reason(d, t, c);
	ae_err err;

	if (reason == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_decide_push(d, AE_ACTION_SKIP, AE_CAUSE_NEEDS_MANUAL_REQUEST, t->cn, t, c, NULL,
			     _idx, "%s", reason);
	talloc_free(reason);
	return err;
}

ae_err ae_decide_manual_names(struct ae_dctx *d, size_t i, const struct ae_store_cert *c,
			      size_t idx)
{
	const struct ae_template *t = d->in->templates[i];
	struct ae_action *a = &d->acts[idx];
	char *reason = NULL;

	if (!ae_decide_names_by_enrollee(t)) {
		return AE_OK;
	}
	if (a->kind != AE_ACTION_ENROLL && a->kind != AE_ACTION_REENROLL &&
	    (a->kind != AE_ACTION_RENEW ||
	     (t->name_flag & CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME) != 0)) {
		return AE_OK;
	}
	reason = manual_reason(d, t, a->kind == AE_ACTION_ENROLL ? NULL : c);
	if (reason == NULL) {
		return AE_ERR_NOMEM;
	}
	talloc_free(a->reason);
	a->reason = reason;
	a->kind = AE_ACTION_SKIP;
	a->cause = AE_CAUSE_NEEDS_MANUAL_REQUEST;
	return AE_OK;
}
