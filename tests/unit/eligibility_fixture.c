/*
 * eligibility_fixture.c: the eligibility tests' fixture
 * (eligibility_fixture.h): templates, their marshalled descriptors, tokens,
 * CAs, the lab's namer, and ae_eligibility_compute with the invariants
 * every verdict keeps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "eligibility_fixture.h"

static uint8_t condition[8] = { 'a', 'r', 't', 'x', 0x01, 0x02, 0x00, 0x00 };

static struct ae_sid sid(const char *s)
{
	struct ae_sid out;

	assert_int_equal(ae_sid_from_string(s, &out), AE_OK);
	return out;
}

struct ae_token *elig_make_token(TALLOC_CTX *mem, enum tok_mode mode)
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

void elig_set_spec(struct ae_template *t, const struct tspec *s)
{
	t->schema_version = s->schema;
	t->flags = s->flags;
	t->enrollment_flag = s->eflag;
	t->private_key_flag = s->pkflag;
	t->ra_signatures = s->ra;
	set_sd(t, s);
}

void elig_set_supersede(struct ae_template *t, const char *a, const char *b)
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

struct ae_template *elig_make_tpl(TALLOC_CTX *mem, const char *cn, const struct tspec *s)
{
	struct ae_template *t = talloc_zero(mem, struct ae_template);

	assert_non_null(t);
	t->cn = talloc_strdup(t, cn);
	assert_non_null(t->cn);
	elig_set_spec(t, s);
	return t;
}

/* A CA publishing the NULL-terminated list of template names. */
struct ae_enrollment_service *elig_make_ca(TALLOC_CTX *mem, const char *cn, ...)
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

const char *elig_lab_namer(void *private_data, const struct ae_sid *s)
{
	struct elig_namer_state *st = private_data;
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
struct ae_eligibility *elig_compute(TALLOC_CTX *mem, struct ae_template **t, size_t n,
				    struct ae_enrollment_service **cas, size_t num_cas,
				    const struct ae_token *tok, enum ae_context ctx)
{
	struct elig_namer_state st = { 0 };
	struct ae_eligibility *out = NULL;
	size_t i;

	assert_int_equal(ae_eligibility_compute(mem, t, n, cas, num_cas, tok, ctx, elig_lab_namer,
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

struct ae_template *elig_good_tpl(TALLOC_CTX *mem, const char *cn, const char *sup1,
				  const char *sup2)
{
	static const struct tspec good = GOOD;
	struct ae_template *t = elig_make_tpl(mem, cn, &good);

	elig_set_supersede(t, sup1, sup2);
	return t;
}

void elig_want(const struct ae_eligibility *e, enum ae_inelig code, const char *reason,
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
