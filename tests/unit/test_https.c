/*
 * test_https.c: ae_https_post (source/transport/ae_https.h) against an
 * in-process TLS server: OpenSSL in a thread on 127.0.0.1, with a PKI made
 * here (EC P-256 keys, certificates written as PEM into a temporary
 * directory). The client runs in the main thread on tevent; the server
 * thread uses no talloc.
 *
 * Leak check: talloc null tracking (leak_check.h), ASan for the rest.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <cmocka.h>
#include <talloc.h>
#include <tevent.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include "ae_https.h"
#include "ae_log.h"
#include "leak_check.h"

/* ---- a PKI made here ---- */

static EVP_PKEY *key_new(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	assert_non_null(k);
	return k;
}

static void cert_ext(X509 *c, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : c, c, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(c, e, -1), 1);
	X509_EXTENSION_free(e);
}

/* a certificate for key named cn, signed by issuer/ikey (NULL: self-signed) */
static X509 *cert_new(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, bool ca,
		      const char *san)
{
	static long serial = 1;
	X509 *c = X509_new();
	X509_NAME *name = X509_NAME_new();

	assert_non_null(c);
	assert_int_equal(X509_set_version(c, 2), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(c), serial++);
	X509_gmtime_adj(X509_getm_notBefore(c), -3600);
	X509_gmtime_adj(X509_getm_notAfter(c), 86400);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(c, name);
	X509_set_issuer_name(c, issuer != NULL ? X509_get_subject_name(issuer) : name);
	X509_NAME_free(name);
	X509_set_pubkey(c, key);
	cert_ext(c, issuer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	cert_ext(c, issuer, NID_subject_key_identifier, "hash");
	if (ca) {
		cert_ext(c, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		cert_ext(c, issuer, NID_key_usage, "critical,digitalSignature");
	}
	if (san != NULL) {
		cert_ext(c, issuer, NID_subject_alt_name, san);
	}
	assert_true(X509_sign(c, ikey != NULL ? ikey : key, EVP_sha256()) > 0);
	return c;
}

struct pki {
	char dir[64];
	EVP_PKEY *ca_key, *other_key, *srv_key, *cca_key, *cli_key;
	X509 *ca, *other, *srv, *cca, *cli;
	char ca_file[128];	/* the server certificate's issuer */
	char other_file[128];	/* an unrelated CA */
};

static struct pki g_pki;

static void pem_write(const char *path, X509 *c)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(PEM_write_X509(f, c), 1);
	assert_int_equal(fclose(f), 0);
}

static int pki_setup(void **state)
{
	struct pki *p = &g_pki;

	(void)state;
	/* tevent registers its backends (talloc blocks kept) on the first context */
	talloc_free(tevent_context_init(NULL));
	snprintf(p->dir, sizeof(p->dir), "/tmp/test_https.XXXXXX");
	if (mkdtemp(p->dir) == NULL) {
		return -1;
	}
	p->ca_key = key_new();
	p->ca = cert_new(p->ca_key, "Test HTTPS CA", NULL, NULL, true, NULL);
	p->other_key = key_new();
	p->other = cert_new(p->other_key, "Other CA", NULL, NULL, true, NULL);
	p->srv_key = key_new();
	p->srv = cert_new(p->srv_key, "cep.test", p->ca, p->ca_key, false,
			  "DNS:cep.test,IP:127.0.0.1");
	p->cca_key = key_new();
	p->cca = cert_new(p->cca_key, "Client CA", NULL, NULL, true, NULL);
	p->cli_key = key_new();
	p->cli = cert_new(p->cli_key, "client-test", p->cca, p->cca_key, false, NULL);
	snprintf(p->ca_file, sizeof(p->ca_file), "%.60s/ca.pem", p->dir);
	snprintf(p->other_file, sizeof(p->other_file), "%.60s/other.pem", p->dir);
	pem_write(p->ca_file, p->ca);
	pem_write(p->other_file, p->other);
	return 0;
}

static int pki_teardown(void **state)
{
	struct pki *p = &g_pki;

	(void)state;
	unlink(p->ca_file);
	unlink(p->other_file);
	rmdir(p->dir);
	EVP_PKEY_free(p->ca_key);
	EVP_PKEY_free(p->other_key);
	EVP_PKEY_free(p->srv_key);
	EVP_PKEY_free(p->cca_key);
	EVP_PKEY_free(p->cli_key);
	X509_free(p->ca);
	X509_free(p->other);
	X509_free(p->srv);
	X509_free(p->cca);
	X509_free(p->cli);
	return 0;
}

/* ---- the TLS server thread ---- */

enum srv_mode { SRV_ANSWER, SRV_SILENT };

struct srv {
	int lfd;
	int stop[2];
	unsigned port;
	pthread_t th;
	SSL_CTX *ctx;
	enum srv_mode mode;
	const char *answer;		/* the raw HTTP answer */
	size_t answer_len;
	/* results, read after srv_stop */
	int connections;
	int handshakes;
	size_t received;		/* application bytes read, all connections */
	char request[8192];		/* the last request */
	char client_subject[256];	/* the client certificate's, if any */
};

static bool srv_stopping(struct srv *s, int fd, int timeout_ms)
{
	struct pollfd p[2] = { { .fd = s->stop[0], .events = POLLIN },
			       { .fd = fd, .events = POLLIN } };

	return poll(p, fd >= 0 ? 2 : 1, timeout_ms) < 0 || (p[0].revents & POLLIN) != 0;
}

/* read one request: the head and Content-Length bytes of body */
static void srv_read_request(struct srv *s, SSL *ssl)
{
	size_t got = 0;
	size_t want = 0;

	for (;;) {
		char *end;
		int n;

		if (got >= sizeof(s->request) - 1) {
			break;
		}
		n = SSL_read(ssl, s->request + got, (int)(sizeof(s->request) - 1 - got));
		if (n <= 0) {
			break;
		}
		got += (size_t)n;
		s->received += (size_t)n;
		s->request[got] = '\0';
		end = strstr(s->request, "\r\n\r\n");
		if (end != NULL && want == 0) {
			char *cl = strcasestr(s->request, "\r\ncontent-length:");

			want = (size_t)(end + 4 - s->request) + (cl != NULL ? strtoul(cl + 17, NULL, 10) : 0);
		}
		if (want > 0 && got >= want) {
			break;
		}
	}
}

static void srv_one(struct srv *s, int fd)
{
	struct timeval tv = { 10, 0 };
	SSL *ssl;
	X509 *peer;

	s->connections++;
	if (s->mode == SRV_SILENT) {
		srv_stopping(s, -1, -1);	/* accepted, never answers */
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ssl = SSL_new(s->ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) == 1) {
		s->handshakes++;
		peer = SSL_get1_peer_certificate(ssl);
		if (peer != NULL) {
			X509_NAME_oneline(X509_get_subject_name(peer), s->client_subject,
					  sizeof(s->client_subject));
			X509_free(peer);
		}
		s->request[0] = '\0';
		srv_read_request(s, ssl);
		if (s->received > 0 && s->answer != NULL) {
			SSL_write(ssl, s->answer, (int)s->answer_len);
		}
		SSL_shutdown(ssl);
	} else {
		char buf[64];

		/* the client gave up: anything it sent after would count */
		if (SSL_read(ssl, buf, sizeof(buf)) > 0) {
			s->received++;
		}
	}
	SSL_free(ssl);
	ERR_clear_error();
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;

	while (!srv_stopping(s, s->lfd, -1)) {
		int fd = accept(s->lfd, NULL, NULL);

		if (fd < 0) {
			continue;
		}
		srv_one(s, fd);
		close(fd);
	}
	return NULL;
}

static void srv_start(struct srv *s, enum srv_mode mode, const char *answer, X509 *client_ca)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);

	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->answer = answer;
	s->answer_len = answer != NULL ? strlen(answer) : 0;
	s->ctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(s->ctx);
	assert_int_equal(SSL_CTX_use_certificate(s->ctx, g_pki.srv), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(s->ctx, g_pki.srv_key), 1);
	if (client_ca != NULL) {
		X509_STORE_add_cert(SSL_CTX_get_cert_store(s->ctx), client_ca);
		SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	}
	assert_int_equal(pipe(s->stop), 0);
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->lfd, 8), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &alen), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
}

