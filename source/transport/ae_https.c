/*
 * ae_https.c: one SOAP-over-HTTPS POST (see ae_https.h for the rules).
 *
 * One curl easy handle on its own multi handle, driven by tevent
 * (ae_https_loop.c). The options (ae_https_setup.c) are the whole of curl's freedom:
 * https only, verification on, the trust of ae_https_tls_ctx_cb, no proxy,
 * no redirect, no netrc, no cookies, no compression, HTTP/1.1 (Negotiate
 * authenticates a connection, RFC 4559 §6), bounded in time and size.
 *
 * Kerberos (ae_https_neg.c): the Authorization header is computed in
 * curl's pre-request callback (CURLOPT_PREREQFUNCTION), which curl calls
 * once the connection that will carry the request is up: TCP, TLS
 * handshake, server certificate and host name verified, and before one
 * byte of the request is written. The channel binding is therefore the
 * certificate of THIS connection, read from its SSL object, and no
 * unauthenticated request is sent first. A multi-leg exchange (a 401 with
 * a continuation token) runs on the same easy handle; each leg checks that
 * the server certificate is the one the first leg bound to.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ae_https_priv.h"
#include "ae_https_neg.h"
#include "ae_https_state.h"
#include "ae_log.h"
#include "ae_net_timeout.h"

#define AE_HTTPS_LEGS_MAX 3

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static CURLcode g_curl_init_rc = CURLE_FAILED_INIT;

static void curl_init_once(void)
{
	/* libcurl would write the TLS secrets to the file this names: never */
	if (getenv("SSLKEYLOGFILE") != NULL) {
		AE_WARN("https: SSLKEYLOGFILE ignored (TLS secrets are not written out)");
		unsetenv("SSLKEYLOGFILE");
	}
	g_curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void https_release(struct ae_https_state *s)
{
	if (s->easy != NULL) {
		ae_curl_loop_remove(s->loop, s->easy);
		curl_easy_cleanup(s->easy);
		s->easy = NULL;
	}
	TALLOC_FREE(s->loop);
	if (s->headers != NULL) {
		curl_slist_free_all(s->headers);
		s->headers = NULL;
		s->auth_node = NULL;
	}
	X509_free(s->peer);
	s->peer = NULL;
	if (s->owns_keys) {
		EVP_PKEY_free(s->o.client_key);
		X509_free(s->o.client_cert);
		sk_X509_pop_free(s->o.client_chain, X509_free);
		s->o.client_key = NULL;
		s->o.client_cert = NULL;
		s->o.client_chain = NULL;
		s->owns_keys = false;
	}
}

static int https_state_destructor(struct ae_https_state *s)
{
	https_release(s);
	return 0;
}

static void https_cleanup(struct tevent_req *req, enum tevent_req_state st)
{
	(void)st;
	https_release(tevent_req_data(req, struct ae_https_state));
}

/* ---- completion ---- */

static ae_err https_curl_error(struct ae_https_state *s, CURLcode rc)
{
	const char *detail = s->errbuf[0] != '\0' ? s->errbuf : curl_easy_strerror(rc);

	if (rc == CURLE_ABORTED_BY_CALLBACK && s->prereq_err != AE_OK) {
		return s->prereq_err;	/* why set by the callback */
	}
	if ((rc == CURLE_WRITE_ERROR && s->too_large) || rc == CURLE_FILESIZE_EXCEEDED) {
		ae_why(s->why, sizeof(s->why), "%s: the response is larger than %zu bytes",
		       s->url, s->max);
		return AE_ERR_TOO_LARGE;
	}
	if (s->tls.failed) {
		ae_why(s->why, sizeof(s->why), "%s: %s", s->url, s->tls.why);
		return rc == CURLE_SSL_CACERT_BADFILE ? AE_ERR_INVALID : AE_ERR_CREDENTIALS;
	}
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
		ae_why(s->why, sizeof(s->why), "%s: the server certificate does not verify "
		       "(nothing sent): %s", s->url, detail);
		return AE_ERR_UNTRUSTED;
	case CURLE_SSL_CACERT_BADFILE:
		ae_why(s->why, sizeof(s->why), "%s: trust anchors: %s", s->url, detail);
		return AE_ERR_INVALID;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		ae_why(s->why, sizeof(s->why), "%s: %s", s->url, detail);
		return AE_ERR_INVALID;
	case CURLE_OUT_OF_MEMORY:
		return AE_ERR_NOMEM;
	default:
		ae_why(s->why, sizeof(s->why), "%s: %s", s->url, detail);
		return AE_ERR_TRANSPORT;
	}
}

/* a printable copy of untrusted text for a message (dst_len > 0) */
static void https_clean(char *dst, size_t dst_len, const char *src)
{
	size_t i = 0;

	for (; src != NULL && src[i] != '\0' && i + 1 < dst_len; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c >= 0x20 && c <= 0x7e) ? (char)c : '?';
	}
	dst[i] = '\0';
}

