/*
 * ae_gplink.c: the gPLink syntax of MS-GPOL 2.2.2.
 */
#include <string.h>
#include <strings.h>
#include "ae_gplink.h"

static ae_err parse_options(const char *s, const char *e, uint32_t *_v)
{
	uint64_t v = 0;

	if (s == e || e - s > 10) {
		return AE_ERR_PARSE;
	}
	for (; s < e; s++) {
		if (*s < '0' || *s > '9') {
			return AE_ERR_PARSE;
		}
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v > UINT32_MAX) {
		return AE_ERR_PARSE;
	}
	*_v = (uint32_t)v;
	return AE_OK;
}

/* One "[LDAP://dn;n]" starting at s (which is '['); *_next is past ']'. */
static ae_err parse_link(TALLOC_CTX *mem, const char *s, const char *end,
			 struct ae_gplink_entry *out, const char **_next)
{
	const char *close = NULL, *semi = NULL, *dn = NULL;
	size_t dn_len;
	char *copy = NULL;
	ae_err err;

	close = memchr(s, ']', (size_t)(end - s));
	if (close == NULL) {
		return AE_ERR_PARSE;
	}
	if (memchr(s + 1, '[', (size_t)(close - s - 1)) != NULL) {
		return AE_ERR_PARSE;
	}
	if (close - (s + 1) < 7 || strncasecmp(s + 1, "LDAP://", 7) != 0) {
		return AE_ERR_PARSE;
	}
	dn = s + 8;
	for (const char *q = close; q > dn; q--) {
		if (q[-1] == ';') {
			semi = q - 1;
			break;
		}
	}
	if (semi == NULL || semi == dn) {
		return AE_ERR_PARSE;
	}
	dn_len = (size_t)(semi - dn);
	if (dn_len > AE_GPLINK_DN_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	err = parse_options(semi + 1, close, &out->options);
	if (err != AE_OK) {
		return err;
	}
	copy = talloc_strndup(mem, dn, dn_len);
	if (copy == NULL) {
		return AE_ERR_NOMEM;
	}
	out->dn = copy;
	*_next = close + 1;
	return AE_OK;
}

ae_err ae_gplink_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		       struct ae_gplink **_out)
{
	const char *s = (const char *)p, *end = s + len;
	struct ae_gplink *gl = NULL;
	size_t cap = 4;

	if ((p == NULL && len > 0) || _out == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > AE_GPLINK_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (len > 0 && memchr(p, '\0', len) != NULL) {
		return AE_ERR_PARSE;
	}
	while (s < end && *s == ' ') {
		s++;
	}
	while (end > s && end[-1] == ' ') {
		end--;
	}
	gl = talloc_zero(NULL, struct ae_gplink);
	if (gl == NULL || (gl->links = talloc_array(gl, struct ae_gplink_entry, cap)) == NULL) {
		talloc_free(gl);
		return AE_ERR_NOMEM;
	}
	while (s < end) {
		ae_err err;

		if (*s != '[') {
			talloc_free(gl);
			return AE_ERR_PARSE;
		}
		if (gl->num_links == AE_GPLINK_LINKS_MAX) {
			talloc_free(gl);
			return AE_ERR_TOO_LARGE;
		}
		if (gl->num_links == cap) {
			cap *= 2;
			gl->links = talloc_realloc(gl, gl->links, struct ae_gplink_entry, cap);
			if (gl->links == NULL) {
				talloc_free(gl);
				return AE_ERR_NOMEM;
			}
		}
		err = parse_link(gl, s, end, &gl->links[gl->num_links], &s);
		if (err != AE_OK) {
			talloc_free(gl);
			return err;
		}
		gl->num_links++;
	}
	*_out = talloc_steal(mem_ctx, gl);
	return AE_OK;
}

size_t ae_gpo_dn_guid(const char *dn, const char **_guid)
{
	const char *g = NULL, *close = NULL;

	if (dn == NULL || strncasecmp(dn, "cn=", 3) != 0 || dn[3] != '{') {
		return 0;
	}
	g = dn + 3;
	close = strchr(g, '}');
	if (close == NULL || close - g != 37 || (close[1] != ',' && close[1] != '\0')) {
		return 0;
	}
	if (_guid != NULL) {
		*_guid = g;
	}
	return 38;
}
