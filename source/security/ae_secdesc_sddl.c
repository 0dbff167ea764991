/*
 * ae_secdesc_sddl.c: a debugging rendering of a parsed descriptor in SDDL
 * (MS-DTYP 2.5.1). Output only; there is no SDDL parser here.
 */
#include <stdio.h>
#include <string.h>
#include "ae_secdesc_private.h"

struct sddl_name {
	const char *name;
	uint32_t bits;
};

/* Access mask letters, in the order Windows prints them. */
static const struct sddl_name rights[] = {
	{ "GA", 0x10000000 }, { "GR", 0x80000000 }, { "GW", 0x40000000 },
	{ "GX", 0x20000000 }, { "CC", 0x00000001 }, { "DC", 0x00000002 },
	{ "LC", 0x00000004 }, { "SW", 0x00000008 }, { "RP", 0x00000010 },
	{ "WP", 0x00000020 }, { "DT", 0x00000040 }, { "LO", 0x00000080 },
	{ "CR", 0x00000100 }, { "SD", 0x00010000 }, { "RC", 0x00020000 },
	{ "WD", 0x00040000 }, { "WO", 0x00080000 },
};

static const struct sddl_name ace_flags[] = {
	{ "OI", AE_ACE_FLAG_OBJECT_INHERIT }, { "CI", AE_ACE_FLAG_CONTAINER_INHERIT },
	{ "NP", AE_ACE_FLAG_NO_PROPAGATE }, { "IO", AE_ACE_FLAG_INHERIT_ONLY },
	{ "ID", AE_ACE_FLAG_INHERITED }, { "SA", AE_ACE_FLAG_SUCCESSFUL_ACCESS },
	{ "FA", AE_ACE_FLAG_FAILED_ACCESS },
};

struct sddl_sid {
	const char *alias;
	const struct ae_sid *sid;
};

static const struct sddl_sid sid_aliases[] = {
	{ "WD", &ae_sid_everyone }, { "CO", &ae_sid_creator_owner },
	{ "ED", &ae_sid_enterprise_dcs }, { "PS", &ae_sid_principal_self },
	{ "AU", &ae_sid_authenticated_users }, { "SY", &ae_sid_local_system },
	{ "BA", &ae_sid_builtin_admins }, { "BU", &ae_sid_builtin_users },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *ae_ace_type_sddl(uint8_t type)
{
	switch (type) {
	case AE_ACE_ACCESS_ALLOWED: return "A";
	case AE_ACE_ACCESS_DENIED: return "D";
	case AE_ACE_SYSTEM_AUDIT: return "AU";
	case AE_ACE_SYSTEM_ALARM: return "AL";
	case AE_ACE_ACCESS_ALLOWED_OBJECT: return "OA";
	case AE_ACE_ACCESS_DENIED_OBJECT: return "OD";
	case AE_ACE_SYSTEM_AUDIT_OBJECT: return "OU";
	case AE_ACE_SYSTEM_ALARM_OBJECT: return "OL";
	case AE_ACE_ACCESS_ALLOWED_CALLBACK: return "XA";
	case AE_ACE_ACCESS_DENIED_CALLBACK: return "XD";
	case AE_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT: return "ZA";
	case AE_ACE_SYSTEM_AUDIT_CALLBACK: return "XU";
	case AE_ACE_SYSTEM_MANDATORY_LABEL: return "ML";
	case AE_ACE_SYSTEM_RESOURCE_ATTRIBUTE: return "RA";
	case AE_ACE_SYSTEM_SCOPED_POLICY_ID: return "SP";
	}
	return NULL;
}

/* Letters for every set bit of v, or "0x<hex>" when a bit has none. */
static void add_bits(char **s, uint32_t v, const struct sddl_name *names, size_t n,
		     bool zero_as_hex)
{
	uint32_t covered = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((v & names[i].bits) == names[i].bits) {
			covered |= names[i].bits;
		}
	}
	if (covered != v || (v == 0 && zero_as_hex)) {
		talloc_asprintf_addbuf(s, "0x%x", v);
		return;
	}
	for (i = 0; i < n; i++) {
		if ((v & names[i].bits) == names[i].bits) {
			talloc_asprintf_addbuf(s, "%s", names[i].name);
		}
	}
}

