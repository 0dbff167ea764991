/*
 * test_directory.c: the pure half of ae_principal.h, the principal and its
 * token assembled from directory entries built by hand (the lab machine
 * account MEMBER1$ as the lab DC returns it), and what must be refused.
 * The LDAP half is exercised against the lab (see the directory layer's
 * report).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_entry.h"
#include "ae_ldap.h"
#include "ae_log.h"
#include "ae_principal.h"

#define DOMAIN_SID	"S-1-5-21-3844103384-3423363857-2065336880"
#define MEMBER_DN	"CN=MEMBER1,CN=Computers,DC=lab,DC=example,DC=com"

static const uint8_t member_guid[16] = {
	0xb9, 0x88, 0xbb, 0xbd, 0x23, 0x5e, 0x4c, 0x48,
	0xa6, 0x5c, 0x43, 0x2c, 0x97, 0xff, 0x1f, 0xcb,
};

static void add_sid(struct ae_ldap_entry *e, const char *attr, const char *s)
{
	struct ae_sid sid;
	uint8_t b[AE_SID_MAX_LEN];

	assert_int_equal(ae_sid_from_string(s, &sid), AE_OK);
	assert_int_equal(ae_sid_push(&sid, b, sizeof(b)), AE_OK);
	assert_int_equal(ae_entry_add_value(e, attr, b, ae_sid_wire_len(&sid)), AE_OK);
}

/* The object entry as the lab DC returns it for (sAMAccountName=MEMBER1$). */
static struct ae_ldap_entry *member_obj(TALLOC_CTX *mem, const char *skip)
{
	struct ae_ldap_entry *e = ae_entry_new(mem, MEMBER_DN);

	assert_non_null(e);
	if (skip == NULL || strcmp(skip, "sAMAccountName") != 0) {
		assert_int_equal(ae_entry_add_str(e, "sAMAccountName", "MEMBER1$"), AE_OK);
	}
	if (skip == NULL || strcmp(skip, "objectSid") != 0) {
		add_sid(e, "objectSid", DOMAIN_SID "-1103");
	}
	if (skip == NULL || strcmp(skip, "primaryGroupID") != 0) {
		assert_int_equal(ae_entry_add_str(e, "primaryGroupID", "515"), AE_OK);
	}
	if (skip == NULL || strcmp(skip, "dNSHostName") != 0) {
		assert_int_equal(ae_entry_add_str(e, "dNSHostName", "member1.lab.example.com"),
				 AE_OK);
	}
	if (skip == NULL || strcmp(skip, "userAccountControl") != 0) {
		assert_int_equal(ae_entry_add_str(e, "userAccountControl", "4096"), AE_OK);
	}
	if (skip == NULL || strcmp(skip, "objectGUID") != 0) {
		assert_int_equal(ae_entry_add_value(e, "objectGUID", member_guid, 16), AE_OK);
	}
	return e;
}

static struct ae_ldap_entry *groups_entry(TALLOC_CTX *mem, const char *const *sids)
{
	struct ae_ldap_entry *e = ae_entry_new(mem, MEMBER_DN);
	size_t i;

	assert_non_null(e);
	for (i = 0; sids[i] != NULL; i++) {
		add_sid(e, "tokenGroups", sids[i]);
	}
	return e;
}

static bool has(const struct ae_token *t, const char *s)
{
	struct ae_sid sid;

	assert_int_equal(ae_sid_from_string(s, &sid), AE_OK);
	return ae_token_has(t, &sid);
}

