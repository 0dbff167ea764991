/*
 * decide() (ae_decide.h): the MS-CAESO per-template decisions. Pure: reads
 * its input, returns actions; the certificate side is ae_decide_cert.c, the
 * main action for a current certificate ae_decide_current.c, the back-off
 * and the forced renewal (`autoenroll renew`) ae_decide_override.c.
 *
 * Where each rule comes from. MS-CAESO, which specified this client, is
 * retired; its successor [MS-CERSOD] 2.1.2.2.2 keeps only the overview
 * (autoenrollment "examines local certificate storage and renews an already
 * issued certificate or enrolls for new certificates as required"). So a
 * rule below is our reading of Windows' documented behaviour, not normative
 * text, unless it names a specification section; "ours" marks a choice of
 * this file.
 *   AEPolicy           the low bits enable components, 0x8000 disables all
 *                      (ae_decide.h has the table). Names from Windows' certenroll
 *                      headers (AUTO_ENROLLMENT_ENABLE_TEMPLATE_CHECK 0x1,
 *                      _ENABLE_MY_STORE_MANAGEMENT 0x2, _ENABLE_PENDING_FETCH 0x4,
 *                      AUTO_ENROLLMENT_DISABLE_ALL 0x8000); what each component
 *                      does from Microsoft's documentation of the policy's two
 *                      options (PowerShell pki module, Set-CertificateAutoEnrollment-
 *                      Policy: -EnableTemplateCheck "verifies that existing
 *                      certificates are based on the most recent version of a
 *                      certificate template and updates them if they are not";
 *                      -EnableMyStoreManagement "Renew expired certificates, update
 *                      pending certificates, and remove revoked certificates"), and
 *                      [MS-CERSOD] 2.1.2.2.2 (autoenrollment "renews an already
 *                      issued certificate or enrolls for new certificates as
 *                      required"). Absent: nothing (the policy is not configured).
 *                      A due action whose component is off is a SKIP that names
 *                      the missing bit; a major-version re-enrollment that 0x1
 *                      does not allow falls through to the renewal window (0x2).
 *   RETRIEVE           0x4 on its own (also without 0x1 or 0x2: it finishes a
 *                      request already made); a pending request is retrieved
 *                      whatever its template's eligibility today (our own request,
 *                      the CA decides); while one is pending no second request is
 *                      made for the template, with or without 0x4.
 *   ENROLL             no current certificate ([MS-CERSOD] 2.1.2.2.2).
 *   current            ae_decide_cert.c.
 *   RE-ENROLL          superseded ([MS-CRTD] 2.21), major version below
 *                      the template's `revision` ([MS-CRTD] 2.6; 0x1, the template check), revoked, expired (0x2,
 *                      or 0x1: an expired or revoked certificate is no valid
 *                      certificate of the template, which the template check
 *                      enrolls for); revocation status unknown (CRL unreachable)
 *                      is noted, never a re-enrollment.
 *   RENEW              in the renewal window of the Microsoft article cited in
 *                      ae_decide_cert.c; store management (0x2); not with 0x40000
 *                      CT_FLAG_SKIP_AUTO_RENEWAL ([MS-CRTD] 2.26) ("should not be
 *                      autorenewed"; ours: it does not stop re-enrolling an
 *                      expired, revoked, superseded or outdated one); the same key only with 0x80
 *                      CT_FLAG_REQUIRE_SAME_KEY_RENEWAL ([MS-CRTD] 2.27); RA
 *                      signatures: not a renewal, a new request ([MS-WCCE]
 *                      3.1.2.4.2.1), unless the template has 0x40
 *                      CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT ([MS-CRTD]
 *                      2.26: "sign the renewal request using the private key of the
 *                      existing certificate"; the CA then does not enforce the RA
 *                      signatures, [MS-WCCE] 3.2.2.6.2.1.4.5.6 and 3.2.2.6.2.1.4.8):
 *                      such a template is eligible for renewal only
 *                      (ae_eligibility.h), so every replacement of a valid
 *                      certificate is a RENEW and nothing is done without one;
 *                      unsupported validity/renewal periods: "the
 *                      certificate renewal is skipped and the client triggers new
 *                      enrollment requests instead" (the same article; the
 *                      bounds are ours, ae_decide_cert.c).
 *   precedence         ours: re-enrollment before renewal (a renewal would keep
 *                      the old template and version): expired, revoked,
 *                      superseded, major version, then the renewal window.
 *   ARCHIVE            after a successful replacement, the old certificate is
 *                      archived. Ours: it follows the
 *                      replacement, whichever component made it, since
 *                      the new pair takes the template's place in the store and
 *                      archiving is how the old one is kept (Windows marks it
 *                      archived rather than deleting it).
 *   REMOVE             only with 0x400
 *                      CT_FLAG_REMOVE_INVALID_CERTIFICATE_FROM_PERSONAL_STORE
 *                      ([MS-CRTD] 2.26), and only with 0x2 ("remove revoked
 *                      certificates", above). Ours: the flag of the certificate's
 *                      own template counts, and a template's other invalid certificates
 *                      that no template holds as current go too.
 *   DS certificate     [MS-CRTD] 2.26 CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE
 *                      (ae_decide_ds.c): no new request while the user's
 *                      userCertificate holds a valid certificate of the
 *                      template ([MS-CERSOD] says nothing more). Ours: a RENEW
 *                      of a local certificate is not stopped by it.
 *   WARN               the policy value OfflineExpirationPercent (the
 *                      -ExpirationPercentage of Microsoft's PowerShell
 *                      Set-CertificateAutoEnrollmentPolicy: "the percentage of
 *                      the certificate lifetime at which close-to-expiration
 *                      events are logged"): remaining life
 *                      below OfflineExpirationPercent % (default 10) of the
 *                      lifetime; log only, next to whatever else happens. Ours:
 *                      not when AEPolicy is absent or has 0x8000.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "ae_decide_private.h"

ae_err ae_decide_vpush(struct ae_dctx *d, enum ae_action_kind kind, enum ae_action_cause cause,
		       const char *name, const struct ae_template *t,
		       const struct ae_store_cert *cert, const struct ae_store_pending_req *p,
		       size_t *_idx, const char *fmt, va_list ap)
{
	struct ae_action *a = NULL;
	char *reason = NULL;

	if (d->num == d->cap) {
		size_t cap = d->cap < 8 ? 8 : d->cap * 2;
		struct ae_action *grown = talloc_realloc(NULL, d->acts, struct ae_action, cap);

		if (grown == NULL) {
			return AE_ERR_NOMEM;
		}
		d->acts = grown;
		d->cap = cap;
	}
	reason = talloc_vasprintf(d->acts, fmt, ap);
	if (reason == NULL) {
		return AE_ERR_NOMEM;
	}
	a = &d->acts[d->num];
	*a = (struct ae_action) {
		.kind = kind,
		.cause = cause,
		.template_name = name,
		.t = t,
		.cert = cert,
		.pending = p,
		.renew_at = cert != NULL && t != NULL ?
			ae_decide_renew_at(cert->not_before, cert->not_after, t->overlap_s) : 0,
		.after = AE_ACTION_NONE,
		.reason = reason,
	};
	if (_idx != NULL) {
		*_idx = d->num;
	}
	d->num++;
	return AE_OK;
}

ae_err ae_decide_push(struct ae_dctx *d, enum ae_action_kind kind, enum ae_action_cause cause,
		      const char *name, const struct ae_template *t, const struct ae_store_cert *cert,
		      const struct ae_store_pending_req *p, size_t *_idx, const char *fmt, ...)
{
	va_list ap;
	ae_err err;

	va_start(ap, fmt);
	err = ae_decide_vpush(d, kind, cause, name, t, cert, p, _idx, fmt, ap);
	va_end(ap);
	return err;
}

static const char *ca_name(const struct ae_store_pending_req *p)
{
	return p->ca != NULL ? p->ca : "?";
}

/* A pending request: RETRIEVE, or SKIP saying why not. */
static ae_err decide_pending(struct ae_dctx *d, const char *name, const struct ae_template *t,
			     const struct ae_store_cert *cert, const struct ae_store_pending_req *p,
			     size_t *_idx)
{
	char since[AE_DECIDE_TIME_BUF];

	ae_decide_format_time(since, p->submitted);
	if (d->gate == GATE_ABSENT || d->gate == GATE_DISABLED) {
		return ae_decide_push(d, AE_ACTION_SKIP, d->gate_cause, name, t, cert, p, _idx,
			    "request %u pending at %s: not retrieved: %s", p->request_id,
			    ca_name(p), d->gate_text);
	}
	if ((d->aepolicy & AE_AEPOLICY_PENDING) == 0) {
		return ae_decide_push(d, AE_ACTION_SKIP, AE_CAUSE_PENDING_NOT_RETRIEVED, name, t, cert, p, _idx,
			    "request %u pending at %s since %s: AEPolicy 0x%08x lacks 0x4 "
			    "(retrieve pending): not retrieved, and no new request while it is "
			    "pending", p->request_id, ca_name(p), since, d->aepolicy);
	}
	return ae_decide_push(d, AE_ACTION_RETRIEVE, AE_CAUSE_PENDING, name, t, cert, p, _idx,
		    "request %u pending at %s since %s: retrieve", p->request_id, ca_name(p),
		    since);
}

