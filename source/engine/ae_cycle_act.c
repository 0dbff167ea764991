/*
 * ae_cycle_act.c: carry out the actions decide() chose. Every step that
 * changes the store is a store transition (begin, pending, commit, abort,
 * archive, remove), saved before the next network step, so a kill at any
 * moment leaves something ae_store_recover() finishes or rolls back.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>
#include <talloc.h>
#include <tevent.h>
#include <param.h>
#include "ae_cycle.h"
#include "ae_cycle_private.h"
#include "ae_enroll_private.h"
#include "ae_principal.h"
#include "ae_policy_report.h"
#include "ae_decide.h"
#include "ae_creds.h"
#include "ae_file.h"
#include "ae_log.h"
#include "icpr.h"
#include "ae_pki.h"
#include "ae_template.h"
#include "ae_eligibility.h"
#include "ae_key.h"
#include "ae_csr.h"
#include "ae_x509.h"
#include "ae_crl.h"
#include "ae_renewal.h"
#include "ae_store.h"

#define AE_CLIENT_ID_AUTOENROLL 6	/* MS-WCCE <11>: ClientIdAutoEnroll (Vista+) */

/* ---- keys, generated in parallel before any request ---------------------- */

struct keygen_job {
	struct ae_key_spec spec;
	EVP_PKEY *pkey;		/* out; plain OpenSSL: talloc is not thread-safe */
	pthread_t thread;
	bool started;
};

static void *keygen_thread(void *arg)
{
	struct keygen_job *j = arg;

	if (j->spec.kind == AE_KEY_RSA) {
		j->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)j->spec.bits);
	} else {
		j->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", ae_key_spec_curve(&j->spec));
	}
	return NULL;
}

ae_err ae_cycle_keygen(struct ae_cycle_ctx *c)
{
	struct keygen_job *jobs = talloc_zero_array(c->mem, struct keygen_job, c->num_actions);
	char why[512];
	size_t i;

	if (jobs == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < c->num_actions; i++) {
		const struct ae_action *a = &c->actions[i];
		if (!ae_cycle_needs_new_key(a)) {
			continue;
		}
		if (ae_cycle_key_spec(c, a->t, &jobs[i].spec, why, sizeof(why)) != AE_OK) {
			c->key_errors[i] = talloc_strdup(c->key_errors, why);
			continue;	/* reported when the action runs */
		}
		jobs[i].started = pthread_create(&jobs[i].thread, NULL, keygen_thread, &jobs[i]) == 0;
		if (!jobs[i].started) {
			keygen_thread(&jobs[i]);
		}
	}
	for (i = 0; i < c->num_actions; i++) {
		if (jobs[i].started) {
			pthread_join(jobs[i].thread, NULL);
		}
		if (jobs[i].pkey != NULL) {
			if (ae_key_from_evp(c->keys, jobs[i].pkey, &c->keys[i]) != AE_OK) {
				c->keys[i] = NULL;
			}
			EVP_PKEY_free(jobs[i].pkey);	/* ae_key_from_evp took its own reference */
		}
	}
	talloc_free(jobs);
	return AE_OK;
}

/* ---- one MS-ICPR connection per CA ---------------------------------------- */

