/*
 * ae_store_private.h: shared by the store's own files and its tests; not
 * part of the store's interface.
 */
#ifndef AE_STORE_PRIVATE_H
#define AE_STORE_PRIVATE_H

#include <stdbool.h>
#include <talloc.h>
#include "ae_store.h"

/* file suffixes of a template (ae_store.h) */
#define SFX_KEY ".key"
#define SFX_CRT ".crt"
#define SFX_CHAIN ".chain.pem"
#define SFX_STATE ".state"
#define SFX_NEW_KEY ".key.new"
#define SFX_NEW_CRT ".crt.new"
#define SFX_NEW_CHAIN ".chain.pem.new"
#define SFX_NEW_STATE ".state.new"
#define SFX_CORRUPT ".state.corrupt"

/*
 * Test seam: when set, called at each step boundary of a transition with
 * the step's name ("commit:staged", ...). The crash tests raise SIGKILL
 * from it to stop a child at every boundary in turn.
 */
extern void (*ae_store_step_hook)(const char *step);
void ae_store_step(const char *step);

/* "<template><suffix>", an entry of the store directory (on mem_ctx) */
char *ae_store_fname(TALLOC_CTX *mem_ctx, const char *template_name, const char *suffix);

/* "<template>.<tag><suffix>", an entry of archive/ (on mem_ctx) */
char *ae_store_archive_name(TALLOC_CTX *mem_ctx, const char *template_name, const char *tag,
			    const char *suffix);

/*
 * Open the subdirectory name ("archive", "pending", "quarantine") of the
 * store: O_DIRECTORY|O_NOFOLLOW, owned by the store's owner, not writable by
 * group/others; created 0700 when missing and create. AE_ERR_NOT_FOUND when
 * missing and !create; AE_ERR_IO (logged: a symbolic link, not a directory,
 * wrong owner or mode) otherwise. The caller closes *_fd.
 */
ae_err ae_store_subdir(const struct ae_store *s, const char *name, bool create, int *_fd);

/* The entry <template><suffix> exists (any kind; temporaries on tmp) */
bool ae_store_has(TALLOC_CTX *tmp, const struct ae_store *s, const char *template_name,
		  const char *suffix);

/* fsync the directory open as dfd (AE_ERR_IO, logged with what, on failure) */
ae_err ae_store_fsync_dirfd(int dfd, const char *what);

/* unlinkat(dfd, name); ENOENT is success; *_did (may be NULL) says whether a file went */
ae_err ae_store_unlink_at(int dfd, const char *name, bool *_did);

/* renameat from -> to if from exists (ENOENT is success), then fsync both dirs */
ae_err ae_store_move(int from_dfd, const char *from, int to_dfd, const char *to, bool *_did);

/*
 * The names in the directory open as dfd (without . and ..), sorted, on
 * mem_ctx; what names it in messages. AE_ERR_TOO_LARGE above
 * AE_STORE_DIR_MAX entries.
 */
#define AE_STORE_DIR_MAX 100000
ae_err ae_store_list_dir_at(TALLOC_CTX *mem_ctx, int dfd, const char *what, char ***_names,
			 size_t *_n);

/*
 * Move every entry of the directory dfd (where: "" for the store itself,
 * "pending/") that has a store file's name (a template's file, a pending
 * record or key, a temporary) and is not a regular file into quarantine/
 * (as <name>, else <name>-1 ... <name>-99). *_lines (on mem_ctx, *_n of
 * them, possibly none) names each entry, its kind and where it went. An
 * entry that cannot be moved does not stop the others; the first error is
 * returned.
 */
ae_err ae_store_set_aside(TALLOC_CTX *mem_ctx, const struct ae_store *s, int dfd,
			  const char *where, char ***_lines, size_t *_n);

/* s is being freed: a lock stolen away from it must not point at it */
void ae_store_lock_detach(struct ae_store *s);

/* List the directory path (AE_ERR_NOT_FOUND when missing); the unit tests' view of a directory. */
ae_err ae_store_list_dir(TALLOC_CTX *mem_ctx, const char *path, char ***_names, size_t *_n);

/* AE_ERR_INVALID (logged) unless s holds its lock */
ae_err ae_store_require_lock(const struct ae_store *s, const char *what);

/* name ends with suffix and has a non-empty stem (its length in *_stem_len) */
bool ae_store_ends_with(const char *name, const char *suffix, size_t *_stem_len);

/* "<something>.tmp.<digits>": a temporary file of ae_file_write_atomic */
bool ae_store_is_tmp_name(const char *name);

/*
 * The record after st: a copy (on mem_ctx) with the given status, changed =
 * now, the request, archive and reason fields cleared, and the certificate
 * fields kept only if keep_cert. NULL on allocation failure.
 */
struct ae_store_state *ae_store_next_record(TALLOC_CTX *mem_ctx, const struct ae_store_state *st,
					    enum ae_cert_state status, bool keep_cert);

/*
 * Finish an INSTALLING record st (roll forward; idempotent): archive the
 * old pair under st->archive_tag, move the staged files into place, and
 * rename <template>.state.new over the record.
 */
ae_err ae_store_finish_install(const struct ae_store *s, const struct ae_store_state *st);

/*
 * Finish an ARCHIVED/REMOVED record st (idempotent): unless
 * archive/<template>.<tag>.state exists, move what is left of the pair there
 * and write that record last. *_did says whether anything was left to do.
 */
ae_err ae_store_finish_archive(const struct ae_store *s, const struct ae_store_state *st,
			       bool *_did);

/* Delete the staged files of a template (.key.new only if with_key). */
ae_err ae_store_drop_staged(const struct ae_store *s, const char *template_name, bool with_key,
			    bool *_did);

/*
 * Shared by the transitions (ae_store_txn.c, ae_store_archive.c): reason
 * text without control characters (NULL for none), on mem_ctx; an archive
 * tag no file of archive/<T>.<tag>.* uses yet; the common checks of a
 * transition (the lock, the name, the record loaded or a fresh NONE one);
 * the refusal of a transition the status does not allow (logged,
 * AE_ERR_INVALID).
 */
char *ae_store_txn_reason(TALLOC_CTX *mem_ctx, const char *reason);
ae_err ae_store_txn_tag(TALLOC_CTX *mem_ctx, const struct ae_store *s,
			const struct ae_store_state *st, char **_tag);
ae_err ae_store_txn_start(TALLOC_CTX *tmp, const struct ae_store *s, const char *t,
			  const char *what, struct ae_store_state **_st);
ae_err ae_store_txn_refuse(const char *t, const char *what, enum ae_cert_state st);

/*
 * Adopt the pending/<ca>.<id>.{key,state} records of older versions
 * (ae_store_adopt.c): each becomes its template's PENDING record with the
 * key as <template>.key.new when the template has no request in flight;
 * a record of a template that is busy with another request stays, and a
 * line says so. *_lines (on mem_ctx, *_n of them) says what was done.
 */
ae_err ae_store_adopt_pending(TALLOC_CTX *mem_ctx, const struct ae_store *s, char ***_lines,
			      size_t *_n);

#endif
