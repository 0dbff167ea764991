/*
 * test_ndr_icpr.c: CertServerRequest NDR against golden byte vectors built
 * from the wire rules written down in idl/icpr.idl (MS-ICPR 3.2.4.1.1,
 * CERTTRANSBLOB of MS-WCCE 2.2.2.2).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "ndr_icpr.h"

/* flags 0, authority "CA", request id 0, attributes "AB", request DE AD BE */
static const uint8_t req_golden[] = {
	0x00, 0x00, 0x00, 0x00,			/* dwFlags */
	0x00, 0x00, 0x02, 0x00,			/* pwszAuthority referent */
	0x03, 0x00, 0x00, 0x00,			/* max_count */
	0x00, 0x00, 0x00, 0x00,			/* offset */
	0x03, 0x00, 0x00, 0x00,			/* actual_count */
	0x43, 0x00, 0x41, 0x00, 0x00, 0x00,	/* "CA\0" */
	0x00, 0x00,				/* align 4 */
	0x00, 0x00, 0x00, 0x00,			/* *pdwRequestId */
	0x06, 0x00, 0x00, 0x00,			/* pctbAttribs.cb */
	0x04, 0x00, 0x02, 0x00,			/* pctbAttribs.pb referent */
	0x06, 0x00, 0x00, 0x00,			/* max_count */
	0x41, 0x00, 0x42, 0x00, 0x00, 0x00,	/* "AB\0" */
	0x00, 0x00,				/* align 4 */
	0x03, 0x00, 0x00, 0x00,			/* pctbRequest.cb */
	0x08, 0x00, 0x02, 0x00,			/* referent */
	0x03, 0x00, 0x00, 0x00,			/* max_count */
	0xde, 0xad, 0xbe,
};

/* retrieve: flags 0, authority "CA", request id 7, both blobs null */
static const uint8_t retrieve_golden[] = {
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x02, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x43, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x07, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* attribs: cb 0, NULL */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* request: cb 0, NULL */
};

/* response: id 42, disposition 3, cert 01..05, no encoded cert, "Hi", status 0 */
static const uint8_t resp_golden[] = {
	0x2a, 0x00, 0x00, 0x00,			/* *pdwRequestId */
	0x03, 0x00, 0x00, 0x00,			/* *pdwDisposition */
	0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,	/* pctbCert cb, referent */
	0x05, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
	0x00, 0x00, 0x00,			/* align 4 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* pctbEncodedCert empty */
	0x06, 0x00, 0x00, 0x00, 0x04, 0x00, 0x02, 0x00,	/* message cb, referent */
	0x06, 0x00, 0x00, 0x00, 0x48, 0x00, 0x69, 0x00, 0x00, 0x00,
	0x00, 0x00,				/* align 4 */
	0x00, 0x00, 0x00, 0x00,			/* return value */
};

static void test_request_push_golden(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t request_bytes[] = { 0xde, 0xad, 0xbe };
	struct icpr_request r = { .flags = 0, .authority = "CA", .request_id = 0 };
	uint8_t *out = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(icpr_attribs_blob(mem, "AB", &r.attribs), AE_OK);
	assert_int_equal(r.attribs.cb, 6);
	r.request.cb = 3;
	r.request.pb = request_bytes;
	assert_int_equal(icpr_request_push(mem, &r, &out, &len), AE_OK);
	assert_int_equal(len, sizeof(req_golden));
	assert_memory_equal(out, req_golden, sizeof(req_golden));
	talloc_free(mem);
}

static void test_request_pull_golden(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct icpr_request *r = NULL;

	(void)state;
	assert_int_equal(icpr_request_pull(mem, req_golden, sizeof(req_golden), &r), AE_OK);
	assert_string_equal(r->authority, "CA");
	assert_int_equal(r->request_id, 0);
	assert_int_equal(r->attribs.cb, 6);
	assert_memory_equal(r->attribs.pb, "A\0B\0\0\0", 6);
	assert_int_equal(r->request.cb, 3);
	assert_memory_equal(r->request.pb, "\xde\xad\xbe", 3);
	talloc_free(mem);
}

static void test_retrieve_golden(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct icpr_request r = { .authority = "CA", .request_id = 7 };
	struct icpr_request *back = NULL;
	uint8_t *out = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(icpr_request_push(mem, &r, &out, &len), AE_OK);
	assert_int_equal(len, sizeof(retrieve_golden));
	assert_memory_equal(out, retrieve_golden, sizeof(retrieve_golden));
	assert_int_equal(icpr_request_pull(mem, out, len, &back), AE_OK);
	assert_int_equal(back->request_id, 7);
	assert_null(back->attribs.pb);
	assert_null(back->request.pb);
	talloc_free(mem);
}

