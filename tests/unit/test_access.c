/*
 * test_access.c: the access check of the security layer (Enroll,
 * AutoEnroll, Apply Group Policy, Read) in a table of DACLs, each
 * marshalled with ae_secdesc_build and parsed back, then on descriptors
 * Samba produced for the lab templates and a GPO. Every test checks that
 * nothing is left on its talloc context.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_access.h"
#include "ae_secdesc.h"
#include "ae_sid.h"
#include "ae_token.h"
#include "read_file.h"

#define CORPUS SRCDIR "/tests/fuzz/corpus/secdesc/"

#define DOM	"S-1-5-21-1-2-3"
#define MACHINE	DOM "-1104"	/* the machine account */
#define DCS	DOM "-515"	/* Domain Computers */
#define NESTED	DOM "-1105"	/* a group the machine is in through Domain Computers */
#define OTHER	DOM "-1200"	/* a group the machine is not in */
#define DADM	DOM "-512"	/* Domain Admins */
#define WD	"S-1-1-0"
#define AU	"S-1-5-11"
#define PS	"S-1-5-10"

/* Public-Information property set: an ObjectType that is not an extended right. */
static const uint8_t guid_public_info[AE_GUID_LEN] = {
	0x54, 0x01, 0x8d, 0xe4, 0xf8, 0xbc, 0xd1, 0x11,
	0x87, 0x02, 0x00, 0xc0, 0x4f, 0xb9, 0x60, 0x50
};
static uint8_t condition[8] = { 'a', 'r', 't', 'x', 0x01, 0x02, 0x00, 0x00 };

struct tace {
	uint8_t type;
	uint8_t flags;
	uint32_t mask;
	const uint8_t *ot;		/* ObjectType or NULL */
	const uint8_t *iot;		/* InheritedObjectType or NULL */
	const char *sid;		/* NULL ends the list */
};

#define CR	AE_ADS_RIGHT_DS_CONTROL_ACCESS
#define RP	AE_ADS_RIGHT_DS_READ_PROP
#define ENR	ae_guid_enroll
#define AUTO	ae_guid_autoenroll
#define AGP	ae_guid_apply_group_policy
#define A_(f, m, s)		{ AE_ACE_ACCESS_ALLOWED, (f), (m), NULL, NULL, (s) }
#define D_(f, m, s)		{ AE_ACE_ACCESS_DENIED, (f), (m), NULL, NULL, (s) }
#define OA(f, m, g, s)		{ AE_ACE_ACCESS_ALLOWED_OBJECT, (f), (m), (g), NULL, (s) }
#define OD(f, m, g, s)		{ AE_ACE_ACCESS_DENIED_OBJECT, (f), (m), (g), NULL, (s) }
#define T_(t, f, m, g, s)	{ (t), (f), (m), (g), NULL, (s) }
#define IO	AE_ACE_FLAG_INHERIT_ONLY

enum dacl_mode { DACL_ACES, DACL_NULL, DACL_EMPTY };
enum tok_mode { TOK_FULL, TOK_NO_IMPLICIT, TOK_NO_DCS };

struct access_case {
	const char *name;
	enum dacl_mode dacl;
	struct tace aces[6];
	enum tok_mode tok;
	enum ae_right right;
	bool granted, denied;
	int ace;			/* deciding ACE, -1 none */
	const char *sid;		/* its SID */
	bool conditional;
};

#define GRANT(i, s)	.granted = true, .ace = (i), .sid = (s)
#define DENY(i, s)	.denied = true, .ace = (i), .sid = (s)
#define NONE		.ace = -1

