/*
 * test_gpolist.c: the MS-GPOL GPO list (ae_gpolist.h): precedence of SOMs
 * and links, enforced links and block inheritance, disabled links and
 * GPOs, security filtering with real descriptors and tokens from the
 * security layer, duplicates and malformed input.
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
#include "ae_gpolist.h"
#include "ae_access.h"

#define DOM "DC=lab,DC=example,DC=com"
#define GPODN(g) "cn={" g "},cn=policies,cn=system," DOM
#define LINK(g, o) "[LDAP://" GPODN(g) ";" #o "]"

/* GUIDs: D = domain, S = site, T = top OU, C = closest OU, E = enforced */
#define G_D1 "D1000000-0000-0000-0000-000000000000"
#define G_D2 "D2000000-0000-0000-0000-000000000000"
#define G_S1 "51000000-0000-0000-0000-000000000000"
#define G_T1 "71000000-0000-0000-0000-000000000000"
#define G_C1 "C1000000-0000-0000-0000-000000000000"
#define G_E1 "E1000000-0000-0000-0000-000000000000"
#define G_E2 "E2000000-0000-0000-0000-000000000000"
#define G_X1 "A1000000-0000-0000-0000-000000000000"

struct fixture {
	TALLOC_CTX *mem;
	struct ae_token *token;
	struct ae_sid computers;	/* Domain Computers: the member is in it */
	struct ae_sid other;		/* a group the member is not in */
	struct ae_secdesc *sd_default;	/* AU: Read + Apply Group Policy */
	struct ae_secdesc *sd_filtered;	/* AU: Read; Apply only to 'other' */
	struct ae_secdesc *sd_deny;	/* Deny Apply to Domain Computers, then the default */
	struct ae_secdesc *sd_noread;	/* AU: Apply only */
	struct ae_gpo_object gpos[16];
	size_t num_gpos;
};

static struct ae_ace ace(uint8_t type, const struct ae_sid *sid, uint32_t mask, bool apply)
{
	struct ae_ace a;

	memset(&a, 0, sizeof(a));
	a.type = type;
	a.mask = mask;
	a.sid = *sid;
	if (apply) {
		a.has_object_type = true;
		a.object_flags = AE_ACE_OBJECT_TYPE_PRESENT;
		memcpy(a.object_type, ae_guid_apply_group_policy, AE_GUID_LEN);
	}
	return a;
}

static struct ae_secdesc *sd_new(TALLOC_CTX *mem, const struct ae_ace *aces, size_t n)
{
	struct ae_secdesc *sd = talloc_zero(mem, struct ae_secdesc);

	assert_non_null(sd);
	sd->revision = 1;
	sd->control = AE_SE_DACL_PRESENT | AE_SE_SELF_RELATIVE;
	sd->dacl = talloc_zero(sd, struct ae_acl);
	assert_non_null(sd->dacl);
	sd->dacl->revision = AE_ACL_REVISION_DS;
	sd->dacl->num_aces = (uint32_t)n;
	sd->dacl->aces = talloc_memdup(sd->dacl, aces, n * sizeof(aces[0]));
	assert_non_null(sd->dacl->aces);
	return sd;
}

static void add_gpo(struct fixture *f, const char *guid, const char *name,
		    const struct ae_secdesc *sd)
{
	struct ae_gpo_object *g = &f->gpos[f->num_gpos++];

	memset(g, 0, sizeof(*g));
	g->dn = talloc_asprintf(f->mem, "CN={%s},CN=Policies,CN=System," DOM, guid);
	g->guid = talloc_asprintf(f->mem, "{%s}", guid);
	g->display_name = name;
	g->version_number = 0x00020003;		/* user 2, machine 3 */
	g->functionality_version = 2;
	g->file_sys_path = talloc_asprintf(f->mem, "\\\\lab.example.com\\sysvol\\lab.example.com"
					   "\\Policies\\{%s}", guid);
	g->sd = sd;
}

