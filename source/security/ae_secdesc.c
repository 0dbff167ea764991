/*
 * ae_secdesc.c: the self-relative SECURITY_DESCRIPTOR parser. Every
 * position is an absolute offset into p[0..len); every bound is checked by
 * subtraction from a known-good end, never by adding to an offset.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ae_secdesc_private.h"

struct pctx {
	const uint8_t *p;
	size_t len;
	char *why;
	size_t why_len;
};

static uint16_t le16(const uint8_t *q)
{
	return (uint16_t)(q[0] | q[1] << 8);
}

static uint32_t le32(const uint8_t *q)
{
	return (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
}

static ae_err fail(struct pctx *c, ae_err err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static ae_err fail(struct pctx *c, ae_err err, const char *fmt, ...)
{
	va_list ap;

	if (c->why != NULL && c->why_len > 0) {
		va_start(ap, fmt);
		vsnprintf(c->why, c->why_len, fmt, ap);
		va_end(ap);
	}
	return err;
}

bool ae_ace_layout(uint8_t type, enum ae_ace_kind *_kind, bool *_is_object)
{
	enum ae_ace_kind kind = AE_ACE_KIND_SYSTEM;
	bool is_object = false;

	switch (type) {
	case AE_ACE_ACCESS_ALLOWED_OBJECT:
		is_object = true;
		/* fall through */
	case AE_ACE_ACCESS_ALLOWED:
		kind = AE_ACE_KIND_ALLOW;
		break;
	case AE_ACE_ACCESS_DENIED_OBJECT:
		is_object = true;
		/* fall through */
	case AE_ACE_ACCESS_DENIED:
		kind = AE_ACE_KIND_DENY;
		break;
	case AE_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT:
		is_object = true;
		/* fall through */
	case AE_ACE_ACCESS_ALLOWED_CALLBACK:
		kind = AE_ACE_KIND_ALLOW_CALLBACK;
		break;
	case AE_ACE_ACCESS_DENIED_CALLBACK_OBJECT:
		is_object = true;
		/* fall through */
	case AE_ACE_ACCESS_DENIED_CALLBACK:
		kind = AE_ACE_KIND_DENY_CALLBACK;
		break;
	case AE_ACE_SYSTEM_AUDIT_OBJECT:
	case AE_ACE_SYSTEM_ALARM_OBJECT:
	case AE_ACE_SYSTEM_AUDIT_CALLBACK_OBJECT:
	case AE_ACE_SYSTEM_ALARM_CALLBACK_OBJECT:
		is_object = true;
		break;
	case AE_ACE_SYSTEM_AUDIT:
	case AE_ACE_SYSTEM_ALARM:
	case AE_ACE_SYSTEM_AUDIT_CALLBACK:
	case AE_ACE_SYSTEM_ALARM_CALLBACK:
	case AE_ACE_SYSTEM_MANDATORY_LABEL:
	case AE_ACE_SYSTEM_RESOURCE_ATTRIBUTE:
	case AE_ACE_SYSTEM_SCOPED_POLICY_ID:
		break;
	default:
		*_kind = AE_ACE_KIND_UNKNOWN;
		*_is_object = false;
		return false;
	}
	*_kind = kind;
	*_is_object = is_object;
	return true;
}

/* Why the SID at q[0..left) does not parse, into buf. */
static const char *sid_problem(const uint8_t *q, size_t left, char *buf, size_t n)
{
	if (left < AE_SID_MIN_LEN) {
		snprintf(buf, n, "needs at least %u bytes, %zu left", AE_SID_MIN_LEN, left);
	} else if (q[0] != 1) {
		snprintf(buf, n, "revision %u is not 1", q[0]);
	} else if (q[1] > AE_SID_SUB_AUTHS_MAX) {
		snprintf(buf, n, "%u sub-authorities, above the limit %u", q[1],
			 AE_SID_SUB_AUTHS_MAX);
	} else {
		snprintf(buf, n, "%u sub-authorities need %u bytes, %zu left", q[1],
			 AE_SID_MIN_LEN + 4u * q[1], left);
	}
	return buf;
}

