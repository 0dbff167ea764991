/*
 * test_eligibility_api.c: ae_eligibility.h around the verdict of one
 * template: the namer (or none) and the CA list, templates parsed with
 * ae_template_from_attrs (a built descriptor, and the one Samba stored for
 * the lab template), the argument checks, and
 * ae_eligibility_compute_enroll (an explicit request). Templates and
 * tokens: eligibility_fixture.h.
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
#include "ae_entry.h"
#include "eligibility_fixture.h"
#include "read_file.h"

#define CORPUS SRCDIR "/tests/fuzz/corpus/secdesc/"

/* The namer (or none), and the CA list. */
static void test_names_and_cas(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *in = talloc_new(mem);	/* the inputs */
	struct ae_token *tok = elig_make_token(in, TOK_MACHINE);
	static const struct tspec denied = { 2, MT | AEF, AEF, 0, 0, SD_ACES,
					     { OD(ENR, NESTED), BOTH(DCS) } };
	static const struct tspec no_auto = { 2, MT | AEF, AEF, 0, 0, SD_ACES, { OA(ENR, DCS) } };
	struct ae_template *t[2];
	struct ae_enrollment_service *cas[9];
	struct ae_eligibility *out = NULL;
	struct elig_namer_state st = { 0 };
	char cn[16];
	size_t i;

	(void)state;
	t[0] = elig_make_tpl(in, "Denied", &denied);
	t[1] = elig_make_tpl(in, "Good", &no_auto);
	cas[0] = elig_make_ca(in, "LabCA", "Denied", "good", NULL);
	cas[1] = elig_make_ca(in, "Other", NULL);
	cas[2] = elig_make_ca(in, "SecondCA", "GOOD", "Denied", NULL);

	/* Without a namer: SIDs only; the CAs are listed whatever the verdict. */
	assert_int_equal(ae_eligibility_compute(mem, t, 2, cas, 3, tok, AE_CONTEXT_MACHINE, NULL,
						NULL, &out), AE_OK);
	elig_want(&out[0], AE_INELIG_ENROLL_DENIED, NOT "denied Enroll by " NESTED, NULL);
	elig_want(&out[1], AE_INELIG_NO_AUTOENROLL, NOT "nothing grants AutoEnroll to " MACHINE
		  " or its groups", NULL);
	assert_int_equal(out[0].num_cas, 2);
	assert_string_equal(out[0].cas[0], "LabCA");
	assert_string_equal(out[0].cas[1], "SecondCA");
	assert_int_equal(out[1].num_cas, 2);
	talloc_free(out);

	/* With it: named, and the namer saw our private data. */
	assert_int_equal(ae_eligibility_compute(mem, t, 2, cas, 3, tok, AE_CONTEXT_MACHINE,
						elig_lab_namer, &st, &out), AE_OK);
	elig_want(&out[0], AE_INELIG_ENROLL_DENIED,
		  NOT "denied Enroll by LAB\\Nested Group (" NESTED ")", NULL);
	assert_true(st.calls >= 2);
	talloc_free(out);

	/* Eligible through two CAs, in their order. */
	elig_set_spec(t[1], &(struct tspec)GOOD);
	out = elig_compute(mem, &t[1], 1, cas, 3, tok, AE_CONTEXT_MACHINE);
	elig_want(&out[0], AE_ELIGIBLE, "eligible: published by LabCA, SecondCA", NULL);
	talloc_free(out);

	/* Not published: no CA at all, and nine that do not list it. */
	out = elig_compute(mem, &t[1], 1, NULL, 0, tok, AE_CONTEXT_MACHINE);
	elig_want(&out[0], AE_INELIG_NOT_PUBLISHED, NOT "no Enrollment Service was read", NULL);
	talloc_free(out);
	talloc_free(cas[0]);
	talloc_free(cas[1]);
	talloc_free(cas[2]);
	for (i = 0; i < 9; i++) {
		snprintf(cn, sizeof(cn), "CA%zu", i);
		cas[i] = elig_make_ca(in, cn, "Other", NULL);
	}
	out = elig_compute(mem, &t[1], 1, cas, 9, tok, AE_CONTEXT_MACHINE);
	elig_want(&out[0], AE_INELIG_NOT_PUBLISHED, NOT "no Enrollment Service lists it in "
		  "certificateTemplates (9 checked: CA0, CA1, CA2, CA3, CA4, CA5, CA6, CA7, ...)",
		  NULL);
	assert_null(out[0].cas);
	talloc_free(out);
	talloc_free(in);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/* A seed of the secdesc fuzz corpus, read whole. */
static uint8_t *read_corpus(TALLOC_CTX *mem, const char *name, size_t *_len)
{
	return read_test_file(mem, CORPUS, name, 64 * 1024, _len);
}

/*
 * Templates parsed from entries: a v1 machine template (no msPKI-*
 * attributes, the flag in flags) with a built SD, and a v2 one with the
 * descriptor Samba stored for the lab template.
 */
static void test_from_attrs(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *in = talloc_new(mem);	/* the inputs */
	struct ae_token *machine = elig_make_token(in, TOK_MACHINE);
	struct ae_token *user = elig_make_token(in, TOK_USER);
	static const struct tspec sd_both = { 0, 0, 0, 0, 0, SD_ACES, { BOTH(DCS) } };
	struct ae_template *scratch = elig_make_tpl(in, "scratch", &sd_both);
	struct ae_ldap_entry *e = ae_entry_new(in, "CN=MachineV1,CN=Certificate Templates");
	struct ae_enrollment_service *ca = elig_make_ca(in, "LabCA", "MachineV1", "LabMachine",
							NULL);
	struct ae_template *t[2];
	struct ae_eligibility *out = NULL;
	uint8_t *lab_sd = NULL;
	size_t lab_sd_len = 0;
	char why[256];

	(void)state;
	assert_non_null(e);
	assert_int_equal(ae_entry_add_str(e, "cn", "MachineV1"), AE_OK);
	assert_int_equal(ae_entry_add_str(e, "flags", "131680"), AE_OK);	/* 0x20260 */
	assert_int_equal(ae_entry_add_str(e, "revision", "5"), AE_OK);
	assert_int_equal(ae_entry_add_value(e, "nTSecurityDescriptor", scratch->sd,
					    scratch->sd_len), AE_OK);
	assert_int_equal(ae_template_from_attrs(in, e, &t[0], why, sizeof(why)), AE_OK);
	assert_int_equal(t[0]->schema_version, 1);
	assert_int_equal(t[0]->enrollment_flag, 0);

	talloc_free(e);
	e = ae_entry_new(in, "CN=LabMachine,CN=Certificate Templates");
	assert_int_equal(ae_entry_add_str(e, "cn", "LabMachine"), AE_OK);
	assert_int_equal(ae_entry_add_str(e, "flags", "131680"), AE_OK);
	assert_int_equal(ae_entry_add_str(e, "msPKI-Template-Schema-Version", "2"), AE_OK);
	assert_int_equal(ae_entry_add_str(e, "msPKI-Enrollment-Flag", "32"), AE_OK);
	assert_int_equal(ae_entry_add_str(e, "msPKI-Private-Key-Flag", "16842752"), AE_OK);
	assert_int_equal(ae_entry_add_str(e, "msPKI-RA-Signature", "0"), AE_OK);
	lab_sd = read_corpus(in, "valid_lab_template_brief.sd", &lab_sd_len);
	assert_int_equal(ae_entry_add_value(e, "nTSecurityDescriptor", lab_sd, lab_sd_len),
			 AE_OK);
	assert_int_equal(ae_template_from_attrs(in, e, &t[1], why, sizeof(why)), AE_OK);

	out = elig_compute(mem, t, 2, &ca, 1, machine, AE_CONTEXT_MACHINE);
	elig_want(&out[0], AE_ELIGIBLE, OK_R, NULL);
	elig_want(&out[1], AE_ELIGIBLE, OK_R, NULL);
	talloc_free(out);
	out = elig_compute(mem, t, 2, &ca, 1, user, AE_CONTEXT_USER);
	assert_int_equal(out[0].code, AE_INELIG_CONTEXT);
	assert_int_equal(out[1].code, AE_INELIG_CONTEXT);
	talloc_free(out);
	talloc_free(in);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_api(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_token *tok = elig_make_token(mem, TOK_MACHINE);
	struct ae_template *t = elig_make_tpl(mem, "Tpl", &(struct tspec)GOOD);
	struct ae_enrollment_service *ca = elig_make_ca(mem, "LabCA", "Tpl", NULL);
	struct ae_eligibility *out = NULL, *sentinel = (struct ae_eligibility *)&out;
	struct ae_template *null_t = NULL;
	char *cn = NULL;
	size_t blocks = 0;

	(void)state;
	blocks = talloc_total_blocks(mem);
	out = sentinel;
	assert_int_equal(ae_eligibility_compute(mem, &t, 1, &ca, 1, NULL, AE_CONTEXT_MACHINE,
						NULL, NULL, &out), AE_ERR_INVALID);
	assert_int_equal(ae_eligibility_compute(mem, &t, 1, &ca, 1, tok, AE_CONTEXT_MACHINE,
						NULL, NULL, NULL), AE_ERR_INVALID);
	assert_int_equal(ae_eligibility_compute(mem, &t, 1, &ca, 1, tok, (enum ae_context)7,
						NULL, NULL, &out), AE_ERR_INVALID);
	assert_int_equal(ae_eligibility_compute(mem, NULL, 1, &ca, 1, tok, AE_CONTEXT_MACHINE,
						NULL, NULL, &out), AE_ERR_INVALID);
	assert_int_equal(ae_eligibility_compute(mem, &t, 1, NULL, 1, tok, AE_CONTEXT_MACHINE,
						NULL, NULL, &out), AE_ERR_INVALID);
	assert_int_equal(ae_eligibility_compute(mem, &null_t, 1, &ca, 1, tok,
						AE_CONTEXT_MACHINE, NULL, NULL, &out),
			 AE_ERR_INVALID);
	assert_int_equal(ae_eligibility_compute(mem, &t, AE_ELIGIBILITY_TEMPLATES_MAX + 1, &ca, 1,
						tok, AE_CONTEXT_MACHINE, NULL, NULL, &out),
			 AE_ERR_TOO_LARGE);
	assert_int_equal(ae_eligibility_compute(mem, &t, 1, &ca, AE_ELIGIBILITY_CAS_MAX + 1, tok,
						AE_CONTEXT_MACHINE, NULL, NULL, &out),
			 AE_ERR_TOO_LARGE);
	cn = ca->cn;
	ca->cn = NULL;
	assert_int_equal(ae_eligibility_compute(mem, &t, 1, &ca, 1, tok, AE_CONTEXT_MACHINE,
						NULL, NULL, &out), AE_ERR_INVALID);
	ca->cn = cn;
	cn = t->cn;
	t->cn = NULL;
	assert_int_equal(ae_eligibility_compute(mem, &t, 1, &ca, 1, tok, AE_CONTEXT_MACHINE,
						NULL, NULL, &out), AE_ERR_INVALID);
	t->cn = cn;
	assert_ptr_equal(out, sentinel);
	assert_int_equal(talloc_total_blocks(mem), blocks);

	/* No templates: an empty array. */
	assert_int_equal(ae_eligibility_compute(mem, NULL, 0, NULL, 0, tok, AE_CONTEXT_USER,
						NULL, NULL, &out), AE_OK);
	assert_non_null(out);
	assert_ptr_not_equal(out, sentinel);
	assert_int_equal(talloc_array_length(out), 0);
	talloc_free(out);
	assert_int_equal(talloc_total_blocks(mem), blocks);

	/* The inputs are not modified; one free releases every string. */
	out = elig_compute(mem, &t, 1, &ca, 1, tok, AE_CONTEXT_MACHINE);
	assert_string_equal(t->cn, "Tpl");
	assert_int_equal(ca->num_templates, 1);
	talloc_free(out);
	assert_int_equal(talloc_total_blocks(mem), blocks);

	assert_string_equal(ae_inelig_name(AE_ELIGIBLE), "eligible");
	assert_string_equal(ae_inelig_name(AE_INELIG_ENROLL_DENIED), "denied-enroll");
	assert_string_equal(ae_inelig_name(AE_INELIG_NO_SD), "no-security-descriptor");
	assert_string_equal(ae_inelig_name(AE_INELIG_SUPERSEDED), "superseded");
	assert_string_equal(ae_inelig_name(AE_INELIG_NAME_ATTRIBUTE), "missing-name-attribute");
	assert_string_equal(ae_inelig_name((enum ae_inelig)(AE_INELIG_NAME_ATTRIBUTE + 1)),
			    "unknown");
	assert_int_equal(AE_CLIENT_CURRENT_VERSION, 4);

	talloc_free(ca);
	talloc_free(t);
	talloc_free(tok);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/*
 * ae_eligibility_compute_enroll: an explicit request (certmonger's helper)
 * skips the autoenrollment-only steps 1, 9-10, 12 and 15, keeps the rest.
 */
static void test_enroll_only(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *in = talloc_new(mem);
	struct ae_token *tok = elig_make_token(in, TOK_MACHINE);
	struct ae_enrollment_service *ca = elig_make_ca(in, "LabCA", "NoFlag", "EnrollOnly",
							"Consent", "Old", "New", "NoEnroll",
							"UserTpl", NULL);
	static const struct tspec no_flag = { 2, MT, 0, 0, 0, SD_ACES, { BOTH(DCS) } };
	static const struct tspec enroll_only = { 2, MT | AEF, AEF, 0, 0, SD_ACES,
						  { OA(ENR, DCS) } };
	static const struct tspec consent = { 2, MT | AEF, AEF | 0x100, 0, 0, SD_ACES,
					      { BOTH(DCS) } };
	static const struct tspec no_enroll = { 2, MT | AEF, AEF, 0, 0, SD_ACES,
						{ OA(AUTO, DCS) } };
	static const struct tspec user_tpl = { 2, AEF, AEF, 0, 0, SD_ACES, { BOTH(DCS) } };
	struct ae_template *t[8];
	struct ae_eligibility *auto_e = NULL, *enr = NULL;
	struct elig_namer_state st = { 0 };
	size_t i;

	(void)state;
	t[0] = elig_make_tpl(in, "NoFlag", &no_flag);
	t[1] = elig_make_tpl(in, "EnrollOnly", &enroll_only);
	t[2] = elig_make_tpl(in, "Consent", &consent);
	t[3] = elig_good_tpl(in, "Old", NULL, NULL);
	t[4] = elig_good_tpl(in, "New", "Old", NULL);
	t[5] = elig_make_tpl(in, "NoEnroll", &no_enroll);
	t[6] = elig_make_tpl(in, "UserTpl", &user_tpl);
	t[7] = elig_make_tpl(in, "Unpublished", &enroll_only);
	auto_e = elig_compute(mem, t, 8, &ca, 1, tok, M);
	assert_int_equal(ae_eligibility_compute_enroll(mem, t, 8, &ca, 1, tok, M, elig_lab_namer,
						       &st, &enr), AE_OK);
	/* autoenrollment: only New is eligible */
	assert_int_equal(auto_e[0].code, AE_INELIG_NO_AUTOENROLL_FLAG);
	assert_int_equal(auto_e[1].code, AE_INELIG_NO_AUTOENROLL);
	assert_int_equal(auto_e[2].code, AE_INELIG_USER_INTERACTION);
	assert_int_equal(auto_e[3].code, AE_INELIG_SUPERSEDED);
	assert_int_equal(auto_e[4].code, AE_ELIGIBLE);
	/* on request: the first five; Enroll, context and publication still count */
	for (i = 0; i < 5; i++) {
		elig_want(&enr[i], AE_ELIGIBLE, OK_R, NULL);
	}
	assert_int_equal(enr[5].code, AE_INELIG_NO_ENROLL);
	assert_int_equal(enr[6].code, AE_INELIG_CONTEXT);
	assert_int_equal(enr[7].code, AE_INELIG_NOT_PUBLISHED);
	assert_int_equal(ae_eligibility_compute_enroll(mem, t, 8, &ca, 1, NULL, M, NULL, NULL,
						       &enr), AE_ERR_INVALID);
	talloc_free(in);
	talloc_free(auto_e);
	talloc_free(enr);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_cas),
		cmocka_unit_test(test_from_attrs),
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_enroll_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
