/*
 * ae_enroll.c: request / retrieve one certificate over MS-ICPR.
 *
 * The pieces the flows (ae_enroll_flow.c) and the step (ae_step.c) share:
 * the CA from AD, the MS-ICPR call, the disposition, and the check of an
 * issued certificate (key match + chain to the CA certificate published
 * in AD).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <talloc.h>
#include <tevent.h>
#include <param.h>
#include "ae_smbconf.h"
#include "ae_enroll.h"
#include "ae_enroll_private.h"
#include "ae_creds.h"
#include "ae_hresult.h"
#include "ae_log.h"
#include "ae_utf16.h"
#include "icpr.h"
#include "ae_ldap.h"
#include "ae_pki.h"
#include "ae_template.h"
#include "ae_key.h"
#include "ae_file.h"
#include "ae_csr.h"
#include "ae_x509.h"
#include "ae_store.h"
#include "ae_net_timeout.h"

enum ae_outcome ae_outcome_from_err(ae_err err)
{
	switch (err) {
	case AE_ERR_TRANSPORT:
	case AE_ERR_LDAP:
		return AE_OUTCOME_UNREACHABLE;
	case AE_ERR_CONFIG:
	case AE_ERR_CREDENTIALS:
	case AE_ERR_NOT_FOUND:
	case AE_ERR_INVALID:
	case AE_ERR_UNSUPPORTED:
	case AE_ERR_UNAVAILABLE:
		return AE_OUTCOME_MISCONFIGURED;
	case AE_ERR_MISMATCH:
	case AE_ERR_UNTRUSTED:
		return AE_OUTCOME_UNVERIFIED;
	case AE_ERR_IO:
	case AE_ERR_LOCKED:
		return AE_OUTCOME_STORE;
	default:
		return AE_OUTCOME_INTERNAL;
	}
}

static const char *outcome_name(enum ae_outcome o)
{
	switch (o) {
	case AE_OUTCOME_ISSUED: return "issued";
	case AE_OUTCOME_PENDING: return "pending";
	case AE_OUTCOME_REJECTED: return "denied";
	default: return "error";
	}
}

struct ae_enroll_result *ae_enroll_result_new(TALLOC_CTX *mem_ctx, const char *template_name)
{
	struct ae_enroll_result *r = talloc_zero(mem_ctx, struct ae_enroll_result);

	if (r != NULL) {
		r->outcome = AE_OUTCOME_INTERNAL;
		r->outcome_name = "error";
		r->template_name = talloc_strdup(r, template_name ? template_name : "");
	}
	return r;
}

/* Record a failure: outcome + an explanation naming template, CA and cause. */
void ae_enroll_fail(struct ae_enroll_result *r, enum ae_outcome o, const char *fmt, ...)
{
	va_list ap;

	r->outcome = o;
	r->outcome_name = outcome_name(o);
	va_start(ap, fmt);
	r->error = talloc_vasprintf(r, fmt, ap);
	va_end(ap);
	/* the command prints the result; the log keeps it for -d 2 */
	AE_INFO("%s", r->error ? r->error : "out of memory");
}

/* ---- AD lookups ----------------------------------------------------------- */

