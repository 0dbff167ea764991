/* Fuzz target: GPT.INI of a GPO in SYSVOL. */
#include <stdint.h>
#include <stddef.h>
#include <talloc.h>
#include "ae_gpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_gpt *gpt = NULL;

	if (ae_gpt_parse(mem, data, size, &gpt) == AE_OK) {
		(void)ae_gpo_version_machine(gpt->version);
	}
	talloc_free(mem);
	return 0;
}
