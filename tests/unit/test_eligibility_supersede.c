/*
 * test_eligibility_supersede.c: supersession in template eligibility
 * (policy layer, ae_eligibility.h, msPKI-Supersede-Templates): simple, in a
 * chain and in a cycle through ae_eligibility_compute, then
 * ae_supersession_compute on its own (long chains and cycles, no
 * recursion). Templates and tokens: eligibility_fixture.h.
 * Every test checks that nothing is left on its talloc context.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "eligibility_fixture.h"

#define SUP	NOT "superseded by "
#define CYC(x)	OK_R "; supersession cycle with " x ": neither dropped"

/* A template that fails (no AutoEnroll) but still lists others. */
static struct ae_template *no_auto_tpl(TALLOC_CTX *mem, const char *cn, const char *sup1)
{
	static const struct tspec s = { 2, MT | AEF, AEF, 0, 0, SD_ACES, { OA(ENR, DCS) } };
	struct ae_template *t = elig_make_tpl(mem, cn, &s);

	elig_set_supersede(t, sup1, NULL);
	return t;
}

static void test_supersede_simple(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *in = talloc_new(mem);	/* the inputs */
	struct ae_token *tok = elig_make_token(in, TOK_MACHINE);
	struct ae_enrollment_service *ca = elig_make_ca(in, "LabCA", "A", "B", "C", "U", "X", NULL);
	struct ae_template *t[3];
	struct ae_eligibility *out = NULL;
	static const struct tspec user_tpl = { 2, AEF, AEF, 0, 0, SD_ACES, { BOTH(DCS) } };

	(void)state;
	/* A lists b (case-insensitive): B is dropped. */
	t[0] = elig_good_tpl(in, "A", "b", NULL);
	t[1] = elig_good_tpl(in, "B", NULL, NULL);
	out = elig_compute(mem, t, 2, &ca, 1, tok, AE_CONTEXT_MACHINE);
	elig_want(&out[0], AE_ELIGIBLE, OK_R, NULL);
	elig_want(&out[1], AE_INELIG_SUPERSEDED, SUP "A", "A");
	assert_int_equal(out[1].num_cas, 1);
	talloc_free(out);

	/* The superseder is not itself eligible: B stays. */
	talloc_free(t[0]);
	t[0] = no_auto_tpl(in, "A", "B");
	out = elig_compute(mem, t, 2, &ca, 1, tok, AE_CONTEXT_MACHINE);
	assert_int_equal(out[0].code, AE_INELIG_NO_AUTOENROLL);
	elig_want(&out[1], AE_ELIGIBLE, OK_R, NULL);
	talloc_free(out);

	/* A user template lists B: in the machine context it drops nothing. */
	talloc_free(t[0]);
	t[0] = elig_make_tpl(in, "U", &user_tpl);
	elig_set_supersede(t[0], "B", NULL);
	out = elig_compute(mem, t, 2, &ca, 1, tok, AE_CONTEXT_MACHINE);
	assert_int_equal(out[0].code, AE_INELIG_CONTEXT);
	elig_want(&out[1], AE_ELIGIBLE, OK_R, NULL);
	talloc_free(out);

	/* A template listing itself, and a name nobody has. */
	talloc_free(t[0]);
	t[0] = elig_good_tpl(in, "A", "A", "NoSuchTemplate");
	out = elig_compute(mem, t, 2, &ca, 1, tok, AE_CONTEXT_MACHINE);
	elig_want(&out[0], AE_ELIGIBLE, OK_R, NULL);
	elig_want(&out[1], AE_ELIGIBLE, OK_R, NULL);
	talloc_free(out);

	/* Two superseders: the first in input order is named. */
	t[2] = elig_good_tpl(in, "X", "B", NULL);
	elig_set_supersede(t[0], "B", NULL);
	out = elig_compute(mem, t, 3, &ca, 1, tok, AE_CONTEXT_MACHINE);
	elig_want(&out[1], AE_INELIG_SUPERSEDED, SUP "A", "A");
	elig_want(&out[0], AE_ELIGIBLE, OK_R, NULL);
	elig_want(&out[2], AE_ELIGIBLE, OK_R, NULL);
	talloc_free(out);
	talloc_free(in);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_supersede_chain(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *in = talloc_new(mem);	/* the inputs */
	struct ae_token *tok = elig_make_token(in, TOK_MACHINE);
	struct ae_enrollment_service *ca = elig_make_ca(in, "LabCA", "A", "B", "C", "D", NULL);
	struct ae_template *t[4];
	struct ae_eligibility *out = NULL;

	(void)state;
	/* D -> C -> B -> A given in reverse: every link but the head is dropped. */
	t[0] = elig_good_tpl(in, "A", NULL, NULL);
	t[1] = elig_good_tpl(in, "B", "A", NULL);
	t[2] = elig_good_tpl(in, "C", "B", NULL);
	t[3] = elig_good_tpl(in, "D", "C", NULL);
	out = elig_compute(mem, t, 4, &ca, 1, tok, AE_CONTEXT_MACHINE);
	elig_want(&out[3], AE_ELIGIBLE, OK_R, NULL);
	elig_want(&out[2], AE_INELIG_SUPERSEDED, SUP "D", "D");
	elig_want(&out[1], AE_INELIG_SUPERSEDED, SUP "C, itself superseded by D", "C");
	elig_want(&out[0], AE_INELIG_SUPERSEDED,
		  SUP "B, itself superseded by C, itself superseded by D", "B");
	talloc_free(out);

	/* C not eligible: B is no longer dropped; A still is (B is a candidate). */
	talloc_free(t[2]);
	t[2] = no_auto_tpl(in, "C", "B");
	out = elig_compute(mem, t, 4, &ca, 1, tok, AE_CONTEXT_MACHINE);
	elig_want(&out[3], AE_ELIGIBLE, OK_R, NULL);
	assert_int_equal(out[2].code, AE_INELIG_NO_AUTOENROLL);
	assert_null(out[2].superseded_by);
	elig_want(&out[1], AE_ELIGIBLE, OK_R, NULL);
	elig_want(&out[0], AE_INELIG_SUPERSEDED, SUP "B", "B");
	talloc_free(out);
	talloc_free(in);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_supersede_cycle(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *in = talloc_new(mem);	/* the inputs */
	struct ae_token *tok = elig_make_token(in, TOK_MACHINE);
	struct ae_enrollment_service *ca = elig_make_ca(in, "LabCA", "A", "B", "C", "X", NULL);
	struct ae_template *t[4];
	struct ae_eligibility *out = NULL;

	(void)state;
	/* A <-> B: neither is dropped, both say so. */
	t[0] = elig_good_tpl(in, "A", "B", NULL);
	t[1] = elig_good_tpl(in, "B", "A", NULL);
	out = elig_compute(mem, t, 2, &ca, 1, tok, AE_CONTEXT_MACHINE);
	elig_want(&out[0], AE_ELIGIBLE, CYC("B"), NULL);
	elig_want(&out[1], AE_ELIGIBLE, CYC("A"), NULL);
	talloc_free(out);

	/* A -> B -> C -> A, and X outside the cycle lists A. */
	elig_set_supersede(t[1], "C", NULL);
	t[2] = elig_good_tpl(in, "C", "A", NULL);
	t[3] = elig_good_tpl(in, "X", "A", NULL);
	out = elig_compute(mem, t, 4, &ca, 1, tok, AE_CONTEXT_MACHINE);
	elig_want(&out[0], AE_INELIG_SUPERSEDED, SUP "X", "X");
	elig_want(&out[1], AE_ELIGIBLE, CYC("A"), NULL);
	elig_want(&out[2], AE_ELIGIBLE, CYC("A"), NULL);
	elig_want(&out[3], AE_ELIGIBLE, OK_R, NULL);
	talloc_free(out);

	/* A cycle member outside the cycle's reach: A <-> B, B also lists C. */
	elig_set_supersede(t[1], "A", "C");
	elig_set_supersede(t[2], NULL, NULL);
	out = elig_compute(mem, t, 3, &ca, 1, tok, AE_CONTEXT_MACHINE);
	elig_want(&out[0], AE_ELIGIBLE, CYC("B"), NULL);
	elig_want(&out[1], AE_ELIGIBLE, CYC("A"), NULL);
	elig_want(&out[2], AE_INELIG_SUPERSEDED, SUP "B", "B");
	talloc_free(out);
	talloc_free(in);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/* ae_supersession_compute on its own: long chains and cycles, no recursion. */
static void test_supersession_direct(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *in = talloc_new(mem);	/* the inputs */
	const size_t n = 10000;
	struct ae_template **t = talloc_array(in, struct ae_template *, n);
	struct ae_supersession *sup = talloc_array(in, struct ae_supersession, n);
	bool *cand = talloc_array(in, bool, n);
	char name[32], next[32];
	size_t i;

	(void)state;
	assert_non_null(t);
	assert_non_null(sup);
	assert_non_null(cand);
	for (i = 0; i < n; i++) {
		t[i] = talloc_zero(t, struct ae_template);
		assert_non_null(t[i]);
		snprintf(name, sizeof(name), "T%zu", i);
		snprintf(next, sizeof(next), "t%zu", i + 1);
		t[i]->cn = talloc_strdup(t[i], name);
		elig_set_supersede(t[i], i + 1 < n ? next : NULL, NULL);
		cand[i] = true;
	}
	/* T0 -> T1 -> ... -> T9999: all but T0 dropped, each by its predecessor. */
	assert_int_equal(ae_supersession_compute(t, n, cand, sup), AE_OK);
	assert_int_equal(sup[0].superseded_by, AE_SUPERSEDE_NONE);
	for (i = 1; i < n; i++) {
		assert_int_equal(sup[i].superseded_by, i - 1);
		assert_int_equal(sup[i].cycle_with, AE_SUPERSEDE_NONE);
	}

	/* Close it: one cycle of 10000, nobody dropped. */
	elig_set_supersede(t[n - 1], "T0", NULL);
	assert_int_equal(ae_supersession_compute(t, n, cand, sup), AE_OK);
	for (i = 0; i < n; i++) {
		assert_int_equal(sup[i].superseded_by, AE_SUPERSEDE_NONE);
		assert_int_equal(sup[i].cycle_with, i == 0 ? 1 : 0);
	}

	/* T5000 not a candidate: the cycle becomes a chain from T5001. */
	cand[5000] = false;
	assert_int_equal(ae_supersession_compute(t, n, cand, sup), AE_OK);
	assert_int_equal(sup[5000].superseded_by, AE_SUPERSEDE_NONE);
	assert_int_equal(sup[5000].cycle_with, AE_SUPERSEDE_NONE);
	assert_int_equal(sup[5001].superseded_by, AE_SUPERSEDE_NONE);
	assert_int_equal(sup[0].superseded_by, n - 1);
	assert_int_equal(sup[4999].superseded_by, 4998);
	for (i = 0; i < n; i++) {
		assert_int_equal(sup[i].cycle_with, AE_SUPERSEDE_NONE);
	}

	/* Duplicate cns: a value names both. */
	talloc_free(t[2]->cn);
	t[2]->cn = talloc_strdup(t[2], "T1");
	cand[5000] = true;
	elig_set_supersede(t[n - 1], NULL, NULL);
	assert_int_equal(ae_supersession_compute(t, n, cand, sup), AE_OK);
	assert_int_equal(sup[1].superseded_by, 0);
	assert_int_equal(sup[2].superseded_by, 0);
	assert_int_equal(sup[3].superseded_by, 2);
	assert_int_equal(sup[4].superseded_by, 3);

	assert_int_equal(ae_supersession_compute(t, 0, NULL, NULL), AE_OK);
	assert_int_equal(ae_supersession_compute(NULL, 1, cand, sup), AE_ERR_INVALID);
	assert_int_equal(ae_supersession_compute(t, 1, NULL, sup), AE_ERR_INVALID);
	assert_int_equal(ae_supersession_compute(t, 1, cand, NULL), AE_ERR_INVALID);
	assert_int_equal(ae_supersession_compute(t, AE_ELIGIBILITY_TEMPLATES_MAX + 1, cand, sup),
			 AE_ERR_TOO_LARGE);
	talloc_free(t[3]->cn);
	t[3]->cn = NULL;
	assert_int_equal(ae_supersession_compute(t, 4, cand, sup), AE_ERR_INVALID);
	talloc_free(in);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_supersede_simple),
		cmocka_unit_test(test_supersede_chain),
		cmocka_unit_test(test_supersede_cycle),
		cmocka_unit_test(test_supersession_direct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
