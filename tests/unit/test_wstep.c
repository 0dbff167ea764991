/*
 * test_wstep.c: the [MS-WSTEP] messages (source/request/ae_wstep.h): the
 * CES's answers (issued with its chain, pending, a CA denial as a SOAP fault
 * with CertificateEnrollmentWSDetail, a service fault), documents the parser
 * must refuse, and the requests the builders make, read back with libxml2's
 * XPath. The answers are written here after the shape of [MS-WSTEP]
 * 3.1.4.1.1.2 and 3.1.4.1.4.1 with certificates made in the group setup.
 *
 * Leak check: talloc null tracking (leak_check.h); libxml2 and OpenSSL
 * objects are covered by ASan's leak check.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "leak_check.h"
#include <talloc.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "ae_hresult.h"
#include "ae_wstep.h"
#include "ae_x509.h"
#include "pki_helpers.h"

static struct {
	struct ae_key *ca_key, *key;
	struct ae_cert *ca, *leaf;
	char *leaf_b64, *chain_b64;	/* on NULL, freed in teardown */
	uint8_t *leaf_der;
	int leaf_len;
} g;

static char *b64(const uint8_t *p, size_t n)
{
	char *s = talloc_size(NULL, (n + 2) / 3 * 4 + 1);

	assert_non_null(s);
	EVP_EncodeBlock((unsigned char *)s, p, (int)n);
	return s;
}

static int group_setup(void **state)
{
	struct ae_cert_list *l = NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	struct pki_cert_opts ca = { .ca = true };

	(void)state;
	g.ca_key = pki_key(false);
	g.key = pki_key(false);
	g.ca = pki_cert(NULL, "Lab Issuing CA", g.ca_key, NULL, NULL, 1, 3650, &ca);
	g.leaf = pki_cert(NULL, "host1.lab.example", g.key, g.ca, g.ca_key, 17, 365, NULL);
	g.leaf_len = i2d_X509(g.leaf->x509, &g.leaf_der);
	assert_true(g.leaf_len > 0);
	g.leaf_b64 = b64(g.leaf_der, (size_t)g.leaf_len);
	assert_int_equal(ae_cert_list_new(NULL, &l), AE_OK);
	assert_int_equal(ae_cert_list_add(l, g.leaf), AE_OK);
	assert_int_equal(ae_cert_list_add(l, g.ca), AE_OK);
	assert_int_equal(ae_pkcs7_certs_build(l, l, &der, &len), AE_OK);
	g.chain_b64 = b64(der, len);
	talloc_free(l);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	OPENSSL_free(g.leaf_der);
	TALLOC_FREE(g.leaf_b64);
	TALLOC_FREE(g.chain_b64);
	TALLOC_FREE(g.leaf);
	TALLOC_FREE(g.ca);
	TALLOC_FREE(g.key);
	TALLOC_FREE(g.ca_key);
	return 0;
}

#define ENV_OPEN \
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" \
	"<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" " \
	"xmlns:a=\"http://www.w3.org/2005/08/addressing\">" \
	"<s:Header><a:Action s:mustUnderstand=\"1\">" AE_WSTEP_ACTION_RSTRC "</a:Action>" \
	"<a:RelatesTo>urn:uuid:5b4a4ba3-1c8e-4c3f-9d0e-3a1d2f6b8c11</a:RelatesTo></s:Header>\n<s:Body>"
#define ENV_CLOSE "</s:Body></s:Envelope>\n"
#define RSTRC_OPEN \
	"<RequestSecurityTokenResponseCollection xmlns=\"" AE_WSTEP_NS_WST "\">" \
	"<RequestSecurityTokenResponse><TokenType>" AE_WSTEP_TOKEN_X509V3 "</TokenType>"
