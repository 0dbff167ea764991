#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "ae_sid.h"

#define WK(auth, n, ...) { .revision = 1, .num_auths = (n), \
	.authority = { 0, 0, 0, 0, 0, (auth) }, .sub_auths = { __VA_ARGS__ } }

const struct ae_sid ae_sid_everyone = WK(1, 1, 0);
const struct ae_sid ae_sid_creator_owner = WK(3, 1, 0);
const struct ae_sid ae_sid_enterprise_dcs = WK(5, 1, 9);
const struct ae_sid ae_sid_principal_self = WK(5, 1, 10);
const struct ae_sid ae_sid_authenticated_users = WK(5, 1, 11);
const struct ae_sid ae_sid_this_organization = WK(5, 1, 15);
const struct ae_sid ae_sid_local_system = WK(5, 1, 18);
const struct ae_sid ae_sid_builtin_admins = WK(5, 2, 32, 544);
const struct ae_sid ae_sid_builtin_users = WK(5, 2, 32, 545);

ae_err ae_sid_parse(const uint8_t *p, size_t len, struct ae_sid *out, size_t *_used)
{
	struct ae_sid sid = { 0 };
	size_t need;
	uint8_t i;

	if (p == NULL || out == NULL) {
		return AE_ERR_INVALID;
	}
	if (len < AE_SID_MIN_LEN) {
		return AE_ERR_PARSE;
	}
	if (p[0] != 1 || p[1] > AE_SID_SUB_AUTHS_MAX) {
		return AE_ERR_PARSE;
	}
	need = AE_SID_MIN_LEN + 4 * (size_t)p[1];
	if (need > len) {
		return AE_ERR_PARSE;
	}
	sid.revision = p[0];
	sid.num_auths = p[1];
	memcpy(sid.authority, p + 2, 6);
	for (i = 0; i < sid.num_auths; i++) {
		const uint8_t *q = p + AE_SID_MIN_LEN + 4 * (size_t)i;

		sid.sub_auths[i] = (uint32_t)q[0] | (uint32_t)q[1] << 8 |
				   (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
	}
	*out = sid;
	if (_used != NULL) {
		*_used = need;
	}
	return AE_OK;
}

size_t ae_sid_wire_len(const struct ae_sid *sid)
{
	return AE_SID_MIN_LEN + 4 * (size_t)sid->num_auths;
}

ae_err ae_sid_push(const struct ae_sid *sid, uint8_t *p, size_t len)
{
	uint8_t i;

	if (sid->num_auths > AE_SID_SUB_AUTHS_MAX) {
		return AE_ERR_INVALID;
	}
	if (ae_sid_wire_len(sid) > len) {
		return AE_ERR_TOO_LARGE;
	}
	p[0] = sid->revision;
	p[1] = sid->num_auths;
	memcpy(p + 2, sid->authority, 6);
	for (i = 0; i < sid->num_auths; i++) {
		uint8_t *q = p + AE_SID_MIN_LEN + 4 * (size_t)i;
		uint32_t v = sid->sub_auths[i];

		q[0] = v & 0xff;
		q[1] = (v >> 8) & 0xff;
		q[2] = (v >> 16) & 0xff;
		q[3] = (v >> 24) & 0xff;
	}
	return AE_OK;
}

/* Decimal digits at *s, at most max; advances *s. False if none or above max. */
static bool read_dec(const char **s, uint64_t max, uint64_t *_v)
{
	const char *q = *s;
	uint64_t v = 0;

	if (*q < '0' || *q > '9') {
		return false;
	}
	while (*q >= '0' && *q <= '9') {
		uint64_t d = (uint64_t)(*q - '0');

		if (v > (max - d) / 10) {
			return false;
		}
		v = v * 10 + d;
		q++;
	}
	*s = q;
	*_v = v;
	return true;
}

/* Exactly 12 hex digits at *s (after "0x"); advances *s. */
static bool read_hex48(const char **s, uint64_t *_v)
{
	const char *q = *s;
	uint64_t v = 0;
	int i;

	for (i = 0; i < 12; i++) {
		char c = q[i];
		unsigned d;

		if (c >= '0' && c <= '9') {
			d = (unsigned)(c - '0');
		} else if (c >= 'a' && c <= 'f') {
			d = (unsigned)(c - 'a' + 10);
		} else if (c >= 'A' && c <= 'F') {
			d = (unsigned)(c - 'A' + 10);
		} else {
			return false;
		}
		v = v << 4 | d;
	}
	*s = q + 12;
	*_v = v;
	return true;
}

ae_err ae_sid_from_string(const char *s, struct ae_sid *out)
{
	struct ae_sid sid = { 0 };
	uint64_t auth = 0;
	int i;

	if (s == NULL || out == NULL) {
		return AE_ERR_INVALID;
	}
	if ((s[0] != 'S' && s[0] != 's') || s[1] != '-' || s[2] != '1' || s[3] != '-') {
		return AE_ERR_PARSE;
	}
	s += 4;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		if (!read_hex48(&s, &auth)) {
			return AE_ERR_PARSE;
		}
	} else if (!read_dec(&s, UINT64_C(0xffffffffffff), &auth)) {
		return AE_ERR_PARSE;
	}
	sid.revision = 1;
	for (i = 0; i < 6; i++) {
		sid.authority[i] = (uint8_t)(auth >> (8 * (5 - i)));
	}
	while (*s == '-') {
		uint64_t v = 0;

		s++;
		if (sid.num_auths == AE_SID_SUB_AUTHS_MAX || !read_dec(&s, UINT32_MAX, &v)) {
			return AE_ERR_PARSE;
		}
		sid.sub_auths[sid.num_auths++] = (uint32_t)v;
	}
	if (*s != '\0') {
		return AE_ERR_PARSE;
	}
	*out = sid;
	return AE_OK;
}

