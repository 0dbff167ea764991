/*
 * test_https_hdr.c: the pure parts of the HTTPS transport
 * (source/transport/ae_https_priv.h): the WWW-Authenticate parser and the
 * Authorization value (RFC 7235, RFC 4559), and the RFC 5929 §4.1 hash of
 * the tls-server-end-point channel binding.
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
#include <talloc.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "ae_https_priv.h"
#include "leak_check.h"

/* ---- WWW-Authenticate ---- */

static struct ae_negotiate_hdr *parse_ok(TALLOC_CTX *mem, const char *v)
{
	struct ae_negotiate_hdr *h = NULL;

	assert_int_equal(ae_negotiate_hdr_parse(mem, (const uint8_t *)v, strlen(v), &h), AE_OK);
	assert_non_null(h);
	return h;
}

static void parse_fails(TALLOC_CTX *mem, const char *v, size_t len, ae_err want)
{
	struct ae_negotiate_hdr *sentinel = (struct ae_negotiate_hdr *)(uintptr_t)0x1;
	struct ae_negotiate_hdr *h = sentinel;
	size_t before = talloc_total_blocks(mem);
	ae_err err = ae_negotiate_hdr_parse(mem, (const uint8_t *)v, len, &h);

	if (err != want) {
		print_error("\"%.*s\": %d, wanted %d\n", (int)(len < 60 ? len : 60), v, err, want);
	}
	assert_int_equal(err, want);
	assert_ptr_equal(h, sentinel);		/* untouched on failure */
	assert_int_equal(talloc_total_blocks(mem), before);
}

static void want_token(TALLOC_CTX *mem, const char *v, const char *token)
{
	struct ae_negotiate_hdr *h = parse_ok(mem, v);

	assert_true(h->negotiate);
	if (token == NULL) {
		assert_null(h->token);
		assert_int_equal(h->token_len, 0);
	} else {
		assert_int_equal(h->token_len, strlen(token));
		assert_memory_equal(h->token, token, h->token_len);
	}
	talloc_free(h);
}

static void test_hdr_accepts(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_negotiate_hdr *h;

	want_token(mem, "Negotiate", NULL);
	want_token(mem, "Negotiate YWJj", "abc");
	want_token(mem, "negotiate   YWI=  ", "ab");
	want_token(mem, "NEGOTIATE YQ==", "a");
	want_token(mem, "Basic realm=\"x\", Negotiate YWI=", "ab");
	want_token(mem, "Negotiate YQ==, NTLM", "a");
	want_token(mem, "Basic realm=\"a, b \\\" c\", charset=\"UTF-8\", Negotiate", NULL);
	want_token(mem, ", ,Negotiate YWJj,", "abc");
	want_token(mem, "Bearer realm=x, error=invalid_token,Negotiate YWJjZA==", "abcd");
	want_token(mem, "Foo abc=, Negotiate YWJj", "abc");	/* Foo with a token68 */
	h = parse_ok(mem, "NTLM");
	assert_false(h->negotiate);
	assert_null(h->token);
	talloc_free(h);
	h = parse_ok(mem, "Basic realm=\"Negotiate YWJj\"");
	assert_false(h->negotiate);
	talloc_free(h);
}

static void test_hdr_refuses(void **state)
{
	TALLOC_CTX *mem = *state;
	char *big;
	size_t n;

	parse_fails(mem, "", 0, AE_ERR_PARSE);
	parse_fails(mem, " , ,", 4, AE_ERR_PARSE);
	parse_fails(mem, "Negotiate YWJj, Negotiate YWJj", 30, AE_ERR_PARSE);
	parse_fails(mem, "Negotiate, Negotiate", 20, AE_ERR_PARSE);
	parse_fails(mem, "Negotiate realm=x", 17, AE_ERR_PARSE);
	parse_fails(mem, "Negotiate YWJ", 13, AE_ERR_PARSE);		/* not a multiple of 4 */
	parse_fails(mem, "Negotiate YR==", 14, AE_ERR_PARSE);		/* non-canonical bits */
	parse_fails(mem, "Negotiate YWJ=", 14, AE_ERR_PARSE);		/* non-canonical bits */
	parse_fails(mem, "Negotiate Y===", 14, AE_ERR_PARSE);
	parse_fails(mem, "Negotiate YW-j", 14, AE_ERR_PARSE);		/* base64url */
	parse_fails(mem, "Negotiate YWJj YWJj", 19, AE_ERR_PARSE);
	parse_fails(mem, "Negotiate\tYWJj", 14, AE_ERR_PARSE);
	parse_fails(mem, "Negotiate YW\001j", 14, AE_ERR_PARSE);
	parse_fails(mem, "Negotiate YWJj\r\n", 16, AE_ERR_PARSE);
	parse_fails(mem, "Negotiate \xc3\xa9", 12, AE_ERR_PARSE);
	parse_fails(mem, "Negotiate YW\0j", 14, AE_ERR_PARSE);
	parse_fails(mem, "Basic realm=\"x", 14, AE_ERR_PARSE);	/* unterminated */
	parse_fails(mem, "Basic a=b=c", 11, AE_ERR_PARSE);
	parse_fails(mem, "=abc", 4, AE_ERR_PARSE);
	parse_fails(mem, "Basic realm=x y", 15, AE_ERR_PARSE);
	/* caps */
	n = AE_NEGOTIATE_HDR_MAX + 1;
	big = talloc_array(mem, char, n);
	assert_non_null(big);
	memset(big, 'A', n);
	memcpy(big, "Negotiate ", 10);
	parse_fails(mem, big, n, AE_ERR_TOO_LARGE);
	n = 10 + AE_NEGOTIATE_B64_MAX + 4;
	parse_fails(mem, big, n, AE_ERR_TOO_LARGE);
	n = 10 + AE_NEGOTIATE_B64_MAX;				/* exactly the cap: decoded */
	{
		struct ae_negotiate_hdr *h = NULL;

		assert_int_equal(ae_negotiate_hdr_parse(mem, (const uint8_t *)big, n, &h), AE_OK);
		assert_int_equal(h->token_len, AE_NEGOTIATE_B64_MAX / 4 * 3);
		talloc_free(h);
	}
	talloc_free(big);
	assert_int_equal(ae_negotiate_hdr_parse(mem, NULL, 0, NULL), AE_ERR_INVALID);
}

