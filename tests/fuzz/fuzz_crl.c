/*
 * Fuzz target: a CRL as fetched from a distribution point (ae_crl_parse),
 * then the revocation check of a fixed leaf against it (ae_crl_check); and
 * the same bytes as a certificate whose CRL distribution points are read
 * (ae_cert_cdp_urls).
 *
 * Seeds (corpus/crl/) were made with the openssl command line, EC P-256:
 *   ca_cert.der   `openssl req -new -x509 -subj "/CN=Fuzz CRL CA" -set_serial 1
 *                 -addext basicConstraints=critical,CA:TRUE
 *                 -addext keyUsage=critical,keyCertSign,cRLSign` (ca_pem below)
 *   leaf_cert.der `openssl x509 -req -CA ca -set_serial 0x77` with keyUsage and
 *                 crlDistributionPoints=URI:http://127.0.0.1/ca.crl,
 *                 URI:ldap:///CN=Fuzz%20CRL%20CA?certificateRevocationList?base
 *                 (leaf_pem below)
 *   `openssl ca -gencrl` with default_crl_days=36500 and crl_extensions
 *   authorityKeyIdentifier=keyid:always (+ CRL number):
 *     revoked.der           after `openssl ca -revoke leaf -crl_reason keyCompromise`
 *     empty.der             nothing revoked
 *     expired.der           -crl_lastupdate 20200101000000Z -crl_nextupdate 20200201000000Z
 *     idp_some_reasons.der  issuingDistributionPoint=critical,onlysomereasons:keyCompromise,
 *                           leaf revoked
 *     idp_only_ca.der       issuingDistributionPoint=critical,onlyCA:TRUE
 *     wrong_signer.der      signed by another key under the same CA name
 *   truncated.der (first 100 bytes of revoked.der), trailing_byte.der (+ 00),
 *   text.txt. tests/unit/test_crl.c checks the verdict of each seed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <talloc.h>
#include "ae_crl.h"
#include "ae_x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2100-01-01: inside the seeds' validity, after expired.der's nextUpdate */
#define FUZZ_NOW ((time_t)4102444800)

static const char ca_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBfzCCASagAwIBAgIBATAKBggqhkjOPQQDAjAWMRQwEgYDVQQDDAtGdXp6IENS\n"
	"TCBDQTAgFw0yNjExMjQyMDUyMDlaGA8yMTI2MTAzMTIwNTIwOVowFjEUMBIGA1UE\n"
	"AwwLRnV6eiBDUkwgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQBf/uoXdvG\n"
	"JqtKYW/2Uh0rjcG0YEImaEVZuXMsv9LfaZISqxPvSpX8mpxMRKr1dw3ybQlOMTbY\n"
	"QpI1N326i9Hjo2MwYTAdBgNVHQ4EFgQUtOWvES3c9wcBW3Ar6K+xa5Br2gcwHwYD\n"
	"VR0jBBgwFoAUtOWvES3c9wcBW3Ar6K+xa5Br2gcwDwYDVR0TAQH/BAUwAwEB/zAO\n"
	"BgNVHQ8BAf8EBAMCAQYwCgYIKoZIzj0EAwIDRwAwRAIgewnY0WtI2UAF+eGCWeFS\n"
	"mKVRY8Wd97cnroOB9y0g5IcCIGxfxxdbXpItiHZZcen1FbNYT0L4zWvUrUvDpXAd\n"
	"+GTx\n"
	"-----END CERTIFICATE-----\n";

static const char leaf_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIB4jCCAYegAwIBAgIBdzAKBggqhkjOPQQDAjAWMRQwEgYDVQQDDAtGdXp6IENS\n"
	"TCBDQTAgFw0yNjExMjQyMDUyMDlaGA8yMTI2MTAzMTIwNTIwOVowGzEZMBcGA1UE\n"
	"AwwQbGVhZi5leGFtcGxlLmNvbTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABIGb\n"
	"Ibr6Rhnx2o4ClTEme2Mbw2IcerftuJou+mnDMHOgXAKqxtWTo23KNJT/ZJR3eGbc\n"
	"BmY9yBA1tSwVg20wlLujgb4wgbswDgYDVR0PAQH/BAQDAgeAMGkGA1UdHwRiMGAw\n"
	"HaAboBmGF2h0dHA6Ly8xMjcuMC4wLjEvY2EuY3JsMD+gPaA7hjlsZGFwOi8vL0NO\n"
	"PUZ1enolMjBDUkwlMjBDQT9jZXJ0aWZpY2F0ZVJldm9jYXRpb25MaXN0P2Jhc2Uw\n"
	"HQYDVR0OBBYEFLnIH+QcHo1jqAzv0LV2ngy8RE7TMB8GA1UdIwQYMBaAFLTlrxEt\n"
	"3PcHAVtwK+ivsWuQa9oHMAoGCCqGSM49BAMCA0kAMEYCIQD7goo/XDW3MOumrNe4\n"
	"HfJ4j/jX6yHLoVgNORU0f+K3dQIhANwZF7KqWA/O4QJrfsm92B+dDNwK8UEZgd9+\n"
	"4hR32Gko\n"
	"-----END CERTIFICATE-----\n";

static struct ae_cert *g_leaf;
static struct ae_cert_list *g_issuers;

static void init_once(void)
{
	struct ae_cert *ca = NULL;

	if (g_issuers != NULL) {
		return;
	}
	if (ae_cert_parse_pem(NULL, (const uint8_t *)leaf_pem, strlen(leaf_pem), &g_leaf) != AE_OK ||
	    ae_cert_parse_pem(NULL, (const uint8_t *)ca_pem, strlen(ca_pem), &ca) != AE_OK ||
	    ae_cert_list_new(NULL, &g_issuers) != AE_OK ||
	    ae_cert_list_add(g_issuers, ca) != AE_OK) {
		abort();
	}
	talloc_free(ca);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_crl *crl = NULL;
	struct ae_cert *c = NULL;
	enum ae_revocation out = AE_REVOCATION_UNKNOWN;
	char why[128];
	char **urls = NULL;
	size_t n = 0;
	size_t i;

	if (mem == NULL) {
		return 0;
	}
	init_once();
	if (ae_crl_parse(mem, data, size, &crl) == AE_OK) {
		(void)ae_crl_check(crl, g_leaf, g_issuers, FUZZ_NOW, &out, why, sizeof(why));
		if (memchr(why, '\0', sizeof(why)) == NULL) {
			abort();
		}
		/* the CA itself as the subject: self-issued */
		(void)ae_crl_check(crl, g_issuers->certs[0], g_issuers, FUZZ_NOW, &out, NULL, 0);
	}
	if (ae_cert_parse_der(mem, data, size, &c) == AE_OK &&
	    ae_cert_cdp_urls(mem, c, &urls, &n) == AE_OK) {
		for (i = 0; i < n; i++) {
			if (urls[i] == NULL || urls[i][0] == '\0') {
				abort();
			}
		}
		if (urls[n] != NULL) {
			abort();
		}
	}
	talloc_free(mem);
	return 0;
}
