/*
 * Fuzz target: a WWW-Authenticate field value as a server sends it
 * (ae_negotiate_hdr_parse: RFC 7235 §4.1 challenges, RFC 4559 §4 Negotiate
 * token). Checks: nothing allocated on failure; a token only with
 * Negotiate, never longer than its base64; the token encoded again by
 * ae_negotiate_hdr_value parses back to the same bytes.
 *
 * Seeds (corpus/negotiate_hdr/), written by hand: negotiate_bare.txt,
 * negotiate_token.txt (an AP-REP-sized token), list.txt (Basic with
 * quoted auth-params, then Negotiate), ntlm.txt (no Negotiate),
 * twice.txt (Negotiate twice: refused), params.txt (Negotiate with
 * auth-params: refused), bad_b64.txt (non-canonical padding bits),
 * empty_elements.txt (", ,Negotiate YWJj,").
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include "ae_https_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_negotiate_hdr *h = NULL;
	struct ae_negotiate_hdr *again = NULL;
	char *v;

	if (mem == NULL) {
		abort();
	}
	if (ae_negotiate_hdr_parse(mem, data, size, &h) != AE_OK) {
		if (h != NULL || talloc_total_blocks(mem) != 1) {
			abort();
		}
		talloc_free(mem);
		return 0;
	}
	if (h == NULL || (h->token != NULL && !h->negotiate) ||
	    (h->token == NULL) != (h->token_len == 0) || h->token_len > size / 4 * 3) {
		abort();
	}
	if (h->token != NULL) {
		v = ae_negotiate_hdr_value(mem, h->token, h->token_len);
		if (v == NULL ||
		    ae_negotiate_hdr_parse(mem, (const uint8_t *)v, strlen(v), &again) != AE_OK ||
		    again->token_len != h->token_len ||
		    memcmp(again->token, h->token, h->token_len) != 0) {
			abort();
		}
	}
	talloc_free(mem);
	return 0;
}
