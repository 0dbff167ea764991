/*
 * ca_cms.h: a request in the "CMS with PKCS #10" format (MS-WCCE
 * 3.2.1.4.2.1.4.1.2 new, 3.2.1.4.2.1.4.2.1 renewal): ContentInfo {
 * id-signedData, SignedData { encapContentInfo { id-data, PKCS#10 },
 * certificates, signerInfos } }.
 *
 * The parser decodes and records facts; the CA's verdicts (which HRESULT)
 * are ca_renewal.c's. Nothing here checks a certificate's issuer, validity
 * or revocation.
 */
#ifndef CA_CMS_H
#define CA_CMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include <openssl/cms.h>
#include <openssl/x509.h>
#include "ae_error.h"
#include "ca_request.h"

#define CA_CMS_MAX		(256u * 1024u)	/* the whole request */
#define CA_CMS_CERTS_MAX	16		/* certificates in the SignedData */
#define CA_CMS_SIGNERS_MAX	8		/* SignerInfos */

#define CA_OID_RENEWAL_CERT	"1.3.6.1.4.1.311.13.1"	/* szOID_RENEWAL_CERTIFICATE */
#define CA_OID_CT_PKIDATA	"1.3.6.1.5.5.7.12.2"	/* id-cct-PKIData (CMC) */

struct ca_cms {
	CMS_ContentInfo *cms;		/* freed with the struct */
	STACK_OF(X509) *certs;		/* the certificates (freed with the struct) */
	struct ca_csr *csr;		/* the encapsulated PKCS#10, or NULL: csr_err */
	ae_err csr_err;			/* AE_OK, or ca_csr_parse()'s error (MISMATCH:
					 * its self-signature does not verify) */
	size_t num_signers;		/* 1..CA_CMS_SIGNERS_MAX, or 0 */
	X509 *signer;			/* the first SignerInfo's certificate (one of
					 * certs), or NULL when none matches */
	bool signature_ok;		/* every SignerInfo verifies with its certificate
					 * (found among certs) */
	size_t num_renewal_attrs;	/* szOID_RENEWAL_CERTIFICATE attributes */
	size_t num_renewal_values;	/* values of the first one */
	X509 *renewal_cert;		/* that value as a DER certificate, or NULL
					 * (absent or not exactly one certificate) */
	uint8_t *renewal_der;		/* its bytes (when renewal_cert is set) */
	size_t renewal_len;
};

/*
 * Decode a request of len bytes (<= CA_CMS_MAX; else AE_ERR_TOO_LARGE).
 * Not a DER ContentInfo -> AE_ERR_PARSE; bytes after it -> AE_ERR_TRAILING.
 * A ContentInfo that is not SignedData, or whose eContentType is not
 * id-data (e.g. CMC's id-cct-PKIData) -> AE_ERR_UNSUPPORTED. Detached
 * content, more than CA_CMS_CERTS_MAX certificates or CA_CMS_SIGNERS_MAX
 * signers -> AE_ERR_PARSE. Otherwise AE_OK and the facts above (an eContent
 * that is not a PKCS#10 is a fact: csr NULL, csr_err set). *_c on mem_ctx,
 * set on success only.
 */
ae_err ca_cms_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len, struct ca_cms **_c);

/* true when the DER at p looks like a ContentInfo (SEQ { OID 1.2.840.113549.1.7.x ... }) */
bool ca_cms_sniff(const uint8_t *p, size_t len);

#endif
