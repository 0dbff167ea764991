/*
 * cli_polsrv.h: `autoenroll policy-server add|list|remove` (the local
 * enrollment policy servers). Returns the exit code.
 */
#ifndef CLI_POLSRV_H
#define CLI_POLSRV_H

struct ae_session_opts;

/* argv[0] is "policy-server"; so: the global options (smb.conf, --option). */
int cli_run_polsrv(const struct ae_session_opts *so, int argc, char **argv);

#endif
