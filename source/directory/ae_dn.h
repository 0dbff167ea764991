/*
 * ae_dn.h: building DNs from values that come from the network (the site
 * name the DC locator returns, [MS-ADTS] 6.3.3): a value is escaped as an
 * RDN attribute value (RFC 4514 §2.4) before it is put into a DN string.
 */
#ifndef AE_DN_H
#define AE_DN_H

#include <talloc.h>

#define AE_DN_VALUE_MAX	256	/* bytes of a value (a site name is at most 63) */

/*
 * The RFC 4514 §2.4 form of one attribute value, on mem_ctx: '"', '+',
 * ',', ';', '<', '>' and '\' get a backslash, so does a leading ' ' or '#'
 * and a trailing ' '; control bytes and DEL become \XX hex pairs. UTF-8
 * passes through. NULL for an empty value, one longer than
 * AE_DN_VALUE_MAX, NULL input, or when out of memory.
 */
char *ae_dn_escape_value(TALLOC_CTX *mem_ctx, const char *value);

#endif
