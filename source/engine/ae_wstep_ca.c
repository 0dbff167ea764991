/*
 * ae_wstep_ca.c: the MS-WSTEP CA call (ae_wstep_ca.h): one
 * RequestSecurityToken or QueryTokenStatus to the first end point of the
 * CA that can be reached, its answer in the MS-ICPR shape the step reads.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <talloc.h>
#include <openssl/rand.h>
#include "ae_wstep_ca.h"
#include "ae_enroll_private.h"
#include "ae_hresult.h"
#include "ae_log.h"
#include "ae_pki.h"
#include "ae_polsrv.h"
#include "ae_polsrv_private.h"
#include "ae_session.h"
#include "ae_utf16.h"
#include "ae_wstep.h"
#include "ae_xcep.h"
#include "icpr.h"

/* one call: what every attempt shares */
struct call {
	struct ae_wstep_ca *w;
	struct ae_enroll_result *r;
	const struct icpr_request *in;
	enum ae_wstep_op op;
	char *template_name;		/* AdditionalContext, or NULL */
	char request_id[16];		/* QueryTokenStatus */
	bool any_unreachable;		/* a failure other than authentication */
};

/* what became of one end point */
enum tried { TRY_NEXT, TRY_DONE, TRY_FAILED };

static const char *op_name(enum ae_wstep_op op)
{
	return op == AE_WSTEP_OP_QUERY ? "QueryTokenStatus" : op == AE_WSTEP_OP_RENEW ?
		"RequestSecurityToken (renewal)" : "RequestSecurityToken";
}

/* the transport's cause without the URL it starts with (ae_https.h: why names it) */
static const char *cause_of(const char *why, const char *url, ae_err err)
{
	size_t n = strlen(url);

	if (why[0] == '\0') {
		return ae_strerror(err);
	}
	if (strncmp(why, url, n) == 0 && why[n] == ':' && why[n + 1] == ' ' && why[n + 2] != '\0') {
		return why + n + 2;
	}
	return why;
}

