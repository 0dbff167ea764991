/*
 * ca_local_policies.c: `ca-local policies`: every pKICertificateTemplate
 * of the directory with what an MS-XCEP policy needs ([MS-XCEP]
 * 3.1.4.1.3.1 Attributes, from the [MS-CRTD] 2.x attributes), the caller's
 * Enroll and AutoEnroll rights from its nTSecurityDescriptor ([MS-CRTD]
 * 2.5.1, evaluated like the CA's own Enroll check, ca_sd.h), and the
 * Enrollment Services with their certificateTemplates. One JSON object:
 *   {"caller": {"sid","name"}, "templates": [{...}], "services": {"CA": [names]}}
 */
#include <string.h>
#include <ldb.h>
#include "ae_log.h"
#include "ca_dir_ldb.h"
#include "ca_local.h"
#include "ca_sd.h"

#define PKS "CN=Public Key Services,CN=Services"
#define CL_TEMPLATES_LIST_MAX 1024u

/* AutoEnroll extended right a05b8cc2-17bc-4802-a710-e7c15ab866a2, as stored. */
static const uint8_t guid_autoenroll[16] = {
	0xc2, 0x8c, 0x5b, 0xa0, 0xbc, 0x17, 0x02, 0x48,
	0xa7, 0x10, 0xe7, 0xc1, 0x5a, 0xb8, 0x66, 0xa2
};

static const char *attrs[] = {
	"cn", "displayName", "msPKI-Cert-Template-OID", "msPKI-Template-Schema-Version",
	"revision", "msPKI-Template-Minor-Revision", "flags", "msPKI-Enrollment-Flag",
	"msPKI-Certificate-Name-Flag", "msPKI-Private-Key-Flag", "msPKI-Minimal-Key-Size",
	"pKIDefaultKeySpec", "pKIExpirationPeriod", "pKIOverlapPeriod", "pKIExtendedKeyUsage",
	"pKIKeyUsage", "pKICriticalExtensions", "msPKI-Certificate-Application-Policy",
	"msPKI-Supersede-Templates", "msPKI-RA-Signature", "msPKI-RA-Application-Policies",
	"msPKI-RA-Policies", "pKIDefaultCSPs", "nTSecurityDescriptor", NULL
};

static void u32(const struct ldb_message *m, const char *key, const char *attr, int64_t dflt)
{
	printf(",\"%s\":%lld", key, (long long)(uint32_t)ldb_msg_find_attr_as_int64(m, attr, dflt));
}

static void period(const struct ldb_message *m, const char *key, const char *attr)
{
	const struct ldb_val *v = ldb_msg_find_ldb_val(m, attr);
	int64_t s = 0;

	if (v != NULL && ca_period_parse(v->data, v->length, &s) == AE_OK) {
		printf(",\"%s\":%lld", key, (long long)s);
	} else {
		printf(",\"%s\":null", key);
	}
}

static void array(TALLOC_CTX *mem, const struct ldb_message *m, const char *attr)
{
	const struct ldb_message_element *el = ldb_msg_find_element(m, attr);
	const char **v = NULL;
	unsigned i, n = el ? el->num_values : 0;

	if (n > CA_DIR_VALUES_MAX) {
		n = CA_DIR_VALUES_MAX;
	}
	v = talloc_zero_array(mem, const char *, n + 1);
	for (i = 0; v != NULL && i < n; i++) {
		v[i] = talloc_strndup(v, (const char *)el->values[i].data, el->values[i].length);
	}
	cl_json_str_array(stdout, v, v ? n : 0);
	talloc_free(v);
}

static void strings(TALLOC_CTX *mem, const struct ldb_message *m, const char *key, const char *attr)
{
	printf(",\"%s\":", key);
	array(mem, m, attr);
}

static bool critical(const struct ldb_message *m, const char *oid)
{
	const struct ldb_message_element *el = ldb_msg_find_element(m, "pKICriticalExtensions");
	unsigned i;

	for (i = 0; el != NULL && i < el->num_values; i++) {
		if (el->values[i].length == strlen(oid) &&
		    memcmp(el->values[i].data, oid, el->values[i].length) == 0) {
			return true;
		}
	}
	return false;
}

