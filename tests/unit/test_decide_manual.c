/*
 * test_decide_manual.c: decide() for templates whose subject the enrollee
 * supplies (CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT 0x1, [MS-CRTD] 2.28;
 * ae_decide_manual.c): never an ENROLL or RE-ENROLL; a due RENEW only
 * with CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME (0x8), else a SKIP
 * "needs-manual-request" with the expiry date; the same for a template the
 * machine may not autoenroll (a certificate requested by hand) once it is
 * due; nothing before renew-at; the offline expiry WARN still comes.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "leak_check.h"
#include "ae_decide.h"

#define T0	((time_t)1704067200)	/* 2024-01-01T00:00:00Z */
#define DAY	((time_t)86400)
#define OID	"1.2.3.5"

struct fx {
	struct ae_template *t[1];
	struct ae_eligibility e[1];
	struct ae_store_snapshot snap;
	struct ae_store_cert cert;
	struct ae_decide_input in;
};

/* LabWebServerAuto-like: 0x1 | 0x8, eligible, certificate valid [T0, T0 + 100 d). */
static struct fx *fixture(TALLOC_CTX *mem, uint32_t name_flag, bool eligible, bool with_cert)
{
	struct fx *f = talloc_zero(mem, struct fx);

	assert_non_null(f);
	f->t[0] = talloc_zero(f, struct ae_template);
	assert_non_null(f->t[0]);
	f->t[0]->cn = (char *)"LabWebServerAuto";
	f->t[0]->oid = (char *)OID;
	f->t[0]->schema_version = 2;
	f->t[0]->major_revision = 100;
	f->t[0]->expiration_s = 100 * DAY;
	f->t[0]->overlap_s = 10 * DAY;
	f->t[0]->name_flag = name_flag;
	f->t[0]->enrollment_flag = CT_FLAG_AUTO_ENROLLMENT;
	f->e[0].code = eligible ? AE_ELIGIBLE : AE_INELIG_NO_AUTOENROLL_FLAG;
	f->e[0].code_name = ae_inelig_name(f->e[0].code);
	f->e[0].reason = (char *)(eligible ? "eligible" : "no AutoEnroll right");
	if (with_cert) {
		f->cert = (struct ae_store_cert){
			.template_name = (char *)"LabWebServerAuto", .template_oid = (char *)OID,
			.major = 100, .has_major = true, .serial_hex = (char *)"5A",
			.not_before = T0, .not_after = T0 + 100 * DAY, .key_present = true,
			.state = AE_CERT_ISSUED, .has_record = true,
		};
		f->snap.certs = &f->cert;
		f->snap.num_certs = 1;
	}
	f->in.aepolicy = (struct ae_setting_u32){ .present = true, .value = 7 };
	f->in.templates = f->t;
	f->in.eligibility = f->e;
	f->in.num_templates = 1;
	f->in.snapshot = &f->snap;
	f->in.now = T0 + 92 * DAY;	/* past renew-at (T0 + 90 d: notAfter - overlap) */
	return f;
}

static struct ae_action *run(TALLOC_CTX *mem, const struct fx *f, size_t *_n)
{
	struct ae_action *a = NULL;

	assert_int_equal(ae_decide(mem, &f->in, &a, _n), AE_OK);
	return a;
}

static void test_old_cert_supplies_names_renews(void **state)
{
	struct fx *f = fixture(*state, CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT |
			       CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME, true, true);
	size_t n = 0;
	struct ae_action *a = run(*state, f, &n);

	assert_true(n >= 2);
	assert_int_equal(a[0].kind, AE_ACTION_RENEW);
	assert_int_equal(a[0].cause, AE_CAUSE_RENEWAL_DUE);
	assert_int_equal(a[1].kind, AE_ACTION_ARCHIVE);
	talloc_free(a);
	talloc_free(f);
}

