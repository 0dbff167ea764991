/*
 * ae_store_trust.h: trust anchors exported for the system trust store
 * (Debian: /usr/local/share/ca-certificates/ + update-ca-certificates) and
 * PEM bundles such as ntauth.pem. These files are outside the store's
 * directory and need no lock; the caller runs the trust-store command when
 * *_changed or ae_store_trust_pending() says so, and records its success
 * with ae_store_trust_mark_synced(). Only roots belong in a trust dir
 * (the engine decides which: ae_cycle_trust.h).
 */
#ifndef AE_STORE_TRUST_H
#define AE_STORE_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>
#include "ae_error.h"

#define AE_TRUST_PREFIX "autoenroll-"	/* the files ae_store_trust_sync owns */
#define AE_TRUST_DIR_DEFAULT "/usr/local/share/ca-certificates/autoenroll"
#define AE_TRUST_MAX 256		/* certificates in one sync or bundle */
#define AE_TRUST_NAME_MAX 128		/* a trust file's stem */

struct ae_trust_cert {
	const char *name;	/* file stem: AE_TRUST_PREFIX then [A-Za-z0-9._+-] */
	const char *pem;	/* PEM CERTIFICATE block(s), NUL-terminated */
};

/*
 * Make dir (created 0755) hold exactly <name>.crt (0644, atomic, a '\n'
 * appended if missing) for each of the n certificates among the files
 * named AE_TRUST_PREFIX*.crt: files already equal are left alone, ours not
 * in the set are deleted (other files are never touched; our stray
 * *.tmp.<digits> files are deleted). *_changed (may be NULL) is true when a
 * .crt was written or deleted. AE_ERR_INVALID, before anything is written,
 * for a bad or duplicate name, a PEM without "-----BEGIN CERTIFICATE-----",
 * n > AE_TRUST_MAX; AE_ERR_TOO_LARGE for a PEM above AE_STORE_PEM_MAX.
 */
ae_err ae_store_trust_sync(const char *dir, const struct ae_trust_cert *certs, size_t n,
			   bool *_changed);

/*
 * ae_store_trust_sync, except that the num_keep names in keep (the same
 * rules as a certificate's name; duplicates allowed) are neither written
 * nor deleted: anchors that are still in AD but were left out of this sync
 * (more than AE_TRUST_MAX) keep the file an earlier sync wrote.
 */
ae_err ae_store_trust_sync_keep(const char *dir, const struct ae_trust_cert *certs, size_t n,
				const char *const *keep, size_t num_keep, bool *_changed);

/*
 * The command that feeds dir to the system trust store (update-ca-certificates)
 * has consumed dir only when ae_store_trust_mark_synced() recorded it after
 * the command succeeded. AE_TRUST_SYNCED (in dir; not a *.crt, so no trust
 * store reads it) lists the AE_TRUST_PREFIX*.crt names present then;
 * ae_store_trust_sync(_keep) deletes it (durably) before its first change
 * to dir. *_pending is true when the record is missing or the names in dir
 * differ from it: the command failed, was never run for this set or was
 * interrupted, and must run again, whether or not this run changed anything.
 */
#define AE_TRUST_SYNCED ".autoenroll-synced"
ae_err ae_store_trust_pending(const char *dir, bool *_pending);

/* Record the names in dir as consumed (atomic, 0644); call after the command succeeded. */
ae_err ae_store_trust_mark_synced(const char *dir);

/*
 * A trust file name for label (a CA cn, a thumbprint): AE_TRUST_PREFIX,
 * then label with every byte outside [A-Za-z0-9._+-] as '_', cut to
 * AE_TRUST_NAME_MAX. On mem_ctx; NULL for an empty label or no memory.
 */
char *ae_store_trust_name(TALLOC_CTX *mem_ctx, const char *label);

/*
 * Write the n PEM blocks (each '\n'-terminated) concatenated to path
 * (0644, atomic; n = 0 writes an empty file), unless the file already holds
 * exactly that. *_changed (may be NULL) says whether it was written. The
 * same checks as ae_store_trust_sync.
 */
ae_err ae_store_write_pem_bundle(const char *path, const char *const *pems, size_t n,
				 bool *_changed);

#endif
