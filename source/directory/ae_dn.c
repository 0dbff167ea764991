/*
 * ae_dn.c: RFC 4514 §2.4 escaping of one attribute value for a DN string.
 */
#include <stdbool.h>
#include <string.h>
#include "ae_dn.h"

static bool special(char c)
{
	return c != '\0' && strchr("\"+,;<>\\", c) != NULL;
}

char *ae_dn_escape_value(TALLOC_CTX *mem_ctx, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len, i, o = 0;
	char *out;

	if (value == NULL) {
		return NULL;
	}
	len = strlen(value);
	if (len == 0 || len > AE_DN_VALUE_MAX) {
		return NULL;
	}
	out = talloc_array(mem_ctx, char, 3 * len + 1);
	if (out == NULL) {
		return NULL;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c < 0x20 || c == 0x7f) {
			out[o++] = '\\';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
			continue;
		}
		if (special((char)c) || (i == 0 && (c == ' ' || c == '#')) ||
		    (i + 1 == len && c == ' ')) {
			out[o++] = '\\';
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}
