/*
 * ae_store_check.h: what is on disk, checked without the network (for
 * `status` and `run`, online or not).
 *
 * The store layer never parses X.509 (ae_store_state.h); this engine module
 * takes its snapshot and checks each managed certificate's files with the
 * request layer: the .crt parses, the .key parses and is the key of that
 * certificate, the key file is a regular file owned by the store's owner
 * with mode 0600 (a wrong mode is set back to 0600 when fixing, through the
 * store's directory descriptor with O_NOFOLLOW), and the certificate is the
 * one its state record describes (serial and SHA-1 thumbprint). Then the
 * time: VALID, EXPIRED (notAfter passed), NOT YET VALID, and "expiring"
 * when less than OfflineExpirationPercent % of its lifetime is left.
 */
#ifndef AE_STORE_CHECK_H
#define AE_STORE_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_store_snapshot.h"

struct ae_store;

enum ae_check_state {
	AE_CHECK_NONE = 0,	/* nothing installed (pending, archived, removed) */
	AE_CHECK_VALID,
	AE_CHECK_EXPIRED,	/* notAfter < now */
	AE_CHECK_NOT_YET_VALID,	/* notBefore > now */
	AE_CHECK_INVALID,	/* broken files: see cause */
};

/* "none", "VALID", "EXPIRED", "NOT YET VALID", "INVALID" */
const char *ae_check_state_name(enum ae_check_state st);

struct ae_check_entry {
	enum ae_check_state state;
	char *cause;		/* INVALID: why, naming the file; else NULL */
	char *note;		/* the key file's mode (reported / fixed), or NULL */
	const char *key_storage;	/* where the key lives: "file", "TPM"; NULL: not read */
	char *serial_hex;	/* of the certificate file when it parses, else NULL */
	time_t not_before, not_after;	/* of the certificate file, else the record's */
	long long days_left;	/* whole days until notAfter (negative once expired) */
	unsigned left_percent;	/* of the lifetime, 0..100 */
	bool expiring;		/* VALID with less than percent % of its lifetime left */
	bool io_error;		/* INVALID because a file could not be read (EIO...), not for
				 * its content: `run` stops before deciding anything */
	bool manual_due;	/* the record's manual_renewal and now >= renew_at: only a new
				 * manual request replaces it (ae_decide_manual.c) */
};

struct ae_store_check {
	uint32_t percent;	/* OfflineExpirationPercent used */
	bool percent_known;	/* from the last policy read, else the default */
	struct ae_check_entry *entries;	/* one per snap->certs[i], same order */
	size_t num_entries;
};

/*
 * Check every certificate of snap (from s) at now; percent is the
 * OfflineExpirationPercent. Entries found INVALID get snap->certs[i].invalid
 * set, which decide() treats as no certificate. fix: set a key file's mode
 * back to 0600 (the caller holds the store lock). Errors are only
 * AE_ERR_NOMEM; a broken file is a result, not an error.
 */
ae_err ae_store_check(TALLOC_CTX *mem_ctx, const struct ae_store *s,
		      struct ae_store_snapshot *snap, time_t now, uint32_t percent, bool fix,
		      struct ae_store_check **_out);

/*
 * The last OfflineExpirationPercent the policy gave, persisted in the store
 * (<dir>/.offline-expiration, "OfflineExpirationPercent=<n>\n", 0600,
 * written atomically through the store's descriptor) so that the check
 * works offline. load: *_pct is the default (10) and *_known false when the
 * file is absent or malformed (a malformed one is warned about).
 */
ae_err ae_store_check_save_percent(const struct ae_store *s, uint32_t pct);
void ae_store_check_load_percent(const struct ae_store *s, uint32_t *_pct, bool *_known);

/*
 * Parse that file's content (untrusted bytes; fuzz target
 * fuzz_offline_percent): exactly "OfflineExpirationPercent=<0..100>\n",
 * decimal without leading zeros. AE_ERR_PARSE otherwise; *_pct set only on
 * success.
 */
ae_err ae_offline_percent_parse(const uint8_t *p, size_t len, uint32_t *_pct);

/*
 * `run` with the DC or the KDC unreachable: open the store at dir (never
 * created; owned by owner: AE_STORE_MACHINE_OWNER or the user's uid), snapshot and check it with the persisted percent (no fixes:
 * no lock is taken), log each INVALID, EXPIRED or expiring certificate
 * (errors and warnings: syslog at the default level, ae_log.h). *_snap and
 * *_chk are NULL when there is no store to check (AE_OK).
 */
ae_err ae_store_check_offline(TALLOC_CTX *mem_ctx, const char *dir, uid_t owner,
			      struct ae_store_snapshot **_snap, struct ae_store_check **_chk);

/*
 * Log the findings of chk, one line per certificate that needs attention:
 * INVALID as an error, a key file's mode as a warning; with times also
 * EXPIRED (error), NOT YET VALID and expiring (warnings).
 */
void ae_store_check_log(const struct ae_store_snapshot *snap, const struct ae_store_check *chk,
			bool times);

#endif
