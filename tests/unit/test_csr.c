/*
 * test_csr.c: PKCS#10 with the Microsoft extensions and attributes
 * (source/request/ae_csr.h), parsed back with OpenSSL and compared with
 * DER written out by hand from MS-WCCE 2.2.2.7.
 *
 * Leak check: talloc null tracking; each teardown requires the talloc
 * block count reachable from NULL to be unchanged. OpenSSL objects are
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
#include "ae_ms_ext.h"

struct keys {
	struct ae_key *ec;
	struct ae_key *rsa;
};

static struct keys g_keys;

static int group_setup(void **state)
{
	struct ae_key_spec ec = { .kind = AE_KEY_EC, .bits = 256 };
	struct ae_key_spec rsa = { .kind = AE_KEY_RSA, .bits = 2048 };

	(void)state;
	if (ae_key_generate(NULL, &ec, &g_keys.ec) != AE_OK ||
	    ae_key_generate(NULL, &rsa, &g_keys.rsa) != AE_OK) {
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	TALLOC_FREE(g_keys.ec);
	TALLOC_FREE(g_keys.rsa);
	return 0;
}

/* d2i with the exact length, then check the self-signature */
static X509_REQ *parse_and_verify(const uint8_t *der, size_t len, const struct ae_key *key)
{
	const unsigned char *q = der;
	X509_REQ *req = d2i_X509_REQ(NULL, &q, (long)len);

	assert_non_null(req);
	assert_ptr_equal(q, der + len);
	assert_int_equal(X509_REQ_get_version(req), 0);
	assert_int_equal(X509_REQ_verify(req, X509_REQ_get0_pubkey(req)), 1);
	assert_int_equal(EVP_PKEY_eq(X509_REQ_get0_pubkey(req), key->pkey), 1);
	return req;
}

static void assert_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
	assert_int_equal(got_len, want_len);
	assert_memory_equal(got, want, want_len);
}

/* value of the request extension 'oid', or fail; *crit set */
static const ASN1_OCTET_STRING *ext_value(STACK_OF(X509_EXTENSION) *exts, const char *oid,
					  bool *crit)
{
	int i;

	for (i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
		X509_EXTENSION *e = sk_X509_EXTENSION_value(exts, i);
		char txt[128];

		OBJ_obj2txt(txt, sizeof(txt), X509_EXTENSION_get_object(e), 1);
		if (strcmp(txt, oid) == 0) {
			*crit = X509_EXTENSION_get_critical(e) != 0;
			return X509_EXTENSION_get_data(e);
		}
	}
	fail_msg("extension %s missing", oid);
	return NULL;
}

static bool has_ext(STACK_OF(X509_EXTENSION) *exts, const char *oid)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	int i;
	bool found = false;

	for (i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
		if (OBJ_cmp(X509_EXTENSION_get_object(sk_X509_EXTENSION_value(exts, i)), o) == 0) {
			found = true;
		}
	}
	ASN1_OBJECT_free(o);
	return found;
}

/* the single value of attribute 'oid' (NULL if the attribute is absent) */
static const ASN1_TYPE *attr_value(const X509_REQ *req, const char *oid)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	int idx = X509_REQ_get_attr_by_OBJ(req, o, -1);
	X509_ATTRIBUTE *a = NULL;

	assert_int_equal(X509_REQ_get_attr_by_OBJ(req, o, idx), -1); /* not twice */
	ASN1_OBJECT_free(o);
	if (idx < 0) {
		return NULL;
	}
	a = X509_REQ_get_attr(req, idx);
	assert_int_equal(X509_ATTRIBUTE_count(a), 1);
	return X509_ATTRIBUTE_get0_type(a, 0);
}

static void subject_is(const X509_REQ *req, const uint8_t *want, size_t want_len)
{
	unsigned char *der = NULL;
	int n = i2d_X509_NAME(X509_REQ_get_subject_name(req), &der);

	assert_true(n > 0);
	assert_bytes(der, (size_t)n, want, want_len);
	OPENSSL_free(der);
}

static const char *const kTemplateOid = "1.3.6.1.4.1.311.21.8.1000.7";

