/*
 * ae_polsrv_private.h: the parts of the policy-server module (ae_polsrv*.c)
 * that are pure or file-level, exposed for each other and the unit tests.
 */
#ifndef AE_POLSRV_PRIVATE_H
#define AE_POLSRV_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <talloc.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "ae_error.h"
#include "ae_polsrv.h"

struct ae_https_opts;

/* ---- ae_polsrv_auth.c ---- */

/*
 * Read a credential file: its directory owned by root or owner and not
 * writable by group/others; the file a regular file (a symbolic link is
 * refused, never followed) owned by owner, no access for group/others, at
 * most 64 KiB. *_data (NUL-terminated, wiped when freed) on mem.
 * AE_ERR_CREDENTIALS with why naming the file and the cause.
 */
ae_err ae_polsrv_secret_read(TALLOC_CTX *mem, const char *path, uid_t owner,
			     uint8_t **_data, size_t *_len, char *why, size_t why_len);

/*
 * The password file's two lines: user name, password (final newline
 * optional, nothing else). *_password wiped when freed. AE_ERR_PARSE.
 */
ae_err ae_polsrv_password_parse(TALLOC_CTX *mem, const char *p, size_t len,
				char **_user, char **_password, char *why, size_t why_len);

/*
 * PEM: a private key and its certificate (then intermediates). The objects
 * live as long as a holder on mem. AE_ERR_PARSE, AE_ERR_MISMATCH.
 */
ae_err ae_polsrv_cert_parse(TALLOC_CTX *mem, const uint8_t *p, size_t len,
			    EVP_PKEY **_key, X509 **_cert, STACK_OF(X509) **_chain,
			    char *why, size_t why_len);

/*
 * A domain member's cycle: the roots of CN=Certification Authorities (read
 * over the session's sealed LDAP) into <run dir>/ad-roots.pem, which the
 * HTTPS options' trust bundle includes (the AD roots trusted for CEP/CES
 * TLS before the cycle's trust export has run).
 */
ae_err ae_polsrv_save_ad_roots(struct ae_session *s, char *why, size_t why_len);

/* ae_polsrv_https_opts with the cause in why instead of the log. */
ae_err ae_polsrv_https_opts_why(TALLOC_CTX *mem, const struct ae_session *s,
				const struct ae_polsrv *ps, uint32_t auth,
				struct ae_https_opts *_opts, char **_username, char **_password,
				char *why, size_t why_len);

/* ---- ae_polsrv_select.c ---- */

struct ae_aesettings;
struct ae_polsrv_local;

struct ae_polsrv_select_in {
	const struct ae_aesettings *settings;	/* merged GPO settings; NULL: none */
	bool joined;				/* a domain member: the AD policy exists */
	const struct ae_polsrv_local *local;	/* the local configuration */
	size_t num_local;
	const char *local_origin;		/* its file, for messages */
	bool local_allowed;			/* false in the user context */
};

/*
 * Pure: the policy servers of a cycle in the order to traverse them:
 * enabled groups (best cost first), each group's end points by cost,
 * state STANDBY; then every end point not traversed, DISABLED with the
 * reason in note. *_servers (talloc array owning its strings) on mem.
 */
ae_err ae_polsrv_select(TALLOC_CTX *mem, const struct ae_polsrv_select_in *in,
			struct ae_polsrv **_servers, size_t *_num);

/* Is the AD policy among the traversed servers? */
bool ae_polsrv_uses_ad(const struct ae_polsrv *servers, size_t num);

/* One past the last member of the group that starts at first. */
size_t ae_polsrv_group_end(const struct ae_polsrv *servers, size_t num, size_t first);

/* "default", "gpo", "local" */
const char *ae_polsrv_origin_name(enum ae_polsrv_origin o);

/* ---- ae_polsrv_map.c ---- */

struct ae_policy_report;
struct ae_template;
struct ae_enrollment_service;
struct ae_eligibility;
struct ae_xcep_response;

/* [MS-WCCE] 3.1.1.4.1.1 sanitized CA name (at most 64 characters kept). */
char *ae_polsrv_sanitize_cn(TALLOC_CTX *mem, const char *cn);

/* The host of an https:// URL, or NULL. */
char *ae_polsrv_url_host(TALLOC_CTX *mem, const char *url);

/*
 * The response's CAs as Enrollment Services of server index server
 * (xcep_ca points into resp: resp must outlive them). Array on mem.
 */
ae_err ae_polsrv_xcep_cas(TALLOC_CTX *mem, const struct ae_xcep_response *resp, size_t server,
			  struct ae_enrollment_service ***_cas, size_t *_num);

