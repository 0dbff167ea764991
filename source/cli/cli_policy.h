/* cli_policy.h: rendering of `autoenroll policy`. */
#ifndef AE_CLI_POLICY_H
#define AE_CLI_POLICY_H

#include <stdio.h>
#include "ae_policy_report.h"

int cli_policy_json(FILE *f, const struct ae_policy_report *r);
int cli_policy_text(FILE *f, const struct ae_policy_report *r);

#endif
