/*
 * test_names.c: the administrator's subject and SAN values (ae_names.h):
 * the value checks, the RFC 4514 subject, the SAN's GeneralNames, the
 * PKCS#10 that carries them (ae_csr_build with subject_der/san_der), and
 * the copy of subject and SAN from a certificate into a renewal request
 * (CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME).
 *
 * Leak check: talloc null tracking (leak_check.h); OpenSSL objects are
 * covered by ASan's leak check.
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
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "ae_csr.h"
#include "ae_key.h"
#include "ae_names.h"
#include "pki_helpers.h"

static void test_dns_checks(void **state)
{
	(void)state;
	assert_true(ae_names_dns_ok("www.lab.example.com"));
	assert_true(ae_names_dns_ok("*.lab.example.com"));
	assert_true(ae_names_dns_ok("host1"));
	assert_true(ae_names_dns_ok("a-b.c"));
	assert_false(ae_names_dns_ok(""));
	assert_false(ae_names_dns_ok("*"));
	assert_false(ae_names_dns_ok("a.*.b"));
	assert_false(ae_names_dns_ok("-a.b"));
	assert_false(ae_names_dns_ok("a-.b"));
	assert_false(ae_names_dns_ok("a..b"));
	assert_false(ae_names_dns_ok("a.b."));
	assert_false(ae_names_dns_ok("a_b.c"));
	assert_false(ae_names_dns_ok("a b"));
	assert_false(ae_names_dns_ok("a\nb"));
	assert_false(ae_names_dns_ok(NULL));
	char label[70];
	memset(label, 'a', 64);
	label[64] = '\0';
	assert_false(ae_names_dns_ok(label));
	label[63] = '\0';
	assert_true(ae_names_dns_ok(label));
}

static void test_ip_and_mailbox_checks(void **state)
{
	(void)state;
	assert_true(ae_names_ip_ok("192.0.2.1"));
	assert_true(ae_names_ip_ok("2001:db8::1"));
	assert_false(ae_names_ip_ok("192.0.2"));
	assert_false(ae_names_ip_ok("192.0.2.256"));
	assert_false(ae_names_ip_ok("www"));
	assert_false(ae_names_ip_ok(NULL));
	assert_true(ae_names_mailbox_ok("web$@lab.example.com"));
	assert_false(ae_names_mailbox_ok("nobody"));
	assert_false(ae_names_mailbox_ok("a@b@c"));
	assert_false(ae_names_mailbox_ok("@b"));
	assert_false(ae_names_mailbox_ok("a@"));
	assert_false(ae_names_mailbox_ok("a b@c"));
	assert_false(ae_names_mailbox_ok("a\x01@c"));
}

static X509_NAME *name_of(const struct ae_names *n)
{
	const unsigned char *q = n->subject_der;
	X509_NAME *x = d2i_X509_NAME(NULL, &q, (long)n->subject_len);

	assert_non_null(x);
	assert_ptr_equal(q, n->subject_der + n->subject_len);
	return x;
}

static void entry_is(X509_NAME *x, int i, int nid, const char *value)
{
	X509_NAME_ENTRY *e = X509_NAME_get_entry(x, i);
	const ASN1_STRING *s = X509_NAME_ENTRY_get_data(e);

	assert_int_equal(OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)), nid);
	assert_int_equal(ASN1_STRING_length(s), (int)strlen(value));
	assert_memory_equal(ASN1_STRING_get0_data(s), value, strlen(value));
}

static void test_subject_rfc4514(void **state)
{
	struct ae_names_input in = { .subject = "CN=www.lab.example.com, OU=Web\\, Files,O=Lab,"
						"DC=lab\\2Cx" };
	struct ae_names *n = NULL;
	char *why = NULL;
	X509_NAME *x = NULL;

	assert_int_equal(ae_names_build(*state, &in, &n, &why), AE_OK);
	assert_null(why);
	assert_null(n->san_der);
	x = name_of(n);
	assert_int_equal(X509_NAME_entry_count(x), 4);
	/* the string lists the most specific RDN first; the Name the most general */
	entry_is(x, 0, NID_domainComponent, "lab,x");
	entry_is(x, 1, NID_organizationName, "Lab");
	entry_is(x, 2, NID_organizationalUnitName, "Web, Files");
	entry_is(x, 3, NID_commonName, "www.lab.example.com");
	X509_NAME_free(x);
	talloc_free(n);
}