static struct ae_csr_params v2_params(void)
{
	struct ae_csr_params p = { 0 };

	p.template_name = "Workstation";
	p.template_oid = kTemplateOid;
	p.schema_version = 2;
	p.major = 200;
	p.minor = 3;
	p.client_id = AE_CSR_CLIENT_ID_AUTOENROLL;
	p.machine_name = "host.example.com";
	p.user_name = "EXAMPLE\\HOST$";
	p.process_name = "autoenroll";
	p.os_version = "10.0.19045.2";
	return p;
}

static void check_v2_request(TALLOC_CTX *mem, const struct ae_key *key, int want_sig_nid)
{
	/* SEQ { OID 1.3.6.1.4.1.311.21.8.1000.7, INTEGER 200, INTEGER 3 } */
	static const uint8_t want_tmpl[] = {
		0x30, 0x15,
		0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x15, 0x08, 0x87, 0x68, 0x07,
		0x02, 0x02, 0x00, 0xc8,
		0x02, 0x01, 0x03,
	};
	/* SEQ { INTEGER 6, UTF8 "host.example.com", UTF8 "EXAMPLE\HOST$", UTF8 "autoenroll" } */
	static const uint8_t want_client_info[] = {
		0x30, 0x30,
		0x02, 0x01, 0x06,
		0x0c, 0x10, 'h', 'o', 's', 't', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm',
		0x0c, 0x0d, 'E', 'X', 'A', 'M', 'P', 'L', 'E', '\\', 'H', 'O', 'S', 'T', '$',
		0x0c, 0x0a, 'a', 'u', 't', 'o', 'e', 'n', 'r', 'o', 'l', 'l',
	};
	static const uint8_t empty_name[] = { 0x30, 0x00 };
	struct ae_csr_params p = v2_params();
	STACK_OF(X509_EXTENSION) *exts = NULL;
	const ASN1_OCTET_STRING *v = NULL;
	const ASN1_TYPE *t = NULL;
	X509_REQ *req = NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	bool crit = true;

	assert_int_equal(ae_csr_build(mem, key, &p, &der, &len), AE_OK);
	assert_ptr_equal(talloc_parent(der), mem);
	req = parse_and_verify(der, len, key);
	assert_int_equal(X509_REQ_get_signature_nid(req), want_sig_nid);

	/* MS-WCCE 3.1.2.4.2.2.2.10: the subject is exactly 30 00 */
	subject_is(req, empty_name, sizeof(empty_name));

	exts = X509_REQ_get_extensions(req);
	assert_non_null(exts);
	assert_int_equal(sk_X509_EXTENSION_num(exts), 1);
	v = ext_value(exts, AE_OID_CERT_TEMPLATE, &crit);
	assert_false(crit);
	assert_bytes(ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v),
		     want_tmpl, sizeof(want_tmpl));
	assert_false(has_ext(exts, AE_OID_TEMPLATE_NAME));
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);

	/* extensionRequest + client info + OS version, nothing else */
	assert_int_equal(X509_REQ_get_attr_count(req), 3);
	t = attr_value(req, AE_OID_REQUEST_CLIENT_INFO);
	assert_non_null(t);
	assert_int_equal(t->type, V_ASN1_SEQUENCE);
	assert_bytes(ASN1_STRING_get0_data(t->value.sequence),
		     (size_t)ASN1_STRING_length(t->value.sequence),
		     want_client_info, sizeof(want_client_info));
	t = attr_value(req, AE_OID_OS_VERSION);
	assert_non_null(t);
	assert_int_equal(t->type, V_ASN1_IA5STRING);
	assert_bytes(ASN1_STRING_get0_data(t->value.ia5string),
		     (size_t)ASN1_STRING_length(t->value.ia5string),
		     (const uint8_t *)"10.0.19045.2", 12);
	X509_REQ_free(req);
}

static void test_csr_v2_ec(void **state)
{
	check_v2_request(*state, g_keys.ec, NID_ecdsa_with_SHA256);
}

static void test_csr_v2_rsa(void **state)
{
	check_v2_request(*state, g_keys.rsa, NID_sha256WithRSAEncryption);
}