static const struct access_case cases[] = {
	{ "allow object ACE Enroll for a group in the token",
	  DACL_ACES, { OA(0, CR, ENR, DCS) }, TOK_FULL, AE_RIGHT_ENROLL, GRANT(0, DCS) },
	{ "the same for a SID not in the token",
	  DACL_ACES, { OA(0, CR, ENR, OTHER) }, TOK_FULL, AE_RIGHT_ENROLL, NONE },
	{ "the same for Domain Computers, token without it",
	  DACL_ACES, { OA(0, CR, ENR, DCS) }, TOK_NO_DCS, AE_RIGHT_ENROLL, NONE },
	{ "the machine account's own SID",
	  DACL_ACES, { OA(0, CR, ENR, MACHINE) }, TOK_FULL, AE_RIGHT_ENROLL, GRANT(0, MACHINE) },
	{ "deny before allow: deny wins",
	  DACL_ACES, { OD(0, CR, ENR, DCS), OA(0, CR, ENR, DCS) }, TOK_FULL, AE_RIGHT_ENROLL,
	  DENY(0, DCS) },
	{ "allow before deny: allow wins",
	  DACL_ACES, { OA(0, CR, ENR, DCS), OD(0, CR, ENR, DCS) }, TOK_FULL, AE_RIGHT_ENROLL,
	  GRANT(0, DCS) },
	{ "inherit-only allow is skipped",
	  DACL_ACES, { OA(IO, CR, ENR, DCS) }, TOK_FULL, AE_RIGHT_ENROLL, NONE },
	{ "inherit-only deny is skipped, the allow after it grants",
	  DACL_ACES, { OD(IO | AE_ACE_FLAG_CONTAINER_INHERIT, CR, ENR, WD), OA(0, CR, ENR, DCS) },
	  TOK_FULL, AE_RIGHT_ENROLL, GRANT(1, DCS) },
	{ "object ACE with the AutoEnroll GUID does not grant Enroll",
	  DACL_ACES, { OA(0, CR, AUTO, DCS) }, TOK_FULL, AE_RIGHT_ENROLL, NONE },
	{ "AutoEnroll allowed but Enroll not: AutoEnroll",
	  DACL_ACES, { OA(0, CR, AUTO, DCS) }, TOK_FULL, AE_RIGHT_AUTOENROLL, GRANT(0, DCS) },
	{ "object ACE without ObjectType grants Enroll",
	  DACL_ACES, { OA(0, CR, NULL, DCS) }, TOK_FULL, AE_RIGHT_ENROLL, GRANT(0, DCS) },
	{ "object ACE without ObjectType grants AutoEnroll",
	  DACL_ACES, { OA(0, CR, NULL, DCS) }, TOK_FULL, AE_RIGHT_AUTOENROLL, GRANT(0, DCS) },
	{ "object ACE without ObjectType grants Apply Group Policy",
	  DACL_ACES, { OA(0, CR, NULL, AU) }, TOK_FULL, AE_RIGHT_APPLY_GROUP_POLICY,
	  GRANT(0, AU) },
	{ "plain ACE with CR grants",
	  DACL_ACES, { A_(0, CR, DCS) }, TOK_FULL, AE_RIGHT_ENROLL, GRANT(0, DCS) },
	{ "plain ACE with GENERIC_ALL grants",
	  DACL_ACES, { A_(0, AE_SEC_GENERIC_ALL, DCS) }, TOK_FULL, AE_RIGHT_AUTOENROLL,
	  GRANT(0, DCS) },
	{ "full control 0xF01FF grants",
	  DACL_ACES, { A_(0, AE_ADS_GENERIC_ALL_MASK, DCS) }, TOK_FULL, AE_RIGHT_ENROLL,
	  GRANT(0, DCS) },
	{ "full control for Domain Admins only",
	  DACL_ACES, { A_(0, AE_ADS_GENERIC_ALL_MASK, DADM) }, TOK_FULL, AE_RIGHT_ENROLL, NONE },
	{ "generic read does not grant Enroll",
	  DACL_ACES, { A_(0, AE_SEC_GENERIC_READ, DCS) }, TOK_FULL, AE_RIGHT_ENROLL, NONE },
	{ "object ACE for Enroll without CR (read property) grants nothing",
	  DACL_ACES, { OA(0, RP, ENR, DCS) }, TOK_FULL, AE_RIGHT_ENROLL, NONE },
	{ "NULL DACL grants everything",
	  DACL_NULL, { { 0 } }, TOK_FULL, AE_RIGHT_ENROLL, GRANT(-1, NULL) },
	{ "NULL DACL grants Read",
	  DACL_NULL, { { 0 } }, TOK_FULL, AE_RIGHT_READ, GRANT(-1, NULL) },
	{ "empty DACL grants nothing",
	  DACL_EMPTY, { { 0 } }, TOK_FULL, AE_RIGHT_ENROLL, NONE },
	{ "Everyone",
	  DACL_ACES, { OA(0, CR, ENR, WD) }, TOK_FULL, AE_RIGHT_ENROLL, GRANT(0, WD) },
	{ "Authenticated Users",
	  DACL_ACES, { OA(0, CR, ENR, AU) }, TOK_FULL, AE_RIGHT_ENROLL, GRANT(0, AU) },
	{ "Authenticated Users, token without the implicit SIDs",
	  DACL_ACES, { OA(0, CR, ENR, AU) }, TOK_NO_IMPLICIT, AE_RIGHT_ENROLL, NONE },
	{ "unknown ACE type in between is skipped",
	  DACL_ACES, { T_(0x14, 0, CR, NULL, DCS), OA(0, CR, ENR, DCS) }, TOK_FULL,
	  AE_RIGHT_ENROLL, GRANT(1, DCS) },
	{ "audit ACE in a DACL is skipped",
	  DACL_ACES, { T_(AE_ACE_SYSTEM_AUDIT, 0, CR, NULL, DCS), D_(0, CR, OTHER),
		       A_(0, CR, DCS) }, TOK_FULL, AE_RIGHT_ENROLL, GRANT(2, DCS) },
	{ "denied by a nested group present in the token",
	  DACL_ACES, { OD(0, CR, ENR, NESTED), OA(0, CR, ENR, DCS) }, TOK_FULL, AE_RIGHT_ENROLL,
	  DENY(0, NESTED) },
	{ "deny of all extended rights (no ObjectType) for Authenticated Users",
	  DACL_ACES, { OD(0, CR, NULL, AU), OA(0, CR, ENR, DCS) }, TOK_FULL, AE_RIGHT_ENROLL,
	  DENY(0, AU) },
	{ "deny of AutoEnroll does not deny Enroll",
	  DACL_ACES, { OD(0, CR, AUTO, DCS), OA(0, CR, ENR, DCS) }, TOK_FULL, AE_RIGHT_ENROLL,
	  GRANT(1, DCS) },
	{ "deny of Enroll without CR does not deny it",
	  DACL_ACES, { OD(0, RP, ENR, DCS), OA(0, CR, ENR, DCS) }, TOK_FULL, AE_RIGHT_ENROLL,
	  GRANT(1, DCS) },
	{ "plain deny with GENERIC_ALL denies",
	  DACL_ACES, { D_(0, AE_SEC_GENERIC_ALL, NESTED), A_(0, CR, DCS) }, TOK_FULL,
	  AE_RIGHT_AUTOENROLL, DENY(0, NESTED) },
	{ "deny for a SID not in the token is skipped",
	  DACL_ACES, { OD(0, CR, ENR, OTHER), OA(0, CR, ENR, DCS) }, TOK_FULL, AE_RIGHT_ENROLL,
	  GRANT(1, DCS) },
	{ "InheritedObjectType does not limit an effective ACE",
	  DACL_ACES, { { AE_ACE_ACCESS_ALLOWED_OBJECT, 0, CR, ENR, guid_public_info, DCS } },
	  TOK_FULL, AE_RIGHT_ENROLL, GRANT(0, DCS) },
	{ "PRINCIPAL_SELF never matches a template",
	  DACL_ACES, { OA(0, CR, ENR, PS) }, TOK_FULL, AE_RIGHT_ENROLL, NONE },
	{ "allow callback ACE does not grant (condition unknown)",
	  DACL_ACES, { T_(AE_ACE_ACCESS_ALLOWED_CALLBACK, 0, CR, NULL, DCS) }, TOK_FULL,
	  AE_RIGHT_ENROLL, NONE, .conditional = true },
	{ "deny callback ACE denies (condition unknown)",
	  DACL_ACES, { T_(AE_ACE_ACCESS_DENIED_CALLBACK, 0, CR, NULL, DCS), OA(0, CR, ENR, DCS) },
	  TOK_FULL, AE_RIGHT_ENROLL, DENY(0, DCS), .conditional = true },
	{ "deny callback object ACE for AutoEnroll leaves Enroll alone",
	  DACL_ACES, { T_(AE_ACE_ACCESS_DENIED_CALLBACK_OBJECT, 0, CR, AUTO, DCS),
		       OA(0, CR, ENR, DCS) }, TOK_FULL, AE_RIGHT_ENROLL, GRANT(1, DCS) },
	{ "Apply Group Policy for Authenticated Users",
	  DACL_ACES, { A_(0, AE_ADS_GENERIC_READ_MASK, AU), OA(0, CR, AGP, AU) }, TOK_FULL,
	  AE_RIGHT_APPLY_GROUP_POLICY, GRANT(1, AU) },
	{ "Enroll does not grant Apply Group Policy",
	  DACL_ACES, { OA(0, CR, ENR, AU) }, TOK_FULL, AE_RIGHT_APPLY_GROUP_POLICY, NONE },
	{ "Apply Group Policy denied to a group (security filtering)",
	  DACL_ACES, { OD(0, CR, AGP, NESTED), OA(0, CR, AGP, AU) }, TOK_FULL,
	  AE_RIGHT_APPLY_GROUP_POLICY, DENY(0, NESTED) },
	{ "READ for Apply Group Policy filtering: RPLCLORC",
	  DACL_ACES, { OA(0, CR, AGP, AU), A_(0, AE_ADS_GENERIC_READ_MASK, AU) }, TOK_FULL,
	  AE_RIGHT_READ, GRANT(1, AU) },
	{ "READ by GENERIC_READ",
	  DACL_ACES, { A_(0, AE_SEC_GENERIC_READ, AU) }, TOK_FULL, AE_RIGHT_READ, GRANT(0, AU) },
	{ "READ by GENERIC_ALL",
	  DACL_ACES, { A_(0, AE_SEC_GENERIC_ALL, DCS) }, TOK_FULL, AE_RIGHT_READ, GRANT(0, DCS) },
	{ "READ of one property set is not READ of the object",
	  DACL_ACES, { OA(0, RP, guid_public_info, AU) }, TOK_FULL, AE_RIGHT_READ, NONE },
	{ "READ by an object ACE without ObjectType",
	  DACL_ACES, { OA(0, RP, NULL, AU) }, TOK_FULL, AE_RIGHT_READ, GRANT(0, AU) },
	{ "READ denied to a group before the allow",
	  DACL_ACES, { D_(0, RP, DCS), A_(0, AE_ADS_GENERIC_READ_MASK, AU) }, TOK_FULL,
	  AE_RIGHT_READ, DENY(0, DCS) },
	{ "READ: a deny of one property does not deny the object",
	  DACL_ACES, { OD(0, RP, guid_public_info, DCS), A_(0, RP, AU) }, TOK_FULL,
	  AE_RIGHT_READ, GRANT(1, AU) },
	{ "READ: CR alone does not read",
	  DACL_ACES, { A_(0, CR, AU) }, TOK_FULL, AE_RIGHT_READ, NONE },
};

