/*
 * ae_https.c: one SOAP-over-HTTPS POST (see ae_https.h for the rules).
 *
 * One curl easy handle on its own multi handle, driven by tevent
 * (ae_https_loop.c). The options below are the whole of curl's freedom:
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
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "ae_https_priv.h"
#include "ae_https_neg.h"
#include "ae_log.h"

#define AE_HTTPS_URL_MAX 2048
#define AE_HTTPS_ACTION_MAX 1024
#define AE_HTTPS_LEGS_MAX 3

struct ae_https_state {
	struct tevent_context *ev;
	char *url;
	char *host;
	struct ae_https_opts o;
	struct ae_https_tls tls;
	struct ae_curl_loop *loop;
	CURL *easy;
	struct curl_slist *headers;
	struct curl_slist *auth_node;	/* KERBEROS: the Authorization line, set per leg */
	uint8_t *body;
	size_t body_len;
	uint8_t *rbuf;
	size_t rlen;
	size_t max;
	bool too_large;
	X509 *peer;			/* the server certificate of the first leg */
	char *peer_subject;
	struct ae_https_neg *neg;
	ae_err prereq_err;		/* AE_OK: the pre-request callback did not fail */
	struct timeval deadline;
	unsigned legs;
	char errbuf[CURL_ERROR_SIZE];
	char why[512];
	struct ae_https_response *resp;
};

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static CURLcode g_curl_init_rc = CURLE_FAILED_INIT;

static void curl_init_once(void)
{
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

/* ---- arguments ---- */

static bool printable_ascii(const char *t, size_t max)
{
	size_t i;

	for (i = 0; t[i] != '\0'; i++) {
		if (i >= max || (unsigned char)t[i] < 0x20 || (unsigned char)t[i] > 0x7e) {
			return false;
		}
	}
	return i > 0;
}

/* https://host[:port]/...: scheme, host, no user info (curl's URL parser) */
static ae_err https_url_check(struct ae_https_state *s, const char *url)
{
	CURLU *u;
	char *scheme = NULL;
	char *host = NULL;
	char *user = NULL;
	ae_err err = AE_ERR_INVALID;

	if (url == NULL || !printable_ascii(url, AE_HTTPS_URL_MAX) ||
	    strncasecmp(url, "https://", 8) != 0) {
		ae_why(s->why, sizeof(s->why), "%.200s: not an https:// URL", url != NULL ? url : "(null)");
		return AE_ERR_INVALID;
	}
	u = curl_url();
	if (u == NULL) {
		return AE_ERR_NOMEM;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    strcasecmp(scheme, "https") != 0 || host[0] == '\0') {
		ae_why(s->why, sizeof(s->why), "%.200s: malformed https URL", url);
	} else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		ae_why(s->why, sizeof(s->why), "%.200s: user information in the URL", url);
	} else {
		size_t n = strlen(host);

		/* an IPv6 literal comes bracketed; the GSS target takes the address */
		if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
			s->host = talloc_strndup(s, host + 1, n - 2);
		} else {
			s->host = talloc_strdup(s, host);
		}
		s->url = talloc_strdup(s, url);
		err = (s->host == NULL || s->url == NULL) ? AE_ERR_NOMEM : AE_OK;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_url_cleanup(u);
	return err;
}

static ae_err https_file_check(struct ae_https_state *s, const char *path, bool dir)
{
	struct stat st;

	if (path == NULL) {
		return AE_OK;
	}
	if (path[0] != '/' || stat(path, &st) != 0 ||
	    (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))) {
		ae_why(s->why, sizeof(s->why), "%s: %.200s is not an absolute path to a %s", s->url,
		       path, dir ? "directory" : "regular file");
		return AE_ERR_INVALID;
	}
	return AE_OK;
}

