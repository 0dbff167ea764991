/*
 * test_renewal.c: the renewal request (source/request/ae_renewal.h) and the
 * renewal-certificate attribute of ae_csr_build. A throw-away CA, an old
 * certificate with its key and a new key are made here; the spec's own
 * renewal request (MS-WSTEP 4.1.5.1, tests/unit/data/wstep_renewal.cms) is
 * parsed as a vector.
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
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "ae_csr.h"
#include "ae_file.h"
#include "ae_renewal.h"
#include "ae_x509.h"
#include "pki_helpers.h"

#define SPEC_VECTOR SRCDIR "/tests/unit/data/wstep_renewal.cms"

struct pki {
	struct ae_key *ca_key, *old_key, *new_key, *other_key, *rsa_key;
	struct ae_cert *ca, *old, *other, *impostor, *rsa_old;
};

static struct pki g;

static int group_setup(void **state)
{
	const struct pki_cert_opts ca = { .ca = true };

	(void)state;
	g.ca_key = pki_key(false);
	g.old_key = pki_key(false);
	g.new_key = pki_key(false);
	g.other_key = pki_key(false);
	g.rsa_key = pki_key(true);
	g.ca = pki_cert(NULL, "Renewal Test CA", g.ca_key, NULL, NULL, 1, 30, &ca);
	g.old = pki_cert(NULL, "host.example.com", g.old_key, g.ca, g.ca_key, 0x1001, 10, NULL);
	g.other = pki_cert(NULL, "other.example.com", g.other_key, g.ca, g.ca_key, 0x1002, 10,
			   NULL);
	/* same issuer and serial as old, another key */
	g.impostor = pki_cert(NULL, "host.example.com", g.other_key, g.ca, g.ca_key, 0x1001, 10,
			      NULL);
	g.rsa_old = pki_cert(NULL, "rsa.example.com", g.rsa_key, g.ca, g.ca_key, 0x1003, 10, NULL);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	TALLOC_FREE(g.ca);
	TALLOC_FREE(g.old);
	TALLOC_FREE(g.other);
	TALLOC_FREE(g.impostor);
	TALLOC_FREE(g.rsa_old);
	TALLOC_FREE(g.ca_key);
	TALLOC_FREE(g.old_key);
	TALLOC_FREE(g.new_key);
	TALLOC_FREE(g.other_key);
	TALLOC_FREE(g.rsa_key);
	return 0;
}

static const struct ae_csr_params g_params = {
	.template_oid = "1.3.6.1.4.1.311.21.8.1000.7",
	.schema_version = 2,
	.major = 100,
	.minor = 5,
	.subject_cn = "renewal-subject",
	.client_id = AE_CSR_CLIENT_ID_AUTOENROLL,
	.machine_name = "host.example.com",
	.os_version = "6.1.0.2",
};

static void cert_der(TALLOC_CTX *mem, const struct ae_cert *c, uint8_t **der, size_t *len)
{
	assert_int_equal(ae_cert_to_der(mem, c, der, len), AE_OK);
}

/* p renews c (p->renewal_cert_* = c's DER on mem) */
static void renews(TALLOC_CTX *mem, struct ae_csr_params *p, const struct ae_cert *c)
{
	uint8_t *der = NULL;
	size_t len = 0;

	cert_der(mem, c, &der, &len);
	p->renewal_cert_der = der;
	p->renewal_cert_len = len;
}

static void build(TALLOC_CTX *mem, const struct ae_cert *old, const struct ae_key *old_key,
		  uint8_t **der, size_t *len)
{
	assert_int_equal(ae_renewal_build(mem, g.new_key, &g_params, old, old_key, der, len),
			 AE_OK);
}

/* A CMS over content signed by cert/key with the given CMS_* flags, DER on mem. */
static void cms_sign_raw(TALLOC_CTX *mem, const uint8_t *content, size_t n,
			 const struct ae_cert *cert, const struct ae_key *key, unsigned flags,
			 uint8_t **der, size_t *len)
{
	BIO *in = BIO_new_mem_buf(content, (int)n);
	CMS_ContentInfo *cms = NULL;
	unsigned char *out = NULL;
	int m;

	assert_non_null(in);
	cms = CMS_sign(cert->x509, key->pkey, NULL, in, CMS_BINARY | flags);
	assert_non_null(cms);
	m = i2d_CMS_ContentInfo(cms, &out);
	assert_true(m > 0);
	*der = talloc_memdup(mem, out, (size_t)m);
	*len = (size_t)m;
	OPENSSL_free(out);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
}

