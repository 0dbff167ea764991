/*
 * ae_pkcs7.c: the "certs-only" PKCS#7 SignedData AD CS answers with
 * (MS-WCCE 2.2.2.8), read and (for the test CA) written.
 */
#include <limits.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include "ae_log.h"
#include "ae_request_private.h"
#include "ae_x509.h"

ae_err ae_pkcs7_certs_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			    struct ae_cert_list **_l)
{
	const unsigned char *q = p;
	STACK_OF(X509) *certs = NULL;
	struct ae_cert_list *l = NULL;
	PKCS7 *p7 = NULL;
	ae_err err;
	int n;
	int i;

	if (p == NULL || _l == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > AE_PKCS7_DER_MAX || len > LONG_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (len == 0) {
		return AE_ERR_PARSE;
	}
	p7 = d2i_PKCS7(NULL, &q, (long)len);
	if (p7 == NULL) {
		ae_log_openssl(3, "PKCS#7");
		return AE_ERR_PARSE;
	}
	if (q != p + len) {
		PKCS7_free(p7);
		return AE_ERR_TRAILING;
	}
	if (!PKCS7_type_is_signed(p7) || p7->d.sign == NULL) {
		PKCS7_free(p7);
		return AE_ERR_PARSE;
	}
	certs = p7->d.sign->cert;
	n = certs != NULL ? sk_X509_num(certs) : 0;
	if (n <= 0) {
		PKCS7_free(p7);
		return AE_ERR_NOT_FOUND;
	}
	if (n > AE_PKCS7_CERTS_MAX) {
		PKCS7_free(p7);
		return AE_ERR_TOO_LARGE;
	}
	err = ae_cert_list_new(NULL, &l);
	for (i = 0; err == AE_OK && i < n; i++) {
		/* a borrowed view: ae_cert_list_add takes its own reference */
		struct ae_cert view = { .x509 = sk_X509_value(certs, i) };

		err = ae_cert_list_add(l, &view);
	}
	PKCS7_free(p7);
	if (err != AE_OK) {
		talloc_free(l);
		return err;
	}
	*_l = talloc_steal(mem_ctx, l);
	return AE_OK;
}

static PKCS7 *certs_only_new(void)
{
	PKCS7 *p7 = PKCS7_new();

	/* SignedData v1, encapContentInfo id-data with the content absent */
	if (p7 == NULL || PKCS7_set_type(p7, NID_pkcs7_signed) != 1 ||
	    PKCS7_content_new(p7, NID_pkcs7_data) != 1 ||
	    PKCS7_set_detached(p7, 1) != 1) {
		PKCS7_free(p7);
		return NULL;
	}
	return p7;
}

ae_err ae_pkcs7_certs_build(TALLOC_CTX *mem_ctx, const struct ae_cert_list *l,
			    uint8_t **_der, size_t *_len)
{
	unsigned char *der = NULL;
	PKCS7 *p7 = NULL;
	size_t i;
	int n;

	if (l == NULL || l->count == 0 || l->count > AE_PKCS7_CERTS_MAX ||
	    _der == NULL || _len == NULL) {
		return AE_ERR_INVALID;
	}
	p7 = certs_only_new();
	if (p7 == NULL) {
		ae_log_openssl(0, "PKCS#7 build");
		return AE_ERR_CRYPTO;
	}
	for (i = 0; i < l->count; i++) {
		/* PKCS7_add_certificate takes its own reference */
		if (PKCS7_add_certificate(p7, l->certs[i]->x509) != 1) {
			ae_log_openssl(0, "PKCS#7 build");
			PKCS7_free(p7);
			return AE_ERR_CRYPTO;
		}
	}
	n = i2d_PKCS7(p7, &der);
	PKCS7_free(p7);
	return ae_req_der_to_talloc(mem_ctx, der, n, _der, _len);
}
