/*
 * ae_store_state.c: the state record (ae_store_state.h). One table drives
 * the parser, the writer and the copy, so the three cannot disagree about
 * a field.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ae_store.h"
#include "ae_store_private.h"
#include "ae_store_state.h"
#include "ae_file.h"
#include "ae_log.h"

enum field_kind {
	F_NAME,		/* char *, ae_store_name_ok */
	F_TEXT,		/* char *, no control characters */
	F_HEX,		/* char *, hex digits, at most AE_STORE_HEX_MAX */
	F_OID,		/* char *, dotted decimal */
	F_TAG,		/* char *, [A-Za-z0-9-], at most AE_STORE_TAG_MAX */
	F_U32,		/* uint32_t (+ bool has at has_off, or 0 = absent) */
	F_TIME,		/* time_t, 0 = absent */
	F_BOOL,		/* bool, written as 1 when true */
	F_STATUS,	/* enum ae_cert_state */
	F_CDP,		/* char **cdp_urls + size_t num_cdp_urls */
};

struct field {
	const char *key;
	enum field_kind kind;
	size_t off;
	ptrdiff_t has_off;	/* F_U32: offset of its bool, or -1 */
};

#define OFF(m) offsetof(struct ae_store_state, m)

/* In the order they are written (version= comes first, outside the table). */
static const struct field fields[] = {
	{ "template", F_NAME, OFF(template_name), -1 },
	{ "status", F_STATUS, OFF(status), -1 },
	{ "created", F_TIME, OFF(created), -1 },
	{ "changed", F_TIME, OFF(changed), -1 },
	{ "renewal", F_BOOL, OFF(renewal), -1 },
	{ "request_ca", F_TEXT, OFF(request_ca), -1 },
	{ "request_id", F_U32, OFF(request_id), OFF(has_request_id) },
	{ "submitted", F_TIME, OFF(submitted), -1 },
	{ "archive", F_TAG, OFF(archive_tag), -1 },
	{ "reason", F_TEXT, OFF(reason), -1 },
	{ "failures", F_U32, OFF(failures), -1 },
	{ "next_attempt", F_TIME, OFF(next_attempt), -1 },
	{ "ca", F_TEXT, OFF(cert.ca), -1 },
	{ "cert_request_id", F_U32, OFF(cert.request_id), -1 },
	{ "template_oid", F_OID, OFF(cert.template_oid), -1 },
	{ "template_v1", F_TEXT, OFF(cert.template_v1_name), -1 },
	{ "template_major", F_U32, OFF(cert.major), OFF(cert.has_major) },
	{ "template_minor", F_U32, OFF(cert.minor), -1 },
	{ "ca_omits_template_ext", F_BOOL, OFF(cert.ca_omits_template_ext), -1 },
	{ "serial", F_HEX, OFF(cert.serial_hex), -1 },
	{ "thumbprint", F_HEX, OFF(cert.thumbprint_hex), -1 },
	{ "issuer", F_TEXT, OFF(cert.issuer), -1 },
	{ "not_before", F_TIME, OFF(cert.not_before), -1 },
	{ "not_after", F_TIME, OFF(cert.not_after), -1 },
	{ "renew_at", F_TIME, OFF(cert.renew_at), -1 },
	{ "cdp", F_CDP, OFF(cert.cdp_urls), -1 },
	{ "installed", F_TIME, OFF(cert.installed), -1 },
	{ "enrollee_names", F_BOOL, OFF(cert.enrollee_names), -1 },
	{ "manual_renewal", F_BOOL, OFF(cert.manual_renewal), -1 },
};
#define NUM_FIELDS (sizeof(fields) / sizeof(fields[0]))

static const char *const state_names[] = {
	[AE_CERT_NONE] = "none",
	[AE_CERT_ISSUED] = "issued",
	[AE_CERT_ENROLLING] = "enrolling",
	[AE_CERT_PENDING] = "pending",
	[AE_CERT_RENEWING] = "renewing",
	[AE_CERT_INSTALLING] = "installing",
	[AE_CERT_ARCHIVED] = "archived",
	[AE_CERT_REMOVED] = "removed",
};
#define NUM_STATES (sizeof(state_names) / sizeof(state_names[0]))

const char *ae_cert_state_name(enum ae_cert_state st)
{
	if ((unsigned)st >= NUM_STATES) {
		return "?";
	}
	return state_names[st];
}

bool ae_cert_state_in_flight(enum ae_cert_state st)
{
	return st == AE_CERT_ENROLLING || st == AE_CERT_RENEWING || st == AE_CERT_PENDING ||
	       st == AE_CERT_INSTALLING;
}

