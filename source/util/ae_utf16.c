#include <string.h>
#include "ae_utf16.h"

static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t need, i;

	if (n == 0) {
		return 0;
	}
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		c = s[0] & 0x1f; need = 2;
	} else if ((s[0] & 0xf0) == 0xe0) {
		c = s[0] & 0x0f; need = 3;
	} else if ((s[0] & 0xf8) == 0xf0) {
		c = s[0] & 0x07; need = 4;
	} else {
		return 0;
	}
	if (need > n) {
		return 0;
	}
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return 0;
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* reject overlong forms, surrogates and values above U+10FFFF */
	if ((need == 2 && c < 0x80) || (need == 3 && c < 0x800) ||
	    (need == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff)) {
		return 0;
	}
	*cp = c;
	return need;
}

ae_err ae_utf8_to_utf16le(TALLOC_CTX *mem_ctx, const char *in, bool nul_terminate,
			  uint8_t **_out, size_t *_len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = strlen(in), off = 0, units = 0;
	uint8_t *out = NULL;
	uint32_t cp;

	if (n > AE_UTF16_MAX_UNITS) {
		return AE_ERR_TOO_LARGE;
	}
	/* at most one UTF-16 unit per UTF-8 byte, plus the terminator */
	out = talloc_array(mem_ctx, uint8_t, (n + 1) * 2);
	if (out == NULL) {
		return AE_ERR_NOMEM;
	}
	while (off < n) {
		size_t used = utf8_decode(s + off, n - off, &cp);
		if (used == 0) {
			talloc_free(out);
			return AE_ERR_PARSE;
		}
		off += used;
		if (cp >= 0x10000) {
			uint32_t v = cp - 0x10000;
			uint16_t hi = 0xd800 | (v >> 10), lo = 0xdc00 | (v & 0x3ff);
			out[units * 2] = hi & 0xff; out[units * 2 + 1] = hi >> 8; units++;
			out[units * 2] = lo & 0xff; out[units * 2 + 1] = lo >> 8; units++;
		} else {
			out[units * 2] = cp & 0xff; out[units * 2 + 1] = cp >> 8; units++;
		}
	}
	if (nul_terminate) {
		out[units * 2] = 0; out[units * 2 + 1] = 0; units++;
	}
	*_out = out;
	*_len = units * 2;
	return AE_OK;
}

ae_err ae_utf16le_to_utf8(TALLOC_CTX *mem_ctx, const uint8_t *in, size_t len, char **_out)
{
	size_t units, i, o = 0;
	char *out = NULL;

	if (len % 2 != 0) {
		return AE_ERR_PARSE;
	}
	units = len / 2;
	if (units > AE_UTF16_MAX_UNITS) {
		return AE_ERR_TOO_LARGE;
	}
	if (units > 0 && in[len - 2] == 0 && in[len - 1] == 0) {
		units--;	/* the terminator */
	}
	out = talloc_array(mem_ctx, char, units * 3 + 1);
	if (out == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < units; i++) {
		uint32_t c = in[i * 2] | ((uint32_t)in[i * 2 + 1] << 8);
		if (c == 0) {
			goto bad;
		}
		if (c >= 0xd800 && c <= 0xdbff) {
			uint32_t lo;
			if (i + 1 >= units) {
				goto bad;
			}
			lo = in[(i + 1) * 2] | ((uint32_t)in[(i + 1) * 2 + 1] << 8);
			if (lo < 0xdc00 || lo > 0xdfff) {
				goto bad;
			}
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			i++;
		} else if (c >= 0xdc00 && c <= 0xdfff) {
			goto bad;
		}
		if (c < 0x80) {
			out[o++] = (char)c;
		} else if (c < 0x800) {
			out[o++] = (char)(0xc0 | (c >> 6));
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			out[o++] = (char)(0xe0 | (c >> 12));
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else {
			out[o++] = (char)(0xf0 | (c >> 18));
			out[o++] = (char)(0x80 | ((c >> 12) & 0x3f));
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	out[o] = '\0';
	*_out = out;
	return AE_OK;
bad:
	talloc_free(out);
	return AE_ERR_PARSE;
}
