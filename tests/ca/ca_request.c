/*
 * ca_request.c: attribute lines and PKCS#10 decoding (MS-WCCE 3.2.1.4.2.1.2,
 * 3.2.2.6.2.1.4).
 */
#include <limits.h>
#include <string.h>
#include <strings.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include "ae_utf16.h"
#include "ca_der.h"
#include "ca_request.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* One "Name:Value" line (modified in place). */
static ae_err take_line(TALLOC_CTX *mem_ctx, char *line, struct ca_attribs *a)
{
	char *colon = strchr(line, ':');
	char *r, *w, *v, *end;

	if (colon == NULL) {
		return AE_OK;	/* malformed lines are ignored */
	}
	*colon = '\0';
	for (r = w = line; *r != '\0'; r++) {	/* drop blanks and minus signs */
		if (!is_blank(*r) && *r != '-') {
			*w++ = *r;
		}
	}
	*w = '\0';
	v = colon + 1;
	while (is_blank(*v)) {
		v++;
	}
	end = v + strlen(v);
	while (end > v && is_blank(end[-1])) {
		*--end = '\0';
	}
	a->num_lines++;
	if (strcasecmp(line, "CertificateTemplate") != 0) {
		return AE_OK;
	}
	if (a->template_name != NULL) {
		if (strcasecmp(a->template_name, v) != 0) {
			a->template_conflict = true;
		}
		return AE_OK;
	}
	a->template_name = talloc_strdup(mem_ctx, v);
	return a->template_name == NULL ? AE_ERR_NOMEM : AE_OK;
}

ae_err ca_attribs_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			struct ca_attribs **_a)
{
	struct ca_attribs *a = NULL;
	char *text = NULL, *line, *next;
	size_t lines = 0;
	ae_err err;

	if (len > CA_ATTRIBS_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	a = talloc_zero(mem_ctx, struct ca_attribs);
	if (a == NULL) {
		return AE_ERR_NOMEM;
	}
	if (len == 0) {
		*_a = a;
		return AE_OK;
	}
	if (p == NULL || len % 2 != 0 || p[len - 1] != 0 || p[len - 2] != 0) {
		talloc_free(a);
		return AE_ERR_PARSE;	/* cb must count the final NUL */
	}
	err = ae_utf16le_to_utf8(a, p, len, &text);
	if (err != AE_OK) {
		talloc_free(a);
		return AE_ERR_PARSE;
	}
	for (line = text; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL) {
			*next++ = '\0';
		}
		if (++lines > CA_ATTRIB_LINES_MAX) {
			talloc_free(a);
			return AE_ERR_TOO_LARGE;
		}
		err = take_line(a, line, a);
		if (err != AE_OK) {
			talloc_free(a);
			return err;
		}
	}
	talloc_free(text);
	*_a = a;
	return AE_OK;
}

static int csr_destructor(struct ca_csr *csr)
{
	sk_X509_EXTENSION_pop_free(csr->exts, X509_EXTENSION_free);
	X509_REQ_free(csr->req);
	return 0;
}

X509_EXTENSION *ca_csr_find_ext(const struct ca_csr *csr, const char *oid)
{
	ASN1_OBJECT *obj = NULL;
	int i, n;
	X509_EXTENSION *found = NULL;

	if (csr->exts == NULL) {
		return NULL;
	}
	obj = OBJ_txt2obj(oid, 1);
	if (obj == NULL) {
		return NULL;
	}
	n = sk_X509_EXTENSION_num(csr->exts);
	for (i = 0; i < n && found == NULL; i++) {
		X509_EXTENSION *e = sk_X509_EXTENSION_value(csr->exts, i);
		if (OBJ_cmp(X509_EXTENSION_get_object(e), obj) == 0) {
			found = e;
		}
	}
	ASN1_OBJECT_free(obj);
	return found;
}

/* How many requested extensions carry this OID. */
static int count_ext(const struct ca_csr *csr, const char *oid)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	int i, n, count = 0;

	if (obj == NULL || csr->exts == NULL) {
		ASN1_OBJECT_free(obj);
		return 0;
	}
	n = sk_X509_EXTENSION_num(csr->exts);
	for (i = 0; i < n; i++) {
		X509_EXTENSION *e = sk_X509_EXTENSION_value(csr->exts, i);
		if (OBJ_cmp(X509_EXTENSION_get_object(e), obj) == 0) {
			count++;
		}
	}
	ASN1_OBJECT_free(obj);
	return count;
}

/* The template identifiers carried as extensions. */
static ae_err read_template_exts(struct ca_csr *csr)
{
	X509_EXTENSION *e = NULL;
	ASN1_OCTET_STRING *v = NULL;
	ae_err err;

	if (count_ext(csr, CA_OID_TEMPLATE_EXT) > 1 ||
	    count_ext(csr, CA_OID_TEMPLATE_NAME) > 1) {
		return AE_ERR_PARSE;
	}
	e = ca_csr_find_ext(csr, CA_OID_TEMPLATE_EXT);
	if (e != NULL) {
		v = X509_EXTENSION_get_data(e);
		err = ca_der_parse_template_ext(csr, ASN1_STRING_get0_data(v),
						(size_t)ASN1_STRING_length(v),
						&csr->template_oid, &csr->template_major,
						&csr->template_minor);
		if (err != AE_OK) {
			return AE_ERR_PARSE;
		}
		csr->has_template_ext = true;
	}
	e = ca_csr_find_ext(csr, CA_OID_TEMPLATE_NAME);
	if (e != NULL) {
		v = X509_EXTENSION_get_data(e);
		err = ca_der_parse_template_name(csr, ASN1_STRING_get0_data(v),
						 (size_t)ASN1_STRING_length(v),
						 &csr->template_name);
		if (err != AE_OK) {
			return AE_ERR_PARSE;
		}
	}
	return AE_OK;
}

ae_err ca_csr_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len, struct ca_csr **_csr)
{
	struct ca_csr *csr = NULL;
	const unsigned char *q = p;
	ae_err err;

	if (p == NULL || len == 0) {
		return AE_ERR_PARSE;
	}
	if (len > CA_CSR_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	csr = talloc_zero(mem_ctx, struct ca_csr);
	if (csr == NULL) {
		return AE_ERR_NOMEM;
	}
	talloc_set_destructor(csr, csr_destructor);
	csr->req = d2i_X509_REQ(NULL, &q, (long)len);
	if (csr->req == NULL) {
		ERR_clear_error();
		talloc_free(csr);
		return AE_ERR_PARSE;
	}
	if (q != p + len) {
		talloc_free(csr);
		return AE_ERR_TRAILING;
	}
	csr->der = talloc_memdup(csr, p, len);
	if (csr->der == NULL) {
		talloc_free(csr);
		return AE_ERR_NOMEM;
	}
	csr->der_len = len;
	csr->pub = X509_REQ_get0_pubkey(csr->req);
	if (csr->pub == NULL) {
		ERR_clear_error();
		talloc_free(csr);
		return AE_ERR_PARSE;
	}
	csr->key_bits = EVP_PKEY_get_bits(csr->pub);
	if (X509_REQ_verify(csr->req, csr->pub) != 1) {
		ERR_clear_error();
		talloc_free(csr);
		return AE_ERR_MISMATCH;
	}
	csr->exts = X509_REQ_get_extensions(csr->req);
	ERR_clear_error();
	err = read_template_exts(csr);
	if (err != AE_OK) {
		talloc_free(csr);
		return err;
	}
	*_csr = csr;
	return AE_OK;
}
