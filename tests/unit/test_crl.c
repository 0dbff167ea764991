/*
 * test_crl.c: CRL distribution points, CRL parsing and the revocation
 * check (source/request/ae_crl.h). A throw-away CA, a second CA with the
 * same name and CRLs are made here with OpenSSL.
 *
 * Leak check: talloc null tracking; each teardown requires the talloc
 * block count reachable from NULL to be unchanged. OpenSSL objects are
 * covered by ASan's leak check.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "leak_check.h"
#include <talloc.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "ae_crl.h"
#include "ae_file.h"
#include "ae_x509.h"
#include "pki_helpers.h"

#define DAY 86400
#define CORPUS SRCDIR "/tests/fuzz/corpus/crl/"

struct pki {
	struct ae_key *ca_key, *twin_key, *leaf_key, *nocrl_key;
	struct ae_cert *ca, *twin, *leaf, *other_leaf, *nocrl_ca, *nocrl_leaf;
	struct ae_cert_list *issuers;
};

static struct pki g;

static int group_setup(void **state)
{
	const struct pki_cert_opts ca = { .ca = true };
	const struct pki_cert_opts nocrl = { .ca = true, .ca_key_usage = "critical,keyCertSign" };
	const struct pki_cert_opts leaf = {
		.cdp = "URI:http://127.0.0.1:8080/ca.crl,URI:ldap:///CN=CA?"
		       "certificateRevocationList?base,URI:file:///var/lib/ca.crl",
	};

	(void)state;
	g.ca_key = pki_key(false);
	g.twin_key = pki_key(false);
	g.leaf_key = pki_key(false);
	g.nocrl_key = pki_key(false);
	g.ca = pki_cert(NULL, "CRL Test CA", g.ca_key, NULL, NULL, 1, 30, &ca);
	/* same name, another key: a CRL it signs is not the CA's */
	g.twin = pki_cert(NULL, "CRL Test CA", g.twin_key, NULL, NULL, 1, 30, &ca);
	g.leaf = pki_cert(NULL, "leaf.example.com", g.leaf_key, g.ca, g.ca_key, 0x77, 10, &leaf);
	g.other_leaf = pki_cert(NULL, "other.example.com", g.leaf_key, g.ca, g.ca_key, 0x78, 10,
				NULL);
	g.nocrl_ca = pki_cert(NULL, "No CRL Sign CA", g.nocrl_key, NULL, NULL, 2, 30, &nocrl);
	g.nocrl_leaf = pki_cert(NULL, "n.example.com", g.leaf_key, g.nocrl_ca, g.nocrl_key, 5, 10,
				NULL);
	assert_int_equal(ae_cert_list_new(NULL, &g.issuers), AE_OK);
	assert_int_equal(ae_cert_list_add(g.issuers, g.twin), AE_OK);
	assert_int_equal(ae_cert_list_add(g.issuers, g.ca), AE_OK);
	assert_int_equal(ae_cert_list_add(g.issuers, g.nocrl_ca), AE_OK);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	TALLOC_FREE(g.issuers);
	TALLOC_FREE(g.ca);
	TALLOC_FREE(g.twin);
	TALLOC_FREE(g.leaf);
	TALLOC_FREE(g.other_leaf);
	TALLOC_FREE(g.nocrl_ca);
	TALLOC_FREE(g.nocrl_leaf);
	TALLOC_FREE(g.ca_key);
	TALLOC_FREE(g.twin_key);
	TALLOC_FREE(g.leaf_key);
	TALLOC_FREE(g.nocrl_key);
	return 0;
}

struct crl_opts {
	const struct ae_cert *issuer;	/* name */
	const struct ae_key *key;	/* signer */
	time_t this_update, next_update; /* next_update 0 => absent */
	const long *revoked;		/* serials, 0-terminated */
	int reason;			/* CRL reason of each entry, -1 => none */
	const char *idp;		/* issuingDistributionPoint conf, critical */
	bool delta;
	const char *critical_oid;	/* an extra unknown critical extension */
};

