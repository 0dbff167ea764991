/*
 * wstep_fake_ces.h: a fake MS-WSTEP enrollment web service behind the
 * HTTPS seam of the cycle (struct ae_cycle_ctx.wstep_post/wstep_opts) and
 * the cycle around it, for test_wstep_ca*.c.
 *
 * The fake answers as a CES does ([MS-WSTEP] 3.1.4.1): it reads the
 * RequestSecurityToken it was sent (MessageID, RequestType, the
 * BinarySecurityToken's ValueType and bytes, the template of
 * AdditionalContext, the RequestID of a QueryTokenStatus), unwraps a
 * renewal's CMS as a CA does (ae_renewal_parse), lets the step tests' fake
 * CA (step_fake_ca.h) decide and issue, and writes its answer as a CES
 * writes it: a RequestSecurityTokenResponseCollection (issued: the
 * certificate and the PKCS#7 chain; pending: the RequestID) or a SOAP 1.2
 * fault with CertificateEnrollmentWSDetail (ErrorCode as a signed xs:int,
 * 3.1.4.1.4.1), wsa:RelatesTo our MessageID. Per URL it can refuse the
 * connection or present a server certificate that does not verify, as
 * ae_https_post reports them (AE_ERR_TRANSPORT / AE_ERR_UNTRUSTED, nothing
 * sent). It records every attempt and every message it received.
 *
 * Static functions only; include after <cmocka.h>, leak_check.h,
 * pki_helpers.h, test_store_helpers.h and step_fake_ca.h.
 */
#ifndef WSTEP_FAKE_CES_H
#define WSTEP_FAKE_CES_H

#include <string.h>
#include "ae_config.h"
#include "ae_cycle.h"
#include "ae_cycle_private.h"
#include "ae_decide.h"
#include "ae_eligibility.h"
#include "ae_https.h"
#include "ae_policy_report.h"
#include "ae_polsrv.h"
#include "ae_renewal.h"
#include "ae_session.h"
#include "ae_wstep.h"
#include "ae_wstep_ca.h"
#include "ae_wstep_xml.h"
#include "ae_xcep.h"

#define URL1 "https://ces1.lab.example/LAB-CA_CES_Kerberos/service.svc/CES"
#define URL2 "https://ces2.lab.example/LAB-CA_CES_Kerberos/service.svc/CES"
#define URL3 "https://ces3.lab.example/LAB-CA_CES_Certificate/service.svc/CES"
#define CA2_CN "LAB-CA2"
#define WS_USER "LAB\\wsuser"
#define WS_PASSWORD "s3cr&t<pw>Zq9"

enum ep_mode { EP_ANSWER = 0, EP_REFUSED, EP_UNTRUSTED };
enum ces_quirk { CES_NORMAL = 0, CES_WRONG_RELATES, CES_SERVICE_FAULT, CES_HTTP_404 };

struct ces_sent {
	char *url;
	char *body;
	enum ae_https_auth auth;
	char *client_serial;		/* CERTIFICATE: the client certificate's serial */
	const char *soap_action;
};

struct fake_ces {
	struct fake_ca *ca;
	struct { const char *url; enum ep_mode mode; } eps[4];
	size_t num_eps;
	enum ces_quirk quirk;
	unsigned attempts;		/* posts asked for */
	char *attempted[8];
	struct ces_sent sent[8];	/* what reached the service */
	unsigned num_sent;
	uint32_t opts_auth[8];		/* what each ae_polsrv_https_opts call asked for */
	unsigned num_opts;
	/* renewals seen: signed by this serial, signature verified */
	unsigned renewals;
	char *renewal_signer;
	bool renewal_signature_ok;
	char *got_template;		/* AdditionalContext of the last issue request */
	bool no_cert_file;		/* certificate: none configured (the caller's pair) */
};

static struct fake_ces *g_ces;	/* the seams take no private pointer */

/* the text of the first element whose start tag begins with open, up to close */
static inline char *between(TALLOC_CTX *mem, const char *s, const char *open, const char *close)
{
	const char *a = strstr(s, open), *b;

	if (a == NULL || (a = strchr(a, '>')) == NULL || (b = strstr(a, close)) == NULL) {
		return NULL;
	}
	return talloc_strndup(mem, a + 1, (size_t)(b - a - 1));
}

