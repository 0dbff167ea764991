/* cli_policy.h: rendering of `autoenroll policy`. */
#ifndef AE_CLI_POLICY_H
#define AE_CLI_POLICY_H

#include <stdio.h>
#include "ae_policy_report.h"

struct ae_config;
/* The options the key source of each template is chosen with (ae_key_choice.h); NULL: not shown. */
void cli_policy_key_config(const struct ae_config *c);
int cli_policy_json(FILE *f, const struct ae_policy_report *r);
int cli_policy_text(FILE *f, const struct ae_policy_report *r);

#endif
