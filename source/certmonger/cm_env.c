/*
 * cm_env.c: certmonger's helper contract, the pure part (cm_env.h).
 */
#include <stdio.h>
#include <string.h>
#include "cm_env.h"

static const struct {
	const char *name;
	enum cm_op op;
} ops[] = {
	{ "SUBMIT", CM_OP_SUBMIT },
	{ "POLL", CM_OP_POLL },
	{ "IDENTIFY", CM_OP_IDENTIFY },
	{ "GET-NEW-REQUEST-REQUIREMENTS", CM_OP_NEW_REQS },
	{ "GET-RENEW-REQUEST-REQUIREMENTS", CM_OP_RENEW_REQS },
	{ "GET-SUPPORTED-TEMPLATES", CM_OP_TEMPLATES },
	{ "GET-DEFAULT-TEMPLATE", CM_OP_DEFAULT_TEMPLATE },
	{ "FETCH-ROOTS", CM_OP_FETCH_ROOTS },
};

enum cm_op cm_op_parse(const char *s)
{
	size_t i;

	if (s == NULL) {
		return CM_OP_SUBMIT;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(s, ops[i].name) == 0) {
			return ops[i].op;
		}
	}
	return CM_OP_UNSUPPORTED;
}

static bool no_control(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			return false;
		}
	}
	return true;
}

/* A variable: NULL when unset or empty; AE_ERR_TOO_LARGE above max. */
static ae_err get_var(cm_getenv_fn get, void *priv, const char *name, size_t max,
		      const char **_v, size_t *_len, char *why, size_t why_len)
{
	const char *v = get(priv, name);
	size_t len = v != NULL ? strnlen(v, max + 1) : 0;

	*_v = NULL;
	*_len = 0;
	if (len > max) {
		snprintf(why, why_len, "%s is longer than %zu bytes", name, max);
		return AE_ERR_TOO_LARGE;
	}
	if (len > 0) {
		*_v = v;
		*_len = len;
	}
	return AE_OK;
}

static ae_err read_request_vars(struct cm_env *e, cm_getenv_fn get, void *priv,
				char *why, size_t why_len)
{
	const char *v = NULL;
	size_t len = 0;
	ae_err err;

	err = get_var(get, priv, "CERTMONGER_CSR", CM_CSR_MAX, &v, &len, why, why_len);
	if (err == AE_OK && v == NULL) {
		snprintf(why, why_len, "CERTMONGER_CSR is not set: certmonger passes the request "
			 "in it");
		err = AE_ERR_CONFIG;
	}
	if (err == AE_OK) {
		e->csr = talloc_memdup(e, v, len);
		e->csr_len = len;
		err = e->csr != NULL ? AE_OK : AE_ERR_NOMEM;
	}
	if (err == AE_OK) {
		err = get_var(get, priv, "CERTMONGER_CA_PROFILE", CM_PROFILE_MAX, &v, &len, why,
			      why_len);
	}
	if (err == AE_OK && v != NULL && !no_control(v, len)) {
		snprintf(why, why_len, "CERTMONGER_CA_PROFILE has a control character");
		err = AE_ERR_INVALID;
	}
	if (err == AE_OK && v != NULL) {
		e->profile = talloc_strndup(e, v, len);
		err = e->profile != NULL ? AE_OK : AE_ERR_NOMEM;
	}
	if (err == AE_OK) {
		e->has_old_cert = get(priv, "CERTMONGER_CERTIFICATE") != NULL;
	}
	return err;
}

static ae_err read_cookie_var(struct cm_env *e, cm_getenv_fn get, void *priv,
			      char *why, size_t why_len)
{
	const char *v = NULL;
	size_t len = 0;
	ae_err err = get_var(get, priv, "CERTMONGER_CA_COOKIE", CM_COOKIE_MAX, &v, &len, why,
			     why_len);

	if (err == AE_OK && v == NULL) {
		snprintf(why, why_len, "CERTMONGER_CA_COOKIE is not set: nothing to poll");
		return AE_ERR_CONFIG;
	}
	/* our own line ended with a newline; certmonger may keep it */
	while (err == AE_OK && len > 0 && (v[len - 1] == '\n' || v[len - 1] == '\r' ||
					   v[len - 1] == ' ')) {
		len--;
	}
	if (err == AE_OK) {
		e->cookie = talloc_strndup(e, v, len);
		e->cookie_len = len;
		err = e->cookie != NULL ? AE_OK : AE_ERR_NOMEM;
	}
	return err;
}

ae_err cm_env_read(TALLOC_CTX *mem, cm_getenv_fn get, void *priv, struct cm_env **_e,
		   char *why, size_t why_len)
{
	struct cm_env *e = talloc_zero(mem, struct cm_env);
	const char *op = get(priv, "CERTMONGER_OPERATION");
	ae_err err = AE_OK;

	snprintf(why, why_len, "out of memory");
	if (e == NULL) {
		return AE_ERR_NOMEM;
	}
	e->op = cm_op_parse(op);
	/* only a known name is kept: it may be printed */
	e->op_name = e->op == CM_OP_UNSUPPORTED ? "(unsupported)" : op != NULL ? op : "SUBMIT";
	if (e->op == CM_OP_SUBMIT || e->op == CM_OP_POLL) {
		err = read_request_vars(e, get, priv, why, why_len);
	}
	if (err == AE_OK && e->op == CM_OP_POLL) {
		err = read_cookie_var(e, get, priv, why, why_len);
	}
	if (err != AE_OK) {
		talloc_free(e);
		return err;
	}
	*_e = e;
	return AE_OK;
}

