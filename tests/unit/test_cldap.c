/*
 * test_cldap.c: the LDAP ping (ae_cldap.h) and the Netlogon response parser
 * (ae_netlogon.h): a reply captured from the lab's Samba 4.17 DC, a
 * response with the optional fields as Samba's own NDR code pushes it,
 * broken variants, a mutation sweep, the request bytes, and the ping's
 * I/O against a fake DC on 127.0.0.1 (a child process on an ephemeral
 * port, through the test seam of ae_cldap_private.h).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_cldap.h"
#include "ae_cldap_private.h"
#include "ae_dn.h"
#include "ae_guid.h"
#include "ae_log.h"

/* The lab DC's answer to ae_cldap_build_request(4711, "lab.example.com",
 * "MEMBER1"): SearchResultEntry + SearchResultDone in one datagram. */
static const uint8_t lab_reply[] = {
	0x30, 0x79, 0x02, 0x02, 0x12, 0x67, 0x64, 0x73, 0x04, 0x00, 0x30, 0x6f, 0x30, 0x6d, 0x04, 0x08,
	0x6e, 0x65, 0x74, 0x6c, 0x6f, 0x67, 0x6f, 0x6e, 0x31, 0x61, 0x04, 0x5f, 0x17, 0x00, 0x00, 0x00,
	0xfd, 0x13, 0x00, 0x00, 0x7a, 0x68, 0x09, 0x34, 0x73, 0xbf, 0x2f, 0x49, 0xa2, 0xab, 0x91, 0xb4,
	0x6d, 0xa3, 0x7e, 0x15, 0x03, 0x6c, 0x61, 0x62, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
	0x03, 0x63, 0x6f, 0x6d, 0x00, 0xc0, 0x18, 0x03, 0x64, 0x63, 0x31, 0xc0, 0x18, 0x03, 0x4c, 0x41,
	0x42, 0x00, 0x03, 0x44, 0x43, 0x31, 0x00, 0x00, 0x17, 0x44, 0x65, 0x66, 0x61, 0x75, 0x6c, 0x74,
	0x2d, 0x46, 0x69, 0x72, 0x73, 0x74, 0x2d, 0x53, 0x69, 0x74, 0x65, 0x2d, 0x4e, 0x61, 0x6d, 0x65,
	0x00, 0xc0, 0x3c, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x30, 0x0d, 0x02, 0x02, 0x12,
	0x67, 0x65, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00,
};
#define LAB_NL_OFF	0x1c	/* the Netlogon value inside lab_reply */
#define LAB_NL_LEN	0x5f

/* The request of that exchange (ae_cldap_build_request with msgid 4711). */
static const uint8_t lab_request[] = {
	0x30, 0x63, 0x02, 0x02, 0x12, 0x67, 0x63, 0x5d, 0x04, 0x00, 0x0a, 0x01, 0x00, 0x0a, 0x01, 0x00,
	0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x01, 0x01, 0x00, 0xa0, 0x3e, 0xa3, 0x1c, 0x04, 0x09, 0x44,
	0x6e, 0x73, 0x44, 0x6f, 0x6d, 0x61, 0x69, 0x6e, 0x04, 0x0f, 0x6c, 0x61, 0x62, 0x2e, 0x65, 0x78,
	0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63, 0x6f, 0x6d, 0xa3, 0x0f, 0x04, 0x04, 0x48, 0x6f, 0x73,
	0x74, 0x04, 0x07, 0x4d, 0x45, 0x4d, 0x42, 0x45, 0x52, 0x31, 0xa3, 0x0d, 0x04, 0x05, 0x4e, 0x74,
	0x56, 0x65, 0x72, 0x04, 0x04, 0x06, 0x00, 0x00, 0x00, 0x30, 0x0a, 0x04, 0x08, 0x4e, 0x65, 0x74,
	0x6c, 0x6f, 0x67, 0x6f, 0x6e,
};

/* NETLOGON_SAM_LOGON_RESPONSE_EX with NtVersion 0x1d (5EX_WITH_IP and
 * WITH_CLOSEST_SITE: DcSockAddr and NextClosestSiteName present), as
 * Samba 4.17's ndr_push_NETLOGON_SAM_LOGON_RESPONSE_EX_with_flags wrote it. */
