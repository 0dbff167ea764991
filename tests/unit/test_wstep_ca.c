/*
 * test_wstep_ca.c: MS-WSTEP as the step's CA call (ae_wstep_ca.c), through
 * the cycle's act phase (ae_cycle_dispatch) with a CA of an MS-XCEP policy
 * server, against the fake CES of wstep_fake_ces.h: issue, pending then
 * QueryTokenStatus on a later cycle, renewal (the CMS as #PKCS7), a denial
 * named by its HRESULT, the method's failures (a fault without a CA code,
 * an HTTP error, an answer to another message), and the pure helpers.
 * End point choice and authentication: test_wstep_ca_failover.c.
 *
 * Leak check: talloc null tracking (leak_check.h); OpenSSL objects are
 * covered by ASan's leak check.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "leak_check.h"
#include "pki_helpers.h"
#include "test_store_helpers.h"
#include "step_fake_ca.h"
#include "wstep_fake_ces.h"
#include "ae_utf16.h"
#include "cli_cycle.h"
#include "cli_output.h"

static void issue_installs_over_wstep(void **state)
{
	struct wcyc *y = wcyc_new(*state);
	struct ae_cycle_item *it;
	const char *body;

	y->e->ca.answer = FAKE_ISSUE;
	w_action(y, AE_ACTION_ENROLL);
	it = w_dispatch(y);
	assert_string_equal(it->result, "done");
	assert_int_equal(it->outcome, AE_OUTCOME_ISSUED);
	assert_string_equal(it->ca, CA_CN);
	assert_int_equal(it->request_id, 41);
	w_contains(it->reason, "issued by " CA_CN ", request 41, serial 1A01");
	w_contains(it->reason, "MS-WSTEP: " URL1 ", wstep kerberos");
	/* one message, to the CES, with the PKCS#10 and the template */
	assert_int_equal(y->ces.num_sent, 1);
	assert_int_equal(y->e->ca.calls, 1);
	assert_int_equal(y->r->requests, 1);
	assert_string_equal(y->ces.sent[0].url, URL1);
	assert_int_equal(y->ces.sent[0].auth, AE_HTTPS_AUTH_KERBEROS);
	assert_string_equal(y->ces.sent[0].soap_action, AE_WSTEP_ACTION_RST);
	body = y->ces.sent[0].body;
	w_contains(body, "<a:To s:mustUnderstand=\"1\">" URL1 "</a:To>");
	w_contains(body, "ValueType=\"" AE_WSTEP_VALUE_PKCS10 "\"");
	assert_null(strstr(body, "UsernameToken"));
	assert_string_equal(y->ces.got_template, TPL);
	assert_int_equal(y->ces.renewals, 0);
	assert_int_equal(y->ces.opts_auth[0], AE_XCEP_AUTH_KERBEROS);
	/* the certificate the CES sent, for the key the cycle made; the chain
	 * checked against the XCEP CA's certificate (svc->ca_certs) */
	assert_installed_for(y->e, y->c.keys[0]);
	assert_string_equal(tfile(y, y->e->store, TPL, ".crt"), y->e->ca.issued_pem);
	assert_int_equal(record(y->e)->status, AE_CERT_ISSUED);
	wcyc_free(y);
}

