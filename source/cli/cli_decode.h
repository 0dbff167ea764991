/*
 * cli_decode.h: `autoenroll pol FILE` and `autoenroll xcep FILE` (decoders
 * of saved files for administrators). Each returns the exit code.
 */
#ifndef CLI_DECODE_H
#define CLI_DECODE_H

int cli_run_pol(int argc, char **argv);
int cli_run_xcep(int argc, char **argv);

#endif
