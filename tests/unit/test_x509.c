/*
 * test_x509.c: certificates, PKCS#7 and the store checks
 * (source/request/ae_x509.h). A throw-away root CA, intermediate and leaf
 * are made here with OpenSSL.
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
#include <time.h>
#include <cmocka.h>
#include <talloc.h>
#include "leak_check.h"
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "ae_file.h"
#include "ae_key.h"
#include "ae_ms_ext.h"
#include "ae_x509.h"
#include "ae_enroll_private.h"
#include "icpr.h"

/* fixed validity for the deterministic accessors: 2024-01-01 .. 2124-01-01 */
#define T_NOT_BEFORE ((time_t)1704067200)
#define T_NOT_AFTER ((time_t)4859740800)

struct pki {
	struct ae_key *root_key, *inter_key, *leaf_key, *other_key;
	struct ae_cert *root, *inter, *leaf, *other_root;
};

static struct pki g;
struct raw_ext {
	const char *oid;
	const uint8_t *der;
	size_t len;
};

static void add_conf_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e = NULL;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

static void add_raw_ext(X509 *x, const struct raw_ext *r)
{
	ASN1_OBJECT *o = OBJ_txt2obj(r->oid, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e = NULL;

	assert_non_null(o);
	assert_int_equal(ASN1_OCTET_STRING_set(os, r->der, (int)r->len), 1);
	e = X509_EXTENSION_create_by_OBJ(NULL, o, 0, os);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(o);
}

/*
 * A certificate for key signed by issuer (self-signed when issuer is NULL),
 * valid [nb, na], with the given raw extensions (NULL-oid terminated).
 */
static struct ae_cert *make_cert(TALLOC_CTX *mem, const char *cn, const struct ae_key *key,
				 const struct ae_cert *issuer, const struct ae_key *issuer_key,
				 bool ca, long serial, time_t nb, time_t na,
				 const struct raw_ext *exts)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509 *signer = NULL;
	struct ae_cert *c = NULL;

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial), 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
						    (const unsigned char *)cn, -1, -1, 0), 1);
	assert_int_equal(X509_set_subject_name(x, name), 1);
	signer = issuer != NULL ? issuer->x509 : x;
	assert_int_equal(X509_set_issuer_name(x, issuer != NULL ?
					      X509_get_subject_name(issuer->x509) : name), 1);
	X509_NAME_free(name);
	assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), nb));
	assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), na));
	assert_int_equal(X509_set_pubkey(x, key->pkey), 1);
	add_conf_ext(x, signer, NID_subject_key_identifier, "hash");
	if (issuer != NULL) {
		add_conf_ext(x, signer, NID_authority_key_identifier, "keyid");
	}
	if (ca) {
		add_conf_ext(x, signer, NID_basic_constraints, "critical,CA:TRUE");
		add_conf_ext(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		add_conf_ext(x, signer, NID_key_usage, "critical,digitalSignature");
	}
	for (; exts != NULL && exts->oid != NULL; exts++) {
		add_raw_ext(x, exts);
	}
	assert_true(X509_sign(x, (issuer_key != NULL ? issuer_key : key)->pkey, EVP_sha256()) > 0);
	assert_int_equal(ae_cert_from_x509(mem, x, &c), AE_OK);
	X509_free(x);
	return c;
}

static struct ae_key *make_key(void)
{
	struct ae_key_spec spec = { .kind = AE_KEY_EC, .bits = 256 };
	struct ae_key *k = NULL;

	assert_int_equal(ae_key_generate(NULL, &spec, &k), AE_OK);
	return k;
}

/* SAN: dNSName leaf.example.com, iPAddress 192.0.2.1, dNSName leaf */
static const uint8_t san_der[] = {
	0x30, 0x1e,
	0x82, 0x10, 'l', 'e', 'a', 'f', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm',
	0x87, 0x04, 192, 0, 2, 1,
	0x82, 0x04, 'l', 'e', 'a', 'f',
};

/* SEQ { OID 1.3.6.1.4.1.311.21.8.1000.7, INTEGER 100, INTEGER 5 } */
static const uint8_t tmpl_der[] = {
	0x30, 0x14,
	0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x15, 0x08, 0x87, 0x68, 0x07,
	0x02, 0x01, 0x64,
	0x02, 0x01, 0x05,
};

static int group_setup(void **state)
{
	time_t now = time(NULL);
	const struct raw_ext leaf_exts[] = {
		{ "2.5.29.17", san_der, sizeof(san_der) },
		{ AE_OID_CERT_TEMPLATE, tmpl_der, sizeof(tmpl_der) },
		{ NULL, NULL, 0 },
	};

	(void)state;
	g.root_key = make_key();
	g.inter_key = make_key();
	g.leaf_key = make_key();
	g.other_key = make_key();
	g.root = make_cert(NULL, "Test Root", g.root_key, NULL, NULL, true, 1,
			   now - 3600, now + 86400 * 30, NULL);
	g.inter = make_cert(NULL, "Test Issuing CA", g.inter_key, g.root, g.root_key, true, 2,
			    now - 3600, now + 86400 * 20, NULL);
	g.leaf = make_cert(NULL, "leaf.example.com", g.leaf_key, g.inter, g.inter_key, false,
			   0x1234, now - 3600, now + 86400 * 10, leaf_exts);
	g.other_root = make_cert(NULL, "Test Root", g.other_key, NULL, NULL, true, 1,
				 now - 3600, now + 86400 * 30, NULL);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	TALLOC_FREE(g.root);
	TALLOC_FREE(g.inter);
	TALLOC_FREE(g.leaf);
	TALLOC_FREE(g.other_root);
	TALLOC_FREE(g.root_key);
	TALLOC_FREE(g.inter_key);
	TALLOC_FREE(g.leaf_key);
	TALLOC_FREE(g.other_key);
	return 0;
}

