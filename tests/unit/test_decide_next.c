/*
 * test_decide_next.c: ae_decide_next_change (ae_decide_next.h). For
 * several inputs, walked from instant to instant: decide()'s actions are
 * the same anywhere in [now, next) (at now, in the middle, at next - 1),
 * so a no-op memo trusted until next never hides a decision; and at the
 * instants the test names (renewal, the OfflineExpirationPercent warning,
 * expiry, the end of a back-off) the answer does change, so next is not
 * pushed later than them. Every test checks that nothing is left on its
 * talloc context.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_decide.h"
#include "ae_decide_next.h"

#define T0	((int64_t)1704067200)	/* 2024-01-01T00:00:00Z */
#define HOUR	((int64_t)3600)
#define DAY	((int64_t)86400)

struct fx {
	struct ae_template *t[1];
	struct ae_eligibility e[1];
	struct ae_store_snapshot snap;
	struct ae_store_cert c[1];
	struct ae_decide_input in;
};

static void setup_fx(TALLOC_CTX *mem, struct fx *f, int64_t overlap, int64_t life,
		     uint32_t failures, int64_t next_attempt, uint32_t pct)
{
	memset(f, 0, sizeof(*f));
	f->t[0] = talloc_zero(mem, struct ae_template);
	assert_non_null(f->t[0]);
	f->t[0]->cn = talloc_strdup(f->t[0], "Mach");
	f->t[0]->oid = talloc_strdup(f->t[0], "1.3.6.1.4.1.311.21.8.1.2");
	f->t[0]->schema_version = 2;
	f->t[0]->major_revision = 100;
	f->t[0]->overlap_s = overlap;
	f->t[0]->expiration_s = life;
	f->t[0]->present = AE_TPL_HAS_REVISION | AE_TPL_HAS_EXPIRATION | AE_TPL_HAS_OVERLAP;
	f->e[0].code = AE_ELIGIBLE;
	f->e[0].code_name = ae_inelig_name(AE_ELIGIBLE);
	f->e[0].reason = "eligible";
	f->c[0].template_name = "Mach";
	f->c[0].template_oid = "1.3.6.1.4.1.311.21.8.1.2";
	f->c[0].major = 100;
	f->c[0].has_major = true;
	f->c[0].ca = "LabCA";
	f->c[0].serial_hex = "0a";
	f->c[0].not_before = (time_t)T0;
	f->c[0].not_after = (time_t)(T0 + life);
	f->c[0].key_present = true;
	f->c[0].state = AE_CERT_ISSUED;
	f->c[0].has_record = true;
	f->c[0].failures = failures;
	f->c[0].next_attempt = (time_t)next_attempt;
	f->snap.certs = f->c;
	f->snap.num_certs = 1;
	f->in = (struct ae_decide_input) {
		.aepolicy = { .present = true, .value = 7 },
		.offline_expiration_percent = { .present = true, .value = pct },
		.templates = f->t, .eligibility = f->e, .num_templates = 1, .snapshot = &f->snap,
	};
}

/* "kind/cause;..." of decide at t. */
static char *answer(TALLOC_CTX *mem, struct fx *f, int64_t t)
{
	struct ae_action *a = NULL;
	size_t n = 0, i;
	char *s = talloc_strdup(mem, "");

	f->in.now = (time_t)t;
	assert_int_equal(ae_decide(mem, &f->in, &a, &n), AE_OK);
	for (i = 0; i < n; i++) {
		s = talloc_asprintf_append(s, "%s/%s;", ae_action_kind_name(a[i].kind),
					   ae_action_cause_name(a[i].cause));
	}
	talloc_free(a);
	assert_non_null(s);
	return s;
}

