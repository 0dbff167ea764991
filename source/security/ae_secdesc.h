/*
 * ae_secdesc.h: self-relative SECURITY_DESCRIPTORs (MS-DTYP 2.4.6), their
 * ACLs (2.4.5) and ACEs (2.4.4), as read from nTSecurityDescriptor.
 *
 * The parser treats the bytes as untrusted: every offset and size is
 * checked by subtraction against what is left, the input is capped at
 * AE_SECDESC_MAX bytes and each ACL at AE_ACES_MAX ACEs, ACE sizes must be
 * multiples of 4 and at least the minimum of their type, AclSize must hold
 * AceCount ACEs, and nothing may follow the last component.
 *
 * DACL states (MS-ADTS 5.1.3.3.1), kept apart because they mean opposite
 * things to the access check:
 *   sd->dacl == NULL            no DACL ("NULL DACL"): everyone has full
 *                               access. SE_DACL_PRESENT clear, or set with
 *                               OffsetDacl 0.
 *   sd->dacl->num_aces == 0     empty DACL: nobody is granted anything.
 * A DACL found at a non-zero OffsetDacl while SE_DACL_PRESENT is clear is
 * still checked (a malformed one fails the parse) but not used: that SD
 * has no DACL. The same holds for the SACL and SE_SACL_PRESENT.
 *
 * ACE types the parser knows the layout of (header, Mask, [object part],
 * Sid, then optional application data) are decoded; other types (0x04 and
 * above 0x13) are kept as AE_ACE_KIND_UNKNOWN with their raw body, and the
 * access check ignores them. Their AceSize is still honoured.
 */
#ifndef AE_SECDESC_H
#define AE_SECDESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_guid.h"
#include "ae_sid.h"

#define AE_SECDESC_MAX		(256u * 1024u)	/* bytes of one descriptor */
#define AE_ACES_MAX		4096u		/* ACEs in one ACL */
#define AE_SECDESC_HEADER_LEN	20u
#define AE_ACL_HEADER_LEN	8u
#define AE_ACE_HEADER_LEN	4u

/* SECURITY_DESCRIPTOR Control (MS-DTYP 2.4.6). */
#define AE_SE_OWNER_DEFAULTED		0x0001
#define AE_SE_GROUP_DEFAULTED		0x0002
#define AE_SE_DACL_PRESENT		0x0004
#define AE_SE_DACL_DEFAULTED		0x0008
#define AE_SE_SACL_PRESENT		0x0010
#define AE_SE_SACL_DEFAULTED		0x0020
#define AE_SE_DACL_TRUSTED		0x0040
#define AE_SE_SERVER_SECURITY		0x0080
#define AE_SE_DACL_AUTO_INHERIT_REQ	0x0100
#define AE_SE_SACL_AUTO_INHERIT_REQ	0x0200
#define AE_SE_DACL_AUTO_INHERITED	0x0400
#define AE_SE_SACL_AUTO_INHERITED	0x0800
#define AE_SE_DACL_PROTECTED		0x1000
#define AE_SE_SACL_PROTECTED		0x2000
#define AE_SE_RM_CONTROL_VALID		0x4000
#define AE_SE_SELF_RELATIVE		0x8000

/* AclRevision (MS-DTYP 2.4.5); 3 is accepted as Windows does. */
#define AE_ACL_REVISION		2
#define AE_ACL_REVISION_DS	4

/* AceType (MS-DTYP 2.4.4.1). */
#define AE_ACE_ACCESS_ALLOWED			0x00
#define AE_ACE_ACCESS_DENIED			0x01
#define AE_ACE_SYSTEM_AUDIT			0x02
#define AE_ACE_SYSTEM_ALARM			0x03
#define AE_ACE_ACCESS_ALLOWED_COMPOUND		0x04
#define AE_ACE_ACCESS_ALLOWED_OBJECT		0x05
#define AE_ACE_ACCESS_DENIED_OBJECT		0x06
#define AE_ACE_SYSTEM_AUDIT_OBJECT		0x07
#define AE_ACE_SYSTEM_ALARM_OBJECT		0x08
#define AE_ACE_ACCESS_ALLOWED_CALLBACK		0x09
#define AE_ACE_ACCESS_DENIED_CALLBACK		0x0A
#define AE_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT	0x0B
#define AE_ACE_ACCESS_DENIED_CALLBACK_OBJECT	0x0C
#define AE_ACE_SYSTEM_AUDIT_CALLBACK		0x0D
#define AE_ACE_SYSTEM_ALARM_CALLBACK		0x0E
#define AE_ACE_SYSTEM_AUDIT_CALLBACK_OBJECT	0x0F
#define AE_ACE_SYSTEM_ALARM_CALLBACK_OBJECT	0x10
#define AE_ACE_SYSTEM_MANDATORY_LABEL		0x11
#define AE_ACE_SYSTEM_RESOURCE_ATTRIBUTE	0x12
#define AE_ACE_SYSTEM_SCOPED_POLICY_ID		0x13

/* AceFlags (MS-DTYP 2.4.4.1). */
#define AE_ACE_FLAG_OBJECT_INHERIT	0x01
#define AE_ACE_FLAG_CONTAINER_INHERIT	0x02
#define AE_ACE_FLAG_NO_PROPAGATE	0x04
#define AE_ACE_FLAG_INHERIT_ONLY	0x08
#define AE_ACE_FLAG_INHERITED		0x10
#define AE_ACE_FLAG_SUCCESSFUL_ACCESS	0x40
#define AE_ACE_FLAG_FAILED_ACCESS	0x80

