/*
 * decide_fixture.c: the decide tests' fixture (decide_fixture.h): builds
 * ae_decide's input from a case, decides it, and compares the actions with
 * the case's, printing them all when they differ.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>
#include <talloc.h>
#include "decide_fixture.h"

void decide_build(TALLOC_CTX *ctx, const struct dcase *dc, struct decide_fixture *f)
{
	size_t nt = 0, nc = 0, np = 0, nr = 0, i;

	while (nt < MAXT && dc->t[nt].cn != NULL) {
		nt++;
	}
	while (nc < MAXC && dc->c[nc].serial != NULL) {
		nc++;
	}
	while (np < MAXP && dc->p[np].tpl != NULL) {
		np++;
	}
	while (nr < MAXR && dc->r[nr].serial != NULL) {
		nr++;
	}
	f->templates = talloc_zero_array(ctx, struct ae_template *, nt + 1);
	f->elig = talloc_zero_array(ctx, struct ae_eligibility, nt + 1);
	f->snap.certs = talloc_zero_array(ctx, struct ae_store_cert, nc + 1);
	f->snap.pending = talloc_zero_array(ctx, struct ae_store_pending_req, np + 1);
	f->revs = talloc_zero_array(ctx, struct ae_revocation_entry, nr + 1);
	assert_non_null(f->templates);
	assert_non_null(f->elig);
	assert_non_null(f->snap.certs);
	assert_non_null(f->snap.pending);
	assert_non_null(f->revs);
	for (i = 0; i < nt; i++) {
		const struct tpl_spec *s = &dc->t[i];
		struct ae_template *t = talloc_zero(f->templates, struct ae_template);

		assert_non_null(t);
		t->cn = talloc_strdup(t, s->cn);
		t->oid = s->oid != NULL ? talloc_strdup(t, s->oid) : NULL;
		t->schema_version = s->oid != NULL ? 2 : 1;
		t->major_revision = s->major;
		t->enrollment_flag = s->eflag;
		t->private_key_flag = s->pkflag;
		t->ra_signatures = s->ra;
		t->overlap_s = s->overlap;
		t->expiration_s = s->validity;
		t->present = AE_TPL_HAS_REVISION | AE_TPL_HAS_EXPIRATION | AE_TPL_HAS_OVERLAP;
		if (s->supersede != NULL) {
			t->supersede = talloc_array(t, char *, 1);
			assert_non_null(t->supersede);
			t->supersede[0] = talloc_strdup(t, s->supersede);
			t->num_supersede = 1;
		}
		f->templates[i] = t;
		f->elig[i].code = s->code;
		f->elig[i].code_name = ae_inelig_name(s->code);
		f->elig[i].reason = s->code == AE_ELIGIBLE ?
			talloc_strdup(f->elig, "eligible: published by LabCA") :
			talloc_asprintf(f->elig, "not eligible: %s", ae_inelig_name(s->code));
	}
	for (i = 0; i < nc; i++) {
		const struct cert_spec *s = &dc->c[i];
		struct ae_store_cert *c = &f->snap.certs[i];

		c->template_name = talloc_strdup(f->snap.certs, "Mach");
		c->template_oid = s->oid != NULL ? talloc_strdup(f->snap.certs, s->oid) : NULL;
		c->template_v1_name = s->v1 != NULL ? talloc_strdup(f->snap.certs, s->v1) : NULL;
		c->major = s->major;
		c->has_major = s->has_major;
		c->ca = talloc_strdup(f->snap.certs, "LabCA");
		c->serial_hex = talloc_strdup(f->snap.certs, s->serial);
		c->not_before = (time_t)(T0 + s->nb);
		c->not_after = (time_t)(T0 + s->na);
		c->key_present = !s->no_key;
		c->state = s->state == AE_CERT_NONE ? AE_CERT_ISSUED : s->state;
	}
	for (i = 0; i < np; i++) {
		struct ae_store_pending_req *p = &f->snap.pending[i];

		p->ca = talloc_strdup(f->snap.pending, "LabCA");
		p->template_name = talloc_strdup(f->snap.pending, dc->p[i].tpl);
		p->request_id = dc->p[i].id;
		p->submitted = (time_t)(T0 - DAY);
	}
	for (i = 0; i < nr; i++) {
		f->revs[i].serial_hex = dc->r[i].serial;
		f->revs[i].status = dc->r[i].status;
	}
	f->snap.num_certs = nc;
	f->snap.num_pending = np;
	f->in = (struct ae_decide_input) {
		.aepolicy = { .present = dc->pol_present, .value = dc->pol },
		.offline_expiration_percent = { .present = dc->pct_present, .value = dc->pct },
		.templates = f->templates,
		.eligibility = f->elig,
		.num_templates = nt,
		.snapshot = &f->snap,
		.revocations = f->revs,
		.num_revocations = nr,
		.now = (time_t)(T0 + dc->now),
	};
}

void decide_print_actions(const struct ae_action *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		print_message("  [%zu] %s/%s %s cert=%s pending=%u after=%zd same_key=%d: %s\n", i,
			      ae_action_kind_name(a[i].kind), ae_action_cause_name(a[i].cause),
			      a[i].template_name, a[i].cert != NULL ? a[i].cert->serial_hex : "-",
			      a[i].pending != NULL ? a[i].pending->request_id : 0,
			      a[i].after == AE_ACTION_NONE ? (ssize_t)-1 : (ssize_t)a[i].after,
			      a[i].same_key, a[i].reason);
	}
}

bool decide_action_matches(const struct ae_action *a, const struct want *w)
{
	size_t after = w->after == 0 ? AE_ACTION_NONE : w->after - 1;

	if (a->kind != w->kind || a->cause != w->cause || strcmp(a->template_name, w->tpl) != 0 ||
	    a->after != after || a->same_key != w->same_key || a->reason == NULL) {
		return false;
	}
	if ((w->serial == NULL) != (a->cert == NULL)) {
		return false;
	}
	if (w->serial != NULL && strcmp(a->cert->serial_hex, w->serial) != 0) {
		return false;
	}
	if ((w->pending_id == 0) != (a->pending == NULL)) {
		return false;
	}
	if (w->pending_id != 0 && a->pending->request_id != w->pending_id) {
		return false;
	}
	return w->reason == NULL || strstr(a->reason, w->reason) != NULL;
}

void decide_run_case(const struct dcase *dc)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *inputs = talloc_new(NULL);
	struct decide_fixture f = {0};
	struct ae_action *acts = NULL;
	size_t n = 0, nw = 0, i;
	bool ok;
	ae_err err;

	assert_non_null(mem);
	assert_non_null(inputs);
	decide_build(inputs, dc, &f);
	while (nw < MAXW && dc->w[nw].tpl != NULL) {
		nw++;
	}
	err = ae_decide(mem, &f.in, &acts, &n);
	assert_int_equal(err, AE_OK);
	assert_non_null(acts);
	ok = n == nw;
	for (i = 0; ok && i < n; i++) {
		ok = decide_action_matches(&acts[i], &dc->w[i]);
	}
	if (!ok) {
		print_message("case '%s': got %zu actions, want %zu\n", dc->name, n, nw);
		decide_print_actions(acts, n);
		fail_msg("case '%s' failed", dc->name);
	}
	assert_ptr_equal(talloc_parent(acts), mem);
	talloc_free(acts);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
	talloc_free(inputs);
}
