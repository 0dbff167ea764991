/*
 * Fuzz target: the store's hooks record (<store>/<template>.hooks, on-disk
 * bytes) as ae_store_hooks_pending reads it: "action=<[a-z]{1,16}>\n".
 */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <talloc.h>
#include "ae_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *action = NULL;
	size_t i, n;

	if (ae_store_hooks_parse(mem, data, size, &action) == AE_OK) {
		n = strlen(action);
		if (n == 0 || n > 16) {
			__builtin_trap();
		}
		for (i = 0; i < n; i++) {
			if (action[i] < 'a' || action[i] > 'z') {
				__builtin_trap();
			}
		}
	}
	talloc_free(mem);
	return 0;
}
