#include <stddef.h>
#include <string.h>
#include "ae_attrval.h"
#include "ae_template.h"

/* How each attribute is read; see the table below. */
enum tpl_kind {
	K_TEXT,		/* single text -> char * */
	K_OID,		/* single OID -> char * */
	K_BITS,		/* single INTEGER -> uint32_t bit pattern */
	K_COUNT,	/* single INTEGER >= 0 -> uint32_t */
	K_USN,		/* single LargeInteger >= 0 -> uint64_t */
	K_PERIOD,	/* FILETIME interval -> int64_t seconds */
	K_OIDS,		/* multi OID -> char **, size_t */
	K_TEXTS,	/* multi text -> char **, size_t */
	K_KEY_USAGE,	/* octet string -> key_usage[] */
	K_SD,		/* octet string -> sd */
	K_CSPS,		/* multi "<prio>,<name>" */
	K_RA_APP,	/* msPKI-RA-Application-Policies, both syntaxes */
};

struct tpl_attr {
	const char *name;
	enum tpl_kind kind;
	size_t off;		/* the field */
	size_t num_off;		/* its count (lists) */
	uint32_t has;		/* AE_TPL_HAS_* for scalars */
};

#define F(field) offsetof(struct ae_template, field)

static const struct tpl_attr tpl_attrs[] = {
	{ "displayName", K_TEXT, F(display_name), 0, 0 },
	{ "uSNChanged", K_USN, F(usn_changed), 0, AE_TPL_HAS_USN_CHANGED },
	{ "flags", K_BITS, F(flags), 0, AE_TPL_HAS_FLAGS },
	{ "revision", K_COUNT, F(major_revision), 0, AE_TPL_HAS_REVISION },
	{ "msPKI-Template-Minor-Revision", K_COUNT, F(minor_revision), 0,
	  AE_TPL_HAS_MINOR_REVISION },
	{ "msPKI-Template-Schema-Version", K_COUNT, F(schema_version), 0,
	  AE_TPL_HAS_SCHEMA_VERSION },
	{ "msPKI-Cert-Template-OID", K_OID, F(oid), 0, 0 },
	{ "pKIExpirationPeriod", K_PERIOD, F(expiration_s), 0, AE_TPL_HAS_EXPIRATION },
	{ "pKIOverlapPeriod", K_PERIOD, F(overlap_s), 0, AE_TPL_HAS_OVERLAP },
	{ "pKIExtendedKeyUsage", K_OIDS, F(ekus), F(num_ekus), 0 },
	{ "pKIKeyUsage", K_KEY_USAGE, F(key_usage), F(key_usage_len), AE_TPL_HAS_KEY_USAGE },
	{ "pKICriticalExtensions", K_OIDS, F(critical_extensions), F(num_critical_extensions), 0 },
	{ "pKIDefaultKeySpec", K_COUNT, F(default_key_spec), 0, AE_TPL_HAS_KEY_SPEC },
	{ "pKIDefaultCSPs", K_CSPS, F(csps), F(num_csps), 0 },
	{ "pKIMaxIssuingDepth", K_BITS, F(max_issuing_depth), 0, AE_TPL_HAS_MAX_ISSUING_DEPTH },
	{ "msPKI-Minimal-Key-Size", K_COUNT, F(min_key_size), 0, AE_TPL_HAS_MIN_KEY_SIZE },
	{ "msPKI-RA-Signature", K_COUNT, F(ra_signatures), 0, AE_TPL_HAS_RA_SIGNATURE },
	{ "msPKI-RA-Policies", K_OIDS, F(ra_policies), F(num_ra_policies), 0 },
	{ "msPKI-RA-Application-Policies", K_RA_APP, F(ra_app_policies),
	  F(num_ra_app_policies), 0 },
	{ "msPKI-Supersede-Templates", K_TEXTS, F(supersede), F(num_supersede), 0 },
	{ "msPKI-Certificate-Policy", K_OIDS, F(cert_policies), F(num_cert_policies), 0 },
	{ "msPKI-Certificate-Application-Policy", K_OIDS, F(app_policies), F(num_app_policies), 0 },
	{ "msPKI-Enrollment-Flag", K_BITS, F(enrollment_flag), 0, AE_TPL_HAS_ENROLLMENT_FLAG },
	{ "msPKI-Private-Key-Flag", K_BITS, F(private_key_flag), 0, AE_TPL_HAS_PRIVATE_KEY_FLAG },
	{ "msPKI-Certificate-Name-Flag", K_BITS, F(name_flag), 0, AE_TPL_HAS_NAME_FLAG },
	{ "nTSecurityDescriptor", K_SD, F(sd), F(sd_len), 0 },
};

#undef F

