/*
 * ae_renewal.c: the renewal request of MS-WCCE 3.1.1.4.3.2.1, a CMS
 * SignedData(id-data) over the new PKCS#10, signed with the old key.
 */
#include <limits.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include "ae_log.h"
#include "ae_renewal.h"
#include "ae_request_private.h"

/* ---- building ---- */

/*
 * The SignerInfo's signature over content (no signed attributes: the
 * signature is over the content's digest, RFC 5652 5.4), made with one
 * EVP_DigestSign in the key's own library context. Done here rather than
 * by CMS_final because a TPM key's provider computes the digest inside the
 * signature operation and cannot duplicate a digest context, which
 * CMS_final's content signing needs; file keys take the same path.
 */
static bool sign_content(CMS_SignerInfo *si, const uint8_t *content, size_t n,
			 const struct ae_key *key, const EVP_MD *md)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	unsigned char *sig = NULL;
	size_t siglen = 0;
	bool ok;

	ok = mctx != NULL &&
	     EVP_DigestSignInit_ex(mctx, NULL, EVP_MD_get0_name(md), key->libctx, key->propq,
				   key->pkey, NULL) == 1 &&
	     EVP_DigestSign(mctx, NULL, &siglen, content, n) == 1 &&
	     (sig = OPENSSL_malloc(siglen)) != NULL &&
	     EVP_DigestSign(mctx, sig, &siglen, content, n) == 1;
	EVP_MD_CTX_free(mctx);
	if (!ok || siglen > INT_MAX) {
		OPENSSL_free(sig);
		return false;
	}
	ASN1_STRING_set0(CMS_SignerInfo_get0_signature(si), sig, (int)siglen);
	return true;
}

