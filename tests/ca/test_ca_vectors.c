/*
 * test_ca_vectors.c: the test CA's pure parts against fixed vectors:
 * SIDs, security descriptors and the Enroll check, the Microsoft
 * extensions (MS-WCCE 2.2.2.7.7.4 SID extension, byte-exact), FILETIME
 * periods, attribute lines and database records, each with a mutation sweep.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "ae_utf16.h"
#include "ca.h"
#include "ca_certdb.h"
#include "ca_db.h"
#include "ca_der.h"
#include "ca_request.h"
#include "ca_sd.h"
#include "test_ca.h"

static const uint8_t guid_autoenroll[16] = {
	0xc2, 0x8c, 0x5b, 0xa0, 0xbc, 0x17, 0x02, 0x48,
	0xa7, 0x10, 0xe7, 0xc1, 0x5a, 0xb8, 0x66, 0xa2
};

#define DOM "S-1-5-21-2367808153-3155904917-1618797726"

void test_mutate(const uint8_t *p, size_t len, size_t step, test_mutant_fn fn, void *state)
{
	uint8_t *m = talloc_memdup(NULL, p, len);
	size_t i;
	int b;

	assert_non_null(m);
	for (i = 0; i < len; i += step) {
		for (b = 0; b < 8; b += 3) {
			m[i] ^= (uint8_t)(1 << b);
			fn(state, m, len);
			m[i] ^= (uint8_t)(1 << b);
		}
		m[i] ^= 0xff;
		fn(state, m, len);
		m[i] ^= 0xff;
		fn(state, m, i);		/* truncated */
		fn(state, m + i, len - i);	/* head cut */
	}
	talloc_free(m);
}

static size_t put_sid(uint8_t *p, const char *text)
{
	struct ca_sid sid;
	size_t i;

	assert_int_equal(ca_sid_from_string(text, &sid), AE_OK);
	p[0] = sid.rev;
	p[1] = sid.num_auths;
	memcpy(p + 2, sid.id_auth, 6);
	for (i = 0; i < sid.num_auths; i++) {
		p[8 + 4 * i] = (uint8_t)sid.sub_auths[i];
		p[9 + 4 * i] = (uint8_t)(sid.sub_auths[i] >> 8);
		p[10 + 4 * i] = (uint8_t)(sid.sub_auths[i] >> 16);
		p[11 + 4 * i] = (uint8_t)(sid.sub_auths[i] >> 24);
	}
	return 8 + 4 * (size_t)sid.num_auths;
}

static void put16(uint8_t *p, size_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v & 0xffff); put16(p + 2, v >> 16); }

uint8_t *test_sd_build(TALLOC_CTX *mem_ctx, const struct test_ace *aces, size_t n,
		       size_t *_len)
{
	uint8_t *p = talloc_zero_array(mem_ctx, uint8_t, 4096);
	size_t off = 20, acl, i;

	assert_non_null(p);
	p[0] = 1;
	put16(p + 2, 0x8004);			/* self-relative, DACL present */
	put32(p + 4, (uint32_t)off);		/* owner: BUILTIN\Administrators */
	off += put_sid(p + off, "S-1-5-32-544");
	put32(p + 8, (uint32_t)off);		/* group: the same */
	off += put_sid(p + off, "S-1-5-32-544");
	acl = off;
	put32(p + 16, (uint32_t)acl);
	p[acl] = 4;				/* ACL revision (DS) */
	put16(p + acl + 4, n);
	off = acl + 8;
	for (i = 0; i < n; i++) {
		size_t start = off;
		bool obj = aces[i].type == CA_ACE_ACCESS_ALLOWED_OBJECT ||
			   aces[i].type == CA_ACE_ACCESS_DENIED_OBJECT;

		p[off] = aces[i].type;
		p[off + 1] = aces[i].flags;
		put32(p + off + 4, aces[i].mask);
		off += 8;
		if (obj) {
			put32(p + off, aces[i].object_type ? 1 : 0);
			off += 4;
			if (aces[i].object_type) {
				memcpy(p + off, aces[i].object_type, 16);
				off += 16;
			}
		}
		off += put_sid(p + off, aces[i].sid);
		put16(p + start + 2, off - start);
	}
	put16(p + acl + 2, off - acl);
	*_len = off;
	return p;
}