static void *at(const void *st, size_t off)
{
	return (char *)st + off;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The text of one value (v, len: not NUL-terminated) is allowed for kind. */
static bool value_ok(enum field_kind kind, const char *v, size_t len)
{
	size_t i;

	if (len == 0 || len > AE_STORE_VALUE_MAX) {
		return false;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c < 0x20 || c == 0x7f) {
			return false;
		}
		if (kind == F_HEX && !is_hex(v[i])) {
			return false;
		}
		if (kind == F_OID && !is_digit(v[i]) &&
		    (v[i] != '.' || i == 0 || i + 1 == len || v[i - 1] == '.')) {
			return false;
		}
		if (kind == F_TAG && !is_hex(v[i]) && !(c >= 'g' && c <= 'z') &&
		    !(c >= 'G' && c <= 'Z') && c != '-') {
			return false;
		}
		if ((kind == F_U32 || kind == F_BOOL) && !is_digit(v[i])) {
			return false;
		}
		if (kind == F_TIME && !is_digit(v[i]) && (v[i] != '-' || i != 0 || len == 1)) {
			return false;
		}
		if (kind == F_NAME && v[i] == '/') {
			return false;
		}
	}
	if ((kind == F_HEX && len > AE_STORE_HEX_MAX) || (kind == F_TAG && len > AE_STORE_TAG_MAX) ||
	    (kind == F_NAME && (v[0] == '.' || len > 200)) || (kind == F_U32 && len > 10) ||
	    (kind == F_TIME && len > 20) || (kind == F_BOOL && (len != 1 || v[0] > '1'))) {
		return false;
	}
	return true;
}

/* Relations between fields, checked after parsing and before writing. */
static bool record_ok(const struct ae_store_state *st)
{
	if (!ae_store_name_ok(st->template_name) || (unsigned)st->status >= NUM_STATES) {
		return false;
	}
	if (st->status == AE_CERT_PENDING && (!st->has_request_id || st->request_ca == NULL)) {
		return false;
	}
	if (!st->has_request_id && st->request_id != 0) {
		return false;
	}
	if (!st->cert.has_major && (st->cert.major != 0 || st->cert.minor != 0)) {
		return false;
	}
	if (st->cert.ca_omits_template_ext &&
	    (st->cert.template_oid != NULL || st->cert.template_v1_name != NULL)) {
		return false;	/* no extension, yet values of one */
	}
	return st->cert.num_cdp_urls <= AE_STORE_CDP_MAX &&
	       (st->cert.num_cdp_urls == 0 || st->cert.cdp_urls != NULL);
}

static ae_err parse_number(enum field_kind kind, const char *v, size_t len, long long *out)
{
	char buf[24];
	char *end = NULL;
	long long n;

	if (len >= sizeof(buf)) {
		return AE_ERR_PARSE;
	}
	memcpy(buf, v, len);
	buf[len] = '\0';
	errno = 0;
	n = strtoll(buf, &end, 10);
	if (errno != 0 || *end != '\0' || (kind == F_U32 && (n < 0 || n > UINT32_MAX))) {
		return AE_ERR_PARSE;
	}
	*out = n;
	return AE_OK;
}

static ae_err set_field(struct ae_store_state *st, const struct field *f, const char *v, size_t len)
{
	long long n = 0;
	char *copy = NULL;
	size_t i;

	switch (f->kind) {
	case F_NAME: case F_TEXT: case F_HEX: case F_OID: case F_TAG:
		copy = talloc_strndup(st, v, len);
		if (copy == NULL) {
			return AE_ERR_NOMEM;
		}
		*(char **)at(st, f->off) = copy;
		return AE_OK;
	case F_CDP: {
		char ***urls = at(st, f->off);
		if (st->cert.num_cdp_urls >= AE_STORE_CDP_MAX) {
			return AE_ERR_PARSE;
		}
		*urls = talloc_realloc(st, *urls, char *, st->cert.num_cdp_urls + 1);
		copy = *urls ? talloc_strndup(*urls, v, len) : NULL;
		if (copy == NULL) {
			return AE_ERR_NOMEM;
		}
		(*urls)[st->cert.num_cdp_urls++] = copy;
		return AE_OK;
	}
	case F_STATUS:
		for (i = 0; i < NUM_STATES; i++) {
			if (strlen(state_names[i]) == len && memcmp(state_names[i], v, len) == 0) {
				st->status = (enum ae_cert_state)i;
				return AE_OK;
			}
		}
		return AE_ERR_PARSE;
	case F_BOOL:
		*(bool *)at(st, f->off) = v[0] == '1';
		return AE_OK;
	case F_U32: case F_TIME:
		if (parse_number(f->kind, v, len, &n) != AE_OK) {
			return AE_ERR_PARSE;
		}
		if (f->kind == F_TIME) {
			*(time_t *)at(st, f->off) = (time_t)n;
			return AE_OK;
		}
		*(uint32_t *)at(st, f->off) = (uint32_t)n;
		if (f->has_off >= 0) {
			*(bool *)at(st, (size_t)f->has_off) = true;
		}
		return AE_OK;
	}
	return AE_ERR_PARSE;
}

