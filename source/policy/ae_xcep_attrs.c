/*
 * ae_xcep_attrs.c: an MS-XCEP policy's Attributes ([MS-XCEP] 3.1.4.1.3.1)
 * onto struct ae_template (the mapping is in ae_xcep.h).
 */
#include <string.h>
#include "ae_xcep_private.h"

/* Optional single OID reference child 'name' -> a copy of its OID on mem. */
static ae_err oid_of(struct xcep_ctx *c, TALLOC_CTX *mem, const xmlNode *parent, const char *name,
		     char **out)
{
	const xmlNode *n = xcep_opt(parent, name);
	const struct ae_xcep_oid *o = NULL;
	ae_err err;

	if (n == NULL) {
		return AE_OK;
	}
	err = xcep_oid_ref(c, n, &o);
	if (err != AE_OK) {
		return err;
	}
	*out = talloc_strdup(mem, o->value);
	return *out == NULL ? AE_ERR_NOMEM : AE_OK;
}

/* A list element whose children 'item' are each an oIDReference (or, with
 * text, a string) -> array of strings on mem. */
static ae_err list_of(struct xcep_ctx *c, TALLOC_CTX *mem, const xmlNode *list, const char *item,
		      bool oid_refs, char ***out, size_t *num)
{
	size_t n = list != NULL ? ae_xml_count(list, AE_XCEP_NS, item) : 0, k = 0;
	const xmlNode *e;
	char **v;

	if (n == 0) {
		return AE_OK;
	}
	if (n > AE_XCEP_LIST_MAX) {
		ae_why(c->why, c->why_len, "%s: more than %d %s", c->what, AE_XCEP_LIST_MAX, item);
		return AE_ERR_TOO_LARGE;
	}
	v = talloc_zero_array(mem, char *, n);
	if (v == NULL) {
		return AE_ERR_NOMEM;
	}
	for (e = ae_xml_first(list); e != NULL; e = ae_xml_next(e)) {
		const struct ae_xcep_oid *o = NULL;
		ae_err err;

		if (!ae_xml_is(e, AE_XCEP_NS, item)) {
			continue;
		}
		if (oid_refs) {
			err = xcep_oid_ref(c, e, &o);
			v[k] = err == AE_OK ? talloc_strdup(v, o->value) : NULL;
			err = err == AE_OK && v[k] == NULL ? AE_ERR_NOMEM : err;
		} else {
			err = ae_xml_text(v, e, AE_TEMPLATE_NAME_MAX, &v[k]);
			err = err == AE_OK && v[k][0] == '\0' ? AE_ERR_PARSE : err;
			if (err != AE_OK) {
				ae_why(c->why, c->why_len, "%s: %s: empty or too long", c->what, item);
			}
		}
		if (err != AE_OK) {
			talloc_free(v);
			return err;
		}
		k++;
	}
	*out = v;
	*num = n;
	return AE_OK;
}

/* hashAlgorithmOIDReference's OID -> the msPKI-Hash-Algorithm name. */
static const char *hash_name(const char *oid)
{
	static const struct { const char *oid, *name; } map[] = {
		{ "1.3.14.3.2.26", "SHA1" },
		{ "2.16.840.1.101.3.4.2.1", "SHA256" },
		{ "2.16.840.1.101.3.4.2.2", "SHA384" },
		{ "2.16.840.1.101.3.4.2.3", "SHA512" },
	};
	size_t i;

	for (i = 0; oid != NULL && i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].oid, oid) == 0) {
			return map[i].name;
		}
	}
	return NULL;
}

/* Set bit on t->present when err is AE_OK; AE_ERR_NOT_FOUND is absent. */
static ae_err has(struct ae_template *t, ae_err err, uint32_t bit)
{
	if (err == AE_OK) {
		t->present |= bit;
	}
	return err == AE_ERR_NOT_FOUND ? AE_OK : err;
}

