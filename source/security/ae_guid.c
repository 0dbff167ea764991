#include <stdio.h>
#include <string.h>
#include "ae_guid.h"
#include "ae_digits.h"

/*
 * Where each byte of the stored form comes from in the string's 16 hex
 * pairs (dashes removed): Data1..3 are little-endian.
 */
static const uint8_t str_pos[AE_GUID_LEN] = {
	3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15
};

ae_err ae_guid_from_string(const char *s, uint8_t out[AE_GUID_LEN])
{
	uint8_t pairs[AE_GUID_LEN];
	bool braces;
	size_t i, n = 0;

	if (s == NULL || out == NULL) {
		return AE_ERR_INVALID;
	}
	braces = s[0] == '{';
	if (braces) {
		s++;
	}
	for (i = 0; i < 36; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-') {
				return AE_ERR_PARSE;
			}
			continue;
		}
		hi = ae_hex_digit(s[i]);
		lo = hi < 0 ? -1 : ae_hex_digit(s[i + 1]);
		if (lo < 0) {
			return AE_ERR_PARSE;
		}
		pairs[n++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	if (braces ? (s[36] != '}' || s[37] != '\0') : s[36] != '\0') {
		return AE_ERR_PARSE;
	}
	for (i = 0; i < AE_GUID_LEN; i++) {
		out[i] = pairs[str_pos[i]];
	}
	return AE_OK;
}

const char *ae_guid_format(const uint8_t g[AE_GUID_LEN], char buf[AE_GUID_STR_MAX])
{
	snprintf(buf, AE_GUID_STR_MAX,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6],
		 g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
	return buf;
}