static void srv_stop(struct srv *s)
{
	assert_int_equal(write(s->stop[1], "x", 1), 1);
	pthread_join(s->th, NULL);
	close(s->lfd);
	close(s->stop[0]);
	close(s->stop[1]);
	SSL_CTX_free(s->ctx);
}

/* ---- the client side ---- */

#define OK_BODY "<s:Envelope>ok</s:Envelope>"
#define ANSWER_OK "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml; charset=utf-8\r\n" \
	"Content-Length: 27\r\nConnection: close\r\n\r\n" OK_BODY
#define REQ_BODY "<s:Envelope>request</s:Envelope>"

static char *url_of(TALLOC_CTX *mem, const struct srv *s, const char *path)
{
	return talloc_asprintf(mem, "https://127.0.0.1:%u%s", s->port, path);
}

static ae_err post(TALLOC_CTX *mem, const char *url, const struct ae_https_opts *o,
		   struct ae_https_response **r, char *why, size_t why_len)
{
	struct tevent_context *ev = tevent_context_init(mem);
	ae_err err;

	assert_non_null(ev);
	err = ae_https_post(mem, ev, url, o, (const uint8_t *)REQ_BODY, strlen(REQ_BODY), r,
			    why, why_len);
	talloc_free(ev);
	return err;
}

