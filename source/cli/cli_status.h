/* cli_status.h: output of `autoenroll status` and of `run`'s offline check. */
#ifndef AE_CLI_STATUS_H
#define AE_CLI_STATUS_H

#include <stdbool.h>
#include <stdio.h>
#include "ae_status.h"

/*
 * The store as checked: per certificate the state (VALID, EXPIRED, NOT YET
 * VALID, INVALID with its cause; the record's state when nothing is
 * installed), days left, the expiring warning; pending requests; archived
 * pairs; entries that are not managed certificates (never as "issued").
 */
int cli_status_print(FILE *f, const struct ae_store_snapshot *snap,
		     const struct ae_store_check *chk, const char *store_dir, bool json);

/* `run` without the DC: one "offline: ..." line per installed certificate. */
int cli_offline_print(FILE *f, const struct ae_store_snapshot *snap,
		      const struct ae_store_check *chk);

/* The same as a JSON array of certificate objects (status's shape). */
void cli_offline_json(FILE *f, const struct ae_store_snapshot *snap,
		      const struct ae_store_check *chk);

#endif
