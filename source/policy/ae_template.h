/*
 * ae_template.h: the MS-CRTD certificate template model (objects of class
 * pKICertificateTemplate) and its parsing from directory attribute values.
 *
 * The parser is pure: it takes a neutral entry (ae_entry.h), so it runs
 * without LDAP. Reading the templates from a DC is ae_pki.h's job.
 *
 * Attribute syntaxes ([MS-CRTD] 2; periods 2.11, 2.15; RA policies 2.23):
 * - LDAP INTEGERs are signed 32-bit decimal text; flag attributes keep the
 *   bit pattern ("-1509949440" -> 0xA6000000).
 * - pKIExpirationPeriod / pKIOverlapPeriod are 8-byte negative FILETIME
 *   intervals, stored here as seconds.
 * - msPKI-RA-Application-Policies has two syntaxes: a list of OIDs
 *   (schema 1/2, or 4 with CT_FLAG_USE_LEGACY_PROVIDER), or one string of
 *   Name`Type`Value` triplets (schema 3/4) carrying the key properties.
 */
#ifndef AE_TEMPLATE_H
#define AE_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_entry.h"

/* Caps on what a template may carry. */
#define AE_TEMPLATE_NAME_MAX		256	/* bytes of cn */
#define AE_TEMPLATE_TEXT_MAX		1024	/* bytes of displayName, a CSP entry, ... */
#define AE_TEMPLATE_VALUES_MAX		256	/* values of one multi-valued attribute */
#define AE_TEMPLATE_KEY_USAGE_MAX	8	/* bytes of pKIKeyUsage */
#define AE_TEMPLATE_SD_MAX		(2u * 65536u + 4096u)	/* nTSecurityDescriptor */
#define AE_TEMPLATE_RA_MAX		8192	/* bytes of the RA triplet string */

/* flags (general) [MS-CRTD 2.4]. 0x20, 0x8, 0x10 share their values with
 * the msPKI-Enrollment-Flag / msPKI-Private-Key-Flag bits of the same name. */
#define CT_FLAG_ADD_EMAIL			0x00000002u	/* reserved */
#define CT_FLAG_PUBLISH_TO_DS			0x00000008u	/* reserved */
#define CT_FLAG_EXPORTABLE_KEY			0x00000010u	/* reserved */
#define CT_FLAG_AUTO_ENROLLMENT			0x00000020u
#define CT_FLAG_MACHINE_TYPE			0x00000040u
#define CT_FLAG_IS_CA				0x00000080u
#define CT_FLAG_ADD_TEMPLATE_NAME		0x00000200u
#define CT_FLAG_IS_CROSS_CA			0x00000800u
#define CT_FLAG_DONOTPERSISTINDB		0x00001000u
#define CT_FLAG_IS_DEFAULT			0x00010000u
#define CT_FLAG_IS_MODIFIED			0x00020000u

/* msPKI-Enrollment-Flag [MS-CRTD 2.26] (0x8 PUBLISH_TO_DS, 0x20 AUTO_ENROLLMENT above). */
#define CT_FLAG_INCLUDE_SYMMETRIC_ALGORITHMS	0x00000001u
#define CT_FLAG_PEND_ALL_REQUESTS		0x00000002u
#define CT_FLAG_PUBLISH_TO_KRA_CONTAINER	0x00000004u
#define CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE 0x00000010u
#define CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT 0x00000040u
#define CT_FLAG_USER_INTERACTION_REQUIRED	0x00000100u
#define CT_FLAG_REMOVE_INVALID_CERTIFICATE_FROM_PERSONAL_STORE 0x00000400u
#define CT_FLAG_ALLOW_ENROLL_ON_BEHALF_OF	0x00000800u
#define CT_FLAG_ADD_OCSP_NOCHECK		0x00001000u
#define CT_FLAG_ENABLE_KEY_REUSE_ON_NT_TOKEN_KEYSET_STORAGE_FULL 0x00002000u
#define CT_FLAG_NOREVOCATIONINFOINISSUEDCERTS	0x00004000u
#define CT_FLAG_INCLUDE_BASIC_CONSTRAINTS_FOR_EE_CERTS 0x00008000u
#define CT_FLAG_ALLOW_PREVIOUS_APPROVAL_KEYBASEDRENEWAL_VALIDATE_REENROLLMENT 0x00010000u
#define CT_FLAG_ISSUANCE_POLICIES_FROM_REQUEST	0x00020000u
#define CT_FLAG_SKIP_AUTO_RENEWAL		0x00040000u
#define CT_FLAG_NO_SECURITY_EXTENSION		0x00080000u

