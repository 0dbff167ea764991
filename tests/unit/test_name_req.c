/*
 * test_name_req.c: the name flags of a template ([MS-CRTD] 2.28) against
 * the principal's attributes (ae_name_req.h), and step 14b of the
 * eligibility (ae_eligibility_compute_subject): bob without mail is not
 * eligible for a template that puts the e-mail address into the SAN, with
 * a reason naming the attribute; the same for a machine without dNSHostName.
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
#include "ae_eligibility.h"
#include "ae_name_req.h"
#include "ae_secdesc.h"
#include "ae_sid.h"
#include "ae_template.h"
#include "ae_token.h"

#define DOM	"S-1-5-21-1-2-3"
#define ALICE_MAIL "alice@lab.example.com"

static const struct ae_subject_attrs alice = {
	.account = "alice", .mail = ALICE_MAIL, .upn = ALICE_MAIL,
};
static const struct ae_subject_attrs bob = { .account = "bob", .upn = "bob@lab.example.com" };
static const struct ae_subject_attrs member = {
	.account = "MEMBER1$", .dns_host_name = "member1.lab.example.com",
};

static void test_missing_table(void **state)
{
	static const struct {
		uint32_t flags;
		const struct ae_subject_attrs *a;
		const char *want;
		uint32_t want_flag;
	} cases[] = {
		{ 0, &bob, NULL, 0 },
		{ CT_FLAG_SUBJECT_ALT_REQUIRE_UPN, &bob, NULL, 0 },
		{ CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL, &alice, NULL, 0 },
		{ CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL, &bob, "mail",
		  CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL },
		{ CT_FLAG_SUBJECT_REQUIRE_EMAIL, &bob, "mail", CT_FLAG_SUBJECT_REQUIRE_EMAIL },
		/* both e-mail flags: the subject one is checked first */
		{ CT_FLAG_SUBJECT_REQUIRE_EMAIL | CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL, &bob, "mail",
		  CT_FLAG_SUBJECT_REQUIRE_EMAIL },
		{ CT_FLAG_SUBJECT_ALT_REQUIRE_UPN, &member, "userPrincipalName",
		  CT_FLAG_SUBJECT_ALT_REQUIRE_UPN },
		{ CT_FLAG_SUBJECT_ALT_REQUIRE_DNS, &member, NULL, 0 },
		{ CT_FLAG_SUBJECT_ALT_REQUIRE_DNS, &alice, "dNSHostName",
		  CT_FLAG_SUBJECT_ALT_REQUIRE_DNS },
		{ CT_FLAG_SUBJECT_REQUIRE_DNS_AS_CN, &alice, "dNSHostName",
		  CT_FLAG_SUBJECT_REQUIRE_DNS_AS_CN },
		/* mail before the UPN before the DNS name */
		{ CT_FLAG_SUBJECT_ALT_REQUIRE_UPN | CT_FLAG_SUBJECT_ALT_REQUIRE_DNS |
		  CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL, &member, "mail",
		  CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL },
		/* flags whose attribute every account has are not checked */
		{ CT_FLAG_SUBJECT_REQUIRE_DIRECTORY_PATH | CT_FLAG_SUBJECT_ALT_REQUIRE_DIRECTORY_GUID |
		  CT_FLAG_SUBJECT_ALT_REQUIRE_DOMAIN_DNS | CT_FLAG_SUBJECT_ALT_REQUIRE_SPN |
		  CT_FLAG_SUBJECT_REQUIRE_COMMON_NAME, &bob, NULL, 0 },
	};
	const struct ae_subject_attrs empty_mail = { .account = "x", .mail = "" };
	size_t i;

	(void)state;
	/* the values of [MS-CRTD] 2.28 */
	assert_int_equal(CT_FLAG_SUBJECT_ALT_REQUIRE_UPN, 0x02000000u);
	assert_int_equal(CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL, 0x04000000u);
	assert_int_equal(CT_FLAG_SUBJECT_ALT_REQUIRE_DNS, 0x08000000u);
	assert_int_equal(CT_FLAG_SUBJECT_REQUIRE_DNS_AS_CN, 0x10000000u);
	assert_int_equal(CT_FLAG_SUBJECT_REQUIRE_EMAIL, 0x20000000u);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t flag = 0;
		const char *got = ae_name_req_missing(cases[i].flags, cases[i].a, &flag);

		if (cases[i].want == NULL) {
			assert_null(got);
			continue;
		}
		assert_non_null(got);
		assert_string_equal(got, cases[i].want);
		assert_int_equal(flag, cases[i].want_flag);
	}
	/* an empty value is no value */
	assert_string_equal(ae_name_req_missing(CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL, &empty_mail,
						NULL), "mail");
	assert_null(ae_name_req_missing(CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL, NULL, NULL));
	assert_string_equal(ae_name_flag_attribute(CT_FLAG_SUBJECT_ALT_REQUIRE_UPN),
			    "userPrincipalName");
	assert_null(ae_name_flag_attribute(CT_FLAG_SUBJECT_ALT_REQUIRE_SPN));
}