/* one more failed end point, for the report */
static void note_failure(struct call *k, const char *url, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note_failure(struct call *k, const char *url, const char *fmt, ...)
{
	va_list ap;
	char *cause;

	va_start(ap, fmt);
	cause = talloc_vasprintf(k->w, fmt, ap);
	va_end(ap);
	AE_WARN("template %s, CA %s: end point %s: %s", k->r->template_name, k->r->ca_name, url,
		cause ? cause : "?");
	k->w->failures = k->w->failures == NULL ?
		talloc_asprintf(k->w, "%s: %s", url, cause ? cause : "?") :
		talloc_asprintf_append(k->w->failures, "; %s: %s", url, cause ? cause : "?");
	talloc_free(cause);
}

/* The HTTPS options of end point u (key-based renewal: the current pair). */
static ae_err options(struct call *k, TALLOC_CTX *tmp, const struct ae_xcep_uri *u,
		      struct ae_https_opts *o, char **user, char **pw, const char **how,
		      char *why, size_t why_len)
{
	struct ae_wstep_ca *w = k->w;
	bool key_based = k->op == AE_WSTEP_OP_RENEW && (u->client_auth & AE_XCEP_AUTH_CERTIFICATE) &&
			 w->current_key != NULL && w->current_cert != NULL;
	ae_wstep_opts_fn fn = w->opts != NULL ? w->opts : ae_polsrv_https_opts_why;
	ae_err err;

	memset(o, 0, sizeof(*o));
	*user = *pw = NULL;
	/* key-based: the server's trust as for any end point, then our current pair */
	err = fn(tmp, w->s, w->ps, key_based ? AE_XCEP_AUTH_ANONYMOUS : u->client_auth, o, user, pw,
		 why, why_len);
	if (err != AE_OK) {
		return err;
	}
	if (!key_based && o->auth == AE_HTTPS_AUTH_CERTIFICATE &&
	    (o->client_key == NULL || o->client_cert == NULL)) {
		snprintf(why, why_len, "certificate authentication needs the policy server's "
			 "credential file, or a renewal of a current certificate");
		return AE_ERR_CREDENTIALS;
	}
	if (key_based) {
		o->auth = AE_HTTPS_AUTH_CERTIFICATE;
		o->client_key = w->current_key;
		o->client_cert = w->current_cert;
		o->client_chain = NULL;
		*user = *pw = NULL;
	}
	o->soap_action = AE_WSTEP_ACTION_RST;
	*how = key_based ? "wstep certificate (key-based renewal)" :
		talloc_asprintf(tmp, "wstep %s", ae_wstep_ca_auth_name(u->client_auth));
	return *how != NULL ? AE_OK : AE_ERR_NOMEM;
}

static ae_err build(struct call *k, TALLOC_CTX *tmp, const char *url, const char *mid,
		    const char *user, const char *pw, uint8_t **_body, size_t *_len)
{
	struct ae_wstep_req q = { .to = url, .message_id = mid, .username = user, .password = pw };

	if (k->op == AE_WSTEP_OP_QUERY) {
		q.request_id = k->request_id;
		return ae_wstep_build_query(tmp, &q, _body, _len);
	}
	q.token = k->in->request.pb;
	q.token_len = k->in->request.cb;
	q.token_type = ae_wstep_ca_is_cms(q.token, q.token_len) ? AE_WSTEP_PKCS7 : AE_WSTEP_PKCS10;
	q.template_name = k->template_name;
	return ae_wstep_build_issue(tmp, &q, _body, _len);
}

/* A CA's disposition (issued, pending, denied) as CertServerRequest's [out] half. */
static ae_err to_icpr(struct call *k, TALLOC_CTX *mem, const struct ae_wstep_result *res,
		      const char *url, struct icpr_response **_resp)
{
	struct icpr_response *resp = talloc_zero(mem, struct icpr_response);
	uint8_t *msg = NULL;
	size_t msg_len = 0;

	if (resp == NULL || (res->message[0] != '\0' &&
			     ae_utf8_to_utf16le(resp, res->message, true, &msg, &msg_len) != AE_OK)) {
		talloc_free(resp);
		ae_enroll_fail(k->r, AE_OUTCOME_INTERNAL, "template %s, CA %s: cannot keep the "
			       "answer of %s", k->r->template_name, k->r->ca_name, url);
		return AE_ERR_NOMEM;
	}
	resp->disposition = ae_wstep_icpr_disposition(res);
	resp->request_id = res->request_id_num != 0 ? res->request_id_num : k->in->request_id;
	resp->message.pb = msg;
	resp->message.cb = (uint32_t)msg_len;
	if (res->disposition == AE_WSTEP_PENDING && res->request_id_num == 0) {
		talloc_free(resp);
		ae_enroll_fail(k->r, AE_OUTCOME_UNVERIFIED, "template %s, CA %s: %s took the request "
			       "under submission with request id '%s', which is not a number this "
			       "client can ask for again", k->r->template_name, k->r->ca_name, url,
			       res->request_id);
		return AE_ERR_PARSE;
	}
	if (res->disposition == AE_WSTEP_ISSUED) {
		resp->encoded_cert.pb = talloc_steal(resp, res->cert);
		resp->encoded_cert.cb = (uint32_t)res->cert_len;
		resp->cert.pb = talloc_steal(resp, res->chain);
		resp->cert.cb = (uint32_t)res->chain_len;
	}
	*_resp = resp;
	return AE_OK;
}

/* The end point answered over HTTP: the method's result, or the CA's disposition. */
static enum tried answer(struct call *k, TALLOC_CTX *mem, TALLOC_CTX *tmp, const char *url,
			 const char *mid, const struct ae_https_response *hr,
			 struct icpr_response **_resp)
{
	struct ae_wstep_result *res = NULL;
	ae_err err;

	if (hr->status != 200 && hr->status != 500) {
		ae_enroll_fail(k->r, AE_OUTCOME_UNREACHABLE, "template %s, CA %s: %s at %s failed: "
			       "HTTP status %ld", k->r->template_name, k->r->ca_name, op_name(k->op),
			       url, hr->status);
		return TRY_FAILED;
	}
	err = ae_wstep_parse_response(tmp, hr->body, hr->body_len, &res);
	if (err == AE_OK && res->relates_to != NULL && strcmp(res->relates_to, mid) != 0) {
		ae_enroll_fail(k->r, AE_OUTCOME_UNVERIFIED, "template %s, CA %s: the answer of %s "
			       "relates to another message (%s, ours %s); not used",
			       k->r->template_name, k->r->ca_name, url, res->relates_to, mid);
		return TRY_FAILED;
	}
	if (err != AE_OK) {
		ae_enroll_fail(k->r, AE_OUTCOME_UNVERIFIED, "template %s, CA %s: the answer of %s "
			       "(HTTP %ld, %zu bytes) is not an MS-WSTEP response or fault: %s",
			       k->r->template_name, k->r->ca_name, url, hr->status, hr->body_len,
			       ae_strerror(err));
		return TRY_FAILED;
	}
	if (res->disposition == AE_WSTEP_FAULT) {
		/* the service refused without a CA error code: no CA disposition */
		ae_enroll_fail(k->r, AE_OUTCOME_UNREACHABLE, "template %s, CA %s: the enrollment web "
			       "service %s answered a SOAP fault without a CA error code (%s%s%s): %s",
			       k->r->template_name, k->r->ca_name, url, res->fault_code,
			       res->fault_subcode ? " " : "", res->fault_subcode ? res->fault_subcode : "",
			       res->message);
		return TRY_FAILED;
	}
	return to_icpr(k, mem, res, url, _resp) == AE_OK ? TRY_DONE : TRY_FAILED;
}

/* One end point: options, message, POST; TRY_NEXT when nothing reached the CA. */
static enum tried attempt(struct call *k, TALLOC_CTX *mem, const struct ae_xcep_uri *u,
			  struct icpr_response **_resp)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_https_opts o;
	struct ae_https_response *hr = NULL;
	ae_wstep_post_fn post = k->w->post != NULL ? k->w->post : ae_https_post;
	char *user = NULL, *pw = NULL, mid[46], why[512] = "";
	const char *how = NULL;
	uint8_t *body = NULL;
	size_t len = 0;
	enum tried t = TRY_NEXT;
	ae_err err;

	if (tmp == NULL) {
		return TRY_NEXT;
	}
	err = options(k, tmp, u, &o, &user, &pw, &how, why, sizeof(why));
	if (err != AE_OK) {
		note_failure(k, u->uri, "no %s credentials for it: %s", ae_wstep_ca_auth_name(
			     u->client_auth), why[0] ? why : ae_strerror(err));
		goto out;
	}
	err = ae_wstep_message_id(mid);
	if (err == AE_OK) {
		err = build(k, tmp, u->uri, mid, user, pw, &body, &len);
	}
	if (err != AE_OK) {
		note_failure(k, u->uri, "cannot build the %s: %s", op_name(k->op), ae_strerror(err));
		goto out;
	}
	AE_INFO("template %s, CA %s: %s to %s (%s)", k->r->template_name, k->r->ca_name,
		op_name(k->op), u->uri, how);
	err = post(tmp, k->w->s->ev, u->uri, &o, body, len, &hr, why, sizeof(why));
	if (err == AE_ERR_TRANSPORT || err == AE_ERR_UNTRUSTED || err == AE_ERR_CREDENTIALS ||
	    err == AE_ERR_INVALID) {
		/* nothing reached the CA: the next end point may */
		k->any_unreachable |= err != AE_ERR_CREDENTIALS;
		note_failure(k, u->uri, "%s%s", err == AE_ERR_UNTRUSTED ? "TLS server certificate "
			     "refused, nothing sent: " : err == AE_ERR_CREDENTIALS ?
			     "authentication failed: " : "", cause_of(why, u->uri, err));
		goto out;
	}
	/* from here on the request may have reached the CA: no other end point */
	t = TRY_FAILED;
	k->w->used_url = talloc_strdup(k->w, u->uri);
	k->w->used_auth = talloc_strdup(k->w, how);
	k->r->ca_host = talloc_strdup(k->r, u->uri);
	k->r->binding = talloc_strdup(k->r, how);
	if (err != AE_OK) {
		ae_enroll_fail(k->r, err == AE_ERR_TOO_LARGE ? AE_OUTCOME_UNVERIFIED :
			       AE_OUTCOME_UNREACHABLE, "template %s, CA %s: %s at %s failed: %s",
			       k->r->template_name, k->r->ca_name, op_name(k->op), u->uri,
			       cause_of(why, u->uri, err));
		goto out;
	}
	if (k->w->requests != NULL) {
		(*k->w->requests)++;
	}
	t = answer(k, mem, tmp, u->uri, mid, hr, _resp);
out:
	talloc_free(tmp);	/* the message with a password is wiped (ae_wstep.h) */
	return t;
}