const char *const ae_template_attr_names[] = {
	"cn", "displayName", "uSNChanged", "flags", "revision",
	"msPKI-Template-Minor-Revision", "msPKI-Template-Schema-Version",
	"msPKI-Cert-Template-OID", "pKIExpirationPeriod", "pKIOverlapPeriod",
	"pKIExtendedKeyUsage", "pKIKeyUsage", "pKICriticalExtensions",
	"pKIDefaultKeySpec", "pKIDefaultCSPs", "pKIMaxIssuingDepth",
	"msPKI-Minimal-Key-Size", "msPKI-RA-Signature", "msPKI-RA-Policies",
	"msPKI-RA-Application-Policies", "msPKI-Supersede-Templates",
	"msPKI-Certificate-Policy", "msPKI-Certificate-Application-Policy",
	"msPKI-Enrollment-Flag", "msPKI-Private-Key-Flag",
	"msPKI-Certificate-Name-Flag", "nTSecurityDescriptor",
	NULL
};

static ae_err read_bytes(const struct ae_ldap_attr *a, const char *name, size_t max,
			 const struct ae_ldap_value **_v, char *why, size_t why_len)
{
	const struct ae_ldap_value *v = NULL;
	ae_err err;

	err = ae_attr_single(a, name, &v, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	if (v->len == 0 || v->len > max) {
		ae_why(why, why_len, "%s: %zu bytes, expected 1..%zu", name, v->len, max);
		return AE_ERR_PARSE;
	}
	*_v = v;
	return AE_OK;
}

/* "<priority>,<CSP name>": priority an INTEGER >= 0, name non-empty. */
static ae_err read_csps(struct ae_template *t, const struct ae_ldap_attr *a, const char *name,
			char *why, size_t why_len)
{
	struct ae_template_csp *csps = NULL;
	char **texts = NULL;
	size_t num = 0;
	size_t i;
	ae_err err;

	err = ae_attr_text_list(t, a, name, AE_TEMPLATE_VALUES_MAX, AE_TEMPLATE_TEXT_MAX,
				&texts, &num, why, why_len);
	if (err != AE_OK || num == 0) {
		return err;
	}
	csps = talloc_zero_array(t, struct ae_template_csp, num);
	if (csps == NULL) {
		talloc_free(texts);
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < num; i++) {
		const char *comma = strchr(texts[i], ',');
		size_t prio_len = comma != NULL ? (size_t)(comma - texts[i]) : 0;
		char shown[AE_WHY_SHOWN_BUF];
		int32_t prio = 0;

		if (comma == NULL || comma[1] == '\0' ||
		    ae_value_int32((const uint8_t *)texts[i], prio_len, &prio) != AE_OK ||
		    prio < 0) {
			ae_value_show((const uint8_t *)texts[i], strlen(texts[i]),
				      shown, sizeof(shown));
			ae_why(why, why_len, "%s: '%s' is not '<priority>,<CSP name>'",
			       name, shown);
			talloc_free(csps);
			talloc_free(texts);
			return AE_ERR_PARSE;
		}
		csps[i].priority = (uint32_t)prio;
		csps[i].name = talloc_strdup(csps, comma + 1);
		if (csps[i].name == NULL) {
			talloc_free(csps);
			talloc_free(texts);
			return AE_ERR_NOMEM;
		}
	}
	talloc_free(texts);
	t->csps = csps;
	t->num_csps = num;
	return AE_OK;
}

static ae_err read_ra_app(struct ae_template *t, const struct ae_ldap_attr *a, const char *name,
			  char *why, size_t why_len)
{
	size_t i;
	ae_err err;

	for (i = 0; i < a->num_values; i++) {
		if (memchr(a->values[i].data, '`', a->values[i].len) != NULL) {
			break;
		}
	}
	if (i == a->num_values) {
		err = ae_attr_oid_list(t, a, name, AE_TEMPLATE_VALUES_MAX,
				       &t->ra_app_policies, &t->num_ra_app_policies,
				       why, why_len);
		if (err == AE_OK) {
			t->ra_syntax = AE_RA_SYNTAX_OIDS;
		}
		return err;
	}
	if (a->num_values != 1) {
		ae_why(why, why_len, "%s: %zu values, but the triplet syntax allows one",
		       name, a->num_values);
		return AE_ERR_PARSE;
	}
	if (a->values[0].len > AE_TEMPLATE_RA_MAX) {
		ae_why(why, why_len, "%s: value of %zu bytes is longer than %d",
		       name, a->values[0].len, AE_TEMPLATE_RA_MAX);
		return AE_ERR_PARSE;
	}
	err = ae_template_parse_ra_properties(t, (const char *)a->values[0].data,
					      a->values[0].len, &t->ra,
					      &t->ra_app_policies, &t->num_ra_app_policies,
					      why, why_len);
	if (err == AE_OK) {
		t->ra_syntax = AE_RA_SYNTAX_PROPERTIES;
	}
	return err;
}

static ae_err read_attr(struct ae_template *t, const struct tpl_attr *d,
			const struct ae_ldap_attr *a, char *why, size_t why_len)
{
	char *base = (char *)t;
	const struct ae_ldap_value *v = NULL;
	int32_t i32 = 0;
	ae_err err = AE_OK;

	switch (d->kind) {
	case K_TEXT:
		return ae_attr_text(t, a, d->name, AE_TEMPLATE_TEXT_MAX,
				    (char **)(base + d->off), why, why_len);
	case K_OID:
		return ae_attr_oid(t, a, d->name, (char **)(base + d->off), why, why_len);
	case K_BITS:
		err = ae_attr_int32(a, d->name, &i32, why, why_len);
		if (err == AE_OK) {
			/* The bit pattern of the signed value: -1509949440 = 0xA6000000. */
			*(uint32_t *)(base + d->off) = (uint32_t)i32;
		}
		return err;
	case K_COUNT:
		return ae_attr_uint31(a, d->name, (uint32_t *)(base + d->off), why, why_len);
	case K_USN:
		return ae_attr_uint63(a, d->name, (uint64_t *)(base + d->off), why, why_len);
	case K_PERIOD:
		return ae_attr_filetime_period(a, d->name, (int64_t *)(base + d->off),
					       why, why_len);
	case K_OIDS:
		return ae_attr_oid_list(t, a, d->name, AE_TEMPLATE_VALUES_MAX,
					(char ***)(base + d->off), (size_t *)(base + d->num_off),
					why, why_len);
	case K_TEXTS:
		return ae_attr_text_list(t, a, d->name, AE_TEMPLATE_VALUES_MAX,
					 AE_TEMPLATE_NAME_MAX, (char ***)(base + d->off),
					 (size_t *)(base + d->num_off), why, why_len);
	case K_KEY_USAGE:
		err = read_bytes(a, d->name, AE_TEMPLATE_KEY_USAGE_MAX, &v, why, why_len);
		if (err == AE_OK) {
			memcpy(t->key_usage, v->data, v->len);
			t->key_usage_len = v->len;
		}
		return err;
	case K_SD:
		err = read_bytes(a, d->name, AE_TEMPLATE_SD_MAX, &v, why, why_len);
		if (err == AE_OK) {
			t->sd = talloc_memdup(t, v->data, v->len);
			if (t->sd == NULL) {
				return AE_ERR_NOMEM;
			}
			t->sd_len = v->len;
		}
		return err;
	case K_CSPS:
		return read_csps(t, a, d->name, why, why_len);
	case K_RA_APP:
		return read_ra_app(t, a, d->name, why, why_len);
	}
	return AE_ERR_INVALID;
}

ae_err ae_template_from_attrs(TALLOC_CTX *mem_ctx, const struct ae_ldap_entry *e,
			      struct ae_template **_t, char *why, size_t why_len)
{
	struct ae_template *t = NULL;
	size_t i;
	ae_err err;

	if (e == NULL || _t == NULL) {
		return AE_ERR_INVALID;
	}
	t = talloc_zero(NULL, struct ae_template);
	if (t == NULL) {
		return AE_ERR_NOMEM;
	}
	t->dn = talloc_strdup(t, e->dn != NULL ? e->dn : "");
	if (t->dn == NULL) {
		talloc_free(t);
		return AE_ERR_NOMEM;
	}
	err = ae_attr_text(t, ae_entry_attr(e, "cn"), "cn", AE_TEMPLATE_NAME_MAX,
			   &t->cn, why, why_len);
	if (err == AE_OK && t->cn[0] == '\0') {
		ae_why(why, why_len, "cn: empty");
		err = AE_ERR_PARSE;
	}
	for (i = 0; err == AE_OK && i < sizeof(tpl_attrs) / sizeof(tpl_attrs[0]); i++) {
		const struct ae_ldap_attr *a = ae_entry_attr(e, tpl_attrs[i].name);

		if (a == NULL) {
			continue;
		}
		err = read_attr(t, &tpl_attrs[i], a, why, why_len);
		if (err == AE_OK) {
			t->present |= tpl_attrs[i].has;
		}
	}
	if (err != AE_OK) {
		talloc_free(t);
		return err;
	}
	if ((t->present & AE_TPL_HAS_SCHEMA_VERSION) == 0) {
		t->schema_version = 1;
	}
	*_t = talloc_steal(mem_ctx, t);
	return AE_OK;
}

bool ae_template_renewal_only(const struct ae_template *t)
{
	return t != NULL && t->ra_signatures > 0 &&
	       (t->enrollment_flag & CT_FLAG_PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT) != 0;
}
