/*
 * test_xml.c: the xml layer: ae_xml_parse and its refusals (DTD, entities,
 * depth, node count, size, trailing bytes), navigation, the strict value
 * readers, base64, and the SOAP 1.2 envelope and fault. Every test checks
 * that nothing leaks (leak_check.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_soap.h"
#include "ae_soap_wstep.h"
#include "ae_xml.h"
#include "leak_check.h"

#define NS "urn:test"

static ae_err parse_str(TALLOC_CTX *mem, const char *s, struct ae_xml_doc **d)
{
	return ae_xml_parse(mem, (const uint8_t *)s, strlen(s), d);
}

/* A refused document: the error, out untouched, nothing left on mem. */
static void refused(TALLOC_CTX *mem, const char *s, ae_err want)
{
	struct ae_xml_doc *d = NULL;
	char why[256] = "";
	size_t before = talloc_total_blocks(mem);

	assert_int_equal(ae_xml_parse_why(mem, (const uint8_t *)s, strlen(s), &d, why,
					  sizeof(why)), want);
	assert_null(d);
	assert_true(why[0] != '\0');
	assert_int_equal(talloc_total_blocks(mem), before);
}

static void test_parse_navigate(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_xml_doc *d = NULL;
	const xmlNode *root, *c;
	char *s = NULL;

	assert_int_equal(parse_str(mem, "<?xml version=\"1.0\"?>\n<r xmlns=\"" NS "\" "
				   "xmlns:o=\"urn:other\" xmlns:xsi=\"" AE_XML_NS_XSI "\">\n"
				   "  <a>x &amp; y<![CDATA[<z>]]></a>\n  <o:a>other</o:a>\n"
				   "  <b xsi:nil=\"true\"/><a>second</a><!-- c --></r>", &d),
			 AE_OK);
	root = ae_xml_root(d);
	assert_true(ae_xml_is(root, NS, "r"));
	assert_false(ae_xml_is(root, "urn:other", "r"));
	assert_false(ae_xml_is(root, NULL, "r"));
	assert_int_equal(ae_xml_count(root, NS, "a"), 2);
	assert_int_equal(ae_xml_count(root, "urn:other", "a"), 1);
	c = ae_xml_child(root, NS, "a");
	assert_int_equal(ae_xml_text(mem, c, 64, &s), AE_OK);
	assert_string_equal(s, "x & y<z>");
	talloc_free(s);
	assert_int_equal(ae_xml_text(mem, c, 7, &s), AE_ERR_TOO_LARGE);
	assert_true(ae_xml_is(ae_xml_next(c), "urn:other", "a"));
	assert_true(ae_xml_is_nil(ae_xml_child(root, NS, "b")));
	assert_false(ae_xml_is_nil(c));
	assert_null(ae_xml_child(root, NS, "none"));
	/* an element with element children has no text */
	assert_int_equal(ae_xml_text(mem, root, 1024, &s), AE_ERR_PARSE);
	talloc_free(d);
}

