/*
 * test_request.c: key specs, key generation, PEM round trips and the OS
 * version attribute (source/request/ae_key.h, ae_csr.h).
 *
 * Leak check: talloc null tracking is on, and every test's teardown
 * requires the number of talloc blocks reachable from NULL to be what it
 * was before the test; OpenSSL objects are covered by ASan's leak check.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "leak_check.h"
#include <openssl/evp.h>
#include <openssl/pem.h>
#include "ae_csr.h"
#include "ae_enroll_private.h"
#include "ae_key.h"
#include "ae_sid.h"
#include "ae_template.h"

struct spec_case {
	const char *in;
	ae_err err;
	int kind;
	unsigned bits;
};

static void test_key_spec_parse(void **state)
{
	static const struct spec_case cases[] = {
		{ "rsa:2048", AE_OK, AE_KEY_RSA, 2048 },
		{ "rsa:2056", AE_OK, AE_KEY_RSA, 2056 },
		{ "rsa:3072", AE_OK, AE_KEY_RSA, 3072 },
		{ "rsa:4096", AE_OK, AE_KEY_RSA, 4096 },
		{ "rsa:16384", AE_OK, AE_KEY_RSA, 16384 },
		{ "ec:p256", AE_OK, AE_KEY_EC, 256 },
		{ "ec:p384", AE_OK, AE_KEY_EC, 384 },
		{ "ec:p521", AE_OK, AE_KEY_EC, 521 },
		/* strict: no bare "rsa", no upper case, no curve aliases */
		{ "rsa", AE_ERR_INVALID, 0, 0 },
		{ "RSA:2048", AE_ERR_INVALID, 0, 0 },
		{ "Rsa:4096", AE_ERR_INVALID, 0, 0 },
		{ "EC:P-256", AE_ERR_INVALID, 0, 0 },
		{ "ec:P256", AE_ERR_INVALID, 0, 0 },
		{ "ec:p-256", AE_ERR_INVALID, 0, 0 },
		{ "ec:prime256v1", AE_ERR_INVALID, 0, 0 },
		{ "ec:secp384r1", AE_ERR_INVALID, 0, 0 },
		{ "rsa:100", AE_ERR_INVALID, 0, 0 },
		{ "ec:p999", AE_ERR_INVALID, 0, 0 },
		{ "rsa:1024", AE_ERR_INVALID, 0, 0 },
		{ "rsa:2047", AE_ERR_INVALID, 0, 0 },
		{ "rsa:2049", AE_ERR_INVALID, 0, 0 },
		{ "rsa:2050", AE_ERR_INVALID, 0, 0 },
		{ "rsa:16392", AE_ERR_INVALID, 0, 0 },
		{ "rsa:99999", AE_ERR_INVALID, 0, 0 },
		{ "rsa:184467440737095516160", AE_ERR_INVALID, 0, 0 },
		{ "rsa:02048", AE_ERR_INVALID, 0, 0 },
		{ "rsa:+2048", AE_ERR_INVALID, 0, 0 },
		{ "rsa:-2048", AE_ERR_INVALID, 0, 0 },
		{ "rsa: 2048", AE_ERR_INVALID, 0, 0 },
		{ "rsa:2048 ", AE_ERR_INVALID, 0, 0 },
		{ "rsa:", AE_ERR_INVALID, 0, 0 },
		{ "rsa2048", AE_ERR_INVALID, 0, 0 },
		{ " rsa", AE_ERR_INVALID, 0, 0 },
		{ "ec", AE_ERR_INVALID, 0, 0 },
		{ "ec:", AE_ERR_INVALID, 0, 0 },
		{ "ec:p256x", AE_ERR_INVALID, 0, 0 },
		{ "ed25519", AE_ERR_INVALID, 0, 0 },
		{ "dsa:2048", AE_ERR_INVALID, 0, 0 },
		{ "", AE_ERR_INVALID, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ae_key_spec s = { .kind = AE_KEY_EC, .bits = 12345 };
		ae_err err = ae_key_spec_parse(cases[i].in, &s);

		if (err != cases[i].err) {
			fail_msg("'%s': got %d, want %d", cases[i].in, err, cases[i].err);
		}
		if (err == AE_OK) {
			assert_int_equal(s.kind, cases[i].kind);
			assert_int_equal(s.bits, cases[i].bits);
		} else {
			/* untouched on failure */
			assert_int_equal(s.kind, AE_KEY_EC);
			assert_int_equal(s.bits, 12345);
		}
	}
	assert_int_equal(ae_key_spec_parse(NULL, &(struct ae_key_spec){ 0 }), AE_ERR_INVALID);
	assert_int_equal(ae_key_spec_parse("rsa:2048", NULL), AE_ERR_INVALID);
}

