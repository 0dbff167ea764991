/*
 * test_extca.c: the engine's half of the certmonger helper that runs
 * without a network (source/engine/ae_extca.h): ae_extca_csr_read turns
 * certmonger's PEM into a checked request (template extensions, the SPKI
 * hash the cookie is bound to) or names why it cannot. The CA call itself
 * is `autoenroll request`'s (test_step.c, and t_certmonger_getcert against
 * the lab CA).
 *
 * Leak check: talloc null tracking (leak_check.h).
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
#include "ae_csr.h"
#include "ae_extca.h"
#include "ae_key.h"

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

/* A PEM request; with 'corrupt' the DER's last byte (in the signature) is flipped. */
static char *csr_pem(TALLOC_CTX *mem, uint32_t schema, bool corrupt)
{
	struct ae_csr_params p = { 0 };
	uint8_t *der = NULL;
	size_t len = 0;
	BIO *b = BIO_new(BIO_s_mem());
	char *data = NULL, *out = NULL;
	long n;

	p.template_name = "LabWebServer";
	p.template_oid = "1.3.6.1.4.1.311.21.8.9.9.9";
	p.schema_version = schema;
	assert_int_equal(ae_csr_build(mem, g_key, &p, &der, &len), AE_OK);
	if (corrupt) {
		der[len - 1] ^= 0x01;
	}
	assert_non_null(b);
	assert_true(PEM_write_bio(b, "CERTIFICATE REQUEST", "", der, (long)len) > 0);
	n = BIO_get_mem_data(b, &data);
	out = talloc_strndup(mem, data, (size_t)n);
	BIO_free(b);
	talloc_free(der);
	assert_non_null(out);
	return out;
}

static void test_read(void **state)
{
	char *pem1 = csr_pem(*state, 1, false), *pem2 = csr_pem(*state, 2, false), why[256] = "";
	struct ae_extca_csr *a = NULL, *b = NULL;

	assert_int_equal(ae_extca_csr_read(*state, (const uint8_t *)pem1, strlen(pem1), &a, why,
					   sizeof(why)), AE_OK);
	assert_string_equal(a->template_name, "LabWebServer");
	assert_null(a->template_oid);
	assert_non_null(a->der);
	assert_true(a->der_len > 0);
	assert_int_equal(ae_extca_csr_read(*state, (const uint8_t *)pem2, strlen(pem2), &b, why,
					   sizeof(why)), AE_OK);
	assert_null(b->template_name);
	assert_string_equal(b->template_oid, "1.3.6.1.4.1.311.21.8.9.9.9");
	/* one key, one hash: what the cookie binds */
	assert_memory_equal(a->spki_sha256, b->spki_sha256, 32);
	talloc_free(a);
	talloc_free(b);
}

static void test_refused(void **state)
{
	char *pem = csr_pem(*state, 1, false), *bad = csr_pem(*state, 1, true), why[256] = "";
	struct ae_extca_csr *c = NULL;

	assert_int_equal(ae_extca_csr_read(*state, (const uint8_t *)"garbage", 7, &c, why,
					   sizeof(why)), AE_ERR_PARSE);
	assert_non_null(strstr(why, "PEM CERTIFICATE REQUEST"));
	assert_int_equal(ae_extca_csr_read(*state, (const uint8_t *)pem, AE_EXTCA_CSR_MAX + 1, &c,
					   why, sizeof(why)), AE_ERR_TOO_LARGE);
	/* a valid PEM around a request whose signature no longer verifies */
	assert_int_equal(ae_extca_csr_read(*state, (const uint8_t *)bad, strlen(bad), &c, why,
					   sizeof(why)), AE_ERR_PARSE);
	assert_non_null(strstr(why, "PKCS#10"));
	assert_null(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_refused, leak_setup, leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
	talloc_disable_null_tracking();
	return rc;
}