static void refused(TALLOC_CTX *mem, const struct ae_names_input *in, const char *needle)
{
	struct ae_names *n = NULL;
	char *why = NULL;

	assert_int_equal(ae_names_build(mem, in, &n, &why), AE_ERR_INVALID);
	assert_null(n);
	assert_non_null(why);
	assert_non_null(strstr(why, needle));
	talloc_free(why);
}

static void test_bad_values_refused(void **state)
{
	const char *bad_dns[] = { "www.lab.example.com", "bad_name", NULL };
	const char *bad_ip[] = { "300.1.1.1", NULL };
	char long_dn[AE_NAMES_DN_MAX + 8];

	refused(*state, &(struct ae_names_input){ .subject = "www.lab.example.com" }, "--subject");
	refused(*state, &(struct ae_names_input){ .subject = "CN=a+O=b" }, "--subject");
	refused(*state, &(struct ae_names_input){ .subject = "CN=#0403" }, "--subject");
	refused(*state, &(struct ae_names_input){ .subject = "CN=a,,O=b" }, "--subject");
	refused(*state, &(struct ae_names_input){ .subject = "CN=a\\" }, "--subject");
	refused(*state, &(struct ae_names_input){ .subject = "CN=a\x01" }, "--subject");
	refused(*state, &(struct ae_names_input){ .subject = "CN=a\\01" }, "--subject");
	refused(*state, &(struct ae_names_input){ .subject = "XX=a" }, "--subject");
	refused(*state, &(struct ae_names_input){ .subject = "" }, "--subject");
	memset(long_dn, 'a', sizeof(long_dn) - 1);
	memcpy(long_dn, "CN=", 3);
	long_dn[sizeof(long_dn) - 1] = '\0';
	refused(*state, &(struct ae_names_input){ .subject = long_dn }, "at most 1024");
	refused(*state, &(struct ae_names_input){ .dns = bad_dns }, "--dns 'bad_name'");
	refused(*state, &(struct ae_names_input){ .ip = bad_ip }, "--ip '300.1.1.1'");
	refused(*state, &(struct ae_names_input){ .upn = "nobody" }, "--upn");
	refused(*state, &(struct ae_names_input){ .email = "a@b@c" }, "--email");
	refused(*state, &(struct ae_names_input){ .email = "j\xc3\xa9@example.com" }, "ASCII");
}

/* The PKCS#10 built with the names, parsed back. */
static X509_REQ *csr_with(TALLOC_CTX *mem, const struct ae_key *key, const struct ae_names *n)
{
	struct ae_csr_params p = {
		.template_oid = "1.3.6.1.4.1.311.21.8.1.2", .schema_version = 2, .major = 100,
		.subject_cn = "ignored.example.com",
		.subject_der = n->subject_der, .subject_len = n->subject_len,
		.san_der = n->san_der, .san_len = n->san_len,
	};
	uint8_t *der = NULL;
	size_t len = 0;
	const unsigned char *q = NULL;
	X509_REQ *req = NULL;

	assert_int_equal(ae_csr_build(mem, key, &p, &der, &len), AE_OK);
	q = der;
	req = d2i_X509_REQ(NULL, &q, (long)len);
	assert_non_null(req);
	talloc_free(der);
	return req;
}

static GENERAL_NAMES *req_san(X509_REQ *req)
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	GENERAL_NAMES *g = X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL);

	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return g;
}

static void gen_is(GENERAL_NAMES *g, int i, int type, const void *v, int len)
{
	GENERAL_NAME *x = sk_GENERAL_NAME_value(g, i);
	int t = 0;
	ASN1_STRING *s = NULL;

	assert_non_null(x);
	if (type == GEN_OTHERNAME) {
		ASN1_OBJECT *oid = NULL;
		ASN1_TYPE *val = NULL;
		assert_int_equal(GENERAL_NAME_get0_otherName(x, &oid, &val), 1);
		assert_int_equal(OBJ_obj2nid(oid), NID_ms_upn);
		assert_int_equal(val->type, V_ASN1_UTF8STRING);
		s = val->value.utf8string;
	} else {
		s = GENERAL_NAME_get0_value(x, &t);
		assert_int_equal(t, type);
	}
	assert_int_equal(ASN1_STRING_length(s), len);
	assert_memory_equal(ASN1_STRING_get0_data(s), v, (size_t)len);
}