static struct ae_sid sid(const char *s)
{
	struct ae_sid out;

	assert_int_equal(ae_sid_from_string(s, &out), AE_OK);
	return out;
}

static struct ae_token *make_token(TALLOC_CTX *mem, enum tok_mode mode)
{
	struct ae_sid machine = sid(MACHINE), dcs = sid(DCS), nested = sid(NESTED);
	struct ae_token *t = ae_token_new(mem, &machine);

	assert_non_null(t);
	if (mode != TOK_NO_DCS) {
		assert_int_equal(ae_token_add_group(t, &dcs), AE_OK);
	}
	assert_int_equal(ae_token_add_group(t, &nested), AE_OK);
	if (mode != TOK_NO_IMPLICIT) {
		assert_int_equal(ae_token_add_implicit(t), AE_OK);
	}
	return t;
}

/* The case's descriptor, marshalled and parsed back. */
static struct ae_secdesc *make_sd(TALLOC_CTX *mem, const struct access_case *c)
{
	struct ae_ace aces[6];
	struct ae_acl acl = { .aces = aces };
	struct ae_secdesc in = { .has_owner = true }, *sd = NULL;
	uint8_t *p = NULL;
	size_t len = 0;
	uint32_t n = 0;

	in.owner = sid(DOM "-519");
	memset(aces, 0, sizeof(aces));
	if (c->dacl == DACL_NULL) {
		in.control = AE_SE_DACL_PRESENT;
	} else {
		in.dacl = &acl;
	}
	for (n = 0; c->dacl == DACL_ACES && n < 6 && c->aces[n].sid != NULL; n++) {
		const struct tace *s = &c->aces[n];
		struct ae_ace *a = &aces[n];

		a->type = s->type;
		a->flags = s->flags;
		a->mask = s->mask;
		a->sid = sid(s->sid);
		if (s->ot != NULL) {
			a->has_object_type = true;
			memcpy(a->object_type, s->ot, AE_GUID_LEN);
		}
		if (s->iot != NULL) {
			a->has_inherited_object_type = true;
			memcpy(a->inherited_object_type, s->iot, AE_GUID_LEN);
		}
		if (s->type == AE_ACE_ACCESS_ALLOWED_CALLBACK ||
		    s->type == AE_ACE_ACCESS_DENIED_CALLBACK ||
		    s->type == AE_ACE_ACCESS_DENIED_CALLBACK_OBJECT) {
			a->extra = condition;
			a->extra_len = sizeof(condition);
		}
	}
	acl.num_aces = n;
	assert_int_equal(ae_secdesc_build(mem, &in, &p, &len), AE_OK);
	assert_int_equal(ae_secdesc_parse(mem, p, len, &sd), AE_OK);
	talloc_free(p);
	assert_int_equal(sd->dacl == NULL, c->dacl == DACL_NULL);
	if (sd->dacl != NULL) {
		assert_int_equal(sd->dacl->num_aces, n);
	}
	return sd;
}

