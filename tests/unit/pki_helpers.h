/*
 * pki_helpers.h: throw-away keys and certificates for the renewal and CRL
 * tests (included by test_renewal.c and test_crl.c; static functions only).
 * Include after <cmocka.h>.
 */
#ifndef PKI_HELPERS_H
#define PKI_HELPERS_H

#include <stdbool.h>
#include <time.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "ae_key.h"
#include "ae_x509.h"

/* EC P-256 (fast), or RSA-2048 when rsa */
static inline struct ae_key *pki_key(bool rsa)
{
	struct ae_key_spec spec = { .kind = AE_KEY_EC, .bits = 256 };
	struct ae_key *k = NULL;

	if (rsa) {
		spec.kind = AE_KEY_RSA;
		spec.bits = 2048;
	}
	assert_int_equal(ae_key_generate(NULL, &spec, &k), AE_OK);
	return k;
}

static inline void pki_add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e = NULL;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

struct pki_cert_opts {
	bool ca;
	const char *ca_key_usage;	/* CA only; NULL => "critical,keyCertSign,cRLSign" */
	const char *cdp;		/* crlDistributionPoints conf, e.g. "URI:http://x/a.crl" */
};

/*
 * A certificate for key, issued by issuer/issuer_key (self-signed when
 * issuer is NULL), serial, valid [now - 1 h, now + days].
 */
static inline struct ae_cert *pki_cert(TALLOC_CTX *mem, const char *cn, const struct ae_key *key,
				       const struct ae_cert *issuer,
				       const struct ae_key *issuer_key, long serial, long days,
				       const struct pki_cert_opts *o)
{
	time_t now = time(NULL);
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509 *signer = NULL;
	struct ae_cert *c = NULL;

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial), 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
						    (const unsigned char *)cn, -1, -1, 0), 1);
	assert_int_equal(X509_set_subject_name(x, name), 1);
	signer = issuer != NULL ? issuer->x509 : x;
	assert_int_equal(X509_set_issuer_name(x, issuer != NULL ?
					      X509_get_subject_name(issuer->x509) : name), 1);
	X509_NAME_free(name);
	assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), now - 3600));
	assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), now + days * 86400));
	assert_int_equal(X509_set_pubkey(x, key->pkey), 1);
	pki_add_ext(x, signer, NID_subject_key_identifier, "hash");
	if (o != NULL && o->ca) {
		pki_add_ext(x, signer, NID_basic_constraints, "critical,CA:TRUE");
		pki_add_ext(x, signer, NID_key_usage, o->ca_key_usage != NULL ?
			    o->ca_key_usage : "critical,keyCertSign,cRLSign");
	} else {
		pki_add_ext(x, signer, NID_key_usage, "critical,digitalSignature");
	}
	if (o != NULL && o->cdp != NULL) {
		pki_add_ext(x, signer, NID_crl_distribution_points, o->cdp);
	}
	assert_true(X509_sign(x, (issuer_key != NULL ? issuer_key : key)->pkey, EVP_sha256()) > 0);
	assert_int_equal(ae_cert_from_x509(mem, x, &c), AE_OK);
	X509_free(x);
	return c;
}

#endif
