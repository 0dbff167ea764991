/*
 * test_polsrv_select.c: which policy servers a cycle traverses
 * (ae_polsrv_select, pure): the default AD policy, GPO groups by PolicyID
 * and cost, disabled groups, the forest check, EnrollmentPolicyFlags 0x2 /
 * 0x4, local servers, workgroup hosts.
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
#include "ae_aesettings.h"
#include "ae_polsrv.h"
#include "ae_polsrv_local.h"
#include "ae_polsrv_private.h"
#include "ae_xcep.h"

#define FOREST "{0A0B0C0D-0E0F-0001-0001-020304050607}"
#define CEP1 "https://cep1.lab/CEP"
#define CEP2 "https://cep2.lab/CEP"

static void ep(struct ae_endpoint *e, const char *url, const char *id, uint32_t cost,
	       enum ae_endpoint_state st)
{
	memset(e, 0, sizeof(*e));
	e->url.value = url;
	e->url.source = "Default Domain Policy {31B2F340-016D-11D2-945F-00C04FB984F9}";
	e->policy_id.value = id;
	e->cost.present = true;
	e->cost.value = cost;
	e->flags.present = true;
	e->flags.value = AE_PSF_AUTOENROLLMENT_ENABLED;
	e->kind = strcmp(url, "LDAP:") == 0 ? AE_EP_KIND_LDAP : AE_EP_KIND_HTTPS;
	e->state = st;
	e->note = "note";
}

static void test_default_ad_policy(void **state)
{
	struct ae_aesettings st = { 0 };
	struct ae_polsrv_select_in in = { .settings = &st, .joined = true, .local_allowed = true };
	struct ae_polsrv *v = NULL;
	size_t n = 0;

	assert_int_equal(ae_polsrv_select(*state, &in, &v, &n), AE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].kind, AE_POLSRV_AD);
	assert_int_equal(v[0].origin, AE_POLSRV_FROM_DEFAULT);
	assert_int_equal(v[0].state, AE_POLSRV_STANDBY);
	assert_string_equal(v[0].url, "LDAP:");
	assert_true(ae_polsrv_uses_ad(v, n));
	talloc_free(v);
	/* no settings at all (GPO unread) is the same */
	in.settings = NULL;
	assert_int_equal(ae_polsrv_select(*state, &in, &v, &n), AE_OK);
	assert_int_equal(n, 1);
	assert_true(ae_polsrv_uses_ad(v, n));
	talloc_free(v);
}

static void test_workgroup_local_only(void **state)
{
	struct ae_polsrv_local loc[] = {
		{ .url = (char *)CEP2, .policy_id = (char *)"P", .cost = 20,
		  .auth = AE_XCEP_AUTH_CERTIFICATE },
		{ .url = (char *)CEP1, .policy_id = (char *)"p", .cost = 10,
		  .auth = AE_XCEP_AUTH_PASSWORD, .credential_file = (char *)"/etc/x" },
		{ .url = (char *)"https://other/CEP", .cost = 5, .auth = AE_XCEP_AUTH_PASSWORD },
	};
	struct ae_polsrv_select_in in = { .joined = false, .local = loc, .num_local = 3,
					  .local_origin = "/var/lib/samba/x.conf",
					  .local_allowed = true };
	struct ae_polsrv *v = NULL;
	size_t n = 0;

	assert_int_equal(ae_polsrv_select(*state, &in, &v, &n), AE_OK);
	assert_int_equal(n, 3);
	assert_false(ae_polsrv_uses_ad(v, n));
	/* the URL is the policy ID of a server without one: its own group, cost 5 first */
	assert_string_equal(v[0].url, "https://other/CEP");
	assert_string_equal(v[0].policy_id, "https://other/CEP");
	assert_int_equal(ae_polsrv_group_end(v, n, 0), 1);
	/* "P" and "p" are one group (PolicyIDs compare without case), by cost */
	assert_string_equal(v[1].url, CEP1);
	assert_string_equal(v[1].credential_file, "/etc/x");
	assert_int_equal(v[1].auth, AE_XCEP_AUTH_PASSWORD);
	assert_string_equal(v[2].url, CEP2);
	assert_int_equal(ae_polsrv_group_end(v, n, 1), 3);
	assert_int_equal(v[1].origin, AE_POLSRV_FROM_LOCAL);
	assert_string_equal(v[1].origin_name, "/var/lib/samba/x.conf");
	assert_int_equal(v[2].state, AE_POLSRV_STANDBY);
	talloc_free(v);
	/* nothing configured: nothing to traverse */
	in.num_local = 0;
	assert_int_equal(ae_polsrv_select(*state, &in, &v, &n), AE_OK);
	assert_int_equal(n, 0);
	assert_null(v);
	/* the user context does not use the machine's local servers */
	in.num_local = 1;
	in.local_allowed = false;
	assert_int_equal(ae_polsrv_select(*state, &in, &v, &n), AE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].state, AE_POLSRV_DISABLED);
	assert_non_null(strstr(v[0].note, "machine context"));
	talloc_free(v);
}

