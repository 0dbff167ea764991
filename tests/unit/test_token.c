/*
 * test_token.c: the access token of the security layer and the SID and
 * GUID helpers under it (binary and string forms, well-known SIDs,
 * domain-relative composition). Every test checks that nothing is left on
 * its talloc context.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_guid.h"
#include "ae_sid.h"
#include "ae_token.h"

/* S-1-5-21-1-2-3-515 as stored (a tokenGroups value). */
static const uint8_t dcs_bin[28] = {
	0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x15, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x03, 0x02, 0x00, 0x00,
};

static struct ae_sid sid(const char *s)
{
	struct ae_sid out;

	assert_int_equal(ae_sid_from_string(s, &out), AE_OK);
	return out;
}

static void test_sid_binary(void **state)
{
	struct ae_sid s = { 0 }, sentinel;
	uint8_t buf[AE_SID_MAX_LEN + 4], bad[sizeof(dcs_bin)];
	char str[AE_SID_STR_MAX];
	size_t used = 99, n;

	(void)state;
	assert_int_equal(ae_sid_parse(dcs_bin, sizeof(dcs_bin), &s, &used), AE_OK);
	assert_int_equal(used, 28);
	assert_int_equal(s.revision, 1);
	assert_int_equal(s.num_auths, 5);
	assert_int_equal(s.authority[5], 5);
	assert_int_equal(s.sub_auths[0], 21);
	assert_int_equal(s.sub_auths[4], 515);
	assert_string_equal(ae_sid_format(&s, str), "S-1-5-21-1-2-3-515");
	assert_int_equal(ae_sid_wire_len(&s), 28);

	/* Bytes after the SID are not its business. */
	memcpy(buf, dcs_bin, sizeof(dcs_bin));
	assert_int_equal(ae_sid_parse(buf, sizeof(dcs_bin) + 4, &s, &used), AE_OK);
	assert_int_equal(used, 28);
	assert_int_equal(ae_sid_parse(buf, sizeof(dcs_bin), &s, NULL), AE_OK);

	/* Every truncation fails and leaves the outputs alone. */
	for (n = 0; n < sizeof(dcs_bin); n++) {
		memset(&sentinel, 0x5a, sizeof(sentinel));
		s = sentinel;
		used = 77;
		assert_int_equal(ae_sid_parse(dcs_bin, n, &s, &used), AE_ERR_PARSE);
		assert_memory_equal(&s, &sentinel, sizeof(s));
		assert_int_equal(used, 77);
	}
	memcpy(bad, dcs_bin, sizeof(bad));
	bad[0] = 2;
	assert_int_equal(ae_sid_parse(bad, sizeof(bad), &s, &used), AE_ERR_PARSE);
	bad[0] = 1;
	bad[1] = 16;
	assert_int_equal(ae_sid_parse(bad, sizeof(bad), &s, &used), AE_ERR_PARSE);
	bad[1] = 0;
	assert_int_equal(ae_sid_parse(bad, sizeof(bad), &s, &used), AE_OK);
	assert_int_equal(used, 8);
	assert_string_equal(ae_sid_format(&s, str), "S-1-5");
	assert_int_equal(ae_sid_parse(NULL, 8, &s, &used), AE_ERR_INVALID);

	/* Push: the inverse, bounded. */
	s = sid("S-1-5-21-1-2-3-515");
	assert_int_equal(ae_sid_push(&s, buf, sizeof(buf)), AE_OK);
	assert_memory_equal(buf, dcs_bin, sizeof(dcs_bin));
	assert_int_equal(ae_sid_push(&s, buf, 27), AE_ERR_TOO_LARGE);
	s.num_auths = 16;
	assert_int_equal(ae_sid_push(&s, buf, sizeof(buf)), AE_ERR_INVALID);
}

