/*
 * ca_sd.c: self-relative security descriptor parser and Enroll check.
 *
 * Layout (MS-DTYP 2.4.6): Revision(1) Sbz1(1) Control(2) OffsetOwner(4)
 * OffsetGroup(4) OffsetSacl(4) OffsetDacl(4); ACL (2.4.5): AclRevision(1)
 * Sbz1(1) AclSize(2) AceCount(2) Sbz2(2); ACE header (2.4.4.1): AceType(1)
 * AceFlags(1) AceSize(2). Object ACEs (2.4.4.3) add Flags(4) and the
 * optional ObjectType / InheritedObjectType GUIDs before the SID.
 */
#include <string.h>
#include "ca_sd.h"

#define SD_HEADER_LEN		20
#define ACL_HEADER_LEN		8
#define ACE_HEADER_LEN		4
#define SE_DACL_PRESENT		0x0004
#define SE_SELF_RELATIVE	0x8000
#define ACE_OBJECT_TYPE_PRESENT		0x1
#define ACE_INHERITED_OBJECT_TYPE_PRESENT 0x2

const uint8_t ca_guid_enroll[16] = {
	0x68, 0xc9, 0x10, 0x0e, 0xfb, 0x78, 0xd2, 0x11,
	0x90, 0xd4, 0x00, 0xc0, 0x4f, 0x79, 0xdc, 0x55
};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* An owner/group SID at offset off (0 = absent) must be complete. */
static ae_err check_sid_at(const uint8_t *p, size_t len, uint32_t off)
{
	struct ca_sid sid;
	size_t used;

	if (off == 0) {
		return AE_OK;
	}
	if (off < SD_HEADER_LEN || off >= len) {
		return AE_ERR_PARSE;
	}
	return ca_sid_pull(p + off, len - off, &sid, &used);
}

/* Bounds of an ACL at offset off (0 = absent): header and AclSize fit. */
static ae_err check_acl_at(const uint8_t *p, size_t len, uint32_t off)
{
	uint16_t size;

	if (off == 0) {
		return AE_OK;
	}
	if (off < SD_HEADER_LEN || off > len || len - off < ACL_HEADER_LEN) {
		return AE_ERR_PARSE;
	}
	size = le16(p + off + 2);
	if (size < ACL_HEADER_LEN || size > len - off) {
		return AE_ERR_PARSE;
	}
	return AE_OK;
}

static ae_err parse_ace(const uint8_t *p, size_t size, struct ca_ace *ace)
{
	size_t off = ACE_HEADER_LEN;
	size_t used = 0;
	uint32_t oflags;
	ae_err err;

	ace->type = p[0];
	ace->flags = p[1];
	switch (ace->type) {
	case CA_ACE_ACCESS_ALLOWED:
	case CA_ACE_ACCESS_DENIED:
		if (size - off < 4) {
			return AE_ERR_PARSE;
		}
		ace->mask = le32(p + off);
		off += 4;
		break;
	case CA_ACE_ACCESS_ALLOWED_OBJECT:
	case CA_ACE_ACCESS_DENIED_OBJECT:
		if (size - off < 8) {
			return AE_ERR_PARSE;
		}
		ace->mask = le32(p + off);
		oflags = le32(p + off + 4);
		off += 8;
		if (oflags & ACE_OBJECT_TYPE_PRESENT) {
			if (size - off < 16) {
				return AE_ERR_PARSE;
			}
			memcpy(ace->object_type, p + off, 16);
			ace->has_object_type = true;
			off += 16;
		}
		if (oflags & ACE_INHERITED_OBJECT_TYPE_PRESENT) {
			if (size - off < 16) {
				return AE_ERR_PARSE;
			}
			off += 16;
		}
		break;
	default:
		return AE_OK;	/* kept, never applies */
	}
	err = ca_sid_pull(p + off, size - off, &ace->sid, &used);
	if (err != AE_OK) {
		return err;
	}
	return AE_OK;
}