static void test_sid(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct ca_sid sid, sid2;
	uint8_t bin[80];
	size_t used = 0, len;
	char *s;

	(void)state;
	assert_int_equal(ca_sid_from_string(DOM "-1103", &sid), AE_OK);
	s = ca_sid_string(t, &sid);
	assert_string_equal(s, DOM "-1103");
	len = put_sid(bin, DOM "-1103");
	assert_int_equal(ca_sid_pull(bin, len, &sid2, &used), AE_OK);
	assert_int_equal(used, len);
	assert_true(ca_sid_equal(&sid, &sid2));
	assert_int_equal(ca_sid_pull(bin, len - 1, &sid2, &used), AE_ERR_PARSE);
	assert_int_equal(ca_sid_from_string("S-1-5-21-4294967296", &sid), AE_ERR_PARSE);
	assert_int_equal(ca_sid_from_string("S-1-5-", &sid), AE_ERR_PARSE);
	assert_int_equal(ca_sid_from_string("S-2-5", &sid), AE_ERR_PARSE);
	assert_int_equal(ca_sid_from_string("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16", &sid),
			 AE_ERR_PARSE);
	assert_int_equal(ca_sid_from_string("S-1-5-18x", &sid), AE_ERR_PARSE);
	assert_int_equal(ca_sid_from_string("S-1-281474976710655-1", &sid), AE_OK);
	s = ca_sid_string(t, &sid);
	assert_string_equal(s, "S-1-281474976710655-1");
	talloc_free(t);
}

/* The LabMachine template's DACL (pki.ldif.in), plus variations. */
static bool check(const struct test_ace *aces, size_t n, const char **sids, size_t nsids)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct ca_caller caller = { .name = "test" };
	struct ca_sd *sd = NULL;
	size_t len, i;
	uint8_t *p = test_sd_build(t, aces, n, &len);
	bool ok;

	caller.sids = talloc_zero_array(t, struct ca_sid, nsids);
	for (i = 0; i < nsids; i++) {
		assert_int_equal(ca_sid_from_string(sids[i], &caller.sids[i]), AE_OK);
	}
	caller.num_sids = nsids;
	assert_int_equal(ca_sd_parse(t, p, len, &sd), AE_OK);
	ok = ca_sd_allows_right(sd, &caller, ca_guid_enroll);
	talloc_free(t);
	return ok;
}

static void test_sd_enroll(void **state)
{
	const char *machine[] = { DOM "-1103", DOM "-515", "S-1-1-0", "S-1-5-11" };
	const char *user[] = { DOM "-1104", DOM "-513", "S-1-1-0", "S-1-5-11" };
	const struct test_ace lab[] = {
		{ 0x00, 0, 0x000f01ff, NULL, DOM "-519" },
		{ 0x00, 0, 0x000f01ff, NULL, DOM "-512" },
		{ 0x05, 0, 0x100, ca_guid_enroll, DOM "-515" },
		{ 0x05, 0, 0x100, guid_autoenroll, DOM "-515" },
		{ 0x00, 0, 0x00020094, NULL, "S-1-5-11" },
	};
	const struct test_ace deny_first[] = {
		{ 0x06, 0, 0x100, ca_guid_enroll, DOM "-1103" },
		{ 0x05, 0, 0x100, ca_guid_enroll, DOM "-515" },
	};
	const struct test_ace allow_first[] = {
		{ 0x05, 0, 0x100, ca_guid_enroll, DOM "-515" },
		{ 0x06, 0, 0x100, ca_guid_enroll, DOM "-1103" },
	};
	const struct test_ace inherit_only[] = {
		{ 0x05, 0x08, 0x100, ca_guid_enroll, DOM "-515" },
	};
	const struct test_ace autoenroll_only[] = {
		{ 0x05, 0, 0x100, guid_autoenroll, DOM "-515" },
	};
	const struct test_ace all_rights[] = {
		{ 0x05, 0, 0x100, NULL, "S-1-5-11" },		/* all extended rights */
	};
	const struct test_ace generic_all[] = {
		{ 0x00, 0, 0x10000000, NULL, DOM "-1103" },
	};
	const struct test_ace read_only[] = {
		{ 0x00, 0, 0x00020094, NULL, "S-1-1-0" },
	};
	const struct test_ace plain_deny[] = {
		{ 0x01, 0, 0x100, NULL, "S-1-1-0" },
		{ 0x00, 0, 0x000f01ff, NULL, DOM "-515" },
	};

	(void)state;
	assert_true(check(lab, 5, machine, 4));
	assert_false(check(lab, 5, user, 4));
	assert_false(check(deny_first, 2, machine, 4));
	assert_true(check(allow_first, 2, machine, 4));		/* ordered evaluation */
	assert_false(check(inherit_only, 1, machine, 4));
	assert_false(check(autoenroll_only, 1, machine, 4));
	assert_true(check(all_rights, 1, user, 4));
	assert_true(check(generic_all, 1, machine, 4));
	assert_false(check(read_only, 1, machine, 4));
	assert_false(check(plain_deny, 2, machine, 4));
	assert_false(check(NULL, 0, machine, 4));		/* empty DACL */
}