static void pending_then_query_token_status_installs(void **state)
{
	struct wcyc *y = wcyc_new(*state);
	struct ae_cycle_item *it;
	struct ae_store_state *rec;
	struct ae_key *key = NULL;

	y->e->ca.answer = FAKE_PENDING;
	w_action(y, AE_ACTION_ENROLL);
	it = w_dispatch(y);
	assert_string_equal(it->result, "pending");
	assert_int_equal(it->outcome, AE_OUTCOME_PENDING);
	assert_int_equal(it->request_id, 41);
	w_contains(it->reason, "CA " CA_CN " took request 41 under submission: Taken Under "
		   "Submission");
	w_contains(it->reason, URL1);
	rec = record(y->e);
	assert_int_equal(rec->status, AE_CERT_PENDING);
	assert_int_equal(rec->request_id, 41);
	assert_string_equal(rec->request_ca, CA_CN);
	key = y->c.keys[0];
	talloc_steal(y, key);

	/* a later cycle: the CA by name, QueryTokenStatus with the RequestID */
	y->e->ca.answer = FAKE_ISSUE;
	w_action(y, AE_ACTION_RETRIEVE);
	it = w_dispatch(y);
	assert_int_equal(y->ces.num_sent, 1);
	w_contains(y->ces.sent[0].body, AE_WSTEP_REQTYPE_QUERY);
	w_contains(y->ces.sent[0].body, ">41</RequestID>");
	assert_null(strstr(y->ces.sent[0].body, "BinarySecurityToken"));
	assert_int_equal(y->e->ca.got_id, 41);
	assert_string_equal(it->result, "done");
	assert_int_equal(it->outcome, AE_OUTCOME_ISSUED);
	w_contains(it->reason, "issued by " CA_CN ", request 41");
	assert_installed_for(y->e, key);
	assert_int_equal(record(y->e)->status, AE_CERT_ISSUED);
	assert_false(tpresent(y, y->e->store, TPL, ".key.new"));
	wcyc_free(y);
}

static void renewal_sends_the_cms_as_pkcs7(void **state)
{
	struct wcyc *y = wcyc_new(*state);
	struct pair old = first_pair(y->e);	/* serial 1A01, request 41 */
	struct ae_cycle_item *it;

	y->e->ca.answer = FAKE_ISSUE;
	w_action(y, AE_ACTION_RENEW);
	it = w_dispatch(y);
	assert_string_equal(it->result, "done");
	w_contains(it->reason, "issued by " CA_CN ", request 42, serial 1A02");
	assert_int_equal(y->ces.num_sent, 1);
	w_contains(y->ces.sent[0].body, "ValueType=\"" AE_WSTEP_VALUE_PKCS7 "\"");
	/* the CMS of the MS-ICPR path, signed with the old pair */
	assert_int_equal(y->ces.renewals, 1);
	assert_true(y->ces.renewal_signature_ok);
	assert_string_equal(y->ces.renewal_signer, old.serial);
	assert_string_equal(y->ces.got_template, TPL);
	/* a Kerberos end point: no client certificate */
	assert_int_equal(y->ces.sent[0].auth, AE_HTTPS_AUTH_KERBEROS);
	assert_null(y->ces.sent[0].client_serial);
	assert_installed_for(y->e, y->c.keys[0]);
	assert_string_equal(record(y->e)->cert.serial_hex, "1A02");
	wcyc_free(y);
}

static void denial_is_named_by_its_hresult(void **state)
{
	struct wcyc *y = wcyc_new(*state);
	struct ae_cycle_item *it;
	struct ae_store_state *rec;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	y->e->ca.answer = FAKE_DENY;
	w_action(y, AE_ACTION_ENROLL);
	it = w_dispatch(y);
	assert_string_equal(it->result, "denied");
	assert_int_equal(it->outcome, AE_OUTCOME_REJECTED);
	assert_int_equal(it->hresult, 0x80094012u);
	assert_string_equal(it->hresult_name, "CERTSRV_E_TEMPLATE_DENIED");
	w_contains(it->reason, "CERTSRV_E_TEMPLATE_DENIED");
	w_contains(it->reason, "Denied by Policy Module");
	w_contains(it->reason, TPL);
	w_contains(it->reason, CA_CN);
	assert_false(tpresent(y, y->e->store, TPL, ".crt"));
	assert_false(tpresent(y, y->e->store, TPL, ".key.new"));
	rec = record(y->e);
	assert_int_equal(rec->failures, 1);
	/* the cycle's exit code is MS-ICPR's for a denial: 4 */
	ae_cycle_report_tally(y->r);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(cli_cycle_print(f, y->r, true, false), 0);
	assert_int_equal(fclose(f), 0);
	w_contains(text, "\"exit_code\": 4");
	assert_int_equal(ae_exit_code(y->r->worst), AE_EXIT_REJECTED);
	free(text);
	wcyc_free(y);
}

