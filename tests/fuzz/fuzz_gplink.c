/*
 * Fuzz target: the gPLink attribute of a SOM. A value that parses is also
 * run through the GPO list computation as the domain's links (no GPO
 * objects: every link ends up excluded, disabled or blocked).
 */
#include <stdint.h>
#include <stddef.h>
#include <talloc.h>
#include "ae_gplink.h"
#include "ae_gpolist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_gplink *gl = NULL;
	struct ae_gpolist *list = NULL;
	struct ae_sid user = { .revision = 1, .num_auths = 1, .authority = { 0, 0, 0, 0, 0, 5 },
			       .sub_auths = { 18 } };
	struct ae_token *token = ae_token_new(mem, &user);

	if (token != NULL && ae_gplink_parse(mem, data, size, &gl) == AE_OK) {
		struct ae_som soms[2] = {
			{ AE_SOM_DOMAIN, "DC=example", gl, 0 },
			{ AE_SOM_OU, "OU=x,DC=example", gl, AE_GPOPTIONS_BLOCK_INHERITANCE },
		};
		struct ae_gpolist_input in = {
			.context = AE_GPO_CONTEXT_MACHINE, .soms = soms, .num_soms = 2,
			.token = token,
		};
		(void)ae_gpolist_compute(mem, &in, &list);
	}
	talloc_free(mem);
	return 0;
}
