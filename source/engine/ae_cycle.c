/*
 * ae_cycle.c: one autoenrollment cycle (see ae_cycle.h), as its phases:
 * the store opened, locked and recovered; the policy; the store's snapshot,
 * its files checked and the revocation of its certificates
 * (ae_cycle_revoke.c); decide(); the actions (ae_cycle_dispatch.c); the
 * report (ae_cycle_report.c); trust (ae_cycle_trust.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>
#include <unistd.h>
#include <talloc.h>
#include "ae_cycle.h"
#include "ae_cycle_private.h"
#include "ae_file.h"
#include "ae_policy_report.h"
#include "ae_decide.h"
#include "ae_clock.h"
#include "ae_log.h"
#include "ae_aesettings.h"
#include "ae_config.h"
#include "ae_store.h"
#include "ae_cycle_check.h"
#include "ae_cycle_deploy.h"
#include "ae_cycle_nssdb.h"
#include "ae_cycle_trust.h"
#include "ae_ldap.h"
#include "ae_noop.h"
#include "ae_net_timeout.h"

/* ---- phase 1: the store ---------------------------------------------------------- */

/* Open the store; unless dry_run, lock it (bounded wait) and recover it. */
static ae_err open_store(struct ae_cycle_ctx *c, const struct ae_cycle_opts *o)
{
	struct ae_session *s = c->s;
	struct ae_cycle_report *r = c->r;
	size_t i;
	ae_err err;

	err = ae_store_open(c, s->store_dir, ae_session_store_owner(s), AE_STORE_OPEN_CREATE |
			    (s->store_dir_default ? AE_STORE_OPEN_PARENTS : 0), &c->store,
			    s->error, sizeof(s->error));
	if (err != AE_OK || o->dry_run) {
		return err;
	}
	/* one cycle per context at a time: others wait (bounded), then find the work done */
	c->store->lock_wait_s = s->config->lock_wait_s;	/* validated by ae_config */
	ae_file_clear_error();
	ae_net_deadline_pause();	/* waiting for another run is not this cycle's network time */
	err = ae_store_lock(c->store, true, &c->lock);
	ae_net_deadline_resume();
	if (err == AE_OK) {
		err = ae_store_recover(r, c->store, &r->notes);
	}
	if (err != AE_OK) {
		/* a file system error names the file and the cause (EIO, ENOSPC...) */
		snprintf(s->error, sizeof(s->error), "store %s: %s%s%s%s", s->store_dir,
			 ae_strerror(err), err == AE_ERR_IO && ae_file_last_error()[0] ? " (" : "",
			 err == AE_ERR_IO ? ae_file_last_error() : "",
			 err == AE_ERR_IO && ae_file_last_error()[0] ? ")" : "");
		return err;
	}
	for (i = 0; r->notes != NULL && r->notes[i] != NULL; i++) {
		AE_WARN("store recovery: %s", r->notes[i]);
	}
	return AE_OK;
}

/* ---- phase 3: the snapshot, checked, and the revocations --------------------------- */

/*
 * A request the CA holds appears in the store as a state record PENDING
 * (this cycle's own) or, from `autoenroll request`, under pending/: decide
 * sees them all as pending requests.
 */
static ae_err pending_from_records(TALLOC_CTX *mem, struct ae_store_snapshot *snap)
{
	size_t i, j, extra = 0;
	struct ae_store_pending_req *p;

	for (i = 0; i < snap->num_certs; i++) {
		extra += snap->certs[i].state == AE_CERT_PENDING;
	}
	if (extra == 0) {
		return AE_OK;
	}
	p = talloc_realloc(mem, snap->pending, struct ae_store_pending_req,
			   snap->num_pending + extra);
	if (p == NULL) {
		return AE_ERR_NOMEM;
	}
	snap->pending = p;
	for (i = 0; i < snap->num_certs; i++) {
		const struct ae_store_cert *sc = &snap->certs[i];
		if (sc->state != AE_CERT_PENDING) {
			continue;
		}
		for (j = 0; j < snap->num_pending; j++) {
			if (p[j].request_id == sc->pending_request_id &&
			    strcasecmp(p[j].template_name, sc->template_name) == 0) {
				break;
			}
		}
		if (j < snap->num_pending) {
			continue;
		}
		p[snap->num_pending].ca = sc->pending_ca;
		p[snap->num_pending].ca_host = NULL;
		p[snap->num_pending].template_name = sc->template_name;
		p[snap->num_pending].request_id = sc->pending_request_id;
		p[snap->num_pending].submitted = sc->submitted;
		snap->num_pending++;
	}
	return AE_OK;
}