static void test_refusals(void **state)
{
	TALLOC_CTX *mem = *state;
	char *deep = NULL, *many = NULL;
	uint8_t *big = NULL;
	struct ae_xml_doc *d = NULL;
	size_t i;

	refused(mem, "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"b\">]><r>&a;</r>",
		AE_ERR_PARSE);
	/* billion laughs */
	refused(mem, "<!DOCTYPE l [<!ENTITY l0 \"ha\"><!ENTITY l1 \"&l0;&l0;&l0;&l0;\">"
		"<!ENTITY l2 \"&l1;&l1;&l1;&l1;\"><!ENTITY l3 \"&l2;&l2;&l2;&l2;\">]><l>&l3;</l>",
		AE_ERR_PARSE);
	/* an external entity, and an external DTD */
	refused(mem, "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
		AE_ERR_PARSE);
	refused(mem, "<!DOCTYPE r SYSTEM \"http://192.0.2.1/r.dtd\"><r/>", AE_ERR_PARSE);
	refused(mem, "<r>&undeclared;</r>", AE_ERR_PARSE);
	refused(mem, "<r/><trailing/>", AE_ERR_PARSE);
	refused(mem, "<r/>garbage", AE_ERR_PARSE);
	refused(mem, "<r><a></r>", AE_ERR_PARSE);
	refused(mem, "<p:r/>", AE_ERR_PARSE);
	refused(mem, "not xml", AE_ERR_PARSE);
	assert_int_equal(ae_xml_parse(mem, (const uint8_t *)"", 0, &d), AE_ERR_PARSE);
	/* depth: 64 nested elements pass, 65 do not */
	deep = talloc_strdup(mem, "");
	for (i = 0; i < AE_XML_MAX_DEPTH; i++) {
		deep = talloc_asprintf_append(deep, "<e>");
	}
	deep = talloc_asprintf_append(deep, "x");
	for (i = 0; i < AE_XML_MAX_DEPTH; i++) {
		deep = talloc_asprintf_append(deep, "</e>");
	}
	assert_int_equal(parse_str(mem, deep, &d), AE_OK);
	TALLOC_FREE(d);
	talloc_free(deep);
	deep = talloc_strdup(mem, "<e>");
	for (i = 0; i < AE_XML_MAX_DEPTH; i++) {
		deep = talloc_asprintf_append(deep, "<e>");
	}
	deep = talloc_asprintf_append(deep, "x");
	for (i = 0; i <= AE_XML_MAX_DEPTH; i++) {
		deep = talloc_asprintf_append(deep, "</e>");
	}
	refused(mem, deep, AE_ERR_TOO_LARGE);
	talloc_free(deep);
	/* node count */
	many = talloc_array(mem, char, 3 + 4 * (size_t)AE_XML_MAX_NODES + 4 + 1);
	assert_non_null(many);
	memcpy(many, "<r>", 3);
	for (i = 0; i < AE_XML_MAX_NODES; i++) {
		memcpy(many + 3 + 4 * i, "<a/>", 4);
	}
	memcpy(many + 3 + 4 * i, "</r>", 5);
	refused(mem, many, AE_ERR_TOO_LARGE);
	talloc_free(many);
	/* size */
	big = talloc_zero_array(mem, uint8_t, AE_XML_MAX_LEN + 1);
	assert_non_null(big);
	assert_int_equal(ae_xml_parse(mem, big, AE_XML_MAX_LEN + 1, &d), AE_ERR_TOO_LARGE);
	assert_null(d);
	talloc_free(big);
}

static const xmlNode *value_doc(TALLOC_CTX *mem, const char *text, struct ae_xml_doc **d)
{
	char *s = talloc_asprintf(mem, "<v>%s</v>", text);

	assert_int_equal(parse_str(mem, s, d), AE_OK);
	talloc_free(s);
	return ae_xml_root(*d);
}

static ae_err u(TALLOC_CTX *mem, const char *text, uint64_t max, uint64_t *v)
{
	struct ae_xml_doc *d = NULL;
	ae_err err = ae_xml_uint(value_doc(mem, text, &d), max, v);

	talloc_free(d);
	return err;
}

static ae_err i64(TALLOC_CTX *mem, const char *text, int64_t min, int64_t max, int64_t *v)
{
	struct ae_xml_doc *d = NULL;
	ae_err err = ae_xml_int(value_doc(mem, text, &d), min, max, v);

	talloc_free(d);
	return err;
}

static ae_err b(TALLOC_CTX *mem, const char *text, bool *v)
{
	struct ae_xml_doc *d = NULL;
	ae_err err = ae_xml_bool(value_doc(mem, text, &d), v);

	talloc_free(d);
	return err;
}

