/*
 * ae_cycle_act.c: carry out the actions decide() chose. A request or a
 * retrieval is the per-template step `request` and `retrieve` use too
 * (ae_step.c); every change of the store is a store transition (begin,
 * pending, commit, abort, archive, remove), saved before the next network
 * step, so a kill at any moment leaves something ae_store_recover()
 * finishes or rolls back.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>
#include <talloc.h>
#include <tevent.h>
#include <param.h>
#include "ae_smbconf.h"
#include "ae_cycle.h"
#include "ae_cycle_private.h"
#include "ae_enroll_private.h"
#include "ae_principal.h"
#include "ae_policy_report.h"
#include "ae_polsrv.h"
#include "ae_decide.h"
#include "ae_creds.h"
#include "ae_file.h"
#include "ae_log.h"
#include "icpr.h"
#include "ae_pki.h"
#include "ae_template.h"
#include "ae_eligibility.h"
#include "ae_key.h"
#include "ae_keypool.h"
#include "ae_csr.h"
#include "ae_x509.h"
#include "ae_crl.h"
#include "ae_renewal.h"
#include "ae_store.h"
#include "ae_step.h"

#define AE_CLIENT_ID_AUTOENROLL 6	/* MS-WCCE <11>: ClientIdAutoEnroll (Vista+) */

/* ---- the new key of a request, from the cycle's key pool ------------------ */

/*
 * Action idx's new key (c->keys[idx]), taken from the pool when the action's
 * turn comes: the keys after it are still being generated meanwhile. false:
 * the item says why there is none.
 */
static bool take_new_key(struct ae_cycle_ctx *c, size_t idx, struct ae_cycle_item *it)
{
	char *why = NULL;
	ae_err err;

	if (c->key_errors[idx] != NULL) {
		ae_cycle_item_fail(c->r, it, AE_OUTCOME_MISCONFIGURED, "%s", c->key_errors[idx]);
		return false;
	}
	if (c->keypool == NULL || c->key_slot == NULL || c->key_slot[idx] == SIZE_MAX) {
		ae_cycle_item_fail(c->r, it, AE_OUTCOME_INTERNAL, "template %s: no key was "
				   "generated for the request", it->template_name);
		return false;
	}
	err = ae_keypool_take(c->keypool, c->key_slot[idx], c->keys, &c->keys[idx], &why);
	if (err != AE_OK) {
		c->keys[idx] = NULL;
		ae_cycle_item_fail(c->r, it, AE_OUTCOME_INTERNAL, "template %s: %s",
				   it->template_name, why != NULL ? why : ae_strerror(err));
		talloc_free(why);
		return false;
	}
	return true;
}

/* ---- one MS-ICPR connection per CA ---------------------------------------- */

/*
 * A call on conn failed (st): the connection is not used again. A CA that
 * did not answer in time or dropped the connection is not waited for again
 * in this cycle (its next templates fail at once with the same cause); after
 * any other failure (an answer that does not decode) the next call to that
 * host connects anew rather than reusing a connection in an unknown state.
 */
static void conn_drop(struct ae_cycle_ctx *c, struct icpr_conn *conn, NTSTATUS st)
{
	size_t i;

	for (i = 0; i < c->num_conns; i++) {
		if (c->conns[i].conn != conn) {
			continue;
		}
		TALLOC_FREE(c->conns[i].conn);
		if (NT_STATUS_EQUAL(st, NT_STATUS_IO_TIMEOUT) ||
		    NT_STATUS_EQUAL(st, NT_STATUS_CONNECTION_DISCONNECTED) ||
		    NT_STATUS_EQUAL(st, NT_STATUS_CONNECTION_RESET) ||
		    NT_STATUS_EQUAL(st, NT_STATUS_PIPE_BROKEN)) {
			c->conns[i].why = talloc_asprintf(c->mem, "an earlier call in this cycle "
							  "failed: %s", icpr_nt_errstr(st));
			return;
		}
		/* forget the host: the next call connects again */
		c->conns[i] = c->conns[--c->num_conns];
		c->conns[c->num_conns].host = NULL;
		c->conns[c->num_conns].conn = NULL;
		c->conns[c->num_conns].why = NULL;
		return;
	}
}

