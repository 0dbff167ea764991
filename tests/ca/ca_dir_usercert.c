/*
 * ca_dir_usercert.c: CT_FLAG_PUBLISH_TO_DS ([MS-CRTD] 2.26): the issued
 * certificate is added to the userCertificate attribute of the requester's
 * object, written through the CA's SYSTEM-session sam.ldb (ca_dir_ldb.h).
 * AD CS adds the value and leaves the certificates already there alone
 * (expired ones included); so does this.
 */
#include <string.h>
#include <ldb.h>
#include "ae_log.h"
#include "ca_dir_ldb.h"

#define CA_DIR_USERCERT_MAX	(64u * 1024u)	/* one DER certificate */

ae_err ca_dir_ldb_add_user_cert(struct ca_dir_ldb *d, const char *dn_text, const uint8_t *der,
				size_t len)
{
	struct ldb_context *ldb = ca_dir_ldb_context(d);
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ldb_message *msg = NULL;
	struct ldb_val val = { .data = (uint8_t *)der, .length = len };
	int ret;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	if (der == NULL || len == 0 || len > CA_DIR_USERCERT_MAX || dn_text == NULL) {
		talloc_free(tmp);
		return AE_ERR_INVALID;
	}
	msg = ldb_msg_new(tmp);
	if (msg == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	msg->dn = ldb_dn_new(msg, ldb, dn_text);
	if (msg->dn == NULL || !ldb_dn_validate(msg->dn)) {
		talloc_free(tmp);
		return AE_ERR_INVALID;
	}
	if (ldb_msg_add_empty(msg, "userCertificate", LDB_FLAG_MOD_ADD, NULL) != LDB_SUCCESS ||
	    ldb_msg_add_value(msg, "userCertificate", &val, NULL) != LDB_SUCCESS) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	ret = ldb_modify(ldb, msg);
	if (ret == LDB_ERR_ATTRIBUTE_OR_VALUE_EXISTS) {
		ret = LDB_SUCCESS;	/* published already (a second retrieval) */
	}
	if (ret != LDB_SUCCESS) {
		AE_ERROR("icpr_ca: adding a userCertificate value to %s: %s", dn_text,
			 ldb_errstring(ldb));
		talloc_free(tmp);
		return AE_ERR_LDAP;
	}
	talloc_free(tmp);
	return AE_OK;
}
