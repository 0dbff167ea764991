/*
 * ae_store.h: the certificate store on disk (one context: machine now,
 * users/<SID> later). Layout:
 *   <dir>/.lock                 the context's lock (ae_store_lock)
 *   <dir>/<template>.key        private key, 0600
 *   <dir>/<template>.crt        the certificate (PEM)
 *   <dir>/<template>.chain.pem  the chain up to the CA (PEM, without the leaf)
 *   <dir>/<template>.state      the state record (ae_store_state.h), 0600
 *   <dir>/<template>.key.new    the key of a request in flight, 0600
 *   <dir>/<template>.crt.new, .chain.pem.new, .state.new
 *                               a commit's staged files; next to a PENDING
 *                               record, .crt.new/.chain.pem.new are an
 *                               answer received but not yet installed
 *   <dir>/archive/<template>.<tag>.{key,crt,chain.pem,state}
 *                               replaced or removed pairs; <tag> is the
 *                               serial in hex or the time, [A-Za-z0-9-]
 *   <dir>/pending/<ca>.<id>.key    older versions: the key of a request the
 *   <dir>/pending/<ca>.<id>.state  CA holds and its record; adopted by
 *                               ae_store_recover into the template's record
 *   <dir>/<template>.hooks     a change whose hooks have not all succeeded
 *                               yet ("action=renew\n", 0600; ae_store_hooks_*)
 *   <dir>/quarantine/<name>[-n] entries that are not regular files (a FIFO,
 *                               a symbolic link, a directory named like a
 *                               store file), set aside by ae_store_recover
 *
 * Trust (ae_store_open): the store directory must be owned by the
 * context's owner and writable by nobody else; every directory above it by
 * root or that owner, and writable by group/others only with the sticky
 * bit and owned by root (/tmp). The path is absolute, without "..", and
 * walked one component at a time with O_NOFOLLOW, so no component may be a
 * symbolic link. Every operation after that is relative to the descriptor
 * of the opened directory (openat/renameat/unlinkat/mkdirat/fstatat, never
 * following a symbolic link); archive/, pending/ and quarantine/ are opened
 * with O_DIRECTORY|O_NOFOLLOW and checked the same way. Only regular files
 * are read (ae_file_read_at).
 * Every file is written as temp file + fsync + rename (ae_file_write_atomic,
 * "<name>.tmp.<pid>"); renames and unlinks are followed by an fsync of the
 * directory.
 *
 * Staged names end in ".new", not "<template>.new.key": the suffixes
 * .key .crt .chain.pem .state .key.new .crt.new .chain.pem.new .state.new
 * are such that none is a proper suffix of another, so two templates can
 * never share a file name (with ".new.key", template "X.new" would have the
 * key file of template X's request).
 *
 * The invariant, at every instruction (kill -9 included): if <template>.crt
 * exists, <template>.key exists and is its key. After ae_store_recover(),
 * a template holds exactly the pair its state record describes. The
 * argument is in ae_store_txn.c.
 */
#ifndef AE_STORE_H
#define AE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_store_snapshot.h"
#include "ae_store_state.h"
#include "ae_store_trust.h"

#define AE_STORE_RECORD_MAX 16384	/* a pending/state record */
#define AE_STORE_PEM_MAX (1024 * 1024)
#define AE_STORE_NOTES_MAX 1024		/* notes ae_store_recover returns */

struct ae_store_lock;

#define AE_STORE_MACHINE_OWNER ((uid_t)0)	/* the machine context belongs to root */
#define AE_STORE_LOCK_WAIT_S 300u		/* ae_store_lock's default bound */

struct ae_store {
	char *dir;
	int fd;				/* the opened store directory */
	uid_t owner;			/* who must own it */
	unsigned lock_wait_s;		/* ae_store_lock(wait=true) gives up after this */
	struct ae_store_lock *lock;	/* held by this handle, else NULL */
};

