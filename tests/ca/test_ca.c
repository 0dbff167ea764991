/*
 * test_ca.c: the test CA's decision path (ca_process) end to end with a
 * fake directory and a throw-away CA in a temporary directory: issue,
 * every refusal, pending -> ca-admin -> retrieval, persistence, corrupt
 * records, and a mutation sweep of requests (robustness).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>
#include "ae_file.h"
#include "ae_hresult.h"
#include "ae_utf16.h"
#include "ca.h"
#include "ca_ctx.h"
#include "ca_db.h"
#include "ca_der.h"
#include "ca_policy.h"
#include "ca_sd.h"
#include "test_ca.h"
#include "test_ca_fixture.h"

/* CRL distribution points: the CDP object's LDAP URL, then the file. */
static void check_cdp(struct fixture *f, X509 *x)
{
	CRL_DIST_POINTS *cdps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
	DIST_POINT *dp = NULL;
	GENERAL_NAME *g = NULL;
	char want[256];

	assert_non_null(cdps);
	assert_int_equal(sk_DIST_POINT_num(cdps), 1);
	dp = sk_DIST_POINT_value(cdps, 0);
	assert_non_null(dp->distpoint);
	assert_int_equal(dp->distpoint->type, 0);
	assert_int_equal(sk_GENERAL_NAME_num(dp->distpoint->name.fullname), 2);
	g = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, 0);
	assert_int_equal(g->type, GEN_URI);
	assert_string_equal((const char *)ASN1_STRING_get0_data(g->d.uniformResourceIdentifier),
			    "ldap:///CN=TEST-CA,CN=DC1,CN=CDP,CN=Public%20Key%20Services,"
			    "CN=Services,CN=Configuration,DC=lab,DC=example,DC=com"
			    "?certificateRevocationList?base?objectClass=cRLDistributionPoint");
	g = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, 1);
	snprintf(want, sizeof(want), "file://%s/crl/TEST-CA.crl", f->dir);
	assert_int_equal(g->type, GEN_URI);
	assert_string_equal((const char *)ASN1_STRING_get0_data(g->d.uniformResourceIdentifier),
			    want);
	CRL_DIST_POINTS_free(cdps);
}

static void test_issue_machine(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key, .oid = TOID, .major = 100, .minor = 3 };
	struct ca_answer *a = ask(f, &f->machine, "CertificateTemplate:LabMachine", &o);
	X509 *x = check_issued(f, a);
	GENERAL_NAMES *san = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	const ASN1_OCTET_STRING *v = NULL;
	struct ca_bytes want;
	char *oid = NULL;
	uint32_t major = 0, minor = 0;

	assert_string_equal(a->template_name, "LabMachine");
	assert_int_equal(X509_NAME_entry_count(X509_get_subject_name(x)), 0);
	assert_non_null(san);
	assert_int_equal(sk_GENERAL_NAME_num(san), 1);
	assert_string_equal(ASN1_STRING_get0_data(sk_GENERAL_NAME_value(san, 0)->d.dNSName),
			    "member1.lab.example.com");
	GENERAL_NAMES_free(san);
	v = ext_value(x, CA_OID_TEMPLATE_EXT);
	assert_non_null(v);
	assert_int_equal(ca_der_parse_template_ext(f->t, ASN1_STRING_get0_data(v),
						   (size_t)ASN1_STRING_length(v), &oid, &major,
						   &minor), AE_OK);
	assert_string_equal(oid, TOID);
	assert_int_equal(major, 100);
	assert_int_equal(minor, 3);
	v = ext_value(x, CA_OID_SID_EXT);
	assert_non_null(v);
	assert_int_equal(ca_der_sid_ext(f->t, DOM "-1103", &want), AE_OK);
	assert_int_equal((size_t)ASN1_STRING_length(v), want.len);
	assert_memory_equal(ASN1_STRING_get0_data(v), want.p, want.len);
	assert_non_null(ext_value(x, "2.5.29.14"));	/* SKI */
	assert_non_null(ext_value(x, "2.5.29.35"));	/* AKI */
	assert_true(X509_get_extended_key_usage(x) & XKU_SSL_CLIENT);
	assert_true(X509_get_key_usage(x) & KU_KEY_ENCIPHERMENT);
	check_cdp(f, x);
	X509_free(x);

	/* the template named by its OID only, and by the OID in the attribute */
	a = ask(f, &f->machine, NULL, &o);
	X509_free(check_issued(f, a));
	a = ask(f, &f->machine, "CertificateTemplate:" TOID, &o);
	X509_free(check_issued(f, a));
}

