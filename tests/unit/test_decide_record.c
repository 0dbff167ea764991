/*
 * test_decide_record.c: what the store's state record changes in decide()
 * (engine layer, ae_decide.h): the template binding of a certificate
 * issued without the template extension, the back-off after failed
 * requests (ae_decide_backoff_s) and the forced renewal (`autoenroll renew
 * T`, force_renew). A case of decide_fixture.h is built, changed by a
 * tweak, decided and compared with its list of actions and the failures
 * count. Every test checks that nothing is left on its talloc context.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <talloc.h>
#include "decide_fixture.h"

/* Decide the fixture of dc after 'tweak' changed it; compare with w[0..nw). */
static void run_tweaked(const struct dcase *dc,
			void (*tweak)(struct decide_fixture *f, void *arg), void *arg,
			const struct want *w, size_t nw, uint32_t want_failures)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *inputs = talloc_new(NULL);
	struct decide_fixture f = {0};
	struct ae_action *acts = NULL;
	size_t n = 0, i;
	bool ok;

	assert_non_null(mem);
	assert_non_null(inputs);
	decide_build(inputs, dc, &f);
	tweak(&f, arg);
	assert_int_equal(ae_decide(mem, &f.in, &acts, &n), AE_OK);
	ok = n == nw;
	for (i = 0; ok && i < n; i++) {
		ok = decide_action_matches(&acts[i], &w[i]);
	}
	if (!ok) {
		print_message("case '%s': got %zu actions, want %zu\n", dc->name, n, nw);
		decide_print_actions(acts, n);
		fail_msg("case '%s' failed", dc->name);
	}
	assert_int_equal(acts[0].failures, want_failures);
	talloc_free(acts);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
	talloc_free(inputs);
}

/* What the state record adds: the binding, the failures, the forced template. */
struct rec_tweak {
	bool record;
	const char *name;		/* the record's template (file stem) */
	uint32_t failures;
	int64_t next;			/* seconds after T0 */
	const char *force;
};

static void apply_rec(struct decide_fixture *f, void *arg)
{
	const struct rec_tweak *r = arg;
	size_t i;

	for (i = 0; i < f->snap.num_certs; i++) {
		struct ae_store_cert *c = &f->snap.certs[i];

		c->has_record = r->record;
		c->template_name = talloc_strdup(f->snap.certs, r->name);
		c->failures = r->failures;
		c->next_attempt = (time_t)(T0 + r->next);
		c->reason = r->failures ? talloc_strdup(f->snap.certs, "CERTSRV_E_TEMPLATE_DENIED")
					: NULL;
	}
	f->in.force_renew = r->force;
}

/* A certificate without the extension, as a CA that omits it issues them. */
#define CNOEXT(s)	{ (s), NULL, NULL, 100, true, 0, 365 * DAY, false, AE_CERT_NONE }
/* A record without a usable certificate (no key, no validity), as after a failure. */
#define CNONE		{ "00", NULL, NULL, 0, false, 0, 0, true, AE_CERT_NONE }

/*
 * Issue D finding 5: a certificate issued without the template extension was
 * never matched to its template, so every cycle enrolled again. The record
 * (the client's own, for the template it requested) binds it.
 */
static void cert_without_template_extension_is_matched_by_record(void **state)
{
	static const struct dcase valid = { "bound: valid", POL(7), { TM }, { CNOEXT("01") },
					    {}, {}, 10 * DAY, {} };
	static const struct dcase due = { "bound: renewal due", POL(7), { TM },
					  { CNOEXT("01") }, {}, {}, 325 * DAY, {} };
	static const struct dcase bumped = { "bound: major bump", POL(7), { TMV(101) },
					     { CNOEXT("01") }, {}, {}, 10 * DAY, {} };
	struct rec_tweak mine = { true, "Mach", 0, 0, NULL };
	struct rec_tweak other = { true, "Other", 0, 0, NULL };
	struct rec_tweak none = { false, "Mach", 0, 0, NULL };
	const struct want w_valid[] = { WR(SKIP, VALID, "Mach", "01", "valid until") };
	const struct want w_due[] = { W(RENEW, RENEWAL_DUE, "Mach", "01"), ARCH("Mach", "01", 1) };
	const struct want w_bump[] = { W(REENROLL, MAJOR_REVISION, "Mach", "01"),
				       ARCH("Mach", "01", 1) };
	const struct want w_enroll[] = { W(ENROLL, NO_CERTIFICATE, "Mach", NULL) };

	(void)state;
	run_tweaked(&valid, apply_rec, &mine, w_valid, 1, 0);
	run_tweaked(&due, apply_rec, &mine, w_due, 2, 0);
	run_tweaked(&bumped, apply_rec, &mine, w_bump, 2, 0);
	/* another template's record, or none (installed by hand): not this template's */
	run_tweaked(&valid, apply_rec, &other, w_enroll, 1, 0);
	run_tweaked(&valid, apply_rec, &none, w_enroll, 1, 0);
}

