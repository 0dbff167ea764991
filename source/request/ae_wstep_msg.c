/*
 * ae_wstep_msg.c: the [MS-WSTEP] requests, built with libxml2's tree API
 * (escaping is libxml2's) and serialized to a talloc buffer.
 *
 * The password of a UsernameToken never enters libxml2's memory (which is
 * freed without being wiped): the document carries a random marker in its
 * place, and the serialized text gets the escaped password spliced in, in a
 * buffer of ours that is wiped when freed.
 */
#include <string.h>
#include <libxml/tree.h>
#include <libxml/xmlstring.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "ae_wstep.h"
#include "ae_wstep_xml.h"
#include "ae_request_private.h"

#define MAX_FIELD 4096

struct build {
	xmlDocPtr doc;
	xmlNodePtr header, body;
	xmlNsPtr s, a;
	char marker[40];	/* stands for the password until serialized */
};

/* UTF-8 of XML 1.0 characters (§2.2: no C0 controls but TAB, LF, CR) */
static bool chars_ok(const char *s)
{
	const unsigned char *p;

	if (strlen(s) > MAX_FIELD || !xmlCheckUTF8((const unsigned char *)s)) {
		return false;
	}
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') {
			return false;
		}
	}
	return true;
}

static bool field_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && chars_ok(s);
}

ae_err ae_wstep_message_id(char out[46])
{
	uint8_t u[16];

	if (RAND_bytes(u, sizeof(u)) != 1) {
		return AE_ERR_CRYPTO;
	}
	u[6] = (u[6] & 0x0f) | 0x40;	/* RFC 4122 §4.4: version 4 */
	u[8] = (u[8] & 0x3f) | 0x80;
	snprintf(out, 46, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5], u[6],
		 u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
	return AE_OK;
}

static xmlNodePtr text_child(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text)
{
	return xmlNewTextChild(parent, ns, (const xmlChar *)name, (const xmlChar *)text);
}

static ae_err add_security(struct build *b, const struct ae_wstep_req *r)
{
	xmlNsPtr wsse;
	xmlNodePtr sec, tok, pw;
	uint8_t rnd[16];
	size_t i;

	if (r->username == NULL && r->password == NULL) {
		b->marker[0] = '\0';
		return AE_OK;
	}
	if (!field_ok(r->username) || r->password == NULL || !chars_ok(r->password)) {
		return AE_ERR_INVALID;
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		return AE_ERR_CRYPTO;
	}
	for (i = 0; i < sizeof(rnd); i++) {
		snprintf(b->marker + 2 * i, 3, "%02x", rnd[i]);
	}
	sec = xmlNewChild(b->header, NULL, (const xmlChar *)"Security", NULL);
	wsse = sec == NULL ? NULL : xmlNewNs(sec, (const xmlChar *)AE_WSTEP_NS_WSSE,
					    (const xmlChar *)"o");
	if (wsse == NULL) {
		return AE_ERR_NOMEM;
	}
	xmlSetNs(sec, wsse);
	tok = xmlNewChild(sec, wsse, (const xmlChar *)"UsernameToken", NULL);
	pw = tok == NULL || text_child(tok, wsse, "Username", r->username) == NULL ? NULL :
		text_child(tok, wsse, "Password", b->marker);
	if (xmlSetNsProp(sec, b->s, (const xmlChar *)"mustUnderstand", (const xmlChar *)"1") == NULL ||
	    pw == NULL ||
	    xmlNewProp(pw, (const xmlChar *)"Type", (const xmlChar *)AE_WSTEP_PASSWORD_TEXT) == NULL) {
		return AE_ERR_NOMEM;
	}
	return AE_OK;
}