static void test_key_spec_apply_minimum(void **state)
{
	struct ae_key_spec s;
	char buf[32];

	(void)state;
	s = (struct ae_key_spec){ .kind = AE_KEY_RSA, .bits = 2048 };
	assert_int_equal(ae_key_spec_apply_minimum(&s, 4096), AE_OK);
	assert_int_equal(s.bits, 4096);
	assert_string_equal(ae_key_spec_describe(&s, buf, sizeof(buf)), "RSA-4096");

	s = (struct ae_key_spec){ .kind = AE_KEY_RSA, .bits = 3072 };
	assert_int_equal(ae_key_spec_apply_minimum(&s, 1024), AE_OK);
	assert_int_equal(s.bits, 3072);
	assert_int_equal(ae_key_spec_apply_minimum(&s, 0), AE_OK);
	assert_int_equal(s.bits, 3072);
	assert_int_equal(ae_key_spec_apply_minimum(&s, 3072), AE_OK);
	assert_int_equal(s.bits, 3072);

	/* rounded up to whole bytes */
	s = (struct ae_key_spec){ .kind = AE_KEY_RSA, .bits = 2048 };
	assert_int_equal(ae_key_spec_apply_minimum(&s, 3001), AE_OK);
	assert_int_equal(s.bits, 3008);

	/* beyond what we generate: refused, spec unchanged */
	s = (struct ae_key_spec){ .kind = AE_KEY_RSA, .bits = 2048 };
	assert_int_equal(ae_key_spec_apply_minimum(&s, 16385), AE_ERR_UNSUPPORTED);
	assert_int_equal(s.bits, 2048);

	/* EC stays, whatever an RSA-minded template asks for */
	s = (struct ae_key_spec){ .kind = AE_KEY_EC, .bits = 256 };
	assert_int_equal(ae_key_spec_apply_minimum(&s, 2048), AE_OK);
	assert_int_equal(s.kind, AE_KEY_EC);
	assert_int_equal(s.bits, 256);
	assert_string_equal(ae_key_spec_describe(&s, buf, sizeof(buf)), "EC P-256");
	s = (struct ae_key_spec){ .kind = AE_KEY_EC, .bits = 384 };
	assert_int_equal(ae_key_spec_apply_minimum(&s, 256), AE_OK);
	assert_int_equal(s.bits, 384);

	/* invalid specs */
	s = (struct ae_key_spec){ .kind = AE_KEY_RSA, .bits = 1024 };
	assert_int_equal(ae_key_spec_apply_minimum(&s, 2048), AE_ERR_INVALID);
	s = (struct ae_key_spec){ .kind = AE_KEY_EC, .bits = 512 };
	assert_int_equal(ae_key_spec_apply_minimum(&s, 0), AE_ERR_INVALID);
	assert_int_equal(ae_key_spec_apply_minimum(NULL, 0), AE_ERR_INVALID);
}

