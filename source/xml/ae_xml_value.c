/*
 * ae_xml_value.c: strict readers of an element's text: string with a cap,
 * unsigned / signed decimal, boolean (XML Schema Part 2 §3.2.2, §3.3.17
 * lexical forms, restricted), base64 (RFC 4648 §4).
 */
#include <string.h>
#include "ae_xml.h"
#include "ae_digits.h"

#define AE_XML_NUM_MAX 40	/* bytes of a number's text */

/* The text children of n, concatenated, checked against max. */
static ae_err gather(TALLOC_CTX *mem, const xmlNode *n, size_t max, char **out, size_t *out_len)
{
	const xmlNode *c;
	size_t len = 0;
	char *s = NULL;

	if (n == NULL || n->type != XML_ELEMENT_NODE) {
		return AE_ERR_INVALID;
	}
	for (c = n->children; c != NULL; c = c->next) {
		size_t l;

		if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE) {
			continue;
		}
		if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) {
			return AE_ERR_PARSE;
		}
		l = c->content != NULL ? strlen((const char *)c->content) : 0;
		if (l > max || len > max - l) {
			return AE_ERR_TOO_LARGE;
		}
		len += l;
	}
	s = talloc_array(mem, char, len + 1);
	if (s == NULL) {
		return AE_ERR_NOMEM;
	}
	len = 0;
	for (c = n->children; c != NULL; c = c->next) {
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
		    c->content != NULL) {
			size_t l = strlen((const char *)c->content);

			memcpy(s + len, c->content, l);
			len += l;
		}
	}
	s[len] = '\0';
	*out = s;
	*out_len = len;
	return AE_OK;
}

ae_err ae_xml_text(TALLOC_CTX *mem, const xmlNode *n, size_t max, char **out)
{
	char *s = NULL;
	size_t len = 0;
	ae_err err = gather(mem, n, max, &s, &len);

	if (err == AE_OK) {
		*out = s;
	}
	return err;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The element's text without surrounding whitespace into buf (small values). */
static ae_err trimmed(const xmlNode *n, char *buf, size_t buf_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *s = NULL;
	size_t len = 0, b = 0;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = gather(tmp, n, 1024, &s, &len);
	if (err == AE_OK) {
		while (b < len && is_ws(s[b])) {
			b++;
		}
		while (len > b && is_ws(s[len - 1])) {
			len--;
		}
		if (len == b) {
			err = AE_ERR_PARSE;
		} else if (len - b >= buf_len) {
			err = AE_ERR_PARSE;
		} else {
			memcpy(buf, s + b, len - b);
			buf[len - b] = '\0';
		}
	} else if (err == AE_ERR_TOO_LARGE) {
		err = AE_ERR_PARSE;
	}
	talloc_free(tmp);
	return err;
}

/* Digits only, no leading zero unless "0", value <= max. */
static ae_err digits(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0')) {
		return AE_ERR_PARSE;
	}
	for (i = 0; s[i] != '\0'; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9') {
			return AE_ERR_PARSE;
		}
		d = (unsigned)(s[i] - '0');
		if (d > max || v > (max - d) / 10) {
			return AE_ERR_PARSE;
		}
		v = v * 10 + d;
	}
	*out = v;
	return AE_OK;
}

ae_err ae_xml_uint(const xmlNode *n, uint64_t max, uint64_t *out)
{
	char buf[AE_XML_NUM_MAX];
	uint64_t v = 0;
	ae_err err = trimmed(n, buf, sizeof(buf));

	if (err == AE_OK) {
		err = digits(buf, max, &v);
	}
	if (err == AE_OK) {
		*out = v;
	}
	return err;
}

