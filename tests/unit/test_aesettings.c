/*
 * test_aesettings.c: the AutoEnrollment/PolicyServers settings of merged
 * Registry.pol files, the MS-CAESO end point grouping, the forest GUID
 * check and the JSON / text writers.
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
#include "ae_aesettings.h"
#include "ae_preg.h"
#include "ae_utf16.h"
#include "ae_file.h"

#define FIX SRCDIR "/tests/gpo-fixtures/"

/* objectGUID of the fixture's forest: {0A0B0C0D-0E0F-0001-0001-020304050607} */
static const uint8_t forest_guid[16] = { 0x0d, 0x0c, 0x0b, 0x0a, 0x0f, 0x0e, 0x01, 0x00,
					 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };

static struct ae_regview *view_of(TALLOC_CTX *mem, const char *const *names,
				  const char *const *sources, size_t n)
{
	struct ae_regview *view = ae_regview_new(mem);

	assert_non_null(view);
	for (size_t i = 0; i < n; i++) {
		struct ae_preg *pol = NULL;
		uint8_t *p = NULL;
		size_t len = 0;
		char *path = talloc_asprintf(mem, FIX "%s", names[i]);
		assert_int_equal(ae_file_read(mem, path, AE_PREG_MAX, &p, &len), AE_OK);
		assert_int_equal(ae_preg_parse(mem, p, len, &pol, NULL, 0), AE_OK);
		assert_int_equal(ae_preg_apply(view, pol, sources[i]), AE_OK);
	}
	return view;
}

/* --- a small JSON syntax checker, so the writer's output is proven valid --- */
static const char *j_ws(const char *s)
{
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') {
		s++;
	}
	return s;
}

static const char *j_value(const char *s, int depth);

static const char *j_string(const char *s)
{
	if (*s++ != '"') {
		return NULL;
	}
	while (*s != '"') {
		if ((unsigned char)*s < 0x20) {
			return NULL;
		}
		if (*s == '\\') {
			s++;
			if (*s == 'u') {
				for (int i = 1; i <= 4; i++) {
					if (strchr("0123456789abcdefABCDEF", s[i]) == NULL || s[i] == 0) {
						return NULL;
					}
				}
				s += 4;
			} else if (strchr("\"\\/bfnrt", *s) == NULL || *s == 0) {
				return NULL;
			}
		}
		s++;
	}
	return s + 1;
}

static const char *j_value(const char *s, int depth)
{
	s = j_ws(s);
	if (depth > 32) {
		return NULL;
	}
	if (*s == '{' || *s == '[') {
		char close = (*s == '{') ? '}' : ']';
		bool obj = (*s == '{');
		s = j_ws(s + 1);
		if (*s == close) {
			return s + 1;
		}
		for (;;) {
			if (obj) {
				s = j_string(j_ws(s));
				if (s == NULL || *(s = j_ws(s)) != ':') {
					return NULL;
				}
				s++;
			}
			s = j_value(s, depth + 1);
			if (s == NULL) {
				return NULL;
			}
			s = j_ws(s);
			if (*s == close) {
				return s + 1;
			}
			if (*s++ != ',') {
				return NULL;
			}
		}
	}
	if (*s == '"') {
		return j_string(s);
	}
	if (strncmp(s, "true", 4) == 0 || strncmp(s, "null", 4) == 0) {
		return s + 4;
	}
	if (strncmp(s, "false", 5) == 0) {
		return s + 5;
	}
	if (*s == '-' || (*s >= '0' && *s <= '9')) {
		char *end = NULL;
		strtod(s, &end);
		return end != s ? end : NULL;
	}
	return NULL;
}

static void assert_json(const char *text)
{
	const char *end = j_value(text, 0);

	if (end == NULL || *j_ws(end) != '\0') {
		fail_msg("not valid JSON:\n%s", text);
	}
}

