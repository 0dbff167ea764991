/*
 * test_eligibility.c: template eligibility for autoenrollment (policy
 * layer, ae_eligibility.h). Templates are filled by hand or parsed with
 * ae_template_from_attrs, descriptors marshalled with ae_secdesc_build,
 * tokens made with ae_token_*. A table gives one case (or more) per code
 * with the exact reason; then the order of the checks, supersession
 * (simple, chain, cycle), the namer, the CA list and the argument checks.
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
#include "ae_access.h"
#include "ae_eligibility.h"
#include "ae_entry.h"
#include "ae_secdesc.h"
#include "ae_sid.h"
#include "ae_template.h"
#include "ae_token.h"

#define CORPUS SRCDIR "/tests/fuzz/corpus/secdesc/"

#define DOM	"S-1-5-21-1-2-3"
#define MACHINE	DOM "-1104"	/* the machine account */
#define DCS	DOM "-515"	/* Domain Computers */
#define NESTED	DOM "-1105"	/* a group the machine is in through Domain Computers */
#define OTHER	DOM "-1200"	/* a group nobody here is in */
#define USER	DOM "-1106"	/* a user */
#define DU	DOM "-513"	/* Domain Users */

#define CR	AE_ADS_RIGHT_DS_CONTROL_ACCESS
#define ENR	ae_guid_enroll
#define AUTO	ae_guid_autoenroll
#define MT	CT_FLAG_MACHINE_TYPE
#define AEF	CT_FLAG_AUTO_ENROLLMENT

static uint8_t condition[8] = { 'a', 'r', 't', 'x', 0x01, 0x02, 0x00, 0x00 };

struct tace {
	uint8_t type;
	uint32_t mask;
	const uint8_t *ot;		/* ObjectType or NULL */
	const char *sid;		/* NULL ends the list */
};

#define OA(g, s)	{ AE_ACE_ACCESS_ALLOWED_OBJECT, CR, (g), (s) }
#define OD(g, s)	{ AE_ACE_ACCESS_DENIED_OBJECT, CR, (g), (s) }
#define A_(m, s)	{ AE_ACE_ACCESS_ALLOWED, (m), NULL, (s) }
#define CB(t, g, s)	{ (t), CR, (g), (s) }
#define BOTH(s)		OA(ENR, s), OA(AUTO, s)

enum sd_mode { SD_ACES, SD_EMPTY, SD_NULL_DACL, SD_NONE, SD_BAD };
enum tok_mode { TOK_MACHINE, TOK_NO_DCS, TOK_USER };

struct tspec {
	uint32_t schema, flags, eflag, pkflag, ra;
	enum sd_mode sd;
	struct tace aces[4];
};

/* A v2 machine template that passes everything. */
#define GOOD	{ 2, MT | AEF, AEF, 0, 0, SD_ACES, { BOTH(DCS) } }

struct elig_case {
	const char *name;
	struct tspec t;
	enum ae_context ctx;
	enum tok_mode tok;
	bool published;
	enum ae_inelig want;
	const char *reason;		/* exact */
};

#define M	AE_CONTEXT_MACHINE
#define U	AE_CONTEXT_USER
#define NOT	"not eligible: "
#define OK_R	"eligible: published by LabCA"

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

static struct ae_sid sid(const char *s)
{
	struct ae_sid out;

	assert_int_equal(ae_sid_from_string(s, &out), AE_OK);
	return out;
}

static struct ae_token *make_token(TALLOC_CTX *mem, enum tok_mode mode)
{
	struct ae_sid user = sid(mode == TOK_USER ? USER : MACHINE);
	struct ae_sid dcs = sid(DCS), nested = sid(NESTED), du = sid(DU);
	struct ae_token *t = ae_token_new(mem, &user);

	assert_non_null(t);
	if (mode == TOK_USER) {
		assert_int_equal(ae_token_add_group(t, &du), AE_OK);
	} else {
		if (mode == TOK_MACHINE) {
			assert_int_equal(ae_token_add_group(t, &dcs), AE_OK);
		}
		assert_int_equal(ae_token_add_group(t, &nested), AE_OK);
	}
	assert_int_equal(ae_token_add_implicit(t), AE_OK);
	return t;
}

/* The descriptor of s, marshalled into t->sd (a child of t). */
static void set_sd(struct ae_template *t, const struct tspec *s)
{
	static const uint8_t bad[] = { 0x01, 0x00, 0x04, 0x80, 0xff, 0xff, 0xff, 0xff };
	struct ae_ace aces[4];
	struct ae_acl acl = { .aces = aces };
	struct ae_secdesc in = { .has_owner = true };
	uint32_t n = 0;

	talloc_free(t->sd);
	t->sd = NULL;
	t->sd_len = 0;
	if (s->sd == SD_NONE) {
		return;
	}
	if (s->sd == SD_BAD) {
		t->sd = talloc_memdup(t, bad, sizeof(bad));
		assert_non_null(t->sd);
		t->sd_len = sizeof(bad);
		return;
	}
	in.owner = sid(DOM "-519");
	memset(aces, 0, sizeof(aces));
	if (s->sd == SD_NULL_DACL) {
		in.control = AE_SE_DACL_PRESENT;
	} else {
		in.dacl = &acl;
	}
	for (n = 0; s->sd == SD_ACES && n < 4 && s->aces[n].sid != NULL; n++) {
		struct ae_ace *a = &aces[n];

		a->type = s->aces[n].type;
		a->mask = s->aces[n].mask;
		a->sid = sid(s->aces[n].sid);
		if (s->aces[n].ot != NULL) {
			a->has_object_type = true;
			memcpy(a->object_type, s->aces[n].ot, AE_GUID_LEN);
		}
		if (a->type >= AE_ACE_ACCESS_ALLOWED_CALLBACK) {
			a->extra = condition;
			a->extra_len = sizeof(condition);
		}
	}
	acl.num_aces = n;
	assert_int_equal(ae_secdesc_build(t, &in, &t->sd, &t->sd_len), AE_OK);
}

