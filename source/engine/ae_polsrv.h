/*
 * ae_polsrv.h: the enrollment policy servers of a cycle: the AD policy
 * (URL "LDAP:": templates and Enrollment Services over LDAP, requests over
 * MS-ICPR) and MS-XCEP policy servers (GetPolicies over HTTPS, requests
 * over MS-WSTEP to the CES URIs of their CAs), from the GPOs'
 * PolicyServers key and from the local configuration (`autoenroll
 * policy-server add`, the equivalent of Windows'
 * Add-CertificateEnrollmentPolicyServer).
 *
 * Which servers a cycle uses ([MS-CAESO] 4.4.5.3.2.2-4 as Windows
 * does it): end points grouped by PolicyID, each group ordered by cost;
 * a group is traversed only when enabled (Flags 0x10); the AD group only
 * when its PolicyID is this forest's; within a group the first end point
 * that answers serves the group (failover on connection errors, each
 * failure noted); every enabled group contributes its templates.
 */
#ifndef AE_POLSRV_H
#define AE_POLSRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <talloc.h>
#include "ae_error.h"

struct ae_session;
struct ae_policy_report;
struct ae_xcep_response;
struct ae_https_opts;

enum ae_polsrv_kind {
	AE_POLSRV_AD = 0,	/* "LDAP:" */
	AE_POLSRV_XCEP,		/* https:// CEP */
};

enum ae_polsrv_origin {
	AE_POLSRV_FROM_DEFAULT = 0,	/* no PolicyServers at all: the AD policy */
	AE_POLSRV_FROM_GPO,
	AE_POLSRV_FROM_LOCAL,		/* the local configuration */
};

enum ae_polsrv_state {
	AE_POLSRV_USED = 0,	/* its policy was read (or taken from the cache) */
	AE_POLSRV_STANDBY,	/* another end point of its group served the group */
	AE_POLSRV_FAILED,	/* tried and failed: note says why */
	AE_POLSRV_DISABLED,	/* not traversed: group disabled, wrong forest, forbidden */
};

struct ae_polsrv {
	enum ae_polsrv_kind kind;
	enum ae_polsrv_origin origin;
	char *origin_name;		/* "GPO <name> {GUID}", the local file, or "default" */
	char *url;			/* "LDAP:" or the CEP's https:// URL */
	char *policy_id;		/* PolicyID of its group */
	char *friendly_name;		/* or NULL */
	uint32_t cost;
	uint32_t flags;			/* AE_PSF_* (ae_aesettings.h) */
	uint32_t auth;			/* AE_XCEP_AUTH_* (ae_xcep.h): how we authenticate */
	char *credential_file;		/* password: a root-only file; certificate: PEM key+cert */
	char *pinned_ca_file;		/* PEM: the only anchors for its TLS certificates */
	/* what the cycle did with it */
	enum ae_polsrv_state state;
	char *note;			/* why that state; each failed attempt */
	struct ae_xcep_response *xcep;	/* XCEP: the policy used, else NULL */
	bool from_cache;		/* the cached response, still within nextUpdateHours */
	time_t fetched;			/* when that response was fetched */
	size_t first_template;		/* its templates: report->templates[first, first+n) */
	size_t num_templates;
};

/*
 * The HTTPS options and, for password authentication, the UsernameToken
 * credentials for talking to a server of ps (its CEP, or a CES URI of one
 * of its CAs) with the authentication auth (AE_XCEP_AUTH_*): Kerberos with
 * the session's credentials (machine or user ccache), a password read from
 * ps->credential_file (root-only: owner and mode checked, never logged),
 * or the certificate of ps->credential_file; the trust anchors the
 * session's configuration exports, or ps->pinned_ca_file. Outputs on mem,
 * set only on success; AE_ERR_CREDENTIALS names the file and the cause.
 */
ae_err ae_polsrv_https_opts(TALLOC_CTX *mem, const struct ae_session *s,
			    const struct ae_polsrv *ps, uint32_t auth,
			    struct ae_https_opts *_opts, char **_username, char **_password);

/*
 * The policy servers of the session (GPO settings in r->settings, the
 * local configuration), their policies fetched or taken from the cache,
 * and their templates and CAs added to r (templates[], cas[],
 * eligibility[]), r->servers set. AE_OK when at least the servers that
 * could be read were; failures of single servers are in their note and in
 * r->errors.
 */
ae_err ae_polsrv_collect(struct ae_session *s, struct ae_policy_report *r);

const char *ae_polsrv_state_name(enum ae_polsrv_state st);

#endif