/* The envelope with its WS-Addressing header ([MS-WSTEP] 3.1.4.1.1). */
static ae_err start(struct build *b, const struct ae_wstep_req *r)
{
	char mid[46];
	xmlNodePtr env, n, act, to;
	ae_err err;

	if (r == NULL || !field_ok(r->to) || strncmp(r->to, "https://", 8) != 0) {
		return AE_ERR_INVALID;
	}
	if (r->message_id != NULL && (!field_ok(r->message_id) ||
				      strncmp(r->message_id, "urn:uuid:", 9) != 0)) {
		return AE_ERR_INVALID;
	}
	if (r->message_id == NULL && (err = ae_wstep_message_id(mid)) != AE_OK) {
		return err;
	}
	b->doc = xmlNewDoc((const xmlChar *)"1.0");
	env = b->doc == NULL ? NULL : xmlNewDocNode(b->doc, NULL, (const xmlChar *)"Envelope", NULL);
	if (env == NULL) {
		return AE_ERR_NOMEM;
	}
	xmlDocSetRootElement(b->doc, env);
	b->s = xmlNewNs(env, (const xmlChar *)AE_WSTEP_NS_SOAP, (const xmlChar *)"s");
	b->a = xmlNewNs(env, (const xmlChar *)AE_WSTEP_NS_WSA, (const xmlChar *)"a");
	if (b->s == NULL || b->a == NULL) {
		return AE_ERR_NOMEM;
	}
	xmlSetNs(env, b->s);
	b->header = xmlNewChild(env, b->s, (const xmlChar *)"Header", NULL);
	act = b->header == NULL ? NULL : text_child(b->header, b->a, "Action", AE_WSTEP_ACTION_RST);
	n = act == NULL ? NULL : text_child(b->header, b->a, "MessageID",
					    r->message_id ? r->message_id : mid);
	n = n == NULL ? NULL : xmlNewChild(b->header, b->a, (const xmlChar *)"ReplyTo", NULL);
	n = n == NULL ? NULL : text_child(n, b->a, "Address",
					  "http://www.w3.org/2005/08/addressing/anonymous");
	to = n == NULL ? NULL : text_child(b->header, b->a, "To", r->to);
	if (to == NULL ||
	    xmlSetNsProp(act, b->s, (const xmlChar *)"mustUnderstand", (const xmlChar *)"1") == NULL ||
	    xmlSetNsProp(to, b->s, (const xmlChar *)"mustUnderstand", (const xmlChar *)"1") == NULL) {
		return AE_ERR_NOMEM;
	}
	if ((err = add_security(b, r)) != AE_OK) {
		return err;
	}
	b->body = xmlNewChild(env, b->s, (const xmlChar *)"Body", NULL);
	return b->body == NULL ? AE_ERR_NOMEM : AE_OK;
}

/* wst:RequestSecurityToken with TokenType and RequestType. */
static xmlNodePtr rst(struct build *b, const char *request_type, xmlNsPtr *_wst)
{
	xmlNodePtr n = xmlNewChild(b->body, NULL, (const xmlChar *)"RequestSecurityToken", NULL);
	xmlNsPtr wst = n == NULL ? NULL : xmlNewNs(n, (const xmlChar *)AE_WSTEP_NS_WST,
						   (const xmlChar *)"wst");

	if (wst == NULL) {
		return NULL;
	}
	xmlSetNs(n, wst);
	if (text_child(n, wst, "TokenType", AE_WSTEP_TOKEN_X509V3) == NULL ||
	    text_child(n, wst, "RequestType", request_type) == NULL) {
		return NULL;
	}
	*_wst = wst;
	return n;
}

/* The escaped password (XML 1.0 §2.4 character data) on mem, wiped when freed. */
static char *escape_secret(TALLOC_CTX *mem, const char *pw)
{
	size_t n = strlen(pw), i, o = 0;
	char *s = talloc_size(mem, n * 5 + 1);

	if (s == NULL) {
		return NULL;
	}
	ae_req_set_wipe_on_free(s);
	for (i = 0; i < n; i++) {
		const char *e = pw[i] == '&' ? "&amp;" : pw[i] == '<' ? "&lt;" :
				pw[i] == '>' ? "&gt;" : pw[i] == '\r' ? "&#13;" : NULL;
		if (e != NULL) {
			memcpy(s + o, e, strlen(e));
			o += strlen(e);
		} else {
			s[o++] = pw[i];
		}
	}
	s[o] = '\0';
	return s;
}

static ae_err finish(TALLOC_CTX *mem, struct build *b, const char *password,
		     uint8_t **_out, size_t *_len)
{
	xmlChar *x = NULL;
	int xn = 0;
	char *out, *at, *esc = NULL;
	size_t mlen = strlen(b->marker), elen = 0;

	xmlDocDumpMemoryEnc(b->doc, &x, &xn, "UTF-8");
	if (x == NULL || xn <= 0) {
		xmlFree(x);
		return AE_ERR_NOMEM;
	}
	at = mlen ? strstr((char *)x, b->marker) : NULL;
	if (mlen && (at == NULL || strstr(at + 1, b->marker) != NULL)) {
		xmlFree(x);
		return AE_ERR_INVALID;	/* the marker must be there exactly once */
	}
	if (mlen && (esc = escape_secret(mem, password)) == NULL) {
		xmlFree(x);
		return AE_ERR_NOMEM;
	}
	elen = esc ? strlen(esc) : 0;
	out = talloc_size(mem, (size_t)xn - mlen + elen + 1);
	if (out != NULL && mlen) {
		size_t pre = (size_t)(at - (char *)x);

		ae_req_set_wipe_on_free(out);
		memcpy(out, x, pre);
		memcpy(out + pre, esc, elen);
		memcpy(out + pre + elen, at + mlen, (size_t)xn - pre - mlen + 1);
	} else if (out != NULL) {
		memcpy(out, x, (size_t)xn + 1);
	}
	talloc_free(esc);
	xmlFree(x);
	if (out == NULL) {
		return AE_ERR_NOMEM;
	}
	*_out = (uint8_t *)out;
	*_len = (size_t)xn - mlen + elen;
	return AE_OK;
}

