/*
 * Fuzz target: a CES's answer to a RequestSecurityToken ([MS-WSTEP]
 * RequestSecurityTokenResponseCollection or SOAP 1.2 fault), then the
 * certificate and chain it carries.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <talloc.h>
#include "ae_wstep.h"
#include "ae_x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_wstep_result *r = NULL;
	struct ae_cert *c = NULL;
	struct ae_cert_list *l = NULL;

	if (mem == NULL) {
		return 0;
	}
	if (ae_wstep_parse_response(mem, data, size, &r) == AE_OK) {
		/* the contract of the result */
		if (r->message == NULL ||
		    (r->disposition == AE_WSTEP_ISSUED && (r->cert == NULL || r->cert_len == 0 ||
							   r->cert_len > AE_WSTEP_MAX_CERT)) ||
		    (r->disposition == AE_WSTEP_PENDING && r->request_id == NULL) ||
		    (r->disposition == AE_WSTEP_DENIED && !r->has_error_code) ||
		    (r->chain != NULL && r->chain_len > AE_WSTEP_MAX_CHAIN) ||
		    ((r->disposition == AE_WSTEP_DENIED || r->disposition == AE_WSTEP_FAULT) &&
		     r->fault_code == NULL)) {
			abort();
		}
		if (r->cert != NULL) {
			(void)ae_cert_parse_der(mem, r->cert, r->cert_len, &c);
		}
		if (r->chain != NULL) {
			(void)ae_pkcs7_certs_parse(mem, r->chain, r->chain_len, &l);
		}
		(void)ae_wstep_icpr_disposition(r);
	}
	talloc_free(mem);
	return 0;
}
