/*
 * msPKI-RA-Application-Policies, syntax 2 [MS-CRTD 2.23.2]: one string of
 * Name`Type`Value` triplets, the grave accent both separator and
 * terminator. Windows writes the final terminator; some scripts do not.
 */
#include <string.h>
#include <strings.h>
#include "ae_attrval.h"
#include "ae_template.h"

#define RA_ATTR "msPKI-RA-Application-Policies"

enum ra_type { RA_DWORD, RA_STRING };

struct ra_prop {
	const char *name;
	enum ra_type type;
	uint32_t has;
	size_t off;		/* char * or uint32_t in struct ae_ra_properties */
};

#define P(field) offsetof(struct ae_ra_properties, field)

static const struct ra_prop ra_props[] = {
	{ "msPKI-Asymmetric-Algorithm", RA_STRING, AE_RA_HAS_ASYMMETRIC_ALGORITHM,
	  P(asymmetric_algorithm) },
	{ "msPKI-Hash-Algorithm", RA_STRING, AE_RA_HAS_HASH_ALGORITHM, P(hash_algorithm) },
	{ "msPKI-Symmetric-Algorithm", RA_STRING, AE_RA_HAS_SYMMETRIC_ALGORITHM,
	  P(symmetric_algorithm) },
	{ "msPKI-Symmetric-Key-Length", RA_DWORD, AE_RA_HAS_SYMMETRIC_KEY_LENGTH,
	  P(symmetric_key_length) },
	{ "msPKI-Key-Usage", RA_DWORD, AE_RA_HAS_KEY_USAGE, P(key_usage) },
	{ "msPKI-Key-Security-Descriptor", RA_STRING, AE_RA_HAS_KEY_SECURITY_DESCRIPTOR,
	  P(key_security_descriptor) },
	/* The OID list, comma-separated; handled apart. */
	{ RA_ATTR, RA_STRING, AE_RA_HAS_APPLICATION_POLICIES, 0 },
};

#undef P

struct token {
	const char *p;
	size_t len;
};

static bool token_is(const struct token *t, const char *s)
{
	return strlen(s) == t->len && strncasecmp(t->p, s, t->len) == 0;
}

static ae_err parse_dword(const struct token *t, uint32_t *_out)
{
	uint64_t acc = 0;
	size_t i;

	if (t->len == 0 || t->len > 10) {
		return AE_ERR_PARSE;
	}
	for (i = 0; i < t->len; i++) {
		if (t->p[i] < '0' || t->p[i] > '9') {
			return AE_ERR_PARSE;
		}
		acc = acc * 10 + (uint64_t)(t->p[i] - '0');
	}
	if (acc > UINT32_MAX) {
		return AE_ERR_PARSE;
	}
	*_out = (uint32_t)acc;
	return AE_OK;
}

/* "oid,oid,..." (empty = none) into a talloc array on mem_ctx. */
static ae_err parse_oid_list(TALLOC_CTX *mem_ctx, const struct token *t,
			     char ***_oids, size_t *_num, char *why, size_t why_len)
{
	char **oids = NULL;
	size_t num = 0;
	size_t off = 0;

	while (off < t->len) {
		const char *start = t->p + off;
		const char *comma = memchr(start, ',', t->len - off);
		size_t n = comma != NULL ? (size_t)(comma - start) : t->len - off;
		char shown[AE_WHY_SHOWN_BUF];
		char **grown = NULL;

		if (!ae_oid_valid(start, n)) {
			ae_value_show((const uint8_t *)start, n, shown, sizeof(shown));
			ae_why(why, why_len, RA_ATTR ": '%s' in the policy list is not an OID",
			       shown);
			talloc_free(oids);
			return AE_ERR_PARSE;
		}
		if (num == AE_TEMPLATE_VALUES_MAX) {
			ae_why(why, why_len, RA_ATTR ": more than %d policy OIDs",
			       AE_TEMPLATE_VALUES_MAX);
			talloc_free(oids);
			return AE_ERR_PARSE;
		}
		grown = talloc_realloc(mem_ctx, oids, char *, num + 1);
		if (grown == NULL) {
			talloc_free(oids);
			return AE_ERR_NOMEM;
		}
		oids = grown;
		oids[num] = talloc_strndup(oids, start, n);
		if (oids[num] == NULL) {
			talloc_free(oids);
			return AE_ERR_NOMEM;
		}
		num++;
		off += n + (comma != NULL ? 1 : 0);
		if (comma != NULL && off == t->len) {
			ae_why(why, why_len, RA_ATTR ": the policy list ends with ','");
			talloc_free(oids);
			return AE_ERR_PARSE;
		}
	}
	*_oids = oids;
	*_num = num;
	return AE_OK;
}