static void check_generated(TALLOC_CTX *mem, const char *spec_text, const char *want_desc,
			    int want_bits)
{
	TALLOC_CTX *tmp = talloc_new(mem);
	struct ae_key_spec spec;
	struct ae_key_spec back;
	struct ae_key *key = NULL;
	char desc[32];

	assert_non_null(tmp);
	assert_int_equal(ae_key_spec_parse(spec_text, &spec), AE_OK);
	assert_int_equal(ae_key_generate(tmp, &spec, &key), AE_OK);
	assert_non_null(key);
	assert_non_null(key->pkey);
	assert_ptr_equal(talloc_parent(key), tmp);
	assert_int_equal(EVP_PKEY_get_bits(key->pkey), want_bits);
	assert_string_equal(ae_key_describe(key, desc, sizeof(desc)), want_desc);
	assert_int_equal(ae_key_get_spec(key, &back), AE_OK);
	assert_int_equal(back.kind, spec.kind);
	assert_int_equal(back.bits, spec.bits);
	/* freeing the parent frees the key (ASan would report the EVP_PKEY) */
	talloc_free(tmp);
}

static void test_key_generate_rsa(void **state)
{
	check_generated(*state, "rsa:2048", "RSA-2048", 2048);
}

static void test_key_generate_ec(void **state)
{
	check_generated(*state, "ec:p256", "EC P-256", 256);
	check_generated(*state, "ec:p384", "EC P-384", 384);
}

/* P-521: generated, described and recognised (spec bits 521). */
static void test_key_generate_p521(void **state)
{
	struct ae_key_spec spec = { .kind = AE_KEY_EC, .bits = 521 };
	struct ae_key_spec back;
	struct ae_key *key = NULL;
	char desc[32];

	assert_string_equal(ae_key_spec_curve(&spec), "P-521");
	assert_int_equal(ae_key_generate(*state, &spec, &key), AE_OK);
	assert_int_equal(EVP_PKEY_get_bits(key->pkey), 521);
	assert_string_equal(ae_key_describe(key, desc, sizeof(desc)), "EC P-521");
	assert_int_equal(ae_key_get_spec(key, &back), AE_OK);
	assert_int_equal(back.kind, AE_KEY_EC);
	assert_int_equal(back.bits, 521);
	assert_string_equal(ae_key_spec_describe(&spec, desc, sizeof(desc)), "EC P-521");
	talloc_free(key);
	spec.bits = 512;
	assert_null(ae_key_spec_curve(&spec));
	spec = (struct ae_key_spec){ .kind = AE_KEY_RSA, .bits = 2048 };
	assert_null(ae_key_spec_curve(&spec));
}

/* A schema 4 CNG template with its msPKI-RA-Application-Policies properties. */
static struct ae_template cng_template(const char *alg, const char *hash)
{
	struct ae_template t = { .cn = (char *)"LabMachineP521", .schema_version = 4,
				 .min_key_size = 521 };

	t.ra.asymmetric_algorithm = (char *)alg;
	t.ra.hash_algorithm = (char *)hash;
	t.ra.present = (alg ? AE_RA_HAS_ASYMMETRIC_ALGORITHM : 0) |
		       (hash ? AE_RA_HAS_HASH_ALGORITHM : 0);
	return t;
}

/*
 * msPKI-Asymmetric-Algorithm ECDSA_P521 gives a P-521 key (the cycle gave
 * P-256 for every ECDSA_P* but P384); P256, P384, RSA; legacy provider and
 * schema 2 name nothing; ECDH is not a signature key.
 */