static void test_roundtrip(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_renewal *r = NULL;
	uint8_t *der = NULL;
	uint8_t *old_der = NULL;
	uint8_t *signer_der = NULL;
	size_t len = 0;
	size_t old_len = 0;
	size_t signer_len = 0;
	const unsigned char *q = NULL;
	X509_REQ *req = NULL;

	build(mem, g.old, g.old_key, &der, &len);
	assert_int_equal(ae_renewal_parse(mem, der, len, &r), AE_OK);
	assert_true(r->signature_ok);
	assert_true(r->csr_signature_ok);
	cert_der(mem, g.old, &old_der, &old_len);
	cert_der(mem, r->signer, &signer_der, &signer_len);
	assert_int_equal(signer_len, old_len);
	assert_memory_equal(signer_der, old_der, old_len);
	assert_int_equal(r->renewal_cert_len, old_len);
	assert_memory_equal(r->renewal_cert_der, old_der, old_len);

	/* the inner request is the new key's */
	q = r->csr_der;
	req = d2i_X509_REQ(NULL, &q, (long)r->csr_len);
	assert_non_null(req);
	assert_ptr_equal(q, r->csr_der + r->csr_len);
	assert_int_equal(EVP_PKEY_eq(X509_REQ_get0_pubkey(req), g.new_key->pkey), 1);
	X509_REQ_free(req);

	/* everything hangs off r */
	talloc_free(r);
}

/* The CMS has the shape of MS-WSTEP 4.1.5.1, with SHA-256. */
static void test_structure(void **state)
{
	TALLOC_CTX *mem = *state;
	uint8_t *der = NULL;
	size_t len = 0;
	const unsigned char *q = NULL;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(CMS_SignerInfo) *sis = NULL;
	STACK_OF(X509) *certs = NULL;
	X509_ALGOR *dig = NULL;
	X509_ALGOR *sig = NULL;
	ASN1_OCTET_STRING *keyid = NULL;
	X509_NAME *issuer = NULL;
	ASN1_INTEGER *serial = NULL;
	CMS_SignerInfo *si = NULL;

	build(mem, g.old, g.old_key, &der, &len);
	q = der;
	cms = d2i_CMS_ContentInfo(NULL, &q, (long)len);
	assert_non_null(cms);
	/* ContentInfo, SignedData version 1 (bytes: 30 L 06 09 <signedData> a0 L 30 L 02 01 01) */
	assert_int_equal(OBJ_obj2nid(CMS_get0_type(cms)), NID_pkcs7_signed);
	assert_int_equal(OBJ_obj2nid(CMS_get0_eContentType(cms)), NID_pkcs7_data);
	sis = CMS_get0_SignerInfos(cms);
	assert_int_equal(sk_CMS_SignerInfo_num(sis), 1);
	si = sk_CMS_SignerInfo_value(sis, 0);
	assert_true(CMS_signed_get_attr_count(si) <= 0);	/* no signed attributes */
	assert_true(CMS_unsigned_get_attr_count(si) <= 0);
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
	assert_int_equal(OBJ_obj2nid(dig->algorithm), NID_sha256);
	assert_int_equal(CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial), 1);
	assert_null(keyid);
	assert_non_null(issuer);
	assert_int_equal(X509_NAME_cmp(issuer, X509_get_issuer_name(g.old->x509)), 0);
	assert_int_equal(ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(g.old->x509)), 0);
	certs = CMS_get1_certs(cms);
	assert_int_equal(sk_X509_num(certs), 1);
	assert_int_equal(X509_cmp(sk_X509_value(certs, 0), g.old->x509), 0);
	sk_X509_pop_free(certs, X509_free);
	CMS_ContentInfo_free(cms);
	/* version 1 right after the OID and the [0] and SEQUENCE headers */
	assert_true(len > 30);
	assert_true(memmem(der, 32, "\x02\x01\x01\x31", 4) != NULL);
}