static ae_err apply_triplet(TALLOC_CTX *mem_ctx, const struct token tok[3],
			    struct ae_ra_properties *ra, char ***_oids, size_t *_num,
			    char *why, size_t why_len)
{
	char shown[AE_WHY_SHOWN_BUF];
	const struct ra_prop *d = NULL;
	enum ra_type type;
	size_t i;

	if (token_is(&tok[1], "DWORD")) {
		type = RA_DWORD;
	} else if (token_is(&tok[1], "PZPWSTR")) {
		type = RA_STRING;
	} else {
		ae_value_show((const uint8_t *)tok[1].p, tok[1].len, shown, sizeof(shown));
		ae_why(why, why_len, RA_ATTR ": unknown type '%s' (DWORD or PZPWSTR)", shown);
		return AE_ERR_PARSE;
	}
	for (i = 0; i < sizeof(ra_props) / sizeof(ra_props[0]); i++) {
		if (token_is(&tok[0], ra_props[i].name)) {
			d = &ra_props[i];
			break;
		}
	}
	if (d == NULL) {
		/* A property this client does not know: ignored, like Windows would. */
		return AE_OK;
	}
	if (d->type != type) {
		ae_why(why, why_len, RA_ATTR ": %s has type %s, expected %s", d->name,
		       type == RA_DWORD ? "DWORD" : "PZPWSTR",
		       d->type == RA_DWORD ? "DWORD" : "PZPWSTR");
		return AE_ERR_PARSE;
	}
	if ((ra->present & d->has) != 0) {
		ae_why(why, why_len, RA_ATTR ": %s given twice", d->name);
		return AE_ERR_PARSE;
	}
	ra->present |= d->has;
	if (d->has == AE_RA_HAS_APPLICATION_POLICIES) {
		return parse_oid_list(mem_ctx, &tok[2], _oids, _num, why, why_len);
	}
	if (type == RA_DWORD) {
		if (parse_dword(&tok[2], (uint32_t *)((char *)ra + d->off)) != AE_OK) {
			ae_value_show((const uint8_t *)tok[2].p, tok[2].len, shown, sizeof(shown));
			ae_why(why, why_len, RA_ATTR ": %s: '%s' is not a DWORD", d->name, shown);
			return AE_ERR_PARSE;
		}
		return AE_OK;
	}
	*(char **)((char *)ra + d->off) = talloc_strndup(mem_ctx, tok[2].p, tok[2].len);
	if (*(char **)((char *)ra + d->off) == NULL) {
		return AE_ERR_NOMEM;
	}
	return AE_OK;
}

ae_err ae_template_parse_ra_properties(TALLOC_CTX *mem_ctx, const char *s, size_t len,
				       struct ae_ra_properties *ra,
				       char ***_oids, size_t *_num_oids,
				       char *why, size_t why_len)
{
	struct ae_ra_properties out = { 0 };
	TALLOC_CTX *tmp = NULL;
	char **oids = NULL;
	size_t num_oids = 0;
	struct token tok[3];
	size_t ntok = 0;
	size_t off = 0;
	ae_err err = AE_OK;

	if (s == NULL || ra == NULL || _oids == NULL || _num_oids == NULL) {
		return AE_ERR_INVALID;
	}
	if (len == 0 || memchr(s, '\0', len) != NULL) {
		ae_why(why, why_len, RA_ATTR ": empty or NUL in the triplet string");
		return AE_ERR_PARSE;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	while (err == AE_OK && off < len) {
		const char *q = memchr(s + off, '`', len - off);
		size_t n = q != NULL ? (size_t)(q - (s + off)) : len - off;

		tok[ntok++] = (struct token) { .p = s + off, .len = n };
		off += n + (q != NULL ? 1 : 0);
		if (ntok == 3) {
			err = apply_triplet(tmp, tok, &out, &oids, &num_oids, why, why_len);
			ntok = 0;
		}
	}
	if (err == AE_OK && ntok != 0) {
		ae_why(why, why_len, RA_ATTR ": incomplete Name`Type`Value` triplet at offset %zu",
		       (size_t)(tok[0].p - s));
		err = AE_ERR_PARSE;
	}
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	talloc_steal(mem_ctx, out.asymmetric_algorithm);
	talloc_steal(mem_ctx, out.hash_algorithm);
	talloc_steal(mem_ctx, out.symmetric_algorithm);
	talloc_steal(mem_ctx, out.key_security_descriptor);
	talloc_steal(mem_ctx, oids);
	talloc_free(tmp);
	*ra = out;
	*_oids = oids;
	*_num_oids = num_oids;
	return AE_OK;
}