#define RSTRC_CLOSE "</RequestSecurityTokenResponse></RequestSecurityTokenResponseCollection>"
#define BST_OPEN(vt) "<BinarySecurityToken ValueType=\"" vt "\" EncodingType=\"" \
	AE_WSTEP_ENC_BASE64 "\" xmlns=\"" AE_WSTEP_NS_WSSE "\">"

/* an issued answer: the message, the chain, the certificate, the request id */
static char *issued_doc(TALLOC_CTX *mem, const char *chain, const char *leaf)
{
	char *s = talloc_asprintf(mem, ENV_OPEN RSTRC_OPEN
		"<DispositionMessage xml:lang=\"en-US\" xmlns=\"" AE_WSTEP_NS_ENROLL "\">Issued</DispositionMessage>"
		BST_OPEN(AE_WSTEP_TOKEN_PKCS7) "%s</BinarySecurityToken>"
		"<RequestedSecurityToken>" BST_OPEN(AE_WSTEP_TOKEN_X509V3) "\n%s\n</BinarySecurityToken>"
		"</RequestedSecurityToken>"
		"<RequestID xmlns=\"" AE_WSTEP_NS_ENROLL "\">17</RequestID>" RSTRC_CLOSE ENV_CLOSE,
		chain, leaf);

	assert_non_null(s);
	return s;
}

static ae_err parse_str(TALLOC_CTX *mem, const char *s, struct ae_wstep_result **r)
{
	return ae_wstep_parse_response(mem, (const uint8_t *)s, strlen(s), r);
}

static void test_issued(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_wstep_result *r = NULL;
	struct ae_cert_list *l = NULL;
	struct ae_cert *c = NULL;

	assert_int_equal(parse_str(mem, issued_doc(mem, g.chain_b64, g.leaf_b64), &r), AE_OK);
	assert_int_equal(r->disposition, AE_WSTEP_ISSUED);
	assert_int_equal(ae_wstep_icpr_disposition(r), AE_CR_DISP_ISSUED);
	assert_string_equal(r->message, "Issued");
	assert_string_equal(r->relates_to, "urn:uuid:5b4a4ba3-1c8e-4c3f-9d0e-3a1d2f6b8c11");
	assert_string_equal(r->request_id, "17");
	assert_int_equal(r->request_id_num, 17);
	assert_int_equal(r->cert_len, (size_t)g.leaf_len);
	assert_memory_equal(r->cert, g.leaf_der, (size_t)g.leaf_len);
	assert_int_equal(ae_cert_parse_der(mem, r->cert, r->cert_len, &c), AE_OK);
	assert_non_null(r->chain);
	assert_int_equal(ae_pkcs7_certs_parse(mem, r->chain, r->chain_len, &l), AE_OK);
	assert_int_equal(l->count, 2);
	assert_null(r->fault_code);
	assert_false(r->has_detail);
	assert_ptr_equal(talloc_parent(r->cert), r);
}

static void test_pending(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_wstep_result *r = NULL;
	const char *doc = ENV_OPEN RSTRC_OPEN
		"<DispositionMessage xmlns=\"" AE_WSTEP_NS_ENROLL "\">Taken Under Submission</DispositionMessage>"
		"<RequestedSecurityToken/>"
		"<RequestID xmlns=\"" AE_WSTEP_NS_ENROLL "\">42</RequestID>" RSTRC_CLOSE ENV_CLOSE;

	assert_int_equal(parse_str(mem, doc, &r), AE_OK);
	assert_int_equal(r->disposition, AE_WSTEP_PENDING);
	assert_int_equal(ae_wstep_icpr_disposition(r), AE_CR_DISP_UNDER_SUBMISSION);
	assert_string_equal(r->message, "Taken Under Submission");
	assert_string_equal(r->request_id, "42");
	assert_int_equal(r->request_id_num, 42);
	assert_null(r->cert);
	assert_null(r->chain);
}

