/*
 * ae_xcep_private.h: shared between the GetPoliciesResponse reader
 * (ae_xcep.c) and its Attributes reader (ae_xcep_attrs.c).
 */
#ifndef AE_XCEP_PRIVATE_H
#define AE_XCEP_PRIVATE_H

#include "ae_xcep.h"
#include "ae_xml.h"

struct xcep_ctx {
	const struct ae_xcep_oid *oids;
	size_t num_oids;
	const char *what;	/* the object being read, for why */
	char *why;
	size_t why_len;
};

/* The child element 'name' of parent in the XCEP namespace; NULL when absent or xsi:nil. */
const xmlNode *xcep_opt(const xmlNode *parent, const char *name);

/* Readers of child 'name' of parent: absent or nil is AE_ERR_NOT_FOUND when
 * !required (out untouched), AE_ERR_PARSE when required; why names it. */
ae_err xcep_u32(struct xcep_ctx *c, const xmlNode *parent, const char *name, bool required,
		uint32_t *out);
ae_err xcep_i32(struct xcep_ctx *c, const xmlNode *parent, const char *name, bool required,
		int32_t *out);
ae_err xcep_flags(struct xcep_ctx *c, const xmlNode *parent, const char *name, uint32_t *out);
ae_err xcep_bool(struct xcep_ctx *c, const xmlNode *parent, const char *name, bool required,
		 bool *out);
ae_err xcep_text(struct xcep_ctx *c, TALLOC_CTX *mem, const xmlNode *parent, const char *name,
		 bool required, size_t max, char **out);

/* why for a missing element (AE_ERR_NOT_FOUND when !required, else
 * AE_ERR_PARSE) / for an element of the wrong syntax (err mapped to
 * AE_ERR_PARSE, AE_ERR_TOO_LARGE or AE_ERR_NOMEM). */
ae_err xcep_missing(struct xcep_ctx *c, const char *name, bool required);
ae_err xcep_bad(struct xcep_ctx *c, const char *name, const char *what, ae_err err);

/* The OID an oIDReference element names (AE_ERR_PARSE when none). */
ae_err xcep_oid_ref(struct xcep_ctx *c, const xmlNode *ref, const struct ae_xcep_oid **out);

/* A policy's Attributes element into t (allocations on t). */
ae_err xcep_attributes(struct xcep_ctx *c, struct ae_template *t, const xmlNode *attrs);

#endif