static void add_crl_ext(X509_CRL *crl, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e = NULL;

	X509V3_set_ctx(&ctx, NULL, NULL, NULL, crl, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(e);
	assert_int_equal(X509_CRL_add_ext(crl, e, -1), 1);
	X509_EXTENSION_free(e);
}

/* A DER CRL on mem. */
static void make_crl(TALLOC_CTX *mem, const struct crl_opts *o, uint8_t **der, size_t *len)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_new();
	unsigned char *out = NULL;
	size_t i;
	int n;

	assert_non_null(crl);
	assert_int_equal(X509_CRL_set_version(crl, X509_CRL_VERSION_2), 1);
	assert_int_equal(X509_CRL_set_issuer_name(crl, X509_get_subject_name(o->issuer->x509)), 1);
	assert_non_null(ASN1_TIME_set(t, o->this_update));
	assert_int_equal(X509_CRL_set1_lastUpdate(crl, t), 1);
	if (o->next_update != 0) {
		assert_non_null(ASN1_TIME_set(t, o->next_update));
		assert_int_equal(X509_CRL_set1_nextUpdate(crl, t), 1);
	}
	for (i = 0; o->revoked != NULL && o->revoked[i] != 0; i++) {
		X509_REVOKED *rev = X509_REVOKED_new();
		ASN1_INTEGER *serial = ASN1_INTEGER_new();

		assert_int_equal(ASN1_INTEGER_set(serial, o->revoked[i]), 1);
		assert_int_equal(X509_REVOKED_set_serialNumber(rev, serial), 1);
		assert_non_null(ASN1_TIME_set(t, o->this_update));
		assert_int_equal(X509_REVOKED_set_revocationDate(rev, t), 1);
		if (o->reason >= 0) {
			ASN1_ENUMERATED *e = ASN1_ENUMERATED_new();

			assert_int_equal(ASN1_ENUMERATED_set(e, o->reason), 1);
			assert_int_equal(X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, e, 0, 0), 1);
			ASN1_ENUMERATED_free(e);
		}
		assert_int_equal(X509_CRL_add0_revoked(crl, rev), 1);
		ASN1_INTEGER_free(serial);
	}
	if (o->idp != NULL) {
		add_crl_ext(crl, NID_issuing_distribution_point, o->idp);
	}
	if (o->delta) {
		ASN1_INTEGER *base = ASN1_INTEGER_new();

		assert_int_equal(ASN1_INTEGER_set(base, 1), 1);
		assert_int_equal(X509_CRL_add1_ext_i2d(crl, NID_delta_crl, base, 1, 0), 1);
		ASN1_INTEGER_free(base);
	}
	if (o->critical_oid != NULL) {
		ASN1_OBJECT *obj = OBJ_txt2obj(o->critical_oid, 1);
		ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
		X509_EXTENSION *e = NULL;

		assert_int_equal(ASN1_OCTET_STRING_set(os, (const unsigned char *)"\x05\x00", 2), 1);
		e = X509_EXTENSION_create_by_OBJ(NULL, obj, 1, os);
		assert_non_null(e);
		assert_int_equal(X509_CRL_add_ext(crl, e, -1), 1);
		X509_EXTENSION_free(e);
		ASN1_OCTET_STRING_free(os);
		ASN1_OBJECT_free(obj);
	}
	assert_int_equal(X509_CRL_sort(crl), 1);
	assert_true(X509_CRL_sign(crl, o->key->pkey, EVP_sha256()) > 0);
	n = i2d_X509_CRL(crl, &out);
	assert_true(n > 0);
	*der = talloc_memdup(mem, out, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(out);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
}

static struct ae_crl *crl_of(TALLOC_CTX *mem, const struct crl_opts *o)
{
	struct ae_crl *crl = NULL;
	uint8_t *der = NULL;
	size_t len = 0;

	make_crl(mem, o, &der, &len);
	assert_int_equal(ae_crl_parse(mem, der, len, &crl), AE_OK);
	return crl;
}

/* A current CRL of g.ca with the given serials and reason. */
static struct crl_opts current(const long *revoked, int reason)
{
	time_t now = time(NULL);
	struct crl_opts o = {
		.issuer = g.ca, .key = g.ca_key, .this_update = now - DAY,
		.next_update = now + 7 * DAY, .revoked = revoked, .reason = reason,
	};