static void test_table(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	size_t i;

	(void)state;
	assert_true(sizeof(cases) / sizeof(cases[0]) >= 25);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct access_case *c = &cases[i];
		struct ae_token *t = make_token(mem, c->tok);
		struct ae_secdesc *sd = make_sd(mem, c);
		struct ae_access_result r;
		struct ae_sid zero = { 0 };
		char got[AE_SID_STR_MAX];

		memset(&r, 0xa5, sizeof(r));
		assert_int_equal(ae_access_check(sd, t, c->right, &r), AE_OK);
		ae_sid_format(&r.deciding_sid, got);
		print_message("  %-70s %s%s ace %d %s\n", c->name,
			      r.granted ? "granted" : (r.denied ? "denied" : "no grant"),
			      r.conditional ? " (conditional)" : "", r.deciding_ace,
			      r.deciding_ace >= 0 ? got : "");
		if (r.granted != c->granted || r.denied != c->denied ||
		    r.deciding_ace != c->ace || r.conditional != c->conditional) {
			fail_msg("case \"%s\": granted %d denied %d ace %d conditional %d",
				 c->name, r.granted, r.denied, r.deciding_ace, r.conditional);
		}
		if (c->sid != NULL) {
			struct ae_sid want = sid(c->sid);

			if (!ae_sid_equal(&r.deciding_sid, &want)) {
				fail_msg("case \"%s\": decided by %s, not %s", c->name, got, c->sid);
			}
		} else {
			assert_memory_equal(&r.deciding_sid, &zero, sizeof(zero));
		}
		talloc_free(sd);
		talloc_free(t);
	}
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static struct ae_secdesc *corpus_sd(TALLOC_CTX *mem, const char *name)
{
	struct ae_secdesc *sd = NULL;
	size_t n = 0;
	uint8_t *data = read_test_file(mem, CORPUS, name, 64 * 1024, &n);

	assert_int_equal(ae_secdesc_parse(mem, data, n, &sd), AE_OK);
	talloc_free(data);
	return sd;
}