static void test_sid_strings(void **state)
{
	static const struct {
		const char *in, *out;
	} good[] = {
		{ "S-1-1-0", "S-1-1-0" },
		{ "s-1-5-11", "S-1-5-11" },
		{ "S-1-5", "S-1-5" },
		{ "S-1-5-32-544", "S-1-5-32-544" },
		{ "S-1-5-21-4294967295-0-1-4294967295", "S-1-5-21-4294967295-0-1-4294967295" },
		{ "S-1-4294967295-1", "S-1-4294967295-1" },
		{ "S-1-4294967296-1", "S-1-0x000100000000-1" },
		{ "S-1-0x000100000000-1", "S-1-0x000100000000-1" },
		{ "S-1-0x0000000000FF-1", "S-1-255-1" },
		{ "S-1-281474976710655", "S-1-0xFFFFFFFFFFFF" },
		{ "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15", "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15" },
	};
	static const char *const bad[] = {
		"", "S", "S-1", "S-1-", "S-1-5-", "S-2-5-11", "X-1-5-11", "S-1-5-11-",
		"S-1-5--11", "S-1-5-11 ", " S-1-5-11", "S-1-5-+11", "S-1-5-0x11",
		"S-1-5-4294967296", "S-1-281474976710656", "S-1-0x12345", "S-1-0x1234567890123",
		"S-1-0xGGGGGGGGGGGG", "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
		"S-1-5-99999999999999999999999",
	};
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_sid s, sentinel;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char *str = NULL;

		if (ae_sid_from_string(good[i].in, &s) != AE_OK) {
			fail_msg("\"%s\" refused", good[i].in);
		}
		str = ae_sid_to_string(mem, &s);
		assert_non_null(str);
		assert_string_equal(str, good[i].out);
		talloc_free(str);
	}
	memset(&sentinel, 0x5a, sizeof(sentinel));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = sentinel;
		if (ae_sid_from_string(bad[i], &s) != AE_ERR_PARSE) {
			fail_msg("\"%s\" accepted", bad[i]);
		}
		assert_memory_equal(&s, &sentinel, sizeof(s));
	}
	assert_int_equal(ae_sid_from_string(NULL, &s), AE_ERR_INVALID);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_sid_well_known_and_compose(void **state)
{
	struct ae_sid dom = sid("S-1-5-21-1-2-3"), s, full;
	char str[AE_SID_STR_MAX];
	uint32_t rid = 0;

	(void)state;
	assert_string_equal(ae_sid_format(&ae_sid_everyone, str), "S-1-1-0");
	assert_string_equal(ae_sid_format(&ae_sid_authenticated_users, str), "S-1-5-11");
	assert_string_equal(ae_sid_format(&ae_sid_this_organization, str), "S-1-5-15");
	assert_string_equal(ae_sid_format(&ae_sid_local_system, str), "S-1-5-18");
	assert_string_equal(ae_sid_format(&ae_sid_principal_self, str), "S-1-5-10");
	assert_string_equal(ae_sid_format(&ae_sid_enterprise_dcs, str), "S-1-5-9");
	assert_string_equal(ae_sid_format(&ae_sid_creator_owner, str), "S-1-3-0");
	assert_string_equal(ae_sid_format(&ae_sid_builtin_admins, str), "S-1-5-32-544");
	assert_string_equal(ae_sid_format(&ae_sid_builtin_users, str), "S-1-5-32-545");
	s = sid("S-1-1-0");
	assert_true(ae_sid_equal(&s, &ae_sid_everyone));
	assert_false(ae_sid_equal(&s, &ae_sid_authenticated_users));

	assert_int_equal(ae_sid_compose(&dom, AE_RID_DOMAIN_COMPUTERS, &s), AE_OK);
	assert_string_equal(ae_sid_format(&s, str), "S-1-5-21-1-2-3-515");
	assert_true(ae_sid_split(&s, &dom, &rid));
	assert_int_equal(rid, 515);
	assert_false(ae_sid_split(&dom, &dom, &rid));
	assert_false(ae_sid_split(&ae_sid_builtin_admins, &dom, &rid));
	full = sid("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15");
	assert_int_equal(ae_sid_compose(&full, 1, &s), AE_ERR_INVALID);

	/* Only the used sub-authorities count; a prefix is not equal. */
	s = dom;
	s.sub_auths[10] = 77;
	assert_true(ae_sid_equal(&s, &dom));
	s = sid("S-1-5-21-1-2");
	assert_false(ae_sid_equal(&s, &dom));
	s = sid("S-1-6-21-1-2-3");
	assert_false(ae_sid_equal(&s, &dom));
}