static ae_err read_store(struct ae_cycle_ctx *c, bool fix, struct ae_store_snapshot **_snap,
			 struct ae_store_check **_chk, struct ae_revocation_entry **_rev,
			 size_t *_num_rev)
{
	ae_err err;

	err = ae_store_snapshot(c->mem, c->store, _snap);
	if (err == AE_OK) {
		err = ae_cycle_check_store(c, *_snap, fix, _chk);
		if (err == AE_ERR_IO) {
			return err;	/* c->s->error names the file and the cause */
		}
	}
	if (err == AE_OK) {
		err = pending_from_records(c->mem, *_snap);
	}
	if (err == AE_OK) {
		err = ae_cycle_revocations(c, *_snap, _rev, _num_rev);
	}
	if (err != AE_OK) {
		snprintf(c->s->error, sizeof(c->s->error), "store %s: %s", c->s->store_dir,
			 ae_strerror(err));
	}
	return err;
}

/* ---- phase 4: decide -------------------------------------------------------------- */

static ae_err decide(struct ae_cycle_ctx *c, const struct ae_cycle_opts *o,
		     const struct ae_store_snapshot *snap, const struct ae_revocation_entry *rev,
		     size_t num_rev, struct ae_decide_input *_in)
{
	const struct ae_policy_report *p = c->r->policy;
	struct ae_decide_input in = { 0 };
	ae_err err;

	in.aepolicy = p->settings->aepolicy;
	in.offline_expiration_percent = p->settings->offline_expiration_percent;
	in.templates = p->templates;
	in.eligibility = p->eligibility;
	in.num_templates = p->num_templates;
	in.snapshot = snap;
	in.revocations = rev;
	in.num_revocations = num_rev;
	in.now = ae_now();
	in.force_renew = o->renew_template;
	in.ds_certs = p->ds_certs;		/* user context: userCertificate */
	in.num_ds_certs = p->num_ds_certs;
	in.principal_name = c->s->sam_account_name;
	err = ae_decide(c->mem, &in, &c->actions, &c->num_actions);
	*_in = in;	/* for the no-op memo (ae_noop_save) */
	if (err != AE_OK) {
		snprintf(c->s->error, sizeof(c->s->error), "decide: %s", ae_strerror(err));
	}
	return err;
}

/* ---- the counters, read at the end: every request of the cycle -------------------- */

static void count(struct ae_cycle_report *r, const struct ae_session *s)
{
	r->ldap_searches = s->ldap != NULL ? ae_ldap_search_count(s->ldap) : 0;
	r->smb_reads = r->policy != NULL ? r->policy->smb_reads : 0;
	if (r->policy != NULL) {
		r->policy->ldap_searches = r->ldap_searches;
	}
}

/*
 * The no-op fast path decided (ae_noop.h): the memo's items; the deploy
 * targets and hooks, and the user's NSS database, compare local files as
 * in every cycle.
 */
static ae_err noop_cycle(struct ae_cycle_ctx *c)
{
	ae_cycle_deploy(c);
	ae_cycle_nssdb(c);
	ae_cycle_report_tally(c->r);
	count(c->r, c->s);
	talloc_free(c->mem);
	talloc_free(c->lock);
	return AE_OK;
}

/* ---- the cycle -------------------------------------------------------------------- */

#ifdef AE_TEST_SEAMS
/*
 * Test seam (builds with -Dtest_seams=true only): with
 * AE_TEST_PAUSE_AFTER_POLICY=DIR the cycle creates DIR/paused after reading
 * the policy and waits (at most 60 s) for DIR/go, so a scenario can stop
 * the DC at that moment.
 */