static void test_request_carries_the_names(void **state)
{
	const char *dns[] = { "www.lab.example.com", "*.files.lab.example.com", NULL };
	const char *ip[] = { "192.0.2.7", "2001:db8::7", NULL };
	struct ae_names_input in = { .subject = "CN=www.lab.example.com", .dns = dns, .ip = ip,
				     .upn = "web@lab.example.com", .email = "web@example.com" };
	const unsigned char v4[4] = { 192, 0, 2, 7 };
	const unsigned char v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 };
	struct ae_names *n = NULL;
	struct ae_key *key = pki_key(false);
	X509_REQ *req = NULL;
	GENERAL_NAMES *g = NULL;
	char *why = NULL;

	assert_int_equal(ae_names_build(*state, &in, &n, &why), AE_OK);
	req = csr_with(*state, key, n);
	assert_int_equal(X509_NAME_entry_count(X509_REQ_get_subject_name(req)), 1);
	entry_is(X509_REQ_get_subject_name(req), 0, NID_commonName, "www.lab.example.com");
	g = req_san(req);
	assert_non_null(g);
	assert_int_equal(sk_GENERAL_NAME_num(g), 6);
	gen_is(g, 0, GEN_DNS, "www.lab.example.com", 19);
	gen_is(g, 1, GEN_DNS, "*.files.lab.example.com", 23);
	gen_is(g, 2, GEN_IPADD, v4, 4);
	gen_is(g, 3, GEN_IPADD, v6, 16);
	gen_is(g, 4, GEN_OTHERNAME, "web@lab.example.com", 19);
	gen_is(g, 5, GEN_EMAIL, "web@example.com", 15);
	GENERAL_NAMES_free(g);
	X509_REQ_free(req);
	talloc_free(key);
	talloc_free(n);
}

static void test_csr_refuses_bad_name_der(void **state)
{
	static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x01, 0x00 };
	struct ae_key *key = pki_key(false);
	struct ae_csr_params p = { .template_oid = "1.2.3", .schema_version = 2 };
	uint8_t *der = NULL;
	size_t len = 0;

	p.subject_der = junk;
	p.subject_len = sizeof(junk);
	assert_int_equal(ae_csr_build(*state, key, &p, &der, &len), AE_ERR_INVALID);
	p.subject_der = NULL;
	p.subject_len = 0;
	p.san_der = junk;
	p.san_len = 0;	/* a pointer without a length */
	assert_int_equal(ae_csr_build(*state, key, &p, &der, &len), AE_ERR_INVALID);
	p.san_len = sizeof(junk);
	assert_int_equal(ae_csr_build(*state, key, &p, &der, &len), AE_ERR_INVALID);
	assert_null(der);
	talloc_free(key);
}

/* A certificate with subject O=Lab,CN=www and SAN dNSName www, files; its names into a renewal. */
static void test_names_copied_from_certificate(void **state)
{
	struct ae_key *key = pki_key(false);
	struct ae_cert *c = pki_cert(*state, "www.lab.example.com", key, NULL, NULL, 7, 30, NULL);
	struct ae_names *n = NULL;
	X509_REQ *req = NULL;
	GENERAL_NAMES *g = NULL;
	unsigned char *der = NULL;
	int len;

	pki_add_ext(c->x509, c->x509, NID_subject_alt_name,
		    "DNS:www.lab.example.com,DNS:files.lab.example.com");
	len = i2d_X509(c->x509, &der);
	assert_true(len > 0);
	assert_int_equal(ae_names_from_cert(*state, der, (size_t)len, &n), AE_OK);
	assert_int_equal(ae_names_from_cert(*state, der, (size_t)len - 1, &(struct ae_names *){ 0 }),
			 AE_ERR_PARSE);
	OPENSSL_free(der);
	req = csr_with(*state, key, n);
	assert_int_equal(X509_NAME_cmp(X509_REQ_get_subject_name(req),
				       X509_get_subject_name(c->x509)), 0);
	g = req_san(req);
	assert_non_null(g);
	assert_int_equal(sk_GENERAL_NAME_num(g), 2);
	gen_is(g, 0, GEN_DNS, "www.lab.example.com", 19);
	gen_is(g, 1, GEN_DNS, "files.lab.example.com", 21);
	GENERAL_NAMES_free(g);
	X509_REQ_free(req);
	talloc_free(n);
	talloc_free(c);
	talloc_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dns_checks, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_ip_and_mailbox_checks, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_subject_rfc4514, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_bad_values_refused, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_request_carries_the_names, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_csr_refuses_bad_name_der, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_names_copied_from_certificate, leak_setup,
						leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