/* Walk from start: constant answers on each [now, next); returns the instants. */
static size_t walk(TALLOC_CTX *mem, struct fx *f, int64_t start, int64_t *points, size_t max)
{
	int64_t now = start;
	size_t k = 0;

	while (k < max) {
		int64_t next;
		char *a;

		f->in.now = (time_t)now;
		next = (int64_t)ae_decide_next_change(&f->in);
		assert_true(next > now);
		if (next >= AE_DECIDE_TIME_MAX) {
			break;
		}
		a = answer(mem, f, now);
		assert_string_equal(answer(mem, f, now + (next - now) / 2), a);
		assert_string_equal(answer(mem, f, next - 1), a);
		points[k++] = next;
		now = next;
	}
	return k;
}

static bool has_point(const int64_t *p, size_t n, int64_t t)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] - t <= 1 && t - p[i] <= 1) {	/* the warning's second is rounded */
			return true;
		}
	}
	return false;
}

static void test_renewal_warning_expiry(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	int64_t p[32];
	struct fx f;
	size_t n;

	(void)state;
	/* 100 days, 6 weeks of overlap: renew at max(80 d, 58 d) = 80 d; 10 %: 90 d */
	setup_fx(mem, &f, 42 * DAY, 100 * DAY, 0, 0, 10);
	n = walk(mem, &f, T0 + DAY, p, 32);
	assert_true(has_point(p, n, T0 + 80 * DAY));
	assert_true(has_point(p, n, T0 + 90 * DAY));
	assert_true(has_point(p, n, T0 + 100 * DAY));
	/* the first instant is the renewal, and the answer does change there */
	f.in.now = (time_t)(T0 + DAY);
	assert_int_equal((int64_t)ae_decide_next_change(&f.in), T0 + 80 * DAY);
	assert_string_not_equal(answer(mem, &f, T0 + 80 * DAY - 1), answer(mem, &f, T0 + 80 * DAY));
	assert_string_not_equal(answer(mem, &f, T0 + 100 * DAY - 1),
				answer(mem, &f, T0 + 100 * DAY));
	talloc_free(mem);
}

static void test_backoff_end(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	int64_t p[32];
	struct fx f;
	size_t n;

	(void)state;
	/* expired certificate, re-enrolment backing off until T0 + 12 d + 2 h */
	setup_fx(mem, &f, 2 * DAY, 10 * DAY, 2, T0 + 12 * DAY + 2 * HOUR, 0);
	n = walk(mem, &f, T0 + 12 * DAY, p, 32);
	assert_true(n >= 1);
	assert_int_equal(p[0], T0 + 12 * DAY + 2 * HOUR);
	assert_string_not_equal(answer(mem, &f, p[0] - 1), answer(mem, &f, p[0]));
	talloc_free(mem);
}

static void test_percent_variants(void **state)
{
	static const uint32_t pcts[] = { 0, 1, 33, 99, 100, 250 };
	TALLOC_CTX *mem = talloc_new(NULL);
	int64_t p[32];
	struct fx f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		setup_fx(mem, &f, 7 * DAY, 365 * DAY + 17, 0, 0, pcts[i]);
		(void)walk(mem, &f, T0 - DAY, p, 32);
		f.in.offline_expiration_percent.present = false;	/* the default, 10 */
		(void)walk(mem, &f, T0 - DAY, p, 32);
	}
	talloc_free(mem);
}

static void test_nothing_ahead_and_bad_input(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct fx f;

	(void)state;
	setup_fx(mem, &f, DAY, 10 * DAY, 0, 0, 10);
	f.snap.num_certs = 0;
	f.in.now = (time_t)T0;
	assert_int_equal((int64_t)ae_decide_next_change(&f.in), AE_DECIDE_TIME_MAX);
	f.in.now = (time_t)(AE_DECIDE_TIME_MAX + 1);
	assert_int_equal((int64_t)ae_decide_next_change(&f.in), AE_DECIDE_TIME_MAX + 1);
	assert_int_equal((int64_t)ae_decide_next_change(NULL), 0);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_renewal_warning_expiry),
		cmocka_unit_test(test_backoff_end),
		cmocka_unit_test(test_percent_variants),
		cmocka_unit_test(test_nothing_ahead_and_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