static inline enum ep_mode ep_mode_of(const char *url)
{
	size_t i;

	for (i = 0; i < g_ces->num_eps; i++) {
		if (strcmp(g_ces->eps[i].url, url) == 0) {
			return g_ces->eps[i].mode;
		}
	}
	return EP_ANSWER;
}

#define CES_ENV_OPEN \
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" \
	"<s:Envelope xmlns:s=\"" AE_WSTEP_NS_SOAP "\" xmlns:a=\"" AE_WSTEP_NS_WSA "\">" \
	"<s:Header><a:Action s:mustUnderstand=\"1\">" AE_WSTEP_ACTION_RSTRC "</a:Action>" \
	"<a:RelatesTo>%s</a:RelatesTo></s:Header><s:Body>"
#define CES_ENV_CLOSE "</s:Body></s:Envelope>\n"
#define CES_RSTR_OPEN \
	"<RequestSecurityTokenResponseCollection xmlns=\"" AE_WSTEP_NS_WST "\">" \
	"<RequestSecurityTokenResponse><TokenType>" AE_WSTEP_TOKEN_X509V3 "</TokenType>" \
	"<DispositionMessage xmlns=\"" AE_WSTEP_NS_ENROLL "\">%s</DispositionMessage>"
#define CES_RSTR_CLOSE \
	"<RequestID xmlns=\"" AE_WSTEP_NS_ENROLL "\">%u</RequestID>" \
	"</RequestSecurityTokenResponse></RequestSecurityTokenResponseCollection>"
#define CES_BST(vt) "<BinarySecurityToken ValueType=\"" vt "\" EncodingType=\"" \
	AE_WSTEP_ENC_BASE64 "\" xmlns=\"" AE_WSTEP_NS_WSSE "\">%s</BinarySecurityToken>"

static inline char *b64(TALLOC_CTX *mem, const struct icpr_blob *b)
{
	char *s = NULL;

	assert_int_equal(ae_wx_b64_encode(mem, b->pb, b->cb, &s), AE_OK);
	return s;
}

/* the fake CA's answer as the CES writes it */
static inline char *ces_answer(TALLOC_CTX *mem, const char *relates,
			       const struct icpr_response *resp, long *_status)
{
	*_status = 200;
	if (g_ces->quirk == CES_SERVICE_FAULT) {
		*_status = 500;
		return talloc_asprintf(mem, CES_ENV_OPEN "<s:Fault><s:Code><s:Value>s:Receiver"
			"</s:Value></s:Code><s:Reason><s:Text xml:lang=\"en-US\">The service "
			"cannot process the request now</s:Text></s:Reason></s:Fault>"
			CES_ENV_CLOSE, relates);
	}
	if (resp->disposition == AE_CR_DISP_ISSUED) {
		return talloc_asprintf(mem, CES_ENV_OPEN CES_RSTR_OPEN CES_BST(AE_WSTEP_TOKEN_PKCS7)
			"<RequestedSecurityToken>" CES_BST(AE_WSTEP_TOKEN_X509V3)
			"</RequestedSecurityToken>" CES_RSTR_CLOSE CES_ENV_CLOSE, relates, "Issued",
			b64(mem, &resp->cert), b64(mem, &resp->encoded_cert), resp->request_id);
	}
	if (resp->disposition == AE_CR_DISP_UNDER_SUBMISSION) {
		return talloc_asprintf(mem, CES_ENV_OPEN CES_RSTR_OPEN "<RequestedSecurityToken/>"
			CES_RSTR_CLOSE CES_ENV_CLOSE, relates, "Taken Under Submission",
			resp->request_id);
	}
	*_status = 500;
	return talloc_asprintf(mem, CES_ENV_OPEN "<s:Fault><s:Code><s:Value>s:Receiver</s:Value>"
		"</s:Code><s:Reason><s:Text xml:lang=\"en-US\">Denied by Policy Module 0x%08x"
		"</s:Text></s:Reason><s:Detail><CertificateEnrollmentWSDetail xmlns=\""
		AE_WSTEP_NS_ENROLL "\" xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">"
		"<BinaryResponse i:nil=\"true\"/><ErrorCode>%d</ErrorCode><InvalidRequest>true"
		"</InvalidRequest><RequestID>%u</RequestID></CertificateEnrollmentWSDetail>"
		"</s:Detail></s:Fault>" CES_ENV_CLOSE, relates, resp->disposition,
		(int)(int32_t)resp->disposition, resp->request_id);
}

