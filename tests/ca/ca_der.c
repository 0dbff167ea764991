/*
 * ca_der.c: DER builders and readers for the Microsoft extensions.
 */
#include <limits.h>
#include <string.h>
#include <openssl/asn1.h>
#include <openssl/objects.h>
#include "ae_utf16.h"
#include "ca_der.h"

#define TAG_INTEGER	0x02
#define TAG_OCTETS	0x04
#define TAG_OID		0x06
#define TAG_UTF8	0x0c
#define TAG_BMP		0x1e
#define TAG_SEQ		0x30
#define TAG_CTX0	0xa0

ae_err ca_der_tlv(TALLOC_CTX *mem_ctx, uint8_t tag, const uint8_t *content, size_t clen,
		  struct ca_bytes *_out)
{
	uint8_t hdr[6];
	size_t hlen = 0;
	uint8_t *buf = NULL;

	if (clen > CA_DER_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	hdr[hlen++] = tag;
	if (clen < 0x80) {
		hdr[hlen++] = (uint8_t)clen;
	} else if (clen <= 0xff) {
		hdr[hlen++] = 0x81;
		hdr[hlen++] = (uint8_t)clen;
	} else if (clen <= 0xffff) {
		hdr[hlen++] = 0x82;
		hdr[hlen++] = (uint8_t)(clen >> 8);
		hdr[hlen++] = (uint8_t)clen;
	} else {
		hdr[hlen++] = 0x83;
		hdr[hlen++] = (uint8_t)(clen >> 16);
		hdr[hlen++] = (uint8_t)(clen >> 8);
		hdr[hlen++] = (uint8_t)clen;
	}
	buf = talloc_array(mem_ctx, uint8_t, hlen + clen);
	if (buf == NULL) {
		return AE_ERR_NOMEM;
	}
	memcpy(buf, hdr, hlen);
	if (clen > 0) {
		memcpy(buf + hlen, content, clen);
	}
	_out->p = buf;
	_out->len = hlen + clen;
	return AE_OK;
}

ae_err ca_der_cat(TALLOC_CTX *mem_ctx, const struct ca_bytes *parts, size_t n,
		  struct ca_bytes *_out)
{
	size_t total = 0, i, off = 0;
	uint8_t *buf = NULL;