static struct ae_cert_list *list_of(TALLOC_CTX *mem, struct ae_cert *a, struct ae_cert *b,
				    struct ae_cert *c)
{
	struct ae_cert_list *l = NULL;

	assert_int_equal(ae_cert_list_new(mem, &l), AE_OK);
	if (a != NULL) {
		assert_int_equal(ae_cert_list_add(l, a), AE_OK);
	}
	if (b != NULL) {
		assert_int_equal(ae_cert_list_add(l, b), AE_OK);
	}
	if (c != NULL) {
		assert_int_equal(ae_cert_list_add(l, c), AE_OK);
	}
	return l;
}

static void test_der_roundtrip_and_bounds(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_cert *c = (struct ae_cert *)0x1;
	struct ae_cert *ok = NULL;
	uint8_t *der = NULL;
	uint8_t *longer = NULL;
	uint8_t *big = NULL;
	size_t len = 0;
	size_t i;

	assert_int_equal(ae_cert_to_der(mem, g.leaf, &der, &len), AE_OK);
	assert_int_equal(ae_cert_parse_der(mem, der, len, &ok), AE_OK);
	assert_int_equal(X509_cmp(ok->x509, g.leaf->x509), 0);
	assert_ptr_equal(talloc_parent(ok), mem);

	/* one trailing byte */
	longer = talloc_array(mem, uint8_t, len + 1);
	memcpy(longer, der, len);
	longer[len] = 0x00;
	assert_int_equal(ae_cert_parse_der(mem, longer, len + 1, &c), AE_ERR_TRAILING);
	/* a second certificate after the first */
	longer = talloc_realloc(mem, longer, uint8_t, 2 * len);
	memcpy(longer + len, der, len);
	assert_int_equal(ae_cert_parse_der(mem, longer, 2 * len, &c), AE_ERR_TRAILING);

	/* every truncation is refused */
	for (i = 0; i < len; i++) {
		ae_err err = ae_cert_parse_der(mem, der, i, &c);
		if (err != AE_ERR_PARSE) {
			fail_msg("truncation at %zu: %d", i, err);
		}
	}
	/* over the cap, before any decoding */
	big = talloc_zero_array(mem, uint8_t, AE_X509_DER_MAX + 1);
	memcpy(big, der, len);
	assert_int_equal(ae_cert_parse_der(mem, big, AE_X509_DER_MAX + 1, &c), AE_ERR_TOO_LARGE);
	assert_int_equal(ae_cert_parse_der(mem, NULL, 0, &c), AE_ERR_INVALID);
	/* outputs untouched by all failures */
	assert_ptr_equal(c, (struct ae_cert *)0x1);
}

/* deterministic mutation sweep: every single-byte change must not crash */
static void test_der_mutations(void **state)
{
	TALLOC_CTX *mem = *state;
	uint8_t *der = NULL;
	size_t len = 0;
	size_t i;
	unsigned accepted = 0;

	assert_int_equal(ae_cert_to_der(mem, g.leaf, &der, &len), AE_OK);
	for (i = 0; i < len; i++) {
		static const uint8_t flips[] = { 0x01, 0x80, 0xff };
		size_t f;

		for (f = 0; f < sizeof(flips); f++) {
			TALLOC_CTX *tmp = talloc_new(mem);
			struct ae_cert *c = NULL;
			struct ae_cert_template t;
			char **names = NULL;

			der[i] ^= flips[f];
			if (ae_cert_parse_der(tmp, der, len, &c) == AE_OK) {
				accepted++;
				(void)ae_cert_template_info(tmp, c, &t);
				(void)ae_cert_dns_names(tmp, c, &names);
			}
			der[i] ^= flips[f];
			talloc_free(tmp);
		}
	}
	/* flips inside the signature or names still parse; most do */
	assert_true(accepted > 0);
	assert_int_equal(talloc_total_blocks(mem), 2);
}

