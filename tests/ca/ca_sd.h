/*
 * ca_sd.h: a small, bounded parser for self-relative security descriptors
 * (MS-DTYP 2.4.6) and the CA's Enroll access check (MS-CRTD 2.5).
 */
#ifndef CA_SD_H
#define CA_SD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ca.h"

#define CA_SD_MAX	(64u * 1024u)	/* whole descriptor */
#define CA_ACE_MAX	1024u		/* ACEs per ACL */

#define CA_ACE_ACCESS_ALLOWED		0x00
#define CA_ACE_ACCESS_DENIED		0x01
#define CA_ACE_ACCESS_ALLOWED_OBJECT	0x05
#define CA_ACE_ACCESS_DENIED_OBJECT	0x06
#define CA_ACE_FLAG_INHERIT_ONLY	0x08
#define CA_RIGHT_DS_CONTROL_ACCESS	0x00000100u
#define CA_GENERIC_ALL			0x10000000u

struct ca_ace {
	uint8_t type;
	uint8_t flags;
	uint32_t mask;
	bool has_object_type;
	uint8_t object_type[16];	/* GUID as stored (little-endian fields) */
	struct ca_sid sid;
};

struct ca_sd {
	bool has_dacl;			/* false: no DACL at all (everyone allowed) */
	struct ca_ace *aces;		/* the DACL's ACEs, in order */
	size_t num_aces;
};

/* Enroll extended right 0e10c968-78fb-11d2-90d4-00c04f79dc55, as stored. */
extern const uint8_t ca_guid_enroll[16];

/*
 * Parse a self-relative descriptor of len bytes (<= CA_SD_MAX). Owner,
 * group, SACL and DACL offsets must lie inside the buffer; the DACL's AceCount
 * ACEs must each lie inside its AclSize. Unknown ACE types are kept (and ignored by
 * the check). *_sd is set on success only.
 */
ae_err ca_sd_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len, struct ca_sd **_sd);

/*
 * Ordered DACL evaluation for control access right 'right' (a GUID):
 * INHERIT_ONLY ACEs are skipped; an ACE applies when its SID is in the
 * caller's token and it carries DS_CONTROL_ACCESS for that right (object
 * ACE with that ObjectType or none, plain ACE) or GENERIC_ALL. The first
 * applicable ACE decides (deny before a later allow). Nothing applies:
 * denied. No DACL: allowed.
 */
bool ca_sd_allows_right(const struct ca_sd *sd, const struct ca_caller *caller,
			const uint8_t right[16]);

#endif