static ae_err conn_for(struct ae_cycle_ctx *c, const char *host, struct icpr_conn **_conn,
		       char **_why)
{
	struct tevent_req *req = NULL;
	size_t i;
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
	req = icpr_connect_send(c->mem, c->s->ev, host, ICPR_TRANSPORT_AUTO, c->s->creds->creds,
				c->s->lp);
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

static ae_err call_ca(struct ae_cycle_ctx *c, struct ae_cycle_item *it,
		      const struct ae_enrollment_service *ca, const struct icpr_request *in,
		      struct icpr_response **_resp)
{
	struct icpr_conn *conn = NULL;
	struct tevent_req *req = NULL;
	char *why = NULL;
	NTSTATUS st;

	if (conn_for(c, ca->dns_host, &conn, &why) != AE_OK) {
		ae_cycle_item_fail(c->r, it, AE_OUTCOME_UNREACHABLE, "template %s, CA %s: cannot reach "
				   "the MS-ICPR endpoint on %s: %s", it->template_name, ca->cn,
				   ca->dns_host, why ? why : "connect failed");
		return AE_ERR_TRANSPORT;
	}
	req = icpr_submit_send(c->mem, c->s->ev, conn, in);
	if (req == NULL || !tevent_req_poll(req, c->s->ev)) {
		ae_cycle_item_fail(c->r, it, AE_OUTCOME_INTERNAL, "template %s, CA %s: cannot run the "
				   "call", it->template_name, ca->cn);
		return AE_ERR_NOMEM;
	}
	st = icpr_submit_recv(req, c->mem, _resp);
	talloc_free(req);
	c->r->requests++;
	if (!NT_STATUS_IS_OK(st)) {
		ae_cycle_item_fail(c->r, it, AE_OUTCOME_UNREACHABLE, "template %s, CA %s: "
				   "CertServerRequest on %s failed: %s", it->template_name, ca->cn,
				   ca->dns_host, icpr_nt_errstr(st));
		return AE_ERR_TRANSPORT;
	}
	return AE_OK;
}

/* ---- the answer ----------------------------------------------------------- */

static ae_err certinfo_of(TALLOC_CTX *mem, const struct ae_cert *leaf, const char *ca,
			  uint32_t request_id, struct ae_store_certinfo *info)
{
	struct ae_cert_template ti = { 0 };

	memset(info, 0, sizeof(*info));
	info->ca = talloc_strdup(mem, ca);
	info->request_id = request_id;
	if (ae_cert_template_info(mem, leaf, &ti) == AE_OK) {
		info->template_oid = ti.oid;
		info->template_v1_name = ti.v1_name;
		info->major = ti.major;
		info->minor = ti.minor;
		info->has_major = ti.has_major;
	}
	if (ae_cert_serial_hex(mem, leaf, &info->serial_hex) != AE_OK ||
	    ae_cert_thumbprint_hex(mem, leaf, &info->thumbprint_hex) != AE_OK ||
	    ae_cert_issuer(mem, leaf, &info->issuer) != AE_OK ||
	    ae_cert_not_before(leaf, &info->not_before) != AE_OK ||
	    ae_cert_not_after(leaf, &info->not_after) != AE_OK) {
		return AE_ERR_CRYPTO;
	}
	if (ae_cert_cdp_urls(mem, leaf, &info->cdp_urls, &info->num_cdp_urls) != AE_OK) {
		info->cdp_urls = NULL;
		info->num_cdp_urls = 0;
	}
	return AE_OK;
}

/*
 * After the call: commit an issued certificate (verified), record a
 * pending one, or abort the transition.
 */
static void conclude(struct ae_cycle_ctx *c, struct ae_cycle_item *it,
		     const struct ae_enrollment_service *ca, const struct ae_template *t,
		     const struct ae_key *key, const struct icpr_response *resp, bool retrieving)
{
	struct ae_enroll_result *er = talloc_zero(c->mem, struct ae_enroll_result);
	struct ae_cert_list *anchors = NULL;
	struct ae_issued is = { 0 };
	struct ae_store_certinfo info;
	ae_err err;

	er->template_name = it->template_name;
	er->ca_name = ca->cn;
	ae_enroll_classify(er, resp);
	it->request_id = er->request_id;
	it->hresult = er->hresult;
	it->hresult_name = er->hresult_name;
	if (er->outcome == AE_OUTCOME_PENDING) {
		/* a retrieval that is still pending: the record already says so */
		err = retrieving ? AE_OK : ae_store_pending(c->store, it->template_name, ca->cn,
							    er->request_id);
		it->result = "pending";
		it->outcome = AE_OUTCOME_PENDING;
		it->reason = talloc_asprintf(c->r, "CA %s took request %u under submission%s%s",
					     ca->cn, er->request_id, er->message ? ": " : "",
					     er->message ? er->message : "");
		if (err != AE_OK) {
			ae_cycle_item_fail(c->r, it, AE_OUTCOME_STORE, "template %s, CA %s: request %u "
					   "is pending but cannot be recorded: %s", it->template_name,
					   ca->cn, er->request_id, ae_strerror(err));
		}
		return;
	}
	if (er->outcome == AE_OUTCOME_ISSUED) {
		err = ae_enroll_anchors(c->mem, ca, &anchors);
		if (err == AE_OK) {
			err = ae_enroll_verify_issued(c->mem, er, key, resp, anchors, &is);
		}
		if (err == AE_OK) {
			err = certinfo_of(c->mem, is.leaf, ca->cn, er->request_id, &info);
		}
		if (err == AE_OK && t != NULL) {
			ae_cycle_bind_template(c, it->template_name, ca, t, &info);
			info.renew_at = ae_decide_renew_at(info.not_before, info.not_after, t->overlap_s);
		}
		if (err == AE_OK) {
			err = ae_store_commit(c->store, it->template_name, is.cert_pem, is.cert_len,
					      is.chain_pem, strlen(is.chain_pem), &info);
			if (err != AE_OK) {
				ae_cycle_item_fail(c->r, it, AE_OUTCOME_STORE, "template %s, CA %s: "
						   "cannot install the new certificate: %s",
						   it->template_name, ca->cn, ae_strerror(err));
				return;
			}
			it->result = "done";
			it->outcome = AE_OUTCOME_ISSUED;
			it->reason = talloc_asprintf(c->r, "issued by %s, request %u, serial %s, "
						     "valid until %s", ca->cn, er->request_id,
						     info.serial_hex, ae_cycle_time(c->r, info.not_after));
			return;
		}
		if (er->outcome == AE_OUTCOME_ISSUED) {
			er->outcome = AE_OUTCOME_UNVERIFIED;
		}
	}
	(void)ae_store_abort(c->store, it->template_name, er->error ? er->error : "refused");
	ae_cycle_item_fail(c->r, it, er->outcome, "%s", er->error ? er->error : "refused");
}

/* ---- enroll / re-enroll / renew / retrieve --------------------------------- */

static ae_err build_csr(struct ae_cycle_ctx *c, const struct ae_template *t,
			const struct ae_key *key, const struct ae_store_cert *old,
			uint8_t **_der, size_t *_len, struct ae_cycle_item *it)
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
	return ae_renewal_build(c->mem, key, &p, old_cert, old_key, _der, _len);
}