/* ae_store_open flags */
#define AE_STORE_OPEN_CREATE 1u		/* create the store directory (0700) if missing */
#define AE_STORE_OPEN_PARENTS 2u	/* also its missing parents (0700): the default path only */

/*
 * Open the store directory dir (absolute) of a context owned by owner
 * (AE_STORE_MACHINE_OWNER for the machine). The checks are those above
 * ("Trust"); a refusal is AE_ERR_IO with why naming the directory and the
 * cause. With AE_STORE_OPEN_CREATE the last component is created (0700)
 * when its parent exists and passes the checks; a missing parent is
 * created only with AE_STORE_OPEN_PARENTS (a mistyped explicit path is not
 * created: AE_ERR_NOT_FOUND). A relative path is AE_ERR_INVALID. why (may
 * be NULL) is set on every failure.
 */
ae_err ae_store_open(TALLOC_CTX *mem_ctx, const char *dir, uid_t owner, unsigned flags,
		     struct ae_store **_s, char *why, size_t why_len);

/* Paths of the files of a template (on mem_ctx): <dir>/<template><suffix>. */
char *ae_store_path(TALLOC_CTX *mem_ctx, const struct ae_store *s, const char *template_name,
		    const char *suffix);

/* A template or CA name usable as a file name: no '/', no leading '.', no control chars. */
int ae_store_name_ok(const char *name);

/*
 * Take the context's lock: flock(LOCK_EX) on <dir>/.lock (created 0600,
 * O_CLOEXEC|O_NOFOLLOW, a regular file; the holder writes its pid into it).
 * wait=false: AE_ERR_LOCKED at once when another holder (this process or
 * another) has it; wait=true: try again every 100 ms, at most
 * s->lock_wait_s seconds' worth of tries (AE_STORE_LOCK_WAIT_S unless the
 * caller changed it), then AE_ERR_LOCKED, logged as "store lock held by
 * another process (pid N) for more than T s; giving up" (exit 8). The lock
 * is a talloc child of s and is released when freed (or with s, or when
 * the process dies). The destructor only closes the descriptor (never
 * LOCK_UN), so a forked child that frees its copy does not release its
 * parent's lock. A handle holds at most one lock: AE_ERR_INVALID if s
 * already holds it. Every transition below requires it (AE_ERR_INVALID
 * otherwise).
 */
ae_err ae_store_lock(struct ae_store *s, bool wait, struct ae_store_lock **_lock);

/*
 * Transitions. Each one saves the state record; each one is safe against
 * kill -9 at any point: ae_store_recover() then finishes it or rolls it
 * back. AE_ERR_INVALID for a bad name or a transition the current status
 * does not allow (the status stays what it was); AE_ERR_IO for a file
 * system error (the store is then as a crash would have left it: call
 * ae_store_recover()).
 *
 * begin: kind ENROLLING (no pair, or a new pair to replace the installed
 * one: the cycle's enrollment and `autoenroll request`) or RENEWING (needs
 * an installed pair). Allowed from NONE, ISSUED,
 * ARCHIVED, REMOVED and no record. Writes key_pem to <template>.key.new
 * (0600), then the record. The installed pair is untouched.
 */
ae_err ae_store_begin(const struct ae_store *s, const char *template_name,
		      enum ae_cert_state kind, const char *key_pem, size_t key_len);

/*
 * pending: ENROLLING/RENEWING -> PENDING, the CA (cn) holds request_id.
 * Saved for an answer "pending", and also first thing for an answer
 * "issued" (before the certificate is written), so a kill or a full disk
 * after it leaves the request id to retrieve the certificate by.
 */
ae_err ae_store_pending(const struct ae_store *s, const char *template_name, const char *ca,
			uint32_t request_id);

/*
 * commit: ENROLLING/RENEWING/PENDING -> INSTALLING -> ISSUED. The verified
 * certificate for <template>.key.new and its chain (chain_len may be 0)
 * replace the installed pair, which moves to archive/<template>.<tag>.*
 * with its record (status ARCHIVED, reason "replaced"). info describes the
 * new certificate (copied; info->ca and ->request_id default to the
 * pending request's; ->installed is set to now).
 */
