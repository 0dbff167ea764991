/*
 * ae_gplink.h: the gPLink attribute of a site, domain or OU (MS-GPOL
 * 2.2.2): "[LDAP://<GPO DN>;<options>][LDAP://...;...]..." in UTF-8.
 *
 * Order: the string lists a SOM's links from the lowest to the highest
 * precedence: GPMC (and samba-tool gpo setlink) put a new link, which gets
 * the last link order, at the front, so the last entry is link order 1.
 */
#ifndef AE_GPLINK_H
#define AE_GPLINK_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

#define AE_GPLINK_MAX		(256 * 1024)	/* attribute bytes */
#define AE_GPLINK_LINKS_MAX	1024		/* links per SOM */
#define AE_GPLINK_DN_MAX	2048		/* bytes per GPO DN */

/* GPLinkOptions bits (MS-GPOL 2.2.2); when DISABLED is set ENFORCED is ignored. */
#define AE_GPLINK_OPT_DISABLED	0x1
#define AE_GPLINK_OPT_ENFORCED	0x2

/* gPOptions (MS-GPOL 2.2.2): 1 = block inheritance of non-enforced links */
#define AE_GPOPTIONS_BLOCK_INHERITANCE 0x1

struct ae_gplink_entry {
	const char *dn;		/* the GPO DN without "LDAP://" */
	uint32_t options;	/* every bit kept; see AE_GPLINK_OPT_* */
};

struct ae_gplink {
	size_t num_links;
	struct ae_gplink_entry *links;	/* in attribute order */
};

/*
 * Parse a gPLink value. Leading and trailing spaces are ignored (GPMC
 * leaves " " when the last link is removed: zero links). Each link is "["
 * + "LDAP://" (any case) + a non-empty DN without '[' or ']' + ";" + 1 to
 * 10 decimal digits (at most 4294967295) + "]"; the DN ends at the last ';'
 * of the link. On success *_out is allocated on mem_ctx; otherwise it is
 * untouched. Errors: AE_ERR_TOO_LARGE (attribute, link count or DN above its
 * cap), AE_ERR_PARSE (anything else malformed, NUL bytes, text between
 * links), AE_ERR_NOMEM, AE_ERR_INVALID.
 */
ae_err ae_gplink_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		       struct ae_gplink **_out);

/*
 * The "{GUID}" of a GPO DN whose first RDN is "cn={GUID}" (any case), as a
 * pointer/length into dn; 0 when the DN has no such RDN.
 */
size_t ae_gpo_dn_guid(const char *dn, const char **_guid);

#endif
