/*
 * Fuzz target: the store's state record (<template>.state, on-disk bytes).
 * Whatever parses must write back, and the written text must parse to the
 * same text again; a copy (as the store's transitions make) writes the same.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include "ae_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_store_state *st = NULL, *again = NULL, *copy = NULL;
	char *text = NULL, *text2 = NULL, *text3 = NULL;

	if (ae_store_state_parse(mem, data, size, &st) == AE_OK) {
		if (ae_store_state_format(mem, st, &text) != AE_OK ||
		    ae_store_state_parse(mem, (const uint8_t *)text, strlen(text), &again) != AE_OK ||
		    ae_store_state_format(mem, again, &text2) != AE_OK || strcmp(text, text2) != 0 ||
		    (copy = ae_store_state_copy(mem, st)) == NULL ||
		    ae_store_state_format(mem, copy, &text3) != AE_OK || strcmp(text, text3) != 0) {
			abort();
		}
	}
	talloc_free(mem);
	return 0;
}
