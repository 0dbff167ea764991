/*
 * test_step.c: the per-template step (source/engine/ae_step.h) against a
 * fake CA behind its call interface (ae_step_call_fn, step_fake_ca.h), in
 * scratch stores under /tmp. Every test counts the calls the step makes
 * to the CA.
 *
 * Leak check: talloc null tracking (leak_check.h); OpenSSL objects are
 * covered by ASan's leak check.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "leak_check.h"
#include "pki_helpers.h"
#include "test_store_helpers.h"
#include "step_fake_ca.h"

/* ---- tests -------------------------------------------------------------- */

static void submit_issued_installs_the_pair_and_archives_the_old_one(void **state)
{
	struct env *e = env_new(*state);
	struct ae_enroll_result *r = NULL;
	struct ae_key *k1 = NULL, *k2 = NULL;
	char *crt1 = NULL, *serial1 = NULL, *ca_pem = NULL;
	struct ae_store_state *rec = NULL;
	size_t len = 0;

	e->ca.answer = FAKE_ISSUE;
	assert_int_equal(submit(e, AE_CERT_ENROLLING, NULL, &r, &k1), AE_OK);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(e->ca.got_id, 0);
	assert_true(e->ca.got_request_cb > 0);
	assert_true(e->ca.got_attribs_cb > 0);		/* CertificateTemplate:<name> */
	assert_string_equal(e->ca.got_authority, CA_CN);
	assert_int_equal(r->outcome, AE_OUTCOME_ISSUED);
	assert_int_equal(r->disposition, AE_CR_DISP_ISSUED);
	assert_int_equal(r->request_id, 41);
	assert_string_equal(r->serial_hex, "1A01");
	assert_non_null(r->cert_path);
	assert_installed_for(e, k1);
	/* the chain file is the CA certificate the answer was verified against */
	assert_int_equal(ae_cert_to_pem(e->mem, e->ca.ca_cert, &ca_pem, &len), AE_OK);
	assert_string_equal(tfile(e->mem, e->store, TPL, ".chain.pem"), ca_pem);
	rec = record(e);
	assert_int_equal(rec->status, AE_CERT_ISSUED);
	assert_string_equal(rec->cert.serial_hex, "1A01");
	assert_string_equal(rec->cert.ca, CA_CN);
	assert_int_equal(rec->cert.request_id, 41);
	assert_false(tpresent(e->mem, e->store, TPL, ".key.new"));
	crt1 = tfile(e->mem, e->store, TPL, ".crt");
	serial1 = rec->cert.serial_hex;

	assert_int_equal(submit(e, AE_CERT_RENEWING, NULL, &r, &k2), AE_OK);
	assert_int_equal(e->ca.calls, 2);
	assert_int_equal(r->outcome, AE_OUTCOME_ISSUED);
	assert_string_equal(r->serial_hex, "1A02");
	assert_installed_for(e, k2);
	rec = record(e);
	assert_int_equal(rec->status, AE_CERT_ISSUED);
	assert_string_equal(rec->cert.serial_hex, "1A02");
	assert_int_equal(rec->cert.request_id, 42);
	/* the first pair went to archive/ under its serial */
	assert_string_equal(slurp(e->mem, talloc_asprintf(e->mem, "%s/archive/%s.%s.crt", e->dir,
							  TPL, serial1)), crt1);
	assert_true(ae_file_exists(talloc_asprintf(e->mem, "%s/archive/%s.%s.key", e->dir, TPL,
						   serial1)));
	env_free(e);
}

static void submit_pending_records_the_request_id_before_anything_else(void **state)
{
	struct env *e = env_new(*state);
	struct ae_enroll_result *r = NULL;
	struct ae_key *key = NULL;
	struct ae_store_state *rec = NULL;
	char *key_pem = NULL;
	size_t len = 0;

	e->ca.answer = FAKE_PENDING;
	assert_int_equal(submit(e, AE_CERT_ENROLLING, NULL, &r, &key), AE_OK);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(r->outcome, AE_OUTCOME_PENDING);
	assert_int_equal(r->disposition, AE_CR_DISP_UNDER_SUBMISSION);
	assert_int_equal(r->request_id, 41);
	rec = record(e);
	assert_int_equal(rec->status, AE_CERT_PENDING);
	assert_string_equal(rec->request_ca, CA_CN);
	assert_true(rec->has_request_id);
	assert_int_equal(rec->request_id, 41);
	/* the key is kept for the certificate to come; nothing is installed */
	assert_int_equal(ae_key_to_pem(e->mem, key, &key_pem, &len), AE_OK);
	assert_string_equal(tfile(e->mem, e->store, TPL, ".key.new"), key_pem);
	assert_false(tpresent(e->mem, e->store, TPL, ".key"));
	assert_false(tpresent(e->mem, e->store, TPL, ".crt"));
	assert_false(tpresent(e->mem, e->store, TPL, ".crt.new"));
	assert_null(r->cert_path);
	env_free(e);
}

