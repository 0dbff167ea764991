/*
 * ae_https_priv.h: the parts of the HTTPS transport that its own files and
 * the unit tests share (not for other layers: use ae_https.h).
 */
#ifndef AE_HTTPS_PRIV_H
#define AE_HTTPS_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <curl/curl.h>
#include <openssl/ssl.h>
#include <talloc.h>
#include <tevent.h>
#include "ae_https.h"

/* ---- ae_https_loop.c: curl multi driven by tevent ---- */

struct ae_curl_loop;

/* Called once per finished transfer, from a tevent handler (not from curl). */
typedef void (*ae_curl_done_fn)(void *priv, CURL *easy, CURLcode rc);

struct ae_curl_loop *ae_curl_loop_new(TALLOC_CTX *mem, struct tevent_context *ev,
				      ae_curl_done_fn done, void *priv);
ae_err ae_curl_loop_add(struct ae_curl_loop *loop, CURL *easy);
void ae_curl_loop_remove(struct ae_curl_loop *loop, CURL *easy);

/* ---- ae_https_tls.c: what we do to curl's OpenSSL objects ---- */

/* What the SSL_CTX callback adds to curl's context (pointers not owned). */
struct ae_https_tls {
	const char *extra_ca_file;	/* loaded into the store (not when pinned) */
	const char *extra_ca_dir;
	EVP_PKEY *client_key;		/* with client_cert: TLS client authentication */
	X509 *client_cert;
	STACK_OF(X509) *client_chain;
	char why[256];			/* the failure of the callback, if any */
	bool failed;
};

/* CURLOPT_SSL_CTX_FUNCTION; userptr: struct ae_https_tls */
CURLcode ae_https_tls_ctx_cb(CURL *easy, void *ssl_ctx, void *userptr);

/* The verified server certificate of the connection easy uses now (up-ref'd), or NULL. */
X509 *ae_https_peer_cert(CURL *easy);

/* "CN=...,O=..." (RFC 2253) on mem, or NULL. */
char *ae_https_cert_subject(TALLOC_CTX *mem, X509 *cert);

/*
 * RFC 5929 §4.1, tls-server-end-point: the hash the channel binding uses
 * for this certificate: SHA-256 when its signature algorithm's hash is MD5
 * or SHA-1, else that hash. NULL (why set) when the signature has no
 * single hash (e.g. Ed25519: RFC 5929 leaves it undefined).
 */
const EVP_MD *ae_https_cb_md(X509 *cert, char *why, size_t why_len);

#define AE_HTTPS_CB_PREFIX "tls-server-end-point:"
#define AE_HTTPS_CB_MAX (sizeof(AE_HTTPS_CB_PREFIX) - 1 + EVP_MAX_MD_SIZE)

/*
 * The channel bindings' application data of cert: "tls-server-end-point:"
 * || hash(DER of cert). *_data (talloc, on mem) and *_len set only on AE_OK;
 * AE_ERR_UNSUPPORTED when ae_https_cb_md has no hash, AE_ERR_CRYPTO.
 */
ae_err ae_https_cb_data(TALLOC_CTX *mem, X509 *cert, uint8_t **_data, size_t *_len,
			char *why, size_t why_len);

/* ---- ae_spnego_hdr.c: WWW-Authenticate (RFC 7235 §4.1, RFC 4559 §4) ---- */

#define AE_NEGOTIATE_HDR_MAX	(16u * 1024u)	/* one header value */
#define AE_NEGOTIATE_B64_MAX	(12u * 1024u)	/* its base64 token */

struct ae_negotiate_hdr {
	bool negotiate;		/* a Negotiate challenge is offered */
	uint8_t *token;		/* its decoded token, or NULL (no token) */
	size_t token_len;
};

/*
 * Parse one WWW-Authenticate field value (p, len: no "WWW-Authenticate:",
 * no line end): a comma-separated list of challenges, each
 * `scheme [ 1*SP ( token68 / #auth-param ) ]`. Negotiate's token68 is
 * standard base64 with its padding, decoded. len above
 * AE_NEGOTIATE_HDR_MAX or a token above AE_NEGOTIATE_B64_MAX:
 * AE_ERR_TOO_LARGE; malformed, a control byte, a Negotiate challenge
 * twice or Negotiate with auth-params: AE_ERR_PARSE. An empty value is
 * refused. *_h on mem, set only on AE_OK.
 */
ae_err ae_negotiate_hdr_parse(TALLOC_CTX *mem, const uint8_t *p, size_t len,
			      struct ae_negotiate_hdr **_h);

/* "Negotiate <base64 of token>" on mem (NULL: no memory). */
char *ae_negotiate_hdr_value(TALLOC_CTX *mem, const uint8_t *token, size_t len);

#endif