/* CERTSRV_E_TEMPLATE_DENIED 0x80094012 as xs:int: -2146877422 */
#define FAULT_DOC(detail) ENV_OPEN \
	"<s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode>" \
	"<s:Value xmlns:a=\"http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher\">" \
	"a:InternalServiceFault</s:Value></s:Subcode></s:Code>" \
	"<s:Reason><s:Text xml:lang=\"en-US\">The permissions on the certificate template do " \
	"not allow the current user to enroll for this type of certificate. 0x80094012 " \
	"(-2146877422 CERTSRV_E_TEMPLATE_DENIED)</s:Text></s:Reason>" detail "</s:Fault>" ENV_CLOSE

static void test_fault_denied(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_wstep_result *r = NULL;
	const char *doc = FAULT_DOC("<s:Detail><CertificateEnrollmentWSDetail "
		"xmlns=\"" AE_WSTEP_NS_ENROLL "\" xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">"
		"<BinaryResponse i:nil=\"true\"/><ErrorCode>-2146877422</ErrorCode>"
		"<InvalidRequest>true</InvalidRequest><RequestID>18</RequestID>"
		"</CertificateEnrollmentWSDetail></s:Detail>");

	assert_int_equal(parse_str(mem, doc, &r), AE_OK);
	assert_int_equal(r->disposition, AE_WSTEP_DENIED);
	assert_true(r->has_detail);
	assert_true(r->has_error_code);
	assert_int_equal(r->error_code, 0x80094012u);
	assert_int_equal(ae_wstep_icpr_disposition(r), AE_CERTSRV_E_TEMPLATE_DENIED);
	assert_string_equal(ae_hresult_name(r->error_code), "CERTSRV_E_TEMPLATE_DENIED");
	assert_string_equal(r->fault_code, "s:Receiver");
	assert_string_equal(r->fault_subcode, "a:InternalServiceFault");
	assert_non_null(strstr(r->message, "permissions on the certificate template"));
	assert_true(r->invalid_request);
	assert_null(r->binary_response);
	assert_string_equal(r->request_id, "18");
	assert_int_equal(r->request_id_num, 18);
}

static void test_fault_service(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_wstep_result *r = NULL;

	/* no detail: the service refused, no CA disposition */
	assert_int_equal(parse_str(mem, FAULT_DOC(""), &r), AE_OK);
	assert_int_equal(r->disposition, AE_WSTEP_FAULT);
	assert_int_equal(ae_wstep_icpr_disposition(r), 0);
	assert_false(r->has_detail);
	assert_null(r->request_id);
	TALLOC_FREE(r);
	/* a detail without ErrorCode is no CA disposition either */
	assert_int_equal(parse_str(mem, FAULT_DOC("<s:Detail><CertificateEnrollmentWSDetail xmlns=\""
		AE_WSTEP_NS_ENROLL "\"><InvalidRequest>false</InvalidRequest>"
		"</CertificateEnrollmentWSDetail></s:Detail>"), &r), AE_OK);
	assert_int_equal(r->disposition, AE_WSTEP_FAULT);
	assert_true(r->has_detail);
	assert_false(r->invalid_request);
}