/*
 * The template's msPKI-Hash-Algorithm (SHA-384) digests both the PKCS#10
 * and the CMS signature of the renewal; it still parses and verifies.
 */
static void test_renewal_signed_with_the_template_hash(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_csr_params p = g_params;
	struct ae_renewal *r = NULL;
	STACK_OF(CMS_SignerInfo) *sis = NULL;
	X509_ALGOR *dig = NULL;
	CMS_ContentInfo *cms = NULL;
	const unsigned char *q = NULL;
	X509_REQ *req = NULL;
	uint8_t *der = NULL;
	size_t len = 0;

	p.hash = AE_CSR_HASH_SHA384;
	assert_int_equal(ae_renewal_build(mem, g.new_key, &p, g.old, g.old_key, &der, &len),
			 AE_OK);
	q = der;
	cms = d2i_CMS_ContentInfo(NULL, &q, (long)len);
	assert_non_null(cms);
	sis = CMS_get0_SignerInfos(cms);
	CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(sis, 0), NULL, NULL, &dig, NULL);
	assert_int_equal(OBJ_obj2nid(dig->algorithm), NID_sha384);
	CMS_ContentInfo_free(cms);
	assert_int_equal(ae_renewal_parse(mem, der, len, &r), AE_OK);
	assert_true(r->signature_ok);
	assert_true(r->csr_signature_ok);
	q = r->csr_der;
	req = d2i_X509_REQ(NULL, &q, (long)r->csr_len);
	assert_non_null(req);
	assert_int_equal(X509_REQ_get_signature_nid(req), NID_ecdsa_with_SHA384);
	X509_REQ_free(req);
	talloc_free(r);
}

static void test_rsa_old_key(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_renewal *r = NULL;
	uint8_t *der = NULL;
	size_t len = 0;

	build(mem, g.rsa_old, g.rsa_key, &der, &len);
	assert_int_equal(ae_renewal_parse(mem, der, len, &r), AE_OK);
	assert_true(r->signature_ok);
	assert_true(r->csr_signature_ok);
}

static void test_tampered(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_renewal *r = NULL;
	uint8_t *der = NULL;
	uint8_t *copy = NULL;
	uint8_t *cn = NULL;
	size_t len = 0;

	build(mem, g.old, g.old_key, &der, &len);

	/* the signature value is the last element: flip its last byte */
	copy = talloc_memdup(mem, der, len);
	copy[len - 1] ^= 0x01;
	assert_int_equal(ae_renewal_parse(mem, copy, len, &r), AE_OK);
	assert_false(r->signature_ok);
	assert_true(r->csr_signature_ok);
	TALLOC_FREE(r);

	/* a changed subject in the PKCS#10: neither signature holds */
	copy = talloc_memdup(mem, der, len);
	cn = memmem(copy, len, "renewal-subject", 15);
	assert_non_null(cn);
	cn[0] = 'R';
	assert_int_equal(ae_renewal_parse(mem, copy, len, &r), AE_OK);
	assert_false(r->signature_ok);
	assert_false(r->csr_signature_ok);
}

