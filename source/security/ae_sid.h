/*
 * ae_sid.h: Windows security identifiers (MS-DTYP 2.4.2).
 *
 * A SID is held by value in a fixed struct: no allocation, copyable with
 * '='. Unused sub_auths[] entries are always zero in SIDs made by this
 * module, but ae_sid_equal() only looks at the first num_auths of them.
 *
 * Binary form (MS-DTYP 2.4.2.2): Revision (1, must be 1), SubAuthorityCount
 * (1, at most 15), IdentifierAuthority (6, big-endian), SubAuthority[]
 * (4 each, little-endian). String form (2.4.2.1): "S-1-<authority>-<sub>...",
 * the authority in decimal below 2^32, else "0x" and 12 hex digits.
 */
#ifndef AE_SID_H
#define AE_SID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

#define AE_SID_SUB_AUTHS_MAX	15	/* MS-DTYP 2.4.2.2 */
#define AE_SID_MIN_LEN		8	/* header, no sub-authority */
#define AE_SID_MAX_LEN		(8 + 4 * AE_SID_SUB_AUTHS_MAX)
/* Longest string form, NUL included ("S-1-0x" + 12 hex + 15 x "-4294967295"). */
#define AE_SID_STR_MAX		192

struct ae_sid {
	uint8_t revision;
	uint8_t num_auths;
	uint8_t authority[6];	/* big-endian, as stored */
	uint32_t sub_auths[AE_SID_SUB_AUTHS_MAX];
};

/* Well-known SIDs (MS-DTYP 2.4.2.4). */
extern const struct ae_sid ae_sid_everyone;		/* S-1-1-0  WD */
extern const struct ae_sid ae_sid_creator_owner;	/* S-1-3-0  CO */
extern const struct ae_sid ae_sid_enterprise_dcs;	/* S-1-5-9  ED */
extern const struct ae_sid ae_sid_principal_self;	/* S-1-5-10 PS */
extern const struct ae_sid ae_sid_authenticated_users;	/* S-1-5-11 AU */
extern const struct ae_sid ae_sid_this_organization;	/* S-1-5-15 */
extern const struct ae_sid ae_sid_local_system;		/* S-1-5-18 SY */
extern const struct ae_sid ae_sid_builtin_admins;	/* S-1-5-32-544 BA */
extern const struct ae_sid ae_sid_builtin_users;	/* S-1-5-32-545 BU */

/* Domain-relative RIDs (MS-DTYP 2.4.2.4), for ae_sid_compose(). */
#define AE_RID_DOMAIN_ADMINS		512u	/* DA */
#define AE_RID_DOMAIN_USERS		513u	/* DU */
#define AE_RID_DOMAIN_GUESTS		514u	/* DG */
#define AE_RID_DOMAIN_COMPUTERS		515u	/* DC */
#define AE_RID_DOMAIN_CONTROLLERS	516u	/* DD */
#define AE_RID_CERT_PUBLISHERS		517u	/* CA */
#define AE_RID_SCHEMA_ADMINS		518u	/* SA */
#define AE_RID_ENTERPRISE_ADMINS	519u	/* EA */

/*
 * Parse one binary SID at the start of p[0..len). Bytes after the SID are
 * left alone: *_used (may be NULL) says how many the SID took
 * (8 + 4 * num_auths). AE_ERR_PARSE for a revision other than 1, more than
 * 15 sub-authorities, or a SID longer than len. *out and *_used are set
 * only on success.
 */
ae_err ae_sid_parse(const uint8_t *p, size_t len, struct ae_sid *out, size_t *_used);

/* Bytes ae_sid_push() writes for sid (8 + 4 * num_auths). */
size_t ae_sid_wire_len(const struct ae_sid *sid);

/*
 * Write sid in binary form at p[0..len). AE_ERR_INVALID for a SID with
 * more than 15 sub-authorities, AE_ERR_TOO_LARGE when len is short.
 */
ae_err ae_sid_push(const struct ae_sid *sid, uint8_t *p, size_t len);

/*
 * "S-1-5-21-1-2-3-515" -> *out. Decimal numbers (an authority up to
 * 2^48-1, sub-authorities up to 2^32-1) or an authority of "0x" and 12 hex
 * digits; 0 to 15 sub-authorities; nothing after the last number.
 * Case-insensitive "s-". AE_ERR_PARSE otherwise; *out set only on success.
 */
ae_err ae_sid_from_string(const char *s, struct ae_sid *out);

/* The string form on mem_ctx; NULL when out of memory. */
char *ae_sid_to_string(TALLOC_CTX *mem_ctx, const struct ae_sid *sid);

/* The string form into buf (no allocation, for logging); returns buf. */
const char *ae_sid_format(const struct ae_sid *sid, char buf[AE_SID_STR_MAX]);

/* Same revision, authority and sub-authorities (the used ones only). */
bool ae_sid_equal(const struct ae_sid *a, const struct ae_sid *b);

/*
 * *out = domain_sid with rid appended (e.g. Domain Computers = domain-515).
 * AE_ERR_INVALID when domain_sid already has 15 sub-authorities.
 */
ae_err ae_sid_compose(const struct ae_sid *domain_sid, uint32_t rid, struct ae_sid *out);

/*
 * True when sid is domain_sid plus exactly one more sub-authority; that
 * RID goes to *_rid (may be NULL).
 */
bool ae_sid_split(const struct ae_sid *sid, const struct ae_sid *domain_sid, uint32_t *_rid);

#endif