static void set_spec(struct ae_template *t, const struct tspec *s)
{
	t->schema_version = s->schema;
	t->flags = s->flags;
	t->enrollment_flag = s->eflag;
	t->private_key_flag = s->pkflag;
	t->ra_signatures = s->ra;
	set_sd(t, s);
}

static void set_supersede(struct ae_template *t, const char *a, const char *b)
{
	size_t i = 0;

	t->supersede = talloc_zero_array(t, char *, 2);
	assert_non_null(t->supersede);
	if (a != NULL) {
		t->supersede[i++] = talloc_strdup(t->supersede, a);
	}
	if (b != NULL) {
		t->supersede[i++] = talloc_strdup(t->supersede, b);
	}
	t->num_supersede = i;
}

static struct ae_template *make_tpl(TALLOC_CTX *mem, const char *cn, const struct tspec *s)
{
	struct ae_template *t = talloc_zero(mem, struct ae_template);

	assert_non_null(t);
	t->cn = talloc_strdup(t, cn);
	assert_non_null(t->cn);
	set_spec(t, s);
	return t;
}

/* A CA publishing the NULL-terminated list of template names. */
static struct ae_enrollment_service *make_ca(TALLOC_CTX *mem, const char *cn, ...)
{
	struct ae_enrollment_service *ca = talloc_zero(mem, struct ae_enrollment_service);
	const char *name = NULL;
	va_list ap;

	assert_non_null(ca);
	ca->cn = talloc_strdup(ca, cn);
	va_start(ap, cn);
	while ((name = va_arg(ap, const char *)) != NULL) {
		ca->templates = talloc_realloc(ca, ca->templates, char *, ca->num_templates + 1);
		assert_non_null(ca->templates);
		ca->templates[ca->num_templates++] = talloc_strdup(ca->templates, name);
	}
	va_end(ap);
	return ca;
}

struct namer_state {
	size_t calls;
};

static const char *lab_namer(void *private_data, const struct ae_sid *s)
{
	struct namer_state *st = private_data;
	struct ae_sid nested = sid(NESTED), machine = sid(MACHINE), dcs = sid(DCS);

	st->calls++;
	if (ae_sid_equal(s, &nested)) {
		return "LAB\\Nested Group";
	}
	if (ae_sid_equal(s, &machine)) {
		return "LAB\\HOST$";
	}
	if (ae_sid_equal(s, &dcs)) {
		return "LAB\\Domain Computers";
	}
	return NULL;
}

/* Compute for templates t[0..n) against cas; checks the invariants of every verdict. */
static struct ae_eligibility *compute(TALLOC_CTX *mem, struct ae_template **t, size_t n,
				      struct ae_enrollment_service **cas, size_t num_cas,
				      const struct ae_token *tok, enum ae_context ctx)
{
	struct namer_state st = { 0 };
	struct ae_eligibility *out = NULL;
	size_t i;

	assert_int_equal(ae_eligibility_compute(mem, t, n, cas, num_cas, tok, ctx, lab_namer,
						&st, &out), AE_OK);
	assert_non_null(out);
	assert_true(talloc_parent(out) == mem);
	for (i = 0; i < n; i++) {
		assert_non_null(out[i].reason);
		assert_string_equal(out[i].code_name, ae_inelig_name(out[i].code));
		assert_int_equal(out[i].code == AE_INELIG_SUPERSEDED, out[i].superseded_by != NULL);
		assert_int_equal(out[i].num_cas == 0, out[i].cas == NULL);
		if (out[i].code == AE_ELIGIBLE) {
			assert_true(strncmp(out[i].reason, "eligible: ", 10) == 0);
		} else {
			assert_true(strncmp(out[i].reason, "not eligible: ", 14) == 0);
		}
	}
	return out;
}