static const uint8_t samba_optional[] = {
	0x17, 0x00, 0x00, 0x00, 0xfd, 0x13, 0x00, 0x00, 0x7a, 0x68, 0x09, 0x34, 0x73, 0xbf, 0x2f, 0x49,
	0xa2, 0xab, 0x91, 0xb4, 0x6d, 0xa3, 0x7e, 0x15, 0x03, 0x6c, 0x61, 0x62, 0x07, 0x65, 0x78, 0x61,
	0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0xc0, 0x18, 0x03, 0x64, 0x63, 0x31, 0xc0,
	0x18, 0x03, 0x4c, 0x41, 0x42, 0x00, 0x03, 0x44, 0x43, 0x31, 0x00, 0x08, 0x4d, 0x45, 0x4d, 0x42,
	0x45, 0x52, 0x31, 0x24, 0x00, 0x06, 0x53, 0x69, 0x74, 0x65, 0x2d, 0x41, 0x00, 0x06, 0x53, 0x69,
	0x74, 0x65, 0x2d, 0x42, 0x00, 0x10, 0x02, 0x00, 0x00, 0x00, 0x7f, 0x00, 0x00, 0x02, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x45, 0x1d, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
};

/* ---------------------------------------------------------------- BER -- */

struct buf {
	uint8_t b[4096];
	size_t n;
};