static char *capture_json(const struct ae_preg *pol, const struct ae_aesettings *s)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	assert_int_equal(ae_pol_write_json(f, pol, s), AE_OK);
	fclose(f);
	assert_json(buf);
	return buf;
}

static void test_auto_enroll(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	const char *names[] = { "auto_enroll.pol" };
	const char *sources[] = { "{31B2F340-016D-11D2-945F-00C04FB984F9}" };
	struct ae_regview *view = view_of(mem, names, sources, 1);
	struct ae_aesettings *s = NULL;
	size_t blocks = talloc_total_blocks(mem);

	(void)state;
	assert_int_equal(ae_aesettings_from_view(mem, view, &s), AE_OK);
	assert_true(s->aepolicy.present);
	assert_int_equal(s->aepolicy.value, 7);
	assert_string_equal(s->aepolicy.source, sources[0]);
	assert_true(ae_aesettings_enroll_enabled(s));
	assert_true(s->offline_expiration_percent.present);
	assert_int_equal(s->offline_expiration_percent.value, 10);
	assert_int_equal(s->num_store_names, 1);
	assert_string_equal(s->store_names[0], "MY");
	assert_string_equal(s->store_names_source, sources[0]);
	assert_int_equal(s->num_endpoints, 0);
	assert_int_equal(s->num_groups, 0);
	assert_null(s->ps_default.value);
	assert_true(s->use_ad_policy);
	talloc_free(s);
	assert_int_equal(talloc_total_blocks(mem), blocks);
	talloc_free(mem);
}

static void test_unchecked_and_defaults(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	const char *names[] = { "auto_enroll.pol", "auto_enroll_unchecked.pol" };
	const char *sources[] = { "{DOMAIN}", "{OU}" };
	struct ae_regview *view = view_of(mem, names, sources, 2);
	struct ae_aesettings *s = NULL;
	char *d = NULL;

	(void)state;
	assert_int_equal(ae_aesettings_from_view(mem, view, &s), AE_OK);
	assert_int_equal(s->aepolicy.value, 0);
	assert_string_equal(s->aepolicy.source, "{OU}");
	assert_false(ae_aesettings_enroll_enabled(s));

	/* nothing at all: defaults, enrollment off, AD policy */
	view = ae_regview_new(mem);
	assert_int_equal(ae_aesettings_from_view(mem, view, &s), AE_OK);
	assert_false(s->aepolicy.present);
	assert_false(ae_aesettings_enroll_enabled(s));
	assert_false(s->offline_expiration_percent.present);
	assert_int_equal(s->offline_expiration_percent.value, AE_OFFLINE_EXPIRATION_PERCENT_DEFAULT);
	assert_null(s->store_names);

	d = ae_aepolicy_describe(mem, 7);
	assert_string_equal(d, "enroll|manage|pending");
	d = ae_aepolicy_describe(mem, 0x8001);
	assert_string_equal(d, "enroll|disabled");
	d = ae_aepolicy_describe(mem, 0);
	assert_string_equal(d, "none");
	d = ae_aepolicy_describe(mem, 0x10);
	assert_string_equal(d, "0x10");
	s->aepolicy.present = true;
	s->aepolicy.value = AE_AEPOLICY_ENROLL | AE_AEPOLICY_DISABLED;
	assert_false(ae_aesettings_enroll_enabled(s));
	s->aepolicy.value = AE_AEPOLICY_MANAGE | AE_AEPOLICY_PENDING;
	assert_false(ae_aesettings_enroll_enabled(s));
	talloc_free(mem);
}

