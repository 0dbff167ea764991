/*
 * ae_http.c: the two parsers of untrusted text behind ae_fetch_url: URLs
 * from certificates (RFC 3986 subset, RFC 8089 file URLs) and the HTTP/1.x
 * response (RFC 9112 subset: no chunking, no folding).
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include "ae_fetch.h"
#include "ae_log.h"
#include "ae_digits.h"

/* ---- URLs ---- */

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* "[v6]" or "name" or "a.b.c.d", then optional ":port"; a is the authority. */
static ae_err parse_authority(struct ae_url *u, const char *a, size_t n)
{
	const char *host = a;
	size_t host_len;
	size_t i;
	size_t rest;
	unsigned long port = 80;

	if (n == 0 || memchr(a, '@', n) != NULL) {
		return AE_ERR_PARSE;
	}
	if (a[0] == '[') {
		const char *close = memchr(a, ']', n);

		if (close == NULL || close == a + 1) {
			return AE_ERR_PARSE;
		}
		host = a + 1;
		host_len = (size_t)(close - host);
		for (i = 0; i < host_len; i++) {
			if (ae_hex_digit(host[i]) < 0 && host[i] != ':' && host[i] != '.') {
				return AE_ERR_PARSE;
			}
		}
		rest = (size_t)(close + 1 - a);
	} else {
		const char *colon = memchr(a, ':', n);

		host_len = colon != NULL ? (size_t)(colon - a) : n;
		if (host_len == 0 || host_len > 253) {
			return AE_ERR_PARSE;
		}
		for (i = 0; i < host_len; i++) {
			if (!is_alnum(a[i]) && a[i] != '-' && a[i] != '.' && a[i] != '_') {
				return AE_ERR_PARSE;
			}
		}
		rest = host_len;
	}
	if (rest < n) {
		if (a[rest] != ':' || n - rest - 1 == 0 || n - rest - 1 > 5) {
			return AE_ERR_PARSE;
		}
		port = 0;
		for (i = rest + 1; i < n; i++) {
			if (a[i] < '0' || a[i] > '9') {
				return AE_ERR_PARSE;
			}
			port = port * 10 + (unsigned long)(a[i] - '0');
		}
		if (port == 0 || port > 65535) {
			return AE_ERR_PARSE;
		}
	}
	u->host = talloc_strndup(u, host, host_len);
	u->authority = talloc_strndup(u, a, n);
	if (u->host == NULL || u->authority == NULL) {
		return AE_ERR_NOMEM;
	}
	u->port = (uint16_t)port;
	return AE_OK;
}

static ae_err parse_http(struct ae_url *u, const char *s)
{
	size_t a_len = strcspn(s, "/?#");
	size_t p_len;
	ae_err err;

	u->scheme = AE_URL_HTTP;
	err = parse_authority(u, s, a_len);
	if (err != AE_OK) {
		return err;
	}
	s += a_len;
	p_len = strcspn(s, "#");
	/* an empty path, or only a query, asks for the root */
	u->path = talloc_asprintf(u, "%s%.*s", s[0] == '/' ? "" : "/", (int)p_len, s);
	return u->path != NULL ? AE_OK : AE_ERR_NOMEM;
}

static ae_err parse_file(struct ae_url *u, const char *s)
{
	size_t h_len = strcspn(s, "/");
	char *path = NULL;
	size_t n = 0;

	u->scheme = AE_URL_FILE;
	if (h_len != 0 && !(h_len == 9 && strncasecmp(s, "localhost", 9) == 0)) {
		AE_DEBUG("fetch: file URL on another host");
		return AE_ERR_UNSUPPORTED;
	}
	s += h_len;
	if (s[0] != '/' || strpbrk(s, "?#") != NULL) {
		return AE_ERR_PARSE;
	}
	path = talloc_array(u, char, strlen(s) + 1);
	if (path == NULL) {
		return AE_ERR_NOMEM;
	}
	while (*s != '\0') {
		if (*s != '%') {
			path[n++] = *s++;
			continue;
		}
		if (ae_hex_digit(s[1]) < 0 || ae_hex_digit(s[2]) < 0 ||
		    (ae_hex_digit(s[1]) == 0 && ae_hex_digit(s[2]) == 0)) {
			return AE_ERR_PARSE;
		}
		path[n++] = (char)(ae_hex_digit(s[1]) * 16 + ae_hex_digit(s[2]));
		s += 3;
	}
	path[n] = '\0';
	u->path = path;
	u->host = talloc_strdup(u, "");
	u->authority = talloc_strdup(u, "");
	return u->host != NULL && u->authority != NULL ? AE_OK : AE_ERR_NOMEM;
}

