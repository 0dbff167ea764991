/*
 * ae_xcep_value.c: the readers of one MS-XCEP child element (unsigned,
 * signed, flags, boolean, text, oIDReference resolution) that the response
 * and Attributes readers share; each names the element in why.
 */
#include <string.h>
#include "ae_xcep_private.h"

const xmlNode *xcep_opt(const xmlNode *parent, const char *name)
{
	const xmlNode *n = ae_xml_child(parent, AE_XCEP_NS, name);

	return n == NULL || ae_xml_is_nil(n) ? NULL : n;
}

ae_err xcep_missing(struct xcep_ctx *c, const char *name, bool required)
{
	if (!required) {
		return AE_ERR_NOT_FOUND;
	}
	ae_why(c->why, c->why_len, "%s: element %s missing", c->what, name);
	return AE_ERR_PARSE;
}

ae_err xcep_bad(struct xcep_ctx *c, const char *name, const char *what, ae_err err)
{
	ae_why(c->why, c->why_len, "%s: element %s: %s", c->what, name,
	       err == AE_ERR_TOO_LARGE ? "too long" : what);
	return err == AE_ERR_NOMEM ? err : (err == AE_ERR_TOO_LARGE ? err : AE_ERR_PARSE);
}

ae_err xcep_u32(struct xcep_ctx *c, const xmlNode *parent, const char *name, bool required,
		uint32_t *out)
{
	const xmlNode *n = xcep_opt(parent, name);
	uint64_t v = 0;
	ae_err err;

	if (n == NULL) {
		return xcep_missing(c, name, required);
	}
	err = ae_xml_uint(n, UINT32_MAX, &v);
	if (err != AE_OK) {
		return xcep_bad(c, name, "not an unsigned 32-bit integer", err);
	}
	*out = (uint32_t)v;
	return AE_OK;
}

ae_err xcep_i32(struct xcep_ctx *c, const xmlNode *parent, const char *name, bool required,
		int32_t *out)
{
	const xmlNode *n = xcep_opt(parent, name);
	int64_t v = 0;
	ae_err err;

	if (n == NULL) {
		return xcep_missing(c, name, required);
	}
	err = ae_xml_int(n, INT32_MIN, INT32_MAX, &v);
	if (err != AE_OK) {
		return xcep_bad(c, name, "not a 32-bit integer", err);
	}
	*out = (int32_t)v;
	return AE_OK;
}

/* Flags are xs:int in the schema; the bit pattern is kept, and an unsigned
 * form of the same 32 bits is accepted too. Absent: 0. */
ae_err xcep_flags(struct xcep_ctx *c, const xmlNode *parent, const char *name, uint32_t *out)
{
	const xmlNode *n = xcep_opt(parent, name);
	int64_t v = 0;
	ae_err err;

	if (n == NULL) {
		return AE_ERR_NOT_FOUND;
	}
	err = ae_xml_int(n, INT32_MIN, UINT32_MAX, &v);
	if (err != AE_OK) {
		return xcep_bad(c, name, "not a 32-bit flag value", err);
	}
	*out = (uint32_t)(v & 0xFFFFFFFF);
	return AE_OK;
}

ae_err xcep_bool(struct xcep_ctx *c, const xmlNode *parent, const char *name, bool required,
		 bool *out)
{
	const xmlNode *n = xcep_opt(parent, name);
	ae_err err;

	if (n == NULL) {
		return xcep_missing(c, name, required);
	}
	err = ae_xml_bool(n, out);
	return err == AE_OK ? AE_OK : xcep_bad(c, name, "not a boolean", err);
}

ae_err xcep_text(struct xcep_ctx *c, TALLOC_CTX *mem, const xmlNode *parent, const char *name,
		 bool required, size_t max, char **out)
{
	const xmlNode *n = xcep_opt(parent, name);
	char *s = NULL;
	ae_err err;

	if (n == NULL) {
		return xcep_missing(c, name, required);
	}
	err = ae_xml_text(mem, n, max, &s);
	if (err == AE_OK && s[0] == '\0' && required) {
		talloc_free(s);
		err = AE_ERR_PARSE;
	}
	if (err != AE_OK) {
		return xcep_bad(c, name, "empty or not text", err);
	}
	*out = s;
	return AE_OK;
}

ae_err xcep_oid_ref(struct xcep_ctx *c, const xmlNode *ref, const struct ae_xcep_oid **out)
{
	int64_t v = 0;
	size_t i;

	if (ae_xml_int(ref, INT32_MIN, INT32_MAX, &v) != AE_OK) {
		ae_why(c->why, c->why_len, "%s: element %s: not a 32-bit integer", c->what,
		       (const char *)ref->name);
		return AE_ERR_PARSE;
	}
	for (i = 0; i < c->num_oids; i++) {
		if (c->oids[i].ref_id == (int32_t)v) {
			*out = &c->oids[i];
			return AE_OK;
		}
	}
	ae_why(c->why, c->why_len, "%s: element %s: OID reference %lld names no OID of the response",
	       c->what, (const char *)ref->name, (long long)v);
	return AE_ERR_PARSE;
}
