/*
 * ae_polsrv_local.c: the local policy-server configuration file (format in
 * ae_polsrv_local.h): parse, format, load, save, add, remove.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ae_polsrv_local.h"
#include "ae_polsrv_private.h"
#include "ae_file.h"
#include "ae_xcep.h"

uint32_t ae_polsrv_auth_parse(const char *name)
{
	if (name == NULL) {
		return 0;
	}
	if (strcmp(name, "kerberos") == 0) {
		return AE_XCEP_AUTH_KERBEROS;
	}
	if (strcmp(name, "password") == 0) {
		return AE_XCEP_AUTH_PASSWORD;
	}
	if (strcmp(name, "certificate") == 0) {
		return AE_XCEP_AUTH_CERTIFICATE;
	}
	return 0;
}

const char *ae_polsrv_auth_name(uint32_t auth)
{
	switch (auth) {
	case AE_XCEP_AUTH_ANONYMOUS: return "anonymous";
	case AE_XCEP_AUTH_KERBEROS: return "kerberos";
	case AE_XCEP_AUTH_PASSWORD: return "password";
	case AE_XCEP_AUTH_CERTIFICATE: return "certificate";
	}
	return NULL;
}

static bool plain_value(const char *v, size_t len)
{
	if (len == 0 || len > AE_POLSRV_VALUE_MAX) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c <= 0x20 || c == 0x7f) {
			return false;
		}
	}
	return true;
}

bool ae_polsrv_url_valid(const char *url, char *why, size_t why_len)
{
	const char *host, *end;
	size_t len = url ? strlen(url) : 0;

	if (url == NULL || strncasecmp(url, "https://", 8) != 0) {
		ae_why(why, why_len, "not an https:// URL");
		return false;
	}
	if (!plain_value(url, len)) {
		ae_why(why, why_len, "blanks, control characters or more than %u bytes",
		       AE_POLSRV_VALUE_MAX);
		return false;
	}
	host = url + 8;
	end = host + strcspn(host, "/?#");
	if (end == host || memchr(host, '@', (size_t)(end - host)) != NULL) {
		ae_why(why, why_len, "no host, or user information before the host");
		return false;
	}
	if (strchr(url, '#') != NULL) {
		ae_why(why, why_len, "a fragment (#)");
		return false;
	}
	return true;
}

static bool abs_path(const char *v)
{
	return v[0] == '/' && strstr(v, "/../") == NULL &&
	       (strlen(v) < 3 || strcmp(v + strlen(v) - 3, "/..") != 0);
}

/* one "name=value" field into e; false with why */
static bool set_field(TALLOC_CTX *mem, struct ae_polsrv_local *e, unsigned *seen,
		      const char *f, size_t len, char *why, size_t why_len)
{
	static const char *const names[] = { "url", "policy-id", "auth", "cost", "credential",
					     "ca-file" };
	const char *eq = memchr(f, '=', len);
	char cause[128] = "";
	char *v;
	size_t k;

	for (k = 0; eq != NULL && k < sizeof(names) / sizeof(names[0]); k++) {
		if ((size_t)(eq - f) == strlen(names[k]) && memcmp(f, names[k], eq - f) == 0) {
			break;
		}
	}
	if (eq == NULL || k == sizeof(names) / sizeof(names[0])) {
		ae_why(why, why_len, "unknown field '%.*s'", (int)(eq ? eq - f : (long)len), f);
		return false;
	}
	if (*seen & (1u << k)) {
		ae_why(why, why_len, "field %s given twice", names[k]);
		return false;
	}
	*seen |= 1u << k;
	v = talloc_strndup(mem, eq + 1, len - (size_t)(eq + 1 - f));
	if (v == NULL || !plain_value(v, strlen(v))) {
		ae_why(why, why_len, "field %s: an empty or bad value", names[k]);
		return false;
	}
	switch (k) {
	case 0:
		e->url = v;
		if (!ae_polsrv_url_valid(v, cause, sizeof(cause))) {
			ae_why(why, why_len, "url: %s", cause);
			return false;
		}
		return true;
	case 1:
		e->policy_id = v;
		return true;
	case 2:
		e->auth = ae_polsrv_auth_parse(v);
		return e->auth != 0 || (ae_why(why, why_len, "auth: '%s' is not kerberos, "
					       "password or certificate", v), false);
	case 3: {
		char *endp = NULL;
		unsigned long long c;
		errno = 0;
		c = strtoull(v, &endp, 10);
		e->cost = (uint32_t)c;
		return (v[0] >= '0' && v[0] <= '9' && errno == 0 && *endp == '\0' &&
			c <= UINT32_MAX) ||
		       (ae_why(why, why_len, "cost: '%s' is not 0..4294967295", v), false);
	}
	case 4:
		e->credential_file = v;
		return abs_path(v) || (ae_why(why, why_len, "credential: not an absolute path"),
				       false);
	default:
		e->ca_file = v;
		return abs_path(v) || (ae_why(why, why_len, "ca-file: not an absolute path"),
				       false);
	}
}

