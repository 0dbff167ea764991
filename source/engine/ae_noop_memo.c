/*
 * ae_noop_memo.c: the no-op memo's parser and writer (ae_noop_memo.h).
 * The file is ours, in a root-only (or the user's own) directory, but it
 * is parsed as untrusted bytes all the same: fixed line order, capped
 * lengths and counts, no control bytes, nothing after "end".
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "ae_noop_memo.h"
#include "ae_sid.h"

#define MAGIC "ae-noop-memo 2"

struct cur {
	const uint8_t *p;
	size_t len, pos;
	TALLOC_CTX *mem;
};

/* The next line (without '\n'); tabs allowed only when 'tabs'. */
static ae_err line(struct cur *c, bool tabs, const char **_l, size_t *_n)
{
	size_t i, start = c->pos;

	for (i = start; i < c->len && c->p[i] != '\n'; i++) {
		uint8_t b = c->p[i];
		if (i - start >= AE_NOOP_LINE_MAX) {
			return AE_ERR_TOO_LARGE;
		}
		if ((b < 0x20 && !(tabs && b == '\t')) || b == 0x7f) {
			return AE_ERR_PARSE;
		}
	}
	if (i == c->len) {
		return AE_ERR_PARSE;	/* every line ends with '\n' */
	}
	*_l = (const char *)c->p + start;
	*_n = i - start;
	c->pos = i + 1;
	return AE_OK;
}

/* "key value": the value as a new string. */
static ae_err field(struct cur *c, const char *key, char **_v)
{
	size_t k = strlen(key), n = 0;
	const char *l = NULL;
	ae_err err = line(c, false, &l, &n);

	if (err != AE_OK) {
		return err;
	}
	if (n <= k + 1 || memcmp(l, key, k) != 0 || l[k] != ' ') {
		return AE_ERR_PARSE;
	}
	*_v = talloc_strndup(c->mem, l + k + 1, n - k - 1);
	return *_v != NULL ? AE_OK : AE_ERR_NOMEM;
}

static ae_err number(struct cur *c, const char *key, uint64_t max, uint64_t *_v)
{
	char *v = NULL;
	uint64_t x = 0;
	size_t i;
	ae_err err = field(c, key, &v);

	if (err != AE_OK) {
		return err;
	}
	if (strlen(v) > 20 || (v[0] == '0' && v[1] != '\0')) {
		return AE_ERR_PARSE;
	}
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || x > (max - (uint64_t)(v[i] - '0')) / 10) {
			return AE_ERR_PARSE;
		}
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*_v = x;
	return AE_OK;
}

