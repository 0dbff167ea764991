/*
 * ae_gpo_cache.h: the local cache of GPO files under
 * <cache directory>/autoenroll/gpo (root only, 0700; files 0600).
 *
 * Nothing the directory or SYSVOL says becomes a path: a GPO is known here
 * only by the GUID parsed from its cn ("{GUID}", [MS-GPOL] 2.2.4), and
 * every file name is built from that parsed GUID (canonical upper-case form
 * with braces) and two decimal numbers. Files are opened relative to the
 * cache directory's descriptor with O_NOFOLLOW; writes go to a temporary
 * file created O_EXCL 0600, fsync'ed and renamed (renameat) over the
 * target, then the directory is fsync'ed.
 *
 * Files:
 *   {GUID}-<gpc>-<gpt>.pol   Machine/Registry.pol as read from SYSVOL (only
 *                            written after it parsed)
 *   {GUID}-<gpc>-<gpt>.none  that GPO version has no Machine/Registry.pol
 *   last-good                the applied GPO list of the last complete
 *                            collection, lowest precedence first: the
 *                            policy kept when a GPO cannot be read
 *                            ([MS-GPOL] 3.2.5.1.5)
 * <gpc> is the machine half of the GPC's versionNumber, <gpt> the machine
 * half of GPT.INI's Version ([MS-GPOL] 3.2.1.4: SYSVOL may lag the GPC, so
 * a change of either means the file is read again).
 */
#ifndef AE_GPO_CACHE_H
#define AE_GPO_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

#define AE_GPO_GUID_MAX		39	/* "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" + NUL */
#define AE_GPO_CACHE_NAME_MAX	64	/* a cache file name + NUL */
#define AE_GPO_CACHE_FILE_MAX	(16u * 1024u * 1024u)	/* bytes of one cached file */
#define AE_GPO_LAST_GOOD_MAX	1024	/* entries in last-good */
#define AE_GPO_LAST_GOOD_NAME	"last-good"
#define AE_GPO_LAST_GOOD_BYTES	(64u * 1024u)	/* size of last-good */

struct ae_gpo_cache;

/* One GPO of the last good list. */
struct ae_gpo_cache_entry {
	char guid[AE_GPO_GUID_MAX];	/* canonical */
	uint16_t gpc_version;
	uint16_t gpt_version;
};

/*
 * A GPO's cn -> its canonical name "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}"
 * (upper case). The cn must be exactly a GUID in braces (hex of either
 * case); anything else (no braces, a path, trailing bytes) is AE_ERR_PARSE.
 * out is set only on success.
 */
ae_err ae_gpo_guid_canon(const char *cn, char out[AE_GPO_GUID_MAX]);

/*
 * Open (creating it 0700 when missing) the cache directory 'dir' (a path
 * from the configuration, never from the network). The final component
 * must not be a symbolic link. Errors: AE_ERR_IO, AE_ERR_INVALID,
 * AE_ERR_NOMEM.
 */
ae_err ae_gpo_cache_open(TALLOC_CTX *mem_ctx, const char *dir, struct ae_gpo_cache **_c);

/*
 * The cached Machine/Registry.pol of GPO 'guid' (canonical or any form
 * ae_gpo_guid_canon accepts) at versions gpc/gpt: AE_OK with the bytes
 * (a talloc array on mem_ctx), or AE_OK with *_data NULL and *_len 0 when
 * that version has no file; AE_ERR_NOT_FOUND when nothing is cached;
 * AE_ERR_PARSE (a bad GUID), AE_ERR_IO (not a regular file, a symlink),
 * AE_ERR_TOO_LARGE, AE_ERR_NOMEM.
 */
ae_err ae_gpo_cache_get(TALLOC_CTX *mem_ctx, struct ae_gpo_cache *c, const char *guid,
			uint16_t gpc, uint16_t gpt, uint8_t **_data, size_t *_len);

/* Store it (data NULL: "no file" marker). AE_ERR_PARSE, AE_ERR_IO, AE_ERR_NOMEM. */
ae_err ae_gpo_cache_put(struct ae_gpo_cache *c, const char *guid, uint16_t gpc,
			uint16_t gpt, const uint8_t *data, size_t len);

/* Replace last-good with these n entries (n may be 0: no GPO applied). */
ae_err ae_gpo_cache_save_last_good(struct ae_gpo_cache *c,
				   const struct ae_gpo_cache_entry *e, size_t n);

/*
 * Read last-good: AE_OK with *_e (a talloc array on mem_ctx, NULL when n
 * is 0) and *_n; AE_ERR_NOT_FOUND when there is none; AE_ERR_PARSE when it
 * is damaged (a header other than "ae-gpo-last-good 1", a bad line, too
 * many entries). Outputs set only on success.
 */
ae_err ae_gpo_cache_load_last_good(TALLOC_CTX *mem_ctx, struct ae_gpo_cache *c,
				   struct ae_gpo_cache_entry **_e, size_t *_n);

/*
 * The parser behind ae_gpo_cache_load_last_good: p[0..len) is the header
 * line then one "{GUID} <gpc> <gpt>" line per GPO, each ended by '\n'.
 * Errors: AE_ERR_TOO_LARGE (len > AE_GPO_LAST_GOOD_BYTES, more than
 * AE_GPO_LAST_GOOD_MAX lines), AE_ERR_TRAILING (an unterminated last line),
 * AE_ERR_PARSE, AE_ERR_NOMEM, AE_ERR_INVALID. Outputs set only on success.
 */
ae_err ae_gpo_last_good_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			      struct ae_gpo_cache_entry **_e, size_t *_n);

#endif