static void add_sid(char **s, const struct ae_sid *sid)
{
	char buf[AE_SID_STR_MAX];
	size_t i;

	for (i = 0; i < NELEM(sid_aliases); i++) {
		if (ae_sid_equal(sid, sid_aliases[i].sid)) {
			talloc_asprintf_addbuf(s, "%s", sid_aliases[i].alias);
			return;
		}
	}
	talloc_asprintf_addbuf(s, "%s", ae_sid_format(sid, buf));
}

static void add_ace(char **s, const struct ae_ace *ace)
{
	const char *type = ae_ace_type_sddl(ace->type);
	enum ae_ace_kind kind;
	bool is_object = false;
	char g[AE_GUID_STR_MAX];

	if (type != NULL) {
		talloc_asprintf_addbuf(s, "(%s;", type);
	} else {
		talloc_asprintf_addbuf(s, "(0x%02x;", ace->type);
	}
	add_bits(s, ace->flags, ace_flags, NELEM(ace_flags), false);
	if (!ae_ace_layout(ace->type, &kind, &is_object)) {
		talloc_asprintf_addbuf(s, ";;;;;<%zu bytes>)", ace->extra_len);
		return;
	}
	talloc_asprintf_addbuf(s, ";");
	add_bits(s, ace->mask, rights, NELEM(rights), true);
	talloc_asprintf_addbuf(s, ";%s", is_object && ace->has_object_type ?
			       ae_guid_format(ace->object_type, g) : "");
	talloc_asprintf_addbuf(s, ";%s;", is_object && ace->has_inherited_object_type ?
			       ae_guid_format(ace->inherited_object_type, g) : "");
	add_sid(s, &ace->sid);
	if (ace->extra_len > 0 && (kind == AE_ACE_KIND_ALLOW_CALLBACK ||
				   kind == AE_ACE_KIND_DENY_CALLBACK)) {
		talloc_asprintf_addbuf(s, ";<%zu bytes>", ace->extra_len);
	}
	talloc_asprintf_addbuf(s, ")");
}

static void add_acl(char **s, const char *tag, const struct ae_acl *acl, uint16_t control,
		    uint16_t protected, uint16_t req, uint16_t inherited)
{
	uint32_t i;

	talloc_asprintf_addbuf(s, "%s:%s%s%s", tag, (control & protected) ? "P" : "",
			       (control & req) ? "AR" : "", (control & inherited) ? "AI" : "");
	for (i = 0; i < acl->num_aces; i++) {
		add_ace(s, &acl->aces[i]);
	}
}

char *ae_secdesc_to_sddl(TALLOC_CTX *mem_ctx, const struct ae_secdesc *sd)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	char *s = NULL;

	if (frame == NULL) {
		return NULL;
	}
	s = talloc_strdup(frame, "");
	if (sd->has_owner) {
		talloc_asprintf_addbuf(&s, "O:");
		add_sid(&s, &sd->owner);
	}
	if (sd->has_group) {
		talloc_asprintf_addbuf(&s, "G:");
		add_sid(&s, &sd->group);
	}
	if (sd->dacl != NULL) {
		add_acl(&s, "D", sd->dacl, sd->control, AE_SE_DACL_PROTECTED,
			AE_SE_DACL_AUTO_INHERIT_REQ, AE_SE_DACL_AUTO_INHERITED);
	} else if (sd->control & AE_SE_DACL_PRESENT) {
		talloc_asprintf_addbuf(&s, "D:NO_ACCESS_CONTROL");
	}
	if (sd->sacl != NULL) {
		add_acl(&s, "S", sd->sacl, sd->control, AE_SE_SACL_PROTECTED,
			AE_SE_SACL_AUTO_INHERIT_REQ, AE_SE_SACL_AUTO_INHERITED);
	}
	if (s != NULL) {
		s = talloc_steal(mem_ctx, s);
	}
	talloc_free(frame);
	return s;
}
