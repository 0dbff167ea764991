/*
 * ae_request_util.c: small helpers shared by keys, requests and certificates.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include "ae_log.h"
#include "ae_request_private.h"

static int wipe_destructor(char *buf)
{
	OPENSSL_cleanse(buf, talloc_get_size(buf));
	return 0;
}

void ae_req_set_wipe_on_free(void *buf)
{
	talloc_set_destructor((char *)buf, wipe_destructor);
}

ae_err ae_req_bio_to_talloc(TALLOC_CTX *mem_ctx, BIO *bio, bool secret,
			    char **_buf, size_t *_len)
{
	char *data = NULL;
	char *buf = NULL;
	long n;

	n = BIO_get_mem_data(bio, &data);
	if (n < 0 || (n > 0 && data == NULL)) {
		return AE_ERR_CRYPTO;
	}
	buf = talloc_array(mem_ctx, char, (size_t)n + 1);
	if (buf == NULL) {
		return AE_ERR_NOMEM;
	}
	if (secret) {
		ae_req_set_wipe_on_free(buf);
	}
	if (n > 0) {
		memcpy(buf, data, (size_t)n);
	}
	buf[n] = '\0';
	*_buf = buf;
	*_len = (size_t)n;
	return AE_OK;
}

ae_err ae_req_der_to_talloc(TALLOC_CTX *mem_ctx, unsigned char *der, int n,
			    uint8_t **_out, size_t *_len)
{
	uint8_t *out = NULL;

	if (der == NULL || n <= 0) {
		OPENSSL_free(der);
		ae_log_openssl(0, "DER encoding");
		return AE_ERR_CRYPTO;
	}
	out = talloc_memdup(mem_ctx, der, (size_t)n);
	OPENSSL_free(der);
	if (out == NULL) {
		return AE_ERR_NOMEM;
	}
	*_out = out;
	*_len = (size_t)n;
	return AE_OK;
}

ASN1_OBJECT *ae_req_oid_parse(const char *oid)
{
	size_t i;
	size_t n;

	if (oid == NULL) {
		return NULL;
	}
	n = strlen(oid);
	if (n == 0 || n > AE_REQ_OID_TEXT_MAX) {
		return NULL;
	}
	/* digits and single dots only; OBJ_txt2obj(,1) does the arc checks */
	for (i = 0; i < n; i++) {
		if (oid[i] == '.') {
			if (i == 0 || i + 1 == n || oid[i + 1] == '.') {
				return NULL;
			}
			continue;
		}
		if (oid[i] < '0' || oid[i] > '9') {
			return NULL;
		}
	}
	return OBJ_txt2obj(oid, 1);
}

ae_err ae_req_oid_text(TALLOC_CTX *mem_ctx, const ASN1_OBJECT *obj, char **_s)
{
	char *s = NULL;
	int need;
	int got;

	need = OBJ_obj2txt(NULL, 0, obj, 1);
	if (need <= 0 || need > AE_REQ_OID_TEXT_MAX) {
		ERR_clear_error();
		return AE_ERR_PARSE;
	}
	s = talloc_array(mem_ctx, char, (size_t)need + 1);
	if (s == NULL) {
		return AE_ERR_NOMEM;
	}
	got = OBJ_obj2txt(s, need + 1, obj, 1);
	if (got != need) {
		TALLOC_FREE(s);
		ERR_clear_error();
		return AE_ERR_PARSE;
	}
	*_s = s;
	return AE_OK;
}

static bool is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

ae_err ae_req_pem_next(const uint8_t *p, size_t len, size_t *_off,
		       char label[AE_REQ_PEM_LABEL_MAX + 1],
		       size_t *_start, size_t *_end)
{
	static const char begin[] = "-----BEGIN ";
	static const char dashes[] = "-----";
	char endmark[sizeof("-----END ") + AE_REQ_PEM_LABEL_MAX + sizeof(dashes)];
	const uint8_t *lab = NULL;
	const uint8_t *lab_end = NULL;
	const uint8_t *e = NULL;
	size_t off = *_off;
	size_t start;
	size_t lab_len;
	size_t end;
	size_t mlen;

	while (off < len && is_ws(p[off])) {
		off++;
	}
	if (off == len) {
		*_off = off;
		return AE_ERR_NOT_FOUND;
	}
	start = off;
	if (len - off < sizeof(begin) - 1 || memcmp(p + off, begin, sizeof(begin) - 1) != 0) {
		return AE_ERR_PARSE;
	}
	lab = p + off + sizeof(begin) - 1;
	lab_end = memmem(lab, len - (size_t)(lab - p), dashes, sizeof(dashes) - 1);
	if (lab_end == NULL) {
		return AE_ERR_PARSE;
	}
	lab_len = (size_t)(lab_end - lab);
	if (lab_len == 0 || lab_len > AE_REQ_PEM_LABEL_MAX ||
	    memchr(lab, '\n', lab_len) != NULL || memchr(lab, '\0', lab_len) != NULL) {
		return AE_ERR_PARSE;
	}
	mlen = (size_t)snprintf(endmark, sizeof(endmark), "-----END %.*s-----",
				(int)lab_len, (const char *)lab);
	off = (size_t)(lab_end - p) + sizeof(dashes) - 1;
	e = memmem(p + off, len - off, endmark, mlen);
	if (e == NULL) {
		return AE_ERR_PARSE;
	}
	end = (size_t)(e - p) + mlen;
	/* the END line may end with CR LF, LF or the end of the input */
	if (end < len && p[end] == '\r') {
		end++;
	}
	if (end < len && p[end] == '\n') {
		end++;
	} else if (end < len) {
		return AE_ERR_PARSE;
	}
	memcpy(label, lab, lab_len);
	label[lab_len] = '\0';
	*_start = start;
	*_end = end;
	*_off = end;
	return AE_OK;
}
