/*
 * test_decide_api.c: ae_decide.h around the decision table of
 * test_decide.c: the renewal timing of the Microsoft article's example
 * (ae_decide_renew_at, ae_decide_cert.c), the period bounds, the kind and
 * cause names, the exact reason texts, the pointers into the input, the
 * argument checks and an input of many templates.
 * Every test checks that nothing is left on its talloc context.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "decide_fixture.h"

/*
 * The example of the Microsoft article "Approval required for certificate
 * renewals when certificate autoenrollment configured": 1 year, 6-week
 * (42 d) overlap: 80 % at 41.71 weeks, renew at 46.14 weeks.
 */
static void test_renew_at(void **state)
{
	time_t nb = (time_t)T0, na = (time_t)(T0 + 365 * DAY);
	time_t at;

	(void)state;
	at = ae_decide_renew_at(nb, na, 42 * DAY);
	assert_int_equal((int64_t)at - T0, 323 * DAY);
	/* 46.14 weeks, not 41.7 */
	assert_int_equal(((int64_t)at - T0) * 100 / WEEK, 4614);
	/* no overlap or a negative one: notAfter */
	assert_int_equal((int64_t)ae_decide_renew_at(nb, na, 0) - T0, 365 * DAY);
	assert_int_equal((int64_t)ae_decide_renew_at(nb, na, -5 * DAY) - T0, 365 * DAY);
	/* an overlap of 20 % or more: the 80 % point (41.71 weeks) */
	assert_int_equal(((int64_t)ae_decide_renew_at(nb, na, 100 * DAY) - T0) * 100 / WEEK, 4171);
	assert_int_equal((int64_t)ae_decide_renew_at(nb, na, 1000 * DAY) - T0, 292 * DAY);
	assert_int_equal((int64_t)ae_decide_renew_at(nb, na, INT64_MAX) - T0, 292 * DAY);
	/* 73 d overlap (20 %): both points coincide */
	assert_int_equal((int64_t)ae_decide_renew_at(nb, na, 73 * DAY) - T0, 292 * DAY);
	/* nonsense inputs give notAfter */
	assert_int_equal((int64_t)ae_decide_renew_at(na, nb, 42 * DAY), (int64_t)nb);
	assert_int_equal((int64_t)ae_decide_renew_at(nb, nb, 42 * DAY), (int64_t)nb);
	assert_int_equal((int64_t)ae_decide_renew_at((time_t)(AE_DECIDE_TIME_MIN - 1), na, 0),
			 (int64_t)na);
}

static void test_periods(void **state)
{
	time_t nb = (time_t)T0, na = (time_t)(T0 + 365 * DAY);

	(void)state;
	assert_true(ae_decide_periods_supported(365 * DAY, 42 * DAY, nb, na));
	/* more than 8 hours */
	assert_false(ae_decide_periods_supported(365 * DAY, 8 * HOUR, nb, na));
	assert_true(ae_decide_periods_supported(365 * DAY, 8 * HOUR + 1, nb, na));
	assert_false(ae_decide_periods_supported(365 * DAY, 0, nb, na));
	assert_false(ae_decide_periods_supported(365 * DAY, -DAY, nb, na));
	/* less than 20 % of the template's validity */
	assert_false(ae_decide_periods_supported(365 * DAY, 73 * DAY, nb, na));
	assert_true(ae_decide_periods_supported(365 * DAY, 73 * DAY - 1, nb, na));
	assert_false(ae_decide_periods_supported(100 * DAY, 42 * DAY, nb, na));
	/* no template validity: the certificate's life */
	assert_true(ae_decide_periods_supported(0, 42 * DAY, nb, na));
	assert_false(ae_decide_periods_supported(0, 42 * DAY, nb, (time_t)(T0 + 100 * DAY)));
	/* shorter than the certificate's life */
	assert_false(ae_decide_periods_supported(365 * DAY, 42 * DAY, nb, (time_t)(T0 + 42 * DAY)));
	assert_false(ae_decide_periods_supported(365 * DAY, 42 * DAY, na, nb));
	assert_false(ae_decide_periods_supported(INT64_MAX, INT64_MAX, nb, na));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ae_action_kind_name(AE_ACTION_ENROLL), "enroll");
	assert_string_equal(ae_action_kind_name(AE_ACTION_REENROLL), "re-enroll");
	assert_string_equal(ae_action_kind_name(AE_ACTION_SKIP), "skip");
	assert_string_equal(ae_action_kind_name((enum ae_action_kind)99), "unknown");
	assert_string_equal(ae_action_cause_name(AE_CAUSE_NO_CERTIFICATE), "no-certificate");
	assert_string_equal(ae_action_cause_name(AE_CAUSE_POLICY_NO_TEMPLATE_CHECK),
			    "policy-no-template-check");
	assert_string_equal(ae_action_cause_name(AE_CAUSE_POLICY_NO_STORE_MANAGEMENT),
			    "policy-no-store-management");
	assert_string_equal(ae_action_cause_name((enum ae_action_cause)99), "unknown");
}