static void test_gpo_groups_and_flags(void **state)
{
	struct ae_endpoint eps[5];
	struct ae_aesettings st = { .endpoints = eps, .num_endpoints = 5 };
	struct ae_polsrv_local loc[] = {
		{ .url = (char *)"https://local/CEP", .policy_id = (char *)"{CEP}", .cost = 15,
		  .auth = AE_XCEP_AUTH_KERBEROS },
	};
	struct ae_polsrv_select_in in = { .settings = &st, .joined = true, .local = loc,
					  .num_local = 1, .local_allowed = true };
	struct ae_polsrv *v = NULL;
	size_t n = 0;

	ep(&eps[0], "LDAP:", FOREST, AE_ENDPOINT_LDAP_COST, AE_EP_USABLE);
	ep(&eps[1], CEP2, "{CEP}", 20, AE_EP_USABLE);
	ep(&eps[2], CEP1, "{CEP}", 10, AE_EP_USABLE);
	ep(&eps[3], "https://off/CEP", "{OFF}", 1, AE_EP_GROUP_DISABLED);
	ep(&eps[4], "LDAP:", "{OTHER}", 2, AE_EP_POLICYID_MISMATCH);
	eps[1].auth_flags.present = true;
	eps[1].auth_flags.value = AE_AUTHF_USERNAME;
	assert_int_equal(ae_polsrv_select(*state, &in, &v, &n), AE_OK);
	assert_int_equal(n, 6);
	/* the CEP group (best cost 10) with the local end point merged by PolicyID */
	assert_string_equal(v[0].url, CEP1);
	assert_int_equal(v[0].auth, AE_XCEP_AUTH_KERBEROS);
	assert_string_equal(v[1].url, "https://local/CEP");
	assert_string_equal(v[2].url, CEP2);
	assert_int_equal(v[2].auth, AE_XCEP_AUTH_PASSWORD);
	assert_int_equal(ae_polsrv_group_end(v, n, 0), 3);
	assert_int_equal(v[0].origin, AE_POLSRV_FROM_GPO);
	assert_non_null(strstr(v[0].origin_name, "Default Domain Policy"));
	/* then the AD group */
	assert_int_equal(v[3].kind, AE_POLSRV_AD);
	assert_int_equal(v[3].state, AE_POLSRV_STANDBY);
	assert_int_equal(ae_polsrv_group_end(v, n, 3), 4);
	/* then the disabled ones with their reasons */
	assert_string_equal(v[4].url, "https://off/CEP");
	assert_int_equal(v[4].state, AE_POLSRV_DISABLED);
	assert_int_equal(v[5].state, AE_POLSRV_DISABLED);
	assert_true(ae_polsrv_uses_ad(v, n));
	talloc_free(v);

	/* 0x4 DisableUserServerList: the local one is not traversed */
	st.ps_flags.present = true;
	st.ps_flags.value = 0x4;
	assert_int_equal(ae_polsrv_select(*state, &in, &v, &n), AE_OK);
	assert_int_equal(ae_polsrv_group_end(v, n, 0), 2);
	assert_int_equal(v[n - 1].origin, AE_POLSRV_FROM_LOCAL);
	assert_int_equal(v[n - 1].state, AE_POLSRV_DISABLED);
	assert_non_null(strstr(v[n - 1].note, "DisableUserServerList"));
	talloc_free(v);

	/* 0x2 DisableGroupPolicyList: the GPO's list ignored, the default AD policy */
	st.ps_flags.value = 0x2;
	assert_int_equal(ae_polsrv_select(*state, &in, &v, &n), AE_OK);
	assert_int_equal(n, 7);
	assert_string_equal(v[0].url, "https://local/CEP");
	assert_int_equal(v[1].origin, AE_POLSRV_FROM_DEFAULT);
	assert_int_equal(v[1].state, AE_POLSRV_STANDBY);
	for (size_t i = 2; i < n; i++) {
		assert_int_equal(v[i].state, AE_POLSRV_DISABLED);
		assert_int_equal(v[i].origin, AE_POLSRV_FROM_GPO);
	}
	assert_non_null(strstr(v[2].note, "DisableGroupPolicyList"));
	talloc_free(v);
}

