/*
 * Fuzz target: the administrator's names (source/request/ae_names.h). The
 * input is split at the first NUL: before it the RFC 4514 --subject, after
 * it NUL-separated --dns values. What builds must decode again: the
 * subject as one Name, the SAN as one GeneralNames, no trailing bytes.
 *
 * Seeds (corpus/names/): simple (CN=www.lab.example.com, two DNS names),
 * escapes (\, \2C \+ in values), multi_rdn (O, OU, DC), plus_rdn (refused),
 * hex_value (#..., refused), wildcard (*.lab...), bad_label (a_b).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "ae_names.h"

#define MAX_IN 4096
#define MAX_DNS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct ae_names *n)
{
	const unsigned char *q = n->subject_der;
	X509_NAME *x = NULL;
	GENERAL_NAMES *g = NULL;

	if (n->subject_der != NULL) {
		x = d2i_X509_NAME(NULL, &q, (long)n->subject_len);
		if (x == NULL || q != n->subject_der + n->subject_len) {
			abort();
		}
		X509_NAME_free(x);
	}
	if (n->san_der != NULL) {
		q = n->san_der;
		g = d2i_GENERAL_NAMES(NULL, &q, (long)n->san_len);
		if (g == NULL || q != n->san_der + n->san_len) {
			abort();
		}
		GENERAL_NAMES_free(g);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = NULL;
	char *buf = NULL, *p = NULL;
	const char *dns[MAX_DNS + 1] = { NULL };
	struct ae_names_input in = { 0 };
	struct ae_names *n = NULL;
	char *why = NULL;
	size_t k = 0;

	if (size > MAX_IN || (mem = talloc_new(NULL)) == NULL) {
		return 0;
	}
	buf = talloc_zero_size(mem, size + 2);
	if (buf == NULL) {
		talloc_free(mem);
		return 0;
	}
	memcpy(buf, data, size);
	in.subject = buf[0] != '\0' ? buf : NULL;
	p = buf + strlen(buf) + 1;
	while (p < buf + size + 1 && *p != '\0' && k < MAX_DNS) {
		dns[k++] = p;
		p += strlen(p) + 1;
	}
	in.dns = k > 0 ? dns : NULL;
	if (ae_names_build(mem, &in, &n, &why) == AE_OK) {
		check(n);
	} else if (why == NULL && in.subject == NULL && k == 0) {
		abort();	/* nothing given builds: no names */
	}
	talloc_free(mem);
	return 0;
}