static void test_csr_v1_bmpstring(void **state)
{
	/* the MS-WSTEP 4.1.1.1 form: a bare BMPString, 1E len UTF-16BE("Machine") */
	static const uint8_t want_name[] = {
		0x1e, 0x0e, 0x00, 0x4d, 0x00, 0x61, 0x00, 0x63, 0x00, 0x68,
		0x00, 0x69, 0x00, 0x6e, 0x00, 0x65,
	};
	struct ae_csr_params p = { 0 };
	STACK_OF(X509_EXTENSION) *exts = NULL;
	const ASN1_OCTET_STRING *v = NULL;
	X509_REQ *req = NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	bool crit = true;

	p.template_name = "Machine";
	p.template_oid = kTemplateOid;	/* ignored for v1 */
	p.schema_version = 1;
	assert_int_equal(ae_csr_build(*state, g_keys.ec, &p, &der, &len), AE_OK);
	req = parse_and_verify(der, len, g_keys.ec);
	exts = X509_REQ_get_extensions(req);
	assert_int_equal(sk_X509_EXTENSION_num(exts), 1);
	v = ext_value(exts, AE_OID_TEMPLATE_NAME, &crit);
	assert_false(crit);
	assert_bytes(ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v),
		     want_name, sizeof(want_name));
	assert_false(has_ext(exts, AE_OID_CERT_TEMPLATE));
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);

	/* client_id 0 and no os_version: only the extensionRequest */
	assert_int_equal(X509_REQ_get_attr_count(req), 1);
	assert_null(attr_value(req, AE_OID_REQUEST_CLIENT_INFO));
	assert_null(attr_value(req, AE_OID_OS_VERSION));
	X509_REQ_free(req);

	/* schema 0 ("unset") is v1 too */
	p.schema_version = 0;
	assert_int_equal(ae_csr_build(*state, g_keys.ec, &p, &der, &len), AE_OK);
	req = parse_and_verify(der, len, g_keys.ec);
	exts = X509_REQ_get_extensions(req);
	assert_true(has_ext(exts, AE_OID_TEMPLATE_NAME));
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
}

static void test_csr_subject_san_eku_ku(void **state)
{
	/* Name: SEQ { SET { SEQ { OID 2.5.4.3, UTF8String "host.example.com" } } } */
	static const uint8_t want_subject[] = {
		0x30, 0x1b, 0x31, 0x19, 0x30, 0x17, 0x06, 0x03, 0x55, 0x04, 0x03,
		0x0c, 0x10, 'h', 'o', 's', 't', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm',
	};
	static const uint8_t want_san[] = {
		0x30, 0x18,
		0x82, 0x10, 'h', 'o', 's', 't', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm',
		0x82, 0x04, 'h', 'o', 's', 't',
	};
	static const uint8_t want_eku[] = {
		0x30, 0x14,
		0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02,
		0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01,
	};
	static const uint8_t want_ku[] = { 0x03, 0x02, 0x05, 0xa0 };
	static const uint8_t ku[] = { 0xa0, 0x00 };
	const char *dns[] = { "host.example.com", "host", NULL };
	const char *ekus[] = { "1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1", NULL };
	const char *crit_oids[] = { "2.5.29.15", NULL };
	struct ae_csr_params p = v2_params();
	STACK_OF(X509_EXTENSION) *exts = NULL;
	const ASN1_OCTET_STRING *v = NULL;
	X509_REQ *req = NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	bool crit = false;

	p.subject_cn = "host.example.com";
	p.dns_names = dns;
	p.ekus = ekus;
	p.key_usage = ku;
	p.key_usage_len = sizeof(ku);
	p.critical_oids = crit_oids;
	assert_int_equal(ae_csr_build(*state, g_keys.ec, &p, &der, &len), AE_OK);
	req = parse_and_verify(der, len, g_keys.ec);
	subject_is(req, want_subject, sizeof(want_subject));
	exts = X509_REQ_get_extensions(req);
	assert_int_equal(sk_X509_EXTENSION_num(exts), 4);
	v = ext_value(exts, "2.5.29.17", &crit);
	assert_false(crit);
	assert_bytes(ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v),
		     want_san, sizeof(want_san));
	v = ext_value(exts, "2.5.29.37", &crit);
	assert_false(crit);
	assert_bytes(ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v),
		     want_eku, sizeof(want_eku));
	v = ext_value(exts, "2.5.29.15", &crit);
	assert_true(crit);
	assert_bytes(ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v),
		     want_ku, sizeof(want_ku));
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);

	/* an all-zero pKIKeyUsage adds nothing */
	p.key_usage = (const uint8_t[]){ 0x00, 0x00 };
	p.dns_names = NULL;
	p.ekus = NULL;
	assert_int_equal(ae_csr_build(*state, g_keys.ec, &p, &der, &len), AE_OK);
	req = parse_and_verify(der, len, g_keys.ec);
	exts = X509_REQ_get_extensions(req);
	assert_int_equal(sk_X509_EXTENSION_num(exts), 1);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
}