static void test_without_0x8_needs_manual_request(void **state)
{
	struct fx *f = fixture(*state, CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT, true, true);
	size_t n = 0, i;
	struct ae_action *a = run(*state, f, &n);

	assert_int_equal(a[0].kind, AE_ACTION_SKIP);
	assert_int_equal(a[0].cause, AE_CAUSE_NEEDS_MANUAL_REQUEST);
	assert_string_equal(ae_action_cause_name(a[0].cause), "needs-manual-request");
	assert_non_null(strstr(a[0].reason, "needs a manual request"));
	assert_non_null(strstr(a[0].reason, "expires 2024-04-10T00:00:00Z"));
	assert_non_null(strstr(a[0].reason, "(0x8)"));
	for (i = 1; i < n; i++) {
		assert_int_not_equal(a[i].kind, AE_ACTION_ARCHIVE);	/* nothing replaces it */
	}
	talloc_free(a);
	talloc_free(f);
}

static void test_never_enrolled(void **state)
{
	struct fx *f = fixture(*state, CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT |
			       CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME, true, false);
	size_t n = 0;
	struct ae_action *a = run(*state, f, &n);

	assert_int_equal(n, 1);
	assert_int_equal(a[0].kind, AE_ACTION_SKIP);
	assert_int_equal(a[0].cause, AE_CAUSE_NEEDS_MANUAL_REQUEST);
	assert_non_null(strstr(a[0].reason, "CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT"));
	talloc_free(a);
	talloc_free(f);
}

static void test_expired_not_reenrolled(void **state)
{
	struct fx *f = fixture(*state, CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT |
			       CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME, true, true);
	size_t n = 0, i;
	struct ae_action *a = NULL;

	f->in.now = T0 + 101 * DAY;
	a = run(*state, f, &n);
	assert_int_equal(a[0].kind, AE_ACTION_SKIP);
	assert_int_equal(a[0].cause, AE_CAUSE_NEEDS_MANUAL_REQUEST);
	for (i = 0; i < n; i++) {
		assert_int_not_equal(a[i].kind, AE_ACTION_REENROLL);
	}
	talloc_free(a);
	talloc_free(f);
}

/* LabWebServer: requested by hand, the machine may not autoenroll it. */
static void test_not_eligible_due_needs_manual_request(void **state)
{
	struct fx *f = fixture(*state, CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT, false, true);
	size_t n = 0;
	struct ae_action *a = NULL;

	f->t[0]->cn = (char *)"LabWebServer";
	f->cert.template_name = (char *)"LabWebServer";
	a = run(*state, f, &n);
	assert_int_equal(a[0].kind, AE_ACTION_SKIP);
	assert_int_equal(a[0].cause, AE_CAUSE_NEEDS_MANUAL_REQUEST);
	assert_non_null(strstr(a[0].reason, "certificate 5A expires 2024-04-10T00:00:00Z"));
	talloc_free(a);
	/* before renew-at: the eligibility SKIP as before */
	f->in.now = T0 + 10 * DAY;
	a = run(*state, f, &n);
	assert_int_equal(a[0].kind, AE_ACTION_SKIP);
	assert_int_equal(a[0].cause, AE_CAUSE_NOT_ELIGIBLE);
	talloc_free(a);
	talloc_free(f);
}

static void test_before_renew_at_valid(void **state)
{
	struct fx *f = fixture(*state, CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT, true, true);
	size_t n = 0;
	struct ae_action *a = NULL;

	f->in.now = T0 + 10 * DAY;
	a = run(*state, f, &n);
	assert_int_equal(n, 1);
	assert_int_equal(a[0].cause, AE_CAUSE_VALID);
	talloc_free(a);
	talloc_free(f);
}

static void test_offline_warning_still_applies(void **state)
{
	struct fx *f = fixture(*state, CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT, true, true);
	size_t n = 0;
	struct ae_action *a = NULL;

	f->in.now = T0 + 95 * DAY;	/* 5 % left, below the default 10 % */
	a = run(*state, f, &n);
	assert_int_equal(n, 2);
	assert_int_equal(a[0].cause, AE_CAUSE_NEEDS_MANUAL_REQUEST);
	assert_int_equal(a[1].kind, AE_ACTION_WARN);
	talloc_free(a);
	talloc_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_old_cert_supplies_names_renews, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_without_0x8_needs_manual_request, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_never_enrolled, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_expired_not_reenrolled, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_not_eligible_due_needs_manual_request,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_before_renew_at_valid, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_offline_warning_still_applies, leak_setup,
						leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
