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

/* A file decoder's failure (`pol`, `xcep`): a bad file 6, an unreadable one 8. */
static int decode_failed(TALLOC_CTX *mem, ae_err err, const char *error)
{
	int rc = cli_fatal(err == AE_ERR_PARSE ? AE_EXIT_MISCONFIGURED :
			   err == AE_ERR_NOMEM ? AE_EXIT_INTERNAL : AE_EXIT_STORE,
			   "%s", error != NULL ? error : ae_strerror(err));

	talloc_free(mem);
	return rc;
}

static int decode_printed(TALLOC_CTX *mem, ae_err err)
{
	talloc_free(mem);
	return err == AE_OK ? AE_EXIT_OK : AE_EXIT_INTERNAL;
}

int cli_run_pol(int argc, char **argv)
{
	TALLOC_CTX *mem = NULL;
	struct ae_pol_result *r = NULL;
	bool json = false;
	int rc;
	ae_err err;

	rc = cli_parse_flags(argc, argv, &json, NULL, 1);
	if (rc >= 0) {
		return rc;
	}
	mem = talloc_new(NULL);
	err = ae_pol_file(mem, argv[optind], &r);
	if (err != AE_OK) {
		return decode_failed(mem, err, r != NULL ? r->error : NULL);
	}
	return decode_printed(mem, ae_pol_print(stdout, r, json));
}

int cli_run_xcep(int argc, char **argv)
{
	TALLOC_CTX *mem = NULL;
	struct ae_xcep_file_result *r = NULL;
	bool json = false;
	int rc;
	ae_err err;

	rc = cli_parse_flags(argc, argv, &json, NULL, 1);
	if (rc >= 0) {
		return rc;
	}
	mem = talloc_new(NULL);
	err = ae_xcep_file(mem, argv[optind], &r);
	if (err != AE_OK) {
		return decode_failed(mem, err, r != NULL ? r->error : NULL);
	}
	return decode_printed(mem, ae_xcep_print(stdout, r, json));
}

