/*
 * ae_csr_read.c: a PKCS#10 request made elsewhere (ae_csr_read.h).
 */
#include <string.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include "ae_csr_read.h"
#include "ae_ms_ext.h"
#include "ae_request_private.h"

static bool all_space(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n') {
			return false;
		}
	}
	return true;
}

ae_err ae_csr_pem_to_der(TALLOC_CTX *mem, const uint8_t *p, size_t len, uint8_t **_der,
			 size_t *_len)
{
	static const char begin[] = "-----BEGIN ";
	BIO *bio = NULL;
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long n = 0;
	size_t skip = 0, rest;
	uint8_t *out = NULL;
	ae_err err = AE_ERR_PARSE;

	if (p == NULL || _der == NULL || _len == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > AE_CSR_READ_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (memchr(p, '\0', len) != NULL) {
		return AE_ERR_PARSE;
	}
	while (skip < len && all_space(p + skip, 1)) {
		skip++;
	}
	/* PEM_read_bio would skip any text before the block: nothing is allowed there */
	if (len - skip < sizeof(begin) - 1 || memcmp(p + skip, begin, sizeof(begin) - 1) != 0) {
		return AE_ERR_PARSE;
	}
	bio = BIO_new_mem_buf(p + skip, (int)(len - skip));
	if (bio == NULL) {
		return AE_ERR_NOMEM;
	}
	if (PEM_read_bio(bio, &name, &header, &data, &n) != 1 || n <= 0) {
		ERR_clear_error();
		goto done;
	}
	if ((strcmp(name, "CERTIFICATE REQUEST") != 0 &&
	     strcmp(name, "NEW CERTIFICATE REQUEST") != 0) || header[0] != '\0') {
		goto done;
	}
	/* only whitespace may follow the END line */
	rest = (size_t)BIO_pending(bio);
	if (rest > 0) {
		const uint8_t *tail = NULL;
		long tl = BIO_get_mem_data(bio, (char **)&tail);
		if (tl < 0 || tail == NULL || !all_space(tail, (size_t)tl)) {
			err = AE_ERR_TRAILING;
			goto done;
		}
	}
	out = talloc_memdup(mem, data, (size_t)n);
	if (out == NULL) {
		err = AE_ERR_NOMEM;
		goto done;
	}
	*_der = out;
	*_len = (size_t)n;
	err = AE_OK;
done:
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	BIO_free(bio);
	return err;
}

/* The value of the one extension with this OID: AE_ERR_NOT_FOUND, or AE_ERR_PARSE if repeated. */
static ae_err find_ext(const STACK_OF(X509_EXTENSION) *exts, const char *oid,
		       const ASN1_OCTET_STRING **_v)
{
	ASN1_OBJECT *obj = ae_req_oid_parse(oid);
	const ASN1_OCTET_STRING *found = NULL;
	int i;

	if (obj == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; exts != NULL && i < sk_X509_EXTENSION_num(exts); i++) {
		X509_EXTENSION *x = sk_X509_EXTENSION_value(exts, i);
		if (OBJ_cmp(X509_EXTENSION_get_object(x), obj) != 0) {
			continue;
		}
		if (found != NULL) {
			ASN1_OBJECT_free(obj);
			return AE_ERR_PARSE;
		}
		found = X509_EXTENSION_get_data(x);
	}
	ASN1_OBJECT_free(obj);
	if (found == NULL) {
		return AE_ERR_NOT_FOUND;
	}
	*_v = found;
	return AE_OK;
}

/* The template extensions, into info (strings on info). */
static ae_err read_templates(X509_REQ *req, struct ae_csr_info *info)
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	const ASN1_OCTET_STRING *v = NULL;
	uint32_t major = 0, minor = 0;
	bool has_major = false, has_minor = false;
	ae_err err;

	ERR_clear_error();	/* no extensions at all is not an error */
	err = find_ext(exts, AE_OID_TEMPLATE_NAME, &v);
	if (err == AE_OK) {
		err = ae_ms_template_name_decode(info, ASN1_STRING_get0_data(v),
						 (size_t)ASN1_STRING_length(v), &info->template_name);
	}
	if (err == AE_ERR_NOT_FOUND) {
		err = AE_OK;
	}
	if (err == AE_OK) {
		err = find_ext(exts, AE_OID_CERT_TEMPLATE, &v);
		if (err == AE_OK) {
			err = ae_ms_template_ext_decode(info, ASN1_STRING_get0_data(v),
							(size_t)ASN1_STRING_length(v),
							&info->template_oid, &major, &has_major,
							&minor, &has_minor);
		}
		if (err == AE_ERR_NOT_FOUND) {
			err = AE_OK;
		}
	}
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return err == AE_OK || err == AE_ERR_NOMEM ? err : AE_ERR_PARSE;
}

static ae_err spki_hash(X509_REQ *req, uint8_t out[32])
{
	unsigned char *der = NULL;
	unsigned int mdlen = 0;
	int n = i2d_X509_PUBKEY(X509_REQ_get_X509_PUBKEY(req), &der);
	ae_err err = AE_ERR_CRYPTO;

	if (n > 0 && EVP_Digest(der, (size_t)n, out, &mdlen, EVP_sha256(), NULL) == 1 &&
	    mdlen == 32) {
		err = AE_OK;
	}
	OPENSSL_free(der);
	ERR_clear_error();
	return err;
}

ae_err ae_csr_parse(TALLOC_CTX *mem, const uint8_t *p, size_t len, struct ae_csr_info **_out)
{
	const unsigned char *q = p;
	X509_REQ *req = NULL;
	EVP_PKEY *pub = NULL;
	struct ae_csr_info *info = NULL;
	ae_err err = AE_ERR_PARSE;

	if (p == NULL || _out == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > AE_CSR_READ_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	req = d2i_X509_REQ(NULL, &q, (long)len);
	if (req == NULL) {
		ERR_clear_error();
		return AE_ERR_PARSE;
	}
	if ((size_t)(q - p) != len) {
		err = AE_ERR_TRAILING;
		goto done;
	}
	pub = X509_REQ_get0_pubkey(req);
	/* proof of possession: signed by the key it carries */
	if (pub == NULL || X509_REQ_verify(req, pub) != 1) {
		ERR_clear_error();
		goto done;
	}
	info = talloc_zero(mem, struct ae_csr_info);
	if (info == NULL) {
		err = AE_ERR_NOMEM;
		goto done;
	}
	err = ae_key_from_evp(info, pub, &info->key);
	if (err == AE_OK) {
		err = spki_hash(req, info->spki_sha256);
	}
	if (err == AE_OK) {
		err = read_templates(req, info);
	}
done:
	X509_REQ_free(req);
	if (err != AE_OK) {
		talloc_free(info);
		return err;
	}
	*_out = info;
	return AE_OK;
}