/* msPKI-Private-Key-Flag [MS-CRTD 2.27] (0x10 EXPORTABLE_KEY above). */
#define CT_FLAG_REQUIRE_PRIVATE_KEY_ARCHIVAL	0x00000001u
#define CT_FLAG_STRONG_KEY_PROTECTION_REQUIRED	0x00000020u
#define CT_FLAG_REQUIRE_ALTERNATE_SIGNATURE_ALGORITHM 0x00000040u
#define CT_FLAG_REQUIRE_SAME_KEY_RENEWAL	0x00000080u
#define CT_FLAG_USE_LEGACY_PROVIDER		0x00000100u
#define CT_FLAG_ATTEST_NONE			0x00000000u
#define CT_FLAG_EK_TRUST_ON_USE			0x00000200u
#define CT_FLAG_EK_VALIDATE_CERT		0x00000400u
#define CT_FLAG_EK_VALIDATE_KEY			0x00000800u
#define CT_FLAG_ATTEST_PREFERRED		0x00001000u
#define CT_FLAG_ATTEST_REQUIRED			0x00002000u
#define CT_FLAG_ATTESTATION_WITHOUT_POLICY	0x00004000u
#define CT_FLAG_HELLO_LOGON_KEY			0x00200000u
#define CTPRIVATEKEY_FLAG_SERVERVERSION_MASK	0x000F0000u	/* minimum CA version */
#define CTPRIVATEKEY_FLAG_SERVERVERSION_SHIFT	16
#define CTPRIVATEKEY_FLAG_CLIENTVERSION_MASK	0x0F000000u	/* minimum client version */
#define CTPRIVATEKEY_FLAG_CLIENTVERSION_SHIFT	24

/* msPKI-Certificate-Name-Flag [MS-CRTD 2.28]. */
#define CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT	0x00000001u
#define CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME 0x00000008u
#define CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME 0x00010000u
#define CT_FLAG_SUBJECT_ALT_REQUIRE_DOMAIN_DNS	0x00400000u
#define CT_FLAG_SUBJECT_ALT_REQUIRE_SPN		0x00800000u
#define CT_FLAG_SUBJECT_ALT_REQUIRE_DIRECTORY_GUID 0x01000000u
#define CT_FLAG_SUBJECT_ALT_REQUIRE_UPN		0x02000000u
#define CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL	0x04000000u
#define CT_FLAG_SUBJECT_ALT_REQUIRE_DNS		0x08000000u
#define CT_FLAG_SUBJECT_REQUIRE_DNS_AS_CN	0x10000000u
#define CT_FLAG_SUBJECT_REQUIRE_EMAIL		0x20000000u
#define CT_FLAG_SUBJECT_REQUIRE_COMMON_NAME	0x40000000u
#define CT_FLAG_SUBJECT_REQUIRE_DIRECTORY_PATH	0x80000000u

/* pKIDefaultKeySpec */
#define AE_AT_KEYEXCHANGE	1
#define AE_AT_SIGNATURE		2

/* msPKI-Key-Usage inside the RA triplets [MS-CRTD 2.23.2]. */
#define AE_RA_KEY_USAGE_DECRYPT		0x00000001u
#define AE_RA_KEY_USAGE_SIGN		0x00000002u
#define AE_RA_KEY_USAGE_KEY_AGREEMENT	0x00000004u
#define AE_RA_KEY_USAGE_ALL		0x00FFFFFFu

/* Which optional scalar attributes were present (ae_template.present). */
enum ae_template_has {
	AE_TPL_HAS_FLAGS		= 1u << 0,
	AE_TPL_HAS_REVISION		= 1u << 1,
	AE_TPL_HAS_MINOR_REVISION	= 1u << 2,
	AE_TPL_HAS_SCHEMA_VERSION	= 1u << 3,
	AE_TPL_HAS_EXPIRATION		= 1u << 4,
	AE_TPL_HAS_OVERLAP		= 1u << 5,
	AE_TPL_HAS_KEY_SPEC		= 1u << 6,
	AE_TPL_HAS_MAX_ISSUING_DEPTH	= 1u << 7,
	AE_TPL_HAS_MIN_KEY_SIZE		= 1u << 8,
	AE_TPL_HAS_RA_SIGNATURE		= 1u << 9,
	AE_TPL_HAS_ENROLLMENT_FLAG	= 1u << 10,
	AE_TPL_HAS_PRIVATE_KEY_FLAG	= 1u << 11,
	AE_TPL_HAS_NAME_FLAG		= 1u << 12,
	AE_TPL_HAS_USN_CHANGED		= 1u << 13,
	AE_TPL_HAS_KEY_USAGE		= 1u << 14,
	AE_TPL_HAS_XCEP_PERMISSION	= 1u << 15,	/* from MS-XCEP: xcep_permission */
};

