/*
 * ae_spnego_hdr.c: the Negotiate challenge in a WWW-Authenticate field
 * value (untrusted bytes from the server) and the Authorization value we
 * send. Grammar: RFC 7235 §2.1 and §4.1 (challenge, token68, auth-param,
 * quoted-string from RFC 7230 §3.2.6), RFC 4559 §4 (Negotiate's token:
 * base64, RFC 4648 §4, with padding).
 */
#include <string.h>
#include "ae_https_priv.h"
#include "ae_digits.h"

struct cursor {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

static bool is_alpha_digit(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_tchar(uint8_t c)
{
	return is_alpha_digit(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_t68char(uint8_t c)
{
	return is_alpha_digit(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' ||
	       c == '/';
}

static bool at(const struct cursor *c, uint8_t ch)
{
	return c->pos < c->len && c->p[c->pos] == ch;
}

static void skip_ows(struct cursor *c)
{
	while (at(c, ' ') || at(c, '\t')) {
		c->pos++;
	}
}

/* 1*tchar; returns its length (0: none) */
static size_t read_token(struct cursor *c)
{
	size_t start = c->pos;

	while (c->pos < c->len && is_tchar(c->p[c->pos])) {
		c->pos++;
	}
	return c->pos - start;
}

/* after OWS: the end or a comma */
static bool at_element_end(const struct cursor *c)
{
	struct cursor t = *c;

	skip_ows(&t);
	return t.pos == t.len || t.p[t.pos] == ',';
}

/* token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=",
 * the whole element; on success c moves past it */
static bool read_token68(struct cursor *c, size_t *start, size_t *n)
{
	struct cursor t = *c;

	*start = t.pos;
	while (t.pos < t.len && is_t68char(t.p[t.pos])) {
		t.pos++;
	}
	if (t.pos == *start) {
		return false;
	}
	while (at(&t, '=')) {
		t.pos++;
	}
	if (!at_element_end(&t)) {
		return false;
	}
	*n = t.pos - *start;
	*c = t;
	return true;
}

static bool read_quoted(struct cursor *c)
{
	c->pos++;	/* the opening DQUOTE */
	while (c->pos < c->len) {
		uint8_t ch = c->p[c->pos++];

		if (ch == '"') {
			return true;
		}
		if (ch == '\\') {
			if (c->pos == c->len) {
				return false;
			}
			c->pos++;
		}
	}
	return false;
}

/* auth-param = token BWS "=" BWS ( token / quoted-string ) */
static bool read_auth_param(struct cursor *c)
{
	if (read_token(c) == 0) {
		return false;
	}
	skip_ows(c);
	if (!at(c, '=')) {
		return false;
	}
	c->pos++;
	skip_ows(c);
	if (at(c, '"')) {
		return read_quoted(c);
	}
	return read_token(c) > 0;
}

/* does an auth-param (token BWS "=") start here, rather than a new challenge? */
static bool auth_param_ahead(const struct cursor *c)
{
	struct cursor t = *c;

	if (read_token(&t) == 0) {
		return false;
	}
	skip_ows(&t);
	return at(&t, '=');
}

/* #auth-param after the first one: stops at the comma before a new challenge */
static bool read_auth_params(struct cursor *c)
{
	if (!read_auth_param(c)) {
		return false;
	}
	for (;;) {
		struct cursor t = *c;
		struct cursor u;

		skip_ows(&t);
		if (t.pos == t.len) {
			*c = t;
			return true;
		}
		if (!at(&t, ',')) {
			return false;
		}
		u = t;
		while (at(&u, ',') || at(&u, ' ') || at(&u, '\t')) {
			u.pos++;
		}
		if (u.pos == u.len || !auth_param_ahead(&u)) {
			*c = t;
			return true;
		}
		*c = u;
		if (!read_auth_param(c)) {
			return false;
		}
	}
}

/* strict RFC 4648 §4 with padding, canonical (unused bits zero) */
static ae_err b64_decode(TALLOC_CTX *mem, const uint8_t *p, size_t n, uint8_t **_out,
			 size_t *_len)
{
	size_t pad = 0;
	size_t i;
	size_t o = 0;
	uint32_t acc = 0;
	uint8_t *out;

	if (n == 0 || n % 4 != 0) {
		return AE_ERR_PARSE;
	}
	while (pad < 2 && p[n - 1 - pad] == '=') {
		pad++;
	}
	out = talloc_array(mem, uint8_t, n / 4 * 3);
	if (out == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < n - pad; i++) {
		int v = ae_base64_digit(p[i]);

		if (v < 0) {
			talloc_free(out);
			return AE_ERR_PARSE;
		}
		acc = (acc << 6) | (uint32_t)v;
		if (i % 4 == 3) {
			out[o++] = (uint8_t)(acc >> 16);
			out[o++] = (uint8_t)(acc >> 8);
			out[o++] = (uint8_t)acc;
			acc = 0;
		}
	}
	if ((pad == 2 && (acc & 0xf) != 0) || (pad == 1 && (acc & 0x3) != 0)) {
		talloc_free(out);
		return AE_ERR_PARSE;
	}
	if (pad == 2) {
		out[o++] = (uint8_t)(acc >> 4);
	} else if (pad == 1) {
		out[o++] = (uint8_t)(acc >> 10);
		out[o++] = (uint8_t)(acc >> 2);
	}
	*_out = out;
	*_len = o;
	return AE_OK;
}

static bool is_negotiate(const uint8_t *p, size_t n)
{
	static const char name[] = "negotiate";
	size_t i;

	if (n != sizeof(name) - 1) {
		return false;
	}
	for (i = 0; i < n; i++) {
		uint8_t ch = p[i] >= 'A' && p[i] <= 'Z' ? (uint8_t)(p[i] + 32) : p[i];

		if (ch != (uint8_t)name[i]) {
			return false;
		}
	}
	return true;
}

/* one challenge at c; Negotiate's token68 (start, n) noted in *neg_* */
static ae_err read_challenge(struct cursor *c, bool *negotiate, size_t *t_start, size_t *t_len)
{
	size_t s0 = c->pos;
	size_t n = read_token(c);
	bool neg;

	if (n == 0) {
		return AE_ERR_PARSE;
	}
	neg = is_negotiate(c->p + s0, n);
	if (neg && *negotiate) {
		return AE_ERR_PARSE;	/* Negotiate offered twice */
	}
	*negotiate = *negotiate || neg;
	if (at_element_end(c)) {
		skip_ows(c);
		return AE_OK;
	}
	if (!at(c, ' ')) {
		return AE_ERR_PARSE;
	}
	while (at(c, ' ')) {
		c->pos++;
	}
	if (at_element_end(c)) {
		skip_ows(c);
		return AE_OK;
	}
	if (read_token68(c, &s0, &n)) {
		if (neg) {
			*t_start = s0;
			*t_len = n;
		}
		skip_ows(c);
		return AE_OK;
	}
	if (neg) {
		return AE_ERR_PARSE;	/* RFC 4559 §4: Negotiate takes a token only */
	}
	return read_auth_params(c) ? AE_OK : AE_ERR_PARSE;
}

ae_err ae_negotiate_hdr_parse(TALLOC_CTX *mem, const uint8_t *p, size_t len,
			      struct ae_negotiate_hdr **_h)
{
	struct cursor c = { p, len, 0 };
	struct ae_negotiate_hdr *h;
	bool negotiate = false;
	size_t count = 0;
	size_t t_start = 0;
	size_t t_len = 0;
	size_t i;
	ae_err err;

	if (p == NULL || _h == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > AE_NEGOTIATE_HDR_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	for (i = 0; i < len; i++) {
		if ((p[i] < 0x20 && p[i] != '\t') || p[i] >= 0x7f) {
			return AE_ERR_PARSE;
		}
	}
	while (c.pos < c.len) {
		while (at(&c, ',') || at(&c, ' ') || at(&c, '\t')) {
			c.pos++;	/* empty list elements (RFC 7230 §7) */
		}
		if (c.pos == c.len) {
			break;
		}
		err = read_challenge(&c, &negotiate, &t_start, &t_len);
		if (err != AE_OK) {
			return err;
		}
		count++;
		if (c.pos < c.len && !at(&c, ',')) {
			return AE_ERR_PARSE;
		}
	}
	if (count == 0) {
		return AE_ERR_PARSE;	/* an empty list */
	}
	if (t_len > AE_NEGOTIATE_B64_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	h = talloc_zero(mem, struct ae_negotiate_hdr);
	if (h == NULL) {
		return AE_ERR_NOMEM;
	}
	h->negotiate = negotiate;
	if (t_len > 0) {
		err = b64_decode(h, p + t_start, t_len, &h->token, &h->token_len);
		if (err != AE_OK) {
			talloc_free(h);
			return err;
		}
	}
	*_h = h;
	return AE_OK;
}

char *ae_negotiate_hdr_value(TALLOC_CTX *mem, const uint8_t *token, size_t len)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char prefix[] = "Negotiate ";
	size_t plen = sizeof(prefix) - 1;
	size_t i;
	size_t o = plen;
	char *out;

	if (len > (SIZE_MAX - plen - 1) / 4 * 3 - 3) {
		return NULL;
	}
	out = talloc_array(mem, char, plen + (len + 2) / 3 * 4 + 1);
	if (out == NULL) {
		return NULL;
	}
	memcpy(out, prefix, plen);
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)token[i] << 16 | (uint32_t)token[i + 1] << 8 | token[i + 2];

		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		out[o++] = tab[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)token[i] << 16 | (i + 1 < len ? (uint32_t)token[i + 1] << 8 : 0);

		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}