static void ext(const struct ldb_message *m, bool *first, const char *oid, const struct ca_bytes *v)
{
	printf("%s{\"oid\":\"%s\",\"critical\":%s,\"value\":", *first ? "" : ",", oid,
	       critical(m, oid) ? "true" : "false");
	(void)cl_json_b64(stdout, v->p, v->len);
	printf("}");
	*first = false;
}

/* EKU: SEQUENCE OF OID (RFC 5280 §4.2.1.12). */
static void eku_ext(TALLOC_CTX *mem, const struct ldb_message *m, bool *first)
{
	const struct ldb_message_element *el = ldb_msg_find_element(m, "pKIExtendedKeyUsage");
	struct ca_bytes *parts, all, seq;
	unsigned i;

	if (el == NULL || el->num_values == 0 || el->num_values > CA_DIR_VALUES_MAX ||
	    (parts = talloc_zero_array(mem, struct ca_bytes, el->num_values)) == NULL) {
		return;
	}
	for (i = 0; i < el->num_values; i++) {
		char *oid = talloc_strndup(parts, (const char *)el->values[i].data,
					   el->values[i].length);
		if (oid == NULL || ca_der_oid(parts, oid, &parts[i]) != AE_OK) {
			talloc_free(parts);
			return;
		}
	}
	if (ca_der_cat(parts, parts, el->num_values, &all) == AE_OK &&
	    ca_der_tlv(parts, 0x30, all.p, all.len, &seq) == AE_OK) {
		ext(m, first, "2.5.29.37", &seq);
	}
	talloc_free(parts);
}

/* KeyUsage: BIT STRING of pKIKeyUsage's bytes (RFC 5280 §4.2.1.3). */
static void ku_ext(TALLOC_CTX *mem, const struct ldb_message *m, bool *first)
{
	const struct ldb_val *v = ldb_msg_find_ldb_val(m, "pKIKeyUsage");
	uint8_t c[3] = { 0, 0, 0 };
	size_t n = 0, i;
	struct ca_bytes out;
	uint8_t last;

	for (i = 0; v != NULL && i < v->length && i < 2; i++) {
		c[1 + i] = v->data[i];
		if (v->data[i] != 0) {
			n = i + 1;
		}
	}
	if (n == 0) {
		return;
	}
	for (last = c[n]; (last & 1) == 0; last >>= 1) {
		c[0]++;
	}
	if (ca_der_tlv(mem, 0x03, c, n + 1, &out) == AE_OK) {
		ext(m, first, "2.5.29.15", &out);
		talloc_free(out.p);
	}
}

static void extensions(TALLOC_CTX *mem, const struct ldb_message *m)
{
	const char *oid = ldb_msg_find_attr_as_string(m, "msPKI-Cert-Template-OID", NULL);
	struct ca_bytes t;
	bool first = true;

	printf(",\"extensions\":[");
	eku_ext(mem, m, &first);
	ku_ext(mem, m, &first);
	if (oid != NULL && ca_der_template_ext(mem, oid,
		(uint32_t)ldb_msg_find_attr_as_int64(m, "revision", 0),
		(uint32_t)ldb_msg_find_attr_as_int64(m, "msPKI-Template-Minor-Revision", 0),
		&t) == AE_OK) {
		ext(m, &first, CA_OID_TEMPLATE_EXT, &t);
	}
	printf("]");
}

static void rights(const struct ldb_message *m, const struct ca_caller *caller)
{
	const struct ldb_val *v = ldb_msg_find_ldb_val(m, "nTSecurityDescriptor");
	struct ca_sd *sd = NULL;
	bool enroll = false, autoenroll = false;

	if (v != NULL && ca_sd_parse(NULL, v->data, v->length, &sd) == AE_OK) {
		enroll = ca_sd_allows_right(sd, caller, ca_guid_enroll);
		autoenroll = ca_sd_allows_right(sd, caller, guid_autoenroll);
	}
	talloc_free(sd);
	printf(",\"enroll\":%s,\"autoenroll\":%s", enroll ? "true" : "false",
	       autoenroll ? "true" : "false");
}

