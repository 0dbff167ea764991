/* Fuzz target: the store's pending-request record (on-disk bytes). */
#include <stdint.h>
#include <stddef.h>
#include <talloc.h>
#include "ae_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_pending *p = NULL;

	(void)ae_pending_parse(mem, data, size, &p);
	talloc_free(mem);
	return 0;
}
