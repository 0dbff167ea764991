/*
 * ca_dir_ldb.c: templates, the enrollment service and the requester's
 * object, read from sam.ldb (MS-WCCE 3.2.2.1.1.1 lists what a CA reads).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <ndr.h>
#include <ldb.h>
#include <param.h>
#include <samba/session.h>
#include "ae_log.h"
#include "ca_der.h"
#include "ca_dir_ldb.h"

#define PKS "CN=Public Key Services,CN=Services"
#define ONE_YEAR (365 * 24 * 3600)

struct ca_dir_ldb {
	struct ldb_context *ldb;
	struct ldb_dn *config_dn;
};

static const char *template_attrs[] = {
	"cn", "revision", "msPKI-Template-Minor-Revision", "msPKI-Template-Schema-Version",
	"msPKI-Cert-Template-OID", "msPKI-Certificate-Name-Flag", "msPKI-Enrollment-Flag",
	"msPKI-Minimal-Key-Size", "pKIExpirationPeriod", "pKIExtendedKeyUsage", "pKIKeyUsage",
	"pKICriticalExtensions", "msPKI-Certificate-Application-Policy", "flags",
	"nTSecurityDescriptor", NULL
};

static const char *account_attrs[] = {
	"cn", "dNSHostName", "sAMAccountName", "objectSid", "userPrincipalName", "mail",
	"objectGUID", NULL
};

static struct ldb_dn *find_config_dn(TALLOC_CTX *mem_ctx, struct ldb_context *ldb)
{
	static const char *attrs[] = { "configurationNamingContext", NULL };
	struct ldb_result *res = NULL;
	struct ldb_dn *dn = NULL;
	const char *s;
	int ret;

	ret = ldb_search(ldb, mem_ctx, &res, ldb_dn_new(mem_ctx, ldb, ""), LDB_SCOPE_BASE,
			 attrs, NULL);
	if (ret == LDB_SUCCESS && res->count == 1) {
		s = ldb_msg_find_attr_as_string(res->msgs[0], "configurationNamingContext", NULL);
		if (s != NULL) {
			dn = ldb_dn_new(mem_ctx, ldb, s);
		}
	}
	talloc_free(res);
	if (dn == NULL && ldb_get_config_basedn(ldb) != NULL) {
		dn = ldb_dn_copy(mem_ctx, ldb_get_config_basedn(ldb));
	}
	return dn;
}

ae_err ca_dir_ldb_open(TALLOC_CTX *mem_ctx, const char *url, struct loadparm_context *lp_ctx,
		       struct ca_dir_ldb **_d)
{
	struct ca_dir_ldb *d = talloc_zero(mem_ctx, struct ca_dir_ldb);
	struct auth_session_info *system = NULL;
	int ret;

	if (d == NULL) {
		return AE_ERR_NOMEM;
	}
	if (url == NULL || url[0] == '\0' || lp_ctx == NULL) {
		AE_ERROR("icpr_ca: ICPR_SAM_LDB is not set");
		talloc_free(d);
		return AE_ERR_CONFIG;
	}
	d->ldb = ldb_init(d, NULL);
	system = system_session(lp_ctx);
	if (d->ldb == NULL || system == NULL ||
	    ldb_set_opaque(d->ldb, "loadparm", lp_ctx) != LDB_SUCCESS ||
	    ldb_set_opaque(d->ldb, "sessionInfo", system) != LDB_SUCCESS) {
		talloc_free(d);
		return AE_ERR_NOMEM;
	}
	ret = ldb_connect(d->ldb, url, 0, NULL);
	if (ret != LDB_SUCCESS) {
		AE_ERROR("icpr_ca: ldb_connect(%s): %s", url, ldb_errstring(d->ldb));
		talloc_free(d);
		return AE_ERR_LDAP;
	}
	d->config_dn = find_config_dn(d, d->ldb);
	if (d->config_dn == NULL) {
		AE_ERROR("icpr_ca: %s: no configurationNamingContext", url);
		talloc_free(d);
		return AE_ERR_LDAP;
	}
	*_d = d;
	return AE_OK;
}

/* Signed or unsigned 32-bit LDAP INTEGER text -> uint32 (absent: dflt). */
static uint32_t msg_u32(const struct ldb_message *msg, const char *attr, uint32_t dflt)
{
	const char *s = ldb_msg_find_attr_as_string(msg, attr, NULL);
	char *end = NULL;
	long long v;

	if (s == NULL) {
		return dflt;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < INT32_MIN || v > (long long)UINT32_MAX) {
		AE_WARN("icpr_ca: %s: bad integer \"%s\"", attr, s);
		return dflt;
	}
	return (uint32_t)v;
}

