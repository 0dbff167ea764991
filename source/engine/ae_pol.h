/*
 * ae_pol.h: `autoenroll pol FILE`: a Registry.pol read, parsed and turned
 * into the AutoEnrollment settings it would set (an administrator's
 * debugging tool, like `samba-tool gpo show` for one file).
 */
#ifndef AE_POL_H
#define AE_POL_H

#include <stdbool.h>
#include <stdio.h>
#include <talloc.h>
#include "ae_error.h"

struct ae_preg;
struct ae_aesettings;

struct ae_pol_result {
	struct ae_preg *pol;
	struct ae_aesettings *settings;
	char error[512];	/* names the file, the byte offset and the cause */
};

/*
 * AE_ERR_NOT_FOUND / AE_ERR_IO / AE_ERR_TOO_LARGE: the file cannot be read;
 * AE_ERR_PARSE: it is not a valid Registry.pol. *_r is set in every case
 * except AE_ERR_NOMEM (for its error text).
 */
ae_err ae_pol_file(TALLOC_CTX *mem_ctx, const char *path, struct ae_pol_result **_r);

/* `autoenroll pol`: the entries and the AutoEnrollment settings, as text or one JSON object. */
ae_err ae_pol_print(FILE *f, const struct ae_pol_result *r, bool json);

#endif
