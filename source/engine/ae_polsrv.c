/*
 * ae_polsrv.c: ae_polsrv_collect (ae_polsrv.h) with the real I/O: HTTPS
 * (transport/ae_https.h), the AD policy over LDAP (ae_policy_report.c), the
 * cycle's clock; and the settings of a workgroup machine.
 */
#include "ae_polsrv.h"
#include "ae_polsrv_private.h"
#include "ae_aesettings.h"
#include "ae_clock.h"
#include "ae_https.h"
#include "ae_policy_report.h"

ae_err ae_polsrv_collect(struct ae_session *s, struct ae_policy_report *r)
{
	struct ae_polsrv_io io = {
		.post = ae_https_post,
		.read_ad = ae_policy_read_ad,
		.now = ae_now(),
		.save_ad_roots = ae_polsrv_save_ad_roots,
	};

	return ae_polsrv_collect_io(s, r, &io);
}

struct ae_aesettings *ae_polsrv_workgroup_settings(TALLOC_CTX *mem)
{
	static const char src[] = "workgroup machine (no Group Policy): local policy servers";
	struct ae_aesettings *st = talloc_zero(mem, struct ae_aesettings);

	if (st == NULL) {
		return NULL;
	}
	/* enroll, manage and retrieve pending, as the AEPolicy 7 a GPO would set */
	st->aepolicy.present = true;
	st->aepolicy.value = AE_AEPOLICY_ENROLL | AE_AEPOLICY_MANAGE | AE_AEPOLICY_PENDING;
	st->aepolicy.source = src;
	st->offline_expiration_percent.value = AE_OFFLINE_EXPIRATION_PERCENT_DEFAULT;
	st->use_ad_policy = false;
	st->policy_note = "workgroup machine: no AD policy";
	return st;
}
