/*
 * ae_ms_ext.c: template extension, v1 template name, client info and the
 * SID extension (MS-WCCE 2.2.2.7.7.1-2, 2.2.2.7.4, 2.2.2.7.7.4), built and
 * read with OpenSSL's ASN.1 templates so that decoding untrusted bytes is
 * OpenSSL's DER parser.
 */
#include <limits.h>
#include <string.h>
#include <openssl/asn1.h>
#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include "ae_log.h"
#include "ae_ms_ext.h"
#include "ae_request_private.h"

struct ae_ms_tmpl {
	ASN1_OBJECT *template_id;
	ASN1_INTEGER *major;
	ASN1_INTEGER *minor;
};

ASN1_SEQUENCE(ae_ms_tmpl) = {
	ASN1_SIMPLE(struct ae_ms_tmpl, template_id, ASN1_OBJECT),
	ASN1_OPT(struct ae_ms_tmpl, major, ASN1_INTEGER),
	ASN1_OPT(struct ae_ms_tmpl, minor, ASN1_INTEGER),
} static_ASN1_SEQUENCE_END_name(struct ae_ms_tmpl, ae_ms_tmpl)

struct ae_ms_client_info {
	ASN1_INTEGER *client_id;
	ASN1_UTF8STRING *machine;
	ASN1_UTF8STRING *user;
	ASN1_UTF8STRING *process;
};

ASN1_SEQUENCE(ae_ms_client_info) = {
	ASN1_SIMPLE(struct ae_ms_client_info, client_id, ASN1_INTEGER),
	ASN1_SIMPLE(struct ae_ms_client_info, machine, ASN1_UTF8STRING),
	ASN1_SIMPLE(struct ae_ms_client_info, user, ASN1_UTF8STRING),
	ASN1_SIMPLE(struct ae_ms_client_info, process, ASN1_UTF8STRING),
} static_ASN1_SEQUENCE_END_name(struct ae_ms_client_info, ae_ms_client_info)

ae_err ae_ms_template_ext_encode(TALLOC_CTX *mem_ctx, const char *oid,
				 uint32_t major, uint32_t minor,
				 uint8_t **_der, size_t *_len)
{
	struct ae_ms_tmpl t = { NULL, NULL, NULL };
	unsigned char *der = NULL;
	int n = -1;

	if (_der == NULL || _len == NULL) {
		return AE_ERR_INVALID;
	}
	t.template_id = ae_req_oid_parse(oid);
	if (t.template_id == NULL) {
		ERR_clear_error();
		return AE_ERR_INVALID;
	}
	t.major = ASN1_INTEGER_new();
	t.minor = ASN1_INTEGER_new();
	if (t.major != NULL && t.minor != NULL &&
	    ASN1_INTEGER_set_uint64(t.major, major) == 1 &&
	    ASN1_INTEGER_set_uint64(t.minor, minor) == 1) {
		n = ASN1_item_i2d((ASN1_VALUE *)&t, &der, ASN1_ITEM_rptr(ae_ms_tmpl));
	}
	ASN1_OBJECT_free(t.template_id);
	ASN1_INTEGER_free(t.major);
	ASN1_INTEGER_free(t.minor);
	return ae_req_der_to_talloc(mem_ctx, der, n, _der, _len);
}

static bool int_to_u32(const ASN1_INTEGER *ai, uint32_t *_v)
{
	uint64_t v = 0;

	if (ASN1_INTEGER_get_uint64(&v, ai) != 1 || v > UINT32_MAX) {
		ERR_clear_error();
		return false;
	}
	*_v = (uint32_t)v;
	return true;
}

