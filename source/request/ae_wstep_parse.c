/*
 * ae_wstep_parse.c: the CES's answer to a RequestSecurityToken
 * ([MS-WSTEP] 3.1.4.1.1.2 RequestSecurityTokenResponseCollection,
 * 3.1.4.1.2.x its elements, 3.1.4.1.4.1 the CertificateEnrollmentWSDetail
 * of a SOAP 1.2 fault).
 *
 * A response carries the issued certificate in
 * RequestedSecurityToken/BinarySecurityToken (X509v3) and the chain as a
 * PKCS#7 BinarySecurityToken; a pending one has no certificate but the
 * RequestID; a CA refusal is a fault with the CA's error code.
 */
#include <stdlib.h>
#include <string.h>
#include <libxml/tree.h>
#include "ae_wstep.h"
#include "ae_wstep_xml.h"
#include "ae_hresult.h"

#define NS_XSI "http://www.w3.org/2001/XMLSchema-instance"

/* xsi:nil="true" elements count as absent */
static bool is_nil(const xmlNode *n)
{
	xmlChar *v = xmlGetNsProp(n, (const xmlChar *)"nil", (const xmlChar *)NS_XSI);
	bool nil = v != NULL && (strcmp((char *)v, "true") == 0 || strcmp((char *)v, "1") == 0);

	xmlFree(v);
	return nil;
}

/* The text of the optional only child ns:name, or NULL when absent or nil. */
static ae_err opt_text(TALLOC_CTX *mem, const xmlNode *parent, const char *ns,
		       const char *name, char **_s)
{
	xmlNodePtr n;
	ae_err err = ae_wx_child(parent, ns, name, &n);

	*_s = NULL;
	if (err != AE_OK || n == NULL || is_nil(n)) {
		return err;
	}
	return ae_wx_text(mem, n, AE_WSTEP_MAX_TEXT, _s);
}

static bool attr_is(const xmlNode *n, const char *attr, const char *value)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);
	bool ok = v != NULL && strcmp((char *)v, value) == 0;

	xmlFree(v);
	return ok;
}

/*
 * A wsse:BinarySecurityToken of the given ValueType (or alt, when not
 * NULL), base64binary, decoded; an empty one leaves *_p NULL.
 */
static ae_err bst_bytes(TALLOC_CTX *mem, const xmlNode *n, const char *value_type,
			const char *alt, size_t max, uint8_t **_p, size_t *_len)
{
	char *s;
	size_t i;
	ae_err err;

	if (!(attr_is(n, "ValueType", value_type) || (alt != NULL && attr_is(n, "ValueType", alt))) ||
	    (xmlHasProp(n, (const xmlChar *)"EncodingType") != NULL &&
	     !attr_is(n, "EncodingType", AE_WSTEP_ENC_BASE64))) {
		return AE_ERR_PARSE;
	}
	err = ae_wx_text(mem, n, max / 3 * 4 + max / 8 + 64, &s);
	if (err != AE_OK) {
		return err;
	}
	for (i = 0; s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'; i++) {
	}
	if (s[i] != '\0') {
		err = ae_wx_b64_decode(mem, s, max, _p, _len);
	}
	talloc_free(s);
	return err;
}

static void set_request_id(struct ae_wstep_result *r)
{
	char *end = NULL;
	unsigned long long v;

	if (r->request_id == NULL || r->request_id[0] < '0' || r->request_id[0] > '9' ||
	    strlen(r->request_id) > 10) {
		return;
	}
	v = strtoull(r->request_id, &end, 10);
	if (*end == '\0' && v <= UINT32_MAX) {
		r->request_id_num = (uint32_t)v;
	}
}

