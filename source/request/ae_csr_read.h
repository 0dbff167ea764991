/*
 * ae_csr_read.h: reading a PKCS#10 request made by someone else (RFC 2986),
 * e.g. certmonger's CERTMONGER_CSR: the request is checked and its public
 * key and Microsoft template extensions read BEFORE anything is sent to a
 * CA. The key's private half is never seen.
 */
#ifndef AE_CSR_READ_H
#define AE_CSR_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_key.h"

/* Largest request accepted, DER or PEM (a PKCS#10 of an RSA-16384 key is far below). */
#define AE_CSR_READ_MAX (64 * 1024)

struct ae_csr_info {
	struct ae_key *key;		/* the public key only (RSA or EC) */
	uint8_t spki_sha256[32];	/* SHA-256 of the DER SubjectPublicKeyInfo */
	char *template_name;		/* szOID_ENROLL_CERTTYPE_EXTENSION (v1 name) or NULL */
	char *template_oid;		/* szOID_CERTIFICATE_TEMPLATE's OID (v2+) or NULL */
};

/*
 * One DER CertificationRequest: at most AE_CSR_READ_MAX bytes
 * (AE_ERR_TOO_LARGE), nothing after it (AE_ERR_TRAILING), the signature
 * must verify with the request's own key (RFC 2986 section 3: proof of
 * possession; else AE_ERR_PARSE), the key RSA or EC (AE_ERR_UNSUPPORTED),
 * each template extension (MS-WCCE 2.2.2.7.7) at most once and decodable
 * (AE_ERR_PARSE). *_out (on mem) is set only on success.
 */
ae_err ae_csr_parse(TALLOC_CTX *mem, const uint8_t *p, size_t len, struct ae_csr_info **_out);

/*
 * One PEM block "CERTIFICATE REQUEST" (or "NEW CERTIFICATE REQUEST") to its
 * DER bytes: leading and trailing whitespace only, no NUL byte, at most
 * AE_CSR_READ_MAX bytes (AE_ERR_TOO_LARGE), no PEM headers; anything else
 * AE_ERR_PARSE / AE_ERR_TRAILING. The DER is not parsed here.
 */
ae_err ae_csr_pem_to_der(TALLOC_CTX *mem, const uint8_t *p, size_t len, uint8_t **_der,
			 size_t *_len);

#endif
