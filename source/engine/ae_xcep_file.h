/*
 * ae_xcep_file.h: `autoenroll xcep FILE`: a saved MS-XCEP GetPoliciesResponse
 * read, parsed into the template and CA model and printed (an
 * administrator's debugging tool for a CEP, as `pol` is for Registry.pol).
 */
#ifndef AE_XCEP_FILE_H
#define AE_XCEP_FILE_H

#include <stdbool.h>
#include <stdio.h>
#include <talloc.h>
#include "ae_error.h"

struct ae_xcep_response;

struct ae_xcep_file_result {
	struct ae_xcep_response *resp;
	char error[512];	/* names the file and the cause */
};

/*
 * AE_ERR_NOT_FOUND / AE_ERR_IO / AE_ERR_TOO_LARGE: the file cannot be read
 * (regular files only, at most the XML layer's cap); AE_ERR_PARSE: not a
 * valid GetPoliciesResponse. *_r is set in every case except AE_ERR_NOMEM.
 */
ae_err ae_xcep_file(TALLOC_CTX *mem_ctx, const char *path, struct ae_xcep_file_result **_r);

/* The response header, each policy as a template, the CAs and the OIDs; text or one JSON object. */
ae_err ae_xcep_print(FILE *f, const struct ae_xcep_file_result *r, bool json);

#endif
