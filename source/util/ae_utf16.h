/*
 * ae_utf16.h: UTF-8 <-> UTF-16LE for the wire (MS-ICPR strings, PReg).
 */
#ifndef AE_UTF16_H
#define AE_UTF16_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <talloc.h>
#include "ae_error.h"

/* Longest string either direction converts (characters / code units). */
#define AE_UTF16_MAX_UNITS (1024 * 1024)

/*
 * UTF-8 'in' -> UTF-16LE on mem_ctx. With nul_terminate a 00 00 unit is
 * appended and counted in *_len. Invalid UTF-8 -> AE_ERR_PARSE.
 * Outputs are set only on success.
 */
ae_err ae_utf8_to_utf16le(TALLOC_CTX *mem_ctx, const char *in, bool nul_terminate,
			  uint8_t **_out, size_t *_len);

/*
 * UTF-16LE (len bytes) -> NUL-terminated UTF-8 on mem_ctx. Odd length,
 * unpaired surrogates or an interior NUL unit are AE_ERR_PARSE; one
 * terminating NUL unit at the very end is accepted and dropped.
 */
ae_err ae_utf16le_to_utf8(TALLOC_CTX *mem_ctx, const uint8_t *in, size_t len, char **_out);

#endif
