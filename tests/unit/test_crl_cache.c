/*
 * test_crl_cache.c: the CRL cache and one cycle's CRL source
 * (source/engine/ae_crl_cache.h): a hit in the next cycle, each
 * distribution point fetched once per cycle, expiry by nextUpdate (the
 * time is an argument: the clock seam), a corrupt file fetched again, a
 * copy from a wrong signer refused, a copy older than the certificate's
 * installation not used, symbolic links not followed, a directory open to
 * others refused. A fake network (a fetch callback) counts the fetches.
 *
 * Leak check: talloc null tracking (leak_check.h); OpenSSL objects are
 * covered by ASan's leak check.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "leak_check.h"
#include <talloc.h>
#include <openssl/x509.h>
#include "ae_crl.h"
#include "ae_crl_cache.h"
#include "ae_x509.h"
#include "pki_helpers.h"

#define DAY 86400
#define URL "ldap:///CN=LAB-CA,CN=CA1,CN=CDP,CN=Public%20Key%20Services?certificateRevocationList?base"

static struct {
	struct ae_key *ca_key, *twin_key, *leaf_key;
	struct ae_cert *ca, *twin, *leaf, *leaf2;
	struct ae_cert_list *issuers;
	time_t now;
} g;

struct fake_net {
	uint8_t *der;
	size_t len;
	ae_err err;
	unsigned calls;
};

static ae_err fake_fetch(void *priv, TALLOC_CTX *mem, const char *url, uint8_t **_d, size_t *_n)
{
	struct fake_net *net = priv;

	assert_string_equal(url, URL);
	net->calls++;
	if (net->err != AE_OK) {
		return net->err;
	}
	*_d = talloc_memdup(mem, net->der, net->len);
	*_n = net->len;
	return AE_OK;
}

static int group_setup(void **state)
{
	const struct pki_cert_opts ca = { .ca = true };

	(void)state;
	g.now = time(NULL);
	g.ca_key = pki_key(false);
	g.twin_key = pki_key(false);
	g.leaf_key = pki_key(false);
	g.ca = pki_cert(NULL, "Cache Test CA", g.ca_key, NULL, NULL, 1, 30, &ca);
	/* same name, another key: what it signs is not the CA's */
	g.twin = pki_cert(NULL, "Cache Test CA", g.twin_key, NULL, NULL, 1, 30, &ca);
	g.leaf = pki_cert(NULL, "leaf.example.com", g.leaf_key, g.ca, g.ca_key, 0x77, 10, NULL);
	g.leaf2 = pki_cert(NULL, "leaf2.example.com", g.leaf_key, g.ca, g.ca_key, 0x78, 10, NULL);
	assert_int_equal(ae_cert_list_new(NULL, &g.issuers), AE_OK);
	assert_int_equal(ae_cert_list_add(g.issuers, g.ca), AE_OK);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	TALLOC_FREE(g.issuers);
	TALLOC_FREE(g.ca);
	TALLOC_FREE(g.twin);
	TALLOC_FREE(g.leaf);
	TALLOC_FREE(g.leaf2);
	TALLOC_FREE(g.ca_key);
	TALLOC_FREE(g.twin_key);
	TALLOC_FREE(g.leaf_key);
	return 0;
}

/* A DER CRL of the CA name signed by key, [this, next), listing serial (0: none). */
static void make_crl(TALLOC_CTX *mem, const struct ae_key *key, time_t this_update,
		     time_t next_update, long serial, uint8_t **der, size_t *len)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_new();
	unsigned char *out = NULL;
	int n;

	assert_int_equal(X509_CRL_set_version(crl, X509_CRL_VERSION_2), 1);
	assert_int_equal(X509_CRL_set_issuer_name(crl, X509_get_subject_name(g.ca->x509)), 1);
	assert_non_null(ASN1_TIME_set(t, this_update));
	assert_int_equal(X509_CRL_set1_lastUpdate(crl, t), 1);
	assert_non_null(ASN1_TIME_set(t, next_update));
	assert_int_equal(X509_CRL_set1_nextUpdate(crl, t), 1);
	if (serial != 0) {
		X509_REVOKED *rev = X509_REVOKED_new();
		ASN1_INTEGER *s = ASN1_INTEGER_new();

		assert_int_equal(ASN1_INTEGER_set(s, serial), 1);
		assert_int_equal(X509_REVOKED_set_serialNumber(rev, s), 1);
		assert_non_null(ASN1_TIME_set(t, this_update));
		assert_int_equal(X509_REVOKED_set_revocationDate(rev, t), 1);
		assert_int_equal(X509_CRL_add0_revoked(crl, rev), 1);
		ASN1_INTEGER_free(s);
	}
	assert_true(X509_CRL_sign(crl, key->pkey, EVP_sha256()) > 0);
	n = i2d_X509_CRL(crl, &out);
	assert_true(n > 0);
	*der = talloc_memdup(mem, out, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(out);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
}

