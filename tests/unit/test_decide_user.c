/*
 * test_decide_user.c: decide() in the user context (ae_decide.h):
 * CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE ([MS-CRTD] 2.26) turns
 * the ENROLL or RE-ENROLL of a template into a SKIP when the user's
 * userCertificate holds a valid certificate of it (ae_decide_ds.c), and
 * only then: not without the flag, not for another template, not for the
 * current certificate's own copy, a revoked or expired one, not a RENEW or
 * a forced renewal. The name-flag verdicts (missing-name-attribute) are
 * SKIPs with their reason like any other ineligibility.
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
#define OID	"1.2.3.9"
#define DS_FLAG	CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE

struct fx {
	struct ae_template *t[2];
	struct ae_eligibility e[2];
	struct ae_store_snapshot snap;
	struct ae_store_cert cert;
	struct ae_ds_cert ds;
	struct ae_revocation_entry rev;
	struct ae_decide_input in;
};

/* LabUserRoaming (with the flag) and LabUser (without), eligible, no certificate. */
static struct fx *fixture(TALLOC_CTX *mem)
{
	struct fx *f = talloc_zero(mem, struct fx);
	size_t i;

	assert_non_null(f);
	for (i = 0; i < 2; i++) {
		f->t[i] = talloc_zero(f, struct ae_template);
		assert_non_null(f->t[i]);
		f->t[i]->schema_version = 2;
		f->t[i]->major_revision = 100;
		f->t[i]->expiration_s = 365 * DAY;
		f->t[i]->overlap_s = 42 * DAY;
		f->e[i].code = AE_ELIGIBLE;
		f->e[i].code_name = ae_inelig_name(AE_ELIGIBLE);
		f->e[i].reason = (char *)"eligible: published by LabCA";
	}
	f->t[0]->cn = (char *)"LabUserRoaming";
	f->t[0]->oid = (char *)OID;
	f->t[0]->enrollment_flag = CT_FLAG_AUTO_ENROLLMENT | DS_FLAG;
	f->t[1]->cn = (char *)"LabUser";
	f->t[1]->oid = (char *)"1.2.3.8";
	f->t[1]->enrollment_flag = CT_FLAG_AUTO_ENROLLMENT;
	/* published by another machine: serial 7A, valid for a year from T0 */
	f->ds = (struct ae_ds_cert){ .template_cn = "LabUserRoaming", .serial_hex = "7A",
				     .issuer = "CN = LabCA", .not_after = T0 + 365 * DAY };
	f->in.aepolicy = (struct ae_setting_u32){ .present = true, .value = 7 };
	f->in.templates = f->t;
	f->in.eligibility = f->e;
	f->in.num_templates = 2;
	f->in.snapshot = &f->snap;
	f->in.now = T0 + 10 * DAY;
	f->in.ds_certs = &f->ds;
	f->in.num_ds_certs = 1;
	f->in.principal_name = "alice";
	return f;
}

/* A local certificate of LabUserRoaming, serial s, valid [nb, na). */
static void local_cert(struct fx *f, const char *s, time_t nb, time_t na)
{
	f->cert = (struct ae_store_cert){
		.template_name = (char *)"LabUserRoaming", .template_oid = (char *)OID,
		.major = 100, .has_major = true, .serial_hex = (char *)s, .not_before = nb,
		.not_after = na, .key_present = true, .state = AE_CERT_ISSUED, .has_record = true,
	};
	f->snap.certs = &f->cert;
	f->snap.num_certs = 1;
}

static struct ae_action *run(TALLOC_CTX *mem, const struct fx *f, size_t *_n)
{
	struct ae_action *a = NULL;

	assert_int_equal(ae_decide(mem, &f->in, &a, _n), AE_OK);
	return a;
}

static void test_ds_certificate_skips_enroll(void **state)
{
	TALLOC_CTX *mem = *state;
	struct fx *f = fixture(mem);
	struct ae_action *a = NULL;
	size_t n = 0;

	a = run(mem, f, &n);
	assert_int_equal(n, 2);
	assert_int_equal(a[0].kind, AE_ACTION_SKIP);
	assert_int_equal(a[0].cause, AE_CAUSE_DS_CERTIFICATE);
	assert_string_equal(ae_action_cause_name(a[0].cause), "ds-certificate");
	assert_string_equal(a[0].reason, "a valid certificate of LabUserRoaming is already "
			    "published in alice's userCertificate (serial 7A, issued by CN = "
			    "LabCA, valid until 2024-12-31T00:00:00Z) and the template has "
			    "CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE (0x10): no new "
			    "request");
	/* LabUser lacks the flag: enrolled, whatever userCertificate holds */
	assert_int_equal(a[1].kind, AE_ACTION_ENROLL);
	talloc_free(a);

	/* the certificate is of LabUser: LabUser has no flag, LabUserRoaming none in DS */
	f->ds.template_cn = "LabUser";
	a = run(mem, f, &n);
	assert_int_equal(a[0].kind, AE_ACTION_ENROLL);
	assert_int_equal(a[1].kind, AE_ACTION_ENROLL);
	talloc_free(a);
	f->ds.template_cn = "labuserroaming";	/* cn compares case-insensitively */
	a = run(mem, f, &n);
	assert_int_equal(a[0].kind, AE_ACTION_SKIP);
	talloc_free(a);

	/* without the flag, or without DS certificates: enroll */
	f->t[0]->enrollment_flag = CT_FLAG_AUTO_ENROLLMENT;
	a = run(mem, f, &n);
	assert_int_equal(a[0].kind, AE_ACTION_ENROLL);
	talloc_free(a);
	f->t[0]->enrollment_flag |= DS_FLAG;
	f->in.num_ds_certs = 0;
	f->in.ds_certs = NULL;
	a = run(mem, f, &n);
	assert_int_equal(a[0].kind, AE_ACTION_ENROLL);
	talloc_free(a);
	talloc_free(f);
}