static ae_err private_key(struct xcep_ctx *c, struct ae_template *t, const xmlNode *pk)
{
	const xmlNode *prov = xcep_opt(pk, "cryptoProviders");
	char **names = NULL;
	size_t n = 0, i;
	ae_err err;

	err = has(t, xcep_u32(c, pk, "minimalKeyLength", true, &t->min_key_size),
		  AE_TPL_HAS_MIN_KEY_SIZE);
	if (err == AE_OK) {
		err = has(t, xcep_u32(c, pk, "keySpec", false, &t->default_key_spec),
			  AE_TPL_HAS_KEY_SPEC);
	}
	if (err == AE_OK && xcep_u32(c, pk, "keyUsageProperty", false, &t->ra.key_usage) == AE_OK) {
		t->ra.present |= AE_RA_HAS_KEY_USAGE;
	}
	if (err == AE_OK) {
		err = oid_of(c, t, pk, "algorithmOIDReference", &t->key_algorithm_oid);
	}
	if (err == AE_OK) {
		err = list_of(c, t, prov, "provider", false, &names, &n);
	}
	if (err == AE_OK && n > 0) {
		t->csps = talloc_zero_array(t, struct ae_template_csp, n);
		if (t->csps == NULL) {
			return AE_ERR_NOMEM;
		}
		for (i = 0; i < n; i++) {
			t->csps[i].priority = (uint32_t)i + 1;
			t->csps[i].name = talloc_steal(t->csps, names[i]);
		}
		t->num_csps = n;
		talloc_free(names);
	}
	return err;
}

static ae_err extensions(struct xcep_ctx *c, struct ae_template *t, const xmlNode *list)
{
	size_t n = ae_xml_count(list, AE_XCEP_NS, "extension"), k = 0;
	const xmlNode *e;

	if (n == 0) {
		return AE_OK;
	}
	if (n > AE_XCEP_LIST_MAX) {
		ae_why(c->why, c->why_len, "%s: more than %d extensions", c->what, AE_XCEP_LIST_MAX);
		return AE_ERR_TOO_LARGE;
	}
	t->extensions = talloc_zero_array(t, struct ae_template_extension, n);
	if (t->extensions == NULL) {
		return AE_ERR_NOMEM;
	}
	t->num_extensions = n;
	for (e = ae_xml_first(list); e != NULL; e = ae_xml_next(e)) {
		struct ae_template_extension *x = &t->extensions[k];
		const xmlNode *ref = ae_xml_child(e, AE_XCEP_NS, "oIDReference");
		const xmlNode *val = xcep_opt(e, "value");
		const struct ae_xcep_oid *o = NULL;
		ae_err err;

		if (!ae_xml_is(e, AE_XCEP_NS, "extension")) {
			continue;
		}
		k++;
		err = ref == NULL ? xcep_missing(c, "extension/oIDReference", true) : xcep_oid_ref(c, ref, &o);
		if (err != AE_OK) {
			return err;
		}
		x->oid = talloc_strdup(t->extensions, o->value);
		if (x->oid == NULL) {
			return AE_ERR_NOMEM;
		}
		err = xcep_bool(c, e, "critical", false, &x->critical);
		if (err != AE_OK && err != AE_ERR_NOT_FOUND) {
			return err;
		}
		if (val != NULL) {
			err = ae_xml_base64(t->extensions, val, AE_XCEP_EXT_MAX, &x->value, &x->value_len);
			if (err != AE_OK) {
				return xcep_bad(c, "extension/value", "not base64", err);
			}
		}
	}
	return AE_OK;
}

static ae_err ra_requirements(struct xcep_ctx *c, struct ae_template *t, const xmlNode *ra)
{
	ae_err err;

	if (ra == NULL) {
		return AE_OK;
	}
	err = has(t, xcep_u32(c, ra, "rASignatures", true, &t->ra_signatures),
		  AE_TPL_HAS_RA_SIGNATURE);
	if (err == AE_OK) {
		err = list_of(c, t, xcep_opt(ra, "rAEKUs"), "oIDReference", true,
			      &t->ra_app_policies, &t->num_ra_app_policies);
		t->ra_syntax = t->num_ra_app_policies > 0 ? AE_RA_SYNTAX_OIDS : AE_RA_SYNTAX_NONE;
	}
	if (err == AE_OK) {
		err = list_of(c, t, xcep_opt(ra, "rAPolicies"), "oIDReference", true,
			      &t->ra_policies, &t->num_ra_policies);
	}
	return err;
}

static ae_err validity(struct xcep_ctx *c, struct ae_template *t, const xmlNode *v)
{
	uint64_t s = 0;
	const xmlNode *n;

	n = xcep_opt(v, "validityPeriodSeconds");
	if (n != NULL) {
		if (ae_xml_uint(n, INT64_MAX, &s) != AE_OK) {
			return xcep_bad(c, "validityPeriodSeconds", "not an unsigned integer", AE_ERR_PARSE);
		}
		t->expiration_s = (int64_t)s;
		t->present |= AE_TPL_HAS_EXPIRATION;
	}
	n = xcep_opt(v, "renewalPeriodSeconds");
	if (n != NULL) {
		if (ae_xml_uint(n, INT64_MAX, &s) != AE_OK) {
			return xcep_bad(c, "renewalPeriodSeconds", "not an unsigned integer", AE_ERR_PARSE);
		}
		t->overlap_s = (int64_t)s;
		t->present |= AE_TPL_HAS_OVERLAP;
	}
	return AE_OK;
}

