/* cli_cycle.h: output of `autoenroll run` (status: cli_status.h). */
#ifndef AE_CLI_CYCLE_H
#define AE_CLI_CYCLE_H

#include <stdbool.h>
#include <stdio.h>
#include "ae_cycle.h"
#include "ae_policy_report.h"

int cli_cycle_print(FILE *f, const struct ae_cycle_report *r, bool json, bool dry_run);

#endif
