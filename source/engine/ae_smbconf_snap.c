/*
 * ae_smbconf_snap.c: the smb.conf snapshot's bytes (ae_smbconf_snap.h),
 * written and parsed; no I/O.
 *
 *   samba-autoenroll smb.conf snapshot 1
 *   source <SHA-256 of smb.conf, hex>
 *   host <host name>
 *   lib <dev> <inode> <size> <mtime ns> <path>
 *   configfile <value>          (one line per field of fields[], in order)
 *   ...
 *   dump <SHA-256 of loadparm's dump, hex>
 *   globals <length>
 *   <length bytes: [global] as lpcfg_dump printed it>
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include "ae_digits.h"
#include "ae_smbconf_snap.h"

#define MAGIC "samba-autoenroll smb.conf snapshot 1"

static const struct {
	const char *key;
	size_t off;
} fields[] = {
	{ "configfile", offsetof(struct ae_smbconf, configfile) },
	{ "realm", offsetof(struct ae_smbconf, realm) },
	{ "dnsdomain", offsetof(struct ae_smbconf, dnsdomain) },
	{ "netbios_name", offsetof(struct ae_smbconf, netbios_name) },
	{ "workgroup", offsetof(struct ae_smbconf, workgroup) },
	{ "password_server", offsetof(struct ae_smbconf, password_server) },
	{ "winbind_separator", offsetof(struct ae_smbconf, winbind_separator) },
	{ "state_dir", offsetof(struct ae_smbconf, state_dir) },
	{ "cache_dir", offsetof(struct ae_smbconf, cache_dir) },
	{ "private_dir", offsetof(struct ae_smbconf, private_dir) },
};
#define NUM_FIELDS (sizeof(fields) / sizeof(fields[0]))

static char **field(struct ae_smbconf *c, size_t i)
{
	return (char **)((char *)c + fields[i].off);
}

/* a value a line can hold: no control character, capped */
static bool value_ok(const char *v, size_t len)
{
	size_t i;

	if (len > AE_SMBCONF_VALUE_MAX) {
		return false;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
			return false;
		}
	}
	return true;
}

static void hex(char out[65], const uint8_t in[32])
{
	size_t i;

	for (i = 0; i < 32; i++) {
		snprintf(out + 2 * i, 3, "%02x", in[i]);
	}
}

ae_err ae_smbconf_snap_format(TALLOC_CTX *mem_ctx, const struct ae_smbconf_snap *s,
			      char **_text, size_t *_len)
{
	char src[65], dump[65], *t;
	size_t i;

	if (s == NULL || s->conf == NULL || s->host == NULL || s->lib_path == NULL ||
	    s->conf->globals == NULL || s->conf->globals_len > AE_SMBCONF_DUMP_MAX ||
	    !value_ok(s->host, strlen(s->host)) || !value_ok(s->lib_path, strlen(s->lib_path))) {
		return AE_ERR_INVALID;
	}
	hex(src, s->source_sha256);
	hex(dump, s->conf->dump_sha256);
	t = talloc_asprintf(mem_ctx, MAGIC "\nsource %s\nhost %s\nlib %" PRIu64 " %" PRIu64 " %"
			    PRIu64 " %" PRIu64 " %s\n", src, s->host, s->lib_dev, s->lib_ino,
			    s->lib_size, s->lib_mtime_ns, s->lib_path);
	for (i = 0; t != NULL && i < NUM_FIELDS; i++) {
		const char *v = *field(s->conf, i);
		if (v == NULL || !value_ok(v, strlen(v))) {
			talloc_free(t);
			return AE_ERR_INVALID;
		}
		t = talloc_asprintf_append_buffer(t, "%s %s\n", fields[i].key, v);
	}
	if (t != NULL) {
		t = talloc_asprintf_append_buffer(t, "dump %s\nglobals %zu\n", dump,
						  s->conf->globals_len);
	}
	if (t != NULL) {
		size_t head = strlen(t);
		t = talloc_realloc(mem_ctx, t, char, head + s->conf->globals_len + 1);
		if (t != NULL) {
			memcpy(t + head, s->conf->globals, s->conf->globals_len);
			t[head + s->conf->globals_len] = '\0';
			*_len = head + s->conf->globals_len;
		}
	}
	if (t == NULL) {
		return AE_ERR_NOMEM;
	}
	*_text = t;
	return AE_OK;
}

/* the reader: a position in the bytes */
struct rd {
	const char *p, *end;
};