static ae_err parse_rstr(TALLOC_CTX *mem, const xmlNode *rstr, struct ae_wstep_result *r)
{
	xmlNodePtr chain, rst, leaf = NULL;
	ae_err err;

	if ((err = opt_text(mem, rstr, AE_WSTEP_NS_ENROLL, "DispositionMessage", &r->message)) ||
	    (err = opt_text(mem, rstr, AE_WSTEP_NS_ENROLL, "RequestID", &r->request_id)) ||
	    (err = ae_wx_child(rstr, AE_WSTEP_NS_WSSE, "BinarySecurityToken", &chain)) ||
	    (err = ae_wx_child(rstr, AE_WSTEP_NS_WST, "RequestedSecurityToken", &rst))) {
		return err;
	}
	if (chain != NULL && (err = bst_bytes(mem, chain, AE_WSTEP_SECEXT_PKCS7,
					      attr_is(chain, "ValueType", AE_WSTEP_TOKEN_PKCS7) ?
					      AE_WSTEP_TOKEN_PKCS7 : AE_WSTEP_VALUE_PKCS7,
					      AE_WSTEP_MAX_CHAIN, &r->chain, &r->chain_len)) != AE_OK) {
		return err;
	}
	if (rst != NULL && (err = ae_wx_child(rst, AE_WSTEP_NS_WSSE, "BinarySecurityToken",
					      &leaf)) != AE_OK) {
		return err;
	}
	if (leaf != NULL && (err = bst_bytes(mem, leaf, AE_WSTEP_TOKEN_X509V3, NULL,
					     AE_WSTEP_MAX_CERT, &r->cert, &r->cert_len)) != AE_OK) {
		return err;
	}
	set_request_id(r);
	if (r->cert != NULL) {
		r->disposition = AE_WSTEP_ISSUED;
	} else if (r->request_id != NULL && r->request_id[0] != '\0') {
		r->disposition = AE_WSTEP_PENDING;
	} else {
		return AE_ERR_PARSE;	/* neither a certificate nor a request to ask for */
	}
	return AE_OK;
}

static ae_err parse_collection(TALLOC_CTX *mem, const xmlNode *coll, struct ae_wstep_result *r)
{
	xmlNodePtr rstr = ae_wx_first(coll);

	if (!ae_wx_is(rstr, AE_WSTEP_NS_WST, "RequestSecurityTokenResponse") ||
	    ae_wx_next(rstr) != NULL) {
		return AE_ERR_PARSE;	/* exactly one response: we sent one request */
	}
	return parse_rstr(mem, rstr, r);
}

/* xs:int, as the HRESULT's 32 bits */
static ae_err parse_int32(const char *s, uint32_t *_v)
{
	char *end = NULL;
	long long v;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
		s++;
	}
	if (*s == '\0' || strlen(s) > 12) {
		return AE_ERR_PARSE;
	}
	v = strtoll(s, &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r') {
		end++;
	}
	if (*end != '\0' || v < INT32_MIN || v > INT32_MAX) {
		return AE_ERR_PARSE;
	}
	*_v = (uint32_t)(int32_t)v;
	return AE_OK;
}

static ae_err parse_detail(TALLOC_CTX *mem, const xmlNode *d, struct ae_wstep_result *r)
{
	char *code = NULL, *inv = NULL;
	ae_err err;

	r->has_detail = true;
	if ((err = opt_text(mem, d, AE_WSTEP_NS_ENROLL, "BinaryResponse", &r->binary_response)) ||
	    (err = opt_text(mem, d, AE_WSTEP_NS_ENROLL, "ErrorCode", &code)) ||
	    (err = opt_text(mem, d, AE_WSTEP_NS_ENROLL, "InvalidRequest", &inv)) ||
	    (err = opt_text(mem, d, AE_WSTEP_NS_ENROLL, "RequestID", &r->request_id))) {
		return err;
	}
	if (code != NULL) {
		if ((err = parse_int32(code, &r->error_code)) != AE_OK) {
			return err;
		}
		r->has_error_code = true;
	}
	if (inv != NULL) {
		if (strcmp(inv, "true") != 0 && strcmp(inv, "1") != 0 &&
		    strcmp(inv, "false") != 0 && strcmp(inv, "0") != 0) {
			return AE_ERR_PARSE;	/* xs:boolean */
		}
		r->invalid_request = inv[0] == 't' || inv[0] == '1';
	}
	set_request_id(r);
	return AE_OK;
}

