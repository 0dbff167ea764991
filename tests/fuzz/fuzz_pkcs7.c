/*
 * Fuzz target: the CA's PKCS#7 answer (pctbCert), then the certificates in it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <talloc.h>
#include "ae_x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_cert_list *l = NULL;
	struct ae_cert_list *again = NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	size_t i;

	if (mem == NULL) {
		return 0;
	}
	if (ae_pkcs7_certs_parse(mem, data, size, &l) == AE_OK) {
		for (i = 0; i < l->count; i++) {
			struct ae_cert_template t;
			char **names = NULL;
			char *s = NULL;

			(void)ae_cert_template_info(mem, l->certs[i], &t);
			(void)ae_cert_dns_names(mem, l->certs[i], &names);
			(void)ae_cert_subject(mem, l->certs[i], &s);
		}
		/* what parsed must rebuild and parse again to as many certificates */
		if (ae_pkcs7_certs_build(mem, l, &der, &len) != AE_OK ||
		    ae_pkcs7_certs_parse(mem, der, len, &again) != AE_OK ||
		    again->count != l->count) {
			abort();
		}
	}
	talloc_free(mem);
	return 0;
}