ae_err ae_enroll_lookup_svc(struct ae_session *s, TALLOC_CTX *mem, struct ae_enroll_result *r,
			    const char *template_name, const char *ca_name,
			    const struct ae_enrollment_service **_svc)
{
	struct ae_enrollment_service **svcs = NULL;
	size_t n = 0, i, j;
	ae_err err;

	err = ae_policy_read_enrollment_services(s->ldap, mem, s->rootdse->configuration_nc,
						 &svcs, &n);
	if (err != AE_OK) {
		ae_enroll_fail(r, ae_outcome_from_err(err), "cannot read the Enrollment Services "
			       "from %s: %s", s->dc, ae_strerror(err));
		return err;
	}
	for (i = 0; i < n; i++) {
		if (ca_name != NULL) {
			if (strcasecmp(svcs[i]->cn, ca_name) == 0) {
				break;
			}
			continue;
		}
		for (j = 0; j < svcs[i]->num_templates; j++) {
			if (strcasecmp(svcs[i]->templates[j], template_name) == 0) {
				break;
			}
		}
		if (j < svcs[i]->num_templates) {
			break;
		}
	}
	if (i == n && ca_name == NULL && n > 0) {
		/* like certreq: let the CA give its verdict on an unpublished template */
		AE_WARN("template %s is not published on any CA in AD; submitting to %s anyway",
			template_name, svcs[0]->cn);
		i = 0;
	}
	if (i == n) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, ca_name ?
			       "template %s: no enterprise CA named %s in CN=Enrollment Services of %s" :
			       "template %s: no enterprise CA in CN=Enrollment Services%s of %s",
			       template_name, ca_name ? ca_name : "", s->dc);
		return AE_ERR_NOT_FOUND;
	}
	if (svcs[i]->dns_host == NULL || svcs[i]->num_ca_certs == 0) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "template %s: the CA %s in AD has no %s",
			       template_name, svcs[i]->cn,
			       svcs[i]->dns_host == NULL ? "dNSHostName" : "cACertificate");
		return AE_ERR_NOT_FOUND;
	}
	r->ca_name = talloc_strdup(r, svcs[i]->cn);
	r->ca_host = talloc_strdup(r, svcs[i]->dns_host);
	*_svc = svcs[i];
	return AE_OK;
}

ae_err ae_enroll_anchors(TALLOC_CTX *mem, const struct ae_enrollment_service *svc,
			 struct ae_cert_list **_l)
{
	struct ae_cert_list *l = talloc_zero(mem, struct ae_cert_list);
	size_t i;

	if (l == NULL) {
		return AE_ERR_NOMEM;
	}
	l->certs = talloc_array(l, struct ae_cert *, svc->num_ca_certs);
	if (l->certs == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < svc->num_ca_certs; i++) {
		ae_err err = ae_cert_parse_der(l, svc->ca_certs[i].der, svc->ca_certs[i].len,
					       &l->certs[l->count]);
		if (err != AE_OK) {
			AE_WARN("CA %s: a cACertificate value in AD does not parse; ignored", svc->cn);
			continue;
		}
		l->count++;
	}
	*_l = l;
	return l->count > 0 ? AE_OK : AE_ERR_PARSE;
}

/* ---- the call ------------------------------------------------------------- */

ae_err ae_enroll_call(struct ae_session *s, TALLOC_CTX *mem, struct ae_enroll_result *r,
		      enum ae_transport_choice transport, const struct icpr_request *in,
		      struct icpr_response **_resp)
{
	struct cli_credentials *creds = NULL;
	struct tevent_req *req = NULL;
	struct icpr_conn *conn = NULL;
	char *why = NULL, cwhy[512];
	NTSTATUS st;

	if (ae_smbconf_lp_load(s->conf, cwhy, sizeof(cwhy)) != AE_OK ||
	    ae_creds_samba(s->creds, s->conf->lp, &creds, cwhy, sizeof(cwhy)) != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "template %s, CA %s: %s",
			       r->template_name, r->ca_name, cwhy);
		return AE_ERR_CREDENTIALS;
	}
	req = icpr_connect_send(mem, s->ev, r->ca_host, (enum icpr_transport)transport,
				creds, s->conf->lp);
	if (req == NULL || !tevent_req_poll(req, s->ev)) {
		ae_enroll_fail(r, AE_OUTCOME_INTERNAL, "template %s, CA %s: cannot run the connect",
			       r->template_name, r->ca_name);
		return AE_ERR_NOMEM;
	}
	st = icpr_connect_recv(req, mem, &conn, &why);
	TALLOC_FREE(req);
	if (!NT_STATUS_IS_OK(st)) {
		r->nt_status = NT_STATUS_V(st);
		ae_enroll_fail(r, AE_OUTCOME_UNREACHABLE, "template %s, CA %s: cannot reach the "
			       "MS-ICPR endpoint on %s: %s", r->template_name, r->ca_name,
			       r->ca_host, why ? why : icpr_nt_errstr(st));
		return AE_ERR_TRANSPORT;
	}
	r->binding = talloc_strdup(r, icpr_conn_binding(conn));
	AE_INFO("connected %s (auth level %u = packet privacy)", r->binding,
		icpr_conn_auth_level(conn));
	req = icpr_submit_send(mem, s->ev, conn, in);
	if (req == NULL || !tevent_req_poll(req, s->ev)) {
		ae_enroll_fail(r, AE_OUTCOME_INTERNAL, "template %s, CA %s: cannot run the call",
			       r->template_name, r->ca_name);
		return AE_ERR_NOMEM;
	}
	st = icpr_submit_recv(req, mem, _resp);
	TALLOC_FREE(req);
	if (!NT_STATUS_IS_OK(st)) {
		bool garbled = NT_STATUS_EQUAL(st, NT_STATUS_RPC_BAD_STUB_DATA);
		r->nt_status = NT_STATUS_V(st);
		ae_enroll_fail(r, garbled ? AE_OUTCOME_UNVERIFIED : AE_OUTCOME_UNREACHABLE,
			       "template %s, CA %s: CertServerRequest over %s failed: %s%s",
			       r->template_name, r->ca_name, r->binding, icpr_nt_errstr(st),
			       garbled ? " (the reply is not a valid CertServerRequest answer)" : "");
		return AE_ERR_TRANSPORT;
	}
	return AE_OK;
}