/* All values of a multi-valued string attribute, on mem_ctx. */
static ae_err msg_strings(TALLOC_CTX *mem_ctx, const struct ldb_message *msg, const char *attr,
			  const char ***_v, size_t *_n)
{
	const struct ldb_message_element *el = ldb_msg_find_element(msg, attr);
	const char **v = NULL;
	unsigned i;

	*_v = NULL;
	*_n = 0;
	if (el == NULL || el->num_values == 0) {
		return AE_OK;
	}
	if (el->num_values > CA_DIR_VALUES_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	v = talloc_array(mem_ctx, const char *, el->num_values);
	if (v == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < el->num_values; i++) {
		v[i] = talloc_strndup(v, (const char *)el->values[i].data, el->values[i].length);
		if (v[i] == NULL) {
			talloc_free(v);
			return AE_ERR_NOMEM;
		}
	}
	*_v = v;
	*_n = el->num_values;
	return AE_OK;
}

static ae_err to_template(TALLOC_CTX *mem_ctx, const struct ldb_message *msg,
			  struct ca_template **_t)
{
	struct ca_template *t = talloc_zero(mem_ctx, struct ca_template);
	const struct ldb_val *v = NULL;
	ae_err err;

	if (t == NULL) {
		return AE_ERR_NOMEM;
	}
	t->cn = talloc_strdup(t, ldb_msg_find_attr_as_string(msg, "cn", ""));
	t->oid = talloc_strdup(t, ldb_msg_find_attr_as_string(msg, "msPKI-Cert-Template-OID", ""));
	if (t->cn == NULL || t->oid == NULL) {
		talloc_free(t);
		return AE_ERR_NOMEM;
	}
	if (t->oid[0] == '\0') {
		t->oid = NULL;
	}
	t->schema_version = msg_u32(msg, "msPKI-Template-Schema-Version", 1);
	t->revision = msg_u32(msg, "revision", 0);
	t->minor_revision = msg_u32(msg, "msPKI-Template-Minor-Revision", 0);
	t->flags = msg_u32(msg, "flags", 0);
	t->name_flags = msg_u32(msg, "msPKI-Certificate-Name-Flag", 0);
	t->enrollment_flags = msg_u32(msg, "msPKI-Enrollment-Flag", 0);
	t->min_key_size = msg_u32(msg, "msPKI-Minimal-Key-Size", 0);
	v = ldb_msg_find_ldb_val(msg, "pKIExpirationPeriod");
	if (v == NULL || ca_period_parse(v->data, v->length, &t->validity_seconds) != AE_OK) {
		AE_WARN("icpr_ca: template %s: no usable pKIExpirationPeriod, 1 year", t->cn);
		t->validity_seconds = ONE_YEAR;
	}
	v = ldb_msg_find_ldb_val(msg, "pKIKeyUsage");
	if (v != NULL && v->length >= 1) {
		t->key_usage_len = v->length > 2 ? 2 : v->length;
		memcpy(t->key_usage, v->data, t->key_usage_len);
	}
	v = ldb_msg_find_ldb_val(msg, "nTSecurityDescriptor");
	if (v != NULL) {
		t->sd = talloc_memdup(t, v->data, v->length);
		t->sd_len = v->length;
	}
	err = msg_strings(t, msg, "pKIExtendedKeyUsage", &t->eku, &t->num_eku);
	if (err == AE_OK) {
		err = msg_strings(t, msg, "msPKI-Certificate-Application-Policy",
				  &t->app_policies, &t->num_app_policies);
	}
	if (err == AE_OK) {
		err = msg_strings(t, msg, "pKICriticalExtensions", &t->critical, &t->num_critical);
	}
	if (err != AE_OK || (v != NULL && t->sd == NULL)) {
		talloc_free(t);
		return err != AE_OK ? err : AE_ERR_NOMEM;
	}
	*_t = t;
	return AE_OK;
}

static ae_err find_template(void *priv, TALLOC_CTX *mem_ctx, const char *key, bool by_oid,
			    struct ca_template **_t)
{
	struct ca_dir_ldb *d = priv;
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	struct ldb_result *res = NULL;
	struct ldb_dn *base = NULL;
	char *esc = NULL;
	ae_err err;
	int ret;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	base = ldb_dn_copy(tmp, d->config_dn);
	esc = ldb_binary_encode_string(tmp, key);
	if (base == NULL || esc == NULL ||
	    !ldb_dn_add_child_fmt(base, "CN=Certificate Templates," PKS)) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	ret = ldb_search(d->ldb, tmp, &res, base, LDB_SCOPE_ONELEVEL, template_attrs,
			 "(&(objectClass=pKICertificateTemplate)(%s=%s))",
			 by_oid ? "msPKI-Cert-Template-OID" : "cn", esc);
	if (ret != LDB_SUCCESS) {
		AE_ERROR("icpr_ca: template search: %s", ldb_errstring(d->ldb));
		talloc_free(tmp);
		return AE_ERR_LDAP;
	}
	if (res->count != 1) {
		talloc_free(tmp);
		return AE_ERR_NOT_FOUND;
	}
	err = to_template(mem_ctx, res->msgs[0], _t);
	talloc_free(tmp);
	return err;
}

static ae_err service_templates(void *priv, TALLOC_CTX *mem_ctx, const char *ca_name,
				const char ***_names, size_t *_num)
{
	static const char *attrs[] = { "certificateTemplates", NULL };
	struct ca_dir_ldb *d = priv;
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	struct ldb_result *res = NULL;
	struct ldb_dn *base = NULL;
	ae_err err;
	int ret;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	base = ldb_dn_copy(tmp, d->config_dn);
	if (base == NULL || !ldb_dn_add_child_fmt(base, "CN=Enrollment Services," PKS) ||
	    !ldb_dn_add_child_val(base, "CN",
				  data_blob_string_const(ca_name))) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	ret = ldb_search(d->ldb, tmp, &res, base, LDB_SCOPE_BASE, attrs,
			 "(objectClass=pKIEnrollmentService)");
	if (ret == LDB_ERR_NO_SUCH_OBJECT || (ret == LDB_SUCCESS && res->count == 0)) {
		talloc_free(tmp);
		return AE_ERR_NOT_FOUND;
	}
	if (ret != LDB_SUCCESS) {
		AE_ERROR("icpr_ca: enrollment service search: %s", ldb_errstring(d->ldb));
		talloc_free(tmp);
		return AE_ERR_LDAP;
	}
	err = msg_strings(mem_ctx, res->msgs[0], "certificateTemplates", _names, _num);
	talloc_free(tmp);
	return err;
}

static ae_err find_account(void *priv, TALLOC_CTX *mem_ctx, const struct ca_sid *sid,
			   struct ca_account **_a)
{
	struct ca_dir_ldb *d = priv;
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	struct ldb_result *res = NULL;
	struct ca_account *a = NULL;
	const struct ldb_message *m;
	const struct ldb_val *v;
	char *sid_text = NULL;
	size_t used = 0;
	int ret;

	if (tmp == NULL || (sid_text = ca_sid_string(tmp, sid)) == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	ret = ldb_search(d->ldb, tmp, &res, NULL, LDB_SCOPE_SUBTREE, account_attrs,
			 "(objectSid=%s)", sid_text);
	if (ret != LDB_SUCCESS) {
		AE_ERROR("icpr_ca: account search: %s", ldb_errstring(d->ldb));
		talloc_free(tmp);
		return AE_ERR_LDAP;
	}
	if (res->count != 1) {
		talloc_free(tmp);
		return AE_ERR_NOT_FOUND;
	}
	m = res->msgs[0];
	a = talloc_zero(tmp, struct ca_account);
	if (a == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	a->dn = ldb_dn_get_linearized(m->dn);
	a->cn = ldb_msg_find_attr_as_string(m, "cn", NULL);
	a->sam_account_name = ldb_msg_find_attr_as_string(m, "sAMAccountName", NULL);
	a->dns_host_name = ldb_msg_find_attr_as_string(m, "dNSHostName", NULL);
	a->upn = ldb_msg_find_attr_as_string(m, "userPrincipalName", NULL);
	a->mail = ldb_msg_find_attr_as_string(m, "mail", NULL);
	v = ldb_msg_find_ldb_val(m, "objectSid");
	if (v == NULL || ca_sid_pull(v->data, v->length, &a->sid, &used) != AE_OK ||
	    used != v->length) {
		talloc_free(tmp);
		return AE_ERR_PARSE;
	}
	v = ldb_msg_find_ldb_val(m, "objectGUID");
	if (v != NULL && v->length == 16) {
		memcpy(a->guid, v->data, 16);
		a->has_guid = true;
	}
	talloc_steal(a, res);	/* the strings point into res */
	*_a = talloc_steal(mem_ctx, a);
	talloc_free(tmp);
	return AE_OK;
}

static ae_err publish_user_cert(void *priv, const char *dn, const uint8_t *der, size_t len)
{
	return ca_dir_ldb_add_user_cert(priv, dn, der, len);
}

void ca_dir_ldb_ops(struct ca_dir_ldb *d, struct ca_directory *_ops)
{
	_ops->priv = d;
	_ops->service_templates = service_templates;
	_ops->find_template = find_template;
	_ops->find_account = find_account;
	_ops->publish_user_cert = publish_user_cert;
}

struct ldb_context *ca_dir_ldb_context(struct ca_dir_ldb *d)
{
	return d->ldb;
}

const char *ca_dir_ldb_config_dn(struct ca_dir_ldb *d)
{
	return ldb_dn_get_linearized(d->config_dn);
}

/* Add dn with objectClass oc and, when val is given, attr = val. */
static int add_object(struct ca_dir_ldb *d, TALLOC_CTX *mem_ctx, struct ldb_dn *dn,
		      const char *oc, const char *attr, const struct ldb_val *val)
{
	struct ldb_message *msg = ldb_msg_new(mem_ctx);

	if (msg == NULL) {
		return LDB_ERR_OPERATIONS_ERROR;
	}
	msg->dn = dn;
	if (ldb_msg_add_string(msg, "objectClass", oc) != LDB_SUCCESS ||
	    (val != NULL && ldb_msg_add_value(msg, attr, val, NULL) != LDB_SUCCESS)) {
		return LDB_ERR_OPERATIONS_ERROR;
	}
	return ldb_add(d->ldb, msg);
}

static int replace_value(struct ca_dir_ldb *d, TALLOC_CTX *mem_ctx, struct ldb_dn *dn,
			 const char *attr, const struct ldb_val *val)
{
	struct ldb_message *msg = ldb_msg_new(mem_ctx);

	if (msg == NULL) {
		return LDB_ERR_OPERATIONS_ERROR;
	}
	msg->dn = dn;
	if (ldb_msg_add_empty(msg, attr, LDB_FLAG_MOD_REPLACE, NULL) != LDB_SUCCESS ||
	    ldb_msg_add_value(msg, attr, val, NULL) != LDB_SUCCESS) {
		return LDB_ERR_OPERATIONS_ERROR;
	}
	return ldb_modify(d->ldb, msg);
}

ae_err ca_dir_ldb_publish_crl(struct ca_dir_ldb *d, const char *dn_text, const uint8_t *der,
			      size_t len, bool *_changed)
{
	static const char *attrs[] = { "certificateRevocationList", NULL };
	static const char attr[] = "certificateRevocationList";
	TALLOC_CTX *tmp = talloc_new(d);
	struct ldb_dn *dn = NULL, *parent = NULL;
	struct ldb_result *res = NULL;
	const struct ldb_val *cur = NULL;
	struct ldb_val val = { .data = (uint8_t *)der, .length = len };
	int ret;

	*_changed = false;
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	if (der == NULL || len == 0 || len > CA_DIR_CRL_MAX) {
		talloc_free(tmp);
		return AE_ERR_INVALID;
	}
	dn = ldb_dn_new(tmp, d->ldb, dn_text);
	parent = dn ? ldb_dn_get_parent(tmp, dn) : NULL;
	if (dn == NULL || parent == NULL || !ldb_dn_validate(dn)) {
		talloc_free(tmp);
		return AE_ERR_INVALID;
	}
	ret = ldb_search(d->ldb, tmp, &res, dn, LDB_SCOPE_BASE, attrs, NULL);
	if (ret == LDB_SUCCESS && res->count == 1) {
		cur = ldb_msg_find_ldb_val(res->msgs[0], attr);
		if (cur != NULL && cur->length == len && memcmp(cur->data, der, len) == 0) {
			talloc_free(tmp);
			return AE_OK;
		}
		ret = replace_value(d, tmp, dn, attr, &val);
	} else if (ret == LDB_ERR_NO_SUCH_OBJECT || (ret == LDB_SUCCESS && res->count == 0)) {
		ret = add_object(d, tmp, parent, "container", NULL, NULL);
		if (ret == LDB_SUCCESS || ret == LDB_ERR_ENTRY_ALREADY_EXISTS) {
			ret = add_object(d, tmp, dn, "cRLDistributionPoint", attr, &val);
		}
	}
	if (ret != LDB_SUCCESS) {
		AE_ERROR("icpr_ca: publishing the CRL at %s: %s", dn_text, ldb_errstring(d->ldb));
		talloc_free(tmp);
		return AE_ERR_LDAP;
	}
	*_changed = true;
	talloc_free(tmp);
	return AE_OK;
}