static void sd_mutant(void *state, const uint8_t *p, size_t len)
{
	struct ca_sd *sd = NULL;
	struct ca_caller *caller = state;

	if (ca_sd_parse(NULL, p, len, &sd) == AE_OK) {
		(void)ca_sd_allows_right(sd, caller, ca_guid_enroll);
		talloc_free(sd);
	}
}

static void test_sd_malformed(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	const struct test_ace lab[] = {
		{ 0x00, 0, 0x000f01ff, NULL, DOM "-512" },
		{ 0x05, 0, 0x100, ca_guid_enroll, DOM "-515" },
	};
	struct ca_caller caller = { .name = "x" };
	struct ca_sid sid;
	struct ca_sd *sd = NULL;
	size_t len, before;
	uint8_t *p = test_sd_build(t, lab, 2, &len);

	(void)state;
	assert_int_equal(ca_sid_from_string(DOM "-515", &sid), AE_OK);
	caller.sids = &sid;
	caller.num_sids = 1;
	before = talloc_total_blocks(t);
	assert_int_equal(ca_sd_parse(t, p, 19, &sd), AE_ERR_PARSE);
	assert_int_equal(ca_sd_parse(t, p, len - 1, &sd), AE_ERR_PARSE);	/* ACL cut */
	p[16] = 0xff;						/* DACL offset outside */
	assert_int_equal(ca_sd_parse(t, p, len, &sd), AE_ERR_PARSE);
	p[16] = 0;
	p[17] = 0;
	put32(p + 16, 0);					/* NULL DACL: all allowed */
	assert_int_equal(ca_sd_parse(t, p, len, &sd), AE_OK);
	assert_true(ca_sd_allows_right(sd, &caller, ca_guid_enroll));
	talloc_free(sd);
	assert_int_equal(talloc_total_blocks(t), before);
	p = test_sd_build(t, lab, 2, &len);
	test_mutate(p, len, 1, sd_mutant, &caller);
	talloc_free(t);
}

static void sid_ext_mutant(void *state, const uint8_t *p, size_t len)
{
	char *sid = NULL;

	(void)state;
	if (ca_der_parse_sid_ext(NULL, p, len, &sid) == AE_OK) {
		talloc_free(sid);
	}
}

