/*
 * The LDAP ping's datagrams: the SearchRequest (built with liblber) and
 * the reply (read with the small bounded BER reader below; RFC 4511 4.1.1,
 * 4.5.1, 4.5.2).
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <ldap.h>
#include <lber.h>
#include "ae_cldap.h"
#include "ae_ldap.h"

/* BER tags (RFC 4511, universal and [APPLICATION n] forms). */
#define TAG_INTEGER		0x02
#define TAG_OCTET_STRING	0x04
#define TAG_ENUMERATED		0x0a
#define TAG_SEQUENCE		0x30
#define TAG_SET			0x31
#define TAG_SEARCH_ENTRY	0x64	/* [APPLICATION 4] constructed */
#define TAG_SEARCH_DONE		0x65	/* [APPLICATION 5] constructed */
#define TAG_CONTROLS		0xa0	/* [0] constructed */
#define TAG_REFERRAL		0xa3	/* [3] constructed */

/* A window p[off..len) of the datagram. */
struct ber {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static bool ber_empty(const struct ber *b)
{
	return b->off == b->len;
}

/* The next element: its tag and a window on its contents. */
static ae_err ber_next(struct ber *b, uint8_t *_tag, struct ber *_content)
{
	size_t left = b->len - b->off;
	const uint8_t *h = b->p + b->off;
	size_t hdr = 2;
	size_t clen = 0;

	if (left < 2) {
		return AE_ERR_PARSE;
	}
	if ((h[0] & 0x1f) == 0x1f) {
		return AE_ERR_PARSE;	/* multi-byte tag: none in LDAP */
	}
	if (h[1] < 0x80) {
		clen = h[1];
	} else {
		size_t n = h[1] & 0x7f;
		size_t i;

		/* 0x80 is the indefinite form, which LDAP forbids. */
		if (n == 0 || n > 4 || left - 2 < n) {
			return AE_ERR_PARSE;
		}
		for (i = 0; i < n; i++) {
			clen = (clen << 8) | h[2 + i];
		}
		hdr += n;
	}
	if (left - hdr < clen) {
		return AE_ERR_PARSE;
	}
	*_tag = h[0];
	*_content = (struct ber) { .p = h + hdr, .len = clen };
	b->off += hdr + clen;
	return AE_OK;
}

static ae_err ber_expect(struct ber *b, uint8_t tag, struct ber *_content)
{
	uint8_t got = 0;
	ae_err err;

	err = ber_next(b, &got, _content);
	if (err != AE_OK) {
		return err;
	}
	return got == tag ? AE_OK : AE_ERR_PARSE;
}

/* INTEGER or ENUMERATED contents (1..4 bytes, two's complement). */
static ae_err ber_int32(const struct ber *c, int32_t *_v)
{
	uint32_t v;
	size_t i;

	if (c->len == 0 || c->len > 4) {
		return AE_ERR_PARSE;
	}
	v = (c->p[0] & 0x80) ? UINT32_MAX : 0;
	for (i = 0; i < c->len; i++) {
		v = (v << 8) | c->p[i];
	}
	*_v = (int32_t)v;
	return AE_OK;
}

/* One PartialAttribute; the Netlogon value, if this is it, into *_nl. */
static ae_err read_attribute(struct ber *attrs, TALLOC_CTX *mem_ctx, struct ae_netlogon **_nl)
{
	static const char name[] = AE_CLDAP_ATTR;
	struct ber pa, type, vals, v;
	ae_err err;

	err = ber_expect(attrs, TAG_SEQUENCE, &pa);
	if (err == AE_OK) {
		err = ber_expect(&pa, TAG_OCTET_STRING, &type);
	}
	if (err == AE_OK) {
		err = ber_expect(&pa, TAG_SET, &vals);
	}
	if (err != AE_OK) {
		return err;
	}
	if (!ber_empty(&pa)) {
		return AE_ERR_TRAILING;
	}
	if (type.len != sizeof(name) - 1 ||
	    strncasecmp((const char *)type.p, name, sizeof(name) - 1) != 0) {
		return AE_OK;	/* another attribute: not ours to judge */
	}
	if (*_nl != NULL) {
		return AE_ERR_PARSE;	/* Netlogon twice */
	}
	err = ber_expect(&vals, TAG_OCTET_STRING, &v);
	if (err != AE_OK) {
		return err;
	}
	if (!ber_empty(&vals)) {
		return AE_ERR_PARSE;	/* more than one value */
	}
	return ae_netlogon_parse(mem_ctx, v.p, v.len, _nl);
}

/* SearchResultEntry contents: objectName, attributes. */
static ae_err read_entry(struct ber *op, TALLOC_CTX *mem_ctx, struct ae_netlogon **_nl)
{
	struct ber dn, attrs;
	ae_err err;

	err = ber_expect(op, TAG_OCTET_STRING, &dn);
	if (err == AE_OK) {
		err = ber_expect(op, TAG_SEQUENCE, &attrs);
	}
	if (err != AE_OK) {
		return err;
	}
	if (!ber_empty(op)) {
		return AE_ERR_TRAILING;
	}
	while (!ber_empty(&attrs)) {
		err = read_attribute(&attrs, mem_ctx, _nl);
		if (err != AE_OK) {
			return err;
		}
	}
	return AE_OK;
}

/* SearchResultDone contents: resultCode, matchedDN, diagnosticMessage [, referral]. */
static ae_err read_done(struct ber *op, int *_rc)
{
	struct ber code, matched, diag, referral;
	int32_t rc = 0;
	uint8_t tag = 0;
	ae_err err;

	err = ber_expect(op, TAG_ENUMERATED, &code);
	if (err == AE_OK) {
		err = ber_int32(&code, &rc);
	}
	if (err == AE_OK) {
		err = ber_expect(op, TAG_OCTET_STRING, &matched);
	}
	if (err == AE_OK) {
		err = ber_expect(op, TAG_OCTET_STRING, &diag);
	}
	if (err == AE_OK && !ber_empty(op)) {
		err = ber_next(op, &tag, &referral);
		if (err == AE_OK && tag != TAG_REFERRAL) {
			err = AE_ERR_PARSE;
		}
	}
	if (err != AE_OK) {
		return err;
	}
	if (!ber_empty(op)) {
		return AE_ERR_TRAILING;
	}
	if (rc < 0) {
		return AE_ERR_PARSE;
	}
	*_rc = rc;
	return AE_OK;
}

ae_err ae_cldap_parse_reply(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			    struct ae_cldap_reply **_r)
{
	struct ae_cldap_reply *r = NULL;
	struct ber dgram = { .p = p, .len = len };
	bool have_entry = false;
	unsigned n = 0;
	ae_err err = AE_OK;

	if (_r == NULL || (p == NULL && len != 0)) {
		return AE_ERR_INVALID;
	}
	if (len > AE_CLDAP_REPLY_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	r = talloc_zero(NULL, struct ae_cldap_reply);
	if (r == NULL) {
		return AE_ERR_NOMEM;
	}
	r->result_code = -1;
	while (err == AE_OK && !ber_empty(&dgram)) {
		struct ber msg, id, op, ctrls;
		int32_t msgid = -1;
		uint8_t tag = 0;

		if (r->result_code != -1) {
			err = AE_ERR_TRAILING;	/* nothing after the Done */
			break;
		}
		if (++n > AE_CLDAP_MESSAGES_MAX) {
			err = AE_ERR_PARSE;
			break;
		}
		err = ber_expect(&dgram, TAG_SEQUENCE, &msg);
		if (err == AE_OK) {
			err = ber_expect(&msg, TAG_INTEGER, &id);
		}
		if (err == AE_OK) {
			err = ber_int32(&id, &msgid);
		}
		if (err == AE_OK && (msgid < 0 || (n > 1 && msgid != r->msgid))) {
			err = AE_ERR_PARSE;
		}
		if (err == AE_OK) {
			r->msgid = msgid;
			err = ber_next(&msg, &tag, &op);
		}
		if (err == AE_OK && !ber_empty(&msg)) {
			err = ber_expect(&msg, TAG_CONTROLS, &ctrls);
			if (err == AE_OK && !ber_empty(&msg)) {
				err = AE_ERR_TRAILING;
			}
		}
		if (err != AE_OK) {
			break;
		}
		if (tag == TAG_SEARCH_ENTRY && !have_entry) {
			have_entry = true;
			err = read_entry(&op, r, &r->netlogon);
		} else if (tag == TAG_SEARCH_DONE) {
			err = read_done(&op, &r->result_code);
		} else {
			err = AE_ERR_PARSE;	/* a second entry, or another operation */
		}
	}
	if (err == AE_OK && n == 0) {
		err = AE_ERR_PARSE;
	}
	if (err != AE_OK) {
		talloc_free(r);
		return err;
	}
	*_r = talloc_steal(mem_ctx, r);
	return AE_OK;
}

static bool netbios_name_ok(const char *s)
{
	size_t len;
	size_t i;

	if (s == NULL) {
		return false;
	}
	len = strlen(s);
	if (len == 0 || len > AE_CLDAP_NETBIOS_MAX) {
		return false;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || strchr("\\/:*?\"<>|", c) != NULL) {
			return false;
		}
	}
	return true;
}

ae_err ae_cldap_build_request(TALLOC_CTX *mem_ctx, int32_t msgid, const char *dns_domain,
			      const char *netbios_name, uint8_t **_buf, size_t *_len)
{
	static const char ntver[4] = { AE_CLDAP_NTVER, 0, 0, 0 };
	BerElement *ber = NULL;
	struct berval *bv = NULL;
	uint8_t *buf = NULL;
	int rc;

	if (msgid <= 0 || _buf == NULL || _len == NULL || !ae_ldap_host_valid(dns_domain) ||
	    !netbios_name_ok(netbios_name)) {
		return AE_ERR_INVALID;
	}
	ber = ber_alloc_t(LBER_USE_DER);
	if (ber == NULL) {
		return AE_ERR_NOMEM;
	}
	/* LDAPMessage { messageID, SearchRequest { base, scope, deref,
	 * sizeLimit, timeLimit, typesOnly, filter, attributes } } */
	rc = ber_printf(ber, "{it{seeiib", (ber_int_t)msgid, (ber_tag_t)LDAP_REQ_SEARCH, "",
			(ber_int_t)LDAP_SCOPE_BASE, (ber_int_t)LDAP_DEREF_NEVER, (ber_int_t)0,
			(ber_int_t)0, (ber_int_t)0);
	if (rc != -1) {
		rc = ber_printf(ber, "t{t{ss}t{ss}t{so}}", (ber_tag_t)LDAP_FILTER_AND,
				(ber_tag_t)LDAP_FILTER_EQUALITY, "DnsDomain", dns_domain,
				(ber_tag_t)LDAP_FILTER_EQUALITY, "Host", netbios_name,
				(ber_tag_t)LDAP_FILTER_EQUALITY, "NtVer", ntver,
				(ber_len_t)sizeof(ntver));
	}
	if (rc != -1) {
		rc = ber_printf(ber, "{s}}}", AE_CLDAP_ATTR);
	}
	if (rc != -1) {
		rc = ber_flatten(ber, &bv);
	}
	ber_free(ber, 1);
	if (rc == -1 || bv == NULL) {
		ber_bvfree(bv);
		return AE_ERR_NOMEM;
	}
	buf = talloc_memdup(mem_ctx, bv->bv_val, bv->bv_len);
	if (buf == NULL) {
		ber_bvfree(bv);
		return AE_ERR_NOMEM;
	}
	*_len = bv->bv_len;
	*_buf = buf;
	ber_bvfree(bv);
	return AE_OK;
}