/* What the call is: issue, renewal or retrieval, and its template. */
static ae_err prepare(struct call *k, TALLOC_CTX *mem)
{
	const struct icpr_request *in = k->in;
	ae_err err;

	if (in->request.cb == 0 && in->request_id != 0) {
		k->op = AE_WSTEP_OP_QUERY;
		snprintf(k->request_id, sizeof(k->request_id), "%u", in->request_id);
		return AE_OK;
	}
	if (in->request.cb == 0 || in->request.pb == NULL) {
		return AE_ERR_INVALID;
	}
	k->op = k->w->renewal ? AE_WSTEP_OP_RENEW : AE_WSTEP_OP_ISSUE;
	err = ae_wstep_ca_template(mem, in->attribs.pb, in->attribs.cb, &k->template_name);
	return err == AE_ERR_NOT_FOUND ? AE_OK : err;
}

ae_err ae_wstep_ca_call(void *priv, TALLOC_CTX *mem, struct ae_enroll_result *r,
			const struct icpr_request *in, struct icpr_response **_resp)
{
	struct call k = { .w = priv, .r = r, .in = in };
	const struct ae_xcep_ca *x = k.w != NULL && k.w->svc != NULL ? k.w->svc->xcep_ca : NULL;
	size_t *idx = NULL, n = 0, i;
	enum tried t = TRY_NEXT;
	ae_err err;

	if (x == NULL || k.w->s == NULL || k.w->ps == NULL) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "template %s, CA %s: not a CA of an "
			       "MS-XCEP policy server", r->template_name, r->ca_name);
		return AE_ERR_INVALID;
	}
	err = prepare(&k, mem);
	if (err == AE_OK) {
		err = ae_wstep_ca_order(mem, k.w->svc, k.op, &idx, &n);
	}
	if (err != AE_OK) {
		ae_enroll_fail(r, AE_OUTCOME_INTERNAL, "template %s, CA %s: cannot prepare the "
			       "MS-WSTEP request: %s", r->template_name, r->ca_name, ae_strerror(err));
		return err;
	}
	if (n == 0) {
		ae_enroll_fail(r, AE_OUTCOME_MISCONFIGURED, "template %s, CA %s: the policy server "
			       "names no enrollment web service for a %s (its %zu are for renewals "
			       "only)", r->template_name, r->ca_name, k.op == AE_WSTEP_OP_RENEW ?
			       "renewal" : "new request", x->num_uris);
		talloc_free(idx);
		return AE_ERR_NOT_FOUND;
	}
	for (i = 0; i < n && t == TRY_NEXT; i++) {
		t = attempt(&k, mem, &x->uris[idx[i]], _resp);
	}
	talloc_free(idx);
	if (t == TRY_DONE) {
		return AE_OK;
	}
	if (t == TRY_NEXT) {
		ae_enroll_fail(r, k.any_unreachable ? AE_OUTCOME_UNREACHABLE : AE_OUTCOME_MISCONFIGURED,
			       "template %s, CA %s: no enrollment web service of the CA could be "
			       "used: %s", r->template_name, r->ca_name,
			       k.w->failures ? k.w->failures : "none tried");
	}
	return AE_ERR_TRANSPORT;
}