static int setup(void **state)
{
	struct fixture *f = talloc_zero(NULL, struct fixture);
	struct ae_sid machine, domain;
	const uint32_t read = AE_ADS_GENERIC_READ_MASK;
	const uint32_t cr = AE_ADS_RIGHT_DS_CONTROL_ACCESS;

	f->mem = f;
	assert_int_equal(ae_sid_from_string("S-1-5-21-1-2-3", &domain), AE_OK);
	assert_int_equal(ae_sid_compose(&domain, 1105, &machine), AE_OK);
	assert_int_equal(ae_sid_compose(&domain, AE_RID_DOMAIN_COMPUTERS, &f->computers), AE_OK);
	assert_int_equal(ae_sid_compose(&domain, 2000, &f->other), AE_OK);
	f->token = ae_token_new(f, &machine);
	assert_non_null(f->token);
	assert_int_equal(ae_token_add_group(f->token, &f->computers), AE_OK);
	assert_int_equal(ae_token_add_implicit(f->token), AE_OK);

	const struct ae_ace def[] = {
		ace(AE_ACE_ACCESS_ALLOWED, &ae_sid_authenticated_users, read, false),
		ace(AE_ACE_ACCESS_ALLOWED_OBJECT, &ae_sid_authenticated_users, cr, true),
	};
	const struct ae_ace filt[] = {
		ace(AE_ACE_ACCESS_ALLOWED, &ae_sid_authenticated_users, read, false),
		ace(AE_ACE_ACCESS_ALLOWED_OBJECT, &f->other, cr, true),
	};
	const struct ae_ace deny[] = {
		ace(AE_ACE_ACCESS_DENIED_OBJECT, &f->computers, cr, true),
		ace(AE_ACE_ACCESS_ALLOWED, &ae_sid_authenticated_users, read, false),
		ace(AE_ACE_ACCESS_ALLOWED_OBJECT, &ae_sid_authenticated_users, cr, true),
	};
	const struct ae_ace noread[] = {
		ace(AE_ACE_ACCESS_ALLOWED_OBJECT, &ae_sid_authenticated_users, cr, true),
	};
	f->sd_default = sd_new(f, def, 2);
	f->sd_filtered = sd_new(f, filt, 2);
	f->sd_deny = sd_new(f, deny, 3);
	f->sd_noread = sd_new(f, noread, 1);
	add_gpo(f, G_D1, "Default Domain Policy", f->sd_default);
	add_gpo(f, G_D2, "Domain Two", f->sd_default);
	add_gpo(f, G_S1, "Site Policy", f->sd_default);
	add_gpo(f, G_T1, "Top OU Policy", f->sd_default);
	add_gpo(f, G_C1, "Closest OU Policy", f->sd_default);
	add_gpo(f, G_E1, "Enforced One", f->sd_default);
	add_gpo(f, G_E2, "Enforced Two", f->sd_default);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	talloc_free(*state);
	return 0;
}

static const struct ae_gplink *gl(TALLOC_CTX *mem, const char *text)
{
	struct ae_gplink *g = NULL;

	assert_int_equal(ae_gplink_parse(mem, (const uint8_t *)text, strlen(text), &g), AE_OK);
	return g;
}

static struct ae_gpolist *run(struct fixture *f, enum ae_gpo_context ctx,
			      const struct ae_som *soms, size_t n)
{
	struct ae_gpolist_input in = {
		.context = ctx, .soms = soms, .num_soms = n,
		.gpos = f->gpos, .num_gpos = f->num_gpos, .token = f->token,
	};
	struct ae_gpolist *out = NULL;

	assert_int_equal(ae_gpolist_compute(f->mem, &in, &out), AE_OK);
	return out;
}

/* The applied GPOs' display names joined by ' ', lowest precedence first. */
static char *names(TALLOC_CTX *mem, const struct ae_gpolist *l)
{
	char *s = talloc_strdup(mem, "");

	for (size_t i = 0; i < l->num_applied; i++) {
		s = talloc_asprintf_append(s, "%s%s", i ? " | " : "", l->applied[i].display_name);
	}
	return s;
}