	return o;
}

static enum ae_revocation check(const struct ae_crl *crl, const struct ae_cert *cert,
				ae_err want_err, char *why, size_t why_len)
{
	enum ae_revocation out = (enum ae_revocation)99;

	assert_int_equal(ae_crl_check(crl, cert, g.issuers, time(NULL), &out, why, why_len),
			 want_err);
	return out;
}

static void test_cdp_urls(void **state)
{
	TALLOC_CTX *mem = *state;
	char **urls = NULL;
	size_t n = 99;

	assert_int_equal(ae_cert_cdp_urls(mem, g.leaf, &urls, &n), AE_OK);
	assert_int_equal(n, 3);
	assert_string_equal(urls[0], "http://127.0.0.1:8080/ca.crl");
	assert_string_equal(urls[1], "ldap:///CN=CA?certificateRevocationList?base");
	assert_string_equal(urls[2], "file:///var/lib/ca.crl");
	assert_null(urls[3]);
	TALLOC_FREE(urls);

	/* no extension: an empty list */
	assert_int_equal(ae_cert_cdp_urls(mem, g.other_leaf, &urls, &n), AE_OK);
	assert_int_equal(n, 0);
	assert_null(urls[0]);
	assert_int_equal(ae_cert_cdp_urls(mem, NULL, &urls, &n), AE_ERR_INVALID);
}

static void test_cdp_bad(void **state)
{
	TALLOC_CTX *mem = *state;
	const struct pki_cert_opts space = { .cdp = "URI:http://host/a b.crl" };
	struct ae_cert *c = NULL;
	char **urls = (char **)0x1;
	size_t n = 99;
	char conf[4096];
	size_t i;
	int off = 0;

	/* a URI with a space is refused */
	c = pki_cert(mem, "s", g.leaf_key, g.ca, g.ca_key, 9, 1, &space);
	assert_int_equal(ae_cert_cdp_urls(mem, c, &urls, &n), AE_ERR_PARSE);
	assert_ptr_equal(urls, (char **)0x1);
	assert_int_equal(n, 99);

	/* too many URIs */
	for (i = 0; i <= AE_CDP_URLS_MAX; i++) {
		off += snprintf(conf + off, sizeof(conf) - (size_t)off, "%sURI:http://h/%zu.crl",
				i == 0 ? "" : ",", i);
	}
	{
		const struct pki_cert_opts many = { .cdp = conf };

		c = pki_cert(mem, "m", g.leaf_key, g.ca, g.ca_key, 10, 1, &many);
	}
	assert_int_equal(ae_cert_cdp_urls(mem, c, &urls, &n), AE_ERR_TOO_LARGE);
	assert_ptr_equal(urls, (char **)0x1);
}

static void test_parse_bounds(void **state)
{
	TALLOC_CTX *mem = *state;
	struct crl_opts o = current(NULL, -1);
	struct ae_crl *crl = (struct ae_crl *)0x1;
	uint8_t *der = NULL;
	uint8_t *longer = NULL;
	uint8_t *big = NULL;
	size_t len = 0;
	size_t i;

	make_crl(mem, &o, &der, &len);
	longer = talloc_array(mem, uint8_t, len + 1);
	memcpy(longer, der, len);
	longer[len] = 0;
	assert_int_equal(ae_crl_parse(mem, longer, len + 1, &crl), AE_ERR_TRAILING);
	for (i = 0; i < len; i++) {
		assert_int_equal(ae_crl_parse(mem, der, i, &crl), AE_ERR_PARSE);
	}
	big = talloc_zero_array(mem, uint8_t, AE_CRL_DER_MAX + 1);
	assert_int_equal(ae_crl_parse(mem, big, AE_CRL_DER_MAX + 1, &crl), AE_ERR_TOO_LARGE);
	assert_int_equal(ae_crl_parse(mem, NULL, 1, &crl), AE_ERR_INVALID);
	assert_ptr_equal(crl, (struct ae_crl *)0x1);
	assert_int_equal(ae_crl_parse(mem, der, len, &crl), AE_OK);
	/* the CRL lives on mem, its X509_CRL with it */
	talloc_free(crl);
}

