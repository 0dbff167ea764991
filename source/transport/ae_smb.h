/*
 * ae_smb.h: read one file from an SMB share into memory (SYSVOL: GPT.INI,
 * Machine/Registry.pol) with libsmbclient.
 *
 * Security: Kerberos only, from the default ccache of the process
 * (KRB5CCNAME, as for LDAP; no password, no NTLM fallback, no anonymous
 * login); SMB2 or later; signing REQUIRED (libsmbclient 4.17 connects with
 * SMB_SIGNING_REQUIRED whenever the context's encryption level is not
 * "none"; we ask for level "request", so SMB3 servers also encrypt, and an
 * unsigned session is refused by the client).
 *
 * Configuration: libsmbclient keeps its smb.conf state per process. The
 * context loads a private configuration (an in-memory file) instead of
 * smb.conf: only the settings above, "name resolve order = host" (DNS and
 * /etc/hosts: no NetBIOS broadcast), and the cache/lock/state directories
 * when the caller names one. Open at most one struct ae_smb at a time.
 *
 * UNC paths: GPOs name SYSVOL by the domain (\\lab.example.com\SysVol\...);
 * connect to a DC host name instead (Kerberos needs cifs/<host>), keeping
 * share and path.
 */
#ifndef AE_SMB_H
#define AE_SMB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_net_timeout.h"

/* connect and each SMB request: autoenroll:network timeout (ae_net_timeout.h) */
#define AE_SMB_TIMEOUT_MS	(ae_net_timeout() * 1000u)
#define AE_SMB_UNC_MAX		1024	/* bytes of a UNC path */
#define AE_SMB_SHARE_MAX	80	/* bytes of a share name */
#define AE_SMB_HOST_MAX		253	/* bytes of a server name */
#define AE_SMB_FILE_MAX		(64u * 1024u * 1024u)	/* largest 'max' accepted */

struct ae_smb;

struct ae_smb_options {
	const char *user;	/* account name for the auth callback, e.g. "MEMBER1$";
				 * the ticket's client principal is what counts */
	const char *workgroup;	/* NULL: none */
	const char *cache_dir;	/* NULL: ae_smb_set_default_cache_dir's, else
				 * libsmbclient's built-in directories */
};

struct ae_smb_stat {
	bool exists;
	uint64_t size;
	time_t mtime;
};

/*
 * A libsmbclient context as described above, on mem_ctx (freeing it closes
 * its connections). Nothing is sent yet.
 * Errors: AE_ERR_INVALID (no user), AE_ERR_TRANSPORT (libsmbclient refused
 * to initialise; 'why' says so), AE_ERR_NOMEM.
 */
ae_err ae_smb_open(TALLOC_CTX *mem_ctx, const struct ae_smb_options *opts,
		   struct ae_smb **_ctx, char *why, size_t why_len);

/*
 * Read //server/share/path (path separators '/' or '\', no "." or ".."
 * component) into *_data (a talloc array of *_len bytes on mem_ctx, plus
 * one NUL byte not counted). At most 'max' bytes (<= AE_SMB_FILE_MAX).
 *
 * Errors, each with 'why' naming //server/share/path and the errno:
 * AE_ERR_NOT_FOUND (no such file, directory or share), AE_ERR_TOO_LARGE (more
 * than max bytes), AE_ERR_CREDENTIALS (access denied, or the Kerberos
 * session could not be set up: no ticket, no cifs/<server> principal, an
 * address given as server), AE_ERR_TRANSPORT (server unreachable, signing
 * refused, timeout, other errors), AE_ERR_INVALID, AE_ERR_NOMEM.
 */
ae_err ae_smb_fetch(TALLOC_CTX *mem_ctx, struct ae_smb *ctx, const char *server,
		    const char *share, const char *path, size_t max,
		    uint8_t **_data, size_t *_len, char *why, size_t why_len);

/*
 * Whether //server/share/path exists, and its size and modification time.
 * A missing file is AE_OK with exists = false; the other errors are those
 * of ae_smb_fetch(). *_st is set only on AE_OK.
 */
ae_err ae_smb_stat(struct ae_smb *ctx, const char *server, const char *share,
		   const char *path, struct ae_smb_stat *_st, char *why, size_t why_len);

/* ae_smb_fetch() calls that went to the server (successful or not). */
unsigned ae_smb_read_count(const struct ae_smb *ctx);

/*
 * Split a UNC path "\\server\share[\path...]" (or with '/') into server,
 * share (lowercased: share names are case-insensitive) and path (components
 * joined by '/', "" when none), each on mem_ctx. Server 1..AE_SMB_HOST_MAX
 * bytes, share 1..AE_SMB_SHARE_MAX, the whole at most AE_SMB_UNC_MAX; empty
 * components (but one trailing separator), "." and "..", and control bytes
 * are refused: AE_ERR_PARSE. Outputs set only on success.
 */
ae_err ae_unc_split(TALLOC_CTX *mem_ctx, const char *unc, char **_server, char **_share,
		    char **_path);

/*
 * The cache/lock/state directory of every later ae_smb_open whose options
 * give none (NULL: libsmbclient's built-in ones again). The user context
 * sets its own directory: libsmbclient's gencache.tdb and locks must not
 * be looked for in root's directories. AE_ERR_INVALID for a relative path
 * or one with a line break.
 */
ae_err ae_smb_set_default_cache_dir(const char *dir);

#endif
