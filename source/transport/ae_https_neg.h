/*
 * ae_https_neg.h: HTTP Negotiate (RFC 4559) for one ae_https exchange:
 * the Authorization line of each leg (with the channel binding of the
 * connection's certificate, RFC 5929 tls-server-end-point) and the reading
 * of the server's WWW-Authenticate answer (continuation or mutual
 * authentication). Private to the HTTPS transport.
 */
#ifndef AE_HTTPS_NEG_H
#define AE_HTTPS_NEG_H

#include <stdbool.h>
#include <curl/curl.h>
#include <openssl/x509.h>
#include <talloc.h>
#include "ae_error.h"

struct ae_https_neg;

/* Kerberos credentials of ccache (NULL: default) for HTTP@host; url for messages. */
ae_err ae_https_neg_new(TALLOC_CTX *mem, const char *ccache, const char *host, const char *url,
			struct ae_https_neg **_n, char *why, size_t why_len);

/*
 * The next "Authorization: Negotiate <token>" line (malloc'd: it goes into
 * curl's header list), bound to peer, the verified certificate of the
 * connection about to carry it. AE_ERR_CREDENTIALS on a GSS failure,
 * AE_ERR_UNSUPPORTED when the certificate has no tls-server-end-point.
 */
ae_err ae_https_neg_header(struct ae_https_neg *n, X509 *peer, char **_line, char *why,
			   size_t why_len);

/*
 * The answer of a leg (status, its WWW-Authenticate fields read from easy):
 * a 401 with a continuation token while we are not done: *again; a 401
 * otherwise: AE_ERR_CREDENTIALS naming the principal and the URL; another
 * status with a token: mutual authentication, AE_ERR_CREDENTIALS when it
 * fails. A malformed WWW-Authenticate: AE_ERR_CREDENTIALS too.
 */
ae_err ae_https_neg_answer(struct ae_https_neg *n, CURL *easy, long status, bool *again,
			   char *why, size_t why_len);

bool ae_https_neg_bound(const struct ae_https_neg *n);
bool ae_https_neg_mutual(const struct ae_https_neg *n);

#endif