/* ---- the answer --------------------------------------------------------- */

ae_err ae_enroll_verify_issued(TALLOC_CTX *mem, struct ae_enroll_result *r,
				const struct ae_key *key, const struct icpr_response *resp,
				const struct ae_cert_list *anchors, struct ae_issued *out)
{
	struct ae_cert *leaf = NULL;
	struct ae_cert_list *chain = NULL, *path = NULL;
	char *cert_pem = NULL, *chain_pem = NULL, why[256] = "";
	size_t cert_len = 0, i;
	ae_err err;

	err = ae_cert_parse_der(mem, resp->encoded_cert.pb, resp->encoded_cert.cb, &leaf);
	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_UNVERIFIED, "template %s, CA %s: the issued certificate "
			       "(pctbEncodedCert, %u bytes) does not parse: %s", r->template_name,
			       r->ca_name, resp->encoded_cert.cb, ae_strerror(err));
		return err;
	}
	if (resp->cert.cb > 0) {
		err = ae_pkcs7_certs_parse(mem, resp->cert.pb, resp->cert.cb, &chain);
		if (err != AE_OK) {
			ae_enroll_fail(r, AE_OUTCOME_UNVERIFIED, "template %s, CA %s: the PKCS#7 chain "
				       "(pctbCert) does not parse: %s", r->template_name, r->ca_name,
				       ae_strerror(err));
			return err;
		}
	}
	err = ae_cert_matches_key(leaf, key);
	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_UNVERIFIED, "template %s, CA %s: the issued certificate "
			       "does not match our key; nothing installed", r->template_name, r->ca_name);
		return err;
	}
	/* chain.pem gets the verified path only, not whatever else the PKCS#7 held */
	err = ae_cert_verify_chain_get(mem, leaf, chain, anchors, 0, &path, why, sizeof(why));
	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_UNVERIFIED, "template %s, CA %s: the issued certificate "
			       "does not chain to the CA certificate published in AD (%s); nothing "
			       "installed", r->template_name, r->ca_name, why);
		return err;
	}
	err = ae_cert_to_pem(mem, leaf, &cert_pem, &cert_len);
	chain_pem = talloc_strdup(mem, "");
	for (i = 0; err == AE_OK && i < path->count; i++) {
		char *pem = NULL;
		size_t len = 0;
		/* chain.pem: the leaf's issuer up to the anchor the verification reached */
		err = ae_cert_to_pem(mem, path->certs[i], &pem, &len);
		if (err == AE_OK) {
			chain_pem = talloc_strdup_append(chain_pem, pem);
		}
	}
	if (err != AE_OK || chain_pem == NULL) {
		ae_enroll_fail(r, AE_OUTCOME_INTERNAL, "template %s: cannot encode PEM", r->template_name);
		return err != AE_OK ? err : AE_ERR_NOMEM;
	}
	out->leaf = leaf;
	out->cert_pem = cert_pem;
	out->cert_len = cert_len;
	out->chain_pem = chain_pem;
	return AE_OK;
}

