/*
 * test_policy.c: the pure parts of the policy layer's directory readers
 * (enrollment services, CA certificate stores, CA choice, DNs, filter
 * escaping, host names, the SD_FLAGS value) and the refusals of
 * ae_ldap_connect() that need no server. The LDAP paths themselves are
 * exercised against the lab (see the report of the policy layer).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_entry.h"
#include "ae_ldap.h"
#include "ae_pki.h"

#define CONFIG_NC "CN=Configuration,DC=lab,DC=example,DC=com"

/* A DER SEQUENCE of 'body' bytes (long form when body >= 128). */
static uint8_t *fake_cert(TALLOC_CTX *mem, size_t body, uint8_t fill, size_t *_len)
{
	size_t hdr = body < 0x80 ? 2 : (body < 0x100 ? 3 : 4);
	uint8_t *p = talloc_zero_size(mem, hdr + body);

	assert_non_null(p);
	p[0] = 0x30;
	if (hdr == 2) {
		p[1] = (uint8_t)body;
	} else if (hdr == 3) {
		p[1] = 0x81;
		p[2] = (uint8_t)body;
	} else {
		p[1] = 0x82;
		p[2] = (uint8_t)(body >> 8);
		p[3] = (uint8_t)body;
	}
	memset(p + hdr, fill, body);
	*_len = hdr + body;
	return p;
}

static struct ae_ldap_entry *lab_ca(TALLOC_CTX *mem, const char *cn, const char *host,
				    const char *const *templates)
{
	struct ae_ldap_entry *e = NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	size_t i;
	char *dn = talloc_asprintf(mem, "CN=%s,CN=Enrollment Services,CN=Public Key Services,"
				   "CN=Services," CONFIG_NC, cn);

	e = ae_entry_new(mem, dn);
	talloc_free(dn);
	assert_non_null(e);
	assert_int_equal(ae_entry_add_str(e, "cn", cn), AE_OK);
	assert_int_equal(ae_entry_add_str(e, "displayName", cn), AE_OK);
	if (host != NULL) {
		assert_int_equal(ae_entry_add_str(e, "dNSHostName", host), AE_OK);
	}
	der = fake_cert(e, 921, 0x42, &len);
	assert_int_equal(ae_entry_add_value(e, "cACertificate", der, len), AE_OK);
	for (i = 0; templates != NULL && templates[i] != NULL; i++) {
		assert_int_equal(ae_entry_add_str(e, "certificateTemplates", templates[i]), AE_OK);
	}
	assert_int_equal(ae_entry_add_str(e, "flags", "10"), AE_OK);
	assert_int_equal(ae_entry_add_str(e, "uSNChanged", "4024"), AE_OK);
	return e;
}

static void test_der_is_sequence(void **state)
{
	static const struct {
		const char *p;
		size_t len;
		bool ok;
	} cases[] = {
		{ "\x30\x00", 2, true },
		{ "\x30\x01\x05", 3, true },
		{ "\x30\x01\x05\x00", 4, false },		/* trailing byte */
		{ "\x30\x02\x05", 3, false },			/* truncated */
		{ "\x31\x00", 2, false },			/* SET */
		{ "\x30", 1, false },
		{ "\x30\x80\x00\x00", 4, false },		/* indefinite */
		{ "\x30\x81\x05\x00\x00\x00\x00\x00", 8, false },	/* non-minimal */
		{ "\x30\x82\x00\x01\x00", 5, false },		/* leading zero length */
		{ "\x30\x85\x01\x00\x00\x00\x00", 7, false },	/* 5 length bytes */
		{ "\x30\x84\xff\xff\xff\xff", 6, false },	/* claims 4 GiB */
	};
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t *p = NULL;
	size_t len = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ae_der_is_sequence((const uint8_t *)cases[i].p, cases[i].len),
				 cases[i].ok);
	}
	assert_false(ae_der_is_sequence(NULL, 0));
	p = fake_cert(mem, 200, 1, &len);
	assert_true(ae_der_is_sequence(p, len));
	assert_false(ae_der_is_sequence(p, len - 1));
	p = fake_cert(mem, 925, 1, &len);
	assert_true(ae_der_is_sequence(p, len));
	talloc_free(mem);
}

