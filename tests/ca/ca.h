/*
 * ca.h: the test CA's shared data model (tests/ca, module icpr_ca).
 *
 * The module is an MS-ICPR endpoint loaded into the lab's Samba AD DC. It is
 * split so that everything except the Samba glue (icpr_ca.c) and the
 * directory reader (ca_dir_ldb.c) is plain C + OpenSSL + talloc and can be
 * unit-tested under sanitizers (test_ca.c) with a fake directory.
 *
 * Ownership: every structure here lives on a talloc context given by the
 * caller; strings and arrays are children of the structure that holds them.
 */
#ifndef CA_H
#define CA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

#define CA_SID_MAX_SUBAUTH	15
#define CA_SID_STRING_MAX	200	/* longest textual SID we accept */

/* A Windows SID (same shape as Samba's struct dom_sid, but ours). */
struct ca_sid {
	uint8_t rev;
	uint8_t num_auths;
	uint8_t id_auth[6];
	uint32_t sub_auths[CA_SID_MAX_SUBAUTH];
};

/* Template flags the CA acts on (MS-CRTD 2.26-2.28). */
#define CA_ENROLL_PEND_ALL_REQUESTS		0x00000002u
#define CA_ENROLL_PUBLISH_TO_DS			0x00000008u
#define CA_ENROLL_INCLUDE_BASIC_CONSTRAINTS	0x00008000u
#define CA_ENROLL_NO_SECURITY_EXTENSION		0x00080000u

#define CA_NAME_ENROLLEE_SUPPLIES_SUBJECT	0x00000001u
#define CA_NAME_ENROLLEE_SUPPLIES_SAN		0x00010000u
#define CA_NAME_ALT_REQUIRE_DIRECTORY_GUID	0x01000000u
#define CA_NAME_ALT_REQUIRE_UPN			0x02000000u
#define CA_NAME_ALT_REQUIRE_EMAIL		0x04000000u
#define CA_NAME_ALT_REQUIRE_DNS			0x08000000u
#define CA_NAME_SUBJECT_REQUIRE_DNS_AS_CN	0x10000000u
#define CA_NAME_SUBJECT_REQUIRE_EMAIL		0x20000000u
#define CA_NAME_SUBJECT_REQUIRE_COMMON_NAME	0x40000000u
#define CA_NAME_SUBJECT_REQUIRE_DIRECTORY_PATH	0x80000000u

/* HRESULTs not (yet) in ae_hresult.h (winerror.h values). */
#define CA_CERTSRV_E_SUBJECT_UPN_REQUIRED	0x8009480Du
#define CA_CERTSRV_E_SUBJECT_EMAIL_REQUIRED	0x80094812u
#define CA_ERROR_INVALID_DATA			0x8007000Du
#define CA_E_UNEXPECTED				0x8000FFFFu
#define CA_E_OUTOFMEMORY			0x8007000Eu

/* The authenticated caller, from the RPC session. */
struct ca_caller {
	const char *name;	/* "DOMAIN\account", for logs only */
	uint32_t auth_level;	/* DCERPC_AUTH_LEVEL_* (6 = privacy) */
	struct ca_sid *sids;	/* sids[0] is the account, then groups */
	size_t num_sids;
};

/* One pKICertificateTemplate object, as the CA needs it. */
struct ca_template {
	const char *cn;
	const char *oid;		/* msPKI-Cert-Template-OID, or NULL */
	uint32_t schema_version;	/* msPKI-Template-Schema-Version (absent: 1) */
	uint32_t revision;		/* major version */
	uint32_t minor_revision;
	uint32_t flags;
	uint32_t name_flags;		/* msPKI-Certificate-Name-Flag */
	uint32_t enrollment_flags;	/* msPKI-Enrollment-Flag */
	uint32_t min_key_size;		/* msPKI-Minimal-Key-Size (0: none) */
	int64_t validity_seconds;	/* from pKIExpirationPeriod */
	const char **eku;		/* pKIExtendedKeyUsage */
	size_t num_eku;
	const char **app_policies;	/* msPKI-Certificate-Application-Policy */
	size_t num_app_policies;
	const char **critical;		/* pKICriticalExtensions */
	size_t num_critical;
	uint8_t key_usage[2];		/* pKIKeyUsage */
	size_t key_usage_len;		/* 0: no KeyUsage extension */
	const uint8_t *sd;		/* nTSecurityDescriptor (binary) or NULL */
	size_t sd_len;
};

/* The caller's AD object (looked up by objectSid). */
struct ca_account {
	const char *dn;
	const char *cn;
	const char *sam_account_name;
	const char *dns_host_name;	/* NULL when absent */
	const char *upn;		/* NULL when absent */
	const char *mail;		/* NULL when absent */
	struct ca_sid sid;
	uint8_t guid[16];		/* objectGUID (zero when absent) */
	bool has_guid;
};

/*
 * What the CA reads from AD, fresh on every request. Each function returns
 * AE_OK with its output on mem_ctx, AE_ERR_NOT_FOUND when the object does not
 * exist, or another error when the directory cannot be read.
 */
struct ca_directory {
	void *priv;
	/* certificateTemplates of CN=<ca_name>,CN=Enrollment Services,... */
	ae_err (*service_templates)(void *priv, TALLOC_CTX *mem_ctx, const char *ca_name,
				    const char ***_names, size_t *_num);
	/* a template by cn (by_oid false) or by msPKI-Cert-Template-OID */
	ae_err (*find_template)(void *priv, TALLOC_CTX *mem_ctx, const char *key, bool by_oid,
				struct ca_template **_t);
	/* the object whose objectSid is sid */
	ae_err (*find_account)(void *priv, TALLOC_CTX *mem_ctx, const struct ca_sid *sid,
			       struct ca_account **_a);
	/*
	 * Add a DER certificate to the userCertificate values of the object
	 * dn (CT_FLAG_PUBLISH_TO_DS, [MS-CRTD] 2.26);
	 * a value already there is left alone. NULL: the directory cannot be
	 * written (publishing is then logged as failed).
	 */
	ae_err (*publish_user_cert)(void *priv, const char *dn, const uint8_t *der, size_t len);
};

/* ca_sid.c */
bool ca_sid_equal(const struct ca_sid *a, const struct ca_sid *b);
/* "S-1-5-21-..." on mem_ctx, NULL on allocation failure. */
char *ca_sid_string(TALLOC_CTX *mem_ctx, const struct ca_sid *sid);
/* Parse "S-1-..." (at most CA_SID_STRING_MAX chars); AE_ERR_PARSE otherwise. */
ae_err ca_sid_from_string(const char *s, struct ca_sid *_sid);
/*
 * Binary SID at p (len bytes available): revision 1, at most 15 sub
 * authorities. *_used gets the bytes consumed (trailing bytes are the
 * caller's business: a SID inside an ACE is followed by padding).
 */
ae_err ca_sid_pull(const uint8_t *p, size_t len, struct ca_sid *_sid, size_t *_used);
/* true if sid is one of the caller's token SIDs */
bool ca_caller_has_sid(const struct ca_caller *caller, const struct ca_sid *sid);

#endif
