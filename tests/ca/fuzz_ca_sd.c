/*
 * fuzz_ca_sd.c: the test CA's security descriptor parser and Enroll check
 * (ca_sd.h) on arbitrary bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "ca.h"
#include "ca_sd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *sids[] = { "S-1-5-21-1-2-3-1103", "S-1-5-21-1-2-3-515", "S-1-1-0",
				      "S-1-5-11" };
	struct ca_sid token[4];
	struct ca_caller caller = { .name = "fuzz", .sids = token, .num_sids = 4 };
	struct ca_sd *sd = NULL;
	size_t i;

	for (i = 0; i < 4; i++) {
		if (ca_sid_from_string(sids[i], &token[i]) != AE_OK) {
			abort();
		}
	}
	if (ca_sd_parse(NULL, data, size, &sd) == AE_OK) {
		(void)ca_sd_allows_right(sd, &caller, ca_guid_enroll);
		talloc_free(sd);
	}
	return 0;
}