static void test_guid_strings(void **state)
{
	static const char *const bad[] = {
		"", "0e10c968-78fb-11d2-90d4-00c04f79dc5", "0e10c968-78fb-11d2-90d4-00c04f79dc555",
		"0e10c96878fb-11d2-90d4-00c04f79dc55-", "0e10c968-78fb-11d2-90d4+00c04f79dc55",
		"{0e10c968-78fb-11d2-90d4-00c04f79dc55", "0e10c968-78fb-11d2-90d4-00c04f79dc55}",
		"0g10c968-78fb-11d2-90d4-00c04f79dc55", "0e10c968-78fb-11d2-90d4-00c04f79dc5 ",
	};
	static const uint8_t enroll[AE_GUID_LEN] = {
		0x68, 0xc9, 0x10, 0x0e, 0xfb, 0x78, 0xd2, 0x11,
		0x90, 0xd4, 0x00, 0xc0, 0x4f, 0x79, 0xdc, 0x55
	};
	uint8_t g[AE_GUID_LEN], sentinel[AE_GUID_LEN];
	char str[AE_GUID_STR_MAX];
	size_t i;

	(void)state;
	assert_int_equal(ae_guid_from_string("0e10c968-78fb-11d2-90d4-00c04f79dc55", g), AE_OK);
	assert_memory_equal(g, enroll, AE_GUID_LEN);
	assert_string_equal(ae_guid_format(g, str), "0e10c968-78fb-11d2-90d4-00c04f79dc55");
	memset(sentinel, 0x5a, sizeof(sentinel));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(g, sentinel, sizeof(g));
		if (ae_guid_from_string(bad[i], g) != AE_ERR_PARSE) {
			fail_msg("\"%s\" accepted", bad[i]);
		}
		assert_memory_equal(g, sentinel, sizeof(g));
	}
}

static void test_token(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_sid machine = sid("S-1-5-21-1-2-3-1104"), dcs = sid("S-1-5-21-1-2-3-515");
	struct ae_sid other = sid("S-1-5-21-1-2-3-1200"), bad;
	struct ae_token *t = NULL;
	uint8_t blob[sizeof(dcs_bin) + 1];

	(void)state;
	t = ae_token_new(mem, &machine);
	assert_non_null(t);
	assert_int_equal(t->num_groups, 0);
	assert_true(ae_token_has(t, &machine));
	assert_false(ae_token_has(t, &dcs));
	assert_false(ae_token_has(t, &ae_sid_everyone));

	/* A tokenGroups value; the same SID twice, and the user, are not added again. */
	assert_int_equal(ae_token_add_group_blob(t, dcs_bin, sizeof(dcs_bin)), AE_OK);
	assert_int_equal(t->num_groups, 1);
	assert_true(ae_token_has(t, &dcs));
	assert_int_equal(ae_token_add_group(t, &dcs), AE_OK);
	assert_int_equal(ae_token_add_group(t, &machine), AE_OK);
	assert_int_equal(t->num_groups, 1);
	memcpy(blob, dcs_bin, sizeof(dcs_bin));
	blob[sizeof(dcs_bin)] = 0;
	assert_int_equal(ae_token_add_group_blob(t, blob, sizeof(blob)), AE_ERR_TRAILING);
	assert_int_equal(ae_token_add_group_blob(t, blob, 20), AE_ERR_PARSE);
	assert_int_equal(t->num_groups, 1);

	/* Everyone and Authenticated Users, once. */
	assert_int_equal(ae_token_add_implicit(t), AE_OK);
	assert_int_equal(ae_token_add_implicit(t), AE_OK);
	assert_int_equal(t->num_groups, 3);
	assert_true(ae_token_has(t, &ae_sid_everyone));
	assert_true(ae_token_has(t, &ae_sid_authenticated_users));
	assert_false(ae_token_has(t, &ae_sid_this_organization));
	assert_false(ae_token_has(t, &other));
	assert_false(ae_token_has(NULL, &other));

	bad = other;
	bad.num_auths = 16;
	assert_int_equal(ae_token_add_group(t, &bad), AE_ERR_INVALID);
	assert_int_equal(ae_token_add_group(NULL, &other), AE_ERR_INVALID);
	assert_null(ae_token_new(mem, NULL));

	talloc_free(t);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_token_cap(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_sid dom = sid("S-1-5-21-7-8-9"), g;
	struct ae_token *t = ae_token_new(mem, &dom);
	uint32_t i;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < AE_TOKEN_GROUPS_MAX; i++) {
		assert_int_equal(ae_sid_compose(&dom, 1000 + i, &g), AE_OK);
		assert_int_equal(ae_token_add_group(t, &g), AE_OK);
	}
	assert_int_equal(t->num_groups, AE_TOKEN_GROUPS_MAX);
	assert_int_equal(ae_token_add_group(t, &ae_sid_everyone), AE_ERR_TOO_LARGE);
	/* One already there is still fine. */
	assert_int_equal(ae_token_add_group(t, &g), AE_OK);
	assert_true(ae_token_has(t, &g));
	talloc_free(t);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sid_binary),
		cmocka_unit_test(test_sid_strings),
		cmocka_unit_test(test_sid_well_known_and_compose),
		cmocka_unit_test(test_guid_strings),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_token_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