static void test_wrong_signer(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_renewal *r = (struct ae_renewal *)0x1;
	uint8_t *der = (uint8_t *)0x1;
	size_t len = 7;
	uint8_t *csr = NULL;
	size_t csr_len = 0;
	uint8_t *cms = NULL;
	size_t cms_len = 0;
	struct ae_csr_params p = g_params;

	/* the old key must be the old certificate's */
	assert_int_equal(ae_renewal_build(mem, g.new_key, &g_params, g.old, g.other_key,
					  &der, &len), AE_ERR_MISMATCH);
	assert_ptr_equal(der, (uint8_t *)0x1);
	assert_int_equal(len, 7);

	/* renews old, signed by other: refused */
	renews(mem, &p, g.old);
	assert_int_equal(ae_csr_build(mem, g.new_key, &p, &csr, &csr_len), AE_OK);
	cms_sign_raw(mem, csr, csr_len, g.other, g.other_key, CMS_NOATTR, &cms, &cms_len);
	assert_int_equal(ae_renewal_parse(mem, cms, cms_len, &r), AE_ERR_MISMATCH);
	assert_ptr_equal(r, (struct ae_renewal *)0x1);

	/* the signer's certificate missing */
	cms_sign_raw(mem, csr, csr_len, g.old, g.old_key, CMS_NOATTR | CMS_NOCERTS,
		     &cms, &cms_len);
	assert_int_equal(ae_renewal_parse(mem, cms, cms_len, &r), AE_ERR_NOT_FOUND);

	/*
	 * An impostor certificate with old's issuer and serial but another key,
	 * renewing itself, while the signature is old's key: parses (the
	 * attribute is the included certificate) but does not verify.
	 */
	renews(mem, &p, g.impostor);
	assert_int_equal(ae_csr_build(mem, g.new_key, &p, &csr, &csr_len), AE_OK);
	{
		BIO *in = BIO_new_mem_buf(csr, (int)csr_len);
		CMS_ContentInfo *c = CMS_sign(g.old->x509, g.old_key->pkey, NULL, in,
					      CMS_BINARY | CMS_NOATTR | CMS_NOCERTS);
		unsigned char *out = NULL;
		int m;

		assert_non_null(c);
		assert_int_equal(CMS_add1_cert(c, g.impostor->x509), 1);
		m = i2d_CMS_ContentInfo(c, &out);
		assert_true(m > 0);
		r = NULL;
		assert_int_equal(ae_renewal_parse(mem, out, (size_t)m, &r), AE_OK);
		assert_false(r->signature_ok);
		assert_true(r->csr_signature_ok);
		OPENSSL_free(out);
		CMS_ContentInfo_free(c);
		BIO_free(in);
	}
}

/* Signed attributes are accepted and checked too. */
static void test_signed_attributes(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_csr_params p = g_params;
	struct ae_renewal *r = NULL;
	uint8_t *csr = NULL;
	size_t csr_len = 0;
	uint8_t *cms = NULL;
	size_t cms_len = 0;

	renews(mem, &p, g.old);
	assert_int_equal(ae_csr_build(mem, g.new_key, &p, &csr, &csr_len), AE_OK);
	cms_sign_raw(mem, csr, csr_len, g.old, g.old_key, 0, &cms, &cms_len);
	assert_int_equal(ae_renewal_parse(mem, cms, cms_len, &r), AE_OK);
	assert_true(r->signature_ok);
}

static void test_bounds(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_renewal *r = (struct ae_renewal *)0x1;
	uint8_t *der = NULL;
	uint8_t *longer = NULL;
	uint8_t *big = NULL;
	uint8_t *plain = NULL;
	size_t len = 0;
	size_t plain_len = 0;
	uint8_t *cms = NULL;
	size_t cms_len = 0;
	struct ae_cert_list *l = NULL;
	size_t i;

	build(mem, g.old, g.old_key, &der, &len);
	longer = talloc_array(mem, uint8_t, len + 1);
	memcpy(longer, der, len);
	longer[len] = 0;
	assert_int_equal(ae_renewal_parse(mem, longer, len + 1, &r), AE_ERR_TRAILING);
	for (i = 0; i < len; i += 97) {
		assert_int_not_equal(ae_renewal_parse(mem, der, i, &r), AE_OK);
	}
	assert_int_equal(ae_renewal_parse(mem, der, len - 1, &r), AE_ERR_PARSE);
	assert_int_equal(ae_renewal_parse(mem, der, 0, &r), AE_ERR_PARSE);
	big = talloc_zero_array(mem, uint8_t, AE_RENEWAL_DER_MAX + 1);
	assert_int_equal(ae_renewal_parse(mem, big, AE_RENEWAL_DER_MAX + 1, &r), AE_ERR_TOO_LARGE);
	assert_int_equal(ae_renewal_parse(mem, NULL, 1, &r), AE_ERR_INVALID);
	assert_int_equal(ae_renewal_parse(mem, der, len, NULL), AE_ERR_INVALID);

	/* a PKCS#10 without the renewal attribute */
	assert_int_equal(ae_csr_build(mem, g.new_key, &g_params, &plain, &plain_len), AE_OK);
	cms_sign_raw(mem, plain, plain_len, g.old, g.old_key, CMS_NOATTR, &cms, &cms_len);
	assert_int_equal(ae_renewal_parse(mem, cms, cms_len, &r), AE_ERR_PARSE);

	/* detached content */
	cms_sign_raw(mem, der, len, g.old, g.old_key, CMS_NOATTR | CMS_DETACHED, &cms, &cms_len);
	assert_int_equal(ae_renewal_parse(mem, cms, cms_len, &r), AE_ERR_PARSE);

	/* content that is not a PKCS#10 */
	cms_sign_raw(mem, (const uint8_t *)"hello", 5, g.old, g.old_key, CMS_NOATTR,
		     &cms, &cms_len);
	assert_int_equal(ae_renewal_parse(mem, cms, cms_len, &r), AE_ERR_PARSE);

	/* a certs-only SignedData: no signer */
	assert_int_equal(ae_cert_list_new(mem, &l), AE_OK);
	assert_int_equal(ae_cert_list_add(l, g.old), AE_OK);
	assert_int_equal(ae_pkcs7_certs_build(mem, l, &cms, &cms_len), AE_OK);
	assert_int_equal(ae_renewal_parse(mem, cms, cms_len, &r), AE_ERR_PARSE);

	/* a bare certificate */
	cert_der(mem, g.old, &cms, &cms_len);
	assert_int_equal(ae_renewal_parse(mem, cms, cms_len, &r), AE_ERR_PARSE);
	assert_ptr_equal(r, (struct ae_renewal *)0x1);
}