static void test_der_vectors(void **state)
{
	static const uint8_t head[] = {
		0x30, 0x3f, 0xa0, 0x3d, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82,
		0x37, 0x19, 0x02, 0x01, 0xa0, 0x2f, 0x04, 0x2d
	};
	static const uint8_t bmp_user[] = { 0x1e, 0x08, 0x00, 0x55, 0x00, 0x73, 0x00, 0x65,
					    0x00, 0x72 };
	static const uint8_t year[] = { 0x00, 0x40, 0x39, 0x87, 0x2E, 0xE1, 0xFE, 0xFF };
	static const uint8_t weeks6[] = { 0x00, 0x80, 0xA6, 0x0A, 0xFF, 0xDE, 0xFF, 0xFF };
	static const uint8_t positive[] = { 0x00, 0x40, 0x39, 0x87, 0x2E, 0xE1, 0x01, 0x00 };
	const char *sid = "S-1-5-21-666199682-1411342147-2938717855-1001";
	TALLOC_CTX *t = talloc_new(NULL);
	struct ca_bytes b;
	char *oid = NULL, *name = NULL;
	uint32_t major = 0, minor = 0;
	int64_t secs = 0;

	(void)state;
	assert_int_equal(ca_der_sid_ext(t, sid, &b), AE_OK);
	assert_int_equal(b.len, 65);
	assert_memory_equal(b.p, head, sizeof(head));
	assert_memory_equal(b.p + sizeof(head), sid, 45);
	assert_int_equal(ca_der_parse_sid_ext(t, b.p, b.len, &name), AE_OK);	/* round trip */
	assert_string_equal(name, sid);
	assert_int_equal(ca_der_parse_sid_ext(t, b.p, b.len - 1, &name), AE_ERR_PARSE);
	b.p[b.len - 1] = 'x';					/* not a SID */
	assert_int_equal(ca_der_parse_sid_ext(t, b.p, b.len, &name), AE_ERR_PARSE);
	b.p[14] ^= 0x01;					/* another otherName OID */
	b.p[b.len - 1] = '1';
	assert_int_equal(ca_der_parse_sid_ext(t, b.p, b.len, &name), AE_ERR_PARSE);
	b.p[14] ^= 0x01;
	assert_int_equal(ca_der_parse_sid_ext(t, b.p, b.len, &name), AE_OK);
	test_mutate(b.p, b.len, 1, sid_ext_mutant, NULL);

	assert_int_equal(ca_der_template_name_ext(t, "User", &b), AE_OK);
	assert_int_equal(b.len, sizeof(bmp_user));
	assert_memory_equal(b.p, bmp_user, sizeof(bmp_user));
	assert_int_equal(ca_der_parse_template_name(t, b.p, b.len, &name), AE_OK);
	assert_string_equal(name, "User");

	assert_int_equal(ca_der_template_ext(t, "1.3.6.1.4.1.311.21.8.1.2.1000.1", 100, 3, &b),
			 AE_OK);
	assert_int_equal(b.p[0], 0x30);
	assert_int_equal(ca_der_parse_template_ext(t, b.p, b.len, &oid, &major, &minor), AE_OK);
	assert_string_equal(oid, "1.3.6.1.4.1.311.21.8.1.2.1000.1");
	assert_int_equal(major, 100);
	assert_int_equal(minor, 3);
	assert_int_equal(ca_der_parse_template_ext(t, b.p, b.len - 1, &oid, &major, &minor),
			 AE_ERR_PARSE);
	assert_int_equal(ca_der_uint(t, 0x80, &b), AE_OK);	/* 02 02 00 80 */
	assert_int_equal(b.len, 4);
	assert_int_equal(b.p[2], 0);

	assert_int_equal(ca_period_parse(year, 8, &secs), AE_OK);
	assert_int_equal(secs, 365 * 86400);
	assert_int_equal(ca_period_parse(weeks6, 8, &secs), AE_OK);
	assert_int_equal(secs, 42 * 86400);
	assert_int_equal(ca_period_parse(positive, 8, &secs), AE_ERR_PARSE);
	assert_int_equal(ca_period_parse(year, 7, &secs), AE_ERR_PARSE);
	talloc_free(t);
}

static void attribs(TALLOC_CTX *t, const char *text, struct ca_attribs **_a, ae_err want)
{
	uint8_t *u = NULL;
	size_t len = 0;

	assert_int_equal(ae_utf8_to_utf16le(t, text, true, &u, &len), AE_OK);
	assert_int_equal(ca_attribs_parse(t, u, len, _a), want);
}

static void test_attribs(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct ca_attribs *a = NULL;
	uint8_t *u = NULL;
	size_t len = 0, before;

	(void)state;
	attribs(t, "CertificateTemplate:LabMachine", &a, AE_OK);
	assert_string_equal(a->template_name, "LabMachine");
	attribs(t, "rmd:member1\n Certificate-Template :  Lab Machine \r\nnot a line", &a, AE_OK);
	assert_string_equal(a->template_name, "Lab Machine");
	assert_int_equal(a->num_lines, 2);
	attribs(t, "CertificateTemplate:A\ncertificatetemplate:a", &a, AE_OK);
	assert_false(a->template_conflict);
	attribs(t, "CertificateTemplate:A\nCertificateTemplate:B", &a, AE_OK);
	assert_true(a->template_conflict);
	attribs(t, "", &a, AE_OK);
	assert_null(a->template_name);
	assert_int_equal(ca_attribs_parse(t, NULL, 0, &a), AE_OK);
	assert_int_equal(ae_utf8_to_utf16le(t, "CertificateTemplate:X", false, &u, &len), AE_OK);
	before = talloc_total_blocks(t);
	assert_int_equal(ca_attribs_parse(t, u, len, &a), AE_ERR_PARSE);	/* no NUL */
	assert_int_equal(ca_attribs_parse(t, u, len - 1, &a), AE_ERR_PARSE);	/* odd */
	assert_int_equal(talloc_total_blocks(t), before);	/* failures leave nothing */
	talloc_free(t);
}

