/*
 * test_wstep_ca_failover.c: which end point of an MS-XCEP CA the MS-WSTEP
 * call uses (ae_wstep_ca.c) and how it authenticates there, through the
 * cycle's act phase against the fake CES of wstep_fake_ces.h: failover
 * after a refused connection, a server certificate that does not verify
 * (nothing sent there), renewalOnly end points (not for a new request; a
 * key-based renewal with the current certificate), the UsernameToken of a
 * password end point (the password in the message, never in a log line or
 * the report), the CA the template's cAReferences name (a two-CA CEP).
 *
 * Leak check: talloc null tracking (leak_check.h); OpenSSL objects are
 * covered by ASan's leak check.
 */
#include <fcntl.h>
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
#include "ae_log.h"

static void refused_connection_fails_over_to_the_next(void **state)
{
	struct wcyc *y = wcyc_new(*state);
	struct ae_cycle_item *it;

	/* by priority: URL2 (1) first, refused; then URL1 (5) */
	set_uri(&y->uris[0][0], URL1, AE_XCEP_AUTH_KERBEROS, 5, false);
	set_uri(&y->uris[0][1], URL2, AE_XCEP_AUTH_KERBEROS, 1, false);
	y->xca[0].num_uris = 2;
	y->ces.eps[0].url = URL2;
	y->ces.eps[0].mode = EP_REFUSED;
	y->ces.num_eps = 1;
	y->e->ca.answer = FAKE_ISSUE;
	w_action(y, AE_ACTION_ENROLL);
	it = w_dispatch(y);
	assert_int_equal(y->ces.attempts, 2);
	assert_string_equal(y->ces.attempted[0], URL2);
	assert_int_equal(y->ces.num_sent, 1);
	assert_string_equal(y->ces.sent[0].url, URL1);
	assert_string_equal(it->result, "done");
	w_contains(it->reason, "MS-WSTEP: " URL1);
	/* the first one's failure is in the item, naming it and the cause */
	w_contains(it->reason, "end points that failed first: " URL2 ": ");
	w_contains(it->reason, "Connection refused");
	assert_installed_for(y->e, y->c.keys[0]);
	wcyc_free(y);
}

static void untrusted_server_is_refused_and_skipped(void **state)
{
	struct wcyc *y = wcyc_new(*state);
	struct ae_cycle_item *it;
	unsigned i;

	set_uri(&y->uris[0][1], URL2, AE_XCEP_AUTH_KERBEROS, 9, false);
	y->xca[0].num_uris = 2;
	y->ces.eps[0].url = URL1;
	y->ces.eps[0].mode = EP_UNTRUSTED;
	y->ces.num_eps = 1;
	y->e->ca.answer = FAKE_ISSUE;
	w_action(y, AE_ACTION_ENROLL);
	it = w_dispatch(y);
	assert_int_equal(y->ces.attempts, 2);
	assert_string_equal(y->ces.attempted[0], URL1);
	for (i = 0; i < y->ces.num_sent; i++) {
		assert_string_not_equal(y->ces.sent[i].url, URL1);	/* nothing reached it */
	}
	assert_int_equal(y->ces.num_sent, 1);
	assert_string_equal(it->result, "done");
	w_contains(it->reason, URL1 ": TLS server certificate refused, nothing sent");
	w_contains(it->reason, "does not verify");
	wcyc_free(y);
}

static void no_usable_end_point_fails_naming_each(void **state)
{
	struct wcyc *y = wcyc_new(*state);
	struct ae_cycle_item *it;

	set_uri(&y->uris[0][1], URL2, AE_XCEP_AUTH_KERBEROS, 9, false);
	y->xca[0].num_uris = 2;
	y->ces.eps[0].url = URL1;
	y->ces.eps[0].mode = EP_UNTRUSTED;
	y->ces.eps[1].url = URL2;
	y->ces.eps[1].mode = EP_REFUSED;
	y->ces.num_eps = 2;
	y->e->ca.answer = FAKE_ISSUE;
	w_action(y, AE_ACTION_ENROLL);
	it = w_dispatch(y);
	assert_int_equal(y->ces.attempts, 2);
	assert_int_equal(y->ces.num_sent, 0);
	assert_int_equal(y->r->requests, 0);
	assert_string_equal(it->result, "failed");
	assert_int_equal(it->outcome, AE_OUTCOME_UNREACHABLE);
	w_contains(it->reason, URL1 ": TLS server certificate refused");
	w_contains(it->reason, URL2 ": ");
	w_contains(it->reason, "Connection refused");
	assert_false(tpresent(y, y->e->store, TPL, ".key.new"));
	assert_int_equal(record(y->e)->failures, 1);
	wcyc_free(y);
}