/* what the schema allows: nil messages, split or CDATA base64, an empty token */
static void test_schema_variants(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_wstep_result *r = NULL;
	char *leaf = talloc_strdup(mem, g.leaf_b64);
	char *doc;
	size_t half = strlen(leaf) / 2 / 4 * 4;

	/* the certificate's base64 split by a comment and partly in CDATA; the chain
	 * with the enrollment namespace's #PKCS7; a nil DispositionMessage */
	leaf[half] = '\0';
	doc = talloc_asprintf(mem, ENV_OPEN RSTRC_OPEN
		"<DispositionMessage xmlns=\"" AE_WSTEP_NS_ENROLL "\" xmlns:i=\"http://www.w3.org/2001/"
		"XMLSchema-instance\" i:nil=\"true\"/>" BST_OPEN(AE_WSTEP_VALUE_PKCS7) "%s</BinarySecurityToken>"
		"<RequestedSecurityToken>" BST_OPEN(AE_WSTEP_TOKEN_X509V3) "%s<!-- x --><![CDATA[%s]]>"
		"</BinarySecurityToken></RequestedSecurityToken>" RSTRC_CLOSE ENV_CLOSE,
		g.chain_b64, leaf, g.leaf_b64 + half);
	assert_int_equal(parse_str(mem, doc, &r), AE_OK);
	assert_int_equal(r->disposition, AE_WSTEP_ISSUED);
	assert_string_equal(r->message, "");
	assert_null(r->request_id);
	assert_int_equal(r->request_id_num, 0);
	assert_non_null(r->chain);
	assert_int_equal(r->cert_len, (size_t)g.leaf_len);
	assert_memory_equal(r->cert, g.leaf_der, (size_t)g.leaf_len);
	TALLOC_FREE(r);

	/* pending with an empty certificate token; a request id that is no number */
	doc = ENV_OPEN RSTRC_OPEN "<RequestedSecurityToken>" BST_OPEN(AE_WSTEP_TOKEN_X509V3)
		"\n</BinarySecurityToken></RequestedSecurityToken>"
		"<RequestID xmlns=\"" AE_WSTEP_NS_ENROLL "\">CES-4294967296</RequestID>" RSTRC_CLOSE ENV_CLOSE;
	assert_int_equal(parse_str(mem, doc, &r), AE_OK);
	assert_int_equal(r->disposition, AE_WSTEP_PENDING);
	assert_null(r->cert);
	assert_string_equal(r->request_id, "CES-4294967296");
	assert_int_equal(r->request_id_num, 0);
}

static void expect_refused(TALLOC_CTX *mem, const char *doc, size_t len, ae_err want)
{
	struct ae_wstep_result *sentinel = (struct ae_wstep_result *)&g;
	struct ae_wstep_result *r = sentinel;
	size_t before = talloc_total_blocks(mem);

	assert_int_equal(ae_wstep_parse_response(mem, (const uint8_t *)doc, len, &r), want);
	assert_ptr_equal(r, sentinel);	/* outputs only on success */
	assert_int_equal(talloc_total_blocks(mem), before);
}

static void refuse(TALLOC_CTX *mem, const char *doc)
{
	expect_refused(mem, doc, strlen(doc), AE_ERR_PARSE);
}

