/*
 * ae_fetch.h: fetch a small document (a CRL, a CA certificate) named by a
 * URL from a certificate: file:// and http:// only.
 *
 * http:// is a bounded HTTP/1.0 GET over a plain TCP socket to the URL's
 * host: one request, "Connection: close", the answer read to the end of
 * the connection within one deadline, redirects refused, no proxy, no
 * TLS. Name resolution (getaddrinfo) is outside the deadline. Synchronous,
 * like the CLDAP ping: the caller runs it between its other steps.
 * ldap:// is not fetched here: the engine reads certificateRevocationList /
 * cACertificate over its sealed directory connection.
 *
 * URLs come from certificates and are untrusted: they are parsed strictly
 * (printable ASCII, no user info, no spaces, so nothing can be injected
 * into the request).
 */
#ifndef AE_FETCH_H
#define AE_FETCH_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

#define AE_URL_MAX 2048				/* bytes in a URL */
#define AE_FETCH_MAX (64 * 1024 * 1024)		/* largest max_len */
#define AE_FETCH_TIMEOUT_MS_MAX (10 * 60 * 1000)	/* largest timeout_ms */
#define AE_HTTP_HEADER_MAX (16 * 1024)		/* status line + headers */
#define AE_HTTP_HEADER_LINES_MAX 100
#define AE_HTTP_RESPONSE_MAX (AE_HTTP_HEADER_MAX + AE_FETCH_MAX)

enum ae_url_scheme { AE_URL_FILE, AE_URL_HTTP };

struct ae_url {
	enum ae_url_scheme scheme;
	char *host;		/* http: name or address (IPv6 without brackets); file: "" */
	char *authority;	/* http: host[:port] as written (the Host header); file: "" */
	uint16_t port;		/* http: default 80; file: 0 */
	char *path;		/* http: "/..." as sent, query kept, fragment dropped;
				 * file: the absolute path, percent-decoded */
};

/*
 * Split url (NUL-terminated, 1..AE_URL_MAX bytes (else AE_ERR_TOO_LARGE),
 * printable ASCII without spaces) into *_u on mem_ctx. Schemes are
 * case-insensitive.
 *  - "http://host[:port][/path][?query][#fragment]": host a DNS name,
 *    IPv4 address or [IPv6]; port 1..65535; no "user@".
 *  - "file:///abs/path" or "file://localhost/abs/path": %XX decoded; a
 *    decoded NUL, '?' or '#' -> AE_ERR_PARSE; another host ->
 *    AE_ERR_UNSUPPORTED.
 * ldap://, ldaps://, https:// and other schemes -> AE_ERR_UNSUPPORTED;
 * anything malformed -> AE_ERR_PARSE; NULL -> AE_ERR_INVALID.
 * *_u is set only on success.
 */
ae_err ae_url_parse(TALLOC_CTX *mem_ctx, const char *url, struct ae_url **_u);

struct ae_http_response {
	unsigned status;	/* 100..999 */
	char *location;		/* the Location header, or NULL */
	uint8_t *body;		/* body_len bytes (+ a NUL not counted); never NULL */
	size_t body_len;
};

/*
 * Parse a complete HTTP/1.x response (everything the server sent before
 * closing): status line, headers (lines end in CRLF or LF; at most
 * AE_HTTP_HEADER_LINES_MAX lines and AE_HTTP_HEADER_MAX bytes up to the
 * empty line), body. At most AE_HTTP_RESPONSE_MAX bytes (else
 * AE_ERR_TOO_LARGE). With Content-Length the body must have exactly that
 * many bytes (fewer -> AE_ERR_PARSE, more -> AE_ERR_TRAILING); without it
 * the body runs to the end. Transfer-Encoding -> AE_ERR_UNSUPPORTED;
 * NUL bytes in the head, folded or malformed lines, conflicting
 * Content-Length -> AE_ERR_PARSE. *_r on mem_ctx, set only on success.
 */
ae_err ae_http_response_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			      struct ae_http_response **_r);

/*
 * Fetch url's content onto mem_ctx (*_data gets a NUL after *_len bytes).
 * max_len: 1..AE_FETCH_MAX, the largest content accepted (else
 * AE_ERR_TOO_LARGE); timeout_ms: 1..AE_FETCH_TIMEOUT_MS_MAX for connect,
 * send and receive together. Errors:
 *  - AE_ERR_INVALID: arguments; AE_ERR_PARSE: malformed URL;
 *  - AE_ERR_UNSUPPORTED: ldap:// (fetch it over the directory
 *    connection), ldaps://, https://, other schemes;
 *  - file: those of ae_file_read_at (AE_ERR_NOT_FOUND, AE_ERR_TOO_LARGE,
 *    AE_ERR_IO; AE_ERR_INVALID for a path that is not a regular file: a
 *    FIFO, a device or a directory is refused without being opened);
 *  - http: AE_ERR_TRANSPORT (name not resolved, connect/send/receive
 *    failure, timeout, a redirect (refused), any status but 200, 404 and
 *    410), AE_ERR_NOT_FOUND (404, 410), AE_ERR_TOO_LARGE, the errors of
 *    ae_http_response_parse.
 * Each failure is logged (warning) naming the URL. Outputs only on success.
 */
ae_err ae_fetch_url(TALLOC_CTX *mem_ctx, const char *url, size_t max_len,
		    unsigned timeout_ms, uint8_t **_data, size_t *_len);

#endif