/* The ACE at p[off..off+left), left being what remains of its ACL. */
static ae_err parse_ace(struct pctx *c, TALLOC_CTX *extra_ctx, const char *acl_name,
			uint16_t acl_size, uint32_t idx, size_t off, size_t left,
			struct ae_ace *ace)
{
	const uint8_t *q = c->p + off;
	size_t min, cur, used = 0;
	char buf[96];
	ae_err err;

	if (left < AE_ACE_HEADER_LEN) {
		return fail(c, AE_ERR_PARSE, "ACE %u at offset 0x%zx: only %zu bytes left in the "
			    "%s (AclSize %u), the ACE header needs %u", idx, off, left, acl_name,
			    acl_size, AE_ACE_HEADER_LEN);
	}
	ace->type = q[0];
	ace->flags = q[1];
	ace->size = le16(q + 2);
	ace->offset = (uint32_t)off;
	ae_ace_layout(ace->type, &ace->kind, &ace->is_object);
	min = AE_ACE_HEADER_LEN;
	if (ace->kind != AE_ACE_KIND_UNKNOWN) {
		min = (ace->is_object ? 12u : 8u) + AE_SID_MIN_LEN;
	}
	if (ace->size < min) {
		return fail(c, AE_ERR_PARSE, "ACE %u at offset 0x%zx: size %u is below the "
			    "minimum %zu", idx, off, ace->size, min);
	}
	if (ace->size % 4 != 0) {
		return fail(c, AE_ERR_PARSE, "ACE %u at offset 0x%zx: size %u is not a "
			    "multiple of 4", idx, off, ace->size);
	}
	if (ace->size > left) {
		return fail(c, AE_ERR_PARSE, "ACE %u at offset 0x%zx: size %u runs past the end "
			    "of the %s (AclSize %u, %zu bytes left)", idx, off, ace->size, acl_name,
			    acl_size, left);
	}
	cur = AE_ACE_HEADER_LEN;
	if (ace->kind != AE_ACE_KIND_UNKNOWN) {
		ace->mask = le32(q + 4);
		cur = 8;
	}
	if (ace->is_object) {
		ace->object_flags = le32(q + 8);
		cur = 12;
		ace->has_object_type = (ace->object_flags & AE_ACE_OBJECT_TYPE_PRESENT) != 0;
		ace->has_inherited_object_type =
			(ace->object_flags & AE_ACE_INHERITED_OBJECT_TYPE_PRESENT) != 0;
		min = 12u + AE_SID_MIN_LEN + (ace->has_object_type ? AE_GUID_LEN : 0) +
		      (ace->has_inherited_object_type ? AE_GUID_LEN : 0);
		if (ace->size < min) {
			return fail(c, AE_ERR_PARSE, "ACE %u at offset 0x%zx: size %u is below the "
				    "minimum %zu for object flags 0x%x", idx, off, ace->size, min,
				    ace->object_flags);
		}
		if (ace->has_object_type) {
			memcpy(ace->object_type, q + cur, AE_GUID_LEN);
			cur += AE_GUID_LEN;
		}
		if (ace->has_inherited_object_type) {
			memcpy(ace->inherited_object_type, q + cur, AE_GUID_LEN);
			cur += AE_GUID_LEN;
		}
	}
	if (ace->kind != AE_ACE_KIND_UNKNOWN) {
		err = ae_sid_parse(q + cur, ace->size - cur, &ace->sid, &used);
		if (err != AE_OK) {
			return fail(c, AE_ERR_PARSE, "ACE %u at offset 0x%zx: SID at offset 0x%zx: "
				    "%s", idx, off, off + cur,
				    sid_problem(q + cur, ace->size - cur, buf, sizeof(buf)));
		}
		cur += used;
	}
	ace->extra_len = ace->size - cur;
	if (ace->extra_len > 0) {
		ace->extra = talloc_memdup(extra_ctx, q + cur, ace->extra_len);
		if (ace->extra == NULL) {
			return AE_ERR_NOMEM;
		}
	}
	return AE_OK;
}

