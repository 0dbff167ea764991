/*
 * test_template.c: the MS-CRTD template parser of the policy layer
 * (ae_template_from_attrs and the value readers under it), on hand-built
 * entries: no LDAP. Every test checks that nothing leaks on its context.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_attrval.h"
#include "ae_entry.h"
#include "ae_template.h"

#define TPL_DN "CN=LabMachine,CN=Certificate Templates,CN=Public Key Services,CN=Services,CN=Configuration,DC=lab,DC=example,DC=com"

static const uint8_t year_ft[8] = { 0x00, 0x40, 0x39, 0x87, 0x2E, 0xE1, 0xFE, 0xFF };
static const uint8_t six_weeks_ft[8] = { 0x00, 0x80, 0xA6, 0x0A, 0xFF, 0xDE, 0xFF, 0xFF };
static const uint8_t key_usage[2] = { 0xa0, 0x00 };
static const uint8_t fake_sd[20] = { 0x01, 0x00, 0x04, 0x9c };

static void add(struct ae_ldap_entry *e, const char *name, const char *value)
{
	assert_int_equal(ae_entry_add_str(e, name, value), AE_OK);
}

static void add_bin(struct ae_ldap_entry *e, const char *name, const void *p, size_t len)
{
	assert_int_equal(ae_entry_add_value(e, name, p, len), AE_OK);
}

/* The lab's v2 template (lab/pki.ldif.in), plus an SD and uSNChanged. */
static struct ae_ldap_entry *lab_machine(TALLOC_CTX *mem)
{
	struct ae_ldap_entry *e = ae_entry_new(mem, TPL_DN);

	assert_non_null(e);
	add(e, "objectClass", "top");
	add(e, "objectClass", "pKICertificateTemplate");
	add(e, "cn", "LabMachine");
	add(e, "displayName", "Lab Machine");
	add(e, "flags", "131680");
	add(e, "revision", "100");
	add(e, "msPKI-Template-Schema-Version", "2");
	add(e, "msPKI-Template-Minor-Revision", "3");
	add(e, "msPKI-Cert-Template-OID", "1.3.6.1.4.1.311.21.8.1000001.1000.1");
	add(e, "msPKI-Enrollment-Flag", "32");
	add(e, "msPKI-Private-Key-Flag", "0");
	add(e, "msPKI-Certificate-Name-Flag", "134217728");
	add(e, "msPKI-Minimal-Key-Size", "2048");
	add(e, "msPKI-RA-Signature", "0");
	add(e, "msPKI-Certificate-Application-Policy", "1.3.6.1.5.5.7.3.2");
	add(e, "msPKI-Certificate-Application-Policy", "1.3.6.1.5.5.7.3.1");
	add(e, "pKIDefaultKeySpec", "1");
	add_bin(e, "pKIKeyUsage", key_usage, sizeof(key_usage));
	add(e, "pKIMaxIssuingDepth", "0");
	add(e, "pKICriticalExtensions", "2.5.29.15");
	add_bin(e, "pKIExpirationPeriod", year_ft, sizeof(year_ft));
	add_bin(e, "pKIOverlapPeriod", six_weeks_ft, sizeof(six_weeks_ft));
	add(e, "pKIExtendedKeyUsage", "1.3.6.1.5.5.7.3.2");
	add(e, "pKIExtendedKeyUsage", "1.3.6.1.5.5.7.3.1");
	add(e, "pKIDefaultCSPs", "1,Microsoft RSA SChannel Cryptographic Provider");
	add_bin(e, "nTSecurityDescriptor", fake_sd, sizeof(fake_sd));
	add(e, "uSNChanged", "4021");
	return e;
}

/* Replace (or add) attribute 'name' of a copy of lab_machine() with one value. */
static struct ae_ldap_entry *lab_machine_with(TALLOC_CTX *mem, const char *name,
					      const void *p, size_t len)
{
	struct ae_ldap_entry *base = lab_machine(mem);
	struct ae_ldap_entry *e = ae_entry_new(mem, base->dn);
	size_t i, j;

	assert_non_null(e);
	for (i = 0; i < base->num_attrs; i++) {
		if (strcasecmp(base->attrs[i].name, name) == 0) {
			continue;
		}
		for (j = 0; j < base->attrs[i].num_values; j++) {
			add_bin(e, base->attrs[i].name, base->attrs[i].values[j].data,
				base->attrs[i].values[j].len);
		}
	}
	if (p != NULL) {
		add_bin(e, name, p, len);
	}
	talloc_free(base);
	return e;
}

