/*
 * ae_status.h: `autoenroll status`: the store as it is on disk, checked
 * without the network and without changing anything.
 *
 * The CLI prints the result; it never opens the store itself. The result's
 * types are the store's snapshot (ae_store_snapshot.h) and the engine's
 * check of each certificate's files (ae_store_check.h).
 */
#ifndef AE_STATUS_H
#define AE_STATUS_H

#include <talloc.h>
#include "ae_error.h"
#include "ae_store_snapshot.h"
#include "ae_store_check.h"

struct ae_session;

struct ae_status {
	const char *store_dir;		/* the store's directory, as opened */
	struct ae_store_snapshot *snap;	/* managed, pending, archived, not managed */
	struct ae_store_check *chk;	/* one entry per snap->certs[i], same order */
};

/*
 * Open the session's store (created if missing, as `run` does; its parents
 * too when it is the default one), take the snapshot and check every
 * certificate read-only (`run` fixes a key's mode under the lock) with the
 * persisted OfflineExpirationPercent (chk->percent_known says whether the
 * policy ever gave one). *_st on mem_ctx, set only on success; a store that
 * cannot be opened leaves its cause in s->error.
 */
ae_err ae_status_collect(TALLOC_CTX *mem_ctx, struct ae_session *s, struct ae_status **_st);

/* The name of a certificate's record state ("ISSUED", "PENDING", ...), for printing. */
const char *ae_status_cert_state_name(enum ae_cert_state st);

#endif