static void put(struct buf *o, const void *p, size_t n)
{
	assert_true(n <= sizeof(o->b) - o->n);
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

/* tag, length (short form, or 0x84 + 4 bytes when long4), contents */
static void tlv(struct buf *o, uint8_t tag, const void *c, size_t n, bool long4)
{
	uint8_t h[6] = { tag };

	if (long4) {
		h[1] = 0x84;
		h[2] = (uint8_t)(n >> 24);
		h[3] = (uint8_t)(n >> 16);
		h[4] = (uint8_t)(n >> 8);
		h[5] = (uint8_t)n;
		put(o, h, 6);
	} else if (n < 0x80) {
		h[1] = (uint8_t)n;
		put(o, h, 2);
	} else {
		h[1] = 0x82;
		h[2] = (uint8_t)(n >> 8);
		h[3] = (uint8_t)n;
		put(o, h, 4);
	}
	put(o, c, n);
}

static void int_tlv(struct buf *o, uint8_t tag, int32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	size_t skip = 0;

	while (skip < 3 && ((b[skip] == 0 && !(b[skip + 1] & 0x80)) ||
			    (b[skip] == 0xff && (b[skip + 1] & 0x80)))) {
		skip++;
	}
	tlv(o, tag, b + skip, 4 - skip, false);
}

/* SearchResultEntry with one attribute 'name' holding the given values. */
static void entry_op(struct buf *o, const char *name, const uint8_t *const *vals,
		     const size_t *lens, size_t nvals, bool long4)
{
	struct buf set = { .n = 0 }, attr = { .n = 0 }, attrs = { .n = 0 }, op = { .n = 0 };
	size_t i;

	for (i = 0; i < nvals; i++) {
		tlv(&set, 0x04, vals[i], lens[i], long4);
	}
	tlv(&attr, 0x04, name, strlen(name), long4);
	tlv(&attr, 0x31, set.b, set.n, long4);
	tlv(&attrs, 0x30, attr.b, attr.n, long4);
	tlv(&op, 0x04, "", 0, long4);
	tlv(&op, 0x30, attrs.b, attrs.n, long4);
	tlv(o, 0x64, op.b, op.n, long4);
}

static void done_op(struct buf *o, int32_t rc)
{
	struct buf op = { .n = 0 };

	int_tlv(&op, 0x0a, rc);
	tlv(&op, 0x04, "", 0, false);
	tlv(&op, 0x04, "", 0, false);
	tlv(o, 0x65, op.b, op.n, false);
}

static void message(struct buf *o, int32_t msgid, const struct buf *op, bool long4)
{
	struct buf m = { .n = 0 };

	int_tlv(&m, 0x02, msgid);
	put(&m, op->b, op->n);
	tlv(o, 0x30, m.b, m.n, long4);
}

/* A whole reply: entry with the lab's Netlogon value (unless !with_entry) + done. */
static void lab_datagram(struct buf *o, int32_t msgid, bool with_entry, int32_t rc, bool long4)
{
	const uint8_t *v = lab_reply + LAB_NL_OFF;
	size_t l = LAB_NL_LEN;
	struct buf e = { .n = 0 }, d = { .n = 0 };

	if (with_entry) {
		entry_op(&e, "netlogon", &v, &l, 1, long4);	/* as Samba spells it */
		message(o, msgid, &e, long4);
	}
	done_op(&d, rc);
	message(o, msgid, &d, false);
}

/* -------------------------------------------------------------- tests -- */

static void assert_lab_netlogon(const struct ae_netlogon *nl)
{
	char g[AE_GUID_STR_MAX];

	assert_int_equal(nl->opcode, AE_LOGON_SAM_LOGON_RESPONSE_EX);
	assert_int_equal(nl->flags, 0x13fd);
	assert_true(nl->flags & AE_DS_LDAP_FLAG);
	assert_true(nl->flags & AE_DS_KDC_FLAG);
	assert_true(nl->flags & AE_DS_CLOSEST_FLAG);
	assert_int_equal(nl->nt_version, AE_NT_VERSION_1 | AE_NT_VERSION_5EX);
	assert_string_equal(ae_guid_format(nl->domain_guid, g),
			    "3409687a-bf73-492f-a2ab-91b46da37e15");
	assert_string_equal(nl->forest, "lab.example.com");
	assert_string_equal(nl->domain, "lab.example.com");
	assert_string_equal(nl->dc_host, "dc1.lab.example.com");
	assert_string_equal(nl->netbios_domain, "LAB");
	assert_string_equal(nl->netbios_host, "DC1");
	assert_string_equal(nl->user, "");
	assert_string_equal(nl->dc_site, "Default-First-Site-Name");
	assert_string_equal(nl->client_site, "Default-First-Site-Name");
	assert_null(nl->next_closest_site);
}

static void test_lab_reply(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_cldap_reply *r = NULL;
	size_t blocks = talloc_total_blocks(mem);

	(void)state;
	assert_int_equal(ae_cldap_parse_reply(mem, lab_reply, sizeof(lab_reply), &r), AE_OK);
	assert_int_equal(r->msgid, 4711);
	assert_int_equal(r->result_code, 0);
	assert_non_null(r->netlogon);
	assert_lab_netlogon(r->netlogon);
	talloc_free(r);
	assert_int_equal(talloc_total_blocks(mem), blocks);
	talloc_free(mem);
}

static void test_lab_netlogon(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_netlogon *nl = NULL;

	(void)state;
	assert_int_equal(ae_netlogon_parse(mem, lab_reply + LAB_NL_OFF, LAB_NL_LEN, &nl), AE_OK);
	assert_lab_netlogon(nl);
	talloc_free(nl);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_samba_optional_fields(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_netlogon *nl = NULL;

	(void)state;
	assert_int_equal(ae_netlogon_parse(mem, samba_optional, sizeof(samba_optional), &nl),
			 AE_OK);
	assert_int_equal(nl->nt_version, 0x1d);
	assert_string_equal(nl->dc_host, "dc1.lab.example.com");
	assert_string_equal(nl->user, "MEMBER1$");
	assert_string_equal(nl->dc_site, "Site-A");
	assert_string_equal(nl->client_site, "Site-B");
	/* a compression pointer back into DcSiteName */
	assert_string_equal(nl->next_closest_site, "Site-A");
	talloc_free(mem);
}

/* Parse p (a Netlogon value) and expect 'want'; nothing may be left on mem. */
static void expect_netlogon(const uint8_t *p, size_t len, ae_err want)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_netlogon *nl = NULL;

	assert_int_equal(ae_netlogon_parse(mem, p, len, &nl), want);
	if (want != AE_OK) {
		assert_null(nl);
		assert_int_equal(talloc_total_blocks(mem), 1);
	}
	talloc_free(mem);
}

static void test_netlogon_broken(void **state)
{
	const uint8_t *nl = lab_reply + LAB_NL_OFF;
	uint8_t b[AE_NETLOGON_MAX + 8];
	size_t i;

	(void)state;
	/* the forest name's first label becomes a pointer to itself */
	memcpy(b, nl, LAB_NL_LEN);
	b[24] = 0xc0;
	b[25] = 0x18;
	expect_netlogon(b, LAB_NL_LEN, AE_ERR_PARSE);
	/* DnsDomainName's pointer (c0 18 at offset 41) aimed forward, at itself, into the head */
	assert_int_equal(nl[41], 0xc0);
	memcpy(b, nl, LAB_NL_LEN);
	b[42] = 0x2b;
	expect_netlogon(b, LAB_NL_LEN, AE_ERR_PARSE);
	b[42] = 41;
	expect_netlogon(b, LAB_NL_LEN, AE_ERR_PARSE);
	b[42] = 0x08;
	expect_netlogon(b, LAB_NL_LEN, AE_ERR_PARSE);
	/* pointing into the middle of the forest name is allowed: "example.com" */
	b[42] = 0x1c;
	{
		TALLOC_CTX *mem = talloc_new(NULL);
		struct ae_netlogon *r = NULL;

		assert_int_equal(ae_netlogon_parse(mem, b, LAB_NL_LEN, &r), AE_OK);
		assert_string_equal(r->domain, "example.com");
		talloc_free(mem);
	}
	/* reserved label types, a NUL and a dot inside a label */
	memcpy(b, nl, LAB_NL_LEN);
	b[24] = 0x40;
	expect_netlogon(b, LAB_NL_LEN, AE_ERR_PARSE);
	b[24] = 0x80;
	expect_netlogon(b, LAB_NL_LEN, AE_ERR_PARSE);
	memcpy(b, nl, LAB_NL_LEN);
	b[26] = 0x00;
	expect_netlogon(b, LAB_NL_LEN, AE_ERR_PARSE);
	b[26] = '.';
	expect_netlogon(b, LAB_NL_LEN, AE_ERR_PARSE);
	b[26] = 0x1f;
	expect_netlogon(b, LAB_NL_LEN, AE_ERR_PARSE);
	/* an older response format: NETLOGON_SAM_LOGON_RESPONSE (opcode 19) */
	memcpy(b, nl, LAB_NL_LEN);
	b[0] = 19;
	expect_netlogon(b, LAB_NL_LEN, AE_ERR_UNSUPPORTED);
	/* NtVersion claims a DcSockAddr that is not there */
	memcpy(b, nl, LAB_NL_LEN);
	b[LAB_NL_LEN - 8] |= AE_NT_VERSION_5EX_WITH_IP;
	expect_netlogon(b, LAB_NL_LEN, AE_ERR_PARSE);
	/* a byte between ClientSiteName and NtVersion */
	memcpy(b, nl, LAB_NL_LEN - 8);
	b[LAB_NL_LEN - 8] = 0x00;
	memcpy(b + LAB_NL_LEN - 7, nl + LAB_NL_LEN - 8, 8);
	expect_netlogon(b, LAB_NL_LEN + 1, AE_ERR_TRAILING);
	/* every truncation */
	for (i = 0; i < LAB_NL_LEN; i++) {
		TALLOC_CTX *mem = talloc_new(NULL);
		struct ae_netlogon *r = NULL;

		assert_int_not_equal(ae_netlogon_parse(mem, nl, i, &r), AE_OK);
		assert_null(r);
		assert_int_equal(talloc_total_blocks(mem), 1);
		talloc_free(mem);
	}
	/* a name longer than 255 bytes: five 63-byte labels in the forest name */
	memcpy(b, nl, 24);
	for (i = 0; i < 5; i++) {
		b[24 + i * 64] = 63;
		memset(b + 25 + i * 64, 'a', 63);
	}
	b[24 + 5 * 64] = 0;
	memset(b + 25 + 5 * 64, 0, 7);	/* seven empty names */
	memcpy(b + 32 + 5 * 64, nl + LAB_NL_LEN - 8, 8);
	expect_netlogon(b, 40 + 5 * 64, AE_ERR_PARSE);
	b[24 + 4 * 64] = 0;	/* four labels: 4 * 63 + 3 = 255 bytes, the limit */
	memmove(b + 25 + 4 * 64, b + 25 + 5 * 64, 15);
	expect_netlogon(b, 40 + 4 * 64, AE_OK);
	/* caps and arguments */
	memset(b, 0, sizeof(b));
	expect_netlogon(b, AE_NETLOGON_MAX + 1, AE_ERR_TOO_LARGE);
	{
		struct ae_netlogon *r = NULL;

		assert_int_equal(ae_netlogon_parse(NULL, NULL, 4, &r), AE_ERR_INVALID);
		assert_int_equal(ae_netlogon_parse(NULL, nl, LAB_NL_LEN, NULL), AE_ERR_INVALID);
		assert_null(r);
	}
}

/* Parse a reply datagram and expect 'want'; nothing may be left on mem. */
static void expect_reply(const struct buf *d, ae_err want)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_cldap_reply *r = NULL;

	assert_int_equal(ae_cldap_parse_reply(mem, d->b, d->n, &r), want);
	if (want != AE_OK) {
		assert_null(r);
		assert_int_equal(talloc_total_blocks(mem), 1);
	}
	talloc_free(mem);
}

