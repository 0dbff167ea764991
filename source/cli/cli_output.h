/* cli_output.h: human and JSON renderings of an enrollment result. */
#ifndef AE_CLI_OUTPUT_H
#define AE_CLI_OUTPUT_H

#include <stdio.h>
#include "ae_enroll.h"

/* Exit codes of `autoenroll` (documented in --help and README.md). */
enum ae_exit {
	AE_EXIT_OK = 0,			/* issued (or nothing to do) */
	AE_EXIT_INTERNAL = 1,
	AE_EXIT_USAGE = 2,
	AE_EXIT_PENDING = 3,		/* taken under submission; id recorded */
	AE_EXIT_REJECTED = 4,		/* denied by the CA / error HRESULT */
	AE_EXIT_UNREACHABLE = 5,	/* DC, KDC or CA unreachable */
	AE_EXIT_MISCONFIGURED = 6,	/* not in AD, credentials, configuration */
	AE_EXIT_UNVERIFIED = 7,		/* the answer failed verification */
	AE_EXIT_STORE = 8,		/* local store error */
};

int ae_exit_code(enum ae_outcome o);
void ae_print_result(FILE *out, FILE *err, const struct ae_enroll_result *r, bool json,
		     const char *retrieve_hint_ca);

#endif