static void test_check_reason(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_template t = { .cn = "LabUser" };
	char *why = (char *)"untouched";

	t.name_flag = CT_FLAG_SUBJECT_ALT_REQUIRE_UPN | CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL;
	assert_int_equal(ae_name_req_check(mem, &t, AE_CONTEXT_USER, &alice, &why), AE_OK);
	assert_null(why);
	assert_int_equal(ae_name_req_check(mem, &t, AE_CONTEXT_USER, &bob, &why), AE_OK);
	assert_string_equal(why, "the template needs the user's e-mail address (mail) for "
			    "CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL (0x04000000), which bob's account "
			    "does not have");
	talloc_free(why);
	t.name_flag = CT_FLAG_SUBJECT_ALT_REQUIRE_DNS;
	assert_int_equal(ae_name_req_check(mem, &t, AE_CONTEXT_MACHINE,
					   &(struct ae_subject_attrs){ .account = "MEMBER2$" },
					   &why), AE_OK);
	assert_string_equal(why, "the template needs the computer's DNS name (dNSHostName) for "
			    "CT_FLAG_SUBJECT_ALT_REQUIRE_DNS (0x08000000), which MEMBER2$'s "
			    "account does not have");
	talloc_free(why);
	why = NULL;
	assert_int_equal(ae_name_req_check(mem, NULL, AE_CONTEXT_USER, &bob, &why),
			 AE_ERR_INVALID);
	assert_int_equal(ae_name_req_check(mem, &t, AE_CONTEXT_USER, NULL, &why),
			 AE_ERR_INVALID);
	assert_int_equal(ae_name_req_check(mem, &t, (enum ae_context)5, &bob, &why),
			 AE_ERR_INVALID);
	assert_int_equal(ae_name_req_check(mem, &t, AE_CONTEXT_USER, &bob, NULL),
			 AE_ERR_INVALID);
	assert_null(why);
}

/* A v2 template with a NULL DACL (everything granted) and the given flags. */
static struct ae_template *tpl(TALLOC_CTX *mem, const char *cn, uint32_t flags,
			       uint32_t name_flag)
{
	struct ae_template *t = talloc_zero(mem, struct ae_template);
	struct ae_secdesc sd = { .has_owner = true, .control = AE_SE_DACL_PRESENT };

	assert_non_null(t);
	t->cn = talloc_strdup(t, cn);
	t->schema_version = 2;
	t->flags = flags;
	t->enrollment_flag = CT_FLAG_AUTO_ENROLLMENT;
	t->name_flag = name_flag;
	assert_int_equal(ae_sid_from_string(DOM "-519", &sd.owner), AE_OK);
	assert_int_equal(ae_secdesc_build(t, &sd, &t->sd, &t->sd_len), AE_OK);
	return t;
}

static struct ae_enrollment_service *ca_of(TALLOC_CTX *mem, const char *const *names, size_t n)
{
	struct ae_enrollment_service *ca = talloc_zero(mem, struct ae_enrollment_service);
	size_t i;

	assert_non_null(ca);
	ca->cn = talloc_strdup(ca, "LabCA");
	ca->templates = talloc_array(ca, char *, n);
	assert_non_null(ca->templates);
	for (i = 0; i < n; i++) {
		ca->templates[i] = talloc_strdup(ca->templates, names[i]);
	}
	ca->num_templates = n;
	return ca;
}