static ae_err https_opts_check(struct ae_https_state *s, const struct ae_https_opts *o)
{
	ae_err err;
	bool cert = o->auth == AE_HTTPS_AUTH_CERTIFICATE;

	if (o->auth != AE_HTTPS_AUTH_NONE && o->auth != AE_HTTPS_AUTH_KERBEROS && !cert) {
		ae_why(s->why, sizeof(s->why), "%s: unknown authentication %d", s->url, (int)o->auth);
		return AE_ERR_INVALID;
	}
	if (cert != (o->client_key != NULL) || cert != (o->client_cert != NULL) ||
	    (!cert && o->client_chain != NULL)) {
		ae_why(s->why, sizeof(s->why), "%s: certificate authentication needs a client key "
		       "and certificate, and only it", s->url);
		return AE_ERR_INVALID;
	}
	if (o->soap_action != NULL &&
	    (!printable_ascii(o->soap_action, AE_HTTPS_ACTION_MAX) ||
	     strpbrk(o->soap_action, "\"\\") != NULL)) {
		ae_why(s->why, sizeof(s->why), "%s: SOAP action not printable ASCII without quotes",
		       s->url);
		return AE_ERR_INVALID;
	}
	if (o->ccache != NULL && !printable_ascii(o->ccache, PATH_MAX)) {
		ae_why(s->why, sizeof(s->why), "%s: ccache name not printable", s->url);
		return AE_ERR_INVALID;
	}
	err = https_file_check(s, o->pinned_ca_file, false);
	if (err == AE_OK && o->pinned_ca_file == NULL) {
		err = https_file_check(s, o->extra_ca_file, false);
	}
	if (err == AE_OK && o->pinned_ca_file == NULL) {
		err = https_file_check(s, o->extra_ca_dir, true);
	}
	return err;
}

/* ---- curl callbacks ---- */

static size_t https_write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct ae_https_state *s = userdata;
	size_t n = size * nmemb;
	uint8_t *b;

	if (n > s->max - s->rlen) {
		s->too_large = true;
		return 0;	/* CURLE_WRITE_ERROR: the transfer stops here */
	}
	b = talloc_realloc(s, s->rbuf, uint8_t, s->rlen + n + 1);
	if (b == NULL) {
		return 0;
	}
	memcpy(b + s->rlen, ptr, n);
	s->rbuf = b;
	s->rlen += n;
	b[s->rlen] = '\0';
	return n;
}

/* the connection is up and verified; nothing of the request was written yet */
static int https_prereq_cb(void *clientp, char *primary_ip, char *local_ip,
			   int primary_port, int local_port)
{
	struct ae_https_state *s = clientp;
	X509 *cert = ae_https_peer_cert(s->easy);

	(void)primary_ip;
	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	if (cert == NULL) {
		ae_why(s->why, sizeof(s->why), "%s: no verified server certificate on the connection",
		       s->url);
		s->prereq_err = AE_ERR_UNTRUSTED;
		return CURL_PREREQFUNC_ABORT;
	}
	if (s->peer == NULL) {
		s->peer = cert;
		s->peer_subject = ae_https_cert_subject(s, cert);
	} else {
		bool same = X509_cmp(s->peer, cert) == 0;

		X509_free(cert);
		if (!same) {
			ae_why(s->why, sizeof(s->why), "%s: the server certificate changed between "
			       "two legs of the authentication", s->url);
			s->prereq_err = AE_ERR_CREDENTIALS;
			return CURL_PREREQFUNC_ABORT;
		}
	}
	if (s->neg != NULL) {
		char *line = NULL;

		s->prereq_err = ae_https_neg_header(s->neg, s->peer, &line, s->why, sizeof(s->why));
		if (s->prereq_err != AE_OK) {
			return CURL_PREREQFUNC_ABORT;
		}
		/* our own list: curl reads it when it writes the request, after this */
		free(s->auth_node->data);
		s->auth_node->data = line;
	}
	return CURL_PREREQFUNC_OK;
}

/* ---- the easy handle ---- */

static ae_err https_headers(struct ae_https_state *s)
{
	char *ct = talloc_asprintf(s, "Content-Type: application/soap+xml; charset=utf-8%s%s%s",
				   s->o.soap_action != NULL ? "; action=\"" : "",
				   s->o.soap_action != NULL ? s->o.soap_action : "",
				   s->o.soap_action != NULL ? "\"" : "");
	const char *lines[3] = { ct, "Expect:", "Authorization:" };
	size_t n = s->neg != NULL ? 3 : 2;
	size_t i;

	if (ct == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		struct curl_slist *l = curl_slist_append(s->headers, lines[i]);

		if (l == NULL) {
			talloc_free(ct);
			return AE_ERR_NOMEM;
		}
		s->headers = l;
	}
	talloc_free(ct);
	if (s->neg != NULL) {
		for (s->auth_node = s->headers; s->auth_node->next != NULL;
		     s->auth_node = s->auth_node->next) {
		}
	}
	return AE_OK;
}

#define SETOPT(opt, val) do { if (curl_easy_setopt(s->easy, opt, val) != CURLE_OK) { \
	ae_why(s->why, sizeof(s->why), "%s: curl refused option %s", s->url, #opt); \
	return AE_ERR_INVALID; } } while (0)