static const struct ae_gpo_excluded *excluded(const struct ae_gpolist *l, const char *guid)
{
	for (size_t i = 0; i < l->num_excluded; i++) {
		if (strstr(l->excluded[i].dn, guid) != NULL) {
			return &l->excluded[i];
		}
	}
	fail_msg("%s not excluded", guid);
	return NULL;
}

static void test_domain_vs_ou(void **state)
{
	struct fixture *f = *state;
	const struct ae_som soms[] = {
		{ AE_SOM_SITE, "CN=Default-First-Site-Name,CN=Sites,CN=Configuration," DOM,
		  gl(f, LINK(G_S1, 0)), 0 },
		{ AE_SOM_DOMAIN, DOM, gl(f, LINK(G_D1, 0)), 0 },
		{ AE_SOM_OU, "OU=Top," DOM, gl(f, LINK(G_T1, 0)), 0 },
		{ AE_SOM_OU, "OU=Servers,OU=Top," DOM, gl(f, LINK(G_C1, 0)), 0 },
	};
	struct ae_gpolist *l = NULL;
	size_t blocks = talloc_total_blocks(f->mem);

	/* site, domain, top OU, closest OU: the closest OU wins */
	l = run(f, AE_GPO_CONTEXT_MACHINE, soms, 4);
	assert_string_equal(names(l, l), "Site Policy | Default Domain Policy | Top OU Policy | "
					 "Closest OU Policy");
	assert_int_equal(l->num_excluded, 0);
	assert_int_equal(l->applied[1].som_type, AE_SOM_DOMAIN);
	assert_string_equal(l->applied[1].som_dn, DOM);
	assert_string_equal(l->applied[1].guid, "{" G_D1 "}");
	assert_int_equal(l->applied[1].version, 3);
	assert_int_equal(l->applied[1].link_order, 1);
	assert_false(l->applied[1].enforced);
	assert_non_null(strstr(l->applied[1].file_sys_path, "{" G_D1 "}"));
	assert_string_equal(l->applied[3].why, "linked to OU OU=Servers,OU=Top," DOM
					       " (link order 1)");
	talloc_free(l);
	assert_int_equal(talloc_total_blocks(f->mem), blocks);

	/* no site: domain then OU; the user side reads the high 16 bits */
	l = run(f, AE_GPO_CONTEXT_USER, soms + 1, 2);
	assert_string_equal(names(l, l), "Default Domain Policy | Top OU Policy");
	assert_int_equal(l->applied[0].version, 2);
	talloc_free(l);
}

static void test_link_order_within_som(void **state)
{
	struct fixture *f = *state;
	/* gPLink lists the lowest precedence first: D2 is link order 2, D1 is 1 */
	const struct ae_som soms[] = {
		{ AE_SOM_DOMAIN, DOM, gl(f, LINK(G_D2, 0) LINK(G_D1, 0)), 0 },
	};
	const struct ae_som enf[] = {
		{ AE_SOM_DOMAIN, DOM, gl(f, LINK(G_E2, 2) LINK(G_E1, 2) LINK(G_D2, 0) LINK(G_D1, 0)), 0 },
	};
	struct ae_gpolist *l = run(f, AE_GPO_CONTEXT_MACHINE, soms, 1);

	assert_string_equal(names(l, l), "Domain Two | Default Domain Policy");
	assert_int_equal(l->applied[0].link_order, 2);
	assert_int_equal(l->applied[1].link_order, 1);
	talloc_free(l);
	/* enforced and non-enforced links keep the same within-SOM order */
	l = run(f, AE_GPO_CONTEXT_MACHINE, enf, 1);
	assert_string_equal(names(l, l), "Domain Two | Default Domain Policy | Enforced Two | "
					 "Enforced One");
	assert_int_equal(l->applied[3].link_order, 3);
	assert_true(l->applied[3].enforced);
	talloc_free(l);
}

