/*
 * test_csr_read.c: a PKCS#10 made elsewhere (source/request/ae_csr_read.h):
 * PEM to DER with nothing around the block, the DER parsed with the
 * self-signature checked (RFC 2986 section 3), the public key and the
 * Microsoft template extensions (MS-WCCE 2.2.2.7.7) read; caps, trailing
 * bytes and a broken signature refused.
 *
 * Leak check: talloc null tracking (leak_check.h); OpenSSL objects are
 * covered by ASan's leak check.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "leak_check.h"
#include <talloc.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include "ae_csr.h"
#include "ae_csr_read.h"
#include "ae_key.h"
#include "ae_x509.h"

#define OID "1.3.6.1.4.1.311.21.8.1.2.3.4.5.6.7"

static struct ae_key *g_key;

static int group_setup(void **state)
{
	struct ae_key_spec ec = { .kind = AE_KEY_EC, .bits = 256 };

	(void)state;
	return ae_key_generate(NULL, &ec, &g_key) == AE_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	TALLOC_FREE(g_key);
	return 0;
}

/* A request from ae_csr_build: v1 (name extension) or v2 (template extension). */
static void make_csr(TALLOC_CTX *mem, uint32_t schema, uint8_t **der, size_t *len)
{
	struct ae_csr_params p = { 0 };

	p.template_name = "LabMachine";
	p.template_oid = OID;
	p.schema_version = schema;
	p.major = 100;
	assert_int_equal(ae_csr_build(mem, g_key, &p, der, len), AE_OK);
}

static char *to_pem(TALLOC_CTX *mem, const uint8_t *der, size_t len, const char *label)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data = NULL, *out = NULL;
	long n;

	assert_non_null(b);
	assert_true(PEM_write_bio(b, label, "", der, (long)len) > 0);
	n = BIO_get_mem_data(b, &data);
	out = talloc_strndup(mem, data, (size_t)n);
	BIO_free(b);
	assert_non_null(out);
	return out;
}

static void test_v1_name_and_key(void **state)
{
	uint8_t *der = NULL, *back = NULL;
	size_t len = 0, blen = 0;
	struct ae_csr_info *info = NULL;
	char *pem = NULL;

	make_csr(*state, 1, &der, &len);
	pem = to_pem(*state, der, len, "CERTIFICATE REQUEST");
	assert_int_equal(ae_csr_pem_to_der(*state, (const uint8_t *)pem, strlen(pem), &back,
					   &blen), AE_OK);
	assert_int_equal(blen, len);
	assert_memory_equal(back, der, len);
	assert_int_equal(ae_csr_parse(*state, back, blen, &info), AE_OK);
	assert_string_equal(info->template_name, "LabMachine");
	assert_null(info->template_oid);
	/* the public half of our key */
	assert_int_equal(EVP_PKEY_eq(info->key->pkey, g_key->pkey), 1);
}

static void test_v2_oid_and_spki(void **state)
{
	uint8_t *der = NULL;
	size_t len = 0;
	struct ae_csr_info *a = NULL, *b = NULL;

	make_csr(*state, 2, &der, &len);
	assert_int_equal(ae_csr_parse(*state, der, len, &a), AE_OK);
	assert_null(a->template_name);
	assert_string_equal(a->template_oid, OID);
	/* the same key hashes the same; a different request of it too */
	make_csr(*state, 1, &der, &len);
	assert_int_equal(ae_csr_parse(*state, der, len, &b), AE_OK);
	assert_memory_equal(a->spki_sha256, b->spki_sha256, 32);
}

static void test_der_refused(void **state)
{
	uint8_t *der = NULL, *more = NULL;
	size_t len = 0;
	struct ae_csr_info *info = NULL;

	make_csr(*state, 2, &der, &len);
	more = talloc_size(*state, len + 1);
	memcpy(more, der, len);
	more[len] = 0;
	assert_int_equal(ae_csr_parse(*state, more, len + 1, &info), AE_ERR_TRAILING);
	assert_int_equal(ae_csr_parse(*state, der, len - 1, &info), AE_ERR_PARSE);
	/* the last byte is in the signature: proof of possession fails */
	more[len - 1] ^= 0x01;
	assert_int_equal(ae_csr_parse(*state, more, len, &info), AE_ERR_PARSE);
	assert_int_equal(ae_csr_parse(*state, der, AE_CSR_READ_MAX + 1, &info), AE_ERR_TOO_LARGE);
	assert_int_equal(ae_csr_parse(*state, NULL, 0, &info), AE_ERR_INVALID);
	assert_null(info);
}

static void test_pem_refused(void **state)
{
	uint8_t *der = NULL, *out = NULL;
	size_t len = 0, olen = 0;
	char *pem = NULL, *s = NULL;
	TALLOC_CTX *m = *state;

	make_csr(m, 1, &der, &len);
	pem = to_pem(m, der, len, "CERTIFICATE REQUEST");
	/* whitespace around it is fine; the legacy label too */
	s = talloc_asprintf(m, "\n  %s\n\n", pem);
	assert_int_equal(ae_csr_pem_to_der(m, (const uint8_t *)s, strlen(s), &out, &olen), AE_OK);
	s = to_pem(m, der, len, "NEW CERTIFICATE REQUEST");
	assert_int_equal(ae_csr_pem_to_der(m, (const uint8_t *)s, strlen(s), &out, &olen), AE_OK);
	out = NULL;
	s = talloc_asprintf(m, "junk\n%s", pem);
	assert_int_equal(ae_csr_pem_to_der(m, (const uint8_t *)s, strlen(s), &out, &olen),
			 AE_ERR_PARSE);
	s = talloc_asprintf(m, "%sjunk\n", pem);
	assert_int_equal(ae_csr_pem_to_der(m, (const uint8_t *)s, strlen(s), &out, &olen),
			 AE_ERR_TRAILING);
	s = talloc_asprintf(m, "%s%s", pem, pem);
	assert_int_equal(ae_csr_pem_to_der(m, (const uint8_t *)s, strlen(s), &out, &olen),
			 AE_ERR_TRAILING);
	s = to_pem(m, der, len, "CERTIFICATE");
	assert_int_equal(ae_csr_pem_to_der(m, (const uint8_t *)s, strlen(s), &out, &olen),
			 AE_ERR_PARSE);
	/* a NUL inside */
	assert_int_equal(ae_csr_pem_to_der(m, (const uint8_t *)pem, strlen(pem) + 1, &out, &olen),
			 AE_ERR_PARSE);
	assert_int_equal(ae_csr_pem_to_der(m, (const uint8_t *)pem, AE_CSR_READ_MAX + 1, &out,
					   &olen), AE_ERR_TOO_LARGE);
	assert_null(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v1_name_and_key, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_v2_oid_and_spki, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_der_refused, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_pem_refused, leak_setup, leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
	talloc_disable_null_tracking();
	return rc;
}
