/*
 * ca_sid.c: SIDs in the three forms the CA meets: binary (ACEs, objectSid),
 * text ("S-1-5-21-...": the SID extension, the request database) and the
 * RPC session's token (converted by icpr_ca.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "ca.h"

bool ca_sid_equal(const struct ca_sid *a, const struct ca_sid *b)
{
	if (a->rev != b->rev || a->num_auths != b->num_auths) {
		return false;
	}
	if (memcmp(a->id_auth, b->id_auth, sizeof(a->id_auth)) != 0) {
		return false;
	}
	return memcmp(a->sub_auths, b->sub_auths,
		      sizeof(uint32_t) * a->num_auths) == 0;
}

bool ca_caller_has_sid(const struct ca_caller *caller, const struct ca_sid *sid)
{
	size_t i;

	for (i = 0; i < caller->num_sids; i++) {
		if (ca_sid_equal(&caller->sids[i], sid)) {
			return true;
		}
	}
	return false;
}

char *ca_sid_string(TALLOC_CTX *mem_ctx, const struct ca_sid *sid)
{
	uint64_t ia = 0;
	char *s = NULL;
	size_t i;

	for (i = 0; i < 6; i++) {
		ia = (ia << 8) | sid->id_auth[i];
	}
	s = talloc_asprintf(mem_ctx, "S-%u-%" PRIu64, (unsigned)sid->rev, ia);
	for (i = 0; s != NULL && i < sid->num_auths && i < CA_SID_MAX_SUBAUTH; i++) {
		s = talloc_asprintf_append_buffer(s, "-%" PRIu32, sid->sub_auths[i]);
	}
	return s;
}

/* One decimal component; *_end points after it. */
static ae_err parse_num(const char *p, uint64_t max, uint64_t *_v, const char **_end)
{
	uint64_t v = 0;
	const char *q = p;

	if (*q < '0' || *q > '9') {
		return AE_ERR_PARSE;
	}
	while (*q >= '0' && *q <= '9') {
		unsigned d = (unsigned)(*q - '0');
		if (v > (max - d) / 10) {
			return AE_ERR_PARSE;
		}
		v = v * 10 + d;
		q++;
	}
	*_v = v;
	*_end = q;
	return AE_OK;
}

ae_err ca_sid_from_string(const char *s, struct ca_sid *_sid)
{
	struct ca_sid sid = { 0 };
	const char *p = s;
	uint64_t v = 0;
	ae_err err;
	int i;

	if (s == NULL || strnlen(s, CA_SID_STRING_MAX + 1) > CA_SID_STRING_MAX) {
		return AE_ERR_PARSE;
	}
	if (p[0] != 'S' || p[1] != '-') {
		return AE_ERR_PARSE;
	}
	p += 2;
	err = parse_num(p, 255, &v, &p);
	if (err != AE_OK || v != 1 || *p != '-') {
		return AE_ERR_PARSE;
	}
	sid.rev = 1;
	p++;
	err = parse_num(p, 0xffffffffffffull, &v, &p);
	if (err != AE_OK) {
		return err;
	}
	for (i = 5; i >= 0; i--) {
		sid.id_auth[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
	while (*p == '-') {
		if (sid.num_auths == CA_SID_MAX_SUBAUTH) {
			return AE_ERR_PARSE;
		}
		p++;
		err = parse_num(p, 0xffffffffull, &v, &p);
		if (err != AE_OK) {
			return err;
		}
		sid.sub_auths[sid.num_auths++] = (uint32_t)v;
	}
	if (*p != '\0') {
		return AE_ERR_PARSE;
	}
	*_sid = sid;
	return AE_OK;
}

ae_err ca_sid_pull(const uint8_t *p, size_t len, struct ca_sid *_sid, size_t *_used)
{
	struct ca_sid sid = { 0 };
	size_t need, i;

	if (len < 8) {
		return AE_ERR_PARSE;
	}
	if (p[0] != 1 || p[1] > CA_SID_MAX_SUBAUTH) {
		return AE_ERR_PARSE;
	}
	need = 8 + 4 * (size_t)p[1];
	if (need > len) {
		return AE_ERR_PARSE;
	}
	sid.rev = p[0];
	sid.num_auths = p[1];
	memcpy(sid.id_auth, p + 2, 6);
	for (i = 0; i < sid.num_auths; i++) {
		const uint8_t *q = p + 8 + 4 * i;
		sid.sub_auths[i] = (uint32_t)q[0] | (uint32_t)q[1] << 8 |
				   (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
	}
	*_sid = sid;
	*_used = need;
	return AE_OK;
}
