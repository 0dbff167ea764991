/*
 * fuzz_ca_certrec.c: the test CA's certificate index records
 * (ca_certrec_parse); a record that parses must format and parse again to
 * the same fields.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ca_certdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct ca_cert_record *r = NULL, *back = NULL;
	char *text = NULL;

	if (t == NULL) {
		return 0;
	}
	if (ca_certrec_parse(t, data, size, &r) == AE_OK &&
	    ca_certrec_format(t, r, &text) == AE_OK) {
		if (ca_certrec_parse(t, (const uint8_t *)text, strlen(text), &back) != AE_OK ||
		    strcmp(back->serial, r->serial) != 0 || back->state != r->state ||
		    back->reason != r->reason || back->not_after != r->not_after ||
		    strcmp(back->renews, r->renews) != 0 ||
		    strcmp(back->renewed_by, r->renewed_by) != 0) {
			abort();
		}
	}
	talloc_free(t);
	return 0;
}
