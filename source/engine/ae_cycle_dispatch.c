/*
 * ae_cycle_dispatch.c: the act phase of the cycle. The new keys start
 * being generated first, in worker threads (ae_keypool.h), then each action
 * decide() chose runs in order, a request taking its key when its turn
 * comes (the next keys are made while it is on the network): request
 * (enroll, re-enroll, renew) and retrieve
 * through the per-template step (ae_cycle_act.c), archive and remove as
 * store transitions, warn. An archive or a warning that depends on an
 * earlier action looks at whether that one was done.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <talloc.h>
#include "ae_cycle.h"
#include "ae_cycle_private.h"
#include "ae_policy_report.h"
#include "ae_polsrv.h"
#include "ae_decide.h"
#include "ae_config.h"
#include "ae_log.h"
#include "ae_pki.h"
#include "ae_eligibility.h"
#include "ae_key.h"
#include "ae_keypool.h"
#include "ae_store.h"

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

/* The policy server that offered t (report->servers[], ae_polsrv.h), or SIZE_MAX when unknown. */
static size_t server_of(const struct ae_policy_report *p, const struct ae_template *t)
{
	size_t i, k;

	for (i = 0; t != NULL && i < p->num_templates && p->templates[i] != t; i++) {
	}
	for (k = 0; t != NULL && i < p->num_templates && k < p->num_servers; k++) {
		const struct ae_polsrv *ps = &p->servers[k];
		if (ps->num_templates > 0 && i >= ps->first_template &&
		    i < ps->first_template + ps->num_templates) {
			return k;
		}
	}
	return SIZE_MAX;
}

/*
 * Whether ca serves the templates of policy server k: an MS-XCEP server's
 * template goes only to that server's CAs (MS-WSTEP), an AD template only
 * to an Enrollment Services object (MS-ICPR). The same CA name may come
 * from both (a CES in front of an enterprise CA).
 */
static bool ca_of_server(const struct ae_policy_report *p, const struct ae_enrollment_service *ca,
			 size_t k)
{
	if (k == SIZE_MAX) {
		return true;
	}
	if (p->servers[k].kind == AE_POLSRV_XCEP) {
		return ca->xcep_ca != NULL && ca->polsrv == k;
	}
	return ca->xcep_ca == NULL;
}

const struct ae_enrollment_service *ae_cycle_ca_named(struct ae_cycle_ctx *c,
						      const struct ae_template *t, const char *cn)
{
	const struct ae_policy_report *p = c->r->policy;
	size_t i, k = server_of(p, t);

	for (i = 0; cn != NULL && i < p->num_cas; i++) {
		const struct ae_enrollment_service *ca = p->cas[i];
		if (strcasecmp(ca->cn, cn) == 0 && ca->dns_host != NULL && ca->num_ca_certs > 0 &&
		    ca_of_server(p, ca, k)) {
			return ca;
		}
	}
	return NULL;
}

const struct ae_enrollment_service *ae_cycle_ca_by_name(struct ae_cycle_ctx *c, const char *cn)
{
	return ae_cycle_ca_named(c, NULL, cn);
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
		/* the CAs that publish it (an XCEP template: its cAReferences), in the
		 * policy's order: the first usable one */
		for (j = 0; j < p->eligibility[i].num_cas; j++) {
			const struct ae_enrollment_service *ca =
				ae_cycle_ca_named(c, t, p->eligibility[i].cas[j]);
			if (ca != NULL) {
				return ca;
			}
		}
	}
	return NULL;
}

/* ---- the new keys ------------------------------------------------------------- */

/*
 * The specs of the actions that need a new key (not a same-key renewal), in
 * the action order, into c->keypool; c->key_slot[i] the key of action i. A
 * template without a usable spec gets c->key_errors[i] (reported when its
 * action runs) and no key.
 */
static ae_err keys_start(struct ae_cycle_ctx *c)
{
	struct ae_key_spec *specs = talloc_zero_array(c->mem, struct ae_key_spec,
						      c->num_actions + 1);
	char why[512];
	size_t i, n = 0;
	ae_err err = AE_OK;

	c->key_slot = talloc_array(c->mem, size_t, c->num_actions + 1);
	if (specs == NULL || c->key_slot == NULL) {
		talloc_free(specs);
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < c->num_actions; i++) {
		c->key_slot[i] = SIZE_MAX;
		if (!ae_cycle_needs_new_key(&c->actions[i])) {
			continue;
		}
		if (ae_cycle_key_spec(c, c->actions[i].t, &specs[n], why, sizeof(why)) != AE_OK) {
			c->key_errors[i] = talloc_strdup(c->key_errors, why);
			continue;
		}
		if (ae_cycle_keygen_tpm(c, i, &specs[n])) {
			continue;	/* a TPM key (main thread), or skipped (ae_key_choice.c) */
		}
		c->key_slot[i] = n++;
	}
	if (n > 0) {
		err = ae_keypool_start(c->mem, specs, n, 0, &c->keypool);
	}
	if (n > 0 && err == AE_OK) {
		AE_DEBUG("cycle: %zu new keys, %u keygen threads", n, ae_keypool_threads(c->keypool));
	}
	talloc_free(specs);
	return err;
}

/* ---- the dispatcher ----------------------------------------------------------- */

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

ae_err ae_cycle_dispatch(struct ae_cycle_ctx *c)
{
	bool *done;
	size_t i;
	ae_err err;

	c->keys = talloc_zero_array(c->mem, struct ae_key *, c->num_actions + 1);
	c->key_errors = talloc_zero_array(c->mem, char *, c->num_actions + 1);
	c->key_skips = talloc_zero_array(c->mem, char *, c->num_actions + 1);
	done = talloc_zero_array(c->mem, bool, c->num_actions + 1);
	if (c->keys == NULL || c->key_errors == NULL || c->key_skips == NULL || done == NULL) {
		return AE_ERR_NOMEM;
	}
	err = keys_start(c);
	if (err != AE_OK) {
		/* each request fails on its own: "no key was generated" */
		AE_WARN("cycle: cannot start generating the new keys: %s", ae_strerror(err));
	}
	for (i = 0; i < c->num_actions; i++) {
		act(c, i, done);
	}
	/* keys not taken (the loop left early) are freed, the workers joined */
	TALLOC_FREE(c->keypool);
	return AE_OK;
}
