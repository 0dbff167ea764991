/*
 * ae_noop_save.c: the memo written after a full cycle (ae_noop.h). Only a
 * steady cycle leaves one: every action a SKIP whose cause stays true
 * until the directory, the store or the clock (ae_decide_next.h) says
 * otherwise; nothing requested, pending, recovered, invalid or in error;
 * only the AD policy. Any other cycle removes the memo, so the next run
 * reads everything again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <talloc.h>
#include "ae_noop.h"
#include "ae_cycle_private.h"
#include "ae_cycle_trust.h"
#include "ae_policy_report.h"
#include "ae_polsrv.h"
#include "ae_decide.h"
#include "ae_decide_next.h"
#include "ae_principal.h"
#include "ae_ldap.h"
#include "ae_store.h"
#include "ae_file.h"
#include "ae_log.h"

static bool steady_cause(enum ae_action_cause k)
{
	switch (k) {
	case AE_CAUSE_VALID:
	case AE_CAUSE_NOT_ELIGIBLE:
	case AE_CAUSE_POLICY_ABSENT:
	case AE_CAUSE_POLICY_DISABLED:
	case AE_CAUSE_DS_CERTIFICATE:
	case AE_CAUSE_NEEDS_MANUAL_REQUEST:
	case AE_CAUSE_SKIP_AUTO_RENEWAL:
	case AE_CAUSE_BACKING_OFF:
		return true;
	default:
		return false;
	}
}

/* DN ends with ",<nc>" (or is nc), case-insensitively. */
static bool under(const char *dn, const char *nc)
{
	size_t a = dn ? strlen(dn) : 0, b = nc ? strlen(nc) : 0;

	return b > 0 && a >= b && strcasecmp(dn + a - b, nc) == 0 &&
	       (a == b || dn[a - b - 1] == ',');
}

/* NULL when the cycle may be memoised, else why not. */
static const char *unsteady(const struct ae_cycle_ctx *c, const struct ae_decide_input *in)
{
	const struct ae_cycle_report *r = c->r;
	const struct ae_policy_report *p = r->policy;
	const struct ae_rootdse *dse = c->s->rootdse;
	size_t i;

	if (p == NULL || p->noop_marks == NULL || p->principal == NULL || dse == NULL ||
	    p->watch_dns == NULL || p->num_watch_dns > AE_NOOP_WATCH_MAX ||
	    r->num_items > AE_NOOP_ITEMS_MAX) {
		return "no marks";
	}
	if (r->worst != AE_OUTCOME_ISSUED || r->any_pending || r->requests > 0 ||
	    r->trust_changed || p->num_errors > 0 || (r->notes && r->notes[0]) ||
	    (r->check_notes && r->check_notes[0])) {
		return "something was done, is pending or failed";
	}
	for (i = 0; i < p->num_servers; i++) {
		if (p->servers[i].kind != AE_POLSRV_AD) {
			return "an enrollment policy server";
		}
	}
	if (in->snapshot == NULL || in->snapshot->num_pending > 0 ||
	    in->snapshot->num_unmanaged > 0) {
		return "the store holds pending or unmanaged entries";
	}
	for (i = 0; i < in->snapshot->num_certs; i++) {
		const struct ae_store_cert *sc = &in->snapshot->certs[i];
		size_t k, ldap = 0;
		if (sc->invalid) {
			return "an invalid certificate";
		}
		/* a CRL in AD is a cRLDistributionPoint object the fast path watches;
		 * one only at a file or http CDP is not: read every cycle */
		for (k = 0; k < sc->num_cdp_urls; k++) {
			ldap += strncasecmp(sc->cdp_urls[k], "ldap:", 5) == 0;
		}
		if (sc->num_cdp_urls > 0 && ldap == 0) {
			return "a certificate whose CRL is not in the directory";
		}
	}
	for (i = 0; i < c->num_actions; i++) {
		if (c->actions[i].kind != AE_ACTION_SKIP || !steady_cause(c->actions[i].cause)) {
			return "an action";
		}
	}
	for (i = 0; i < r->num_items; i++) {
		const struct ae_cycle_item *it = &r->items[i];
		bool trust_warning = strcmp(it->template_name, AE_TRUST_ITEM) == 0 &&
				     strcmp(it->result, "warned") == 0;
		if (strcmp(it->result, "skipped") != 0 && !trust_warning) {
			return "a report item";
		}
	}
	if (p->site_dn != NULL && !under(p->site_dn, dse->configuration_nc)) {
		return "the site is outside the configuration NC";
	}
	for (i = 0; i < p->num_watch_dns; i++) {
		if (!under(p->watch_dns[i], dse->default_nc)) {
			return "a SOM or GPO outside the domain NC";
		}
	}
	return NULL;
}

/* does an Enrollment Service publish t, or is t the template of a store certificate? */
static bool template_matters(const struct ae_policy_report *p, const struct ae_store_snapshot *snap,
			     const struct ae_template *t)
{
	size_t i, k;

	for (i = 0; i < p->num_cas; i++) {
		for (k = 0; k < p->cas[i]->num_templates; k++) {
			if (strcasecmp(p->cas[i]->templates[k], t->cn) == 0) {
				return true;
			}
		}
	}
	for (i = 0; snap != NULL && i < snap->num_certs; i++) {
		const struct ae_store_cert *sc = &snap->certs[i];
		if (strcasecmp(sc->template_name, t->cn) == 0 ||
		    (sc->template_oid != NULL && t->oid != NULL &&
		     strcmp(sc->template_oid, t->oid) == 0) ||
		    (sc->template_v1_name != NULL && strcasecmp(sc->template_v1_name, t->cn) == 0)) {
			return true;
		}
	}
	return false;
}

