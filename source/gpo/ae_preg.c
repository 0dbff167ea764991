/*
 * ae_preg.c: the Registry.pol (PReg) parser. Framing per MS-GPREG 2.2.1;
 * the ABNF there says "%x01" and single-octet delimiters, but the real
 * format (the spec's own figures, Windows and Samba's librpc/idl/preg.idl)
 * has a 32-bit version and UTF-16LE delimiters.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ae_preg.h"
#include "ae_utf16.h"

struct cur {
	const uint8_t *p;
	size_t len;
	size_t off;
	char *why;
	size_t why_len;
};

static ae_err fail(struct cur *c, size_t off, ae_err err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static ae_err fail(struct cur *c, size_t off, ae_err err, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->why == NULL || c->why_len == 0) {
		return err;
	}
	n = snprintf(c->why, c->why_len, "offset 0x%zx: ", off);
	if (n > 0 && (size_t)n < c->why_len) {
		va_start(ap, fmt);
		vsnprintf(c->why + n, c->why_len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return err;
}

static uint16_t unit_at(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static ae_err expect_char(struct cur *c, char ch, const char *what)
{
	if (c->len - c->off < 2) {
		return fail(c, c->off, AE_ERR_PARSE, "truncated, expected '%c' %s", ch, what);
	}
	if (unit_at(c->p + c->off) != (uint16_t)ch) {
		return fail(c, c->off, AE_ERR_PARSE, "expected '%c' %s", ch, what);
	}
	c->off += 2;
	return AE_OK;
}

static ae_err read_u32(struct cur *c, uint32_t *v, const char *what)
{
	const uint8_t *q;

	if (c->len - c->off < 4) {
		return fail(c, c->off, AE_ERR_PARSE, "truncated %s (4 bytes)", what);
	}
	q = c->p + c->off;
	*v = (uint32_t)q[0] | ((uint32_t)q[1] << 8) | ((uint32_t)q[2] << 16) |
	     ((uint32_t)q[3] << 24);
	c->off += 4;
	return AE_OK;
}

/* A NUL-terminated UTF-16LE string of at most max units; the NUL is consumed. */
static ae_err read_name(TALLOC_CTX *mem, struct cur *c, size_t max, const char *what,
			char **_out)
{
	size_t start = c->off, units = 0;
	ae_err err;

	for (;;) {
		if (c->len - c->off < 2) {
			return fail(c, start, AE_ERR_PARSE, "truncated %s (no NUL terminator)",
				    what);
		}
		if (unit_at(c->p + c->off) == 0) {
			break;
		}
		if (units == max) {
			return fail(c, start, AE_ERR_TOO_LARGE,
				    "%s longer than %zu characters", what, max);
		}
		units++;
		c->off += 2;
	}
	err = ae_utf16le_to_utf8(mem, c->p + start, units * 2, _out);
	if (err == AE_ERR_PARSE) {
		return fail(c, start, err, "invalid UTF-16 in the %s", what);
	}
	if (err != AE_OK) {
		return err;
	}
	c->off += 2;
	return AE_OK;
}

/* Units [0, n) up to the first NUL as UTF-8; only NUL units may follow it. */
static ae_err decode_string(TALLOC_CTX *mem, const uint8_t *d, size_t n_units,
			    size_t *_used, char **_out)
{
	size_t i = 0, j;

	while (i < n_units && unit_at(d + i * 2) != 0) {
		i++;
	}
	if (_used != NULL) {
		*_used = i;
		return ae_utf16le_to_utf8(mem, d, i * 2, _out);
	}
	for (j = i; j < n_units; j++) {
		if (unit_at(d + j * 2) != 0) {
			return AE_ERR_PARSE;
		}
	}
	return ae_utf16le_to_utf8(mem, d, i * 2, _out);
}

static ae_err decode_multi(TALLOC_CTX *mem, const uint8_t *d, size_t n_units,
			   struct ae_regval *v)
{
	const char **strs = talloc_array(mem, const char *, n_units / 2 + 1);
	size_t start = 0, n = 0, j;
	ae_err err;

	if (strs == NULL) {
		return AE_ERR_NOMEM;
	}
	while (start < n_units && unit_at(d + start * 2) != 0) {
		size_t used = 0;
		char *s = NULL;

		err = decode_string(strs, d + start * 2, n_units - start, &used, &s);
		if (err != AE_OK) {
			return err;
		}
		strs[n++] = s;
		start += used + 1;	/* past its NUL (or the end) */
	}
	/* the list ends at the first empty string; only NULs may follow */
	for (j = start; j < n_units; j++) {
		if (unit_at(d + j * 2) != 0) {
			return AE_ERR_PARSE;
		}
	}
	v->strs = strs;
	v->num_strs = n;
	return AE_OK;
}