/* Whole reasons, the GPO that set AEPolicy, and where the pointers point. */
static void test_reasons_and_pointers(void **state)
{
	static const struct dcase dc = {
		"reasons", POL(7), { TM, { "Old", "1.2.3.9", 1, 0, 0, 0, 42 * DAY, 365 * DAY, NULL,
					   AE_INELIG_NOT_PUBLISHED } },
		{ CY("01") }, { { "Old", 4 } }, {}, 325 * DAY, {}
	};
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *inputs = talloc_new(NULL);
	struct decide_fixture f = {0};
	struct ae_action *acts = NULL;
	size_t n = 0;

	(void)state;
	decide_build(inputs, &dc, &f);
	assert_int_equal(ae_decide(mem, &f.in, &acts, &n), AE_OK);
	assert_int_equal(n, 4);
	assert_string_equal(acts[0].reason, "renewal due since 2024-11-19T00:00:00Z (valid until "
			    "2024-12-31T00:00:00Z): renew with a new key");
	assert_ptr_equal(acts[0].t, f.templates[0]);
	assert_ptr_equal(acts[0].cert, &f.snap.certs[0]);
	assert_ptr_equal(acts[0].template_name, f.templates[0]->cn);
	assert_null(acts[0].pending);
	assert_int_equal((int64_t)acts[0].renew_at, T0 + 323 * DAY);
	assert_string_equal(acts[1].reason, "certificate 01 is replaced by the renew (action 0): "
			    "archive it once the new certificate is installed");
	assert_int_equal(acts[1].after, 0);
	assert_string_equal(acts[2].reason, "not eligible: not-published");
	assert_int_equal(acts[3].kind, AE_ACTION_RETRIEVE);
	assert_ptr_equal(acts[3].pending, &f.snap.pending[0]);
	assert_ptr_equal(acts[3].t, f.templates[1]);
	assert_int_equal((int64_t)acts[3].renew_at, 0);
	talloc_free(acts);

	f.in.aepolicy = (struct ae_setting_u32) { true, 0x8001, "{31B2F340-016D-11D2-945F}" };
	assert_int_equal(ae_decide(mem, &f.in, &acts, &n), AE_OK);
	assert_int_equal(n, 3);
	assert_string_equal(acts[0].reason, "AEPolicy 0x00008001 (set by {31B2F340-016D-11D2-945F}) "
			    "has 0x8000 (disabled): autoenrollment does nothing");
	assert_string_equal(acts[2].reason, "request 4 pending at LabCA: not retrieved: AEPolicy "
			    "0x00008001 (set by {31B2F340-016D-11D2-945F}) has 0x8000 (disabled): "
			    "autoenrollment does nothing");
	talloc_free(acts);

	f.in.aepolicy = (struct ae_setting_u32) { true, 0x5, "{31B2F340-016D-11D2-945F}" };
	assert_int_equal(ae_decide(mem, &f.in, &acts, &n), AE_OK);
	assert_string_equal(acts[0].reason, "renewal due since 2024-11-19T00:00:00Z (valid until "
			    "2024-12-31T00:00:00Z), but AEPolicy 0x00000005 (set by "
			    "{31B2F340-016D-11D2-945F}) lacks 0x2 (renew expired certificates, "
			    "update pending certificates, and remove revoked certificates): "
			    "nothing done");
	talloc_free(acts);

	f.in.aepolicy = (struct ae_setting_u32) { false, 7, NULL };
	assert_int_equal(ae_decide(mem, &f.in, &acts, &n), AE_OK);
	assert_string_equal(acts[0].reason, "AEPolicy is not configured: autoenrollment does nothing");
	talloc_free(acts);

	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
	talloc_free(inputs);
}