/* ---- the cookie ---------------------------------------------------------- */

#define COOKIE_PREFIX "aeicpr1."

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	return -1;
}

char *cm_cookie_encode(TALLOC_CTX *mem, const char *ca_name, uint32_t request_id,
		       const uint8_t spki_sha256[32])
{
	size_t n = ca_name != NULL ? strlen(ca_name) : 0, i;
	char *s = NULL;

	if (n == 0 || n > CM_CA_NAME_MAX || !no_control(ca_name, n) || request_id == 0) {
		return NULL;
	}
	s = talloc_asprintf(mem, COOKIE_PREFIX "%u.", request_id);
	for (i = 0; s != NULL && i < 32; i++) {
		s = talloc_asprintf_append_buffer(s, "%02x", spki_sha256[i]);
	}
	s = s != NULL ? talloc_strdup_append_buffer(s, ".") : NULL;
	for (i = 0; s != NULL && i < n; i++) {
		s = talloc_asprintf_append_buffer(s, "%02x", (unsigned char)ca_name[i]);
	}
	return s;
}

/* The decimal id at p[0..len): 1..UINT32_MAX, no sign, no leading zero. */
static bool parse_id(const uint8_t *p, size_t len, uint32_t *_id)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 10 || p[0] == '0') {
		return false;
	}
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9') {
			return false;
		}
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (v > UINT32_MAX) {
		return false;
	}
	*_id = (uint32_t)v;
	return true;
}

static bool parse_hex(const uint8_t *p, size_t len, uint8_t *out)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		int hi = hexval(p[i]), lo = hexval(p[i + 1]);
		if (hi < 0 || lo < 0) {
			return false;
		}
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return len % 2 == 0;
}

ae_err cm_cookie_decode(TALLOC_CTX *mem, const uint8_t *p, size_t len, struct cm_cookie **_c)
{
	const size_t plen = sizeof(COOKIE_PREFIX) - 1;
	const uint8_t *dot1 = NULL, *dot2 = NULL, *ca = NULL;
	uint8_t name[CM_CA_NAME_MAX];
	struct cm_cookie c = { 0 }, *out = NULL;
	size_t ca_hex;

	if (p == NULL || _c == NULL) {
		return AE_ERR_INVALID;
	}
	if (len > CM_COOKIE_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (len < plen || memcmp(p, COOKIE_PREFIX, plen) != 0) {
		return AE_ERR_PARSE;
	}
	dot1 = memchr(p + plen, '.', len - plen);
	if (dot1 == NULL || !parse_id(p + plen, (size_t)(dot1 - (p + plen)), &c.request_id)) {
		return AE_ERR_PARSE;
	}
	dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - p));
	if (dot2 == NULL || dot2 - (dot1 + 1) != 64 || !parse_hex(dot1 + 1, 64, c.spki_sha256)) {
		return AE_ERR_PARSE;
	}
	ca = dot2 + 1;
	ca_hex = len - (size_t)(ca - p);
	if (ca_hex == 0 || ca_hex > 2 * CM_CA_NAME_MAX || !parse_hex(ca, ca_hex, name) ||
	    !no_control((const char *)name, ca_hex / 2)) {
		return AE_ERR_PARSE;
	}
	out = talloc_zero(mem, struct cm_cookie);
	if (out == NULL) {
		return AE_ERR_NOMEM;
	}
	out->ca_name = talloc_strndup(out, (const char *)name, ca_hex / 2);
	if (out->ca_name == NULL) {
		talloc_free(out);
		return AE_ERR_NOMEM;
	}
	out->request_id = c.request_id;
	memcpy(out->spki_sha256, c.spki_sha256, sizeof(c.spki_sha256));
	*_c = out;
	return AE_OK;
}

enum cm_exit cm_exit_for(enum ae_outcome o)
{
	switch (o) {
	case AE_OUTCOME_ISSUED:
		return CM_EXIT_ISSUED;
	case AE_OUTCOME_PENDING:
		return CM_EXIT_WAIT;
	case AE_OUTCOME_REJECTED:
	case AE_OUTCOME_UNVERIFIED:	/* an answer we refuse is not retried blindly */
		return CM_EXIT_REJECTED;
	case AE_OUTCOME_MISCONFIGURED:
		return CM_EXIT_UNCONFIGURED;
	case AE_OUTCOME_UNREACHABLE:
	case AE_OUTCOME_STORE:
	case AE_OUTCOME_INTERNAL:
	default:
		return CM_EXIT_UNREACHABLE;	/* certmonger tries again later */
	}
}