static void test_two_signers(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_renewal *r = (struct ae_renewal *)0x1;
	uint8_t *csr = NULL;
	size_t csr_len = 0;
	struct ae_csr_params p = g_params;
	BIO *in = NULL;
	CMS_ContentInfo *c = NULL;
	unsigned char *out = NULL;
	int m;

	renews(mem, &p, g.old);
	assert_int_equal(ae_csr_build(mem, g.new_key, &p, &csr, &csr_len), AE_OK);
	in = BIO_new_mem_buf(csr, (int)csr_len);
	c = CMS_sign(NULL, NULL, NULL, NULL, CMS_PARTIAL | CMS_BINARY);
	assert_non_null(c);
	assert_non_null(CMS_add1_signer(c, g.old->x509, g.old_key->pkey, EVP_sha256(),
					CMS_BINARY | CMS_NOATTR));
	assert_non_null(CMS_add1_signer(c, g.other->x509, g.other_key->pkey, EVP_sha256(),
					CMS_BINARY | CMS_NOATTR));
	assert_int_equal(CMS_final(c, in, NULL, CMS_BINARY), 1);
	m = i2d_CMS_ContentInfo(c, &out);
	assert_true(m > 0);
	assert_int_equal(ae_renewal_parse(mem, out, (size_t)m, &r), AE_ERR_PARSE);
	assert_ptr_equal(r, (struct ae_renewal *)0x1);
	OPENSSL_free(out);
	CMS_ContentInfo_free(c);
	BIO_free(in);
}