ae_err ca_sd_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len, struct ca_sd **_sd)
{
	struct ca_sd *sd = NULL;
	uint16_t control, acl_size, count;
	uint32_t off_owner, off_group, off_sacl, off_dacl;
	size_t pos, end, i;
	ae_err err;

	if (p == NULL || len < SD_HEADER_LEN) {
		return AE_ERR_PARSE;
	}
	if (len > CA_SD_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (p[0] != 1) {
		return AE_ERR_PARSE;
	}
	control = le16(p + 2);
	if ((control & SE_SELF_RELATIVE) == 0) {
		return AE_ERR_PARSE;
	}
	off_owner = le32(p + 4);
	off_group = le32(p + 8);
	off_sacl = le32(p + 12);
	off_dacl = le32(p + 16);
	if (check_sid_at(p, len, off_owner) != AE_OK ||
	    check_sid_at(p, len, off_group) != AE_OK ||
	    check_acl_at(p, len, off_sacl) != AE_OK ||
	    check_acl_at(p, len, off_dacl) != AE_OK) {
		return AE_ERR_PARSE;
	}
	sd = talloc_zero(mem_ctx, struct ca_sd);
	if (sd == NULL) {
		return AE_ERR_NOMEM;
	}
	if ((control & SE_DACL_PRESENT) == 0 || off_dacl == 0) {
		*_sd = sd;	/* no DACL / NULL DACL: no restriction */
		return AE_OK;
	}
	sd->has_dacl = true;
	acl_size = le16(p + off_dacl + 2);
	count = le16(p + off_dacl + 4);
	if (count > CA_ACE_MAX) {
		talloc_free(sd);
		return AE_ERR_TOO_LARGE;
	}
	sd->aces = talloc_zero_array(sd, struct ca_ace, count ? count : 1);
	if (sd->aces == NULL) {
		talloc_free(sd);
		return AE_ERR_NOMEM;
	}
	pos = (size_t)off_dacl + ACL_HEADER_LEN;
	end = (size_t)off_dacl + acl_size;
	for (i = 0; i < count; i++) {
		uint16_t ace_size;

		if (end - pos < ACE_HEADER_LEN) {
			talloc_free(sd);
			return AE_ERR_PARSE;
		}
		ace_size = le16(p + pos + 2);
		if (ace_size < ACE_HEADER_LEN || ace_size > end - pos) {
			talloc_free(sd);
			return AE_ERR_PARSE;
		}
		err = parse_ace(p + pos, ace_size, &sd->aces[i]);
		if (err != AE_OK) {
			talloc_free(sd);
			return err;
		}
		pos += ace_size;
	}
	sd->num_aces = count;
	*_sd = sd;
	return AE_OK;
}

/* Does this ACE speak about control access right 'right'? */
static bool ace_covers(const struct ca_ace *ace, const uint8_t right[16])
{
	switch (ace->type) {
	case CA_ACE_ACCESS_ALLOWED:
	case CA_ACE_ACCESS_DENIED:
		return (ace->mask & (CA_RIGHT_DS_CONTROL_ACCESS | CA_GENERIC_ALL)) != 0;
	case CA_ACE_ACCESS_ALLOWED_OBJECT:
	case CA_ACE_ACCESS_DENIED_OBJECT:
		if (ace->mask & CA_GENERIC_ALL) {
			return true;
		}
		if ((ace->mask & CA_RIGHT_DS_CONTROL_ACCESS) == 0) {
			return false;
		}
		return !ace->has_object_type || memcmp(ace->object_type, right, 16) == 0;
	default:
		return false;
	}
}

bool ca_sd_allows_right(const struct ca_sd *sd, const struct ca_caller *caller,
			const uint8_t right[16])
{
	size_t i;

	if (!sd->has_dacl) {
		return true;
	}
	for (i = 0; i < sd->num_aces; i++) {
		const struct ca_ace *ace = &sd->aces[i];

		if (ace->flags & CA_ACE_FLAG_INHERIT_ONLY) {
			continue;
		}
		if (!ace_covers(ace, right)) {
			continue;
		}
		if (!ca_caller_has_sid(caller, &ace->sid)) {
			continue;
		}
		return ace->type == CA_ACE_ACCESS_ALLOWED ||
		       ace->type == CA_ACE_ACCESS_ALLOWED_OBJECT;
	}
	return false;
}
