/*
 * ae_https.h: one SOAP-over-HTTPS exchange with a policy server (MS-XCEP)
 * or an enrollment web service (MS-WSTEP), through libcurl (Debian's
 * libcurl with OpenSSL: a maintained HTTP/1.1 and TLS stack; the TLS
 * session is OpenSSL's, so the server certificate for the channel binding
 * and the client key come from the same library as the rest of the tool).
 *
 * Rules, whatever the caller asks:
 *  - https:// only; the server certificate is always verified (chain and
 *    host name): the system's trust store plus extra_ca_file / extra_ca_dir
 *    (the AD roots this tool exports), or only pinned_ca_file when set;
 *  - no redirects followed (a 3xx is an error naming the Location's host);
 *    no proxy from the environment; no cookies; no netrc;
 *  - bounded: connect timeout, total timeout, response size cap (the body
 *    read stops at max_response bytes and the exchange fails);
 *  - authentication:
 *      NONE        nothing at the HTTP layer (MS-WSTEP UsernameToken is in
 *                  the SOAP body, the caller's);
 *      KERBEROS    HTTP Negotiate (SPNEGO, RFC 4559) with the credentials of
 *                  the ccache (NULL: KRB5CCNAME / the default), target
 *                  HTTP@<host of the URL>, WITH TLS channel bindings
 *                  (RFC 5929 tls-server-end-point of the certificate this
 *                  connection verified), so services with Extended
 *                  Protection accept us; mutual authentication checked
 *                  when the server sends its token;
 *      CERTIFICATE TLS client authentication with client_key/client_cert
 *                  (e.g. the current certificate for key-based renewal).
 *  - nothing secret is logged; the body is not logged above debug level 10.
 *
 * Errors keep the layers apart (why names the URL and the cause):
 *   AE_ERR_TRANSPORT   name resolution, connect, TLS handshake, timeout,
 *                      connection reset: the caller may fail over;
 *   AE_ERR_UNTRUSTED   the server certificate does not verify (nothing
 *                      was sent);
 *   AE_ERR_CREDENTIALS no ticket / GSS failure before sending, or HTTP 401
 *                      after our Negotiate token, or 403;
 *   AE_ERR_TOO_LARGE   the response above max_response;
 *   AE_ERR_INVALID     a URL that is not https://, options contradicting
 *                      each other;
 *   AE_OK              any other HTTP status: the caller reads status and
 *                      body (a SOAP fault comes with 500).
 */
#ifndef AE_HTTPS_H
#define AE_HTTPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include <tevent.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "ae_error.h"

#define AE_HTTPS_RESPONSE_MAX_DEFAULT	(4u * 1024u * 1024u)
#define AE_HTTPS_CONNECT_TIMEOUT_DEFAULT 15u	/* seconds */
#define AE_HTTPS_TOTAL_TIMEOUT_DEFAULT	120u	/* seconds; unset: 4 x autoenroll:network timeout */

enum ae_https_auth {
	AE_HTTPS_AUTH_NONE = 0,
	AE_HTTPS_AUTH_KERBEROS,
	AE_HTTPS_AUTH_CERTIFICATE,
};

struct ae_https_opts {
	enum ae_https_auth auth;
	const char *ccache;		/* KERBEROS: "FILE:/..."; NULL: KRB5CCNAME or default */
	EVP_PKEY *client_key;		/* CERTIFICATE: not owned */
	X509 *client_cert;		/* CERTIFICATE: not owned */
	STACK_OF(X509) *client_chain;	/* CERTIFICATE: intermediates to send, or NULL */
	const char *extra_ca_file;	/* PEM bundle trusted besides the system's, or NULL */
	const char *extra_ca_dir;	/* OpenSSL hashed directory, or NULL */
	const char *pinned_ca_file;	/* set: ONLY these anchors (no system trust) */
	unsigned connect_timeout_s;	/* 0: default */
	unsigned total_timeout_s;	/* 0: default */
	size_t max_response;		/* 0: AE_HTTPS_RESPONSE_MAX_DEFAULT */
	const char *soap_action;	/* SOAP 1.2: the action parameter of Content-Type, or NULL */
};

struct ae_https_response {
	long status;			/* HTTP status code */
	char *content_type;		/* or NULL */
	uint8_t *body;			/* NUL-terminated for convenience; body_len without it */
	size_t body_len;
	bool channel_bound;		/* KERBEROS: bindings were sent */
	bool mutual_auth;		/* KERBEROS: the server's final token was verified */
	char *server_cert_subject;	/* for messages */
};

/*
 * POST body (content type application/soap+xml; charset=utf-8, with the
 * action when o->soap_action is set) to url. *_resp on mem, set only on
 * AE_OK. why (may be NULL) gets the cause of a failure.
 */
struct tevent_req *ae_https_post_send(TALLOC_CTX *mem, struct tevent_context *ev,
				      const char *url, const struct ae_https_opts *o,
				      const uint8_t *body, size_t body_len);
ae_err ae_https_post_recv(struct tevent_req *req, TALLOC_CTX *mem,
			  struct ae_https_response **_resp, char *why, size_t why_len);

/* The same, synchronously (runs ev until done). */
ae_err ae_https_post(TALLOC_CTX *mem, struct tevent_context *ev, const char *url,
		     const struct ae_https_opts *o, const uint8_t *body, size_t body_len,
		     struct ae_https_response **_resp, char *why, size_t why_len);

#endif