static void test_table(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	size_t i;
	bool seen[AE_INELIG_SUPERSEDED + 1] = { false };

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct elig_case *c = &cases[i];
		TALLOC_CTX *tc = talloc_new(mem);
		struct ae_token *tok = make_token(tc, c->tok);
		struct ae_template *t = make_tpl(tc, "Tpl", &c->t);
		struct ae_enrollment_service *cas[2];
		struct ae_eligibility *out = NULL;

		cas[0] = make_ca(tc, "LabCA", "Other", c->published ? "TPL" : "Tpl2", NULL);
		cas[1] = make_ca(tc, "SecondCA", "Machine", NULL);
		out = compute(tc, &t, 1, cas, 2, tok, c->ctx);
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
	struct ae_token *tok = make_token(mem, TOK_MACHINE);
	struct tspec s = { 5, CT_FLAG_IS_CA, 0, 0x0F000001, 1, SD_NONE, { { 0 } } };
	struct ae_template *t = make_tpl(mem, "Tpl", &s);
	struct ae_enrollment_service *ca = make_ca(mem, "LabCA", "Other", NULL);
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
	set_spec(t, &s);
	for (step = 0; step < sizeof(order) / sizeof(order[0]); step++) {
		out = compute(mem, &t, 1, &ca, 1, tok, AE_CONTEXT_MACHINE);
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
			ca = make_ca(mem, "LabCA", "Other", "Tpl", NULL);
			break;
		case AE_INELIG_USER_INTERACTION: s.eflag &= ~CT_FLAG_USER_INTERACTION_REQUIRED; break;
		case AE_INELIG_RA_SIGNATURES: s.ra = 0; break;
		case AE_INELIG_KEY_ARCHIVAL: s.pkflag = 0; break;
		default: break;
		}
		set_spec(t, &s);
	}
	talloc_free(ca);
	talloc_free(t);
	talloc_free(tok);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static struct ae_template *good_tpl(TALLOC_CTX *mem, const char *cn, const char *sup1,
				    const char *sup2)
{
	static const struct tspec good = GOOD;
	struct ae_template *t = make_tpl(mem, cn, &good);

	set_supersede(t, sup1, sup2);
	return t;
}

/* A template that fails (no AutoEnroll) but still lists others. */
static struct ae_template *no_auto_tpl(TALLOC_CTX *mem, const char *cn, const char *sup1)
{
	static const struct tspec s = { 2, MT | AEF, AEF, 0, 0, SD_ACES, { OA(ENR, DCS) } };
	struct ae_template *t = make_tpl(mem, cn, &s);

	set_supersede(t, sup1, NULL);
	return t;
}

static void want(const struct ae_eligibility *e, enum ae_inelig code, const char *reason,
		 const char *by)
{
	if (e->code != code || strcmp(e->reason, reason) != 0) {
		fail_msg("%s \"%s\", not %s \"%s\"", e->code_name, e->reason,
			 ae_inelig_name(code), reason);
	}
	if (by == NULL) {
		assert_null(e->superseded_by);
	} else {
		assert_non_null(e->superseded_by);
		assert_string_equal(e->superseded_by, by);
	}
}

#define SUP	NOT "superseded by "
#define CYC(x)	OK_R "; supersession cycle with " x ": neither dropped"