static ae_err scalars(struct xcep_ctx *c, struct ae_template *t, const xmlNode *a)
{
	const xmlNode *rev = xcep_opt(a, "revision");
	ae_err err;

	err = has(t, xcep_u32(c, a, "policySchema", true, &t->schema_version),
		  AE_TPL_HAS_SCHEMA_VERSION);
	if (err == AE_OK && rev == NULL) {
		err = xcep_missing(c, "revision", true);
	}
	if (err == AE_OK) {
		err = has(t, xcep_u32(c, rev, "majorRevision", true, &t->major_revision),
			  AE_TPL_HAS_REVISION);
	}
	if (err == AE_OK) {
		err = has(t, xcep_u32(c, rev, "minorRevision", true, &t->minor_revision),
			  AE_TPL_HAS_MINOR_REVISION);
	}
	if (err == AE_OK) {
		err = has(t, xcep_flags(c, a, "generalFlags", &t->flags), AE_TPL_HAS_FLAGS);
	}
	if (err == AE_OK) {
		err = has(t, xcep_flags(c, a, "enrollmentFlags", &t->enrollment_flag),
			  AE_TPL_HAS_ENROLLMENT_FLAG);
	}
	if (err == AE_OK) {
		err = has(t, xcep_flags(c, a, "subjectNameFlags", &t->name_flag), AE_TPL_HAS_NAME_FLAG);
	}
	if (err == AE_OK) {
		err = has(t, xcep_flags(c, a, "privateKeyFlags", &t->private_key_flag),
			  AE_TPL_HAS_PRIVATE_KEY_FLAG);
	}
	return err;
}

static ae_err permission(struct xcep_ctx *c, struct ae_template *t, const xmlNode *a)
{
	const xmlNode *p = xcep_opt(a, "permission");
	ae_err err;

	if (p == NULL) {
		return xcep_missing(c, "permission", true);
	}
	err = xcep_bool(c, p, "enroll", true, &t->xcep_permission.enroll);
	if (err == AE_OK) {
		err = xcep_bool(c, p, "autoEnroll", true, &t->xcep_permission.auto_enroll);
	}
	if (err == AE_OK) {
		t->present |= AE_TPL_HAS_XCEP_PERMISSION;
	}
	return err;
}

ae_err xcep_attributes(struct xcep_ctx *c, struct ae_template *t, const xmlNode *a)
{
	const xmlNode *pk = xcep_opt(a, "privateKeyAttributes");
	const char *h;
	ae_err err;

	err = xcep_text(c, t, a, "commonName", true, AE_TEMPLATE_NAME_MAX, &t->cn);
	if (err == AE_OK) {
		c->what = t->cn;
		err = scalars(c, t, a);
	}
	if (err == AE_OK) {
		err = permission(c, t, a);
	}
	if (err == AE_OK) {
		err = validity(c, t, xcep_opt(a, "certificateValidity"));
	}
	if (err == AE_OK) {
		err = pk == NULL ? xcep_missing(c, "privateKeyAttributes", true) : private_key(c, t, pk);
	}
	if (err == AE_OK) {
		err = list_of(c, t, xcep_opt(a, "supersededPolicies"), "commonName", false,
			      &t->supersede, &t->num_supersede);
	}
	if (err == AE_OK) {
		err = oid_of(c, t, a, "hashAlgorithmOIDReference", &t->hash_algorithm_oid);
	}
	if (err == AE_OK && (h = hash_name(t->hash_algorithm_oid)) != NULL) {
		t->ra.hash_algorithm = talloc_strdup(t, h);
		err = t->ra.hash_algorithm == NULL ? AE_ERR_NOMEM : AE_OK;
		t->ra.present |= AE_RA_HAS_HASH_ALGORITHM;
	}
	if (err == AE_OK) {
		err = ra_requirements(c, t, xcep_opt(a, "rARequirements"));
	}
	if (err == AE_OK) {
		err = extensions(c, t, xcep_opt(a, "extensions"));
	}
	return err;
}