static void test_lab_member(void **state)
{
	static const char *const tg[] = { DOMAIN_SID "-515", NULL };
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_ldap_entry *obj = member_obj(mem, NULL);
	struct ae_ldap_entry *grp = groups_entry(mem, tg);
	struct ae_principal *p = NULL;
	char buf[AE_SID_STR_MAX];
	char why[256] = "";
	size_t blocks = talloc_total_blocks(mem);

	(void)state;
	assert_int_equal(ae_principal_from_entries(mem, obj, grp, &p, why, sizeof(why)), AE_OK);
	assert_string_equal(p->dn, MEMBER_DN);
	assert_string_equal(p->sam_account_name, "MEMBER1$");
	assert_string_equal(ae_sid_format(&p->sid, buf), DOMAIN_SID "-1103");
	assert_string_equal(ae_sid_format(&p->domain_sid, buf), DOMAIN_SID);
	assert_int_equal(p->primary_group_rid, 515);
	assert_string_equal(p->dns_host_name, "member1.lab.example.com");
	assert_int_equal(p->user_account_control, AE_UAC_WORKSTATION_TRUST_ACCOUNT);
	assert_memory_equal(p->guid, member_guid, 16);
	/* user; Domain Computers once (tokenGroups has it); Everyone; AU */
	assert_string_equal(ae_sid_format(&p->token->user, buf), DOMAIN_SID "-1103");
	assert_int_equal(p->token->num_groups, 3);
	assert_string_equal(ae_sid_format(&p->token->groups[0], buf), DOMAIN_SID "-515");
	assert_string_equal(ae_sid_format(&p->token->groups[1], buf), "S-1-1-0");
	assert_string_equal(ae_sid_format(&p->token->groups[2], buf), "S-1-5-11");
	assert_ptr_equal(talloc_parent(p->token), p);
	talloc_free(p);
	assert_int_equal(talloc_total_blocks(mem), blocks);
	talloc_free(mem);
}

static void test_primary_group_added(void **state)
{
	/* tokenGroups without the primary group, with a nested group and
	 * duplicates (the user SID, Everyone, a group twice) */
	static const char *const tg[] = {
		DOMAIN_SID "-1105", DOMAIN_SID "-1106", DOMAIN_SID "-1105",
		DOMAIN_SID "-1103", "S-1-1-0", "S-1-5-32-545", NULL
	};
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_ldap_entry *obj = member_obj(mem, "dNSHostName");
	struct ae_ldap_entry *grp = groups_entry(mem, tg);
	struct ae_principal *p = NULL;

	(void)state;
	assert_int_equal(ae_entry_add_str(obj, "userAccountControl", "x"), AE_OK);
	/* two values of userAccountControl now: refused */
	assert_int_equal(ae_principal_from_entries(mem, obj, grp, &p, NULL, 0), AE_ERR_PARSE);
	obj = member_obj(mem, "dNSHostName");
	assert_int_equal(ae_principal_from_entries(mem, obj, grp, &p, NULL, 0), AE_OK);
	assert_null(p->dns_host_name);		/* a user: no dNSHostName */
	/* 1105, 1106, Everyone, Builtin Users, then 515 added, then AU */
	assert_int_equal(p->token->num_groups, 6);
	assert_true(has(p->token, DOMAIN_SID "-1105"));
	assert_true(has(p->token, DOMAIN_SID "-1106"));
	assert_true(has(p->token, DOMAIN_SID "-515"));
	assert_true(has(p->token, "S-1-5-32-545"));
	assert_true(has(p->token, "S-1-1-0"));
	assert_true(has(p->token, "S-1-5-11"));
	assert_false(has(p->token, DOMAIN_SID "-512"));
	talloc_free(mem);
}

/* Expect ae_principal_from_entries() to fail with 'want', naming 'word'. */
static void expect_refused(struct ae_ldap_entry *obj, struct ae_ldap_entry *grp, ae_err want,
			   const char *word)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_principal *p = NULL;
	char why[256] = "";

	assert_int_equal(ae_principal_from_entries(mem, obj, grp, &p, why, sizeof(why)), want);
	assert_null(p);
	assert_int_equal(talloc_total_blocks(mem), 1);
	if (word != NULL && strstr(why, word) == NULL) {
		fail_msg("'%s' does not name %s", why, word);
	}
	talloc_free(mem);
}

