/*
 * ae_xml.c: parsing untrusted XML with libxml2 (see ae_xml.h for the
 * refusals) and namespace-aware navigation.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include "ae_xml.h"

struct ae_xml_doc {
	xmlDoc *doc;
};

/* What the parser callbacks report back (ctxt->_private). */
struct parse_state {
	bool dtd;		/* a DOCTYPE was met */
	char first[160];	/* libxml2's first message */
};

static int doc_destructor(struct ae_xml_doc *d)
{
	if (d->doc != NULL) {
		xmlFreeDoc(d->doc);
		d->doc = NULL;
	}
	return 0;
}

static void keep_first(struct parse_state *st, xmlErrorPtr e);

/* Structured error handler of the parser context: keep the first message. */
static void on_error(void *data, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = data;

	keep_first(ctxt != NULL ? ctxt->_private : NULL, e);
}

/* The same for errors raised without a context (encoding conversion). */
static void on_global_error(void *data, xmlErrorPtr e)
{
	keep_first(data, e);
}

/* libxml2's generic error channel: never printed. */
static void on_generic_error(void *data, const char *fmt, ...)
{
	(void)data;
	(void)fmt;
}

static void keep_first(struct parse_state *st, xmlErrorPtr e)
{
	size_t n;

	if (st == NULL || e == NULL || st->first[0] != '\0') {
		return;
	}
	snprintf(st->first, sizeof(st->first), "line %d: %s", e->line,
		 e->message != NULL ? e->message : "error");
	n = strlen(st->first);
	while (n > 0 && (st->first[n - 1] == '\n' || st->first[n - 1] == '\r')) {
		st->first[--n] = '\0';
	}
}

/* A DOCTYPE: refused before its internal subset is parsed. */
static void on_internal_subset(void *data, const xmlChar *name, const xmlChar *ext_id,
			       const xmlChar *sys_id)
{
	xmlParserCtxtPtr ctxt = data;
	struct parse_state *st = ctxt->_private;

	(void)name;
	(void)ext_id;
	(void)sys_id;
	st->dtd = true;
	xmlStopParser(ctxt);
}

/* Depth and node count, and no entity reference or DTD node anywhere. */
static ae_err check_tree(const xmlNode *root, char *why, size_t why_len)
{
	const xmlNode *n = root;
	size_t depth = 1, nodes = 0;

	while (n != NULL) {
		if (++nodes > AE_XML_MAX_NODES) {
			ae_why(why, why_len, "more than %u nodes", AE_XML_MAX_NODES);
			return AE_ERR_TOO_LARGE;
		}
		if (n->type == XML_ENTITY_REF_NODE || n->type == XML_ENTITY_NODE ||
		    n->type == XML_DTD_NODE || n->type == XML_ENTITY_DECL) {
			ae_why(why, why_len, "entity or DTD node refused");
			return AE_ERR_PARSE;
		}
		if (n->type == XML_ELEMENT_NODE && depth > AE_XML_MAX_DEPTH) {
			ae_why(why, why_len, "elements nested deeper than %d", AE_XML_MAX_DEPTH);
			return AE_ERR_TOO_LARGE;
		}
		if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
			depth++;
			n = n->children;
			continue;
		}
		while (n != root && n->next == NULL) {
			n = n->parent;
			depth--;
		}
		if (n == root) {
			break;
		}
		n = n->next;
	}
	return AE_OK;
}

