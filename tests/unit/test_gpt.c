/*
 * test_gpt.c: the two small GPO text parsers, GPT.INI (ae_gpt.h) and
 * gPLink (ae_gplink.h), as tables, with truncation sweeps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_gpt.h"
#include "ae_gplink.h"

struct gpt_case {
	const char *text;
	ae_err err;
	uint32_t version;
};

static const struct gpt_case gpt_cases[] = {
	/* what samba-tool gpo create and the lab write */
	{ "[General]\r\nVersion=0\r\n", AE_OK, 0 },
	{ "[General]\r\nVersion=1\r\n", AE_OK, 1 },
	/* Windows: displayName, machine 3 + user 2 */
	{ "[General]\r\nVersion=131075\r\ndisplayName=New Group Policy Object\r\n", AE_OK, 131075 },
	{ "[General]\nVersion=65536\n", AE_OK, 65536 },				/* LF */
	{ "[General]\rVersion=7", AE_OK, 7 },					/* CR, no final break */
	{ "\xef\xbb\xbf[General]\r\nVersion=2\r\n", AE_OK, 2 },			/* UTF-8 BOM */
	{ "  [ general ]  \r\n\t version =  42 \r\n", AE_OK, 42 },		/* blanks, case */
	{ "; comment\r\n\r\n# other\r\n[General]\r\nVERSION=5\r\n", AE_OK, 5 },
	{ "[Other]\r\nVersion=9\r\n[General]\r\nVersion=3\r\n[Other2]\r\nx=y\r\n", AE_OK, 3 },
	{ "[General]\r\nVersion=4294967295\r\n", AE_OK, 4294967295u },
	{ "[General]\r\nVersion=-2147418111\r\n", AE_OK, 0x80010001u },	/* signed form */
	{ "[General]\r\nVersion=+12\r\n", AE_OK, 12 },
	{ "[General]\r\nVersion=0012\r\n", AE_OK, 12 },
	{ "", AE_ERR_PARSE, 0 },						/* no [General] */
	{ "[General]\r\n", AE_ERR_PARSE, 0 },					/* no Version */
	{ "[Genera1]\r\nVersion=1\r\n", AE_ERR_PARSE, 0 },
	{ "Version=1\r\n[General]\r\n", AE_ERR_PARSE, 0 },			/* key outside */
	{ "[General]\r\nVersion=1\r\nversion=2\r\n", AE_ERR_PARSE, 0 },	/* repeated */
	{ "[General]\r\nVersion=\r\n", AE_ERR_PARSE, 0 },
	{ "[General]\r\nVersion=1x\r\n", AE_ERR_PARSE, 0 },
	{ "[General]\r\nVersion=0x10\r\n", AE_ERR_PARSE, 0 },
	{ "[General]\r\nVersion=4294967296\r\n", AE_ERR_PARSE, 0 },
	{ "[General]\r\nVersion=-2147483649\r\n", AE_ERR_PARSE, 0 },
	{ "[General]\r\nVersion=12345678901\r\n", AE_ERR_PARSE, 0 },
	{ "[General]\r\nVersion 1\r\n", AE_ERR_PARSE, 0 },			/* no '=' */
	{ "[General\r\nVersion=1\r\n", AE_ERR_PARSE, 0 },			/* no ']' */
	{ "[General]\r\n=1\r\nVersion=1\r\n", AE_ERR_PARSE, 0 },		/* empty key */
};

static void test_gpt_table(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);

	(void)state;
	for (size_t i = 0; i < sizeof(gpt_cases) / sizeof(gpt_cases[0]); i++) {
		const struct gpt_case *c = &gpt_cases[i];
		struct ae_gpt *gpt = NULL;
		size_t blocks = talloc_total_blocks(mem);
		ae_err err = ae_gpt_parse(mem, (const uint8_t *)c->text, strlen(c->text), &gpt);

		if (err != c->err) {
			fail_msg("case %zu \"%s\": %s, expected %s", i, c->text, ae_strerror(err),
				 ae_strerror(c->err));
		}
		if (err == AE_OK) {
			assert_int_equal(gpt->version, c->version);
			talloc_free(gpt);
		} else {
			assert_null(gpt);
		}
		assert_int_equal(talloc_total_blocks(mem), blocks);
	}
	talloc_free(mem);
}