static void renewal_only_end_point_not_for_a_new_request(void **state)
{
	struct wcyc *y = wcyc_new(*state);
	struct ae_cycle_item *it;

	/* URL3 comes first by priority but is for renewals only */
	set_uri(&y->uris[0][1], URL3, AE_XCEP_AUTH_CERTIFICATE, 0, true);
	y->xca[0].num_uris = 2;
	y->e->ca.answer = FAKE_ISSUE;
	w_action(y, AE_ACTION_ENROLL);
	it = w_dispatch(y);
	assert_int_equal(y->ces.attempts, 1);
	assert_string_equal(y->ces.sent[0].url, URL1);
	assert_string_equal(it->result, "done");

	/* only renewalOnly end points: a new request has nowhere to go */
	y->uris[0][0] = y->uris[0][1];
	y->xca[0].num_uris = 1;
	(void)ae_store_remove(y->e->store, TPL, "test");
	w_action(y, AE_ACTION_ENROLL);
	it = w_dispatch(y);
	assert_int_equal(y->ces.attempts, 0);
	assert_string_equal(it->result, "failed");
	assert_int_equal(it->outcome, AE_OUTCOME_MISCONFIGURED);
	w_contains(it->reason, "no enrollment web service for a new request");
	wcyc_free(y);
}

static void key_based_renewal_uses_the_current_certificate(void **state)
{
	struct wcyc *y = wcyc_new(*state);
	struct pair old = first_pair(y->e);	/* serial 1A01 */
	struct ae_cycle_item *it;

	set_uri(&y->uris[0][1], URL3, AE_XCEP_AUTH_CERTIFICATE, 0, true);
	y->xca[0].num_uris = 2;
	y->e->ca.answer = FAKE_ISSUE;
	w_action(y, AE_ACTION_RENEW);
	it = w_dispatch(y);
	assert_int_equal(y->ces.num_sent, 1);
	assert_string_equal(y->ces.sent[0].url, URL3);
	/* TLS client authentication with the pair being renewed; the policy
	 * server's options asked only for the server's trust */
	assert_int_equal(y->ces.sent[0].auth, AE_HTTPS_AUTH_CERTIFICATE);
	assert_string_equal(y->ces.sent[0].client_serial, old.serial);
	assert_int_equal(y->ces.opts_auth[0], AE_XCEP_AUTH_ANONYMOUS);
	w_contains(y->ces.sent[0].body, "ValueType=\"" AE_WSTEP_VALUE_PKCS7 "\"");
	assert_string_equal(y->ces.renewal_signer, old.serial);
	assert_string_equal(it->result, "done");
	w_contains(it->reason, "MS-WSTEP: " URL3 ", wstep certificate (key-based renewal)");
	assert_string_equal(record(y->e)->cert.serial_hex, "1A02");
	wcyc_free(y);
}

/* run f with stderr (the log) in a file at level 10: what it logged */
static char *logged(struct wcyc *y, struct ae_cycle_item **_it)
{
	char path[] = "/tmp/ae-test-wstep-log-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	char *text;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	assert_true(dup2(fd, 2) == 2);
	ae_log_set_level(10);
	*_it = w_dispatch(y);
	ae_log_set_level(0);
	fflush(stderr);
	assert_true(dup2(saved, 2) == 2);
	close(saved);
	close(fd);
	text = slurp(y, path);
	unlink(path);
	assert_non_null(text);
	return text;
}

static void password_end_point_sends_the_username_token(void **state)
{
	struct wcyc *y = wcyc_new(*state);
	struct ae_cycle_item *it = NULL;
	char *log;

	set_uri(&y->uris[0][0], URL1, AE_XCEP_AUTH_PASSWORD, 1, false);
	y->e->ca.answer = FAKE_ISSUE;
	w_action(y, AE_ACTION_ENROLL);
	log = logged(y, &it);
	assert_int_equal(y->ces.num_sent, 1);
	assert_int_equal(y->ces.opts_auth[0], AE_XCEP_AUTH_PASSWORD);
	assert_int_equal(y->ces.sent[0].auth, AE_HTTPS_AUTH_NONE);	/* in the SOAP header */
	w_contains(y->ces.sent[0].body, "<o:UsernameToken><o:Username>" WS_USER "</o:Username>");
	w_contains(y->ces.sent[0].body, ">s3cr&amp;t&lt;pw&gt;Zq9</o:Password>");
	assert_string_equal(it->result, "done");
	w_contains(it->reason, "wstep password");
	/* the log says what happened, never the password */
	w_contains(log, URL1);
	assert_null(strstr(log, "s3cr"));
	assert_null(strstr(log, "Zq9"));
	assert_null(strstr(it->reason, "s3cr"));
	wcyc_free(y);
}

