/*
 * test_ca_fault.c: the test CA's fault switch (ca_fault.h): parsing, the
 * ca-admin command, and what each mode does to an answer and to its NDR.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include "ndr_icpr.h"
#include "ca.h"
#include "ca_ctx.h"
#include "ca_fault.h"
#include "ca_policy.h"
#include "test_ca_fixture.h"

static ae_err parse(struct fixture *f, const char *s, struct ca_fault *out)
{
	return ca_fault_parse(f->t, (const uint8_t *)s, strlen(s), out);
}

static void test_fault_parse(void **state)
{
	struct fixture *f = *state;
	struct ca_fault x;

	assert_int_equal(parse(f, "", &x), AE_OK);
	assert_int_equal(x.kind, CA_FAULT_NONE);
	assert_int_equal(parse(f, "other-key\n", &x), AE_OK);
	assert_int_equal(x.kind, CA_FAULT_OTHER_KEY);
	assert_null(x.template_name);
	assert_int_equal(parse(f, "slow 7 template=LabMachine\n", &x), AE_OK);
	assert_int_equal(x.kind, CA_FAULT_SLOW);
	assert_int_equal(x.n, 7);
	assert_string_equal(x.template_name, "LabMachine");
	assert_true(ca_fault_applies(&x, "labmachine"));
	assert_false(ca_fault_applies(&x, "Other"));
	assert_false(ca_fault_applies(&x, NULL));
	assert_int_equal(parse(f, "huge", &x), AE_OK);
	assert_int_equal(x.n, ICPR_BLOB_MAX + 1);
	assert_true(ca_fault_applies(&x, NULL));
	/* refused: unknown mode, a delay without its seconds, numbers out of range, junk */
	assert_int_equal(parse(f, "explode", &x), AE_ERR_PARSE);
	assert_int_equal(parse(f, "slow", &x), AE_ERR_PARSE);
	assert_int_equal(parse(f, "slow 0", &x), AE_ERR_PARSE);
	assert_int_equal(parse(f, "slow 3601", &x), AE_ERR_PARSE);
	assert_int_equal(parse(f, "huge 99999999999", &x), AE_ERR_PARSE);
	assert_int_equal(parse(f, "other-key 3", &x), AE_ERR_PARSE);
	assert_int_equal(parse(f, "other-key template=", &x), AE_ERR_PARSE);
	assert_int_equal(parse(f, "garbage-cert x", &x), AE_ERR_PARSE);
}

static void test_fault_switch_file(void **state)
{
	struct fixture *f = *state;
	struct ca_fault x;

	assert_int_equal(ca_fault_read(f->t, f->dir, &x), AE_OK);
	assert_int_equal(x.kind, CA_FAULT_NONE);
	assert_int_equal(ca_admin(f, "fault foreign-chain template=LabMachine 2>/dev/null"), 0);
	assert_int_equal(ca_fault_read(f->t, f->dir, &x), AE_OK);
	assert_int_equal(x.kind, CA_FAULT_FOREIGN_CHAIN);
	assert_string_equal(x.template_name, "LabMachine");
	assert_int_equal(ca_admin(f, "fault off 2>/dev/null"), 0);
	assert_int_equal(ca_fault_read(f->t, f->dir, &x), AE_OK);
	assert_int_equal(x.kind, CA_FAULT_NONE);
	assert_int_equal(ca_admin(f, "fault explode 2>/dev/null"), 1);
}

static struct ca_answer *issued(struct fixture *f)
{
	struct csr_opts o = { .key = f->key, .oid = TOID, .major = 100, .minor = 3 };
	struct ca_answer *a = ask(f, &f->machine, "CertificateTemplate:LabMachine", &o);

	X509_free(check_issued(f, a));
	return a;
}

static X509 *leaf_of(const struct ca_answer *a)
{
	const unsigned char *q = a->cert.p;

	return d2i_X509(NULL, &q, (long)a->cert.len);
}

