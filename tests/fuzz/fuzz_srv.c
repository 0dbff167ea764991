/* Fuzz target: DNS SRV answers for the DC locator. */
#include <stdint.h>
#include <stddef.h>
#include <limits.h>
#include <talloc.h>
#include "ae_dclocate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *target = NULL;

	if (size <= 65535) {
		(void)ae_srv_pick(mem, data, (int)size, &target);
	}
	talloc_free(mem);
	return 0;
}