static void test_post_verified(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_https_opts o = { .extra_ca_file = g_pki.ca_file,
				   .soap_action = "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies" };
	struct ae_https_response *r = NULL;
	struct srv s;
	char why[512] = "";
	ae_err err;

	srv_start(&s, SRV_ANSWER, ANSWER_OK, NULL);
	err = post(mem, url_of(mem, &s, "/ADPolicyProvider_CEP_Kerberos/service.svc/CEP"), &o,
		   &r, why, sizeof(why));
	srv_stop(&s);
	assert_int_equal(err, AE_OK);
	assert_non_null(r);
	assert_int_equal(r->status, 200);
	assert_int_equal(r->body_len, strlen(OK_BODY));
	assert_memory_equal(r->body, OK_BODY, r->body_len);
	assert_int_equal(r->body[r->body_len], 0);
	assert_string_equal(r->content_type, "application/soap+xml; charset=utf-8");
	assert_string_equal(r->server_cert_subject, "CN=cep.test");
	assert_false(r->channel_bound);
	/* what the server read: a POST with our content type, action and body */
	assert_non_null(strstr(s.request, "POST /ADPolicyProvider_CEP_Kerberos/service.svc/CEP HTTP/1.1\r\n"));
	assert_non_null(strcasestr(s.request, "\r\nContent-Type: application/soap+xml; "
				   "charset=utf-8; action=\"http://schemas.microsoft.com/windows/pki/"
				   "2009/01/enrollmentpolicy/IPolicy/GetPolicies\"\r\n"));
	assert_null(strcasestr(s.request, "\r\nAuthorization:"));
	assert_non_null(strstr(s.request, "\r\n\r\n" REQ_BODY));
	talloc_free(r);
}

static void test_untrusted(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_https_opts o = { 0 };	/* the system store only: our CA is not in it */
	struct ae_https_response *r = NULL;
	struct srv s;
	char why[512] = "";
	ae_err err;

	srv_start(&s, SRV_ANSWER, ANSWER_OK, NULL);
	err = post(mem, url_of(mem, &s, "/x"), &o, &r, why, sizeof(why));
	srv_stop(&s);
	assert_int_equal(err, AE_ERR_UNTRUSTED);
	assert_null(r);
	assert_non_null(strstr(why, "https://127.0.0.1:"));
	assert_non_null(strstr(why, "does not verify"));
	assert_int_equal(s.connections, 1);
	assert_int_equal(s.received, 0);	/* no HTTP byte reached the server */
}

static void test_pinned_other_ca(void **state)
{
	TALLOC_CTX *mem = *state;
	/* extra_ca_file would trust the server; the pin (another CA) wins */
	struct ae_https_opts o = { .extra_ca_file = g_pki.ca_file,
				   .pinned_ca_file = g_pki.other_file };
	struct ae_https_opts pinned_right = { .pinned_ca_file = g_pki.ca_file };
	struct ae_https_response *r = NULL;
	struct srv s;
	char why[512] = "";
	ae_err err;

	srv_start(&s, SRV_ANSWER, ANSWER_OK, NULL);
	err = post(mem, url_of(mem, &s, "/x"), &o, &r, why, sizeof(why));
	assert_int_equal(err, AE_ERR_UNTRUSTED);
	assert_null(r);
	/* the right pin alone (no system store needed) is enough */
	err = post(mem, url_of(mem, &s, "/x"), &pinned_right, &r, why, sizeof(why));
	srv_stop(&s);
	assert_int_equal(err, AE_OK);
	assert_int_equal(r->status, 200);
	assert_int_equal(s.connections, 2);
	assert_int_equal(s.handshakes, 1);
	talloc_free(r);
}

