/*
 * ae_https_setup.c: the arguments of one exchange checked and owned, and
 * the curl easy handle made from them with its callbacks (see ae_https.c
 * for the rules and the Negotiate design).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "ae_https_state.h"
#include "ae_log.h"

#define AE_HTTPS_URL_MAX 2048
#define AE_HTTPS_ACTION_MAX 1024

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
ae_err ae_https_url_check(struct ae_https_state *s, const char *url)
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

ae_err ae_https_opts_check(struct ae_https_state *s, const struct ae_https_opts *o)
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

/*
 * The exchange keeps its own copies of the caller's strings and references
 * to its key and certificates: the caller's may go before the answer does.
 */
ae_err ae_https_opts_own(struct ae_https_state *s)
{
	const char **str[] = { &s->o.ccache, &s->o.extra_ca_file, &s->o.extra_ca_dir,
			       &s->o.pinned_ca_file, &s->o.soap_action };
	size_t i;

	for (i = 0; i < sizeof(str) / sizeof(str[0]); i++) {
		if (*str[i] != NULL) {
			*str[i] = talloc_strdup(s, *str[i]);
			if (*str[i] == NULL) {
				return AE_ERR_NOMEM;
			}
		}
	}
	if (s->o.auth != AE_HTTPS_AUTH_CERTIFICATE) {
		s->o.client_key = NULL;
		s->o.client_cert = NULL;
		s->o.client_chain = NULL;
		return AE_OK;
	}
	/* what is not referenced yet is NULL when a reference fails: released as owned */
	s->owns_keys = true;
	if (s->o.client_chain != NULL) {
		s->o.client_chain = X509_chain_up_ref(s->o.client_chain);
		if (s->o.client_chain == NULL) {
			s->o.client_cert = NULL;
			s->o.client_key = NULL;
			return AE_ERR_NOMEM;
		}
	}
	if (X509_up_ref(s->o.client_cert) != 1) {
		s->o.client_cert = NULL;
	}
	if (EVP_PKEY_up_ref(s->o.client_key) != 1) {
		s->o.client_key = NULL;
	}
	return s->o.client_key == NULL || s->o.client_cert == NULL ? AE_ERR_NOMEM : AE_OK;
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

ae_err ae_https_easy(struct ae_https_state *s)
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