static void test_ds_certificate_not_counted(void **state)
{
	TALLOC_CTX *mem = *state;
	struct fx *f = fixture(mem);
	struct ae_action *a = NULL;
	size_t n = 0;

	/* expired by now (the cycle checks validity; decide still refuses a stale fact) */
	f->ds.not_after = f->in.now;
	a = run(mem, f, &n);
	assert_int_equal(a[0].kind, AE_ACTION_ENROLL);
	talloc_free(a);
	f->ds.not_after = T0 + 365 * DAY;

	/* revoked (the CRL check of the cycle) */
	f->rev = (struct ae_revocation_entry){ .serial_hex = "007a",
					       .status = AE_REVSTAT_REVOKED };
	f->in.revocations = &f->rev;
	f->in.num_revocations = 1;
	a = run(mem, f, &n);
	assert_int_equal(a[0].kind, AE_ACTION_ENROLL);
	talloc_free(a);
	f->rev.status = AE_REVSTAT_UNKNOWN;	/* unknown is no reason to enroll again */
	a = run(mem, f, &n);
	assert_int_equal(a[0].kind, AE_ACTION_SKIP);
	talloc_free(a);
	f->in.num_revocations = 0;
	f->in.revocations = NULL;

	/* the local certificate, revoked: its own copy in DS does not count */
	local_cert(f, "7A", T0, T0 + 365 * DAY);
	f->rev = (struct ae_revocation_entry){ .serial_hex = "7A", .status = AE_REVSTAT_REVOKED };
	f->in.revocations = &f->rev;
	f->in.num_revocations = 1;
	a = run(mem, f, &n);
	assert_int_equal(a[0].kind, AE_ACTION_REENROLL);
	assert_int_equal(a[0].cause, AE_CAUSE_REVOKED);
	talloc_free(a);
	talloc_free(f);
}

static void test_ds_certificate_replacements(void **state)
{
	TALLOC_CTX *mem = *state;
	struct fx *f = fixture(mem);
	struct ae_action *a = NULL;
	size_t n = 0;

	/* the local one expired, another valid one in DS: no re-enrollment, nothing archived */
	local_cert(f, "01", T0 - 365 * DAY, T0);
	a = run(mem, f, &n);
	assert_int_equal(a[0].kind, AE_ACTION_SKIP);
	assert_int_equal(a[0].cause, AE_CAUSE_DS_CERTIFICATE);
	assert_string_equal(a[0].cert->serial_hex, "01");
	assert_int_equal(a[1].kind, AE_ACTION_ENROLL);	/* LabUser */
	assert_int_equal(n, 2);
	talloc_free(a);

	/* in the renewal window: the local one is renewed (not a new certificate) */
	local_cert(f, "01", T0 - 300 * DAY, T0 + 40 * DAY);
	a = run(mem, f, &n);
	assert_int_equal(a[0].kind, AE_ACTION_RENEW);
	talloc_free(a);

	/* a forced renewal is the administrator's: untouched */
	local_cert(f, "01", T0, T0 + 365 * DAY);
	f->in.force_renew = "LabUserRoaming";
	a = run(mem, f, &n);
	assert_int_equal(a[0].kind, AE_ACTION_RENEW);
	assert_int_equal(a[0].cause, AE_CAUSE_FORCED);
	talloc_free(a);
	f->in.force_renew = NULL;

	/* no name: "the user" */
	f->snap.num_certs = 0;
	f->in.principal_name = NULL;
	a = run(mem, f, &n);
	assert_non_null(strstr(a[0].reason, "published in the user's userCertificate"));
	talloc_free(a);
	talloc_free(f);
}

/* The name-flag verdict is a SKIP with its reason, before any request. */
static void test_name_attribute_skip(void **state)
{
	TALLOC_CTX *mem = *state;
	struct fx *f = fixture(mem);
	struct ae_action *a = NULL;
	size_t n = 0;

	f->e[1].code = AE_INELIG_NAME_ATTRIBUTE;
	f->e[1].code_name = ae_inelig_name(AE_INELIG_NAME_ATTRIBUTE);
	f->e[1].reason = (char *)"not eligible: the template needs the user's e-mail address "
				 "(mail) for CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL (0x04000000), which "
				 "bob's account does not have";
	a = run(mem, f, &n);
	assert_int_equal(a[1].kind, AE_ACTION_SKIP);
	assert_int_equal(a[1].cause, AE_CAUSE_NOT_ELIGIBLE);
	assert_string_equal(a[1].reason, f->e[1].reason);
	talloc_free(a);
	talloc_free(f);
}

static void test_arguments(void **state)
{
	TALLOC_CTX *mem = *state;
	struct fx *f = fixture(mem);
	struct ae_action *a = NULL;
	size_t n = 0;

	f->in.ds_certs = NULL;
	assert_int_equal(ae_decide(mem, &f->in, &a, &n), AE_ERR_INVALID);
	f->in.ds_certs = &f->ds;
	f->in.num_ds_certs = AE_DECIDE_CERTS_MAX + 1;
	assert_int_equal(ae_decide(mem, &f->in, &a, &n), AE_ERR_TOO_LARGE);
	assert_null(a);
	/* a DS certificate without serial or template is ignored */
	f->in.num_ds_certs = 1;
	f->ds.serial_hex = NULL;
	a = run(mem, f, &n);
	assert_int_equal(a[0].kind, AE_ACTION_ENROLL);
	talloc_free(a);
	talloc_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ds_certificate_skips_enroll, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_ds_certificate_not_counted, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_ds_certificate_replacements, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_name_attribute_skip, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_arguments, leak_setup, leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