/*
 * The templates the fast path watches: a template that no Enrollment
 * Service publishes and no store certificate comes from cannot change a
 * decision (to matter it must be published, and publishing it changes the
 * Enrollment Service, which is watched), so with many templates in the
 * forest the DC is asked about a few DNs, not every template. More than
 * AE_NOOP_TPL_MAX, or one outside the configuration NC: every template.
 */
static void watched_templates(TALLOC_CTX *mem, const struct ae_cycle_ctx *c,
			      const struct ae_decide_input *in, struct ae_noop_memo *m)
{
	const struct ae_policy_report *p = c->r->policy;
	const char *nc = c->s->rootdse->configuration_nc;
	size_t i;

	m->tpls_listed = false;
	m->num_tpls = 0;
	m->tpls = talloc_zero_array(mem, char *, AE_NOOP_TPL_MAX + 1);
	for (i = 0; m->tpls != NULL && i < p->num_templates; i++) {
		const struct ae_template *t = p->templates[i];
		if (t->dn == NULL || !template_matters(p, in->snapshot, t)) {
			continue;
		}
		if (m->num_tpls == AE_NOOP_TPL_MAX || !under(t->dn, nc)) {
			return;		/* every template */
		}
		m->tpls[m->num_tpls++] = t->dn;
	}
	m->tpls_listed = m->tpls != NULL;
}

static ae_err fill(TALLOC_CTX *mem, const struct ae_cycle_ctx *c,
		   const struct ae_decide_input *in, struct ae_noop_memo *m)
{
	const struct ae_cycle_report *r = c->r;
	const struct ae_policy_report *p = r->policy;
	const struct ae_rootdse *dse = c->s->rootdse;
	time_t next = ae_decide_next_change(in);
	size_t i;
	ae_err err;

	m->dc = c->s->dc;
	m->ds_service_name = p->noop_marks->ds_service_name;
	memcpy(m->invocation_id, p->noop_marks->invocation_id, sizeof(m->invocation_id));
	m->configuration_nc = dse->configuration_nc;
	m->root_domain_nc = dse->root_domain_nc ? dse->root_domain_nc : "";
	m->default_nc = dse->default_nc;
	m->dns_host_name = dse->dns_host_name;
	m->usn = p->noop_marks->usn;
	m->principal_sid = ae_sid_to_string(mem, &p->principal->sid);
	m->site = p->site_dn;
	m->watch = p->watch_dns;
	m->num_watch = p->num_watch_dns;
	watched_templates(mem, c, in, m);
	m->full_read = (int64_t)in->now;
	m->due = (int64_t)next < m->full_read + AE_NOOP_FULL_READ_S ?
		 (int64_t)next : m->full_read + AE_NOOP_FULL_READ_S;
	m->items = talloc_zero_array(mem, struct ae_noop_item, r->num_items + 1);
	if (m->principal_sid == NULL || m->items == NULL || dse->default_nc == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < r->num_items; i++) {
		m->items[i] = (struct ae_noop_item) { .template_name = r->items[i].template_name,
			.action = r->items[i].action, .cause = r->items[i].cause,
			.result = r->items[i].result, .ca = r->items[i].ca,
			.reason = r->items[i].reason ? r->items[i].reason : "" };
	}
	m->num_items = r->num_items;
	err = ae_noop_digest_principal(p->principal, m->principal);
	if (err == AE_OK) {
		err = ae_noop_digest_config(c->s, m->config);
	}
	if (err == AE_OK) {
		err = ae_noop_digest_store(c->store->fd, m->store);
	}
	return err;
}

static int open_dir(const char *dir)
{
	const char *cause = NULL;
	int fd = -1;

	if (ae_private_dir_open(dir, &fd, &cause) != AE_OK) {
		AE_DEBUG("no-op memo: %s: %s", dir, cause);
		return -1;
	}
	return fd;
}

void ae_noop_save(struct ae_cycle_ctx *c, const struct ae_decide_input *in)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_noop_memo m = { 0 };
	const char *why = in != NULL ? unsteady(c, in) : "no decision";
	char *text = NULL;
	ae_err err = AE_OK;
	int dfd;

	if (tmp == NULL || c->s->gpo_cache_dir == NULL || (dfd = open_dir(c->s->gpo_cache_dir)) < 0) {
		talloc_free(tmp);
		return;
	}
	if (why == NULL) {
		err = fill(tmp, c, in, &m);
		if (err == AE_OK) {
			err = ae_noop_memo_format(tmp, &m, &text);
		}
		if (err == AE_OK) {
			err = ae_file_write_atomic_at(dfd, AE_NOOP_MEMO_NAME, text, strlen(text), 0600);
		}
		if (err != AE_OK) {
			AE_WARN("%s/%s: cannot write the no-op memo: %s", c->s->gpo_cache_dir,
				AE_NOOP_MEMO_NAME, ae_strerror(err));
		} else {
			AE_DEBUG("no-op memo written (due %lld)", (long long)m.due);
		}
	}
	if (why != NULL || err != AE_OK) {
		AE_DEBUG("no no-op memo: %s", why != NULL ? why : ae_strerror(err));
		if (unlinkat(dfd, AE_NOOP_MEMO_NAME, 0) != 0 && errno != ENOENT) {
			AE_WARN("%s/%s: cannot remove the no-op memo: %s", c->s->gpo_cache_dir,
				AE_NOOP_MEMO_NAME, strerror(errno));
		}
	}
	close(dfd);
	talloc_free(tmp);
}
