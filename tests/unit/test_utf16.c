/* test_utf16.c: UTF-8 <-> UTF-16LE conversions of the util layer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_utf16.h"
#include "ae_hresult.h"
#include "ae_error.h"

static void test_roundtrip(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	const char *samples[] = { "", "CertificateTemplate:LabMachine", "caf\xc3\xa9",
				  "\xe2\x82\xac", "\xf0\x9f\x98\x80" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		uint8_t *u = NULL;
		size_t len = 0;
		char *back = NULL;
		assert_int_equal(ae_utf8_to_utf16le(mem, samples[i], true, &u, &len), AE_OK);
		assert_int_equal(u[len - 1], 0);
		assert_int_equal(u[len - 2], 0);
		assert_int_equal(ae_utf16le_to_utf8(mem, u, len, &back), AE_OK);
		assert_string_equal(back, samples[i]);
	}
	talloc_free(mem);
}

static void test_rejects(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t *u = NULL;
	size_t len = 0;
	char *s = NULL;

	(void)state;
	/* overlong, surrogate in UTF-8, truncated sequence, above U+10FFFF */
	assert_int_equal(ae_utf8_to_utf16le(mem, "\xc0\xaf", true, &u, &len), AE_ERR_PARSE);
	assert_int_equal(ae_utf8_to_utf16le(mem, "\xed\xa0\x80", true, &u, &len), AE_ERR_PARSE);
	assert_int_equal(ae_utf8_to_utf16le(mem, "\xe2\x82", true, &u, &len), AE_ERR_PARSE);
	assert_int_equal(ae_utf8_to_utf16le(mem, "\xf4\x90\x80\x80", true, &u, &len), AE_ERR_PARSE);
	assert_null(u);
	/* odd length, lone high and low surrogates, interior NUL */
	assert_int_equal(ae_utf16le_to_utf8(mem, (const uint8_t *)"A\0B", 3, &s), AE_ERR_PARSE);
	assert_int_equal(ae_utf16le_to_utf8(mem, (const uint8_t *)"\x3d\xd8", 2, &s), AE_ERR_PARSE);
	assert_int_equal(ae_utf16le_to_utf8(mem, (const uint8_t *)"\x00\xdc", 2, &s), AE_ERR_PARSE);
	assert_int_equal(ae_utf16le_to_utf8(mem, (const uint8_t *)"A\0\0\0B\0", 6, &s), AE_ERR_PARSE);
	assert_null(s);
	/* a missing terminator is fine */
	assert_int_equal(ae_utf16le_to_utf8(mem, (const uint8_t *)"H\0i\0", 4, &s), AE_OK);
	assert_string_equal(s, "Hi");
	talloc_free(mem);
}

static void test_hresult_names(void **state)
{
	(void)state;
	assert_string_equal(ae_hresult_name(0x80094012), "CERTSRV_E_TEMPLATE_DENIED");
	assert_string_equal(ae_hresult_name(0x80094014), "CERTSRV_E_ADMIN_DENIED_REQUEST");
	assert_string_equal(ae_hresult_name(0x80094800), "CERTSRV_E_UNSUPPORTED_CERT_TYPE");
	assert_null(ae_hresult_name(0x12345678));
	assert_string_equal(ae_hresult_name(0x80094812), "CERTSRV_E_SUBJECT_EMAIL_REQUIRED");
	assert_string_equal(ae_hresult_name(0x8009480D), "CERTSRV_E_SUBJECT_UPN_REQUIRED");
	assert_string_equal(ae_disposition_name(3), "issued");
	assert_string_equal(ae_disposition_name(5), "pending");
	assert_string_equal(ae_strerror(AE_ERR_TRAILING), "trailing data after the structure");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_hresult_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