ae_err ae_store_commit(const struct ae_store *s, const char *template_name,
		       const char *cert_pem, size_t cert_len,
		       const char *chain_pem, size_t chain_len,
		       const struct ae_store_certinfo *info);

/*
 * abort: ENROLLING/RENEWING/PENDING -> ISSUED (pair installed) or NONE: the
 * request failed or was denied; the new key is deleted.
 */
ae_err ae_store_abort(const struct ae_store *s, const char *template_name, const char *reason);

/*
 * archive / remove: the installed pair (key, certificate, chain, record)
 * moves to archive/<template>.<tag>.*; the record says ARCHIVED (replaced,
 * superseded, no longer wanted) or REMOVED (invalid: CT_FLAG_REMOVE_INVALID_
 * CERTIFICATE_FROM_PERSONAL_STORE, revoked, ...). The store never deletes a
 * private key it has installed: it may still be needed to decrypt; pruning
 * archive/ is policy, outside the store. Allowed from NONE (a pair without
 * a record), ISSUED, ARCHIVED, REMOVED; AE_ERR_NOT_FOUND when nothing is
 * installed. reason: free text, control characters become spaces.
 */
ae_err ae_store_archive(const struct ae_store *s, const char *template_name, const char *reason);
ae_err ae_store_remove(const struct ae_store *s, const char *template_name, const char *reason);

/*
 * Recover after a crash (call after ae_store_lock, before anything else):
 * ENROLLING and RENEWING (no request id) roll back: the new key and staged
 * files go, the status returns to ISSUED (pair installed) or NONE. PENDING
 * keeps its key (the CA holds the request) and a staged certificate and
 * chain (an answer received, never deleted here: the engine installs it or
 * retrieves the request again); only <template>.state.new goes. Then the
 * pending/ records of older versions are adopted (ae_store_adopt.c): the
 * template's record becomes PENDING with that CA and id and the key as
 * <template>.key.new, unless the template has a request in flight (then
 * the record stays and a note says so).
 * INSTALLING, and ARCHIVED/REMOVED whose archive copy is incomplete, are
 * finished. Stray "*.tmp.<digits>" files (here, archive/, pending/), staged
 * files of a stable status, and pending keys without a record are deleted;
 * a record that does not parse is renamed <template>.state.corrupt; an
 * entry with a store file's name (here or in pending/) that is not a
 * regular file moves to quarantine/ and is named in a note with its kind,
 * and the other entries are still processed. *_notes
 * (NULL-terminated, on mem_ctx, may be an empty list) says what was done,
 * one sentence per action, at most AE_STORE_NOTES_MAX; it is set whenever
 * the lock is held, also with an error. Returns the first error, after
 * trying every template; AE_ERR_INVALID without the lock.
 */
ae_err ae_store_recover(TALLOC_CTX *mem_ctx, const struct ae_store *s, char ***_notes);

/*
 * The answer a commit staged while the record still says ENROLLING or
 * RENEWING (the PENDING save before it failed, e.g. EIO, and so did the
 * commit point): <template>.crt.new and .key.new next to the next record
 * <template>.state.new (ISSUED) that names the CA and the request id. True
 * with *_ca (on mem_ctx) and *_request_id set; recovery then records the
 * template PENDING with them, so the staged answer is installed (or the
 * request retrieved again) instead of being dropped.
 */
bool ae_store_staged_request(TALLOC_CTX *mem_ctx, const struct ae_store *s,
			     const char *template_name, char **_ca, uint32_t *_request_id);