ae_err ae_url_parse(TALLOC_CTX *mem_ctx, const char *url, struct ae_url **_u)
{
	struct ae_url *u = NULL;
	size_t n;
	size_t i;
	size_t s_len;
	ae_err err;

	if (url == NULL || _u == NULL) {
		return AE_ERR_INVALID;
	}
	n = strnlen(url, AE_URL_MAX + 1);
	if (n > AE_URL_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	for (i = 0; i < n; i++) {
		if (url[i] <= 0x20 || url[i] >= 0x7f) {
			return AE_ERR_PARSE;
		}
	}
	s_len = strcspn(url, ":");
	if (s_len == 0 || s_len == n || url[s_len + 1] != '/' || url[s_len + 2] != '/' ||
	    !is_alnum(url[0]) || (url[0] >= '0' && url[0] <= '9')) {
		return AE_ERR_PARSE;
	}
	for (i = 1; i < s_len; i++) {
		if (!is_alnum(url[i]) && url[i] != '+' && url[i] != '-' && url[i] != '.') {
			return AE_ERR_PARSE;
		}
	}
	u = talloc_zero(NULL, struct ae_url);
	if (u == NULL) {
		return AE_ERR_NOMEM;
	}
	if (s_len == 4 && strncasecmp(url, "http", 4) == 0) {
		err = parse_http(u, url + 7);
	} else if (s_len == 4 && strncasecmp(url, "file", 4) == 0) {
		err = parse_file(u, url + 7);
	} else {
		AE_DEBUG("fetch: URL scheme '%.*s' is not fetched here", (int)s_len, url);
		err = AE_ERR_UNSUPPORTED;
	}
	if (err != AE_OK) {
		talloc_free(u);
		return err;
	}
	*_u = talloc_steal(mem_ctx, u);
	return AE_OK;
}

/* ---- HTTP responses ---- */

static bool is_tchar(uint8_t c)
{
	return is_alnum((char)c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Where the head ends (after its empty line) within the first AE_HTTP_HEADER_MAX bytes. */
static ae_err find_head_end(const uint8_t *p, size_t len, size_t *_end)
{
	size_t window = len < AE_HTTP_HEADER_MAX ? len : AE_HTTP_HEADER_MAX;
	size_t i;

	for (i = 0; i + 1 < window; i++) {
		if (p[i] != '\n') {
			continue;
		}
		if (p[i + 1] == '\n') {
			*_end = i + 2;
			return AE_OK;
		}
		if (p[i + 1] == '\r' && i + 2 < window && p[i + 2] == '\n') {
			*_end = i + 3;
			return AE_OK;
		}
	}
	return len > AE_HTTP_HEADER_MAX ? AE_ERR_TOO_LARGE : AE_ERR_PARSE;
}

/* "HTTP/1.x NNN[ reason]" */
static ae_err parse_status(const uint8_t *l, size_t n, unsigned *_status)
{
	size_t i;

	if (n < 12 || memcmp(l, "HTTP/1.", 7) != 0 || l[7] < '0' || l[7] > '9' ||
	    l[8] != ' ' || (n > 12 && l[12] != ' ')) {
		return AE_ERR_PARSE;
	}
	for (i = 9; i < 12; i++) {
		if (l[i] < '0' || l[i] > '9') {
			return AE_ERR_PARSE;
		}
	}
	if (l[9] == '0') {
		return AE_ERR_PARSE;
	}
	*_status = (unsigned)((l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0'));
	return AE_OK;
}

struct head {
	unsigned status;
	bool has_length;
	size_t length;
	const uint8_t *location;
	size_t location_len;
};

static ae_err parse_content_length(const uint8_t *v, size_t n, struct head *h)
{
	size_t value = 0;
	size_t i;

	if (n == 0 || n > 20) {
		return AE_ERR_PARSE;
	}
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9') {
			return AE_ERR_PARSE;
		}
		if (value > AE_FETCH_MAX) {
			return AE_ERR_TOO_LARGE;
		}
		value = value * 10 + (size_t)(v[i] - '0');
	}
	if (value > AE_FETCH_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (h->has_length && h->length != value) {
		return AE_ERR_PARSE;
	}
	h->has_length = true;
	h->length = value;
	return AE_OK;
}

/* One "name: value" line. */
static ae_err parse_header(const uint8_t *l, size_t n, struct head *h)
{
	const uint8_t *colon = memchr(l, ':', n);
	const uint8_t *v = NULL;
	size_t name_len;
	size_t v_len;
	size_t i;

	if (colon == NULL || colon == l) {
		return AE_ERR_PARSE;	/* also catches folded lines (leading SP/HT) */
	}
	name_len = (size_t)(colon - l);
	for (i = 0; i < name_len; i++) {
		if (!is_tchar(l[i])) {
			return AE_ERR_PARSE;
		}
	}
	v = colon + 1;
	v_len = n - name_len - 1;
	for (i = 0; i < v_len; i++) {
		if (v[i] < 0x20 && v[i] != '\t') {
			return AE_ERR_PARSE;
		}
		if (v[i] == 0x7f) {
			return AE_ERR_PARSE;
		}
	}
	while (v_len > 0 && (v[0] == ' ' || v[0] == '\t')) {
		v++;
		v_len--;
	}
	while (v_len > 0 && (v[v_len - 1] == ' ' || v[v_len - 1] == '\t')) {
		v_len--;
	}
	if (name_len == 14 && strncasecmp((const char *)l, "Content-Length", 14) == 0) {
		return parse_content_length(v, v_len, h);
	}
	if (name_len == 17 && strncasecmp((const char *)l, "Transfer-Encoding", 17) == 0) {
		AE_DEBUG("fetch: HTTP Transfer-Encoding is not supported");
		return AE_ERR_UNSUPPORTED;
	}
	if (name_len == 8 && strncasecmp((const char *)l, "Location", 8) == 0) {
		h->location = v;
		h->location_len = v_len < AE_URL_MAX ? v_len : AE_URL_MAX;
	}
	return AE_OK;
}

static ae_err parse_head(const uint8_t *p, size_t head_len, struct head *h)
{
	size_t off = 0;
	size_t lines = 0;
	ae_err err;

	while (off < head_len) {
		const uint8_t *l = p + off;
		const uint8_t *e = memchr(l, '\n', head_len - off);
		size_t n = (size_t)(e - l);	/* find_head_end saw the last LF */

		off += n + 1;
		if (n > 0 && l[n - 1] == '\r') {
			n--;
		}
		if (n == 0) {
			break;	/* the empty line */
		}
		if (++lines > AE_HTTP_HEADER_LINES_MAX) {
			return AE_ERR_TOO_LARGE;
		}
		err = lines == 1 ? parse_status(l, n, &h->status) : parse_header(l, n, h);
		if (err != AE_OK) {
			return err;
		}
	}
	return lines > 0 ? AE_OK : AE_ERR_PARSE;
}

ae_err ae_http_response_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			      struct ae_http_response **_r)
{
	struct ae_http_response *r = NULL;
	struct head h = { 0 };
	size_t head_len = 0;
	size_t body_len;
	ae_err err;

	if (p == NULL || _r == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > AE_HTTP_RESPONSE_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	err = find_head_end(p, len, &head_len);
	if (err != AE_OK) {
		return err;
	}
	if (memchr(p, '\0', head_len) != NULL) {
		return AE_ERR_PARSE;
	}
	err = parse_head(p, head_len, &h);
	if (err != AE_OK) {
		return err;
	}
	body_len = len - head_len;
	if (h.has_length && body_len < h.length) {
		return AE_ERR_PARSE;
	}
	if (h.has_length && body_len > h.length) {
		return AE_ERR_TRAILING;
	}
	r = talloc_zero(NULL, struct ae_http_response);
	if (r == NULL) {
		return AE_ERR_NOMEM;
	}
	r->status = h.status;
	r->body = talloc_array(r, uint8_t, body_len + 1);
	if (r->body == NULL) {
		talloc_free(r);
		return AE_ERR_NOMEM;
	}
	memcpy(r->body, p + head_len, body_len);
	r->body[body_len] = 0;
	r->body_len = body_len;
	if (h.location != NULL) {
		r->location = talloc_strndup(r, (const char *)h.location, h.location_len);
		if (r->location == NULL) {
			talloc_free(r);
			return AE_ERR_NOMEM;
		}
	}
	*_r = talloc_steal(mem_ctx, r);
	return AE_OK;
}
