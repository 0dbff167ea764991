/*
 * test_key_tpm.c: TPM 2.0 keys (source/request/ae_key_tpm.h) against a
 * software TPM that the test starts (tests/tpm/swtpm.sh, TCP on loopback)
 * and stops by its PID. swtpm and tpm2-openssl come with tests/deps.sh, so
 * this test runs everywhere the unit suite runs (it never skips).
 *
 * Key generation (RSA-2048, EC P-256, P-384), the TSS2 PEM form (no plain
 * key: the default provider cannot load it), loading it back, the PKCS#10
 * and the renewal CMS signed in the TPM and verified by the plain code,
 * the certificate/key match, and the TPM gone (AE_ERR_UNAVAILABLE).
 * Leak check: talloc block count (leak_check.h); OpenSSL objects: ASan.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "leak_check.h"
#include <talloc.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include "ae_csr.h"
#include "ae_csr_read.h"
#include "ae_key.h"
#include "ae_key_tpm.h"
#include "ae_renewal.h"
#include "ae_x509.h"
#include "pki_helpers.h"
#include "swtpm_helpers.h"

static char g_dir[] = "/tmp/ae-test-tpm-XXXXXX";

static int group_setup(void **state)
{
	(void)state;
	if (mkdtemp(g_dir) == NULL) {
		return -1;
	}
	swtpm(g_dir, "start");
	return ae_key_tpm_configure(g_tcti) == AE_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
	char cmd[512];

	(void)state;
	ae_key_tpm_close();
	swtpm(g_dir, "stop");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const struct ae_csr_params g_params = {
	.template_oid = "1.3.6.1.4.1.311.21.8.1000.8",
	.schema_version = 2,
	.major = 100,
	.minor = 1,
	.client_id = AE_CSR_CLIENT_ID_AUTOENROLL,
	.machine_name = "host.example.com",
	.os_version = "6.1.0.2",
};

static void test_tcti_valid(void **state)
{
	(void)state;
	assert_true(ae_key_tpm_tcti_valid("swtpm:host=127.0.0.1,port=2321"));
	assert_true(ae_key_tpm_tcti_valid("device:/dev/tpmrm0"));
	assert_false(ae_key_tpm_tcti_valid(""));
	assert_false(ae_key_tpm_tcti_valid(NULL));
	assert_false(ae_key_tpm_tcti_valid("device:/dev/tpm0;rm -rf /"));
	assert_false(ae_key_tpm_tcti_valid("swtpm:host=a b"));
	assert_false(ae_key_tpm_tcti_valid("/dev/tpm0"));
	assert_int_equal(ae_key_tpm_configure("a b"), AE_ERR_INVALID);
	assert_int_equal(ae_key_tpm_configure(g_tcti), AE_OK);
}


static struct ae_key *gen(TALLOC_CTX *mem, bool rsa, unsigned bits)
{
	struct ae_key_spec spec = { .kind = rsa ? AE_KEY_RSA : AE_KEY_EC, .bits = bits };
	struct ae_key *k = NULL;

	assert_int_equal(ae_key_tpm_generate(mem, &spec, &k), AE_OK);
	assert_int_equal(k->source, AE_KEY_SRC_TPM);
	return k;
}

/* PEM of k: the TSS2 blob; the default provider alone cannot load it */
static void pem_is_blob(TALLOC_CTX *mem, const struct ae_key *k, char **_pem, size_t *_len)
{
	EVP_PKEY *plain = NULL;
	BIO *bio = NULL;

	assert_int_equal(ae_key_to_pem(mem, k, _pem, _len), AE_OK);
	assert_memory_equal(*_pem, "-----BEGIN TSS2 PRIVATE KEY-----", 32);
	assert_null(strstr(*_pem, "BEGIN PRIVATE KEY"));
	assert_int_equal(ae_key_pem_source((const uint8_t *)*_pem, *_len), AE_KEY_SRC_TPM);
	bio = BIO_new_mem_buf(*_pem, (int)*_len);
	plain = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	assert_null(plain);
	BIO_free(bio);
	ERR_clear_error();
}

static void roundtrip(TALLOC_CTX *mem, bool rsa, unsigned bits)
{
	struct ae_key *k = gen(mem, rsa, bits), *back = NULL;
	struct ae_key_spec spec;
	char *pem = NULL;
	size_t len = 0;

	pem_is_blob(mem, k, &pem, &len);
	assert_int_equal(ae_key_from_pem(mem, (const uint8_t *)pem, len, &back), AE_OK);
	assert_int_equal(back->source, AE_KEY_SRC_TPM);
	assert_int_equal(EVP_PKEY_eq(k->pkey, back->pkey), 1);
	assert_int_equal(ae_key_get_spec(back, &spec), AE_OK);
	assert_int_equal(spec.kind, rsa ? AE_KEY_RSA : AE_KEY_EC);
	assert_int_equal(spec.bits, bits);
	talloc_free(k);
	talloc_free(back);
	talloc_free(pem);
}

static void test_rsa2048(void **state)
{
	roundtrip(*state, true, 2048);
}

static void test_p256(void **state)
{
	roundtrip(*state, false, 256);
}

