/* cli_cycle.h: output of `autoenroll run` and `autoenroll status`. */
#ifndef AE_CLI_CYCLE_H
#define AE_CLI_CYCLE_H

#include <stdbool.h>
#include <stdio.h>
#include "ae_cycle.h"
#include "ae_policy_report.h"
#include "ae_store_snapshot.h"

int cli_cycle_print(FILE *f, const struct ae_cycle_report *r, bool json, bool dry_run);
int cli_status_print(FILE *f, const struct ae_store_snapshot *snap, const char *store_dir,
		     bool json);

#endif
