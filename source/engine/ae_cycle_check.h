/*
 * ae_cycle_check.h: `run` checks the store's files before deciding
 * (ae_store_check.h): INVALID pairs become "no certificate" for decide(),
 * a key's mode is fixed, the findings go to the report's check_notes, and
 * the items of a template with an INVALID pair say so.
 */
#ifndef AE_CYCLE_CHECK_H
#define AE_CYCLE_CHECK_H

#include <stdbool.h>
#include "ae_cycle_private.h"
#include "ae_store_check.h"

/*
 * Check snap (fix: set key modes to 0600, and keep the policy's
 * OfflineExpirationPercent in the store for offline use; the caller holds
 * the lock). *_chk on c->mem.
 */
ae_err ae_cycle_check_store(struct ae_cycle_ctx *c, struct ae_store_snapshot *snap, bool fix,
			    struct ae_store_check **_chk);

/* Prefix the reason of every item of a template whose pair is INVALID. */
void ae_cycle_explain_invalid(struct ae_cycle_report *r, const struct ae_store_snapshot *snap,
			      const struct ae_store_check *chk);

#endif
