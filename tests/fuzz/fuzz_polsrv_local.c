/*
 * Fuzz target: ae_polsrv_local_parse (the local policy-server configuration,
 * <state dir>/autoenroll/policy-servers.conf) and the formatter round trip:
 * what parses, formatted again, parses to the same servers.
 *
 * Seeds (corpus/polsrv_local/): full.conf (every field, comments, blanks,
 * tabs), minimal.conf (a URL only), bad_field.conf (an unknown field),
 * dup.conf (a field twice), long_cost.conf (a cost above 32 bits).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include "ae_polsrv_local.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_polsrv_local *v = NULL, *w = NULL;
	size_t n = 0, m = 0;
	char why[256];
	char *text;

	if (ae_polsrv_local_parse(mem, data, size, &v, &n, why, sizeof(why)) == AE_OK) {
		text = ae_polsrv_local_format(mem, v, n);
		if (text == NULL ||
		    ae_polsrv_local_parse(mem, (const uint8_t *)text, strlen(text), &w, &m, why,
					  sizeof(why)) != AE_OK || m != n) {
			abort();
		}
		for (size_t i = 0; i < n; i++) {
			if (strcmp(v[i].url, w[i].url) != 0 ||
			    strcmp(v[i].policy_id, w[i].policy_id) != 0 ||
			    v[i].cost != w[i].cost || v[i].auth != w[i].auth) {
				abort();
			}
		}
	}
	talloc_free(mem);
	return 0;
}