static void test_guid_format(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	const uint8_t samba_fixture[16] = { 0x6d, 0xbe, 0xd0, 0x5a, 0x93, 0x33, 0x40, 0x49,
					    0x9f, 0xc3, 0x6e, 0x19, 0x55, 0x5a, 0x89, 0x19 };
	char *g = NULL;

	(void)state;
	/* leading zeros kept (Samba bug 15839 dropped them); values checked with
	 * Samba's ndr_unpack(misc.GUID, ...) */
	g = ae_objectguid_format(mem, forest_guid);
	assert_string_equal(g, "0A0B0C0D-0E0F-0001-0001-020304050607");
	g = ae_objectguid_format(mem, samba_fixture);
	assert_string_equal(g, "5AD0BE6D-3393-4940-9FC3-6E19555A8919");
	assert_true(ae_policy_id_is_forest("{0A0B0C0D-0E0F-0001-0001-020304050607}", forest_guid));
	assert_false(ae_policy_id_is_forest("{0a0b0c0d-0e0f-0001-0001-020304050607}", forest_guid));
	assert_false(ae_policy_id_is_forest("{A0B0C0D-E0F-1-1-20304050607}", forest_guid));
	assert_false(ae_policy_id_is_forest("0A0B0C0D-0E0F-0001-0001-020304050607", forest_guid));
	assert_false(ae_policy_id_is_forest(NULL, forest_guid));
	talloc_free(mem);
}

/* Samba's advanced_enroll_reg_pol (a Windows-made GPO), after a GPO that left
 * a stale end point: **DeleteKeys removes it first. */
static void test_windows_policy_servers(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_regview *view = ae_regview_new(mem);
	const char *stale_key = AE_KEY_POLICYSERVERS "\\stale";
	struct ae_preg stale = { .version = 1, .num_entries = 1 };
	struct ae_preg_entry se = { .key = stale_key, .name = "URL" };
	struct ae_aesettings *s = NULL;
	const struct ae_endpoint_group *g = NULL;
	uint8_t wrong[16];

	(void)state;
	se.val.type = AE_REG_SZ;
	se.val.kind = AE_REGVAL_STRING;
	se.val.str = "LDAP:";
	se.val.data = (const uint8_t *)"L\0D\0A\0P\0:\0\0\0";
	se.val.len = 12;
	stale.entries = &se;
	/* a stale end point applied before advanced_enroll.pol is deleted by its
	 * **DeleteKeys of ...\PolicyServers */
	assert_int_equal(ae_preg_apply(view, &stale, "{OLD}"), AE_OK);
	assert_non_null(ae_regview_get(view, stale_key, "url"));
	{
		struct ae_preg *pol = NULL;
		uint8_t *p = NULL;
		size_t len = 0;
		assert_int_equal(ae_file_read(mem, FIX "advanced_enroll.pol", AE_PREG_MAX, &p, &len),
				 AE_OK);
		assert_int_equal(ae_preg_parse(mem, p, len, &pol, NULL, 0), AE_OK);
		assert_int_equal(pol->num_entries, 30);
		assert_string_equal(pol->entries[0].name, "**DeleteKeys");
		assert_int_equal(ae_preg_apply(view, pol, "{ADV}"), AE_OK);
		assert_null(ae_regview_get(view, stale_key, "URL"));
	}
	assert_int_equal(ae_aesettings_from_view(mem, view, &s), AE_OK);
	assert_int_equal(s->aepolicy.value, 7);
	assert_int_equal(s->offline_expiration_percent.value, 25);
	assert_string_equal(s->ps_default.value, "{5AD0BE6D-3393-4940-BFC3-6E19555A8919}");
	assert_true(s->ps_flags.present);
	assert_int_equal(s->ps_flags.value, 0);
	assert_int_equal(s->num_endpoints, 4);
	assert_int_equal(s->num_groups, 1);
	g = &s->groups[0];
	assert_string_equal(g->policy_id, "{0A0B0C0D-0E0F-0001-0001-020304050607}");
	assert_true(g->enabled);
	assert_int_equal(g->num_members, 4);
	/* cost 1 Kerberos (registry order on a full tie), cost 10, then LDAP: */
	assert_string_equal(g->members[0]->url.value,
			    "https://example0.com/ADPolicyProvider_CEP_Kerberos/service.svc/CEP");
	assert_string_equal(g->members[1]->url.value,
			    "https://example1.com/ADPolicyProvider_CEP_Kerberos/service.svc/CEP");
	assert_string_equal(g->members[2]->url.value,
			    "https://example2.com/ADPolicyProvider_CEP_Certificate/service.svc/CEP");
	assert_string_equal(g->members[3]->url.value, "LDAP:");
	assert_int_equal(g->members[3]->cost.value, AE_ENDPOINT_LDAP_COST);
	assert_string_equal(g->members[3]->subkey, "37c9dc30f207f27f61a2f7c3aed598a6e2920b54");
	assert_string_equal(g->members[3]->friendly_name.value, "Example");
	assert_string_equal(g->members[3]->url.source, "{ADV}");
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(g->members[i]->kind, AE_EP_KIND_HTTPS);
		assert_int_equal(g->members[i]->state, AE_EP_USABLE);
		assert_string_equal(g->members[i]->note, "MS-XCEP policy server (CEP)");
	}
	assert_int_equal(g->members[3]->state, AE_EP_UNCHECKED);
	assert_false(s->use_ad_policy);

	/* the wrong forest: the LDAP: end point is refused, no AD policy */
	memcpy(wrong, forest_guid, 16);
	wrong[15] ^= 1;
	assert_int_equal(ae_aesettings_check_forest(s, wrong), AE_OK);
	assert_int_equal(g->members[3]->state, AE_EP_POLICYID_MISMATCH);
	assert_false(s->use_ad_policy);
	assert_true(s->forest_checked);
	/* the right one */
	assert_int_equal(ae_aesettings_check_forest(s, forest_guid), AE_OK);
	assert_int_equal(g->members[3]->state, AE_EP_USABLE);
	assert_true(s->use_ad_policy);
	assert_string_equal(ae_endpoint_state_name(g->members[3]->state), "usable");
	assert_int_equal(ae_aesettings_check_forest(NULL, forest_guid), AE_ERR_INVALID);
	talloc_free(mem);
}

