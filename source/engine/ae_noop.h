/*
 * ae_noop.h: the no-op cycle that costs almost nothing. After a full cycle
 * that ended with nothing to do, the memo (ae_noop_memo.h) records what
 * that cycle read and the directory's high-water mark; the next `run`
 * asks the DC, in one round trip of three pipelined searches, whether
 * anything it depends on changed since (ae_noop.c), and when nothing did
 * and no decision can have changed with time (ae_decide_next.h), it
 * reports the memo's items without reading the policy, SYSVOL or the CRLs.
 * ARCHITECTURE.md (`run`) explains what each mark catches.
 */
#ifndef AE_NOOP_H
#define AE_NOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_session.h"
#include "ae_noop_memo.h"

#define AE_NOOP_FULL_READ_S	(24 * 3600)	/* a full read at least daily */

struct ae_cycle_ctx;
struct ae_cycle_opts;
struct ae_decide_input;
struct ae_principal;

/* The DC's marks, read before the full read (ae_policy_collect_marked). */
struct ae_noop_marks {
	uint64_t usn;			/* rootDSE highestCommittedUSN */
	char *ds_service_name;		/* rootDSE dsServiceName */
	uint8_t invocation_id[16];	/* its invocationId */
};

/* Two BASE searches (rootDSE, then the NTDS Settings object). */
ae_err ae_noop_marks_read(struct ae_session *s, TALLOC_CTX *mem, struct ae_noop_marks **_m);

/* ae_noop_digest.c: SHA-256 of what the memo compares. */
ae_err ae_noop_digest_principal(const struct ae_principal *p, uint8_t out[AE_NOOP_DIGEST_LEN]);
ae_err ae_noop_digest_config(struct ae_session *s, uint8_t out[AE_NOOP_DIGEST_LEN]);
/* The store directory's entries (name, type, mode, size, mtime, inode;
 * not .lock, whose content is the holder's pid), sorted by name. */
ae_err ae_noop_digest_store(int dirfd, uint8_t out[AE_NOOP_DIGEST_LEN]);

/* Whether this run may use or write a memo: a domain member's `run`,
 * not a dry run nor a forced renewal. */
bool ae_noop_allowed(const struct ae_session *s, const struct ae_cycle_opts *o);

/*
 * The fast path, with the store open and locked: *_noop true when the memo
 * holds and the DC says nothing changed (c->r then has the memo's items,
 * noop and noop_full_read). Otherwise false and the session's LDAP
 * connection is left open with the rootDSE read, for the full cycle. An
 * error only when the DC cannot be reached (the full cycle's error too).
 */
ae_err ae_noop_try(struct ae_cycle_ctx *c, bool *_noop);

/*
 * After a full cycle: write the memo when the cycle was steady (nothing
 * done, nothing pending, no error or warning but the trust phase's, AD
 * policy only, every item skipped), else remove it. in: decide's input.
 */
void ae_noop_save(struct ae_cycle_ctx *c, const struct ae_decide_input *in);

#endif
