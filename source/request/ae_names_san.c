/*
 * ae_names_san.c: the subjectAltName of `request --dns/--ip/--upn/--email`
 * as DER GeneralNames (RFC 5280 4.2.1.6), and the subject and SAN of a
 * certificate for a renewal that reuses them ([MS-WCCE] 3.1.2.4.2.2.2.10;
 * ae_names.h).
 */
#include <arpa/inet.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "ae_names.h"
#include "ae_request_private.h"
#include "ae_x509.h"

/* szOID_NT_PRINCIPAL_NAME ([MS-WCCE] 2.2.2.7.7.3) */
#define OID_UPN "1.3.6.1.4.1.311.20.2.3"

static bool push_string(GENERAL_NAMES *gens, int type, const void *v, int len)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_STRING *s = type == GEN_IPADD ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new();

	if (g == NULL || s == NULL || ASN1_STRING_set(s, v, len) != 1) {
		GENERAL_NAME_free(g);
		ASN1_STRING_free(s);
		return false;
	}
	GENERAL_NAME_set0_value(g, type, s);
	if (sk_GENERAL_NAME_push(gens, g) <= 0) {
		GENERAL_NAME_free(g);
		return false;
	}
	return true;
}

static bool push_ip(GENERAL_NAMES *gens, const char *s)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1) {
		return push_string(gens, GEN_IPADD, buf, 4);
	}
	return inet_pton(AF_INET6, s, buf) == 1 && push_string(gens, GEN_IPADD, buf, 16);
}

static bool push_upn(GENERAL_NAMES *gens, const char *upn)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_OBJECT *obj = OBJ_txt2obj(OID_UPN, 1);
	ASN1_TYPE *t = ASN1_TYPE_new();
	ASN1_UTF8STRING *s = ASN1_UTF8STRING_new();

	if (g == NULL || obj == NULL || t == NULL || s == NULL ||
	    ASN1_STRING_set(s, upn, -1) != 1) {
		GENERAL_NAME_free(g);
		ASN1_OBJECT_free(obj);
		ASN1_TYPE_free(t);
		ASN1_STRING_free(s);
		return false;
	}
	ASN1_TYPE_set(t, V_ASN1_UTF8STRING, s);
	if (GENERAL_NAME_set0_othername(g, obj, t) != 1) {
		GENERAL_NAME_free(g);
		ASN1_OBJECT_free(obj);
		ASN1_TYPE_free(t);
		return false;
	}
	if (sk_GENERAL_NAME_push(gens, g) <= 0) {
		GENERAL_NAME_free(g);
		return false;
	}
	return true;
}

ae_err ae_names_build_san(TALLOC_CTX *mem, const struct ae_names_input *in, struct ae_names *o)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	unsigned char *der = NULL;
	bool ok = gens != NULL;
	size_t i;
	int n;

	for (i = 0; ok && in->dns != NULL && in->dns[i] != NULL; i++) {
		ok = push_string(gens, GEN_DNS, in->dns[i], (int)strlen(in->dns[i]));
	}
	for (i = 0; ok && in->ip != NULL && in->ip[i] != NULL; i++) {
		ok = push_ip(gens, in->ip[i]);
	}
	if (ok && in->upn != NULL) {
		ok = push_upn(gens, in->upn);
	}
	if (ok && in->email != NULL) {
		ok = push_string(gens, GEN_EMAIL, in->email, (int)strlen(in->email));
	}
	if (!ok || sk_GENERAL_NAME_num(gens) == 0) {
		GENERAL_NAMES_free(gens);
		return ok ? AE_OK : AE_ERR_CRYPTO;
	}
	n = i2d_GENERAL_NAMES(gens, &der);
	GENERAL_NAMES_free(gens);
	return ae_req_der_to_talloc(mem, der, n, &o->san_der, &o->san_len);
}

ae_err ae_names_from_cert(TALLOC_CTX *mem, const uint8_t *p, size_t len,
			  struct ae_names **_out)
{
	const unsigned char *q = p;
	X509 *x = NULL;
	struct ae_names *o = NULL;
	const ASN1_OCTET_STRING *san = NULL;
	unsigned char *der = NULL;
	ae_err err = AE_OK;
	int i, n;

	if (p == NULL || len == 0 || len > INT32_MAX || _out == NULL) {
		return AE_ERR_INVALID;
	}
	x = d2i_X509(NULL, &q, (long)len);
	if (x == NULL || q != p + len) {
		X509_free(x);
		ERR_clear_error();
		return AE_ERR_PARSE;
	}
	o = talloc_zero(mem, struct ae_names);
	if (o == NULL) {
		X509_free(x);
		return AE_ERR_NOMEM;
	}
	if (X509_NAME_entry_count(X509_get_subject_name(x)) > 0) {
		n = i2d_X509_NAME(X509_get_subject_name(x), &der);
		err = ae_req_der_to_talloc(o, der, n, &o->subject_der, &o->subject_len);
	}
	i = X509_get_ext_by_NID(x, NID_subject_alt_name, -1);
	if (err == AE_OK && i >= 0) {
		san = X509_EXTENSION_get_data(X509_get_ext(x, i));
		o->san_der = talloc_memdup(o, ASN1_STRING_get0_data(san),
					   (size_t)ASN1_STRING_length(san));
		o->san_len = (size_t)ASN1_STRING_length(san);
		err = o->san_der == NULL ? AE_ERR_NOMEM : AE_OK;
	}
	X509_free(x);
	ERR_clear_error();
	if (err == AE_OK && (o->subject_len > AE_NAMES_DER_MAX || o->san_len > AE_NAMES_DER_MAX)) {
		err = AE_ERR_TOO_LARGE;
	}
	if (err != AE_OK) {
		talloc_free(o);
		return err;
	}
	*_out = o;
	return AE_OK;
}

ae_err ae_names_of_cert(TALLOC_CTX *mem, const struct ae_cert *c, struct ae_names **_out)
{
	unsigned char *der = NULL;
	int n;
	ae_err err;

	if (c == NULL || c->x509 == NULL || _out == NULL) {
		return AE_ERR_INVALID;
	}
	n = i2d_X509(c->x509, &der);
	if (n <= 0) {
		ERR_clear_error();
		return AE_ERR_CRYPTO;
	}
	err = ae_names_from_cert(mem, der, (size_t)n, _out);
	OPENSSL_free(der);
	return err;
}