/* the RequestSecurityToken as the CA sees it: an icpr_request for the fake CA */
static inline void ces_request(TALLOC_CTX *mem, const char *body, struct icpr_request *in)
{
	char *id, *tok;
	uint8_t *der = NULL;
	size_t len = 0;

	memset(in, 0, sizeof(*in));
	in->authority = CA_CN;
	if (strstr(body, AE_WSTEP_REQTYPE_QUERY) != NULL) {
		id = between(mem, body, "<RequestID", "</RequestID>");
		assert_non_null(id);
		in->request_id = (uint32_t)strtoul(id, NULL, 10);
		assert_null(strstr(body, "BinarySecurityToken"));
		return;
	}
	assert_non_null(strstr(body, AE_WSTEP_REQTYPE_ISSUE));
	tok = between(mem, body, "<BinarySecurityToken", "</BinarySecurityToken>");
	assert_non_null(tok);
	assert_int_equal(ae_wx_b64_decode(mem, tok, 1 << 20, &der, &len), AE_OK);
	TALLOC_FREE(g_ces->got_template);
	g_ces->got_template = between(g_ces->ca->ca_key, body, "<ac:Value", "</ac:Value>");
	in->request.pb = der;
	in->request.cb = (uint32_t)len;
	if (strstr(body, "ValueType=\"" AE_WSTEP_VALUE_PKCS7 "\"") != NULL) {
		struct ae_renewal *rn = NULL;

		/* a renewal: the CMS the MS-ICPR path sends, unwrapped as the CA does */
		assert_int_equal(ae_renewal_parse(mem, der, len, &rn), AE_OK);
		g_ces->renewals++;
		g_ces->renewal_signature_ok = rn->signature_ok && rn->csr_signature_ok;
		TALLOC_FREE(g_ces->renewal_signer);
		assert_int_equal(ae_cert_serial_hex(g_ces->ca->ca_key, rn->signer,
						    &g_ces->renewal_signer), AE_OK);
		in->request.pb = rn->csr_der;
		in->request.cb = (uint32_t)rn->csr_len;
	} else {
		assert_non_null(strstr(body, "ValueType=\"" AE_WSTEP_VALUE_PKCS10 "\""));
	}
}

/* ae_wstep_post_fn: the CES behind HTTPS */
static ae_err fake_post(TALLOC_CTX *mem, struct tevent_context *ev, const char *url,
			const struct ae_https_opts *o, const uint8_t *body, size_t body_len,
			struct ae_https_response **_resp, char *why, size_t why_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_enroll_result *scratch = talloc_zero(tmp, struct ae_enroll_result);
	struct ces_sent *s = &g_ces->sent[g_ces->num_sent];
	struct ae_https_response *hr = NULL;
	struct icpr_response *resp = NULL;
	struct icpr_request in;
	char *mid;

	(void)ev;
	assert_true(g_ces->attempts < 8);
	g_ces->attempted[g_ces->attempts++] = talloc_strdup(g_ces->ca->ca_key, url);
	if (ep_mode_of(url) == EP_REFUSED) {
		snprintf(why, why_len, "%s: Failed to connect to %s port 443: Connection refused",
			 url, url + 8);
		talloc_free(tmp);
		return AE_ERR_TRANSPORT;
	}
	if (ep_mode_of(url) == EP_UNTRUSTED) {
		snprintf(why, why_len, "%s: the server certificate does not verify: self-signed "
			 "certificate", url);
		talloc_free(tmp);
		return AE_ERR_UNTRUSTED;
	}
	/* it reached the service */
	assert_true(g_ces->num_sent < 8);
	g_ces->num_sent++;
	s->url = talloc_strdup(g_ces->ca->ca_key, url);
	s->body = talloc_strndup(g_ces->ca->ca_key, (const char *)body, body_len);
	s->auth = o->auth;
	s->soap_action = o->soap_action;
	if (o->client_cert != NULL) {
		struct ae_cert c = { .x509 = o->client_cert };
		assert_int_equal(ae_cert_serial_hex(g_ces->ca->ca_key, &c, &s->client_serial), AE_OK);
	}
	mid = between(tmp, s->body, "<a:MessageID", "</a:MessageID>");
	assert_non_null(mid);
	hr = talloc_zero(mem, struct ae_https_response);
	assert_non_null(hr);
	if (g_ces->quirk == CES_HTTP_404) {
		hr->status = 404;
		hr->body = (uint8_t *)talloc_strdup(hr, "<html>Not Found</html>");
	} else {
		ces_request(tmp, s->body, &in);
		assert_int_equal(fake_call(g_ces->ca, tmp, scratch, &in, &resp), AE_OK);
		hr->body = (uint8_t *)ces_answer(hr, g_ces->quirk == CES_WRONG_RELATES ?
			"urn:uuid:00000000-0000-4000-8000-000000000000" : mid, resp, &hr->status);
	}
	assert_non_null(hr->body);
	hr->body_len = strlen((char *)hr->body);
	talloc_free(tmp);
	*_resp = hr;
	return AE_OK;
}