struct fixture {
	char base[64];
	char dir[96];
	char file[200];
	struct ae_crl_cache *cache;
	struct fake_net net;
};

/* A fresh cache directory and a current CRL of the CA revoking leaf (0x77). */
static void fixture(TALLOC_CTX *mem, struct fixture *f)
{
	char name[AE_CRL_CACHE_NAME_MAX];

	memset(f, 0, sizeof(*f));
	snprintf(f->base, sizeof(f->base), "/tmp/test_crl_cache.XXXXXX");
	assert_non_null(mkdtemp(f->base));
	snprintf(f->dir, sizeof(f->dir), "%s/crl", f->base);
	assert_int_equal(ae_crl_cache_open(mem, f->dir, &f->cache), AE_OK);
	assert_true(ae_crl_cache_name(URL, name));
	snprintf(f->file, sizeof(f->file), "%s/%s", f->dir, name);
	make_crl(mem, g.ca_key, g.now - DAY, g.now + 7 * DAY, 0x77, &f->net.der, &f->net.len);
}

static void fixture_done(struct fixture *f)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->base);
	assert_int_equal(system(cmd), 0);
}

/* One cycle: the verdict on cert at now; *fetches and *hits of that cycle. */
static ae_err cycle(TALLOC_CTX *mem, struct fixture *f, const struct ae_cert *cert,
		    time_t installed, time_t now, enum ae_revocation *rev)
{
	struct ae_crl_source *src = ae_crl_source_new(mem, f->cache, fake_fetch, &f->net);
	char why[256];
	ae_err err;

	assert_non_null(src);
	err = ae_crl_source_check(src, URL, cert, g.issuers, installed, now, rev, why,
				  sizeof(why));
	talloc_free(src);
	return err;
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(p, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

static void test_name(void **state)
{
	char a[AE_CRL_CACHE_NAME_MAX], b[AE_CRL_CACHE_NAME_MAX];
	size_t i;

	(void)state;
	assert_true(ae_crl_cache_name("http://x/../../etc/passwd", a));
	assert_true(ae_crl_cache_name("http://x/a.crl", b));
	assert_int_equal(strlen(a), 68);
	assert_string_equal(a + 64, ".crl");
	for (i = 0; i < 64; i++) {
		assert_non_null(strchr("0123456789abcdef", a[i]));
	}
	assert_string_not_equal(a, b);
}

static void test_hit_next_cycle(void **state)
{
	struct fixture f;
	enum ae_revocation rev;
	struct stat st;

	fixture(*state, &f);
	/* cycle 1: fetched, verified, cached 0600 */
	assert_int_equal(cycle(*state, &f, g.leaf, g.now - 3600, g.now, &rev), AE_OK);
	assert_int_equal(rev, AE_REVOCATION_REVOKED);
	assert_int_equal(f.net.calls, 1);
	assert_int_equal(lstat(f.file, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_mtime, g.now);	/* the time of the fetch */
	/* cycle 2: from the cache, still revoked; no fetch */
	assert_int_equal(cycle(*state, &f, g.leaf, g.now - 3600, g.now + 60, &rev), AE_OK);
	assert_int_equal(rev, AE_REVOCATION_REVOKED);
	assert_int_equal(f.net.calls, 1);
	/* the network down: the cache still answers */
	f.net.err = AE_ERR_TRANSPORT;
	assert_int_equal(cycle(*state, &f, g.leaf2, g.now - 3600, g.now + 120, &rev), AE_OK);
	assert_int_equal(rev, AE_REVOCATION_GOOD);
	assert_int_equal(f.net.calls, 1);
	fixture_done(&f);
}

static void test_once_per_cycle(void **state)
{
	struct ae_crl_source *src = NULL;
	struct fixture f;
	enum ae_revocation rev;

	fixture(*state, &f);
	/* no cache at all, two certificates naming the same distribution point */
	src = ae_crl_source_new(*state, NULL, fake_fetch, &f.net);
	assert_int_equal(ae_crl_source_check(src, URL, g.leaf, g.issuers, 1, g.now, &rev, NULL, 0),
			 AE_OK);
	assert_int_equal(rev, AE_REVOCATION_REVOKED);
	assert_int_equal(ae_crl_source_check(src, URL, g.leaf2, g.issuers, 1, g.now, &rev, NULL,
					     0), AE_OK);
	assert_int_equal(rev, AE_REVOCATION_GOOD);
	assert_int_equal(f.net.calls, 1);
	assert_int_equal(ae_crl_source_fetches(src), 1);
	/* a failed fetch is not repeated in the cycle either */
	talloc_free(src);
	f.net.err = AE_ERR_TRANSPORT;
	src = ae_crl_source_new(*state, NULL, fake_fetch, &f.net);
	assert_int_equal(ae_crl_source_check(src, URL, g.leaf, g.issuers, 1, g.now, &rev, NULL, 0),
			 AE_ERR_TRANSPORT);
	assert_int_equal(rev, AE_REVOCATION_UNKNOWN);
	assert_int_equal(ae_crl_source_check(src, URL, g.leaf2, g.issuers, 1, g.now, &rev, NULL,
					     0), AE_ERR_TRANSPORT);
	assert_int_equal(f.net.calls, 2);
	talloc_free(src);
	fixture_done(&f);
}

static void test_expired_by_next_update(void **state)
{
	struct fixture f;
	enum ae_revocation rev;
	struct ae_crl *crl = NULL;
	time_t fetched = 0, later = g.now + 7 * DAY + 60;

	fixture(*state, &f);
	assert_int_equal(cycle(*state, &f, g.leaf, 1, g.now, &rev), AE_OK);
	assert_int_equal(f.net.calls, 1);
	assert_int_equal(ae_crl_cache_get(*state, f.cache, URL, g.now + 7 * DAY - 1, &crl,
					  &fetched), AE_OK);
	assert_int_equal(fetched, g.now);
	TALLOC_FREE(crl);
	/* after nextUpdate: the copy is gone and the network is asked again */
	assert_int_equal(cycle(*state, &f, g.leaf, 1, later, &rev), AE_OK);
	assert_int_equal(f.net.calls, 2);
	assert_int_equal(rev, AE_REVOCATION_UNKNOWN);	/* the CA's copy expired too */
	assert_int_equal(access(f.file, F_OK), -1);	/* an expired CRL is not cached */
	/* a newer CRL from the network: cached again */
	TALLOC_FREE(f.net.der);
	make_crl(*state, g.ca_key, later - 60, later + DAY, 0x77, &f.net.der, &f.net.len);
	assert_int_equal(cycle(*state, &f, g.leaf, 1, later, &rev), AE_OK);
	assert_int_equal(rev, AE_REVOCATION_REVOKED);
	assert_int_equal(f.net.calls, 3);
	assert_int_equal(cycle(*state, &f, g.leaf, 1, later + 1, &rev), AE_OK);
	assert_int_equal(f.net.calls, 3);
	fixture_done(&f);
}

static void test_corrupt_refetch(void **state)
{
	struct fixture f;
	enum ae_revocation rev;
	struct ae_crl *crl = NULL;
	time_t fetched = 0;

	fixture(*state, &f);
	assert_int_equal(cycle(*state, &f, g.leaf, 1, g.now, &rev), AE_OK);
	write_file(f.file, "\x30\x03garbage", 9);
	assert_int_equal(cycle(*state, &f, g.leaf, 1, g.now + 10, &rev), AE_OK);
	assert_int_equal(rev, AE_REVOCATION_REVOKED);
	assert_int_equal(f.net.calls, 2);
	/* the good copy is back */
	assert_int_equal(ae_crl_cache_get(*state, f.cache, URL, g.now + 20, &crl, &fetched),
			 AE_OK);
	TALLOC_FREE(crl);
	/* truncated and empty files too */
	write_file(f.file, f.net.der, f.net.len - 1);
	assert_int_equal(ae_crl_cache_get(*state, f.cache, URL, g.now, &crl, &fetched),
			 AE_ERR_PARSE);
	assert_int_equal(access(f.file, F_OK), -1);
	write_file(f.file, "", 0);
	assert_int_equal(cycle(*state, &f, g.leaf, 1, g.now + 30, &rev), AE_OK);
	assert_int_equal(rev, AE_REVOCATION_REVOKED);
	assert_int_equal(f.net.calls, 3);
	fixture_done(&f);
}

static void test_wrong_issuer_refused(void **state)
{
	struct fixture f;
	enum ae_revocation rev;
	uint8_t *forged = NULL;
	size_t forged_len = 0;

	fixture(*state, &f);
	/* a copy signed by the twin (same name, another key), saying "not revoked" */
	make_crl(*state, g.twin_key, g.now - DAY, g.now + 30 * DAY, 0, &forged, &forged_len);
	assert_int_equal(ae_crl_cache_put(f.cache, URL, forged, forged_len, g.now), AE_OK);
	assert_int_equal(cycle(*state, &f, g.leaf, 1, g.now, &rev), AE_OK);
	assert_int_equal(rev, AE_REVOCATION_REVOKED);	/* the network's answer, not the forgery */
	assert_int_equal(f.net.calls, 1);
	/* and the network's copy replaced it */
	assert_int_equal(cycle(*state, &f, g.leaf, 1, g.now + 5, &rev), AE_OK);
	assert_int_equal(rev, AE_REVOCATION_REVOKED);
	assert_int_equal(f.net.calls, 1);
	/* a forgery from the network is refused and never cached */
	f.net.der = forged;
	f.net.len = forged_len;
	assert_int_equal(unlink(f.file), 0);
	assert_int_equal(cycle(*state, &f, g.leaf, 1, g.now, &rev), AE_ERR_UNTRUSTED);
	assert_int_equal(rev, AE_REVOCATION_UNKNOWN);
	assert_int_equal(access(f.file, F_OK), -1);
	fixture_done(&f);
}

static void test_newer_certificate(void **state)
{
	struct fixture f;
	enum ae_revocation rev;

	fixture(*state, &f);
	assert_int_equal(cycle(*state, &f, g.leaf, g.now - 100, g.now, &rev), AE_OK);
	assert_int_equal(f.net.calls, 1);
	/* a certificate installed after the copy was fetched: fetched once more */
	assert_int_equal(cycle(*state, &f, g.leaf2, g.now + 5, g.now + 10, &rev), AE_OK);
	assert_int_equal(rev, AE_REVOCATION_GOOD);
	assert_int_equal(f.net.calls, 2);
	assert_int_equal(cycle(*state, &f, g.leaf2, g.now + 5, g.now + 20, &rev), AE_OK);
	assert_int_equal(f.net.calls, 2);
	fixture_done(&f);
}

static void test_links_and_modes(void **state)
{
	struct fixture f;
	enum ae_revocation rev;
	struct ae_crl_cache *c = NULL;
	char target[128], linkdir[128];
	struct stat st;

	fixture(*state, &f);
	/* a symbolic link in place of the file: not followed, replaced */
	snprintf(target, sizeof(target), "%s/elsewhere", f.base);
	write_file(target, f.net.der, f.net.len);
	assert_int_equal(symlink(target, f.file), 0);
	assert_int_equal(cycle(*state, &f, g.leaf, 1, g.now, &rev), AE_OK);
	assert_int_equal(f.net.calls, 1);
	assert_int_equal(lstat(f.file, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* the directory: not a link, not open to group or others */
	snprintf(linkdir, sizeof(linkdir), "%s/link", f.base);
	assert_int_equal(symlink(f.dir, linkdir), 0);
	assert_int_equal(ae_crl_cache_open(*state, linkdir, &c), AE_ERR_IO);
	assert_int_equal(chmod(f.dir, 0755), 0);
	assert_int_equal(ae_crl_cache_open(*state, f.dir, &c), AE_ERR_IO);
	assert_int_equal(ae_crl_cache_open(*state, "relative/crl", &c), AE_ERR_INVALID);
	assert_null(c);
	fixture_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_name, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_hit_next_cycle, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_once_per_cycle, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_expired_by_next_update, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_refetch, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_wrong_issuer_refused, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_newer_certificate, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_links_and_modes, leak_setup, leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
	talloc_disable_null_tracking();
	return rc;
}