static void test_revoked(void **state)
{
	TALLOC_CTX *mem = *state;
	const long serials[] = { 0x10, 0x77, 0x99, 0 };
	struct crl_opts o = current(serials, 1);
	struct ae_crl *crl = crl_of(mem, &o);
	char why[128];

	assert_int_equal(check(crl, g.leaf, AE_OK, why, sizeof(why)), AE_REVOCATION_REVOKED);
	assert_string_equal(why, "revoked (keyCompromise)");
	assert_int_equal(check(crl, g.other_leaf, AE_OK, why, sizeof(why)), AE_REVOCATION_GOOD);
	assert_string_equal(why, "not revoked");

	/* no reason code: unspecified; why may be NULL */
	o = current(serials, -1);
	crl = crl_of(mem, &o);
	assert_int_equal(check(crl, g.leaf, AE_OK, why, sizeof(why)), AE_REVOCATION_REVOKED);
	assert_string_equal(why, "revoked (unspecified)");
	assert_int_equal(check(crl, g.leaf, AE_OK, NULL, 0), AE_REVOCATION_REVOKED);
	assert_string_equal(ae_revocation_name(AE_REVOCATION_REVOKED), "revoked");
}

static void test_not_revoked(void **state)
{
	TALLOC_CTX *mem = *state;
	const long serials[] = { 0x76, 0x78, 0 };
	struct crl_opts o = current(serials, 4);
	struct ae_crl *crl = crl_of(mem, &o);
	char why[128];

	assert_int_equal(check(crl, g.leaf, AE_OK, why, sizeof(why)), AE_REVOCATION_GOOD);
	/* an empty CRL, and one without nextUpdate */
	o = current(NULL, -1);
	o.next_update = 0;
	crl = crl_of(mem, &o);
	assert_int_equal(check(crl, g.leaf, AE_OK, why, sizeof(why)), AE_REVOCATION_GOOD);
	/* removeFromCRL is not a revocation */
	{
		const long me[] = { 0x77, 0 };

		o = current(me, 8);
		crl = crl_of(mem, &o);
		assert_int_equal(check(crl, g.leaf, AE_OK, why, sizeof(why)), AE_REVOCATION_GOOD);
	}
}

static void test_expired(void **state)
{
	TALLOC_CTX *mem = *state;
	const long serials[] = { 0x77, 0 };
	time_t now = time(NULL);
	struct crl_opts o = current(NULL, -1);
	struct ae_crl *crl = NULL;
	char why[160];

	o.this_update = now - 10 * DAY;
	o.next_update = now - DAY;
	crl = crl_of(mem, &o);
	assert_int_equal(check(crl, g.leaf, AE_OK, why, sizeof(why)), AE_REVOCATION_UNKNOWN);
	assert_non_null(strstr(why, "expired"));
	/* even when it lists the serial */
	o.revoked = serials;
	crl = crl_of(mem, &o);
	assert_int_equal(check(crl, g.leaf, AE_OK, why, sizeof(why)), AE_REVOCATION_UNKNOWN);
	/* not valid yet */
	o = current(serials, -1);
	o.this_update = now + DAY;
	o.next_update = now + 2 * DAY;
	crl = crl_of(mem, &o);
	assert_int_equal(check(crl, g.leaf, AE_OK, why, sizeof(why)), AE_REVOCATION_UNKNOWN);
	assert_non_null(strstr(why, "not valid yet"));
	/* the same CRL, checked at a time inside its window */
	{
		enum ae_revocation out = AE_REVOCATION_GOOD;

		assert_int_equal(ae_crl_check(crl, g.leaf, g.issuers, now + DAY + 60, &out,
					      why, sizeof(why)), AE_OK);
		assert_int_equal(out, AE_REVOCATION_REVOKED);
	}
}