static void test_pause_after_policy(void)
{
	const char *dir = getenv("AE_TEST_PAUSE_AFTER_POLICY");
	char path[512];
	int i;
	FILE *f;

	if (dir == NULL || dir[0] == '\0') {
		return;
	}
	snprintf(path, sizeof(path), "%s/paused", dir);
	f = fopen(path, "w");
	if (f != NULL) {
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/go", dir);
	for (i = 0; i < 600 && access(path, F_OK) != 0; i++) {
		usleep(100 * 1000);
	}
}
#endif

ae_err ae_cycle_run(TALLOC_CTX *mem_ctx, struct ae_session *s, const struct ae_cycle_opts *o,
		    struct ae_cycle_report **_r)
{
	struct ae_cycle_report *r = talloc_zero(mem_ctx, struct ae_cycle_report);
	struct ae_cycle_ctx *c = NULL;
	struct ae_store_snapshot *snap = NULL;
	struct ae_revocation_entry *rev = NULL;
	struct ae_store_check *chk = NULL;
	struct ae_decide_input in = { 0 };
	size_t num_rev = 0;
	bool memo = false, noop = false;
	ae_err err;

	if (r == NULL) {
		return AE_ERR_NOMEM;
	}
	*_r = r;
	r->worst = AE_OUTCOME_ISSUED;
	c = talloc_zero(r, struct ae_cycle_ctx);
	if (c == NULL || (c->mem = talloc_new(c)) == NULL) {
		return AE_ERR_NOMEM;
	}
	c->s = s;
	c->r = r;
	r->store_dir = talloc_strdup(r, s->store_dir);
	err = open_store(c, o);
	memo = ae_noop_allowed(s, o);
	if (err == AE_OK && memo && !o->full_read) {	/* --full: read, and write a new memo */
		err = ae_noop_try(c, &noop);
		if (err == AE_OK && noop) {
			return noop_cycle(c);
		}
	}
	if (err == AE_OK) {
		err = ae_policy_collect_marked(r, s, memo, &r->policy);
	}
#ifdef AE_TEST_SEAMS
	if (err == AE_OK) {
		ae_net_deadline_pause();	/* the scenario's time, not the cycle's */
		test_pause_after_policy();
		ae_net_deadline_resume();
	}
#endif
	if (err == AE_OK) {
		err = read_store(c, !o->dry_run, &snap, &chk, &rev, &num_rev);
	}
	if (err == AE_OK) {
		err = decide(c, o, snap, rev, num_rev, &in);
	}
	if (err != AE_OK) {
		count(r, s);
		return err;
	}
	if (o->dry_run) {
		ae_cycle_report_plan(r, c->actions, c->num_actions);
		ae_cycle_explain_invalid(r, snap, chk);
		count(r, s);
		talloc_free(c->mem);
		return AE_OK;
	}
	err = ae_cycle_dispatch(c);
	if (err != AE_OK) {
		return err;
	}
	ae_cycle_deploy(c);	/* machine context: deploy targets and hooks; the journal's fields */
	ae_cycle_nssdb(c);	/* user context with autoenroll:user nssdb: the user's NSS database */
	ae_cycle_explain_invalid(r, snap, chk);
	ae_cycle_report_tally(r);
	if (s->context == AE_CONTEXT_USER) {
		/* the trust anchors are the host's, exported by the machine cycle as root */
		ae_cycle_trust_item(r, "skipped", AE_OUTCOME_ISSUED, talloc_strdup(r,
				    "trust anchors: not exported in the user context (the machine "
				    "cycle's job)"));
		err = AE_OK;
	} else if (s->ldap == NULL) {
		/* a workgroup host (or a policy without the AD): no forest to take anchors from */
		ae_cycle_trust_item(r, "skipped", AE_OUTCOME_ISSUED, talloc_strdup(r,
				    "trust anchors: no directory to export them from (workgroup "
				    "machine)"));
		err = AE_OK;
	} else {
		err = ae_cycle_trust_sync(s, c->mem, r, s->store_dir);
	}
	if (err != AE_OK) {
		/* the DC gone mid-cycle is "unreachable" (5), not a store error */
		r->worst = ae_cycle_outcome_worse(r->worst, ae_outcome_from_err(err));
	}
	if (memo) {
		ae_noop_save(c, &in);	/* a steady cycle leaves a memo, any other removes it */
	}
	count(r, s);
	talloc_free(c->mem);
	talloc_free(c->lock);
	return AE_OK;
}
