/*
 * test_secdesc.c: the self-relative SECURITY_DESCRIPTOR parser, builder
 * and SDDL rendering of the security layer. The reference input is the
 * lab template descriptor as Samba marshals it (ndr_pack of
 * descriptor.from_sddl, domain S-1-5-21-1-2-3); more of Samba's own bytes
 * are in tests/fuzz/corpus/secdesc/valid_*.sd, broken ones in bad_*.sd.
 * Every test checks that nothing is left on its talloc context.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_access.h"
#include "ae_secdesc.h"
#include "ae_sid.h"
#include "read_file.h"

#define CORPUS SRCDIR "/tests/fuzz/corpus/secdesc/"

/*
 * "O:EAG:EAD:PAI(OA;;CR;<Enroll>;;DC)(OA;;CR;<AutoEnroll>;;DC)(A;;RPLCLORC;;;AU)
 *  (A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;DA)" from Samba 4.17's ndr_pack.
 */
static const uint8_t lab_sd[252] = {
	0x01, 0x00, 0x04, 0x94, 0x14, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x4c, 0x00, 0x00, 0x00, 0x01, 0x05, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x05, 0x15, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x07, 0x02, 0x00, 0x00,
	0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x15, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x07, 0x02, 0x00, 0x00, 0x04, 0x00, 0xb0, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x05, 0x00, 0x38, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x68, 0xc9, 0x10, 0x0e, 0xfb, 0x78, 0xd2, 0x11, 0x90, 0xd4, 0x00, 0xc0,
	0x4f, 0x79, 0xdc, 0x55, 0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
	0x15, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x03, 0x02, 0x00, 0x00, 0x05, 0x00, 0x38, 0x00,
	0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xc2, 0x8c, 0x5b, 0xa0,
	0xbc, 0x17, 0x02, 0x48, 0xa7, 0x10, 0xe7, 0xc1, 0x5a, 0xb8, 0x66, 0xa2,
	0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x15, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x94, 0x00, 0x02, 0x00,
	0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0b, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x24, 0x00, 0xff, 0x01, 0x0f, 0x00, 0x01, 0x05, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x05, 0x15, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
};

#define LAB_DACL_OFF	0x4c
#define LAB_ACE3_OFF	0xd8

static struct ae_sid sid(const char *s)
{
	struct ae_sid out;

	assert_int_equal(ae_sid_from_string(s, &out), AE_OK);
	return out;
}

static void assert_sid(const struct ae_sid *got, const char *want)
{
	char buf[AE_SID_STR_MAX];

	assert_string_equal(ae_sid_format(got, buf), want);
}

static struct ae_ace plain_ace(uint8_t type, uint8_t flags, uint32_t mask, const char *s)
{
	struct ae_ace a = { .type = type, .flags = flags, .mask = mask };

	a.sid = sid(s);
	return a;
}

static struct ae_ace object_ace(uint8_t type, uint32_t mask, const uint8_t *ot, const char *s)
{
	struct ae_ace a = plain_ace(type, 0, mask, s);

	if (ot != NULL) {
		a.has_object_type = true;
		memcpy(a.object_type, ot, AE_GUID_LEN);
	}
	return a;
}

/* DACL-only descriptor with these ACEs, marshalled on mem. */
static uint8_t *build_dacl(TALLOC_CTX *mem, struct ae_ace *aces, uint32_t n, size_t *_len)
{
	struct ae_acl acl = { .num_aces = n, .aces = aces };
	struct ae_secdesc sd = { .dacl = &acl };
	uint8_t *p = NULL;

	assert_int_equal(ae_secdesc_build(mem, &sd, &p, _len), AE_OK);
	return p;
}

static void put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = v & 0xff;
	p[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	put16(p, off, v & 0xffff);
	put16(p, off + 2, (uint16_t)(v >> 16));
}

/* Parsing p must fail with err and a 'why' containing want (may be NULL). */
static void expect_fail(TALLOC_CTX *mem, const uint8_t *p, size_t len, ae_err err,
			const char *want)
{
	static struct ae_secdesc sentinel;
	struct ae_secdesc *sd = &sentinel;
	size_t blocks = talloc_total_blocks(mem);
	char why[256];

	assert_int_equal(ae_secdesc_parse_why(mem, p, len, &sd, why, sizeof(why)), err);
	assert_ptr_equal(sd, &sentinel);
	assert_true(why[0] != '\0');
	if (want != NULL && strstr(why, want) == NULL) {
		fail_msg("why \"%s\" lacks \"%s\"", why, want);
	}
	assert_int_equal(talloc_total_blocks(mem), blocks);
}

