/*
 * ae_entry.h: a neutral directory entry (DN + attribute name -> values).
 *
 * The LDAP search helper (ae_ldap.h) returns these, and the pure parsers of
 * the policy layer (ae_template.h, ae_pki.h) take them, so the parsers and
 * their tests need no libldap and no server. Tests build entries by hand
 * with ae_entry_new()/ae_entry_add_value().
 *
 * Everything is untrusted server data: values may hold any byte, including
 * NUL. Each value buffer carries one extra NUL byte after 'len' (not
 * counted) so text can be handed to C string functions once the parser has
 * checked there is no interior NUL.
 */
#ifndef AE_ENTRY_H
#define AE_ENTRY_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

/* Caps applied when building an entry (from LDAP or by hand). */
#define AE_ENTRY_ATTRS_MAX	1024		/* attributes per entry */
#define AE_ENTRY_VALUES_MAX	65536		/* values per attribute */
#define AE_ENTRY_VALUE_MAX	(16u * 1024u * 1024u)	/* bytes per value */

struct ae_ldap_value {
	uint8_t *data;		/* len bytes + one NUL not counted */
	size_t len;
};

struct ae_ldap_attr {
	char *name;		/* as the server spelled it */
	struct ae_ldap_value *values;
	size_t num_values;	/* >= 1 */
};

struct ae_ldap_entry {
	char *dn;
	struct ae_ldap_attr *attrs;
	size_t num_attrs;
};

/* A new empty entry on mem_ctx (a talloc object; members hang below it). */
struct ae_ldap_entry *ae_entry_new(TALLOC_CTX *mem_ctx, const char *dn);

/*
 * Append one value to attribute 'name' (matched case-insensitively; created
 * when absent). The bytes are copied under the entry. AE_ERR_TOO_LARGE when
 * a cap above would be exceeded, AE_ERR_NOMEM. The entry is unchanged on
 * failure.
 */
ae_err ae_entry_add_value(struct ae_ldap_entry *e, const char *name,
			  const void *data, size_t len);

/* Shorthand: add a NUL-terminated text value. */
ae_err ae_entry_add_str(struct ae_ldap_entry *e, const char *name, const char *s);

/*
 * The attribute named 'name' (case-insensitive; a ";range=..." or other
 * option suffix on the server's name is ignored), or NULL when absent.
 */
const struct ae_ldap_attr *ae_entry_attr(const struct ae_ldap_entry *e, const char *name);

#endif