static void test_lab_machine(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_ldap_entry *e = lab_machine(mem);
	struct ae_template *t = NULL;
	char why[256] = "";
	size_t blocks;

	(void)state;
	blocks = talloc_total_blocks(mem);
	assert_int_equal(ae_template_from_attrs(mem, e, &t, why, sizeof(why)), AE_OK);
	assert_ptr_equal(talloc_parent(t), mem);
	assert_string_equal(t->dn, TPL_DN);
	assert_string_equal(t->cn, "LabMachine");
	assert_string_equal(t->display_name, "Lab Machine");
	assert_int_equal(t->usn_changed, 4021);
	assert_int_equal(t->flags, 0x20260);
	assert_true(t->flags & CT_FLAG_MACHINE_TYPE);
	assert_true(t->flags & CT_FLAG_AUTO_ENROLLMENT);
	assert_int_equal(t->major_revision, 100);
	assert_int_equal(t->minor_revision, 3);
	assert_int_equal(t->schema_version, 2);
	assert_string_equal(t->oid, "1.3.6.1.4.1.311.21.8.1000001.1000.1");
	assert_int_equal(t->expiration_s, 365 * 86400);
	assert_int_equal(t->overlap_s, 42 * 86400);
	assert_int_equal(t->num_ekus, 2);
	assert_string_equal(t->ekus[0], "1.3.6.1.5.5.7.3.2");
	assert_string_equal(t->ekus[1], "1.3.6.1.5.5.7.3.1");
	assert_int_equal(t->key_usage_len, 2);
	assert_memory_equal(t->key_usage, key_usage, 2);
	assert_int_equal(t->num_critical_extensions, 1);
	assert_string_equal(t->critical_extensions[0], "2.5.29.15");
	assert_int_equal(t->default_key_spec, AE_AT_KEYEXCHANGE);
	assert_int_equal(t->num_csps, 1);
	assert_int_equal(t->csps[0].priority, 1);
	assert_string_equal(t->csps[0].name, "Microsoft RSA SChannel Cryptographic Provider");
	assert_int_equal(t->max_issuing_depth, 0);
	assert_int_equal(t->min_key_size, 2048);
	assert_int_equal(t->ra_signatures, 0);
	assert_int_equal(t->ra_syntax, AE_RA_SYNTAX_NONE);
	assert_int_equal(t->num_app_policies, 2);
	assert_int_equal(t->enrollment_flag, CT_FLAG_AUTO_ENROLLMENT);
	assert_int_equal(t->private_key_flag, 0);
	assert_int_equal(t->name_flag, CT_FLAG_SUBJECT_ALT_REQUIRE_DNS);
	assert_int_equal(t->sd_len, sizeof(fake_sd));
	assert_memory_equal(t->sd, fake_sd, sizeof(fake_sd));
	assert_true(t->present & AE_TPL_HAS_EXPIRATION);
	assert_true(t->present & AE_TPL_HAS_SCHEMA_VERSION);
	assert_true(t->present & AE_TPL_HAS_USN_CHANGED);
	assert_string_equal(why, "");
	talloc_free(t);
	assert_int_equal(talloc_total_blocks(mem), blocks);
	talloc_free(mem);
}

static void test_only_cn(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_ldap_entry *e = ae_entry_new(mem, "CN=Old,CN=Certificate Templates");
	struct ae_template *t = NULL;

	(void)state;
	add(e, "cn", "Old");
	add(e, "someUnknownAttribute", "whatever \x01");
	assert_int_equal(ae_template_from_attrs(mem, e, &t, NULL, 0), AE_OK);
	assert_string_equal(t->cn, "Old");
	assert_null(t->display_name);
	assert_null(t->oid);
	assert_int_equal(t->schema_version, 1);	/* Windows 2000 template */
	assert_int_equal(t->present, 0);
	assert_null(t->ekus);
	assert_int_equal(t->num_ekus, 0);
	assert_null(t->csps);
	assert_null(t->sd);
	assert_int_equal(t->ra_syntax, AE_RA_SYNTAX_NONE);
	assert_int_equal(t->expiration_s, 0);
	talloc_free(mem);
}