static bool parse_line(TALLOC_CTX *mem, const char *p, size_t len, struct ae_polsrv_local *e,
		       char *why, size_t why_len)
{
	size_t i = 0;
	unsigned seen = 0;

	if (len < 7 || memcmp(p, "server", 6) != 0 || (p[6] != ' ' && p[6] != '\t')) {
		ae_why(why, why_len, "a line must start with 'server '");
		return false;
	}
	memset(e, 0, sizeof(*e));
	e->cost = AE_POLSRV_LOCAL_COST_DEFAULT;
	e->auth = AE_XCEP_AUTH_KERBEROS;
	for (i = 6; i < len;) {
		size_t start;
		while (i < len && (p[i] == ' ' || p[i] == '\t')) {
			i++;
		}
		start = i;
		while (i < len && p[i] != ' ' && p[i] != '\t') {
			i++;
		}
		if (i > start && !set_field(mem, e, &seen, p + start, i - start, why, why_len)) {
			return false;
		}
	}
	if (e->url == NULL) {
		ae_why(why, why_len, "no url=");
		return false;
	}
	if (e->policy_id == NULL) {
		e->policy_id = talloc_strdup(mem, e->url);
	}
	return e->policy_id != NULL;
}

ae_err ae_polsrv_local_parse(TALLOC_CTX *mem, const uint8_t *p, size_t len,
			     struct ae_polsrv_local **_servers, size_t *_num,
			     char *why, size_t why_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_polsrv_local *v = NULL;
	size_t n = 0, line = 0, off = 0;
	char cause[256] = "";

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	if (len > AE_POLSRV_LOCAL_FILE_MAX || memchr(p, '\0', len) != NULL) {
		talloc_free(tmp);
		ae_why(why, why_len, "larger than %u bytes, or a NUL byte", AE_POLSRV_LOCAL_FILE_MAX);
		return AE_ERR_TOO_LARGE;
	}
	v = talloc_zero_array(tmp, struct ae_polsrv_local, AE_POLSRV_LOCAL_MAX);
	while (v != NULL && off < len) {
		const char *s = (const char *)p + off;
		const char *nl = memchr(s, '\n', len - off);
		size_t l = nl ? (size_t)(nl - s) : len - off, b = 0;

		off += l + (nl ? 1 : 0);
		line++;
		while (b < l && (s[b] == ' ' || s[b] == '\t')) {
			b++;
		}
		if (b == l || s[b] == '#') {
			continue;
		}
		if (n == AE_POLSRV_LOCAL_MAX) {
			talloc_free(tmp);
			ae_why(why, why_len, "more than %d servers", AE_POLSRV_LOCAL_MAX);
			return AE_ERR_TOO_LARGE;
		}
		if (!parse_line(v, s + b, l - b, &v[n], cause, sizeof(cause))) {
			talloc_free(tmp);
			ae_why(why, why_len, "line %zu: %s", line, cause);
			return AE_ERR_PARSE;
		}
		n++;
	}
	if (v == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	*_servers = talloc_steal(mem, v);
	*_num = n;
	talloc_free(tmp);
	return AE_OK;
}

char *ae_polsrv_local_format(TALLOC_CTX *mem, const struct ae_polsrv_local *servers, size_t num)
{
	char *s = talloc_strdup(mem, "# autoenroll local enrollment policy servers: written by "
				"`autoenroll policy-server add|remove`\n");

	for (size_t i = 0; s != NULL && i < num; i++) {
		const struct ae_polsrv_local *e = &servers[i];
		s = talloc_asprintf_append(s, "server url=%s policy-id=%s auth=%s cost=%" PRIu32,
					   e->url, e->policy_id ? e->policy_id : e->url,
					   ae_polsrv_auth_name(e->auth) ?
					   ae_polsrv_auth_name(e->auth) : "kerberos", e->cost);
		if (s != NULL && e->credential_file != NULL) {
			s = talloc_asprintf_append(s, " credential=%s", e->credential_file);
		}
		if (s != NULL && e->ca_file != NULL) {
			s = talloc_asprintf_append(s, " ca-file=%s", e->ca_file);
		}
		if (s != NULL) {
			s = talloc_asprintf_append(s, "\n");
		}
	}
	return s;
}

ae_err ae_polsrv_local_load(TALLOC_CTX *mem, const char *path,
			    struct ae_polsrv_localconf **_c, char *why, size_t why_len)
{
	struct ae_polsrv_localconf *c = talloc_zero(mem, struct ae_polsrv_localconf);
	char cause[256] = "";
	uint8_t *data = NULL;
	size_t len = 0;
	struct stat st;
	ae_err err;

	if (c == NULL || (c->path = talloc_strdup(c, path)) == NULL) {
		talloc_free(c);
		return AE_ERR_NOMEM;
	}
	if (lstat(path, &st) != 0 && errno == ENOENT) {
		*_c = c;
		return AE_OK;
	}
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		ae_why(why, why_len, "local policy servers %s: not a regular file owned by root "
		       "and writable only by it", path);
		talloc_free(c);
		return AE_ERR_CONFIG;
	}
	err = ae_file_read_at(c, AT_FDCWD, path, AE_POLSRV_LOCAL_FILE_MAX, 0, &data, &len, cause,
			      sizeof(cause));
	if (err == AE_OK) {
		err = ae_polsrv_local_parse(c, data, len, &c->servers, &c->num_servers, cause,
					    sizeof(cause));
	}
	if (err != AE_OK) {
		ae_why(why, why_len, "local policy servers %s: %s", path,
		       cause[0] ? cause : ae_strerror(err));
		talloc_free(c);
		return err == AE_ERR_NOMEM ? err : AE_ERR_CONFIG;
	}
	talloc_free(data);
	*_c = c;
	return AE_OK;
}