/* A bound certificate of a superseded template is superseded like any other. */
static void cert_without_template_extension_of_superseded_template(void **state)
{
	static const struct dcase dc = { "bound: superseded", POL(7),
		{ { "New", "1.2.3.2", 1, 0, 0, 0, 42 * DAY, 365 * DAY, "Mach", AE_ELIGIBLE },
		  TMI(AE_INELIG_SUPERSEDED) }, { CNOEXT("01") }, {}, {}, 10 * DAY, {} };
	struct rec_tweak mine = { true, "Mach", 0, 0, NULL };
	const struct want w[] = { W(REENROLL, SUPERSEDED, "New", "01"), ARCH("New", "01", 1),
				  W(SKIP, NOT_ELIGIBLE, "Mach", NULL) };

	(void)state;
	run_tweaked(&dc, apply_rec, &mine, w, 3, 0);
}

/*
 * Issue D finding 5: a denied (or failed) request was asked again every
 * cycle. The record's failures and next_attempt hold the template back.
 */
static void failed_request_backs_off(void **state)
{
	static const struct dcase fresh = { "back-off: no certificate", POL(7), { TM }, { CNONE },
					    {}, {}, 0, {} };
	static const struct dcase due = { "back-off: renewal due", POL(7), { TM }, { CY("01") },
					  {}, {}, 325 * DAY, {} };
	struct rec_tweak waiting = { true, "Mach", 2, 2 * HOUR, NULL };
	struct rec_tweak over = { true, "Mach", 2, 0, NULL };
	struct rec_tweak waiting_due = { true, "Mach", 1, 325 * DAY + HOUR, NULL };
	const struct want w_wait[] = {
		WR(SKIP, BACKING_OFF, "Mach", NULL, "backing off after 2 failed requests until "
		   "2024-01-01T02:00:00Z (last: CERTSRV_E_TEMPLATE_DENIED): no enroll now "
		   "(no current certificate: enroll)") };
	const struct want w_enroll[] = { W(ENROLL, NO_CERTIFICATE, "Mach", NULL) };
	const struct want w_wait_due[] = {
		WR(SKIP, BACKING_OFF, "Mach", "01", "after 1 failed request until") };
	const struct want w_renew[] = { W(RENEW, RENEWAL_DUE, "Mach", "01"),
					ARCH("Mach", "01", 1) };
	struct rec_tweak over_due = { true, "Mach", 1, 325 * DAY, NULL };

	(void)state;
	run_tweaked(&fresh, apply_rec, &waiting, w_wait, 1, 2);
	/* next_attempt reached: asked again, and the cycle learns the count */
	run_tweaked(&fresh, apply_rec, &over, w_enroll, 1, 2);
	/* a renewal too, and nothing is archived while it waits */
	run_tweaked(&due, apply_rec, &waiting_due, w_wait_due, 1, 1);
	run_tweaked(&due, apply_rec, &over_due, w_renew, 2, 1);
}