static void test_wrong_host(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_https_opts o = { .extra_ca_file = g_pki.ca_file };
	struct ae_https_response *r = NULL;
	struct srv s;
	char why[512] = "";
	char *url;
	ae_err err;

	/* localhost is 127.0.0.1 (or ::1, refused, then 127.0.0.1); the certificate names
	 * cep.test and 127.0.0.1, not localhost */
	srv_start(&s, SRV_ANSWER, ANSWER_OK, NULL);
	url = talloc_asprintf(mem, "https://localhost:%u/x", s.port);
	err = post(mem, url, &o, &r, why, sizeof(why));
	srv_stop(&s);
	assert_int_equal(err, AE_ERR_UNTRUSTED);
	assert_null(r);
	assert_int_equal(s.connections, 1);
	assert_int_equal(s.received, 0);
}

static void test_redirect(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_https_opts o = { .extra_ca_file = g_pki.ca_file };
	struct ae_https_response *r = NULL;
	struct srv s;
	char why[512] = "";
	ae_err err;

	srv_start(&s, SRV_ANSWER, "HTTP/1.1 302 Found\r\nLocation: https://elsewhere.test/CEP\r\n"
		  "Content-Length: 0\r\n\r\n", NULL);
	err = post(mem, url_of(mem, &s, "/x"), &o, &r, why, sizeof(why));
	srv_stop(&s);
	assert_int_equal(err, AE_ERR_TRANSPORT);
	assert_null(r);
	assert_non_null(strstr(why, "https://elsewhere.test/CEP"));
	assert_non_null(strstr(why, "302"));
	assert_int_equal(s.connections, 1);	/* not followed */
}

static void test_too_large(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_https_opts o = { .extra_ca_file = g_pki.ca_file, .max_response = 16 };
	struct ae_https_response *r = NULL;
	struct srv s;
	char why[512] = "";
	ae_err err;

	/* announced by Content-Length */
	srv_start(&s, SRV_ANSWER, ANSWER_OK, NULL);
	err = post(mem, url_of(mem, &s, "/x"), &o, &r, why, sizeof(why));
	srv_stop(&s);
	assert_int_equal(err, AE_ERR_TOO_LARGE);
	assert_null(r);
	assert_non_null(strstr(why, "larger than 16 bytes"));
	/* not announced: the body runs to the end of the connection */
	srv_start(&s, SRV_ANSWER, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
		  "0123456789abcdef0123456789abcdef", NULL);
	err = post(mem, url_of(mem, &s, "/x"), &o, &r, why, sizeof(why));
	srv_stop(&s);
	assert_int_equal(err, AE_ERR_TOO_LARGE);
	assert_null(r);
	/* exactly the cap is fine */
	o.max_response = 32;
	srv_start(&s, SRV_ANSWER, "HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\n"
		  "0123456789abcdef0123456789abcdef", NULL);
	err = post(mem, url_of(mem, &s, "/x"), &o, &r, why, sizeof(why));
	srv_stop(&s);
	assert_int_equal(err, AE_OK);
	assert_int_equal(r->status, 500);	/* a SOAP fault's status: the caller's */
	assert_int_equal(r->body_len, 32);
	talloc_free(r);
}

static void test_silent_server(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_https_opts o = { .extra_ca_file = g_pki.ca_file, .connect_timeout_s = 1,
				   .total_timeout_s = 1 };
	struct ae_https_response *r = NULL;
	struct srv s;
	char why[512] = "";
	ae_err err;

	srv_start(&s, SRV_SILENT, NULL, NULL);
	err = post(mem, url_of(mem, &s, "/x"), &o, &r, why, sizeof(why));
	srv_stop(&s);
	assert_int_equal(err, AE_ERR_TRANSPORT);
	assert_null(r);
	assert_non_null(strstr(why, "https://127.0.0.1:"));
	assert_int_equal(s.connections, 1);
}

static void test_refused_connection(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_https_opts o = { .extra_ca_file = g_pki.ca_file };
	struct ae_https_response *r = NULL;
	struct srv s;
	char why[512] = "";
	char *url;
	ae_err err;

	srv_start(&s, SRV_ANSWER, ANSWER_OK, NULL);
	srv_stop(&s);	/* the port is closed now */
	url = url_of(mem, &s, "/x");
	err = post(mem, url, &o, &r, why, sizeof(why));
	assert_int_equal(err, AE_ERR_TRANSPORT);
	assert_non_null(strstr(why, url));
}

