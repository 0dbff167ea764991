/*
 * cli_decode.c: the commands that decode a saved file for an administrator
 * (`autoenroll pol FILE`: a Registry.pol; `autoenroll xcep FILE`: an
 * MS-XCEP GetPoliciesResponse) and print it as text or one JSON object.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <talloc.h>
#include "ae_pol.h"
#include "ae_xcep_file.h"
#include "cli_args.h"
#include "cli_decode.h"
#include "cli_output.h"

/* Read FILE with the decoder of `which` and print it: 0; a bad file 6, an
 * unreadable one 8 (the decoder's error names the file and the cause). */
static int run_decode(int argc, char **argv, bool xcep)
{
	TALLOC_CTX *mem = NULL;
	const char *error = NULL;
	bool json = false;
	int rc;
	ae_err err;

	rc = cli_parse_flags(argc, argv, &json, NULL, 1);
	if (rc >= 0) {
		return rc;
	}
	mem = talloc_new(NULL);
	if (xcep) {
		struct ae_xcep_file_result *r = NULL;

		err = ae_xcep_file(mem, argv[optind], &r);
		error = r != NULL ? r->error : NULL;
		rc = err == AE_OK ? (ae_xcep_print(stdout, r, json) == AE_OK ? AE_EXIT_OK :
				     AE_EXIT_INTERNAL) : -1;
	} else {
		struct ae_pol_result *r = NULL;

		err = ae_pol_file(mem, argv[optind], &r);
		error = r != NULL ? r->error : NULL;
		rc = err == AE_OK ? (ae_pol_print(stdout, r, json) == AE_OK ? AE_EXIT_OK :
				     AE_EXIT_INTERNAL) : -1;
	}
	if (rc < 0) {
		rc = cli_fatal(err == AE_ERR_PARSE ? AE_EXIT_MISCONFIGURED :
			       err == AE_ERR_NOMEM ? AE_EXIT_INTERNAL : AE_EXIT_STORE,
			       "%s", error != NULL ? error : ae_strerror(err));
	}
	talloc_free(mem);
	return rc;
}

int cli_run_pol(int argc, char **argv)
{
	return run_decode(argc, argv, false);
}

int cli_run_xcep(int argc, char **argv)
{
	return run_decode(argc, argv, true);
}