static ae_err decode_value(TALLOC_CTX *mem, struct cur *c, size_t data_off,
			   struct ae_regval *v)
{
	const uint8_t *d = v->data;
	char *s = NULL;
	ae_err err;

	switch (v->type) {
	case AE_REG_SZ:
	case AE_REG_EXPAND_SZ:
	case AE_REG_LINK:
	case AE_REG_MULTI_SZ:
		if (v->len % 2 != 0) {
			return fail(c, data_off, AE_ERR_PARSE, "%s data has an odd length (%zu)",
				    ae_reg_type_name(v->type), v->len);
		}
		if (v->type == AE_REG_MULTI_SZ) {
			v->kind = AE_REGVAL_STRINGS;
			err = decode_multi(mem, d, v->len / 2, v);
		} else {
			v->kind = AE_REGVAL_STRING;
			err = decode_string(mem, d, v->len / 2, NULL, &s);
			v->str = s;
		}
		if (err == AE_ERR_PARSE) {
			return fail(c, data_off, err, "invalid %s data (bad UTF-16 or data "
				    "after the terminator)", ae_reg_type_name(v->type));
		}
		return err;
	case AE_REG_DWORD:
	case AE_REG_DWORD_BIG_ENDIAN:
		if (v->len != 4) {
			return fail(c, data_off, AE_ERR_PARSE, "%s data must be 4 bytes, not %zu",
				    ae_reg_type_name(v->type), v->len);
		}
		v->kind = AE_REGVAL_U32;
		if (v->type == AE_REG_DWORD) {
			v->u32 = (uint32_t)d[0] | ((uint32_t)d[1] << 8) |
				 ((uint32_t)d[2] << 16) | ((uint32_t)d[3] << 24);
		} else {
			v->u32 = (uint32_t)d[3] | ((uint32_t)d[2] << 8) |
				 ((uint32_t)d[1] << 16) | ((uint32_t)d[0] << 24);
		}
		return AE_OK;
	case AE_REG_QWORD:
		if (v->len != 8) {
			return fail(c, data_off, AE_ERR_PARSE, "REG_QWORD data must be 8 bytes, "
				    "not %zu", v->len);
		}
		v->kind = AE_REGVAL_U64;
		v->u64 = 0;
		for (size_t i = 0; i < 8; i++) {
			v->u64 |= (uint64_t)d[i] << (8 * i);
		}
		return AE_OK;
	default:
		v->kind = AE_REGVAL_BYTES;	/* REG_NONE, REG_BINARY, unknown types */
		return AE_OK;
	}
}

static ae_err parse_entry(TALLOC_CTX *mem, struct cur *c, struct ae_preg_entry *e)
{
	char *key = NULL, *name = NULL;
	uint8_t *data = NULL;
	uint32_t type = 0, size = 0;
	size_t size_off, data_off;
	ae_err err;

	e->offset = c->off;
	err = expect_char(c, '[', "to start an instruction");
	if (err != AE_OK) {
		return err;
	}
	err = read_name(mem, c, AE_PREG_KEY_MAX, "key", &key);
	if (err != AE_OK) {
		return err;
	}
	if (key[0] == '\0') {
		return fail(c, e->offset + 2, AE_ERR_PARSE, "empty key");
	}
	err = expect_char(c, ';', "after the key");
	if (err != AE_OK) {
		return err;
	}
	err = read_name(mem, c, AE_PREG_NAME_MAX, "value name", &name);
	if (err != AE_OK) {
		return err;
	}
	err = expect_char(c, ';', "after the value name");
	if (err == AE_OK) {
		err = read_u32(c, &type, "type");
	}
	if (err == AE_OK) {
		err = expect_char(c, ';', "after the type");
	}
	size_off = c->off;
	if (err == AE_OK) {
		err = read_u32(c, &size, "size");
	}
	if (err == AE_OK) {
		err = expect_char(c, ';', "after the size");
	}
	if (err != AE_OK) {
		return err;
	}
	if (size > AE_PREG_DATA_MAX) {
		return fail(c, size_off, AE_ERR_TOO_LARGE, "data size %u above %u", size,
			    (unsigned)AE_PREG_DATA_MAX);
	}
	data_off = c->off;
	if (size > c->len - c->off) {
		return fail(c, data_off, AE_ERR_PARSE, "truncated data: %u bytes announced, "
			    "%zu present", size, c->len - c->off);
	}
	e->key = key;
	e->name = name;
	e->val.type = type;
	data = talloc_zero_array(mem, uint8_t, size ? size : 1);
	if (data == NULL) {
		return AE_ERR_NOMEM;
	}
	memcpy(data, c->p + c->off, size);
	e->val.data = data;
	e->val.len = size;
	c->off += size;
	err = expect_char(c, ']', "after the data");
	if (err != AE_OK) {
		return err;
	}
	return decode_value(mem, c, data_off, &e->val);
}

