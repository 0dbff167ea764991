/*
 * ae_aesettings.h: the certificate autoenrollment settings a merged registry
 * view (ae_preg.h) holds: the AutoEnrollment key and the PolicyServers
 * end points, grouped and sorted as Samba's gp_cert_auto_enroll_ext.py does
 * it, citing MS-CAESO 4.4.5.3.2.2-4 (MS-CAESO is retired).
 *
 * Every setting remembers the GPO that set it (the 'source' given to
 * ae_preg_apply). Nothing here does I/O except the writers at the end.
 */
#ifndef AE_AESETTINGS_H
#define AE_AESETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_json.h"
#include "ae_preg.h"

#define AE_KEY_AUTOENROLLMENT "Software\\Policies\\Microsoft\\Cryptography\\AutoEnrollment"
#define AE_KEY_POLICYSERVERS  "Software\\Policies\\Microsoft\\Cryptography\\PolicyServers"

/* AEPolicy (REG_DWORD) bits, MS-CAESO 4.4.5.1 */
#define AE_AEPOLICY_ENROLL	0x00000001	/* enroll: update certificates that use templates */
#define AE_AEPOLICY_MANAGE	0x00000002	/* renew expired, update, remove revoked */
#define AE_AEPOLICY_PENDING	0x00000004	/* retrieve pending requests */
#define AE_AEPOLICY_DISABLED	0x00008000	/* policy disabled: do nothing */

#define AE_OFFLINE_EXPIRATION_PERCENT_DEFAULT 10

/* PolicyServers\<id>\Flags (PolicyServerUrlFlags) */
#define AE_PSF_LOCATION_GROUP_POLICY	0x01
#define AE_PSF_LOCATION_REGISTRY	0x02
#define AE_PSF_USE_CLIENT_ID		0x04
#define AE_PSF_AUTOENROLLMENT_ENABLED	0x10
#define AE_PSF_ALLOW_UNTRUSTED_CA	0x20

/* PolicyServers\<id>\AuthFlags (X509EnrollmentAuthFlags) */
#define AE_AUTHF_ANONYMOUS	1
#define AE_AUTHF_KERBEROS	2
#define AE_AUTHF_USERNAME	4
#define AE_AUTHF_CERTIFICATE	8

#define AE_ENDPOINT_LDAP_URL	"LDAP:"
#define AE_ENDPOINT_LDAP_COST	0x7FFFFFFDu	/* the cost GPMC gives the AD end point */

/* A DWORD setting: 'present' false means no value (or one of another type). */
struct ae_setting_u32 {
	bool present;
	uint32_t value;
	const char *source;
};

/* A string setting: value NULL means absent. */
struct ae_setting_str {
	const char *value;
	const char *source;
};

enum ae_endpoint_kind {
	AE_EP_KIND_LDAP,	/* URL "LDAP:" (case-insensitive): the AD policy */
	AE_EP_KIND_HTTPS,	/* an https:// CEP (XCEP) URL */
	AE_EP_KIND_OTHER,	/* anything else */
};

enum ae_endpoint_state {
	AE_EP_INVALID,		/* no URL, no PolicyID, or a URL of another kind */
	AE_EP_GROUP_DISABLED,	/* its group's Flags lack AutoEnrollmentEnabled (0x10) */
	AE_EP_UNSUPPORTED,	/* no longer set: https end points are USABLE (MS-XCEP) */
	AE_EP_UNCHECKED,	/* LDAP: awaiting ae_aesettings_check_forest */
	AE_EP_POLICYID_MISMATCH,/* LDAP: PolicyID is not {forest root domain objectGUID} */
	AE_EP_USABLE,		/* LDAP: accepted; https: an MS-XCEP policy server */
};

struct ae_endpoint {
	const char *subkey;		/* the PolicyServers subkey (opaque id) */
	struct ae_setting_str url, policy_id, friendly_name;
	struct ae_setting_u32 flags, auth_flags, cost;
	enum ae_endpoint_kind kind;
	enum ae_endpoint_state state;
	const char *note;		/* why this state, for humans */
};

/* End points sharing a PolicyID, best first (MS-CAESO 4.4.5.3.2.3). */
struct ae_endpoint_group {
	const char *policy_id;
	struct ae_endpoint **members;
	size_t num_members;
	bool enabled;			/* the first member's Flags has 0x10 (4.4.5.3.2.4) */
};