/* an answer "issued" that cannot be installed still leaves its request id recorded */
static void submit_issued_records_the_request_id_before_installing(void **state)
{
	struct env *e = env_new(*state);
	struct ae_enroll_result *r = NULL;
	struct ae_store_state *rec = NULL;

	e->ca.answer = FAKE_ISSUE;
	e->ca.sabotage = TPL ".crt.new";	/* the commit's first staged file cannot be written */
	assert_int_not_equal(submit(e, AE_CERT_ENROLLING, NULL, &r, NULL), AE_OK);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(r->outcome, AE_OUTCOME_STORE);
	assert_int_equal(r->request_id, 41);
	assert_non_null(strstr(r->error, "request 41 was issued"));
	rec = record(e);
	assert_int_equal(rec->status, AE_CERT_PENDING);
	assert_string_equal(rec->request_ca, CA_CN);
	assert_int_equal(rec->request_id, 41);
	assert_true(tpresent(e->mem, e->store, TPL, ".key.new"));
	assert_false(tpresent(e->mem, e->store, TPL, ".crt"));
	env_free(e);
}

static void retrieve_pending_then_issued_installs(void **state)
{
	struct env *e = env_new(*state);
	struct ae_enroll_result *r = NULL;
	struct ae_key *key = NULL;
	struct ae_store_state *rec = NULL;

	e->ca.answer = FAKE_PENDING;
	assert_int_equal(submit(e, AE_CERT_ENROLLING, NULL, &r, &key), AE_OK);
	assert_int_equal(r->outcome, AE_OUTCOME_PENDING);
	assert_int_equal(e->ca.calls, 1);

	/* still pending: nothing changes */
	assert_int_equal(retrieve(e, &r), AE_OK);
	assert_int_equal(e->ca.calls, 2);
	assert_int_equal(r->outcome, AE_OUTCOME_PENDING);
	assert_int_equal(record(e)->status, AE_CERT_PENDING);
	assert_true(tpresent(e->mem, e->store, TPL, ".key.new"));

	e->ca.answer = FAKE_ISSUE;
	assert_int_equal(retrieve(e, &r), AE_OK);
	assert_int_equal(e->ca.calls, 3);
	/* [MS-ICPR] 3.2.4.1.1 retrieval: the request id, both blobs empty */
	assert_int_equal(e->ca.got_id, 41);
	assert_int_equal(e->ca.got_request_cb, 0);
	assert_int_equal(e->ca.got_attribs_cb, 0);
	assert_string_equal(e->ca.got_authority, CA_CN);
	assert_int_equal(r->outcome, AE_OUTCOME_ISSUED);
	assert_int_equal(r->request_id, 41);
	assert_installed_for(e, key);
	rec = record(e);
	assert_int_equal(rec->status, AE_CERT_ISSUED);
	assert_string_equal(rec->cert.serial_hex, r->serial_hex);
	assert_int_equal(rec->cert.request_id, 41);
	assert_false(tpresent(e->mem, e->store, TPL, ".key.new"));
	env_free(e);
}

static void retrieve_unreachable_leaves_the_request_pending(void **state)
{
	struct env *e = env_new(*state);
	struct ae_enroll_result *r = NULL;
	struct ae_store_state *rec = NULL;
	char *key_new = NULL;

	e->ca.answer = FAKE_PENDING;
	assert_int_equal(submit(e, AE_CERT_ENROLLING, NULL, &r, NULL), AE_OK);
	key_new = tfile(e->mem, e->store, TPL, ".key.new");
	assert_non_null(key_new);

	e->ca.answer = FAKE_UNREACHABLE;
	assert_int_equal(retrieve(e, &r), AE_ERR_TRANSPORT);
	assert_int_equal(e->ca.calls, 2);
	assert_int_equal(e->ca.got_id, 41);
	assert_int_equal(r->outcome, AE_OUTCOME_UNREACHABLE);
	rec = record(e);
	assert_int_equal(rec->status, AE_CERT_PENDING);
	assert_int_equal(rec->request_id, 41);
	assert_string_equal(tfile(e->mem, e->store, TPL, ".key.new"), key_new);
	env_free(e);
}