static void test_refused(void **state)
{
	TALLOC_CTX *mem = *state;
	const char *ok = issued_doc(mem, g.chain_b64, g.leaf_b64);
	char *s;
	size_t n;

	/* a DTD, with or without entities (billion laughs) */
	refuse(mem, "<?xml version=\"1.0\"?><!DOCTYPE s:Envelope [<!ENTITY a \"aaaa\">"
	       "<!ENTITY b \"&a;&a;&a;&a;\">]>" ENV_OPEN RSTRC_OPEN
	       "<RequestID xmlns=\"" AE_WSTEP_NS_ENROLL "\">&b;</RequestID>" RSTRC_CLOSE ENV_CLOSE);
	/* truncated, trailing content, a NUL byte, empty */
	refuse(mem, talloc_strndup(mem, ok, strlen(ok) / 2));
	refuse(mem, talloc_asprintf(mem, "%s<x/>", ok));
	s = talloc_strdup(mem, ok);
	n = strlen(s);
	s[n - 3] = '\0';
	expect_refused(mem, s, n, AE_ERR_PARSE);
	refuse(mem, "");
	/* not SOAP 1.2, no body, two bodies' worth of elements, two responses */
	refuse(mem, "<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\"><Body/></Envelope>");
	refuse(mem, ENV_OPEN ENV_CLOSE);
	refuse(mem, ENV_OPEN "<x xmlns=\"urn:x\"/>" ENV_CLOSE);
	refuse(mem, ENV_OPEN "<RequestSecurityTokenResponseCollection xmlns=\"" AE_WSTEP_NS_WST "\">"
	       "<RequestSecurityTokenResponse><RequestID xmlns=\"" AE_WSTEP_NS_ENROLL "\">1</RequestID>"
	       "</RequestSecurityTokenResponse><RequestSecurityTokenResponse/>" RSTRC_CLOSE ENV_CLOSE);
	/* neither a certificate nor a request id */
	refuse(mem, ENV_OPEN RSTRC_OPEN RSTRC_CLOSE ENV_CLOSE);
	/* bad base64; a certificate whose ValueType is not X509v3; two certificates */
	refuse(mem, issued_doc(mem, g.chain_b64, "MIIB*AAA"));
	refuse(mem, issued_doc(mem, g.chain_b64, "QUJD="));
	refuse(mem, ENV_OPEN RSTRC_OPEN "<RequestedSecurityToken>" BST_OPEN(AE_WSTEP_TOKEN_PKCS7)
	       "QUJD</BinarySecurityToken></RequestedSecurityToken>" RSTRC_CLOSE ENV_CLOSE);
	refuse(mem, talloc_asprintf(mem, ENV_OPEN RSTRC_OPEN "<RequestedSecurityToken>"
	       BST_OPEN(AE_WSTEP_TOKEN_X509V3) "%s</BinarySecurityToken>" BST_OPEN(AE_WSTEP_TOKEN_X509V3)
	       "%s</BinarySecurityToken></RequestedSecurityToken>" RSTRC_CLOSE ENV_CLOSE,
	       g.leaf_b64, g.leaf_b64));
	/* a fault without Reason; an ErrorCode that is no xs:int */
	refuse(mem, ENV_OPEN "<s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code></s:Fault>" ENV_CLOSE);
	refuse(mem, FAULT_DOC("<s:Detail><CertificateEnrollmentWSDetail xmlns=\"" AE_WSTEP_NS_ENROLL
	       "\"><ErrorCode>0x80094012</ErrorCode></CertificateEnrollmentWSDetail></s:Detail>"));
	refuse(mem, FAULT_DOC("<s:Detail><CertificateEnrollmentWSDetail xmlns=\"" AE_WSTEP_NS_ENROLL
	       "\"><ErrorCode>4294967295</ErrorCode></CertificateEnrollmentWSDetail></s:Detail>"));
	/* above the cap, before any parsing */
	s = talloc_zero_size(mem, AE_WSTEP_MAX_RESPONSE + 2);
	assert_non_null(s);
	memset(s, ' ', AE_WSTEP_MAX_RESPONSE + 1);
	expect_refused(mem, s, AE_WSTEP_MAX_RESPONSE + 1, AE_ERR_TOO_LARGE);
}

/* ---- the builders, read back with XPath ---- */

static xmlXPathContextPtr xp_open(const uint8_t *p, size_t len, xmlDocPtr *_doc)
{
	xmlDocPtr doc = xmlReadMemory((const char *)p, (int)len, NULL, NULL, XML_PARSE_NONET);
	xmlXPathContextPtr x;

	assert_non_null(doc);
	x = xmlXPathNewContext(doc);
	assert_non_null(x);
	xmlXPathRegisterNs(x, BAD_CAST "s", BAD_CAST AE_WSTEP_NS_SOAP);
	xmlXPathRegisterNs(x, BAD_CAST "a", BAD_CAST AE_WSTEP_NS_WSA);
	xmlXPathRegisterNs(x, BAD_CAST "t", BAD_CAST AE_WSTEP_NS_WST);
	xmlXPathRegisterNs(x, BAD_CAST "o", BAD_CAST AE_WSTEP_NS_WSSE);
	xmlXPathRegisterNs(x, BAD_CAST "e", BAD_CAST AE_WSTEP_NS_ENROLL);
	xmlXPathRegisterNs(x, BAD_CAST "ac", BAD_CAST AE_WSTEP_NS_AUTH);
	*_doc = doc;
	return x;
}