static void test_invalid(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_https_opts o = { 0 };
	struct ae_https_opts cert_no_key = { .auth = AE_HTTPS_AUTH_CERTIFICATE,
					     .client_cert = g_pki.cli };
	struct ae_https_opts key_no_auth = { .client_key = g_pki.cli_key,
					     .client_cert = g_pki.cli };
	struct ae_https_opts bad_action = { .soap_action = "a\"b" };
	struct ae_https_opts missing_ca = { .extra_ca_file = "/nonexistent/ca.pem" };
	struct ae_https_response *r = NULL;
	char why[512] = "";

	assert_int_equal(post(mem, "http://127.0.0.1:1/CEP", &o, &r, why, sizeof(why)),
			 AE_ERR_INVALID);
	assert_non_null(strstr(why, "http://127.0.0.1:1/CEP"));
	assert_int_equal(post(mem, "ftp://127.0.0.1/CEP", &o, &r, why, sizeof(why)),
			 AE_ERR_INVALID);
	assert_int_equal(post(mem, "https://user:pw@127.0.0.1/CEP", &o, &r, why, sizeof(why)),
			 AE_ERR_INVALID);
	assert_int_equal(post(mem, "https://127.0.0.1/a b", &o, &r, why, sizeof(why)),
			 AE_ERR_INVALID);
	assert_int_equal(post(mem, "https://127.0.0.1/CEP", &cert_no_key, &r, why, sizeof(why)),
			 AE_ERR_INVALID);
	assert_int_equal(post(mem, "https://127.0.0.1/CEP", &key_no_auth, &r, why, sizeof(why)),
			 AE_ERR_INVALID);
	assert_int_equal(post(mem, "https://127.0.0.1/CEP", &bad_action, &r, why, sizeof(why)),
			 AE_ERR_INVALID);
	assert_int_equal(post(mem, "https://127.0.0.1/CEP", &missing_ca, &r, why, sizeof(why)),
			 AE_ERR_INVALID);
	assert_non_null(strstr(why, "/nonexistent/ca.pem"));
	assert_int_equal(post(mem, "https://127.0.0.1/CEP", NULL, &r, why, sizeof(why)),
			 AE_ERR_INVALID);
	assert_null(r);
}

