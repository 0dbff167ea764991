/*
 * test_eligibility.c: template eligibility for autoenrollment (policy
 * layer, ae_eligibility.h). Templates are filled by hand, descriptors
 * marshalled with ae_secdesc_build, tokens made with ae_token_*
 * (eligibility_fixture.h). A table gives one case (or more) per code
 * with the exact reason; then the order of the checks, and the policy
 * server's permission verdict in place of the descriptor. Supersession
 * is in test_eligibility_supersede.c; the namer, the CA list, parsed
 * templates, the argument checks and the explicit request in
 * test_eligibility_api.c.
 * Every test checks that nothing is left on its talloc context.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "eligibility_fixture.h"

struct elig_case {
	const char *name;
	struct tspec t;
	enum ae_context ctx;
	enum tok_mode tok;
	bool published;
	enum ae_inelig want;
	const char *reason;		/* exact */
};

static const struct elig_case cases[] = {
	{ "v2 machine template, Enroll and AutoEnroll for Domain Computers",
	  GOOD, M, TOK_MACHINE, true, AE_ELIGIBLE, OK_R },
	{ "v2: flags has 0x20, msPKI-Enrollment-Flag does not",
	  { 2, MT | AEF, 0, 0, 0, SD_ACES, { BOTH(DCS) } }, M, TOK_MACHINE, true,
	  AE_INELIG_NO_AUTOENROLL_FLAG, NOT "msPKI-Enrollment-Flag 0x00000000 lacks "
	  "CT_FLAG_AUTO_ENROLLMENT (0x20) (schema version 2)" },
	{ "v1 with the flag in flags",
	  { 1, MT | AEF, 0, 0, 0, SD_ACES, { BOTH(DCS) } }, M, TOK_MACHINE, true,
	  AE_ELIGIBLE, OK_R },
	{ "v1: msPKI-Enrollment-Flag has 0x20, flags does not",
	  { 1, MT, AEF, 0, 0, SD_ACES, { BOTH(DCS) } }, M, TOK_MACHINE, true,
	  AE_INELIG_NO_AUTOENROLL_FLAG, NOT "flags 0x00000040 lacks CT_FLAG_AUTO_ENROLLMENT "
	  "(0x20) (schema version 1)" },
	{ "user template in the machine context",
	  { 2, AEF, AEF, 0, 0, SD_ACES, { BOTH(DCS) } }, M, TOK_MACHINE, true,
	  AE_INELIG_CONTEXT, NOT "a user template (CT_FLAG_MACHINE_TYPE clear) in the "
	  "machine context" },
	{ "machine template in the user context",
	  { 2, MT | AEF, AEF, 0, 0, SD_ACES, { BOTH(DU) } }, U, TOK_USER, true,
	  AE_INELIG_CONTEXT, NOT "a machine template (CT_FLAG_MACHINE_TYPE set) in the "
	  "user context" },
	{ "user template in the user context",
	  { 2, AEF, AEF, 0, 0, SD_ACES, { BOTH(DU) } }, U, TOK_USER, true, AE_ELIGIBLE, OK_R },
	{ "schema version 5",
	  { 5, MT | AEF, AEF, 0, 0, SD_ACES, { BOTH(DCS) } }, M, TOK_MACHINE, true,
	  AE_INELIG_SCHEMA, NOT "msPKI-Template-Schema-Version 5 is not 1 to 4" },
	{ "schema version 0 (flag read from flags, as for v1)",
	  { 0, MT | AEF, 0, 0, 0, SD_ACES, { BOTH(DCS) } }, M, TOK_MACHINE, true,
	  AE_INELIG_SCHEMA, NOT "msPKI-Template-Schema-Version 0 is not 1 to 4" },
	{ "schema version 4",
	  { 4, MT | AEF, AEF, 0, 0, SD_ACES, { BOTH(DCS) } }, M, TOK_MACHINE, true,
	  AE_ELIGIBLE, OK_R },
	{ "client version 5",
	  { 2, MT | AEF, AEF, 0x05000000, 0, SD_ACES, { BOTH(DCS) } }, M, TOK_MACHINE, true,
	  AE_INELIG_CLIENT_VERSION, NOT "msPKI-Private-Key-Flag 0x05000000 asks for client "
	  "version 5, this client is version 4" },
	{ "client version 4 (ours) and server version 6",
	  { 4, MT | AEF, AEF, 0x04060000, 0, SD_ACES, { BOTH(DCS) } }, M, TOK_MACHINE, true,
	  AE_ELIGIBLE, OK_R },
	{ "CA template",
	  { 2, MT | AEF | CT_FLAG_IS_CA, AEF, 0, 0, SD_ACES, { BOTH(DCS) } }, M, TOK_MACHINE,
	  true, AE_INELIG_CA_TEMPLATE, NOT "a CA certificate template (CT_FLAG_IS_CA in flags)" },
	{ "cross-CA template",
	  { 2, MT | AEF | CT_FLAG_IS_CROSS_CA, AEF, 0, 0, SD_ACES, { BOTH(DCS) } }, M,
	  TOK_MACHINE, true, AE_INELIG_CA_TEMPLATE,
	  NOT "a cross-certificate template (CT_FLAG_IS_CROSS_CA in flags)" },
	{ "Enroll denied to a nested group present in the token",
	  { 2, MT | AEF, AEF, 0, 0, SD_ACES, { OD(ENR, NESTED), BOTH(DCS) } }, M, TOK_MACHINE,
	  true, AE_INELIG_ENROLL_DENIED,
	  NOT "denied Enroll by LAB\\Nested Group (" NESTED ")" },
	{ "Enroll denied to a group not in the token: no effect",
	  { 2, MT | AEF, AEF, 0, 0, SD_ACES, { OD(ENR, OTHER), BOTH(DCS) } }, M, TOK_MACHINE,
	  true, AE_ELIGIBLE, OK_R },
	{ "Enroll granted only to another group",
	  { 2, MT | AEF, AEF, 0, 0, SD_ACES, { BOTH(OTHER) } }, M, TOK_MACHINE, true,
	  AE_INELIG_NO_ENROLL, NOT "nothing grants Enroll to LAB\\HOST$ (" MACHINE ") or its "
	  "groups" },
	{ "empty DACL",
	  { 2, MT | AEF, AEF, 0, 0, SD_EMPTY, { { 0 } } }, M, TOK_MACHINE, true,
	  AE_INELIG_NO_ENROLL, NOT "the DACL is empty: nothing grants Enroll" },
	{ "Enroll granted, AutoEnroll denied to Authenticated Users",
	  { 2, MT | AEF, AEF, 0, 0, SD_ACES, { OA(ENR, DCS), OD(AUTO, "S-1-5-11"),
					       OA(AUTO, DCS) } }, M, TOK_MACHINE, true,
	  AE_INELIG_AUTOENROLL_DENIED, NOT "denied AutoEnroll by S-1-5-11" },
	{ "Enroll granted, AutoEnroll not",
	  { 2, MT | AEF, AEF, 0, 0, SD_ACES, { OA(ENR, DCS) } }, M, TOK_MACHINE, true,
	  AE_INELIG_NO_AUTOENROLL, NOT "nothing grants AutoEnroll to LAB\\HOST$ (" MACHINE
	  ") or its groups" },
	{ "plain allow of CR on Domain Computers",
	  { 2, MT | AEF, AEF, 0, 0, SD_ACES, { A_(CR, DCS) } }, M, TOK_MACHINE, true,
	  AE_ELIGIBLE, OK_R },
	{ "the same, token without Domain Computers",
	  { 2, MT | AEF, AEF, 0, 0, SD_ACES, { A_(CR, DCS) } }, M, TOK_NO_DCS, true,
	  AE_INELIG_NO_ENROLL, NOT "nothing grants Enroll to LAB\\HOST$ (" MACHINE ") or its "
	  "groups" },
	{ "NULL DACL grants everything",
	  { 2, MT | AEF, AEF, 0, 0, SD_NULL_DACL, { { 0 } } }, M, TOK_MACHINE, true,
	  AE_ELIGIBLE, OK_R },
	{ "allow callback ACE only: nothing grants, conditional",
	  { 2, MT | AEF, AEF, 0, 0, SD_ACES,
	    { CB(AE_ACE_ACCESS_ALLOWED_CALLBACK_OBJECT, ENR, DCS), OA(AUTO, DCS) } }, M,
	  TOK_MACHINE, true, AE_INELIG_NO_ENROLL,
	  NOT "nothing grants Enroll to LAB\\HOST$ (" MACHINE ") or its groups "
	  "(a conditional ACE was not evaluated)" },
	{ "deny callback ACE denies, conditional",
	  { 2, MT | AEF, AEF, 0, 0, SD_ACES,
	    { CB(AE_ACE_ACCESS_DENIED_CALLBACK, 0, NESTED), BOTH(DCS) } }, M, TOK_MACHINE, true,
	  AE_INELIG_ENROLL_DENIED, NOT "denied Enroll by LAB\\Nested Group (" NESTED ") "
	  "(a conditional ACE was not evaluated)" },
	{ "not published",
	  GOOD, M, TOK_MACHINE, false, AE_INELIG_NOT_PUBLISHED,
	  NOT "no Enrollment Service lists it in certificateTemplates (2 checked: LabCA, "
	  "SecondCA)" },
	{ "user interaction required",
	  { 2, MT | AEF, AEF | CT_FLAG_USER_INTERACTION_REQUIRED, 0, 0, SD_ACES, { BOTH(DCS) } },
	  M, TOK_MACHINE, true, AE_INELIG_USER_INTERACTION,
	  NOT "CT_FLAG_USER_INTERACTION_REQUIRED (0x100) asks for user consent; "
	  "autoenrollment runs unattended" },
	{ "one RA signature",
	  { 2, MT | AEF, AEF, 0, 1, SD_ACES, { BOTH(DCS) } }, M, TOK_MACHINE, true,
	  AE_INELIG_RA_SIGNATURES, NOT "msPKI-RA-Signature 1: the request needs RA signatures "
	  "and no RA certificate is available" },
	{ "ra_0x40_is_eligible_for_renewal_only",
	  { 2, MT | AEF, AEF | CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT, 0, 2, SD_ACES,
	    { BOTH(DCS) } }, M, TOK_MACHINE, true, AE_ELIGIBLE,
	  OK_R "; renewal only: msPKI-RA-Signature 2 with "
	  "CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT (0x40): a renewal signed with a valid "
	  "certificate of the template needs no RA signature" },
	{ "CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT without RA signatures: plain eligible",
	  { 2, MT | AEF, AEF | CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT, 0, 0, SD_ACES,
	    { BOTH(DCS) } }, M, TOK_MACHINE, true, AE_ELIGIBLE, OK_R },
	{ "key archival",
	  { 2, MT | AEF, AEF, CT_FLAG_REQUIRE_PRIVATE_KEY_ARCHIVAL, 0, SD_ACES, { BOTH(DCS) } },
	  M, TOK_MACHINE, true, AE_INELIG_KEY_ARCHIVAL,
	  NOT "CT_FLAG_REQUIRE_PRIVATE_KEY_ARCHIVAL (0x1): key archival is not supported yet" },
	{ "no nTSecurityDescriptor",
	  { 2, MT | AEF, AEF, 0, 0, SD_NONE, { { 0 } } }, M, TOK_MACHINE, true, AE_INELIG_NO_SD,
	  NOT "no nTSecurityDescriptor was read (not returned: the SD_FLAGS control or the "
	  "Read right is missing)" },
	{ "nTSecurityDescriptor that does not parse",
	  { 2, MT | AEF, AEF, 0, 0, SD_BAD, { { 0 } } }, M, TOK_MACHINE, true, AE_INELIG_NO_SD,
	  NULL },
	{ "several failures: the auto-enrollment flag is reported",
	  { 5, AEF | CT_FLAG_IS_CA, 0, 0x0F000000, 1, SD_NONE, { { 0 } } }, M, TOK_MACHINE,
	  false, AE_INELIG_NO_AUTOENROLL_FLAG, NULL },
	{ "CA template without SD: CA template first",
	  { 2, MT | AEF | CT_FLAG_IS_CA, AEF, 0, 0, SD_NONE, { { 0 } } }, M, TOK_MACHINE, false,
	  AE_INELIG_CA_TEMPLATE, NULL },
	{ "no SD and not published: no SD first",
	  { 2, MT | AEF, AEF, 0, 0, SD_NONE, { { 0 } } }, M, TOK_MACHINE, false, AE_INELIG_NO_SD,
	  NULL },
	{ "denied and not published: denied first",
	  { 2, MT | AEF, AEF, 0, 1, SD_ACES, { OD(ENR, DCS) } }, M, TOK_MACHINE, false,
	  AE_INELIG_ENROLL_DENIED, NULL },
};

