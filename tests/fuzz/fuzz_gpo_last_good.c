/* Fuzz target: the GPO cache's last-good list (engine/ae_gpo_cache.h). */
#include <stdint.h>
#include <stddef.h>
#include <talloc.h>
#include "ae_gpo_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_gpo_cache_entry *e = NULL;
	char canon[AE_GPO_GUID_MAX];
	size_t n = 0, i;

	if (ae_gpo_last_good_parse(mem, data, size, &e, &n) == AE_OK) {
		for (i = 0; i < n; i++) {
			/* every parsed entry is a canonical GUID again */
			if (ae_gpo_guid_canon(e[i].guid, canon) != AE_OK) {
				__builtin_trap();
			}
		}
	}
	talloc_free(mem);
	return 0;
}
