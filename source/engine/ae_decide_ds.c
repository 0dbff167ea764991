/*
 * ae_decide_ds.c: CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE
 * (0x10 of msPKI-Enrollment-Flag, [MS-CRTD] 2.26: the client does not
 * autoenroll for the template "if the user's userCertificate attribute
 * ... in Active Directory has a valid certificate based on the same
 * template"). [MS-CERSOD] 2.1.2.2.2 describes autoenrollment only in
 * outline and adds nothing here. A user who logs on to many machines thus
 * gets one certificate, not one per machine.
 *
 * The cycle finds the valid certificates (ae_ds_cert.h: parsed, within
 * their validity now, of the template, chained to an enterprise CA); this
 * file only turns a new request into a SKIP. Ours: the current local
 * certificate's own copy in the directory does not count (it is what is
 * being replaced), nor does one the CRL check found revoked; a RENEW of a
 * local certificate goes ahead (it replaces a certificate this machine
 * holds, it does not add one to the user).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "ae_decide_private.h"

static bool revoked(const struct ae_decide_input *in, const char *serial)
{
	size_t i;

	for (i = 0; i < in->num_revocations; i++) {
		const struct ae_revocation_entry *r = &in->revocations[i];

		if (r->serial_hex != NULL && ae_decide_serial_equal(r->serial_hex, serial)) {
			return r->status == AE_REVSTAT_REVOKED;
		}
	}
	return false;
}

/* The first usable DS certificate of template t, or NULL. */
static const struct ae_ds_cert *find(const struct ae_decide_input *in,
				     const struct ae_template *t, const struct ae_store_cert *c)
{
	size_t i;

	for (i = 0; i < in->num_ds_certs; i++) {
		const struct ae_ds_cert *x = &in->ds_certs[i];

		if (x->template_cn == NULL || x->serial_hex == NULL ||
		    strcasecmp(x->template_cn, t->cn) != 0 || x->not_after <= in->now) {
			continue;
		}
		if (c != NULL && c->serial_hex != NULL &&
		    ae_decide_serial_equal(c->serial_hex, x->serial_hex)) {
			continue;
		}
		if (revoked(in, x->serial_hex)) {
			continue;
		}
		return x;
	}
	return NULL;
}

ae_err ae_decide_ds_certificate(struct ae_dctx *d, size_t i, const struct ae_store_cert *c,
				size_t idx)
{
	const struct ae_template *t = d->in->templates[i];
	struct ae_action *a = &d->acts[idx];
	const struct ae_ds_cert *x = NULL;
	char until[AE_DECIDE_TIME_BUF];
	const char *who = d->in->principal_name;
	char *reason = NULL;

	if ((a->kind != AE_ACTION_ENROLL && a->kind != AE_ACTION_REENROLL) ||
	    (t->enrollment_flag & CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE) == 0) {
		return AE_OK;
	}
	x = find(d->in, t, c);
	if (x == NULL) {
		return AE_OK;
	}
	reason = talloc_asprintf(d->acts, "a valid certificate of %s is already published in "
				 "%s's userCertificate (serial %s, issued by %s, valid until %s) "
				 "and the template has "
				 "CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE (0x10): no "
				 "new request", t->cn, who != NULL ? who : "the user",
				 x->serial_hex, x->issuer != NULL ? x->issuer : "?",
				 ae_decide_format_time(until, x->not_after));
	if (reason == NULL) {
		return AE_ERR_NOMEM;
	}
	talloc_free(a->reason);
	a->reason = reason;
	a->kind = AE_ACTION_SKIP;
	a->cause = AE_CAUSE_DS_CERTIFICATE;
	return AE_OK;
}
