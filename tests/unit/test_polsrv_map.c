/*
 * test_polsrv_map.c: an MS-XCEP GetPoliciesResponse (the saved response
 * tests/unit/data/xcep_response.xml) onto the report's model
 * (ae_polsrv_map.c): the synthesized Enrollment Services (sanitized CN,
 * best URI's host, certificate, the templates naming them), eligibility
 * against the server's own CAs with a template's dn and sd NULL, and the
 * report's append with a template offered twice kept from the first server.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "leak_check.h"
#include "ae_eligibility.h"
#include "ae_file.h"
#include "ae_pki.h"
#include "ae_policy_report.h"
#include "ae_polsrv.h"
#include "ae_polsrv_private.h"
#include "ae_token.h"
#include "ae_xcep.h"

#define DATA SRCDIR "/tests/unit/data/"

static struct ae_xcep_response *load(TALLOC_CTX *mem)
{
	struct ae_xcep_response *resp = NULL;
	uint8_t *p = NULL;
	size_t len = 0;
	char why[256] = "";

	assert_int_equal(ae_file_read(mem, DATA "xcep_response.xml", 1 << 20, &p, &len), AE_OK);
	assert_int_equal(ae_xcep_parse_response(mem, p, len, &resp, why, sizeof(why)), AE_OK);
	talloc_free(p);
	return resp;
}

static void test_names(void **state)
{
	char *s = ae_polsrv_sanitize_cn(*state, "Lab/CA:x y");

	assert_string_equal(s, "Lab!002fCA!003ax y");
	talloc_free(s);
	s = ae_polsrv_url_host(*state, "https://ces1.lab:8443/CES");
	assert_string_equal(s, "ces1.lab");
	talloc_free(s);
	s = ae_polsrv_url_host(*state, "https://[fd00::1]:443/x");
	assert_string_equal(s, "fd00::1");
	talloc_free(s);
	assert_null(ae_polsrv_url_host(*state, "http://x/"));
	assert_null(ae_polsrv_url_host(*state, "https:///x"));
}

static void test_cas(void **state)
{
	struct ae_xcep_response *resp = load(*state);
	struct ae_enrollment_service **cas = NULL;
	size_t n = 0;

	assert_int_equal(ae_polsrv_xcep_cas(*state, resp, 3, &cas, &n), AE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(cas[0]->cn, "Lab Issuing CA 1");
	/* priority 1, not the renewal-only one */
	assert_string_equal(cas[0]->dns_host, "ces1.lab.example.com");
	assert_null(cas[0]->dn);
	assert_int_equal(cas[0]->num_ca_certs, 1);
	assert_memory_equal(cas[0]->ca_certs[0].der, resp->cas[0].cert, resp->cas[0].cert_len);
	assert_ptr_equal(cas[0]->xcep_ca, &resp->cas[0]);
	assert_int_equal(cas[0]->polsrv, 3);
	/* LabMachine names CAs 1 and 0, LabWebServer CA 0 */
	assert_int_equal(cas[0]->num_templates, 2);
	assert_string_equal(cas[0]->templates[0], "LabMachine");
	assert_string_equal(cas[0]->templates[1], "LabWebServer");
	assert_string_equal(cas[1]->cn, "Lab Issuing CA 2");
	assert_string_equal(cas[1]->dns_host, "ces2.lab.example.com");
	assert_int_equal(cas[1]->num_templates, 1);
	assert_string_equal(cas[1]->templates[0], "LabMachine");
	talloc_free(cas);
	talloc_free(resp);
}

static struct ae_template *ldap_template(TALLOC_CTX *mem, const char *cn)
{
	struct ae_template *t = talloc_zero(mem, struct ae_template);

	t->cn = talloc_strdup(t, cn);
	t->dn = talloc_asprintf(t, "CN=%s,CN=Certificate Templates", cn);
	return t;
}

static void test_report_add_and_eligibility(void **state)
{
	struct ae_policy_report *r = talloc_zero(*state, struct ae_policy_report);
	struct ae_xcep_response *resp = load(r);
	struct ae_enrollment_service **cas = NULL;
	struct ae_template *ad[1];
	struct ae_eligibility *elig = NULL, *ad_elig = NULL;
	struct ae_token *tok = ae_token_new(r, &(struct ae_sid){ 0 });
	size_t n = 0;

	r->servers = talloc_zero_array(r, struct ae_polsrv, 2);
	r->num_servers = 2;
	r->servers[0].url = talloc_strdup(r, "LDAP:");
	r->servers[1].url = talloc_strdup(r, "https://cep.lab/CEP");
	/* the AD server offers LabWebServer first */
	ad[0] = ldap_template(r, "LabWebServer");
	assert_int_equal(ae_eligibility_compute(r, ad, 1, NULL, 0, tok, AE_CONTEXT_MACHINE, NULL,
						NULL, &ad_elig), AE_OK);
	assert_int_equal(ae_polsrv_report_add(r, 0, ad, 1, NULL, 0, ad_elig), AE_OK);
	/* the XCEP server: eligibility against its own CAs, no dn, no sd */
	assert_int_equal(ae_polsrv_xcep_cas(r, resp, 1, &cas, &n), AE_OK);
	assert_null(resp->templates[0]->dn);
	assert_null(resp->templates[0]->sd);
	assert_int_equal(ae_eligibility_compute(r, resp->templates, resp->num_templates, cas, n,
						tok, AE_CONTEXT_MACHINE, NULL, NULL, &elig), AE_OK);
	assert_int_equal(ae_polsrv_report_add(r, 1, resp->templates, resp->num_templates, cas, n,
					      elig), AE_OK);
	assert_int_equal(r->num_templates, 2);
	assert_ptr_equal(r->templates[0], ad[0]);
	assert_string_equal(r->templates[1]->cn, "LabMachine");
	assert_int_equal(r->servers[0].first_template, 0);
	assert_int_equal(r->servers[0].num_templates, 1);
	assert_int_equal(r->servers[1].first_template, 1);
	assert_int_equal(r->servers[1].num_templates, 1);
	assert_int_equal(r->num_cas, 2);
	/* the verdict is the XCEP permission's, and names the CAs that offer it */
	assert_int_equal(r->eligibility[1].code, AE_ELIGIBLE);
	assert_int_equal(r->eligibility[1].num_cas, 2);
	/* enroll permission withdrawn by the policy server: not eligible */
	resp->templates[0]->xcep_permission.auto_enroll = false;
	assert_int_equal(ae_eligibility_compute(r, resp->templates, 1, cas, n, tok,
						AE_CONTEXT_MACHINE, NULL, NULL, &elig), AE_OK);
	assert_int_not_equal(elig[0].code, AE_ELIGIBLE);
	/* the second LabWebServer is noted, naming both servers */
	assert_int_equal(r->num_errors, 1);
	assert_string_equal(r->errors[0].object, "LabWebServer");
	assert_string_equal(r->errors[0].attribute, "https://cep.lab/CEP");
	assert_non_null(strstr(r->errors[0].message, "LDAP:"));
	talloc_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_names, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_cas, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_report_add_and_eligibility, leak_setup,
						leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