static ae_err conn_for(struct ae_cycle_ctx *c, const char *host, struct icpr_conn **_conn,
		       char **_why)
{
	struct cli_credentials *creds = NULL;
	struct tevent_req *req = NULL;
	char why[512];
	size_t i;
	ae_err err;
	NTSTATUS st;

	for (i = 0; i < c->num_conns; i++) {
		if (c->conns[i].host == NULL || strcasecmp(c->conns[i].host, host) != 0) {
			continue;
		}
		if (c->conns[i].conn == NULL) {
			/* failed once in this cycle: a DC gone or hung is not waited
			 * for again for each of its templates */
			*_why = c->conns[i].why;
			return AE_ERR_TRANSPORT;
		}
		*_conn = c->conns[i].conn;
		return AE_OK;
	}
	if (c->num_conns == AE_CYCLE_CAS_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	/* Samba's loadparm, loaded now when the run took smb.conf from its snapshot */
	err = ae_smbconf_lp_load(c->s->conf, why, sizeof(why));
	if (err == AE_OK) {
		err = ae_creds_samba(c->s->creds, c->s->conf->lp, &creds, why, sizeof(why));
	}
	if (err != AE_OK) {
		*_why = talloc_strdup(c->mem, why);
		return err;
	}
	req = icpr_connect_send(c->mem, c->s->ev, host, ICPR_TRANSPORT_AUTO, creds, c->s->conf->lp);
	if (req == NULL || !tevent_req_poll(req, c->s->ev)) {
		return AE_ERR_NOMEM;
	}
	st = icpr_connect_recv(req, c->mem, &c->conns[c->num_conns].conn, _why);
	talloc_free(req);
	c->conns[c->num_conns].host = talloc_strdup(c->mem, host);
	if (!NT_STATUS_IS_OK(st)) {
		c->conns[c->num_conns].conn = NULL;
		c->conns[c->num_conns].why = *_why;
		c->num_conns += c->conns[c->num_conns].host != NULL;
		return AE_ERR_TRANSPORT;
	}
	*_conn = c->conns[c->num_conns++].conn;
	c->r->binds++;
	return AE_OK;
}

/* ae_step_call_fn: CertServerRequest over this cycle's connection to the CA. */
static ae_err call_ca(void *priv, TALLOC_CTX *mem, struct ae_enroll_result *r,
		      const struct icpr_request *in, struct icpr_response **_resp)
{
	struct ae_cycle_ctx *c = priv;
	struct icpr_conn *conn = NULL;
	struct tevent_req *req = NULL;
	char *why = NULL;
	ae_err err;
	NTSTATUS st;

	err = conn_for(c, r->ca_host, &conn, &why);
	if (err == AE_ERR_CREDENTIALS || err == AE_ERR_UNAVAILABLE) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "template %s, CA %s: %s",
			       r->template_name, r->ca_name, why ? why : "no credentials for RPC");
		return err;
	}
	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_UNREACHABLE, "template %s, CA %s: cannot reach the "
			       "MS-ICPR endpoint on %s: %s", r->template_name, r->ca_name, r->ca_host,
			       why ? why : "connect failed");
		return AE_ERR_TRANSPORT;
	}
	req = icpr_submit_send(mem, c->s->ev, conn, in);
	if (req == NULL || !tevent_req_poll(req, c->s->ev)) {
		ae_enroll_fail(r, AE_OUTCOME_INTERNAL, "template %s, CA %s: cannot run the call",
			       r->template_name, r->ca_name);
		return AE_ERR_NOMEM;
	}
	st = icpr_submit_recv(req, mem, _resp);
	talloc_free(req);
	c->r->requests++;
	if (!NT_STATUS_IS_OK(st)) {
		r->nt_status = NT_STATUS_V(st);
		conn_drop(c, conn, st);
		ae_enroll_fail(r, AE_OUTCOME_UNREACHABLE, "template %s, CA %s: CertServerRequest on "
			       "%s failed: %s", r->template_name, r->ca_name, r->ca_host,
			       icpr_nt_errstr(st));
		return AE_ERR_TRANSPORT;
	}
	return AE_OK;
}