static ae_err https_easy_trust(struct ae_https_state *s)
{
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	SETOPT(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SETOPT(CURLOPT_CA_CACHE_TIMEOUT, 0L);	/* the store is this transfer's alone */
	if (s->o.pinned_ca_file != NULL) {
		SETOPT(CURLOPT_CAINFO, s->o.pinned_ca_file);
		SETOPT(CURLOPT_CAPATH, (char *)NULL);
	} else {
		s->tls.extra_ca_file = s->o.extra_ca_file;
		s->tls.extra_ca_dir = s->o.extra_ca_dir;
	}
	if (s->o.auth == AE_HTTPS_AUTH_CERTIFICATE) {
		s->tls.client_key = s->o.client_key;
		s->tls.client_cert = s->o.client_cert;
		s->tls.client_chain = s->o.client_chain;
	}
	SETOPT(CURLOPT_SSL_CTX_FUNCTION, ae_https_tls_ctx_cb);
	SETOPT(CURLOPT_SSL_CTX_DATA, &s->tls);
	return AE_OK;
}

static ae_err https_easy(struct ae_https_state *s)
{
	ae_err err;

	s->easy = curl_easy_init();
	if (s->easy == NULL) {
		return AE_ERR_NOMEM;
	}
	SETOPT(CURLOPT_URL, s->url);
	SETOPT(CURLOPT_PROTOCOLS_STR, "https");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_MAXREDIRS, 0L);
	SETOPT(CURLOPT_PROXY, "");
	SETOPT(CURLOPT_NOPROXY, "*");
	SETOPT(CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	SETOPT(CURLOPT_USERAGENT, "samba-autoenroll");
	SETOPT(CURLOPT_ERRORBUFFER, s->errbuf);
	SETOPT(CURLOPT_CONNECTTIMEOUT, (long)s->o.connect_timeout_s);
	SETOPT(CURLOPT_TIMEOUT, (long)s->o.total_timeout_s);
	SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s->max);
	SETOPT(CURLOPT_POST, 1L);
	SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->body_len);
	SETOPT(CURLOPT_POSTFIELDS, (char *)s->body);
	SETOPT(CURLOPT_WRITEFUNCTION, https_write_cb);
	SETOPT(CURLOPT_WRITEDATA, s);
	SETOPT(CURLOPT_PREREQFUNCTION, https_prereq_cb);
	SETOPT(CURLOPT_PREREQDATA, s);
	err = https_headers(s);
	if (err != AE_OK) {
		return err;
	}
	SETOPT(CURLOPT_HTTPHEADER, s->headers);
	return https_easy_trust(s);
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

/* a printable copy of untrusted text for a message */
static void https_clean(char *dst, size_t dst_len, const char *src)
{
	size_t i;

	for (i = 0; src != NULL && src[i] != '\0' && i + 1 < dst_len; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c >= 0x20 && c <= 0x7e) ? (char)c : '?';
	}
	dst[dst_len > 0 ? (i < dst_len ? i : dst_len - 1) : 0] = '\0';
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
	err = https_url_check(s, url);
	if (err == AE_OK && o == NULL) {
		ae_why(s->why, sizeof(s->why), "%s: no options", s->url);
		err = AE_ERR_INVALID;
	}
	if (err == AE_OK && body == NULL && body_len > 0) {
		err = AE_ERR_INVALID;
	}
	if (err == AE_OK) {
		err = https_opts_check(s, o);
	}
	if (err != AE_OK) {
		return err;
	}
	s->o = *o;
	if (s->o.connect_timeout_s == 0) {
		s->o.connect_timeout_s = AE_HTTPS_CONNECT_TIMEOUT_DEFAULT;
	}
	if (s->o.total_timeout_s == 0) {
		s->o.total_timeout_s = AE_HTTPS_TOTAL_TIMEOUT_DEFAULT;
	}
	s->max = s->o.max_response != 0 ? s->o.max_response : AE_HTTPS_RESPONSE_MAX_DEFAULT;
	s->deadline = tevent_timeval_current_ofs(s->o.total_timeout_s, 0);
	s->body = talloc_memdup(s, body_len > 0 ? body : (const uint8_t *)"", body_len + 1);
	s->body_len = body_len;
	if (s->body == NULL) {
		return AE_ERR_NOMEM;
	}
	if (s->o.auth == AE_HTTPS_AUTH_KERBEROS) {
		err = ae_https_neg_new(s, s->o.ccache, s->host, s->url, &s->neg, s->why,
				       sizeof(s->why));
		if (err != AE_OK) {
			return err;
		}
	}
	return https_easy(s);
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