static void test_api(void **state)
{
	static const struct dcase dc = { "api", POL(7), { TM }, { CY("01") }, {}, {}, 0, {} };
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *inputs = talloc_new(NULL);
	struct decide_fixture f = {0};
	struct ae_decide_input in;
	struct ae_store_snapshot snap;
	struct ae_action *acts = (struct ae_action *)&f;	/* untouched on failure */
	struct ae_action *empty = NULL;
	size_t n = 42;

	(void)state;
	decide_build(inputs, &dc, &f);
	assert_int_equal(ae_decide(mem, NULL, &acts, &n), AE_ERR_INVALID);
	assert_int_equal(ae_decide(mem, &f.in, NULL, &n), AE_ERR_INVALID);
	assert_int_equal(ae_decide(mem, &f.in, &acts, NULL), AE_ERR_INVALID);

	in = f.in;
	in.templates = NULL;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_INVALID);
	in = f.in;
	in.eligibility = NULL;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_INVALID);
	in = f.in;
	in.now = (time_t)(AE_DECIDE_TIME_MAX + 1);
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_INVALID);
	in = f.in;
	in.revocations = NULL;
	in.num_revocations = 1;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_INVALID);
	in = f.in;
	in.num_revocations = AE_DECIDE_REVOCATIONS_MAX + 1;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_TOO_LARGE);
	in = f.in;
	in.num_templates = AE_ELIGIBILITY_TEMPLATES_MAX + 1;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_TOO_LARGE);
	in = f.in;
	snap = f.snap;
	snap.num_certs = AE_DECIDE_CERTS_MAX + 1;
	in.snapshot = &snap;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_TOO_LARGE);
	snap = f.snap;
	snap.num_pending = AE_DECIDE_PENDING_MAX + 1;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_TOO_LARGE);
	snap = f.snap;
	snap.pending = NULL;
	snap.num_pending = 1;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_INVALID);
	in = f.in;
	f.templates[0]->cn = NULL;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_INVALID);
	f.templates[0] = NULL;
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_ERR_INVALID);
	assert_ptr_equal(acts, (struct ae_action *)&f);
	assert_int_equal(n, 42);
	assert_int_equal(talloc_total_blocks(mem), 1);

	/* nothing at all: an empty array */
	memset(&in, 0, sizeof(in));
	in.now = (time_t)T0;
	assert_int_equal(ae_decide(mem, &in, &empty, &n), AE_OK);
	assert_non_null(empty);
	assert_int_equal(n, 0);
	talloc_free(empty);

	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
	talloc_free(inputs);
}

/* Many templates and certificates: every action is built, the array grows. */
static void test_many(void **state)
{
	enum { N = 50 };
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *inputs = talloc_new(NULL);
	struct ae_template **tpl = talloc_zero_array(inputs, struct ae_template *, N);
	struct ae_eligibility *elig = talloc_zero_array(inputs, struct ae_eligibility, N);
	struct ae_store_cert *certs = talloc_zero_array(inputs, struct ae_store_cert, N);
	struct ae_store_snapshot snap = { certs, N, NULL, 0 };
	struct ae_decide_input in = {
		.aepolicy = { true, 7, NULL }, .templates = tpl, .eligibility = elig,
		.num_templates = N, .snapshot = &snap, .now = (time_t)(T0 + 325 * DAY),
	};
	struct ae_action *acts = NULL;
	size_t n = 0, i;

	(void)state;
	for (i = 0; i < N; i++) {
		tpl[i] = talloc_zero(tpl, struct ae_template);
		tpl[i]->cn = talloc_asprintf(tpl[i], "T%zu", i);
		tpl[i]->oid = talloc_asprintf(tpl[i], "1.2.3.%zu", i);
		tpl[i]->overlap_s = 42 * DAY;
		tpl[i]->expiration_s = 365 * DAY;
		elig[i].reason = talloc_strdup(elig, "eligible");
		certs[i].template_oid = talloc_asprintf(certs, "1.2.3.%zu", N - 1 - i);
		certs[i].serial_hex = talloc_asprintf(certs, "%zx", i + 1);
		certs[i].not_before = (time_t)T0;
		certs[i].not_after = (time_t)(T0 + 365 * DAY);
		certs[i].key_present = true;
		certs[i].state = AE_CERT_ISSUED;
	}
	assert_int_equal(ae_decide(mem, &in, &acts, &n), AE_OK);
	assert_int_equal(n, 2 * N);
	assert_int_equal(talloc_array_length(acts), 2 * N);
	for (i = 0; i < N; i++) {
		assert_int_equal(acts[2 * i].kind, AE_ACTION_RENEW);
		assert_ptr_equal(acts[2 * i].cert, &certs[N - 1 - i]);
		assert_int_equal(acts[2 * i + 1].kind, AE_ACTION_ARCHIVE);
		assert_int_equal(acts[2 * i + 1].after, 2 * i);
	}
	talloc_free(acts);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
	talloc_free(inputs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_renew_at),
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_reasons_and_pointers),
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