static void test_enrollment_service(void **state)
{
	static const char *const tpls[] = { "LabMachine", "Machine", NULL };
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_ldap_entry *e = lab_ca(mem, "LAB-CA", "dc1.lab.example.com", tpls);
	struct ae_enrollment_service *s = NULL;
	char why[256] = "";
	size_t blocks = talloc_total_blocks(mem);

	(void)state;
	assert_int_equal(ae_entry_add_str(e, "msPKI-Enrollment-Servers",
					  "1\n4\n0\nhttps://ca.lab.example.com/LAB-CA_CES_Kerberos/service.svc/CES\n0"),
			 AE_OK);
	blocks = talloc_total_blocks(mem);
	assert_int_equal(ae_enrollment_service_from_attrs(mem, e, &s, why, sizeof(why)), AE_OK);
	assert_ptr_equal(talloc_parent(s), mem);
	assert_string_equal(s->cn, "LAB-CA");
	assert_string_equal(s->display_name, "LAB-CA");
	assert_string_equal(s->dns_host, "dc1.lab.example.com");
	assert_int_equal(s->num_ca_certs, 1);
	assert_int_equal(s->ca_certs[0].len, 925);
	assert_int_equal(s->ca_certs[0].der[0], 0x30);
	assert_int_equal(s->num_templates, 2);
	assert_string_equal(s->templates[0], "LabMachine");
	assert_string_equal(s->templates[1], "Machine");
	assert_int_equal(s->flags, 10);
	assert_int_equal(s->usn_changed, 4024);
	assert_int_equal(s->num_enrollment_servers, 1);
	assert_true(ae_enrollment_service_publishes(s, "labmachine"));
	assert_false(ae_enrollment_service_publishes(s, "User"));
	talloc_free(s);
	assert_int_equal(talloc_total_blocks(mem), blocks);

	/* bad values: no cn, a certificate with trailing bytes, an IP as host, flags text */
	{
		struct ae_ldap_entry *bad = ae_entry_new(mem, "CN=x");

		assert_int_equal(ae_enrollment_service_from_attrs(mem, bad, &s, why, sizeof(why)),
				 AE_ERR_PARSE);
		assert_string_equal(why, "cn: missing");
		assert_int_equal(ae_entry_add_str(bad, "cn", "X-CA"), AE_OK);
		assert_int_equal(ae_entry_add_value(bad, "cACertificate", "\x30\x00\x00", 3), AE_OK);
		assert_int_equal(ae_enrollment_service_from_attrs(mem, bad, &s, why, sizeof(why)),
				 AE_ERR_PARSE);
		assert_string_equal(why, "cACertificate: value 0 (3 bytes) is not one DER SEQUENCE "
				    "of at most 65536 bytes");
		talloc_free(bad);
		bad = lab_ca(mem, "Y-CA", "127.0.0.2", NULL);
		assert_int_equal(ae_enrollment_service_from_attrs(mem, bad, &s, why, sizeof(why)),
				 AE_ERR_PARSE);
		assert_string_equal(why, "dNSHostName: '127.0.0.2' is not a host name");
		talloc_free(bad);
		bad = lab_ca(mem, "Z-CA", NULL, NULL);
		assert_int_equal(ae_entry_add_str(bad, "flags", "11"), AE_OK);
		assert_int_equal(ae_enrollment_service_from_attrs(mem, bad, &s, why, sizeof(why)),
				 AE_ERR_PARSE);
		assert_string_equal(why, "flags: 2 values for a single-valued attribute");
		talloc_free(bad);
		/* without dNSHostName and templates it still parses */
		bad = lab_ca(mem, "W-CA", NULL, NULL);
		assert_int_equal(ae_enrollment_service_from_attrs(mem, bad, &s, why, sizeof(why)),
				 AE_OK);
		assert_null(s->dns_host);
		assert_int_equal(s->num_templates, 0);
		assert_null(s->templates);
		talloc_free(s);
		talloc_free(bad);
	}
	talloc_free(e);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_ca_certs(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_ldap_entry *e[3] = { NULL, NULL, NULL };
	struct ae_der_blob *certs = NULL;
	uint8_t *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	size_t num = 99;

	(void)state;
	a = fake_cert(mem, 300, 0xaa, &alen);
	b = fake_cert(mem, 20, 0xbb, &blen);
	e[0] = ae_entry_new(mem, "CN=LAB-CA,CN=Certification Authorities");
	e[1] = ae_entry_new(mem, "CN=OLD-CA,CN=Certification Authorities");
	e[2] = ae_entry_new(mem, "CN=EMPTY,CN=Certification Authorities");
	assert_int_equal(ae_entry_add_value(e[0], "cACertificate", a, alen), AE_OK);
	assert_int_equal(ae_entry_add_value(e[0], "cACertificate", "junk", 4), AE_OK);
	assert_int_equal(ae_entry_add_value(e[1], "cACertificate", b, blen), AE_OK);
	assert_int_equal(ae_entry_add_value(e[1], "cACertificate", a, alen), AE_OK);	/* dup */

	assert_int_equal(ae_ca_certs_from_entries(mem, e, 3, &certs, &num), AE_OK);
	assert_int_equal(num, 2);
	assert_int_equal(certs[0].len, alen);
	assert_memory_equal(certs[0].der, a, alen);
	assert_int_equal(certs[1].len, blen);
	assert_memory_equal(certs[1].der, b, blen);
	assert_ptr_equal(talloc_parent(certs), mem);
	talloc_free(certs);

	/* no entries: no certificates */
	certs = (struct ae_der_blob *)0x1;
	assert_int_equal(ae_ca_certs_from_entries(mem, NULL, 0, &certs, &num), AE_OK);
	assert_null(certs);
	assert_int_equal(num, 0);
	assert_int_equal(ae_ca_certs_from_entries(mem, NULL, 1, &certs, &num), AE_ERR_INVALID);
	talloc_free(e[0]);
	talloc_free(e[1]);
	talloc_free(e[2]);
	talloc_free(a);
	talloc_free(b);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_find_ca(void **state)
{
	static const char *const t1[] = { "LabMachine", "Machine", NULL };
	static const char *const t2[] = { "User", "Machine", NULL };
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_enrollment_service *svcs[2] = { NULL, NULL };
	const struct ae_enrollment_service *ca = NULL;
	char why[256] = "";
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct ae_ldap_entry *e = lab_ca(mem, i == 0 ? "LAB-CA" : "Issuing CA 2",
						 i == 0 ? "dc1.lab.example.com" : "ca2.lab.example.com",
						 i == 0 ? t1 : t2);

		assert_int_equal(ae_enrollment_service_from_attrs(mem, e, &svcs[i], why,
								  sizeof(why)), AE_OK);
		talloc_free(e);
	}
	/* by template: the first that publishes it */
	assert_int_equal(ae_policy_find_ca(svcs, 2, NULL, "Machine", &ca, why, sizeof(why)), AE_OK);
	assert_ptr_equal(ca, svcs[0]);
	assert_int_equal(ae_policy_find_ca(svcs, 2, NULL, "user", &ca, why, sizeof(why)), AE_OK);
	assert_ptr_equal(ca, svcs[1]);
	/* by name: cn (any case), displayName, host\cn */
	assert_int_equal(ae_policy_find_ca(svcs, 2, "lab-ca", NULL, &ca, why, sizeof(why)), AE_OK);
	assert_ptr_equal(ca, svcs[0]);
	assert_int_equal(ae_policy_find_ca(svcs, 2, "ISSUING CA 2", "User", &ca, why, sizeof(why)),
			 AE_OK);
	assert_ptr_equal(ca, svcs[1]);
	assert_int_equal(ae_policy_find_ca(svcs, 2, "CA2.lab.example.com\\issuing ca 2", NULL,
					   &ca, why, sizeof(why)), AE_OK);
	assert_ptr_equal(ca, svcs[1]);
	/* misses name what was asked and what exists */
	ca = NULL;
	assert_int_equal(ae_policy_find_ca(svcs, 2, "dc1.lab.example.com\\Issuing CA 2", NULL,
					   &ca, why, sizeof(why)), AE_ERR_NOT_FOUND);
	assert_string_equal(why, "no enrollment service named 'dc1.lab.example.com\\Issuing CA 2' "
			    "(known: LAB-CA, Issuing CA 2)");
	assert_int_equal(ae_policy_find_ca(svcs, 2, "LAB-CA", "User", &ca, why, sizeof(why)),
			 AE_ERR_NOT_FOUND);
	assert_string_equal(why, "CA 'LAB-CA' does not publish template 'User'");
	assert_int_equal(ae_policy_find_ca(svcs, 2, NULL, "WebServer", &ca, why, sizeof(why)),
			 AE_ERR_NOT_FOUND);
	assert_string_equal(why, "no enrollment service publishes template 'WebServer' "
			    "(known: LAB-CA, Issuing CA 2)");
	assert_int_equal(ae_policy_find_ca(NULL, 0, NULL, "Machine", &ca, why, sizeof(why)),
			 AE_ERR_NOT_FOUND);
	assert_string_equal(why, "no enrollment service publishes template 'Machine' (known: none)");
	assert_null(ca);
	assert_int_equal(ae_policy_find_ca(svcs, 2, NULL, NULL, &ca, why, sizeof(why)),
			 AE_ERR_INVALID);
	talloc_free(svcs[0]);
	talloc_free(svcs[1]);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_dn_and_filter(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *s = NULL;

	(void)state;
	s = ae_pki_dn(mem, CONFIG_NC, "Certificate Templates");
	assert_string_equal(s, "CN=Certificate Templates,CN=Public Key Services,CN=Services,"
			    CONFIG_NC);
	s = ae_pki_dn(mem, CONFIG_NC, NULL);
	assert_string_equal(s, "CN=Public Key Services,CN=Services," CONFIG_NC);
	assert_null(ae_pki_dn(mem, NULL, NULL));
	s = ae_ldap_escape_filter_value(mem, "No*Such)(Template\\");
	assert_string_equal(s, "No\\2aSuch\\29\\28Template\\5c");
	s = ae_ldap_escape_filter_value(mem, "Caf\xc3\xa9 Server");
	assert_string_equal(s, "Caf\xc3\xa9 Server");
	s = ae_ldap_escape_filter_value(mem, "");
	assert_string_equal(s, "");
	/* the SD_FLAGS control value: SEQUENCE { INTEGER 4 } (DACL) */
	assert_int_equal(sizeof(AE_LDAP_SD_FLAGS_DACL_BER) - 1, 5);
	assert_memory_equal(AE_LDAP_SD_FLAGS_DACL_BER, "\x30\x03\x02\x01\x04", 5);
	assert_int_equal((uint8_t)AE_LDAP_SD_FLAGS_DACL_BER[4], AE_LDAP_SD_FLAGS_DACL);
	talloc_free(mem);
}

static void test_host_valid(void **state)
{
	static const struct {
		const char *host;
		bool ok;
	} cases[] = {
		{ "dc1.lab.example.com", true }, { "dc1", true }, { "DC1.LAB.EXAMPLE.COM.", true },
		{ "a-b.example", true }, { "0dc.example.com", true },
		{ "127.0.0.2", false }, { "::1", false }, { "fe80::1", false }, { "10.1.2", false },
		{ "", false }, { ".", false }, { "dc1..lab", false }, { "-dc1.lab", false },
		{ "dc1-.lab", false }, { "dc1/x", false }, { "dc1:389", false }, { "dc 1", false },
		{ "ldap://dc1", false }, { "dc1.lab_x.com", false },
	};
	char long_label[70];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ae_ldap_host_valid(cases[i].host), cases[i].ok);
	}
	assert_false(ae_ldap_host_valid(NULL));
	memset(long_label, 'a', sizeof(long_label));
	long_label[64] = '\0';
	assert_false(ae_ldap_host_valid(long_label));
	long_label[63] = '\0';
	assert_true(ae_ldap_host_valid(long_label));
}