static void test_reply_variants(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_cldap_reply *r = NULL;
	struct buf d = { .n = 0 };
	struct buf e = { .n = 0 };
	const uint8_t *v[2] = { lab_reply + LAB_NL_OFF, lab_reply + LAB_NL_OFF };
	size_t l[2] = { LAB_NL_LEN, LAB_NL_LEN };

	(void)state;
	/* rebuilt like the capture: the same bytes */
	lab_datagram(&d, 4711, true, 0, false);
	assert_int_equal(d.n, sizeof(lab_reply));
	assert_memory_equal(d.b, lab_reply, d.n);
	/* Windows style: every length in the 4-byte long form */
	d.n = 0;
	lab_datagram(&d, 0x7ffffffe, true, 0, true);
	assert_int_equal(ae_cldap_parse_reply(mem, d.b, d.n, &r), AE_OK);
	assert_int_equal(r->msgid, 0x7ffffffe);
	assert_lab_netlogon(r->netlogon);
	/* only a Done: no entry, not an error of the parser */
	d.n = 0;
	lab_datagram(&d, 9, false, 0, false);
	assert_int_equal(ae_cldap_parse_reply(mem, d.b, d.n, &r), AE_OK);
	assert_null(r->netlogon);
	assert_int_equal(r->result_code, 0);
	/* an error result */
	d.n = 0;
	lab_datagram(&d, 9, false, 53, false);
	assert_int_equal(ae_cldap_parse_reply(mem, d.b, d.n, &r), AE_OK);
	assert_int_equal(r->result_code, 53);
	/* an entry without Done (the Done may come in a later datagram) */
	d.n = 0;
	entry_op(&e, "NETLOGON", v, l, 1, false);
	message(&d, 5, &e, false);
	assert_int_equal(ae_cldap_parse_reply(mem, d.b, d.n, &r), AE_OK);
	assert_int_equal(r->result_code, -1);
	assert_non_null(r->netlogon);
	/* controls after the operation are skipped */
	{
		struct buf m = { .n = 0 }, c = { .n = 0 };

		d.n = 0;
		int_tlv(&m, 0x02, 5);
		put(&m, e.b, e.n);
		tlv(&c, 0x30, "\x04\x03" "1.2", 5, false);
		tlv(&m, 0xa0, c.b, c.n, false);
		tlv(&d, 0x30, m.b, m.n, false);
		expect_reply(&d, AE_OK);
	}
	/* another attribute beside Netlogon is ignored */
	d.n = 0;
	e.n = 0;
	entry_op(&e, "dnsHostName", v, l, 1, false);
	message(&d, 5, &e, false);
	assert_int_equal(ae_cldap_parse_reply(mem, d.b, d.n, &r), AE_OK);
	assert_null(r->netlogon);
	/* two values of Netlogon */
	d.n = 0;
	e.n = 0;
	entry_op(&e, "Netlogon", v, l, 2, false);
	message(&d, 5, &e, false);
	expect_reply(&d, AE_ERR_PARSE);
	/* two entries */
	d.n = 0;
	e.n = 0;
	entry_op(&e, "Netlogon", v, l, 1, false);
	message(&d, 5, &e, false);
	message(&d, 5, &e, false);
	expect_reply(&d, AE_ERR_PARSE);
	/* messageIDs that differ, a negative one */
	d.n = 0;
	message(&d, 5, &e, false);
	e.n = 0;
	done_op(&e, 0);
	message(&d, 6, &e, false);
	expect_reply(&d, AE_ERR_PARSE);
	d.n = 0;
	message(&d, -5, &e, false);
	expect_reply(&d, AE_ERR_PARSE);
	/* anything after the Done */
	d.n = 0;
	lab_datagram(&d, 9, true, 0, false);
	put(&d, "\x30\x00", 2);
	expect_reply(&d, AE_ERR_TRAILING);
	/* a SearchRequest where a reply should be */
	d.n = 0;
	put(&d, lab_request, sizeof(lab_request));
	expect_reply(&d, AE_ERR_PARSE);
	/* indefinite length, five length bytes, a multi-byte tag, nothing */
	d.n = 0;
	put(&d, lab_reply, sizeof(lab_reply));
	d.b[1] = 0x80;
	expect_reply(&d, AE_ERR_PARSE);
	d.n = 0;
	put(&d, "\x30\x85\x00\x00\x00\x00\x03\x02\x01\x01", 10);
	expect_reply(&d, AE_ERR_PARSE);
	d.n = 0;
	put(&d, "\x1f\x01\x00", 3);
	expect_reply(&d, AE_ERR_PARSE);
	d.n = 0;
	expect_reply(&d, AE_ERR_PARSE);
	/* the datagram cap */
	{
		uint8_t *big = talloc_zero_size(mem, AE_CLDAP_REPLY_MAX + 1);

		assert_int_equal(ae_cldap_parse_reply(mem, big, AE_CLDAP_REPLY_MAX + 1, &r),
				 AE_ERR_TOO_LARGE);
	}
	talloc_free(mem);
}