static void retrieve_denied_drops_the_pending_request(void **state)
{
	struct env *e = env_new(*state);
	struct pair p = first_pair(e);
	struct ae_enroll_result *r = NULL;

	e->ca.answer = FAKE_PENDING;
	assert_int_equal(submit(e, AE_CERT_RENEWING, NULL, &r, NULL), AE_OK);
	assert_int_equal(record(e)->status, AE_CERT_PENDING);

	e->ca.answer = FAKE_DENY;
	assert_int_equal(retrieve(e, &r), AE_OK);
	assert_int_equal(e->ca.calls, 2);
	assert_int_equal(r->outcome, AE_OUTCOME_REJECTED);
	assert_int_equal(r->hresult, DENIED);
	assert_pair_intact(e, &p);
	env_free(e);
}

static void submit_denied_aborts_and_keeps_the_installed_pair(void **state)
{
	struct env *e = env_new(*state);
	struct pair p = first_pair(e);
	struct ae_enroll_result *r = NULL;

	e->ca.answer = FAKE_DENY;
	assert_int_equal(submit(e, AE_CERT_RENEWING, NULL, &r, NULL), AE_OK);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(r->outcome, AE_OUTCOME_REJECTED);
	assert_int_equal(r->disposition, DENIED);
	assert_int_equal(r->hresult, DENIED);
	assert_non_null(r->error);
	assert_null(r->cert_path);
	assert_pair_intact(e, &p);
	env_free(e);
}

static void transport_failure_keeps_the_installed_pair_and_reports_unreachable(void **state)
{
	struct env *e = env_new(*state);
	struct pair p = first_pair(e);
	struct ae_enroll_result *r = NULL;

	e->ca.answer = FAKE_UNREACHABLE;
	assert_int_equal(submit(e, AE_CERT_RENEWING, NULL, &r, NULL), AE_ERR_TRANSPORT);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(r->outcome, AE_OUTCOME_UNREACHABLE);
	assert_int_equal(r->disposition, 0);
	assert_non_null(strstr(r->error, CA_CN));
	assert_null(r->cert_path);
	assert_pair_intact(e, &p);
	env_free(e);
}

/* fault suite (t_fault_ca_ndr): an undecodable reply is the CA's answer failing, exit 7 */
static void garbled_reply_is_unverified_not_unreachable(void **state)
{
	struct env *e = env_new(*state);
	struct pair p = first_pair(e);
	struct ae_enroll_result *r = NULL;

	e->ca.answer = FAKE_GARBLED;
	assert_int_equal(submit(e, AE_CERT_RENEWING, NULL, &r, NULL), AE_ERR_TRANSPORT);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(r->outcome, AE_OUTCOME_UNVERIFIED);
	assert_non_null(strstr(r->error, CA_CN));
	assert_non_null(strstr(r->error, TPL));
	assert_non_null(strstr(r->error, "not a valid CertServerRequest answer"));
	assert_null(r->cert_path);
	assert_pair_intact(e, &p);
	env_free(e);
}

static void answer_for_another_key_is_unverified_and_not_installed(void **state)
{
	struct env *e = env_new(*state);
	struct pair p = first_pair(e);
	struct ae_enroll_result *r = NULL;
	struct ae_key *other = NULL;
	struct ae_key_spec spec = { .kind = AE_KEY_EC, .bits = 256 };

	assert_int_equal(ae_key_generate(e, &spec, &other), AE_OK);
	e->ca.answer = FAKE_ISSUE;
	e->ca.issue_for = other;
	assert_int_equal(submit(e, AE_CERT_RENEWING, NULL, &r, NULL), AE_OK);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(r->outcome, AE_OUTCOME_UNVERIFIED);
	assert_non_null(strstr(r->error, "does not match our key"));
	assert_null(r->cert_path);
	assert_pair_intact(e, &p);
	env_free(e);
}

