/*
 * ae_gpt.h: the GPT.INI of a GPO in SYSVOL (MS-GPOL 2.2.4): section
 * [General] with Version=N, the GPO file system version (machine version in
 * the low 16 bits, user version in the high 16 bits, like the GPC's
 * versionNumber attribute).
 */
#ifndef AE_GPT_H
#define AE_GPT_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

#define AE_GPT_MAX	(64 * 1024)	/* file bytes (a real one is ~40) */
#define AE_GPT_LINE_MAX	4096		/* bytes per line */

struct ae_gpt {
	uint32_t version;		/* [General] Version */
	const char *display_name;	/* [General] displayName, NULL if absent */
};

/*
 * Parse GPT.INI: ANSI/UTF-8 text (a UTF-8 BOM is skipped), lines ended by
 * CRLF, LF or CR, blank lines and ';'/'#' comments allowed, spaces and tabs
 * around names, '=' and values ignored; section and key names compare
 * case-insensitively; other sections and keys are ignored. Version is a
 * decimal 32-bit integer (a negative one, as some writers store the signed
 * form, is taken modulo 2^32).
 * On success *_out is allocated on mem_ctx; otherwise it is untouched.
 * Errors: AE_ERR_TOO_LARGE (above AE_GPT_MAX, a line above AE_GPT_LINE_MAX),
 * AE_ERR_PARSE (NUL bytes, a malformed line, no [General], no or a repeated
 * or non-numeric Version), AE_ERR_NOMEM, AE_ERR_INVALID.
 */
ae_err ae_gpt_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len, struct ae_gpt **_out);

/* The two halves of a GPO version (GPT.INI Version or versionNumber). */
static inline uint16_t ae_gpo_version_machine(uint32_t v) { return (uint16_t)(v & 0xffff); }
static inline uint16_t ae_gpo_version_user(uint32_t v) { return (uint16_t)(v >> 16); }

#endif
