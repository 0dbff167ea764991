/*
 * test_cycle_act.c: the cycle's act phase (ae_cycle_dispatch: keygen, then
 * each action through ae_cycle_act.c) against the fake CA of the step
 * tests (step_fake_ca.h), put behind the cycle's CA-call override
 * (struct ae_cycle_ctx.ca_call). The context is built by hand: a scratch
 * locked store, a policy report with one template published by one CA, a
 * session with only what the request path reads (config->key_type,
 * machine_fqdn, account), and the actions as ae_decide() makes them,
 * pointing into a store snapshot. Every test counts the CA calls.
 *
 * A renewal is a CMS SignedData ([MS-WCCE] 3.1.1.4.3.2.1): the fake here
 * parses it as a CA would (ae_renewal_parse), checks who signed it, and
 * hands the inner PKCS#10 to the step's fake CA.
 *
 * Leak check: talloc null tracking (leak_check.h); OpenSSL objects are
 * covered by ASan's leak check.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "leak_check.h"
#include "pki_helpers.h"
#include "test_store_helpers.h"
#include "step_fake_ca.h"
#include "ae_config.h"
#include "ae_cycle.h"
#include "ae_cycle_private.h"
#include "ae_decide.h"
#include "ae_eligibility.h"
#include "ae_file.h"
#include "ae_policy_report.h"
#include "ae_renewal.h"
#include "ae_session.h"
#include "ae_store.h"
#include "cli_cycle.h"

/* the cycle around the fake CA */
struct cyc {
	struct env *e;
	struct ae_template *t;
	struct ae_config config;
	struct ae_session s;
	struct ae_policy_report policy;
	struct ae_enrollment_service *cas[1];
	struct ae_eligibility elig[1];
	char *elig_cas[1];
	struct ae_template *templates[1];
	struct ae_cycle_report *r;
	struct ae_cycle_ctx c;
	struct ae_store_snapshot *snap;
	/* renewals seen by the fake: signed by this serial, signature verified */
	unsigned renewals;
	char *renewal_signer;
	bool renewal_signature_ok;
};

/* ae_step_call_fn: unwrap a renewal as the CA does, then the step's fake CA */
static ae_err cycle_fake_call(void *priv, TALLOC_CTX *mem, struct ae_enroll_result *r,
			      const struct icpr_request *in, struct icpr_response **_resp)
{
	struct cyc *y = priv;
	struct ae_renewal *rn = NULL;
	struct icpr_request inner = *in;

	if (in->request.cb > 0 &&
	    ae_renewal_parse(mem, in->request.pb, in->request.cb, &rn) == AE_OK) {
		y->renewals++;
		y->renewal_signature_ok = rn->signature_ok && rn->csr_signature_ok;
		TALLOC_FREE(y->renewal_signer);
		assert_int_equal(ae_cert_serial_hex(y->e, rn->signer, &y->renewal_signer), AE_OK);
		inner.request.pb = rn->csr_der;
		inner.request.cb = (uint32_t)rn->csr_len;
	}
	return fake_call(&y->e->ca, mem, r, &inner, _resp);
}

static struct cyc *cyc_new(TALLOC_CTX *mem)
{
	struct cyc *y = talloc_zero(mem, struct cyc);

	assert_non_null(y);
	y->e = env_new(y);
	y->t = talloc_zero(y, struct ae_template);
	assert_non_null(y->t);
	y->t->cn = talloc_strdup(y->t, TPL);
	y->t->oid = talloc_strdup(y->t, "1.3.6.1.4.1.311.21.8.1.2.3");
	y->t->schema_version = 2;
	y->t->major_revision = 100;
	y->t->minor_revision = 4;
	y->t->overlap_s = 6 * 7 * 86400;
	y->config.key_type = "ec:p256";
	y->s.config = &y->config;
	y->s.machine_fqdn = talloc_strdup(y, "host.lab.example");
	y->s.account = talloc_strdup(y, "LAB\\HOST$");
	y->cas[0] = &y->e->ca.svc;
	y->elig_cas[0] = talloc_strdup(y, CA_CN);
	y->elig[0].cas = y->elig_cas;
	y->elig[0].num_cas = 1;
	y->templates[0] = y->t;
	y->policy.cas = y->cas;
	y->policy.num_cas = 1;
	y->policy.templates = y->templates;
	y->policy.num_templates = 1;
	y->policy.eligibility = y->elig;
	y->r = talloc_zero(y, struct ae_cycle_report);
	assert_non_null(y->r);
	y->r->policy = &y->policy;
	y->c.s = &y->s;
	y->c.mem = talloc_new(y);
	y->c.r = y->r;
	y->c.store = y->e->store;
	y->c.ca_call = cycle_fake_call;
	y->c.ca_priv = y;
	return y;
}

