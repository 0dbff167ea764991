/*
 * ae_access.h: the access check for one right on a directory object, as
 * the CA (certificate templates, MS-CRTD 2.5) and the Group Policy client
 * (GPO security filtering, MS-GPOL 3.2.5.1.6) make it.
 *
 * Algorithm (MS-DTYP 2.5.3.2, MS-ADTS 5.1.3.3.2-4), for one requested bit
 * B and, for a control access right, its GUID G:
 *   - no DACL (sd->dacl == NULL): granted, deciding_ace -1;
 *   - empty DACL: not granted, not denied, deciding_ace -1;
 *   - otherwise the DACL's ACEs in order, skipping: INHERIT_ONLY ACEs;
 *     ACEs whose SID is not in the token; ACEs whose mask, after mapping
 *     the generic bits (MS-ADTS 5.1.3.2: GA = 0xF01FF, GR = 0x20094,
 *     GW = 0x20028, GX = 0x20004), lacks B; object ACEs whose ObjectType is
 *     present and is not G (for AE_RIGHT_READ, any present ObjectType: it
 *     names a property or property set, not the whole object); system,
 *     audit and unknown ACE types. The first ACE left decides: an allow
 *     type grants, a deny type denies.
 * So for Enroll: an OA ACE with ObjectType Enroll, an OA ACE without
 * ObjectType, or an A ACE, carrying CR (0x100), GA or full control
 * (0xF01FF), grants; an OA with the AutoEnroll GUID does not.
 *
 * Callback (conditional) ACEs: their condition is not evaluated here. It
 * is taken as UNKNOWN, which MS-DTYP 2.4.4.17.3 resolves as: an allow
 * callback ACE does not grant (skipped), a deny callback ACE denies. When
 * such an ACE matched the token and carried B, result->conditional is set
 * so the caller can say the answer may differ from the server's.
 *
 * Not modelled: PRINCIPAL_SELF substitution (templates and GPOs are not
 * security principals, so S-1-5-10 never matches); an object ACE whose
 * ObjectType is the object's own class GUID (the root of the MS-ADTS object
 * type tree; never seen on templates or GPOs, it is treated as a foreign
 * GUID); property-specific ACEs affecting READ of the whole object (the
 * tree here is the object alone, as in MS-DTYP 2.5.3.2); the owner's
 * implied READ_CONTROL/WRITE_DAC (not among the rights checked here);
 * privileges, deny-only groups, central access policies.
 */
#ifndef AE_ACCESS_H
#define AE_ACCESS_H

#include <stdbool.h>
#include <stdint.h>
#include "ae_error.h"
#include "ae_guid.h"
#include "ae_secdesc.h"
#include "ae_sid.h"
#include "ae_token.h"

/* Directory access rights (MS-ADTS 5.1.3.2). */
#define AE_ADS_RIGHT_DS_CREATE_CHILD	0x00000001
#define AE_ADS_RIGHT_DS_DELETE_CHILD	0x00000002
#define AE_ADS_RIGHT_ACTRL_DS_LIST	0x00000004
#define AE_ADS_RIGHT_DS_SELF		0x00000008
#define AE_ADS_RIGHT_DS_READ_PROP	0x00000010
#define AE_ADS_RIGHT_DS_WRITE_PROP	0x00000020
#define AE_ADS_RIGHT_DS_DELETE_TREE	0x00000040
#define AE_ADS_RIGHT_DS_LIST_OBJECT	0x00000080
#define AE_ADS_RIGHT_DS_CONTROL_ACCESS	0x00000100
#define AE_SEC_STD_DELETE		0x00010000
#define AE_SEC_STD_READ_CONTROL		0x00020000
#define AE_SEC_STD_WRITE_DAC		0x00040000
#define AE_SEC_STD_WRITE_OWNER		0x00080000
#define AE_SEC_GENERIC_ALL		0x10000000
#define AE_SEC_GENERIC_EXECUTE		0x20000000
#define AE_SEC_GENERIC_WRITE		0x40000000
#define AE_SEC_GENERIC_READ		0x80000000
/* What the generic bits mean on a directory object (MS-ADTS 5.1.3.2). */
#define AE_ADS_GENERIC_ALL_MASK		0x000F01FF	/* "full control" */
#define AE_ADS_GENERIC_READ_MASK	0x00020094
#define AE_ADS_GENERIC_WRITE_MASK	0x00020028
#define AE_ADS_GENERIC_EXECUTE_MASK	0x00020004

/* Control access right GUIDs, as in ACEs (MS-CRTD 2.5.2; MS-ADTS 5.1.3.2.1). */
extern const uint8_t ae_guid_enroll[AE_GUID_LEN];		/* 0e10c968-78fb-11d2-90d4-00c04f79dc55 */
extern const uint8_t ae_guid_autoenroll[AE_GUID_LEN];		/* a05b8cc2-17bc-4802-a710-e7c15ab866a2 */
extern const uint8_t ae_guid_apply_group_policy[AE_GUID_LEN];	/* edacfd8f-ffb3-11d1-b41d-00a0c968f939 */

enum ae_right {
	AE_RIGHT_ENROLL,		/* CR + Certificate-Enrollment (MS-CRTD 2.5.2) */
	AE_RIGHT_AUTOENROLL,		/* CR + Certificate-AutoEnrollment (MS-CRTD 2.5.3) */
	AE_RIGHT_APPLY_GROUP_POLICY,	/* CR + Apply-Group-Policy (MS-GPOL 3.2.5.1.6) */
	AE_RIGHT_READ,			/* READ_PROPERTY on the whole object */
};

struct ae_access_result {
	bool granted;
	int deciding_ace;		/* index in the DACL, or -1 */
	bool denied;			/* an ACE denied it (granted is false) */
	struct ae_sid deciding_sid;	/* that ACE's SID; zero when deciding_ace is -1 */
	bool conditional;		/* a callback ACE for this right matched; see above */
};

/* "Enroll", "AutoEnroll", "Apply Group Policy", "Read". */
const char *ae_right_name(enum ae_right r);

/* Map the generic bits of an ACE mask to directory rights (MS-ADTS 5.1.3.2). */
uint32_t ae_access_map_generic(uint32_t mask);

/*
 * Check right r for token t against sd, as described above. *out is
 * always filled on AE_OK. AE_ERR_INVALID for NULL arguments, an unknown r
 * or a DACL claiming ACEs without an array. Neither argument is modified; nothing is allocated.
 *
 *   granted              the right is granted (by ACE deciding_ace, or
 *                        by a NULL DACL when that is -1)
 *   !granted && denied   ACE deciding_ace (SID deciding_sid) denies it
 *   !granted && !denied  no ACE grants it (or the DACL is empty)
 */
ae_err ae_access_check(const struct ae_secdesc *sd, const struct ae_token *t,
		       enum ae_right r, struct ae_access_result *out);

/*
 * The same for any single right bit (e.g. AE_ADS_RIGHT_DS_CONTROL_ACCESS)
 * and, for object ACEs, an object type: NULL means the whole object (an
 * object ACE with an ObjectType never applies). AE_ERR_INVALID unless
 * exactly one bit is set in right_bit.
 */
ae_err ae_access_check_bit(const struct ae_secdesc *sd, const struct ae_token *t,
			   uint32_t right_bit, const uint8_t *object_type,
			   struct ae_access_result *out);

#endif
