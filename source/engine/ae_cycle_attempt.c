/*
 * ae_cycle_attempt.c: what is recorded about a request besides the
 * certificate itself: the template binding of a certificate issued without a
 * template extension (ae_bind_template, called by the step at commit, so
 * request, retrieve and run alike), and the cycle's back-off after failures.
 *
 * Template binding: [MS-WCCE] 2.2.2.7.7.1 (certificate template extension,
 * OID 1.3.6.1.4.1.311.21.7, with major/minor version) and 2.2.2.7.7.2 (the
 * v1 name, 1.3.6.1.4.1.311.20.2) say which template a certificate is of. A
 * CA that leaves both out still issued what was asked for: the request
 * named the template (the CertificateTemplate attribute, [MS-WCCE]
 * 2.2.2.7.10), and the state record is that template's. So the record
 * binds the certificate, with the template's version at the time of the
 * request, and the omission is warned about once per CA and template (the
 * previous record says whether that CA did so before). When the extension
 * is there but names another template, the extension wins (it is what
 * relying parties see) and the mismatch is reported.
 *
 * Back-off (ours): a failed request (CA unreachable, denied, unverified,
 * not recorded) counts in the template's record with the earliest time of
 * the next one (ae_decide_backoff_s); decide() skips the template until
 * then; an issued or pending answer resets both.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <talloc.h>
#include "ae_cycle_private.h"
#include "ae_clock.h"
#include "ae_decide.h"
#include "ae_enroll.h"
#include "ae_log.h"
#include "ae_pki.h"
#include "ae_step.h"
#include "ae_store.h"
#include "ae_template.h"

void ae_bind_template(TALLOC_CTX *mem, const struct ae_store *store, const char *template_name,
		      const struct ae_enrollment_service *ca, const struct ae_template *t,
		      struct ae_store_certinfo *info, char **_note)
{
	struct ae_store_state *prev = NULL;
	bool warned;

	if (info->template_oid != NULL || info->template_v1_name != NULL) {
		if ((info->template_oid != NULL &&
		     (t->oid == NULL || strcmp(info->template_oid, t->oid) != 0)) ||
		    (info->template_v1_name != NULL &&
		     strcasecmp(info->template_v1_name, t->cn) != 0)) {
			AE_WARN("template %s: CA %s issued certificate %s whose template extension "
				"names %s, not the template requested: it counts as a certificate "
				"of that template", template_name, ca->cn,
				info->serial_hex ? info->serial_hex : "?",
				info->template_oid ? info->template_oid : info->template_v1_name);
		}
		return;
	}
	warned = ae_store_state_load(mem, store, template_name, &prev) == AE_OK &&
		 prev->cert.ca_omits_template_ext && prev->cert.ca != NULL &&
		 strcasecmp(prev->cert.ca, ca->cn) == 0;
	info->ca_omits_template_ext = true;
	info->has_major = t->oid != NULL;	/* a v1 template's name extension has no version */
	info->major = info->has_major ? t->major_revision : 0;
	info->minor = info->has_major ? t->minor_revision : 0;
	if (warned) {
		AE_INFO("template %s: CA %s again issued a certificate without the template "
			"extension; bound to the template by the state record", template_name,
			ca->cn);
		return;
	}
	AE_WARN("template %s: CA %s issued certificate %s without a certificate template "
		"extension (1.3.6.1.4.1.311.21.7, nor the v1 name 1.3.6.1.4.1.311.20.2): the "
		"state record binds it to the template requested (version %u.%u); not "
		"warned again for this CA", template_name, ca->cn,
		info->serial_hex ? info->serial_hex : "?", info->major, info->minor);
	*_note = talloc_asprintf(mem, "warning: CA %s omits the certificate template extension: "
				 "the certificate is bound to %s by the state record", ca->cn,
				 template_name);
}

/* Append to the item's reason (kept on the report). */
static void append(struct ae_cycle_ctx *c, struct ae_cycle_item *it, const char *text)
{
	char *r = NULL;

	if (text == NULL) {
		return;
	}
	r = it->reason != NULL ? talloc_asprintf_append(it->reason, "%s", text)
			       : talloc_strdup(c->r, text);
	if (r != NULL) {
		it->reason = r;
	}
}

void ae_cycle_note_attempt(struct ae_cycle_ctx *c, const struct ae_action *a,
			   struct ae_cycle_item *it)
{
	bool ok = strcmp(it->result, "done") == 0 || it->outcome == AE_OUTCOME_PENDING;
	uint32_t n = a->failures < UINT32_MAX ? a->failures + 1 : a->failures;
	time_t next = 0;
	ae_err err;

	if (a->kind != AE_ACTION_ENROLL && a->kind != AE_ACTION_RENEW &&
	    a->kind != AE_ACTION_REENROLL) {
		return;
	}
	if (ok) {
		if (a->failures > 0 &&
		    ae_store_set_backoff(c->store, a->template_name, 0, 0) != AE_OK) {
			AE_WARN("template %s: the end of the back-off could not be recorded",
				a->template_name);
		}
		return;
	}
	next = ae_now() + (time_t)ae_decide_backoff_s(n);
	err = ae_store_set_backoff(c->store, a->template_name, n, next);
	if (err == AE_ERR_NOT_FOUND) {
		return;		/* nothing was begun (no CA, no key): no record, nothing asked */
	}
	if (err != AE_OK) {
		AE_WARN("template %s: the failed request cannot be counted for the back-off: %s",
			a->template_name, ae_strerror(err));
		return;
	}
	append(c, it, talloc_asprintf(c->mem, "; %u failed request%s in a row: no new request "
				      "before %s", n, n == 1 ? "" : "s", ae_cycle_time(c->mem, next)));
}
