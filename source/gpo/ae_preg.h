/*
 * ae_preg.h: Registry.pol (PReg, MS-GPREG 2.2.1) and a tiny in-memory
 * registry that GPOs are applied to in order (MS-GPREG 3.2.5.1.2).
 *
 * File format: "PReg" + version 1 (uint32 LE), then instructions
 * "[" key ";" value ";" type ";" size ";" data "]" where the delimiters are
 * UTF-16LE characters, key and value are NUL-terminated UTF-16LE, type and
 * size uint32 LE and data 'size' bytes. There is no entry count on disk.
 */
#ifndef AE_PREG_H
#define AE_PREG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

/* Caps (a Windows-made AutoEnrollment file is 542 to ~8,000 bytes). */
#define AE_PREG_MAX		(4 * 1024 * 1024)	/* whole file, bytes */
#define AE_PREG_ENTRIES_MAX	65536			/* instructions per file */
#define AE_PREG_KEY_MAX		4096	/* key path, UTF-16 units without the NUL */
#define AE_PREG_NAME_MAX	259	/* value name, UTF-16 units (MS-GPREG 2.2.1 ABNF) */
#define AE_PREG_DATA_MAX	65535	/* data bytes (MS-GPREG 2.2.1 "Size") */
#define AE_PREG_WHY_MAX		160	/* a 'why' buffer of this size never truncates */
/* Keys and value slots the deletions of one ae_preg_apply may visit. */
#define AE_REGVIEW_WORK_MAX	(32u * 1024 * 1024)

/* REG_* types (MS-RRP 2.2.4 values; MS-GPREG lists 1-5, 7, 11). */
enum ae_reg_type {
	AE_REG_NONE = 0,
	AE_REG_SZ = 1,
	AE_REG_EXPAND_SZ = 2,
	AE_REG_BINARY = 3,
	AE_REG_DWORD = 4,
	AE_REG_DWORD_BIG_ENDIAN = 5,
	AE_REG_LINK = 6,
	AE_REG_MULTI_SZ = 7,
	AE_REG_QWORD = 11,
};

/* How the data of a value was decoded. */
enum ae_regval_kind {
	AE_REGVAL_BYTES,	/* REG_NONE, REG_BINARY and unknown types */
	AE_REGVAL_STRING,	/* REG_SZ, REG_EXPAND_SZ, REG_LINK */
	AE_REGVAL_STRINGS,	/* REG_MULTI_SZ */
	AE_REGVAL_U32,		/* REG_DWORD, REG_DWORD_BIG_ENDIAN (host order) */
	AE_REGVAL_U64,		/* REG_QWORD */
};

/*
 * A typed value. 'data'/'len' always hold the raw bytes. Strings are UTF-8,
 * decoded up to the first NUL unit (a missing terminator is accepted; only
 * NUL units may follow it). A REG_MULTI_SZ ends at its first empty string.
 */
struct ae_regval {
	uint32_t type;			/* enum ae_reg_type, or any unknown number */
	enum ae_regval_kind kind;
	const char *str;		/* AE_REGVAL_STRING */
	const char **strs;		/* AE_REGVAL_STRINGS, num_strs entries */
	size_t num_strs;
	uint32_t u32;			/* AE_REGVAL_U32 */
	uint64_t u64;			/* AE_REGVAL_U64 */
	const uint8_t *data;
	size_t len;
};

struct ae_preg_entry {
	const char *key;		/* UTF-8, never empty; no HKLM/HKCU prefix */
	const char *name;		/* UTF-8 value name; "" is the default value */
	struct ae_regval val;
	size_t offset;			/* file offset of its '[' */
};

struct ae_preg {
	uint32_t version;		/* always 1 */
	size_t num_entries;
	struct ae_preg_entry *entries;	/* in file order: order is significant */
};