static void test_enforced_above_blocking_ou(void **state)
{
	struct fixture *f = *state;
	const struct ae_som soms[] = {
		{ AE_SOM_SITE, "CN=Site1,CN=Sites,CN=Configuration," DOM, gl(f, LINK(G_S1, 0)), 0 },
		{ AE_SOM_DOMAIN, DOM, gl(f, LINK(G_D1, 0) LINK(G_E1, 2)), 0 },
		{ AE_SOM_OU, "OU=Top," DOM, gl(f, LINK(G_T1, 0) LINK(G_E2, 2)),
		  AE_GPOPTIONS_BLOCK_INHERITANCE },
		{ AE_SOM_OU, "OU=Servers,OU=Top," DOM, gl(f, LINK(G_C1, 0)), 0 },
	};
	const struct ae_gpo_excluded *x = NULL;
	struct ae_gpolist *l = run(f, AE_GPO_CONTEXT_MACHINE, soms, 4);

	/* OU=Top blocks the site's and the domain's non-enforced links but not
	 * its own; the enforced links come last, the farthest SOM's last */
	assert_string_equal(names(l, l), "Top OU Policy | Closest OU Policy | Enforced Two | "
					 "Enforced One");
	assert_true(l->applied[3].enforced);
	assert_string_equal(l->applied[3].som_dn, DOM);
	assert_non_null(strstr(l->applied[3].why, ", enforced"));
	assert_int_equal(l->num_excluded, 2);
	x = excluded(l, G_D1);
	assert_int_equal(x->reason, AE_GPO_EXCL_BLOCKED);
	assert_string_equal(x->som_dn, DOM);
	assert_string_equal(x->why, "OU=Top," DOM " blocks inheritance and the link is not enforced");
	assert_int_equal(excluded(l, G_S1)->reason, AE_GPO_EXCL_BLOCKED);
	assert_string_equal(ae_gpo_exclusion_name(AE_GPO_EXCL_BLOCKED), "blocked");
	talloc_free(l);
}

static void test_enforced_order(void **state)
{
	struct fixture *f = *state;
	const struct ae_som soms[] = {
		{ AE_SOM_DOMAIN, DOM, gl(f, LINK(G_E1, 2)), 0 },
		{ AE_SOM_OU, "OU=Top," DOM, gl(f, LINK(G_E2, 2)), 0 },
		{ AE_SOM_OU, "OU=Servers,OU=Top," DOM, gl(f, LINK(G_C1, 0)),
		  AE_GPOPTIONS_BLOCK_INHERITANCE },
	};
	struct ae_gpolist *l = run(f, AE_GPO_CONTEXT_MACHINE, soms, 3);

	/* MS-GPOL 3.2.5.1.5: enforced links appended closest SOM first, so the
	 * domain's enforced GPO is applied last and wins over the OU's */
	assert_string_equal(names(l, l), "Closest OU Policy | Enforced Two | Enforced One");
	talloc_free(l);
}