/* ae_wstep_opts_fn: the policy server's options without files or tickets */
static ae_err fake_opts(TALLOC_CTX *mem, const struct ae_session *s, const struct ae_polsrv *ps,
			uint32_t auth, struct ae_https_opts *o, char **_user, char **_pw,
			char *why, size_t why_len)
{
	(void)s;
	assert_non_null(ps);
	assert_true(g_ces->num_opts < 8);
	g_ces->opts_auth[g_ces->num_opts++] = auth;
	memset(o, 0, sizeof(*o));
	*_user = *_pw = NULL;
	o->extra_ca_file = "/var/lib/autoenroll/trust/anchors.pem";
	switch (auth) {
	case AE_XCEP_AUTH_KERBEROS:
		o->auth = AE_HTTPS_AUTH_KERBEROS;
		return AE_OK;
	case AE_XCEP_AUTH_PASSWORD:
		*_user = talloc_strdup(mem, WS_USER);
		*_pw = talloc_strdup(mem, WS_PASSWORD);
		return AE_OK;
	case AE_XCEP_AUTH_ANONYMOUS:
		return AE_OK;
	default:
		if (g_ces->no_cert_file) {
			/* as ae_polsrv_https_opts_why without a credential file */
			o->auth = AE_HTTPS_AUTH_CERTIFICATE;
			return AE_OK;
		}
		snprintf(why, why_len, "policy server %s: credential file /etc/autoenroll/ws.pem "
			 "refused: No such file or directory", ps->url);
		return AE_ERR_CREDENTIALS;	/* no certificate configured for the server */
	}
}

/* ---- the cycle around it ------------------------------------------------ */

struct wcyc {
	struct env *e;
	struct fake_ces ces;
	struct ae_template *t;
	struct ae_config config;
	struct ae_session s;
	struct ae_policy_report policy;
	struct ae_polsrv server;
	struct ae_xcep_ca xca[2];
	struct ae_xcep_uri uris[2][3];
	struct ae_enrollment_service svc2;
	struct ae_enrollment_service *cas[2];
	struct ae_eligibility elig[1];
	char *elig_cas[1];
	struct ae_template *templates[1];
	struct ae_cycle_report *r;
	struct ae_cycle_ctx c;
	struct ae_store_snapshot *snap;
};

static inline void set_uri(struct ae_xcep_uri *u, const char *url, uint32_t auth,
			   uint32_t priority, bool renewal_only)
{
	u->uri = (char *)url;
	u->client_auth = auth;
	u->priority = priority;
	u->renewal_only = renewal_only;
}

/* one XCEP CA (LAB-CA) with one Kerberos end point, URL1 */
static inline struct wcyc *wcyc_new(TALLOC_CTX *mem)
{
	struct wcyc *y = talloc_zero(mem, struct wcyc);

	assert_non_null(y);
	y->e = env_new(y);
	g_ces = &y->ces;
	y->ces.ca = &y->e->ca;
	y->t = talloc_zero(y, struct ae_template);
	assert_non_null(y->t);
	y->t->cn = talloc_strdup(y->t, TPL);
	y->t->oid = talloc_strdup(y->t, "1.3.6.1.4.1.311.21.8.1.2.3");
	y->t->schema_version = 2;
	y->t->major_revision = 100;
	y->t->overlap_s = 6 * 7 * 86400;
	y->config.key_type = "ec:p256";
	y->s.config = &y->config;
	y->s.machine_fqdn = talloc_strdup(y, "host.lab.example");
	y->s.account = talloc_strdup(y, "LAB\\HOST$");
	y->server.kind = AE_POLSRV_XCEP;
	y->server.url = talloc_strdup(y, "https://cep.lab.example/ADPolicyProvider_CEP_Kerberos/"
				      "service.svc/CEP");
	set_uri(&y->uris[0][0], URL1, AE_XCEP_AUTH_KERBEROS, 1, false);
	y->xca[0].uris = y->uris[0];
	y->xca[0].num_uris = 1;
	y->xca[1].uris = y->uris[1];
	y->e->ca.svc.xcep_ca = &y->xca[0];
	y->e->ca.svc.polsrv = 0;
	y->cas[0] = &y->e->ca.svc;
	y->elig_cas[0] = talloc_strdup(y, CA_CN);
	y->elig[0].cas = y->elig_cas;
	y->elig[0].num_cas = 1;
	y->templates[0] = y->t;
	y->policy.cas = y->cas;
	y->policy.num_cas = 1;
	y->policy.templates = y->templates;
	y->policy.num_templates = 1;
	y->policy.eligibility = y->elig;
	y->policy.servers = &y->server;
	y->policy.num_servers = 1;
	y->c.s = &y->s;
	y->c.mem = talloc_new(y);
	y->c.store = y->e->store;
	y->c.wstep_post = fake_post;
	y->c.wstep_opts = fake_opts;
	return y;
}