/* A policy list with a bad OID is refused. */
static void expect_invalid_policy(TALLOC_CTX *mem, const struct ae_csr_params *p)
{
	uint8_t *der = (uint8_t *)0x1;
	size_t len = 77;

	assert_int_equal(ae_csr_build(mem, g_keys.ec, p, &der, &len), AE_ERR_INVALID);
	assert_ptr_equal(der, (uint8_t *)0x1);
	assert_int_equal(len, 77);
}

/*
 * [MS-WCCE] 2.2.2.7.7.4: szOID_NTDS_CA_SECURITY_EXT = GeneralNames { [0]
 * otherName { szOID_NTDS_OBJECTSID, [0] OCTET STRING "S-1-..." } }, written
 * out by hand and parsed back with OpenSSL's GENERAL_NAMES.
 */
static void test_csr_carries_the_sid_extension(void **state)
{
	static const char sid[] = "S-1-5-21-1-2-3-1105";
	static const uint8_t want[] = {
		0x30, 0x25, 0xa0, 0x23,
		0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x19, 0x02, 0x01,
		0xa0, 0x15, 0x04, 0x13,
		'S', '-', '1', '-', '5', '-', '2', '1', '-', '1', '-', '2', '-', '3', '-',
		'1', '1', '0', '5',
	};
	struct ae_csr_params p = v2_params();
	STACK_OF(X509_EXTENSION) *exts = NULL;
	const ASN1_OCTET_STRING *v = NULL;
	const unsigned char *q = NULL;
	GENERAL_NAMES *gens = NULL;
	const GENERAL_NAME *g = NULL;
	ASN1_OBJECT *type_id = NULL;
	ASN1_TYPE *value = NULL;
	X509_REQ *req = NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	char oid[64];
	bool crit = true;

	p.sid = sid;
	assert_int_equal(ae_csr_build(*state, g_keys.ec, &p, &der, &len), AE_OK);
	req = parse_and_verify(der, len, g_keys.ec);
	exts = X509_REQ_get_extensions(req);
	assert_int_equal(sk_X509_EXTENSION_num(exts), 2);
	v = ext_value(exts, AE_OID_NTDS_CA_SECURITY_EXT, &crit);
	assert_false(crit);
	assert_bytes(ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v), want, sizeof(want));
	q = ASN1_STRING_get0_data(v);
	gens = d2i_GENERAL_NAMES(NULL, &q, ASN1_STRING_length(v));
	assert_non_null(gens);
	assert_int_equal(sk_GENERAL_NAME_num(gens), 1);
	g = sk_GENERAL_NAME_value(gens, 0);
	assert_int_equal(GENERAL_NAME_get0_otherName(g, &type_id, &value), 1);
	assert_true(OBJ_obj2txt(oid, sizeof(oid), type_id, 1) > 0);
	assert_string_equal(oid, AE_OID_NTDS_OBJECTSID);
	assert_int_equal(ASN1_TYPE_get(value), V_ASN1_OCTET_STRING);
	assert_int_equal(ASN1_STRING_length(value->value.octet_string), (int)strlen(sid));
	assert_memory_equal(ASN1_STRING_get0_data(value->value.octet_string), sid, strlen(sid));
	GENERAL_NAMES_free(gens);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);

	/* malformed SIDs are refused, nothing is built */
	for (size_t i = 0; i < 5; i++) {
		static const char *const bad[] = { "S-1-", "S-1-5--21", "S-1-5-", "s-1-5-21",
						   "S-1-5-21-x" };
		uint8_t *d = (uint8_t *)0x1;
		size_t l = 77;

		p.sid = bad[i];
		assert_int_equal(ae_csr_build(*state, g_keys.ec, &p, &d, &l), AE_ERR_INVALID);
		assert_ptr_equal(d, (uint8_t *)0x1);
	}
}