static void cyc_free(struct cyc *y)
{
	rm_rf(y->e->dir);
	talloc_free(y);
}

/* one action of kind k for the template, as ae_decide() makes it */
static void one_action(struct cyc *y, enum ae_action_kind k, enum ae_action_cause cause)
{
	struct ae_action *a = talloc_zero(y, struct ae_action);

	assert_non_null(a);
	assert_int_equal(ae_store_snapshot(y, y->e->store, &y->snap), AE_OK);
	a->kind = k;
	a->cause = cause;
	a->template_name = TPL;
	a->t = y->t;
	a->after = AE_ACTION_NONE;
	a->reason = talloc_strdup(a, "decided by the test");
	if (k == AE_ACTION_RENEW) {
		assert_int_equal(y->snap->num_certs, 1);
		a->cert = &y->snap->certs[0];
	}
	if (k == AE_ACTION_RETRIEVE) {
		/* the cycle's own request: a PENDING state record, seen by decide as
		 * a pending request (ae_cycle.c, pending_from_records) */
		struct ae_store_pending_req *pr = talloc_zero(a, struct ae_store_pending_req);

		assert_non_null(pr);
		assert_int_equal(y->snap->num_pending, 0);
		assert_int_equal(y->snap->num_certs, 1);
		assert_int_equal(y->snap->certs[0].state, AE_CERT_PENDING);
		pr->ca = y->snap->certs[0].pending_ca;
		pr->template_name = y->snap->certs[0].template_name;
		pr->request_id = y->snap->certs[0].pending_request_id;
		a->pending = pr;
	}
	y->c.actions = a;
	y->c.num_actions = 1;
}

/* dispatch the actions: exactly one item, exactly one CA call */
static struct ae_cycle_item *dispatch(struct cyc *y)
{
	y->e->ca.calls = 0;
	assert_int_equal(ae_cycle_dispatch(&y->c), AE_OK);
	assert_int_equal(y->e->ca.calls, 1);
	assert_int_equal(y->r->num_items, 1);
	assert_string_equal(y->r->items[0].template_name, TPL);
	assert_string_equal(y->r->items[0].ca, CA_CN);
	return &y->r->items[0];
}

static void assert_contains(const char *s, const char *what)
{
	assert_non_null(s);
	if (strstr(s, what) == NULL) {
		fail_msg("'%s' does not contain '%s'", s, what);
	}
}

/*
 * text is exactly one JSON object and a newline: braces and brackets
 * balance outside strings (escapes skipped), and the top-level object
 * closes at the last character before the newline.
 */
static void assert_one_json_object(const char *text, size_t len)
{
	int depth = 0;
	bool in_str = false;
	size_t i;

	assert_true(len >= 3);
	assert_int_equal(text[0], '{');
	assert_int_equal(text[len - 1], '\n');
	for (i = 0; i < len - 1; i++) {
		char ch = text[i];

		if (in_str) {
			assert_true((unsigned char)ch >= 0x20);	/* control characters escaped */
			i += ch == '\\';
			in_str = ch != '"';
			continue;
		}
		in_str = ch == '"';
		depth += (ch == '{' || ch == '[') - (ch == '}' || ch == ']');
		assert_true(depth >= 0);
		if (depth == 0) {
			assert_int_equal(i, len - 2);	/* nothing after the object */
		}
	}
	assert_false(in_str);
	assert_int_equal(depth, 0);
}

