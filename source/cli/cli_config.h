/* cli_config.h: `autoenroll config`: the autoenroll:* options. */
#ifndef AE_CLI_CONFIG_H
#define AE_CLI_CONFIG_H

#include <stdbool.h>
#include <stdio.h>
#include "ae_config.h"

int cli_config_print(FILE *f, const struct ae_config *c, const char *configfile, bool json);

#endif