/* Every pending request of template i; *_first: the first action's index. */
static ae_err decide_pendings(struct ae_dctx *d, size_t i, const struct ae_store_cert *cert,
			      size_t *_first)
{
	const struct ae_template *t = d->in->templates[i];
	size_t k;
	ae_err err;

	*_first = AE_ACTION_NONE;
	for (k = 0; k < d->num_pending; k++) {
		const struct ae_store_pending_req *p = &d->pending[k];
		size_t idx = AE_ACTION_NONE;

		if (d->pending_done[k] || p->template_name == NULL ||
		    strcasecmp(p->template_name, t->cn) != 0) {
			continue;
		}
		d->pending_done[k] = true;
		err = decide_pending(d, t->cn, t, cert, p, &idx);
		if (err != AE_OK) {
			return err;
		}
		if (*_first == AE_ACTION_NONE) {
			*_first = idx;
		}
	}
	return AE_OK;
}

/* The template whose flags govern certificate k (its own, else template i). */
static const struct ae_template *owner_of(const struct ae_dctx *d, size_t k, size_t i)
{
	size_t tpl = d->info[k].tpl;

	return d->in->templates[tpl != AE_DECIDE_NONE ? tpl : i];
}

/*
 * REMOVE the invalid certificates of template i (its current one, and any
 * other of its own that no template holds) when their template has 0x400.
 */