static void test_wrong_signer(void **state)
{
	TALLOC_CTX *mem = *state;
	const long serials[] = { 0x77, 0 };
	struct crl_opts o = current(serials, -1);
	struct ae_crl *crl = NULL;
	struct ae_cert_list *only_twin = NULL;
	enum ae_revocation out = AE_REVOCATION_GOOD;
	char why[128];

	/* same issuer name, signed by the twin's key */
	o.key = g.twin_key;
	crl = crl_of(mem, &o);
	assert_int_equal(check(crl, g.leaf, AE_ERR_UNTRUSTED, why, sizeof(why)),
			 AE_REVOCATION_UNKNOWN);
	assert_non_null(strstr(why, "signature"));

	/* a CRL of another issuer */
	o = current(serials, -1);
	o.issuer = g.nocrl_ca;
	o.key = g.nocrl_key;
	crl = crl_of(mem, &o);
	assert_int_equal(check(crl, g.leaf, AE_ERR_MISMATCH, why, sizeof(why)),
			 AE_REVOCATION_UNKNOWN);

	/* an issuer whose key usage lacks cRLSign */
	assert_int_equal(check(crl, g.nocrl_leaf, AE_ERR_UNTRUSTED, why, sizeof(why)),
			 AE_REVOCATION_UNKNOWN);
	assert_non_null(strstr(why, "key usage"));

	/* the certificate's issuer is not known */
	o = current(serials, -1);
	crl = crl_of(mem, &o);
	assert_int_equal(ae_cert_list_new(mem, &only_twin), AE_OK);
	assert_int_equal(ae_cert_list_add(only_twin, g.twin), AE_OK);
	assert_int_equal(ae_crl_check(crl, g.leaf, only_twin, time(NULL), &out, why, sizeof(why)),
			 AE_ERR_UNTRUSTED);
	assert_int_equal(out, AE_REVOCATION_UNKNOWN);
	assert_int_equal(ae_crl_check(crl, g.leaf, NULL, time(NULL), &out, why, sizeof(why)),
			 AE_ERR_UNTRUSTED);
	assert_int_equal(ae_crl_check(NULL, g.leaf, g.issuers, 0, &out, why, sizeof(why)),
			 AE_ERR_INVALID);
	assert_int_equal(ae_crl_check(crl, g.leaf, g.issuers, 0, NULL, why, sizeof(why)),
			 AE_ERR_INVALID);
}

static void test_scope(void **state)
{
	TALLOC_CTX *mem = *state;
	const long serials[] = { 0x77, 0 };
	struct crl_opts o = current(NULL, -1);
	struct ae_crl *crl = NULL;
	char why[128];

	o.delta = true;
	crl = crl_of(mem, &o);
	assert_int_equal(check(crl, g.leaf, AE_OK, why, sizeof(why)), AE_REVOCATION_UNKNOWN);
	assert_non_null(strstr(why, "delta"));

	o = current(NULL, -1);
	o.critical_oid = "1.3.6.1.4.1.99999.1";
	crl = crl_of(mem, &o);
	assert_int_equal(check(crl, g.leaf, AE_OK, why, sizeof(why)), AE_REVOCATION_UNKNOWN);
	assert_non_null(strstr(why, "critical"));

	o = current(NULL, -1);
	o.idp = "critical,onlyCA:TRUE";
	crl = crl_of(mem, &o);
	assert_int_equal(check(crl, g.leaf, AE_OK, why, sizeof(why)), AE_REVOCATION_UNKNOWN);

	o = current(NULL, -1);
	o.idp = "critical,indirectCRL:TRUE";
	crl = crl_of(mem, &o);
	assert_int_equal(check(crl, g.leaf, AE_OK, why, sizeof(why)), AE_REVOCATION_UNKNOWN);

	/* some reasons only: a listed serial is still revoked, absence says nothing */
	o = current(NULL, -1);
	o.idp = "critical,onlysomereasons:keyCompromise";
	crl = crl_of(mem, &o);
	assert_int_equal(check(crl, g.leaf, AE_OK, why, sizeof(why)), AE_REVOCATION_UNKNOWN);
	o.revoked = serials;
	crl = crl_of(mem, &o);
	assert_int_equal(check(crl, g.leaf, AE_OK, why, sizeof(why)), AE_REVOCATION_REVOKED);

	/* a full-scope IDP (user certificates only) is a complete CRL for a leaf */
	o = current(NULL, -1);
	o.idp = "critical,onlyuser:TRUE";
	crl = crl_of(mem, &o);
	assert_int_equal(check(crl, g.leaf, AE_OK, why, sizeof(why)), AE_REVOCATION_GOOD);
}