/*
 * Append server's templates[0..n) with their eligibility elig[0..n)
 * (computed against its own CAs; its strings must be owned by r) and its
 * CAs to r; a template cn r already has is left out and noted in
 * r->errors. Sets r->servers[server].first_template / num_templates.
 */
ae_err ae_polsrv_report_add(struct ae_policy_report *r, size_t server,
			    struct ae_template *const *templates, size_t n,
			    struct ae_enrollment_service *const *cas, size_t num_cas,
			    const struct ae_eligibility *elig);

/* ---- ae_polsrv_cache.c ---- */

struct ae_polsrv_cache;

/* Open (create 0700) the cache directory; it must be ours, no group/other access. */
ae_err ae_polsrv_cache_open(TALLOC_CTX *mem, const char *dir, struct ae_polsrv_cache **_c,
			    char *why, size_t why_len);

/*
 * The cached body for policy_id, when and from which end point URL it was
 * fetched; AE_ERR_NOT_FOUND, AE_ERR_PARSE.
 */
ae_err ae_polsrv_cache_get(TALLOC_CTX *mem, struct ae_polsrv_cache *c, const char *policy_id,
			   uint8_t **_body, size_t *_len, time_t *_fetched, char **_url);

/* Store body (atomically, 0600) as fetched at fetched from url. */
ae_err ae_polsrv_cache_put(struct ae_polsrv_cache *c, const char *policy_id, time_t fetched,
			   const char *url, const uint8_t *body, size_t len);

/* Still within nextUpdateHours (0: never)? */
bool ae_polsrv_cache_fresh(time_t fetched, uint32_t next_update_hours, time_t now);

/* ---- ae_polsrv_fetch.c ---- */

struct ae_https_response;
struct tevent_context;

/* ae_https_post's shape (the test replaces it). */
typedef ae_err (*ae_polsrv_post_fn)(TALLOC_CTX *mem, struct tevent_context *ev, const char *url,
				    const struct ae_https_opts *o, const uint8_t *body,
				    size_t body_len, struct ae_https_response **_resp,
				    char *why, size_t why_len);

/*
 * The request xml (ours, "<s:Header>" present) with a WS-Security
 * UsernameToken (PasswordText) in its header; the output is wiped when freed.
 */
ae_err ae_polsrv_add_username_token(TALLOC_CTX *mem, const char *xml, size_t len,
				    const char *user, const char *password,
				    char **_out, size_t *_out_len);

/*
 * GetPolicies to ps->url with ps->auth. AE_OK: *_resp and the raw body (for
 * the cache) on mem. Else why names the cause: AE_ERR_TRANSPORT /
 * AE_ERR_UNTRUSTED / AE_ERR_CREDENTIALS (try the next end point),
 * AE_ERR_PARSE (a fault or a bad answer: the server failed).
 */
ae_err ae_polsrv_fetch(TALLOC_CTX *mem, struct ae_session *s, const struct ae_polsrv *ps,
		       ae_polsrv_post_fn post, struct ae_xcep_response **_resp,
		       uint8_t **_body, size_t *_len, char *why, size_t why_len);

/* Does err let the next end point of the group be tried? */
bool ae_polsrv_fetch_failover(ae_err err);

/* ---- ae_polsrv_group.c ---- */

/* Reads the AD policy (templates, Enrollment Services, eligibility) for server index k. */
typedef ae_err (*ae_polsrv_read_ad_fn)(struct ae_session *s, struct ae_policy_report *r,
				       size_t k);

struct ae_polsrv_io {
	ae_polsrv_post_fn post;
	ae_polsrv_read_ad_fn read_ad;
	time_t now;
	const char *cache_dir;		/* NULL: <run dir>/xcep */
	const char *local_file;		/* NULL: ae_polsrv_local_path() */
	/* a member with LDAP and an XCEP server to ask: ae_polsrv_save_ad_roots, or NULL */
	ae_err (*save_ad_roots)(struct ae_session *s, char *why, size_t why_len);
};

/* ae_polsrv_collect with the I/O given. */
ae_err ae_polsrv_collect_io(struct ae_session *s, struct ae_policy_report *r,
			    const struct ae_polsrv_io *io);

/* ---- ae_polsrv.c ---- */

/*
 * The AutoEnrollment settings of a workgroup machine (no Group Policy):
 * AEPolicy 7 (enroll, manage, pending), OfflineExpirationPercent 10, no
 * PolicyServers end points (the local configuration is the list).
 */
struct ae_aesettings *ae_polsrv_workgroup_settings(TALLOC_CTX *mem);

/* ---- ae_policy_report.c ---- */

/* The AD policy (LDAP) into r as server k's templates and CAs. */
ae_err ae_policy_read_ad(struct ae_session *s, struct ae_policy_report *r, size_t k);

#endif