ae_err ae_polsrv_local_save(const struct ae_polsrv_localconf *c, char *why, size_t why_len)
{
	char *text = ae_polsrv_local_format(NULL, c->servers, c->num_servers);
	const char *slash = strrchr(c->path, '/');
	char *dir = slash ? talloc_strndup(text, c->path, (size_t)(slash - c->path)) : NULL;
	ae_err err;

	if (text == NULL || dir == NULL) {
		talloc_free(text);
		return AE_ERR_NOMEM;
	}
	err = ae_mkdir_p(dir, 0711);	/* as the store's parent: search only */
	if (err == AE_OK) {
		err = ae_file_write_atomic(c->path, text, strlen(text), 0600);
	}
	if (err != AE_OK) {
		ae_why(why, why_len, "cannot write %s: %s", c->path, ae_strerror(err));
	}
	talloc_free(text);
	return err;
}

static ae_err copy_entry(TALLOC_CTX *mem, struct ae_polsrv_local *d,
			 const struct ae_polsrv_local *e)
{
	*d = *e;
	d->url = talloc_strdup(mem, e->url);
	d->policy_id = talloc_strdup(mem, e->policy_id ? e->policy_id : e->url);
	d->credential_file = e->credential_file ? talloc_strdup(mem, e->credential_file) : NULL;
	d->ca_file = e->ca_file ? talloc_strdup(mem, e->ca_file) : NULL;
	return d->url && d->policy_id && (!e->credential_file || d->credential_file) &&
	       (!e->ca_file || d->ca_file) ? AE_OK : AE_ERR_NOMEM;
}

ae_err ae_polsrv_local_add(struct ae_polsrv_localconf *c, const struct ae_polsrv_local *e)
{
	struct ae_polsrv_local *v;
	size_t i;

	for (i = 0; i < c->num_servers; i++) {
		if (strcmp(c->servers[i].url, e->url) == 0 && c->servers[i].auth == e->auth) {
			return copy_entry(c->servers, &c->servers[i], e);
		}
	}
	if (c->num_servers >= AE_POLSRV_LOCAL_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	v = talloc_realloc(c, c->servers, struct ae_polsrv_local, c->num_servers + 1);
	if (v == NULL) {
		return AE_ERR_NOMEM;
	}
	c->servers = v;
	return copy_entry(c->servers, &c->servers[c->num_servers++], e);
}

ae_err ae_polsrv_local_remove(struct ae_polsrv_localconf *c, const char *key, size_t *_removed)
{
	size_t i, j = 0, removed = 0;

	for (i = 0; i < c->num_servers; i++) {
		if (strcmp(c->servers[i].url, key) == 0 || strcmp(c->servers[i].policy_id, key) == 0) {
			removed++;
			continue;
		}
		c->servers[j++] = c->servers[i];
	}
	c->num_servers = j;
	*_removed = removed;
	return AE_OK;
}