	for (i = 0; i < n; i++) {
		if (parts[i].len > CA_DER_MAX - total) {
			return AE_ERR_TOO_LARGE;
		}
		total += parts[i].len;
	}
	buf = talloc_array(mem_ctx, uint8_t, total ? total : 1);
	if (buf == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		if (parts[i].len > 0) {
			memcpy(buf + off, parts[i].p, parts[i].len);
		}
		off += parts[i].len;
	}
	_out->p = buf;
	_out->len = total;
	return AE_OK;
}

ae_err ca_der_oid(TALLOC_CTX *mem_ctx, const char *oid, struct ca_bytes *_out)
{
	ASN1_OBJECT *obj = NULL;
	unsigned char *der = NULL;
	struct ca_bytes out;
	int n;

	if (oid == NULL || strnlen(oid, CA_OID_TEXT_MAX + 1) > CA_OID_TEXT_MAX) {
		return AE_ERR_INVALID;
	}
	obj = OBJ_txt2obj(oid, 1);
	if (obj == NULL) {
		return AE_ERR_PARSE;
	}
	n = i2d_ASN1_OBJECT(obj, &der);
	ASN1_OBJECT_free(obj);
	if (n <= 0) {
		return AE_ERR_CRYPTO;
	}
	out.p = talloc_memdup(mem_ctx, der, (size_t)n);
	OPENSSL_free(der);
	if (out.p == NULL) {
		return AE_ERR_NOMEM;
	}
	out.len = (size_t)n;
	*_out = out;
	return AE_OK;
}

ae_err ca_der_uint(TALLOC_CTX *mem_ctx, uint32_t v, struct ca_bytes *_out)
{
	uint8_t c[5];
	size_t n = 0;
	int shift;
	bool started = false;

	for (shift = 24; shift >= 0; shift -= 8) {
		uint8_t b = (uint8_t)(v >> shift);
		if (!started && b == 0 && shift > 0) {
			continue;
		}
		if (!started && (b & 0x80)) {
			c[n++] = 0;	/* keep it positive */
		}
		started = true;
		c[n++] = b;
	}
	return ca_der_tlv(mem_ctx, TAG_INTEGER, c, n, _out);
}

ae_err ca_der_template_ext(TALLOC_CTX *mem_ctx, const char *oid, uint32_t major,
			   uint32_t minor, struct ca_bytes *_out)
{
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	struct ca_bytes parts[3], body, out;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ca_der_oid(tmp, oid, &parts[0]);
	if (err == AE_OK) {
		err = ca_der_uint(tmp, major, &parts[1]);
	}
	if (err == AE_OK) {
		err = ca_der_uint(tmp, minor, &parts[2]);
	}
	if (err == AE_OK) {
		err = ca_der_cat(tmp, parts, 3, &body);
	}
	if (err == AE_OK) {
		err = ca_der_tlv(mem_ctx, TAG_SEQ, body.p, body.len, &out);
	}
	talloc_free(tmp);
	if (err == AE_OK) {
		*_out = out;
	}
	return err;
}

ae_err ca_der_template_name_ext(TALLOC_CTX *mem_ctx, const char *cn, struct ca_bytes *_out)
{
	uint8_t *u16 = NULL;
	size_t n = 0, i;
	ae_err err;

	err = ae_utf8_to_utf16le(mem_ctx, cn, false, &u16, &n);
	if (err != AE_OK) {
		return err;
	}
	for (i = 0; i + 1 < n; i += 2) {	/* BMPString is big-endian */
		uint8_t t = u16[i];
		u16[i] = u16[i + 1];
		u16[i + 1] = t;
	}
	err = ca_der_tlv(mem_ctx, TAG_BMP, u16, n, _out);
	talloc_free(u16);
	return err;
}

ae_err ca_der_sid_ext(TALLOC_CTX *mem_ctx, const char *sid_text, struct ca_bytes *_out)
{
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	struct ca_bytes oid, octets, val0, other[2], other_body, name0, out;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ca_der_oid(tmp, CA_OID_SID_OTHERNAME, &oid);
	if (err == AE_OK) {
		err = ca_der_tlv(tmp, TAG_OCTETS, (const uint8_t *)sid_text,
				 strlen(sid_text), &octets);
	}
	if (err == AE_OK) {
		err = ca_der_tlv(tmp, TAG_CTX0, octets.p, octets.len, &val0);
	}
	if (err == AE_OK) {
		other[0] = oid;
		other[1] = val0;
		err = ca_der_cat(tmp, other, 2, &other_body);
	}
	if (err == AE_OK) {	/* otherName [0] IMPLICIT SEQUENCE */
		err = ca_der_tlv(tmp, TAG_CTX0, other_body.p, other_body.len, &name0);
	}
	if (err == AE_OK) {
		err = ca_der_tlv(mem_ctx, TAG_SEQ, name0.p, name0.len, &out);
	}
	talloc_free(tmp);
	if (err == AE_OK) {
		*_out = out;
	}
	return err;
}

ae_err ca_der_read(const uint8_t *p, size_t len, uint8_t *_tag, const uint8_t **_content,
		   size_t *_clen, size_t *_used)
{
	size_t hlen = 2, clen, i, nlen;

	if (len < 2) {
		return AE_ERR_PARSE;
	}
	if ((p[0] & 0x1f) == 0x1f) {
		return AE_ERR_PARSE;	/* multi-byte tags: not used here */
	}
	if (p[1] < 0x80) {
		clen = p[1];
	} else {
		nlen = p[1] & 0x7f;
		if (nlen == 0 || nlen > 4 || len - 2 < nlen) {
			return AE_ERR_PARSE;	/* indefinite or absurd */
		}
		clen = 0;
		for (i = 0; i < nlen; i++) {
			clen = (clen << 8) | p[2 + i];
		}
		if (clen < 0x80 || (nlen > 1 && p[2] == 0)) {
			return AE_ERR_PARSE;	/* not minimal: not DER */
		}
		hlen += nlen;
	}
	if (clen > CA_DER_MAX || clen > len - hlen) {
		return AE_ERR_PARSE;
	}
	*_tag = p[0];
	*_content = p + hlen;
	*_clen = clen;
	*_used = hlen + clen;
	return AE_OK;
}

/* INTEGER content -> uint32 (non-negative, at most 32 bits). */
static ae_err read_uint(const uint8_t *c, size_t n, uint32_t *_v)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 5 || (c[0] & 0x80)) {
		return AE_ERR_PARSE;
	}
	for (i = 0; i < n; i++) {
		v = (v << 8) | c[i];
	}
	if (v > 0xffffffffull) {
		return AE_ERR_PARSE;
	}
	*_v = (uint32_t)v;
	return AE_OK;
}