static ae_err decide_removals(struct ae_dctx *d, size_t i)
{
	const struct ae_template *t = d->in->templates[i];
	size_t k;
	ae_err err;

	if (!ae_decide_has(d, AE_AEPOLICY_MANAGE)) {
		return AE_OK;
	}
	for (k = 0; k < d->num_certs; k++) {
		const struct ae_decide_cert_info *x = &d->info[k];
		const struct ae_template *owner = NULL;
		bool mine = x->current_of == i ||
			    (x->current_of == AE_DECIDE_NONE && x->tpl == i);
		char when[AE_DECIDE_TIME_BUF];

		if (!mine || !x->usable || x->handled ||
		    (!x->expired && x->rev != AE_REVSTAT_REVOKED)) {
			continue;
		}
		owner = owner_of(d, k, i);
		if ((owner->enrollment_flag &
		     CT_FLAG_REMOVE_INVALID_CERTIFICATE_FROM_PERSONAL_STORE) == 0) {
			continue;
		}
		d->info[k].handled = true;
		if (x->rev == AE_REVSTAT_REVOKED) {
			err = ae_decide_push(d, AE_ACTION_REMOVE, AE_CAUSE_REVOKED, t->cn, t, &d->certs[k],
				   NULL, NULL, "certificate %s is revoked and template %s has "
				   "CT_FLAG_REMOVE_INVALID_CERTIFICATE_FROM_PERSONAL_STORE (0x400): "
				   "remove it", ae_decide_serial(&d->certs[k]), owner->cn);
		} else {
			err = ae_decide_push(d, AE_ACTION_REMOVE, AE_CAUSE_EXPIRED, t->cn, t, &d->certs[k],
				   NULL, NULL, "certificate %s expired at %s and template %s has "
				   "CT_FLAG_REMOVE_INVALID_CERTIFICATE_FROM_PERSONAL_STORE (0x400): "
				   "remove it", ae_decide_serial(&d->certs[k]),
				   ae_decide_format_time(when, d->certs[k].not_after), owner->cn);
		}
		if (err != AE_OK) {
			return err;
		}
	}
	return AE_OK;
}

