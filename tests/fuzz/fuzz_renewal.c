/*
 * Fuzz target: a renewal request as the test CA receives it in pctbRequest
 * (ae_renewal_parse), then what the CA reads from the result.
 *
 * Seeds (corpus/renewal/): wstep_renewal.cms is the spec's own request
 * (MS-WSTEP 4.1.5.1, = tests/unit/data/wstep_renewal.cms). The others were
 * written once by a throw-away program on this tree's ae_renewal_build /
 * ae_csr_build with EC P-256 keys and OpenSSL's CMS_sign: renewal_ec.cms
 * (valid), renewal_signed_attrs.cms (with signed attributes, valid),
 * renewal_wrong_signer.cms (signed by another certificate than the one
 * renewed), renewal_no_certs.cms (signer certificate left out),
 * renewal_no_attribute.cms (a PKCS#10 without 1.3.6.1.4.1.311.13.1),
 * renewal_trailing_byte.cms (+ 00), renewal_truncated.cms (first half);
 * certs_only.der is corpus/pkcs7/certs_only_single.der (no signer).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include "ae_renewal.h"
#include "ae_x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_renewal *r = NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	char *s = NULL;

	if (mem == NULL) {
		return 0;
	}
	if (ae_renewal_parse(mem, data, size, &r) == AE_OK) {
		/* the parser promises: attribute == signer's certificate, a non-empty request */
		if (ae_cert_to_der(mem, r->signer, &der, &len) != AE_OK ||
		    len != r->renewal_cert_len || memcmp(der, r->renewal_cert_der, len) != 0 ||
		    r->csr_len == 0 || r->csr_len > AE_RENEWAL_CSR_MAX) {
			abort();
		}
		(void)ae_cert_subject(mem, r->signer, &s);
		(void)ae_cert_serial_hex(mem, r->signer, &s);
	}
	talloc_free(mem);
	return 0;
}