/*
 * What the store holds, for decide(): one ae_store_cert per state record
 * (and per <template>.crt without a record, as ISSUED with only its paths),
 * sorted by template name; one ae_store_pending_req per pending/ record.
 * Certificate fields are the record's (saved at commit), never parsed from
 * the certificate. A record that does not parse, and any entry that is not
 * a regular file, is skipped with a warning naming it and the cause
 * (ae_store_recover sets it aside); cert_path/key_path/chain_path are set
 * only for regular files. Needs no lock; without one it may see a
 * transition half done.
 */
ae_err ae_store_snapshot(TALLOC_CTX *mem_ctx, const struct ae_store *s,
			 struct ae_store_snapshot **_snap);

/*
 * The in-flight files of a template, as the engine needs them to finish a
 * request: the request's key (<template>.key.new) and the staged answer
 * (<template>.crt.new, <template>.chain.pem.new) that a PENDING record may
 * have next to it (ae_store_txn.c). Read relative to the store's
 * descriptor, regular files only, at most AE_STORE_PEM_MAX bytes, NUL
 * terminated, on mem_ctx. AE_ERR_NOT_FOUND when absent.
 */
enum ae_store_new { AE_STORE_NEW_KEY, AE_STORE_NEW_CRT, AE_STORE_NEW_CHAIN };
ae_err ae_store_read_new(TALLOC_CTX *mem_ctx, const struct ae_store *s, const char *template_name,
			 enum ae_store_new which, char **_pem, size_t *_len);

/*
 * Legacy layouts (no caller in the engine since `request` and `retrieve`
 * use the transitions above; the tests use them to build a store as an
 * older version left it). install: a pair without a state record (unlinks
 * the old certificate, then writes key, chain, certificate). pending_save
 * / _load / _remove: a pending/<ca>.<id>.{key,state} record, which
 * ae_store_recover adopts as the template's PENDING record.
 */
ae_err ae_store_install(const struct ae_store *s, const char *template_name,
			const char *key_pem, size_t key_len,
			const char *cert_pem, size_t cert_len,
			const char *chain_pem, size_t chain_len);

/* A request the CA has taken under submission. */
struct ae_pending {
	char *ca;		/* enrollment service cn */
	char *ca_host;		/* its dNSHostName */
	uint32_t request_id;
	char *template_name;
	time_t submitted;
};

/* Record a pending request with its key (0600). */
ae_err ae_store_pending_save(const struct ae_store *s, const struct ae_pending *p,
			     const char *key_pem, size_t key_len);

/*
 * Load the pending record and key PEM for (ca, id). AE_ERR_NOT_FOUND when
 * there is none; a malformed record is AE_ERR_PARSE (nothing returned).
 */
ae_err ae_store_pending_load(TALLOC_CTX *mem_ctx, const struct ae_store *s, const char *ca,
			     uint32_t request_id, struct ae_pending **_p,
			     char **_key_pem, size_t *_key_len);

/* Remove the pending record and key once the request is resolved. */
ae_err ae_store_pending_remove(const struct ae_store *s, const char *ca, uint32_t request_id);

/*
 * The hooks record <template>.hooks (ae_store_hooks.c): the action of a
 * change (install, renew, reenroll, remove: [a-z]{1,16}) whose hooks must
 * run (again). pending: *_action on mem_ctx, AE_ERR_NOT_FOUND when there is
 * none, AE_ERR_PARSE for a record that is not "action=<word>\n" (at most
 * 64 bytes), AE_ERR_INVALID for a non-regular file. set (atomic, 0600) and
 * clear need the lock.
 */
ae_err ae_store_hooks_pending(TALLOC_CTX *mem_ctx, const struct ae_store *s,
			      const char *template_name, char **_action);
ae_err ae_store_hooks_set(const struct ae_store *s, const char *template_name, const char *action);
ae_err ae_store_hooks_clear(const struct ae_store *s, const char *template_name);
ae_err ae_store_hooks_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len, char **_action);

/* Parser of a key=value record (untrusted on-disk bytes): the one shape. */
ae_err ae_pending_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			struct ae_pending **_out);

#endif