static void test_p384(void **state)
{
	roundtrip(*state, false, 384);
}

/* The PKCS#10 signed in the TPM verifies with the plain reader (ae_csr_read.c). */
static void test_csr(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_key *k = gen(mem, true, 2048);
	struct ae_csr_info *info = NULL;
	uint8_t *der = NULL;
	size_t len = 0;

	assert_int_equal(ae_csr_build(mem, k, &g_params, &der, &len), AE_OK);
	assert_int_equal(ae_csr_parse(mem, der, len, &info), AE_OK);
	assert_int_equal(EVP_PKEY_eq(info->key->pkey, k->pkey), 1);
	talloc_free(info);
	talloc_free(der);
	talloc_free(k);
}

/*
 * A certificate for a TPM key (issued by a file CA) matches it, not
 * another key; a renewal signed by the TPM-held old key verifies.
 */
static void test_match_and_renewal(void **state)
{
	TALLOC_CTX *mem = *state;
	const struct pki_cert_opts ca_o = { .ca = true };
	struct ae_key *ca_key = pki_key(false), *old = gen(mem, false, 256);
	struct ae_key *fresh = gen(mem, false, 256), *other = pki_key(false);
	struct ae_cert *ca = pki_cert(mem, "TPM Test CA", ca_key, NULL, NULL, 1, 30, &ca_o);
	struct ae_cert *leaf = pki_cert(mem, "host.example.com", old, ca, ca_key, 2, 10, NULL);
	struct ae_csr_params p = g_params;
	struct ae_renewal *r = NULL;
	uint8_t *cder = NULL, *der = NULL;
	size_t clen = 0, len = 0;

	assert_int_equal(ae_cert_matches_key(leaf, old), AE_OK);
	assert_int_not_equal(ae_cert_matches_key(leaf, other), AE_OK);
	assert_int_equal(ae_cert_to_der(mem, leaf, &cder, &clen), AE_OK);
	p.renewal_cert_der = cder;
	p.renewal_cert_len = clen;
	assert_int_equal(ae_renewal_build(mem, fresh, &p, leaf, old, &der, &len), AE_OK);
	assert_int_equal(ae_renewal_parse(mem, der, len, &r), AE_OK);
	assert_true(r->signature_ok);
	assert_true(r->csr_signature_ok);
	/* same-key renewal: the TPM key signs its own renewal */
	TALLOC_FREE(r);
	TALLOC_FREE(der);
	assert_int_equal(ae_renewal_build(mem, old, &p, leaf, old, &der, &len), AE_OK);
	assert_int_equal(ae_renewal_parse(mem, der, len, &r), AE_OK);
	assert_true(r->signature_ok);
	talloc_free(r);
	talloc_free(der);
	talloc_free(cder);
	talloc_free(leaf);
	talloc_free(ca);
	talloc_free(old);
	talloc_free(fresh);
	talloc_free(other);
	talloc_free(ca_key);
}

/* File keys are untouched: plain PKCS#8, source file. */
static void test_file_key_unchanged(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_key *k = pki_key(false);
	char *pem = NULL;
	size_t len = 0;

	assert_int_equal(k->source, AE_KEY_SRC_FILE);
	assert_null(k->libctx);
	assert_int_equal(ae_key_to_pem(mem, k, &pem, &len), AE_OK);
	assert_int_equal(ae_key_pem_source((const uint8_t *)pem, len), AE_KEY_SRC_FILE);
	talloc_free(pem);
	talloc_free(k);
}

/* The TPM gone: open, generate and load all say AE_ERR_UNAVAILABLE, with the cause. */
static void test_tpm_gone(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_key_spec spec = { .kind = AE_KEY_EC, .bits = 256 };
	struct ae_key *k = gen(mem, false, 256), *back = NULL;
	char *pem = NULL, why[256] = "";
	size_t len = 0;

	assert_int_equal(ae_key_to_pem(mem, k, &pem, &len), AE_OK);
	TALLOC_FREE(k);
	swtpm(g_dir, "stop");
	assert_int_equal(ae_key_tpm_configure(g_tcti), AE_OK);	/* a fresh context */
	assert_int_equal(ae_key_tpm_open(why, sizeof(why)), AE_ERR_UNAVAILABLE);
	assert_non_null(strstr(why, g_tcti));
	assert_int_equal(ae_key_tpm_generate(mem, &spec, &k), AE_ERR_UNAVAILABLE);
	assert_null(k);
	assert_int_equal(ae_key_from_pem(mem, (const uint8_t *)pem, len, &back),
			 AE_ERR_UNAVAILABLE);
	assert_null(back);
	/* back again: the same blob loads (the state directory kept the TPM's seeds) */
	swtpm(g_dir, "start");
	assert_int_equal(ae_key_tpm_configure(g_tcti), AE_OK);
	assert_int_equal(ae_key_from_pem(mem, (const uint8_t *)pem, len, &back), AE_OK);
	talloc_free(back);
	talloc_free(pem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tcti_valid, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_rsa2048, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_p256, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_p384, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_csr, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_match_and_renewal, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_file_key_unchanged, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_tpm_gone, leak_setup, leak_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