/* `ca-admin template-ext off`: the CA leaves the template extension out (v2 and v1). */
static void test_issue_without_template_extension_switch(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key, .oid = TOID, .major = 100, .minor = 3 };
	struct csr_opts v1 = { .key = f->key, .v1name = "Machine" };
	X509 *x = NULL;

	assert_int_equal(ca_admin(f, "template-ext off 2>/dev/null"), 0);
	x = check_issued(f, ask(f, &f->machine, "CertificateTemplate:LabMachine", &o));
	assert_null(ext_value(x, CA_OID_TEMPLATE_EXT));
	assert_null(ext_value(x, CA_OID_TEMPLATE_NAME));
	assert_non_null(ext_value(x, CA_OID_SID_EXT));	/* the rest as usual */
	X509_free(x);
	x = check_issued(f, ask(f, &f->machine, NULL, &v1));
	assert_null(ext_value(x, CA_OID_TEMPLATE_NAME));
	X509_free(x);
	assert_int_equal(ca_admin(f, "template-ext on 2>/dev/null"), 0);
	x = check_issued(f, ask(f, &f->machine, "CertificateTemplate:LabMachine", &o));
	assert_non_null(ext_value(x, CA_OID_TEMPLATE_EXT));
	X509_free(x);
	assert_int_equal(ca_admin(f, "template-ext maybe 2>/dev/null"), 1);
}

/* `ca-admin deny-template NAME`: denied as without Enroll, until allow-template. */
static void test_deny_template_switch(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key, .oid = TOID, .major = 100, .minor = 3 };

	assert_int_equal(ca_admin(f, "deny-template Other 2>/dev/null"), 0);
	assert_int_equal(ca_admin(f, "deny-template labmachine 2>/dev/null"), 0);
	expect(ask(f, &f->machine, "CertificateTemplate:LabMachine", &o),
	       AE_CERTSRV_E_TEMPLATE_DENIED, true);
	assert_int_equal(ca_admin(f, "allow-template LabMachine 2>/dev/null"), 0);
	X509_free(check_issued(f, ask(f, &f->machine, "CertificateTemplate:LabMachine", &o)));
	assert_int_equal(ca_admin(f, "allow-template Other 2>/dev/null"), 0);
	assert_int_equal(ca_admin(f, "deny-template 'a/b' 2>/dev/null"), 1);
}

static void test_issue_v1_and_enrollee(void **state)
{
	struct fixture *f = *state;
	struct csr_opts v1 = { .key = f->key, .v1name = "Machine" };
	struct csr_opts web = { .key = f->key, .cn = "www.lab.example.com",
				.san_dns = "www.lab.example.com" };
	struct csr_opts upn = { .key = f->key };
	struct ca_answer *a = ask(f, &f->machine, NULL, &v1);
	X509 *x = check_issued(f, a);
	char cn[128];
	const ASN1_OCTET_STRING *v;

	X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn));
	assert_string_equal(cn, "member1.lab.example.com");	/* DNS_AS_CN */
	v = ext_value(x, CA_OID_TEMPLATE_NAME);
	assert_non_null(v);
	assert_null(ext_value(x, CA_OID_TEMPLATE_EXT));
	X509_free(x);

	a = ask(f, &f->machine, "CertificateTemplate:LabWebServer", &web);
	x = check_issued(f, a);
	X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn));
	assert_string_equal(cn, "www.lab.example.com");		/* from the request */
	assert_non_null(ext_value(x, "2.5.29.17"));
	assert_null(ext_value(x, CA_OID_SID_EXT));		/* not supplied */
	X509_free(x);

	a = ask(f, &f->user, "CertificateTemplate:LabUser", &upn);
	x = check_issued(f, a);
	assert_int_equal(X509_NAME_entry_count(X509_get_subject_name(x)), 5);
	assert_null(ext_value(x, CA_OID_SID_EXT));		/* NO_SECURITY_EXTENSION */
	X509_free(x);
}

/*
 * [MS-WCCE] 3.2.2.6.2.1.4.5.9: without CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT the
 * CA "MUST ignore any subject name information provided in the certificate
 * request" (and the SAN extension: the names come from AD); it is no
 * refusal. LabMachine asked for www.lab.example.com gets the member's names.
 */
static void test_names_ignored_without_enrollee_flag(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key, .oid = TOID, .major = 100, .minor = 3,
			      .cn = "www.lab.example.com", .san_dns = "www.lab.example.com" };
	X509 *x = check_issued(f, ask(f, &f->machine, "CertificateTemplate:LabMachine", &o));
	GENERAL_NAMES *san = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);

	assert_int_equal(X509_NAME_entry_count(X509_get_subject_name(x)), 0);
	assert_non_null(san);
	assert_int_equal(sk_GENERAL_NAME_num(san), 1);
	assert_string_equal(ASN1_STRING_get0_data(sk_GENERAL_NAME_value(san, 0)->d.dNSName),
			    "member1.lab.example.com");
	GENERAL_NAMES_free(san);
	X509_free(x);
}