static uint8_t *corpus_file(TALLOC_CTX *mem, const char *name, size_t *len)
{
	char *path = talloc_asprintf(mem, CORPUS "%s", name);
	uint8_t *data = NULL;

	assert_int_equal(ae_file_read(mem, path, 1024 * 1024, &data, len), AE_OK);
	return data;
}

/* The fuzz seeds (made with `openssl ca`, see tests/fuzz/fuzz_crl.c) and their verdicts. */
static void test_corpus(void **state)
{
	TALLOC_CTX *mem = *state;
	const struct {
		const char *name;
		ae_err parse, check;
		enum ae_revocation verdict;
	} seeds[] = {
		{ "revoked.der", AE_OK, AE_OK, AE_REVOCATION_REVOKED },
		{ "empty.der", AE_OK, AE_OK, AE_REVOCATION_GOOD },
		{ "expired.der", AE_OK, AE_OK, AE_REVOCATION_UNKNOWN },
		{ "idp_some_reasons.der", AE_OK, AE_OK, AE_REVOCATION_REVOKED },
		{ "idp_only_ca.der", AE_OK, AE_OK, AE_REVOCATION_UNKNOWN },
		{ "wrong_signer.der", AE_OK, AE_ERR_UNTRUSTED, AE_REVOCATION_UNKNOWN },
		{ "truncated.der", AE_ERR_PARSE, AE_OK, AE_REVOCATION_UNKNOWN },
		{ "trailing_byte.der", AE_ERR_TRAILING, AE_OK, AE_REVOCATION_UNKNOWN },
		{ "text.txt", AE_ERR_PARSE, AE_OK, AE_REVOCATION_UNKNOWN },
	};
	/* 2100-01-01, as in fuzz_crl.c */
	const time_t when = (time_t)4102444800;
	struct ae_cert *ca = NULL;
	struct ae_cert *leaf = NULL;
	struct ae_cert_list *issuers = NULL;
	struct ae_crl *crl = NULL;
	enum ae_revocation out;
	uint8_t *data = NULL;
	size_t len = 0;
	char **urls = NULL;
	size_t n = 0;
	char why[128];
	size_t i;

	data = corpus_file(mem, "ca_cert.der", &len);
	assert_int_equal(ae_cert_parse_der(mem, data, len, &ca), AE_OK);
	data = corpus_file(mem, "leaf_cert.der", &len);
	assert_int_equal(ae_cert_parse_der(mem, data, len, &leaf), AE_OK);
	assert_int_equal(ae_cert_list_new(mem, &issuers), AE_OK);
	assert_int_equal(ae_cert_list_add(issuers, ca), AE_OK);
	assert_int_equal(ae_cert_cdp_urls(mem, leaf, &urls, &n), AE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(urls[0], "http://127.0.0.1/ca.crl");
	assert_string_equal(urls[1], "ldap:///CN=Fuzz%20CRL%20CA?certificateRevocationList?base");

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		data = corpus_file(mem, seeds[i].name, &len);
		assert_int_equal(ae_crl_parse(mem, data, len, &crl), seeds[i].parse);
		if (seeds[i].parse != AE_OK) {
			continue;
		}
		out = (enum ae_revocation)99;
		assert_int_equal(ae_crl_check(crl, leaf, issuers, when, &out, why, sizeof(why)),
				 seeds[i].check);
		assert_int_equal(out, seeds[i].verdict);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cdp_urls, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_cdp_bad, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_parse_bounds, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_revoked, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_not_revoked, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_expired, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_wrong_signer, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_scope, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_corpus, leak_setup, leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
	talloc_disable_null_tracking();
	return rc;
}
