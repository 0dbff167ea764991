/*
 * ae_gpt.c: GPT.INI (MS-GPOL 2.2.4 ABNF, read leniently where Windows and
 * Samba writers differ: CRLF or LF, blank lines, comments, spaces).
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include "ae_gpt.h"

struct gpt_state {
	bool seen_section;
	bool in_general;
	bool seen_general;
	bool seen_version;
	uint32_t version;
	const char *display_name;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* [s, e) without leading and trailing blanks. */
static void trim(const char **s, const char **e)
{
	while (*s < *e && is_blank(**s)) {
		(*s)++;
	}
	while (*e > *s && is_blank((*e)[-1])) {
		(*e)--;
	}
}

static bool span_is(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) == n && strncasecmp(s, word, n) == 0;
}

static ae_err parse_version(const char *s, const char *e, uint32_t *_v)
{
	bool neg = false;
	uint64_t v = 0;
	size_t digits = 0;

	if (s < e && (*s == '-' || *s == '+')) {
		neg = (*s == '-');
		s++;
	}
	for (; s < e; s++, digits++) {
		if (*s < '0' || *s > '9' || digits == 10) {
			return AE_ERR_PARSE;
		}
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (digits == 0 || (!neg && v > UINT32_MAX) || (neg && v > 0x80000000ULL)) {
		return AE_ERR_PARSE;
	}
	*_v = neg ? (uint32_t)(0 - v) : (uint32_t)v;
	return AE_OK;
}

static ae_err parse_line(TALLOC_CTX *mem, struct gpt_state *st, const char *s, const char *e)
{
	const char *eq = NULL, *ks, *ke, *vs, *ve;

	trim(&s, &e);
	if (s == e || *s == ';' || *s == '#') {
		return AE_OK;
	}
	if (*s == '[') {
		if (e - s < 3 || e[-1] != ']') {
			return AE_ERR_PARSE;
		}
		ks = s + 1;
		ke = e - 1;
		trim(&ks, &ke);
		st->seen_section = true;
		st->in_general = span_is(ks, ke, "General");
		st->seen_general |= st->in_general;
		return AE_OK;
	}
	eq = memchr(s, '=', (size_t)(e - s));
	if (eq == NULL) {
		return AE_ERR_PARSE;
	}
	ks = s;
	ke = eq;
	vs = eq + 1;
	ve = e;
	trim(&ks, &ke);
	trim(&vs, &ve);
	if (ks == ke) {
		return AE_ERR_PARSE;
	}
	if (!st->seen_section) {
		return AE_ERR_PARSE;	/* a key outside any section */
	}
	if (!st->in_general) {
		return AE_OK;
	}
	if (span_is(ks, ke, "Version")) {
		if (st->seen_version) {
			return AE_ERR_PARSE;	/* keys are unique within a section */
		}
		st->seen_version = true;
		return parse_version(vs, ve, &st->version);
	}
	if (span_is(ks, ke, "displayName") && st->display_name == NULL) {
		st->display_name = talloc_strndup(mem, vs, (size_t)(ve - vs));
		return st->display_name != NULL ? AE_OK : AE_ERR_NOMEM;
	}
	return AE_OK;
}

ae_err ae_gpt_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len, struct ae_gpt **_out)
{
	struct gpt_state st = { 0 };
	const char *s = (const char *)p, *end = s + len;
	struct ae_gpt *gpt = NULL;
	TALLOC_CTX *tmp = NULL;
	ae_err err = AE_OK;

	if ((p == NULL && len > 0) || _out == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > AE_GPT_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (len > 0 && memchr(p, '\0', len) != NULL) {
		return AE_ERR_PARSE;
	}
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	while (s < end && err == AE_OK) {
		const char *nl = s;
		while (nl < end && *nl != '\r' && *nl != '\n') {
			nl++;
		}
		if (nl - s > AE_GPT_LINE_MAX) {
			err = AE_ERR_TOO_LARGE;
			break;
		}
		err = parse_line(tmp, &st, s, nl);
		if (nl < end && *nl == '\r' && nl + 1 < end && nl[1] == '\n') {
			nl++;
		}
		s = (nl < end) ? nl + 1 : nl;
	}
	if (err == AE_OK && (!st.seen_general || !st.seen_version)) {
		err = AE_ERR_PARSE;
	}
	if (err == AE_OK) {
		gpt = talloc_zero(tmp, struct ae_gpt);
		err = (gpt != NULL) ? AE_OK : AE_ERR_NOMEM;
	}
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	gpt->version = st.version;
	gpt->display_name = st.display_name ? talloc_steal(gpt, st.display_name) : NULL;
	*_out = talloc_steal(mem_ctx, gpt);
	talloc_free(tmp);
	return AE_OK;
}