static void test_refused(void **state)
{
	static const char *const tg[] = { DOMAIN_SID "-515", NULL };
	static const char *const missing[] = {
		"sAMAccountName", "objectSid", "primaryGroupID", "userAccountControl", "objectGUID",
	};
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_ldap_entry *grp = groups_entry(mem, tg);
	struct ae_ldap_entry *obj = NULL;
	struct ae_ldap_entry *bad = NULL;
	uint8_t sid[AE_SID_MAX_LEN + 1];
	struct ae_sid s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		expect_refused(member_obj(mem, missing[i]), grp, AE_ERR_PARSE, missing[i]);
	}
	/* objectSid: trailing byte, garbage, a SID without a domain part */
	assert_int_equal(ae_sid_from_string(DOMAIN_SID "-1103", &s), AE_OK);
	assert_int_equal(ae_sid_push(&s, sid, sizeof(sid)), AE_OK);
	obj = member_obj(mem, "objectSid");
	assert_int_equal(ae_entry_add_value(obj, "objectSid", sid, ae_sid_wire_len(&s) + 1), AE_OK);
	expect_refused(obj, grp, AE_ERR_PARSE, "objectSid");
	obj = member_obj(mem, "objectSid");
	assert_int_equal(ae_entry_add_value(obj, "objectSid", "\x02\x01", 2), AE_OK);
	expect_refused(obj, grp, AE_ERR_PARSE, "objectSid");
	obj = member_obj(mem, "objectSid");
	add_sid(obj, "objectSid", "S-1-5-18");
	expect_refused(obj, grp, AE_ERR_PARSE, "objectSid");
	/* primaryGroupID: 0, negative, not a number, leading zero */
	obj = member_obj(mem, "primaryGroupID");
	assert_int_equal(ae_entry_add_str(obj, "primaryGroupID", "0"), AE_OK);
	expect_refused(obj, grp, AE_ERR_PARSE, "primaryGroupID");
	obj = member_obj(mem, "primaryGroupID");
	assert_int_equal(ae_entry_add_str(obj, "primaryGroupID", "-515"), AE_OK);
	expect_refused(obj, grp, AE_ERR_PARSE, "primaryGroupID");
	obj = member_obj(mem, "primaryGroupID");
	assert_int_equal(ae_entry_add_str(obj, "primaryGroupID", "5l5"), AE_OK);
	expect_refused(obj, grp, AE_ERR_PARSE, "primaryGroupID");
	obj = member_obj(mem, "primaryGroupID");
	assert_int_equal(ae_entry_add_str(obj, "primaryGroupID", "0515"), AE_OK);
	expect_refused(obj, grp, AE_ERR_PARSE, "primaryGroupID");
	obj = member_obj(mem, "primaryGroupID");
	assert_int_equal(ae_entry_add_str(obj, "primaryGroupID", "4294967811"), AE_OK);
	expect_refused(obj, grp, AE_ERR_PARSE, "primaryGroupID");
	/* userAccountControl: the sign bit is a flag, not an error */
	obj = member_obj(mem, "userAccountControl");
	assert_int_equal(ae_entry_add_str(obj, "userAccountControl", "-2147483648"), AE_OK);
	{
		struct ae_principal *p = NULL;

		assert_int_equal(ae_principal_from_entries(mem, obj, grp, &p, NULL, 0), AE_OK);
		assert_int_equal(p->user_account_control, 0x80000000u);
	}
	/* objectGUID of 15 bytes; sAMAccountName with a NUL, empty, too long */
	obj = member_obj(mem, "objectGUID");
	assert_int_equal(ae_entry_add_value(obj, "objectGUID", member_guid, 15), AE_OK);
	expect_refused(obj, grp, AE_ERR_PARSE, "objectGUID");
	obj = member_obj(mem, "sAMAccountName");
	assert_int_equal(ae_entry_add_value(obj, "sAMAccountName", "MEM\0BER1$", 9), AE_OK);
	expect_refused(obj, grp, AE_ERR_PARSE, "sAMAccountName");
	obj = member_obj(mem, "sAMAccountName");
	assert_int_equal(ae_entry_add_value(obj, "sAMAccountName", "", 0), AE_OK);
	expect_refused(obj, grp, AE_ERR_PARSE, "sAMAccountName");
	obj = member_obj(mem, "dNSHostName");
	{
		char *longname = talloc_zero_size(mem, AE_PRINCIPAL_DNS_MAX + 2);

		memset(longname, 'a', AE_PRINCIPAL_DNS_MAX + 1);
		assert_int_equal(ae_entry_add_str(obj, "dNSHostName", longname), AE_OK);
	}
	expect_refused(obj, grp, AE_ERR_PARSE, "dNSHostName");
	/* no DN */
	obj = member_obj(mem, NULL);
	obj->dn[0] = '\0';
	expect_refused(obj, grp, AE_ERR_PARSE, "DN");
	/* tokenGroups: missing, or a value that is not one SID */
	obj = member_obj(mem, NULL);
	bad = ae_entry_new(mem, MEMBER_DN);
	expect_refused(obj, bad, AE_ERR_PARSE, "tokenGroups");
	add_sid(bad, "tokenGroups", DOMAIN_SID "-515");
	assert_int_equal(ae_entry_add_value(bad, "tokenGroups", sid, ae_sid_wire_len(&s) + 1),
			 AE_OK);
	expect_refused(obj, bad, AE_ERR_PARSE, "tokenGroups");
	/* arguments */
	expect_refused(NULL, grp, AE_ERR_INVALID, NULL);
	expect_refused(obj, NULL, AE_ERR_INVALID, NULL);
	talloc_free(mem);
}

