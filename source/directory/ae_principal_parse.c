/*
 * The pure half of ae_principal.h: the principal and its token from the
 * entries the two searches returned.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "ae_principal.h"


/* Exactly one value of attribute 'name'. */
static const struct ae_ldap_value *single(const struct ae_ldap_entry *e, const char *name,
					  char *why, size_t why_len)
{
	const struct ae_ldap_attr *a = ae_entry_attr(e, name);

	if (a == NULL) {
		ae_why(why, why_len, "%s: missing", name);
		return NULL;
	}
	if (a->num_values != 1) {
		ae_why(why, why_len, "%s: %zu values, one expected", name, a->num_values);
		return NULL;
	}
	return &a->values[0];
}

/* Text without NUL, 1..max bytes, copied on mem_ctx. */
static ae_err text_value(TALLOC_CTX *mem_ctx, const struct ae_ldap_value *v, const char *name,
			 size_t max, char **_s, char *why, size_t why_len)
{
	char *s = NULL;

	if (v->len == 0 || v->len > max || memchr(v->data, '\0', v->len) != NULL) {
		ae_why(why, why_len, "%s: not a text of 1..%zu bytes", name, max);
		return AE_ERR_PARSE;
	}
	s = talloc_strndup(mem_ctx, (const char *)v->data, v->len);
	if (s == NULL) {
		return AE_ERR_NOMEM;
	}
	*_s = s;
	return AE_OK;
}

/* LDAP INTEGER text within int32: '-'? digits, no leading zeros. */
static ae_err int32_value(const struct ae_ldap_value *v, const char *name, int32_t *_out,
			  char *why, size_t why_len)
{
	const uint8_t *p = v->data;
	size_t len = v->len;
	bool neg = false;
	int64_t n = 0;
	size_t i;

	if (len > 0 && p[0] == '-') {
		neg = true;
		p++;
		len--;
	}
	if (len == 0 || len > 10 || (len > 1 && p[0] == '0') || (neg && p[0] == '0')) {
		ae_why(why, why_len, "%s: not an integer", name);
		return AE_ERR_PARSE;
	}
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9') {
			ae_why(why, why_len, "%s: not an integer", name);
			return AE_ERR_PARSE;
		}
		n = n * 10 + (p[i] - '0');
	}
	if (neg) {
		n = -n;
	}
	if (n < INT32_MIN || n > INT32_MAX) {
		ae_why(why, why_len, "%s: out of range", name);
		return AE_ERR_PARSE;
	}
	*_out = (int32_t)n;
	return AE_OK;
}

static ae_err read_sid(const struct ae_ldap_entry *obj, struct ae_principal *p,
		       char *why, size_t why_len)
{
	const struct ae_ldap_value *v = single(obj, "objectSid", why, why_len);
	size_t used = 0;

	if (v == NULL) {
		return AE_ERR_PARSE;
	}
	if (ae_sid_parse(v->data, v->len, &p->sid, &used) != AE_OK || used != v->len) {
		ae_why(why, why_len, "objectSid: not one binary SID");
		return AE_ERR_PARSE;
	}
	if (p->sid.num_auths < 2) {
		ae_why(why, why_len, "objectSid: no domain part");
		return AE_ERR_PARSE;
	}
	p->domain_sid = p->sid;
	p->domain_sid.num_auths--;
	p->domain_sid.sub_auths[p->domain_sid.num_auths] = 0;
	return AE_OK;
}

