/*
 * test_enroll_names.c: the engine's half of `request --subject/--dns/...`
 * (ae_enroll_names.c): the values checked with the option named; the
 * template's msPKI-Certificate-Name-Flag checked (a subject needs
 * CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT, SANs it or _ALT_NAME), the refusal
 * naming template and flag with outcome MISCONFIGURED (exit 6); the names
 * replacing the default subject CN and DNS name in the PKCS#10 parameters;
 * a renewal's copy from the old certificate only for 0x1 templates.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "leak_check.h"
#include <talloc.h>
#include "ae_csr.h"
#include "ae_enroll_private.h"
#include "ae_template.h"
#include "pki_helpers.h"

static const char *const dns[] = { "www.lab.example.com", "files.lab.example.com", NULL };

static void test_values_checked(void **state)
{
	const char *const bad[] = { "ok.example", "not ok", NULL };
	struct ae_enroll_opts o = { .template_name = "T" };
	char *why = NULL;

	assert_false(ae_enroll_names_given(&o));
	assert_int_equal(ae_enroll_names_check(*state, &o, &why), AE_OK);
	o.subject = "CN=www.lab.example.com";
	o.dns = dns;
	assert_true(ae_enroll_names_given(&o));
	assert_int_equal(ae_enroll_names_check(*state, &o, &why), AE_OK);
	assert_null(why);
	o.dns = bad;
	assert_int_equal(ae_enroll_names_check(*state, &o, &why), AE_ERR_INVALID);
	assert_non_null(strstr(why, "--dns 'not ok'"));
	talloc_free(why);
	why = NULL;
	o.dns = NULL;
	o.upn = "no-at-sign";
	assert_int_equal(ae_enroll_names_check(*state, &o, &why), AE_ERR_INVALID);
	assert_non_null(strstr(why, "--upn"));
	talloc_free(why);
}

static struct ae_enroll_result *allowed(TALLOC_CTX *mem, uint32_t flags,
					const struct ae_enroll_opts *o, ae_err want)
{
	struct ae_template t = { .cn = (char *)"LabMachine", .name_flag = flags };
	struct ae_enroll_result *r = ae_enroll_result_new(mem, "LabMachine");

	assert_non_null(r);
	assert_int_equal(ae_enroll_names_allowed(r, &t, o), want);
	return r;
}

static void test_template_flags(void **state)
{
	struct ae_enroll_opts subj = { .subject = "CN=www" };
	struct ae_enroll_opts san = { .dns = dns };
	struct ae_enroll_opts ip = { .ip = (const char *const[]){ "192.0.2.1", NULL } };
	struct ae_enroll_opts none = { 0 };
	struct ae_enroll_result *r = NULL;

	talloc_free(allowed(*state, CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT, &subj, AE_OK));
	talloc_free(allowed(*state, CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT, &san, AE_OK));
	talloc_free(allowed(*state, CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME, &san, AE_OK));
	talloc_free(allowed(*state, 0, &none, AE_OK));
	r = allowed(*state, CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME, &subj, AE_ERR_INVALID);
	assert_int_equal(r->outcome, AE_OUTCOME_MISCONFIGURED);
	assert_non_null(strstr(r->error, "template LabMachine: --subject refused"));
	assert_non_null(strstr(r->error, "CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT 0x1"));
	talloc_free(r);
	r = allowed(*state, 0x08000000u, &ip, AE_ERR_INVALID);	/* SUBJECT_ALT_REQUIRE_DNS */
	assert_int_equal(r->outcome, AE_OUTCOME_MISCONFIGURED);
	assert_non_null(strstr(r->error, "template LabMachine: --dns/--ip/--upn/--email refused"));
	assert_non_null(strstr(r->error, "CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME 0x10000"));
	talloc_free(r);
}

static void test_names_replace_defaults(void **state)
{
	const char *const defaults[] = { "member1.lab.example.com", NULL };
	struct ae_csr_params p = { .subject_cn = "member1.lab.example.com", .dns_names = defaults };
	struct ae_enroll_opts o = { .dns = dns };
	struct ae_csr_params q = p;

	assert_int_equal(ae_enroll_names_apply(*state, &(struct ae_enroll_opts){ 0 }, &q), AE_OK);
	assert_memory_equal(&q, &p, sizeof(p));		/* nothing given: untouched */
	assert_int_equal(ae_enroll_names_apply(*state, &o, &p), AE_OK);
	assert_null(p.subject_cn);			/* exactly the names given */
	assert_null(p.dns_names);
	assert_null(p.subject_der);
	assert_non_null(p.san_der);
	assert_true(p.san_len > 0);
	talloc_free(talloc_parent(p.san_der));
}

static void test_renewal_copies_for_enrollee_templates(void **state)
{
	struct ae_template web = { .cn = (char *)"W", .name_flag = 0x9 };
	struct ae_template mach = { .cn = (char *)"M", .name_flag = 0x08000000u };
	struct ae_key *key = pki_key(false);
	struct ae_cert *c = pki_cert(*state, "www.lab.example.com", key, NULL, NULL, 9, 30, NULL);
	struct ae_csr_params p = { .subject_cn = "member1" };

	assert_true(ae_enroll_names_from_old(&web));
	assert_false(ae_enroll_names_from_old(&mach));
	assert_int_equal(ae_enroll_names_copy(*state, c, &p), AE_OK);
	assert_null(p.subject_cn);
	assert_non_null(p.subject_der);
	assert_null(p.san_der);				/* the certificate has none */
	talloc_free(talloc_parent(p.subject_der));
	talloc_free(c);
	talloc_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_values_checked, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_template_flags, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_names_replace_defaults, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_renewal_copies_for_enrollee_templates,
						leak_setup, leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
