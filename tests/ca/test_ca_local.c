/*
 * test_ca_local.c: the directory-free parts of ca-local: its JSON strings
 * (RFC 8259 §7 escapes) and base64, and a subordinate CA's chain.pem added
 * to the PKCS#7 it returns (ca_local_chain.h; absent file: unchanged; a
 * symbolic link: refused).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include "ca_local.h"
#include "ca_local_chain.h"

static char *json_of(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	cl_json_str(f, s);
	fclose(f);
	return buf;
}

static void test_json_str(void **state)
{
	char *o;

	(void)state;
	o = json_of("LAB\\MEMBER1$ \"q\"\n\x01\x7f \xc3\xa9");
	assert_string_equal(o, "\"LAB\\\\MEMBER1$ \\\"q\\\"\\u000a\\u0001\\u007f \xc3\xa9\"");
	free(o);
	o = json_of(NULL);
	assert_string_equal(o, "null");
	free(o);
}

static void test_json_b64(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(cl_json_b64(f, (const uint8_t *)"\x03\x02\x05\xa0", 4), AE_OK);
	fputc(' ', f);
	assert_int_equal(cl_json_b64(f, NULL, 0), AE_OK);
	fclose(f);
	assert_string_equal(buf, "\"AwIFoA==\" null");
	free(buf);
}

/* A self-signed certificate (CN=name), PEM-appended to path when path != NULL. */
static X509 *self_signed(const char *name, const char *path)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	FILE *f;

	assert_non_null(k);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)name, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_set_pubkey(x, k);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	EVP_PKEY_free(k);
	if (path != NULL) {
		f = fopen(path, "a");
		assert_non_null(f);
		PEM_write_X509(f, x);
		fclose(f);
	}
	return x;
}

/* A certs-only PKCS#7 of x, DER on mem. */
static struct ca_bytes p7_of(TALLOC_CTX *mem, X509 *x)
{
	PKCS7 *p7 = PKCS7_new();
	unsigned char *der = NULL;
	struct ca_bytes out;
	int n;

	assert_int_equal(PKCS7_set_type(p7, NID_pkcs7_signed), 1);
	assert_int_equal(PKCS7_content_new(p7, NID_pkcs7_data), 1);
	assert_int_equal(PKCS7_add_certificate(p7, x), 1);
	n = i2d_PKCS7(p7, &der);
	assert_true(n > 0);
	out.p = talloc_memdup(mem, der, (size_t)n);
	out.len = (size_t)n;
	OPENSSL_free(der);
	PKCS7_free(p7);
	return out;
}

static int p7_count(const struct ca_bytes *b)
{
	const unsigned char *q = b->p;
	PKCS7 *p7 = d2i_PKCS7(NULL, &q, (long)b->len);
	int n;

	assert_non_null(p7);
	n = sk_X509_num(p7->d.sign->cert);
	PKCS7_free(p7);
	return n;
}

static void test_chain_extend(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char dir[] = "/tmp/test_ca_local.XXXXXX", path[64], link[64];
	struct ca_ctx ca = { .name = (char *)"LAB-CA2" };
	struct ca_bytes p7, before;
	X509 *leaf, *root, *root2;

	(void)state;
	assert_non_null(mkdtemp(dir));
	ca.dir = dir;
	leaf = self_signed("leaf", NULL);
	p7 = p7_of(mem, leaf);
	before = p7;
	/* no chain.pem: unchanged */
	assert_int_equal(cl_chain_extend(mem, &ca, &p7), AE_OK);
	assert_ptr_equal(p7.p, before.p);
	assert_int_equal(p7_count(&p7), 1);
	/* two certificates above: all three */
	snprintf(path, sizeof(path), "%s/chain.pem", dir);
	root = self_signed("root", path);
	root2 = self_signed("root2", path);
	assert_int_equal(cl_chain_extend(mem, &ca, &p7), AE_OK);
	assert_int_equal(p7_count(&p7), 3);
	/* chain.pem a symbolic link: refused, the answer stays as it was */
	snprintf(link, sizeof(link), "%s/elsewhere.pem", dir);
	assert_int_equal(rename(path, link), 0);
	assert_int_equal(symlink(link, path), 0);
	before = p7;
	assert_int_equal(cl_chain_extend(mem, &ca, &p7), AE_ERR_IO);
	assert_ptr_equal(p7.p, before.p);
	unlink(path);
	unlink(link);
	rmdir(dir);
	X509_free(leaf);
	X509_free(root);
	X509_free(root2);
	assert_int_equal(talloc_total_blocks(mem), 1 + 2);	/* mem, the PKCS#7 and its extension */
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_json_b64),
		cmocka_unit_test(test_chain_extend),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
