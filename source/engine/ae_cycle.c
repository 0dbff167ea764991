/*
 * ae_cycle.c: one autoenrollment cycle (see ae_cycle.h).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <stdlib.h>
#include <unistd.h>
#include <talloc.h>
#include <param.h>
#include "ae_cycle.h"
#include "ae_cycle_private.h"
#include "ae_enroll_private.h"
#include "ae_policy_report.h"
#include "ae_decide.h"
#include "ae_clock.h"
#include "ae_creds.h"
#include "ae_file.h"
#include "ae_log.h"
#include "ae_ldap.h"
#include "ae_pki.h"
#include "ae_template.h"
#include "ae_eligibility.h"
#include "ae_aesettings.h"
#include "ae_key.h"
#include "ae_config.h"
#include "ae_x509.h"
#include "ae_crl.h"
#include "ae_fetch.h"
#include "ae_store.h"
#include "ae_cycle_check.h"

#define AE_CRL_FETCH_TIMEOUT_MS 5000

/* ---- report items ------------------------------------------------------------ */

struct ae_cycle_item *ae_cycle_item_add(struct ae_cycle_report *r, const char *template_name,
					const char *action, const char *cause)
{
	struct ae_cycle_item *items = talloc_realloc(r, r->items, struct ae_cycle_item,
						     r->num_items + 1);
	struct ae_cycle_item *it;

	if (items == NULL) {
		return NULL;
	}
	r->items = items;
	it = &items[r->num_items++];
	memset(it, 0, sizeof(*it));
	it->template_name = talloc_strdup(items, template_name ? template_name : "");
	it->action = action;
	it->cause = cause;
	it->result = "skipped";
	it->outcome = AE_OUTCOME_ISSUED;
	return it;
}

void ae_cycle_item_fail(struct ae_cycle_report *r, struct ae_cycle_item *it,
			enum ae_outcome o, const char *fmt, ...)
{
	va_list ap;

	it->outcome = o;
	it->result = o == AE_OUTCOME_REJECTED ? "denied" : "failed";
	va_start(ap, fmt);
	it->reason = talloc_vasprintf(r, fmt, ap);
	va_end(ap);
	/* every failure line names the template, the CA and the cause */
	AE_ERROR("%s", it->reason ? it->reason : "failure");
}

const char *ae_cycle_time(TALLOC_CTX *mem, time_t t)
{
	struct tm tm;
	char buf[32];

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		return "?";
	}
	return talloc_strdup(mem, buf);
}

/* ---- helpers for the actions -------------------------------------------------- */

bool ae_cycle_needs_new_key(const struct ae_action *a)
{
	return a->kind == AE_ACTION_ENROLL || a->kind == AE_ACTION_REENROLL ||
	       (a->kind == AE_ACTION_RENEW && !a->same_key);
}

ae_err ae_cycle_key_spec(struct ae_cycle_ctx *c, const struct ae_template *t,
			 struct ae_key_spec *spec, char *why, size_t why_len)
{
	/* the same rule as `autoenroll request` (ae_config_key_spec) */
	return ae_config_key_spec(c->s->config, NULL, NULL, t, spec, why, why_len);
}

const struct ae_enrollment_service *ae_cycle_ca_by_name(struct ae_cycle_ctx *c, const char *cn)
{
	size_t i;

	for (i = 0; cn != NULL && i < c->r->policy->num_cas; i++) {
		const struct ae_enrollment_service *ca = c->r->policy->cas[i];
		if (strcasecmp(ca->cn, cn) == 0 && ca->dns_host != NULL && ca->num_ca_certs > 0) {
			return ca;
		}
	}
	return NULL;
}

const struct ae_enrollment_service *ae_cycle_ca_for(struct ae_cycle_ctx *c,
						    const struct ae_template *t)
{
	const struct ae_policy_report *p = c->r->policy;
	size_t i, j;

	for (i = 0; i < p->num_templates; i++) {
		if (p->templates[i] != t) {
			continue;
		}
		/* the CAs that publish it, in directory order: the first usable one */
		for (j = 0; j < p->eligibility[i].num_cas; j++) {
			const struct ae_enrollment_service *ca =
				ae_cycle_ca_by_name(c, p->eligibility[i].cas[j]);
			if (ca != NULL) {
				return ca;
			}
		}
	}
	return NULL;
}

/* ---- revocation of the managed certificates ---------------------------------- */

