/*
 * ndr_icpr.h: NDR (de)serialisation of MS-ICPR CertServerRequest (opnum 0),
 * written on libndr's public primitives (no pidl). idl/icpr.idl is the
 * source of truth for the layout.
 *
 * Both directions of both halves are here: the client pushes the request
 * and pulls the response; the test CA (tests/ca) pulls the request and
 * pushes the response.
 *
 * Parsers follow the project's one shape: pointer + length in, ae_err out,
 * outputs set only on success, every length capped, trailing bytes refused
 * (up to 7 zero bytes of stub alignment padding excepted).
 */
#ifndef AE_NDR_ICPR_H
#define AE_NDR_ICPR_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

#define ICPR_OPNUM_CERT_SERVER_REQUEST 0
/* Caps on what we accept from the wire. */
#define ICPR_BLOB_MAX		(4u * 1024u * 1024u)	/* any CERTTRANSBLOB */
#define ICPR_AUTHORITY_MAX	1024u			/* UTF-16 units incl. NUL */

/* CERTTRANSBLOB: pb == NULL is the null pointer (cb must then be 0). */
struct icpr_blob {
	uint32_t cb;
	uint8_t *pb;
};

/* The [in] half. */
struct icpr_request {
	uint32_t flags;		/* dwFlags */
	const char *authority;	/* pwszAuthority as UTF-8; NULL = null pointer */
	uint32_t request_id;	/* *pdwRequestId: 0 = new request */
	struct icpr_blob attribs;	/* UTF-16LE incl. NUL, or null */
	struct icpr_blob request;	/* DER request, or null (retrieve) */
};

/* The [out] half. */
struct icpr_response {
	uint32_t request_id;		/* *pdwRequestId */
	uint32_t disposition;		/* *pdwDisposition: 3, 5 or an HRESULT */
	struct icpr_blob cert;		/* pctbCert: PKCS#7 certs-only chain */
	struct icpr_blob encoded_cert;	/* pctbEncodedCert: DER leaf */
	struct icpr_blob message;	/* pctbDispositionMessage: UTF-16LE */
	uint32_t status;		/* the method's DWORD return value */
};

ae_err icpr_request_push(TALLOC_CTX *mem_ctx, const struct icpr_request *r,
			 uint8_t **_out, size_t *_len);
ae_err icpr_request_pull(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			 struct icpr_request **_r);
ae_err icpr_response_push(TALLOC_CTX *mem_ctx, const struct icpr_response *r,
			  uint8_t **_out, size_t *_len);
ae_err icpr_response_pull(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			  struct icpr_response **_r);

/*
 * Build the pctbAttribs blob from "Name:Value" lines joined by '\n' (UTF-8):
 * UTF-16LE with its terminating NUL counted in cb (MS-ICPR 3.2.4.1.1).
 */
ae_err icpr_attribs_blob(TALLOC_CTX *mem_ctx, const char *lines, struct icpr_blob *_blob);

#endif
