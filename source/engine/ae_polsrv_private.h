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

#endif