static void record_mutant(void *state, const uint8_t *p, size_t len)
{
	struct ca_record *r = NULL;

	(void)state;
	if (ca_record_parse(NULL, p, len, &r) == AE_OK) {
		talloc_free(r);
	}
}

static void test_record(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t req[5] = { 1, 2, 3, 4, 5 };
	struct ca_record r = { .id = 42, .state = CA_REQ_PENDING, .submitted = 1700000000,
			       .disposition = 0, .request = { req, 5 } };
	struct ca_record *back = NULL;
	char *text = NULL;
	size_t before = talloc_total_blocks(t);

	(void)state;
	r.template_name = "LabPending";
	r.message = "Taken\nUnder Submission";
	assert_int_equal(ca_sid_from_string(DOM "-1103", &r.sid), AE_OK);
	assert_int_equal(ca_record_format(t, &r, &text), AE_OK);
	assert_non_null(strstr(text, "message=Taken Under Submission\n"));
	assert_int_equal(ca_record_parse(t, (const uint8_t *)text, strlen(text), &back), AE_OK);
	assert_int_equal(back->id, 42);
	assert_int_equal(back->state, CA_REQ_PENDING);
	assert_string_equal(back->template_name, "LabPending");
	assert_true(ca_sid_equal(&back->sid, &r.sid));
	assert_int_equal(back->request.len, 5);
	assert_memory_equal(back->request.p, req, 5);
	assert_int_equal(back->cert.len, 0);
	assert_string_equal(back->renews, "");
	talloc_free(back);
	r.renews = "4A0B";
	talloc_free(text);
	assert_int_equal(ca_record_format(t, &r, &text), AE_OK);
	assert_int_equal(ca_record_parse(t, (const uint8_t *)text, strlen(text), &back), AE_OK);
	assert_string_equal(back->renews, "4A0B");
	assert_string_equal(back->requester, "");	/* none given */
	talloc_free(back);
	r.requester = "LAB\\alice";
	talloc_free(text);
	assert_int_equal(ca_record_format(t, &r, &text), AE_OK);
	assert_int_equal(ca_record_parse(t, (const uint8_t *)text, strlen(text), &back), AE_OK);
	assert_string_equal(back->requester, "LAB\\alice");
	talloc_free(back);
	assert_int_equal(ca_record_parse(t, (const uint8_t *)"version=1\nid=1\nstate=issued\n"
					 "sid=S-1-5-18\nsubmitted=1\nrequester=a\tb\n", 67, &back),
			 AE_ERR_PARSE);
	/* truncated (no final newline), duplicated key, bad state, missing sid */
	assert_int_equal(ca_record_parse(t, (const uint8_t *)text, strlen(text) - 1, &back),
			 AE_ERR_PARSE);
	assert_int_equal(ca_record_parse(t, (const uint8_t *)"version=1\nid=1\nid=1\n", 20,
					 &back), AE_ERR_PARSE);
	assert_int_equal(ca_record_parse(t, (const uint8_t *)"version=1\nid=1\nstate=x\n", 23,
					 &back), AE_ERR_PARSE);
	assert_int_equal(ca_record_parse(t, (const uint8_t *)"version=1\nid=1\nstate=issued\n"
					 "submitted=1\n", 41, &back), AE_ERR_PARSE);
	assert_int_equal(ca_record_parse(t, (const uint8_t *)"garbage\n", 8, &back),
			 AE_ERR_PARSE);
	test_mutate((const uint8_t *)text, strlen(text), 1, record_mutant, NULL);
	talloc_free(text);
	assert_int_equal(talloc_total_blocks(t), before);
	talloc_free(t);
}

static void certrec_mutant(void *state, const uint8_t *p, size_t len)
{
	struct ca_cert_record *r = NULL;

	(void)state;
	if (ca_certrec_parse(NULL, p, len, &r) == AE_OK) {
		talloc_free(r);
	}
}

static ae_err certrec(TALLOC_CTX *t, const char *text, struct ca_cert_record **_r)
{
	return ca_certrec_parse(t, (const uint8_t *)text, strlen(text), _r);
}

