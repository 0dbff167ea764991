/*
 * cepapp_wstep_check FILE: what the client's own parser makes of a CES
 * answer (ae_wstep_parse_response, then the certificate and the PKCS#7
 * chain), for tests/cep/test_cepapp.py. Prints one line
 *   disposition=<issued|pending|denied|fault> request_id=<id|-> cert=<bytes>
 *   chain_certs=<n> error=0x<hresult> invalid=<0|1>
 * and exits 0; exit 1 when the parser refuses the answer, 2 on usage or I/O.
 */
#include <stdio.h>
#include <talloc.h>
#include "ae_file.h"
#include "ae_wstep.h"
#include "ae_x509.h"

static const char *name(enum ae_wstep_disposition d)
{
	switch (d) {
	case AE_WSTEP_ISSUED: return "issued";
	case AE_WSTEP_PENDING: return "pending";
	case AE_WSTEP_DENIED: return "denied";
	case AE_WSTEP_FAULT: break;
	}
	return "fault";
}

int main(int argc, char **argv)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_wstep_result *r = NULL;
	struct ae_cert *c = NULL;
	struct ae_cert_list *l = NULL;
	uint8_t *p = NULL;
	size_t len = 0;
	int rc = 1;

	if (mem == NULL || argc != 2 || ae_file_read(mem, argv[1], 4u << 20, &p, &len) != AE_OK) {
		fprintf(stderr, "usage: cepapp_wstep_check FILE (readable)\n");
		talloc_free(mem);
		return 2;
	}
	if (ae_wstep_parse_response(mem, p, len, &r) == AE_OK &&
	    (r->cert == NULL || ae_cert_parse_der(mem, r->cert, r->cert_len, &c) == AE_OK) &&
	    (r->chain == NULL || ae_pkcs7_certs_parse(mem, r->chain, r->chain_len, &l) == AE_OK)) {
		printf("disposition=%s request_id=%s cert=%zu chain_certs=%zu error=0x%08x invalid=%d\n",
		       name(r->disposition), r->request_id ? r->request_id : "-", r->cert_len,
		       l ? l->count : 0, r->has_error_code ? r->error_code : 0,
		       r->invalid_request ? 1 : 0);
		rc = 0;
	} else {
		fprintf(stderr, "cepapp_wstep_check: %s: refused by the client's parser\n", argv[1]);
	}
	talloc_free(mem);
	return rc;
}
