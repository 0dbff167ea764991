/*
 * ae_csr.h: PKCS#10 certificate requests with the Microsoft attributes and
 * extensions an AD CS enterprise CA expects (MS-WCCE 3.1.1.4.3.1.1,
 * 3.1.2.4.2.2; attributes 2.2.2.7).
 *
 * The request is signed with the key and the digest of params->hash
 * (SHA-256 by default: sha256WithRSAEncryption or ecdsa-with-SHA256) and
 * returned as DER on mem_ctx.
 */
#ifndef AE_CSR_H
#define AE_CSR_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_key.h"

/* Limits on the caller's lists and strings (AE_ERR_INVALID above them). */
#define AE_CSR_DNS_NAMES_MAX 100
#define AE_CSR_DNS_NAME_MAX 253
#define AE_CSR_EKUS_MAX 64
#define AE_CSR_OS_VERSION_MAX 64
#define AE_CSR_KEY_USAGE_MAX 2	/* KeyUsage has 9 bits */
#define AE_CSR_POLICIES_MAX 64
#define AE_CSR_RENEWAL_CERT_MAX (64 * 1024) /* the renewed certificate's DER */
#define AE_CSR_NAMES_DER_MAX (16 * 1024) /* subject_der, san_der */

/* szOID_RENEWAL_CERTIFICATE: the DER certificate being renewed (MS-WCCE 2.2.2.7.3) */
#define AE_OID_RENEWAL_CERTIFICATE "1.3.6.1.4.1.311.13.1"

/* clientId for autoenrollment since Vista (MS-WCCE <11>) */
#define AE_CSR_CLIENT_ID_AUTOENROLL 6

/*
 * The digest of the request's signature (and of a renewal's CMS), from a
 * template's msPKI-Hash-Algorithm ([MS-CRTD] 2.23.2: "SHA256", ...).
 * AE_CSR_HASH_SHA256 is 0, the default.
 */
enum ae_csr_hash { AE_CSR_HASH_SHA256 = 0, AE_CSR_HASH_SHA384, AE_CSR_HASH_SHA512 };

/*
 * "SHA256", "SHA384", "SHA512" (case-insensitive; also "SHA-256" ...) ->
 * *out; anything else (NULL, "SHA1", "MD5") -> AE_ERR_UNSUPPORTED, *out
 * untouched.
 */
ae_err ae_csr_hash_from_name(const char *name, enum ae_csr_hash *out);

/* OpenSSL's digest for h (NULL for a value outside the enum). */
const EVP_MD *ae_csr_hash_md(enum ae_csr_hash h);

struct ae_csr_params {
	const char *template_name;	/* template cn; required for v1 */
	const char *template_oid;	/* msPKI-Cert-Template-OID; required for v2+ */
	uint32_t schema_version;	/* 0 or 1 => v1 name extension; >= 2 => template extension */
	uint32_t major, minor;		/* revision, msPKI-Template-Minor-Revision (v2+) */
	const char *subject_cn;		/* NULL => empty subject (30 00): the CA builds names from AD */
	const char *const *dns_names;	/* NULL-terminated, optional SAN dNSName list */
	uint32_t client_id;		/* 0 => no client-info attribute; autoenroll uses 6 */
	const char *machine_name, *user_name, *process_name; /* client info fields (NULL => "") */
	const char *os_version;		/* e.g. "10.0.19045.2"; NULL => omit attribute */
	const char *const *ekus;	/* optional NULL-terminated EKU OIDs (pKIExtendedKeyUsage) */
	const uint8_t *key_usage;	/* optional pKIKeyUsage bytes, e.g. a0 00 (all-zero => omitted) */
	size_t key_usage_len;
	const char *const *critical_oids; /* optional pKICriticalExtensions: the SAN, EKU and
					   * KU extensions whose OID is listed are critical */
	const uint8_t *renewal_cert_der; /* optional: the certificate being renewed (DER, exactly
					  * one certificate, 1..AE_CSR_RENEWAL_CERT_MAX bytes) */
	size_t renewal_cert_len;
	enum ae_csr_hash hash;		/* signature digest (0: SHA-256) */
	const char *const *cert_policies; /* optional NULL-terminated policy OIDs: a
					   * certificatePolicies extension (RFC 5280 4.2.1.4),
					   * policyIdentifiers only */
	const char *sid;		/* optional "S-1-5-21-...": the szOID_NTDS_CA_SECURITY_EXT
					 * extension (ae_ms_ext.h) */
	/*
	 * Names the enrollee supplies (ae_names.h), optional: the DER of the
	 * subject Name (replaces subject_cn) and of the subjectAltName's
	 * GeneralNames (replaces dns_names); each at most AE_CSR_NAMES_DER_MAX
	 * bytes, exactly one structure.
	 */
	const uint8_t *subject_der;
	size_t subject_len;
	const uint8_t *san_der;
	size_t san_len;
};

/*
 * Build and sign the request. Contents:
 *  - version 0; subject CN=subject_cn (UTF8String) or the empty SEQUENCE;
 *  - extensionRequest (1.2.840.113549.1.9.14) with, in this order: the
 *    template extension 1.3.6.1.4.1.311.21.7 = SEQ { OID, INTEGER major,
 *    INTEGER minor } (schema >= 2) or the name extension
 *    1.3.6.1.4.1.311.20.2 = BMPString (schema < 2), both non-critical; then
 *    subjectAltName (dNSNames), extendedKeyUsage, keyUsage,
 *    certificatePolicies, szOID_NTDS_CA_SECURITY_EXT (1.3.6.1.4.1.311.25.2)
 *    when given (all non-critical, except those listed in critical_oids
 *    among SAN, EKU, KU);
 *  - 1.3.6.1.4.1.311.21.20 client info when client_id != 0;
 *  - 1.3.6.1.4.1.311.13.2.3 OS version (IA5String) when os_version != NULL;
 *  - 1.3.6.1.4.1.311.13.1 renewal certificate = the DER of renewal_cert_der
 *    when it is set (MS-WCCE 3.1.1.4.3.2.1; ae_renewal.h wraps such a request).
 * Bad parameters (missing template id, non-numeric OIDs, strings too long or
 * not representable, CN over 64 characters, a renewal certificate that is
 * not exactly one DER certificate, a malformed SID, a hash outside the
 * enum) -> AE_ERR_INVALID; OpenSSL
 * failures -> AE_ERR_CRYPTO. *_der / *_len are set only on success.
 */
ae_err ae_csr_build(TALLOC_CTX *mem_ctx, const struct ae_key *key,
		    const struct ae_csr_params *params,
		    uint8_t **_der, size_t *_len);

/*
 * The OS version attribute for this host: "major.minor.build.2" from
 * uname(2)'s release (6.1.0-18-amd64 -> "6.1.0.2"; 2 = VER_PLATFORM_WIN32_NT
 * like Windows). Missing components are 0. On mem_ctx.
 */
ae_err ae_os_version_string(TALLOC_CTX *mem_ctx, char **_s);

/*
 * The same from a given release string (tests, other sources). A release
 * that does not start with a decimal number, or a component above
 * UINT32_MAX -> AE_ERR_PARSE.
 */
ae_err ae_os_version_from_release(TALLOC_CTX *mem_ctx, const char *release, char **_s);

#endif