static void set_ep(TALLOC_CTX *mem, struct ae_regview *view, const char *sub, const char *url,
		   const char *id, int flags, int auth, int cost)
{
	struct ae_preg_entry e[6];
	struct ae_preg pol = { .version = 1, .entries = e };
	char *key = talloc_asprintf(mem, "%s\\%s", AE_KEY_POLICYSERVERS, sub);
	const char *strs[2] = { url, id };
	const char *snames[2] = { "URL", "PolicyID" };
	const char *dnames[3] = { "Flags", "AuthFlags", "Cost" };
	int dvals[3] = { flags, auth, cost };

	memset(e, 0, sizeof(e));
	for (size_t i = 0; i < 2; i++) {
		if (strs[i] == NULL) {
			continue;
		}
		e[pol.num_entries].key = key;
		e[pol.num_entries].name = snames[i];
		e[pol.num_entries].val.type = AE_REG_SZ;
		e[pol.num_entries].val.kind = AE_REGVAL_STRING;
		e[pol.num_entries].val.str = strs[i];
		e[pol.num_entries].val.data = (const uint8_t *)"";
		pol.num_entries++;
	}
	for (size_t i = 0; i < 3; i++) {
		if (dvals[i] < 0) {
			continue;
		}
		e[pol.num_entries].key = key;
		e[pol.num_entries].name = dnames[i];
		e[pol.num_entries].val.type = AE_REG_DWORD;
		e[pol.num_entries].val.kind = AE_REGVAL_U32;
		e[pol.num_entries].val.u32 = (uint32_t)dvals[i];
		e[pol.num_entries].val.data = (const uint8_t *)"";
		pol.num_entries++;
	}
	assert_int_equal(ae_preg_apply(view, &pol, sub), AE_OK);
}