static void staged_answer_is_installed_without_calling_the_ca(void **state)
{
	struct env *e = env_new(*state);
	struct ae_enroll_result *r = NULL;
	struct ae_key *key = NULL;
	struct ae_store_state *rec = NULL;
	char *state_new = NULL, *staged = NULL;

	e->ca.answer = FAKE_PENDING;
	assert_int_equal(submit(e, AE_CERT_ENROLLING, NULL, &r, &key), AE_OK);
	assert_int_equal(r->outcome, AE_OUTCOME_PENDING);

	/* the answer arrives, but the commit stops after staging it (as a kill or a full disk) */
	state_new = ae_store_path(e->mem, e->store, TPL, ".state.new");
	assert_int_equal(mkdir(state_new, 0700), 0);
	e->ca.answer = FAKE_ISSUE;
	assert_int_not_equal(retrieve(e, &r), AE_OK);
	assert_int_equal(e->ca.calls, 2);
	assert_int_equal(r->outcome, AE_OUTCOME_STORE);
	rec = record(e);
	assert_int_equal(rec->status, AE_CERT_PENDING);
	assert_int_equal(rec->request_id, 41);
	staged = tfile(e->mem, e->store, TPL, ".crt.new");
	assert_non_null(staged);
	assert_string_equal(staged, e->ca.issued_pem);
	assert_true(tpresent(e->mem, e->store, TPL, ".chain.pem.new"));
	assert_false(tpresent(e->mem, e->store, TPL, ".crt"));
	assert_int_equal(rmdir(state_new), 0);

	/* the next run installs what was received; the CA is not asked again */
	e->ca.calls = 0;
	e->ca.answer = FAKE_UNREACHABLE;
	assert_int_equal(retrieve(e, &r), AE_OK);
	assert_int_equal(e->ca.calls, 0);
	assert_int_equal(r->outcome, AE_OUTCOME_ISSUED);
	assert_int_equal(r->request_id, 41);
	assert_string_equal(tfile(e->mem, e->store, TPL, ".crt"), staged);
	assert_installed_for(e, key);
	rec = record(e);
	assert_int_equal(rec->status, AE_CERT_ISSUED);
	assert_int_equal(rec->cert.request_id, 41);
	assert_false(tpresent(e->mem, e->store, TPL, ".crt.new"));
	assert_false(tpresent(e->mem, e->store, TPL, ".key.new"));
	env_free(e);
}

/* a staged certificate that fails the checks is not installed: the request is retrieved again */
static void staged_answer_for_another_key_is_retrieved_again(void **state)
{
	struct env *e = env_new(*state);
	struct ae_enroll_result *r = NULL;
	struct ae_key *key = NULL, *other = NULL;
	struct ae_key_spec spec = { .kind = AE_KEY_EC, .bits = 256 };
	struct ae_cert *wrong = NULL;
	char *wrong_pem = NULL, *ca_pem = NULL;
	size_t wrong_len = 0, ca_len = 0;

	e->ca.answer = FAKE_PENDING;
	assert_int_equal(submit(e, AE_CERT_ENROLLING, NULL, &r, &key), AE_OK);
	assert_int_equal(r->outcome, AE_OUTCOME_PENDING);
	/* staged next to the PENDING record: a certificate of this CA, for another key */
	assert_int_equal(ae_key_generate(e, &spec, &other), AE_OK);
	wrong = pki_cert(e, "host.lab.example", other, e->ca.ca_cert, e->ca.ca_key, 0x77, 365,
			 NULL);
	assert_int_equal(ae_cert_to_pem(e, wrong, &wrong_pem, &wrong_len), AE_OK);
	assert_int_equal(ae_cert_to_pem(e, e->ca.ca_cert, &ca_pem, &ca_len), AE_OK);
	assert_int_equal(ae_file_write_atomic_at(e->store->fd, TPL ".crt.new", wrong_pem,
						 wrong_len, 0644), AE_OK);
	assert_int_equal(ae_file_write_atomic_at(e->store->fd, TPL ".chain.pem.new", ca_pem,
						 ca_len, 0644), AE_OK);

	e->ca.calls = 0;
	e->ca.answer = FAKE_ISSUE;
	assert_int_equal(retrieve(e, &r), AE_OK);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(e->ca.got_id, 41);
	assert_int_equal(r->outcome, AE_OUTCOME_ISSUED);
	assert_installed_for(e, key);
	assert_string_equal(tfile(e->mem, e->store, TPL, ".crt"), e->ca.issued_pem);
	assert_int_equal(record(e)->status, AE_CERT_ISSUED);
	env_free(e);
}

