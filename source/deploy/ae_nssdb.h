/*
 * ae_nssdb.h: the store's certificates and keys deployed into a user's
 * shared NSS database (the "sql:" cert9.db/key4.db pair Chromium and
 * Evolution read), with NSS's own library.
 *
 * The store stays the source of truth: a sync makes the database hold
 * exactly the current certificate and private key of each template it is
 * given and nothing older of ours. Ours are the certificates whose
 * nickname is "<template> (autoenroll)" and the private keys whose
 * CKA_ID is the key id of such a certificate (NSS's key id: the SHA-1 of
 * the RSA modulus or the EC point, the id it links a certificate and its
 * key by) or whose label is such a nickname. Anything else in the
 * database (other certificates, other keys, trust, modules) is never
 * touched; a key that a foreign certificate also uses stays. A wanted
 * certificate already there under somebody else's nickname counts as
 * there (NSS would keep that name; only its key is added when missing).
 *
 * NSS runs in its own context (NSS_InitContext without a database, then
 * the user's database opened as its own slot with SECMOD_OpenUserDB and
 * closed again), so nothing is left initialised in the process, calls can
 * be repeated, and OpenSSL/GnuTLS in the same process are not affected.
 * A database protected by a password is skipped (AE_ERR_CREDENTIALS):
 * nothing prompts. Key material stays in memory (never a command line, a
 * log or a temporary file) and is imported as an unencrypted PKCS#8
 * PrivateKeyInfo (RFC 5208 §5) into the token, which stores it encrypted
 * under the database's (empty) password as NSS always does.
 *
 * This layer uses only util.
 */
#ifndef AE_NSSDB_H
#define AE_NSSDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

#define AE_NSSDB_SUFFIX " (autoenroll)"	/* our nicknames: "<template> (autoenroll)" */
#define AE_NSSDB_ENTRIES_MAX 256	/* templates per sync */
#define AE_NSSDB_DER_MAX (1024 * 1024)	/* a certificate or a key */
#define AE_NSSDB_PATH_MAX 1024

/* What the store holds for one template. */
struct ae_nssdb_entry {
	const char *name;		/* the template (the store's name for it) */
	/*
	 * The current pair: a DER certificate and its unencrypted PKCS#8
	 * PrivateKeyInfo. Both NULL: the store holds no certificate for the
	 * template, ours are removed. unknown: the store's files could not be
	 * read this time; what is there for the template is left as it is.
	 */
	const uint8_t *cert_der;
	size_t cert_len;
	const uint8_t *key_der;
	size_t key_len;
	bool unknown;
};

struct ae_nssdb_result {
	unsigned kept;		/* templates whose pair was already there */
	unsigned added;		/* certificates imported (each with its key) */
	unsigned removed;	/* our certificates removed: older ones, templates gone */
	unsigned removed_keys;	/* our private keys removed with them */
	bool created;		/* the database did not exist and was created */
	bool changed;		/* anything was written */
};

/*
 * The user's shared NSS database under home (absolute), as NSS itself
 * chooses it (nsssysinit, NSS >= 3.42): <home>/.pki/nssdb when that
 * directory exists, else <home>/.local/share/pki/nssdb (XDG_DATA_HOME is
 * not consulted: the cycle runs from PAM or a timer, not in the user's
 * session environment). With create, the missing directories below home
 * are made (0700, each opened with O_NOFOLLOW: no component may be a
 * symbolic link). On mem_ctx; why names the directory and the cause.
 */
ae_err ae_nssdb_user_dir(TALLOC_CTX *mem_ctx, const char *home, bool create, char **_dir,
			 char *why, size_t why_len);

/*
 * Make the database in dir (an existing directory; an empty sql: database
 * is created in it when there is none) hold exactly the entries' pairs
 * among ours, as described above. Reads first, read-only: when everything
 * is already there, nothing is written (res->changed false). A renewal
 * imports the new pair, then removes the old certificate and its key.
 * Errors (why names the database and the cause, never key material):
 * AE_ERR_CREDENTIALS the database has a password; AE_ERR_INVALID a bad
 * argument (a path NSS could not be given, a template name that is not a
 * nickname, more than AE_NSSDB_ENTRIES_MAX entries); AE_ERR_PARSE a
 * certificate or key NSS refuses; AE_ERR_MISMATCH a key that is not the
 * certificate's; AE_ERR_IO anything NSS could not open or write. res is
 * filled with what was done up to the failure.
 */
ae_err ae_nssdb_sync(const char *dir, const struct ae_nssdb_entry *entries, size_t n,
		     struct ae_nssdb_result *res, char *why, size_t why_len);

/* A certificate in the database (ae_nssdb_list). */
struct ae_nssdb_cert {
	char *nickname;		/* without the token name */
	uint8_t *der;
	size_t der_len;
	bool has_key;		/* its private key is in the database */
	bool ours;		/* the nickname ends in AE_NSSDB_SUFFIX */
};

/*
 * Every certificate of the database in dir (opened read-only), on mem_ctx,
 * and the number of private keys it holds (ours and others). Errors as
 * ae_nssdb_sync; AE_ERR_NOT_FOUND when there is no database in dir.
 */
ae_err ae_nssdb_list(TALLOC_CTX *mem_ctx, const char *dir, struct ae_nssdb_cert **_certs,
		     size_t *_n, size_t *_num_keys, char *why, size_t why_len);

/* "<name> (autoenroll)" on mem_ctx; NULL when name cannot be a nickname. */
char *ae_nssdb_nickname(TALLOC_CTX *mem_ctx, const char *name);

#endif
