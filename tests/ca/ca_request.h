/*
 * ca_request.h: what the CA reads from one CertServerRequest's [in] blobs:
 * the attribute lines (pctbAttribs) and the PKCS#10 (pctbRequest).
 */
#ifndef CA_REQUEST_H
#define CA_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include <openssl/x509.h>
#include "ae_error.h"

#define CA_ATTRIBS_MAX		(64u * 1024u)	/* pctbAttribs bytes */
#define CA_ATTRIB_LINES_MAX	256u
#define CA_CSR_MAX		(64u * 1024u)	/* pctbRequest bytes */

/* The attribute lines the CA uses. */
struct ca_attribs {
	const char *template_name;	/* "CertificateTemplate:" value, or NULL */
	bool template_conflict;		/* two CertificateTemplate lines disagree */
	size_t num_lines;		/* Name:Value lines seen */
};

/*
 * pctbAttribs: UTF-16LE whose cb counts the terminating NUL (MS-ICPR
 * 3.2.4.1.1); len 0 means no attributes. "Name:Value" lines separated by
 * '\n' ('\r' tolerated); blanks and '-' are dropped from names, values are
 * trimmed; names compare case-insensitively; lines without ':' are ignored.
 * Odd length, missing final NUL, an interior NUL or invalid UTF-16 ->
 * AE_ERR_PARSE; over CA_ATTRIBS_MAX / CA_ATTRIB_LINES_MAX -> AE_ERR_TOO_LARGE.
 */
ae_err ca_attribs_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			struct ca_attribs **_a);

/* A decoded PKCS#10 request. OpenSSL objects are freed with the struct. */
struct ca_csr {
	X509_REQ *req;
	STACK_OF(X509_EXTENSION) *exts;	/* requested extensions (may be NULL) */
	EVP_PKEY *pub;			/* owned by req */
	int key_bits;
	bool has_template_ext;		/* 1.3.6.1.4.1.311.21.7 */
	char *template_oid;
	uint32_t template_major;
	uint32_t template_minor;
	char *template_name;		/* 1.3.6.1.4.1.311.20.2, or NULL */
	uint8_t *der;			/* the request as received */
	size_t der_len;
};

/*
 * Decode and check a DER PKCS#10 of len bytes (<= CA_CSR_MAX):
 * AE_ERR_PARSE / AE_ERR_TRAILING / AE_ERR_TOO_LARGE when malformed (also a
 * malformed or duplicated template extension), AE_ERR_MISMATCH when the
 * self-signature does not verify. *_csr set on success only.
 */
ae_err ca_csr_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len, struct ca_csr **_csr);

/* The requested extension with this dotted OID, or NULL. */
X509_EXTENSION *ca_csr_find_ext(const struct ca_csr *csr, const char *oid);

#endif