ae_err ae_xml_int(const xmlNode *n, int64_t min, int64_t max, int64_t *out)
{
	char buf[AE_XML_NUM_MAX];
	uint64_t v = 0;
	ae_err err = trimmed(n, buf, sizeof(buf));

	if (err != AE_OK || min > max) {
		return err != AE_OK ? err : AE_ERR_INVALID;
	}
	if (buf[0] == '-') {
		/* magnitude of min, computed without overflow */
		uint64_t lim = min >= 0 ? 0 : (uint64_t)(-(min + 1)) + 1;

		if (buf[1] == '0' || digits(buf + 1, lim, &v) != AE_OK) {
			return AE_ERR_PARSE;
		}
		if (v == 0 || -(int64_t)(v - 1) - 1 > max) {
			return AE_ERR_PARSE;
		}
		*out = -(int64_t)(v - 1) - 1;
		return AE_OK;
	}
	if (max < 0 || digits(buf, (uint64_t)max, &v) != AE_OK || (int64_t)v < min) {
		return AE_ERR_PARSE;
	}
	*out = (int64_t)v;
	return AE_OK;
}

ae_err ae_xml_bool(const xmlNode *n, bool *out)
{
	char buf[8];
	ae_err err = trimmed(n, buf, sizeof(buf));

	if (err != AE_OK) {
		return err;
	}
	if (strcmp(buf, "true") == 0 || strcmp(buf, "1") == 0) {
		*out = true;
	} else if (strcmp(buf, "false") == 0 || strcmp(buf, "0") == 0) {
		*out = false;
	} else {
		return AE_ERR_PARSE;
	}
	return AE_OK;
}

/* Four symbols (pad counted) into up to three bytes; -1 when invalid. */
static int decode_quad(const char q[4], bool last, uint8_t o[3])
{
	int v[4], i, pad = 0;

	for (i = 0; i < 4; i++) {
		if (q[i] == '=') {
			pad++;
			v[i] = 0;
			continue;
		}
		if (pad > 0 || (v[i] = ae_base64_digit(q[i])) < 0) {
			return -1;
		}
	}
	if (pad > 2 || (pad > 0 && !last)) {
		return -1;
	}
	/* canonical: the bits the padding drops are zero */
	if ((pad == 2 && (v[1] & 0x0f) != 0) || (pad == 1 && (v[2] & 0x03) != 0)) {
		return -1;
	}
	o[0] = (uint8_t)((v[0] << 2) | (v[1] >> 4));
	o[1] = (uint8_t)(((v[1] & 0x0f) << 4) | (v[2] >> 2));
	o[2] = (uint8_t)(((v[2] & 0x03) << 6) | v[3]);
	return 3 - pad;
}

ae_err ae_base64_decode(TALLOC_CTX *mem, const char *s, size_t len, size_t max,
			uint8_t **out, size_t *out_len)
{
	size_t i, syms = 0, n = 0, q = 0;
	uint8_t *buf = NULL;
	char quad[4];

	for (i = 0; i < len; i++) {
		syms += is_ws(s[i]) ? 0 : 1;
	}
	if (syms == 0 || syms % 4 != 0) {
		return AE_ERR_PARSE;
	}
	if (syms / 4 > max / 3 + 1) {
		return AE_ERR_TOO_LARGE;
	}
	buf = talloc_array(mem, uint8_t, syms / 4 * 3);
	if (buf == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < len; i++) {
		int got;

		if (is_ws(s[i])) {
			continue;
		}
		quad[q++] = s[i];
		if (q < 4) {
			continue;
		}
		q = 0;
		got = decode_quad(quad, n + 3 == syms / 4 * 3, buf + n);
		if (got < 0) {
			talloc_free(buf);
			return AE_ERR_PARSE;
		}
		n += (size_t)got;
	}
	if (n > max) {
		talloc_free(buf);
		return AE_ERR_TOO_LARGE;
	}
	*out = buf;
	*out_len = n;
	return AE_OK;
}

ae_err ae_xml_base64(TALLOC_CTX *mem, const xmlNode *n, size_t max, uint8_t **out, size_t *out_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *s = NULL;
	size_t len = 0;
	uint8_t *buf = NULL;
	size_t buf_len = 0;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	/* base64 grows 4/3, plus line breaks: cap the text generously */
	err = gather(tmp, n, max / 3 * 4 + max / 32 + 1024, &s, &len);
	if (err == AE_OK) {
		err = ae_base64_decode(mem, s, len, max, &buf, &buf_len);
	}
	talloc_free(tmp);
	if (err == AE_OK) {
		*out = buf;
		*out_len = buf_len;
	}
	return err;
}
