/*
 * fuzz_ca_record.c: the test CA's request database record parser
 * (ca_db.h), and a format/parse round trip of whatever it accepts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ca_db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ca_record *r = NULL, *back = NULL;
	char *text = NULL;

	if (ca_record_parse(NULL, data, size, &r) != AE_OK) {
		return 0;
	}
	if (ca_record_format(r, r, &text) != AE_OK ||
	    ca_record_parse(r, (const uint8_t *)text, strlen(text), &back) != AE_OK ||
	    back->id != r->id || back->state != r->state ||
	    back->request.len != r->request.len || back->cert.len != r->cert.len ||
	    strcmp(back->renews, r->renews) != 0) {
		abort();	/* what was accepted must survive a round trip */
	}
	talloc_free(r);
	return 0;
}
