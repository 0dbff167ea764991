/*
 * Fuzz target: a PKCS#10 request made elsewhere (certmonger's
 * CERTMONGER_CSR; source/request/ae_csr_read.h): the bytes as PEM, and as
 * DER. What parses must carry a key, and its DER must parse again.
 *
 * Seeds (corpus/csr_read/): `openssl req -new -newkey ec -pkeyopt
 * ec_paramgen_curve:P-256 -nodes -subj /CN=member1` (ec.pem, ec.der with
 * -outform DER), the same with `-addext 1.3.6.1.4.1.311.20.2=DER:1E14004C
 * 00610062004D0061006300680069006E0065` (v1_name.der: BMPString
 * "LabMachine"), with the template extension
 * 1.3.6.1.4.1.311.21.7=DER:300B06032A0304020164020100 (v2_oid.der), ec.der
 * with its last byte flipped (bad_signature.der) and one byte appended
 * (trailing.der).
 */
#include <stdint.h>
#include <stdlib.h>
#include <talloc.h>
#include "ae_csr_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_csr_info *info = NULL;
	uint8_t *der = NULL;
	size_t len = 0;

	if (mem == NULL) {
		return 0;
	}
	if (ae_csr_parse(mem, data, size, &info) == AE_OK && (info->key == NULL ||
							       info->key->pkey == NULL)) {
		abort();
	}
	if (ae_csr_pem_to_der(mem, data, size, &der, &len) == AE_OK) {
		(void)ae_csr_parse(mem, der, len, &info);
	}
	talloc_free(mem);
	return 0;
}
