/*
 * The LDAP half of ae_principal.h: find the principal's object, then ask
 * for its tokenGroups (a constructed attribute: BASE scope only, [MS-ADTS]
 * 3.1.1.4.5.19).
 */
#include <string.h>
#include "ae_log.h"
#include "ae_principal.h"

ae_err ae_principal_read(struct ae_ldap *conn, TALLOC_CTX *mem_ctx, const char *base_dn,
			 const char *sam_account_name, struct ae_principal **_p)
{
	static const char *const obj_attrs[] = {
		"sAMAccountName", "objectSid", "primaryGroupID", "dNSHostName",
		"userAccountControl", "objectGUID", "mail", "userPrincipalName",
		"userCertificate", NULL
	};
	static const char *const tg_attrs[] = { "tokenGroups", NULL };
	struct ae_ldap_entry **objs = NULL;
	struct ae_ldap_entry **tgs = NULL;
	size_t nobj = 0;
	size_t ntg = 0;
	TALLOC_CTX *tmp = NULL;
	char *esc = NULL;
	char *filter = NULL;
	char why[256] = "";
	ae_err err;

	if (conn == NULL || base_dn == NULL || sam_account_name == NULL ||
	    sam_account_name[0] == '\0' || _p == NULL) {
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	esc = ae_ldap_escape_filter_value(tmp, sam_account_name);
	filter = esc != NULL ? talloc_asprintf(tmp, "(sAMAccountName=%s)", esc) : NULL;
	if (filter == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	err = ae_ldap_search(conn, tmp, base_dn, AE_LDAP_SCOPE_SUBTREE, filter, obj_attrs, 0,
			     &objs, &nobj);
	if (err == AE_OK && nobj == 0) {
		err = AE_ERR_NOT_FOUND;
	}
	if (err != AE_OK) {
		AE_ERROR("principal '%s': no account of that name under '%s' on %s%s",
			 sam_account_name, base_dn, ae_ldap_server(conn),
			 err == AE_ERR_NOT_FOUND ? "" : " (search failed)");
		talloc_free(tmp);
		return err;
	}
	if (nobj > 1) {
		AE_ERROR("principal '%s': %zu objects under '%s' carry that name", sam_account_name,
			 nobj, base_dn);
		talloc_free(tmp);
		return AE_ERR_LDAP;
	}
	err = ae_ldap_search(conn, tmp, objs[0]->dn, AE_LDAP_SCOPE_BASE, "(objectClass=*)",
			     tg_attrs, 0, &tgs, &ntg);
	if (err == AE_OK && ntg != 1) {
		err = AE_ERR_LDAP;
	}
	if (err != AE_OK) {
		AE_ERROR("principal '%s': cannot read tokenGroups of %s: %s", sam_account_name,
			 objs[0]->dn, ae_strerror(err));
		talloc_free(tmp);
		return err;
	}
	err = ae_principal_from_entries(mem_ctx, objs[0], tgs[0], _p, why, sizeof(why));
	if (err != AE_OK) {
		AE_ERROR("principal '%s' (%s): %s", sam_account_name, objs[0]->dn,
			 why[0] != '\0' ? why : ae_strerror(err));
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_ldap_object_guid(struct ae_ldap *conn, const char *dn,
			   uint8_t guid[AE_PRINCIPAL_GUID_LEN])
{
	static const char *const attrs[] = { "objectGUID", NULL };
	struct ae_ldap_entry **entries = NULL;
	const struct ae_ldap_attr *a = NULL;
	size_t num = 0;
	TALLOC_CTX *tmp = NULL;
	ae_err err;

	if (conn == NULL || dn == NULL || dn[0] == '\0' || guid == NULL) {
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_ldap_search(conn, tmp, dn, AE_LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0,
			     &entries, &num);
	if (err == AE_OK && num != 1) {
		err = AE_ERR_NOT_FOUND;
	}
	if (err == AE_OK) {
		a = ae_entry_attr(entries[0], "objectGUID");
		if (a == NULL || a->num_values != 1 || a->values[0].len != AE_PRINCIPAL_GUID_LEN) {
			err = AE_ERR_PARSE;
		}
	}
	if (err != AE_OK) {
		AE_ERROR("LDAP %s: cannot read the objectGUID of '%s': %s", ae_ldap_server(conn),
			 dn, ae_strerror(err));
		talloc_free(tmp);
		return err;
	}
	memcpy(guid, a->values[0].data, AE_PRINCIPAL_GUID_LEN);
	talloc_free(tmp);
	return AE_OK;
}