/* CMS SignedData over csr, signed by old_key, old_cert included; DER on mem_ctx. */
static ae_err sign_cms(TALLOC_CTX *mem_ctx, const uint8_t *csr, size_t csr_len,
		       const struct ae_cert *old_cert, const struct ae_key *old_key,
		       const EVP_MD *md, uint8_t **_der, size_t *_len)
{
	/*
	 * CMS_BINARY: the content is DER, never MIME-canonicalised (CRLF).
	 * CMS_NOATTR: no signed attributes, as in MS-WSTEP 4.1.5.1.
	 * issuerAndSerialNumber is the default identifier (no CMS_USE_KEYID).
	 * CMS_PARTIAL: the structure only (digest and signature algorithms,
	 * signer identifier, certificate); content and signature set below.
	 */
	const unsigned flags = CMS_BINARY | CMS_NOATTR;
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si = NULL;
	ASN1_OCTET_STRING **content = NULL;
	unsigned char *der = NULL;
	ae_err err = AE_ERR_CRYPTO;
	int n;

	if (csr_len > INT_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	cms = CMS_sign(NULL, NULL, NULL, NULL, CMS_PARTIAL | flags);
	if (cms == NULL) {
		goto done;
	}
	si = CMS_add1_signer(cms, old_cert->x509, old_key->pkey, md, CMS_PARTIAL | flags);
	if (si == NULL || CMS_set_detached(cms, 0) != 1) {
		goto done;
	}
	content = CMS_get0_content(cms);
	if (content == NULL || *content == NULL ||
	    ASN1_OCTET_STRING_set(*content, csr, (int)csr_len) != 1) {
		goto done;
	}
	if (!sign_content(si, csr, csr_len, old_key, md)) {
		goto done;
	}
	n = i2d_CMS_ContentInfo(cms, &der);
	err = ae_req_der_to_talloc(mem_ctx, der, n, _der, _len);
done:
	if (err == AE_ERR_CRYPTO) {
		ae_log_openssl(0, "renewal: CMS signing");
	}
	CMS_ContentInfo_free(cms);
	return err;
}

ae_err ae_renewal_build(TALLOC_CTX *mem_ctx, const struct ae_key *new_key,
			const struct ae_csr_params *p, const struct ae_cert *old_cert,
			const struct ae_key *old_key, uint8_t **_der, size_t *_len)
{
	struct ae_csr_params params;
	TALLOC_CTX *tmp = NULL;
	uint8_t *old_der = NULL;
	size_t old_len = 0;
	uint8_t *csr = NULL;
	size_t csr_len = 0;
	ae_err err;

	if (new_key == NULL || p == NULL || old_cert == NULL || old_cert->x509 == NULL ||
	    old_key == NULL || old_key->pkey == NULL || _der == NULL || _len == NULL) {
		return AE_ERR_INVALID;
	}
	err = ae_cert_matches_key(old_cert, old_key);
	if (err != AE_OK) {
		AE_ERROR("renewal: the old key is not the key of the certificate being renewed");
		return AE_ERR_MISMATCH;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_cert_to_der(tmp, old_cert, &old_der, &old_len);
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	params = *p;
	params.renewal_cert_der = old_der;
	params.renewal_cert_len = old_len;
	err = ae_csr_build(tmp, new_key, &params, &csr, &csr_len);
	if (err == AE_OK) {
		err = sign_cms(mem_ctx, csr, csr_len, old_cert, old_key, ae_csr_hash_md(p->hash),
			       _der, _len);
	}
	talloc_free(tmp);
	return err;
}

/* ---- parsing ---- */

/* Everything decoded, before it is copied to the result. */
struct parsed {
	CMS_ContentInfo *cms;
	STACK_OF(X509) *certs;
	X509 *signer;		/* borrowed from certs */
	X509_REQ *req;
	const uint8_t *csr;	/* borrowed from cms */
	size_t csr_len;
	const uint8_t *attr;	/* borrowed from req */
	size_t attr_len;
};

static void parsed_free(struct parsed *d)
{
	X509_REQ_free(d->req);
	sk_X509_pop_free(d->certs, X509_free);
	CMS_ContentInfo_free(d->cms);
}

/* Outer structure: signed data, id-data content present, one signer. */
static ae_err parse_outer(struct parsed *d)
{
	STACK_OF(CMS_SignerInfo) *sis = NULL;
	CMS_SignerInfo *si = NULL;
	ASN1_OCTET_STRING **pos = NULL;
	int n;
	int i;

	if (OBJ_obj2nid(CMS_get0_type(d->cms)) != NID_pkcs7_signed) {
		AE_DEBUG("renewal: not a CMS SignedData");
		return AE_ERR_PARSE;
	}
	if (OBJ_obj2nid(CMS_get0_eContentType(d->cms)) != NID_pkcs7_data) {
		AE_DEBUG("renewal: content type is not id-data (a CMC renewal is not supported)");
		return AE_ERR_PARSE;
	}
	pos = CMS_get0_content(d->cms);
	if (pos == NULL || *pos == NULL || ASN1_STRING_length(*pos) <= 0) {
		AE_DEBUG("renewal: the request is detached or empty");
		return AE_ERR_PARSE;
	}
	if ((size_t)ASN1_STRING_length(*pos) > AE_RENEWAL_CSR_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	d->csr = ASN1_STRING_get0_data(*pos);
	d->csr_len = (size_t)ASN1_STRING_length(*pos);

	sis = CMS_get0_SignerInfos(d->cms);
	if (sis == NULL || sk_CMS_SignerInfo_num(sis) != 1) {
		AE_DEBUG("renewal: %d signers, exactly one expected",
			 sis != NULL ? sk_CMS_SignerInfo_num(sis) : 0);
		return AE_ERR_PARSE;
	}
	si = sk_CMS_SignerInfo_value(sis, 0);

	d->certs = CMS_get1_certs(d->cms);
	n = d->certs != NULL ? sk_X509_num(d->certs) : 0;
	if (n > AE_RENEWAL_CERTS_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	for (i = 0; i < n && d->signer == NULL; i++) {
		X509 *x = sk_X509_value(d->certs, i);

		if (CMS_SignerInfo_cert_cmp(si, x) == 0) {
			d->signer = x;
		}
	}
	if (d->signer == NULL) {
		AE_DEBUG("renewal: the signer's certificate is not included");
		return AE_ERR_NOT_FOUND;
	}
	return AE_OK;
}

/* The inner PKCS#10 and its one renewal-certificate attribute value. */
static ae_err parse_inner(struct parsed *d)
{
	const unsigned char *q = d->csr;
	ASN1_OBJECT *obj = NULL;
	X509_ATTRIBUTE *a = NULL;
	ASN1_TYPE *t = NULL;
	int first;
	int again = -1;

	d->req = d2i_X509_REQ(NULL, &q, (long)d->csr_len);
	if (d->req == NULL) {
		AE_DEBUG("renewal: the content is not a PKCS#10");
		return AE_ERR_PARSE;
	}
	if (q != d->csr + d->csr_len) {
		AE_DEBUG("renewal: bytes after the PKCS#10");
		return AE_ERR_PARSE;
	}
	obj = ae_req_oid_parse(AE_OID_RENEWAL_CERTIFICATE);
	if (obj == NULL) {
		return AE_ERR_CRYPTO;
	}
	first = X509_REQ_get_attr_by_OBJ(d->req, obj, -1);
	if (first >= 0) {
		again = X509_REQ_get_attr_by_OBJ(d->req, obj, first);
	}
	ASN1_OBJECT_free(obj);
	if (first < 0 || again >= 0) {
		AE_DEBUG("renewal: %s renewal-certificate attribute",
			 first < 0 ? "no" : "more than one");
		return AE_ERR_PARSE;
	}
	a = X509_REQ_get_attr(d->req, first);
	if (a == NULL || X509_ATTRIBUTE_count(a) != 1) {
		return AE_ERR_PARSE;
	}
	t = X509_ATTRIBUTE_get0_type(a, 0);
	if (t == NULL || ASN1_TYPE_get(t) != V_ASN1_SEQUENCE || t->value.sequence == NULL ||
	    ASN1_STRING_length(t->value.sequence) <= 0) {
		return AE_ERR_PARSE;
	}
	/* an ANY holding a SEQUENCE keeps its whole encoding, tag included */
	d->attr = ASN1_STRING_get0_data(t->value.sequence);
	d->attr_len = (size_t)ASN1_STRING_length(t->value.sequence);
	return AE_OK;
}

/* The attribute must be the signer's certificate, byte for byte. */
static ae_err check_attr_is_signer(const struct parsed *d)
{
	unsigned char *der = NULL;
	ae_err err = AE_OK;
	int n;

	n = i2d_X509(d->signer, &der);
	if (n <= 0 || der == NULL) {
		OPENSSL_free(der);
		return AE_ERR_CRYPTO;
	}
	if ((size_t)n != d->attr_len || memcmp(der, d->attr, d->attr_len) != 0) {
		AE_DEBUG("renewal: the renewal certificate is not the signer's certificate");
		err = AE_ERR_MISMATCH;
	}
	OPENSSL_free(der);
	return err;
}

static ae_err make_result(TALLOC_CTX *mem_ctx, const struct parsed *d,
			  struct ae_renewal **_r)
{
	struct ae_renewal *r = talloc_zero(NULL, struct ae_renewal);
	EVP_PKEY *req_key = NULL;
	ae_err err;

	if (r == NULL) {
		return AE_ERR_NOMEM;
	}
	r->csr_der = talloc_memdup(r, d->csr, d->csr_len);
	r->renewal_cert_der = talloc_memdup(r, d->attr, d->attr_len);
	if (r->csr_der == NULL || r->renewal_cert_der == NULL) {
		talloc_free(r);
		return AE_ERR_NOMEM;
	}
	r->csr_len = d->csr_len;
	r->renewal_cert_len = d->attr_len;
	err = ae_cert_from_x509(r, d->signer, &r->signer);
	if (err != AE_OK) {
		talloc_free(r);
		return err;
	}
	req_key = X509_REQ_get0_pubkey(d->req);
	r->csr_signature_ok = req_key != NULL && X509_REQ_verify(d->req, req_key) == 1;
	/*
	 * The signer's certificate is only used for its key here: no chain,
	 * no validity, no purpose (CMS_NO_SIGNER_CERT_VERIFY). Signed
	 * attributes, if any, are checked (content type, message digest).
	 */
	r->signature_ok = CMS_verify(d->cms, NULL, NULL, NULL, NULL,
				     CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) == 1;
	ERR_clear_error();
	*_r = talloc_steal(mem_ctx, r);
	return AE_OK;
}

ae_err ae_renewal_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			struct ae_renewal **_r)
{
	struct parsed d = { 0 };
	const unsigned char *q = p;
	ae_err err;

	if (p == NULL || _r == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > AE_RENEWAL_DER_MAX || len > LONG_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (len == 0) {
		return AE_ERR_PARSE;
	}
	d.cms = d2i_CMS_ContentInfo(NULL, &q, (long)len);
	if (d.cms == NULL) {
		ae_log_openssl(3, "renewal: CMS");
		return AE_ERR_PARSE;
	}
	if (q != p + len) {
		parsed_free(&d);
		return AE_ERR_TRAILING;
	}
	err = parse_outer(&d);
	if (err == AE_OK) {
		err = parse_inner(&d);
	}
	if (err == AE_OK) {
		err = check_attr_is_signer(&d);
	}
	if (err == AE_OK) {
		err = make_result(mem_ctx, &d, _r);
	}
	if (err == AE_ERR_CRYPTO) {
		ae_log_openssl(0, "renewal: parse");
	}
	ERR_clear_error();
	parsed_free(&d);
	return err;
}