/* Every truncation and every single-bit flip of the capture: no crash, no leak. */
static void test_mutation_sweep(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t b[sizeof(lab_reply)];
	size_t i;
	unsigned bit;
	unsigned ok = 0;

	(void)state;
	for (i = 0; i < sizeof(lab_reply); i++) {
		struct ae_cldap_reply *r = NULL;
		ae_err err = ae_cldap_parse_reply(mem, lab_reply, i, &r);

		/* cut right after the entry: an entry without its Done */
		if (i == 0x7b) {
			assert_int_equal(err, AE_OK);
			assert_int_equal(r->result_code, -1);
			talloc_free(r);
			continue;
		}
		assert_int_not_equal(err, AE_OK);
		assert_null(r);
	}
	for (i = 0; i < sizeof(lab_reply); i++) {
		for (bit = 0; bit < 8; bit++) {
			struct ae_cldap_reply *r = NULL;

			memcpy(b, lab_reply, sizeof(b));
			b[i] ^= (uint8_t)(1u << bit);
			if (ae_cldap_parse_reply(mem, b, sizeof(b), &r) == AE_OK) {
				ok++;
				if (r->netlogon != NULL) {
					assert_true(strlen(r->netlogon->client_site) <=
						    AE_NETLOGON_NAME_MAX);
				}
				talloc_free(r);
			} else {
				assert_null(r);
			}
		}
	}
	/* flips in names, flags and the GUID still parse; most others must not */
	assert_true(ok > 0 && ok < 8 * sizeof(lab_reply));
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_build_request(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t *req = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(ae_cldap_build_request(mem, 4711, "lab.example.com", "MEMBER1", &req,
						&len), AE_OK);
	assert_int_equal(len, sizeof(lab_request));
	assert_memory_equal(req, lab_request, len);
	talloc_free(req);
	assert_int_equal(talloc_total_blocks(mem), 1);
	assert_int_equal(ae_cldap_build_request(mem, 0, "lab.example.com", "MEMBER1", &req, &len),
			 AE_ERR_INVALID);
	assert_int_equal(ae_cldap_build_request(mem, 1, "lab..example.com", "MEMBER1", &req,
						&len), AE_ERR_INVALID);
	assert_int_equal(ae_cldap_build_request(mem, 1, "127.0.0.2", "MEMBER1", &req, &len),
			 AE_ERR_INVALID);
	assert_int_equal(ae_cldap_build_request(mem, 1, "lab.example.com", "MEMBER1234567890",
						&req, &len), AE_ERR_INVALID);
	assert_int_equal(ae_cldap_build_request(mem, 1, "lab.example.com", "MEM BER", &req, &len),
			 AE_ERR_INVALID);
	assert_int_equal(ae_cldap_build_request(mem, 1, "lab.example.com", "", &req, &len),
			 AE_ERR_INVALID);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/* ------------------------------------------------------------ fake DC -- */

enum fake_mode {
	FAKE_ANSWER,		/* a reply with another messageID first, then ours */
	FAKE_SILENT,		/* read the requests, answer nothing */
	FAKE_DONE_ONLY,		/* SearchResultDone only */
	FAKE_ERROR,		/* SearchResultDone with resultCode 2 */
	FAKE_GARBAGE,		/* an undecodable datagram */
	FAKE_GARBAGE_FIRST,	/* garbage, our ID with a broken Netlogon value, then ours */
	FAKE_FLOOD,		/* 2 x AE_CLDAP_DATAGRAMS_MAX garbage datagrams, no answer */
};

static void send_garbage(int fd, const struct sockaddr_in *to, socklen_t tl)
{
	sendto(fd, "\x30\x80\x00\x00", 4, 0, (const struct sockaddr *)to, tl);
}

/* Our messageID, an entry whose Netlogon value is cut short, a done. */
static void broken_netlogon_datagram(struct buf *o, int32_t msgid)
{
	const uint8_t *v = lab_reply + LAB_NL_OFF;
	size_t l = 10;
	struct buf e = { .n = 0 }, d = { .n = 0 };

	entry_op(&e, "netlogon", &v, &l, 1, false);
	message(o, msgid, &e, false);
	done_op(&d, 0);
	message(o, msgid, &d, false);
}

/* The messageID of a request datagram (short-form lengths, as liblber writes). */
static int32_t request_msgid(const uint8_t *p, size_t n)
{
	int32_t v = 0;
	size_t i;

	if (n < 5 || p[0] != 0x30 || p[2] != 0x02 || p[3] == 0 || p[3] > 4 || n < 4u + p[3]) {
		return -1;
	}
	for (i = 0; i < p[3]; i++) {
		v = (int32_t)(((uint32_t)v << 8) | p[4 + i]);
	}
	return v;
}

/* Child: serve up to 'max' requests on fd, exit with the number seen. */
static void fake_dc(int fd, enum fake_mode mode, int max)
{
	int seen = 0;

	while (seen < max) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		uint8_t req[2048];
		struct buf d = { .n = 0 };
		ssize_t n;
		int32_t id;

		if (poll(&pfd, 1, 5000) != 1) {
			break;
		}
		n = recvfrom(fd, req, sizeof(req), 0, (struct sockaddr *)&from, &fl);
		if (n <= 0) {
			break;
		}
		seen++;
		id = request_msgid(req, (size_t)n);
		switch (mode) {
		case FAKE_ANSWER:
			lab_datagram(&d, id + 1, true, 0, false);
			sendto(fd, d.b, d.n, 0, (struct sockaddr *)&from, fl);
			d.n = 0;
			lab_datagram(&d, id, true, 0, false);
			break;
		case FAKE_SILENT:
			continue;
		case FAKE_DONE_ONLY:
			lab_datagram(&d, id, false, 0, false);
			break;
		case FAKE_ERROR:
			lab_datagram(&d, id, false, 2, false);
			break;
		case FAKE_GARBAGE:
			put(&d, "\x30\x80\x00\x00", 4);
			break;
		case FAKE_GARBAGE_FIRST:
			send_garbage(fd, &from, fl);
			broken_netlogon_datagram(&d, id);
			sendto(fd, d.b, d.n, 0, (struct sockaddr *)&from, fl);
			d.n = 0;
			lab_datagram(&d, id, true, 0, false);
			break;
		case FAKE_FLOOD:
			for (int i = 0; i < 2 * AE_CLDAP_DATAGRAMS_MAX; i++) {
				send_garbage(fd, &from, fl);
			}
			continue;
		}
		sendto(fd, d.b, d.n, 0, (struct sockaddr *)&from, fl);
	}
	_exit(seen);
}

/* Start a fake DC on 127.0.0.1:<port>; returns the child's pid. */
static pid_t start_fake_dc(enum fake_mode mode, int max, char port[8])
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	pid_t pid;
	int fd;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	snprintf(port, 8, "%u", (unsigned)ntohs(a.sin_port));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fake_dc(fd, mode, max);
	}
	close(fd);
	return pid;
}

