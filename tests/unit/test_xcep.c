/*
 * test_xcep.c: the MS-XCEP GetPoliciesResponse reader (ae_xcep_parse_response)
 * on a response written from [MS-XCEP] 3.1.4.1.1.2 / 3.1.4.1.3
 * (tests/unit/data/xcep_response.xml), its refusals (each one mutation of
 * that response), and the GetPolicies request builder. Every test checks
 * that nothing leaks (leak_check.h) and that a refusal leaves nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_file.h"
#include "ae_soap.h"
#include "ae_xcep.h"
#include "ae_xcep_file.h"
#include "ae_xml.h"
#include "leak_check.h"
#include "read_file.h"

#define DATA SRCDIR "/tests/unit/data/"

/* A file of tests/unit/data, whole and NUL-terminated. */
static char *load(TALLOC_CTX *mem, const char *name, size_t *len)
{
	return (char *)read_test_file(mem, DATA, name, 1 << 20, len);
}

/* The response with the first occurrence of from replaced by to. */
static char *mutate(TALLOC_CTX *mem, const char *from, const char *to)
{
	size_t len = 0;
	char *s = load(mem, "xcep_response.xml", &len);
	char *at = strstr(s, from);
	char *out;

	assert_non_null(at);
	out = talloc_asprintf(mem, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
	talloc_free(s);
	assert_non_null(out);
	return out;
}

static void refused_doc(TALLOC_CTX *mem, const char *doc, ae_err want, const char *why_has)
{
	struct ae_xcep_response *r = NULL;
	char why[256] = "";
	size_t before = talloc_total_blocks(mem);

	assert_int_equal(ae_xcep_parse_response(mem, (const uint8_t *)doc, strlen(doc), &r,
						why, sizeof(why)), want);
	assert_null(r);
	if (strstr(why, why_has) == NULL) {
		print_error("why '%s' lacks '%s'\n", why, why_has);
		fail();
	}
	assert_int_equal(talloc_total_blocks(mem), before);
}

static void refused(TALLOC_CTX *mem, const char *from, const char *to, ae_err want,
		    const char *why_has)
{
	char *doc = mutate(mem, from, to);

	refused_doc(mem, doc, want, why_has);
	talloc_free(doc);
}

static void check_machine(const struct ae_template *t)
{
	assert_string_equal(t->cn, "LabMachine");
	assert_null(t->dn);
	assert_null(t->sd);
	assert_string_equal(t->display_name, "Lab Machine");
	assert_string_equal(t->oid, "1.3.6.1.4.1.311.21.8.1000001.1000.1");
	assert_int_equal(t->schema_version, 2);
	assert_int_equal(t->major_revision, 100);
	assert_int_equal(t->minor_revision, 3);
	assert_int_equal(t->flags, 131680);
	assert_int_equal(t->enrollment_flag, CT_FLAG_AUTO_ENROLLMENT);
	assert_int_equal(t->name_flag, CT_FLAG_SUBJECT_REQUIRE_DIRECTORY_PATH |
			 CT_FLAG_SUBJECT_ALT_REQUIRE_DNS);
	assert_int_equal(t->private_key_flag, 0);
	assert_true(t->present & AE_TPL_HAS_PRIVATE_KEY_FLAG);
	assert_int_equal(t->min_key_size, 2048);
	assert_int_equal(t->default_key_spec, AE_AT_KEYEXCHANGE);
	assert_int_equal(t->expiration_s, 31536000);
	assert_int_equal(t->overlap_s, 3628800);
	assert_true(t->present & AE_TPL_HAS_XCEP_PERMISSION);
	assert_true(t->xcep_permission.enroll);
	assert_true(t->xcep_permission.auto_enroll);
	assert_string_equal(t->hash_algorithm_oid, "2.16.840.1.101.3.4.2.1");
	assert_string_equal(t->ra.hash_algorithm, "SHA256");
	assert_string_equal(t->key_algorithm_oid, "1.2.840.113549.1.1.1");
	assert_false(t->ra.present & AE_RA_HAS_KEY_USAGE);	/* nil */
	assert_int_equal(t->num_csps, 2);
	assert_int_equal(t->csps[0].priority, 1);
	assert_string_equal(t->csps[1].name, "Microsoft Software Key Storage Provider");
	assert_int_equal(t->num_supersede, 2);
	assert_string_equal(t->supersede[0], "Machine");
	assert_string_equal(t->supersede[1], "OldLabMachine");
	assert_false(t->present & AE_TPL_HAS_RA_SIGNATURE);
	assert_int_equal(t->num_extensions, 2);
	assert_string_equal(t->extensions[0].oid, "2.5.29.37");
	assert_false(t->extensions[0].critical);
	assert_int_equal(t->extensions[0].value_len, 22);
	assert_string_equal(t->extensions[1].oid, "2.5.29.15");
	assert_true(t->extensions[1].critical);
	assert_int_equal(t->extensions[1].value_len, 4);
	assert_int_equal(t->extensions[1].value[3], 0xa0);
	assert_int_equal(t->num_ca_refs, 2);
	assert_int_equal(t->ca_refs[0], 1);
	assert_int_equal(t->ca_refs[1], 0);
}

static void check_web(const struct ae_template *t)
{
	assert_string_equal(t->cn, "LabWebServer");
	assert_null(t->display_name);
	assert_int_equal(t->schema_version, 4);
	assert_true(t->xcep_permission.enroll);
	assert_false(t->xcep_permission.auto_enroll);
	assert_false(t->present & AE_TPL_HAS_KEY_SPEC);
	assert_true(t->ra.present & AE_RA_HAS_KEY_USAGE);
	assert_int_equal(t->ra.key_usage, AE_RA_KEY_USAGE_SIGN);
	assert_null(t->key_algorithm_oid);
	assert_int_equal(t->num_csps, 0);
	assert_int_equal(t->num_supersede, 0);
	assert_string_equal(t->ra.hash_algorithm, "SHA384");
	assert_int_equal(t->private_key_flag, 101056512);
	assert_int_equal(t->ra_signatures, 1);
	assert_int_equal(t->ra_syntax, AE_RA_SYNTAX_OIDS);
	assert_int_equal(t->num_ra_app_policies, 1);
	assert_string_equal(t->ra_app_policies[0], "1.3.6.1.4.1.311.20.2.1");
	assert_int_equal(t->num_ra_policies, 0);
	assert_int_equal(t->num_extensions, 0);
	assert_int_equal(t->num_ca_refs, 1);
}

static void test_response(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_xcep_response *r = NULL;
	const struct ae_xcep_ca *ca;
	size_t len = 0, der_len = 0;
	char *doc = load(mem, "xcep_response.xml", &len);
	uint8_t *der = (uint8_t *)load(mem, "xcep_ca1.der", &der_len);
	char why[256] = "";

	assert_int_equal(ae_xcep_parse_response(mem, (const uint8_t *)doc, len, &r, why,
						sizeof(why)), AE_OK);
	assert_string_equal(r->policy_id, "{5A1B2C3D-0E9F-4A8B-9C7D-112233445566}");
	assert_string_equal(r->friendly_name, "Lab & Test Enrollment Policy");
	assert_true(r->has_next_update);
	assert_int_equal(r->next_update_hours, 8);
	assert_false(r->policies_not_changed);
	assert_int_equal(r->num_oids, 8);
	assert_null(r->oids[2].default_name);
	assert_int_equal(r->num_templates, 2);
	check_machine(r->templates[0]);
	check_web(r->templates[1]);
	assert_int_equal(r->num_cas, 2);
	ca = ae_xcep_find_ca(r, 0);
	assert_non_null(ca);
	assert_int_equal(ca->num_uris, 2);
	assert_int_equal(ca->uris[0].client_auth, AE_XCEP_AUTH_KERBEROS);
	assert_string_equal(ca->uris[0].uri,
			    "https://ces1.lab.example.com/Lab-CA-1_CES_Kerberos/service.svc/CES");
	assert_int_equal(ca->uris[1].client_auth, AE_XCEP_AUTH_CERTIFICATE);
	assert_int_equal(ca->uris[1].priority, 2);
	assert_true(ca->uris[1].renewal_only);
	assert_true(ca->enroll_permission);
	assert_int_equal(ca->cert_len, der_len);
	assert_memory_equal(ca->cert, der, der_len);
	ca = ae_xcep_find_ca(r, 1);
	assert_non_null(ca);
	assert_int_equal(ca->uris[0].client_auth, AE_XCEP_AUTH_PASSWORD);
	assert_false(ca->enroll_permission);
	assert_null(ae_xcep_find_ca(r, 2));
	talloc_free(r);
	talloc_free(der);
	talloc_free(doc);
}

/* A saved response: the bare GetPoliciesResponse, with only what is required. */
static void test_minimal(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_xcep_response *r = NULL;
	const char *doc =
		"<GetPoliciesResponse xmlns=\"" AE_XCEP_NS "\" xmlns:xsi=\"" AE_XML_NS_XSI "\">"
		"<response><policyID>p</policyID><policyFriendlyName xsi:nil=\"true\"/>"
		"<nextUpdateHours xsi:nil=\"true\"/><policiesNotChanged>true</policiesNotChanged>"
		"<policies xsi:nil=\"true\"/></response><cAs xsi:nil=\"true\"/>"
		"<oIDs xsi:nil=\"true\"/></GetPoliciesResponse>";

	assert_int_equal(ae_xcep_parse_response(mem, (const uint8_t *)doc, strlen(doc), &r,
						NULL, 0), AE_OK);
	assert_string_equal(r->policy_id, "p");
	assert_null(r->friendly_name);
	assert_false(r->has_next_update);
	assert_true(r->policies_not_changed);
	assert_int_equal(r->num_templates + r->num_cas + r->num_oids, 0);
	talloc_free(r);
}

static void test_refusals(void **state)
{
	TALLOC_CTX *mem = *state;

	refused(mem, "<policyOIDReference>8<", "<policyOIDReference>99<", AE_ERR_PARSE,
		"names no OID");
	refused(mem, "<oIDReference>4<", "<oIDReference>40<", AE_ERR_PARSE, "names no OID");
	refused(mem, "<cAReference>1<", "<cAReference>5<", AE_ERR_PARSE, "names no CA");
	refused(mem, "<cAReferenceID>1<", "<cAReferenceID>0<", AE_ERR_PARSE, "given twice");
	refused(mem, "<oIDReferenceID>9<", "<oIDReferenceID>2<", AE_ERR_PARSE, "given twice");
	refused(mem, "<minimalKeyLength>2048<", "<minimalKeyLength>-2048<", AE_ERR_PARSE,
		"minimalKeyLength");
	refused(mem, "<majorRevision>100<", "<majorRevision>4294967296<", AE_ERR_PARSE,
		"majorRevision");
	refused(mem, "<generalFlags>131680<", "<generalFlags>4294967296<", AE_ERR_PARSE,
		"generalFlags");
	refused(mem, "<subjectNameFlags>1<", "<subjectNameFlags>-2147483649<", AE_ERR_PARSE,
		"subjectNameFlags");
	refused(mem, "<keySpec>1<", "<keySpec>01<", AE_ERR_PARSE, "keySpec");
	refused(mem, "<autoEnroll>false<", "<autoEnroll>no<", AE_ERR_PARSE, "autoEnroll");
	refused(mem, "<nextUpdateHours>8<", "<nextUpdateHours>8h<", AE_ERR_PARSE,
		"nextUpdateHours");
	refused(mem, "<commonName>LabWebServer</commonName>", "", AE_ERR_PARSE, "commonName");
	refused(mem, "<policySchema>4</policySchema>", "", AE_ERR_PARSE, "policySchema");
	refused(mem, "<enroll>true</enroll>", "", AE_ERR_PARSE, "enroll");
	refused(mem, "<value>AwIFoA==<", "<value>AwIFoA=<", AE_ERR_PARSE, "extension/value");
	refused(mem, "https://ces2", "http://ces2", AE_ERR_PARSE, "not an https URL");
	refused(mem, "<value>2.5.29.15<", "<value>2.5.29.15x<", AE_ERR_PARSE, "dotted OID");
	refused(mem, "xmlns=\"http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy\"",
		"xmlns=\"http://schemas.microsoft.com/windows/pki/2009/02/enrollmentpolicy\"",
		AE_ERR_PARSE, "not an MS-XCEP GetPoliciesResponse");
	refused(mem, "</s:Envelope>", "</s:Envelope><trailing/>", AE_ERR_PARSE, "Extra content");
	refused(mem, "<s:Envelope", "<!DOCTYPE s:Envelope [<!ENTITY l0 \"ha\"><!ENTITY l1 "
		"\"&l0;&l0;&l0;&l0;&l0;&l0;\">]><s:Envelope", AE_ERR_PARSE, "DOCTYPE");
	refused(mem, "<policyID>", "<policyID>&l1;", AE_ERR_PARSE, "not well-formed");
	refused(mem, "<s:Body", "<s:Header/><s:Body", AE_ERR_PARSE, "neither");
	refused_doc(mem, "<s:Envelope xmlns:s=\"" AE_SOAP12_NS "\"><s:Body><s:Fault><s:Code>"
		    "<s:Value>s:Receiver</s:Value></s:Code></s:Fault></s:Body></s:Envelope>",
		    AE_ERR_PARSE, "SOAP fault");
}

/* Counts above the caps, and a document above the size cap. */
static void test_caps(void **state)
{
	TALLOC_CTX *mem = *state;
	char *cas = talloc_strdup(mem, "");
	char *doc;
	uint8_t *big;
	struct ae_xcep_response *r = NULL;
	size_t i;

	for (i = 0; i <= AE_XCEP_CAS_MAX; i++) {
		cas = talloc_asprintf_append_buffer(cas, "<cA><uris><cAURI><clientAuthentication>2"
						    "</clientAuthentication><uri>https://h/%zu</uri>"
						    "</cAURI></uris><cAReferenceID>%zu"
						    "</cAReferenceID></cA>", i, i + 10);
	}
	cas = talloc_strdup_append_buffer(cas, "</cAs>\n      <oIDs>");
	assert_non_null(cas);
	/* 65 CAs more, after the response's two */
	doc = mutate(mem, "</cAs>\n      <oIDs>", cas);
	talloc_free(cas);
	refused_doc(mem, doc, AE_ERR_TOO_LARGE, "more than 64 cAs");
	talloc_free(doc);
	big = talloc_zero_array(mem, uint8_t, AE_XML_MAX_LEN + 1);
	assert_non_null(big);
	assert_int_equal(ae_xcep_parse_response(mem, big, AE_XML_MAX_LEN + 1, &r, NULL, 0),
			 AE_ERR_TOO_LARGE);
	assert_null(r);
	talloc_free(big);
}

static void test_request(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_xml_doc *d = NULL;
	const xmlNode *gp = NULL, *client, *filter, *n;
	char *xml = NULL, *s = NULL;
	size_t len = 0;

	assert_int_equal(ae_xcep_build_request(mem, "https://cep.example.com/a?b=1&c=<2>", 6, 5,
					       1700000000, &xml, &len), AE_OK);
	assert_int_equal(strlen(xml), len);
	assert_int_equal(ae_xml_parse(mem, (const uint8_t *)xml, len, &d), AE_OK);
	assert_int_equal(ae_soap_body_first(d, &gp), AE_OK);
	assert_true(ae_xml_is(gp, AE_XCEP_NS, "GetPolicies"));
	n = ae_xml_child(ae_xml_first(ae_xml_root(d)), AE_WSA_NS, "To");
	assert_int_equal(ae_xml_text(mem, n, 256, &s), AE_OK);
	assert_string_equal(s, "https://cep.example.com/a?b=1&c=<2>");
	TALLOC_FREE(s);
	n = ae_xml_child(ae_xml_first(ae_xml_root(d)), AE_WSA_NS, "Action");
	assert_int_equal(ae_xml_text(mem, n, 256, &s), AE_OK);
	assert_string_equal(s, AE_XCEP_ACTION_GET_POLICIES);
	TALLOC_FREE(s);
	client = ae_xml_child(gp, AE_XCEP_NS, "client");
	assert_int_equal(ae_xml_text(mem, ae_xml_child(client, AE_XCEP_NS, "lastUpdate"), 64, &s),
			 AE_OK);
	assert_string_equal(s, "2023-11-14T22:13:20Z");
	TALLOC_FREE(s);
	assert_true(ae_xml_is_nil(ae_xml_child(client, AE_XCEP_NS, "preferredLanguage")));
	filter = ae_xml_child(gp, AE_XCEP_NS, "requestFilter");
	assert_true(ae_xml_is_nil(ae_xml_child(filter, AE_XCEP_NS, "policyOIDs")));
	assert_int_equal(ae_xml_text(mem, ae_xml_child(filter, AE_XCEP_NS, "clientVersion"), 64,
				     &s), AE_OK);
	assert_string_equal(s, "6");
	TALLOC_FREE(s);
	assert_int_equal(ae_xml_text(mem, ae_xml_child(filter, AE_XCEP_NS, "serverVersion"), 64,
				     &s), AE_OK);
	assert_string_equal(s, "5");
	TALLOC_FREE(s);
	TALLOC_FREE(d);
	TALLOC_FREE(xml);
	/* no last update: nil */
	assert_int_equal(ae_xcep_build_request(mem, "https://cep/", 6, 5, 0, &xml, &len), AE_OK);
	assert_int_equal(ae_xml_parse(mem, (const uint8_t *)xml, len, &d), AE_OK);
	assert_int_equal(ae_soap_body_first(d, &gp), AE_OK);
	assert_true(ae_xml_is_nil(ae_xml_child(ae_xml_child(gp, AE_XCEP_NS, "client"),
					       AE_XCEP_NS, "lastUpdate")));
	TALLOC_FREE(d);
	TALLOC_FREE(xml);
	/* plain http is refused */
	assert_int_equal(ae_xcep_build_request(mem, "http://cep/", 6, 5, 0, &xml, &len),
			 AE_ERR_INVALID);
	assert_null(xml);
}

/* `autoenroll xcep FILE`: the engine's reader and printer (text and JSON). */
static void test_file(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_xcep_file_result *r = NULL;
	char *out = NULL;
	size_t out_len = 0;
	FILE *f;

	assert_int_equal(ae_xcep_file(mem, DATA "xcep_response.xml", &r), AE_OK);
	f = open_memstream(&out, &out_len);
	assert_non_null(f);
	assert_int_equal(ae_xcep_print(f, r, false), AE_OK);
	fclose(f);
	assert_non_null(strstr(out, "policy LabMachine (Lab Machine)\n"));
	assert_non_null(strstr(out, "permission enroll yes  autoEnroll no\n"));
	assert_non_null(strstr(out, "name 0x88000000"));
	assert_non_null(strstr(out, "auth 8  priority 2  renewal only\n"));
	free(out);
	out = NULL;
	f = open_memstream(&out, &out_len);
	assert_non_null(f);
	assert_int_equal(ae_xcep_print(f, r, true), AE_OK);
	fclose(f);
	assert_non_null(strstr(out, "\"friendly_name\":\"Lab & Test Enrollment Policy\""));
	assert_non_null(strstr(out, "\"cas\":[1,0]"));
	assert_non_null(strstr(out, "\"client_authentication\":4"));
	assert_true(out[0] == '{' && out[out_len - 2] == '}' && out[out_len - 1] == '\n');
	free(out);
	TALLOC_FREE(r);
	/* unreadable and invalid files name the file and the cause */
	assert_int_equal(ae_xcep_file(mem, DATA "no-such-file.xml", &r), AE_ERR_NOT_FOUND);
	assert_non_null(strstr(r->error, "no-such-file.xml"));
	TALLOC_FREE(r);
	assert_int_equal(ae_xcep_file(mem, DATA "xcep_ca1.der", &r), AE_ERR_PARSE);
	assert_non_null(strstr(r->error, "is not a valid MS-XCEP GetPoliciesResponse"));
	TALLOC_FREE(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_response, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_minimal, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_refusals, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_caps, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_request, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_file, leak_setup, leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