/* The ACL at p[off..); *_end = off + AclSize. */
static ae_err parse_acl(struct pctx *c, TALLOC_CTX *mem_ctx, const char *name,
			size_t off, struct ae_acl **_acl, size_t *_end)
{
	struct ae_acl *acl = NULL;
	const uint8_t *q = c->p + off;
	size_t left = c->len - off, cur, end;
	uint16_t acl_size, count;
	uint32_t i;
	ae_err err;

	if (left < AE_ACL_HEADER_LEN) {
		return fail(c, AE_ERR_PARSE, "%s at offset 0x%zx: the ACL header needs %u bytes, "
			    "%zu left", name, off, AE_ACL_HEADER_LEN, left);
	}
	if (q[0] < AE_ACL_REVISION || q[0] > AE_ACL_REVISION_DS) {
		return fail(c, AE_ERR_PARSE, "%s at offset 0x%zx: AclRevision %u is not 2 or 4",
			    name, off, q[0]);
	}
	acl_size = le16(q + 2);
	count = le16(q + 4);
	if (acl_size < AE_ACL_HEADER_LEN) {
		return fail(c, AE_ERR_PARSE, "%s at offset 0x%zx: AclSize %u is below the header "
			    "size %u", name, off, acl_size, AE_ACL_HEADER_LEN);
	}
	if (acl_size % 4 != 0) {
		return fail(c, AE_ERR_PARSE, "%s at offset 0x%zx: AclSize %u is not a multiple "
			    "of 4", name, off, acl_size);
	}
	if (acl_size > left) {
		return fail(c, AE_ERR_PARSE, "%s at offset 0x%zx: AclSize %u runs past the end of "
			    "the descriptor (%zu bytes left)", name, off, acl_size, left);
	}
	if (count > AE_ACES_MAX) {
		return fail(c, AE_ERR_TOO_LARGE, "%s at offset 0x%zx: AceCount %u is above the "
			    "limit %u", name, off, count, AE_ACES_MAX);
	}
	if ((size_t)count * AE_ACE_HEADER_LEN > (size_t)acl_size - AE_ACL_HEADER_LEN) {
		return fail(c, AE_ERR_PARSE, "%s at offset 0x%zx: AceCount %u ACEs cannot fit in "
			    "AclSize %u", name, off, count, acl_size);
	}
	acl = talloc_zero(mem_ctx, struct ae_acl);
	if (acl == NULL) {
		return AE_ERR_NOMEM;
	}
	acl->revision = q[0];
	acl->size = acl_size;
	acl->num_aces = count;
	acl->offset = (uint32_t)off;
	if (count > 0) {
		acl->aces = talloc_zero_array(acl, struct ae_ace, count);
		if (acl->aces == NULL) {
			talloc_free(acl);
			return AE_ERR_NOMEM;
		}
	}
	end = off + acl_size;
	cur = off + AE_ACL_HEADER_LEN;
	for (i = 0; i < count; i++) {
		err = parse_ace(c, acl->aces, name, acl_size, i, cur, end - cur, &acl->aces[i]);
		if (err != AE_OK) {
			talloc_free(acl);
			return err;
		}
		cur += acl->aces[i].size;
	}
	/* Bytes between the last ACE and AclSize are free space (MS-DTYP 2.4.5). */
	*_acl = acl;
	*_end = end;
	return AE_OK;
}

/* Owner or group SID at a non-zero offset; *_end is where it stops. */
static ae_err parse_sd_sid(struct pctx *c, const char *name, size_t off,
			   struct ae_sid *sid, size_t *_end)
{
	size_t used = 0;
	char buf[96];

	if (ae_sid_parse(c->p + off, c->len - off, sid, &used) != AE_OK) {
		return fail(c, AE_ERR_PARSE, "%s SID at offset 0x%zx: %s", name, off,
			    sid_problem(c->p + off, c->len - off, buf, sizeof(buf)));
	}
	*_end = off + used;
	return AE_OK;
}

/* An OffsetXxx field: 0 (absent), or inside p[20..len). */
static ae_err check_offset(struct pctx *c, const char *field, uint32_t off)
{
	if (off == 0) {
		return AE_OK;
	}
	if (off < AE_SECDESC_HEADER_LEN) {
		return fail(c, AE_ERR_PARSE, "%s 0x%x points into the %u-byte header", field, off,
			    AE_SECDESC_HEADER_LEN);
	}
	if (off >= c->len) {
		return fail(c, AE_ERR_PARSE, "%s 0x%x is at or past the end of the %zu-byte "
			    "descriptor", field, off, c->len);
	}
	return AE_OK;
}