static void test_grouping_rules(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_regview *view = ae_regview_new(mem);
	const char *A = "{AAAAAAAA-0000-0000-0000-000000000000}";
	const char *B = "{BBBBBBBB-0000-0000-0000-000000000000}";
	struct ae_aesettings *s = NULL;
	const struct ae_endpoint_group *g = NULL;
	char *json = NULL;

	(void)state;
	/* group A, all cost 5: Certificate, UserName, Anonymous, Kerberos, then cost 3 */
	set_ep(mem, view, "a1", "https://a1/CEP", A, 16, 8, 5);
	set_ep(mem, view, "a2", "https://a2/CEP", A, 16, 4, 5);
	set_ep(mem, view, "a3", "https://a3/CEP", A, 16, 1, 5);
	set_ep(mem, view, "a4", "HTTPS://a4/CEP", A, 16, 2, 5);
	set_ep(mem, view, "a5", "https://a5/CEP", A, 16, 8, 3);
	set_ep(mem, view, "a6", "ldap:", A, 16, 2, -1);	/* no Cost: last */
	/* group B: the best member's Flags lack 0x10 */
	set_ep(mem, view, "b1", "LDAP:", B, 0, 2, 1);
	set_ep(mem, view, "b2", "https://b2/CEP", B, 16, 2, 2);
	/* invalid ones */
	set_ep(mem, view, "c1", "https://c1/CEP", NULL, 16, 2, 1);
	set_ep(mem, view, "c2", NULL, A, 16, 2, 1);
	set_ep(mem, view, "c3", "http://c3/CEP", A, 16, 2, 1);

	assert_int_equal(ae_aesettings_from_view(mem, view, &s), AE_OK);
	assert_int_equal(s->num_endpoints, 11);
	assert_int_equal(s->num_groups, 2);
	g = &s->groups[0];
	assert_string_equal(g->policy_id, A);
	assert_true(g->enabled);
	assert_int_equal(g->num_members, 6);
	assert_string_equal(g->members[0]->subkey, "a5");
	assert_string_equal(g->members[1]->subkey, "a4");	/* Kerberos */
	assert_string_equal(g->members[2]->subkey, "a3");	/* Anonymous */
	assert_string_equal(g->members[3]->subkey, "a1");	/* the rest, registry order */
	assert_string_equal(g->members[4]->subkey, "a2");
	assert_string_equal(g->members[5]->subkey, "a6");
	assert_int_equal(g->members[1]->kind, AE_EP_KIND_HTTPS);
	assert_int_equal(g->members[5]->kind, AE_EP_KIND_LDAP);
	g = &s->groups[1];
	assert_false(g->enabled);
	assert_string_equal(g->members[0]->subkey, "b1");
	assert_int_equal(g->members[0]->state, AE_EP_GROUP_DISABLED);
	assert_int_equal(g->members[1]->state, AE_EP_GROUP_DISABLED);
	assert_int_equal(s->endpoints[8].state, AE_EP_INVALID);
	assert_string_equal(s->endpoints[8].note, "no PolicyID value");
	assert_string_equal(s->endpoints[9].note, "no URL value");
	assert_string_equal(s->endpoints[10].note, "URL is neither LDAP: nor https://");

	/* the LDAP: of group A is not this forest's; B's is disabled */
	assert_int_equal(ae_aesettings_check_forest(s, forest_guid), AE_OK);
	assert_false(s->use_ad_policy);
	assert_int_equal(s->groups[0].members[5]->state, AE_EP_POLICYID_MISMATCH);
	assert_int_equal(s->groups[1].members[0]->state, AE_EP_GROUP_DISABLED);

	json = capture_json(NULL, s);
	assert_non_null(strstr(json, "\"state\": \"policyid-mismatch\""));
	assert_non_null(strstr(json, "\"order\": [\"a5\", \"a4\", \"a3\", \"a1\", \"a2\", \"a6\"]"));
	free(json);
	talloc_free(mem);
}