static void test_certrec(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct ca_cert_record r = { .serial = "4A0102", .request_id = 7, .state = CA_CERT_REVOKED,
				    .template_name = "LabMachine", .not_after = 1800000000,
				    .revoked = 1700000000, .reason = 4, .renews = "7F",
				    .renewed_by = NULL };
	struct ca_cert_record *back = NULL;
	ASN1_INTEGER *ai = ASN1_INTEGER_new();
	char *text = NULL, *hex = NULL;
	size_t before = talloc_total_blocks(t);

	(void)state;
	assert_int_equal(ca_sid_from_string(DOM "-1103", &r.sid), AE_OK);
	assert_int_equal(ca_certrec_format(t, &r, &text), AE_OK);
	assert_int_equal(certrec(t, text, &back), AE_OK);
	assert_string_equal(back->serial, "4A0102");
	assert_int_equal(back->request_id, 7);
	assert_int_equal(back->state, CA_CERT_REVOKED);
	assert_string_equal(back->template_name, "LabMachine");
	assert_true(ca_sid_equal(&back->sid, &r.sid));
	assert_int_equal(back->not_after, 1800000000);
	assert_int_equal(back->revoked, 1700000000);
	assert_int_equal(back->reason, 4);
	assert_string_equal(back->renews, "7F");
	assert_string_equal(back->renewed_by, "");
	talloc_free(back);
	test_mutate((const uint8_t *)text, strlen(text), 1, certrec_mutant, NULL);
	talloc_free(text);
	/* serials must be canonical; reasons 0..10 but 7; required keys */
	r.serial = "0A01";
	assert_int_equal(ca_certrec_format(t, &r, &text), AE_OK);
	r.serial = "004A";
	assert_int_equal(ca_certrec_format(t, &r, &text), AE_ERR_INVALID);
	assert_int_equal(certrec(t, "version=1\nserial=4a\nid=1\nstate=valid\nsid=S-1-5-18\n"
				 "not_after=1\n", &back), AE_ERR_PARSE);
	assert_int_equal(certrec(t, "version=1\nserial=4A\nid=1\nstate=valid\nsid=S-1-5-18\n"
				 "not_after=1\n", &back), AE_OK);
	talloc_free(back);
	assert_int_equal(certrec(t, "version=1\nserial=4A\nid=1\nstate=valid\nsid=S-1-5-18\n"
				 "not_after=1\nreason=7\n", &back), AE_ERR_PARSE);
	assert_int_equal(certrec(t, "version=1\nserial=4A\nid=1\nstate=gone\nsid=S-1-5-18\n"
				 "not_after=1\n", &back), AE_ERR_PARSE);
	assert_int_equal(certrec(t, "version=1\nserial=4A\nid=1\nstate=valid\n"
				 "not_after=1\n", &back), AE_ERR_PARSE);
	assert_int_equal(certrec(t, "version=1\nserial=4A\nserial=4A\nid=1\nstate=valid\n"
				 "sid=S-1-5-18\nnot_after=1\n", &back), AE_ERR_PARSE);
	assert_int_equal(certrec(t, "version=1\nserial=4A\nid=1\nstate=valid\nsid=S-1-5-18\n"
				 "not_after=1", &back), AE_ERR_PARSE);		/* truncated */
	/* canonical serial text */
	assert_true(ca_serial_valid("00"));
	assert_true(ca_serial_valid("7FFF"));
	assert_false(ca_serial_valid("0"));
	assert_false(ca_serial_valid("007F"));
	assert_false(ca_serial_valid("7f"));
	ASN1_INTEGER_set(ai, 0x4a0b);
	assert_int_equal(ca_serial_text(t, ai, &hex), AE_OK);
	assert_string_equal(hex, "4A0B");
	talloc_free(hex);
	ASN1_INTEGER_set(ai, 0x80);		/* DER 02 02 00 80: text without the 00 */
	assert_int_equal(ca_serial_text(t, ai, &hex), AE_OK);
	assert_string_equal(hex, "80");
	talloc_free(hex);
	ASN1_INTEGER_set(ai, 0);
	assert_int_equal(ca_serial_text(t, ai, &hex), AE_OK);
	assert_string_equal(hex, "00");
	talloc_free(hex);
	ASN1_INTEGER_set(ai, -5);
	assert_int_equal(ca_serial_text(t, ai, &hex), AE_ERR_PARSE);
	ASN1_INTEGER_free(ai);
	talloc_free(text);
	assert_int_equal(talloc_total_blocks(t), before);
	talloc_free(t);
}

int ca_vector_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sid),
		cmocka_unit_test(test_sd_enroll),
		cmocka_unit_test(test_sd_malformed),
		cmocka_unit_test(test_der_vectors),
		cmocka_unit_test(test_attribs),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_certrec),
	};
	return cmocka_run_group_tests_name("ca_vectors", tests, NULL, NULL);
}