static void test_response_golden(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t cert[] = { 1, 2, 3, 4, 5 };
	uint8_t msg[] = { 'H', 0, 'i', 0, 0, 0 };
	struct icpr_response r = { .request_id = 42, .disposition = 3,
				   .cert = { 5, cert }, .message = { 6, msg } };
	struct icpr_response *back = NULL;
	uint8_t *out = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(icpr_response_push(mem, &r, &out, &len), AE_OK);
	assert_int_equal(len, sizeof(resp_golden));
	assert_memory_equal(out, resp_golden, sizeof(resp_golden));
	assert_int_equal(icpr_response_pull(mem, resp_golden, sizeof(resp_golden), &back), AE_OK);
	assert_int_equal(back->request_id, 42);
	assert_int_equal(back->disposition, 3);
	assert_int_equal(back->cert.cb, 5);
	assert_memory_equal(back->cert.pb, cert, 5);
	assert_null(back->encoded_cert.pb);
	assert_int_equal(back->message.cb, 6);
	assert_int_equal(back->status, 0);
	talloc_free(mem);
}

static void test_response_rejects(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct icpr_response *r = NULL;
	uint8_t buf[sizeof(resp_golden) + 1];
	size_t i;

	(void)state;
	/* every truncation fails and leaves the output untouched */
	for (i = 0; i < sizeof(resp_golden); i++) {
		assert_int_not_equal(icpr_response_pull(mem, resp_golden, i, &r), AE_OK);
		assert_null(r);
	}
	/* zero alignment padding after the stub is accepted, other bytes are not */
	memcpy(buf, resp_golden, sizeof(resp_golden));
	buf[sizeof(resp_golden)] = 0;
	assert_int_equal(icpr_response_pull(mem, buf, sizeof(buf), &r), AE_OK);
	TALLOC_FREE(r);
	buf[sizeof(resp_golden)] = 1;
	assert_int_equal(icpr_response_pull(mem, buf, sizeof(buf), &r), AE_ERR_TRAILING);
	assert_null(r);
	/* max_count disagreeing with cb */
	memcpy(buf, resp_golden, sizeof(resp_golden));
	buf[16] = 6;
	assert_int_equal(icpr_response_pull(mem, buf, sizeof(resp_golden), &r), AE_ERR_PARSE);
	/* a length above the cap */
	memcpy(buf, resp_golden, sizeof(resp_golden));
	buf[8] = 0xff; buf[9] = 0xff; buf[10] = 0xff; buf[11] = 0x7f;
	assert_int_equal(icpr_response_pull(mem, buf, sizeof(resp_golden), &r), AE_ERR_TOO_LARGE);
	/* a length with a null pointer */
	memcpy(buf, resp_golden, sizeof(resp_golden));
	buf[12] = buf[13] = buf[14] = buf[15] = 0;
	assert_int_not_equal(icpr_response_pull(mem, buf, sizeof(resp_golden), &r), AE_OK);
	assert_null(r);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_request_rejects(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct icpr_request *r = NULL;
	uint8_t buf[sizeof(req_golden)];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(req_golden); i++) {
		assert_int_not_equal(icpr_request_pull(mem, req_golden, i, &r), AE_OK);
	}
	/* authority without its terminator */
	memcpy(buf, req_golden, sizeof(buf));
	buf[24] = 'X';
	assert_int_equal(icpr_request_pull(mem, buf, sizeof(buf), &r), AE_ERR_PARSE);
	/* actual_count above max_count */
	memcpy(buf, req_golden, sizeof(buf));
	buf[16] = 4;
	assert_int_equal(icpr_request_pull(mem, buf, sizeof(buf), &r), AE_ERR_PARSE);
	/* 3 bytes of zero padding (as Samba's server delivers it) pass, 8 do not */
	{
		uint8_t padded[sizeof(req_golden) + 8];
		memcpy(padded, req_golden, sizeof(req_golden));
		memset(padded + sizeof(req_golden), 0, 8);
		assert_int_equal(icpr_request_pull(mem, padded, sizeof(req_golden) + 3, &r), AE_OK);
		TALLOC_FREE(r);
		assert_int_equal(icpr_request_pull(mem, padded, sizeof(padded), &r), AE_ERR_TRAILING);
	}
	/* non-zero offset */
	memcpy(buf, req_golden, sizeof(buf));
	buf[12] = 1;
	assert_int_equal(icpr_request_pull(mem, buf, sizeof(buf), &r), AE_ERR_PARSE);
	assert_null(r);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_push_invalid(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct icpr_request r = { .attribs = { 4, NULL } };
	uint8_t *out = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(icpr_request_push(mem, &r, &out, &len), AE_ERR_INVALID);
	assert_null(out);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_attribs_non_ascii(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct icpr_blob b = { 0 };

	(void)state;
	/* "é" U+00E9 and U+1F600 (a surrogate pair) */
	assert_int_equal(icpr_attribs_blob(mem, "\xc3\xa9\xf0\x9f\x98\x80", &b), AE_OK);
	assert_int_equal(b.cb, 8);
	assert_memory_equal(b.pb, "\xe9\x00\x3d\xd8\x00\xde\x00\x00", 8);
	assert_int_equal(icpr_attribs_blob(mem, "\xc3", &b), AE_ERR_PARSE);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_push_golden),
		cmocka_unit_test(test_request_pull_golden),
		cmocka_unit_test(test_retrieve_golden),
		cmocka_unit_test(test_response_golden),
		cmocka_unit_test(test_response_rejects),
		cmocka_unit_test(test_request_rejects),
		cmocka_unit_test(test_push_invalid),
		cmocka_unit_test(test_attribs_non_ascii),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
