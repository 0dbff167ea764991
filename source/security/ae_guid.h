/*
 * ae_guid.h: GUIDs as they are stored in ACEs (MS-DTYP 2.3.4.2): 16 bytes,
 * Data1 (4), Data2 (2) and Data3 (2) little-endian, Data4 (8) as is. The
 * string form "0e10c968-78fb-11d2-90d4-00c04f79dc55" prints Data1..3 as
 * numbers, so its first 8 bytes appear reversed in the stored form.
 */
#ifndef AE_GUID_H
#define AE_GUID_H

#include <stdbool.h>
#include <stdint.h>
#include "ae_error.h"

#define AE_GUID_LEN	16
#define AE_GUID_STR_MAX	37	/* 36 characters and a NUL */

/*
 * "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (hex, either case, optionally in
 * braces) -> the stored form. AE_ERR_PARSE otherwise; out set only on
 * success.
 */
ae_err ae_guid_from_string(const char *s, uint8_t out[AE_GUID_LEN]);

/* The stored form -> lowercase string into buf; returns buf. */
const char *ae_guid_format(const uint8_t g[AE_GUID_LEN], char buf[AE_GUID_STR_MAX]);

#endif