const char *ae_sid_format(const struct ae_sid *sid, char buf[AE_SID_STR_MAX])
{
	uint64_t auth = 0;
	size_t off;
	uint8_t i, n;
	int w;

	for (i = 0; i < 6; i++) {
		auth = auth << 8 | sid->authority[i];
	}
	if (auth < UINT64_C(0x100000000)) {
		w = snprintf(buf, AE_SID_STR_MAX, "S-%u-%" PRIu64, sid->revision, auth);
	} else {
		w = snprintf(buf, AE_SID_STR_MAX, "S-%u-0x%012" PRIX64, sid->revision, auth);
	}
	off = w > 0 ? (size_t)w : 0;
	n = sid->num_auths <= AE_SID_SUB_AUTHS_MAX ? sid->num_auths : AE_SID_SUB_AUTHS_MAX;
	for (i = 0; i < n && off < AE_SID_STR_MAX; i++) {
		w = snprintf(buf + off, AE_SID_STR_MAX - off, "-%" PRIu32, sid->sub_auths[i]);
		if (w < 0) {
			break;
		}
		off += (size_t)w;
	}
	return buf;
}

char *ae_sid_to_string(TALLOC_CTX *mem_ctx, const struct ae_sid *sid)
{
	char buf[AE_SID_STR_MAX];

	return talloc_strdup(mem_ctx, ae_sid_format(sid, buf));
}

bool ae_sid_equal(const struct ae_sid *a, const struct ae_sid *b)
{
	uint8_t i;

	if (a->revision != b->revision || a->num_auths != b->num_auths ||
	    a->num_auths > AE_SID_SUB_AUTHS_MAX ||
	    memcmp(a->authority, b->authority, 6) != 0) {
		return false;
	}
	for (i = 0; i < a->num_auths; i++) {
		if (a->sub_auths[i] != b->sub_auths[i]) {
			return false;
		}
	}
	return true;
}

ae_err ae_sid_compose(const struct ae_sid *domain_sid, uint32_t rid, struct ae_sid *out)
{
	struct ae_sid sid = { 0 };

	if (domain_sid == NULL || out == NULL ||
	    domain_sid->num_auths >= AE_SID_SUB_AUTHS_MAX) {
		return AE_ERR_INVALID;
	}
	sid.revision = domain_sid->revision;
	sid.num_auths = domain_sid->num_auths;
	memcpy(sid.authority, domain_sid->authority, 6);
	memcpy(sid.sub_auths, domain_sid->sub_auths, 4 * (size_t)sid.num_auths);
	sid.sub_auths[sid.num_auths++] = rid;
	*out = sid;
	return AE_OK;
}

bool ae_sid_split(const struct ae_sid *sid, const struct ae_sid *domain_sid, uint32_t *_rid)
{
	struct ae_sid prefix;

	if (sid->num_auths == 0 || sid->num_auths > AE_SID_SUB_AUTHS_MAX ||
	    sid->num_auths != domain_sid->num_auths + 1) {
		return false;
	}
	prefix = *sid;
	prefix.num_auths--;
	if (!ae_sid_equal(&prefix, domain_sid)) {
		return false;
	}
	if (_rid != NULL) {
		*_rid = sid->sub_auths[sid->num_auths - 1];
	}
	return true;
}