static void issued_without_template_extension_is_bound_by_the_record(void **state)
{
	struct env *e = env_new(*state);
	struct ae_template *t = talloc_zero(e, struct ae_template);
	struct ae_enroll_result *r = NULL;
	struct ae_store_state *rec = NULL;

	assert_non_null(t);
	t->cn = talloc_strdup(t, TPL);
	t->oid = talloc_strdup(t, "1.3.6.1.4.1.311.21.8.1.2.3");
	t->major_revision = 100;
	t->minor_revision = 4;
	t->overlap_s = 6 * 7 * 86400;
	e->ca.answer = FAKE_ISSUE;	/* pki_cert adds no template extension */
	assert_int_equal(submit(e, AE_CERT_ENROLLING, t, &r, NULL), AE_OK);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(r->outcome, AE_OUTCOME_ISSUED);
	assert_non_null(r->note);
	assert_non_null(strstr(r->note, CA_CN));
	rec = record(e);
	assert_true(rec->cert.ca_omits_template_ext);
	assert_true(rec->cert.has_major);
	assert_int_equal(rec->cert.major, 100);
	assert_int_equal(rec->cert.minor, 4);
	assert_true(rec->cert.renew_at > 0 && rec->cert.renew_at < rec->cert.not_after);

	/* the same CA again: bound the same way, not warned again */
	assert_int_equal(submit(e, AE_CERT_RENEWING, t, &r, NULL), AE_OK);
	assert_int_equal(e->ca.calls, 2);
	assert_int_equal(r->outcome, AE_OUTCOME_ISSUED);
	assert_null(r->note);
	rec = record(e);
	assert_true(rec->cert.ca_omits_template_ext);
	assert_int_equal(rec->cert.major, 100);
	env_free(e);
}

/* a call function that fails without an outcome must not leave "issued" (0) behind */
static void ca_call_failing_without_an_outcome_is_not_issued(void **state)
{
	struct env *e = env_new(*state);
	struct pair p = first_pair(e);
	struct ae_enroll_result *r = NULL;

	e->ca.answer = FAKE_SILENT;
	assert_int_equal(submit(e, AE_CERT_RENEWING, NULL, &r, NULL), AE_ERR_TRANSPORT);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(r->outcome, AE_OUTCOME_INTERNAL);
	assert_non_null(r->error);
	assert_pair_intact(e, &p);
	env_free(e);
}

/* the record's request id is only ever sent to the CA that holds it */
static void retrieve_at_another_ca_is_refused(void **state)
{
	struct env *e = env_new(*state);
	struct ae_enroll_result *r = NULL;

	e->ca.answer = FAKE_PENDING;
	assert_int_equal(submit(e, AE_CERT_ENROLLING, NULL, &r, NULL), AE_OK);
	e->ca.svc.cn = "OTHER-CA";
	e->ca.answer = FAKE_ISSUE;
	assert_int_equal(retrieve(e, &r), AE_ERR_INVALID);
	assert_int_equal(e->ca.calls, 1);
	assert_int_equal(r->outcome, AE_OUTCOME_MISCONFIGURED);
	assert_int_equal(record(e)->status, AE_CERT_PENDING);
	assert_int_equal(record(e)->request_id, 41);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			submit_issued_installs_the_pair_and_archives_the_old_one,
			leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(
			submit_pending_records_the_request_id_before_anything_else,
			leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(
			submit_issued_records_the_request_id_before_installing,
			leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(retrieve_pending_then_issued_installs,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(retrieve_unreachable_leaves_the_request_pending,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(retrieve_denied_drops_the_pending_request,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(ca_call_failing_without_an_outcome_is_not_issued,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(retrieve_at_another_ca_is_refused,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(submit_denied_aborts_and_keeps_the_installed_pair,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(
			transport_failure_keeps_the_installed_pair_and_reports_unreachable,
			leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(garbled_reply_is_unverified_not_unreachable,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(
			answer_for_another_key_is_unverified_and_not_installed,
			leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(staged_answer_is_installed_without_calling_the_ca,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(staged_answer_for_another_key_is_retrieved_again,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(
			issued_without_template_extension_is_bound_by_the_record,
			leak_setup, leak_teardown),
	};

	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