static void test_disabled(void **state)
{
	struct fixture *f = *state;
	const struct ae_som soms[] = {
		{ AE_SOM_DOMAIN, DOM, gl(f, LINK(G_D1, 1) LINK(G_E1, 3) LINK(G_D2, 0)), 0 },
		{ AE_SOM_OU, "OU=Top," DOM, gl(f, LINK(G_T1, 0)), 0 },
	};
	struct ae_gpolist *l = NULL;

	/* machine side disabled (flags 2): out for the machine, in for the user */
	f->gpos[3].flags = AE_GPO_FLAG_MACHINE_DISABLED;	/* Top OU Policy */
	l = run(f, AE_GPO_CONTEXT_MACHINE, soms, 2);
	assert_string_equal(names(l, l), "Domain Two");
	assert_int_equal(excluded(l, G_D1)->reason, AE_GPO_EXCL_LINK_DISABLED);
	assert_string_equal(excluded(l, G_D1)->why, "the link is disabled");
	assert_int_equal(excluded(l, G_E1)->reason, AE_GPO_EXCL_LINK_DISABLED);
	assert_int_equal(excluded(l, G_T1)->reason, AE_GPO_EXCL_CONTEXT_DISABLED);
	assert_string_equal(excluded(l, G_T1)->display_name, "Top OU Policy");
	assert_string_equal(excluded(l, G_T1)->why, "the GPO's computer settings are disabled "
						    "(flags 2)");
	talloc_free(l);
	l = run(f, AE_GPO_CONTEXT_USER, soms, 2);
	assert_string_equal(names(l, l), "Domain Two | Top OU Policy");
	talloc_free(l);
	f->gpos[3].flags = AE_GPO_FLAG_USER_DISABLED;
	l = run(f, AE_GPO_CONTEXT_USER, soms, 2);
	assert_int_equal(excluded(l, G_T1)->reason, AE_GPO_EXCL_CONTEXT_DISABLED);
	talloc_free(l);
	f->gpos[3].flags = 0;
}

static void test_security_filter(void **state)
{
	struct fixture *f = *state;
	const struct ae_som soms[] = {
		{ AE_SOM_DOMAIN, DOM, gl(f, LINK(G_D1, 0) LINK(G_D2, 0) LINK(G_E1, 0) LINK(G_E2, 0)
					    LINK(G_X1, 0) LINK(G_S1, 0)), 0 },
	};
	const struct ae_gpo_excluded *x = NULL;
	struct ae_gpolist *l = NULL;

	f->gpos[0].sd = f->sd_filtered;	/* D1: Apply only for another group */
	f->gpos[1].sd = f->sd_deny;	/* D2: Apply denied to Domain Computers */
	f->gpos[5].sd = f->sd_noread;	/* E1: no Read */
	f->gpos[6].sd = NULL;		/* E2: descriptor not readable */
	/* X1 has no object at all; S1 keeps the default descriptor */
	l = run(f, AE_GPO_CONTEXT_MACHINE, soms, 1);
	assert_string_equal(names(l, l), "Site Policy");
	x = excluded(l, G_D1);
	assert_int_equal(x->reason, AE_GPO_EXCL_DENIED_APPLY);
	assert_string_equal(x->why, "security filter: no ACE grants Apply Group Policy to the token");
	x = excluded(l, G_D2);
	assert_int_equal(x->reason, AE_GPO_EXCL_DENIED_APPLY);
	assert_string_equal(x->why, "security filter: ACE 0 denies Apply Group Policy");
	assert_int_equal(excluded(l, G_E1)->reason, AE_GPO_EXCL_DENIED_READ);
	assert_int_equal(excluded(l, G_E2)->reason, AE_GPO_EXCL_UNREADABLE);
	x = excluded(l, G_X1);
	assert_int_equal(x->reason, AE_GPO_EXCL_MISSING);
	assert_null(x->display_name);
	talloc_free(l);

	/* the member joins the filtering group: D1 applies again */
	assert_int_equal(ae_token_add_group(f->token, &f->other), AE_OK);
	l = run(f, AE_GPO_CONTEXT_MACHINE, soms, 1);
	assert_string_equal(names(l, l), "Default Domain Policy | Site Policy");
	talloc_free(l);
	f->gpos[0].sd = f->gpos[1].sd = f->gpos[5].sd = f->gpos[6].sd = f->sd_default;
}