static void test_table(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	size_t i;
	bool seen[AE_INELIG_SUPERSEDED + 1] = { false };

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct elig_case *c = &cases[i];
		TALLOC_CTX *tc = talloc_new(mem);
		struct ae_token *tok = elig_make_token(tc, c->tok);
		struct ae_template *t = elig_make_tpl(tc, "Tpl", &c->t);
		struct ae_enrollment_service *cas[2];
		struct ae_eligibility *out = NULL;

		cas[0] = elig_make_ca(tc, "LabCA", "Other", c->published ? "TPL" : "Tpl2", NULL);
		cas[1] = elig_make_ca(tc, "SecondCA", "Machine", NULL);
		out = elig_compute(tc, &t, 1, cas, 2, tok, c->ctx);
		print_message("  %-62s %s\n", c->name, out[0].reason);
		if (out[0].code != c->want) {
			fail_msg("case \"%s\": %s, not %s", c->name, out[0].code_name,
				 ae_inelig_name(c->want));
		}
		if (c->reason != NULL && strcmp(out[0].reason, c->reason) != 0) {
			fail_msg("case \"%s\": reason \"%s\"", c->name, out[0].reason);
		}
		assert_int_equal(out[0].num_cas, c->published ? 1 : 0);
		if (c->published) {
			assert_string_equal(out[0].cas[0], "LabCA");
		}
		seen[c->want] = true;
		talloc_free(tc);
	}
	/* One case per code at least (SUPERSEDED has its own tests). */
	for (i = 0; i < AE_INELIG_SUPERSEDED; i++) {
		if (!seen[i]) {
			fail_msg("no case for %s", ae_inelig_name((enum ae_inelig)i));
		}
	}
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/*
 * The order of the checks: a template failing all of them, repaired one
 * check at a time, reports each code in turn.
 */