static void test_gpt_details(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	const char *text = "[General]\r\nVersion=131075\r\ndisplayName=Lab AutoEnroll\r\n";
	struct ae_gpt *gpt = NULL;
	char big[AE_GPT_LINE_MAX + 32];
	uint8_t *huge = NULL;

	(void)state;
	assert_int_equal(ae_gpt_parse(mem, (const uint8_t *)text, strlen(text), &gpt), AE_OK);
	assert_string_equal(gpt->display_name, "Lab AutoEnroll");
	assert_int_equal(ae_gpo_version_machine(gpt->version), 3);
	assert_int_equal(ae_gpo_version_user(gpt->version), 2);
	/* every strict prefix that cuts the Version digits or the header fails */
	for (size_t cut = 0; cut < strlen("[General]\r\nVersion=1"); cut++) {
		struct ae_gpt *g = NULL;
		assert_int_not_equal(ae_gpt_parse(mem, (const uint8_t *)text, cut, &g), AE_OK);
		assert_null(g);
	}
	assert_int_equal(ae_gpt_parse(mem, (const uint8_t *)"[General]\r\nVer\0sion=1", 21, &gpt),
			 AE_ERR_PARSE);
	memset(big, 'x', sizeof(big));
	memcpy(big, "[General]\nVersion=1\n", 20);
	assert_int_equal(ae_gpt_parse(mem, (const uint8_t *)big, sizeof(big), &gpt),
			 AE_ERR_TOO_LARGE);
	huge = talloc_zero_size(mem, AE_GPT_MAX + 1);
	assert_int_equal(ae_gpt_parse(mem, huge, AE_GPT_MAX + 1, &gpt), AE_ERR_TOO_LARGE);
	assert_int_equal(ae_gpt_parse(mem, NULL, 1, &gpt), AE_ERR_INVALID);
	assert_int_equal(ae_gpt_parse(mem, huge, 1, NULL), AE_ERR_INVALID);
	talloc_free(mem);
}

#define GPO1 "cn={31B2F340-016D-11D2-945F-00C04FB984F9},cn=policies,cn=system,DC=lab,DC=example,DC=com"
#define GPO2 "CN={6AC1786C-016F-11D2-945F-00C04FB984F9},CN=Policies,CN=System,DC=lab,DC=example,DC=com"

struct link_case {
	const char *text;
	ae_err err;
	size_t n;
	const char *dn0;
	uint32_t opt0;
	const char *dn1;
	uint32_t opt1;
};

static const struct link_case link_cases[] = {
	{ "", AE_OK, 0, NULL, 0, NULL, 0 },
	{ " ", AE_OK, 0, NULL, 0, NULL, 0 },		/* what GPMC leaves behind */
	{ "[LDAP://" GPO1 ";0]", AE_OK, 1, GPO1, 0, NULL, 0 },
	{ "[LDAP://" GPO2 ";2][LDAP://" GPO1 ";0]", AE_OK, 2, GPO2, 2, GPO1, 0 },
	{ "[ldap://" GPO1 ";1][Ldap://" GPO2 ";3] ", AE_OK, 2, GPO1, 1, GPO2, 3 },
	{ "[LDAP://" GPO1 ";4294967295]", AE_OK, 1, GPO1, 4294967295u, NULL, 0 },
	{ "[LDAP://a;b;0]", AE_OK, 1, "a;b", 0, NULL, 0 },	/* DN ends at the last ';' */
	{ "[LDAP://" GPO1 ";4294967296]", AE_ERR_PARSE, 0, NULL, 0, NULL, 0 },
	{ "[LDAP://" GPO1 ";00000000001]", AE_ERR_PARSE, 0, NULL, 0, NULL, 0 },
	{ "[LDAP://" GPO1 ";]", AE_ERR_PARSE, 0, NULL, 0, NULL, 0 },
	{ "[LDAP://" GPO1 ";-1]", AE_ERR_PARSE, 0, NULL, 0, NULL, 0 },
	{ "[LDAP://" GPO1 ";0", AE_ERR_PARSE, 0, NULL, 0, NULL, 0 },
	{ "[LDAP://" GPO1 "]", AE_ERR_PARSE, 0, NULL, 0, NULL, 0 },
	{ "[LDAP://;0]", AE_ERR_PARSE, 0, NULL, 0, NULL, 0 },
	{ "[LDAP:/" GPO1 ";0]", AE_ERR_PARSE, 0, NULL, 0, NULL, 0 },
	{ "[" GPO1 ";0]", AE_ERR_PARSE, 0, NULL, 0, NULL, 0 },
	{ "LDAP://" GPO1 ";0", AE_ERR_PARSE, 0, NULL, 0, NULL, 0 },
	{ "[LDAP://" GPO1 ";0]x", AE_ERR_PARSE, 0, NULL, 0, NULL, 0 },
	{ "[LDAP://" GPO1 ";0] [LDAP://" GPO2 ";0]", AE_ERR_PARSE, 0, NULL, 0, NULL, 0 },
	{ "[LDAP://[x;0]", AE_ERR_PARSE, 0, NULL, 0, NULL, 0 },
};