/* [MS-WCCE] 3.1.2.4.2.2.2.9: certificatePolicies, one PolicyInformation per OID, no qualifiers. */
static void test_csr_carries_the_issuance_policies(void **state)
{
	static const uint8_t want[] = {
		0x30, 0x12,
		0x30, 0x06, 0x06, 0x04, 0x2a, 0x03, 0x04, 0x05,		/* 1.2.3.4.5 */
		0x30, 0x08, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x01,	/* 1.3.6.1.4.1.1 */
	};
	const char *pols[] = { "1.2.3.4.5", "1.3.6.1.4.1.1", NULL };
	struct ae_csr_params p = v2_params();
	STACK_OF(X509_EXTENSION) *exts = NULL;
	const ASN1_OCTET_STRING *v = NULL;
	X509_REQ *req = NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	bool crit = true;

	p.cert_policies = pols;
	assert_int_equal(ae_csr_build(*state, g_keys.ec, &p, &der, &len), AE_OK);
	req = parse_and_verify(der, len, g_keys.ec);
	exts = X509_REQ_get_extensions(req);
	v = ext_value(exts, "2.5.29.32", &crit);
	assert_false(crit);
	assert_bytes(ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v), want, sizeof(want));
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);

	pols[1] = "not.an.oid";
	expect_invalid_policy(*state, &p);
}

/* msPKI-Hash-Algorithm ([MS-WCCE] 3.1.2.4.2.2.2.5): the request's signature digest. */
static void test_csr_signed_with_the_template_hash(void **state)
{
	static const struct { enum ae_csr_hash h; int ec_nid, rsa_nid; } cases[] = {
		{ AE_CSR_HASH_SHA256, NID_ecdsa_with_SHA256, NID_sha256WithRSAEncryption },
		{ AE_CSR_HASH_SHA384, NID_ecdsa_with_SHA384, NID_sha384WithRSAEncryption },
		{ AE_CSR_HASH_SHA512, NID_ecdsa_with_SHA512, NID_sha512WithRSAEncryption },
	};
	struct ae_csr_params p = v2_params();
	enum ae_csr_hash h = AE_CSR_HASH_SHA512;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		X509_REQ *req = NULL;
		uint8_t *der = NULL;
		size_t len = 0;

		p.hash = cases[i].h;
		assert_int_equal(ae_csr_build(*state, g_keys.ec, &p, &der, &len), AE_OK);
		req = parse_and_verify(der, len, g_keys.ec);
		assert_int_equal(X509_REQ_get_signature_nid(req), cases[i].ec_nid);
		X509_REQ_free(req);
		assert_int_equal(ae_csr_build(*state, g_keys.rsa, &p, &der, &len), AE_OK);
		req = parse_and_verify(der, len, g_keys.rsa);
		assert_int_equal(X509_REQ_get_signature_nid(req), cases[i].rsa_nid);
		X509_REQ_free(req);
	}
	p.hash = (enum ae_csr_hash)7;
	{
		uint8_t *der = (uint8_t *)0x1;
		size_t len = 77;

		assert_int_equal(ae_csr_build(*state, g_keys.ec, &p, &der, &len), AE_ERR_INVALID);
	}
	assert_int_equal(ae_csr_hash_from_name("SHA384", &h), AE_OK);
	assert_int_equal(h, AE_CSR_HASH_SHA384);
	assert_int_equal(ae_csr_hash_from_name("sha-512", &h), AE_OK);
	assert_int_equal(h, AE_CSR_HASH_SHA512);
	assert_int_equal(ae_csr_hash_from_name("SHA256", &h), AE_OK);
	assert_int_equal(h, AE_CSR_HASH_SHA256);
	assert_int_equal(ae_csr_hash_from_name("SHA1", &h), AE_ERR_UNSUPPORTED);
	assert_int_equal(ae_csr_hash_from_name(NULL, &h), AE_ERR_UNSUPPORTED);
	assert_int_equal(h, AE_CSR_HASH_SHA256);
}