static int hexval(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

static ae_err hex(struct cur *c, const char *key, uint8_t *out, size_t len)
{
	char *v = NULL;
	size_t i;
	ae_err err = field(c, key, &v);

	if (err != AE_OK) {
		return err;
	}
	if (strlen(v) != 2 * len) {
		return AE_ERR_PARSE;
	}
	for (i = 0; i < len; i++) {
		int hi = hexval(v[2 * i]), lo = hexval(v[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			return AE_ERR_PARSE;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return AE_OK;
}

static bool peek(const struct cur *c, const char *prefix)
{
	size_t k = strlen(prefix);
	return c->len - c->pos >= k && memcmp(c->p + c->pos, prefix, k) == 0;
}

/* A word of the report ([a-z0-9-], 1..32 bytes) as a new string, or NULL. */
static const char *word(TALLOC_CTX *mem, const char *v, size_t n)
{
	size_t i;

	if (n == 0 || n > 32) {
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '-')) {
			return NULL;
		}
	}
	return talloc_strndup(mem, v, n);
}

static ae_err item(struct cur *c, struct ae_noop_item *it)
{
	const char *l = NULL, *f[6];
	size_t n = 0, fl[6], k = 0, i, start;
	ae_err err = line(c, true, &l, &n);

	if (err != AE_OK) {
		return err;
	}
	if (n < 5 || memcmp(l, "item ", 5) != 0) {
		return AE_ERR_PARSE;
	}
	for (start = 5, i = 5; i <= n; i++) {
		if (i == n || l[i] == '\t') {
			if (k == 6) {
				return AE_ERR_PARSE;
			}
			f[k] = l + start;
			fl[k++] = i - start;
			start = i + 1;
		}
	}
	if (k != 6 || fl[0] == 0) {
		return AE_ERR_PARSE;
	}
	it->action = word(c->mem, f[1], fl[1]);
	it->cause = word(c->mem, f[2], fl[2]);
	it->result = fl[3] == 7 && memcmp(f[3], "skipped", 7) == 0 ? "skipped" :
		     fl[3] == 6 && memcmp(f[3], "warned", 6) == 0 ? "warned" : NULL;
	it->template_name = talloc_strndup(c->mem, f[0], fl[0]);
	it->ca = fl[4] > 0 ? talloc_strndup(c->mem, f[4], fl[4]) : NULL;
	it->reason = talloc_strndup(c->mem, f[5], fl[5]);
	if (it->action == NULL || it->cause == NULL || it->result == NULL) {
		return AE_ERR_PARSE;
	}
	return it->template_name && it->reason && (fl[4] == 0 || it->ca) ? AE_OK : AE_ERR_NOMEM;
}

static ae_err parse_head(struct cur *c, struct ae_noop_memo *m)
{
	struct ae_sid sid;
	const char *l = NULL;
	size_t n = 0;
	ae_err err = line(c, false, &l, &n);

	if (err != AE_OK || n != strlen(MAGIC) || memcmp(l, MAGIC, n) != 0) {
		return err != AE_OK ? err : AE_ERR_PARSE;
	}
	if ((err = field(c, "dc", &m->dc)) != AE_OK ||
	    (err = field(c, "ds_service_name", &m->ds_service_name)) != AE_OK ||
	    (err = hex(c, "invocation_id", m->invocation_id, 16)) != AE_OK ||
	    (err = field(c, "configuration_nc", &m->configuration_nc)) != AE_OK ||
	    (err = field(c, "root_domain_nc", &m->root_domain_nc)) != AE_OK ||
	    (err = field(c, "default_nc", &m->default_nc)) != AE_OK ||
	    (err = field(c, "dns_host_name", &m->dns_host_name)) != AE_OK ||
	    (err = number(c, "usn", INT64_MAX, &m->usn)) != AE_OK ||
	    (err = field(c, "principal_sid", &m->principal_sid)) != AE_OK ||
	    (err = hex(c, "principal", m->principal, AE_NOOP_DIGEST_LEN)) != AE_OK ||
	    (err = field(c, "site", &m->site)) != AE_OK) {
		return err;
	}
	if (ae_sid_from_string(m->principal_sid, &sid) != AE_OK) {
		return AE_ERR_PARSE;
	}
	if (strcmp(m->site, "-") == 0) {
		TALLOC_FREE(m->site);
	}
	return AE_OK;
}

/* The lines "<key> <value>" here, at most max: a NULL-terminated array on c->mem. */
static ae_err list(struct cur *c, const char *key, size_t max, char ***_v, size_t *_n)
{
	size_t klen = strlen(key);
	char **v = talloc_zero_array(c->mem, char *, 1);
	size_t n = 0;
	ae_err err;

	while (v != NULL && c->len - c->pos > klen && memcmp(c->p + c->pos, key, klen) == 0 &&
	       c->p[c->pos + klen] == ' ') {
		if (n == max) {
			return AE_ERR_TOO_LARGE;
		}
		v = talloc_realloc(c->mem, v, char *, n + 2);
		if (v == NULL) {
			break;
		}
		v[n + 1] = NULL;
		if ((err = field(c, key, &v[n])) != AE_OK) {
			return err;
		}
		n++;
	}
	if (v == NULL) {
		return AE_ERR_NOMEM;
	}
	*_v = v;
	*_n = n;
	return AE_OK;
}

/* "templates all", or "templates listed" and its "tpl <DN>" lines */
static ae_err parse_tpls(struct cur *c, struct ae_noop_memo *m)
{
	char *scope = NULL;
	ae_err err = field(c, "templates", &scope);

	if (err != AE_OK) {
		return err;
	}
	if (strcmp(scope, "all") != 0 && strcmp(scope, "listed") != 0) {
		return AE_ERR_PARSE;
	}
	m->tpls_listed = strcmp(scope, "listed") == 0;
	talloc_free(scope);
	if (!m->tpls_listed && peek(c, "tpl ")) {
		return AE_ERR_PARSE;	/* "all" lists none */
	}
	return list(c, "tpl", AE_NOOP_TPL_MAX, &m->tpls, &m->num_tpls);
}

static ae_err parse_tail(struct cur *c, struct ae_noop_memo *m)
{
	size_t cap = 1;		/* m->items as allocated below */
	uint64_t v = 0;
	const char *l = NULL;
	size_t n = 0;
	ae_err err;

	m->items = talloc_zero_array(c->mem, struct ae_noop_item, 1);
	if (m->items == NULL) {
		return AE_ERR_NOMEM;
	}
	if ((err = list(c, "watch", AE_NOOP_WATCH_MAX, &m->watch, &m->num_watch)) != AE_OK ||
	    (err = parse_tpls(c, m)) != AE_OK) {
		return err;
	}
	if ((err = number(c, "full_read", INT64_MAX, &v)) != AE_OK) {
		return err;
	}
	m->full_read = (int64_t)v;
	if ((err = number(c, "due", INT64_MAX, &v)) != AE_OK) {
		return err;
	}
	m->due = (int64_t)v;
	if ((err = hex(c, "config", m->config, AE_NOOP_DIGEST_LEN)) != AE_OK ||
	    (err = hex(c, "store", m->store, AE_NOOP_DIGEST_LEN)) != AE_OK) {
		return err;
	}
	while (peek(c, "item ")) {
		if (m->num_items == AE_NOOP_ITEMS_MAX) {
			return AE_ERR_TOO_LARGE;
		}
		if (m->num_items == cap) {	/* doubled: thousands of items stay linear */
			cap = cap == 0 ? 16 : cap * 2;
			m->items = talloc_realloc(c->mem, m->items, struct ae_noop_item, cap);
			if (m->items == NULL) {
				return AE_ERR_NOMEM;
			}
		}
		if ((err = item(c, &m->items[m->num_items])) != AE_OK) {
			return err;
		}
		m->num_items++;
	}
	if ((err = line(c, false, &l, &n)) != AE_OK) {
		return err;
	}
	if (n != 3 || memcmp(l, "end", 3) != 0) {
		return AE_ERR_PARSE;
	}
	if (c->pos != c->len) {
		return AE_ERR_TRAILING;	/* nothing after "end" */
	}
	return AE_OK;
}

ae_err ae_noop_memo_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			  struct ae_noop_memo **_m)
{
	struct ae_noop_memo *m;
	struct cur c = { .p = p, .len = len };
	ae_err err;

	if ((p == NULL && len > 0) || _m == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > AE_NOOP_MEMO_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	m = talloc_zero(NULL, struct ae_noop_memo);
	if (m == NULL) {
		return AE_ERR_NOMEM;
	}
	c.mem = m;
	err = parse_head(&c, m);
	if (err == AE_OK) {
		err = parse_tail(&c, m);
	}
	if (err != AE_OK) {
		talloc_free(m);
		return err;
	}
	*_m = talloc_steal(mem_ctx, m);
	return AE_OK;
}

static char *hexstr(TALLOC_CTX *mem, const uint8_t *d, size_t n)
{
	char *s = talloc_array(mem, char, 2 * n + 1);
	size_t i;

	for (i = 0; s != NULL && i < n; i++) {
		snprintf(s + 2 * i, 3, "%02x", d[i]);
	}
	if (s != NULL) {
		s[2 * n] = '\0';
	}
	return s;
}

/*
 * *_t + one "item" line per item + "end\n", in a buffer sized once
 * (thousands of items: no copy per line). AE_ERR_INVALID: an item without
 * a field; *_t is tmp's either way.
 */
static ae_err items_append(TALLOC_CTX *tmp, char **_t, const struct ae_noop_memo *m)
{
	char *t = *_t;
	size_t len = strlen(t), total = len + sizeof("end\n"), i;
	int n;

	for (i = 0; i < m->num_items; i++) {
		const struct ae_noop_item *it = &m->items[i];
		if (it->template_name == NULL || it->action == NULL || it->cause == NULL ||
		    it->result == NULL || it->reason == NULL) {
			return AE_ERR_INVALID;
		}
		total += sizeof("item \t\t\t\t\t\n") + strlen(it->template_name) +
			 strlen(it->action) + strlen(it->cause) + strlen(it->result) +
			 (it->ca ? strlen(it->ca) : 0) + strlen(it->reason);
	}
	t = talloc_realloc(tmp, t, char, total);
	if (t == NULL) {
		return AE_ERR_NOMEM;
	}
	*_t = t;
	for (i = 0; i < m->num_items; i++) {
		const struct ae_noop_item *it = &m->items[i];
		n = snprintf(t + len, total - len, "item %s\t%s\t%s\t%s\t%s\t%s\n",
			     it->template_name, it->action, it->cause, it->result,
			     it->ca ? it->ca : "", it->reason);
		if (n < 0 || (size_t)n >= total - len) {
			return AE_ERR_INVALID;
		}
		len += (size_t)n;
	}
	memcpy(t + len, "end\n", sizeof("end\n"));
	return AE_OK;
}

ae_err ae_noop_memo_format(TALLOC_CTX *mem_ctx, const struct ae_noop_memo *m, char **_text)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_noop_memo *back = NULL;
	char *t;
	size_t i;
	ae_err err;

	if (tmp == NULL || m == NULL || _text == NULL || m->dc == NULL ||
	    m->ds_service_name == NULL || m->configuration_nc == NULL ||
	    m->root_domain_nc == NULL || m->default_nc == NULL || m->dns_host_name == NULL ||
	    m->principal_sid == NULL) {
		talloc_free(tmp);
		return tmp == NULL ? AE_ERR_NOMEM : AE_ERR_INVALID;
	}
	t = talloc_asprintf(tmp, MAGIC "\ndc %s\nds_service_name %s\ninvocation_id %s\n"
			    "configuration_nc %s\nroot_domain_nc %s\ndefault_nc %s\n"
			    "dns_host_name %s\nusn %llu\nprincipal_sid %s\nprincipal %s\n"
			    "site %s\n", m->dc, m->ds_service_name,
			    hexstr(tmp, m->invocation_id, 16), m->configuration_nc,
			    m->root_domain_nc, m->default_nc, m->dns_host_name,
			    (unsigned long long)m->usn, m->principal_sid,
			    hexstr(tmp, m->principal, AE_NOOP_DIGEST_LEN), m->site ? m->site : "-");
	for (i = 0; t != NULL && i < m->num_watch; i++) {
		t = talloc_asprintf_append_buffer(t, "watch %s\n", m->watch[i]);
	}
	if (t != NULL) {
		t = talloc_asprintf_append_buffer(t, "templates %s\n",
						  m->tpls_listed ? "listed" : "all");
	}
	for (i = 0; t != NULL && m->tpls_listed && i < m->num_tpls; i++) {
		t = talloc_asprintf_append_buffer(t, "tpl %s\n", m->tpls[i]);
	}
	if (t != NULL) {
		t = talloc_asprintf_append_buffer(t, "full_read %lld\ndue %lld\nconfig %s\nstore %s\n",
					   (long long)m->full_read, (long long)m->due,
					   hexstr(tmp, m->config, AE_NOOP_DIGEST_LEN),
					   hexstr(tmp, m->store, AE_NOOP_DIGEST_LEN));
	}
	err = t != NULL ? items_append(tmp, &t, m) : AE_ERR_NOMEM;
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	/* what we write must read back: a value with a control byte, a newline
	 * or a tab where none may be, a negative time, is refused here */
	if (m->full_read < 0 || m->due < 0 ||
	    ae_noop_memo_parse(tmp, (const uint8_t *)t, strlen(t), &back) != AE_OK ||
	    back->num_watch != m->num_watch || back->num_items != m->num_items ||
	    back->tpls_listed != m->tpls_listed ||
	    back->num_tpls != (m->tpls_listed ? m->num_tpls : 0)) {
		talloc_free(tmp);
		return AE_ERR_INVALID;
	}
	*_text = talloc_steal(mem_ctx, t);
	talloc_free(tmp);
	return AE_OK;
}
