#include <string.h>
#include "ae_access.h"
#include "ae_secdesc_private.h"

const uint8_t ae_guid_enroll[AE_GUID_LEN] = {
	0x68, 0xc9, 0x10, 0x0e, 0xfb, 0x78, 0xd2, 0x11,
	0x90, 0xd4, 0x00, 0xc0, 0x4f, 0x79, 0xdc, 0x55
};
const uint8_t ae_guid_autoenroll[AE_GUID_LEN] = {
	0xc2, 0x8c, 0x5b, 0xa0, 0xbc, 0x17, 0x02, 0x48,
	0xa7, 0x10, 0xe7, 0xc1, 0x5a, 0xb8, 0x66, 0xa2
};
const uint8_t ae_guid_apply_group_policy[AE_GUID_LEN] = {
	0x8f, 0xfd, 0xac, 0xed, 0xb3, 0xff, 0xd1, 0x11,
	0xb4, 0x1d, 0x00, 0xa0, 0xc9, 0x68, 0xf9, 0x39
};

const char *ae_right_name(enum ae_right r)
{
	switch (r) {
	case AE_RIGHT_ENROLL: return "Enroll";
	case AE_RIGHT_AUTOENROLL: return "AutoEnroll";
	case AE_RIGHT_APPLY_GROUP_POLICY: return "Apply Group Policy";
	case AE_RIGHT_READ: return "Read";
	}
	return "unknown right";
}

uint32_t ae_access_map_generic(uint32_t mask)
{
	uint32_t out = mask & ~(uint32_t)(AE_SEC_GENERIC_ALL | AE_SEC_GENERIC_READ |
					  AE_SEC_GENERIC_WRITE | AE_SEC_GENERIC_EXECUTE);

	if (mask & AE_SEC_GENERIC_ALL) {
		out |= AE_ADS_GENERIC_ALL_MASK;
	}
	if (mask & AE_SEC_GENERIC_READ) {
		out |= AE_ADS_GENERIC_READ_MASK;
	}
	if (mask & AE_SEC_GENERIC_WRITE) {
		out |= AE_ADS_GENERIC_WRITE_MASK;
	}
	if (mask & AE_SEC_GENERIC_EXECUTE) {
		out |= AE_ADS_GENERIC_EXECUTE_MASK;
	}
	return out;
}

/*
 * Does ace speak about right_bit on object_type for token t? Its kind
 * comes from its type (not ace->kind), so hand-built ACEs work too.
 */
static bool ace_applies(const struct ae_ace *ace, const struct ae_token *t,
			uint32_t right_bit, const uint8_t *object_type,
			enum ae_ace_kind *_kind)
{
	enum ae_ace_kind kind;
	bool is_object = false;

	if (ace->flags & AE_ACE_FLAG_INHERIT_ONLY) {
		return false;
	}
	if (!ae_ace_layout(ace->type, &kind, &is_object) ||
	    kind == AE_ACE_KIND_SYSTEM) {
		return false;
	}
	if ((ae_access_map_generic(ace->mask) & right_bit) == 0) {
		return false;
	}
	if (is_object && ace->has_object_type &&
	    (object_type == NULL || memcmp(ace->object_type, object_type, AE_GUID_LEN) != 0)) {
		return false;
	}
	if (!ae_token_has(t, &ace->sid)) {
		return false;
	}
	*_kind = kind;
	return true;
}

ae_err ae_access_check_bit(const struct ae_secdesc *sd, const struct ae_token *t,
			   uint32_t right_bit, const uint8_t *object_type,
			   struct ae_access_result *out)
{
	struct ae_access_result res = { .deciding_ace = -1 };
	const struct ae_acl *dacl = NULL;
	uint32_t i;

	if (sd == NULL || t == NULL || out == NULL || right_bit == 0 ||
	    (right_bit & (right_bit - 1)) != 0) {
		return AE_ERR_INVALID;
	}
	dacl = sd->dacl;
	if (dacl != NULL && dacl->num_aces > 0 && dacl->aces == NULL) {
		return AE_ERR_INVALID;
	}
	if (dacl == NULL) {
		res.granted = true;
		*out = res;
		return AE_OK;
	}
	for (i = 0; i < dacl->num_aces; i++) {
		const struct ae_ace *ace = &dacl->aces[i];
		enum ae_ace_kind kind = AE_ACE_KIND_UNKNOWN;

		if (!ace_applies(ace, t, right_bit, object_type, &kind)) {
			continue;
		}
		if (kind == AE_ACE_KIND_ALLOW_CALLBACK) {
			/* Condition UNKNOWN: an allow callback ACE grants nothing. */
			res.conditional = true;
			continue;
		}
		if (kind == AE_ACE_KIND_DENY_CALLBACK) {
			/* Condition UNKNOWN: a deny callback ACE denies. */
			res.conditional = true;
		}
		res.granted = kind == AE_ACE_KIND_ALLOW;
		res.denied = !res.granted;
		res.deciding_ace = (int)i;
		res.deciding_sid = ace->sid;
		break;
	}
	*out = res;
	return AE_OK;
}

ae_err ae_access_check(const struct ae_secdesc *sd, const struct ae_token *t,
		       enum ae_right r, struct ae_access_result *out)
{
	switch (r) {
	case AE_RIGHT_ENROLL:
		return ae_access_check_bit(sd, t, AE_ADS_RIGHT_DS_CONTROL_ACCESS,
					   ae_guid_enroll, out);
	case AE_RIGHT_AUTOENROLL:
		return ae_access_check_bit(sd, t, AE_ADS_RIGHT_DS_CONTROL_ACCESS,
					   ae_guid_autoenroll, out);
	case AE_RIGHT_APPLY_GROUP_POLICY:
		return ae_access_check_bit(sd, t, AE_ADS_RIGHT_DS_CONTROL_ACCESS,
					   ae_guid_apply_group_policy, out);
	case AE_RIGHT_READ:
		return ae_access_check_bit(sd, t, AE_ADS_RIGHT_DS_READ_PROP, NULL, out);
	}
	return AE_ERR_INVALID;
}