/*
 * The CA behind the step: the override when set; a CA of an MS-XCEP policy
 * server over MS-WSTEP (its end points, the policy server's authentication;
 * cur: the template's current pair, for a key-based renewal); else MS-ICPR
 * over this cycle's connections. *_w: the MS-WSTEP call's state (for the
 * report), or NULL.
 */
static ae_err step_ca(struct ae_cycle_ctx *c, const struct ae_enrollment_service *svc,
		      bool renewal, const struct ae_key *cur_key, const struct ae_cert *cur_cert,
		      struct ae_step_ca *sca, struct ae_wstep_ca **_w)
{
	const struct ae_policy_report *p = c->r->policy;
	struct ae_wstep_ca *w;

	*_w = NULL;
	sca->svc = svc;
	sca->call = c->ca_call != NULL ? c->ca_call : call_ca;
	sca->priv = c->ca_call != NULL ? c->ca_priv : c;
	if (c->ca_call != NULL || svc->xcep_ca == NULL) {
		return AE_OK;
	}
	if (svc->polsrv >= p->num_servers) {
		return AE_ERR_NOT_FOUND;
	}
	w = talloc_zero(c->mem, struct ae_wstep_ca);
	if (w == NULL) {
		return AE_ERR_NOMEM;
	}
	w->s = c->s;
	w->svc = svc;
	w->ps = &p->servers[svc->polsrv];
	w->renewal = renewal;
	w->current_key = cur_key != NULL ? cur_key->pkey : NULL;
	w->current_cert = cur_cert != NULL ? cur_cert->x509 : NULL;
	w->post = c->wstep_post;
	w->opts = c->wstep_opts;
	w->requests = &c->r->requests;
	sca->call = ae_wstep_ca_call;
	sca->priv = w;
	*_w = w;
	return AE_OK;
}

/* The MS-WSTEP end point used, and those that failed before it, in the item. */
static void report_wstep(struct ae_cycle_item *it, const struct ae_wstep_ca *w)
{
	if (w == NULL || it->reason == NULL) {
		return;
	}
	if (w->used_url != NULL && (it->outcome == AE_OUTCOME_ISSUED ||
				    it->outcome == AE_OUTCOME_PENDING)) {
		it->reason = talloc_asprintf_append(it->reason, " (MS-WSTEP: %s, %s)", w->used_url,
						    w->used_auth);
	}
	if (w->failures != NULL && w->used_url != NULL) {
		it->reason = talloc_asprintf_append(it->reason, "; end points that failed first: %s",
						    w->failures);
	}
}

/* The step's result as the cycle's item. */
static void report(struct ae_cycle_ctx *c, struct ae_cycle_item *it,
		   const struct ae_enroll_result *er)
{
	it->request_id = er->request_id;
	it->hresult = er->hresult;
	it->hresult_name = er->hresult_name;
	switch (er->outcome) {
	case AE_OUTCOME_ISSUED:
		it->result = "done";
		it->outcome = AE_OUTCOME_ISSUED;
		it->reason = talloc_asprintf(c->r, "issued by %s, request %u, serial %s, valid "
					     "until %s%s%s", er->ca_name, er->request_id,
					     er->serial_hex ? er->serial_hex : "?",
					     ae_cycle_time(c->r, er->not_after),
					     er->note != NULL ? "; " : "",
					     er->note != NULL ? er->note : "");
		break;
	case AE_OUTCOME_PENDING:
		it->result = "pending";
		it->outcome = AE_OUTCOME_PENDING;
		it->reason = er->error != NULL ? talloc_strdup(c->r, er->error) :
			talloc_asprintf(c->r, "CA %s took request %u under submission%s%s",
					er->ca_name, er->request_id, er->message ? ": " : "",
					er->message ? er->message : "");
		break;
	default:
		ae_cycle_item_fail(c->r, it, er->outcome, "%s", er->error ? er->error : "failed");
		break;
	}
}