/* ae_csr_build's renewal attribute on its own. */
static void test_csr_attribute(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_csr_params p = g_params;
	uint8_t *old_der = NULL;
	size_t old_len = 0;
	uint8_t *csr = (uint8_t *)0x1;
	size_t csr_len = 0;
	uint8_t *bad = NULL;
	const unsigned char *q = NULL;
	X509_REQ *req = NULL;
	ASN1_OBJECT *obj = NULL;
	X509_ATTRIBUTE *a = NULL;
	ASN1_TYPE *t = NULL;
	int idx;

	cert_der(mem, g.old, &old_der, &old_len);
	p.renewal_cert_der = old_der;
	p.renewal_cert_len = old_len - 1;
	assert_int_equal(ae_csr_build(mem, g.new_key, &p, &csr, &csr_len), AE_ERR_INVALID);
	bad = talloc_array(mem, uint8_t, old_len + 1);
	memcpy(bad, old_der, old_len);
	bad[old_len] = 0;
	p.renewal_cert_der = bad;
	p.renewal_cert_len = old_len + 1;
	assert_int_equal(ae_csr_build(mem, g.new_key, &p, &csr, &csr_len), AE_ERR_INVALID);
	p.renewal_cert_der = NULL;
	p.renewal_cert_len = 5;
	assert_int_equal(ae_csr_build(mem, g.new_key, &p, &csr, &csr_len), AE_ERR_INVALID);
	assert_ptr_equal(csr, (uint8_t *)0x1);

	p.renewal_cert_der = old_der;
	p.renewal_cert_len = old_len;
	assert_int_equal(ae_csr_build(mem, g.new_key, &p, &csr, &csr_len), AE_OK);
	q = csr;
	req = d2i_X509_REQ(NULL, &q, (long)csr_len);
	assert_non_null(req);
	obj = OBJ_txt2obj(AE_OID_RENEWAL_CERTIFICATE, 1);
	idx = X509_REQ_get_attr_by_OBJ(req, obj, -1);
	assert_true(idx >= 0);
	assert_int_equal(X509_REQ_get_attr_by_OBJ(req, obj, idx), -1);
	a = X509_REQ_get_attr(req, idx);
	assert_int_equal(X509_ATTRIBUTE_count(a), 1);
	t = X509_ATTRIBUTE_get0_type(a, 0);
	assert_int_equal(ASN1_TYPE_get(t), V_ASN1_SEQUENCE);
	assert_int_equal(ASN1_STRING_length(t->value.sequence), (int)old_len);
	assert_memory_equal(ASN1_STRING_get0_data(t->value.sequence), old_der, old_len);
	assert_int_equal(X509_REQ_verify(req, g.new_key->pkey), 1);
	ASN1_OBJECT_free(obj);
	X509_REQ_free(req);
}

static void hex_of(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	}
}

/* MS-WSTEP 4.1.5.1: the Windows renewal request of the spec. */
static void test_spec_vector(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_renewal *r = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	uint8_t md[32];
	char hex[65];
	char *serial = NULL;
	char *subject = NULL;
	uint8_t *signer_der = NULL;
	size_t signer_len = 0;

	assert_int_equal(ae_file_read(mem, SPEC_VECTOR, 1024 * 1024, &data, &len), AE_OK);
	assert_int_equal(len, 5156);
	assert_int_equal(EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL), 1);
	hex_of(md, 32, hex);
	assert_string_equal(hex, "b615bb05de8df6713107ee882044423fc7872b67b2f12ea5fa7fcb5fe3d94ac0");

	assert_int_equal(ae_renewal_parse(mem, data, len, &r), AE_OK);
	assert_true(r->signature_ok);		/* SHA-1 + RSA, no signed attributes */
	assert_true(r->csr_signature_ok);
	assert_int_equal(r->csr_len, 3044);
	assert_int_equal(EVP_Digest(r->csr_der, r->csr_len, md, NULL, EVP_sha256(), NULL), 1);
	hex_of(md, 32, hex);
	assert_string_equal(hex, "462d339eb3bc4f6ee3f6824cb0414ecc33982434406e9677ee43dbf4cd0b7753");
	assert_int_equal(ae_cert_serial_hex(mem, r->signer, &serial), AE_OK);
	assert_string_equal(serial, "18D9DF0600000000003E");
	assert_int_equal(ae_cert_subject(mem, r->signer, &subject), AE_OK);
	assert_non_null(strstr(subject, "CN = abby"));
	cert_der(mem, r->signer, &signer_der, &signer_len);
	assert_int_equal(r->renewal_cert_len, signer_len);
	assert_memory_equal(r->renewal_cert_der, signer_der, signer_len);

	/* one flipped bit in the signature: parses, does not verify */
	data[len - 1] ^= 0x01;
	TALLOC_FREE(r);
	assert_int_equal(ae_renewal_parse(mem, data, len, &r), AE_OK);
	assert_false(r->signature_ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_structure, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_renewal_signed_with_the_template_hash,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_rsa_old_key, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_tampered, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_wrong_signer, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_signed_attributes, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_bounds, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_two_signers, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_csr_attribute, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_spec_vector, leak_setup, leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
	talloc_disable_null_tracking();
	return rc;
}