static void test_versions_and_duplicates(void **state)
{
	struct fixture *f = *state;
	const struct ae_som soms[] = {
		{ AE_SOM_DOMAIN, DOM, gl(f, LINK(G_C1, 0) LINK(G_D1, 0) LINK(G_D2, 0) LINK(G_T1, 0)), 0 },
		/* the same GPO twice more at the closest OU, once spelled differently
		 * (matched by its cn GUID) */
		{ AE_SOM_OU, "OU=Top," DOM,
		  gl(f, "[LDAP://CN={" G_C1 "},CN=Policies,CN=System,DC=other;0]" LINK(G_C1, 0)), 0 },
	};
	struct ae_gpolist *l = NULL;

	f->gpos[0].functionality_version = 1;		/* D1 */
	f->gpos[1].version_number = 0x00050000;		/* D2: user 5, machine 0 */
	f->gpos[3].version_number = 0;			/* T1: 0, but GPT.INI says machine 1 */
	f->gpos[3].has_gpt_version = true;
	f->gpos[3].gpt_version = 1;
	l = run(f, AE_GPO_CONTEXT_MACHINE, soms, 2);
	assert_string_equal(names(l, l), "Top OU Policy | Closest OU Policy");
	assert_int_equal(l->num_excluded, 4);
	assert_int_equal(excluded(l, G_D1)->reason, AE_GPO_EXCL_FUNCTIONALITY);
	assert_string_equal(excluded(l, G_D1)->why, "gPCFunctionalityVersion is 1, not 2");
	assert_int_equal(excluded(l, G_D2)->reason, AE_GPO_EXCL_EMPTY);
	assert_string_equal(excluded(l, G_D2)->why, "its computer version is 0");
	/* C1 is linked three times: kept at its last position, the OU's link order 1 */
	assert_int_equal(l->excluded[2].reason, AE_GPO_EXCL_DUPLICATE);
	assert_string_equal(l->excluded[2].som_dn, DOM);
	assert_int_equal(l->excluded[3].reason, AE_GPO_EXCL_DUPLICATE);
	assert_non_null(strstr(l->excluded[3].dn, "DC=other"));
	assert_string_equal(l->applied[1].som_dn, "OU=Top," DOM);
	assert_int_equal(l->applied[1].link_order, 1);
	talloc_free(l);
	/* the user side: D2 is not empty there, T1 is (user halves 0 and 0) */
	l = run(f, AE_GPO_CONTEXT_USER, soms, 1);
	assert_string_equal(names(l, l), "Closest OU Policy | Domain Two");
	assert_int_equal(excluded(l, G_T1)->reason, AE_GPO_EXCL_EMPTY);
	talloc_free(l);
	f->gpos[0].functionality_version = 2;
	f->gpos[1].version_number = f->gpos[3].version_number = 0x00020003;
	f->gpos[3].has_gpt_version = false;
}

static void test_invalid_input(void **state)
{
	struct fixture *f = *state;
	const struct ae_som ou_first[] = {
		{ AE_SOM_OU, "OU=Top," DOM, NULL, 0 },
		{ AE_SOM_DOMAIN, DOM, NULL, 0 },
	};
	const struct ae_som two_sites[] = {
		{ AE_SOM_SITE, "CN=a", NULL, 0 },
		{ AE_SOM_SITE, "CN=b", NULL, 0 },
		{ AE_SOM_DOMAIN, DOM, NULL, 0 },
	};
	const struct ae_som no_dn[] = { { AE_SOM_DOMAIN, NULL, NULL, 0 } };
	const struct ae_som ok[] = { { AE_SOM_DOMAIN, DOM, NULL, 0 } };
	struct ae_gpolist_input in = {
		.context = AE_GPO_CONTEXT_MACHINE, .soms = ou_first, .num_soms = 2,
		.gpos = f->gpos, .num_gpos = f->num_gpos, .token = f->token,
	};
	struct ae_gpolist *out = NULL;
	size_t blocks = talloc_total_blocks(f->mem);

	assert_int_equal(ae_gpolist_compute(f, &in, &out), AE_ERR_INVALID);
	in.soms = two_sites;
	in.num_soms = 3;
	assert_int_equal(ae_gpolist_compute(f, &in, &out), AE_ERR_INVALID);
	in.soms = no_dn;
	in.num_soms = 1;
	assert_int_equal(ae_gpolist_compute(f, &in, &out), AE_ERR_INVALID);
	in.num_soms = 0;
	assert_int_equal(ae_gpolist_compute(f, &in, &out), AE_ERR_INVALID);
	in.soms = ok;
	in.num_soms = 1;
	in.token = NULL;
	assert_int_equal(ae_gpolist_compute(f, &in, &out), AE_ERR_INVALID);
	in.token = f->token;
	in.num_soms = AE_GPOLIST_SOMS_MAX + 1;
	assert_int_equal(ae_gpolist_compute(f, &in, &out), AE_ERR_TOO_LARGE);
	assert_null(out);
	assert_int_equal(talloc_total_blocks(f->mem), blocks);
	/* a domain without gPLink: an empty list */
	in.num_soms = 1;
	assert_int_equal(ae_gpolist_compute(f, &in, &out), AE_OK);
	assert_int_equal(out->num_applied, 0);
	assert_int_equal(out->num_excluded, 0);
	talloc_free(out);
	assert_int_equal(talloc_total_blocks(f->mem), blocks);
	assert_string_equal(ae_som_type_name(AE_SOM_OU), "OU");
}