/* Object ACE Flags (MS-DTYP 2.4.4.3). */
#define AE_ACE_OBJECT_TYPE_PRESENT		0x1
#define AE_ACE_INHERITED_OBJECT_TYPE_PRESENT	0x2

/* What an ACE does; derived from its type. */
enum ae_ace_kind {
	AE_ACE_KIND_ALLOW,		/* 0x00, 0x05 */
	AE_ACE_KIND_DENY,		/* 0x01, 0x06 */
	AE_ACE_KIND_ALLOW_CALLBACK,	/* 0x09, 0x0B: condition in app_data */
	AE_ACE_KIND_DENY_CALLBACK,	/* 0x0A, 0x0C */
	AE_ACE_KIND_SYSTEM,		/* audit, alarm, label, resource attribute, policy id */
	AE_ACE_KIND_UNKNOWN,		/* layout unknown: body kept raw */
};

/*
 * kind and is_object are filled in by the parser for the caller's
 * convenience; the builder, the SDDL writer and the access check derive
 * both from type,
 * so a hand-built ACE needs only type, flags, mask, the object fields and
 * sid.
 */
struct ae_ace {
	uint8_t type;
	uint8_t flags;
	uint16_t size;			/* AceSize as stored (0 = computed, for the builder) */
	enum ae_ace_kind kind;
	bool is_object;			/* object layout: object_flags and GUIDs */
	uint32_t mask;
	uint32_t object_flags;		/* as stored, object ACEs only */
	bool has_object_type;
	uint8_t object_type[AE_GUID_LEN];
	bool has_inherited_object_type;
	uint8_t inherited_object_type[AE_GUID_LEN];
	struct ae_sid sid;		/* all kinds but UNKNOWN */
	/*
	 * Bytes inside AceSize after the SID (callback application data, or
	 * slack); for UNKNOWN the whole body after the header. Child of the
	 * ACL's aces array; NULL when empty.
	 */
	uint8_t *extra;
	size_t extra_len;
	uint32_t offset;		/* of the ACE in the descriptor (parsed only) */
};

struct ae_acl {
	uint8_t revision;
	uint16_t size;			/* AclSize as stored (0 = computed, for the builder) */
	uint32_t num_aces;
	struct ae_ace *aces;		/* child of the ACL */
	uint32_t offset;		/* of the ACL in the descriptor (parsed only) */
};

struct ae_secdesc {
	uint8_t revision;		/* 1 */
	uint8_t sbz1;
	uint16_t control;		/* AE_SE_* as stored */
	bool has_owner;
	struct ae_sid owner;
	bool has_group;
	struct ae_sid group;
	struct ae_acl *sacl;		/* NULL: none */
	struct ae_acl *dacl;		/* NULL: no DACL (full access); see above */
};

/*
 * Parse a self-relative SECURITY_DESCRIPTOR p[0..len) into *_sd on mem_ctx
 * (one talloc tree). Errors: AE_ERR_TOO_LARGE (len above AE_SECDESC_MAX,
 * an ACL above AE_ACES_MAX ACEs), AE_ERR_TRAILING (bytes after the last
 * component), AE_ERR_PARSE (anything malformed), AE_ERR_NOMEM,
 * AE_ERR_INVALID (NULL arguments). *_sd is set only on success; nothing is
 * left on mem_ctx on failure.
 */
ae_err ae_secdesc_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			struct ae_secdesc **_sd);

/*
 * The same, and on failure a sentence naming the offset and the field in
 * why[0..why_len) (why may be NULL), e.g. "ACE 3 at offset 0x58: size 6 is
 * below the minimum 16". why is "" on success.
 */
ae_err ae_secdesc_parse_why(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			    struct ae_secdesc **_sd, char *why, size_t why_len);

/*
 * Marshal sd into a self-relative descriptor on mem_ctx (*_p, *_len), in
 * the order Samba's NDR uses: header, owner, group, SACL, DACL. Sizes are
 * computed; a stored ACE or ACL size larger than needed is kept by padding
 * with zeros, so parse -> build gives the input back. AE_SE_SELF_RELATIVE
 * is set; AE_SE_DACL_PRESENT / AE_SE_SACL_PRESENT follow sd->dacl /
 * sd->sacl unless set by the caller (a present-but-NULL DACL). Errors:
 * AE_ERR_INVALID (a SID with more than 15 sub-authorities, a stored size
 * smaller than the contents, more than AE_ACES_MAX ACEs),
 * AE_ERR_TOO_LARGE (an ACE or ACL above 65535 bytes), AE_ERR_NOMEM.
 * For tests, fuzz seeds and lab tools.
 */
ae_err ae_secdesc_build(TALLOC_CTX *mem_ctx, const struct ae_secdesc *sd,
			uint8_t **_p, size_t *_len);

/*
 * Enough SDDL (MS-DTYP 2.5.1) to debug, on mem_ctx: "O:<sid>G:<sid>D:<flags>
 * (<ace>)...S:<flags>(<ace>)...". Well-known SIDs by alias (WD, AU, SY, BA,
 * ...), others as S-1-...; rights by letters when every bit has one, else
 * 0x<hex>; GUIDs in string form; callback application data and unknown
 * ACE bodies as a byte count. "D:NO_ACCESS_CONTROL" for a DACL marked
 * present but absent. NULL when out of memory.
 */
char *ae_secdesc_to_sddl(TALLOC_CTX *mem_ctx, const struct ae_secdesc *sd);

/* The SDDL ACE type ("A", "OA", ...) or NULL when it has none. */
const char *ae_ace_type_sddl(uint8_t type);

#endif