static void test_refusals(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key };
	struct csr_opts small = { .key = f->small };
	struct csr_opts bad = { .key = f->key, .bad_sig = true };
	struct csr_opts newer = { .key = f->key, .oid = TOID, .major = 100, .minor = 4 };
	struct csr_opts other = { .key = f->key, .oid = TOID ".2", .major = 100 };
	struct ca_bytes csr = make_csr(f->t, &o);
	uint8_t garbage[] = { 0x30, 0x03, 0x02, 0x01, 0x01, 0xde, 0xad };
	struct ca_bytes junk = { garbage, sizeof(garbage) };
	struct ca_answer *a;

	a = ask(f, &f->machine, "CertificateTemplate:LabNoEnroll", &o);
	expect(a, AE_CERTSRV_E_TEMPLATE_DENIED, true);
	assert_string_equal(a->message, "Denied by Policy Module 0x80094012, The permissions on "
			    "the certificate template do not allow the current user to enroll "
			    "for this type of certificate.");
	expect(ask(f, &f->user, "CertificateTemplate:LabMachine", &o),
	       AE_CERTSRV_E_TEMPLATE_DENIED, true);
	expect(ask(f, &f->machine, "CertificateTemplate:LabUnpublished", &o),
	       AE_CERTSRV_E_UNSUPPORTED_CERT_TYPE, true);
	expect(ask(f, &f->machine, "CertificateTemplate:NoSuchTemplate", &o),
	       AE_CERTSRV_E_UNSUPPORTED_CERT_TYPE, true);
	expect(ask(f, &f->machine, "Other:x", &o), AE_CERTSRV_E_NO_CERT_TYPE, true);
	expect(ask(f, &f->machine, "CertificateTemplate:LabMachine", &other),
	       AE_CERTSRV_E_TEMPLATE_CONFLICT, true);
	expect(ask(f, &f->machine, "CertificateTemplate:LabMachine\nCertificateTemplate:Machine",
		   &o), AE_CERTSRV_E_TEMPLATE_CONFLICT, true);
	expect(ask(f, &f->machine, NULL, &newer), AE_CERTSRV_E_BAD_TEMPLATE_VERSION, true);
	expect(ask(f, &f->machine, "CertificateTemplate:LabMachine", &small),
	       AE_CERTSRV_E_KEY_LENGTH, true);
	expect(ask(f, &f->machine, "CertificateTemplate:LabMachine", &bad),
	       AE_NTE_BAD_SIGNATURE, true);
	expect(ask(f, &f->machine2, "CertificateTemplate:LabMachine", &o),
	       AE_CERTSRV_E_SUBJECT_DNS_REQUIRED, true);
	expect(ask(f, &f->machine2, "CertificateTemplate:LabUser", &o),
	       CA_CERTSRV_E_SUBJECT_UPN_REQUIRED, true);
	expect(submit(f, &f->machine, "TEST-CA", "CertificateTemplate:LabMachine", &junk, 0),
	       AE_CRYPT_E_ASN1_BADTAG, true);
	a = submit(f, &f->machine, "OTHER-CA", "CertificateTemplate:LabMachine", &csr, 0);
	expect(a, AE_E_INVALIDARG, false);
	assert_non_null(strstr(a->message, "OTHER-CA"));
	expect(submit(f, &f->machine, NULL, "CertificateTemplate:LabMachine", &csr, 0),
	       AE_E_INVALIDARG, false);
	expect(submit(f, &f->machine, "TEST-CA", NULL, NULL, 0), AE_E_INVALIDARG, false);
	f->dir_down = true;
	expect(submit(f, &f->machine, "TEST-CA", "CertificateTemplate:LabMachine", &csr, 0),
	       CA_E_DS_UNAVAILABLE, true);
	f->dir_down = false;
}