/* The values of the three flag attributes are signed 32-bit INTEGER text. */
static void test_signed_flags(void **state)
{
	static const struct {
		const char *text;
		uint32_t bits;
	} good[] = {
		{ "-1509949440", 0xA6000000u },		/* MS-CRTD §3, the User template */
		{ "-2147483648", 0x80000000u },
		{ "2147483647", 0x7FFFFFFFu },
		{ "-1", 0xFFFFFFFFu },
		{ "0", 0 },
		{ "402653184", 0x18000000u },
	};
	TALLOC_CTX *mem = talloc_new(NULL);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct ae_ldap_entry *e = lab_machine_with(mem, "msPKI-Certificate-Name-Flag",
							    good[i].text, strlen(good[i].text));
		struct ae_template *t = NULL;

		assert_int_equal(ae_template_from_attrs(mem, e, &t, NULL, 0), AE_OK);
		assert_int_equal(t->name_flag, good[i].bits);
		talloc_free(e);
		talloc_free(t);
	}
	/* pKIMaxIssuingDepth -1 = no pathLenConstraint */
	{
		struct ae_ldap_entry *e = lab_machine_with(mem, "pKIMaxIssuingDepth", "-1", 2);
		struct ae_template *t = NULL;

		assert_int_equal(ae_template_from_attrs(mem, e, &t, NULL, 0), AE_OK);
		assert_int_equal(t->max_issuing_depth, 0xFFFFFFFFu);
		talloc_free(e);
		talloc_free(t);
	}
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_int_syntax(void **state)
{
	static const struct {
		const char *text;
		ae_err err;
		int32_t v;
	} cases[] = {
		{ "0", AE_OK, 0 }, { "7", AE_OK, 7 }, { "-7", AE_OK, -7 },
		{ "2147483647", AE_OK, INT32_MAX }, { "-2147483648", AE_OK, INT32_MIN },
		{ "2147483648", AE_ERR_TOO_LARGE, 0 }, { "-2147483649", AE_ERR_TOO_LARGE, 0 },
		{ "99999999999999999999999", AE_ERR_TOO_LARGE, 0 },
		{ "", AE_ERR_PARSE, 0 }, { "-", AE_ERR_PARSE, 0 }, { "+1", AE_ERR_PARSE, 0 },
		{ " 1", AE_ERR_PARSE, 0 }, { "1 ", AE_ERR_PARSE, 0 }, { "01", AE_ERR_PARSE, 0 },
		{ "-0", AE_ERR_PARSE, 0 }, { "abc", AE_ERR_PARSE, 0 }, { "12a", AE_ERR_PARSE, 0 },
		{ "0x10", AE_ERR_PARSE, 0 },
	};
	int64_t v64 = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int32_t v = 12345;
		ae_err err = ae_value_int32((const uint8_t *)cases[i].text,
					    strlen(cases[i].text), &v);

		assert_int_equal(err, cases[i].err);
		assert_int_equal(v, err == AE_OK ? cases[i].v : 12345);
	}
	/* an interior NUL ends nothing: "1\0" is two bytes, not an integer */
	{
		int32_t v = 0;

		assert_int_equal(ae_value_int32((const uint8_t *)"1\0", 2, &v), AE_ERR_PARSE);
	}
	assert_int_equal(ae_value_int64((const uint8_t *)"9223372036854775807", 19, &v64), AE_OK);
	assert_true(v64 == INT64_MAX);
	assert_int_equal(ae_value_int64((const uint8_t *)"-9223372036854775808", 20, &v64), AE_OK);
	assert_true(v64 == INT64_MIN);
	assert_int_equal(ae_value_int64((const uint8_t *)"9223372036854775808", 19, &v64),
			 AE_ERR_TOO_LARGE);
}

