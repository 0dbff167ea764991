/*
 * ae_x509.c: certificate objects, DER/PEM parsing and simple accessors.
 */
#include <limits.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "ae_log.h"
#include "ae_request_private.h"
#include "ae_x509.h"

static int cert_destructor(struct ae_cert *c)
{
	X509_free(c->x509);
	c->x509 = NULL;
	return 0;
}

/* Takes ownership of x (freed on failure too). */
static ae_err cert_wrap(TALLOC_CTX *mem_ctx, X509 *x, struct ae_cert **_c)
{
	struct ae_cert *c = talloc_zero(mem_ctx, struct ae_cert);

	if (c == NULL) {
		X509_free(x);
		return AE_ERR_NOMEM;
	}
	c->x509 = x;
	talloc_set_destructor(c, cert_destructor);
	*_c = c;
	return AE_OK;
}

ae_err ae_cert_from_x509(TALLOC_CTX *mem_ctx, X509 *x509, struct ae_cert **_c)
{
	if (x509 == NULL || _c == NULL) {
		return AE_ERR_INVALID;
	}
	if (X509_up_ref(x509) != 1) {
		return AE_ERR_CRYPTO;
	}
	return cert_wrap(mem_ctx, x509, _c);
}

ae_err ae_cert_parse_der(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			 struct ae_cert **_c)
{
	const unsigned char *q = p;
	X509 *x = NULL;

	if (p == NULL || _c == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > AE_X509_DER_MAX || len > LONG_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (len == 0) {
		return AE_ERR_PARSE;
	}
	x = d2i_X509(NULL, &q, (long)len);
	if (x == NULL) {
		ae_log_openssl(3, "certificate DER");
		return AE_ERR_PARSE;
	}
	if (q != p + len) {
		X509_free(x);
		return AE_ERR_TRAILING;
	}
	return cert_wrap(mem_ctx, x, _c);
}

/* Decode one located PEM block, which must be an unadorned CERTIFICATE. */
static ae_err cert_from_pem_block(TALLOC_CTX *mem_ctx, const char *label,
				  const uint8_t *p, size_t len, struct ae_cert **_c)
{
	BIO *bio = NULL;
	char *name = NULL;
	char *header = NULL;
	unsigned char *data = NULL;
	long dlen = 0;
	ae_err err;

	if (strcmp(label, "CERTIFICATE") != 0) {
		AE_DEBUG("x509: PEM block '%s' is not a certificate", label);
		return AE_ERR_PARSE;
	}
	bio = BIO_new_mem_buf(p, (int)len);
	if (bio == NULL) {
		return AE_ERR_NOMEM;
	}
	if (PEM_read_bio(bio, &name, &header, &data, &dlen) != 1) {
		BIO_free(bio);
		ae_log_openssl(3, "certificate PEM");
		return AE_ERR_PARSE;
	}
	BIO_free(bio);
	if (strcmp(name, "CERTIFICATE") != 0 || header[0] != '\0' || dlen <= 0) {
		err = AE_ERR_PARSE;
	} else {
		err = ae_cert_parse_der(mem_ctx, data, (size_t)dlen, _c);
	}
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	return err;
}

ae_err ae_cert_parse_pem(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			 struct ae_cert **_c)
{
	char label[AE_REQ_PEM_LABEL_MAX + 1];
	struct ae_cert *c = NULL;
	size_t off = 0;
	size_t start = 0;
	size_t end = 0;
	ae_err err;

	if (p == NULL || _c == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > AE_X509_PEM_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (memchr(p, '\0', len) != NULL) {
		return AE_ERR_PARSE;
	}
	err = ae_req_pem_next(p, len, &off, label, &start, &end);
	if (err != AE_OK) {
		return AE_ERR_PARSE;
	}
	err = cert_from_pem_block(mem_ctx, label, p + start, end - start, &c);
	if (err != AE_OK) {
		return err;
	}
	err = ae_req_pem_next(p, len, &off, label, &start, &end);
	if (err != AE_ERR_NOT_FOUND) {
		TALLOC_FREE(c);
		return AE_ERR_TRAILING;
	}
	*_c = c;
	return AE_OK;
}

ae_err ae_cert_list_new(TALLOC_CTX *mem_ctx, struct ae_cert_list **_l)
{
	struct ae_cert_list *l = NULL;

	if (_l == NULL) {
		return AE_ERR_INVALID;
	}
	l = talloc_zero(mem_ctx, struct ae_cert_list);
	if (l == NULL) {
		return AE_ERR_NOMEM;
	}
	l->certs = talloc_array(l, struct ae_cert *, 0);
	if (l->certs == NULL) {
		talloc_free(l);
		return AE_ERR_NOMEM;
	}
	*_l = l;
	return AE_OK;
}

/* Append c (a talloc child anywhere) by moving it under the list. */
static ae_err list_take(struct ae_cert_list *l, struct ae_cert *c)
{
	struct ae_cert **certs = NULL;

	certs = talloc_realloc(l, l->certs, struct ae_cert *, l->count + 1);
	if (certs == NULL) {
		return AE_ERR_NOMEM;
	}
	l->certs = certs;
	l->certs[l->count++] = talloc_steal(l, c);
	return AE_OK;
}

ae_err ae_cert_list_add(struct ae_cert_list *l, const struct ae_cert *c)
{
	struct ae_cert *copy = NULL;
	ae_err err;

	if (l == NULL || c == NULL) {
		return AE_ERR_INVALID;
	}
	err = ae_cert_from_x509(l, c->x509, &copy);
	if (err != AE_OK) {
		return err;
	}
	err = list_take(l, copy);
	if (err != AE_OK) {
		talloc_free(copy);
	}
	return err;
}

ae_err ae_cert_list_parse_pem(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			      struct ae_cert_list **_l)
{
	char label[AE_REQ_PEM_LABEL_MAX + 1];
	struct ae_cert_list *l = NULL;
	struct ae_cert *c = NULL;
	size_t off = 0;
	size_t start = 0;
	size_t end = 0;
	ae_err err;

	if (p == NULL || _l == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > AE_CERT_LIST_PEM_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (memchr(p, '\0', len) != NULL) {
		return AE_ERR_PARSE;
	}
	err = ae_cert_list_new(NULL, &l);
	if (err != AE_OK) {
		return err;
	}
	for (;;) {
		err = ae_req_pem_next(p, len, &off, label, &start, &end);
		if (err == AE_ERR_NOT_FOUND) {
			break;
		}
		if (err != AE_OK) {
			talloc_free(l);
			return err;
		}
		if (l->count == AE_CERT_LIST_MAX) {
			talloc_free(l);
			return AE_ERR_TOO_LARGE;
		}
		err = cert_from_pem_block(l, label, p + start, end - start, &c);
		if (err == AE_OK) {
			err = list_take(l, c);
		}
		if (err != AE_OK) {
			talloc_free(l);
			return err;
		}
	}
	*_l = talloc_steal(mem_ctx, l);
	return AE_OK;
}

ae_err ae_cert_to_pem(TALLOC_CTX *mem_ctx, const struct ae_cert *c, char **_pem, size_t *_len)
{
	BIO *bio = NULL;
	ae_err err;

	if (c == NULL || c->x509 == NULL || _pem == NULL || _len == NULL) {
		return AE_ERR_INVALID;
	}
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL) {
		return AE_ERR_NOMEM;
	}
	if (PEM_write_bio_X509(bio, c->x509) != 1) {
		BIO_free(bio);
		ae_log_openssl(0, "certificate to PEM");
		return AE_ERR_CRYPTO;
	}
	err = ae_req_bio_to_talloc(mem_ctx, bio, false, _pem, _len);
	BIO_free(bio);
	return err;
}

ae_err ae_cert_to_der(TALLOC_CTX *mem_ctx, const struct ae_cert *c, uint8_t **_der, size_t *_len)
{
	unsigned char *der = NULL;
	int n;

	if (c == NULL || c->x509 == NULL || _der == NULL || _len == NULL) {
		return AE_ERR_INVALID;
	}
	n = i2d_X509(c->x509, &der);
	return ae_req_der_to_talloc(mem_ctx, der, n, _der, _len);
}

ae_err ae_cert_dns_names(TALLOC_CTX *mem_ctx, const struct ae_cert *c, char ***_names)
{
	GENERAL_NAMES *gens = NULL;
	char **names = NULL;
	size_t n = 0;
	int crit = 0;
	int num;
	int i;

	if (c == NULL || c->x509 == NULL || _names == NULL) {
		return AE_ERR_INVALID;
	}
	gens = X509_get_ext_d2i(c->x509, NID_subject_alt_name, &crit, NULL);
	if (gens == NULL && crit != -1) {
		ERR_clear_error();
		return AE_ERR_PARSE;	/* malformed or duplicated */
	}
	num = gens != NULL ? sk_GENERAL_NAME_num(gens) : 0;
	names = talloc_zero_array(NULL, char *, (size_t)(num > 0 ? num : 0) + 1);
	if (names == NULL) {
		GENERAL_NAMES_free(gens);
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < num; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_IA5STRING *s = NULL;
		int slen;

		if (g->type != GEN_DNS) {
			continue;
		}
		s = g->d.dNSName;
		slen = ASN1_STRING_length(s);
		if (slen <= 0 || memchr(ASN1_STRING_get0_data(s), '\0', (size_t)slen) != NULL) {
			GENERAL_NAMES_free(gens);
			talloc_free(names);
			return AE_ERR_PARSE;
		}
		names[n] = talloc_strndup(names, (const char *)ASN1_STRING_get0_data(s),
					  (size_t)slen);
		if (names[n] == NULL) {
			GENERAL_NAMES_free(gens);
			talloc_free(names);
			return AE_ERR_NOMEM;
		}
		n++;
	}
	GENERAL_NAMES_free(gens);
	*_names = talloc_steal(mem_ctx, names);
	return AE_OK;
}

ae_err ae_cert_serial_hex(TALLOC_CTX *mem_ctx, const struct ae_cert *c, char **_hex)
{
	BIGNUM *bn = NULL;
	char *h = NULL;
	char *hex = NULL;

	if (c == NULL || c->x509 == NULL || _hex == NULL) {
		return AE_ERR_INVALID;
	}
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(c->x509), NULL);
	if (bn == NULL) {
		ERR_clear_error();
		return AE_ERR_PARSE;
	}
	h = BN_bn2hex(bn);	/* upper case, whole bytes; "0" for zero */
	BN_free(bn);
	if (h == NULL) {
		return AE_ERR_NOMEM;
	}
	hex = talloc_strdup(mem_ctx, h);
	OPENSSL_free(h);
	if (hex == NULL) {
		return AE_ERR_NOMEM;
	}
	*_hex = hex;
	return AE_OK;
}

ae_err ae_cert_thumbprint_hex(TALLOC_CTX *mem_ctx, const struct ae_cert *c, char **_hex)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *hex = NULL;
	unsigned int i;

	if (c == NULL || c->x509 == NULL || _hex == NULL) {
		return AE_ERR_INVALID;
	}
	if (X509_digest(c->x509, EVP_sha1(), md, &mdlen) != 1) {
		ae_log_openssl(0, "certificate digest");
		return AE_ERR_CRYPTO;
	}
	hex = talloc_array(mem_ctx, char, (size_t)mdlen * 2 + 1);
	if (hex == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < mdlen; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0x0f];
	}
	hex[2 * mdlen] = '\0';
	*_hex = hex;
	return AE_OK;
}