static void backoff_doubles_up_to_8_hours(void **state)
{
	(void)state;
	assert_int_equal(ae_decide_backoff_s(0), 0);
	assert_int_equal(ae_decide_backoff_s(1), HOUR);
	assert_int_equal(ae_decide_backoff_s(2), 2 * HOUR);
	assert_int_equal(ae_decide_backoff_s(3), 4 * HOUR);
	assert_int_equal(ae_decide_backoff_s(4), 8 * HOUR);
	assert_int_equal(ae_decide_backoff_s(5), 8 * HOUR);
	assert_int_equal(ae_decide_backoff_s(UINT32_MAX), 8 * HOUR);
	assert_string_equal(ae_action_cause_name(AE_CAUSE_BACKING_OFF), "backing-off");
	assert_string_equal(ae_action_cause_name(AE_CAUSE_FORCED), "forced");
	assert_string_equal(ae_action_cause_name(AE_CAUSE_NOTHING_TO_RENEW), "nothing-to-renew");
}

/* `autoenroll renew T`: RENEW now, whatever the window, the back-off or AEPolicy. */
static void forced_renewal_renews_a_valid_certificate_now(void **state)
{
	static const struct dcase early = { "forced: early", POL(7), { TM }, { CY("01") }, {}, {},
					    10 * DAY, {} };
	static const struct dcase absent = { "forced: no AEPolicy", POL_ABSENT, { TM },
					     { CY("01") }, {}, {}, 10 * DAY, {} };
	static const struct dcase bound = { "forced: bound", POL(7), { TM }, { CNOEXT("01") },
					    {}, {}, 10 * DAY, {} };
	struct rec_tweak force = { false, "Mach", 0, 0, "MACH" };
	struct rec_tweak force_rec = { true, "Mach", 3, 10 * DAY + HOUR, "Mach" };
	struct rec_tweak other = { false, "Mach", 0, 0, "Other" };
	const struct want w[] = { WR(RENEW, FORCED, "Mach", "01", "renewal asked for (valid until "
				     "2024-12-31T00:00:00Z): renew with a new key, signed with the "
				     "current certificate"), ARCH("Mach", "01", 1) };
	const struct want w_other[] = { W(SKIP, VALID, "Mach", "01") };

	(void)state;
	run_tweaked(&early, apply_rec, &force, w, 2, 0);
	run_tweaked(&early, apply_rec, &force_rec, w, 2, 3);	/* backing off: forced anyway */
	run_tweaked(&absent, apply_rec, &force, w, 2, 0);
	run_tweaked(&bound, apply_rec, &force_rec, w, 2, 3);
	run_tweaked(&early, apply_rec, &other, w_other, 1, 0);
}

static void forced_renewal_without_a_valid_certificate_is_refused(void **state)
{
	static const struct dcase none = { "forced: nothing", POL(7), { TM }, {}, {}, {}, 0, {} };
	static const struct dcase expired = { "forced: expired", POL(7), { TM }, { CY("01") }, {},
					      {}, 400 * DAY, {} };
	static const struct dcase pending = { "forced: pending", POL(7), { TM }, { CY("01") },
					      { { "Mach", 17 } }, {}, 10 * DAY, {} };
	struct rec_tweak force = { false, "Mach", 0, 0, "Mach" };
	const struct want w_none[] = { WR(SKIP, NOTHING_TO_RENEW, "Mach", NULL, "no valid "
					  "certificate to sign it with: use 'autoenroll request "
					  "Mach'") };
	const struct want w_expired[] = { WR(SKIP, NOTHING_TO_RENEW, "Mach", "01",
					     "(it expired)") };
	const struct want w_pending[] = { WP(RETRIEVE, PENDING, "Mach", "01", 17),
					  WR(SKIP, NOTHING_TO_RENEW, "Mach", "01", "pending"),
					  ARCH("Mach", "01", 1) };

	(void)state;
	run_tweaked(&none, apply_rec, &force, w_none, 1, 0);
	run_tweaked(&expired, apply_rec, &force, w_expired, 1, 0);
	run_tweaked(&pending, apply_rec, &force, w_pending, 3, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cert_without_template_extension_is_matched_by_record),
		cmocka_unit_test(cert_without_template_extension_of_superseded_template),
		cmocka_unit_test(failed_request_backs_off),
		cmocka_unit_test(backoff_doubles_up_to_8_hours),
		cmocka_unit_test(forced_renewal_renews_a_valid_certificate_now),
		cmocka_unit_test(forced_renewal_without_a_valid_certificate_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