/*
 * Refusals that need no DC: an address instead of a name, and a name that
 * resolves to loopback where nothing answers LDAP, with no credentials.
 * Nothing may be left on mem_ctx.
 */
static void test_connect_refusals(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_ldap *conn = (struct ae_ldap *)0x1;

	(void)state;
	setenv("KRB5_CONFIG", "/dev/null", 1);
	setenv("KRB5CCNAME", "FILE:/nonexistent/autoenroll-test-ccache", 1);
	assert_int_equal(ae_ldap_connect(mem, "127.0.0.1", &conn), AE_ERR_INVALID);
	assert_int_equal(ae_ldap_connect(mem, "::1", &conn), AE_ERR_INVALID);
	assert_int_equal(ae_ldap_connect(mem, "dc1.lab.example.com/x", &conn), AE_ERR_INVALID);
	assert_int_equal(ae_ldap_connect(mem, NULL, &conn), AE_ERR_INVALID);
	assert_int_equal(ae_ldap_connect(mem, "localhost", &conn), AE_ERR_LDAP);
	assert_ptr_equal(conn, (struct ae_ldap *)0x1);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_der_is_sequence),
		cmocka_unit_test(test_enrollment_service),
		cmocka_unit_test(test_ca_certs),
		cmocka_unit_test(test_find_ca),
		cmocka_unit_test(test_dn_and_filter),
		cmocka_unit_test(test_host_valid),
		cmocka_unit_test(test_connect_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