ae_err ae_ms_template_ext_decode(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
				 char **_oid, uint32_t *_major, bool *_has_major,
				 uint32_t *_minor, bool *_has_minor)
{
	const unsigned char *q = p;
	struct ae_ms_tmpl *t = NULL;
	uint32_t major = 0;
	uint32_t minor = 0;
	char *oid = NULL;
	ae_err err;

	if (p == NULL || _oid == NULL || _major == NULL || _has_major == NULL ||
	    _minor == NULL || _has_minor == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > AE_MS_EXT_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (len == 0) {
		return AE_ERR_PARSE;
	}
	t = (struct ae_ms_tmpl *)ASN1_item_d2i(NULL, &q, (long)len, ASN1_ITEM_rptr(ae_ms_tmpl));
	if (t == NULL) {
		ae_log_openssl(3, "template extension");
		return AE_ERR_PARSE;
	}
	if (q != p + len) {
		ASN1_item_free((ASN1_VALUE *)t, ASN1_ITEM_rptr(ae_ms_tmpl));
		return AE_ERR_TRAILING;
	}
	err = AE_OK;
	if ((t->major != NULL && !int_to_u32(t->major, &major)) ||
	    (t->minor != NULL && !int_to_u32(t->minor, &minor))) {
		err = AE_ERR_PARSE;
	}
	if (err == AE_OK) {
		err = ae_req_oid_text(mem_ctx, t->template_id, &oid);
	}
	if (err == AE_OK) {
		*_oid = oid;
		*_major = major;
		*_has_major = t->major != NULL;
		*_minor = minor;
		*_has_minor = t->minor != NULL;
	}
	ASN1_item_free((ASN1_VALUE *)t, ASN1_ITEM_rptr(ae_ms_tmpl));
	return err;
}

ae_err ae_ms_template_name_encode(TALLOC_CTX *mem_ctx, const char *name,
				  uint8_t **_der, size_t *_len)
{
	ASN1_STRING *bmp = NULL;
	unsigned char *der = NULL;
	size_t n;
	int dlen;

	if (name == NULL || _der == NULL || _len == NULL) {
		return AE_ERR_INVALID;
	}
	n = strlen(name);
	if (n == 0 || n > AE_TEMPLATE_NAME_MAX) {
		return AE_ERR_INVALID;
	}
	/* UTF-8 -> UCS-2BE; fails on invalid UTF-8 and outside the BMP */
	if (ASN1_mbstring_copy(&bmp, (const unsigned char *)name, (int)n,
			       MBSTRING_UTF8, B_ASN1_BMPSTRING) != V_ASN1_BMPSTRING) {
		ASN1_STRING_free(bmp);
		ERR_clear_error();
		return AE_ERR_INVALID;
	}
	dlen = i2d_ASN1_BMPSTRING(bmp, &der);
	ASN1_STRING_free(bmp);
	return ae_req_der_to_talloc(mem_ctx, der, dlen, _der, _len);
}

/* BMPString or UTF8String -> checked UTF-8 name on mem_ctx */
static ae_err name_from_string(TALLOC_CTX *mem_ctx, const ASN1_STRING *s, char **_name)
{
	unsigned char *utf8 = NULL;
	char *name = NULL;
	int n;

	n = ASN1_STRING_to_UTF8(&utf8, s);
	if (n < 0) {
		ERR_clear_error();
		return AE_ERR_PARSE;
	}
	if (n == 0 || n > AE_TEMPLATE_NAME_MAX || memchr(utf8, '\0', (size_t)n) != NULL) {
		OPENSSL_free(utf8);
		return AE_ERR_PARSE;
	}
	name = talloc_strndup(mem_ctx, (const char *)utf8, (size_t)n);
	OPENSSL_free(utf8);
	if (name == NULL) {
		return AE_ERR_NOMEM;
	}
	*_name = name;
	return AE_OK;
}

static bool is_name_string(const ASN1_TYPE *t)
{
	return t != NULL && (t->type == V_ASN1_BMPSTRING || t->type == V_ASN1_UTF8STRING);
}

/* SEQ { name } as carried in an ASN1_TYPE: exactly one string element */
static ae_err name_from_sequence(TALLOC_CTX *mem_ctx, const ASN1_STRING *seq, char **_name)
{
	const unsigned char *sp = ASN1_STRING_get0_data(seq);
	const unsigned char *q = sp;
	int slen = ASN1_STRING_length(seq);
	STACK_OF(ASN1_TYPE) *items = NULL;
	const ASN1_TYPE *item = NULL;
	ae_err err;

	if (sp == NULL || slen <= 0) {
		return AE_ERR_PARSE;
	}
	items = d2i_ASN1_SEQUENCE_ANY(NULL, &q, slen);
	if (items == NULL) {
		ERR_clear_error();
		return AE_ERR_PARSE;
	}
	if (q != sp + slen) {
		sk_ASN1_TYPE_pop_free(items, ASN1_TYPE_free);
		return AE_ERR_TRAILING;
	}
	if (sk_ASN1_TYPE_num(items) != 1) {
		sk_ASN1_TYPE_pop_free(items, ASN1_TYPE_free);
		return AE_ERR_PARSE;
	}
	item = sk_ASN1_TYPE_value(items, 0);
	if (!is_name_string(item)) {
		sk_ASN1_TYPE_pop_free(items, ASN1_TYPE_free);
		return AE_ERR_PARSE;
	}
	err = name_from_string(mem_ctx, item->value.asn1_string, _name);
	sk_ASN1_TYPE_pop_free(items, ASN1_TYPE_free);
	return err;
}

ae_err ae_ms_template_name_decode(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
				  char **_name)
{
	const unsigned char *q = p;
	ASN1_TYPE *t = NULL;
	ae_err err;

	if (p == NULL || _name == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > AE_MS_EXT_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (len == 0) {
		return AE_ERR_PARSE;
	}
	t = d2i_ASN1_TYPE(NULL, &q, (long)len);
	if (t == NULL) {
		ae_log_openssl(3, "template name extension");
		return AE_ERR_PARSE;
	}
	if (q != p + len) {
		ASN1_TYPE_free(t);
		return AE_ERR_TRAILING;
	}
	if (is_name_string(t)) {
		err = name_from_string(mem_ctx, t->value.asn1_string, _name);
	} else if (t->type == V_ASN1_SEQUENCE) {
		err = name_from_sequence(mem_ctx, t->value.sequence, _name);
	} else {
		err = AE_ERR_PARSE;
	}
	ASN1_TYPE_free(t);
	return err;
}

static ASN1_UTF8STRING *utf8_string(const char *s)
{
	ASN1_UTF8STRING *u = NULL;
	size_t n = s != NULL ? strlen(s) : 0;

	if (n > AE_MS_STRING_MAX) {
		return NULL;
	}
	/* ASN1_mbstring_copy validates the UTF-8 */
	if (ASN1_mbstring_copy(&u, (const unsigned char *)(s != NULL ? s : ""), (int)n,
			       MBSTRING_UTF8, B_ASN1_UTF8STRING) != V_ASN1_UTF8STRING) {
		ASN1_STRING_free(u);
		ERR_clear_error();
		return NULL;
	}
	return u;
}

ae_err ae_ms_client_info_encode(TALLOC_CTX *mem_ctx, uint32_t client_id,
				const char *machine, const char *user,
				const char *process, uint8_t **_der, size_t *_len)
{
	struct ae_ms_client_info ci = { NULL, NULL, NULL, NULL };
	unsigned char *der = NULL;
	ae_err err = AE_OK;
	int n = -1;

	if (_der == NULL || _len == NULL) {
		return AE_ERR_INVALID;
	}
	ci.machine = utf8_string(machine);
	ci.user = utf8_string(user);
	ci.process = utf8_string(process);
	if (ci.machine == NULL || ci.user == NULL || ci.process == NULL) {
		err = AE_ERR_INVALID;
	}
	if (err == AE_OK) {
		ci.client_id = ASN1_INTEGER_new();
		if (ci.client_id == NULL || ASN1_INTEGER_set_uint64(ci.client_id, client_id) != 1) {
			err = AE_ERR_CRYPTO;
		}
	}
	if (err == AE_OK) {
		n = ASN1_item_i2d((ASN1_VALUE *)&ci, &der, ASN1_ITEM_rptr(ae_ms_client_info));
		err = ae_req_der_to_talloc(mem_ctx, der, n, _der, _len);
	}
	ASN1_INTEGER_free(ci.client_id);
	ASN1_STRING_free(ci.machine);
	ASN1_STRING_free(ci.user);
	ASN1_STRING_free(ci.process);
	return err;
}

/* "S-1-" followed by decimal numbers separated by single dashes. */
static bool sid_string_ok(const char *sid)
{
	size_t i, n;

	if (sid == NULL || strncmp(sid, "S-1-", 4) != 0) {
		return false;
	}
	n = strnlen(sid, AE_MS_SID_STRING_MAX + 1);
	if (n > AE_MS_SID_STRING_MAX) {
		return false;
	}
	for (i = 4; i < n; i++) {
		bool digit = sid[i] >= '0' && sid[i] <= '9';

		if (!digit && (sid[i] != '-' || sid[i - 1] == '-')) {
			return false;
		}
	}
	return sid[n - 1] != '-';
}

ae_err ae_ms_sid_ext_encode(TALLOC_CTX *mem_ctx, const char *sid,
			    uint8_t **_der, size_t *_len)
{
	GENERAL_NAMES *gens = NULL;
	GENERAL_NAME *g = NULL;
	ASN1_OBJECT *oid = NULL;
	ASN1_TYPE *value = NULL;
	ASN1_OCTET_STRING *os = NULL;
	unsigned char *der = NULL;
	ae_err err = AE_ERR_CRYPTO;
	int n = -1;

	if (_der == NULL || _len == NULL || !sid_string_ok(sid)) {
		return AE_ERR_INVALID;
	}
	gens = GENERAL_NAMES_new();
	g = GENERAL_NAME_new();
	oid = ae_req_oid_parse(AE_OID_NTDS_OBJECTSID);
	value = ASN1_TYPE_new();
	os = ASN1_OCTET_STRING_new();
	if (gens == NULL || g == NULL || oid == NULL || value == NULL || os == NULL ||
	    ASN1_OCTET_STRING_set(os, (const unsigned char *)sid, (int)strlen(sid)) != 1) {
		goto done;
	}
	ASN1_TYPE_set(value, V_ASN1_OCTET_STRING, os);
	os = NULL;		/* value owns it */
	if (GENERAL_NAME_set0_othername(g, oid, value) != 1) {
		goto done;
	}
	oid = NULL;		/* g owns both */
	value = NULL;
	if (sk_GENERAL_NAME_push(gens, g) <= 0) {
		goto done;
	}
	g = NULL;		/* gens owns it */
	n = i2d_GENERAL_NAMES(gens, &der);
	err = ae_req_der_to_talloc(mem_ctx, der, n, _der, _len);
done:
	ASN1_OCTET_STRING_free(os);
	ASN1_TYPE_free(value);
	ASN1_OBJECT_free(oid);
	GENERAL_NAME_free(g);
	GENERAL_NAMES_free(gens);
	ERR_clear_error();
	return err;
}
