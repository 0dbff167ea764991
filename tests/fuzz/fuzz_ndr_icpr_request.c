/* Fuzz target: a client's request as the test CA decodes it. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <talloc.h>
#include "ndr_icpr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct icpr_request *r = NULL;
	uint8_t *again = NULL;
	size_t len = 0;

	if (icpr_request_pull(mem, data, size, &r) == AE_OK) {
		if (icpr_request_push(mem, r, &again, &len) != AE_OK) {
			abort();
		}
	}
	talloc_free(mem);
	return 0;
}