/* a second XCEP CA of the same policy server (certificate of the same fake CA) */
static inline void add_second_ca(struct wcyc *y, const char *url)
{
	y->svc2 = y->e->ca.svc;
	y->svc2.cn = talloc_strdup(y, CA2_CN);
	y->svc2.dns_host = talloc_strdup(y, "ces2.lab.example");
	y->svc2.xcep_ca = &y->xca[1];
	set_uri(&y->uris[1][0], url, AE_XCEP_AUTH_KERBEROS, 1, false);
	y->xca[1].num_uris = 1;
	y->cas[1] = &y->svc2;
	y->policy.num_cas = 2;
}

static inline void wcyc_free(struct wcyc *y)
{
	g_ces = NULL;
	rm_rf(y->e->dir);
	talloc_free(y);
}

/* one action for the template, as ae_decide() makes it (RENEW: of the installed
 * pair; RETRIEVE: of the PENDING record) */
static inline void w_action(struct wcyc *y, enum ae_action_kind k)
{
	struct ae_action *a = talloc_zero(y, struct ae_action);

	assert_non_null(a);
	TALLOC_FREE(y->snap);
	assert_int_equal(ae_store_snapshot(y, y->e->store, &y->snap), AE_OK);
	a->kind = k;
	a->cause = k == AE_ACTION_RENEW ? AE_CAUSE_RENEWAL_DUE : k == AE_ACTION_RETRIEVE ?
		AE_CAUSE_PENDING : AE_CAUSE_NO_CERTIFICATE;
	a->template_name = TPL;
	a->t = y->t;
	a->after = AE_ACTION_NONE;
	a->reason = talloc_strdup(a, "decided by the test");
	if (k == AE_ACTION_RENEW) {
		assert_int_equal(y->snap->num_certs, 1);
		a->cert = &y->snap->certs[0];
	}
	if (k == AE_ACTION_RETRIEVE) {
		struct ae_store_pending_req *pr = talloc_zero(a, struct ae_store_pending_req);

		assert_non_null(pr);
		assert_int_equal(y->snap->certs[0].state, AE_CERT_PENDING);
		pr->ca = y->snap->certs[0].pending_ca;
		pr->template_name = y->snap->certs[0].template_name;
		pr->request_id = y->snap->certs[0].pending_request_id;
		a->pending = pr;
	}
	y->c.actions = a;
	y->c.num_actions = 1;
}

/* dispatch the action into a fresh report: its one item */
static inline struct ae_cycle_item *w_dispatch(struct wcyc *y)
{
	TALLOC_FREE(y->r);
	y->r = talloc_zero(y, struct ae_cycle_report);
	assert_non_null(y->r);
	y->r->policy = &y->policy;
	y->c.r = y->r;
	y->ces.attempts = 0;
	y->ces.num_sent = 0;
	y->ces.num_opts = 0;
	y->e->ca.calls = 0;
	assert_int_equal(ae_cycle_dispatch(&y->c), AE_OK);
	assert_int_equal(y->r->num_items, 1);
	assert_int_equal(y->r->binds, 0);	/* never MS-ICPR */
	return &y->r->items[0];
}

static inline void w_contains(const char *s, const char *what)
{
	assert_non_null(s);
	if (strstr(s, what) == NULL) {
		fail_msg("'%s' does not contain '%s'", s, what);
	}
}

#endif
