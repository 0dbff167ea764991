/*
 * test_userid.c: transport/ae_userid.c: the user names `--user` accepts
 * (split, validated, capped), the SID strings that may become a path
 * component, and what resolution says for accounts that are not domain
 * users (this test host has no winbindd: a local account is refused with
 * the cause, an unknown one names NSS, another domain is refused first).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "leak_check.h"
#include "ae_userid.h"

static const struct ae_userid_domain lab = {
	.workgroup = "LAB", .realm = "LAB.EXAMPLE.COM", .separator = '\\',
};

static void parse_ok(void *mem, const char *name, const char *domain, const char *sam)
{
	char *d = NULL, *s = NULL, why[256] = "";

	assert_int_equal(ae_userid_parse(mem, name, &d, &s, why, sizeof(why)), AE_OK);
	if (domain == NULL) {
		assert_null(d);
	} else {
		assert_string_equal(d, domain);
	}
	assert_string_equal(s, sam);
	talloc_free(d);
	talloc_free(s);
}

static void parse_bad(void *mem, const char *name)
{
	char *d = (char *)"untouched", *s = (char *)"untouched", why[256] = "";

	assert_int_equal(ae_userid_parse(mem, name, &d, &s, why, sizeof(why)), AE_ERR_INVALID);
	assert_string_equal(d, "untouched");	/* outputs set only on success */
	assert_string_equal(s, "untouched");
	assert_true(why[0] != '\0');
}

static void test_the_three_spellings_of_a_user(void **state)
{
	parse_ok(*state, "alice", NULL, "alice");
	parse_ok(*state, "LAB\\alice", "LAB", "alice");
	parse_ok(*state, "alice@lab.example.com", "lab.example.com", "alice");
	parse_ok(*state, "j.doe-2_x", NULL, "j.doe-2_x");
}

static void test_names_that_are_refused(void **state)
{
	char long_name[AE_USERID_NAME_MAX + 8], long_sam[AE_USERID_SAM_MAX + 2];

	parse_bad(*state, "");
	parse_bad(*state, "../alice");
	parse_bad(*state, "al/ice");
	parse_bad(*state, "al\nice");
	parse_bad(*state, "al\tice");
	parse_bad(*state, "alice\x7f");
	parse_bad(*state, "LAB\\");
	parse_bad(*state, "\\alice");
	parse_bad(*state, "alice@");
	parse_bad(*state, "@lab.example.com");
	parse_bad(*state, "LAB\\alice@lab.example.com");
	parse_bad(*state, "LAB\\al\\ice");
	parse_bad(*state, "al*ce");
	parse_bad(*state, "al:ce");
	parse_bad(*state, ".");
	parse_bad(*state, "..");
	parse_bad(*state, "LAB\\..");
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	parse_bad(*state, long_name);
	memset(long_sam, 'b', sizeof(long_sam) - 1);
	long_sam[sizeof(long_sam) - 1] = '\0';
	parse_bad(*state, long_sam);
	long_sam[AE_USERID_SAM_MAX] = '\0';	/* exactly the cap */
	parse_ok(*state, long_sam, NULL, long_sam);
}

static void test_domain_part_must_be_this_domain(void **state)
{
	(void)state;
	assert_true(ae_userid_domain_matches(&lab, NULL));
	assert_true(ae_userid_domain_matches(&lab, "lab"));
	assert_true(ae_userid_domain_matches(&lab, "Lab.Example.Com"));
	assert_false(ae_userid_domain_matches(&lab, "OTHER"));
	assert_false(ae_userid_domain_matches(&lab, "example.com"));
}

static void test_sid_strings(void **state)
{
	(void)state;
	assert_true(ae_userid_sid_ok("S-1-5-21-1004336348-1177238915-682003330-1105"));
	assert_true(ae_userid_sid_ok("S-1-5-21-1-2-3-4"));
	assert_false(ae_userid_sid_ok("S-1-5-21-1-2-3"));	/* no RID */
	assert_false(ae_userid_sid_ok("S-1-5-32-544"));		/* builtin, not a domain */
	assert_false(ae_userid_sid_ok("S-1-5-21-1-2-3-4/.."));
	assert_false(ae_userid_sid_ok("S-1-5-21-1--3-4"));
	assert_false(ae_userid_sid_ok("S-1-5-21-1-2-3-4-"));
	assert_false(ae_userid_sid_ok("S-1-5-21-1-2-3-44444444444"));	/* > 32 bits of digits */
	assert_false(ae_userid_sid_ok("s-1-5-21-1-2-3-4"));
	assert_false(ae_userid_sid_ok(""));
	assert_false(ae_userid_sid_ok(NULL));
}

static void test_resolution_refuses_what_is_not_a_domain_user(void **state)
{
	struct ae_user_id *u = NULL;
	char why[512] = "";

	/* another domain: refused before any lookup */
	assert_int_equal(ae_userid_resolve(*state, "OTHER\\alice", 0, &lab, &u, why, sizeof(why)),
			 AE_ERR_CONFIG);
	assert_non_null(strstr(why, "not of this host's domain"));
	assert_null(u);
	/* unknown to NSS */
	why[0] = '\0';
	assert_int_equal(ae_userid_resolve(*state, "ae-no-such-user-4242", 0, &lab, &u, why,
					   sizeof(why)), AE_ERR_CONFIG);
	assert_non_null(strstr(why, "unknown to NSS"));
	/* a local account (root): winbind has no SID for it, or no winbindd runs here */
	why[0] = '\0';
	assert_int_equal(ae_userid_resolve(*state, "root", 0, &lab, &u, why, sizeof(why)),
			 AE_ERR_CONFIG);
	assert_true(strstr(why, "is not a domain user") != NULL ||
		    strstr(why, "winbindd is not running") != NULL);
	assert_non_null(strstr(why, "uid 0"));
	/* an invalid name never reaches NSS */
	why[0] = '\0';
	assert_int_equal(ae_userid_resolve(*state, "a/b", 0, &lab, &u, why, sizeof(why)),
			 AE_ERR_CONFIG);
	assert_non_null(strstr(why, "invalid user name"));
	assert_null(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_the_three_spellings_of_a_user, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_names_that_are_refused, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_domain_part_must_be_this_domain, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_sid_strings, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_resolution_refuses_what_is_not_a_domain_user,
						leak_setup, leak_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