static void test_values(void **state)
{
	TALLOC_CTX *mem = *state;
	uint64_t v = 7;
	int64_t s = 7;
	bool t = false;

	assert_int_equal(u(mem, "0", 10, &v), AE_OK);
	assert_int_equal(v, 0);
	assert_int_equal(u(mem, " \n 4294967295\t", UINT32_MAX, &v), AE_OK);
	assert_int_equal(v, UINT32_MAX);
	v = 7;
	assert_int_equal(u(mem, "4294967296", UINT32_MAX, &v), AE_ERR_PARSE);
	assert_int_equal(u(mem, "18446744073709551616", UINT64_MAX, &v), AE_ERR_PARSE);
	assert_int_equal(u(mem, "-1", UINT32_MAX, &v), AE_ERR_PARSE);
	assert_int_equal(u(mem, "+1", UINT32_MAX, &v), AE_ERR_PARSE);
	assert_int_equal(u(mem, "01", UINT32_MAX, &v), AE_ERR_PARSE);
	assert_int_equal(u(mem, "1 2", UINT32_MAX, &v), AE_ERR_PARSE);
	assert_int_equal(u(mem, "", UINT32_MAX, &v), AE_ERR_PARSE);
	assert_int_equal(u(mem, "0x10", UINT32_MAX, &v), AE_ERR_PARSE);
	assert_int_equal(v, 7);
	assert_int_equal(i64(mem, "-2147483648", INT32_MIN, INT32_MAX, &s), AE_OK);
	assert_int_equal(s, INT32_MIN);
	assert_int_equal(i64(mem, "-9223372036854775808", INT64_MIN, INT64_MAX, &s), AE_OK);
	assert_true(s == INT64_MIN);
	assert_int_equal(i64(mem, "-2147483649", INT32_MIN, INT32_MAX, &s), AE_ERR_PARSE);
	assert_int_equal(i64(mem, "2147483648", INT32_MIN, INT32_MAX, &s), AE_ERR_PARSE);
	assert_int_equal(i64(mem, "-0", INT32_MIN, INT32_MAX, &s), AE_ERR_PARSE);
	assert_int_equal(i64(mem, "-", INT32_MIN, INT32_MAX, &s), AE_ERR_PARSE);
	assert_int_equal(i64(mem, "-5", 0, 10, &s), AE_ERR_PARSE);
	assert_int_equal(i64(mem, "-3", -5, -4, &s), AE_ERR_PARSE);
	assert_int_equal(i64(mem, "-4", -5, -4, &s), AE_OK);
	assert_int_equal(s, -4);
	assert_int_equal(b(mem, "true", &t), AE_OK);
	assert_true(t);
	assert_int_equal(b(mem, " 0 ", &t), AE_OK);
	assert_false(t);
	assert_int_equal(b(mem, "TRUE", &t), AE_ERR_PARSE);
	assert_int_equal(b(mem, "yes", &t), AE_ERR_PARSE);
}

static void b64(TALLOC_CTX *mem, const char *in, const char *want, ae_err want_err)
{
	uint8_t *out = NULL;
	size_t len = 0;

	assert_int_equal(ae_base64_decode(mem, in, strlen(in), 64, &out, &len), want_err);
	if (want_err == AE_OK) {
		assert_int_equal(len, strlen(want));
		assert_memory_equal(out, want, len);
		talloc_free(out);
	} else {
		assert_null(out);
	}
}

static void test_base64(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_xml_doc *d = NULL;
	uint8_t *out = NULL;
	size_t len = 0;

	/* RFC 4648 §10 */
	b64(mem, "Zg==", "f", AE_OK);
	b64(mem, "Zm8=", "fo", AE_OK);
	b64(mem, "Zm9v", "foo", AE_OK);
	b64(mem, "Zm9vYg==", "foob", AE_OK);
	b64(mem, "Zm9v\r\nYmE=", "fooba", AE_OK);
	b64(mem, "Zm9vYmFy", "foobar", AE_OK);
	b64(mem, "", "", AE_ERR_PARSE);
	b64(mem, "Zg=", "", AE_ERR_PARSE);
	b64(mem, "Zg", "", AE_ERR_PARSE);
	b64(mem, "Zh==", "", AE_ERR_PARSE);	/* non-zero bits under the padding */
	b64(mem, "Zg==Zg==", "", AE_ERR_PARSE);	/* padding before the end */
	b64(mem, "Z===", "", AE_ERR_PARSE);
	b64(mem, "Zm9*", "", AE_ERR_PARSE);
	assert_int_equal(ae_base64_decode(mem, "Zm9vYmFy", 8, 5, &out, &len), AE_ERR_TOO_LARGE);
	assert_int_equal(ae_base64_decode(mem, "Zm9vYmFy", 8, 6, &out, &len), AE_OK);
	talloc_free(out);
	out = NULL;
	assert_int_equal(ae_xml_base64(mem, value_doc(mem, "\n  Zm9v\n  YmFy\n", &d), 64, &out,
				       &len), AE_OK);
	assert_int_equal(len, 6);
	talloc_free(out);
	talloc_free(d);
}

