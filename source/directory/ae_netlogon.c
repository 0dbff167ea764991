/*
 * NETLOGON_SAM_LOGON_RESPONSE_EX ([MS-ADTS] 6.3.1.9) parser; the name
 * decompression follows RFC 1035 4.1.4 and [MS-ADTS] 6.3.7.
 */
#include <stdbool.h>
#include <string.h>
#include "ae_netlogon.h"

/* Bytes after the names: NtVersion (4), LmNtToken (2), Lm20Token (2). */
#define TAIL_LEN	8
/* Opcode, Sbz, Flags, DomainGuid. */
#define HEAD_LEN	24

struct cursor {
	const uint8_t *p;
	size_t off;
	size_t end;	/* nothing before the tail may reach past this */
};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static bool label_byte_ok(uint8_t c)
{
	return c >= 0x20 && c != '.' && c != 0x7f;
}

/*
 * Decompress the name at c->off into a new string on mem_ctx and move
 * c->off past it (past the first pointer, or past the terminating zero
 * when the name has no pointer).
 */
static ae_err read_name(struct cursor *c, TALLOC_CTX *mem_ctx, char **_s)
{
	char buf[AE_NETLOGON_NAME_MAX + 1];
	size_t out = 0;
	size_t pos = c->off;
	size_t floor_ = c->off;	/* the next pointer must point below this */
	size_t resume = 0;	/* where the caller continues; 0 = not yet known */
	unsigned jumps = 0;
	char *s = NULL;

	for (;;) {
		uint8_t n;

		if (pos >= c->end) {
			return AE_ERR_PARSE;
		}
		n = c->p[pos];
		if (n == 0) {
			if (resume == 0) {
				resume = pos + 1;
			}
			break;
		}
		if ((n & 0xc0) == 0xc0) {
			size_t target;

			if (c->end - pos < 2) {
				return AE_ERR_PARSE;
			}
			target = ((size_t)(n & 0x3f) << 8) | c->p[pos + 1];
			if (resume == 0) {
				resume = pos + 2;
			}
			/* Backwards only, and only to where names may start. */
			if (target >= floor_ || target < HEAD_LEN ||
			    ++jumps > AE_NETLOGON_JUMPS_MAX) {
				return AE_ERR_PARSE;
			}
			floor_ = target;
			pos = target;
			continue;
		}
		if (n > AE_NETLOGON_LABEL_MAX) {
			return AE_ERR_PARSE;	/* 0x40-0xbf: reserved label types */
		}
		if (c->end - pos - 1 < n) {
			return AE_ERR_PARSE;
		}
		/* A dot between labels, then the label. */
		if ((out > 0 ? out + 1 : out) + n > AE_NETLOGON_NAME_MAX) {
			return AE_ERR_PARSE;
		}
		if (out > 0) {
			buf[out++] = '.';
		}
		for (size_t i = 0; i < n; i++) {
			uint8_t b = c->p[pos + 1 + i];

			if (!label_byte_ok(b)) {
				return AE_ERR_PARSE;
			}
			buf[out++] = (char)b;
		}
		pos += 1 + (size_t)n;
	}
	buf[out] = '\0';
	s = talloc_strndup(mem_ctx, buf, out);
	if (s == NULL) {
		return AE_ERR_NOMEM;
	}
	c->off = resume;
	*_s = s;
	return AE_OK;
}

static ae_err read_sockaddr(struct cursor *c)
{
	uint8_t size;

	if (c->off >= c->end) {
		return AE_ERR_PARSE;
	}
	size = c->p[c->off];
	if (size > AE_NETLOGON_SOCKADDR_MAX || c->end - c->off - 1 < size) {
		return AE_ERR_PARSE;
	}
	c->off += 1 + (size_t)size;	/* the address itself is not kept */
	return AE_OK;
}

ae_err ae_netlogon_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			 struct ae_netlogon **_r)
{
	struct ae_netlogon *r = NULL;
	struct cursor c = { .p = p };
	char **names[8];
	ae_err err = AE_OK;
	size_t i;

	if (_r == NULL || (p == NULL && len != 0)) {
		return AE_ERR_INVALID;
	}
	if (len > AE_NETLOGON_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	/* Head, eight names of at least one byte each, tail. */
	if (len < HEAD_LEN + 8 + TAIL_LEN) {
		return AE_ERR_PARSE;
	}
	r = talloc_zero(NULL, struct ae_netlogon);
	if (r == NULL) {
		return AE_ERR_NOMEM;
	}
	r->opcode = le16(p);
	/* Sbz (p + 2) MUST be 0 when sent; like Windows we ignore it. */
	r->flags = le32(p + 4);
	memcpy(r->domain_guid, p + 8, 16);
	r->nt_version = le32(p + len - TAIL_LEN);
	/* LmNtToken and Lm20Token (0xffff) are not checked either. */
	if (r->opcode != AE_LOGON_SAM_LOGON_RESPONSE_EX &&
	    r->opcode != AE_LOGON_SAM_PAUSE_RESPONSE_EX &&
	    r->opcode != AE_LOGON_SAM_USER_UNKNOWN_EX) {
		talloc_free(r);
		return AE_ERR_UNSUPPORTED;
	}
	names[0] = &r->forest;
	names[1] = &r->domain;
	names[2] = &r->dc_host;
	names[3] = &r->netbios_domain;
	names[4] = &r->netbios_host;
	names[5] = &r->user;
	names[6] = &r->dc_site;
	names[7] = &r->client_site;
	c.off = HEAD_LEN;
	c.end = len - TAIL_LEN;
	for (i = 0; i < 8 && err == AE_OK; i++) {
		err = read_name(&c, r, names[i]);
	}
	if (err == AE_OK && (r->nt_version & AE_NT_VERSION_5EX_WITH_IP)) {
		err = read_sockaddr(&c);
	}
	if (err == AE_OK && (r->nt_version & AE_NT_VERSION_WITH_CLOSEST_SITE)) {
		err = read_name(&c, r, &r->next_closest_site);
	}
	if (err == AE_OK && c.off != c.end) {
		err = AE_ERR_TRAILING;
	}
	if (err != AE_OK) {
		talloc_free(r);
		return err;
	}
	*_r = talloc_steal(mem_ctx, r);
	return AE_OK;
}
