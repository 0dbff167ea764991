/*
 * ae_wstep_xml.c: libxml2 adapter of the WSTEP code (see ae_wstep_xml.h).
 */
#include <string.h>
#include <libxml/parser.h>
#include <openssl/evp.h>
#include "ae_wstep_xml.h"

static bool has_doctype(const uint8_t *p, size_t len)
{
	static const char tag[] = "<!DOCTYPE";
	size_t i;

	for (i = 0; i + sizeof(tag) - 1 <= len; i++) {
		if (p[i] == '<' && memcmp(p + i, tag, sizeof(tag) - 1) == 0) {
			return true;
		}
	}
	return false;
}

ae_err ae_wx_parse(const uint8_t *p, size_t len, size_t max_len, xmlDocPtr *_doc)
{
	xmlParserCtxtPtr ctx;
	xmlDocPtr doc;

	if (p == NULL || _doc == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > max_len || len > INT32_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (len == 0 || memchr(p, 0, len) != NULL || has_doctype(p, len)) {
		return AE_ERR_PARSE;
	}
	ctx = xmlNewParserCtxt();
	if (ctx == NULL) {
		return AE_ERR_NOMEM;
	}
	/* no XML_PARSE_NOENT, DTDLOAD, DTDATTR or HUGE: entities stay unexpanded */
	doc = xmlCtxtReadMemory(ctx, (const char *)p, (int)len, NULL, NULL,
				XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA |
				XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL || !ctx->wellFormed || doc->intSubset != NULL ||
	    doc->extSubset != NULL || xmlDocGetRootElement(doc) == NULL) {
		xmlFreeDoc(doc);
		xmlFreeParserCtxt(ctx);
		return AE_ERR_PARSE;
	}
	xmlFreeParserCtxt(ctx);
	*_doc = doc;
	return AE_OK;
}

bool ae_wx_is(const xmlNode *n, const char *ns, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	       n->ns->href != NULL && strcmp((const char *)n->ns->href, ns) == 0 &&
	       strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr element_from(xmlNodePtr c)
{
	while (c != NULL && c->type != XML_ELEMENT_NODE) {
		c = c->next;
	}
	return c;
}

xmlNodePtr ae_wx_first(const xmlNode *n)
{
	return n == NULL ? NULL : element_from(n->children);
}

xmlNodePtr ae_wx_next(const xmlNode *n)
{
	return n == NULL ? NULL : element_from(n->next);
}

ae_err ae_wx_child(const xmlNode *parent, const char *ns, const char *name, xmlNodePtr *_n)
{
	xmlNodePtr c, found = NULL;

	for (c = ae_wx_first(parent); c != NULL; c = ae_wx_next(c)) {
		if (ae_wx_is(c, ns, name)) {
			if (found != NULL) {
				return AE_ERR_PARSE;
			}
			found = c;
		}
	}
	*_n = found;
	return AE_OK;
}

ae_err ae_wx_text(TALLOC_CTX *mem, const xmlNode *n, size_t max, char **_s)
{
	const xmlNode *c;
	size_t total = 0, o = 0;
	char *s;

	/* one pass to check and measure, one to copy: linear in the text */
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE || c->type == XML_ENTITY_REF_NODE) {
			return AE_ERR_PARSE;
		}
		if (c->type == XML_TEXT_NODE && c->content != NULL) {
			total += strlen((const char *)c->content);
			if (total > max) {
				return AE_ERR_TOO_LARGE;
			}
		}
	}
	s = talloc_size(mem, total + 1);
	if (s == NULL) {
		return AE_ERR_NOMEM;
	}
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_TEXT_NODE && c->content != NULL) {	/* not comments */
			size_t k = strlen((const char *)c->content);

			memcpy(s + o, c->content, k);
			o += k;
		}
	}
	s[o] = '\0';
	*_s = s;
	return AE_OK;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

static bool b64_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

ae_err ae_wx_b64_decode(TALLOC_CTX *mem, const char *s, size_t max_out,
			uint8_t **_out, size_t *_len)
{
	size_t n = strlen(s), o = 0, q = 0, pad = 0, i;
	uint32_t acc = 0;
	uint8_t *out;

	if (n / 4 * 3 > max_out + 3) {
		return AE_ERR_TOO_LARGE;
	}
	out = talloc_size(mem, n / 4 * 3 + 3);
	if (out == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		int v = b64_value(s[i]);

		if (b64_space(s[i])) {
			continue;
		}
		if (s[i] == '=' && q >= 2) {
			pad++;
			v = 0;
		} else if (v < 0 || pad > 0) {
			goto bad;	/* not base64, or data after '=' */
		}
		acc = acc << 6 | (uint32_t)v;
		if (++q == 4) {
			out[o++] = acc >> 16;
			out[o++] = (acc >> 8) & 0xff;
			out[o++] = acc & 0xff;
			o -= pad;
			q = 0;
			acc = 0;
			if (pad > 0) {
				pad = 3;	/* only whitespace may follow */
			}
		}
	}
	if (q != 0 || o == 0 || o > max_out) {
		goto bad;
	}
	*_out = out;
	*_len = o;
	return AE_OK;
bad:
	talloc_free(out);
	return o > max_out ? AE_ERR_TOO_LARGE : AE_ERR_PARSE;
}

ae_err ae_wx_b64_encode(TALLOC_CTX *mem, const uint8_t *p, size_t len, char **_s)
{
	char *s;

	if (len == 0 || len > 16 * 1024 * 1024) {
		return AE_ERR_INVALID;
	}
	s = talloc_size(mem, (len + 2) / 3 * 4 + 1);
	if (s == NULL) {
		return AE_ERR_NOMEM;
	}
	EVP_EncodeBlock((unsigned char *)s, p, (int)len);
	*_s = s;
	return AE_OK;
}