/* ---- tests -------------------------------------------------------------- */

static void cycle_enroll_installs_and_reports_done(void **state)
{
	struct cyc *y = cyc_new(*state);
	struct ae_cycle_item *it = NULL;
	struct ae_store_state *rec = NULL;

	y->e->ca.answer = FAKE_ISSUE;
	one_action(y, AE_ACTION_ENROLL, AE_CAUSE_NO_CERTIFICATE);
	it = dispatch(y);
	assert_string_equal(it->action, ae_action_kind_name(AE_ACTION_ENROLL));
	assert_string_equal(it->result, "done");
	assert_int_equal(it->outcome, AE_OUTCOME_ISSUED);
	assert_int_equal(it->request_id, 41);
	assert_contains(it->reason, "issued by " CA_CN ", request 41, serial 1A01");
	assert_int_equal(y->e->ca.got_id, 0);
	assert_string_equal(y->e->ca.got_authority, CA_CN);
	assert_int_equal(y->renewals, 0);		/* a new request is a plain PKCS#10 */
	/* the pair is the one the CA issued, for the key the cycle generated */
	assert_non_null(y->c.keys[0]);
	assert_installed_for(y->e, y->c.keys[0]);
	assert_string_equal(tfile(y, y->e->store, TPL, ".crt"), y->e->ca.issued_pem);
	rec = record(y->e);
	assert_int_equal(rec->status, AE_CERT_ISSUED);
	assert_string_equal(rec->cert.serial_hex, "1A01");
	assert_int_equal(rec->failures, 0);
	cyc_free(y);
}

static void cycle_renew_archives_the_old_pair(void **state)
{
	struct cyc *y = cyc_new(*state);
	struct pair old = first_pair(y->e);	/* serial 1A01, request 41 */
	struct ae_cycle_item *it = NULL;
	struct ae_store_state *rec = NULL;

	y->e->ca.answer = FAKE_ISSUE;
	one_action(y, AE_ACTION_RENEW, AE_CAUSE_RENEWAL_DUE);
	it = dispatch(y);
	assert_string_equal(it->action, ae_action_kind_name(AE_ACTION_RENEW));
	assert_string_equal(it->result, "done");
	assert_int_equal(it->outcome, AE_OUTCOME_ISSUED);
	assert_contains(it->reason, "issued by " CA_CN ", request 42, serial 1A02");
	/* the request was a renewal signed with the old pair ([MS-WCCE] 3.1.1.4.3.2.1) */
	assert_int_equal(y->renewals, 1);
	assert_true(y->renewal_signature_ok);
	assert_string_equal(y->renewal_signer, old.serial);
	/* the new pair is installed, for the new key, and the old one archived */
	assert_non_null(y->c.keys[0]);
	assert_installed_for(y->e, y->c.keys[0]);
	rec = record(y->e);
	assert_int_equal(rec->status, AE_CERT_ISSUED);
	assert_string_equal(rec->cert.serial_hex, "1A02");
	assert_string_equal(slurp(y, talloc_asprintf(y, "%s/archive/%s.%s.crt", y->e->dir, TPL,
						       old.serial)), old.crt);
	assert_string_equal(slurp(y, talloc_asprintf(y, "%s/archive/%s.%s.key", y->e->dir, TPL,
						       old.serial)), old.keypem);
	assert_string_not_equal(tfile(y, y->e->store, TPL, ".key"), old.keypem);
	cyc_free(y);
}

