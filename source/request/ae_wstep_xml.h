/*
 * ae_wstep_xml.h: the WSTEP code's view of the xml layer (source/xml: the
 * one XML reader, safe options and caps): what WSTEP adds on top (its size
 * cap, no NUL byte, "at most one" children) and base64 encoding for the
 * writer. Not part of the layer's API: only source/request/ae_wstep*.c
 * include it.
 */
#ifndef AE_WSTEP_XML_H
#define AE_WSTEP_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include <libxml/tree.h>
#include "ae_error.h"

struct ae_xml_doc;

/*
 * Parse a complete document with the xml layer (no DTD: SOAP 1.2 Part 1
 * §5 says a SOAP message MUST NOT contain one; no entity expansion, no
 * network), at most max_len bytes, no NUL byte. On AE_OK *_doc is on mem
 * (talloc_free it) and *_root its root element.
 */
ae_err ae_wx_parse(TALLOC_CTX *mem, const uint8_t *p, size_t len, size_t max_len,
		   struct ae_xml_doc **_doc, xmlNodePtr *_root);

/* true when n is an element named 'name' in namespace 'ns'. */
bool ae_wx_is(const xmlNode *n, const char *ns, const char *name);

/* The first element child of n / the next element sibling, or NULL. */
xmlNodePtr ae_wx_first(const xmlNode *n);
xmlNodePtr ae_wx_next(const xmlNode *n);

/*
 * The only child element of 'parent' named ns:name: NULL when absent;
 * AE_ERR_PARSE when it occurs more than once.
 */
ae_err ae_wx_child(const xmlNode *parent, const char *ns, const char *name, xmlNodePtr *_n);

/*
 * The text of a simple-content element (no element children) on mem,
 * at most max bytes: AE_ERR_PARSE / AE_ERR_TOO_LARGE otherwise.
 */
ae_err ae_wx_text(TALLOC_CTX *mem, const xmlNode *n, size_t max, char **_s);

/* base64 (xs:base64Binary: whitespace allowed, padding checked) -> bytes. */
ae_err ae_wx_b64_decode(TALLOC_CTX *mem, const char *s, size_t max_out,
			uint8_t **_out, size_t *_len);

/* bytes -> base64 without line breaks, NUL-terminated, on mem. */
ae_err ae_wx_b64_encode(TALLOC_CTX *mem, const uint8_t *p, size_t len, char **_s);

#endif