static void test_writers(void **state)
{
	struct fixture *f = *state;
	const struct ae_som soms[] = {
		{ AE_SOM_DOMAIN, DOM, gl(f, LINK(G_D1, 0) LINK(G_E1, 1)), 0 },
		{ AE_SOM_OU, "OU=\"Top\"," DOM, gl(f, LINK(G_T1, 2)), 0 },
	};
	struct ae_gpolist *l = run(f, AE_GPO_CONTEXT_MACHINE, soms, 2);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_int_equal(ae_gpolist_write_json(out, l), AE_OK);
	fclose(out);
	assert_non_null(strstr(buf, "{\"applied\": [\n  {\"guid\": \"{" G_D1 "}\", "
				    "\"display_name\": \"Default Domain Policy\""));
	assert_non_null(strstr(buf, "\"version\": 3, \"som_type\": \"OU\", \"som_dn\": "
				    "\"OU=\\\"Top\\\"," DOM "\", \"link_order\": 1, \"enforced\": true"));
	assert_non_null(strstr(buf, "\"excluded\": [\n  {\"dn\": \"" GPODN(G_E1) "\", "
				    "\"display_name\": null, \"som_dn\": \"" DOM "\", "
				    "\"reason\": \"link-disabled\""));
	free(buf);
	out = open_memstream(&buf, &len);
	assert_int_equal(ae_gpolist_dump(out, l), AE_OK);
	fclose(out);
	assert_non_null(strstr(buf, "GPOs applied (lowest precedence first): 2\n"
				    "  1. {" G_D1 "} Default Domain Policy, version 3: linked to domain "
				    DOM " (link order 2)\n"));
	assert_non_null(strstr(buf, "GPOs not applied: 1\n"));
	free(buf);
	assert_int_equal(ae_gpolist_write_json(NULL, l), AE_ERR_INVALID);
	talloc_free(l);
}

/* The halves of a version and the file of each policy mode. */
static void test_side_helpers(void **state)
{
	(void)state;
	assert_int_equal(ae_gpo_side_version(AE_GPO_CONTEXT_MACHINE, 0x00050003), 3);
	assert_int_equal(ae_gpo_side_version(AE_GPO_CONTEXT_USER, 0x00050003), 5);
	assert_int_equal(ae_gpo_side_version(AE_GPO_CONTEXT_USER, 0xffff0000u), 0xffff);
	assert_int_equal(ae_gpo_side_version(AE_GPO_CONTEXT_MACHINE, 0xffff0000u), 0);
	assert_string_equal(ae_gpo_registry_pol_file(AE_GPO_CONTEXT_MACHINE),
			    "Machine/Registry.pol");
	assert_string_equal(ae_gpo_registry_pol_file(AE_GPO_CONTEXT_USER), "User/Registry.pol");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_side_helpers),
		cmocka_unit_test_setup_teardown(test_domain_vs_ou, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_order_within_som, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enforced_above_blocking_ou, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enforced_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_security_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_versions_and_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writers, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