/* the string value of expr (a copy on mem); "" when nothing matches */
static char *xp(TALLOC_CTX *mem, xmlXPathContextPtr x, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, x);
	xmlChar *v;
	char *s;

	assert_non_null(o);
	v = xmlXPathCastToString(o);
	s = talloc_strdup(mem, (const char *)v);
	xmlFree(v);
	xmlXPathFreeObject(o);
	assert_non_null(s);
	return s;
}

static void xp_close(xmlXPathContextPtr x, xmlDocPtr doc)
{
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);
}

static void test_build_issue(void **state)
{
	TALLOC_CTX *mem = *state;
	const uint8_t cms[] = { 0x30, 0x82, 0x01, 0x00, 0x06, 0x09, 0xfe, 0xff, 0x3e };
	const char *pw = "p<a&s>s\"w'r\td\r";
	struct ae_wstep_req q = {
		.to = "https://ces.lab.example/Lab%20CA_CES_Kerberos/service.svc/CES",
		.token_type = AE_WSTEP_PKCS7, .token = cms, .token_len = sizeof(cms),
		.template_name = "Machine & <Web>", .username = "LAB\\host1$", .password = pw,
	};
	uint8_t *out = NULL;
	size_t len = 0;
	xmlDocPtr doc;
	xmlXPathContextPtr x;
	char *bst;

	assert_int_equal(ae_wstep_build_issue(mem, &q, &out, &len), AE_OK);
	assert_int_equal(strlen((char *)out), len);
	x = xp_open(out, len, &doc);
	assert_string_equal(xp(mem, x, "string(/s:Envelope/s:Header/a:Action)"), AE_WSTEP_ACTION_RST);
	assert_string_equal(xp(mem, x, "string(/s:Envelope/s:Header/a:Action/@s:mustUnderstand)"), "1");
	assert_string_equal(xp(mem, x, "string(/s:Envelope/s:Header/a:To)"), q.to);
	assert_string_equal(xp(mem, x, "string(string-length(/s:Envelope/s:Header/a:MessageID))"), "45");
	assert_string_equal(xp(mem, x, "substring(/s:Envelope/s:Header/a:MessageID, 1, 9)"), "urn:uuid:");
	assert_string_equal(xp(mem, x, "string(//o:Security/o:UsernameToken/o:Username)"), q.username);
	assert_string_equal(xp(mem, x, "string(//o:Security/o:UsernameToken/o:Password)"), pw);
	assert_string_equal(xp(mem, x, "string(//o:Password/@Type)"), AE_WSTEP_PASSWORD_TEXT);
	assert_string_equal(xp(mem, x, "string(/s:Envelope/s:Body/t:RequestSecurityToken/t:TokenType)"),
			    AE_WSTEP_TOKEN_X509V3);
	assert_string_equal(xp(mem, x, "string(//t:RequestSecurityToken/t:RequestType)"),
			    AE_WSTEP_REQTYPE_ISSUE);
	assert_string_equal(xp(mem, x, "string(//t:RequestSecurityToken/o:BinarySecurityToken/@ValueType)"),
			    AE_WSTEP_VALUE_PKCS7);
	assert_string_equal(xp(mem, x, "string(//o:BinarySecurityToken/@EncodingType)"),
			    AE_WSTEP_ENC_BASE64);
	bst = xp(mem, x, "string(//t:RequestSecurityToken/o:BinarySecurityToken)");
	assert_string_equal(bst, "MIIBAAYJ/v8+");
	assert_string_equal(xp(mem, x, "string(//t:RequestSecurityToken/ac:AdditionalContext/"
			       "ac:ContextItem[@Name='CertificateTemplate']/ac:Value)"), q.template_name);
	assert_string_equal(xp(mem, x, "count(//e:RequestID)"), "0");
	xp_close(x, doc);
	TALLOC_FREE(out);

	/* PKCS#10, no template, no UsernameToken, the caller's MessageID */
	q.token_type = AE_WSTEP_PKCS10;
	q.template_name = NULL;
	q.username = q.password = NULL;
	q.message_id = "urn:uuid:0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
	assert_int_equal(ae_wstep_build_issue(mem, &q, &out, &len), AE_OK);
	x = xp_open(out, len, &doc);
	assert_string_equal(xp(mem, x, "string(//o:BinarySecurityToken/@ValueType)"), AE_WSTEP_VALUE_PKCS10);
	assert_string_equal(xp(mem, x, "string(//a:MessageID)"), q.message_id);
	assert_string_equal(xp(mem, x, "count(//o:Security)"), "0");
	assert_string_equal(xp(mem, x, "count(//ac:AdditionalContext)"), "0");
	xp_close(x, doc);
	TALLOC_FREE(out);
}