static struct ae_enroll_result *step_result(struct ae_cycle_ctx *c)
{
	struct ae_enroll_result *er = talloc_zero(c->mem, struct ae_enroll_result);

	if (er != NULL) {
		er->outcome = AE_OUTCOME_INTERNAL;
		er->outcome_name = "error";
	}
	return er;
}

/* ---- enroll / re-enroll / renew / retrieve --------------------------------- */

static ae_err build_csr(struct ae_cycle_ctx *c, const struct ae_template *t,
			const struct ae_key *key, const struct ae_store_cert *old,
			uint8_t **_der, size_t *_len, struct ae_cycle_item *it,
			struct ae_cert **_old_cert, struct ae_key **_old_key)
{
	const struct ae_principal *me = c->r->policy->principal;	/* its SID: ae_enroll_tpl.c */
	struct ae_csr_params p;
	struct ae_cert *old_cert = NULL;
	struct ae_key *old_key = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	ae_err err;

	err = ae_enroll_csr_params(c->s, c->mem, t, me != NULL ? &me->sid : NULL,
				   AE_CLIENT_ID_AUTOENROLL, &p);
	if (err != AE_OK) {
		return err;
	}
	if (old == NULL) {
		return ae_csr_build(c->mem, key, &p, _der, _len);
	}
	/* renewal: signed with the old certificate's key (MS-WCCE 3.1.1.4.3.2.1) */
	err = ae_file_read(c->mem, old->cert_path, AE_STORE_PEM_MAX, &data, &len);
	if (err == AE_OK) {
		err = ae_cert_parse_pem(c->mem, data, len, &old_cert);
	}
	if (err == AE_OK) {
		err = ae_file_read(c->mem, old->key_path, AE_STORE_PEM_MAX, &data, &len);
	}
	if (err == AE_OK) {
		err = ae_key_from_pem(c->mem, data, len, &old_key);
	}
	if (err != AE_OK) {
		ae_cycle_item_fail(c->r, it, AE_OUTCOME_STORE, "template %s: cannot load the installed "
				   "certificate and key to sign the renewal: %s", t->cn, ae_strerror(err));
		return err;
	}
	/* CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME: its subject and SAN ([MS-CRTD] 2.28) */
	if (ae_enroll_names_from_old(t)) {
		err = ae_enroll_names_copy(c->mem, old_cert, &p);
		if (err != AE_OK) {
			ae_cycle_item_fail(c->r, it, AE_OUTCOME_STORE, "template %s: cannot copy the "
					   "subject and subjectAltName of the installed certificate "
					   "into the renewal: %s", t->cn, ae_strerror(err));
			return err;
		}
	}
	*_old_cert = old_cert;	/* a key-based renewal authenticates with them (MS-WSTEP) */
	*_old_key = old_key;
	return ae_renewal_build(c->mem, key, &p, old_cert, old_key, _der, _len);
}