/* WARN when less than OfflineExpirationPercent % of certificate k's life is left. */
static ae_err decide_warn(struct ae_dctx *d, size_t i, size_t k)
{
	const struct ae_template *t = d->in->templates[i];
	const struct ae_store_cert *c = &d->certs[k];
	const struct ae_decide_cert_info *x = &d->info[k];
	int64_t life = (int64_t)c->not_after - (int64_t)c->not_before;
	int64_t left = (int64_t)c->not_after - (int64_t)d->in->now;
	char until[AE_DECIDE_TIME_BUF];

	if (d->gate == GATE_ABSENT || d->gate == GATE_DISABLED || d->percent == 0 ||
	    x->expired || x->rev == AE_REVSTAT_REVOKED ||
	    left * 100 >= (int64_t)d->percent * life) {
		return AE_OK;
	}
	return ae_decide_push(d, AE_ACTION_WARN, AE_CAUSE_EXPIRING, t->cn, t, c, NULL, NULL,
		    "certificate %s expires at %s: %lld%% of its life left, below "
		    "OfflineExpirationPercent %u", ae_decide_serial(c),
		    ae_decide_format_time(until, c->not_after), (long long)(left * 100 / life),
		    d->percent);
}

/* All actions of template i. */
static ae_err decide_template(struct ae_dctx *d, size_t i)
{
	const struct ae_template *t = d->in->templates[i];
	const struct ae_eligibility *e = &d->in->eligibility[i];
	size_t k = d->current[i];
	const struct ae_store_cert *c = k != AE_DECIDE_NONE ? &d->certs[k] : NULL;
	size_t main_idx = AE_ACTION_NONE, first_pending = AE_ACTION_NONE;
	bool forced = d->in->force_renew != NULL && strcasecmp(d->in->force_renew, t->cn) == 0;
	ae_err err;

	err = decide_removals(d, i);
	if (err != AE_OK) {
		return err;
	}
	if (forced) {
		/* the administrator asked: no gate, no eligibility SKIP (the CA decides) */
	} else if (d->gate != GATE_OPEN) {
		err = ae_decide_push(d, AE_ACTION_SKIP, d->gate_cause, t->cn, t, c, NULL, NULL, "%s",
			   d->gate_text);
	} else if (e->code != AE_ELIGIBLE && ae_decide_manual_due(d, t, c)) {
		err = ae_decide_push_manual(d, t, c, NULL);
	} else if (e->code != AE_ELIGIBLE) {
		err = ae_decide_push(d, AE_ACTION_SKIP, AE_CAUSE_NOT_ELIGIBLE, t->cn, t, c, NULL, NULL, "%s",
			   e->reason != NULL ? e->reason : ae_inelig_name(e->code));
	}
	if (err != AE_OK) {
		return err;
	}
	err = decide_pendings(d, i, c, &first_pending);
	if (err != AE_OK) {
		return err;
	}
	if (forced) {
		err = ae_decide_forced(d, i, k, first_pending, &main_idx);
		if (first_pending != AE_ACTION_NONE &&
		    d->acts[first_pending].kind == AE_ACTION_RETRIEVE) {
			main_idx = first_pending;
		}
		if (err != AE_OK) {
			return err;
		}
	} else if (first_pending != AE_ACTION_NONE &&
		   d->acts[first_pending].kind == AE_ACTION_RETRIEVE) {
		main_idx = first_pending;
	} else if (d->gate == GATE_OPEN && e->code == AE_ELIGIBLE &&
		   first_pending == AE_ACTION_NONE) {
		if (c == NULL && ae_template_renewal_only(t)) {
			err = ae_decide_push_renewal_only(d, i, NULL, &main_idx,
							  "no current certificate");
		} else if (c == NULL && !ae_decide_has(d, AE_AEPOLICY_ENROLL)) {
			err = ae_decide_push_off(d, i, NULL, AE_AEPOLICY_ENROLL, &main_idx,
						 "no current certificate");
		} else if (c == NULL) {
			err = ae_decide_push(d, AE_ACTION_ENROLL, AE_CAUSE_NO_CERTIFICATE, t->cn, t, NULL, NULL,
				   &main_idx, "no current certificate: enroll");
		} else {
			err = ae_decide_current(d, i, k, &main_idx);
		}
		if (err != AE_OK) {
			return err;
		}
	}
	if (main_idx != AE_ACTION_NONE && !forced) {
		err = ae_decide_manual_names(d, i, c, main_idx);
		if (err == AE_OK) {
			err = ae_decide_ds_certificate(d, i, c, main_idx);
		}
		if (err != AE_OK) {
			return err;
		}
	}
	if (main_idx != AE_ACTION_NONE) {
		err = ae_decide_apply_backoff(d, ae_decide_record_of(d, t), main_idx);
		if (err != AE_OK) {
			return err;
		}
	}
	if (c != NULL && !d->info[k].handled && main_idx != AE_ACTION_NONE &&
	    d->acts[main_idx].kind != AE_ACTION_SKIP && d->acts[main_idx].kind != AE_ACTION_ENROLL) {
		d->info[k].handled = true;
		err = ae_decide_push(d, AE_ACTION_ARCHIVE, AE_CAUSE_REPLACED, t->cn, t, c, NULL, NULL,
			   "certificate %s is replaced by the %s (action %zu): archive it once "
			   "the new certificate is installed", ae_decide_serial(c),
			   ae_action_kind_name(d->acts[main_idx].kind), main_idx);
		if (err != AE_OK) {
			return err;
		}
		d->acts[d->num - 1].after = main_idx;
	}
	if (c != NULL) {
		err = decide_warn(d, i, k);
	}
	return err;
}