static void test_pending(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key };
	struct ca_answer *a, *b;
	uint32_t id, id2;
	char path[128];

	a = ask(f, &f->machine, "CertificateTemplate:LabPending", &o);
	assert_int_equal(a->disposition, AE_CR_DISP_UNDER_SUBMISSION);
	assert_string_equal(a->message, "Taken Under Submission");
	id = a->request_id;
	assert_true(id > 0);
	a = submit(f, &f->machine, "TEST-CA", NULL, NULL, id);		/* still pending */
	assert_int_equal(a->disposition, AE_CR_DISP_UNDER_SUBMISSION);
	assert_int_equal(a->request_id, id);
	expect(submit(f, &f->machine2, "TEST-CA", NULL, NULL, id), AE_E_ACCESSDENIED, true);
	expect(submit(f, &f->machine, "TEST-CA", NULL, NULL, 999999), AE_CERTSRV_E_NO_REQUEST,
	       true);
	set_record_state(f, 999999, "issue", 2);			/* unknown id */
	set_record_state(f, id, "issue", 0);
	set_record_state(f, id, "issue", 4);				/* not pending */
	a = submit(f, &f->machine, "TEST-CA", NULL, NULL, id);
	X509_free(check_issued(f, a));
	assert_string_equal(a->template_name, "LabPending");
	b = submit(f, &f->machine, "TEST-CA", NULL, NULL, id);		/* the same certificate */
	X509_free(check_issued(f, b));
	assert_int_equal(a->cert.len, b->cert.len);
	assert_memory_equal(a->cert.p, b->cert.p, a->cert.len);

	a = ask(f, &f->machine, "CertificateTemplate:LabPending", &o);
	id2 = a->request_id;
	assert_true(id2 > id);
	set_record_state(f, id2, "deny", 0);
	a = submit(f, &f->machine, "TEST-CA", NULL, NULL, id2);
	expect(a, AE_CR_DISP_DENIED, true);
	assert_non_null(strstr(a->message, "Denied by the CA administrator"));

	/* a refused request is retrievable as denied too */
	a = ask(f, &f->machine, "CertificateTemplate:LabNoEnroll", &o);
	expect(submit(f, &f->machine, "TEST-CA", NULL, NULL, a->request_id), AE_CR_DISP_DENIED,
	       true);

	/* a corrupt record is an error answer */
	snprintf(path, sizeof(path), "%s/db/req-%u", f->dir, id2);
	assert_int_equal(ae_file_write_atomic(path, "version=1\nid=", 13, 0600), AE_OK);
	expect(submit(f, &f->machine, "TEST-CA", NULL, NULL, id2), CA_ERROR_INVALID_DATA, true);
	set_record_state(f, id2, "issue", 3);
}

static void test_ids_persist(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key };
	struct ca_answer *a;
	struct ca_ctx *again = NULL;
	uint32_t first, second;
	char path[128];

	a = ask(f, &f->machine, "CertificateTemplate:LabMachine", &o);
	first = a->request_id;
	/* a "restart": the CA loaded afresh, and even next-id lost */
	assert_int_equal(ca_ctx_load(f->t, f->dir, "TEST-CA", &again), AE_OK);
	talloc_free(f->ca);
	f->ca = again;
	snprintf(path, sizeof(path), "%s/db/next-id", f->dir);
	assert_int_equal(unlink(path), 0);
	a = ask(f, &f->machine, "CertificateTemplate:LabMachine", &o);
	second = a->request_id;
	assert_true(second > first);
	a = submit(f, &f->machine, "TEST-CA", NULL, NULL, first);	/* issued earlier */
	X509_free(check_issued(f, a));
	assert_int_equal(a->request_id, first);
}

struct sweep {
	struct fixture *f;
	size_t n, issued;
};

static void request_mutant(void *state, const uint8_t *p, size_t len)
{
	struct sweep *s = state;
	struct ca_bytes b = { (uint8_t *)p, len };
	TALLOC_CTX *before = s->f->t;
	struct ca_answer *a = NULL;

	s->f->t = talloc_new(before);
	a = submit(s->f, &s->f->machine, "TEST-CA", "CertificateTemplate:LabMachine", &b, 0);
	assert_true(a->disposition == AE_CR_DISP_ISSUED || (a->disposition & 0x80000000u));
	s->issued += a->disposition == AE_CR_DISP_ISSUED;
	s->n++;
	talloc_free(s->f->t);
	s->f->t = before;
}

static void csr_mutant(void *state, const uint8_t *p, size_t len)
{
	struct ca_csr *csr = NULL;

	(void)state;
	if (ca_csr_parse(NULL, p, len, &csr) == AE_OK) {
		talloc_free(csr);
	}
}

static void test_robustness(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key, .oid = TOID, .major = 100, .minor = 3,
			      .v1name = "LabMachine" };
	struct ca_bytes csr = make_csr(f->t, &o);
	struct sweep s = { .f = f };
	size_t blocks = talloc_total_blocks(f->t);

	test_mutate(csr.p, csr.len, 1, csr_mutant, NULL);
	test_mutate(csr.p, csr.len, 37, request_mutant, &s);
	assert_true(s.n > 50);
	assert_int_equal(talloc_total_blocks(f->t), blocks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_machine),
		cmocka_unit_test(test_issue_without_template_extension_switch),
		cmocka_unit_test(test_deny_template_switch),
		cmocka_unit_test(test_issue_v1_and_enrollee),
		cmocka_unit_test(test_names_ignored_without_enrollee_flag),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_pending),
		cmocka_unit_test(test_ids_persist),
		cmocka_unit_test(test_robustness),
	};
	int rc = ca_vector_tests();

	rc |= cmocka_run_group_tests_name("ca_process", tests, setup, teardown);
	rc |= ca_renewal_tests();
	rc |= ca_user_tests();
	rc |= ca_fault_tests();
	return rc;
}