struct ae_aesettings {
	/* Software\Policies\Microsoft\Cryptography\AutoEnrollment */
	struct ae_setting_u32 aepolicy;
	struct ae_setting_u32 offline_expiration_percent; /* value 10 when absent */
	const char **store_names;	/* OfflineExpirationStoreNames (REG_SZ or MULTI_SZ) */
	size_t num_store_names;
	const char *store_names_source;

	/* Software\Policies\Microsoft\Cryptography\PolicyServers */
	struct ae_setting_str ps_default;	/* the (default) value: default PolicyID */
	struct ae_setting_u32 ps_flags;		/* EnrollmentPolicyFlags */
	struct ae_endpoint *endpoints;		/* every subkey, in registry order */
	size_t num_endpoints;
	struct ae_endpoint_group *groups;	/* valid end points grouped, sorted */
	size_t num_groups;

	/*
	 * Whether the AD (LDAP) enrollment policy applies: true with no end
	 * points at all (the default policy), otherwise only after
	 * ae_aesettings_check_forest accepted an LDAP: end point of an
	 * enabled group.
	 */
	bool forest_checked;
	bool use_ad_policy;
	const char *policy_note;		/* why use_ad_policy is what it is */
};

/*
 * Derive the settings from a merged view. Values of an unexpected type are
 * ignored with a warning (as if absent). On success *_out is allocated on
 * mem_ctx and copies every string it needs. Errors: AE_ERR_INVALID,
 * AE_ERR_NOMEM.
 */
ae_err ae_aesettings_from_view(TALLOC_CTX *mem_ctx, const struct ae_regview *view,
			       struct ae_aesettings **_out);

/* AEPolicy present, enroll bit set and the disabled bit clear. */
bool ae_aesettings_enroll_enabled(const struct ae_aesettings *s);

/*
 * "enroll|manage|pending|disabled" style names of the AEPolicy bits set in
 * v ("none" for 0; unknown bits as 0x...). Allocated on mem_ctx.
 */
char *ae_aepolicy_describe(TALLOC_CTX *mem_ctx, uint32_t v);

/*
 * The canonical upper-case 8-4-4-4-12 string (no braces, leading zeros kept)
 * of a binary objectGUID as LDAP returns it: the first three fields are
 * little-endian (MS-DTYP 2.3.4.2), e.g. 0d 0c 0b 0a 0f 0e 01 00 00 01 ...
 * -> "0A0B0C0D-0E0F-0001-0001-...". NULL when out of memory. (Named
 * ae_objectguid_format because the security layer's ae_guid.h already has
 * ae_guid_format(g, buf), which gives the lower-case form.)
 */
char *ae_objectguid_format(TALLOC_CTX *mem_ctx, const uint8_t guid[16]);

/* policy_id equals "{" + ae_objectguid_format(forest_guid) + "}" exactly. */
bool ae_policy_id_is_forest(const char *policy_id, const uint8_t forest_guid[16]);

/*
 * MS-CAESO 4.4.5.3.2.4: with the forest root domain's objectGUID (the
 * caller reads rootDSE rootDomainNamingContext, then its objectGUID),
 * accept or refuse each LDAP: end point of an enabled group and set
 * use_ad_policy/policy_note. Errors: AE_ERR_INVALID, AE_ERR_NOMEM.
 */
ae_err ae_aesettings_check_forest(struct ae_aesettings *s, const uint8_t forest_guid[16]);

const char *ae_endpoint_state_name(enum ae_endpoint_state state);

/*
 * Writers for the CLI (autoenroll pol FILE, autoenroll policy). They write
 * with fprintf and return AE_ERR_IO when a write failed (ferror).
 *
 * (Strings go through util's ae_json_string.) ae_preg_write_json: the entries as a
 * JSON array of {"key","name","type","type_name","offset","data"} (strings,
 * string arrays, numbers; bytes as a hex string). ae_aesettings_write_json:
 * one JSON object of the settings (no newline). ae_pol_write_json: {"entries": [...],
 * "settings": {...}} (either may be NULL, then omitted).
 * ae_preg_dump / ae_aesettings_dump: human-readable text like
 * "samba-tool gpo show": each entry's key, value, type and data, then the
 * derived settings.
 */
ae_err ae_preg_write_json(FILE *f, const struct ae_preg *pol);
ae_err ae_aesettings_write_json(FILE *f, const struct ae_aesettings *s);
ae_err ae_pol_write_json(FILE *f, const struct ae_preg *pol, const struct ae_aesettings *s);
ae_err ae_preg_dump(FILE *f, const struct ae_preg *pol);
ae_err ae_aesettings_dump(FILE *f, const struct ae_aesettings *s);

#endif