ae_err ae_preg_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		     struct ae_preg **_out, char *why, size_t why_len)
{
	struct cur c = { .p = p, .len = len, .off = 0, .why = why, .why_len = why_len };
	TALLOC_CTX *tmp = NULL;
	struct ae_preg *pol = NULL;
	size_t cap = 16;
	uint32_t version = 0;
	ae_err err;

	if (why != NULL && why_len > 0) {
		why[0] = '\0';
	}
	if ((p == NULL && len > 0) || _out == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > AE_PREG_MAX) {
		return fail(&c, 0, AE_ERR_TOO_LARGE, "file of %zu bytes above %u", len,
			    (unsigned)AE_PREG_MAX);
	}
	if (len < 4 || memcmp(p, "PReg", 4) != 0) {
		return fail(&c, 0, AE_ERR_PARSE, "expected the signature \"PReg\"");
	}
	c.off = 4;
	err = read_u32(&c, &version, "version");
	if (err != AE_OK) {
		return err;
	}
	if (version != 1) {
		return fail(&c, 4, AE_ERR_PARSE, "expected version 1, found %u", version);
	}

	tmp = talloc_new(NULL);
	pol = talloc_zero(tmp, struct ae_preg);
	if (pol == NULL || (pol->entries = talloc_array(pol, struct ae_preg_entry, cap)) == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	pol->version = version;
	while (c.off < c.len) {
		if (c.len - c.off == 1 && c.p[c.off] == '[') {
			talloc_free(tmp);
			return fail(&c, c.off, AE_ERR_PARSE, "truncated, expected '[' to start "
				    "an instruction");
		}
		if (c.len - c.off < 2 || unit_at(c.p + c.off) != '[') {
			talloc_free(tmp);
			return fail(&c, c.off, AE_ERR_TRAILING, "%zu trailing bytes after the "
				    "last instruction (expected '[')", c.len - c.off);
		}
		if (pol->num_entries == AE_PREG_ENTRIES_MAX) {
			talloc_free(tmp);
			return fail(&c, c.off, AE_ERR_TOO_LARGE, "more than %u instructions",
				    (unsigned)AE_PREG_ENTRIES_MAX);
		}
		if (pol->num_entries == cap) {
			cap *= 2;
			pol->entries = talloc_realloc(pol, pol->entries, struct ae_preg_entry, cap);
			if (pol->entries == NULL) {
				talloc_free(tmp);
				return AE_ERR_NOMEM;
			}
		}
		memset(&pol->entries[pol->num_entries], 0, sizeof(pol->entries[0]));
		err = parse_entry(pol, &c, &pol->entries[pol->num_entries]);
		if (err != AE_OK) {
			talloc_free(tmp);
			return err;
		}
		pol->num_entries++;
	}
	*_out = talloc_steal(mem_ctx, pol);
	talloc_free(tmp);
	return AE_OK;
}

const char *ae_reg_type_name(uint32_t type)
{
	switch (type) {
	case AE_REG_NONE: return "REG_NONE";
	case AE_REG_SZ: return "REG_SZ";
	case AE_REG_EXPAND_SZ: return "REG_EXPAND_SZ";
	case AE_REG_BINARY: return "REG_BINARY";
	case AE_REG_DWORD: return "REG_DWORD";
	case AE_REG_DWORD_BIG_ENDIAN: return "REG_DWORD_BIG_ENDIAN";
	case AE_REG_LINK: return "REG_LINK";
	case AE_REG_MULTI_SZ: return "REG_MULTI_SZ";
	case AE_REG_QWORD: return "REG_QWORD";
	}
	return "REG_UNKNOWN";
}