static void test_build_query(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_wstep_req q = { .to = "https://ces.lab.example/CES", .request_id = "42" };
	uint8_t *out = NULL;
	size_t len = 0;
	xmlDocPtr doc;
	xmlXPathContextPtr x;

	assert_int_equal(ae_wstep_build_query(mem, &q, &out, &len), AE_OK);
	x = xp_open(out, len, &doc);
	assert_string_equal(xp(mem, x, "string(//t:RequestSecurityToken/t:RequestType)"),
			    AE_WSTEP_REQTYPE_QUERY);
	assert_string_equal(xp(mem, x, "string(//t:RequestSecurityToken/e:RequestID)"), "42");
	assert_string_equal(xp(mem, x, "count(//o:BinarySecurityToken)"), "0");
	assert_string_equal(xp(mem, x, "string(//a:Action)"), AE_WSTEP_ACTION_RST);
	xp_close(x, doc);
	TALLOC_FREE(out);
}

static void test_build_refused(void **state)
{
	TALLOC_CTX *mem = *state;
	const uint8_t tok[] = { 0x30, 0x00 };
	struct ae_wstep_req ok = { .to = "https://ces/CES", .token = tok, .token_len = 2,
				   .request_id = "7" };
	struct ae_wstep_req q;
	uint8_t *out = (uint8_t *)&g;
	size_t len = 99;

	q = ok;
	q.to = "http://ces/CES";	/* never plain HTTP */
	assert_int_equal(ae_wstep_build_issue(mem, &q, &out, &len), AE_ERR_INVALID);
	q = ok;
	q.token_len = 0;
	assert_int_equal(ae_wstep_build_issue(mem, &q, &out, &len), AE_ERR_INVALID);
	q = ok;
	q.message_id = "1234";
	assert_int_equal(ae_wstep_build_issue(mem, &q, &out, &len), AE_ERR_INVALID);
	q = ok;
	q.password = "secret";	/* without a user name */
	assert_int_equal(ae_wstep_build_issue(mem, &q, &out, &len), AE_ERR_INVALID);
	q = ok;
	q.template_name = "bad\xff";	/* not UTF-8 */
	assert_int_equal(ae_wstep_build_issue(mem, &q, &out, &len), AE_ERR_INVALID);
	q = ok;
	q.username = "u";
	q.password = "a\x01b";	/* no XML 1.0 character */
	assert_int_equal(ae_wstep_build_issue(mem, &q, &out, &len), AE_ERR_INVALID);
	q = ok;
	q.request_id = "";
	assert_int_equal(ae_wstep_build_query(mem, &q, &out, &len), AE_ERR_INVALID);
	assert_ptr_equal(out, (uint8_t *)&g);
	assert_int_equal(len, 99);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_issued, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_pending, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_fault_denied, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_fault_service, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_schema_variants, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_refused, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_build_issue, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_build_query, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_build_refused, leak_setup, leak_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