static ae_err read_numbers(const struct ae_ldap_entry *obj, struct ae_principal *p,
			   char *why, size_t why_len)
{
	const struct ae_ldap_value *v = NULL;
	int32_t n = 0;
	ae_err err;

	v = single(obj, "primaryGroupID", why, why_len);
	if (v == NULL) {
		return AE_ERR_PARSE;
	}
	err = int32_value(v, "primaryGroupID", &n, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	if (n <= 0) {
		ae_why(why, why_len, "primaryGroupID: %d is not a RID", (int)n);
		return AE_ERR_PARSE;
	}
	p->primary_group_rid = (uint32_t)n;
	v = single(obj, "userAccountControl", why, why_len);
	if (v == NULL) {
		return AE_ERR_PARSE;
	}
	err = int32_value(v, "userAccountControl", &n, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	p->user_account_control = (uint32_t)n;	/* flags: the sign bit is a bit */
	v = single(obj, "objectGUID", why, why_len);
	if (v == NULL) {
		return AE_ERR_PARSE;
	}
	if (v->len != AE_PRINCIPAL_GUID_LEN) {
		ae_why(why, why_len, "objectGUID: %zu bytes, 16 expected", v->len);
		return AE_ERR_PARSE;
	}
	memcpy(p->guid, v->data, AE_PRINCIPAL_GUID_LEN);
	return AE_OK;
}

/* An optional single-valued text attribute: *_s stays NULL when absent. */
static ae_err optional_text(const struct ae_ldap_entry *obj, struct ae_principal *p,
			    const char *name, size_t max, char **_s, char *why, size_t why_len)
{
	const struct ae_ldap_value *v = NULL;

	if (ae_entry_attr(obj, name) == NULL) {
		return AE_OK;
	}
	v = single(obj, name, why, why_len);
	if (v == NULL) {
		return AE_ERR_PARSE;
	}
	return text_value(p, v, name, max, _s, why, why_len);
}

static ae_err read_names(const struct ae_ldap_entry *obj, struct ae_principal *p,
			 char *why, size_t why_len)
{
	const struct ae_ldap_value *v = NULL;
	ae_err err;

	if (obj->dn == NULL || obj->dn[0] == '\0') {
		ae_why(why, why_len, "the object has no DN");
		return AE_ERR_PARSE;
	}
	p->dn = talloc_strdup(p, obj->dn);
	if (p->dn == NULL) {
		return AE_ERR_NOMEM;
	}
	v = single(obj, "sAMAccountName", why, why_len);
	if (v == NULL) {
		return AE_ERR_PARSE;
	}
	err = text_value(p, v, "sAMAccountName", AE_PRINCIPAL_NAME_MAX, &p->sam_account_name,
			 why, why_len);
	/* optional: users have no dNSHostName, machines rarely a mail */
	if (err == AE_OK) {
		err = optional_text(obj, p, "dNSHostName", AE_PRINCIPAL_DNS_MAX,
				    &p->dns_host_name, why, why_len);
	}
	if (err == AE_OK) {
		err = optional_text(obj, p, "mail", AE_PRINCIPAL_MAIL_MAX, &p->mail, why, why_len);
	}
	if (err == AE_OK) {
		err = optional_text(obj, p, "userPrincipalName", AE_PRINCIPAL_UPN_MAX,
				    &p->user_principal_name, why, why_len);
	}
	return err;
}

/*
 * userCertificate: copies of at most AE_PRINCIPAL_CERTS_MAX values of
 * 1..AE_PRINCIPAL_CERT_MAX bytes; the others are counted, not kept (a
 * user with many published certificates still gets a principal).
 */
static ae_err read_user_certs(const struct ae_ldap_entry *obj, struct ae_principal *p)
{
	const struct ae_ldap_attr *a = ae_entry_attr(obj, "userCertificate");
	size_t i, n = 0;

	if (a == NULL || a->num_values == 0) {
		return AE_OK;
	}
	p->user_certs = talloc_zero_array(p, struct ae_principal_blob,
					  a->num_values < AE_PRINCIPAL_CERTS_MAX ?
					  a->num_values : AE_PRINCIPAL_CERTS_MAX);
	if (p->user_certs == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < a->num_values; i++) {
		const struct ae_ldap_value *v = &a->values[i];

		if (n == AE_PRINCIPAL_CERTS_MAX || v->len == 0 || v->len > AE_PRINCIPAL_CERT_MAX) {
			p->user_certs_dropped++;
			continue;
		}
		p->user_certs[n].data = talloc_memdup(p->user_certs, v->data, v->len);
		if (p->user_certs[n].data == NULL) {
			return AE_ERR_NOMEM;
		}
		p->user_certs[n++].len = v->len;
	}
	p->num_user_certs = n;
	return AE_OK;
}

static ae_err build_token(const struct ae_ldap_entry *groups, struct ae_principal *p,
			  char *why, size_t why_len)
{
	const struct ae_ldap_attr *a = ae_entry_attr(groups, "tokenGroups");
	struct ae_sid primary;
	ae_err err;
	size_t i;

	if (a == NULL) {
		ae_why(why, why_len, "tokenGroups: missing (not computed or not readable)");
		return AE_ERR_PARSE;
	}
	p->token = ae_token_new(p, &p->sid);
	if (p->token == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < a->num_values; i++) {
		err = ae_token_add_group_blob(p->token, a->values[i].data, a->values[i].len);
		if (err == AE_ERR_NOMEM || err == AE_ERR_TOO_LARGE) {
			ae_why(why, why_len, "tokenGroups: %s", ae_strerror(err));
			return err;
		}
		if (err != AE_OK) {
			ae_why(why, why_len, "tokenGroups: value %zu is not one binary SID", i);
			return AE_ERR_PARSE;
		}
	}
	err = ae_sid_compose(&p->domain_sid, p->primary_group_rid, &primary);
	if (err != AE_OK) {
		ae_why(why, why_len, "primaryGroupID: cannot make a SID of it");
		return AE_ERR_PARSE;
	}
	err = ae_token_add_group(p->token, &primary);
	if (err == AE_OK) {
		err = ae_token_add_implicit(p->token);
	}
	if (err != AE_OK) {
		ae_why(why, why_len, "token: %s", ae_strerror(err));
	}
	return err;
}

ae_err ae_principal_from_entries(TALLOC_CTX *mem_ctx, const struct ae_ldap_entry *obj,
				 const struct ae_ldap_entry *groups,
				 struct ae_principal **_p, char *why, size_t why_len)
{
	struct ae_principal *p = NULL;
	ae_err err;

	if (obj == NULL || groups == NULL || _p == NULL) {
		return AE_ERR_INVALID;
	}
	p = talloc_zero(NULL, struct ae_principal);
	if (p == NULL) {
		return AE_ERR_NOMEM;
	}
	err = read_names(obj, p, why, why_len);
	if (err == AE_OK) {
		err = read_sid(obj, p, why, why_len);
	}
	if (err == AE_OK) {
		err = read_numbers(obj, p, why, why_len);
	}
	if (err == AE_OK) {
		err = read_user_certs(obj, p);
	}
	if (err == AE_OK) {
		err = build_token(groups, p, why, why_len);
	}
	if (err != AE_OK) {
		talloc_free(p);
		return err;
	}
	*_p = talloc_steal(mem_ctx, p);
	return AE_OK;
}