/* the method failed: no CA disposition, nothing installed, the request dropped */
static void method_failure(void **state, enum ces_quirk q, enum ae_outcome o, const char *what)
{
	struct wcyc *y = wcyc_new(*state);
	struct ae_cycle_item *it;

	y->e->ca.answer = FAKE_ISSUE;
	y->ces.quirk = q;
	w_action(y, AE_ACTION_ENROLL);
	it = w_dispatch(y);
	assert_string_equal(it->result, "failed");
	assert_int_equal(it->outcome, o);
	assert_int_equal(it->hresult, 0);
	assert_null(it->hresult_name);
	w_contains(it->reason, what);
	w_contains(it->reason, URL1);
	w_contains(it->reason, TPL);
	assert_int_equal(y->ces.num_sent, 1);	/* no other end point after a request was sent */
	assert_false(tpresent(y, y->e->store, TPL, ".crt"));
	assert_false(tpresent(y, y->e->store, TPL, ".key.new"));
	assert_int_equal(record(y->e)->failures, 1);
	wcyc_free(y);
}

static void fault_without_ca_code_is_a_method_failure(void **state)
{
	method_failure(state, CES_SERVICE_FAULT, AE_OUTCOME_UNREACHABLE,
		       "SOAP fault without a CA error code (s:Receiver): The service cannot");
}

static void http_error_is_a_method_failure(void **state)
{
	method_failure(state, CES_HTTP_404, AE_OUTCOME_UNREACHABLE, "HTTP status 404");
}

static void answer_to_another_message_is_refused(void **state)
{
	method_failure(state, CES_WRONG_RELATES, AE_OUTCOME_UNVERIFIED,
		       "relates to another message");
}

/* ---- the helpers ---------------------------------------------------------- */

static void helper_template_from_attributes(void **state)
{
	uint8_t *u16 = NULL;
	size_t len = 0;
	char *name = NULL;

	assert_int_equal(ae_utf8_to_utf16le(*state, "CCM:host.lab.example\n"
					    "certificatetemplate:Machine Ä\nX:y", true, &u16, &len),
			 AE_OK);
	assert_int_equal(ae_wstep_ca_template(*state, u16, len, &name), AE_OK);
	assert_string_equal(name, "Machine Ä");
	assert_int_equal(ae_utf8_to_utf16le(*state, "CertificateTemplate:", true, &u16, &len),
			 AE_OK);
	assert_int_equal(ae_wstep_ca_template(*state, u16, len, &name), AE_ERR_NOT_FOUND);
	assert_int_equal(ae_wstep_ca_template(*state, NULL, 0, &name), AE_ERR_NOT_FOUND);
	assert_int_equal(ae_wstep_ca_template(*state, (const uint8_t *)"x", 1, &name),
			 AE_ERR_PARSE);
}

static void helper_cms_or_pkcs10(void **state)
{
	static const uint8_t cms[] = { 0x30, 0x82, 0x01, 0x00, 0x06, 0x09, 0x2a };
	static const uint8_t p10[] = { 0x30, 0x81, 0x90, 0x30, 0x7f, 0x02, 0x01, 0x00 };
	static const uint8_t bad[] = { 0x30, 0x85, 0x01 };

	(void)state;
	assert_true(ae_wstep_ca_is_cms(cms, sizeof(cms)));
	assert_false(ae_wstep_ca_is_cms(p10, sizeof(p10)));
	assert_false(ae_wstep_ca_is_cms(bad, sizeof(bad)));
	assert_false(ae_wstep_ca_is_cms(cms, 1));
	assert_false(ae_wstep_ca_is_cms(NULL, 0));
}