static void test_hdr_round_trip(void **state)
{
	TALLOC_CTX *mem = *state;
	uint8_t token[7] = { 0x60, 0x81, 0xff, 0x00, 0x3e, 0x3f, 0x80 };
	size_t n;

	for (n = 0; n <= sizeof(token); n++) {
		char *v = ae_negotiate_hdr_value(mem, token, n);
		struct ae_negotiate_hdr *h;

		assert_non_null(v);
		assert_memory_equal(v, "Negotiate ", 10);
		h = parse_ok(mem, v);
		assert_true(h->negotiate);
		assert_int_equal(h->token_len, n);
		if (n > 0) {
			assert_memory_equal(h->token, token, n);
		}
		talloc_free(h);
		talloc_free(v);
	}
	{
		char *v = ae_negotiate_hdr_value(mem, (const uint8_t *)"abc", 3);

		assert_string_equal(v, "Negotiate YWJj");
		talloc_free(v);
	}
}

/* ---- RFC 5929 §4.1 ---- */

static X509 *signed_with(EVP_PKEY *key, const EVP_MD *md)
{
	X509 *c = X509_new();
	X509_NAME *name = X509_NAME_new();

	assert_non_null(c);
	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), 7);
	X509_gmtime_adj(X509_getm_notBefore(c), 0);
	X509_gmtime_adj(X509_getm_notAfter(c), 3600);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"cb", -1, -1, 0);
	X509_set_subject_name(c, name);
	X509_set_issuer_name(c, name);
	X509_NAME_free(name);
	X509_set_pubkey(c, key);
	assert_true(X509_sign(c, key, md) > 0);
	return c;
}

static void want_md(EVP_PKEY *key, const EVP_MD *sign, int want_nid)
{
	X509 *c = signed_with(key, sign);
	char why[256] = "";
	const EVP_MD *md = ae_https_cb_md(c, why, sizeof(why));

	assert_non_null(md);
	assert_int_equal(EVP_MD_get_type(md), want_nid);
	X509_free(c);
}

static void test_cb_hash(void **state)
{
	TALLOC_CTX *mem = *state;
	EVP_PKEY *ec = EVP_EC_gen("P-256");
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	X509 *c;
	uint8_t *data = NULL;
	size_t len = 0;
	unsigned char *der = NULL;
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	int dlen;
	char why[256] = "";

	assert_non_null(ec);
	assert_non_null(ed);
	/* MD5 and SHA-1 are replaced by SHA-256; any other hash is kept */
	want_md(ec, EVP_sha1(), NID_sha256);
	want_md(ec, EVP_sha256(), NID_sha256);
	want_md(ec, EVP_sha384(), NID_sha384);
	want_md(ec, EVP_sha512(), NID_sha512);
	/* Ed25519 signs without a separate hash: undefined in RFC 5929, refused */
	c = signed_with(ed, NULL);
	assert_null(ae_https_cb_md(c, why, sizeof(why)));
	assert_non_null(strstr(why, "RFC 5929"));
	assert_int_equal(ae_https_cb_data(mem, c, &data, &len, why, sizeof(why)),
			 AE_ERR_UNSUPPORTED);
	assert_null(data);
	X509_free(c);
	/* the application data: the prefix and SHA-384 of the DER for a sha384 signature */
	c = signed_with(ec, EVP_sha384());
	assert_int_equal(ae_https_cb_data(mem, c, &data, &len, why, sizeof(why)), AE_OK);
	dlen = i2d_X509(c, &der);
	assert_true(dlen > 0);
	assert_int_equal(EVP_Digest(der, (size_t)dlen, h, &hlen, EVP_sha384(), NULL), 1);
	assert_int_equal(len, 21 + 48);
	assert_memory_equal(data, "tls-server-end-point:", 21);
	assert_memory_equal(data + 21, h, hlen);
	OPENSSL_free(der);
	talloc_free(data);
	X509_free(c);
	/* SHA-1 signed: SHA-256 of the DER */
	c = signed_with(ec, EVP_sha1());
	assert_int_equal(ae_https_cb_data(mem, c, &data, &len, why, sizeof(why)), AE_OK);
	der = NULL;
	dlen = i2d_X509(c, &der);
	assert_int_equal(EVP_Digest(der, (size_t)dlen, h, &hlen, EVP_sha256(), NULL), 1);
	assert_int_equal(len, 21 + 32);
	assert_memory_equal(data + 21, h, 32);
	OPENSSL_free(der);
	talloc_free(data);
	X509_free(c);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(ed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hdr_accepts, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_hdr_refuses, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_hdr_round_trip, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_cb_hash, leak_setup, leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
