/*
 * ca_renewal.h: the CA's verdict on a "CMS with PKCS #10" request (MS-WCCE
 * 3.2.1.4.2.1.4.1.2 new request, 3.2.1.4.2.1.4.2.1 renewal, 3.2.2.6.2.1.2.3
 * same template). The HRESULTs are MS-WCCE's where it names one, else the
 * MS-ERREF code of the failed check:
 *
 * Any CMS request (ca_cms_verdict):
 *   eContent not a PKCS#10                    -> ERROR_INVALID_DATA 0x8007000D (3.2.1.4.2.1.4.1.2)
 *   PKCS#10 self-signature bad                -> NTE_BAD_SIGNATURE 0x80090006
 *   no SignerInfo                             -> CRYPT_E_NO_SIGNER 0x8009200E (3.2.1.4.2.1.4.1.2)
 * Without szOID_RENEWAL_CERTIFICATE it is a new request (3.2.1.4.2.1.4.2.1):
 *   signer's certificate not in the CMS       -> CRYPT_E_SIGNER_NOT_FOUND 0x8009100E
 *   a signature does not verify               -> NTE_BAD_SIGNATURE 0x80090006
 *   then exactly the PKCS#10 rules, for the caller.
 * With it, a renewal:
 *   more than one such attribute or value, a value that is not a
 *   certificate, a certificate not among the CMS certificates, or not the
 *   first signer's                            -> CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE 0x8009400E
 *   a signature does not verify               -> NTE_BAD_SIGNATURE 0x80090006
 *   not issued by this CA (issuer name and
 *   signature by ca.key)                      -> CERT_E_CHAINING 0x800B010A
 *   revoked in the certificate index          -> CRYPT_E_REVOKED 0x80092010
 *   outside its validity period               -> CERT_E_EXPIRED 0x800B0101
 * and, once the request's template is known (ca_renewal_match):
 *   the old certificate is of another template
 *   (its 1.3.6.1.4.1.311.21.7 OID, or its v1
 *   name 1.3.6.1.4.1.311.20.2, against it)    -> CERTSRV_E_TEMPLATE_CONFLICT 0x80094802
 *   the old certificate's account (index, else
 *   its SID extension) is not the caller      -> CERTSRV_E_BAD_RENEWAL_SUBJECT 0x80094806
 * A certificate signed by ca.key that the index does not hold (issued
 * before the index existed, or by hand) is accepted, with a warning.
 * Renewal on behalf of another subject (dwFlags 0x00200000, MS-WCCE
 * 3.2.2.6.2.1.2.4) is not implemented: the caller is always the subject,
 * and the new certificate's names come from the caller's AD object as for
 * a new request. CMC (id-cct-PKIData) is not accepted at all.
 */
#ifndef CA_RENEWAL_H
#define CA_RENEWAL_H

#include <stdint.h>
#include <time.h>
#include <talloc.h>
#include "ae_error.h"
#include "ca.h"
#include "ca_certdb.h"
#include "ca_cms.h"
#include "ca_ctx.h"

#define CA_CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE	0x8009400Eu
#define CA_CERTSRV_E_BAD_RENEWAL_SUBJECT	0x80094806u
#define CA_CRYPT_E_SIGNER_NOT_FOUND		0x8009100Eu
#define CA_CRYPT_E_NO_SIGNER			0x8009200Eu
#define CA_CRYPT_E_REVOKED			0x80092010u
#define CA_CERT_E_EXPIRED			0x800B0101u
#define CA_CERT_E_CHAINING			0x800B010Au

/* An accepted renewal's old certificate. */
struct ca_renewal {
	char *old_serial;			/* canonical text (ca_certdb.h) */
	struct ca_cert_record *old_rec;		/* NULL when the index lacks it */
	X509 *old_cert;				/* borrowed from the ca_cms */
};

/*
 * The checks that need no template, in the order of the table. *_hr = 0
 * and *_ren = NULL for an acceptable new request; *_hr = 0 and *_ren (on
 * mem_ctx) for an acceptable renewal; *_hr != 0 (and *_detail, static or
 * on mem_ctx, may explain) when refused. The index is read (lock held).
 * Returns an error only for AE_ERR_NOMEM or an unreadable index (other than
 * a missing record).
 */
ae_err ca_cms_verdict(TALLOC_CTX *mem_ctx, const struct ca_ctx *ca, const struct ca_cms *cms,
		      time_t now, struct ca_renewal **_ren, uint32_t *_hr, const char **_detail);

/*
 * The checks against the identified template t and the caller; 0 =
 * accepted, else the HRESULT and *_detail (static text) says why.
 */
uint32_t ca_renewal_match(const struct ca_renewal *ren, const struct ca_template *t,
			  const struct ca_caller *caller, const char **_detail);

#endif
