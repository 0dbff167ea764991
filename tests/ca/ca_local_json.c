/*
 * ca_local_json.c: ca-local's JSON output (RFC 8259 strings) and its stdin
 * reader.
 */
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "ca_local.h"

void cl_json_str(FILE *f, const char *s)
{
	const unsigned char *p;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
		} else {
			fputc(*p, f);
		}
	}
	fputc('"', f);
}

ae_err cl_json_b64(FILE *f, const uint8_t *p, size_t len)
{
	unsigned char *out;
	int n;

	if (p == NULL || len == 0) {
		fputs("null", f);
		return AE_OK;
	}
	if (len > CA_DER_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	out = talloc_size(NULL, (len + 2) / 3 * 4 + 1);
	if (out == NULL) {
		return AE_ERR_NOMEM;
	}
	n = EVP_EncodeBlock(out, p, (int)len);
	fputc('"', f);
	fwrite(out, 1, (size_t)n, f);
	fputc('"', f);
	talloc_free(out);
	return AE_OK;
}

void cl_json_str_array(FILE *f, const char *const *v, size_t n)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i > 0) {
			fputc(',', f);
		}
		cl_json_str(f, v[i]);
	}
	fputc(']', f);
}

ae_err cl_read_stdin(TALLOC_CTX *mem_ctx, size_t max, uint8_t **_p, size_t *_len)
{
	uint8_t *buf = talloc_size(mem_ctx, max + 1);
	size_t len = 0;
	ssize_t n;

	if (buf == NULL) {
		return AE_ERR_NOMEM;
	}
	while (len <= max) {
		n = read(STDIN_FILENO, buf + len, max + 1 - len);
		if (n == 0) {
			break;
		}
		if (n < 0) {
			talloc_free(buf);
			return AE_ERR_IO;
		}
		len += (size_t)n;
	}
	if (len > max) {
		talloc_free(buf);
		return AE_ERR_TOO_LARGE;
	}
	*_p = buf;
	*_len = len;
	return AE_OK;
}