/* One extension an MS-XCEP policy lists ([MS-XCEP] 3.1.4.1.3.13). */
struct ae_template_extension {
	char *oid;
	bool critical;
	uint8_t *value;			/* DER of extnValue's content; NULL when absent */
	size_t value_len;
};

/* The policy server's verdict on the requester ([MS-XCEP] 3.1.4.1.3.7:
 * EnrollmentPermission), in place of a security descriptor. */
struct ae_xcep_permission {
	bool enroll;
	bool auto_enroll;
};

/* Which syntax msPKI-RA-Application-Policies used. */
enum ae_ra_syntax {
	AE_RA_SYNTAX_NONE = 0,		/* attribute absent */
	AE_RA_SYNTAX_OIDS,		/* syntax 1: one OID per value */
	AE_RA_SYNTAX_PROPERTIES,	/* syntax 2: Name`Type`Value` triplets */
};

/* Which triplets were present (ae_ra_properties.present). */
enum ae_ra_has {
	AE_RA_HAS_ASYMMETRIC_ALGORITHM	= 1u << 0,
	AE_RA_HAS_HASH_ALGORITHM	= 1u << 1,
	AE_RA_HAS_SYMMETRIC_ALGORITHM	= 1u << 2,
	AE_RA_HAS_SYMMETRIC_KEY_LENGTH	= 1u << 3,
	AE_RA_HAS_KEY_USAGE		= 1u << 4,
	AE_RA_HAS_KEY_SECURITY_DESCRIPTOR = 1u << 5,
	AE_RA_HAS_APPLICATION_POLICIES	= 1u << 6,
};

/* Syntax 2 of msPKI-RA-Application-Policies; strings NULL when absent. */
struct ae_ra_properties {
	char *asymmetric_algorithm;	/* msPKI-Asymmetric-Algorithm: "RSA", "ECDSA_P256" */
	char *hash_algorithm;		/* msPKI-Hash-Algorithm: "SHA256", ... */
	char *symmetric_algorithm;	/* msPKI-Symmetric-Algorithm: "3DES", ... */
	uint32_t symmetric_key_length;	/* msPKI-Symmetric-Key-Length */
	uint32_t key_usage;		/* msPKI-Key-Usage: AE_RA_KEY_USAGE_* */
	char *key_security_descriptor;	/* msPKI-Key-Security-Descriptor (SDDL) */
	uint32_t present;		/* enum ae_ra_has bits */
};

/* One pKIDefaultCSPs value "<priority>,<CSP name>". */
struct ae_template_csp {
	uint32_t priority;
	char *name;
};

/*
 * A parsed template. Everything hangs below the struct (one talloc_free).
 * Absent scalar attributes read as 0 with their AE_TPL_HAS_* bit clear,
 * except schema_version, which reads as 1 when absent (Windows 2000
 * templates carry no msPKI-* attributes). Absent lists are NULL / 0.
 */
struct ae_template {
	char *dn;
	char *cn;			/* the name sent as CertificateTemplate:<cn> */
	char *display_name;		/* NULL when absent */
	uint64_t usn_changed;		/* uSNChanged */

	uint32_t flags;			/* CT_FLAG_* general flags */
	uint32_t major_revision;	/* revision */
	uint32_t minor_revision;	/* msPKI-Template-Minor-Revision */
	uint32_t schema_version;	/* msPKI-Template-Schema-Version */
	char *oid;			/* msPKI-Cert-Template-OID; NULL when absent */

	int64_t expiration_s;		/* pKIExpirationPeriod in seconds */
	int64_t overlap_s;		/* pKIOverlapPeriod in seconds */

