/*
 * Fuzz target: a GetPoliciesResponse from a policy server mapped onto the
 * report's Enrollment Services (ae_polsrv_xcep_cas: the CA certificate's
 * subject CN read and sanitized, the best URI's host): what a CEP sends
 * reaches these through ae_xcep_parse_response first, as here.
 *
 * Seeds (corpus/polsrv_map/): the xcep corpus's response.xml and
 * bare_minimal.xml, bad_cert.xml (a CA certificate that is no X.509),
 * odd_uris.xml (IPv6, ports, renewal-only first).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include "ae_pki.h"
#include "ae_polsrv_private.h"
#include "ae_xcep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_xcep_response *r = NULL;
	struct ae_enrollment_service **cas = NULL;
	size_t n = 0;
	char why[256];

	if (ae_xcep_parse_response(mem, data, size, &r, why, sizeof(why)) == AE_OK) {
		if (ae_polsrv_xcep_cas(mem, r, 0, &cas, &n) != AE_OK || n != r->num_cas) {
			abort();
		}
		for (size_t i = 0; i < n; i++) {
			if (cas[i]->cn == NULL || cas[i]->cn[0] == '\0' || cas[i]->dn != NULL ||
			    cas[i]->xcep_ca != &r->cas[i] || strchr(cas[i]->cn, '/') != NULL) {
				abort();
			}
		}
	}
	talloc_free(mem);
	return 0;
}