void ae_cycle_do_request(struct ae_cycle_ctx *c, size_t idx, struct ae_cycle_item *it)
{
	const struct ae_action *a = &c->actions[idx];
	const struct ae_enrollment_service *ca = ae_cycle_ca_for(c, a->t);
	bool renew = a->kind == AE_ACTION_RENEW;
	struct ae_key *key = c->keys[idx];
	struct icpr_request in = { 0 };
	struct icpr_response *resp = NULL;
	char *key_pem = NULL, *attribs = NULL;
	uint8_t *der = NULL, *data = NULL;
	size_t key_len = 0, der_len = 0, len = 0;
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
		if (c->key_errors[idx] != NULL) {
			ae_cycle_item_fail(c->r, it, AE_OUTCOME_MISCONFIGURED, "%s", c->key_errors[idx]);
		} else {
			ae_cycle_item_fail(c->r, it, AE_OUTCOME_INTERNAL, "template %s: key "
					   "generation failed", it->template_name);
		}
		return;
	}
	err = ae_key_to_pem(c->mem, key, &key_pem, &key_len);
	if (err == AE_OK) {
		err = ae_store_begin(c->store, it->template_name,
				     renew ? AE_CERT_RENEWING : AE_CERT_ENROLLING, key_pem, key_len);
	}
	if (err != AE_OK) {
		ae_cycle_item_fail(c->r, it, AE_OUTCOME_STORE, "template %s: cannot record the new "
				   "request in the store: %s", it->template_name, ae_strerror(err));
		return;
	}
	err = build_csr(c, a->t, key, renew ? a->cert : NULL, &der, &der_len, it);
	attribs = talloc_asprintf(c->mem, "CertificateTemplate:%s", a->t->cn);
	if (err == AE_OK) {
		err = icpr_attribs_blob(c->mem, attribs, &in.attribs);
	}
	if (err != AE_OK || der_len > ICPR_BLOB_MAX) {
		(void)ae_store_abort(c->store, it->template_name, "the request could not be built");
		if (it->outcome == AE_OUTCOME_ISSUED) {
			ae_cycle_item_fail(c->r, it, AE_OUTCOME_INTERNAL, "template %s: cannot build the "
					   "request: %s", it->template_name, ae_strerror(err));
		}
		return;
	}
	in.authority = ca->cn;
	in.request.pb = der;
	in.request.cb = (uint32_t)der_len;
	AE_INFO("template %s: %s at CA %s on %s", it->template_name,
		renew ? "renewal (signed with the old key)" : "new request", ca->cn, ca->dns_host);
	if (call_ca(c, it, ca, &in, &resp) != AE_OK) {
		(void)ae_store_abort(c->store, it->template_name, it->reason);
		return;
	}
	conclude(c, it, ca, a->t, key, resp, false);
}

void ae_cycle_do_retrieve(struct ae_cycle_ctx *c, size_t idx, struct ae_cycle_item *it)
{
	const struct ae_action *a = &c->actions[idx];
	const struct ae_store_pending_req *pr = a->pending;
	const struct ae_enrollment_service *ca = ae_cycle_ca_by_name(c, pr->ca);
	struct icpr_request in = { .authority = pr->ca, .request_id = pr->request_id };
	struct icpr_response *resp = NULL;
	struct ae_key *key = NULL;
	char *path = ae_store_path(c->mem, c->store, pr->template_name, ".key.new");
	uint8_t *data = NULL;
	size_t len = 0;

	it->ca = talloc_strdup(c->r, pr->ca);
	it->request_id = pr->request_id;
	if (ca == NULL) {
		ae_cycle_item_fail(c->r, it, AE_OUTCOME_MISCONFIGURED, "template %s: the CA %s holding "
				   "request %u is not in CN=Enrollment Services", pr->template_name,
				   pr->ca, pr->request_id);
		return;
	}
	if (path == NULL || ae_file_read(c->mem, path, AE_STORE_PEM_MAX, &data, &len) != AE_OK ||
	    ae_key_from_pem(c->mem, data, len, &key) != AE_OK) {
		ae_cycle_item_fail(c->r, it, AE_OUTCOME_STORE, "template %s, CA %s: the key of pending "
				   "request %u is missing from the store", pr->template_name, pr->ca,
				   pr->request_id);
		return;
	}
	if (call_ca(c, it, ca, &in, &resp) != AE_OK) {
		return;		/* still pending; try again next cycle */
	}
	conclude(c, it, ca, a->t, key, resp, true);
}