/* the next line "<key> <value>": value and its length; false at a mismatch */
static bool line(struct rd *r, const char *key, const char **_v, size_t *_vlen)
{
	size_t klen = strlen(key), len;
	const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));

	if (nl == NULL) {
		return false;
	}
	len = (size_t)(nl - r->p);
	if (len < klen + 1 || memcmp(r->p, key, klen) != 0 || r->p[klen] != ' ' ||
	    !value_ok(r->p + klen + 1, len - klen - 1)) {
		return false;
	}
	*_v = r->p + klen + 1;
	*_vlen = len - klen - 1;
	r->p = nl + 1;
	return true;
}

static bool sha_of(const char *v, size_t len, uint8_t out[32])
{
	size_t i;

	if (len != 64) {
		return false;
	}
	for (i = 0; i < 32; i++) {
		int hi = ae_hex_digit((unsigned char)v[2 * i]);
		int lo = ae_hex_digit((unsigned char)v[2 * i + 1]);
		if (hi < 0 || lo < 0 || (v[2 * i] >= 'A' && v[2 * i] <= 'F') ||
		    (v[2 * i + 1] >= 'A' && v[2 * i + 1] <= 'F')) {
			return false;	/* lower case only: one spelling */
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* a decimal without sign or leading zero, at most max; *p moves past it */
static bool number(const char **p, const char *end, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;
	const char *s = *p;

	if (s == end || *s < '0' || *s > '9' || (*s == '0' && s + 1 < end && s[1] >= '0' &&
						  s[1] <= '9')) {
		return false;
	}
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (n > (max - (uint64_t)(*s - '0')) / 10) {
			return false;
		}
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*out = n;
	return true;
}

static bool lib_line(struct ae_smbconf_snap *s, const char *v, size_t len)
{
	const char *p = v, *end = v + len;
	uint64_t *out[4] = { &s->lib_dev, &s->lib_ino, &s->lib_size, &s->lib_mtime_ns };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!number(&p, end, UINT64_MAX, out[i]) || p == end || *p != ' ') {
			return false;
		}
		p++;
	}
	if (p == end || *p != '/') {
		return false;	/* an absolute path */
	}
	s->lib_path = talloc_strndup(s, p, (size_t)(end - p));
	return s->lib_path != NULL;
}

static bool parse(struct ae_smbconf_snap *s, struct rd *r)
{
	struct ae_smbconf *c = s->conf;
	const char *v;
	size_t vlen, i;
	uint64_t glen;

	if ((size_t)(r->end - r->p) < sizeof(MAGIC) || memcmp(r->p, MAGIC "\n", sizeof(MAGIC)) != 0) {
		return false;
	}
	r->p += sizeof(MAGIC);
	if (!line(r, "source", &v, &vlen) || !sha_of(v, vlen, s->source_sha256) ||
	    !line(r, "host", &v, &vlen) || vlen == 0 ||
	    (s->host = talloc_strndup(s, v, vlen)) == NULL ||
	    !line(r, "lib", &v, &vlen) || !lib_line(s, v, vlen)) {
		return false;
	}
	for (i = 0; i < NUM_FIELDS; i++) {
		if (!line(r, fields[i].key, &v, &vlen) ||
		    (*field(c, i) = talloc_strndup(c, v, vlen)) == NULL) {
			return false;
		}
	}
	if (!line(r, "dump", &v, &vlen) || !sha_of(v, vlen, c->dump_sha256) ||
	    !line(r, "globals", &v, &vlen) || !number(&v, v + vlen, AE_SMBCONF_DUMP_MAX, &glen) ||
	    v[0] != '\n' || (uint64_t)(r->end - r->p) != glen) {
		return false;	/* the length, then exactly that many bytes */
	}
	c->globals = talloc_strndup(c, r->p, (size_t)glen);
	c->globals_len = (size_t)glen;
	if (c->globals == NULL || strlen(c->globals) != c->globals_len) {
		return false;	/* no NUL inside */
	}
	c->from_snapshot = true;
	c->self_contained = true;
	return true;
}

ae_err ae_smbconf_snap_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
			     struct ae_smbconf_snap **_s)
{
	struct ae_smbconf_snap *s;
	struct rd r = { (const char *)data, (const char *)data + len };

	if (data == NULL || len > AE_SMBCONF_SNAP_MAX) {
		return AE_ERR_INVALID;
	}
	s = talloc_zero(mem_ctx, struct ae_smbconf_snap);
	if (s == NULL || (s->conf = talloc_zero(s, struct ae_smbconf)) == NULL) {
		talloc_free(s);
		return AE_ERR_NOMEM;
	}
	if (!parse(s, &r)) {
		talloc_free(s);
		return AE_ERR_INVALID;
	}
	*_s = s;
	return AE_OK;
}
