/*
 * Fuzz target: certmonger's CERTMONGER_CA_COOKIE as the helper reads it
 * back (source/certmonger/cm_env.h). What decodes must encode to the same
 * bytes (the form is canonical: lower-case hex, no leading zero).
 *
 * Seeds (corpus/cm_cookie/): valid (a cookie of request 42 at LAB-CA, as
 * cm_cookie_encode writes it), uppercase_hex, leading_zero, id_zero,
 * newline_in_ca (the CA name's hex holds 0a), trailing_newline, short_hash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include "cm_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct cm_cookie *c = NULL;
	char *again = NULL;

	if (mem == NULL) {
		return 0;
	}
	if (cm_cookie_decode(mem, data, size, &c) == AE_OK) {
		again = cm_cookie_encode(mem, c->ca_name, c->request_id, c->spki_sha256);
		if (again == NULL || strlen(again) != size || memcmp(again, data, size) != 0) {
			abort();
		}
	}
	talloc_free(mem);
	return 0;
}
