/* cli_renew.h: `autoenroll renew TEMPLATE`. */
#ifndef AE_CLI_RENEW_H
#define AE_CLI_RENEW_H

#include "ae_session.h"

#define CLI_RENEW_USAGE \
"  renew TEMPLATE [--user[=NAME]] [--ccache CCNAME] [--json] [--dry-run]\n" \
"      Renew TEMPLATE's certificate now, signed with the current one (like\n" \
"      certreq -enroll -machine -q renew), whatever its renewal time or a\n" \
"      back-off after failed requests, through one cycle (other templates as\n" \
"      `run` would). Exit 6 when TEMPLATE has no valid certificate (use\n" \
"      `request`) or is not among this machine's (or user's) templates.\n" \
"      --user: as for `run`.\n"

/* argv[0] is "renew". Returns the exit code. */
int cli_renew(const struct ae_session_opts *so, int argc, char **argv);

#endif