static void expect_invalid(TALLOC_CTX *mem, const struct ae_csr_params *p, const char *what)
{
	uint8_t *der = (uint8_t *)0x1;
	size_t len = 77;
	ae_err err = ae_csr_build(mem, g_keys.ec, p, &der, &len);

	if (err != AE_ERR_INVALID) {
		fail_msg("%s: got %d, want AE_ERR_INVALID", what, err);
	}
	/* outputs untouched */
	assert_ptr_equal(der, (uint8_t *)0x1);
	assert_int_equal(len, 77);
}

static void test_csr_invalid_params(void **state)
{
	TALLOC_CTX *mem = *state;
	const char *bad_dns[] = { "host name", NULL };
	const char *bad_eku[] = { "1.3.6.1.5.5.7.3.2", "clientAuth", NULL };
	const char *bad_crit[] = { "2.5.29..15", NULL };
	struct ae_csr_params p;
	uint8_t *der = NULL;
	size_t len = 0;

	p = v2_params();
	p.template_oid = NULL;
	expect_invalid(mem, &p, "v2 without OID");
	p = v2_params();
	p.template_oid = "1.3.6.1.4.1.311.21.8.x";
	expect_invalid(mem, &p, "non-numeric OID");
	p = v2_params();
	p.template_oid = "msPKI-Cert-Template-OID";
	expect_invalid(mem, &p, "a name, not an OID");
	p = v2_params();
	p.schema_version = 1;
	p.template_name = NULL;
	expect_invalid(mem, &p, "v1 without name");
	p.template_name = "";
	expect_invalid(mem, &p, "v1 with empty name");
	p.template_name = "Smile\xf0\x9f\x98\x80";
	expect_invalid(mem, &p, "name outside the BMP");
	p.template_name = "bad\xc3";
	expect_invalid(mem, &p, "invalid UTF-8 name");
	p = v2_params();
	p.dns_names = bad_dns;
	expect_invalid(mem, &p, "DNS name with a space");
	p = v2_params();
	p.ekus = bad_eku;
	expect_invalid(mem, &p, "EKU by name");
	p = v2_params();
	p.critical_oids = bad_crit;
	expect_invalid(mem, &p, "critical OID malformed");
	p = v2_params();
	p.subject_cn = "this-common-name-is-longer-than-the-sixty-four-characters-x509-allows";
	expect_invalid(mem, &p, "CN over 64 characters");
	p = v2_params();
	p.machine_name = "bad\xff";
	expect_invalid(mem, &p, "client info not UTF-8");
	p = v2_params();
	p.os_version = "10.0\n";
	expect_invalid(mem, &p, "OS version with a control character");
	p = v2_params();
	p.key_usage = (const uint8_t[]){ 0xa0, 0x00, 0x00 };
	p.key_usage_len = 3;
	expect_invalid(mem, &p, "key usage too long");

	p = v2_params();
	assert_int_equal(ae_csr_build(mem, NULL, &p, &der, &len), AE_ERR_INVALID);
	assert_int_equal(ae_csr_build(mem, g_keys.ec, NULL, &der, &len), AE_ERR_INVALID);
	assert_int_equal(talloc_total_blocks(mem), 1);
}