static void test_status_401_403(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_https_opts o = { .extra_ca_file = g_pki.ca_file };
	struct ae_https_response *r = NULL;
	struct srv s;
	char why[512] = "";

	srv_start(&s, SRV_ANSWER, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\n"
		  "Content-Length: 0\r\n\r\n", NULL);
	assert_int_equal(post(mem, url_of(mem, &s, "/x"), &o, &r, why, sizeof(why)),
			 AE_ERR_CREDENTIALS);
	srv_stop(&s);
	assert_non_null(strstr(why, "401"));
	srv_start(&s, SRV_ANSWER, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", NULL);
	assert_int_equal(post(mem, url_of(mem, &s, "/x"), &o, &r, why, sizeof(why)),
			 AE_ERR_CREDENTIALS);
	srv_stop(&s);
	assert_non_null(strstr(why, "403"));
	assert_null(r);
}

static void test_client_certificate(void **state)
{
	TALLOC_CTX *mem = *state;
	STACK_OF(X509) *chain = sk_X509_new_null();
	struct ae_https_opts o = { .auth = AE_HTTPS_AUTH_CERTIFICATE, .extra_ca_file = g_pki.ca_file,
				   .client_key = g_pki.cli_key, .client_cert = g_pki.cli,
				   .client_chain = chain };
	struct ae_https_opts none = { .extra_ca_file = g_pki.ca_file };
	struct ae_https_opts wrong_key = o;
	struct ae_https_response *r = NULL;
	struct srv s;
	char why[512] = "";
	ae_err err;

	assert_non_null(chain);
	assert_int_equal(sk_X509_push(chain, g_pki.cca), 1);
	srv_start(&s, SRV_ANSWER, ANSWER_OK, g_pki.cca);
	err = post(mem, url_of(mem, &s, "/x"), &o, &r, why, sizeof(why));
	assert_int_equal(err, AE_OK);
	assert_int_equal(r->status, 200);
	assert_string_equal(s.client_subject, "/CN=client-test");
	talloc_free(r);
	/* without one, the server's handshake refuses us: a transport failure */
	err = post(mem, url_of(mem, &s, "/x"), &none, &r, why, sizeof(why));
	assert_int_equal(err, AE_ERR_TRANSPORT);
	/* a key that is not the certificate's: refused before the handshake ends */
	wrong_key.client_key = g_pki.srv_key;
	err = post(mem, url_of(mem, &s, "/x"), &wrong_key, &r, why, sizeof(why));
	assert_int_equal(err, AE_ERR_CREDENTIALS);
	assert_non_null(strstr(why, "client key"));
	srv_stop(&s);
	assert_int_equal(s.handshakes, 1);
	sk_X509_free(chain);
}

static void test_kerberos_no_ticket(void **state)
{
	TALLOC_CTX *mem = *state;
	char ccache[160];
	struct ae_https_opts o = { .auth = AE_HTTPS_AUTH_KERBEROS, .ccache = ccache,
				   .extra_ca_file = g_pki.ca_file };
	struct ae_https_response *r = NULL;
	struct srv s;
	char why[512] = "";
	ae_err err;

	snprintf(ccache, sizeof(ccache), "FILE:%s/no-such-ccache", g_pki.dir);
	srv_start(&s, SRV_ANSWER, ANSWER_OK, NULL);
	err = post(mem, url_of(mem, &s, "/x"), &o, &r, why, sizeof(why));
	srv_stop(&s);
	assert_int_equal(err, AE_ERR_CREDENTIALS);
	assert_null(r);
	assert_non_null(strstr(why, ccache));
	assert_int_equal(s.received, 0);
}

/* two exchanges at once on one event loop: the tevent_req pair */
struct two {
	int done;
};

static void two_done(struct tevent_req *req)
{
	struct two *t = tevent_req_callback_data_void(req);

	t->done++;
}

static void test_async_two(void **state)
{
	TALLOC_CTX *mem = *state;
	struct tevent_context *ev = tevent_context_init(mem);
	struct ae_https_opts o = { .extra_ca_file = g_pki.ca_file };
	struct ae_https_response *r1 = NULL;
	struct ae_https_response *r2 = NULL;
	struct tevent_req *a;
	struct tevent_req *b;
	struct two t = { 0 };
	struct srv s;
	char why[512] = "";

	TALLOC_CTX *tmp = talloc_new(mem);
	char *body = talloc_strdup(tmp, "b");

	srv_start(&s, SRV_ANSWER, ANSWER_OK, NULL);
	a = ae_https_post_send(mem, ev, url_of(mem, &s, "/a"), &o, (const uint8_t *)"a", 1);
	/* the caller's URL, options and body may go once _send returned */
	o.extra_ca_file = talloc_strdup(tmp, g_pki.ca_file);
	o.soap_action = talloc_strdup(tmp, "urn:b");
	b = ae_https_post_send(mem, ev, url_of(tmp, &s, "/b"), &o, (const uint8_t *)body, 1);
	talloc_free(tmp);
	assert_non_null(a);
	assert_non_null(b);
	tevent_req_set_callback(a, two_done, &t);
	tevent_req_set_callback(b, two_done, &t);
	while (t.done < 2) {
		assert_int_equal(tevent_loop_once(ev), 0);
	}
	assert_int_equal(ae_https_post_recv(a, mem, &r1, why, sizeof(why)), AE_OK);
	assert_int_equal(ae_https_post_recv(b, mem, &r2, why, sizeof(why)), AE_OK);
	srv_stop(&s);
	assert_int_equal(r1->status, 200);
	assert_int_equal(r2->status, 200);
	assert_int_equal(s.connections, 2);
	talloc_free(a);
	talloc_free(b);
	talloc_free(r1);
	talloc_free(r2);
	talloc_free(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_post_verified, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_untrusted, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_pinned_other_ca, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_wrong_host, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_redirect, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_too_large, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_silent_server, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_refused_connection, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_invalid, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_status_401_403, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_client_certificate, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_kerberos_no_ticket, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_async_two, leak_setup, leak_teardown),
	};
	int rc;

	signal(SIGPIPE, SIG_IGN);	/* the server thread writes to clients that left */
	if (getenv("TEST_FILTER") != NULL) {
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	}
	if (getenv("TEST_DEBUG") != NULL) {
		ae_log_set_level(10);
	}
	talloc_enable_null_tracking();
	/* no proxy from the environment may matter (CURLOPT_NOPROXY "*") */
	setenv("https_proxy", "http://127.0.0.1:9", 1);
	setenv("HTTPS_PROXY", "http://127.0.0.1:9", 1);
	rc = cmocka_run_group_tests(tests, pki_setup, pki_teardown);
	talloc_disable_null_tracking();
	return rc;
}