static void one_template(TALLOC_CTX *mem, const struct ldb_message *m, const struct ca_caller *c)
{
	printf("{\"cn\":");
	cl_json_str(stdout, ldb_msg_find_attr_as_string(m, "cn", ""));
	printf(",\"display_name\":");
	cl_json_str(stdout, ldb_msg_find_attr_as_string(m, "displayName", NULL));
	printf(",\"oid\":");
	cl_json_str(stdout, ldb_msg_find_attr_as_string(m, "msPKI-Cert-Template-OID", NULL));
	u32(m, "schema_version", "msPKI-Template-Schema-Version", 1);
	u32(m, "revision", "revision", 0);
	u32(m, "minor_revision", "msPKI-Template-Minor-Revision", 0);
	u32(m, "flags", "flags", 0);
	u32(m, "enrollment_flags", "msPKI-Enrollment-Flag", 0);
	u32(m, "name_flags", "msPKI-Certificate-Name-Flag", 0);
	u32(m, "private_key_flags", "msPKI-Private-Key-Flag", 0);
	u32(m, "min_key_size", "msPKI-Minimal-Key-Size", 0);
	u32(m, "key_spec", "pKIDefaultKeySpec", 0);
	u32(m, "ra_signatures", "msPKI-RA-Signature", 0);
	period(m, "validity_seconds", "pKIExpirationPeriod");
	period(m, "renewal_seconds", "pKIOverlapPeriod");
	strings(mem, m, "eku", "pKIExtendedKeyUsage");
	strings(mem, m, "app_policies", "msPKI-Certificate-Application-Policy");
	strings(mem, m, "superseded", "msPKI-Supersede-Templates");
	strings(mem, m, "ra_app_policies", "msPKI-RA-Application-Policies");
	strings(mem, m, "ra_policies", "msPKI-RA-Policies");
	strings(mem, m, "csps", "pKIDefaultCSPs");
	extensions(mem, m);
	rights(m, c);
	printf("}");
}

static ae_err search(TALLOC_CTX *mem, struct ca_local *cl, const char *container,
		     const char *filter, const char *const *a, struct ldb_result **_res)
{
	struct ldb_context *ldb = ca_dir_ldb_context(cl->dir);
	struct ldb_dn *base = ldb_dn_new(mem, ldb, ca_dir_ldb_config_dn(cl->dir));
	int ret;

	if (base == NULL || !ldb_dn_add_child_fmt(base, "%s," PKS, container)) {
		return AE_ERR_NOMEM;
	}
	ret = ldb_search(ldb, mem, _res, base, LDB_SCOPE_ONELEVEL, a, "%s", filter);
	if (ret != LDB_SUCCESS) {
		AE_ERROR("ca-local: search under %s: %s", container, ldb_errstring(ldb));
		return AE_ERR_LDAP;
	}
	if ((*_res)->count > CL_TEMPLATES_LIST_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	return AE_OK;
}

static void services(TALLOC_CTX *mem, const struct ldb_result *res)
{
	unsigned i;

	printf(",\"services\":{");
	for (i = 0; i < res->count; i++) {
		printf("%s", i ? "," : "");
		cl_json_str(stdout, ldb_msg_find_attr_as_string(res->msgs[i], "cn", ""));
		printf(":");
		array(mem, res->msgs[i], "certificateTemplates");
	}
	printf("}");
}

int cl_policies(TALLOC_CTX *mem_ctx, struct ca_local *cl, const struct ca_caller *caller)
{
	static const char *svc_attrs[] = { "cn", "certificateTemplates", NULL };
	struct ldb_result *tpl = NULL, *svc = NULL;
	ae_err err;
	unsigned i;

	err = search(mem_ctx, cl, "CN=Certificate Templates", "(objectClass=pKICertificateTemplate)",
		     attrs, &tpl);
	if (err == AE_OK) {
		err = search(mem_ctx, cl, "CN=Enrollment Services",
			     "(objectClass=pKIEnrollmentService)", svc_attrs, &svc);
	}
	if (err != AE_OK) {
		return 2;
	}
	printf("{\"caller\":{\"sid\":");
	cl_json_str(stdout, cl->caller_sid);
	printf(",\"name\":");
	cl_json_str(stdout, caller->name);
	printf("},\"templates\":[");
	for (i = 0; i < tpl->count; i++) {
		printf("%s", i ? "," : "");
		one_template(mem_ctx, tpl->msgs[i], caller);
	}
	printf("]");
	services(mem_ctx, svc);
	printf("}\n");
	return 0;
}