static ae_err oid_text(TALLOC_CTX *mem_ctx, const uint8_t *tlv, size_t len, char **_oid)
{
	const unsigned char *q = tlv;
	ASN1_OBJECT *obj = NULL;
	char buf[CA_OID_TEXT_MAX + 1];
	int n;

	if (len > LONG_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	obj = d2i_ASN1_OBJECT(NULL, &q, (long)len);
	if (obj == NULL || q != tlv + len) {
		ASN1_OBJECT_free(obj);
		return AE_ERR_PARSE;
	}
	n = OBJ_obj2txt(buf, sizeof(buf), obj, 1);
	ASN1_OBJECT_free(obj);
	if (n <= 0 || (size_t)n >= sizeof(buf)) {
		return AE_ERR_PARSE;
	}
	*_oid = talloc_strdup(mem_ctx, buf);
	return *_oid == NULL ? AE_ERR_NOMEM : AE_OK;
}

ae_err ca_der_parse_template_ext(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
				 char **_oid, uint32_t *_major, uint32_t *_minor)
{
	const uint8_t *c = NULL, *e = NULL;
	size_t clen, used, elen, eused, off;
	uint32_t v[2] = { 0, 0 };
	uint8_t tag;
	char *oid = NULL;
	ae_err err;
	int i;

	err = ca_der_read(p, len, &tag, &c, &clen, &used);
	if (err != AE_OK || tag != TAG_SEQ || used != len) {
		return AE_ERR_PARSE;
	}
	err = ca_der_read(c, clen, &tag, &e, &elen, &eused);
	if (err != AE_OK || tag != TAG_OID) {
		return AE_ERR_PARSE;
	}
	err = oid_text(mem_ctx, c, eused, &oid);
	if (err != AE_OK) {
		return err;
	}
	off = eused;
	for (i = 0; i < 2 && off < clen; i++) {
		err = ca_der_read(c + off, clen - off, &tag, &e, &elen, &eused);
		if (err == AE_OK && tag != TAG_INTEGER) {
			err = AE_ERR_PARSE;
		}
		if (err == AE_OK) {
			err = read_uint(e, elen, &v[i]);
		}
		if (err != AE_OK) {
			talloc_free(oid);
			return AE_ERR_PARSE;
		}
		off += eused;
	}
	if (off != clen) {
		talloc_free(oid);
		return AE_ERR_TRAILING;
	}
	*_oid = oid;
	*_major = v[0];
	*_minor = v[1];
	return AE_OK;
}

ae_err ca_der_parse_template_name(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
				  char **_name)
{
	const uint8_t *c = NULL;
	size_t clen, used, i;
	uint8_t tag;
	uint8_t *le = NULL;
	char *name = NULL;
	ae_err err;

	err = ca_der_read(p, len, &tag, &c, &clen, &used);
	if (err != AE_OK || used != len) {
		return AE_ERR_PARSE;
	}
	if (tag == TAG_SEQ) {	/* the MS-WCCE text's form: SEQ { UTF8String } */
		const uint8_t *s = NULL;
		size_t slen, sused;

		err = ca_der_read(c, clen, &tag, &s, &slen, &sused);
		if (err != AE_OK || tag != TAG_UTF8 || sused != clen ||
		    slen > CA_TEMPLATE_NAME_MAX * 4 || memchr(s, 0, slen) != NULL) {
			return AE_ERR_PARSE;
		}
		name = talloc_strndup(mem_ctx, (const char *)s, slen);
		if (name == NULL) {
			return AE_ERR_NOMEM;
		}
		*_name = name;
		return AE_OK;
	}
	if (tag != TAG_BMP || (clen % 2) != 0 || clen > CA_TEMPLATE_NAME_MAX * 2) {
		return AE_ERR_PARSE;
	}
	le = talloc_array(mem_ctx, uint8_t, clen ? clen : 1);
	if (le == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i + 1 < clen; i += 2) {
		le[i] = c[i + 1];
		le[i + 1] = c[i];
	}
	err = ae_utf16le_to_utf8(mem_ctx, le, clen, &name);
	talloc_free(le);
	if (err != AE_OK) {
		return err;
	}
	*_name = name;
	return AE_OK;
}

ae_err ca_period_parse(const uint8_t *p, size_t len, int64_t *_seconds)
{
	uint64_t u = 0;
	int64_t v;
	size_t i;

	if (p == NULL || len != 8) {
		return AE_ERR_PARSE;
	}
	for (i = 0; i < 8; i++) {
		u |= (uint64_t)p[i] << (8 * i);
	}
	if ((u >> 63) == 0 || u == 0x8000000000000000ull) {
		return AE_ERR_PARSE;	/* must be a negative interval */
	}
	v = (int64_t)((~u + 1) / 10000000u);	/* magnitude of the negative value */
	if (v <= 0) {
		return AE_ERR_PARSE;
	}
	*_seconds = v;
	return AE_OK;
}

/* One TLV that must fill [p, p + len) exactly and carry tag. */
static ae_err read_exact(const uint8_t *p, size_t len, uint8_t want, const uint8_t **_c,
			 size_t *_clen)
{
	uint8_t tag;
	size_t used;
	ae_err err = ca_der_read(p, len, &tag, _c, _clen, &used);

	if (err != AE_OK || tag != want) {
		return AE_ERR_PARSE;
	}
	return used == len ? AE_OK : AE_ERR_TRAILING;
}

ae_err ca_der_parse_sid_ext(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len, char **_sid)
{
	const uint8_t *c = NULL, *o = NULL, *v = NULL, *s = NULL;
	size_t clen, olen, oused, vlen, slen;
	uint8_t tag;
	char *oid = NULL, *sid = NULL;
	struct ca_sid parsed;
	ae_err err;

	err = read_exact(p, len, TAG_SEQ, &c, &clen);
	if (err == AE_OK) {
		err = read_exact(c, clen, TAG_CTX0, &c, &clen);	/* otherName [0] */
	}
	if (err == AE_OK) {
		err = ca_der_read(c, clen, &tag, &o, &olen, &oused);
		if (err == AE_OK && tag != TAG_OID) {
			err = AE_ERR_PARSE;
		}
	}
	if (err == AE_OK) {
		err = oid_text(mem_ctx, c, oused, &oid);
	}
	if (err != AE_OK) {
		return err;
	}
	err = strcmp(oid, CA_OID_SID_OTHERNAME) == 0 ? AE_OK : AE_ERR_PARSE;
	talloc_free(oid);
	if (err != AE_OK) {
		return err;
	}
	err = read_exact(c + oused, clen - oused, TAG_CTX0, &v, &vlen);	/* value [0] */
	if (err == AE_OK) {
		err = read_exact(v, vlen, TAG_OCTETS, &s, &slen);
	}
	if (err != AE_OK) {
		return err;
	}
	if (slen == 0 || slen > CA_SID_STRING_MAX || memchr(s, 0, slen) != NULL) {
		return AE_ERR_PARSE;
	}
	sid = talloc_strndup(mem_ctx, (const char *)s, slen);
	if (sid == NULL) {
		return AE_ERR_NOMEM;
	}
	if (ca_sid_from_string(sid, &parsed) != AE_OK) {
		talloc_free(sid);
		return AE_ERR_PARSE;
	}
	*_sid = sid;
	return AE_OK;
}