static void test_cep_only_means_no_ad(void **state)
{
	struct ae_endpoint eps[2];
	struct ae_aesettings st = { .endpoints = eps, .num_endpoints = 2 };
	struct ae_polsrv_select_in in = { .settings = &st, .joined = true, .local_allowed = true };
	struct ae_polsrv *v = NULL;
	size_t n = 0;

	ep(&eps[0], CEP1, "{CEP}", 10, AE_EP_USABLE);
	/* the AD group disabled (Flags without 0x10) */
	ep(&eps[1], "LDAP:", FOREST, AE_ENDPOINT_LDAP_COST, AE_EP_GROUP_DISABLED);
	assert_int_equal(ae_polsrv_select(*state, &in, &v, &n), AE_OK);
	assert_int_equal(n, 2);
	assert_false(ae_polsrv_uses_ad(v, n));
	assert_int_equal(v[1].state, AE_POLSRV_DISABLED);
	assert_string_equal(v[1].note, "note");
	talloc_free(v);
	/* the forest GUID could not be read: the LDAP: end point stays out */
	eps[1].state = AE_EP_UNCHECKED;
	assert_int_equal(ae_polsrv_select(*state, &in, &v, &n), AE_OK);
	assert_false(ae_polsrv_uses_ad(v, n));
	assert_non_null(strstr(v[1].note, "not checked"));
	talloc_free(v);
	/* two groups with LDAP: the AD policy is read once */
	eps[0] = eps[1];
	ep(&eps[0], "LDAP:", "{G1}", 1, AE_EP_USABLE);
	ep(&eps[1], "LDAP:", FOREST, 5, AE_EP_USABLE);
	assert_int_equal(ae_polsrv_select(*state, &in, &v, &n), AE_OK);
	assert_int_equal(v[0].state, AE_POLSRV_STANDBY);
	assert_int_equal(v[1].state, AE_POLSRV_DISABLED);
	assert_string_equal(ae_polsrv_state_name(v[1].state), "disabled");
	talloc_free(v);
	/* a workgroup host ignores LDAP: end points */
	in.joined = false;
	assert_int_equal(ae_polsrv_select(*state, &in, &v, &n), AE_OK);
	assert_false(ae_polsrv_uses_ad(v, n));
	assert_non_null(strstr(v[0].note, "not a domain member"));
	talloc_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_default_ad_policy, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_workgroup_local_only, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_gpo_groups_and_flags, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_cep_only_means_no_ad, leak_setup, leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
