/*
 * ae_soap.c: SOAP 1.2 envelope and fault reading (SOAP Version 1.2 Part 1,
 * §5.1 Envelope, §5.3 Body, §5.4 Fault), as [MS-XCEP] 2.1 and [MS-WSTEP]
 * 2.1 use it.
 */
#include <string.h>
#include "ae_soap.h"

ae_err ae_soap_body_first(const struct ae_xml_doc *d, const xmlNode **out)
{
	const xmlNode *env = ae_xml_root(d);
	const xmlNode *c, *body = NULL, *first;

	if (!ae_xml_is(env, AE_SOAP12_NS, "Envelope")) {
		return AE_ERR_PARSE;
	}
	c = ae_xml_first(env);
	if (ae_xml_is(c, AE_SOAP12_NS, "Header")) {
		c = ae_xml_next(c);
	}
	if (!ae_xml_is(c, AE_SOAP12_NS, "Body") || ae_xml_next(c) != NULL) {
		return AE_ERR_PARSE;
	}
	body = c;
	first = ae_xml_first(body);
	if (first == NULL) {
		return AE_ERR_PARSE;
	}
	*out = first;
	return AE_OK;
}

bool ae_soap_is_fault(const xmlNode *n)
{
	return ae_xml_is(n, AE_SOAP12_NS, "Fault");
}

/* The local part of a QName text. */
static const char *local_part(const char *q)
{
	const char *colon = q != NULL ? strchr(q, ':') : NULL;

	return colon != NULL ? colon + 1 : q;
}

/* Code or Subcode: its Value text into *value. */
static ae_err code_value(TALLOC_CTX *mem, const xmlNode *code, char **value)
{
	const xmlNode *v = ae_xml_child(code, AE_SOAP12_NS, "Value");

	if (v == NULL) {
		return AE_ERR_PARSE;
	}
	return ae_xml_text(mem, v, AE_SOAP_TEXT_MAX, value);
}

ae_err ae_soap_fault_parse(TALLOC_CTX *mem, const xmlNode *n, struct ae_soap_fault **out)
{
	struct ae_soap_fault *f = NULL;
	const xmlNode *code, *sub, *reason, *text;
	ae_err err;

	if (!ae_soap_is_fault(n)) {
		return AE_ERR_PARSE;
	}
	f = talloc_zero(mem, struct ae_soap_fault);
	if (f == NULL) {
		return AE_ERR_NOMEM;
	}
	code = ae_xml_child(n, AE_SOAP12_NS, "Code");
	err = code == NULL ? AE_ERR_PARSE : code_value(f, code, &f->code);
	if (err != AE_OK) {
		goto fail;
	}
	f->code_local = local_part(f->code);
	sub = ae_xml_child(code, AE_SOAP12_NS, "Subcode");
	if (sub != NULL) {
		err = code_value(f, sub, &f->subcode);
		if (err != AE_OK) {
			goto fail;
		}
		f->subcode_local = local_part(f->subcode);
	}
	reason = ae_xml_child(n, AE_SOAP12_NS, "Reason");
	text = ae_xml_child(reason, AE_SOAP12_NS, "Text");
	if (text != NULL) {
		err = ae_xml_text(f, text, AE_SOAP_TEXT_MAX, &f->reason);
		if (err != AE_OK) {
			goto fail;
		}
	}
	f->detail = ae_xml_child(n, AE_SOAP12_NS, "Detail");
	*out = f;
	return AE_OK;
fail:
	talloc_free(f);
	return err;
}
