/* Fuzz target: the CA's answer as the client decodes it. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <talloc.h>
#include "ndr_icpr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct icpr_response *r = NULL;
	uint8_t *again = NULL;
	size_t len = 0;

	if (icpr_response_pull(mem, data, size, &r) == AE_OK) {
		/* what decodes must re-encode to the same bytes */
		if (icpr_response_push(mem, r, &again, &len) != AE_OK) {
			abort();
		}
	}
	talloc_free(mem);
	return 0;
}