static void test_template_ecdsa_p521_gets_a_p521_key(void **state)
{
	struct ae_template t = cng_template("ECDSA_P521", NULL);
	struct ae_key_spec spec = { .kind = AE_KEY_RSA, .bits = 1 };

	(void)state;
	assert_int_equal(ae_enroll_template_key_spec(&t, &spec), AE_OK);
	assert_int_equal(spec.kind, AE_KEY_EC);
	assert_int_equal(spec.bits, 521);
	assert_int_equal(ae_key_spec_apply_minimum(&spec, t.min_key_size), AE_OK);
	assert_int_equal(spec.bits, 521);
	t.ra.asymmetric_algorithm = (char *)"ecdsa_p384";
	assert_int_equal(ae_enroll_template_key_spec(&t, &spec), AE_OK);
	assert_int_equal(spec.bits, 384);
	t.ra.asymmetric_algorithm = (char *)"ECDSA_P256";
	assert_int_equal(ae_enroll_template_key_spec(&t, &spec), AE_OK);
	assert_int_equal(spec.bits, 256);
	t.ra.asymmetric_algorithm = (char *)"RSA";
	assert_int_equal(ae_enroll_template_key_spec(&t, &spec), AE_OK);
	assert_int_equal(spec.kind, AE_KEY_RSA);
	assert_int_equal(spec.bits, AE_KEY_RSA_DEFAULT_BITS);
	t.ra.asymmetric_algorithm = (char *)"ECDH_P256";
	assert_int_equal(ae_enroll_template_key_spec(&t, &spec), AE_ERR_UNSUPPORTED);
	t.ra.asymmetric_algorithm = (char *)"ECDSA_P521";
	t.private_key_flag = CT_FLAG_USE_LEGACY_PROVIDER;
	assert_int_equal(ae_enroll_template_key_spec(&t, &spec), AE_ERR_NOT_FOUND);
	t.private_key_flag = 0;
	t.schema_version = 2;
	assert_int_equal(ae_enroll_template_key_spec(&t, &spec), AE_ERR_NOT_FOUND);
	t.schema_version = 3;
	t.ra.present = 0;
	assert_int_equal(ae_enroll_template_key_spec(&t, &spec), AE_ERR_NOT_FOUND);
	assert_int_equal(ae_key_spec_from_algorithm(NULL, &spec), AE_ERR_INVALID);
	assert_int_equal(ae_key_spec_from_algorithm("DSA", &spec), AE_ERR_UNSUPPORTED);
}

/*
 * What the template asks of the PKCS#10: msPKI-Hash-Algorithm, pKIKeyUsage
 * (critical per pKICriticalExtensions), msPKI-Certificate-Policy, and the
 * SID extension only with CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT.
 */
static void test_template_request_parameters(void **state)
{
	char *crit[] = { (char *)"2.5.29.15" };
	char *pols[] = { (char *)"1.2.3.4.5", (char *)"1.3.6.1.4.1.1" };
	struct ae_template t = cng_template("ECDSA_P384", "SHA384");
	struct ae_csr_params p = { 0 };
	struct ae_sid sid;

	assert_int_equal(ae_sid_from_string("S-1-5-21-1-2-3-1105", &sid), AE_OK);
	t.key_usage[0] = 0x80;
	t.key_usage_len = 2;
	t.critical_extensions = crit;
	t.num_critical_extensions = 1;
	t.cert_policies = pols;
	t.num_cert_policies = 2;
	t.name_flag = CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT;
	assert_int_equal(ae_enroll_template_csr_params(*state, &t, &sid, &p), AE_OK);
	assert_int_equal(p.hash, AE_CSR_HASH_SHA384);
	assert_int_equal(p.key_usage_len, 2);
	assert_int_equal(p.key_usage[0], 0x80);
	assert_string_equal(p.critical_oids[0], "2.5.29.15");
	assert_null(p.critical_oids[1]);
	assert_string_equal(p.cert_policies[0], "1.2.3.4.5");
	assert_string_equal(p.cert_policies[1], "1.3.6.1.4.1.1");
	assert_null(p.cert_policies[2]);
	assert_string_equal(p.sid, "S-1-5-21-1-2-3-1105");

	/* no enrollee-supplied subject: no SID; SHA1 is not honoured; v1: no policies */
	memset(&p, 0, sizeof(p));
	t.name_flag = CT_FLAG_SUBJECT_ALT_REQUIRE_DNS;
	t.ra.hash_algorithm = (char *)"SHA1";
	t.schema_version = 1;
	assert_int_equal(ae_enroll_template_csr_params(*state, &t, &sid, &p), AE_OK);
	assert_null(p.sid);
	assert_int_equal(p.hash, AE_CSR_HASH_SHA256);
	assert_null(p.cert_policies);
	t.schema_version = 4;
	memset(&p, 0, sizeof(p));
	assert_int_equal(ae_enroll_template_csr_params(*state, &t, &sid, &p), AE_OK);
	assert_int_equal(p.hash, AE_CSR_HASH_SHA256);
	talloc_free_children(*state);
}

