/*
 * Fuzz target: the two parsers behind ae_fetch_url: an HTTP/1.x response as
 * a server sends it (ae_http_response_parse), and the same bytes as a URL
 * from a certificate (ae_url_parse, NUL-terminated copy).
 *
 * Seeds (corpus/http/), written by hand: ok_length.txt (200 with
 * Content-Length), ok_lf_only.txt (LF line ends, no length), redirect.txt
 * (302 + Location), chunked.txt (Transfer-Encoding, refused), short.txt
 * (body shorter than its length), folded.txt (an obs-fold line),
 * url_http.txt, url_ipv6.txt, url_file.txt, url_ldap.txt.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include "ae_fetch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_http_response *r = NULL;
	struct ae_url *u = NULL;
	char *text = NULL;

	if (mem == NULL) {
		return 0;
	}
	if (ae_http_response_parse(mem, data, size, &r) == AE_OK) {
		if (r->status < 100 || r->status > 999 || r->body_len > size ||
		    r->body[r->body_len] != 0) {
			abort();
		}
	}
	if (size <= AE_URL_MAX + 1) {
		text = talloc_array(mem, char, size + 1);
		if (text != NULL) {
			memcpy(text, data, size);
			text[size] = '\0';
			if (ae_url_parse(mem, text, &u) == AE_OK &&
			    (u->path == NULL || u->host == NULL || u->authority == NULL ||
			     (u->scheme == AE_URL_HTTP && (u->port == 0 || u->path[0] != '/')))) {
				abort();
			}
		}
	}
	talloc_free(mem);
	return 0;
}