/* The AEPolicy gate (absent, disabled, open) and its text (on tmp; NULL: no memory). */
static void set_gate(struct ae_dctx *d, TALLOC_CTX *tmp)
{
	const struct ae_setting_u32 *p = &d->in->aepolicy;

	d->aepolicy = p->present ? p->value : 0;
	d->src = "";
	if (p->present && p->source != NULL) {
		d->src = talloc_asprintf(tmp, " (set by %s)", p->source);
		if (d->src == NULL) {
			d->gate_text = NULL;
			return;
		}
	}
	if (!p->present) {
		d->gate = GATE_ABSENT;
		d->gate_cause = AE_CAUSE_POLICY_ABSENT;
		d->gate_text = "AEPolicy is not configured: autoenrollment does nothing";
	} else if ((p->value & AE_AEPOLICY_DISABLED) != 0) {
		d->gate = GATE_DISABLED;
		d->gate_cause = AE_CAUSE_POLICY_DISABLED;
		d->gate_text = talloc_asprintf(tmp, "AEPolicy 0x%08x%s has 0x8000 (disabled): "
					       "autoenrollment does nothing", p->value, d->src);
	} else {
		d->gate = GATE_OPEN;
		d->gate_text = "";
	}
}

static ae_err check_input(const struct ae_decide_input *in)
{
	const struct ae_store_snapshot *s = in->snapshot;
	size_t i;

	if (in->num_templates > 0 && (in->templates == NULL || in->eligibility == NULL)) {
		return AE_ERR_INVALID;
	}
	if (in->num_templates > AE_ELIGIBILITY_TEMPLATES_MAX ||
	    in->num_revocations > AE_DECIDE_REVOCATIONS_MAX ||
	    (s != NULL && (s->num_certs > AE_DECIDE_CERTS_MAX ||
			   s->num_pending > AE_DECIDE_PENDING_MAX))) {
		return AE_ERR_TOO_LARGE;
	}
	if (in->num_ds_certs > AE_DECIDE_CERTS_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if ((in->num_ds_certs > 0 && in->ds_certs == NULL) ||
	    (in->num_revocations > 0 && in->revocations == NULL) ||
	    (s != NULL && ((s->num_certs > 0 && s->certs == NULL) ||
			   (s->num_pending > 0 && s->pending == NULL)))) {
		return AE_ERR_INVALID;
	}
	if ((int64_t)in->now < AE_DECIDE_TIME_MIN || (int64_t)in->now > AE_DECIDE_TIME_MAX) {
		return AE_ERR_INVALID;
	}
	for (i = 0; i < in->num_templates; i++) {
		if (in->templates[i] == NULL || in->templates[i]->cn == NULL) {
			return AE_ERR_INVALID;
		}
	}
	return AE_OK;
}

ae_err ae_decide(TALLOC_CTX *mem_ctx, const struct ae_decide_input *in,
		 struct ae_action **_actions, size_t *_num)
{
	TALLOC_CTX *tmp = NULL;
	struct ae_dctx d = {0};
	size_t i, k;
	ae_err err;

	if (in == NULL || _actions == NULL || _num == NULL) {
		return AE_ERR_INVALID;
	}
	err = check_input(in);
	if (err != AE_OK) {
		return err;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	d.in = in;
	if (in->snapshot != NULL) {
		d.certs = in->snapshot->certs;
		d.num_certs = in->snapshot->num_certs;
		d.pending = in->snapshot->pending;
		d.num_pending = in->snapshot->num_pending;
	}
	d.percent = in->offline_expiration_percent.present ?
		in->offline_expiration_percent.value : AE_OFFLINE_EXPIRATION_PERCENT_DEFAULT;
	if (d.percent > 100) {
		d.percent = 100;
	}
	d.info = talloc_zero_array(tmp, struct ae_decide_cert_info, d.num_certs + 1);
	d.current = talloc_zero_array(tmp, size_t, in->num_templates + 1);
	d.pending_done = talloc_zero_array(tmp, bool, d.num_pending + 1);
	d.acts = talloc_array(tmp, struct ae_action, 0);
	set_gate(&d, tmp);
	if (d.info == NULL || d.current == NULL || d.pending_done == NULL || d.acts == NULL ||
	    d.gate_text == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	ae_decide_scan_certs(in, d.info, d.current);

	for (i = 0; i < in->num_templates && err == AE_OK; i++) {
		err = decide_template(&d, i);
	}
	/* Pending requests of templates not among the inputs. */
	for (k = 0; k < d.num_pending && err == AE_OK; k++) {
		const struct ae_store_pending_req *p = &d.pending[k];

		if (!d.pending_done[k]) {
			d.pending_done[k] = true;
			err = decide_pending(&d, p->template_name != NULL ? p->template_name : "?",
					     NULL, NULL, p, NULL);
		}
	}
	if (err == AE_OK && d.num > 0 && d.num < d.cap) {
		struct ae_action *fit = talloc_realloc(NULL, d.acts, struct ae_action, d.num);

		if (fit == NULL) {
			err = AE_ERR_NOMEM;
		} else {
			d.acts = fit;
		}
	}
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	*_actions = talloc_steal(mem_ctx, d.acts);
	*_num = d.num;
	talloc_free(tmp);
	return AE_OK;
}
