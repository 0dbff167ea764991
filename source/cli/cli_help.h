/* cli_help.h: the help texts of `autoenroll` and its sub-commands. */
#ifndef AE_CLI_HELP_H
#define AE_CLI_HELP_H

#include <stdio.h>

/* The whole help into f; returns code. */
int cli_usage(FILE *f, int code);

/* The help of one sub-command (or the whole help for an unknown name). */
int cli_command_help(FILE *f, const char *command, int code);

/* true if command names a sub-command */
int cli_is_command(const char *command);

/* "autoenroll VERSION" and the Samba it was built for. */
void cli_version(FILE *f);

#endif