static ae_err asn1_time_to_time_t(const ASN1_TIME *at, time_t *_t)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (at == NULL || ASN1_TIME_to_tm(at, &tm) != 1) {
		ERR_clear_error();
		return AE_ERR_PARSE;
	}
	t = timegm(&tm);
	if (t == (time_t)-1) {
		return AE_ERR_PARSE;
	}
	*_t = t;
	return AE_OK;
}

ae_err ae_cert_not_before(const struct ae_cert *c, time_t *_t)
{
	if (c == NULL || c->x509 == NULL || _t == NULL) {
		return AE_ERR_INVALID;
	}
	return asn1_time_to_time_t(X509_get0_notBefore(c->x509), _t);
}

ae_err ae_cert_not_after(const struct ae_cert *c, time_t *_t)
{
	if (c == NULL || c->x509 == NULL || _t == NULL) {
		return AE_ERR_INVALID;
	}
	return asn1_time_to_time_t(X509_get0_notAfter(c->x509), _t);
}

static ae_err name_oneline(TALLOC_CTX *mem_ctx, const X509_NAME *name, char **_s)
{
	/* one line, UTF-8 kept as is (no \UXXXX escapes) */
	const unsigned long flags = XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB;
	BIO *bio = NULL;
	size_t len = 0;
	ae_err err;

	bio = BIO_new(BIO_s_mem());
	if (bio == NULL) {
		return AE_ERR_NOMEM;
	}
	if (X509_NAME_print_ex(bio, name, 0, flags) < 0) {
		BIO_free(bio);
		ERR_clear_error();
		return AE_ERR_PARSE;
	}
	err = ae_req_bio_to_talloc(mem_ctx, bio, false, _s, &len);
	BIO_free(bio);
	return err;
}

ae_err ae_cert_subject(TALLOC_CTX *mem_ctx, const struct ae_cert *c, char **_s)
{
	if (c == NULL || c->x509 == NULL || _s == NULL) {
		return AE_ERR_INVALID;
	}
	return name_oneline(mem_ctx, X509_get_subject_name(c->x509), _s);
}

ae_err ae_cert_issuer(TALLOC_CTX *mem_ctx, const struct ae_cert *c, char **_s)
{
	if (c == NULL || c->x509 == NULL || _s == NULL) {
		return AE_ERR_INVALID;
	}
	return name_oneline(mem_ctx, X509_get_issuer_name(c->x509), _s);
}
