#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ae_attrval.h"

void ae_value_show(const uint8_t *p, size_t len, char *buf, size_t buf_len)
{
	size_t shown = len < AE_WHY_VALUE_SHOWN ? len : AE_WHY_VALUE_SHOWN;
	size_t off = 0;
	size_t i;

	if (buf == NULL || buf_len == 0) {
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < shown; i++) {
		char tmp[5];
		size_t n;

		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
			tmp[0] = (char)p[i];
			tmp[1] = '\0';
		} else {
			snprintf(tmp, sizeof(tmp), "\\x%02x", p[i]);
		}
		n = strlen(tmp);
		if (n >= buf_len - off) {
			return;
		}
		memcpy(buf + off, tmp, n + 1);
		off += n;
	}
	if (shown < len && buf_len - off > 3) {
		memcpy(buf + off, "...", 4);
	}
}

/* '-'? digits without a leading zero (except "0") and no "-0": RFC 4517 3.3.16. */
static ae_err parse_integer(const uint8_t *p, size_t len, int64_t min, int64_t max, int64_t *_out)
{
	bool neg = false;
	uint64_t acc = 0;
	uint64_t limit;
	size_t i = 0;

	if (len == 0) {
		return AE_ERR_PARSE;
	}
	if (p[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == len) {
		return AE_ERR_PARSE;
	}
	if (p[i] == '0' && (len - i > 1 || neg)) {
		return AE_ERR_PARSE;
	}
	/* Magnitude limit: |min| for negatives (computed without overflow). */
	limit = neg ? (uint64_t)(-(min + 1)) + 1 : (uint64_t)max;
	for (; i < len; i++) {
		unsigned d;

		if (p[i] < '0' || p[i] > '9') {
			return AE_ERR_PARSE;
		}
		d = (unsigned)(p[i] - '0');
		if (acc > (limit - d) / 10) {
			return AE_ERR_TOO_LARGE;
		}
		acc = acc * 10 + d;
	}
	if (neg) {
		*_out = acc == 0 ? 0 : -(int64_t)(acc - 1) - 1;
	} else {
		*_out = (int64_t)acc;
	}
	return AE_OK;
}

ae_err ae_value_int32(const uint8_t *p, size_t len, int32_t *_out)
{
	int64_t v = 0;
	ae_err err;

	err = parse_integer(p, len, INT32_MIN, INT32_MAX, &v);
	if (err != AE_OK) {
		return err;
	}
	*_out = (int32_t)v;
	return AE_OK;
}

ae_err ae_value_int64(const uint8_t *p, size_t len, int64_t *_out)
{
	return parse_integer(p, len, INT64_MIN, INT64_MAX, _out);
}

bool ae_oid_valid(const char *s, size_t len)
{
	size_t arcs = 0;
	size_t i = 0;

	if (len == 0 || len > AE_OID_MAX) {
		return false;
	}
	while (i < len) {
		size_t start = i;

		while (i < len && s[i] >= '0' && s[i] <= '9') {
			i++;
		}
		if (i == start || (s[start] == '0' && i - start > 1)) {
			return false;
		}
		if (arcs == 0 && (i - start != 1 || s[start] > '2')) {
			return false;
		}
		arcs++;
		if (i == len) {
			break;
		}
		if (s[i] != '.' || i + 1 == len) {
			return false;
		}
		i++;
	}
	return arcs >= 2;
}

ae_err ae_attr_single(const struct ae_ldap_attr *a, const char *name,
		      const struct ae_ldap_value **_v, char *why, size_t why_len)
{
	if (a == NULL || a->num_values == 0) {
		ae_why(why, why_len, "%s: missing", name);
		return AE_ERR_PARSE;
	}
	if (a->num_values != 1) {
		ae_why(why, why_len, "%s: %zu values for a single-valued attribute",
		       name, a->num_values);
		return AE_ERR_PARSE;
	}
	*_v = &a->values[0];
	return AE_OK;
}

static ae_err attr_integer(const struct ae_ldap_attr *a, const char *name,
			   int64_t min, int64_t max, int64_t *_out, char *why, size_t why_len)
{
	const struct ae_ldap_value *v = NULL;
	char shown[AE_WHY_SHOWN_BUF];
	int64_t n = 0;
	ae_err err;

	err = ae_attr_single(a, name, &v, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	err = parse_integer(v->data, v->len, INT64_MIN, INT64_MAX, &n);
	if (err == AE_ERR_PARSE) {
		ae_value_show(v->data, v->len, shown, sizeof(shown));
		ae_why(why, why_len, "%s: '%s' is not an integer", name, shown);
		return AE_ERR_PARSE;
	}
	if (err != AE_OK || n < min || n > max) {
		ae_value_show(v->data, v->len, shown, sizeof(shown));
		ae_why(why, why_len, "%s: '%s' is out of range %lld..%lld", name, shown,
		       (long long)min, (long long)max);
		return AE_ERR_PARSE;
	}
	*_out = n;
	return AE_OK;
}

ae_err ae_attr_int32(const struct ae_ldap_attr *a, const char *name,
		     int32_t *_out, char *why, size_t why_len)
{
	int64_t n = 0;
	ae_err err;

	err = attr_integer(a, name, INT32_MIN, INT32_MAX, &n, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	*_out = (int32_t)n;
	return AE_OK;
}

ae_err ae_attr_uint31(const struct ae_ldap_attr *a, const char *name,
		      uint32_t *_out, char *why, size_t why_len)
{
	int64_t n = 0;
	ae_err err;

	err = attr_integer(a, name, 0, INT32_MAX, &n, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	*_out = (uint32_t)n;
	return AE_OK;
}

ae_err ae_attr_uint63(const struct ae_ldap_attr *a, const char *name,
		      uint64_t *_out, char *why, size_t why_len)
{
	int64_t n = 0;
	ae_err err;

	err = attr_integer(a, name, 0, INT64_MAX, &n, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	*_out = (uint64_t)n;
	return AE_OK;
}

/* Check one text value: no NUL byte, length cap. */
static ae_err check_text(const struct ae_ldap_value *v, const char *name, size_t max_len,
			 char *why, size_t why_len)
{
	char shown[AE_WHY_SHOWN_BUF];

	if (v->len > max_len) {
		ae_why(why, why_len, "%s: value of %zu bytes is longer than %zu",
		       name, v->len, max_len);
		return AE_ERR_PARSE;
	}
	if (memchr(v->data, '\0', v->len) != NULL) {
		ae_value_show(v->data, v->len, shown, sizeof(shown));
		ae_why(why, why_len, "%s: '%s' contains a NUL byte", name, shown);
		return AE_ERR_PARSE;
	}
	return AE_OK;
}

static ae_err check_oid(const struct ae_ldap_value *v, const char *name, char *why, size_t why_len)
{
	char shown[AE_WHY_SHOWN_BUF];

	if (!ae_oid_valid((const char *)v->data, v->len)) {
		ae_value_show(v->data, v->len, shown, sizeof(shown));
		ae_why(why, why_len, "%s: '%s' is not an OID", name, shown);
		return AE_ERR_PARSE;
	}
	return AE_OK;
}

ae_err ae_attr_text(TALLOC_CTX *mem_ctx, const struct ae_ldap_attr *a, const char *name,
		    size_t max_len, char **_out, char *why, size_t why_len)
{
	const struct ae_ldap_value *v = NULL;
	char *s = NULL;
	ae_err err;

	err = ae_attr_single(a, name, &v, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	err = check_text(v, name, max_len, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	s = talloc_strndup(mem_ctx, (const char *)v->data, v->len);
	if (s == NULL) {
		return AE_ERR_NOMEM;
	}
	*_out = s;
	return AE_OK;
}

ae_err ae_attr_oid(TALLOC_CTX *mem_ctx, const struct ae_ldap_attr *a, const char *name,
		   char **_out, char *why, size_t why_len)
{
	const struct ae_ldap_value *v = NULL;
	ae_err err;

	err = ae_attr_single(a, name, &v, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	err = check_oid(v, name, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	return ae_attr_text(mem_ctx, a, name, AE_OID_MAX, _out, why, why_len);
}

static ae_err attr_list(TALLOC_CTX *mem_ctx, const struct ae_ldap_attr *a, const char *name,
			size_t max_values, size_t max_len, bool oids,
			char ***_out, size_t *_num, char *why, size_t why_len)
{
	char **list = NULL;
	size_t i;
	ae_err err;

	if (a == NULL || a->num_values == 0) {
		*_out = NULL;
		*_num = 0;
		return AE_OK;
	}
	if (a->num_values > max_values) {
		ae_why(why, why_len, "%s: %zu values, at most %zu accepted",
		       name, a->num_values, max_values);
		return AE_ERR_PARSE;
	}
	list = talloc_zero_array(mem_ctx, char *, a->num_values);
	if (list == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < a->num_values; i++) {
		const struct ae_ldap_value *v = &a->values[i];

		err = oids ? check_oid(v, name, why, why_len)
			   : check_text(v, name, max_len, why, why_len);
		if (err != AE_OK) {
			talloc_free(list);
			return err;
		}
		list[i] = talloc_strndup(list, (const char *)v->data, v->len);
		if (list[i] == NULL) {
			talloc_free(list);
			return AE_ERR_NOMEM;
		}
	}
	*_out = list;
	*_num = a->num_values;
	return AE_OK;
}

ae_err ae_attr_text_list(TALLOC_CTX *mem_ctx, const struct ae_ldap_attr *a, const char *name,
			 size_t max_values, size_t max_len,
			 char ***_out, size_t *_num, char *why, size_t why_len)
{
	return attr_list(mem_ctx, a, name, max_values, max_len, false, _out, _num, why, why_len);
}

ae_err ae_attr_oid_list(TALLOC_CTX *mem_ctx, const struct ae_ldap_attr *a, const char *name,
			size_t max_values, char ***_out, size_t *_num,
			char *why, size_t why_len)
{
	return attr_list(mem_ctx, a, name, max_values, AE_OID_MAX, true, _out, _num, why, why_len);
}

ae_err ae_attr_filetime_period(const struct ae_ldap_attr *a, const char *name,
			       int64_t *_seconds, char *why, size_t why_len)
{
	const struct ae_ldap_value *v = NULL;
	char shown[AE_WHY_SHOWN_BUF];
	uint64_t u = 0;
	int64_t ticks;
	size_t i;
	ae_err err;

	err = ae_attr_single(a, name, &v, why, why_len);
	if (err != AE_OK) {
		return err;
	}
	if (v->len != 8) {
		ae_why(why, why_len, "%s: %zu bytes, expected an 8-byte FILETIME interval",
		       name, v->len);
		return AE_ERR_PARSE;
	}
	for (i = 0; i < 8; i++) {
		u |= (uint64_t)v->data[i] << (8 * i);
	}
	/* Two's complement without implementation-defined conversion. */
	ticks = u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
	if (ticks > 0) {
		ae_value_show(v->data, v->len, shown, sizeof(shown));
		ae_why(why, why_len, "%s: '%s' is a positive FILETIME, not an interval",
		       name, shown);
		return AE_ERR_PARSE;
	}
	/* Divide first: -(INT64_MIN) would overflow. */
	*_seconds = -(ticks / 10000000);
	return AE_OK;
}
