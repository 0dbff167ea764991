/*
 * ca_cms.c: decode a "CMS with PKCS #10" request (facts only; see ca_cms.h).
 */
#include <limits.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include "ca_cms.h"
#include "ca_der.h"

/* DER of OID 1.2.840.113549.1.7 (PKCS #7 content types), the prefix we sniff */
static const uint8_t pkcs7_arc[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07 };

static int cms_destructor(struct ca_cms *c)
{
	X509_free(c->renewal_cert);
	sk_X509_pop_free(c->certs, X509_free);
	CMS_ContentInfo_free(c->cms);
	return 0;
}

bool ca_cms_sniff(const uint8_t *p, size_t len)
{
	const uint8_t *c = NULL, *o = NULL;
	size_t clen, used, olen;
	uint8_t tag;

	if (p == NULL || ca_der_read(p, len, &tag, &c, &clen, &used) != AE_OK || tag != 0x30 ||
	    ca_der_read(c, clen, &tag, &o, &olen, &used) != AE_OK || tag != 0x06) {
		return false;
	}
	return olen == sizeof(pkcs7_arc) + 1 && memcmp(o, pkcs7_arc, sizeof(pkcs7_arc)) == 0;
}

/* The first SignerInfo's certificate among c->certs. */
static void find_signer(struct ca_cms *c, CMS_SignerInfo *si)
{
	int i;

	for (i = 0; i < sk_X509_num(c->certs) && c->signer == NULL; i++) {
		X509 *x = sk_X509_value(c->certs, i);
		if (CMS_SignerInfo_cert_cmp(si, x) == 0) {
			c->signer = x;
		}
	}
	ERR_clear_error();
}

/*
 * Every SignerInfo against its certificate from the SignedData (no chain:
 * the CA judges the certificate itself), and the content digest.
 */
static bool verify_signers(CMS_ContentInfo *cms)
{
	int ok = CMS_verify(cms, NULL, NULL, NULL, NULL,
			    CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY);

	ERR_clear_error();
	return ok == 1;
}

/* szOID_RENEWAL_CERTIFICATE in the PKCS#10: counts, and the value as a certificate. */
static ae_err read_renewal_attr(struct ca_cms *c)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(CA_OID_RENEWAL_CERT, 1);
	X509_REQ *req = c->csr->req;
	X509_ATTRIBUTE *at = NULL;
	const ASN1_TYPE *v = NULL;
	const unsigned char *q, *der;
	int idx = -1, first = -1;
	long dlen;

	if (obj == NULL) {
		return AE_ERR_NOMEM;
	}
	while ((idx = X509_REQ_get_attr_by_OBJ(req, obj, idx)) >= 0) {
		if (first < 0) {
			first = idx;
		}
		c->num_renewal_attrs++;
	}
	ASN1_OBJECT_free(obj);
	if (first < 0) {
		return AE_OK;
	}
	at = X509_REQ_get_attr(req, first);
	c->num_renewal_values = at ? (size_t)X509_ATTRIBUTE_count(at) : 0;
	v = c->num_renewal_values == 1 ? X509_ATTRIBUTE_get0_type(at, 0) : NULL;
	if (v == NULL || v->type != V_ASN1_SEQUENCE || v->value.sequence == NULL) {
		return AE_OK;	/* not a certificate: a fact, not a parse error */
	}
	der = ASN1_STRING_get0_data(v->value.sequence);
	dlen = ASN1_STRING_length(v->value.sequence);
	q = der;
	c->renewal_cert = d2i_X509(NULL, &q, dlen);
	if (c->renewal_cert == NULL || q != der + dlen) {
		X509_free(c->renewal_cert);
		c->renewal_cert = NULL;
		ERR_clear_error();
		return AE_OK;
	}
	c->renewal_der = talloc_memdup(c, der, (size_t)dlen);
	c->renewal_len = (size_t)dlen;
	return c->renewal_der == NULL ? AE_ERR_NOMEM : AE_OK;
}

static ae_err decode(struct ca_cms *c, const uint8_t *p, size_t len)
{
	const unsigned char *q = p;
	ASN1_OCTET_STRING **content = NULL;
	STACK_OF(CMS_SignerInfo) *sis = NULL;
	int nsig;

	c->cms = d2i_CMS_ContentInfo(NULL, &q, (long)len);
	if (c->cms == NULL) {
		return AE_ERR_PARSE;
	}
	if (q != p + len) {
		return AE_ERR_TRAILING;
	}
	if (OBJ_obj2nid(CMS_get0_type(c->cms)) != NID_pkcs7_signed ||
	    OBJ_obj2nid(CMS_get0_eContentType(c->cms)) != NID_pkcs7_data) {
		return AE_ERR_UNSUPPORTED;
	}
	content = CMS_get0_content(c->cms);
	if (content == NULL || *content == NULL) {
		return AE_ERR_PARSE;	/* detached: no request in it */
	}
	c->certs = CMS_get1_certs(c->cms);
	if (c->certs == NULL) {
		c->certs = sk_X509_new_null();
		if (c->certs == NULL) {
			return AE_ERR_NOMEM;
		}
	}
	sis = CMS_get0_SignerInfos(c->cms);
	nsig = sis ? sk_CMS_SignerInfo_num(sis) : 0;
	if (sk_X509_num(c->certs) > CA_CMS_CERTS_MAX || nsig < 0 || nsig > CA_CMS_SIGNERS_MAX) {
		return AE_ERR_PARSE;
	}
	c->num_signers = (size_t)nsig;
	c->csr_err = ca_csr_parse(c, ASN1_STRING_get0_data(*content),
				  (size_t)ASN1_STRING_length(*content), &c->csr);
	if (c->csr_err == AE_ERR_NOMEM) {
		return AE_ERR_NOMEM;
	}
	if (nsig > 0) {
		find_signer(c, sk_CMS_SignerInfo_value(sis, 0));
		c->signature_ok = c->signer != NULL && verify_signers(c->cms);
	}
	return c->csr != NULL ? read_renewal_attr(c) : AE_OK;
}

ae_err ca_cms_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len, struct ca_cms **_c)
{
	struct ca_cms *c = NULL;
	ae_err err;

	if (p == NULL || len == 0) {
		return AE_ERR_PARSE;
	}
	if (len > CA_CMS_MAX || len > LONG_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	c = talloc_zero(mem_ctx, struct ca_cms);
	if (c == NULL) {
		return AE_ERR_NOMEM;
	}
	talloc_set_destructor(c, cms_destructor);
	err = decode(c, p, len);
	ERR_clear_error();
	if (err != AE_OK) {
		talloc_free(c);
		return err;
	}
	*_c = c;
	return AE_OK;
}