static ae_err https_status(struct ae_https_state *s, long status)
{
	if (status >= 300 && status <= 399) {
		char *loc = NULL;
		char clean[256] = "";

		curl_easy_getinfo(s->easy, CURLINFO_REDIRECT_URL, &loc);
		https_clean(clean, sizeof(clean), loc);
		ae_why(s->why, sizeof(s->why), "%s: HTTP %ld redirect to %s refused (not followed)",
		       s->url, status, clean[0] != '\0' ? clean : "(no Location)");
		return AE_ERR_TRANSPORT;
	}
	if (status == 401 || status == 403) {
		ae_why(s->why, sizeof(s->why), "%s: HTTP %ld: %s", s->url, status,
		       s->o.auth == AE_HTTPS_AUTH_NONE ? "the server wants authentication"
		       : "the server refused our credentials");
		return AE_ERR_CREDENTIALS;
	}
	return AE_OK;
}

static ae_err https_response(struct ae_https_state *s, long status)
{
	struct ae_https_response *r = talloc_zero(s, struct ae_https_response);
	char *ct = NULL;

	if (r == NULL) {
		return AE_ERR_NOMEM;
	}
	r->status = status;
	if (curl_easy_getinfo(s->easy, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != NULL) {
		r->content_type = talloc_strdup(r, ct);
	}
	r->body = s->rbuf != NULL ? talloc_steal(r, s->rbuf) : talloc_zero_array(r, uint8_t, 1);
	r->body_len = s->rlen;
	s->rbuf = NULL;
	if (s->peer_subject != NULL) {
		r->server_cert_subject = talloc_steal(r, s->peer_subject);
	}
	if (s->neg != NULL) {
		r->channel_bound = ae_https_neg_bound(s->neg);
		r->mutual_auth = ae_https_neg_mutual(s->neg);
	}
	if (r->body == NULL || (ct != NULL && r->content_type == NULL)) {
		talloc_free(r);
		return AE_ERR_NOMEM;
	}
	s->resp = r;
	return AE_OK;
}

static unsigned long https_remaining_ms(const struct ae_https_state *s)
{
	struct timeval now = tevent_timeval_current();
	struct timeval d = tevent_timeval_until(&now, &s->deadline);
	unsigned long ms = (unsigned long)d.tv_sec * 1000ul + (unsigned long)d.tv_usec / 1000ul;

	return ms > 0 ? ms : 1;
}

/* the next leg of a multi-leg Negotiate, on the same handle (and connection) */
static ae_err https_next_leg(struct ae_https_state *s)
{
	TALLOC_FREE(s->rbuf);
	s->rlen = 0;
	s->errbuf[0] = '\0';
	if (++s->legs > AE_HTTPS_LEGS_MAX) {
		ae_why(s->why, sizeof(s->why), "%s: Negotiate did not finish in %d legs", s->url,
		       AE_HTTPS_LEGS_MAX);
		return AE_ERR_CREDENTIALS;
	}
	if (curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, (long)https_remaining_ms(s)) != CURLE_OK) {
		return AE_ERR_INVALID;
	}
	return ae_curl_loop_add(s->loop, s->easy);
}

static void https_done(void *priv, CURL *easy, CURLcode rc)
{
	struct tevent_req *req = talloc_get_type_abort(priv, struct tevent_req);
	struct ae_https_state *s = tevent_req_data(req, struct ae_https_state);
	long status = 0;
	bool again = false;
	ae_err err;

	ae_curl_loop_remove(s->loop, easy);
	if (rc != CURLE_OK) {
		tevent_req_error(req, https_curl_error(s, rc));
		return;
	}
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	AE_DEBUG("https: POST %s: HTTP %ld, %zu bytes", s->url, status, s->rlen);
	if (s->neg != NULL) {
		err = ae_https_neg_answer(s->neg, easy, status, &again, s->why, sizeof(s->why));
		if (err == AE_OK && again) {
			err = https_next_leg(s);
			if (err == AE_OK) {
				return;
			}
		}
		if (err != AE_OK) {
			tevent_req_error(req, err);
			return;
		}
	}
	err = https_status(s, status);
	if (err == AE_OK) {
		err = https_response(s, status);
	}
	if (err != AE_OK) {
		tevent_req_error(req, err);
		return;
	}
	tevent_req_done(req);
}

/* ---- the API ---- */

