/*
 * ae_xcep.h: MS-XCEP (X.509 Certificate Enrollment Policy) messages: the
 * GetPolicies request body ([MS-XCEP] 3.1.4.1.1.1) and the
 * GetPoliciesResponse ([MS-XCEP] 3.1.4.1.1.2, types 3.1.4.1.3.x) mapped onto
 * the template model of ae_template.h, the one the LDAP policy produces.
 *
 * Mapping of a policy's Attributes (3.1.4.1.3.1) onto struct ae_template:
 *   commonName -> cn; policySchema -> schema_version; revision -> major /
 *   minor_revision; certificateValidity -> expiration_s / overlap_s;
 *   permission -> xcep_permission (AE_TPL_HAS_XCEP_PERMISSION);
 *   privateKeyAttributes: minimalKeyLength -> min_key_size, keySpec ->
 *   default_key_spec, keyUsageProperty -> ra.key_usage, algorithmOIDReference
 *   -> key_algorithm_oid, cryptoProviders -> csps;
 *   supersededPolicies -> supersede; privateKeyFlags, subjectNameFlags,
 *   enrollmentFlags, generalFlags -> private_key_flag, name_flag,
 *   enrollment_flag, flags; hashAlgorithmOIDReference -> hash_algorithm_oid
 *   (and ra.hash_algorithm "SHA256"... for the SHA-1/SHA-2 OIDs);
 *   rARequirements -> ra_signatures, ra_app_policies (rAEKUs), ra_policies;
 *   extensions -> extensions; policyOIDReference -> oid, its defaultName ->
 *   display_name; cAReferences -> ca_refs. dn and sd stay NULL.
 */
#ifndef AE_XCEP_H
#define AE_XCEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_template.h"

#define AE_XCEP_NS	"http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy"
#define AE_XCEP_ACTION_GET_POLICIES \
	"http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies"

/* Caps on a response. */
#define AE_XCEP_POLICIES_MAX	1024
#define AE_XCEP_CAS_MAX		64
#define AE_XCEP_URIS_MAX	16	/* per CA */
#define AE_XCEP_OIDS_MAX	4096
#define AE_XCEP_LIST_MAX	64	/* cAReferences, extensions, superseded, OIDs of a list */
#define AE_XCEP_URI_MAX		2048	/* bytes of a URI */
#define AE_XCEP_CERT_MAX	65536	/* bytes of a CA certificate */
#define AE_XCEP_EXT_MAX		65536	/* bytes of an extension value */

/* ClientAuthentication of a CAURI ([MS-XCEP] 3.1.4.1.3.4). */
#define AE_XCEP_AUTH_ANONYMOUS	1u
#define AE_XCEP_AUTH_KERBEROS	2u
#define AE_XCEP_AUTH_PASSWORD	4u
#define AE_XCEP_AUTH_CERTIFICATE 8u

/* One end point of a CA (CAURI, 3.1.4.1.3.4). */
struct ae_xcep_uri {
	uint32_t client_auth;	/* AE_XCEP_AUTH_* */
	char *uri;		/* the CES URL, "https://" only */
	uint32_t priority;	/* lower first */
	bool renewal_only;
};

/*
 * One CA of the response (CA, 3.1.4.1.3.2). Kept apart from
 * ae_enrollment_service (an LDAP object with a host name and a cn used as
 * the MS-ICPR authority): an XCEP CA is a set of CES URLs and a certificate,
 * named by its reference ID.
 */
struct ae_xcep_ca {
	int32_t ref_id;		/* cAReferenceID */
	struct ae_xcep_uri *uris;
	size_t num_uris;
	uint8_t *cert;		/* DER; NULL when the response carries none */
	size_t cert_len;
	bool enroll_permission;
};

/* One OID of the response (OID, 3.1.4.1.3.16). */
struct ae_xcep_oid {
	int32_t ref_id;		/* oIDReferenceID */
	char *value;		/* dotted decimal */
	uint32_t group;
	char *default_name;	/* NULL when absent */
};

/* A GetPoliciesResponse. templates[i] belongs to the response. */
struct ae_xcep_response {
	char *policy_id;		/* Response.policyID */
	char *friendly_name;		/* policyFriendlyName, NULL when nil */
	uint32_t next_update_hours;	/* 0 when nil */
	bool has_next_update;
	bool policies_not_changed;
	struct ae_template **templates;
	size_t num_templates;
	struct ae_xcep_ca *cas;
	size_t num_cas;
	struct ae_xcep_oid *oids;
	size_t num_oids;
};

/*
 * Parse a SOAP 1.2 envelope whose Body is a GetPoliciesResponse (or the bare
 * GetPoliciesResponse element as the document element: a saved response).
 * Refused (AE_ERR_PARSE, why names the element): the XML layer's refusals,
 * a wrong namespace, a missing required element, a number out of range, an
 * oIDReference or cAReference naming nothing in the response, two CAs or
 * OIDs with the same reference ID, a CA URI that is not https. Counts above
 * the caps: AE_ERR_TOO_LARGE. *out set only on success.
 */
ae_err ae_xcep_parse_response(TALLOC_CTX *mem, const uint8_t *p, size_t len,
			      struct ae_xcep_response **out, char *why, size_t why_len);

/* The CA with reference id, NULL when none. */
const struct ae_xcep_ca *ae_xcep_find_ca(const struct ae_xcep_response *r, int32_t id);

/*
 * The GetPolicies request: a SOAP 1.2 envelope with the WS-Addressing
 * Action and To headers and the body of [MS-XCEP] 3.1.4.1.1.1:
 * client/lastUpdate (last_update as xs:dateTime UTC, nil when 0),
 * client/preferredLanguage nil, requestFilter with policyOIDs nil and
 * clientVersion / serverVersion set (a server hides templates newer than
 * the versions, and hides those of schema > 2 when they are nil).
 * to is the policy server URL (https). *xml is a NUL-terminated string on
 * mem, *xml_len its length.
 */
ae_err ae_xcep_build_request(TALLOC_CTX *mem, const char *to, uint32_t client_version,
			     uint32_t server_version, int64_t last_update,
			     char **xml, size_t *xml_len);

#endif