void ae_cycle_do_request(struct ae_cycle_ctx *c, size_t idx, struct ae_cycle_item *it)
{
	const struct ae_action *a = &c->actions[idx];
	const struct ae_enrollment_service *ca = ae_cycle_ca_for(c, a->t);
	bool renew = a->kind == AE_ACTION_RENEW;
	struct ae_key *key = c->keys[idx], *old_key = NULL;
	struct ae_cert *old_cert = NULL;
	struct ae_wstep_ca *w = NULL;
	struct ae_step_ca sca = { 0 };
	struct ae_step step = { 0 };
	struct ae_enroll_result *er = step_result(c);
	uint8_t *der = NULL, *data = NULL;
	size_t der_len = 0, len = 0;
	ae_err err;

	if (ca == NULL) {
		ae_cycle_item_fail(c->r, it, AE_OUTCOME_MISCONFIGURED, "template %s: no enterprise CA "
				   "that publishes it has a dNSHostName and a certificate in AD",
				   it->template_name);
		return;
	}
	it->ca = talloc_strdup(c->r, ca->cn);
	if (renew && a->same_key) {
		/* CT_FLAG_REQUIRE_SAME_KEY_RENEWAL: the installed key again */
		err = ae_file_read(c->mem, a->cert->key_path, AE_STORE_PEM_MAX, &data, &len);
		if (err == AE_OK) {
			err = ae_key_from_pem(c->mem, data, len, &key);
		}
		if (err != AE_OK) {
			ae_cycle_item_fail(c->r, it, AE_OUTCOME_STORE, "template %s: cannot load the "
					   "installed key for a same-key renewal", it->template_name);
			return;
		}
	}
	if (key == NULL) {
		if (c->key_skips != NULL && c->key_skips[idx] != NULL) {
			/* no key where the template wants it: nothing is written */
			it->result = "skipped";
			it->reason = talloc_strdup(c->r, c->key_skips[idx]);
			AE_WARN("template %s skipped: %s", it->template_name, c->key_skips[idx]);
			return;
		}
		if (c->keys[idx] == NULL && !take_new_key(c, idx, it)) {
			return;
		}
		key = c->keys[idx];
	}
	err = build_csr(c, a->t, key, renew ? a->cert : NULL, &der, &der_len, it, &old_cert,
			&old_key);
	if (err != AE_OK) {
		if (it->outcome == AE_OUTCOME_ISSUED) {
			ae_cycle_item_fail(c->r, it, AE_OUTCOME_INTERNAL, "template %s: cannot build the "
					   "request: %s", it->template_name, ae_strerror(err));
		}
		return;
	}
	if (er == NULL) {
		ae_cycle_item_fail(c->r, it, AE_OUTCOME_INTERNAL, "out of memory");
		return;
	}
	step.store = c->store;
	step.template_name = it->template_name;
	step.t = a->t;
	step.kind = renew ? AE_CERT_RENEWING : AE_CERT_ENROLLING;
	step.key = key;
	step.csr = der;
	step.csr_len = der_len;
	if (step_ca(c, ca, renew, old_key, old_cert, &sca, &w) != AE_OK) {
		ae_cycle_item_fail(c->r, it, AE_OUTCOME_INTERNAL, "template %s, CA %s: its policy "
				   "server is not in this cycle's list", it->template_name, ca->cn);
		return;
	}
	AE_INFO("template %s: %s at CA %s on %s", it->template_name,
		renew ? "renewal (signed with the old key)" : "new request", ca->cn, ca->dns_host);
	(void)ae_step_submit(c->mem, &step, &sca, er);
	report(c, it, er);
	report_wstep(it, w);
}

void ae_cycle_do_retrieve(struct ae_cycle_ctx *c, size_t idx, struct ae_cycle_item *it)
{
	const struct ae_action *a = &c->actions[idx];
	const struct ae_store_pending_req *pr = a->pending;
	/* the CA by the record's name, of the template's policy server (the same
	 * name may be an MS-ICPR and an MS-WSTEP CA) */
	const struct ae_enrollment_service *ca = ae_cycle_ca_named(c, a->t, pr->ca);
	struct ae_step_ca sca = { 0 };
	struct ae_wstep_ca *w = NULL;
	struct ae_step step = { .store = c->store, .template_name = pr->template_name, .t = a->t,
				.request_id = pr->request_id };
	struct ae_enroll_result *er = step_result(c);

	it->ca = talloc_strdup(c->r, pr->ca);
	it->request_id = pr->request_id;
	if (ca == NULL) {
		ae_cycle_item_fail(c->r, it, AE_OUTCOME_MISCONFIGURED, "template %s: the CA %s holding "
				   "request %u is not in CN=Enrollment Services", pr->template_name,
				   pr->ca, pr->request_id);
		return;
	}
	if (er == NULL) {
		ae_cycle_item_fail(c->r, it, AE_OUTCOME_INTERNAL, "out of memory");
		return;
	}
	if (step_ca(c, ca, false, NULL, NULL, &sca, &w) != AE_OK) {
		ae_cycle_item_fail(c->r, it, AE_OUTCOME_INTERNAL, "template %s, CA %s: its policy "
				   "server is not in this cycle's list", pr->template_name, ca->cn);
		return;
	}
	(void)ae_step_retrieve(c->mem, &step, &sca, er);
	report(c, it, er);
	report_wstep(it, w);
}
