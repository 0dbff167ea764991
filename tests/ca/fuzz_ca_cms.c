/*
 * fuzz_ca_cms.c: the test CA's "CMS with PKCS #10" decoder (ca_cms_parse):
 * the whole input is the request blob. Whatever the facts, a successful
 * parse is walked (certificates, renewal certificate) and freed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "ca_cms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ca_cms *c = NULL;
	int i;

	(void)ca_cms_sniff(data, size);
	if (ca_cms_parse(NULL, data, size, &c) != AE_OK) {
		return 0;
	}
	for (i = 0; c->renewal_cert != NULL && i < sk_X509_num(c->certs); i++) {
		(void)X509_cmp(sk_X509_value(c->certs, i), c->renewal_cert);
	}
	if (c->signer != NULL && c->num_signers == 0) {
		abort();	/* a signer's certificate needs a SignerInfo */
	}
	if (c->renewal_cert != NULL && (c->renewal_der == NULL || c->renewal_len == 0)) {
		abort();
	}
	if (c->csr == NULL && c->csr_err == AE_OK) {
		abort();
	}
	talloc_free(c);
	return 0;
}
