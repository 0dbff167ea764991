/*
 * ae_renewal.h: the Windows renewal request, "CMS and PKCS #10" format
 * (MS-WCCE 3.1.1.4.3.2.1, the v1-template renewal), used here for every
 * template version:
 *
 *   ContentInfo { id-signedData, SignedData {
 *     version 1, digestAlgorithms { sha256 (or the template's hash) },
 *     encapContentInfo { id-data, eContent = the new PKCS#10 (DER) },
 *     certificates { the certificate being renewed },
 *     signerInfos { one SignerInfo: issuerAndSerialNumber of that
 *                   certificate, sha256, signed by its (old) key,
 *                   no signed attributes } } }
 *
 * The PKCS#10 is signed by the new key and carries the attribute
 * szOID_RENEWAL_CERTIFICATE (1.3.6.1.4.1.311.13.1) = the old certificate.
 *
 * No signed attributes: MS-WCCE 3.1.1.4.3.2.1 asks for none, and the spec's
 * own renewal example (MS-WSTEP 4.1.5.1) has none, so the
 * signature is over the PKCS#10 bytes themselves, as Windows sends it.
 */
#ifndef AE_RENEWAL_H
#define AE_RENEWAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_csr.h"
#include "ae_error.h"
#include "ae_key.h"
#include "ae_x509.h"

#define AE_RENEWAL_DER_MAX (512 * 1024)	/* the whole CMS */
#define AE_RENEWAL_CSR_MAX (256 * 1024)	/* the PKCS#10 inside it */
#define AE_RENEWAL_CERTS_MAX 16		/* certificates in the CMS */

/*
 * Build a renewal request: the PKCS#10 of ae_csr_build(new_key, p) with
 * p->renewal_cert_der / _len replaced by old_cert's DER (whatever p holds
 * there is ignored), wrapped as above and signed with old_key, with the
 * digest of p->hash (SHA-256 by default; the template's msPKI-Hash-Algorithm).
 * old_key must be old_cert's key (else AE_ERR_MISMATCH, nothing built).
 * The new key should differ from the old one; that is the caller's policy
 * and not checked. Errors of ae_csr_build(); AE_ERR_INVALID for NULL
 * arguments; AE_ERR_CRYPTO (logged) when OpenSSL fails. *_der / *_len
 * (DER on mem_ctx) are set only on success.
 */
ae_err ae_renewal_build(TALLOC_CTX *mem_ctx, const struct ae_key *new_key,
			const struct ae_csr_params *p, const struct ae_cert *old_cert,
			const struct ae_key *old_key, uint8_t **_der, size_t *_len);

struct ae_renewal {
	uint8_t *csr_der;		/* the inner PKCS#10, exactly as signed */
	size_t csr_len;
	struct ae_cert *signer;		/* the certificate that identifies the SignerInfo */
	bool signature_ok;		/* the CMS signature verifies with signer's key */
	bool csr_signature_ok;		/* the PKCS#10 verifies with its own public key */
	uint8_t *renewal_cert_der;	/* attribute 1.3.6.1.4.1.311.13.1, byte-equal to */
	size_t renewal_cert_len;	/* signer's DER (checked) */
};

/*
 * Parse a renewal request of the form above (the CA side). Accepted: a DER
 * (or BER, as OpenSSL reads it) ContentInfo of 1..AE_RENEWAL_DER_MAX bytes
 * ending exactly at p + len (else AE_ERR_TOO_LARGE / AE_ERR_TRAILING),
 * id-signedData with eContentType id-data and the content present,
 * exactly one SignerInfo (in either identifier form; with or without
 * signed attributes; MS-WCCE only names "the first", but Windows and
 * ae_renewal_build send one, and a second would go unverified here), at most AE_RENEWAL_CERTS_MAX certificates, a content
 * of at most AE_RENEWAL_CSR_MAX bytes that is exactly one PKCS#10, and in
 * it exactly one renewal-certificate attribute with one value.
 *
 * The signer's certificate must be among the certificates
 * (else AE_ERR_NOT_FOUND). The renewal-certificate attribute must be
 * byte-equal to the signer's certificate (else AE_ERR_MISMATCH: a request
 * signed by one certificate cannot renew another). Anything else malformed
 * -> AE_ERR_PARSE. Signatures do not fail the parse: signature_ok and
 * csr_signature_ok report them (the CA gives its own verdict). Nothing
 * here checks the signer's validity period, chain or revocation.
 * *_r (one talloc tree on mem_ctx) is set only on success.
 */
ae_err ae_renewal_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			struct ae_renewal **_r);

#endif
