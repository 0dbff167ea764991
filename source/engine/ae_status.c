/*
 * ae_status.c: the store checked for `autoenroll status` (ae_status.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_status.h"
#include "ae_clock.h"
#include "ae_session.h"
#include "ae_store.h"

ae_err ae_status_collect(TALLOC_CTX *mem_ctx, struct ae_session *s, struct ae_status **_st)
{
	struct ae_status *st = talloc_zero(NULL, struct ae_status);
	struct ae_store *store = NULL;
	uint32_t pct = 0;
	bool known = false;
	ae_err err = st != NULL ? AE_OK : AE_ERR_NOMEM;

	if (err == AE_OK) {
		/* the store lives as long as the result (the snapshot came from it) */
		err = ae_store_open(st, s->store_dir, ae_session_store_owner(s), AE_STORE_OPEN_CREATE |
				    (s->store_dir_default ? AE_STORE_OPEN_PARENTS : 0), &store,
				    s->error, sizeof(s->error));
	}
	if (err == AE_OK) {
		err = ae_store_snapshot(st, store, &st->snap);
	}
	if (err == AE_OK) {
		/* the files checked, read-only (run fixes a key's mode under the lock) */
		ae_store_check_load_percent(store, &pct, &known);
		err = ae_store_check(st, store, st->snap, ae_now(), pct, false, &st->chk);
	}
	if (err != AE_OK) {
		talloc_free(st);
		return err;
	}
	st->chk->percent_known = known;
	st->store_dir = store->dir;
	*_st = talloc_steal(mem_ctx, st);
	return AE_OK;
}

const char *ae_status_cert_state_name(enum ae_cert_state st)
{
	return ae_cert_state_name(st);
}