static void helper_end_point_order(void **state)
{
	struct ae_xcep_uri u[4];
	struct ae_xcep_ca x = { .uris = u, .num_uris = 4 };
	struct ae_enrollment_service svc = { .xcep_ca = &x };
	size_t *idx = NULL, n = 0;

	set_uri(&u[0], URL1, AE_XCEP_AUTH_KERBEROS, 20, false);
	set_uri(&u[1], URL2, AE_XCEP_AUTH_CERTIFICATE, 1, true);
	set_uri(&u[2], URL3, AE_XCEP_AUTH_PASSWORD, 10, false);
	set_uri(&u[3], URL3, AE_XCEP_AUTH_KERBEROS, 10, false);
	assert_int_equal(ae_wstep_ca_order(*state, &svc, AE_WSTEP_OP_ISSUE, &idx, &n), AE_OK);
	assert_int_equal(n, 3);	/* no renewalOnly one for a new request */
	assert_int_equal(idx[0], 2);
	assert_int_equal(idx[1], 3);	/* equal priorities keep the response's order */
	assert_int_equal(idx[2], 0);
	assert_int_equal(ae_wstep_ca_order(*state, &svc, AE_WSTEP_OP_RENEW, &idx, &n), AE_OK);
	assert_int_equal(n, 4);
	assert_int_equal(idx[0], 1);
	assert_int_equal(ae_wstep_ca_order(*state, &svc, AE_WSTEP_OP_QUERY, &idx, &n), AE_OK);
	assert_int_equal(n, 4);
	assert_int_equal(idx[0], 2);
	assert_int_equal(idx[3], 1);	/* a retrieval: renewalOnly ones last */
	assert_string_equal(ae_wstep_ca_auth_name(AE_XCEP_AUTH_KERBEROS), "kerberos");
	assert_string_equal(ae_wstep_ca_auth_name(AE_XCEP_AUTH_PASSWORD), "password");
	assert_string_equal(ae_wstep_ca_auth_name(AE_XCEP_AUTH_CERTIFICATE), "certificate");
	assert_string_equal(ae_wstep_ca_auth_name(AE_XCEP_AUTH_ANONYMOUS), "anonymous");
	svc.xcep_ca = NULL;
	assert_int_equal(ae_wstep_ca_order(*state, &svc, AE_WSTEP_OP_ISSUE, &idx, &n),
			 AE_ERR_INVALID);
}

/* run --json names the policy servers: the one that failed first by cost (and why), the one used */
static void run_json_names_the_policy_servers(void **state)
{
	struct wcyc *y = wcyc_new(*state);
	struct ae_polsrv servers[2] = { y->server, y->server };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	servers[0].origin = AE_POLSRV_FROM_GPO;
	servers[0].url = (char *)"https://cep.lab.example:4444/ADPolicyProvider_CEP_Kerberos/service.svc/CEP";
	servers[0].policy_id = (char *)"{LABCEP}";
	servers[0].cost = 1;
	servers[0].state = AE_POLSRV_FAILED;
	servers[0].note = (char *)"connection refused";
	servers[1].origin = AE_POLSRV_FROM_GPO;
	servers[1].policy_id = (char *)"{LABCEP}";
	servers[1].cost = 2;
	servers[1].state = AE_POLSRV_USED;
	y->policy.servers = servers;
	y->policy.num_servers = 2;
	y->e->ca.answer = FAKE_ISSUE;
	w_action(y, AE_ACTION_ENROLL);
	w_dispatch(y);
	ae_cycle_report_tally(y->r);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(cli_cycle_print(f, y->r, true, false), 0);
	assert_int_equal(fclose(f), 0);
	w_contains(text, "\"policy_servers\": [{\"url\": \"https://cep.lab.example:4444/"
		   "ADPolicyProvider_CEP_Kerberos/service.svc/CEP\", \"kind\": \"xcep\", "
		   "\"origin\": \"gpo\", \"policy_id\": \"{LABCEP}\", \"cost\": 1, "
		   "\"state\": \"failed\", \"note\": \"connection refused\", "
		   "\"from_cache\": false}, {\"url\": \"https://cep.lab.example/"
		   "ADPolicyProvider_CEP_Kerberos/service.svc/CEP\"");
	w_contains(text, "\"cost\": 2, \"state\": \"used\", \"note\": null");
	free(text);
	wcyc_free(y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(issue_installs_over_wstep, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(pending_then_query_token_status_installs,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(renewal_sends_the_cms_as_pkcs7,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(denial_is_named_by_its_hresult,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(fault_without_ca_code_is_a_method_failure,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(http_error_is_a_method_failure,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(answer_to_another_message_is_refused,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(helper_template_from_attributes,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(helper_cms_or_pkcs10, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(helper_end_point_order, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(run_json_names_the_policy_servers,
						leak_setup, leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
