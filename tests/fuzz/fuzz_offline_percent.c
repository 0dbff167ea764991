/*
 * Fuzz target: the persisted OfflineExpirationPercent (<store>/.offline-expiration,
 * on-disk bytes) as ae_store_check_load_percent reads it: at most 64 bytes.
 */
#include <stdint.h>
#include <stddef.h>
#include "ae_store_check.h"
#include "ae_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t pct = 0;

	if (ae_offline_percent_parse(data, size, &pct) == AE_OK && pct > 100) {
		__builtin_trap();	/* the contract: 0..100 only */
	}
	return 0;
}