static void test_fault_payload(void **state)
{
	struct fixture *f = *state;
	struct ca_fault x;
	struct ca_answer *a = issued(f);
	size_t len = a->cert.len, chain_len = a->chain.len;
	const unsigned char *q = NULL;
	X509 *leaf = NULL;
	PKCS7 *p7 = NULL;
	STACK_OF(X509) *certs = NULL;

	assert_int_equal(parse(f, "truncate-cert", &x), AE_OK);
	assert_int_equal(ca_fault_answer(&x, f->ca, a), AE_OK);
	assert_int_equal(a->cert.len, len / 2);
	assert_int_equal(a->chain.len, chain_len);
	a = issued(f);
	assert_int_equal(parse(f, "garbage-chain", &x), AE_OK);
	chain_len = a->chain.len;
	assert_int_equal(ca_fault_answer(&x, f->ca, a), AE_OK);
	assert_int_equal(a->chain.len, chain_len);
	q = a->chain.p;
	p7 = d2i_PKCS7(NULL, &q, (long)a->chain.len);
	assert_null(p7);

	/* other-key: signed by the CA as usual, for a key that is not the requester's */
	a = issued(f);
	assert_int_equal(parse(f, "other-key", &x), AE_OK);
	assert_int_equal(ca_fault_answer(&x, f->ca, a), AE_OK);
	leaf = leaf_of(a);
	assert_non_null(leaf);
	assert_int_equal(X509_verify(leaf, f->ca->key), 1);
	assert_int_not_equal(EVP_PKEY_eq(X509_get0_pubkey(leaf), f->key), 1);
	X509_free(leaf);

	/* foreign-chain: same issuer name, another key, and that CA in the chain */
	a = issued(f);
	assert_int_equal(parse(f, "foreign-chain", &x), AE_OK);
	assert_int_equal(ca_fault_answer(&x, f->ca, a), AE_OK);
	leaf = leaf_of(a);
	assert_non_null(leaf);
	assert_int_not_equal(X509_verify(leaf, f->ca->key), 1);
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(leaf), f->key), 1);
	q = a->chain.p;
	p7 = d2i_PKCS7(NULL, &q, (long)a->chain.len);
	assert_non_null(p7);
	certs = p7->d.sign->cert;
	assert_int_equal(sk_X509_num(certs), 2);
	assert_int_equal(X509_NAME_cmp(X509_get_subject_name(sk_X509_value(certs, 1)),
				       X509_get_subject_name(f->ca->cert)), 0);
	assert_int_equal(X509_verify(leaf, X509_get0_pubkey(sk_X509_value(certs, 1))), 1);
	PKCS7_free(p7);
	X509_free(leaf);

	/* an answer without a certificate is left alone */
	a = issued(f);
	a->cert.len = 0;
	assert_int_equal(ca_fault_answer(&x, f->ca, a), AE_OK);
	assert_int_equal(a->cert.len, 0);
}

/* The stub of an issued answer, with fault mode s applied; the client's pull of it. */
static ae_err stub_pull(struct fixture *f, const char *s, size_t *_len)
{
	struct ca_fault x;
	struct ca_answer *a = issued(f);
	struct icpr_response *r = NULL, *back = NULL;
	uint8_t *out = NULL;
	size_t len = 0;

	assert_int_equal(parse(f, s, &x), AE_OK);
	assert_int_equal(ca_answer_response(f->t, a, &r), AE_OK);
	assert_int_equal(icpr_response_push(f->t, r, &out, &len), AE_OK);
	assert_int_equal(ca_fault_stub(f->t, &x, &out, &len), AE_OK);
	*_len = len;
	return icpr_response_pull(f->t, out, len, &back);
}

static void test_fault_stub(void **state)
{
	struct fixture *f = *state;
	size_t len = 0;

	assert_int_equal(stub_pull(f, "truncate-cert", &len), AE_OK);	/* not an NDR mode */
	assert_int_equal(stub_pull(f, "ndr-truncate", &len), AE_ERR_PARSE);
	assert_int_equal(stub_pull(f, "ndr-length", &len), AE_ERR_PARSE);
	assert_int_not_equal(stub_pull(f, "ndr-garbage", &len), AE_OK);
	assert_int_equal(stub_pull(f, "huge 100", &len), AE_OK);
	assert_int_equal(stub_pull(f, "huge", &len), AE_ERR_TOO_LARGE);
	assert_true(len > ICPR_BLOB_MAX);
}

int ca_fault_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_parse),
		cmocka_unit_test(test_fault_switch_file),
		cmocka_unit_test(test_fault_payload),
		cmocka_unit_test(test_fault_stub),
	};

	return cmocka_run_group_tests_name("ca_fault", tests, setup, teardown);
}