static void test_filetime(void **state)
{
	static const struct {
		uint8_t b[8];
		int64_t seconds;
	} cases[] = {
		{ { 0x00, 0x40, 0x1E, 0xA4, 0xE8, 0x65, 0xFA, 0xFF }, 1825LL * 86400 },
		{ { 0x00, 0x80, 0x72, 0x0E, 0x5D, 0xC2, 0xFD, 0xFF }, 730LL * 86400 },
		{ { 0x00, 0x40, 0x39, 0x87, 0x2E, 0xE1, 0xFE, 0xFF }, 365LL * 86400 },
		{ { 0x00, 0x80, 0xA6, 0x0A, 0xFF, 0xDE, 0xFF, 0xFF }, 42LL * 86400 },
		{ { 0x00, 0x80, 0x37, 0xAE, 0xFF, 0xF4, 0xFF, 0xFF }, 14LL * 86400 },
		{ { 0x00, 0xC0, 0x1B, 0xD7, 0x7F, 0xFA, 0xFF, 0xFF }, 7LL * 86400 },
		{ { 0x00, 0x80, 0x2C, 0xAB, 0x6D, 0xFE, 0xFF, 0xFF }, 2LL * 86400 },
		{ { 0x00, 0x40, 0x96, 0xD5, 0x36, 0xFF, 0xFF, 0xFF }, 1LL * 86400 },
		{ { 0, 0, 0, 0, 0, 0, 0, 0 }, 0 },
		{ { 0, 0, 0, 0, 0, 0, 0, 0x80 }, 922337203685LL },	/* INT64_MIN / -1e7 */
	};
	TALLOC_CTX *mem = talloc_new(NULL);
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ae_ldap_entry *e = lab_machine_with(mem, "pKIExpirationPeriod",
							    cases[i].b, 8);
		struct ae_template *t = NULL;

		assert_int_equal(ae_template_from_attrs(mem, e, &t, why, sizeof(why)), AE_OK);
		assert_int_equal(t->expiration_s, cases[i].seconds);
		talloc_free(e);
		talloc_free(t);
	}
	/* 7 bytes, 9 bytes, a positive (absolute) FILETIME */
	{
		static const uint8_t nine[9] = { 0x00, 0x40, 0x39, 0x87, 0x2E, 0xE1, 0xFE, 0xFF, 0 };
		static const uint8_t positive[8] = { 0x00, 0x40, 0x39, 0x87, 0x2E, 0xE1, 0x01, 0x00 };
		struct ae_template *t = NULL;
		struct ae_ldap_entry *e = lab_machine_with(mem, "pKIOverlapPeriod", nine, 7);

		assert_int_equal(ae_template_from_attrs(mem, e, &t, why, sizeof(why)), AE_ERR_PARSE);
		assert_string_equal(why, "pKIOverlapPeriod: 7 bytes, expected an 8-byte FILETIME interval");
		talloc_free(e);
		e = lab_machine_with(mem, "pKIOverlapPeriod", nine, 9);
		assert_int_equal(ae_template_from_attrs(mem, e, &t, why, sizeof(why)), AE_ERR_PARSE);
		talloc_free(e);
		e = lab_machine_with(mem, "pKIExpirationPeriod", positive, 8);
		assert_int_equal(ae_template_from_attrs(mem, e, &t, why, sizeof(why)), AE_ERR_PARSE);
		assert_non_null(strstr(why, "pKIExpirationPeriod: "));
		assert_non_null(strstr(why, "positive"));
		assert_null(t);
		talloc_free(e);
	}
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/* Each bad value must fail with AE_ERR_PARSE, nothing left on mem, *_t untouched. */
static void test_bad_values(void **state)
{
	static const struct {
		const char *attr;
		const char *value;
		const char *why;	/* exact, or NULL: only "<attr>:" prefix checked */
	} cases[] = {
		{ "msPKI-Template-Schema-Version", "abc",
		  "msPKI-Template-Schema-Version: 'abc' is not an integer" },
		{ "revision", "-1", "revision: '-1' is out of range 0..2147483647" },
		{ "msPKI-Template-Minor-Revision", "1.5", NULL },
		{ "flags", "2147483648", "flags: '2147483648' is out of range -2147483648..2147483647" },
		{ "msPKI-Enrollment-Flag", "0x20", NULL },
		{ "msPKI-Private-Key-Flag", "", NULL },
		{ "msPKI-Minimal-Key-Size", "-2048", NULL },
		{ "uSNChanged", "-5", NULL },
		{ "pKIDefaultKeySpec", "one", NULL },
		{ "msPKI-Cert-Template-OID", "1.3.6.1.4.1.311.21.8.x",
		  "msPKI-Cert-Template-OID: '1.3.6.1.4.1.311.21.8.x' is not an OID" },
		{ "pKIExtendedKeyUsage", "clientAuth", "pKIExtendedKeyUsage: 'clientAuth' is not an OID" },
		{ "pKICriticalExtensions", "2.5.29.", NULL },
		{ "msPKI-Certificate-Policy", "3.1", NULL },
		{ "msPKI-Certificate-Application-Policy", "1..2", NULL },
		{ "msPKI-RA-Policies", "01.2", NULL },
		{ "pKIDefaultCSPs", "Microsoft RSA SChannel Cryptographic Provider",
		  "pKIDefaultCSPs: 'Microsoft RSA SChannel Cryptographic Provider' is not "
		  "'<priority>,<CSP name>'" },
		{ "pKIDefaultCSPs", "1,", NULL },
		{ "pKIDefaultCSPs", "-1,x", NULL },
		{ "pKIKeyUsage", "", "pKIKeyUsage: 0 bytes, expected 1..8" },
		{ "pKIKeyUsage", "123456789", NULL },
		{ "nTSecurityDescriptor", "", NULL },
		{ "displayName", "a\tb\x01", NULL },	/* fine: see below */
	};
	TALLOC_CTX *mem = talloc_new(NULL);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ae_ldap_entry *e = lab_machine_with(mem, cases[i].attr, cases[i].value,
							    strlen(cases[i].value));
		struct ae_template *t = (struct ae_template *)0x1;
		char why[256] = "";
		char prefix[128];
		size_t blocks = talloc_total_blocks(mem);
		ae_err err = ae_template_from_attrs(mem, e, &t, why, sizeof(why));

		if (strcmp(cases[i].attr, "displayName") == 0) {
			/* control characters are legal in a directory string */
			assert_int_equal(err, AE_OK);
			talloc_free(t);
			talloc_free(e);
			continue;
		}
		assert_int_equal(err, AE_ERR_PARSE);
		assert_ptr_equal(t, (struct ae_template *)0x1);
		assert_int_equal(talloc_total_blocks(mem), blocks);
		snprintf(prefix, sizeof(prefix), "%s: ", cases[i].attr);
		assert_memory_equal(why, prefix, strlen(prefix));
		if (cases[i].why != NULL) {
			assert_string_equal(why, cases[i].why);
		}
		talloc_free(e);
	}
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_structural_errors(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_ldap_entry *e = NULL;
	struct ae_template *t = NULL;
	char why[256] = "";

	(void)state;
	/* no cn */
	e = lab_machine_with(mem, "cn", NULL, 0);
	assert_int_equal(ae_template_from_attrs(mem, e, &t, why, sizeof(why)), AE_ERR_PARSE);
	assert_string_equal(why, "cn: missing");
	talloc_free(e);
	/* empty cn, cn with a NUL */
	e = lab_machine_with(mem, "cn", "", 0);
	assert_int_equal(ae_template_from_attrs(mem, e, &t, why, sizeof(why)), AE_ERR_PARSE);
	assert_string_equal(why, "cn: empty");
	talloc_free(e);
	e = lab_machine_with(mem, "cn", "Lab\0Machine", 11);
	assert_int_equal(ae_template_from_attrs(mem, e, &t, why, sizeof(why)), AE_ERR_PARSE);
	assert_string_equal(why, "cn: 'Lab\\x00Machine' contains a NUL byte");
	talloc_free(e);
	/* two values for a single-valued attribute */
	e = lab_machine(mem);
	add(e, "revision", "101");
	assert_int_equal(ae_template_from_attrs(mem, e, &t, why, sizeof(why)), AE_ERR_PARSE);
	assert_string_equal(why, "revision: 2 values for a single-valued attribute");
	talloc_free(e);
	/* too many values */
	{
		char oid[32];
		int i;

		e = lab_machine_with(mem, "pKIExtendedKeyUsage", NULL, 0);
		for (i = 0; i <= AE_TEMPLATE_VALUES_MAX; i++) {
			snprintf(oid, sizeof(oid), "1.2.3.%d", i);
			add(e, "pKIExtendedKeyUsage", oid);
		}
		assert_int_equal(ae_template_from_attrs(mem, e, &t, why, sizeof(why)), AE_ERR_PARSE);
		assert_string_equal(why, "pKIExtendedKeyUsage: 257 values, at most 256 accepted");
		talloc_free(e);
	}
	/* attribute names are case-insensitive; the server may add options */
	e = lab_machine_with(mem, "msPKI-Template-Schema-Version", NULL, 0);
	add(e, "MSPKI-TEMPLATE-SCHEMA-VERSION", "4");
	add(e, "msPKI-Supersede-Templates;range=0-*", "Machine");
	assert_int_equal(ae_template_from_attrs(mem, e, &t, why, sizeof(why)), AE_OK);
	assert_int_equal(t->schema_version, 4);
	assert_int_equal(t->num_supersede, 1);
	assert_string_equal(t->supersede[0], "Machine");
	talloc_free(t);
	talloc_free(e);
	/* bad arguments */
	assert_int_equal(ae_template_from_attrs(mem, NULL, &t, why, sizeof(why)), AE_ERR_INVALID);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_ra_oid_syntax(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_ldap_entry *e = lab_machine(mem);
	struct ae_template *t = NULL;
	char why[256] = "";

	(void)state;
	add(e, "msPKI-RA-Application-Policies", "1.3.6.1.4.1.311.20.2.1");
	add(e, "msPKI-RA-Application-Policies", "1.3.6.1.4.1.311.10.3.1");
	add(e, "msPKI-RA-Policies", "1.3.6.1.4.1.311.21.8.1.2");
	assert_int_equal(ae_template_from_attrs(mem, e, &t, why, sizeof(why)), AE_OK);
	assert_int_equal(t->ra_syntax, AE_RA_SYNTAX_OIDS);
	assert_int_equal(t->num_ra_app_policies, 2);
	assert_string_equal(t->ra_app_policies[0], "1.3.6.1.4.1.311.20.2.1");
	assert_string_equal(t->ra_app_policies[1], "1.3.6.1.4.1.311.10.3.1");
	assert_int_equal(t->num_ra_policies, 1);
	assert_int_equal(t->ra.present, 0);
	talloc_free(t);
	/* a bad OID in syntax 1 */
	add(e, "msPKI-RA-Application-Policies", "RSA");
	assert_int_equal(ae_template_from_attrs(mem, e, &t, why, sizeof(why)), AE_ERR_PARSE);
	assert_string_equal(why, "msPKI-RA-Application-Policies: 'RSA' is not an OID");
	talloc_free(mem);
}

static void test_ra_property_syntax(void **state)
{
	/* MS-CRTD 2.23.2's example, then what Windows writes for a v4 template */
	static const char *spec =
		"msPKI-Asymmetric-Algorithm`PZPWSTR`RSA`msPKI-Hash-Algorithm`PZPWSTR`SHA1`"
		"msPKI-Key-Usage`DWORD`2`msPKI-RA-Application-Policies`PZPWSTR`1.3.6.1.4.1.311.10.3.8`";
	static const char *v4 =
		"msPKI-Asymmetric-Algorithm`PZPWSTR`ECDSA_P256`msPKI-Hash-Algorithm`PZPWSTR`SHA256`"
		"msPKI-Key-Security-Descriptor`PZPWSTR`D:P(A;;FA;;;BA)(A;;FA;;;SY)`"
		"msPKI-Key-Usage`DWORD`16777215`msPKI-Symmetric-Algorithm`PZPWSTR`3DES`"
		"msPKI-Symmetric-Key-Length`DWORD`168`";
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_ldap_entry *e = NULL;
	struct ae_template *t = NULL;
	char why[256] = "";

	(void)state;
	e = lab_machine_with(mem, "msPKI-RA-Application-Policies", spec, strlen(spec));
	assert_int_equal(ae_template_from_attrs(mem, e, &t, why, sizeof(why)), AE_OK);
	assert_int_equal(t->ra_syntax, AE_RA_SYNTAX_PROPERTIES);
	assert_string_equal(t->ra.asymmetric_algorithm, "RSA");
	assert_string_equal(t->ra.hash_algorithm, "SHA1");
	assert_int_equal(t->ra.key_usage, AE_RA_KEY_USAGE_SIGN);
	assert_null(t->ra.symmetric_algorithm);
	assert_null(t->ra.key_security_descriptor);
	assert_int_equal(t->ra.present, AE_RA_HAS_ASYMMETRIC_ALGORITHM | AE_RA_HAS_HASH_ALGORITHM |
			 AE_RA_HAS_KEY_USAGE | AE_RA_HAS_APPLICATION_POLICIES);
	assert_int_equal(t->num_ra_app_policies, 1);
	assert_string_equal(t->ra_app_policies[0], "1.3.6.1.4.1.311.10.3.8");
	assert_ptr_equal(talloc_parent(t->ra.asymmetric_algorithm), t);
	talloc_free(t);
	talloc_free(e);

	e = lab_machine_with(mem, "msPKI-RA-Application-Policies", v4, strlen(v4));
	assert_int_equal(ae_template_from_attrs(mem, e, &t, why, sizeof(why)), AE_OK);
	assert_string_equal(t->ra.asymmetric_algorithm, "ECDSA_P256");
	assert_string_equal(t->ra.hash_algorithm, "SHA256");
	assert_string_equal(t->ra.key_security_descriptor, "D:P(A;;FA;;;BA)(A;;FA;;;SY)");
	assert_int_equal(t->ra.key_usage, AE_RA_KEY_USAGE_ALL);
	assert_string_equal(t->ra.symmetric_algorithm, "3DES");
	assert_int_equal(t->ra.symmetric_key_length, 168);
	assert_int_equal(t->num_ra_app_policies, 0);
	talloc_free(t);
	talloc_free(e);

	/* without the final terminator (as some scripts write it) */
	e = lab_machine_with(mem, "msPKI-RA-Application-Policies", v4, strlen(v4) - 1);
	assert_int_equal(ae_template_from_attrs(mem, e, &t, why, sizeof(why)), AE_OK);
	assert_int_equal(t->ra.symmetric_key_length, 168);
	talloc_free(t);
	talloc_free(e);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_ra_property_errors(void **state)
{
	static const struct {
		const char *s;
		const char *why;
	} cases[] = {
		{ "msPKI-Key-Usage`DWORD`two`",
		  "msPKI-RA-Application-Policies: msPKI-Key-Usage: 'two' is not a DWORD" },
		{ "msPKI-Key-Usage`DWORD`4294967296`",
		  "msPKI-RA-Application-Policies: msPKI-Key-Usage: '4294967296' is not a DWORD" },
		{ "msPKI-Key-Usage`DWORD``",
		  "msPKI-RA-Application-Policies: msPKI-Key-Usage: '' is not a DWORD" },
		{ "msPKI-Key-Usage`PZPWSTR`2`",
		  "msPKI-RA-Application-Policies: msPKI-Key-Usage has type PZPWSTR, expected DWORD" },
		{ "msPKI-Hash-Algorithm`DWORD`2`",
		  "msPKI-RA-Application-Policies: msPKI-Hash-Algorithm has type DWORD, expected PZPWSTR" },
		{ "msPKI-Hash-Algorithm`QWORD`2`",
		  "msPKI-RA-Application-Policies: unknown type 'QWORD' (DWORD or PZPWSTR)" },
		{ "msPKI-Hash-Algorithm`PZPWSTR`",
		  "msPKI-RA-Application-Policies: incomplete Name`Type`Value` triplet at offset 0" },
		{ "msPKI-Hash-Algorithm`PZPWSTR`SHA1`msPKI-Hash-Algorithm`PZPWSTR`SHA1`",
		  "msPKI-RA-Application-Policies: msPKI-Hash-Algorithm given twice" },
		{ "msPKI-RA-Application-Policies`PZPWSTR`1.2.3,x`",
		  "msPKI-RA-Application-Policies: 'x' in the policy list is not an OID" },
		{ "msPKI-RA-Application-Policies`PZPWSTR`1.2.3,`",
		  "msPKI-RA-Application-Policies: the policy list ends with ','" },
		{ "`", "msPKI-RA-Application-Policies: incomplete Name`Type`Value` triplet at offset 0" },
	};
	TALLOC_CTX *mem = talloc_new(NULL);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ae_ldap_entry *e = lab_machine_with(mem, "msPKI-RA-Application-Policies",
							    cases[i].s, strlen(cases[i].s));
		struct ae_template *t = NULL;
		char why[256] = "";

		assert_int_equal(ae_template_from_attrs(mem, e, &t, why, sizeof(why)), AE_ERR_PARSE);
		assert_string_equal(why, cases[i].why);
		talloc_free(e);
	}
	/* unknown names are ignored; the triplet syntax allows one value only */
	{
		struct ae_ra_properties ra = { 0 };
		char **oids = NULL;
		size_t n = 7;
		const char *s = "msPKI-Future-Thing`DWORD`5`msPKI-Hash-Algorithm`PZPWSTR`SHA384`";
		struct ae_ldap_entry *e = NULL;
		struct ae_template *t = NULL;
		char why[256] = "";

		assert_int_equal(ae_template_parse_ra_properties(mem, s, strlen(s), &ra, &oids, &n,
								 why, sizeof(why)), AE_OK);
		assert_string_equal(ra.hash_algorithm, "SHA384");
		assert_int_equal(ra.present, AE_RA_HAS_HASH_ALGORITHM);
		assert_int_equal(n, 0);
		assert_null(oids);
		talloc_free(ra.hash_algorithm);
		e = lab_machine_with(mem, "msPKI-RA-Application-Policies", s, strlen(s));
		add(e, "msPKI-RA-Application-Policies", "1.2.3");
		assert_int_equal(ae_template_from_attrs(mem, e, &t, why, sizeof(why)), AE_ERR_PARSE);
		assert_string_equal(why, "msPKI-RA-Application-Policies: 2 values, but the triplet "
				    "syntax allows one");
		talloc_free(e);
	}
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_oid_valid(void **state)
{
	static const struct {
		const char *s;
		bool ok;
	} cases[] = {
		{ "1.3.6.1.5.5.7.3.2", true }, { "2.5.29.15", true }, { "0.0", true },
		{ "1.3.6.1.4.1.311.21.8.11034890.834619.12601478.16236816.7255827.176.1.14", true },
		{ "", false }, { "1", false }, { "3.1", false }, { "1.", false }, { ".1", false },
		{ "1..2", false }, { "1.02", false }, { "01.2", false }, { "1.2a", false },
		{ "1.2 ", false }, { "-1.2", false }, { "12.3", false },
	};
	char long_oid[AE_OID_MAX + 8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ae_oid_valid(cases[i].s, strlen(cases[i].s)), cases[i].ok);
	}
	memset(long_oid, '1', sizeof(long_oid));
	long_oid[1] = '.';
	assert_true(ae_oid_valid(long_oid, AE_OID_MAX));
	assert_false(ae_oid_valid(long_oid, AE_OID_MAX + 1));
}

static void test_entry(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_ldap_entry *e = ae_entry_new(mem, "CN=x");
	const struct ae_ldap_attr *a = NULL;

	(void)state;
	assert_int_equal(ae_entry_add_value(e, "cACertificate", "\x30\x00\x01", 3), AE_OK);
	assert_int_equal(ae_entry_add_value(e, "CACERTIFICATE", "", 0), AE_OK);
	assert_int_equal(ae_entry_add_value(e, "member;range=0-1499", "a", 1), AE_OK);
	assert_int_equal(ae_entry_add_value(e, "", "a", 1), AE_ERR_INVALID);
	assert_int_equal(ae_entry_add_value(e, "x", NULL, 1), AE_ERR_INVALID);
	assert_int_equal(e->num_attrs, 2);
	a = ae_entry_attr(e, "cacertificate");
	assert_non_null(a);
	assert_int_equal(a->num_values, 2);
	assert_int_equal(a->values[0].len, 3);
	assert_int_equal(a->values[0].data[3], 0);	/* the NUL after the value */
	assert_int_equal(a->values[1].len, 0);
	assert_non_null(ae_entry_attr(e, "member"));
	assert_null(ae_entry_attr(e, "membe"));
	assert_null(ae_entry_attr(e, "member;range=0-1499x"));
	assert_null(ae_entry_attr(e, "cn"));
	talloc_free(e);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/*
 * Deterministic mutation sweep: every value of the lab template truncated
 * at each length and with each byte flipped must parse or fail cleanly.
 */
static void test_mutations(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_ldap_entry *e = lab_machine(mem);
	unsigned ok = 0, bad = 0;
	size_t i, k;

	(void)state;
	for (i = 0; i < e->num_attrs; i++) {
		struct ae_ldap_value *v = &e->attrs[i].values[0];
		size_t len = v->len;
		uint8_t *orig = talloc_memdup(mem, v->data, len + 1);

		for (k = 0; k <= 2 * len; k++) {
			struct ae_template *t = NULL;
			char why[128];
			ae_err err;

			memcpy(v->data, orig, len + 1);
			v->len = len;
			if (k < len) {
				v->len = k;		/* truncated */
			} else if (k < 2 * len) {
				v->data[k - len] ^= 0x5a;	/* one byte flipped */
			}
			err = ae_template_from_attrs(mem, e, &t, why, sizeof(why));
			assert_true(err == AE_OK || err == AE_ERR_PARSE);
			if (err == AE_OK) {
				ok++;
				talloc_free(t);
			} else {
				bad++;
				assert_true(why[0] != '\0');
			}
		}
		memcpy(v->data, orig, len + 1);
		v->len = len;
		talloc_free(orig);
	}
	assert_true(ok > 0 && bad > 0);
	talloc_free(e);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/* RA signatures + CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT: renewal only. */
static void test_renewal_only(void **state)
{
	struct ae_template t = { .ra_signatures = 1,
				 .enrollment_flag = CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT };

	(void)state;
	assert_true(ae_template_renewal_only(&t));
	t.ra_signatures = 0;
	assert_false(ae_template_renewal_only(&t));
	t.ra_signatures = 2;
	t.enrollment_flag = CT_FLAG_AUTO_ENROLLMENT;
	assert_false(ae_template_renewal_only(&t));
	assert_false(ae_template_renewal_only(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_machine),
		cmocka_unit_test(test_only_cn),
		cmocka_unit_test(test_signed_flags),
		cmocka_unit_test(test_int_syntax),
		cmocka_unit_test(test_filetime),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_structural_errors),
		cmocka_unit_test(test_ra_oid_syntax),
		cmocka_unit_test(test_ra_property_syntax),
		cmocka_unit_test(test_ra_property_errors),
		cmocka_unit_test(test_oid_valid),
		cmocka_unit_test(test_entry),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_renewal_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