static const struct field *find_field(const char *k, size_t klen, size_t *_idx)
{
	size_t i;

	for (i = 0; i < NUM_FIELDS; i++) {
		if (strlen(fields[i].key) == klen && memcmp(fields[i].key, k, klen) == 0) {
			*_idx = i;
			return &fields[i];
		}
	}
	return NULL;
}

ae_err ae_store_state_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			    struct ae_store_state **_out)
{
	static const char version_line[] = "version=1\n";
	struct ae_store_state *st = NULL;
	bool seen[NUM_FIELDS] = { false };
	size_t off;
	ae_err err = AE_ERR_PARSE;

	if (len > AE_STORE_RECORD_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (len < sizeof(version_line) - 1 || memcmp(p, version_line, sizeof(version_line) - 1) != 0 ||
	    p[len - 1] != '\n' || memchr(p, '\0', len) != NULL) {
		return AE_ERR_PARSE;
	}
	st = talloc_zero(NULL, struct ae_store_state);
	if (st == NULL) {
		return AE_ERR_NOMEM;
	}
	for (off = sizeof(version_line) - 1; off < len; ) {
		const char *line = (const char *)p + off;
		const char *nl = memchr(line, '\n', len - off);	/* found: p[len-1] is '\n' */
		size_t line_len = (size_t)(nl - line), idx = 0;
		const char *eq = memchr(line, '=', line_len);
		const struct field *f = NULL;

		off += line_len + 1;
		if (eq == NULL) {
			goto fail;
		}
		f = find_field(line, (size_t)(eq - line), &idx);
		if (f == NULL || (seen[idx] && f->kind != F_CDP) ||
		    !value_ok(f->kind, eq + 1, line_len - (size_t)(eq - line) - 1)) {
			goto fail;
		}
		seen[idx] = true;
		err = set_field(st, f, eq + 1, line_len - (size_t)(eq - line) - 1);
		if (err != AE_OK) {
			goto fail;
		}
		err = AE_ERR_PARSE;	/* for the next goto fail */
	}
	/* template= and status= are required */
	if (!seen[0] || !seen[1] || !record_ok(st)) {
		goto fail;
	}
	*_out = talloc_steal(mem_ctx, st);
	return AE_OK;
fail:
	talloc_free(st);
	return err;
}

static char *append_value(char *out, const struct field *f, const struct ae_store_state *st,
			  bool *_bad)
{
	const char *s = NULL;
	size_t i;

	switch (f->kind) {
	case F_NAME: case F_TEXT: case F_HEX: case F_OID: case F_TAG:
		s = *(char *const *)at(st, f->off);
		if (s == NULL || s[0] == '\0') {
			return out;
		}
		if (!value_ok(f->kind, s, strlen(s))) {
			*_bad = true;
			return out;
		}
		return talloc_asprintf_append_buffer(out, "%s=%s\n", f->key, s);
	case F_CDP:
		for (i = 0; out != NULL && i < st->cert.num_cdp_urls; i++) {
			s = st->cert.cdp_urls[i];
			if (s == NULL || !value_ok(F_TEXT, s, strlen(s))) {
				*_bad = true;
				return out;
			}
			out = talloc_asprintf_append_buffer(out, "%s=%s\n", f->key, s);
		}
		return out;
	case F_STATUS:
		return talloc_asprintf_append_buffer(out, "%s=%s\n", f->key,
						     ae_cert_state_name(st->status));
	case F_BOOL:
		if (!*(const bool *)at(st, f->off)) {
			return out;
		}
		return talloc_asprintf_append_buffer(out, "%s=1\n", f->key);
	case F_TIME:
		if (*(const time_t *)at(st, f->off) == 0) {
			return out;
		}
		return talloc_asprintf_append_buffer(out, "%s=%lld\n", f->key,
						     (long long)*(const time_t *)at(st, f->off));
	case F_U32:
		if (f->has_off >= 0 ? !*(const bool *)at(st, (size_t)f->has_off)
				    : *(const uint32_t *)at(st, f->off) == 0) {
			return out;
		}
		return talloc_asprintf_append_buffer(out, "%s=%" PRIu32 "\n", f->key,
						     *(const uint32_t *)at(st, f->off));
	}
	*_bad = true;
	return out;
}

ae_err ae_store_state_format(TALLOC_CTX *mem_ctx, const struct ae_store_state *st, char **_text)
{
	char *out = NULL;
	bool bad = false;
	size_t i;

	if (st == NULL || !record_ok(st)) {
		return AE_ERR_INVALID;
	}
	out = talloc_asprintf(mem_ctx, "version=%d\n", AE_STORE_STATE_VERSION);
	for (i = 0; out != NULL && !bad && i < NUM_FIELDS; i++) {
		out = append_value(out, &fields[i], st, &bad);
	}
	if (out == NULL) {
		return AE_ERR_NOMEM;
	}
	if (bad || strlen(out) > AE_STORE_RECORD_MAX) {
		talloc_free(out);
		return AE_ERR_INVALID;
	}
	*_text = out;
	return AE_OK;
}

struct ae_store_state *ae_store_state_copy(TALLOC_CTX *mem_ctx, const struct ae_store_state *st)
{
	struct ae_store_state *c = talloc_zero(mem_ctx, struct ae_store_state);
	bool ok = c != NULL;
	size_t i;

	if (!ok) {
		return NULL;
	}
	*c = *st;
	c->cert.cdp_urls = NULL;
	c->cert.num_cdp_urls = 0;
	for (i = 0; ok && i < NUM_FIELDS; i++) {
		const struct field *f = &fields[i];
		char **dst = at(c, f->off);
		if (f->kind == F_CDP) {
			size_t j;
			for (j = 0; ok && j < st->cert.num_cdp_urls; j++) {
				ok = set_field(c, f, st->cert.cdp_urls[j],
					       strlen(st->cert.cdp_urls[j])) == AE_OK;
			}
		} else if (f->kind <= F_TAG && *dst != NULL) {	/* the char * kinds */
			*dst = talloc_strdup(c, *dst);
			ok = *dst != NULL;
		}
	}
	if (!ok) {
		talloc_free(c);
		return NULL;
	}
	return c;
}

ae_err ae_store_state_save(const struct ae_store *s, const struct ae_store_state *st)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *text = NULL, *path = NULL;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_store_state_format(tmp, st, &text);
	if (err == AE_OK) {
		path = ae_store_fname(tmp, st->template_name, SFX_STATE);
		err = path != NULL ? ae_file_write_atomic_at(s->fd, path, text, strlen(text), 0600)
				   : AE_ERR_NOMEM;
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_store_state_load(TALLOC_CTX *mem_ctx, const struct ae_store *s,
			   const char *template_name, struct ae_store_state **_st)
{
	TALLOC_CTX *tmp = NULL;
	struct ae_store_state *st = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	char why[128] = "";
	ae_err err;

	if (!ae_store_name_ok(template_name)) {
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_file_read_at(tmp, s->fd, ae_store_fname(tmp, template_name, SFX_STATE),
			      AE_STORE_RECORD_MAX, 0, &data, &len, why, sizeof(why));
	if (err == AE_ERR_TOO_LARGE) {
		err = AE_ERR_PARSE;
	}
	if (err == AE_ERR_INVALID) {
		AE_ERROR("store %s: %s%s: %s; skipped", s->dir, template_name, SFX_STATE, why);
	} else if (err == AE_ERR_IO) {
		AE_ERROR("store %s: cannot read %s%s: %s", s->dir, template_name, SFX_STATE, why);
		ae_file_set_error("cannot read %s%s: %s", template_name, SFX_STATE, why);
	}
	if (err == AE_OK) {
		err = ae_store_state_parse(tmp, data, len, &st);
	}
	if (err == AE_OK && strcmp(st->template_name, template_name) != 0) {
		err = AE_ERR_PARSE;
	}
	if (err == AE_OK) {
		*_st = talloc_steal(mem_ctx, st);
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_store_set_backoff(const struct ae_store *s, const char *t, uint32_t failures,
			    time_t next_attempt)
{
	TALLOC_CTX *tmp = NULL;
	struct ae_store_state *st = NULL;
	ae_err err = ae_store_require_lock(s, "record the back-off");

	if (err != AE_OK) {
		return err;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_store_state_load(tmp, s, t, &st);
	if (err == AE_OK && (st->failures != failures || st->next_attempt != next_attempt)) {
		st->failures = failures;
		st->next_attempt = next_attempt;
		err = ae_store_state_save(s, st);
	}
	talloc_free(tmp);
	return err;
}