static void test_key_generate_invalid(void **state)
{
	struct ae_key_spec bad = { .kind = AE_KEY_RSA, .bits = 1000 };
	struct ae_key *key = (struct ae_key *)0x1;

	assert_int_equal(ae_key_generate(*state, &bad, &key), AE_ERR_INVALID);
	assert_ptr_equal(key, (struct ae_key *)0x1);
	assert_int_equal(ae_key_generate(*state, NULL, &key), AE_ERR_INVALID);
	assert_int_equal(talloc_total_blocks(*state), 1);
}

static void pem_roundtrip(TALLOC_CTX *mem, const char *spec_text)
{
	TALLOC_CTX *tmp = talloc_new(mem);
	struct ae_key_spec spec;
	struct ae_key *key = NULL;
	struct ae_key *back = NULL;
	char *pem = NULL;
	size_t len = 0;

	assert_int_equal(ae_key_spec_parse(spec_text, &spec), AE_OK);
	assert_int_equal(ae_key_generate(tmp, &spec, &key), AE_OK);
	assert_int_equal(ae_key_to_pem(tmp, key, &pem, &len), AE_OK);
	assert_int_equal(strlen(pem), len);
	assert_ptr_equal(talloc_parent(pem), tmp);
	assert_true(strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
	assert_non_null(strstr(pem, "-----END PRIVATE KEY-----\n"));
	assert_int_equal(ae_key_from_pem(tmp, (const uint8_t *)pem, len, &back), AE_OK);
	assert_int_equal(EVP_PKEY_eq(key->pkey, back->pkey), 1);
	assert_ptr_equal(talloc_parent(back), tmp);
	talloc_free(tmp);
}

static void test_key_pem_roundtrip(void **state)
{
	pem_roundtrip(*state, "ec:p256");
	pem_roundtrip(*state, "ec:p384");
	pem_roundtrip(*state, "rsa:2048");
}

/* PEM text of key in another form written by OpenSSL itself */
static char *openssl_pem(TALLOC_CTX *mem, EVP_PKEY *pkey, bool traditional, bool encrypted)
{
	BIO *bio = BIO_new(BIO_s_mem());
	const EVP_CIPHER *enc = encrypted ? EVP_aes_128_cbc() : NULL;
	unsigned char pass[] = "secret";
	char *data = NULL;
	char *out = NULL;
	long n;
	int ok;

	assert_non_null(bio);
	if (traditional) {
		ok = PEM_write_bio_PrivateKey_traditional(bio, pkey, enc, encrypted ? pass : NULL,
							  encrypted ? 6 : 0, NULL, NULL);
	} else {
		ok = PEM_write_bio_PKCS8PrivateKey(bio, pkey, enc, encrypted ? (char *)pass : NULL,
						   encrypted ? 6 : 0, NULL, NULL);
	}
	assert_int_equal(ok, 1);
	n = BIO_get_mem_data(bio, &data);
	out = talloc_strndup(mem, data, (size_t)n);
	BIO_free(bio);
	assert_non_null(out);
	return out;
}

static void test_key_from_pem_forms(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_key_spec spec = { .kind = AE_KEY_EC, .bits = 256 };
	struct ae_key *key = NULL;
	struct ae_key *back = NULL;
	EVP_PKEY *ed = NULL;
	char *pem = NULL;

	assert_int_equal(ae_key_generate(mem, &spec, &key), AE_OK);

	/* traditional "EC PRIVATE KEY" is read */
	pem = openssl_pem(mem, key->pkey, true, false);
	assert_non_null(strstr(pem, "BEGIN EC PRIVATE KEY"));
	assert_int_equal(ae_key_from_pem(mem, (uint8_t *)pem, strlen(pem), &back), AE_OK);
	assert_int_equal(EVP_PKEY_eq(key->pkey, back->pkey), 1);
	TALLOC_FREE(back);

	/* encrypted forms are refused, without prompting */
	pem = openssl_pem(mem, key->pkey, true, true);
	assert_int_equal(ae_key_from_pem(mem, (uint8_t *)pem, strlen(pem), &back), AE_ERR_PARSE);
	pem = openssl_pem(mem, key->pkey, false, true);
	assert_non_null(strstr(pem, "BEGIN ENCRYPTED PRIVATE KEY"));
	assert_int_equal(ae_key_from_pem(mem, (uint8_t *)pem, strlen(pem), &back), AE_ERR_PARSE);
	assert_null(back);

	/* a key type we do not use */
	ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(ed);
	assert_int_equal(ae_key_from_evp(mem, ed, &back), AE_ERR_UNSUPPORTED);
	pem = openssl_pem(mem, ed, false, false);
	assert_int_equal(ae_key_from_pem(mem, (uint8_t *)pem, strlen(pem), &back),
			 AE_ERR_UNSUPPORTED);
	assert_null(back);
	EVP_PKEY_free(ed);

	/* ae_key_from_evp takes its own reference */
	assert_int_equal(ae_key_from_evp(mem, key->pkey, &back), AE_OK);
	TALLOC_FREE(key);
	assert_int_equal(EVP_PKEY_get_bits(back->pkey), 256);
	TALLOC_FREE(back);
}

static char *replace_all(TALLOC_CTX *mem, const char *s, const char *from, const char *to)
{
	char *out = talloc_strdup(mem, "");
	const char *hit = NULL;

	while ((hit = strstr(s, from)) != NULL) {
		out = talloc_asprintf_append(out, "%.*s%s", (int)(hit - s), s, to);
		s = hit + strlen(from);
	}
	out = talloc_strdup_append(out, s);
	assert_non_null(out);
	return out;
}

static void test_key_from_pem_bad(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_key_spec spec = { .kind = AE_KEY_EC, .bits = 256 };
	struct ae_key *key = NULL;
	struct ae_key *back = NULL;
	char *pem = NULL;
	char *s = NULL;
	uint8_t *big = NULL;
	size_t len = 0;
	size_t i;

	assert_int_equal(ae_key_generate(mem, &spec, &key), AE_OK);
	assert_int_equal(ae_key_to_pem(mem, key, &pem, &len), AE_OK);

	/* whitespace around is fine */
	s = talloc_asprintf(mem, "\n  %s\n\n", pem);
	assert_int_equal(ae_key_from_pem(mem, (uint8_t *)s, strlen(s), &back), AE_OK);
	TALLOC_FREE(back);

	s = talloc_asprintf(mem, "%sgarbage\n", pem);
	assert_int_equal(ae_key_from_pem(mem, (uint8_t *)s, strlen(s), &back), AE_ERR_TRAILING);
	s = talloc_asprintf(mem, "%s%s", pem, pem);
	assert_int_equal(ae_key_from_pem(mem, (uint8_t *)s, strlen(s), &back), AE_ERR_TRAILING);
	s = talloc_asprintf(mem, "junk\n%s", pem);
	assert_int_equal(ae_key_from_pem(mem, (uint8_t *)s, strlen(s), &back), AE_ERR_PARSE);
	assert_int_equal(ae_key_from_pem(mem, (uint8_t *)"", 0, &back), AE_ERR_PARSE);
	assert_int_equal(ae_key_from_pem(mem, (uint8_t *)" \n", 2, &back), AE_ERR_PARSE);

	/* a NUL inside */
	s = talloc_strdup(mem, pem);
	s[40] = '\0';
	assert_int_equal(ae_key_from_pem(mem, (uint8_t *)s, len, &back), AE_ERR_PARSE);

	/* corrupted base64 */
	s = talloc_strdup(mem, pem);
	s[40] = '*';
	assert_int_equal(ae_key_from_pem(mem, (uint8_t *)s, len, &back), AE_ERR_PARSE);

	/* another PEM type */
	s = replace_all(mem, pem, "PRIVATE KEY", "CERTIFICATE");
	assert_int_equal(ae_key_from_pem(mem, (uint8_t *)s, strlen(s), &back), AE_ERR_PARSE);

	/* every truncation fails */
	for (i = 0; i < len - 1; i++) {
		ae_err err = ae_key_from_pem(mem, (uint8_t *)pem, i, &back);
		if (err == AE_OK) {
			fail_msg("truncation at %zu accepted", i);
		}
	}

	/* over the cap */
	big = talloc_zero_array(mem, uint8_t, AE_KEY_PEM_MAX + 1);
	memset(big, ' ', AE_KEY_PEM_MAX + 1);
	assert_int_equal(ae_key_from_pem(mem, big, AE_KEY_PEM_MAX + 1, &back), AE_ERR_TOO_LARGE);
	assert_null(back);
	assert_int_equal(ae_key_from_pem(mem, NULL, 0, &back), AE_ERR_INVALID);
}

static void test_key_pem_buffer_owned(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_key_spec spec = { .kind = AE_KEY_EC, .bits = 256 };
	struct ae_key *key = NULL;
	char *pem = NULL;
	size_t len = 0;
	size_t before;

	assert_int_equal(ae_key_generate(mem, &spec, &key), AE_OK);
	before = talloc_total_blocks(mem);
	assert_int_equal(ae_key_to_pem(mem, key, &pem, &len), AE_OK);
	/* exactly one new block, the buffer itself */
	assert_int_equal(talloc_total_blocks(mem), before + 1);
	assert_int_equal(talloc_get_size(pem), len + 1);
	TALLOC_FREE(pem);
	assert_int_equal(talloc_total_blocks(mem), before);
	assert_int_equal(ae_key_to_pem(mem, NULL, &pem, &len), AE_ERR_INVALID);
}

struct osver_case {
	const char *release;
	ae_err err;
	const char *want;
};

static void test_os_version(void **state)
{
	static const struct osver_case cases[] = {
		{ "6.1.0-18-amd64", AE_OK, "6.1.0.2" },
		{ "6.1.0", AE_OK, "6.1.0.2" },
		{ "5.10.0-28-cloud-amd64", AE_OK, "5.10.0.2" },
		{ "6.8.12+bpo-amd64", AE_OK, "6.8.12.2" },
		{ "6.1", AE_OK, "6.1.0.2" },
		{ "6", AE_OK, "6.0.0.2" },
		{ "6.", AE_OK, "6.0.0.2" },
		{ "6.1.0.5", AE_OK, "6.1.0.2" },
		{ "4294967295.0.1", AE_OK, "4294967295.0.1.2" },
		{ "4294967296.0.1", AE_ERR_PARSE, NULL },
		{ "6.99999999999.1", AE_ERR_PARSE, NULL },
		{ "linux", AE_ERR_PARSE, NULL },
		{ "", AE_ERR_PARSE, NULL },
		{ "-6.1", AE_ERR_PARSE, NULL },
	};
	TALLOC_CTX *mem = *state;
	char *s = NULL;
	size_t i;
	unsigned a, b, c, d;
	char extra;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ae_err err;

		s = NULL;
		err = ae_os_version_from_release(mem, cases[i].release, &s);
		if (err != cases[i].err) {
			fail_msg("'%s': got %d want %d", cases[i].release, err, cases[i].err);
		}
		if (err == AE_OK) {
			assert_string_equal(s, cases[i].want);
		} else {
			assert_null(s);
		}
	}
	assert_int_equal(ae_os_version_from_release(mem, NULL, &s), AE_ERR_INVALID);

	/* this host: four numbers, the last 2 */
	assert_int_equal(ae_os_version_string(mem, &s), AE_OK);
	assert_int_equal(sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra), 4);
	assert_int_equal(d, 2);
	(void)a;
	(void)b;
	(void)c;
}

int main(void)
{
	int rc;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_key_spec_parse, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_key_spec_apply_minimum, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_key_generate_rsa, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_key_generate_ec, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_key_generate_invalid, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_key_generate_p521, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_template_ecdsa_p521_gets_a_p521_key,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_template_request_parameters, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_key_pem_roundtrip, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_key_from_pem_forms, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_key_from_pem_bad, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_key_pem_buffer_owned, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_os_version, leak_setup, leak_teardown),
	};

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