static void test_too_many_groups(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_ldap_entry *obj = member_obj(mem, NULL);
	struct ae_ldap_entry *grp = ae_entry_new(mem, MEMBER_DN);
	struct ae_sid d;
	size_t i;

	(void)state;
	assert_int_equal(ae_sid_from_string(DOMAIN_SID, &d), AE_OK);
	for (i = 0; i <= AE_TOKEN_GROUPS_MAX; i++) {
		struct ae_sid g;
		uint8_t b[AE_SID_MAX_LEN];

		assert_int_equal(ae_sid_compose(&d, (uint32_t)(2000 + i), &g), AE_OK);
		assert_int_equal(ae_sid_push(&g, b, sizeof(b)), AE_OK);
		assert_int_equal(ae_entry_add_value(grp, "tokenGroups", b, ae_sid_wire_len(&g)),
				 AE_OK);
	}
	expect_refused(obj, grp, AE_ERR_TOO_LARGE, "tokenGroups");
	talloc_free(mem);
}

/* The filter value of the principal search is escaped (RFC 4515). */
static void test_filter_escape(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);

	(void)state;
	assert_string_equal(ae_ldap_escape_filter_value(mem, "MEMBER1$"), "MEMBER1$");
	assert_string_equal(ae_ldap_escape_filter_value(mem, "*)(objectClass=*"),
			    "\\2a\\29\\28objectClass=\\2a");
	talloc_free(mem);
}

/* Refusals of the LDAP half that need no server. */
static void test_read_arguments(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_principal *p = NULL;
	uint8_t guid[16];

	(void)state;
	assert_int_equal(ae_principal_read(NULL, mem, "DC=lab", "MEMBER1$", &p), AE_ERR_INVALID);
	assert_int_equal(ae_ldap_object_guid(NULL, "DC=lab", guid), AE_ERR_INVALID);
	assert_null(p);
	talloc_free(mem);
}


/*
 * A user (alice) as the lab DC returns her: mail, userPrincipalName and
 * userCertificate from the same object entry; no dNSHostName. The
 * userCertificate values are kept as bytes in order; an empty value, an
 * oversized one and those beyond the cap are counted, not kept.
 */
