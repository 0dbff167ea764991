/*
 * ca_local_caller.c: the caller's token as the CA would get it from an
 * authenticated session: the account's objectSid, its tokenGroups
 * (constructed by the DC's ldb modules on a base search: [MS-ADTS]
 * 3.1.1.4.5.19, primary and nested groups) and the SIDs a network logon adds
 * (Everyone S-1-1-0, NETWORK S-1-5-2, Authenticated Users S-1-5-11,
 * [MS-DTYP] 2.4.2.4). The name recorded is NETBIOSDOMAIN\sAMAccountName,
 * as icpr_ca.c records the RPC session's (the DC's domain: lpcfg_sam_name).
 */
#include <string.h>
#include <ldb.h>
#include <stdbool.h>
#include <param.h>
#include "ae_log.h"
#include "ca_dir_ldb.h"
#include "ca_local.h"

#define CL_GROUPS_MAX	1024u

static const char *const well_known[] = { "S-1-1-0", "S-1-5-2", "S-1-5-11" };

static ae_err find_by_sid(TALLOC_CTX *mem_ctx, struct ldb_context *ldb, const char *sid,
			  struct ldb_message **_msg)
{
	static const char *attrs[] = { "sAMAccountName", NULL };
	struct ldb_result *res = NULL;
	int ret;

	ret = ldb_search(ldb, mem_ctx, &res, NULL, LDB_SCOPE_SUBTREE, attrs, "(objectSid=%s)", sid);
	if (ret != LDB_SUCCESS) {
		AE_ERROR("ca-local: account search for %s: %s", sid, ldb_errstring(ldb));
		return AE_ERR_LDAP;
	}
	if (res->count != 1) {
		AE_ERROR("ca-local: no account has objectSid %s", sid);
		return AE_ERR_NOT_FOUND;
	}
	*_msg = res->msgs[0];
	return AE_OK;
}

static ae_err token_groups(TALLOC_CTX *mem_ctx, struct ldb_context *ldb, struct ldb_dn *dn,
			   const struct ldb_message_element **_el)
{
	static const char *attrs[] = { "tokenGroups", NULL };
	struct ldb_result *res = NULL;
	int ret;

	ret = ldb_search(ldb, mem_ctx, &res, dn, LDB_SCOPE_BASE, attrs, NULL);
	if (ret != LDB_SUCCESS || res->count != 1) {
		AE_ERROR("ca-local: tokenGroups of %s: %s", ldb_dn_get_linearized(dn),
			 ldb_errstring(ldb));
		return AE_ERR_LDAP;
	}
	*_el = ldb_msg_find_element(res->msgs[0], "tokenGroups");
	if (*_el != NULL && (*_el)->num_values > CL_GROUPS_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	return AE_OK;
}

static ae_err fill(struct ca_caller *c, const struct ca_sid *account,
		   const struct ldb_message_element *el)
{
	size_t n = (el ? el->num_values : 0) + 1 + sizeof(well_known) / sizeof(well_known[0]);
	size_t i, used = 0;

	c->sids = talloc_zero_array(c, struct ca_sid, n);
	if (c->sids == NULL) {
		return AE_ERR_NOMEM;
	}
	c->sids[c->num_sids++] = *account;
	for (i = 0; el != NULL && i < el->num_values; i++) {
		if (ca_sid_pull(el->values[i].data, el->values[i].length,
				&c->sids[c->num_sids], &used) != AE_OK ||
		    used != el->values[i].length) {
			return AE_ERR_PARSE;
		}
		c->num_sids++;
	}
	for (i = 0; i < sizeof(well_known) / sizeof(well_known[0]); i++) {
		if (ca_sid_from_string(well_known[i], &c->sids[c->num_sids]) != AE_OK) {
			return AE_ERR_PARSE;
		}
		c->num_sids++;
	}
	return AE_OK;
}

ae_err cl_caller(TALLOC_CTX *mem_ctx, struct ca_local *cl, struct ca_caller *_caller)
{
	struct ldb_context *ldb = ca_dir_ldb_context(cl->dir);
	const struct ldb_message_element *el = NULL;
	struct ldb_message *msg = NULL;
	struct ca_caller *c = NULL;
	struct ca_sid account;
	const char *sam;
	ae_err err;

	if (cl->caller_sid == NULL || ca_sid_from_string(cl->caller_sid, &account) != AE_OK) {
		AE_ERROR("ca-local: --caller-sid: not a SID");
		return AE_ERR_INVALID;
	}
	c = talloc_zero(mem_ctx, struct ca_caller);
	if (c == NULL) {
		return AE_ERR_NOMEM;
	}
	err = find_by_sid(c, ldb, cl->caller_sid, &msg);
	if (err == AE_OK) {
		err = token_groups(c, ldb, msg->dn, &el);
	}
	if (err == AE_OK) {
		err = fill(c, &account, el);
	}
	sam = msg ? ldb_msg_find_attr_as_string(msg, "sAMAccountName", "?") : "?";
	if (err == AE_OK) {
		c->name = talloc_asprintf(c, "%s\\%s", lpcfg_sam_name(cl->lp), sam);
		c->auth_level = 6;	/* the CES's TLS: as private as RPC privacy */
		err = c->name == NULL ? AE_ERR_NOMEM : AE_OK;
	}
	if (err != AE_OK) {
		talloc_free(c);
		return err;
	}
	*_caller = *c;
	talloc_steal(mem_ctx, c->sids);
	talloc_steal(mem_ctx, c->name);
	talloc_free(c);
	return AE_OK;
}
