/*
 * ae_wstep_xml.c: the WSTEP code's view of the xml layer (ae_wstep_xml.h).
 * Parsing, navigation, text and base64 decoding are the xml layer's
 * (source/xml: no DTD, no entities, no network, capped); this file only
 * adds what WSTEP asks on top: its own size cap, no NUL byte, and "at most
 * one" for the children it reads.
 */
#include <string.h>
#include <openssl/evp.h>
#include "ae_wstep_xml.h"
#include "ae_xml.h"

ae_err ae_wx_parse(TALLOC_CTX *mem, const uint8_t *p, size_t len, size_t max_len,
		   struct ae_xml_doc **_doc, xmlNodePtr *_root)
{
	struct ae_xml_doc *doc = NULL;
	ae_err err;

	if (p == NULL || _doc == NULL || _root == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > max_len) {
		return AE_ERR_TOO_LARGE;
	}
	if (len == 0 || memchr(p, 0, len) != NULL) {
		return AE_ERR_PARSE;
	}
	err = ae_xml_parse(mem, p, len, &doc);
	if (err != AE_OK) {
		return err;
	}
	*_root = (xmlNodePtr)ae_xml_root(doc);
	*_doc = doc;
	return AE_OK;
}

bool ae_wx_is(const xmlNode *n, const char *ns, const char *name)
{
	return ae_xml_is(n, ns, name);
}

xmlNodePtr ae_wx_first(const xmlNode *n)
{
	return (xmlNodePtr)ae_xml_first(n);
}

xmlNodePtr ae_wx_next(const xmlNode *n)
{
	return (xmlNodePtr)ae_xml_next(n);
}

ae_err ae_wx_child(const xmlNode *parent, const char *ns, const char *name, xmlNodePtr *_n)
{
	if (parent == NULL || _n == NULL) {
		return AE_ERR_INVALID;
	}
	if (ae_xml_count(parent, ns, name) > 1) {
		return AE_ERR_PARSE;
	}
	*_n = (xmlNodePtr)ae_xml_child(parent, ns, name);
	return AE_OK;
}

ae_err ae_wx_text(TALLOC_CTX *mem, const xmlNode *n, size_t max, char **_s)
{
	return ae_xml_text(mem, n, max, _s);
}

ae_err ae_wx_b64_decode(TALLOC_CTX *mem, const char *s, size_t max_out,
			uint8_t **_out, size_t *_len)
{
	if (s == NULL) {
		return AE_ERR_INVALID;
	}
	return ae_base64_decode(mem, s, strlen(s), max_out, _out, _len);
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
