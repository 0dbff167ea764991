/*
 * ae_secdesc_build.c: struct ae_secdesc -> self-relative bytes (the
 * inverse of ae_secdesc_parse), for tests, fuzz seeds and lab tools.
 */
#include <string.h>
#include "ae_secdesc_private.h"

static void put16(uint8_t *q, uint16_t v)
{
	q[0] = v & 0xff;
	q[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *q, uint32_t v)
{
	q[0] = v & 0xff;
	q[1] = (v >> 8) & 0xff;
	q[2] = (v >> 16) & 0xff;
	q[3] = (uint8_t)(v >> 24);
}

/* Bytes the ACE takes (its stored size if larger). */
static ae_err ace_len(const struct ae_ace *ace, size_t *_len)
{
	enum ae_ace_kind kind;
	bool is_object = false;
	size_t need = AE_ACE_HEADER_LEN;

	if (ae_ace_layout(ace->type, &kind, &is_object)) {
		if (ace->sid.num_auths > AE_SID_SUB_AUTHS_MAX) {
			return AE_ERR_INVALID;
		}
		need += 4 + ae_sid_wire_len(&ace->sid);
	}
	if (is_object) {
		need += 4 + (ace->has_object_type ? AE_GUID_LEN : 0) +
			(ace->has_inherited_object_type ? AE_GUID_LEN : 0);
	}
	if (ace->extra_len > 65535 || (ace->extra_len > 0 && ace->extra == NULL)) {
		return AE_ERR_INVALID;
	}
	need += ace->extra_len;
	if (ace->size != 0) {
		if (ace->size < need) {
			return AE_ERR_INVALID;
		}
		need = ace->size;
	}
	need = (need + 3) & ~(size_t)3;
	if (need > 65535) {
		return AE_ERR_TOO_LARGE;
	}
	*_len = need;
	return AE_OK;
}

static ae_err acl_len(const struct ae_acl *acl, size_t *_len)
{
	size_t need = AE_ACL_HEADER_LEN, one = 0;
	uint32_t i;
	ae_err err;

	if (acl->num_aces > AE_ACES_MAX || (acl->num_aces > 0 && acl->aces == NULL)) {
		return AE_ERR_INVALID;
	}
	for (i = 0; i < acl->num_aces; i++) {
		err = ace_len(&acl->aces[i], &one);
		if (err != AE_OK) {
			return err;
		}
		need += one;
	}
	if (acl->size != 0) {
		if (acl->size < need) {
			return AE_ERR_INVALID;
		}
		need = acl->size;
	}
	if (need > 65535) {
		return AE_ERR_TOO_LARGE;
	}
	*_len = need;
	return AE_OK;
}

/* Writes one ACE of ace_len() bytes at q (zeroed beforehand). */
static void put_ace(const struct ae_ace *ace, uint8_t *q, size_t len)
{
	enum ae_ace_kind kind;
	bool is_object = false, known;
	size_t cur = AE_ACE_HEADER_LEN;

	known = ae_ace_layout(ace->type, &kind, &is_object);
	q[0] = ace->type;
	q[1] = ace->flags;
	put16(q + 2, (uint16_t)len);
	if (known) {
		put32(q + 4, ace->mask);
		cur = 8;
	}
	if (is_object) {
		uint32_t of = ace->object_flags &
			~(uint32_t)(AE_ACE_OBJECT_TYPE_PRESENT | AE_ACE_INHERITED_OBJECT_TYPE_PRESENT);

		of |= ace->has_object_type ? AE_ACE_OBJECT_TYPE_PRESENT : 0;
		of |= ace->has_inherited_object_type ? AE_ACE_INHERITED_OBJECT_TYPE_PRESENT : 0;
		put32(q + 8, of);
		cur = 12;
		if (ace->has_object_type) {
			memcpy(q + cur, ace->object_type, AE_GUID_LEN);
			cur += AE_GUID_LEN;
		}
		if (ace->has_inherited_object_type) {
			memcpy(q + cur, ace->inherited_object_type, AE_GUID_LEN);
			cur += AE_GUID_LEN;
		}
	}
	if (known) {
		/* ace_len() checked the sub-authority count and the room. */
		ae_sid_push(&ace->sid, q + cur, len - cur);
		cur += ae_sid_wire_len(&ace->sid);
	}
	if (ace->extra_len > 0) {
		memcpy(q + cur, ace->extra, ace->extra_len);
	}
}

static void put_acl(const struct ae_acl *acl, uint8_t *q, size_t len)
{
	uint8_t rev = acl->revision;
	size_t cur = AE_ACL_HEADER_LEN, one = 0;
	uint32_t i;

	if (rev == 0) {
		enum ae_ace_kind kind;
		bool is_object = false;

		rev = AE_ACL_REVISION;
		for (i = 0; i < acl->num_aces; i++) {
			ae_ace_layout(acl->aces[i].type, &kind, &is_object);
			if (is_object) {
				rev = AE_ACL_REVISION_DS;
			}
		}
	}
	q[0] = rev;
	put16(q + 2, (uint16_t)len);
	put16(q + 4, (uint16_t)acl->num_aces);
	for (i = 0; i < acl->num_aces; i++) {
		ace_len(&acl->aces[i], &one);
		put_ace(&acl->aces[i], q + cur, one);
		cur += one;
	}
}

ae_err ae_secdesc_build(TALLOC_CTX *mem_ctx, const struct ae_secdesc *sd,
			uint8_t **_p, size_t *_len)
{
	size_t owner_len = 0, group_len = 0, sacl_len = 0, dacl_len = 0, total, off;
	uint16_t control;
	uint8_t *buf = NULL;
	ae_err err;

	if (sd == NULL || _p == NULL || _len == NULL) {
		return AE_ERR_INVALID;
	}
	if ((sd->has_owner && sd->owner.num_auths > AE_SID_SUB_AUTHS_MAX) ||
	    (sd->has_group && sd->group.num_auths > AE_SID_SUB_AUTHS_MAX)) {
		return AE_ERR_INVALID;
	}
	owner_len = sd->has_owner ? ae_sid_wire_len(&sd->owner) : 0;
	group_len = sd->has_group ? ae_sid_wire_len(&sd->group) : 0;
	if (sd->sacl != NULL) {
		err = acl_len(sd->sacl, &sacl_len);
		if (err != AE_OK) {
			return err;
		}
	}
	if (sd->dacl != NULL) {
		err = acl_len(sd->dacl, &dacl_len);
		if (err != AE_OK) {
			return err;
		}
	}
	total = AE_SECDESC_HEADER_LEN + owner_len + group_len + sacl_len + dacl_len;
	buf = talloc_zero_array(mem_ctx, uint8_t, total);
	if (buf == NULL) {
		return AE_ERR_NOMEM;
	}
	control = sd->control | AE_SE_SELF_RELATIVE;
	control |= sd->dacl != NULL ? AE_SE_DACL_PRESENT : 0;
	control |= sd->sacl != NULL ? AE_SE_SACL_PRESENT : 0;
	buf[0] = sd->revision != 0 ? sd->revision : 1;
	buf[1] = sd->sbz1;
	put16(buf + 2, control);
	off = AE_SECDESC_HEADER_LEN;
	if (sd->has_owner) {
		put32(buf + 4, (uint32_t)off);
		ae_sid_push(&sd->owner, buf + off, owner_len);
		off += owner_len;
	}
	if (sd->has_group) {
		put32(buf + 8, (uint32_t)off);
		ae_sid_push(&sd->group, buf + off, group_len);
		off += group_len;
	}
	if (sd->sacl != NULL) {
		put32(buf + 12, (uint32_t)off);
		put_acl(sd->sacl, buf + off, sacl_len);
		off += sacl_len;
	}
	if (sd->dacl != NULL) {
		put32(buf + 16, (uint32_t)off);
		put_acl(sd->dacl, buf + off, dacl_len);
	}
	*_p = buf;
	*_len = total;
	return AE_OK;
}