static xmlDoc *read_doc(const uint8_t *p, size_t len, struct parse_state *st, bool *well_formed)
{
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	xmlDoc *doc = NULL;

	*well_formed = false;
	if (ctxt == NULL) {
		return NULL;
	}
	ctxt->_private = st;
	/* per thread; put back after the parse */
	xmlSetStructuredErrorFunc(st, on_global_error);
	xmlSetGenericErrorFunc(NULL, on_generic_error);
	ctxt->sax->internalSubset = on_internal_subset;
	ctxt->sax->serror = on_error;
	ctxt->sax->error = NULL;
	ctxt->sax->warning = NULL;
	/* No XML_PARSE_NOENT / DTDLOAD / DTDATTR / HUGE / RECOVER. */
	doc = xmlCtxtReadMemory(ctxt, (const char *)p, (int)len, NULL, NULL,
				XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA |
				XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	/* namespace errors (an undeclared prefix) are refused too */
	*well_formed = ctxt->wellFormed != 0 && ctxt->nsWellFormed != 0 && !ctxt->disableSAX;
	xmlFreeParserCtxt(ctxt);
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlSetGenericErrorFunc(NULL, NULL);
	return doc;
}

ae_err ae_xml_parse_why(TALLOC_CTX *mem, const uint8_t *p, size_t len,
			struct ae_xml_doc **out, char *why, size_t why_len)
{
	struct parse_state st = { .dtd = false };
	struct ae_xml_doc *d = NULL;
	xmlDoc *doc = NULL;
	bool well_formed = false;
	ae_err err;

	if (p == NULL || out == NULL || len == 0) {
		ae_why(why, why_len, "empty document");
		return p == NULL && len != 0 ? AE_ERR_INVALID : AE_ERR_PARSE;
	}
	if (len > AE_XML_MAX_LEN || len > INT_MAX) {
		ae_why(why, why_len, "%zu bytes, above the cap of %u", len, AE_XML_MAX_LEN);
		return AE_ERR_TOO_LARGE;
	}
	xmlInitParser();
	doc = read_doc(p, len, &st, &well_formed);
	if (st.dtd || (doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL))) {
		ae_why(why, why_len, "a DOCTYPE (DTD) is refused");
		err = AE_ERR_PARSE;
		goto fail;
	}
	if (doc == NULL || !well_formed || xmlDocGetRootElement(doc) == NULL) {
		ae_why(why, why_len, "not well-formed XML: %s",
		       st.first[0] != '\0' ? st.first : "no document element");
		err = AE_ERR_PARSE;
		goto fail;
	}
	err = check_tree(xmlDocGetRootElement(doc), why, why_len);
	if (err != AE_OK) {
		goto fail;
	}
	d = talloc_zero(mem, struct ae_xml_doc);
	if (d == NULL) {
		err = AE_ERR_NOMEM;
		goto fail;
	}
	d->doc = doc;
	talloc_set_destructor(d, doc_destructor);
	*out = d;
	return AE_OK;
fail:
	if (doc != NULL) {
		xmlFreeDoc(doc);
	}
	return err;
}

ae_err ae_xml_parse(TALLOC_CTX *mem, const uint8_t *p, size_t len, struct ae_xml_doc **out)
{
	return ae_xml_parse_why(mem, p, len, out, NULL, 0);
}

const xmlNode *ae_xml_root(const struct ae_xml_doc *d)
{
	return d != NULL ? xmlDocGetRootElement(d->doc) : NULL;
}

bool ae_xml_is(const xmlNode *n, const char *ns, const char *local)
{
	if (n == NULL || n->type != XML_ELEMENT_NODE ||
	    strcmp((const char *)n->name, local) != 0) {
		return false;
	}
	if (ns == NULL) {
		return n->ns == NULL || n->ns->href == NULL;
	}
	return n->ns != NULL && n->ns->href != NULL &&
	       strcmp((const char *)n->ns->href, ns) == 0;
}

static const xmlNode *element_from(const xmlNode *n)
{
	while (n != NULL && n->type != XML_ELEMENT_NODE) {
		n = n->next;
	}
	return n;
}

const xmlNode *ae_xml_first(const xmlNode *parent)
{
	return parent != NULL ? element_from(parent->children) : NULL;
}

const xmlNode *ae_xml_next(const xmlNode *n)
{
	return n != NULL ? element_from(n->next) : NULL;
}

const xmlNode *ae_xml_child(const xmlNode *parent, const char *ns, const char *local)
{
	const xmlNode *c;

	for (c = ae_xml_first(parent); c != NULL; c = ae_xml_next(c)) {
		if (ae_xml_is(c, ns, local)) {
			return c;
		}
	}
	return NULL;
}

size_t ae_xml_count(const xmlNode *parent, const char *ns, const char *local)
{
	const xmlNode *c;
	size_t n = 0;

	for (c = ae_xml_first(parent); c != NULL; c = ae_xml_next(c)) {
		n += ae_xml_is(c, ns, local) ? 1 : 0;
	}
	return n;
}

bool ae_xml_is_nil(const xmlNode *n)
{
	const xmlAttr *a;

	if (n == NULL || n->type != XML_ELEMENT_NODE) {
		return false;
	}
	for (a = n->properties; a != NULL; a = a->next) {
		const xmlNode *v = a->children;

		if (a->ns == NULL || a->ns->href == NULL ||
		    strcmp((const char *)a->ns->href, AE_XML_NS_XSI) != 0 ||
		    strcmp((const char *)a->name, "nil") != 0) {
			continue;
		}
		if (v != NULL && v->type == XML_TEXT_NODE && v->next == NULL && v->content != NULL &&
		    (strcmp((const char *)v->content, "true") == 0 ||
		     strcmp((const char *)v->content, "1") == 0)) {
			return true;
		}
	}
	return false;
}