static void test_csr_client_info_null_strings(void **state)
{
	static const uint8_t want[] = {
		0x30, 0x09, 0x02, 0x01, 0x06, 0x0c, 0x00, 0x0c, 0x00, 0x0c, 0x00,
	};
	struct ae_csr_params p = v2_params();
	const ASN1_TYPE *t = NULL;
	X509_REQ *req = NULL;
	uint8_t *der = NULL;
	size_t len = 0;

	p.machine_name = NULL;
	p.user_name = NULL;
	p.process_name = NULL;
	p.os_version = NULL;
	assert_int_equal(ae_csr_build(*state, g_keys.ec, &p, &der, &len), AE_OK);
	req = parse_and_verify(der, len, g_keys.ec);
	assert_int_equal(X509_REQ_get_attr_count(req), 2);
	t = attr_value(req, AE_OID_REQUEST_CLIENT_INFO);
	assert_non_null(t);
	assert_bytes(ASN1_STRING_get0_data(t->value.sequence),
		     (size_t)ASN1_STRING_length(t->value.sequence), want, sizeof(want));
	X509_REQ_free(req);
}

static void test_ms_template_ext_roundtrip(void **state)
{
	TALLOC_CTX *mem = *state;
	uint8_t *der = NULL;
	size_t len = 0;
	char *oid = NULL;
	uint32_t major = 0;
	uint32_t minor = 0;
	bool has_major = false;
	bool has_minor = false;

	assert_int_equal(ae_ms_template_ext_encode(mem, kTemplateOid, UINT32_MAX, 0, &der, &len),
			 AE_OK);
	assert_int_equal(ae_ms_template_ext_decode(mem, der, len, &oid, &major, &has_major,
						   &minor, &has_minor), AE_OK);
	assert_string_equal(oid, kTemplateOid);
	assert_true(has_major);
	assert_true(has_minor);
	assert_int_equal(major, UINT32_MAX);
	assert_int_equal(minor, 0);
}

/*
 * The same structure from an independent encoder (Python, written out from
 * X.690) for an OID of the default-template form (MS-CRTD 5 <42>), major 101,
 * minor 0; also tests/fuzz/corpus/cert/template_ext_value.der.
 */
static void test_ms_template_ext_vector(void **state)
{
	static const uint8_t want[] = {
		0x30, 0x28, 0x06, 0x20, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x15,
		0x08, 0x85, 0xa1, 0xc2, 0x0a, 0xb2, 0xf8, 0x3b, 0x86, 0x81, 0x91, 0x06,
		0x87, 0xdf, 0x82, 0x10, 0x83, 0xba, 0xee, 0x13, 0x81, 0x30, 0x01, 0x0e,
		0x02, 0x01, 0x65, 0x02, 0x01, 0x00,
	};
	static const char oid_text[] =
		"1.3.6.1.4.1.311.21.8.11034890.834619.12601478.16236816.7255827.176.1.14";
	TALLOC_CTX *mem = *state;
	uint8_t *der = NULL;
	size_t len = 0;
	char *oid = NULL;
	uint32_t major = 9;
	uint32_t minor = 9;
	bool has_major = false;
	bool has_minor = false;

	assert_int_equal(ae_ms_template_ext_encode(mem, oid_text, 101, 0, &der, &len), AE_OK);
	assert_bytes(der, len, want, sizeof(want));
	assert_int_equal(ae_ms_template_ext_decode(mem, want, sizeof(want), &oid, &major,
						   &has_major, &minor, &has_minor), AE_OK);
	assert_string_equal(oid, oid_text);
	assert_int_equal(major, 101);
	assert_int_equal(minor, 0);
	/* one byte short / one byte more */
	assert_int_equal(ae_ms_template_ext_decode(mem, want, sizeof(want) - 1, &oid, &major,
						   &has_major, &minor, &has_minor), AE_ERR_PARSE);
	der = talloc_realloc(mem, der, uint8_t, len + 1);
	der[len] = 0x00;
	assert_int_equal(ae_ms_template_ext_decode(mem, der, len + 1, &oid, &major,
						   &has_major, &minor, &has_minor), AE_ERR_TRAILING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_csr_v2_ec, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_csr_v2_rsa, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_csr_v1_bmpstring, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_csr_subject_san_eku_ku, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_csr_invalid_params, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_csr_carries_the_sid_extension, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_csr_carries_the_issuance_policies, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_csr_signed_with_the_template_hash, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_csr_client_info_null_strings, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_ms_template_ext_roundtrip, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_ms_template_ext_vector, leak_setup,
						leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
	talloc_disable_null_tracking();
	return rc;
}