static void test_order(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_token *tok = elig_make_token(mem, TOK_MACHINE);
	struct tspec s = { 5, CT_FLAG_IS_CA, 0, 0x0F000001, 1, SD_NONE, { { 0 } } };
	struct ae_template *t = elig_make_tpl(mem, "Tpl", &s);
	struct ae_enrollment_service *ca = elig_make_ca(mem, "LabCA", "Other", NULL);
	struct ae_eligibility *out = NULL;
	static const enum ae_inelig order[] = {
		AE_INELIG_NO_AUTOENROLL_FLAG, AE_INELIG_CONTEXT, AE_INELIG_SCHEMA,
		AE_INELIG_CLIENT_VERSION, AE_INELIG_CA_TEMPLATE, AE_INELIG_NO_SD,
		AE_INELIG_ENROLL_DENIED, AE_INELIG_NO_ENROLL, AE_INELIG_AUTOENROLL_DENIED,
		AE_INELIG_NO_AUTOENROLL, AE_INELIG_NOT_PUBLISHED, AE_INELIG_USER_INTERACTION,
		AE_INELIG_RA_SIGNATURES, AE_INELIG_KEY_ARCHIVAL, AE_ELIGIBLE,
	};
	static const struct tace deny_enroll[4] = { OD(ENR, NESTED), BOTH(DCS) };
	static const struct tace enroll_deny_auto[4] = { OA(ENR, DCS), OD(AUTO, DCS), OA(AUTO, DCS) };
	static const struct tace enroll_only[4] = { OA(ENR, DCS) };
	static const struct tace both[4] = { BOTH(DCS) };
	size_t step;

	(void)state;
	s.eflag = CT_FLAG_USER_INTERACTION_REQUIRED;
	elig_set_spec(t, &s);
	for (step = 0; step < sizeof(order) / sizeof(order[0]); step++) {
		out = elig_compute(mem, &t, 1, &ca, 1, tok, AE_CONTEXT_MACHINE);
		print_message("  step %2zu: %s\n", step, out[0].reason);
		if (out[0].code != order[step]) {
			fail_msg("step %zu: %s, not %s", step, out[0].code_name,
				 ae_inelig_name(order[step]));
		}
		talloc_free(out);
		/* Repair what was just reported. */
		switch (order[step]) {
		case AE_INELIG_NO_AUTOENROLL_FLAG: s.eflag |= AEF; break;
		case AE_INELIG_CONTEXT: s.flags |= MT; break;
		case AE_INELIG_SCHEMA: s.schema = 3; break;
		case AE_INELIG_CLIENT_VERSION: s.pkflag &= ~0x0F000000u; break;
		case AE_INELIG_CA_TEMPLATE: s.flags &= ~CT_FLAG_IS_CA; break;
		case AE_INELIG_NO_SD:
			s.sd = SD_ACES;
			memcpy(s.aces, deny_enroll, sizeof(s.aces));
			break;
		case AE_INELIG_ENROLL_DENIED: memset(s.aces, 0, sizeof(s.aces)); break;
		case AE_INELIG_NO_ENROLL: memcpy(s.aces, enroll_deny_auto, sizeof(s.aces)); break;
		case AE_INELIG_AUTOENROLL_DENIED: memcpy(s.aces, enroll_only, sizeof(s.aces)); break;
		case AE_INELIG_NO_AUTOENROLL: memcpy(s.aces, both, sizeof(s.aces)); break;
		case AE_INELIG_NOT_PUBLISHED:
			talloc_free(ca);
			ca = elig_make_ca(mem, "LabCA", "Other", "Tpl", NULL);
			break;
		case AE_INELIG_USER_INTERACTION: s.eflag &= ~CT_FLAG_USER_INTERACTION_REQUIRED; break;
		case AE_INELIG_RA_SIGNATURES: s.ra = 0; break;
		case AE_INELIG_KEY_ARCHIVAL: s.pkflag = 0; break;
		default: break;
		}
		elig_set_spec(t, &s);
	}
	talloc_free(ca);
	talloc_free(t);
	talloc_free(tok);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/*
 * A template from an MS-XCEP policy: the server's enroll / autoEnroll
 * verdict stands in for the security descriptor; without
 * AE_TPL_HAS_XCEP_PERMISSION (every LDAP template) the descriptor decides,
 * whatever xcep_permission holds.
 */
static void test_xcep_permission(void **state)
{
	static const struct {
		const char *name;
		struct tspec t;
		bool xcep, enroll, autoenroll;
		enum ae_inelig want;
		const char *reason;
	} xc[] = {
		{ "LDAP: the SD grants, the unset verdict is ignored", GOOD, false, false, false,
		  AE_ELIGIBLE, OK_R },
		{ "LDAP: the SD denies, the unset verdict is ignored",
		  { 2, MT | AEF, AEF, 0, 0, SD_ACES, { OD(ENR, DCS) } }, false, true, true,
		  AE_INELIG_ENROLL_DENIED, NULL },
		{ "LDAP: no SD", { 2, MT | AEF, AEF, 0, 0, SD_NONE, { { 0 } } }, false, true, true,
		  AE_INELIG_NO_SD, NULL },
		{ "XCEP: both granted, no SD",
		  { 2, MT | AEF, AEF, 0, 0, SD_NONE, { { 0 } } }, true, true, true,
		  AE_ELIGIBLE, OK_R },
		{ "XCEP: the verdict wins over an SD",
		  { 2, MT | AEF, AEF, 0, 0, SD_ACES, { OD(ENR, DCS) } }, true, true, true,
		  AE_ELIGIBLE, OK_R },
		{ "XCEP: enroll false",
		  { 2, MT | AEF, AEF, 0, 0, SD_NONE, { { 0 } } }, true, false, true,
		  AE_INELIG_NO_ENROLL,
		  NOT "the policy server does not grant Enroll (permission/enroll false)" },
		{ "XCEP: autoEnroll false",
		  { 2, MT | AEF, AEF, 0, 0, SD_NONE, { { 0 } } }, true, true, false,
		  AE_INELIG_NO_AUTOENROLL,
		  NOT "the policy server does not grant AutoEnroll (permission/autoEnroll false)" },
	};
	TALLOC_CTX *mem = talloc_new(NULL);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(xc) / sizeof(xc[0]); i++) {
		TALLOC_CTX *tc = talloc_new(mem);
		struct ae_token *tok = elig_make_token(tc, TOK_MACHINE);
		struct ae_template *t = elig_make_tpl(tc, "Tpl", &xc[i].t);
		struct ae_enrollment_service *cas[1];
		struct ae_eligibility *out = NULL;

		if (xc[i].xcep) {
			t->present |= AE_TPL_HAS_XCEP_PERMISSION;
		}
		t->xcep_permission.enroll = xc[i].enroll;
		t->xcep_permission.auto_enroll = xc[i].autoenroll;
		cas[0] = elig_make_ca(tc, "LabCA", "TPL", NULL);
		out = elig_compute(tc, &t, 1, cas, 1, tok, M);
		print_message("  %-52s %s\n", xc[i].name, out[0].reason);
		if (out[0].code != xc[i].want) {
			fail_msg("case \"%s\": %s, not %s", xc[i].name, out[0].code_name,
				 ae_inelig_name(xc[i].want));
		}
		if (xc[i].reason != NULL && strcmp(out[0].reason, xc[i].reason) != 0) {
			fail_msg("case \"%s\": reason \"%s\"", xc[i].name, out[0].reason);
		}
		talloc_free(tc);
	}
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_xcep_permission),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