/*
 * Parse a Registry.pol file. On success *_out is allocated on mem_ctx and
 * owns every string; on failure *_out is untouched and, when why != NULL,
 * why (why_len bytes, AE_PREG_WHY_MAX is enough) holds one line naming the
 * byte offset and what was expected, e.g.
 * "offset 0x9a: expected ';' after the value name".
 * Errors: AE_ERR_TOO_LARGE (len above AE_PREG_MAX, an entry, name or data
 * above its cap), AE_ERR_PARSE (bad signature or version, truncation, a
 * missing delimiter, invalid UTF-16, a DWORD/QWORD of the wrong size),
 * AE_ERR_TRAILING (bytes after the last complete instruction that do not
 * start one), AE_ERR_NOMEM, AE_ERR_INVALID (NULL arguments).
 */
ae_err ae_preg_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		     struct ae_preg **_out, char *why, size_t why_len);

/* "REG_DWORD", ... or "REG_UNKNOWN" for a number without a name. */
const char *ae_reg_type_name(uint32_t type);

/*
 * The in-memory registry view (one hive: HKLM for machine policy, HKCU for
 * user policy). Key paths and value names compare case-insensitively (ASCII
 * folding; other characters must match exactly). Keys exist only through
 * their values: a key path with no value left is not listed.
 */
struct ae_regview;

struct ae_regview_value {
	const char *name;
	struct ae_regval val;		/* a copy owned by the view */
	const char *source;		/* the 'source' of the ae_preg_apply that set it */
};

/* A new, empty view on mem_ctx (NULL only when out of memory). */
struct ae_regview *ae_regview_new(TALLOC_CTX *mem_ctx);

/*
 * Apply one GPO's instructions in file order (MS-GPREG 3.2.5.1.2): a plain
 * instruction sets (creates or replaces) the value and records 'source'
 * (copied; e.g. the GPO's GUID or display name). Special value names,
 * compared case-insensitively:
 *   **del.<name>     delete <name>
 *   **delvals.       delete every value of the key
 *   **DeleteValues   data "a;b;c": delete those values
 *   **DeleteKeys     data "k1;k2": delete those keys with all their subkeys;
 *                    an item with a backslash is a full path (as GPMC writes
 *                    it), one without is an immediate subkey of the key
 *   **SecureKey      recorded on the key (ae_regview_secure), nothing else
 *   **soft.<name>    set <name> only if it does not exist yet (any type)
 * A **DeleteValues or **DeleteKeys whose data is not a string is ignored with a
 * warning. Other names starting with "**" are ordinary values.
 * Deleting a key scans the view's keys, so a file whose deletions would
 * visit more than AE_REGVIEW_WORK_MAX keys and value slots in total (real
 * files visit a few hundred) is refused with AE_ERR_TOO_LARGE.
 * Errors: AE_ERR_INVALID, AE_ERR_TOO_LARGE, AE_ERR_NOMEM (after either of
 * the last two the view is partly updated and should be discarded).
 */
ae_err ae_preg_apply(struct ae_regview *view, const struct ae_preg *pol, const char *source);

/* The value 'name' of key 'key', or NULL. Valid until the view changes. */
const struct ae_regview_value *ae_regview_get(const struct ae_regview *view,
					      const char *key, const char *name);

/*
 * The values of 'key' in creation order (NULL/0 when the key has none).
 * The array is allocated on mem_ctx; its pointers point into the view.
 */
ae_err ae_regview_values(TALLOC_CTX *mem_ctx, const struct ae_regview *view, const char *key,
			 const struct ae_regview_value ***_vals, size_t *_num);

/*
 * Names of the immediate subkeys of 'key' that hold at least one value
 * (directly or deeper), each once, in creation order, spelled as first
 * created; the array and strings are allocated on mem_ctx.
 */
ae_err ae_regview_subkeys(TALLOC_CTX *mem_ctx, const struct ae_regview *view, const char *key,
			  const char ***_names, size_t *_num);

/*
 * Every key path that holds at least one value, in creation order. The
 * array is allocated on mem_ctx; the strings belong to the view.
 */
ae_err ae_regview_keys(TALLOC_CTX *mem_ctx, const struct ae_regview *view,
		       const char ***_paths, size_t *_num);

/*
 * Whether a **SecureKey instruction was applied to 'key'; when true, *_value
 * is its DWORD (1 = secure) and *_source the GPO that set it.
 */
bool ae_regview_secure(const struct ae_regview *view, const char *key,
		       uint32_t *_value, const char **_source);

#endif