static ae_err issue_body(TALLOC_CTX *tmp, struct build *b, const struct ae_wstep_req *r)
{
	xmlNsPtr wst, wsse, ac;
	xmlNodePtr n, bst, ctx, item;
	char *b64;
	ae_err err;

	if ((err = ae_wx_b64_encode(tmp, r->token, r->token_len, &b64)) != AE_OK) {
		return err;
	}
	n = rst(b, AE_WSTEP_REQTYPE_ISSUE, &wst);
	bst = n == NULL ? NULL : text_child(n, NULL, "BinarySecurityToken", b64);
	wsse = bst == NULL ? NULL : xmlNewNs(bst, (const xmlChar *)AE_WSTEP_NS_WSSE, NULL);
	if (wsse == NULL) {
		return AE_ERR_NOMEM;
	}
	xmlSetNs(bst, wsse);
	if (xmlNewProp(bst, (const xmlChar *)"ValueType", (const xmlChar *)(
		r->token_type == AE_WSTEP_PKCS7 ? AE_WSTEP_VALUE_PKCS7 : AE_WSTEP_VALUE_PKCS10)) == NULL ||
	    xmlNewProp(bst, (const xmlChar *)"EncodingType", (const xmlChar *)AE_WSTEP_ENC_BASE64) == NULL) {
		return AE_ERR_NOMEM;
	}
	if (r->template_name == NULL) {
		return AE_OK;
	}
	ctx = xmlNewChild(n, NULL, (const xmlChar *)"AdditionalContext", NULL);
	ac = ctx == NULL ? NULL : xmlNewNs(ctx, (const xmlChar *)AE_WSTEP_NS_AUTH,
					   (const xmlChar *)"ac");
	if (ac == NULL) {
		return AE_ERR_NOMEM;
	}
	xmlSetNs(ctx, ac);
	item = xmlNewChild(ctx, ac, (const xmlChar *)"ContextItem", NULL);
	if (item == NULL ||
	    xmlNewProp(item, (const xmlChar *)"Name", (const xmlChar *)"CertificateTemplate") == NULL ||
	    text_child(item, ac, "Value", r->template_name) == NULL) {
		return AE_ERR_NOMEM;
	}
	return AE_OK;
}

static ae_err query_body(struct build *b, const struct ae_wstep_req *r)
{
	xmlNsPtr wst, en;
	xmlNodePtr n = rst(b, AE_WSTEP_REQTYPE_QUERY, &wst);
	xmlNodePtr id = n == NULL ? NULL : text_child(n, NULL, "RequestID", r->request_id);

	en = id == NULL ? NULL : xmlNewNs(id, (const xmlChar *)AE_WSTEP_NS_ENROLL, NULL);
	if (en == NULL) {
		return AE_ERR_NOMEM;
	}
	xmlSetNs(id, en);
	return AE_OK;
}

static ae_err build(TALLOC_CTX *mem, const struct ae_wstep_req *r, bool issue,
		    uint8_t **_out, size_t *_len)
{
	struct build b = { 0 };
	TALLOC_CTX *tmp;
	ae_err err;

	if (r == NULL || _out == NULL || _len == NULL) {
		return AE_ERR_INVALID;
	}
	if (issue ? (r->token == NULL || r->token_len == 0 ||
		     (r->template_name != NULL && !field_ok(r->template_name)) ||
		     (r->token_type != AE_WSTEP_PKCS10 && r->token_type != AE_WSTEP_PKCS7)) :
		    (!field_ok(r->request_id) || strlen(r->request_id) > 64)) {
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(mem);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = start(&b, r);
	if (err == AE_OK) {
		err = issue ? issue_body(tmp, &b, r) : query_body(&b, r);
	}
	if (err == AE_OK) {
		err = finish(mem, &b, r->password, _out, _len);
	}
	xmlFreeDoc(b.doc);
	OPENSSL_cleanse(b.marker, sizeof(b.marker));
	talloc_free(tmp);
	return err;
}

ae_err ae_wstep_build_issue(TALLOC_CTX *mem, const struct ae_wstep_req *r,
			    uint8_t **_out, size_t *_len)
{
	return build(mem, r, true, _out, _len);
}

ae_err ae_wstep_build_query(TALLOC_CTX *mem, const struct ae_wstep_req *r,
			    uint8_t **_out, size_t *_len)
{
	return build(mem, r, false, _out, _len);
}