static ae_err parse_sd(struct pctx *c, struct ae_secdesc *sd, TALLOC_CTX *junk)
{
	static const char *const fields[4] = {
		"OffsetOwner", "OffsetGroup", "OffsetSacl", "OffsetDacl"
	};
	uint32_t offs[4];
	size_t max_end = AE_SECDESC_HEADER_LEN, end = 0;
	struct ae_acl *acl = NULL;
	ae_err err;
	int i;

	if (c->len > AE_SECDESC_MAX) {
		return fail(c, AE_ERR_TOO_LARGE, "descriptor of %zu bytes is above the limit %u",
			    c->len, AE_SECDESC_MAX);
	}
	if (c->len < AE_SECDESC_HEADER_LEN) {
		return fail(c, AE_ERR_PARSE, "descriptor of %zu bytes is shorter than the %u-byte "
			    "header", c->len, AE_SECDESC_HEADER_LEN);
	}
	sd->revision = c->p[0];
	sd->sbz1 = c->p[1];
	sd->control = le16(c->p + 2);
	if (sd->revision != 1) {
		return fail(c, AE_ERR_PARSE, "Revision %u at offset 0x0 is not 1", sd->revision);
	}
	if ((sd->control & AE_SE_SELF_RELATIVE) == 0) {
		return fail(c, AE_ERR_PARSE, "Control 0x%04x at offset 0x2 lacks SE_SELF_RELATIVE "
			    "(0x8000)", sd->control);
	}
	for (i = 0; i < 4; i++) {
		offs[i] = le32(c->p + 4 + 4 * i);
		err = check_offset(c, fields[i], offs[i]);
		if (err != AE_OK) {
			return err;
		}
	}
	if (offs[0] != 0) {
		err = parse_sd_sid(c, "owner", offs[0], &sd->owner, &end);
		if (err != AE_OK) {
			return err;
		}
		sd->has_owner = true;
		max_end = end > max_end ? end : max_end;
	}
	if (offs[1] != 0) {
		err = parse_sd_sid(c, "group", offs[1], &sd->group, &end);
		if (err != AE_OK) {
			return err;
		}
		sd->has_group = true;
		max_end = end > max_end ? end : max_end;
	}
	if (offs[2] != 0) {
		bool present = (sd->control & AE_SE_SACL_PRESENT) != 0;

		err = parse_acl(c, present ? (TALLOC_CTX *)sd : junk, "SACL", offs[2], &acl, &end);
		if (err != AE_OK) {
			return err;
		}
		sd->sacl = present ? acl : NULL;
		max_end = end > max_end ? end : max_end;
	}
	if (offs[3] != 0) {
		bool present = (sd->control & AE_SE_DACL_PRESENT) != 0;

		err = parse_acl(c, present ? (TALLOC_CTX *)sd : junk, "DACL", offs[3], &acl, &end);
		if (err != AE_OK) {
			return err;
		}
		sd->dacl = present ? acl : NULL;
		max_end = end > max_end ? end : max_end;
	}
	if (max_end < c->len) {
		return fail(c, AE_ERR_TRAILING, "%zu bytes after the last component, which ends "
			    "at offset 0x%zx", c->len - max_end, max_end);
	}
	return AE_OK;
}

ae_err ae_secdesc_parse_why(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			    struct ae_secdesc **_sd, char *why, size_t why_len)
{
	struct pctx c = { .p = p, .len = len, .why = why, .why_len = why_len };
	TALLOC_CTX *frame = NULL;
	struct ae_secdesc *sd = NULL;
	ae_err err;

	if (why != NULL && why_len > 0) {
		why[0] = '\0';
	}
	if ((p == NULL && len > 0) || _sd == NULL) {
		return AE_ERR_INVALID;
	}
	frame = talloc_new(NULL);
	if (frame == NULL) {
		return AE_ERR_NOMEM;
	}
	sd = talloc_zero(frame, struct ae_secdesc);
	if (sd == NULL) {
		talloc_free(frame);
		return AE_ERR_NOMEM;
	}
	err = parse_sd(&c, sd, frame);
	if (err != AE_OK) {
		talloc_free(frame);
		return err;
	}
	*_sd = talloc_steal(mem_ctx, sd);
	talloc_free(frame);
	return AE_OK;
}

ae_err ae_secdesc_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			struct ae_secdesc **_sd)
{
	return ae_secdesc_parse_why(mem_ctx, p, len, _sd, NULL, 0);
}
