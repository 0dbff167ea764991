/*
 * ae_crl.h: revocation of a managed certificate from its issuer's CRL
 * (RFC 5280 §5, §6.3, simplified to what an AD CS CA publishes: complete
 * CRLs signed by the key that issued the certificate).
 *
 * Where the CRL lives comes from the certificate (ae_cert_cdp_urls);
 * fetching it is transport's job (ae_fetch.h: file:// and http://) or the
 * engine's (ldap://, over its sealed LDAP connection).
 *
 * A struct ae_crl is a talloc object: freeing it drops its X509_CRL.
 */
#ifndef AE_CRL_H
#define AE_CRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <talloc.h>
#include <openssl/x509.h>
#include "ae_error.h"
#include "ae_x509.h"

#define AE_CRL_DER_MAX (16 * 1024 * 1024)	/* one DER CRL */
#define AE_CDP_URLS_MAX 32			/* URIs taken from one certificate */
#define AE_CDP_URL_MAX 2048			/* bytes in one URI */

struct ae_crl {
	X509_CRL *crl;		/* owned */
};

enum ae_revocation {
	AE_REVOCATION_UNKNOWN = 0,	/* no verdict: the CRL is stale, partial, ... */
	AE_REVOCATION_GOOD,		/* an authentic, current, complete CRL does not list it */
	AE_REVOCATION_REVOKED,		/* listed (reason in why) */
};

/* "unknown", "good", "revoked" */
const char *ae_revocation_name(enum ae_revocation r);

/*
 * The uniformResourceIdentifier fullNames of the certificate's CRL
 * distribution points (2.5.29.31), in order, as a NULL-terminated array on
 * mem_ctx; *_n is the count. Other name forms (directoryName, relative
 * names) are skipped. No extension -> AE_OK with an empty list. A malformed
 * extension, a URI that is empty, longer than AE_CDP_URL_MAX, holds a NUL
 * or a byte outside printable ASCII, or more than AE_CDP_URLS_MAX URIs ->
 * AE_ERR_PARSE (AE_ERR_TOO_LARGE for the count). Outputs only on success.
 */
ae_err ae_cert_cdp_urls(TALLOC_CTX *mem_ctx, const struct ae_cert *cert,
			char ***_urls, size_t *_n);

/*
 * Exactly one DER CertificateList of 1..AE_CRL_DER_MAX bytes (else
 * AE_ERR_TOO_LARGE), ending at p + len (else AE_ERR_TRAILING); malformed
 * -> AE_ERR_PARSE. Only v1/v2 CRLs decode. *_crl set only on success.
 */
ae_err ae_crl_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		    struct ae_crl **_crl);

/*
 * Is crl current at now: thisUpdate at or before now and a nextUpdate after
 * now? A CRL without nextUpdate is not (a cache keeps it no time).
 */
bool ae_crl_current(const struct ae_crl *crl, time_t now);

/*
 * Is cert revoked according to crl, at time now?
 *
 * The CRL must be for cert's issuer (same issuer name, else
 * AE_ERR_MISMATCH) and be signed by the key that signed cert: one of
 * issuers has cert's issuer name as subject, signed cert, has no keyUsage
 * or one with cRLSign, and its key verifies the CRL (else AE_ERR_UNTRUSTED).
 * Then, with AE_OK:
 *  - serial listed (reason other than removeFromCRL) -> REVOKED, unless
 *    the CRL is stale (below);
 *  - thisUpdate after now, or nextUpdate before now -> UNKNOWN ("expired
 *    CRL": even a listed serial gives UNKNOWN; fetch a current CRL);
 *  - a delta CRL, an indirect CRL, a CRL scoped to CA or attribute
 *    certificates or to some reasons only, or an unknown critical
 *    extension -> UNKNOWN (a listed serial in a reasons-only CRL -> REVOKED);
 *  - otherwise -> GOOD. A CRL without nextUpdate does not expire.
 * why (may be NULL when why_len is 0) always gets a one-line reason, and
 * *out is set on every return but AE_ERR_INVALID (to UNKNOWN on errors).
 */
ae_err ae_crl_check(const struct ae_crl *crl, const struct ae_cert *cert,
		    const struct ae_cert_list *issuers, time_t now,
		    enum ae_revocation *out, char *why, size_t why_len);

#endif