/* ldap:///<DN>?certificateRevocationList?base?... as AD CS writes it */
static ae_err fetch_ldap_crl(struct ae_cycle_ctx *c, const char *url, uint8_t **_d, size_t *_n)
{
	static const char *const attrs[] = { "certificateRevocationList", NULL };
	struct ae_ldap_entry **e = NULL;
	const char *p = url + strlen("ldap://");
	char *dn = NULL, *q;
	size_t num = 0, i, o = 0;

	p = strchr(p, '/');
	if (p == NULL) {
		return AE_ERR_PARSE;
	}
	dn = talloc_strdup(c->mem, p + 1);
	if (dn == NULL) {
		return AE_ERR_NOMEM;
	}
	q = strchr(dn, '?');
	if (q != NULL) {
		*q = '\0';
	}
	for (i = 0; dn[i] != '\0'; i++) {	/* %XX unescaping */
		if (dn[i] == '%' && dn[i + 1] && dn[i + 2]) {
			char hex[3] = { dn[i + 1], dn[i + 2], 0 };
			dn[o++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else {
			dn[o++] = dn[i];
		}
	}
	dn[o] = '\0';
	if (ae_ldap_search(c->s->ldap, c->mem, dn, AE_LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0,
			   &e, &num) != AE_OK || num != 1 || e[0]->num_attrs == 0 ||
	    e[0]->attrs[0].num_values == 0) {
		return AE_ERR_NOT_FOUND;
	}
	*_d = e[0]->attrs[0].values[0].data;
	*_n = e[0]->attrs[0].values[0].len;
	return AE_OK;
}

static enum ae_revocation_status check_one(struct ae_cycle_ctx *c, const struct ae_store_cert *sc,
					   const struct ae_cert_list *issuers, time_t now)
{
	struct ae_cert *cert = NULL;
	uint8_t *data = NULL;
	size_t len = 0, i;

	if (sc->cert_path == NULL ||
	    ae_file_read(c->mem, sc->cert_path, AE_STORE_PEM_MAX, &data, &len) != AE_OK ||
	    ae_cert_parse_pem(c->mem, data, len, &cert) != AE_OK) {
		return AE_REVSTAT_UNKNOWN;
	}
	for (i = 0; i < sc->num_cdp_urls; i++) {
		const char *url = sc->cdp_urls[i];
		struct ae_crl *crl = NULL;
		enum ae_revocation rev = AE_REVOCATION_UNKNOWN;
		char why[256] = "";
		ae_err err;

		if (strncasecmp(url, "ldap://", 7) == 0) {
			err = fetch_ldap_crl(c, url, &data, &len);
		} else {
			err = ae_fetch_url(c->mem, url, AE_CRL_DER_MAX, AE_CRL_FETCH_TIMEOUT_MS, &data, &len);
		}
		if (err != AE_OK || ae_crl_parse(c->mem, data, len, &crl) != AE_OK) {
			AE_INFO("template %s: CRL at %s: not available", sc->template_name, url);
			continue;
		}
		err = ae_crl_check(crl, cert, issuers, now, &rev, why, sizeof(why));
		if (err == AE_OK && rev != AE_REVOCATION_UNKNOWN) {
			AE_INFO("template %s: serial %s is %s per %s", sc->template_name,
				sc->serial_hex ? sc->serial_hex : "?", ae_revocation_name(rev), url);
			return rev == AE_REVOCATION_REVOKED ? AE_REVSTAT_REVOKED : AE_REVSTAT_GOOD;
		}
	}
	if (sc->num_cdp_urls > 0) {
		/* unreachable CRL: warn, do not re-enroll */
		AE_WARN("template %s: no usable CRL for serial %s (%zu distribution points); "
			"revocation unknown", sc->template_name, sc->serial_hex ? sc->serial_hex : "?",
			sc->num_cdp_urls);
	}
	return AE_REVSTAT_UNKNOWN;
}

ae_err ae_cycle_revocations(struct ae_cycle_ctx *c, const struct ae_store_snapshot *snap,
			    struct ae_revocation_entry **_rev, size_t *_n)
{
	struct ae_revocation_entry *rev = talloc_zero_array(c->mem, struct ae_revocation_entry,
						      snap->num_certs + 1);
	struct ae_cert_list *issuers = NULL;
	size_t i, j, n = 0;

	if (rev == NULL || ae_cert_list_new(c->mem, &issuers) != AE_OK) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < c->r->policy->num_cas; i++) {
		struct ae_cert_list *l = NULL;
		if (ae_enroll_anchors(c->mem, c->r->policy->cas[i], &l) != AE_OK) {
			continue;
		}
		for (j = 0; j < l->count; j++) {
			(void)ae_cert_list_add(issuers, l->certs[j]);
		}
	}
	for (i = 0; i < snap->num_certs; i++) {
		const struct ae_store_cert *sc = &snap->certs[i];
		if (sc->state != AE_CERT_ISSUED || sc->serial_hex == NULL) {
			continue;
		}
		rev[n].serial_hex = sc->serial_hex;
		rev[n].status = check_one(c, sc, issuers, ae_now());
		n++;
	}
	*_rev = rev;
	*_n = n;
	return AE_OK;
}

/* ---- the cycle ---------------------------------------------------------------- */

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

static void act(struct ae_cycle_ctx *c, size_t idx, bool *done)
{
	const struct ae_action *a = &c->actions[idx];
	struct ae_cycle_item *it = ae_cycle_item_add(c->r, a->template_name,
						     ae_action_kind_name(a->kind),
						     ae_action_cause_name(a->cause));
	size_t j;
	ae_err err;

	if (it == NULL) {
		return;
	}
	it->reason = talloc_strdup(c->r, a->reason);
	if (a->kind == AE_ACTION_SKIP) {
		return;
	}
	switch (a->kind) {
	case AE_ACTION_ENROLL:
	case AE_ACTION_REENROLL:
	case AE_ACTION_RENEW:
		ae_cycle_do_request(c, idx, it);
		ae_cycle_note_attempt(c, a, it);
		done[idx] = strcmp(it->result, "done") == 0;
		break;
	case AE_ACTION_RETRIEVE:
		ae_cycle_do_retrieve(c, idx, it);
		done[idx] = strcmp(it->result, "done") == 0;
		break;
	case AE_ACTION_ARCHIVE:
		if (a->after != AE_ACTION_NONE && !done[a->after]) {
			it->reason = talloc_asprintf(c->r, "kept: its replacement was not installed (%s)",
						     a->reason);
			break;
		}
		if (a->after != AE_ACTION_NONE &&
		    strcmp(c->actions[a->after].template_name, a->cert->template_name) == 0) {
			/* the commit of the replacement archived it already */
			it->result = "done";
			break;
		}
		err = ae_store_archive(c->store, a->cert->template_name, a->reason);
		if (err == AE_OK || err == AE_ERR_NOT_FOUND) {
			it->result = "done";
		} else {
			ae_cycle_item_fail(c->r, it, AE_OUTCOME_STORE, "template %s: cannot archive: %s",
					   a->cert->template_name, ae_strerror(err));
		}
		break;
	case AE_ACTION_REMOVE:
		err = ae_store_remove(c->store, a->cert->template_name, a->reason);
		if (err == AE_OK || err == AE_ERR_NOT_FOUND) {
			it->result = "done";
		} else {
			ae_cycle_item_fail(c->r, it, AE_OUTCOME_STORE, "template %s: cannot remove: %s",
					   a->cert->template_name, ae_strerror(err));
		}
		break;
	case AE_ACTION_WARN:
		for (j = 0; j < idx; j++) {
			const struct ae_action *b = &c->actions[j];
			if (done[j] && b->cert == a->cert &&
			    (b->kind == AE_ACTION_RENEW || b->kind == AE_ACTION_REENROLL)) {
				break;	/* that certificate was replaced in this run */
			}
		}
		if (j < idx) {
			it->reason = talloc_asprintf(c->r, "no warning: replaced in this run (%s)",
						     a->reason);
			break;
		}
		it->result = "warned";
		AE_WARN("template %s: %s", a->template_name, a->reason);
		break;
	case AE_ACTION_SKIP:
		break;
	}
}

static enum ae_outcome worse(enum ae_outcome a, enum ae_outcome b)
{
	/* the exit code says the worst thing that happened */
	static const enum ae_outcome order[] = {
		AE_OUTCOME_INTERNAL, AE_OUTCOME_STORE, AE_OUTCOME_UNVERIFIED,
		AE_OUTCOME_UNREACHABLE, AE_OUTCOME_REJECTED, AE_OUTCOME_MISCONFIGURED,
		AE_OUTCOME_PENDING, AE_OUTCOME_ISSUED,
	};
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (a == order[i] || b == order[i]) {
			return order[i];
		}
	}
	return a;
}

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
	struct ae_store_lock *lock = NULL;
	struct ae_decide_input in = { 0 };
	struct ae_revocation_entry *rev = NULL;
	struct ae_store_check *chk = NULL;
	size_t num_rev = 0, i;
	bool *done = NULL;
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
	err = ae_store_open(c, s->store_dir, AE_STORE_MACHINE_OWNER, AE_STORE_OPEN_CREATE |
			    (s->store_dir_default ? AE_STORE_OPEN_PARENTS : 0), &c->store,
			    s->error, sizeof(s->error));
	if (err != AE_OK) {
		return err;
	}
	if (!o->dry_run) {
		/* one cycle per context at a time: others wait (bounded), then find the work done */
		c->store->lock_wait_s = s->config->lock_wait_s;	/* validated by ae_config */
		err = ae_store_lock(c->store, true, &lock);
		if (err == AE_OK) {
			err = ae_store_recover(r, c->store, &r->notes);
		}
		if (err != AE_OK) {
			snprintf(s->error, sizeof(s->error), "store %s: %s", s->store_dir,
				 ae_strerror(err));
			return err;
		}
		for (i = 0; r->notes != NULL && r->notes[i] != NULL; i++) {
			AE_WARN("store recovery: %s", r->notes[i]);
		}
	}
	err = ae_policy_collect(r, s, &r->policy);
	if (err != AE_OK) {
		return err;
	}