static void test_writers(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	const char *names[] = { "every_type.pol", "advanced_enroll.pol" };
	const char *sources[] = { "{TYPES}", "{ADV}\x01\"" };
	struct ae_regview *view = view_of(mem, names, sources, 2);
	struct ae_aesettings *s = NULL;
	struct ae_preg *pol = NULL;
	uint8_t *p = NULL;
	size_t len = 0;
	char *buf = NULL;
	FILE *f = NULL;

	(void)state;
	assert_int_equal(ae_file_read(mem, FIX "every_type.pol", AE_PREG_MAX, &p, &len), AE_OK);
	assert_int_equal(ae_preg_parse(mem, p, len, &pol, NULL, 0), AE_OK);
	assert_int_equal(ae_aesettings_from_view(mem, view, &s), AE_OK);
	assert_int_equal(ae_aesettings_check_forest(s, forest_guid), AE_OK);

	buf = capture_json(pol, s);
	assert_non_null(strstr(buf, "\"name\": \"Sz\", \"type\": 1, \"type_name\": \"REG_SZ\""));
	assert_non_null(strstr(buf, "\"data\": \"caf\xc3\xa9 \xe2\x82\xac\""));
	assert_non_null(strstr(buf, "\"data\": [\"MY\", \"Root\", \"CA\"]"));
	assert_non_null(strstr(buf, "\"data\": 72623859790382856"));	/* the QWORD */
	assert_non_null(strstr(buf, "\"data\": \"0001feff\""));
	assert_non_null(strstr(buf, "\"data\": \"%SystemRoot%\\\\x\""));
	assert_non_null(strstr(buf, "\"aepolicy_flags\": [\"enroll\", \"manage\", \"pending\"]"));
	assert_non_null(strstr(buf, "\"use_ad_policy\": true"));
	assert_non_null(strstr(buf, "\"source\": \"{ADV}\\u0001\\\"\""));
	free(buf);

	/* escaping of every special character */
	f = open_memstream(&buf, &len);
	ae_json_string(f, "a\"b\\c\nd\te\x01\x7f/");
	fputc(' ', f);
	ae_json_string(f, NULL);
	fclose(f);
	assert_string_equal(buf, "\"a\\\"b\\\\c\\nd\\te\\u0001\\u007f/\" null");
	free(buf);

	/* settings and entries alone are valid JSON too */
	f = open_memstream(&buf, &len);
	assert_int_equal(ae_aesettings_write_json(f, s), AE_OK);
	fclose(f);
	assert_json(buf);
	free(buf);
	f = open_memstream(&buf, &len);
	assert_int_equal(ae_preg_write_json(f, pol), AE_OK);
	fclose(f);
	assert_json(buf);
	free(buf);

	/* the text dump: each entry, then the settings */
	f = open_memstream(&buf, &len);
	assert_int_equal(ae_preg_dump(f, pol), AE_OK);
	assert_int_equal(ae_aesettings_dump(f, s), AE_OK);
	fclose(f);
	assert_non_null(strstr(buf, "Registry.pol: PReg version 1, 12 entries"));
	assert_non_null(strstr(buf, "  Value: Dword\n  Type:  REG_DWORD (4)\n"
				    "  Data:  3735928559 (0xdeadbeef)\n"));
	assert_non_null(strstr(buf, "  Value: (default)\n"));
	assert_non_null(strstr(buf, "  AEPolicy:                    7 (enroll|manage|pending)"
				    "  (from {ADV}\\x01\")\n"));
	assert_non_null(strstr(buf, "    4. LDAP:, cost 2147483645, auth 2, flags 16: usable"));
	assert_non_null(strstr(buf, "AD (LDAP) enrollment policy: yes"));
	/* a control character from a hostile file is shown escaped */
	assert_null(strchr(buf, '\x01'));
	free(buf);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auto_enroll),
		cmocka_unit_test(test_unchecked_and_defaults),
		cmocka_unit_test(test_guid_format),
		cmocka_unit_test(test_windows_policy_servers),
		cmocka_unit_test(test_grouping_rules),
		cmocka_unit_test(test_writers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