static void check(const struct ae_secdesc *sd, const struct ae_token *t, enum ae_right r,
		  bool granted, int ace)
{
	struct ae_access_result res;

	assert_int_equal(ae_access_check(sd, t, r, &res), AE_OK);
	if (res.granted != granted || res.deciding_ace != ace || res.denied) {
		fail_msg("%s: granted %d ace %d denied %d", ae_right_name(r), res.granted,
			 res.deciding_ace, res.denied);
	}
}

/* Descriptors Samba marshalled from the lab's SDDL (lab/pki.ldif.in). */
static void test_lab_descriptors(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_token *machine = make_token(mem, TOK_FULL);
	struct ae_token *stranger = NULL;
	struct ae_sid user = sid(DOM "-1106"), du = sid(DOM "-513");
	struct ae_secdesc *sd = NULL;

	(void)state;
	stranger = ae_token_new(mem, &user);
	assert_int_equal(ae_token_add_group(stranger, &du), AE_OK);
	assert_int_equal(ae_token_add_implicit(stranger), AE_OK);

	/* Enroll + AutoEnroll for Domain Computers, Read for Authenticated Users. */
	sd = corpus_sd(mem, "valid_lab_template_brief.sd");
	check(sd, machine, AE_RIGHT_ENROLL, true, 0);
	check(sd, machine, AE_RIGHT_AUTOENROLL, true, 1);
	check(sd, machine, AE_RIGHT_READ, true, 2);
	check(sd, machine, AE_RIGHT_APPLY_GROUP_POLICY, false, -1);
	check(sd, stranger, AE_RIGHT_ENROLL, false, -1);
	check(sd, stranger, AE_RIGHT_READ, true, 2);
	talloc_free(sd);

	/* Full control for EA/DA first, then DC's rights. */
	sd = corpus_sd(mem, "valid_lab_template_machine.sd");
	check(sd, machine, AE_RIGHT_AUTOENROLL, true, 3);
	talloc_free(sd);

	/* The template granting Enroll to Authenticated Users, as a DACL-only read. */
	sd = corpus_sd(mem, "valid_lab_template_dacl_only.sd");
	check(sd, machine, AE_RIGHT_ENROLL, true, 2);
	check(sd, stranger, AE_RIGHT_ENROLL, true, 2);
	check(sd, machine, AE_RIGHT_AUTOENROLL, false, -1);
	talloc_free(sd);

	/* A default GPO: Read + Apply for Authenticated Users. */
	sd = corpus_sd(mem, "valid_gpo_default.sd");
	check(sd, machine, AE_RIGHT_APPLY_GROUP_POLICY, true, 5);
	check(sd, machine, AE_RIGHT_READ, true, 4);
	check(sd, machine, AE_RIGHT_ENROLL, false, -1);
	talloc_free(sd);

	/* Everyone has GA: every right; the IO deny of Domain Users is skipped. */
	sd = corpus_sd(mem, "valid_with_sacl.sd");
	check(sd, stranger, AE_RIGHT_ENROLL, true, 0);
	talloc_free(sd);

	/* No DACL, empty DACL. */
	sd = corpus_sd(mem, "valid_null_dacl.sd");
	check(sd, stranger, AE_RIGHT_AUTOENROLL, true, -1);
	talloc_free(sd);
	sd = corpus_sd(mem, "valid_absent_dacl.sd");
	check(sd, stranger, AE_RIGHT_READ, true, -1);
	talloc_free(sd);
	sd = corpus_sd(mem, "valid_empty_dacl.sd");
	check(sd, machine, AE_RIGHT_READ, false, -1);
	talloc_free(sd);

	talloc_free(stranger);
	talloc_free(machine);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/* A hand-built descriptor, never marshalled: kinds come from the type. */
static void test_unparsed_descriptor(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_token *t = make_token(mem, TOK_FULL);
	struct ae_ace aces[2] = {
		{ .type = AE_ACE_ACCESS_DENIED, .mask = CR },
		{ .type = AE_ACE_ACCESS_ALLOWED, .mask = CR },
	};
	struct ae_acl acl = { .num_aces = 2, .aces = aces };
	struct ae_secdesc sd = { .dacl = &acl };
	struct ae_access_result r;

	(void)state;
	aces[0].sid = sid(NESTED);
	aces[1].sid = sid(DCS);
	assert_int_equal(ae_access_check(&sd, t, AE_RIGHT_ENROLL, &r), AE_OK);
	assert_true(r.denied && !r.granted && r.deciding_ace == 0);
	talloc_free(t);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_api(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_token *t = make_token(mem, TOK_FULL);
	struct ae_secdesc sd = { 0 };
	struct ae_access_result r;

	(void)state;
	assert_int_equal(ae_access_check(NULL, t, AE_RIGHT_ENROLL, &r), AE_ERR_INVALID);
	assert_int_equal(ae_access_check(&sd, NULL, AE_RIGHT_ENROLL, &r), AE_ERR_INVALID);
	assert_int_equal(ae_access_check(&sd, t, AE_RIGHT_ENROLL, NULL), AE_ERR_INVALID);
	assert_int_equal(ae_access_check(&sd, t, (enum ae_right)42, &r), AE_ERR_INVALID);
	assert_int_equal(ae_access_check_bit(&sd, t, 0, NULL, &r), AE_ERR_INVALID);
	assert_int_equal(ae_access_check_bit(&sd, t, CR | RP, NULL, &r), AE_ERR_INVALID);
	assert_int_equal(ae_access_check_bit(&sd, t, AE_SEC_STD_WRITE_DAC, NULL, &r), AE_OK);
	assert_true(r.granted);
	{
		struct ae_acl broken = { .num_aces = 1 };

		sd.dacl = &broken;
		assert_int_equal(ae_access_check(&sd, t, AE_RIGHT_READ, &r), AE_ERR_INVALID);
		sd.dacl = NULL;
	}

	assert_string_equal(ae_right_name(AE_RIGHT_ENROLL), "Enroll");
	assert_string_equal(ae_right_name(AE_RIGHT_AUTOENROLL), "AutoEnroll");
	assert_string_equal(ae_right_name(AE_RIGHT_APPLY_GROUP_POLICY), "Apply Group Policy");
	assert_string_equal(ae_right_name(AE_RIGHT_READ), "Read");

	assert_int_equal(ae_access_map_generic(AE_SEC_GENERIC_ALL), 0xF01FF);
	assert_int_equal(ae_access_map_generic(AE_SEC_GENERIC_READ), 0x20094);
	assert_int_equal(ae_access_map_generic(AE_SEC_GENERIC_WRITE), 0x20028);
	assert_int_equal(ae_access_map_generic(AE_SEC_GENERIC_EXECUTE), 0x20004);
	assert_int_equal(ae_access_map_generic(AE_SEC_GENERIC_READ | 0x100), 0x20194);
	assert_int_equal(ae_access_map_generic(0x100), 0x100);
	talloc_free(t);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/* The right GUIDs are the ones named in MS-CRTD 2.5 and MS-ADTS 6.1.1.2.7. */
static void test_guids(void **state)
{
	uint8_t g[AE_GUID_LEN];

	(void)state;
	assert_int_equal(ae_guid_from_string("0e10c968-78fb-11d2-90d4-00c04f79dc55", g), AE_OK);
	assert_memory_equal(g, ae_guid_enroll, AE_GUID_LEN);
	assert_int_equal(ae_guid_from_string("a05b8cc2-17bc-4802-a710-e7c15ab866a2", g), AE_OK);
	assert_memory_equal(g, ae_guid_autoenroll, AE_GUID_LEN);
	assert_int_equal(ae_guid_from_string("EDACFD8F-FFB3-11D1-B41D-00A0C968F939", g), AE_OK);
	assert_memory_equal(g, ae_guid_apply_group_policy, AE_GUID_LEN);
	assert_int_equal(ae_guid_from_string("{e48d0154-bcf8-11d1-8702-00c04fb96050}", g), AE_OK);
	assert_memory_equal(g, guid_public_info, AE_GUID_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_lab_descriptors),
		cmocka_unit_test(test_unparsed_descriptor),
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_guids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