static void test_soap(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_xml_doc *d = NULL;
	struct ae_soap_fault *f = NULL;
	const xmlNode *first = NULL;

	assert_int_equal(parse_str(mem, "<s:Envelope xmlns:s=\"" AE_SOAP12_NS "\"><s:Header/>"
				   "<s:Body><x:R xmlns:x=\"" NS "\"/></s:Body></s:Envelope>", &d),
			 AE_OK);
	assert_int_equal(ae_soap_body_first(d, &first), AE_OK);
	assert_true(ae_xml_is(first, NS, "R"));
	assert_false(ae_soap_is_fault(first));
	TALLOC_FREE(d);
	first = NULL;
	/* SOAP 1.1, an empty Body, a second Body */
	assert_int_equal(parse_str(mem, "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/"
				   "envelope/\"><s:Body><R/></s:Body></s:Envelope>", &d), AE_OK);
	assert_int_equal(ae_soap_body_first(d, &first), AE_ERR_PARSE);
	TALLOC_FREE(d);
	assert_int_equal(parse_str(mem, "<s:Envelope xmlns:s=\"" AE_SOAP12_NS "\"><s:Body/>"
				   "</s:Envelope>", &d), AE_OK);
	assert_int_equal(ae_soap_body_first(d, &first), AE_ERR_PARSE);
	TALLOC_FREE(d);
	assert_int_equal(parse_str(mem, "<s:Envelope xmlns:s=\"" AE_SOAP12_NS "\"><s:Body><R/>"
				   "</s:Body><s:Body/></s:Envelope>", &d), AE_OK);
	assert_int_equal(ae_soap_body_first(d, &first), AE_ERR_PARSE);
	assert_null(first);
	TALLOC_FREE(d);

	assert_int_equal(parse_str(mem, "<s:Envelope xmlns:s=\"" AE_SOAP12_NS "\" xmlns:a=\""
				   AE_WSA_NS "\"><s:Body><s:Fault><s:Code><s:Value>s:Receiver"
				   "</s:Value><s:Subcode><s:Value>a:InternalServiceFault</s:Value>"
				   "</s:Subcode></s:Code><s:Reason><s:Text xml:lang=\"en-US\">"
				   "Denied by Policy Module</s:Text></s:Reason><s:Detail><D xmlns="
				   "\"" NS "\"/></s:Detail></s:Fault></s:Body></s:Envelope>", &d),
			 AE_OK);
	assert_int_equal(ae_soap_body_first(d, &first), AE_OK);
	assert_true(ae_soap_is_fault(first));
	assert_int_equal(ae_soap_fault_parse(mem, first, &f), AE_OK);
	assert_string_equal(f->code, "s:Receiver");
	assert_string_equal(f->code_local, "Receiver");
	assert_string_equal(f->subcode_local, "InternalServiceFault");
	assert_string_equal(f->reason, "Denied by Policy Module");
	assert_true(ae_xml_is(ae_xml_first(f->detail), NS, "D"));
	TALLOC_FREE(f);
	TALLOC_FREE(d);
	/* a Fault without Code */
	assert_int_equal(parse_str(mem, "<s:Fault xmlns:s=\"" AE_SOAP12_NS "\"><s:Reason>"
				   "<s:Text>x</s:Text></s:Reason></s:Fault>", &d), AE_OK);
	assert_int_equal(ae_soap_fault_parse(mem, ae_xml_root(d), &f), AE_ERR_PARSE);
	assert_null(f);
	TALLOC_FREE(d);
}