static void test_supersede_simple(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *in = talloc_new(mem);	/* the inputs */
	struct ae_token *tok = make_token(in, TOK_MACHINE);
	struct ae_enrollment_service *ca = make_ca(in, "LabCA", "A", "B", "C", "U", "X", NULL);
	struct ae_template *t[3];
	struct ae_eligibility *out = NULL;
	static const struct tspec user_tpl = { 2, AEF, AEF, 0, 0, SD_ACES, { BOTH(DCS) } };

	(void)state;
	/* A lists b (case-insensitive): B is dropped. */
	t[0] = good_tpl(in, "A", "b", NULL);
	t[1] = good_tpl(in, "B", NULL, NULL);
	out = compute(mem, t, 2, &ca, 1, tok, AE_CONTEXT_MACHINE);
	want(&out[0], AE_ELIGIBLE, OK_R, NULL);
	want(&out[1], AE_INELIG_SUPERSEDED, SUP "A", "A");
	assert_int_equal(out[1].num_cas, 1);
	talloc_free(out);

	/* The superseder is not itself eligible: B stays. */
	talloc_free(t[0]);
	t[0] = no_auto_tpl(in, "A", "B");
	out = compute(mem, t, 2, &ca, 1, tok, AE_CONTEXT_MACHINE);
	assert_int_equal(out[0].code, AE_INELIG_NO_AUTOENROLL);
	want(&out[1], AE_ELIGIBLE, OK_R, NULL);
	talloc_free(out);

	/* A user template lists B: in the machine context it drops nothing. */
	talloc_free(t[0]);
	t[0] = make_tpl(in, "U", &user_tpl);
	set_supersede(t[0], "B", NULL);
	out = compute(mem, t, 2, &ca, 1, tok, AE_CONTEXT_MACHINE);
	assert_int_equal(out[0].code, AE_INELIG_CONTEXT);
	want(&out[1], AE_ELIGIBLE, OK_R, NULL);
	talloc_free(out);

	/* A template listing itself, and a name nobody has. */
	talloc_free(t[0]);
	t[0] = good_tpl(in, "A", "A", "NoSuchTemplate");
	out = compute(mem, t, 2, &ca, 1, tok, AE_CONTEXT_MACHINE);
	want(&out[0], AE_ELIGIBLE, OK_R, NULL);
	want(&out[1], AE_ELIGIBLE, OK_R, NULL);
	talloc_free(out);

	/* Two superseders: the first in input order is named. */
	t[2] = good_tpl(in, "X", "B", NULL);
	set_supersede(t[0], "B", NULL);
	out = compute(mem, t, 3, &ca, 1, tok, AE_CONTEXT_MACHINE);
	want(&out[1], AE_INELIG_SUPERSEDED, SUP "A", "A");
	want(&out[0], AE_ELIGIBLE, OK_R, NULL);
	want(&out[2], AE_ELIGIBLE, OK_R, NULL);
	talloc_free(out);
	talloc_free(in);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_supersede_chain(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *in = talloc_new(mem);	/* the inputs */
	struct ae_token *tok = make_token(in, TOK_MACHINE);
	struct ae_enrollment_service *ca = make_ca(in, "LabCA", "A", "B", "C", "D", NULL);
	struct ae_template *t[4];
	struct ae_eligibility *out = NULL;

	(void)state;
	/* D -> C -> B -> A given in reverse: every link but the head is dropped. */
	t[0] = good_tpl(in, "A", NULL, NULL);
	t[1] = good_tpl(in, "B", "A", NULL);
	t[2] = good_tpl(in, "C", "B", NULL);
	t[3] = good_tpl(in, "D", "C", NULL);
	out = compute(mem, t, 4, &ca, 1, tok, AE_CONTEXT_MACHINE);
	want(&out[3], AE_ELIGIBLE, OK_R, NULL);
	want(&out[2], AE_INELIG_SUPERSEDED, SUP "D", "D");
	want(&out[1], AE_INELIG_SUPERSEDED, SUP "C, itself superseded by D", "C");
	want(&out[0], AE_INELIG_SUPERSEDED,
	     SUP "B, itself superseded by C, itself superseded by D", "B");
	talloc_free(out);

	/* C not eligible: B is no longer dropped; A still is (B is a candidate). */
	talloc_free(t[2]);
	t[2] = no_auto_tpl(in, "C", "B");
	out = compute(mem, t, 4, &ca, 1, tok, AE_CONTEXT_MACHINE);
	want(&out[3], AE_ELIGIBLE, OK_R, NULL);
	assert_int_equal(out[2].code, AE_INELIG_NO_AUTOENROLL);
	assert_null(out[2].superseded_by);
	want(&out[1], AE_ELIGIBLE, OK_R, NULL);
	want(&out[0], AE_INELIG_SUPERSEDED, SUP "B", "B");
	talloc_free(out);
	talloc_free(in);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_supersede_cycle(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *in = talloc_new(mem);	/* the inputs */
	struct ae_token *tok = make_token(in, TOK_MACHINE);
	struct ae_enrollment_service *ca = make_ca(in, "LabCA", "A", "B", "C", "X", NULL);
	struct ae_template *t[4];
	struct ae_eligibility *out = NULL;

	(void)state;
	/* A <-> B: neither is dropped, both say so. */
	t[0] = good_tpl(in, "A", "B", NULL);
	t[1] = good_tpl(in, "B", "A", NULL);
	out = compute(mem, t, 2, &ca, 1, tok, AE_CONTEXT_MACHINE);
	want(&out[0], AE_ELIGIBLE, CYC("B"), NULL);
	want(&out[1], AE_ELIGIBLE, CYC("A"), NULL);
	talloc_free(out);

	/* A -> B -> C -> A, and X outside the cycle lists A. */
	set_supersede(t[1], "C", NULL);
	t[2] = good_tpl(in, "C", "A", NULL);
	t[3] = good_tpl(in, "X", "A", NULL);
	out = compute(mem, t, 4, &ca, 1, tok, AE_CONTEXT_MACHINE);
	want(&out[0], AE_INELIG_SUPERSEDED, SUP "X", "X");
	want(&out[1], AE_ELIGIBLE, CYC("A"), NULL);
	want(&out[2], AE_ELIGIBLE, CYC("A"), NULL);
	want(&out[3], AE_ELIGIBLE, OK_R, NULL);
	talloc_free(out);

	/* A cycle member outside the cycle's reach: A <-> B, B also lists C. */
	set_supersede(t[1], "A", "C");
	set_supersede(t[2], NULL, NULL);
	out = compute(mem, t, 3, &ca, 1, tok, AE_CONTEXT_MACHINE);
	want(&out[0], AE_ELIGIBLE, CYC("B"), NULL);
	want(&out[1], AE_ELIGIBLE, CYC("A"), NULL);
	want(&out[2], AE_INELIG_SUPERSEDED, SUP "B", "B");
	talloc_free(out);
	talloc_free(in);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/* ae_supersession_compute on its own: long chains and cycles, no recursion. */
static void test_supersession_direct(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *in = talloc_new(mem);	/* the inputs */
	const size_t n = 10000;
	struct ae_template **t = talloc_array(in, struct ae_template *, n);
	struct ae_supersession *sup = talloc_array(in, struct ae_supersession, n);
	bool *cand = talloc_array(in, bool, n);
	char name[32], next[32];
	size_t i;

	(void)state;
	assert_non_null(t);
	assert_non_null(sup);
	assert_non_null(cand);
	for (i = 0; i < n; i++) {
		t[i] = talloc_zero(t, struct ae_template);
		assert_non_null(t[i]);
		snprintf(name, sizeof(name), "T%zu", i);
		snprintf(next, sizeof(next), "t%zu", i + 1);
		t[i]->cn = talloc_strdup(t[i], name);
		set_supersede(t[i], i + 1 < n ? next : NULL, NULL);
		cand[i] = true;
	}
	/* T0 -> T1 -> ... -> T9999: all but T0 dropped, each by its predecessor. */
	assert_int_equal(ae_supersession_compute(t, n, cand, sup), AE_OK);
	assert_int_equal(sup[0].superseded_by, AE_SUPERSEDE_NONE);
	for (i = 1; i < n; i++) {
		assert_int_equal(sup[i].superseded_by, i - 1);
		assert_int_equal(sup[i].cycle_with, AE_SUPERSEDE_NONE);
	}

	/* Close it: one cycle of 10000, nobody dropped. */
	set_supersede(t[n - 1], "T0", NULL);
	assert_int_equal(ae_supersession_compute(t, n, cand, sup), AE_OK);
	for (i = 0; i < n; i++) {
		assert_int_equal(sup[i].superseded_by, AE_SUPERSEDE_NONE);
		assert_int_equal(sup[i].cycle_with, i == 0 ? 1 : 0);
	}

	/* T5000 not a candidate: the cycle becomes a chain from T5001. */
	cand[5000] = false;
	assert_int_equal(ae_supersession_compute(t, n, cand, sup), AE_OK);
	assert_int_equal(sup[5000].superseded_by, AE_SUPERSEDE_NONE);
	assert_int_equal(sup[5000].cycle_with, AE_SUPERSEDE_NONE);
	assert_int_equal(sup[5001].superseded_by, AE_SUPERSEDE_NONE);
	assert_int_equal(sup[0].superseded_by, n - 1);
	assert_int_equal(sup[4999].superseded_by, 4998);
	for (i = 0; i < n; i++) {
		assert_int_equal(sup[i].cycle_with, AE_SUPERSEDE_NONE);
	}

	/* Duplicate cns: a value names both. */
	talloc_free(t[2]->cn);
	t[2]->cn = talloc_strdup(t[2], "T1");
	cand[5000] = true;
	set_supersede(t[n - 1], NULL, NULL);
	assert_int_equal(ae_supersession_compute(t, n, cand, sup), AE_OK);
	assert_int_equal(sup[1].superseded_by, 0);
	assert_int_equal(sup[2].superseded_by, 0);
	assert_int_equal(sup[3].superseded_by, 2);
	assert_int_equal(sup[4].superseded_by, 3);

	assert_int_equal(ae_supersession_compute(t, 0, NULL, NULL), AE_OK);
	assert_int_equal(ae_supersession_compute(NULL, 1, cand, sup), AE_ERR_INVALID);
	assert_int_equal(ae_supersession_compute(t, 1, NULL, sup), AE_ERR_INVALID);
	assert_int_equal(ae_supersession_compute(t, 1, cand, NULL), AE_ERR_INVALID);
	assert_int_equal(ae_supersession_compute(t, AE_ELIGIBILITY_TEMPLATES_MAX + 1, cand, sup),
			 AE_ERR_TOO_LARGE);
	talloc_free(t[3]->cn);
	t[3]->cn = NULL;
	assert_int_equal(ae_supersession_compute(t, 4, cand, sup), AE_ERR_INVALID);
	talloc_free(in);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/* The namer (or none), and the CA list. */
static void test_names_and_cas(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *in = talloc_new(mem);	/* the inputs */
	struct ae_token *tok = make_token(in, TOK_MACHINE);
	static const struct tspec denied = { 2, MT | AEF, AEF, 0, 0, SD_ACES,
					     { OD(ENR, NESTED), BOTH(DCS) } };
	static const struct tspec no_auto = { 2, MT | AEF, AEF, 0, 0, SD_ACES, { OA(ENR, DCS) } };
	struct ae_template *t[2];
	struct ae_enrollment_service *cas[9];
	struct ae_eligibility *out = NULL;
	struct namer_state st = { 0 };
	char cn[16];
	size_t i;

	(void)state;
	t[0] = make_tpl(in, "Denied", &denied);
	t[1] = make_tpl(in, "Good", &no_auto);
	cas[0] = make_ca(in, "LabCA", "Denied", "good", NULL);
	cas[1] = make_ca(in, "Other", NULL);
	cas[2] = make_ca(in, "SecondCA", "GOOD", "Denied", NULL);

	/* Without a namer: SIDs only; the CAs are listed whatever the verdict. */
	assert_int_equal(ae_eligibility_compute(mem, t, 2, cas, 3, tok, AE_CONTEXT_MACHINE, NULL,
						NULL, &out), AE_OK);
	want(&out[0], AE_INELIG_ENROLL_DENIED, NOT "denied Enroll by " NESTED, NULL);
	want(&out[1], AE_INELIG_NO_AUTOENROLL, NOT "nothing grants AutoEnroll to " MACHINE
	     " or its groups", NULL);
	assert_int_equal(out[0].num_cas, 2);
	assert_string_equal(out[0].cas[0], "LabCA");
	assert_string_equal(out[0].cas[1], "SecondCA");
	assert_int_equal(out[1].num_cas, 2);
	talloc_free(out);

	/* With it: named, and the namer saw our private data. */
	assert_int_equal(ae_eligibility_compute(mem, t, 2, cas, 3, tok, AE_CONTEXT_MACHINE,
						lab_namer, &st, &out), AE_OK);
	want(&out[0], AE_INELIG_ENROLL_DENIED,
	     NOT "denied Enroll by LAB\\Nested Group (" NESTED ")", NULL);
	assert_true(st.calls >= 2);
	talloc_free(out);

	/* Eligible through two CAs, in their order. */
	set_spec(t[1], &(struct tspec)GOOD);
	out = compute(mem, &t[1], 1, cas, 3, tok, AE_CONTEXT_MACHINE);
	want(&out[0], AE_ELIGIBLE, "eligible: published by LabCA, SecondCA", NULL);
	talloc_free(out);

	/* Not published: no CA at all, and nine that do not list it. */
	out = compute(mem, &t[1], 1, NULL, 0, tok, AE_CONTEXT_MACHINE);
	want(&out[0], AE_INELIG_NOT_PUBLISHED, NOT "no Enrollment Service was read", NULL);
	talloc_free(out);
	talloc_free(cas[0]);
	talloc_free(cas[1]);
	talloc_free(cas[2]);
	for (i = 0; i < 9; i++) {
		snprintf(cn, sizeof(cn), "CA%zu", i);
		cas[i] = make_ca(in, cn, "Other", NULL);
	}
	out = compute(mem, &t[1], 1, cas, 9, tok, AE_CONTEXT_MACHINE);
	want(&out[0], AE_INELIG_NOT_PUBLISHED, NOT "no Enrollment Service lists it in "
	     "certificateTemplates (9 checked: CA0, CA1, CA2, CA3, CA4, CA5, CA6, CA7, ...)",
	     NULL);
	assert_null(out[0].cas);
	talloc_free(out);
	talloc_free(in);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static uint8_t *read_corpus(TALLOC_CTX *mem, const char *name, size_t *_len)
{
	char path[512];
	uint8_t buf[4096];
	FILE *f = NULL;
	size_t n;

	snprintf(path, sizeof(path), CORPUS "%s", name);
	f = fopen(path, "rb");
	if (f == NULL) {
		fail_msg("cannot open %s", path);
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	*_len = n;
	return talloc_memdup(mem, buf, n);
}

/*
 * Templates parsed from entries: a v1 machine template (no msPKI-*
 * attributes, the flag in flags) with a built SD, and a v2 one with the
 * descriptor Samba stored for the lab template.
 */
static void test_from_attrs(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *in = talloc_new(mem);	/* the inputs */
	struct ae_token *machine = make_token(in, TOK_MACHINE);
	struct ae_token *user = make_token(in, TOK_USER);
	static const struct tspec sd_both = { 0, 0, 0, 0, 0, SD_ACES, { BOTH(DCS) } };
	struct ae_template *scratch = make_tpl(in, "scratch", &sd_both);
	struct ae_ldap_entry *e = ae_entry_new(in, "CN=MachineV1,CN=Certificate Templates");
	struct ae_enrollment_service *ca = make_ca(in, "LabCA", "MachineV1", "LabMachine", NULL);
	struct ae_template *t[2];
	struct ae_eligibility *out = NULL;
	uint8_t *lab_sd = NULL;
	size_t lab_sd_len = 0;
	char why[256];

	(void)state;
	assert_non_null(e);
	assert_int_equal(ae_entry_add_str(e, "cn", "MachineV1"), AE_OK);
	assert_int_equal(ae_entry_add_str(e, "flags", "131680"), AE_OK);	/* 0x20260 */
	assert_int_equal(ae_entry_add_str(e, "revision", "5"), AE_OK);
	assert_int_equal(ae_entry_add_value(e, "nTSecurityDescriptor", scratch->sd,
					    scratch->sd_len), AE_OK);
	assert_int_equal(ae_template_from_attrs(in, e, &t[0], why, sizeof(why)), AE_OK);
	assert_int_equal(t[0]->schema_version, 1);
	assert_int_equal(t[0]->enrollment_flag, 0);

	talloc_free(e);
	e = ae_entry_new(in, "CN=LabMachine,CN=Certificate Templates");
	assert_int_equal(ae_entry_add_str(e, "cn", "LabMachine"), AE_OK);
	assert_int_equal(ae_entry_add_str(e, "flags", "131680"), AE_OK);
	assert_int_equal(ae_entry_add_str(e, "msPKI-Template-Schema-Version", "2"), AE_OK);
	assert_int_equal(ae_entry_add_str(e, "msPKI-Enrollment-Flag", "32"), AE_OK);
	assert_int_equal(ae_entry_add_str(e, "msPKI-Private-Key-Flag", "16842752"), AE_OK);
	assert_int_equal(ae_entry_add_str(e, "msPKI-RA-Signature", "0"), AE_OK);
	lab_sd = read_corpus(in, "valid_lab_template_brief.sd", &lab_sd_len);
	assert_int_equal(ae_entry_add_value(e, "nTSecurityDescriptor", lab_sd, lab_sd_len),
			 AE_OK);
	assert_int_equal(ae_template_from_attrs(in, e, &t[1], why, sizeof(why)), AE_OK);

	out = compute(mem, t, 2, &ca, 1, machine, AE_CONTEXT_MACHINE);
	want(&out[0], AE_ELIGIBLE, OK_R, NULL);
	want(&out[1], AE_ELIGIBLE, OK_R, NULL);
	talloc_free(out);
	out = compute(mem, t, 2, &ca, 1, user, AE_CONTEXT_USER);
	assert_int_equal(out[0].code, AE_INELIG_CONTEXT);
	assert_int_equal(out[1].code, AE_INELIG_CONTEXT);
	talloc_free(out);
	talloc_free(in);
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
		struct ae_token *tok = make_token(tc, TOK_MACHINE);
		struct ae_template *t = make_tpl(tc, "Tpl", &xc[i].t);
		struct ae_enrollment_service *cas[1];
		struct ae_eligibility *out = NULL;

		if (xc[i].xcep) {
			t->present |= AE_TPL_HAS_XCEP_PERMISSION;
		}
		t->xcep_permission.enroll = xc[i].enroll;
		t->xcep_permission.auto_enroll = xc[i].autoenroll;
		cas[0] = make_ca(tc, "LabCA", "TPL", NULL);
		out = compute(tc, &t, 1, cas, 1, tok, M);
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

static void test_api(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_token *tok = make_token(mem, TOK_MACHINE);
	struct ae_template *t = make_tpl(mem, "Tpl", &(struct tspec)GOOD);
	struct ae_enrollment_service *ca = make_ca(mem, "LabCA", "Tpl", NULL);
	struct ae_eligibility *out = NULL, *sentinel = (struct ae_eligibility *)&out;
	struct ae_template *null_t = NULL;
	char *cn = NULL;
	size_t blocks = 0;

	(void)state;
	blocks = talloc_total_blocks(mem);
	out = sentinel;
	assert_int_equal(ae_eligibility_compute(mem, &t, 1, &ca, 1, NULL, AE_CONTEXT_MACHINE,
						NULL, NULL, &out), AE_ERR_INVALID);
	assert_int_equal(ae_eligibility_compute(mem, &t, 1, &ca, 1, tok, AE_CONTEXT_MACHINE,
						NULL, NULL, NULL), AE_ERR_INVALID);
	assert_int_equal(ae_eligibility_compute(mem, &t, 1, &ca, 1, tok, (enum ae_context)7,
						NULL, NULL, &out), AE_ERR_INVALID);
	assert_int_equal(ae_eligibility_compute(mem, NULL, 1, &ca, 1, tok, AE_CONTEXT_MACHINE,
						NULL, NULL, &out), AE_ERR_INVALID);
	assert_int_equal(ae_eligibility_compute(mem, &t, 1, NULL, 1, tok, AE_CONTEXT_MACHINE,
						NULL, NULL, &out), AE_ERR_INVALID);
	assert_int_equal(ae_eligibility_compute(mem, &null_t, 1, &ca, 1, tok,
						AE_CONTEXT_MACHINE, NULL, NULL, &out),
			 AE_ERR_INVALID);
	assert_int_equal(ae_eligibility_compute(mem, &t, AE_ELIGIBILITY_TEMPLATES_MAX + 1, &ca, 1,
						tok, AE_CONTEXT_MACHINE, NULL, NULL, &out),
			 AE_ERR_TOO_LARGE);
	assert_int_equal(ae_eligibility_compute(mem, &t, 1, &ca, AE_ELIGIBILITY_CAS_MAX + 1, tok,
						AE_CONTEXT_MACHINE, NULL, NULL, &out),
			 AE_ERR_TOO_LARGE);
	cn = ca->cn;
	ca->cn = NULL;
	assert_int_equal(ae_eligibility_compute(mem, &t, 1, &ca, 1, tok, AE_CONTEXT_MACHINE,
						NULL, NULL, &out), AE_ERR_INVALID);
	ca->cn = cn;
	cn = t->cn;
	t->cn = NULL;
	assert_int_equal(ae_eligibility_compute(mem, &t, 1, &ca, 1, tok, AE_CONTEXT_MACHINE,
						NULL, NULL, &out), AE_ERR_INVALID);
	t->cn = cn;
	assert_ptr_equal(out, sentinel);
	assert_int_equal(talloc_total_blocks(mem), blocks);

	/* No templates: an empty array. */
	assert_int_equal(ae_eligibility_compute(mem, NULL, 0, NULL, 0, tok, AE_CONTEXT_USER,
						NULL, NULL, &out), AE_OK);
	assert_non_null(out);
	assert_ptr_not_equal(out, sentinel);
	assert_int_equal(talloc_array_length(out), 0);
	talloc_free(out);
	assert_int_equal(talloc_total_blocks(mem), blocks);

	/* The inputs are not modified; one free releases every string. */
	out = compute(mem, &t, 1, &ca, 1, tok, AE_CONTEXT_MACHINE);
	assert_string_equal(t->cn, "Tpl");
	assert_int_equal(ca->num_templates, 1);
	talloc_free(out);
	assert_int_equal(talloc_total_blocks(mem), blocks);

	assert_string_equal(ae_inelig_name(AE_ELIGIBLE), "eligible");
	assert_string_equal(ae_inelig_name(AE_INELIG_ENROLL_DENIED), "denied-enroll");
	assert_string_equal(ae_inelig_name(AE_INELIG_NO_SD), "no-security-descriptor");
	assert_string_equal(ae_inelig_name(AE_INELIG_SUPERSEDED), "superseded");
	assert_string_equal(ae_inelig_name(AE_INELIG_NAME_ATTRIBUTE), "missing-name-attribute");
	assert_string_equal(ae_inelig_name((enum ae_inelig)(AE_INELIG_NAME_ATTRIBUTE + 1)),
			    "unknown");
	assert_int_equal(AE_CLIENT_CURRENT_VERSION, 4);

	talloc_free(ca);
	talloc_free(t);
	talloc_free(tok);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/*
 * ae_eligibility_compute_enroll: an explicit request (certmonger's helper)
 * skips the autoenrollment-only steps 1, 9-10, 12 and 15, keeps the rest.
 */
static void test_enroll_only(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	TALLOC_CTX *in = talloc_new(mem);
	struct ae_token *tok = make_token(in, TOK_MACHINE);
	struct ae_enrollment_service *ca = make_ca(in, "LabCA", "NoFlag", "EnrollOnly",
						   "Consent", "Old", "New", "NoEnroll",
						   "UserTpl", NULL);
	static const struct tspec no_flag = { 2, MT, 0, 0, 0, SD_ACES, { BOTH(DCS) } };
	static const struct tspec enroll_only = { 2, MT | AEF, AEF, 0, 0, SD_ACES,
						  { OA(ENR, DCS) } };
	static const struct tspec consent = { 2, MT | AEF, AEF | 0x100, 0, 0, SD_ACES,
					      { BOTH(DCS) } };
	static const struct tspec no_enroll = { 2, MT | AEF, AEF, 0, 0, SD_ACES,
						{ OA(AUTO, DCS) } };
	static const struct tspec user_tpl = { 2, AEF, AEF, 0, 0, SD_ACES, { BOTH(DCS) } };
	struct ae_template *t[8];
	struct ae_eligibility *auto_e = NULL, *enr = NULL;
	struct namer_state st = { 0 };
	size_t i;

	(void)state;
	t[0] = make_tpl(in, "NoFlag", &no_flag);
	t[1] = make_tpl(in, "EnrollOnly", &enroll_only);
	t[2] = make_tpl(in, "Consent", &consent);
	t[3] = good_tpl(in, "Old", NULL, NULL);
	t[4] = good_tpl(in, "New", "Old", NULL);
	t[5] = make_tpl(in, "NoEnroll", &no_enroll);
	t[6] = make_tpl(in, "UserTpl", &user_tpl);
	t[7] = make_tpl(in, "Unpublished", &enroll_only);
	auto_e = compute(mem, t, 8, &ca, 1, tok, M);
	assert_int_equal(ae_eligibility_compute_enroll(mem, t, 8, &ca, 1, tok, M, lab_namer,
						       &st, &enr), AE_OK);
	/* autoenrollment: only New is eligible */
	assert_int_equal(auto_e[0].code, AE_INELIG_NO_AUTOENROLL_FLAG);
	assert_int_equal(auto_e[1].code, AE_INELIG_NO_AUTOENROLL);
	assert_int_equal(auto_e[2].code, AE_INELIG_USER_INTERACTION);
	assert_int_equal(auto_e[3].code, AE_INELIG_SUPERSEDED);
	assert_int_equal(auto_e[4].code, AE_ELIGIBLE);
	/* on request: the first five; Enroll, context and publication still count */
	for (i = 0; i < 5; i++) {
		want(&enr[i], AE_ELIGIBLE, OK_R, NULL);
	}
	assert_int_equal(enr[5].code, AE_INELIG_NO_ENROLL);
	assert_int_equal(enr[6].code, AE_INELIG_CONTEXT);
	assert_int_equal(enr[7].code, AE_INELIG_NOT_PUBLISHED);
	assert_int_equal(ae_eligibility_compute_enroll(mem, t, 8, &ca, 1, NULL, M, NULL, NULL,
						       &enr), AE_ERR_INVALID);
	talloc_free(in);
	talloc_free(auto_e);
	talloc_free(enr);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_supersede_simple),
		cmocka_unit_test(test_supersede_chain),
		cmocka_unit_test(test_supersede_cycle),
		cmocka_unit_test(test_supersession_direct),
		cmocka_unit_test(test_names_and_cas),
		cmocka_unit_test(test_from_attrs),
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_xcep_permission),
		cmocka_unit_test(test_enroll_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