static void test_pem(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_cert *c = NULL;
	struct ae_cert_list *l = NULL;
	char *pem = NULL;
	char *pem2 = NULL;
	char *s = NULL;
	size_t len = 0;
	size_t len2 = 0;

	assert_int_equal(ae_cert_to_pem(mem, g.leaf, &pem, &len), AE_OK);
	assert_int_equal(strlen(pem), len);
	assert_true(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
	assert_int_equal(ae_cert_parse_pem(mem, (uint8_t *)pem, len, &c), AE_OK);
	assert_int_equal(X509_cmp(c->x509, g.leaf->x509), 0);
	TALLOC_FREE(c);

	s = talloc_asprintf(mem, "\r\n\t %s\n", pem);
	assert_int_equal(ae_cert_parse_pem(mem, (uint8_t *)s, strlen(s), &c), AE_OK);
	TALLOC_FREE(c);
	s = talloc_asprintf(mem, "%sx", pem);
	assert_int_equal(ae_cert_parse_pem(mem, (uint8_t *)s, strlen(s), &c), AE_ERR_TRAILING);
	assert_int_equal(ae_cert_to_pem(mem, g.inter, &pem2, &len2), AE_OK);
	s = talloc_asprintf(mem, "%s%s", pem, pem2);
	assert_int_equal(ae_cert_parse_pem(mem, (uint8_t *)s, strlen(s), &c), AE_ERR_TRAILING);
	s = talloc_asprintf(mem, "subject=CN = leaf\n%s", pem);
	assert_int_equal(ae_cert_parse_pem(mem, (uint8_t *)s, strlen(s), &c), AE_ERR_PARSE);
	s = talloc_strndup(mem, pem, len - 10);	/* END line cut */
	assert_int_equal(ae_cert_parse_pem(mem, (uint8_t *)s, strlen(s), &c), AE_ERR_PARSE);
	s = talloc_strdup(mem, pem);
	s[50] = '\0';
	assert_int_equal(ae_cert_parse_pem(mem, (uint8_t *)s, len, &c), AE_ERR_PARSE);
	assert_int_equal(ae_cert_parse_pem(mem, (uint8_t *)"", 0, &c), AE_ERR_PARSE);
	assert_null(c);

	/* lists */
	assert_int_equal(ae_cert_list_parse_pem(mem, (uint8_t *)s, 0, &l), AE_OK);
	assert_int_equal(l->count, 0);
	s = talloc_asprintf(mem, "%s\n%s", pem, pem2);
	assert_int_equal(ae_cert_list_parse_pem(mem, (uint8_t *)s, strlen(s), &l), AE_OK);
	assert_int_equal(l->count, 2);
	assert_int_equal(X509_cmp(l->certs[0]->x509, g.leaf->x509), 0);
	assert_int_equal(X509_cmp(l->certs[1]->x509, g.inter->x509), 0);
	assert_ptr_equal(talloc_parent(l->certs[1]), l);
	TALLOC_FREE(l);
	s = talloc_asprintf(mem, "%s# comment\n%s", pem, pem2);
	assert_int_equal(ae_cert_list_parse_pem(mem, (uint8_t *)s, strlen(s), &l), AE_ERR_PARSE);
	s = talloc_asprintf(mem, "%s-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
			    pem);
	assert_int_equal(ae_cert_list_parse_pem(mem, (uint8_t *)s, strlen(s), &l), AE_ERR_PARSE);
	assert_null(l);
}

static void test_matches_key(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_key_spec rsa = { .kind = AE_KEY_RSA, .bits = 2048 };
	struct ae_key *rsa_key = NULL;
	struct ae_cert_list *l = NULL;

	assert_int_equal(ae_cert_matches_key(g.leaf, g.leaf_key), AE_OK);
	assert_int_equal(ae_cert_matches_key(g.leaf, g.inter_key), AE_ERR_MISMATCH);
	assert_int_equal(ae_cert_matches_key(g.root, g.root_key), AE_OK);
	assert_int_equal(ae_key_generate(mem, &rsa, &rsa_key), AE_OK);
	assert_int_equal(ae_cert_matches_key(g.leaf, rsa_key), AE_ERR_MISMATCH);
	assert_int_equal(ae_cert_matches_key(NULL, g.leaf_key), AE_ERR_INVALID);

	l = list_of(mem, g.root, g.inter, g.leaf);
	assert_int_equal(X509_cmp(ae_cert_list_find_by_key(l, g.leaf_key)->x509, g.leaf->x509), 0);
	assert_null(ae_cert_list_find_by_key(l, rsa_key));
}

static void test_verify_chain(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_cert_list *roots = list_of(mem, g.root, NULL, NULL);
	struct ae_cert_list *inters = list_of(mem, g.inter, NULL, NULL);
	struct ae_cert_list *wrong = list_of(mem, g.other_root, NULL, NULL);
	struct ae_cert_list *empty = list_of(mem, NULL, NULL, NULL);
	char why[256];

	/* root anchor + intermediate from the CA's answer */
	assert_int_equal(ae_cert_verify_chain(g.leaf, inters, roots, 0, why, sizeof(why)), AE_OK);
	assert_string_equal(why, "");
	/* the issuing CA itself as anchor (partial chain) */
	assert_int_equal(ae_cert_verify_chain(g.leaf, NULL, inters, 0, why, sizeof(why)), AE_OK);
	/* the intermediate missing */
	assert_int_equal(ae_cert_verify_chain(g.leaf, NULL, roots, 0, why, sizeof(why)),
			 AE_ERR_UNTRUSTED);
	assert_non_null(strstr(why, "unable to get local issuer certificate"));
	/* a different root with the same name */
	assert_int_equal(ae_cert_verify_chain(g.leaf, inters, wrong, 0, why, sizeof(why)),
			 AE_ERR_UNTRUSTED);
	assert_true(strlen(why) > 0);
	/* no anchors at all */
	assert_int_equal(ae_cert_verify_chain(g.leaf, inters, empty, 0, why, sizeof(why)),
			 AE_ERR_UNTRUSTED);
	assert_string_equal(why, "no trust anchors");
	assert_int_equal(ae_cert_verify_chain(g.leaf, inters, NULL, 0, NULL, 0), AE_ERR_UNTRUSTED);
	/* expired at a later 'now' */
	assert_int_equal(ae_cert_verify_chain(g.leaf, inters, roots, time(NULL) + 86400 * 15,
					      why, sizeof(why)), AE_ERR_UNTRUSTED);
	assert_non_null(strstr(why, "certificate has expired"));
	assert_non_null(strstr(why, "depth 0"));
	/* and not yet valid at an earlier one */
	assert_int_equal(ae_cert_verify_chain(g.leaf, inters, roots, time(NULL) - 86400,
					      why, sizeof(why)), AE_ERR_UNTRUSTED);
	assert_non_null(strstr(why, "not yet valid"));
	/* a tiny buffer is still terminated */
	assert_int_equal(ae_cert_verify_chain(g.leaf, NULL, wrong, 0, why, 4), AE_ERR_UNTRUSTED);
	assert_int_equal(strlen(why), 3);
}

static char *pem_of(TALLOC_CTX *mem, const struct ae_cert *c)
{
	char *pem = NULL;
	size_t len = 0;

	assert_int_equal(ae_cert_to_pem(mem, c, &pem, &len), AE_OK);
	return pem;
}

/*
 * <template>.chain.pem held every certificate of the CA's PKCS#7; now it holds
 * the path the verification used: the issuing CA, then the root it reached.
 */
static void chain_pem_holds_only_verified_chain(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_cert_list *p7 = list_of(mem, g.other_root, g.leaf, g.inter);
	struct ae_cert_list *anchors = list_of(mem, g.root, NULL, NULL);
	struct ae_cert_list *path = NULL;
	struct ae_enroll_result *r = talloc_zero(mem, struct ae_enroll_result);
	struct icpr_response resp = { .disposition = 3 };
	struct ae_issued is = { 0 };
	uint8_t *der = NULL;
	size_t len = 0;
	char why[256];

	/* an unrelated extra certificate and the root itself in the CA's answer */
	assert_int_equal(ae_cert_list_add(p7, g.root), AE_OK);
	assert_int_equal(ae_cert_verify_chain_get(mem, g.leaf, p7, anchors, 0, &path, why,
						  sizeof(why)), AE_OK);
	assert_int_equal(path->count, 2);
	assert_int_equal(X509_cmp(path->certs[0]->x509, g.inter->x509), 0);
	assert_int_equal(X509_cmp(path->certs[1]->x509, g.root->x509), 0);
	/* partial chain: the path ends at the AD CA certificate used as the anchor */
	TALLOC_FREE(path);
	assert_int_equal(ae_cert_verify_chain_get(mem, g.leaf, p7, list_of(mem, g.inter, NULL,
						  NULL), 0, &path, why, sizeof(why)), AE_OK);
	assert_int_equal(path->count, 1);
	/* no path: nothing returned */
	TALLOC_FREE(path);
	assert_int_equal(ae_cert_verify_chain_get(mem, g.leaf, NULL, anchors, 0, &path, why,
						  sizeof(why)), AE_ERR_UNTRUSTED);
	assert_null(path);
	/* what the enroll flow writes to <template>.chain.pem */
	r->template_name = talloc_strdup(r, "LabMachine");
	r->ca_name = talloc_strdup(r, "LAB-CA");
	assert_int_equal(ae_pkcs7_certs_build(mem, p7, &der, &len), AE_OK);
	resp.cert.pb = der;
	resp.cert.cb = (uint32_t)len;
	assert_int_equal(ae_cert_to_der(mem, g.leaf, &der, &len), AE_OK);
	resp.encoded_cert.pb = der;
	resp.encoded_cert.cb = (uint32_t)len;
	assert_int_equal(ae_enroll_verify_issued(mem, r, g.leaf_key, &resp, anchors, &is), AE_OK);
	assert_string_equal(is.chain_pem, talloc_asprintf(mem, "%s%s", pem_of(mem, g.inter),
							  pem_of(mem, g.root)));
	assert_null(strstr(is.chain_pem, pem_of(mem, g.other_root)));
}

static void test_pkcs7_roundtrip(void **state)
{
	/* ContentInfo SEQ, OID 1.2.840.113549.1.7.2 (signedData) */
	static const uint8_t signed_oid[] = {
		0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
	};
	TALLOC_CTX *mem = *state;
	struct ae_cert_list *in = list_of(mem, g.leaf, g.inter, g.root);
	struct ae_cert_list *out = (struct ae_cert_list *)0x1;
	struct ae_cert_list *ok = NULL;
	const unsigned char *q = NULL;
	uint8_t *der = NULL;
	uint8_t *longer = NULL;
	size_t len = 0;
	PKCS7 *p7 = NULL;
	size_t i;

	assert_int_equal(ae_pkcs7_certs_build(mem, in, &der, &len), AE_OK);
	assert_memory_equal(der + 4, signed_oid, sizeof(signed_oid));
	/* degenerate: no signers, content absent (what OpenSSL itself sees) */
	q = der;
	p7 = d2i_PKCS7(NULL, &q, (long)len);
	assert_non_null(p7);
	assert_true(PKCS7_type_is_signed(p7));
	assert_int_equal(sk_PKCS7_SIGNER_INFO_num(PKCS7_get_signer_info(p7)), 0);
	assert_null(p7->d.sign->contents->d.data);
	PKCS7_free(p7);

	assert_int_equal(ae_pkcs7_certs_parse(mem, der, len, &ok), AE_OK);
	assert_int_equal(ok->count, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(X509_cmp(ok->certs[i]->x509, in->certs[i]->x509), 0);
		assert_ptr_equal(talloc_parent(ok->certs[i]), ok);
	}

	longer = talloc_array(mem, uint8_t, len + 1);
	memcpy(longer, der, len);
	longer[len] = 0x00;
	assert_int_equal(ae_pkcs7_certs_parse(mem, longer, len + 1, &out), AE_ERR_TRAILING);
	for (i = 0; i < len; i += 7) {
		if (ae_pkcs7_certs_parse(mem, der, i, &out) == AE_OK) {
			fail_msg("truncation at %zu accepted", i);
		}
	}
	longer = talloc_zero_array(mem, uint8_t, AE_PKCS7_DER_MAX + 1);
	memcpy(longer, der, len);
	assert_int_equal(ae_pkcs7_certs_parse(mem, longer, AE_PKCS7_DER_MAX + 1, &out),
			 AE_ERR_TOO_LARGE);
	assert_ptr_equal(out, (struct ae_cert_list *)0x1);

	/* a single certificate is not a PKCS#7 */
	TALLOC_FREE(der);
	assert_int_equal(ae_cert_to_der(mem, g.leaf, &der, &len), AE_OK);
	assert_int_equal(ae_pkcs7_certs_parse(mem, der, len, &out), AE_ERR_PARSE);
	assert_ptr_equal(out, (struct ae_cert_list *)0x1);
}

static uint8_t *p7_der(TALLOC_CTX *mem, PKCS7 *p7, size_t *_len)
{
	unsigned char *der = NULL;
	int n = i2d_PKCS7(p7, &der);
	uint8_t *out = NULL;

	assert_true(n > 0);
	out = talloc_memdup(mem, der, (size_t)n);
	OPENSSL_free(der);
	PKCS7_free(p7);
	*_len = (size_t)n;
	return out;
}

static void test_pkcs7_limits(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_cert_list *l = list_of(mem, NULL, NULL, NULL);
	struct ae_cert_list *out = NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	PKCS7 *p7 = NULL;
	size_t i;

	/* build refuses 0 and more than the maximum */
	assert_int_equal(ae_pkcs7_certs_build(mem, l, &der, &len), AE_ERR_INVALID);
	for (i = 0; i < AE_PKCS7_CERTS_MAX + 1; i++) {
		assert_int_equal(ae_cert_list_add(l, g.leaf), AE_OK);
	}
	assert_int_equal(ae_pkcs7_certs_build(mem, l, &der, &len), AE_ERR_INVALID);

	/* parse refuses 33 certificates ... */
	p7 = PKCS7_new();
	assert_int_equal(PKCS7_set_type(p7, NID_pkcs7_signed), 1);
	assert_int_equal(PKCS7_content_new(p7, NID_pkcs7_data), 1);
	for (i = 0; i < AE_PKCS7_CERTS_MAX + 1; i++) {
		assert_int_equal(PKCS7_add_certificate(p7, g.leaf->x509), 1);
	}
	der = p7_der(mem, p7, &len);
	assert_int_equal(ae_pkcs7_certs_parse(mem, der, len, &out), AE_ERR_TOO_LARGE);

	/* ... and zero */
	p7 = PKCS7_new();
	assert_int_equal(PKCS7_set_type(p7, NID_pkcs7_signed), 1);
	assert_int_equal(PKCS7_content_new(p7, NID_pkcs7_data), 1);
	der = p7_der(mem, p7, &len);
	assert_int_equal(ae_pkcs7_certs_parse(mem, der, len, &out), AE_ERR_NOT_FOUND);

	/* another content type */
	p7 = PKCS7_new();
	assert_int_equal(PKCS7_set_type(p7, NID_pkcs7_data), 1);
	der = p7_der(mem, p7, &len);
	assert_int_equal(ae_pkcs7_certs_parse(mem, der, len, &out), AE_ERR_PARSE);
	assert_null(out);
}

struct tmpl_case {
	const char *name;
	struct raw_ext exts[3];
	ae_err err;
	const char *oid;
	bool has_major, has_minor;
	uint32_t major, minor;
	const char *v1_name;
};

static const uint8_t bmp_machine[] = {
	0x1e, 0x0e, 0x00, 0x4d, 0x00, 0x61, 0x00, 0x63, 0x00, 0x68, 0x00, 0x69, 0x00, 0x6e, 0x00, 0x65,
};
static const uint8_t utf8_machine[] = { 0x0c, 0x07, 'M', 'a', 'c', 'h', 'i', 'n', 'e' };
static const uint8_t seq_utf8_user[] = { 0x30, 0x06, 0x0c, 0x04, 'U', 's', 'e', 'r' };
static const uint8_t tmpl_oid_only[] = {
	0x30, 0x0e,
	0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x15, 0x08, 0x87, 0x68, 0x07,
};
static const uint8_t tmpl_big_major[] = {	/* major 4294967295 */
	0x30, 0x18,
	0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x15, 0x08, 0x87, 0x68, 0x07,
	0x02, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff,
	0x02, 0x01, 0x00,
};
static const uint8_t tmpl_too_big[] = {	/* major 4294967296 */
	0x30, 0x15,
	0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x15, 0x08, 0x87, 0x68, 0x07,
	0x02, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t tmpl_negative[] = {
	0x30, 0x11,
	0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x15, 0x08, 0x87, 0x68, 0x07,
	0x02, 0x01, 0xff,
};
static const uint8_t tmpl_trailing[] = {
	0x30, 0x11,
	0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x15, 0x08, 0x87, 0x68, 0x07,
	0x02, 0x01, 0x01,
	0x00,
};
static const uint8_t tmpl_extra_field[] = {
	0x30, 0x17,
	0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x15, 0x08, 0x87, 0x68, 0x07,
	0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x02, 0x01, 0x03,
};
static const uint8_t not_a_string[] = { 0x04, 0x00 };
static const uint8_t bmp_odd[] = { 0x1e, 0x03, 0x00, 0x41, 0x00 };
static const uint8_t bmp_nul[] = { 0x1e, 0x04, 0x00, 0x41, 0x00, 0x00 };
static const uint8_t seq_two[] = { 0x30, 0x06, 0x0c, 0x01, 'A', 0x0c, 0x01, 'B' };
static const uint8_t seq_int[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };

#define EXT(oid, arr) { oid, arr, sizeof(arr) }
#define NO_EXT { NULL, NULL, 0 }
#define V2 AE_OID_CERT_TEMPLATE
#define V1 AE_OID_TEMPLATE_NAME
#define OID7 "1.3.6.1.4.1.311.21.8.1000.7"

static const struct tmpl_case tmpl_cases[] = {
	{ "v2", { EXT(V2, tmpl_der), NO_EXT }, AE_OK, OID7, true, true, 100, 5, NULL },
	{ "v2 OID only", { EXT(V2, tmpl_oid_only), NO_EXT }, AE_OK, OID7, false, false, 0, 0, NULL },
	{ "v2 max major", { EXT(V2, tmpl_big_major), NO_EXT }, AE_OK, OID7, true, true,
	  UINT32_MAX, 0, NULL },
	{ "v1 BMPString", { EXT(V1, bmp_machine), NO_EXT }, AE_OK, NULL, false, false, 0, 0,
	  "Machine" },
	{ "v1 UTF8String", { EXT(V1, utf8_machine), NO_EXT }, AE_OK, NULL, false, false, 0, 0,
	  "Machine" },
	{ "v1 SEQ{UTF8String}", { EXT(V1, seq_utf8_user), NO_EXT }, AE_OK, NULL, false, false, 0, 0,
	  "User" },
	{ "both", { EXT(V2, tmpl_der), EXT(V1, bmp_machine), NO_EXT }, AE_OK, OID7, true, true,
	  100, 5, "Machine" },
	{ "none", { NO_EXT }, AE_ERR_NOT_FOUND, NULL, false, false, 0, 0, NULL },
	{ "v2 major too big", { EXT(V2, tmpl_too_big), NO_EXT }, AE_ERR_PARSE },
	{ "v2 negative", { EXT(V2, tmpl_negative), NO_EXT }, AE_ERR_PARSE },
	{ "v2 trailing", { EXT(V2, tmpl_trailing), NO_EXT }, AE_ERR_TRAILING },
	{ "v2 extra field", { EXT(V2, tmpl_extra_field), NO_EXT }, AE_ERR_PARSE },
	{ "v2 not a SEQ", { EXT(V2, not_a_string), NO_EXT }, AE_ERR_PARSE },
	{ "v2 twice", { EXT(V2, tmpl_der), EXT(V2, tmpl_der), NO_EXT }, AE_ERR_PARSE },
	{ "v1 OCTET STRING", { EXT(V1, not_a_string), NO_EXT }, AE_ERR_PARSE },
	{ "v1 odd BMPString", { EXT(V1, bmp_odd), NO_EXT }, AE_ERR_PARSE },
	{ "v1 NUL inside", { EXT(V1, bmp_nul), NO_EXT }, AE_ERR_PARSE },
	{ "v1 SEQ of two", { EXT(V1, seq_two), NO_EXT }, AE_ERR_PARSE },
	{ "v1 SEQ{INTEGER}", { EXT(V1, seq_int), NO_EXT }, AE_ERR_PARSE },
	{ "good v2, bad v1", { EXT(V2, tmpl_der), EXT(V1, bmp_odd), NO_EXT }, AE_ERR_PARSE },
};

static void test_template_info(void **state)
{
	TALLOC_CTX *mem = *state;
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < sizeof(tmpl_cases) / sizeof(tmpl_cases[0]); i++) {
		const struct tmpl_case *tc = &tmpl_cases[i];
		TALLOC_CTX *tmp = talloc_new(mem);
		struct ae_cert *c = make_cert(tmp, "t.example.com", g.leaf_key, g.inter, g.inter_key,
					      false, 7, now - 60, now + 3600, tc->exts);
		struct ae_cert_template t = { (char *)"sentinel", 9, 9, true, true, NULL };
		ae_err err = ae_cert_template_info(tmp, c, &t);

		if (err != tc->err) {
			fail_msg("%s: got %d want %d", tc->name, err, tc->err);
		}
		if (err != AE_OK) {
			assert_string_equal(t.oid, "sentinel");	/* untouched */
			talloc_free(tmp);
			continue;
		}
		if (tc->oid == NULL) {
			assert_null(t.oid);
		} else {
			assert_string_equal(t.oid, tc->oid);
			assert_ptr_equal(talloc_parent(t.oid), tmp);
		}
		assert_int_equal(t.has_major, tc->has_major);
		assert_int_equal(t.has_minor, tc->has_minor);
		assert_int_equal(t.major, tc->major);
		assert_int_equal(t.minor, tc->minor);
		if (tc->v1_name == NULL) {
			assert_null(t.v1_name);
		} else {
			assert_string_equal(t.v1_name, tc->v1_name);
		}
		talloc_free(tmp);
	}
}

static void test_accessors(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_cert *c = make_cert(mem, "Zoë Host", g.leaf_key, g.inter, g.inter_key, false,
				      0x1234, T_NOT_BEFORE, T_NOT_AFTER, NULL);
	char **names = NULL;
	char *s = NULL;
	time_t t = 0;

	assert_int_equal(ae_cert_dns_names(mem, g.leaf, &names), AE_OK);
	assert_string_equal(names[0], "leaf.example.com");
	assert_string_equal(names[1], "leaf");
	assert_null(names[2]);
	assert_ptr_equal(talloc_parent(names), mem);
	assert_int_equal(ae_cert_dns_names(mem, c, &names), AE_OK);
	assert_null(names[0]);

	assert_int_equal(ae_cert_serial_hex(mem, c, &s), AE_OK);
	assert_string_equal(s, "1234");
	assert_int_equal(ae_cert_thumbprint_hex(mem, c, &s), AE_OK);
	assert_int_equal(strlen(s), 40);
	assert_int_equal(strspn(s, "0123456789abcdef"), 40);

	assert_int_equal(ae_cert_not_before(c, &t), AE_OK);
	assert_int_equal(t, T_NOT_BEFORE);
	assert_int_equal(ae_cert_not_after(c, &t), AE_OK);
	assert_int_equal(t, T_NOT_AFTER);

	assert_int_equal(ae_cert_subject(mem, c, &s), AE_OK);
	assert_string_equal(s, "CN = Zo\xc3\xab Host");
	assert_int_equal(ae_cert_issuer(mem, c, &s), AE_OK);
	assert_string_equal(s, "CN = Test Issuing CA");
}

/* a seed file written by the openssl command line (tests/fuzz/corpus/) */
static uint8_t *seed(TALLOC_CTX *mem, const char *name, size_t *_len)
{
	char *path = talloc_asprintf(mem, "%s/tests/fuzz/corpus/%s", SRCDIR, name);
	uint8_t *data = NULL;

	assert_non_null(path);
	if (ae_file_read(mem, path, 1 << 20, &data, _len) != AE_OK) {
		fail_msg("cannot read %s", path);
	}
	return data;
}

/*
 * Independent vectors: a certs-only PKCS#7 from `openssl crl2pkcs7 -nocrl`
 * and certificates from `openssl x509 -req -extfile` (template extensions
 * given as raw DER); the recipe is in tests/fuzz/fuzz_cert.c.
 */
static void test_openssl_cli_vectors(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_cert_list *l = NULL;
	struct ae_cert_list *anchors = NULL;
	struct ae_cert_template t;
	struct ae_cert *leaf = NULL;
	struct ae_cert *c = NULL;
	uint8_t *p7 = NULL;
	uint8_t *der = NULL;
	uint8_t *again = NULL;
	size_t p7_len = 0;
	size_t len = 0;
	size_t again_len = 0;
	char **names = NULL;
	char *s = NULL;
	time_t nb = 0;
	char why[128];

	/* our certs-only builder writes what openssl crl2pkcs7 writes */
	p7 = seed(mem, "pkcs7/certs_only_chain.der", &p7_len);
	assert_int_equal(ae_pkcs7_certs_parse(mem, p7, p7_len, &l), AE_OK);
	assert_int_equal(l->count, 2);
	assert_int_equal(ae_pkcs7_certs_build(mem, l, &again, &again_len), AE_OK);
	assert_int_equal(again_len, p7_len);
	assert_memory_equal(again, p7, p7_len);

	/* the v2 leaf: template, serial, empty subject, SAN */
	der = seed(mem, "cert/leaf_v2_template.der", &len);
	assert_int_equal(ae_cert_parse_der(mem, der, len, &leaf), AE_OK);
	assert_int_equal(X509_cmp(leaf->x509, l->certs[0]->x509), 0);
	assert_int_equal(ae_cert_template_info(mem, leaf, &t), AE_OK);
	assert_string_equal(t.oid, "1.3.6.1.4.1.311.21.8.11034890.834619.12601478."
			    "16236816.7255827.176.1.14");
	assert_true(t.has_major && t.has_minor);
	assert_int_equal(t.major, 101);
	assert_int_equal(t.minor, 0);
	assert_null(t.v1_name);
	assert_int_equal(ae_cert_serial_hex(mem, leaf, &s), AE_OK);
	assert_string_equal(s, "18D9D5D300000000003D");
	assert_int_equal(ae_cert_subject(mem, leaf, &s), AE_OK);
	assert_string_equal(s, "");
	assert_int_equal(ae_cert_dns_names(mem, leaf, &names), AE_OK);
	assert_string_equal(names[0], "host.example.com");
	assert_string_equal(names[1], "host");
	assert_null(names[2]);

	/* it chains to the root from the corpus (at a time inside its validity) */
	der = seed(mem, "cert/ca_root.der", &len);
	assert_int_equal(ae_cert_parse_der(mem, der, len, &c), AE_OK);
	assert_int_equal(ae_cert_list_new(mem, &anchors), AE_OK);
	assert_int_equal(ae_cert_list_add(anchors, c), AE_OK);
	assert_int_equal(ae_cert_not_before(leaf, &nb), AE_OK);
	assert_int_equal(ae_cert_verify_chain(leaf, NULL, anchors, nb + 86400, why, sizeof(why)),
			 AE_OK);
	assert_int_equal(ae_cert_verify_chain(leaf, NULL, anchors, nb + 86400 * 400, why,
					      sizeof(why)), AE_ERR_UNTRUSTED);

	/* the PEM form of the same certificate */
	der = seed(mem, "cert/leaf_v2.pem", &len);
	assert_int_equal(ae_cert_parse_pem(mem, der, len, &c), AE_OK);
	assert_int_equal(X509_cmp(c->x509, leaf->x509), 0);

	/* the three v1 name forms */
	der = seed(mem, "cert/leaf_v1_bmpstring.der", &len);
	assert_int_equal(ae_cert_parse_der(mem, der, len, &c), AE_OK);
	assert_int_equal(ae_cert_template_info(mem, c, &t), AE_OK);
	assert_null(t.oid);
	assert_string_equal(t.v1_name, "Machine");
	der = seed(mem, "cert/leaf_v1_utf8string.der", &len);
	assert_int_equal(ae_cert_parse_der(mem, der, len, &c), AE_OK);
	assert_int_equal(ae_cert_template_info(mem, c, &t), AE_OK);
	assert_string_equal(t.v1_name, "Machine");
	der = seed(mem, "cert/leaf_v1_seq_utf8.der", &len);
	assert_int_equal(ae_cert_parse_der(mem, der, len, &c), AE_OK);
	assert_int_equal(ae_cert_template_info(mem, c, &t), AE_OK);
	assert_string_equal(t.v1_name, "User");
	der = seed(mem, "cert/ca_root.der", &len);
	assert_int_equal(ae_cert_parse_der(mem, der, len, &c), AE_OK);
	assert_int_equal(ae_cert_template_info(mem, c, &t), AE_ERR_NOT_FOUND);

	/* the invalid seeds */
	c = NULL;
	der = seed(mem, "cert/leaf_trailing_byte.der", &len);
	assert_int_equal(ae_cert_parse_der(mem, der, len, &c), AE_ERR_TRAILING);
	der = seed(mem, "cert/leaf_truncated.der", &len);
	assert_int_equal(ae_cert_parse_der(mem, der, len, &c), AE_ERR_PARSE);
	der = seed(mem, "pkcs7/certs_only_trailing_byte.der", &len);
	assert_int_equal(ae_pkcs7_certs_parse(mem, der, len, &l), AE_ERR_TRAILING);
	der = seed(mem, "pkcs7/certs_only_truncated.der", &len);
	assert_int_equal(ae_pkcs7_certs_parse(mem, der, len, &l), AE_ERR_PARSE);
	der = seed(mem, "pkcs7/certs_only_empty.der", &len);
	assert_int_equal(ae_pkcs7_certs_parse(mem, der, len, &l), AE_ERR_NOT_FOUND);
	der = seed(mem, "pkcs7/data_not_signed.der", &len);
	assert_int_equal(ae_pkcs7_certs_parse(mem, der, len, &l), AE_ERR_PARSE);
	/* a CMS message with a signer: certificates extracted, signer ignored */
	der = seed(mem, "pkcs7/cms_signed_with_signer.der", &len);
	assert_int_equal(ae_pkcs7_certs_parse(mem, der, len, &l), AE_OK);
	assert_int_equal(l->count, 2);
	assert_null(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_der_roundtrip_and_bounds, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_der_mutations, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_pem, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_matches_key, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_verify_chain, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(chain_pem_holds_only_verified_chain, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_pkcs7_roundtrip, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_pkcs7_limits, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_template_info, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_accessors, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_openssl_cli_vectors, leak_setup, leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
	talloc_disable_null_tracking();
	return rc;
}
