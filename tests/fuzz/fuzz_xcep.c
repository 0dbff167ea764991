/*
 * Fuzz target: ae_xcep_parse_response (an MS-XCEP GetPoliciesResponse, in a
 * SOAP 1.2 envelope or bare) exactly as a caller gets it from the policy
 * server or a saved file, and the xml layer under it.
 *
 * Seeds (corpus/xcep/): response.xml (two policies, two CAs, OIDs, as in
 * tests/unit/data), bare_minimal.xml (bare element, nils), doctype.xml
 * (entities, refused), unknown_oid.xml (a dangling oIDReference), fault.xml
 * (a SOAP fault instead), numbers.xml (negative and overflowing values),
 * ucs4_nul.xml (UCS-4 detected, then NUL: libxml2's encoding error path).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <talloc.h>
#include "ae_xcep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct ae_xcep_response *r)
{
	size_t i, j;

	if (r->policy_id == NULL) {
		abort();
	}
	for (i = 0; i < r->num_templates; i++) {
		const struct ae_template *t = r->templates[i];

		if (t->cn == NULL || t->cn[0] == '\0' || t->oid == NULL ||
		    !(t->present & AE_TPL_HAS_XCEP_PERMISSION)) {
			abort();
		}
		for (j = 0; j < t->num_ca_refs; j++) {
			if (ae_xcep_find_ca(r, t->ca_refs[j]) == NULL) {
				abort();
			}
		}
	}
	for (i = 0; i < r->num_cas; i++) {
		if (r->cas[i].num_uris == 0 || r->cas[i].num_uris > AE_XCEP_URIS_MAX) {
			abort();
		}
		for (j = 0; j < r->cas[i].num_uris; j++) {
			if (strncasecmp(r->cas[i].uris[j].uri, "https://", 8) != 0) {
				abort();
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_xcep_response *r = NULL;
	char why[256];

	if (mem == NULL) {
		abort();
	}
	if (ae_xcep_parse_response(mem, data, size, &r, why, sizeof(why)) == AE_OK) {
		check(r);
		talloc_free(r);
	} else if (r != NULL) {
		abort();
	}
	/* Nothing the parser did may remain on the caller's context. */
	if (talloc_total_blocks(mem) != 1) {
		abort();
	}
	talloc_free(mem);
	return 0;
}
