/*
 * ae_xml.h: the project's one XML reader (libxml2) and its navigation and
 * value helpers.
 *
 * Documents come from the network or from user files: they are parsed with
 * no network access, no DTD (a document with a DOCTYPE is refused before
 * its internal subset is read, so no entity is ever declared or expanded),
 * no entity substitution, blank text nodes dropped, and caps on size,
 * element depth and node count. libxml2's own error output is silenced; the
 * first message is kept for 'why'.
 *
 * Nodes handed out point into the document: they live as long as the
 * struct ae_xml_doc (a talloc object whose destructor frees the xmlDoc).
 */
#ifndef AE_XML_H
#define AE_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include <libxml/tree.h>
#include "ae_error.h"

#define AE_XML_MAX_LEN		(4u * 1024u * 1024u)	/* bytes of a document */
#define AE_XML_MAX_DEPTH	64			/* element nesting */
#define AE_XML_MAX_NODES	200000u			/* nodes of a document */
#define AE_XML_TEXT_MAX		(1024u * 1024u)		/* default text cap */

#define AE_XML_NS_XSI	"http://www.w3.org/2001/XMLSchema-instance"

struct ae_xml_doc;

/*
 * Parse p[0..len) into a document on mem. Refused: len 0 or above
 * AE_XML_MAX_LEN (AE_ERR_TOO_LARGE), a DOCTYPE / internal subset, an entity
 * reference, a depth or node count above the caps, anything that is not one
 * well-formed document (trailing bytes included): AE_ERR_PARSE. *out is set
 * only on success. The _why variant names the cause in why.
 */
ae_err ae_xml_parse(TALLOC_CTX *mem, const uint8_t *p, size_t len, struct ae_xml_doc **out);
ae_err ae_xml_parse_why(TALLOC_CTX *mem, const uint8_t *p, size_t len,
			struct ae_xml_doc **out, char *why, size_t why_len);

/* The document element. */
const xmlNode *ae_xml_root(const struct ae_xml_doc *d);

/* Whether n is an element with namespace URI ns (NULL: no namespace) and local name. */
bool ae_xml_is(const xmlNode *n, const char *ns, const char *local);

/* The first element child of parent / the next element sibling of n (NULL: none). */
const xmlNode *ae_xml_first(const xmlNode *parent);
const xmlNode *ae_xml_next(const xmlNode *n);

/* The first child element of parent with namespace ns and local name (NULL: none). */
const xmlNode *ae_xml_child(const xmlNode *parent, const char *ns, const char *local);

/* How many child elements of parent have namespace ns and local name. */
size_t ae_xml_count(const xmlNode *parent, const char *ns, const char *local);

/* Whether element n carries xsi:nil="true" (or "1"). */
bool ae_xml_is_nil(const xmlNode *n);

/*
 * The text content of element n (its text and CDATA children; an element
 * child is AE_ERR_PARSE), at most max bytes (AE_ERR_TOO_LARGE), with no NUL.
 * *out is a new string on mem, set only on success.
 */
ae_err ae_xml_text(TALLOC_CTX *mem, const xmlNode *n, size_t max, char **out);

/*
 * Strict value readers of an element's text (leading and trailing XML
 * whitespace allowed, xs:collapse): decimal digits only for unsigned (no
 * sign, no leading zeros except "0"), an optional '-' for signed; the value
 * within [min, max]. bool: "true", "false", "1", "0". Out set on success only.
 */
ae_err ae_xml_uint(const xmlNode *n, uint64_t max, uint64_t *out);
ae_err ae_xml_int(const xmlNode *n, int64_t min, int64_t max, int64_t *out);
ae_err ae_xml_bool(const xmlNode *n, bool *out);

/*
 * The base64 (RFC 4648 §4, padding required, whitespace between groups
 * ignored) text of element n decoded; more than max decoded bytes is
 * AE_ERR_TOO_LARGE, an empty value AE_ERR_PARSE. *out on mem.
 */
ae_err ae_xml_base64(TALLOC_CTX *mem, const xmlNode *n, size_t max, uint8_t **out, size_t *out_len);

/* The same decoder on a buffer (exposed for the writer's tests and callers
 * that hold text already). */
ae_err ae_base64_decode(TALLOC_CTX *mem, const char *s, size_t len, size_t max,
			uint8_t **out, size_t *out_len);

#endif