#ifdef AE_TEST_SEAMS
	test_pause_after_policy();
#endif
	err = ae_store_snapshot(c->mem, c->store, &snap);
	if (err == AE_OK) {
		err = ae_cycle_check_store(c, snap, !o->dry_run, &chk);
	}
	if (err == AE_OK) {
		err = pending_from_records(c->mem, snap);
	}
	if (err == AE_OK) {
		err = ae_cycle_revocations(c, snap, &rev, &num_rev);
	}
	if (err != AE_OK) {
		snprintf(s->error, sizeof(s->error), "store %s: %s", s->store_dir, ae_strerror(err));
		return err;
	}
	in.aepolicy = r->policy->settings->aepolicy;
	in.offline_expiration_percent = r->policy->settings->offline_expiration_percent;
	in.templates = r->policy->templates;
	in.eligibility = r->policy->eligibility;
	in.num_templates = r->policy->num_templates;
	in.snapshot = snap;
	in.revocations = rev;
	in.num_revocations = num_rev;
	in.now = ae_now();
	in.force_renew = o->renew_template;
	err = ae_decide(c->mem, &in, &c->actions, &c->num_actions);
	if (err != AE_OK) {
		snprintf(s->error, sizeof(s->error), "decide: %s", ae_strerror(err));
		return err;
	}
	if (o->dry_run) {
		for (i = 0; i < c->num_actions; i++) {
			const struct ae_action *a = &c->actions[i];
			struct ae_cycle_item *it = ae_cycle_item_add(r, a->template_name,
								     ae_action_kind_name(a->kind),
								     ae_action_cause_name(a->cause));
			if (it != NULL) {
				it->result = a->kind == AE_ACTION_SKIP ? "skipped" : "planned";
				it->reason = talloc_strdup(r, a->reason);
			}
		}
		ae_cycle_explain_invalid(r, snap, chk);
		talloc_free(c->mem);
		return AE_OK;
	}
	c->keys = talloc_zero_array(c->mem, struct ae_key *, c->num_actions + 1);
	c->key_errors = talloc_zero_array(c->mem, char *, c->num_actions + 1);
	done = talloc_zero_array(c->mem, bool, c->num_actions + 1);
	if (c->keys == NULL || c->key_errors == NULL || done == NULL) {
		return AE_ERR_NOMEM;
	}
	(void)ae_cycle_keygen(c);
	for (i = 0; i < c->num_actions; i++) {
		act(c, i, done);
	}
	ae_cycle_explain_invalid(r, snap, chk);
	for (i = 0; i < r->num_items; i++) {
		r->worst = worse(r->worst, r->items[i].outcome);
		r->any_pending |= r->items[i].outcome == AE_OUTCOME_PENDING;
	}
	err = ae_cycle_trust_sync(s, c->mem, r, s->store_dir);
	if (err != AE_OK) {
		/* the DC gone mid-cycle is "unreachable" (5), not a store error */
		r->worst = worse(r->worst, ae_outcome_from_err(err));
	}
	talloc_free(c->mem);
	talloc_free(lock);
	return AE_OK;
}