static ae_err https_prepare(struct ae_https_state *s, const char *url,
			    const struct ae_https_opts *o, const uint8_t *body, size_t body_len)
{
	ae_err err;

	pthread_once(&g_curl_once, curl_init_once);
	if (g_curl_init_rc != CURLE_OK) {
		ae_why(s->why, sizeof(s->why), "libcurl: %s", curl_easy_strerror(g_curl_init_rc));
		return AE_ERR_NOMEM;
	}
	err = ae_https_url_check(s, url);
	if (err == AE_OK && o == NULL) {
		ae_why(s->why, sizeof(s->why), "%s: no options", s->url);
		err = AE_ERR_INVALID;
	}
	if (err == AE_OK && body == NULL && body_len > 0) {
		err = AE_ERR_INVALID;
	}
	if (err == AE_OK) {
		err = ae_https_opts_check(s, o);
	}
	if (err != AE_OK) {
		return err;
	}
	s->o = *o;
	/* unset: from autoenroll:network timeout T (ae_net_timeout.h): connect
	 * min(15 s, T), the whole request 4 T (120 s with the default T) */
	if (s->o.connect_timeout_s == 0) {
		s->o.connect_timeout_s = ae_net_timeout() < AE_HTTPS_CONNECT_TIMEOUT_DEFAULT ?
					 ae_net_timeout() : AE_HTTPS_CONNECT_TIMEOUT_DEFAULT;
	}
	if (s->o.total_timeout_s == 0) {
		s->o.total_timeout_s = 4 * ae_net_timeout();
	}
	if (ae_net_deadline_passed()) {
		ae_why(s->why, sizeof(s->why), "%s: %s", s->url, ae_net_cycle_over());
		return AE_ERR_TRANSPORT;
	}
	/* never past the cycle's deadline (autoenroll:cycle timeout) */
	s->o.total_timeout_s = ae_net_bound_s(s->o.total_timeout_s, 0, ae_net_left_ms());
	if (s->o.connect_timeout_s > s->o.total_timeout_s) {
		s->o.connect_timeout_s = s->o.total_timeout_s;
	}
	s->max = s->o.max_response != 0 ? s->o.max_response : AE_HTTPS_RESPONSE_MAX_DEFAULT;
	s->deadline = tevent_timeval_current_ofs(s->o.total_timeout_s, 0);
	s->body = talloc_zero_array(s, uint8_t, body_len + 1);
	if (s->body == NULL) {
		return AE_ERR_NOMEM;
	}
	if (body_len > 0) {
		memcpy(s->body, body, body_len);
	}
	s->body_len = body_len;
	err = ae_https_opts_own(s);
	if (err != AE_OK) {
		return err;
	}
	if (s->o.auth == AE_HTTPS_AUTH_KERBEROS) {
		err = ae_https_neg_new(s, s->o.ccache, s->host, s->url, &s->neg, s->why,
				       sizeof(s->why));
		if (err != AE_OK) {
			return err;
		}
	}
	return ae_https_easy(s);
}

struct tevent_req *ae_https_post_send(TALLOC_CTX *mem, struct tevent_context *ev,
				      const char *url, const struct ae_https_opts *o,
				      const uint8_t *body, size_t body_len)
{
	struct ae_https_state *s;
	struct tevent_req *req = tevent_req_create(mem, &s, struct ae_https_state);
	ae_err err;

	if (req == NULL) {
		return NULL;
	}
	s->ev = ev;
	talloc_set_destructor(s, https_state_destructor);
	tevent_req_set_cleanup_fn(req, https_cleanup);
	err = https_prepare(s, url, o, body, body_len);
	if (err == AE_OK) {
		s->loop = ae_curl_loop_new(s, ev, https_done, req);
		err = s->loop == NULL ? AE_ERR_NOMEM : ae_curl_loop_add(s->loop, s->easy);
	}
	if (err != AE_OK) {
		tevent_req_error(req, err);
		return tevent_req_post(req, ev);
	}
	s->legs = 1;
	return req;
}

ae_err ae_https_post_recv(struct tevent_req *req, TALLOC_CTX *mem,
			  struct ae_https_response **_resp, char *why, size_t why_len)
{
	struct ae_https_state *s = tevent_req_data(req, struct ae_https_state);
	enum tevent_req_state st;
	uint64_t e = 0;

	if (tevent_req_is_error(req, &st, &e)) {
		ae_err err = st == TEVENT_REQ_USER_ERROR ? (ae_err)e : AE_ERR_NOMEM;

		if (err == AE_ERR_NOMEM && s->why[0] == '\0') {
			ae_why(s->why, sizeof(s->why), "%s: out of memory", s->url ? s->url : "https");
		}
		ae_why(why, why_len, "%s", s->why);
		tevent_req_received(req);
		return err;
	}
	*_resp = talloc_move(mem, &s->resp);
	tevent_req_received(req);
	return AE_OK;
}

ae_err ae_https_post(TALLOC_CTX *mem, struct tevent_context *ev, const char *url,
		     const struct ae_https_opts *o, const uint8_t *body, size_t body_len,
		     struct ae_https_response **_resp, char *why, size_t why_len)
{
	TALLOC_CTX *tmp = talloc_new(mem);
	struct tevent_req *req;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	req = ae_https_post_send(tmp, ev, url, o, body, body_len);
	if (req == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	if (!tevent_req_poll(req, ev)) {
		ae_why(why, why_len, "%s: the event loop failed", url != NULL ? url : "https");
		talloc_free(tmp);
		return AE_ERR_TRANSPORT;
	}
	err = ae_https_post_recv(req, mem, _resp, why, why_len);
	talloc_free(tmp);
	return err;
}