/* SOAP 1.2 Part 1 §5.4: Code (Value, Subcode/Value), Reason (Text+), Detail */
static ae_err parse_fault(TALLOC_CTX *mem, const xmlNode *f, struct ae_wstep_result *r)
{
	xmlNodePtr code, sub, reason, text, detail, d;
	ae_err err;

	if ((err = ae_wx_child(f, AE_WSTEP_NS_SOAP, "Code", &code)) ||
	    (err = ae_wx_child(f, AE_WSTEP_NS_SOAP, "Reason", &reason)) ||
	    (err = ae_wx_child(f, AE_WSTEP_NS_SOAP, "Detail", &detail))) {
		return err;
	}
	if (code == NULL || reason == NULL) {
		return AE_ERR_PARSE;
	}
	if ((err = opt_text(mem, code, AE_WSTEP_NS_SOAP, "Value", &r->fault_code)) ||
	    (err = ae_wx_child(code, AE_WSTEP_NS_SOAP, "Subcode", &sub)) ||
	    (sub && (err = opt_text(mem, sub, AE_WSTEP_NS_SOAP, "Value", &r->fault_subcode)))) {
		return err;
	}
	if (r->fault_code == NULL) {
		return AE_ERR_PARSE;
	}
	/* Reason: one Text per language; the first is reported */
	text = ae_wx_first(reason);
	if (!ae_wx_is(text, AE_WSTEP_NS_SOAP, "Text") ||
	    (err = ae_wx_text(mem, text, AE_WSTEP_MAX_TEXT, &r->message)) != AE_OK) {
		return err != AE_OK ? err : AE_ERR_PARSE;
	}
	if (detail != NULL && (err = ae_wx_child(detail, AE_WSTEP_NS_ENROLL,
						 "CertificateEnrollmentWSDetail", &d)) != AE_OK) {
		return err;
	}
	if (detail != NULL && d != NULL && !is_nil(d) && (err = parse_detail(mem, d, r)) != AE_OK) {
		return err;
	}
	r->disposition = r->has_error_code && r->error_code != 0 ? AE_WSTEP_DENIED : AE_WSTEP_FAULT;
	return AE_OK;
}

static ae_err parse_envelope(TALLOC_CTX *mem, const xmlNode *env, struct ae_wstep_result *r)
{
	xmlNodePtr header, body, n;
	ae_err err;

	if (!ae_wx_is(env, AE_WSTEP_NS_SOAP, "Envelope") ||
	    (err = ae_wx_child(env, AE_WSTEP_NS_SOAP, "Body", &body)) != AE_OK || body == NULL ||
	    (err = ae_wx_child(env, AE_WSTEP_NS_SOAP, "Header", &header)) != AE_OK) {
		return AE_ERR_PARSE;
	}
	/* the caller compares it with the MessageID it sent */
	if (header != NULL &&
	    (err = opt_text(mem, header, AE_WSTEP_NS_WSA, "RelatesTo", &r->relates_to)) != AE_OK) {
		return err;
	}
	n = ae_wx_first(body);
	if (n == NULL || ae_wx_next(n) != NULL) {
		return AE_ERR_PARSE;
	}
	if (ae_wx_is(n, AE_WSTEP_NS_SOAP, "Fault")) {
		return parse_fault(mem, n, r);
	}
	if (ae_wx_is(n, AE_WSTEP_NS_WST, "RequestSecurityTokenResponseCollection")) {
		return parse_collection(mem, n, r);
	}
	return AE_ERR_PARSE;
}

ae_err ae_wstep_parse_response(TALLOC_CTX *mem, const uint8_t *p, size_t len,
			       struct ae_wstep_result **_out)
{
	struct ae_wstep_result *r;
	struct ae_xml_doc *doc = NULL;
	xmlNodePtr root = NULL;
	ae_err err;

	if (_out == NULL) {
		return AE_ERR_INVALID;
	}
	r = talloc_zero(mem, struct ae_wstep_result);
	if (r == NULL) {
		return AE_ERR_NOMEM;
	}
	if ((err = ae_wx_parse(r, p, len, AE_WSTEP_MAX_RESPONSE, &doc, &root)) != AE_OK) {
		talloc_free(r);
		return err;
	}
	err = parse_envelope(r, root, r);
	talloc_free(doc);
	if (err == AE_OK && r->message == NULL) {
		r->message = talloc_strdup(r, "");
		err = r->message == NULL ? AE_ERR_NOMEM : AE_OK;
	}
	if (err != AE_OK) {
		talloc_free(r);
		return err;
	}
	*_out = r;
	return AE_OK;
}

uint32_t ae_wstep_icpr_disposition(const struct ae_wstep_result *r)
{
	switch (r->disposition) {
	case AE_WSTEP_ISSUED: return AE_CR_DISP_ISSUED;
	case AE_WSTEP_PENDING: return AE_CR_DISP_UNDER_SUBMISSION;
	case AE_WSTEP_DENIED: return r->error_code;
	case AE_WSTEP_FAULT: break;
	}
	return 0;
}