static void test_user_attributes(void **state)
{
	static const char *const tg[] = { DOMAIN_SID "-513", NULL };
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_ldap_entry *obj = member_obj(mem, "dNSHostName");
	struct ae_ldap_entry *grp = groups_entry(mem, tg);
	struct ae_principal *p = NULL;
	uint8_t *big = talloc_zero_size(mem, AE_PRINCIPAL_CERT_MAX + 1);
	char why[256] = "";
	size_t blocks, i;

	(void)state;
	assert_non_null(big);
	assert_int_equal(ae_entry_add_str(obj, "mail", "alice@lab.example.com"), AE_OK);
	assert_int_equal(ae_entry_add_str(obj, "userPrincipalName", "alice@lab.example.com"),
			 AE_OK);
	assert_int_equal(ae_entry_add_value(obj, "userCertificate", "\x30\x01\x00", 3), AE_OK);
	assert_int_equal(ae_entry_add_value(obj, "userCertificate", "", 0), AE_OK);
	assert_int_equal(ae_entry_add_value(obj, "userCertificate", big,
					    AE_PRINCIPAL_CERT_MAX + 1), AE_OK);
	assert_int_equal(ae_entry_add_value(obj, "userCertificate", big, AE_PRINCIPAL_CERT_MAX),
			 AE_OK);
	blocks = talloc_total_blocks(mem);
	assert_int_equal(ae_principal_from_entries(mem, obj, grp, &p, why, sizeof(why)), AE_OK);
	assert_null(p->dns_host_name);
	assert_string_equal(p->mail, "alice@lab.example.com");
	assert_string_equal(p->user_principal_name, "alice@lab.example.com");
	assert_int_equal(p->num_user_certs, 2);
	assert_int_equal(p->user_certs_dropped, 2);
	assert_int_equal(p->user_certs[0].len, 3);
	assert_memory_equal(p->user_certs[0].data, "\x30\x01\x00", 3);
	assert_int_equal(p->user_certs[1].len, AE_PRINCIPAL_CERT_MAX);
	/* copies: the entry may go */
	assert_ptr_not_equal(p->user_certs[0].data,
			     ae_entry_attr(obj, "userCertificate")->values[0].data);
	talloc_free(p);
	assert_int_equal(talloc_total_blocks(mem), blocks);

	/* at most AE_PRINCIPAL_CERTS_MAX values kept, in order */
	obj = member_obj(mem, NULL);
	for (i = 0; i < AE_PRINCIPAL_CERTS_MAX + 3; i++) {
		uint8_t b = (uint8_t)i;

		assert_int_equal(ae_entry_add_value(obj, "userCertificate", &b, 1), AE_OK);
	}
	assert_int_equal(ae_principal_from_entries(mem, obj, grp, &p, why, sizeof(why)), AE_OK);
	assert_int_equal(p->num_user_certs, AE_PRINCIPAL_CERTS_MAX);
	assert_int_equal(p->user_certs_dropped, 3);
	assert_int_equal(p->user_certs[AE_PRINCIPAL_CERTS_MAX - 1].data[0],
			 AE_PRINCIPAL_CERTS_MAX - 1);
	assert_null(p->mail);
	assert_null(p->user_principal_name);
	talloc_free(p);

	/* mail / userPrincipalName: two values, a NUL, too long: refused, named */
	obj = member_obj(mem, NULL);
	assert_int_equal(ae_entry_add_str(obj, "mail", "a@x"), AE_OK);
	assert_int_equal(ae_entry_add_str(obj, "mail", "b@x"), AE_OK);
	expect_refused(obj, grp, AE_ERR_PARSE, "mail");
	obj = member_obj(mem, NULL);
	assert_int_equal(ae_entry_add_value(obj, "userPrincipalName", "al\0ice@x", 8), AE_OK);
	expect_refused(obj, grp, AE_ERR_PARSE, "userPrincipalName");
	obj = member_obj(mem, NULL);
	memset(big, 'm', AE_PRINCIPAL_MAIL_MAX + 1);
	assert_int_equal(ae_entry_add_value(obj, "mail", big, AE_PRINCIPAL_MAIL_MAX + 1), AE_OK);
	expect_refused(obj, grp, AE_ERR_PARSE, "mail");
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_member),
		cmocka_unit_test(test_primary_group_added),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_user_attributes),
		cmocka_unit_test(test_too_many_groups),
		cmocka_unit_test(test_filter_escape),
		cmocka_unit_test(test_read_arguments),
	};

	ae_log_set_level(-1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