	char **ekus;			/* pKIExtendedKeyUsage */
	size_t num_ekus;
	uint8_t key_usage[AE_TEMPLATE_KEY_USAGE_MAX];	/* pKIKeyUsage bytes */
	size_t key_usage_len;
	char **critical_extensions;	/* pKICriticalExtensions */
	size_t num_critical_extensions;
	uint32_t default_key_spec;	/* pKIDefaultKeySpec: AE_AT_* */
	struct ae_template_csp *csps;	/* pKIDefaultCSPs, in stored order */
	size_t num_csps;
	uint32_t max_issuing_depth;	/* pKIMaxIssuingDepth (0xFFFFFFFF = none) */
	uint32_t min_key_size;		/* msPKI-Minimal-Key-Size */

	uint32_t ra_signatures;		/* msPKI-RA-Signature */
	char **ra_policies;		/* msPKI-RA-Policies */
	size_t num_ra_policies;
	enum ae_ra_syntax ra_syntax;	/* msPKI-RA-Application-Policies: */
	char **ra_app_policies;		/*  its OIDs, from either syntax */
	size_t num_ra_app_policies;
	struct ae_ra_properties ra;	/*  syntax 2 properties */

	char **supersede;		/* msPKI-Supersede-Templates (cn values) */
	size_t num_supersede;
	char **cert_policies;		/* msPKI-Certificate-Policy */
	size_t num_cert_policies;
	char **app_policies;		/* msPKI-Certificate-Application-Policy */
	size_t num_app_policies;

	uint32_t enrollment_flag;	/* msPKI-Enrollment-Flag */
	uint32_t private_key_flag;	/* msPKI-Private-Key-Flag */
	uint32_t name_flag;		/* msPKI-Certificate-Name-Flag */

	uint8_t *sd;			/* nTSecurityDescriptor, raw self-relative */
	size_t sd_len;			/*  (NULL / 0 when not returned) */

	/* From an MS-XCEP policy only (NULL / 0 / unset for LDAP templates):
	 * dn is NULL, sd is NULL and the verdict is xcep_permission. */
	struct ae_xcep_permission xcep_permission;	/* AE_TPL_HAS_XCEP_PERMISSION */
	char *hash_algorithm_oid;	/* hashAlgorithmOIDReference, resolved */
	char *key_algorithm_oid;	/* privateKeyAttributes/algorithmOIDReference */
	struct ae_template_extension *extensions;
	size_t num_extensions;
	int32_t *ca_refs;		/* cAReferences: ae_xcep_ca.ref_id values */
	size_t num_ca_refs;

	uint32_t present;		/* enum ae_template_has bits */
};

/*
 * Whether t is enrolled for by renewal only: msPKI-RA-Signature >= 1 (a new
 * request needs that many RA signatures, [MS-CRTD] 2.18) together with
 * CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT (0x40 of
 * msPKI-Enrollment-Flag, [MS-CRTD] 2.26: the client signs the renewal with
 * the existing certificate's key; the CA then does not enforce the RA
 * signatures, [MS-WCCE] 3.2.2.6.2.1.4.5.6 and 3.2.2.6.2.1.4.8). Such a
 * template is renewed while a valid certificate of it exists, and nothing
 * else. NULL: false.
 */
bool ae_template_renewal_only(const struct ae_template *t);

/* The attributes a reader should request (NULL-terminated, static). */
extern const char *const ae_template_attr_names[];

/*
 * Build a template from an entry. cn is required; every other attribute is
 * optional, unknown attributes are ignored. A value of the wrong syntax, a
 * second value for a single-valued attribute, or a value above a cap gives
 * AE_ERR_PARSE and 'why' (may be NULL) names the attribute and the value,
 * e.g. "msPKI-Template-Schema-Version: 'abc' is not an integer".
 * On success *_t is a new talloc object on mem_ctx; on failure nothing is
 * allocated on mem_ctx and *_t is untouched.
 */
ae_err ae_template_from_attrs(TALLOC_CTX *mem_ctx, const struct ae_ldap_entry *e,
			      struct ae_template **_t, char *why, size_t why_len);

/*
 * Parse one msPKI-RA-Application-Policies value in syntax 2 into 'ra' and
 * its OID list (exposed for tests and the fuzz target). Triplets are
 * Name`Type`Value` with Type DWORD (unsigned decimal) or PZPWSTR; the final
 * terminator may be missing. Unknown names are ignored; a known name with
 * the wrong type or given twice is AE_ERR_PARSE. Strings go on mem_ctx.
 */
ae_err ae_template_parse_ra_properties(TALLOC_CTX *mem_ctx, const char *s, size_t len,
				       struct ae_ra_properties *ra,
				       char ***_oids, size_t *_num_oids,
				       char *why, size_t why_len);

#endif