static void cycle_retrieve_installs_the_pending_request(void **state)
{
	struct cyc *y = cyc_new(*state);
	struct ae_enroll_result *r = NULL;
	struct ae_key *key = NULL;
	struct ae_cycle_item *it = NULL;

	/* a request taken under submission (request 41), recorded PENDING */
	y->e->ca.answer = FAKE_PENDING;
	assert_int_equal(submit(y->e, AE_CERT_ENROLLING, y->t, &r, &key), AE_OK);
	assert_int_equal(record(y->e)->status, AE_CERT_PENDING);

	y->e->ca.answer = FAKE_ISSUE;
	one_action(y, AE_ACTION_RETRIEVE, AE_CAUSE_PENDING);
	it = dispatch(y);
	assert_int_equal(y->e->ca.got_id, 41);		/* the retrieval asked for request 41 */
	assert_int_equal(y->e->ca.got_request_cb, 0);
	assert_string_equal(it->action, ae_action_kind_name(AE_ACTION_RETRIEVE));
	assert_string_equal(it->result, "done");
	assert_int_equal(it->outcome, AE_OUTCOME_ISSUED);
	assert_int_equal(it->request_id, 41);
	assert_contains(it->reason, "issued by " CA_CN ", request 41, serial 1A01");
	/* installed for the key of the pending request (none generated for it) */
	assert_null(y->c.keys[0]);
	assert_installed_for(y->e, key);
	assert_int_equal(record(y->e)->status, AE_CERT_ISSUED);
	assert_false(tpresent(y, y->e->store, TPL, ".key.new"));
	cyc_free(y);
}

static void cycle_denied_request_is_failed_and_backs_off(void **state)
{
	struct cyc *y = cyc_new(*state);
	struct ae_cycle_item *it = NULL;
	struct ae_store_state *rec = NULL;

	y->e->ca.answer = FAKE_DENY;
	one_action(y, AE_ACTION_ENROLL, AE_CAUSE_NO_CERTIFICATE);
	it = dispatch(y);
	assert_string_equal(it->result, "denied");
	assert_int_equal(it->outcome, AE_OUTCOME_REJECTED);
	assert_int_equal(it->hresult, DENIED);
	assert_contains(it->reason, TPL);
	assert_contains(it->reason, CA_CN);
	assert_contains(it->reason, "1 failed request in a row");
	assert_false(tpresent(y, y->e->store, TPL, ".crt"));
	/* the back-off is recorded (ae_cycle_note_attempt) */
	rec = record(y->e);
	assert_int_equal(rec->failures, 1);
	assert_true(rec->next_attempt > 0);
	cyc_free(y);
}

static void cycle_unreachable_ca_is_reported_unreachable(void **state)
{
	struct cyc *y = cyc_new(*state);
	struct ae_cycle_item *it = NULL;
	struct ae_store_state *rec = NULL;

	y->e->ca.answer = FAKE_UNREACHABLE;
	one_action(y, AE_ACTION_ENROLL, AE_CAUSE_NO_CERTIFICATE);
	it = dispatch(y);
	assert_string_equal(it->result, "failed");
	assert_int_equal(it->outcome, AE_OUTCOME_UNREACHABLE);
	assert_contains(it->reason, "cannot reach");
	assert_contains(it->reason, CA_CN);
	assert_false(tpresent(y, y->e->store, TPL, ".crt"));
	rec = record(y->e);
	assert_int_equal(rec->failures, 1);
	cyc_free(y);
}

static void cycle_json_report_is_one_object(void **state)
{
	struct cyc *y = cyc_new(*state);
	char *text = NULL;
	size_t len = 0;
	FILE *f = NULL;

	y->e->ca.answer = FAKE_DENY;
	one_action(y, AE_ACTION_ENROLL, AE_CAUSE_NO_CERTIFICATE);
	(void)dispatch(y);
	ae_cycle_report_tally(y->r);
	y->r->store_dir = talloc_strdup(y->r, "/var/lib/\"store\"");	/* must be escaped */
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(cli_cycle_print(f, y->r, true, false), 0);
	assert_int_equal(fclose(f), 0);
	assert_one_json_object(text, len);
	assert_non_null(strstr(text, "\"result\": \"denied\""));
	assert_non_null(strstr(text, "\"hresult_name\": \"CERTSRV_E_TEMPLATE_DENIED\""));
	assert_non_null(strstr(text, "\"exit_code\": "));
	free(text);
	cyc_free(y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(cycle_enroll_installs_and_reports_done,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(cycle_renew_archives_the_old_pair,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(cycle_retrieve_installs_the_pending_request,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(cycle_denied_request_is_failed_and_backs_off,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(cycle_unreachable_ca_is_reported_unreachable,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(cycle_json_report_is_one_object,
						leak_setup, leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