static void test_lab_sd(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_secdesc *sd = NULL;
	const struct ae_ace *a = NULL;
	uint8_t *built = NULL;
	size_t built_len = 0;
	char *sddl = NULL;
	char why[128];

	(void)state;
	assert_int_equal(ae_secdesc_parse_why(mem, lab_sd, sizeof(lab_sd), &sd, why, sizeof(why)),
			 AE_OK);
	assert_string_equal(why, "");
	assert_int_equal(sd->revision, 1);
	assert_int_equal(sd->control, AE_SE_SELF_RELATIVE | AE_SE_DACL_PROTECTED |
			 AE_SE_DACL_AUTO_INHERITED | AE_SE_DACL_PRESENT);
	assert_true(sd->has_owner && sd->has_group);
	assert_sid(&sd->owner, "S-1-5-21-1-2-3-519");
	assert_sid(&sd->group, "S-1-5-21-1-2-3-519");
	assert_null(sd->sacl);
	assert_non_null(sd->dacl);
	assert_int_equal(sd->dacl->revision, AE_ACL_REVISION_DS);
	assert_int_equal(sd->dacl->size, 0xb0);
	assert_int_equal(sd->dacl->offset, LAB_DACL_OFF);
	assert_int_equal(sd->dacl->num_aces, 4);

	a = &sd->dacl->aces[0];
	assert_int_equal(a->type, AE_ACE_ACCESS_ALLOWED_OBJECT);
	assert_int_equal(a->kind, AE_ACE_KIND_ALLOW);
	assert_true(a->is_object && a->has_object_type && !a->has_inherited_object_type);
	assert_int_equal(a->mask, AE_ADS_RIGHT_DS_CONTROL_ACCESS);
	assert_memory_equal(a->object_type, ae_guid_enroll, AE_GUID_LEN);
	assert_sid(&a->sid, "S-1-5-21-1-2-3-515");
	assert_int_equal(a->size, 0x38);
	assert_int_equal(a->offset, 0x54);
	assert_int_equal(a->extra_len, 0);
	assert_memory_equal(sd->dacl->aces[1].object_type, ae_guid_autoenroll, AE_GUID_LEN);
	a = &sd->dacl->aces[2];
	assert_int_equal(a->type, AE_ACE_ACCESS_ALLOWED);
	assert_false(a->is_object || a->has_object_type);
	assert_int_equal(a->mask, AE_ADS_GENERIC_READ_MASK);
	assert_true(ae_sid_equal(&a->sid, &ae_sid_authenticated_users));
	a = &sd->dacl->aces[3];
	assert_int_equal(a->mask, AE_ADS_GENERIC_ALL_MASK);
	assert_int_equal(a->offset, LAB_ACE3_OFF);
	assert_sid(&a->sid, "S-1-5-21-1-2-3-512");

	sddl = ae_secdesc_to_sddl(mem, sd);
	assert_non_null(sddl);
	assert_string_equal(sddl,
		"O:S-1-5-21-1-2-3-519G:S-1-5-21-1-2-3-519D:PAI"
		"(OA;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;S-1-5-21-1-2-3-515)"
		"(OA;;CR;a05b8cc2-17bc-4802-a710-e7c15ab866a2;;S-1-5-21-1-2-3-515)"
		"(A;;LCRPLORC;;;AU)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;S-1-5-21-1-2-3-512)");

	/* Our builder marshals it exactly as Samba does. */
	assert_int_equal(ae_secdesc_build(mem, sd, &built, &built_len), AE_OK);
	assert_int_equal(built_len, sizeof(lab_sd));
	assert_memory_equal(built, lab_sd, sizeof(lab_sd));

	talloc_free(sd);
	talloc_free(sddl);
	talloc_free(built);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/* A seed of the secdesc fuzz corpus, read whole. */
static uint8_t *read_corpus(TALLOC_CTX *mem, const char *name, size_t *_len)
{
	return read_test_file(mem, CORPUS, name, 64 * 1024, _len);
}

/* Samba's bytes for other descriptors parse and rebuild byte for byte. */
static void test_samba_corpus(void **state)
{
	static const struct {
		const char *file;
		bool has_dacl, empty, has_sacl, has_owner;
		const char *sddl_prefix;
	} cases[] = {
		{ "valid_lab_template_brief.sd", true, false, false, true, "O:S-1-5-21-1-2-3-519G:" },
		{ "valid_lab_template_machine.sd", true, false, false, true, "O:S-1-5-21-1-2-3-519G:" },
		{ "valid_lab_template_dacl_only.sd", true, false, false, false,
		  "D:PAI(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;S-1-5-21-1-2-3-519)" },
		{ "valid_gpo_default.sd", true, false, false, true, "O:S-1-5-21-1-2-3-512G:" },
		{ "valid_with_sacl.sd", true, false, true, true,
		  "O:S-1-5-21-1-2-3-512G:S-1-5-21-1-2-3-512D:(A;;GA;;;WD)(OD;IO;CR;"
		  "0e10c968-78fb-11d2-90d4-00c04f79dc55;bf967aba-0de6-11d0-a285-00aa003049e2;"
		  "S-1-5-21-1-2-3-513)S:(AU;SA;WP;;;WD)(OU;CISA;CR;a05b8cc2" },
		{ "valid_empty_dacl.sd", true, true, false, true, "O:SYG:SYD:" },
		{ "valid_null_dacl.sd", false, false, false, true, "O:SYD:NO_ACCESS_CONTROL" },
		{ "valid_absent_dacl.sd", false, false, false, true, "O:SY" },
	};
	TALLOC_CTX *mem = talloc_new(NULL);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TALLOC_CTX *tmp = talloc_new(mem);
		struct ae_secdesc *sd = NULL;
		uint8_t *p = NULL, *built = NULL;
		size_t len = 0, built_len = 0;
		char *sddl = NULL;

		p = read_corpus(tmp, cases[i].file, &len);
		assert_int_equal(ae_secdesc_parse(tmp, p, len, &sd), AE_OK);
		assert_int_equal(sd->dacl != NULL, cases[i].has_dacl);
		if (sd->dacl != NULL) {
			assert_int_equal(sd->dacl->num_aces == 0, cases[i].empty);
		}
		assert_int_equal(sd->sacl != NULL, cases[i].has_sacl);
		assert_int_equal(sd->has_owner, cases[i].has_owner);
		sddl = ae_secdesc_to_sddl(tmp, sd);
		if (strncmp(sddl, cases[i].sddl_prefix, strlen(cases[i].sddl_prefix)) != 0) {
			fail_msg("%s: %s", cases[i].file, sddl);
		}
		assert_int_equal(ae_secdesc_build(tmp, sd, &built, &built_len), AE_OK);
		assert_int_equal(built_len, len);
		assert_memory_equal(built, p, len);
		talloc_free(tmp);
	}
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/* The broken seeds fail with the error and message they were made for. */
static void test_bad_corpus(void **state)
{
	static const struct {
		const char *file;
		ae_err err;
		const char *why;
	} cases[] = {
		{ "bad_truncated_header.sd", AE_ERR_PARSE, "12 bytes is shorter than the 20-byte" },
		{ "bad_truncated_half.sd", AE_ERR_PARSE, "AclSize 176 runs past the end" },
		{ "bad_dacl_offset_past_end.sd", AE_ERR_PARSE, "OffsetDacl 0x104 is at or past" },
		{ "bad_owner_offset_in_header.sd", AE_ERR_PARSE, "OffsetOwner 0x8 points into" },
		{ "bad_aclsize_too_big.sd", AE_ERR_PARSE, "AclSize 1024 runs past the end" },
		{ "bad_aclsize_too_small.sd", AE_ERR_PARSE,
		  "ACE 1 at offset 0x8c: only 0 bytes left in the DACL (AclSize 64)" },
		{ "bad_acecount_too_big.sd", AE_ERR_PARSE, "ACE 4 at offset 0xfc: only 0 bytes" },
		{ "bad_acecount_huge.sd", AE_ERR_TOO_LARGE, "AceCount 65535 is above the limit" },
		{ "bad_ace_size_6.sd", AE_ERR_PARSE,
		  "ACE 0 at offset 0x54: size 6 is below the minimum 20" },
		{ "bad_ace_size_unaligned.sd", AE_ERR_PARSE, "size 58 is not a multiple of 4" },
		{ "bad_ace_sid_16_subauths.sd", AE_ERR_PARSE,
		  "SID at offset 0x70: 16 sub-authorities" },
		{ "bad_trailing.sd", AE_ERR_TRAILING, "4 bytes after the last component" },
		{ "bad_not_self_relative.sd", AE_ERR_PARSE, "lacks SE_SELF_RELATIVE" },
		{ "bad_acl_revision_1.sd", AE_ERR_PARSE, "AclRevision 1 is not 2 or 4" },
	};
	TALLOC_CTX *mem = talloc_new(NULL);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TALLOC_CTX *tmp = talloc_new(mem);
		size_t len = 0;
		uint8_t *p = read_corpus(tmp, cases[i].file, &len);

		expect_fail(tmp, p, len, cases[i].err, cases[i].why);
		talloc_free(tmp);
	}
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/* Every proper prefix of a descriptor fails cleanly. */
static void test_truncations(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_ace aces[3];
	uint8_t *p = NULL;
	size_t len = 0, n;

	(void)state;
	for (n = 0; n < sizeof(lab_sd); n++) {
		/* A copy of exactly n bytes, so ASan sees any read past it. */
		uint8_t *cut = talloc_memdup(mem, lab_sd, n ? n : 1);

		expect_fail(mem, cut, n, AE_ERR_PARSE, NULL);
		talloc_free(cut);
	}
	aces[0] = object_ace(AE_ACE_ACCESS_DENIED_OBJECT, 0x100, ae_guid_enroll, "S-1-1-0");
	aces[1] = plain_ace(0x14, 0, 0, "S-1-1-0");
	aces[2] = plain_ace(AE_ACE_ACCESS_ALLOWED, 0, 0x100, "S-1-5-11");
	p = build_dacl(mem, aces, 3, &len);
	for (n = 0; n < len; n++) {
		uint8_t *cut = talloc_memdup(mem, p, n ? n : 1);

		expect_fail(mem, cut, n, AE_ERR_PARSE, NULL);
		talloc_free(cut);
	}
	talloc_free(p);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_header_and_offsets(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t p[sizeof(lab_sd)];
	uint8_t minimal[20] = { 1, 0, 0x00, 0x80 };
	struct ae_secdesc *sd = NULL;
	uint8_t *big = NULL;

	(void)state;
	/* 20 bytes, no component: valid, no DACL. */
	assert_int_equal(ae_secdesc_parse(mem, minimal, sizeof(minimal), &sd), AE_OK);
	assert_false(sd->has_owner || sd->has_group);
	assert_null(sd->dacl);
	assert_null(sd->sacl);
	talloc_free(sd);

	memcpy(p, lab_sd, sizeof(p));
	p[0] = 2;
	expect_fail(mem, p, sizeof(p), AE_ERR_PARSE, "Revision 2 at offset 0x0 is not 1");

	memcpy(p, lab_sd, sizeof(p));
	put32(p, 4, sizeof(lab_sd));
	expect_fail(mem, p, sizeof(p), AE_ERR_PARSE, "OffsetOwner 0xfc is at or past the end");
	put32(p, 4, 0xfffffff0u);
	expect_fail(mem, p, sizeof(p), AE_ERR_PARSE, "OffsetOwner 0xfffffff0 is at or past");
	put32(p, 4, 19);
	expect_fail(mem, p, sizeof(p), AE_ERR_PARSE, "OffsetOwner 0x13 points into the 20-byte");

	/* The group SID near the end: its sub-authorities run past it. */
	memcpy(p, lab_sd, sizeof(p));
	put32(p, 8, sizeof(lab_sd) - 12);
	expect_fail(mem, p, sizeof(p), AE_ERR_PARSE, "group SID at offset 0xf0:");

	/* The SACL offset pointing at the owner SID: not an ACL. */
	memcpy(p, lab_sd, sizeof(p));
	p[2] |= AE_SE_SACL_PRESENT;
	put32(p, 12, 0x14);
	expect_fail(mem, p, sizeof(p), AE_ERR_PARSE, "SACL at offset 0x14: AclRevision 1");

	/* The DACL offset pointing 8 bytes before the end: AclSize lies. */
	memcpy(p, lab_sd, sizeof(p));
	put32(p, 16, sizeof(lab_sd) - 8);
	expect_fail(mem, p, sizeof(p), AE_ERR_PARSE, "DACL at offset 0xf4:");

	/* Above AE_SECDESC_MAX. */
	big = talloc_zero_array(mem, uint8_t, AE_SECDESC_MAX + 1);
	memcpy(big, lab_sd, sizeof(lab_sd));
	expect_fail(mem, big, AE_SECDESC_MAX + 1, AE_ERR_TOO_LARGE, "above the limit 262144");
	talloc_free(big);

	assert_int_equal(ae_secdesc_parse(mem, NULL, 5, &sd), AE_ERR_INVALID);
	assert_int_equal(ae_secdesc_parse(mem, lab_sd, sizeof(lab_sd), NULL), AE_ERR_INVALID);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_acl_size_and_count(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_ace aces[2];
	struct ae_acl acl = { .num_aces = 2, .aces = aces };
	struct ae_secdesc in = { .dacl = &acl }, *sd = NULL;
	uint8_t *p = NULL, *q = NULL;
	size_t len = 0, n;

	(void)state;
	aces[0] = plain_ace(AE_ACE_ACCESS_ALLOWED, 0, 0x100, "S-1-1-0");		/* 20 bytes */
	aces[1] = object_ace(AE_ACE_ACCESS_ALLOWED_OBJECT, 0x100, ae_guid_enroll, "S-1-5-11");	/* 40 */
	p = build_dacl(mem, aces, 2, &len);
	assert_int_equal(len, 20 + 8 + 20 + 40);

	/* AclSize smaller than its ACEs. */
	put16(p, 22, 8 + 20 + 36);
	expect_fail(mem, p, len, AE_ERR_PARSE,
		    "ACE 1 at offset 0x30: size 40 runs past the end of the DACL (AclSize 64, "
		    "36 bytes left)");
	/* AclSize larger than the descriptor. */
	put16(p, 22, 8 + 20 + 44);
	expect_fail(mem, p, len, AE_ERR_PARSE, "AclSize 72 runs past the end of the descriptor");
	/* Below the header, not a multiple of 4. */
	put16(p, 22, 4);
	expect_fail(mem, p, len, AE_ERR_PARSE, "AclSize 4 is below the header size 8");
	put16(p, 22, 8 + 20 + 38);
	expect_fail(mem, p, len, AE_ERR_PARSE, "AclSize 66 is not a multiple of 4");
	put16(p, 22, 8 + 20 + 40);

	/* AceCount one too many, far too many, above the cap. */
	put16(p, 24, 3);
	expect_fail(mem, p, len, AE_ERR_PARSE, "ACE 2 at offset 0x58: only 0 bytes left");
	put16(p, 24, 200);
	expect_fail(mem, p, len, AE_ERR_PARSE, "AceCount 200 ACEs cannot fit in AclSize 68");
	put16(p, 24, AE_ACES_MAX + 1);
	expect_fail(mem, p, len, AE_ERR_TOO_LARGE, "AceCount 4097 is above the limit 4096");
	/* AceCount one short: the last ACE is free space, as in Windows. */
	put16(p, 24, 1);
	assert_int_equal(ae_secdesc_parse(mem, p, len, &sd), AE_OK);
	assert_int_equal(sd->dacl->num_aces, 1);
	assert_int_equal(sd->dacl->size, 68);
	talloc_free(sd);
	talloc_free(p);

	/* Free space at the end of an ACL is kept and rebuilt. */
	acl.size = 8 + 20 + 40 + 12;
	assert_int_equal(ae_secdesc_build(mem, &in, &p, &len), AE_OK);
	assert_int_equal(len, 20 + 80);
	assert_int_equal(ae_secdesc_parse(mem, p, len, &sd), AE_OK);
	assert_int_equal(sd->dacl->size, 80);
	assert_int_equal(sd->dacl->num_aces, 2);
	assert_int_equal(ae_secdesc_build(mem, sd, &q, &n), AE_OK);
	assert_int_equal(n, len);
	assert_memory_equal(q, p, len);
	talloc_free(q);
	talloc_free(sd);
	talloc_free(p);
	/* A stored size smaller than the contents cannot be built. */
	acl.size = 12;
	assert_int_equal(ae_secdesc_build(mem, &in, &p, &len), AE_ERR_INVALID);

	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_ace_sizes(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t p[sizeof(lab_sd)];
	struct ae_ace ace;
	uint8_t *q = NULL;
	size_t len = 0;

	(void)state;
	/* The example from the brief: a plain ACE of 6 bytes. */
	memcpy(p, lab_sd, sizeof(p));
	put16(p, LAB_ACE3_OFF + 2, 6);
	expect_fail(mem, p, sizeof(p), AE_ERR_PARSE,
		    "ACE 3 at offset 0xd8: size 6 is below the minimum 16");
	put16(p, LAB_ACE3_OFF + 2, 0);
	expect_fail(mem, p, sizeof(p), AE_ERR_PARSE, "size 0 is below the minimum 16");
	put16(p, LAB_ACE3_OFF + 2, 0x22);
	expect_fail(mem, p, sizeof(p), AE_ERR_PARSE, "size 34 is not a multiple of 4");
	put16(p, LAB_ACE3_OFF + 2, 0x28);
	expect_fail(mem, p, sizeof(p), AE_ERR_PARSE, "size 40 runs past the end of the DACL");
	/* A size that cuts the SID short. */
	put16(p, LAB_ACE3_OFF + 2, 0x20);
	expect_fail(mem, p, sizeof(p), AE_ERR_PARSE,
		    "ACE 3 at offset 0xd8: SID at offset 0xe0: 5 sub-authorities need 28 bytes, "
		    "24 left");
	/* A SID revision other than 1. */
	memcpy(p, lab_sd, sizeof(p));
	p[LAB_ACE3_OFF + 8] = 2;
	expect_fail(mem, p, sizeof(p), AE_ERR_PARSE, "SID at offset 0xe0: revision 2 is not 1");

	/* Object ACE: flags promise both GUIDs, size holds one. */
	memcpy(p, lab_sd, sizeof(p));
	p[0x54 + 8] = 3;
	expect_fail(mem, p, sizeof(p), AE_ERR_PARSE,
		    "ACE 0 at offset 0x54: SID at offset 0x80: revision 2 is not 1");
	/* Object ACE, no GUID: 20 bytes is the minimum. */
	ace = plain_ace(AE_ACE_ACCESS_ALLOWED_OBJECT, 0, 0x100, "S-1-1-0");
	q = build_dacl(mem, &ace, 1, &len);
	assert_int_equal(len, 20 + 8 + 24);
	q[28 + 8] = AE_ACE_OBJECT_TYPE_PRESENT;
	expect_fail(mem, q, len, AE_ERR_PARSE,
		    "ACE 0 at offset 0x1c: size 24 is below the minimum 36 for object flags 0x1");
	q[28 + 8] = 0;
	q[28 + 3] = 0;
	q[28 + 2] = 16;
	expect_fail(mem, q, len, AE_ERR_PARSE, "ACE 0 at offset 0x1c: size 16 is below the minimum 20");
	talloc_free(q);

	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_null_and_empty_dacl(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_acl empty = { 0 };
	struct ae_secdesc in = { .dacl = &empty }, *sd = NULL;
	uint8_t p[sizeof(lab_sd)];
	uint8_t *q = NULL;
	size_t len = 0;

	(void)state;
	/* Empty DACL: present, no ACE. */
	assert_int_equal(ae_secdesc_build(mem, &in, &q, &len), AE_OK);
	assert_int_equal(len, 28);
	assert_int_equal(ae_secdesc_parse(mem, q, len, &sd), AE_OK);
	assert_non_null(sd->dacl);
	assert_int_equal(sd->dacl->num_aces, 0);
	assert_string_equal(ae_secdesc_to_sddl(sd, sd), "D:");
	talloc_free(sd);
	talloc_free(q);

	/* DP set, OffsetDacl 0: NULL DACL. */
	in.dacl = NULL;
	in.control = AE_SE_DACL_PRESENT;
	assert_int_equal(ae_secdesc_build(mem, &in, &q, &len), AE_OK);
	assert_int_equal(len, 20);
	assert_int_equal(ae_secdesc_parse(mem, q, len, &sd), AE_OK);
	assert_null(sd->dacl);
	assert_true(sd->control & AE_SE_DACL_PRESENT);
	assert_string_equal(ae_secdesc_to_sddl(sd, sd), "D:NO_ACCESS_CONTROL");
	talloc_free(sd);
	talloc_free(q);

	/* DP clear, a valid DACL at OffsetDacl: no DACL. */
	memcpy(p, lab_sd, sizeof(p));
	p[2] &= (uint8_t)~AE_SE_DACL_PRESENT;
	assert_int_equal(ae_secdesc_parse(mem, p, sizeof(p), &sd), AE_OK);
	assert_null(sd->dacl);
	assert_true(sd->has_owner);
	talloc_free(sd);
	/* DP clear, a broken DACL there: still an error. */
	put16(p, LAB_DACL_OFF + 4, 5);
	expect_fail(mem, p, sizeof(p), AE_ERR_PARSE, "ACE 4 at offset 0xfc");

	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_unknown_and_callback_aces(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t cond[8] = { 'a', 'r', 't', 'x', 0x01, 0x02, 0x00, 0x00 };
	uint8_t body[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct ae_ace aces[4];
	struct ae_secdesc *sd = NULL;
	uint8_t *p = NULL, *q = NULL;
	size_t len = 0, n = 0;
	char *sddl = NULL;

	(void)state;
	aces[0] = plain_ace(0x14, AE_ACE_FLAG_CONTAINER_INHERIT, 0, "S-1-1-0");
	aces[0].extra = body;
	aces[0].extra_len = sizeof(body);
	aces[1] = plain_ace(AE_ACE_ACCESS_ALLOWED_CALLBACK, 0, 0x100, "S-1-5-11");
	aces[1].extra = cond;
	aces[1].extra_len = sizeof(cond);
	aces[2] = plain_ace(AE_ACE_ACCESS_ALLOWED_COMPOUND, 0, 0, "S-1-1-0");
	aces[3] = object_ace(AE_ACE_ACCESS_DENIED_OBJECT, 0x100, ae_guid_autoenroll, "S-1-5-18");
	aces[3].has_inherited_object_type = true;
	memcpy(aces[3].inherited_object_type, ae_guid_enroll, AE_GUID_LEN);
	p = build_dacl(mem, aces, 4, &len);
	assert_int_equal(len, 20 + 8 + 12 + 28 + 4 + 56);

	assert_int_equal(ae_secdesc_parse(mem, p, len, &sd), AE_OK);
	assert_int_equal(sd->dacl->num_aces, 4);
	assert_int_equal(sd->dacl->revision, AE_ACL_REVISION_DS);
	assert_int_equal(sd->dacl->aces[0].kind, AE_ACE_KIND_UNKNOWN);
	assert_int_equal(sd->dacl->aces[0].size, 12);
	assert_int_equal(sd->dacl->aces[0].extra_len, 8);
	assert_memory_equal(sd->dacl->aces[0].extra, body, 8);
	assert_int_equal(sd->dacl->aces[1].kind, AE_ACE_KIND_ALLOW_CALLBACK);
	assert_int_equal(sd->dacl->aces[1].extra_len, 8);
	assert_memory_equal(sd->dacl->aces[1].extra, cond, 8);
	assert_int_equal(sd->dacl->aces[2].kind, AE_ACE_KIND_UNKNOWN);
	assert_int_equal(sd->dacl->aces[2].size, 4);
	assert_int_equal(sd->dacl->aces[3].kind, AE_ACE_KIND_DENY);
	assert_true(sd->dacl->aces[3].has_inherited_object_type);
	assert_int_equal(sd->dacl->aces[3].object_flags, 3);
	assert_true(ae_sid_equal(&sd->dacl->aces[3].sid, &ae_sid_local_system));

	sddl = ae_secdesc_to_sddl(mem, sd);
	assert_string_equal(sddl, "D:(0x14;CI;;;;;<8 bytes>)(XA;;CR;;;AU;<8 bytes>)(0x04;;;;;;<0 bytes>)"
			    "(OD;;CR;a05b8cc2-17bc-4802-a710-e7c15ab866a2;"
			    "0e10c968-78fb-11d2-90d4-00c04f79dc55;SY)");
	assert_int_equal(ae_secdesc_build(mem, sd, &q, &n), AE_OK);
	assert_int_equal(n, len);
	assert_memory_equal(q, p, len);
	talloc_free(q);
	talloc_free(sddl);
	{
		/* The hand-built ACEs (kind never set) render the same. */
		struct ae_acl acl = { .num_aces = 4, .aces = aces };
		struct ae_secdesc hand = { .dacl = &acl, .control = AE_SE_DACL_PRESENT };

		sddl = ae_secdesc_to_sddl(mem, &hand);
		assert_string_equal(sddl, ae_secdesc_to_sddl(sd, sd));
		talloc_free(sddl);
	}
	talloc_free(sd);
	talloc_free(p);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_sddl_details(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_ace aces[4];
	struct ae_acl dacl = { .num_aces = 2, .aces = aces }, sacl = { .num_aces = 2, .aces = aces + 2 };
	struct ae_secdesc in = { .dacl = &dacl, .sacl = &sacl, .has_owner = true,
				 .control = AE_SE_SACL_PROTECTED | AE_SE_DACL_AUTO_INHERIT_REQ };
	struct ae_secdesc *sd = NULL;
	uint8_t *p = NULL;
	size_t len = 0;

	(void)state;
	in.owner = ae_sid_builtin_admins;
	aces[0] = plain_ace(AE_ACE_ACCESS_DENIED, AE_ACE_FLAG_INHERITED | AE_ACE_FLAG_OBJECT_INHERIT,
			    0x00100000 | 0x100, "S-1-5-21-9-8-7-1105");
	aces[1] = plain_ace(AE_ACE_ACCESS_ALLOWED, 0x20, 0x80000000u | 0x10000000u, "S-1-5-10");
	aces[2] = plain_ace(AE_ACE_SYSTEM_AUDIT, AE_ACE_FLAG_FAILED_ACCESS, 0, "S-1-1-0");
	aces[3] = plain_ace(AE_ACE_SYSTEM_MANDATORY_LABEL, 0, 1, "S-1-16-4096");
	assert_int_equal(ae_secdesc_build(mem, &in, &p, &len), AE_OK);
	assert_int_equal(ae_secdesc_parse(mem, p, len, &sd), AE_OK);
	assert_string_equal(ae_secdesc_to_sddl(sd, sd),
			    "O:BAD:AR(D;OIID;0x100100;;;S-1-5-21-9-8-7-1105)(A;0x20;GAGR;;;PS)"
			    "S:P(AU;FA;0x0;;;WD)(ML;;CC;;;S-1-16-4096)");
	assert_int_equal(sd->sacl->aces[1].kind, AE_ACE_KIND_SYSTEM);
	talloc_free(sd);
	talloc_free(p);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/* Trailing bytes are refused; gaps between components are not. */
static void test_trailing_and_gaps(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t p[sizeof(lab_sd) + 8];
	struct ae_secdesc *sd = NULL;

	(void)state;
	memcpy(p, lab_sd, sizeof(lab_sd));
	memset(p + sizeof(lab_sd), 0, 8);
	expect_fail(mem, p, sizeof(lab_sd) + 4, AE_ERR_TRAILING,
		    "4 bytes after the last component, which ends at offset 0xfc");

	/* Move the DACL 8 bytes up: an 8-byte gap before it is fine. */
	memmove(p + LAB_DACL_OFF + 8, lab_sd + LAB_DACL_OFF, sizeof(lab_sd) - LAB_DACL_OFF);
	memset(p + LAB_DACL_OFF, 0xee, 8);
	put32(p, 16, LAB_DACL_OFF + 8);
	assert_int_equal(ae_secdesc_parse(mem, p, sizeof(p), &sd), AE_OK);
	assert_int_equal(sd->dacl->num_aces, 4);
	assert_int_equal(sd->dacl->offset, LAB_DACL_OFF + 8);
	talloc_free(sd);
	/* Components out of order (owner last) are fine too. */
	memcpy(p, lab_sd, sizeof(lab_sd));
	put32(p, 4, sizeof(lab_sd));
	memcpy(p + sizeof(lab_sd), lab_sd + 0x14, 8);	/* S-1-5 with no sub-authority */
	p[sizeof(lab_sd) + 1] = 0;
	assert_int_equal(ae_secdesc_parse(mem, p, sizeof(p), &sd), AE_OK);
	assert_sid(&sd->owner, "S-1-5");
	talloc_free(sd);

	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/* Every byte of the lab descriptor set to a few values: clean results only. */
static void test_mutations(void **state)
{
	static const uint8_t values[] = { 0x00, 0x01, 0x04, 0x7f, 0x80, 0xff };
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t p[sizeof(lab_sd)];
	size_t i, v, ok = 0, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(lab_sd); i++) {
		for (v = 0; v < sizeof(values); v++) {
			struct ae_secdesc *sd = NULL;
			uint8_t *q = NULL;
			size_t len = 0;
			char why[256];
			ae_err err;

			memcpy(p, lab_sd, sizeof(p));
			p[i] = values[v];
			err = ae_secdesc_parse_why(mem, p, sizeof(p), &sd, why, sizeof(why));
			if (err != AE_OK) {
				assert_true(why[0] != '\0');
				assert_null(sd);
				bad++;
				continue;
			}
			ok++;
			assert_non_null(ae_secdesc_to_sddl(sd, sd));
			assert_int_equal(ae_secdesc_build(sd, sd, &q, &len), AE_OK);
			talloc_free(sd);
		}
	}
	assert_true(ok > 0 && bad > 0);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_sd),
		cmocka_unit_test(test_samba_corpus),
		cmocka_unit_test(test_bad_corpus),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_header_and_offsets),
		cmocka_unit_test(test_acl_size_and_count),
		cmocka_unit_test(test_ace_sizes),
		cmocka_unit_test(test_null_and_empty_dacl),
		cmocka_unit_test(test_unknown_and_callback_aces),
		cmocka_unit_test(test_sddl_details),
		cmocka_unit_test(test_trailing_and_gaps),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