ae_err ae_enroll_open_store(struct ae_session *s, TALLOC_CTX *mem, struct ae_enroll_result *r,
			    const char *out_dir, struct ae_store **_store)
{
	const char *dir = out_dir ? out_dir : s->store_dir;
	struct ae_store_lock *lock = NULL;
	char why[512] = "";
	ae_err err = ae_store_open(mem, dir, ae_session_store_owner(s), AE_STORE_OPEN_CREATE |
				   (out_dir == NULL && s->store_dir_default ?
				    AE_STORE_OPEN_PARENTS : 0), _store, why, sizeof(why));

	char **notes = NULL;
	size_t i;

	/* the same lock as a cycle: never install while one runs */
	ae_file_clear_error();
	if (err == AE_OK && (*_store)->lock == NULL) {
		ae_net_deadline_pause();	/* another run's time, not ours */
		err = ae_store_lock(*_store, true, &lock);
		ae_net_deadline_resume();
	}
	/* as a cycle: finish or roll back what a crash left, adopt old pending/ records */
	if (err == AE_OK) {
		err = ae_store_recover(mem, *_store, &notes);
	}
	for (i = 0; notes != NULL && notes[i] != NULL; i++) {
		AE_WARN("store recovery: %s", notes[i]);
	}
	if (err == AE_ERR_IO && why[0] == '\0' && ae_file_last_error()[0] != '\0') {
		/* the lock or recovery: the file and the cause (EIO, ENOSPC...) */
		snprintf(why, sizeof(why), "%s (%s)", ae_strerror(err), ae_file_last_error());
	}
	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_STORE, "template %s: cannot open the store %s: %s",
			       r->template_name, dir, why[0] ? why : ae_strerror(err));
	}
	return err;
}

void ae_enroll_classify(struct ae_enroll_result *r, const struct icpr_response *resp)
{
	char *msg = NULL;

	r->disposition = resp->disposition;
	r->request_id = resp->request_id;
	if (resp->message.cb > 0 &&
	    ae_utf16le_to_utf8(r, resp->message.pb, resp->message.cb, &msg) == AE_OK) {
		r->message = msg;
	}
	if (resp->status != 0) {
		r->hresult = resp->status;
		r->hresult_name = ae_hresult_name(resp->status);
		ae_enroll_fail(r, AE_OUTCOME_REJECTED, "template %s, CA %s: CertServerRequest returned "
			       "0x%08x%s%s%s%s", r->template_name, r->ca_name, resp->status,
			       r->hresult_name ? " " : "", r->hresult_name ? r->hresult_name : "",
			       msg ? ": " : "", msg ? msg : "");
		return;
	}
	if (resp->disposition == AE_CR_DISP_ISSUED || resp->disposition == AE_CR_DISP_UNDER_SUBMISSION) {
		r->outcome = resp->disposition == AE_CR_DISP_ISSUED ? AE_OUTCOME_ISSUED
								     : AE_OUTCOME_PENDING;
		r->outcome_name = outcome_name(r->outcome);
		return;
	}
	if (resp->disposition >= 0x80000000u) {
		r->hresult = resp->disposition;
		r->hresult_name = ae_hresult_name(resp->disposition);
	}
	ae_enroll_fail(r, AE_OUTCOME_REJECTED, "template %s, CA %s: the CA refused the request: "
		       "%s%s0x%08x (%s)%s%s", r->template_name, r->ca_name,
		       r->hresult_name ? r->hresult_name : "",
		       r->hresult_name ? " " : "", resp->disposition,
		       r->hresult ? "HRESULT" : (ae_disposition_name(resp->disposition) ?
						 ae_disposition_name(resp->disposition) : "disposition"),
		       msg ? ": " : "", msg ? msg : "");
}

ae_err ae_enroll_call_fn(void *priv, TALLOC_CTX *mem, struct ae_enroll_result *r,
			const struct icpr_request *in, struct icpr_response **_resp)
{
	const struct ae_enroll_caller *c = priv;

	return ae_enroll_call(c->s, mem, r, c->transport, in, _resp);
}