static int wait_child(pid_t pid)
{
	int status = 0;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_ping(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_netlogon *nl = NULL;
	char port[8];
	pid_t pid;

	(void)state;
	/* the answer to another messageID is dropped, ours is taken */
	pid = start_fake_dc(FAKE_ANSWER, 1, port);
	assert_int_equal(ae_cldap_ping_at(mem, "localhost", port, 2000, "lab.example.com",
					  "MEMBER1", &nl), AE_OK);
	assert_lab_netlogon(nl);
	assert_int_equal(wait_child(pid), 1);
	talloc_free(nl);
	nl = NULL;
	assert_int_equal(talloc_total_blocks(mem), 1);
	/* silence: asked twice (one retry), then a transport error */
	pid = start_fake_dc(FAKE_SILENT, 2, port);
	assert_int_equal(ae_cldap_ping_at(mem, "localhost", port, 150, "lab.example.com",
					  "MEMBER1", &nl), AE_ERR_TRANSPORT);
	assert_int_equal(wait_child(pid), 2);
	/* no entry: the DC does not serve that domain */
	pid = start_fake_dc(FAKE_DONE_ONLY, 1, port);
	assert_int_equal(ae_cldap_ping_at(mem, "localhost", port, 2000, "other.example.com",
					  "MEMBER1", &nl), AE_ERR_NOT_FOUND);
	assert_int_equal(wait_child(pid), 1);
	pid = start_fake_dc(FAKE_ERROR, 1, port);
	assert_int_equal(ae_cldap_ping_at(mem, "localhost", port, 2000, "lab.example.com",
					  "MEMBER1", &nl), AE_ERR_LDAP);
	assert_int_equal(wait_child(pid), 1);
	/* nothing but garbage: both attempts wait out their deadline, then PARSE */
	pid = start_fake_dc(FAKE_GARBAGE, 2, port);
	assert_int_equal(ae_cldap_ping_at(mem, "localhost", port, 150, "lab.example.com",
					  "MEMBER1", &nl), AE_ERR_PARSE);
	assert_int_equal(wait_child(pid), 2);
	assert_null(nl);
	assert_int_equal(talloc_total_blocks(mem), 1);
	/* refused before anything is sent */
	assert_int_equal(ae_cldap_ping(mem, "127.0.0.2", "lab.example.com", "MEMBER1", &nl),
			 AE_ERR_INVALID);
	assert_int_equal(ae_cldap_ping(mem, "dc1.lab.example.com", "lab.example.com", "MEM BER",
				       &nl), AE_ERR_INVALID);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Finding E6: one malformed datagram ended the site lookup (the old
 * await_reply returned the parse error of the first datagram). Now
 * garbage and a reply to our ID whose Netlogon value is broken are
 * dropped, and the valid answer that follows is taken.
 */
static void test_cldap_malformed_datagram_skipped(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_netlogon *nl = NULL;
	char port[8];
	pid_t pid;

	(void)state;
	pid = start_fake_dc(FAKE_GARBAGE_FIRST, 1, port);
	assert_int_equal(ae_cldap_ping_at(mem, "localhost", port, 2000, "lab.example.com",
					  "MEMBER1", &nl), AE_OK);
	assert_lab_netlogon(nl);
	assert_int_equal(wait_child(pid), 1);
	talloc_free(nl);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/*
 * The skipping is bounded by a count too: a flood of bad datagrams ends
 * each attempt after AE_CLDAP_DATAGRAMS_MAX of them (not at the 2 s
 * deadline), and the result says the answers were undecodable.
 */
static void test_cldap_datagram_flood_bounded(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_netlogon *nl = NULL;
	char port[8];
	int64_t t0;
	pid_t pid;

	(void)state;
	pid = start_fake_dc(FAKE_FLOOD, AE_CLDAP_TRIES, port);
	t0 = mono_ms();
	assert_int_equal(ae_cldap_ping_at(mem, "localhost", port, 2000, "lab.example.com",
					  "MEMBER1", &nl), AE_ERR_PARSE);
	assert_true(mono_ms() - t0 < 2000);
	assert_int_equal(wait_child(pid), AE_CLDAP_TRIES);
	assert_null(nl);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

struct dn_case {
	const char *in;
	const char *out;	/* NULL: refused */
};

/*
 * Finding E6: the site name from the DC locator went into
 * "CN=<site>,CN=Sites,..." unescaped. RFC 4514 §2.4 escaping.
 */
static void test_site_name_escaped_in_dn(void **state)
{
	static const struct dn_case cases[] = {
		{ "Default-First-Site-Name", "Default-First-Site-Name" },
		{ "a,b", "a\\,b" },
		{ "x,CN=Evil", "x\\,CN=Evil" },
		{ "a+b", "a\\+b" },
		{ "a\"b", "a\\\"b" },
		{ "a\\b", "a\\\\b" },
		{ "<a>;", "\\<a\\>\\;" },
		{ "#site", "\\#site" },
		{ "a#", "a#" },
		{ " site ", "\\ site\\ " },
		{ "a b", "a b" },
		{ "\x01\x7f", "\\01\\7F" },
		{ "Zürich", "Zürich" },
		{ "", NULL },
	};
	char *big = talloc_zero_array(NULL, char, AE_DN_VALUE_MAX + 2);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *e = ae_dn_escape_value(NULL, cases[i].in);

		if (cases[i].out == NULL) {
			assert_null(e);
		} else {
			assert_non_null(e);
			assert_string_equal(e, cases[i].out);
		}
		talloc_free(e);
	}
	assert_null(ae_dn_escape_value(NULL, NULL));
	memset(big, 'a', AE_DN_VALUE_MAX + 1);
	assert_null(ae_dn_escape_value(NULL, big));
	big[AE_DN_VALUE_MAX] = '\0';
	talloc_free(ae_dn_escape_value(NULL, big));
	talloc_free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_reply),
		cmocka_unit_test(test_lab_netlogon),
		cmocka_unit_test(test_samba_optional_fields),
		cmocka_unit_test(test_netlogon_broken),
		cmocka_unit_test(test_reply_variants),
		cmocka_unit_test(test_mutation_sweep),
		cmocka_unit_test(test_build_request),
		cmocka_unit_test(test_ping),
		cmocka_unit_test(test_cldap_malformed_datagram_skipped),
		cmocka_unit_test(test_cldap_datagram_flood_bounded),
		cmocka_unit_test(test_site_name_escaped_in_dn),
	};

	ae_log_set_level(-1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