/* A WSTEP fault whose Detail holds the given CertificateEnrollmentWSDetail children. */
static ae_err wstep(TALLOC_CTX *mem, const char *children, struct ae_wstep_fault_detail **w)
{
	char *doc = talloc_asprintf(mem, "<s:Fault xmlns:s=\"" AE_SOAP12_NS "\" xmlns:xsi=\""
				    AE_XML_NS_XSI "\"><s:Code><s:Value>s:Receiver</s:Value>"
				    "</s:Code><s:Reason><s:Text>denied</s:Text></s:Reason>"
				    "<s:Detail><CertificateEnrollmentWSDetail xmlns=\"" AE_WSTEP_NS
				    "\">%s</CertificateEnrollmentWSDetail></s:Detail></s:Fault>",
				    children);
	struct ae_xml_doc *d = NULL;
	struct ae_soap_fault *f = NULL;
	ae_err err;

	assert_int_equal(parse_str(mem, doc, &d), AE_OK);
	assert_int_equal(ae_soap_fault_parse(mem, ae_xml_root(d), &f), AE_OK);
	err = ae_soap_wstep_detail(mem, f, w);
	talloc_free(f);
	talloc_free(d);
	talloc_free(doc);
	return err;
}

static void test_wstep_detail(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_wstep_fault_detail *w = NULL;
	struct ae_xml_doc *d = NULL;
	struct ae_soap_fault *f = NULL;

	/* CERTSRV_E_TEMPLATE_DENIED as xs:int, a request ID, a binary response */
	assert_int_equal(wstep(mem, "<BinaryResponse>Zm9vYmFy</BinaryResponse>"
			       "<ErrorCode>-2146877422</ErrorCode><InvalidRequest>false"
			       "</InvalidRequest><RequestID>42</RequestID>", &w), AE_OK);
	assert_int_equal(w->hresult, 0x80094012u);
	assert_string_equal(w->request_id, "42");
	assert_false(w->invalid_request);
	assert_int_equal(w->binary_response_len, 6);
	assert_int_equal(w->present, AE_WSTEP_HAS_ERROR_CODE | AE_WSTEP_HAS_INVALID_REQUEST |
			 AE_WSTEP_HAS_REQUEST_ID | AE_WSTEP_HAS_BINARY_RESPONSE);
	TALLOC_FREE(w);
	/* nil values */
	assert_int_equal(wstep(mem, "<BinaryResponse xsi:nil=\"true\"/><ErrorCode>"
			       "2148089874</ErrorCode><RequestID xsi:nil=\"true\"/>", &w), AE_OK);
	assert_int_equal(w->hresult, 0x80094012u);
	assert_null(w->request_id);
	assert_null(w->binary_response);
	assert_int_equal(w->present, AE_WSTEP_HAS_ERROR_CODE);
	TALLOC_FREE(w);
	/* wrong syntax */
	assert_int_equal(wstep(mem, "<ErrorCode>0x80094014</ErrorCode>", &w), AE_ERR_PARSE);
	assert_int_equal(wstep(mem, "<ErrorCode>4294967296</ErrorCode>", &w), AE_ERR_PARSE);
	assert_int_equal(wstep(mem, "<RequestID>4a</RequestID>", &w), AE_ERR_PARSE);
	assert_int_equal(wstep(mem, "<RequestID></RequestID>", &w), AE_ERR_PARSE);
	assert_int_equal(wstep(mem, "<BinaryResponse>Zm9=</BinaryResponse>", &w), AE_ERR_PARSE);
	assert_int_equal(wstep(mem, "<InvalidRequest>maybe</InvalidRequest>", &w), AE_ERR_PARSE);
	assert_null(w);
	/* a fault without Detail */
	assert_int_equal(parse_str(mem, "<s:Fault xmlns:s=\"" AE_SOAP12_NS "\"><s:Code><s:Value>"
				   "s:Sender</s:Value></s:Code></s:Fault>", &d), AE_OK);
	assert_int_equal(ae_soap_fault_parse(mem, ae_xml_root(d), &f), AE_OK);
	assert_null(f->subcode);
	assert_null(f->reason);
	assert_int_equal(ae_soap_wstep_detail(mem, f, &w), AE_ERR_NOT_FOUND);
	assert_null(w);
	TALLOC_FREE(f);
	TALLOC_FREE(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_navigate, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_refusals, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_values, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_base64, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_soap, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_wstep_detail, leak_setup, leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