static void missing_credentials_fail_over(void **state)
{
	struct wcyc *y = wcyc_new(*state);
	struct ae_cycle_item *it;

	/* a certificate end point with no certificate configured: the next one */
	set_uri(&y->uris[0][0], URL3, AE_XCEP_AUTH_CERTIFICATE, 1, false);
	set_uri(&y->uris[0][1], URL1, AE_XCEP_AUTH_KERBEROS, 2, false);
	y->xca[0].num_uris = 2;
	y->e->ca.answer = FAKE_ISSUE;
	w_action(y, AE_ACTION_ENROLL);
	it = w_dispatch(y);
	assert_int_equal(y->ces.attempts, 1);
	assert_string_equal(y->ces.sent[0].url, URL1);
	assert_string_equal(it->result, "done");
	w_contains(it->reason, URL3 ": no certificate credentials for it: policy server https://cep.lab.example/ADPolicyProvider_CEP_Kerberos/service.svc/CEP: credential file /etc/autoenroll/ws.pem refused");

	/* and alone: misconfigured, exit 6 */
	y->xca[0].num_uris = 1;
	(void)ae_store_remove(y->e->store, TPL, "test");
	w_action(y, AE_ACTION_ENROLL);
	it = w_dispatch(y);
	assert_int_equal(y->ces.attempts, 0);
	assert_int_equal(it->outcome, AE_OUTCOME_MISCONFIGURED);
	w_contains(it->reason, URL3 ": no certificate credentials");

	/* none configured: nothing to present outside a renewal, nothing sent */
	y->ces.no_cert_file = true;
	w_action(y, AE_ACTION_ENROLL);
	it = w_dispatch(y);
	assert_int_equal(y->ces.attempts, 0);
	assert_int_equal(it->outcome, AE_OUTCOME_MISCONFIGURED);
	w_contains(it->reason, "certificate authentication needs the policy server's credential "
		   "file, or a renewal of a current certificate");
	wcyc_free(y);
}

static void template_goes_to_the_ca_its_references_name(void **state)
{
	struct wcyc *y = wcyc_new(*state);
	struct ae_cycle_item *it;

	/* a two-CA CEP; the template's cAReferences name only the second */
	add_second_ca(y, URL2);
	y->elig_cas[0] = talloc_strdup(y, CA2_CN);
	y->e->ca.answer = FAKE_ISSUE;
	w_action(y, AE_ACTION_ENROLL);
	it = w_dispatch(y);
	assert_int_equal(y->ces.attempts, 1);
	assert_string_equal(y->ces.sent[0].url, URL2);
	assert_string_equal(it->ca, CA2_CN);
	assert_string_equal(it->result, "done");
	w_contains(it->reason, "issued by " CA2_CN);
	wcyc_free(y);
}

static void same_name_ad_ca_is_not_used_for_an_xcep_template(void **state)
{
	struct wcyc *y = wcyc_new(*state);
	struct ae_enrollment_service ad = y->e->ca.svc;
	struct ae_polsrv servers[2] = { y->server };
	struct ae_cycle_item *it;

	/* the AD policy's Enrollment Services object of the same name comes
	 * first; the template is the XCEP server's (servers[0]) */
	ad.xcep_ca = NULL;
	ad.dns_host = talloc_strdup(y, "dc1.lab.example");
	y->cas[1] = y->cas[0];
	y->cas[0] = &ad;
	y->policy.num_cas = 2;
	servers[0].first_template = 0;
	servers[0].num_templates = 1;
	servers[1].kind = AE_POLSRV_AD;
	servers[1].url = (char *)"LDAP:";
	y->policy.servers = servers;
	y->policy.num_servers = 2;
	y->e->ca.answer = FAKE_PENDING;
	w_action(y, AE_ACTION_ENROLL);
	it = w_dispatch(y);	/* no MS-ICPR bind (w_dispatch checks) */
	assert_int_equal(y->ces.num_sent, 1);
	assert_string_equal(it->result, "pending");
	/* the retrieval finds the CA by the record's name, of the template's server */
	y->e->ca.answer = FAKE_ISSUE;
	w_action(y, AE_ACTION_RETRIEVE);
	it = w_dispatch(y);
	assert_int_equal(y->ces.num_sent, 1);
	w_contains(y->ces.sent[0].body, AE_WSTEP_REQTYPE_QUERY);
	assert_string_equal(it->result, "done");
	wcyc_free(y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(refused_connection_fails_over_to_the_next,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(untrusted_server_is_refused_and_skipped,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(no_usable_end_point_fails_naming_each,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(renewal_only_end_point_not_for_a_new_request,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(key_based_renewal_uses_the_current_certificate,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(password_end_point_sends_the_username_token,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(missing_credentials_fail_over,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(template_goes_to_the_ca_its_references_name,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(same_name_ad_ca_is_not_used_for_an_xcep_template,
						leak_setup, leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