static void test_gplink_table(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);

	(void)state;
	for (size_t i = 0; i < sizeof(link_cases) / sizeof(link_cases[0]); i++) {
		const struct link_case *c = &link_cases[i];
		struct ae_gplink *gl = NULL;
		size_t blocks = talloc_total_blocks(mem);
		ae_err err = ae_gplink_parse(mem, (const uint8_t *)c->text, strlen(c->text), &gl);

		if (err != c->err) {
			fail_msg("case %zu \"%s\": %s", i, c->text, ae_strerror(err));
		}
		if (err != AE_OK) {
			assert_null(gl);
			assert_int_equal(talloc_total_blocks(mem), blocks);
			continue;
		}
		assert_int_equal(gl->num_links, c->n);
		if (c->n > 0) {
			assert_string_equal(gl->links[0].dn, c->dn0);
			assert_int_equal(gl->links[0].options, c->opt0);
		}
		if (c->n > 1) {
			assert_string_equal(gl->links[1].dn, c->dn1);
			assert_int_equal(gl->links[1].options, c->opt1);
		}
		talloc_free(gl);
		assert_int_equal(talloc_total_blocks(mem), blocks);
	}
	talloc_free(mem);
}

static void test_gplink_limits(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	const char *one = "[LDAP://" GPO1 ";0]";
	size_t olen = strlen(one);
	char *many = talloc_array(mem, char, olen * (AE_GPLINK_LINKS_MAX + 1) + 1);
	char *dn = talloc_array(mem, char, AE_GPLINK_DN_MAX + 32);
	struct ae_gplink *gl = NULL;
	const char *g = NULL;

	(void)state;
	for (size_t i = 0; i <= AE_GPLINK_LINKS_MAX; i++) {
		memcpy(many + i * olen, one, olen);
	}
	assert_int_equal(ae_gplink_parse(mem, (const uint8_t *)many, olen * AE_GPLINK_LINKS_MAX, &gl),
			 AE_OK);
	assert_int_equal(gl->num_links, AE_GPLINK_LINKS_MAX);
	gl = NULL;
	assert_int_equal(ae_gplink_parse(mem, (const uint8_t *)many,
					 olen * (AE_GPLINK_LINKS_MAX + 1), &gl), AE_ERR_TOO_LARGE);
	assert_null(gl);
	memcpy(dn, "[LDAP://", 8);
	memset(dn + 8, 'd', AE_GPLINK_DN_MAX + 1);
	memcpy(dn + 8 + AE_GPLINK_DN_MAX + 1, ";0]", 3);
	assert_int_equal(ae_gplink_parse(mem, (const uint8_t *)dn, AE_GPLINK_DN_MAX + 12, &gl),
			 AE_ERR_TOO_LARGE);
	assert_int_equal(ae_gplink_parse(mem, (const uint8_t *)"[LDAP://a\0;0]", 13, &gl),
			 AE_ERR_PARSE);
	/* every cut of a two-link value fails except the link boundary and the end */
	many[0] = '\0';
	{
		char two[512];
		size_t tlen = (size_t)snprintf(two, sizeof(two), "[LDAP://%s;2][LDAP://%s;0]", GPO2, GPO1);
		size_t first = strlen("[LDAP://" GPO2 ";2]");
		for (size_t cut = 1; cut < tlen; cut++) {
			ae_err err = ae_gplink_parse(mem, (const uint8_t *)two, cut, &gl);
			assert_int_equal(err, cut == first ? AE_OK : AE_ERR_PARSE);
		}
	}
	assert_int_equal(ae_gpo_dn_guid(GPO1, &g), 38);
	assert_memory_equal(g, "{31B2F340-016D-11D2-945F-00C04FB984F9}", 38);
	assert_int_equal(ae_gpo_dn_guid(GPO2, &g), 38);
	assert_int_equal(ae_gpo_dn_guid("cn=Foo,dc=x", &g), 0);
	assert_int_equal(ae_gpo_dn_guid("cn={31B2F340},dc=x", &g), 0);
	assert_int_equal(ae_gpo_dn_guid(NULL, &g), 0);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpt_table),
		cmocka_unit_test(test_gpt_details),
		cmocka_unit_test(test_gplink_table),
		cmocka_unit_test(test_gplink_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