static void test_eligibility_step(void **state)
{
	static const char *const names[] = { "LabUser", "LabUserRoaming", "LabMachine" };
	TALLOC_CTX *mem = *state;
	struct ae_template *t[3];
	struct ae_enrollment_service *ca = ca_of(mem, names, 3);
	struct ae_sid user;
	struct ae_token *tok = NULL;
	struct ae_eligibility *e = NULL;

	t[0] = tpl(mem, "LabUser", 0, CT_FLAG_SUBJECT_ALT_REQUIRE_UPN |
		   CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL | CT_FLAG_SUBJECT_REQUIRE_DIRECTORY_PATH);
	t[1] = tpl(mem, "LabUserRoaming", 0, CT_FLAG_SUBJECT_ALT_REQUIRE_UPN);
	t[2] = tpl(mem, "LabMachine", CT_FLAG_MACHINE_TYPE, CT_FLAG_SUBJECT_ALT_REQUIRE_DNS);
	/* LabUser supersedes LabUserRoaming: bob cannot have LabUser, so it drops nothing */
	t[0]->supersede = talloc_array(t[0], char *, 1);
	assert_non_null(t[0]->supersede);
	t[0]->supersede[0] = talloc_strdup(t[0]->supersede, "LabUserRoaming");
	t[0]->num_supersede = 1;
	assert_int_equal(ae_sid_from_string(DOM "-1106", &user), AE_OK);
	tok = ae_token_new(mem, &user);
	assert_non_null(tok);
	assert_int_equal(ae_token_add_implicit(tok), AE_OK);

	/* the code is appended: earlier values stay */
	assert_int_equal(AE_INELIG_NAME_ATTRIBUTE, AE_INELIG_SUPERSEDED + 1);
	assert_string_equal(ae_inelig_name(AE_INELIG_NAME_ATTRIBUTE), "missing-name-attribute");

	assert_int_equal(ae_eligibility_compute_subject(mem, t, 3, &ca, 1, tok, AE_CONTEXT_USER,
							&bob, NULL, NULL, &e), AE_OK);
	assert_int_equal(e[0].code, AE_INELIG_NAME_ATTRIBUTE);
	assert_string_equal(e[0].code_name, "missing-name-attribute");
	assert_string_equal(e[0].reason, "not eligible: the template needs the user's e-mail "
			    "address (mail) for CT_FLAG_SUBJECT_ALT_REQUIRE_EMAIL (0x04000000), "
			    "which bob's account does not have");
	assert_int_equal(e[0].num_cas, 1);
	assert_int_equal(e[1].code, AE_ELIGIBLE);
	assert_int_equal(e[2].code, AE_INELIG_CONTEXT);	/* earlier steps come first */
	talloc_free(e);

	/* alice has mail: LabUser is eligible and supersedes LabUserRoaming */
	assert_int_equal(ae_eligibility_compute_subject(mem, t, 3, &ca, 1, tok, AE_CONTEXT_USER,
							&alice, NULL, NULL, &e), AE_OK);
	assert_int_equal(e[0].code, AE_ELIGIBLE);
	assert_int_equal(e[1].code, AE_INELIG_SUPERSEDED);
	talloc_free(e);

	/* without attributes, step 14b is not made (ae_eligibility_compute) */
	assert_int_equal(ae_eligibility_compute(mem, t, 3, &ca, 1, tok, AE_CONTEXT_USER,
						NULL, NULL, &e), AE_OK);
	assert_int_equal(e[0].code, AE_ELIGIBLE);
	talloc_free(e);

	/* the machine context: dNSHostName */
	assert_int_equal(ae_eligibility_compute_subject(mem, t, 3, &ca, 1, tok,
							AE_CONTEXT_MACHINE,
							&(struct ae_subject_attrs){
								.account = "MEMBER2$" },
							NULL, NULL, &e), AE_OK);
	assert_int_equal(e[2].code, AE_INELIG_NAME_ATTRIBUTE);
	assert_non_null(strstr(e[2].reason, "(dNSHostName)"));
	talloc_free(e);
	assert_int_equal(ae_eligibility_compute_subject(mem, t, 3, &ca, 1, tok,
							AE_CONTEXT_MACHINE, &member, NULL, NULL,
							&e), AE_OK);
	assert_int_equal(e[2].code, AE_ELIGIBLE);
	talloc_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing_table, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_check_reason, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_eligibility_step, leak_setup, leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
