/*
 * ae_polsrv_local.h: the locally configured enrollment policy servers (the
 * equivalent of Windows' Add-CertificateEnrollmentPolicyServer), managed
 * by `autoenroll policy-server add|list|remove` and used by the machine's
 * cycle together with the GPO's PolicyServers unless the GPO forbids it
 * (EnrollmentPolicyFlags 0x4, DisableUserServerList).
 *
 * The file: <state dir>/autoenroll/policy-servers.conf, root-owned, mode
 * 0600, written atomically. One server per line, '#' comments and empty
 * lines ignored:
 *
 *   server url=<https URL> policy-id=<ID> auth=kerberos|password|certificate
 *          cost=<0..4294967295> [credential=<absolute path>] [ca-file=<absolute path>]
 *
 * (on one line; fields separated by one or more blanks, each at most once,
 * in any order; values without blanks or control characters). Its
 * PolicyID groups end points of one policy server (failover in cost
 * order); without --policy-id the URL itself is the ID (its own group).
 */
#ifndef AE_POLSRV_LOCAL_H
#define AE_POLSRV_LOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <talloc.h>
#include "ae_error.h"

struct ae_session;

#define AE_POLSRV_LOCAL_FILE	"policy-servers.conf"
#define AE_POLSRV_LOCAL_MAX	64		/* servers in the file */
#define AE_POLSRV_LOCAL_FILE_MAX (64u * 1024u)	/* bytes of the file */
#define AE_POLSRV_LOCAL_COST_DEFAULT 100u
#define AE_POLSRV_VALUE_MAX	2048u		/* bytes of one value */

struct ae_polsrv_local {
	char *url;
	char *policy_id;
	uint32_t cost;
	uint32_t auth;			/* AE_XCEP_AUTH_* */
	char *credential_file;		/* NULL when none */
	char *ca_file;			/* pinned CA, NULL when none */
};

struct ae_polsrv_localconf {
	char *path;			/* the file */
	struct ae_polsrv_local *servers;
	size_t num_servers;
};

/* "kerberos" / "password" / "certificate" <-> AE_XCEP_AUTH_*; 0 / NULL when unknown. */
uint32_t ae_polsrv_auth_parse(const char *name);
const char *ae_polsrv_auth_name(uint32_t auth);

/*
 * Pure: the file's text into servers (array on mem). AE_ERR_PARSE with why
 * naming the line and the field; AE_ERR_TOO_LARGE above the caps.
 */
ae_err ae_polsrv_local_parse(TALLOC_CTX *mem, const uint8_t *p, size_t len,
			     struct ae_polsrv_local **_servers, size_t *_num,
			     char *why, size_t why_len);

/* Pure: the file's text for servers (NUL-terminated, on mem). */
char *ae_polsrv_local_format(TALLOC_CTX *mem, const struct ae_polsrv_local *servers, size_t num);

/* Pure: a URL we accept (https://host[:port]/path, no blanks, controls, userinfo or fragment). */
bool ae_polsrv_url_valid(const char *url, char *why, size_t why_len);

/* <state dir>/autoenroll/policy-servers.conf of the session's smb.conf, on mem. */
char *ae_polsrv_local_path(TALLOC_CTX *mem, const struct ae_session *s);

/*
 * Read the file (a missing file is an empty list). It must be a regular
 * file owned by root and not writable by group or others (read without
 * following a symbolic link). AE_ERR_CONFIG with why naming the file.
 */
ae_err ae_polsrv_local_load(TALLOC_CTX *mem, const char *path,
			    struct ae_polsrv_localconf **_c, char *why, size_t why_len);

/* Write c back atomically, mode 0600 (the directory is created 0711 when missing). */
ae_err ae_polsrv_local_save(const struct ae_polsrv_localconf *c, char *why, size_t why_len);

/*
 * Add (or replace the entry with the same URL and auth) / remove every
 * entry whose URL or policy ID is key (*_removed: how many).
 */
ae_err ae_polsrv_local_add(struct ae_polsrv_localconf *c, const struct ae_polsrv_local *e);
ae_err ae_polsrv_local_remove(struct ae_polsrv_localconf *c, const char *key, size_t *_removed);

/*
 * `policy-server add`: check what an entry references before it is saved:
 * the credential file as the cycle will read it (root-only, the format its
 * auth needs) and the CA file (PEM certificates). AE_ERR_CREDENTIALS /
 * AE_ERR_INVALID with why naming the file.
 */
ae_err ae_polsrv_local_check(const struct ae_polsrv_local *e, char *why, size_t why_len);

/* `policy-server list`: text or a JSON array (the secrets are never read). */
ae_err ae_polsrv_local_print(FILE *f, const struct ae_polsrv_localconf *c, bool json);

#endif
