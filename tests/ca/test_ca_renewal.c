/*
 * test_ca_renewal.c: CMS requests and renewals through ca_process (every
 * verdict of ca_renewal.h), the certificate index, revocation with
 * ca-admin, the CRL from both writers (module and ca-admin), and a
 * mutation sweep of a renewal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>
#include "ae_file.h"
#include "ae_hresult.h"
#include "ca.h"
#include "ca_certdb.h"
#include "ca_cms.h"
#include "ca_crl.h"
#include "ca_db.h"
#include "ca_renewal.h"
#include "test_ca.h"
#include "test_ca_fixture.h"

#define TYPE_PKCS10	0x100u
#define TYPE_CMS	0x300u
#define TYPE_CMC	0x400u
#define MACHINE_ATTRS	"CertificateTemplate:LabMachine"

static EVP_PKEY *g_key2;	/* the renewal's new key */

static int rsetup(void **state)
{
	int rc = setup(state);

	if (g_key2 == NULL) {
		g_key2 = EVP_RSA_gen(2048);
	}
	return rc == 0 && g_key2 != NULL ? 0 : -1;
}

static int rteardown(void **state)
{
	EVP_PKEY_free(g_key2);
	g_key2 = NULL;
	return teardown(state);
}

/* An issued certificate: DER on f->t, and decoded (the caller frees it). */
struct issued {
	struct ca_bytes der;
	X509 *x;
	char *serial;
};

static struct issued issue(struct fixture *f, const struct ca_caller *c, const char *attrs,
			   const struct csr_opts *o)
{
	struct ca_answer *a = ask(f, c, attrs, o);
	struct issued r;

	r.x = check_issued(f, a);
	r.der = a->cert;
	assert_int_equal(ca_serial_text(f->t, X509_get0_serialNumber(r.x), &r.serial), AE_OK);
	return r;
}

static struct ca_bytes to_der(TALLOC_CTX *t, CMS_ContentInfo *cms)
{
	unsigned char *der = NULL;
	int len = i2d_CMS_ContentInfo(cms, &der);
	struct ca_bytes b;

	assert_true(len > 0);
	b.p = talloc_memdup(t, der, (size_t)len);
	b.len = (size_t)len;
	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	return b;
}

/* SignedData(id-data, content) without a SignerInfo (CMS_final will not make one). */
static struct ca_bytes unsigned_p7(TALLOC_CTX *t, X509 *cert, const struct ca_bytes *content)
{
	PKCS7 *p7 = PKCS7_new();
	unsigned char *der = NULL;
	struct ca_bytes b;
	int len;

	assert_int_equal(PKCS7_set_type(p7, NID_pkcs7_signed), 1);
	assert_int_equal(PKCS7_content_new(p7, NID_pkcs7_data), 1);
	assert_int_equal(ASN1_OCTET_STRING_set(p7->d.sign->contents->d.data, content->p,
					       (int)content->len), 1);
	if (cert != NULL) {
		assert_int_equal(PKCS7_add_certificate(p7, cert), 1);
	}
	len = i2d_PKCS7(p7, &der);
	assert_true(len > 0);
	b.p = talloc_memdup(t, der, (size_t)len);
	b.len = (size_t)len;
	OPENSSL_free(der);
	PKCS7_free(p7);
	return b;
}

/* SignedData(id-data, content) signed by signer/key (NULL: no SignerInfo). */
static struct ca_bytes cms_sign(TALLOC_CTX *t, X509 *signer, EVP_PKEY *key, X509 *extra,
				const struct ca_bytes *content, unsigned flags)
{
	BIO *in = BIO_new_mem_buf(content->p, (int)content->len);
	STACK_OF(X509) *certs = sk_X509_new_null();
	CMS_ContentInfo *cms = NULL;

	if (extra != NULL) {
		sk_X509_push(certs, extra);
	}
	if (signer == NULL) {
		sk_X509_free(certs);
		BIO_free(in);
		return unsigned_p7(t, extra, content);
	}
	cms = CMS_sign(signer, key, certs, in, CMS_BINARY | flags);
	assert_non_null(cms);
	sk_X509_free(certs);
	BIO_free(in);
	return to_der(t, cms);
}

/* The renewal request of old (issued with old_key) for LabMachine, new key g_key2. */
static struct ca_bytes renewal(struct fixture *f, const struct issued *old, EVP_PKEY *old_key,
			       unsigned flags)
{
	struct csr_opts o = { .key = g_key2, .oid = TOID, .major = 100, .minor = 3,
			      .renewal = &old->der };
	struct ca_bytes csr = make_csr(f->t, &o);

	return cms_sign(f->t, old->x, old_key, NULL, &csr, flags);
}

static struct ca_answer *send(struct fixture *f, const struct ca_caller *c, const char *attrs,
			      const struct ca_bytes *req)
{
	return submit(f, c, "TEST-CA", attrs, req, 0);
}

static void test_renewal_issued(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key, .oid = TOID, .major = 100, .minor = 3 };
	struct issued old = issue(f, &f->machine, MACHINE_ATTRS, &o), next, third;
	struct ca_bytes req = renewal(f, &old, f->key, CMS_NOATTR);
	struct ca_answer *a = NULL;
	struct ca_record *rec = NULL;
	struct ca_cert_record *cr = NULL;
	GENERAL_NAMES *san = NULL;
	char path[256];

	f->flags = TYPE_CMS;
	a = send(f, &f->machine, MACHINE_ATTRS, &req);
	f->flags = 0;
	next.x = check_issued(f, a);
	next.der = a->cert;
	assert_int_equal(ca_serial_text(f->t, X509_get0_serialNumber(next.x), &next.serial), AE_OK);
	assert_string_not_equal(next.serial, old.serial);
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(next.x), g_key2), 1);
	san = X509_get_ext_d2i(next.x, NID_subject_alt_name, NULL, NULL);	/* from AD */
	assert_non_null(san);
	assert_string_equal(ASN1_STRING_get0_data(sk_GENERAL_NAME_value(san, 0)->d.dNSName),
			    "member1.lab.example.com");
	GENERAL_NAMES_free(san);
	assert_non_null(ext_value(next.x, CA_OID_TEMPLATE_EXT));

	/* the database: the request names the serial it renewed, the index links both ways */
	assert_int_equal(ca_db_load(f->t, f->ca->db_dir, a->request_id, &rec), AE_OK);
	assert_string_equal(rec->renews, old.serial);
	assert_int_equal(ca_certdb_load(f->t, f->ca->db_dir, next.serial, &cr), AE_OK);
	assert_string_equal(cr->renews, old.serial);
	assert_int_equal(cr->request_id, a->request_id);
	assert_string_equal(cr->template_name, "LabMachine");
	assert_true(ca_sid_equal(&cr->sid, &f->machine.sids[0]));
	assert_int_equal(ca_certdb_load(f->t, f->ca->db_dir, old.serial, &cr), AE_OK);
	assert_string_equal(cr->renewed_by, next.serial);
	assert_int_equal(cr->state, CA_CERT_VALID);

	/* renewing the renewal: signed attributes this time, type left to the CA */
	req = renewal(f, &next, g_key2, 0);
	third.x = check_issued(f, send(f, &f->machine, NULL, &req));
	X509_free(third.x);

	/* signed by ca.key, but the index lacks it (issued before it existed): accepted */
	snprintf(path, sizeof(path), "%s/cert-%s", f->ca->db_dir, next.serial);
	assert_int_equal(unlink(path), 0);
	third.x = check_issued(f, send(f, &f->machine, NULL, &req));
	X509_free(third.x);

	/* a CMS without the renewal attribute is a new request for the caller */
	{
		struct csr_opts n = { .key = f->key, .oid = TOID, .major = 100, .minor = 3 };
		struct ca_bytes csr = make_csr(f->t, &n);
		req = cms_sign(f->t, old.x, f->key, NULL, &csr, CMS_NOATTR);
		a = send(f, &f->machine, MACHINE_ATTRS, &req);
		X509_free(check_issued(f, a));
		assert_int_equal(ca_db_load(f->t, f->ca->db_dir, a->request_id, &rec), AE_OK);
		assert_string_equal(rec->renews, "");
	}
	X509_free(old.x);
	X509_free(next.x);
}

/* A certificate for LabMachine signed by a CA that is not ours. */
static struct issued foreign_cert(struct fixture *f)
{
	EVP_PKEY *ck = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	struct ca_bytes ext;
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	ASN1_OBJECT *obj = OBJ_txt2obj(CA_OID_TEMPLATE_EXT, 1);
	X509_EXTENSION *e = NULL;
	unsigned char *der = NULL;
	struct issued r;
	int len;

	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 0x4242);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"TEST-CA", -1,
				   -1, 0);	/* same name, other key */
	X509_set_issuer_name(x, n);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400L * 400);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 400);
	X509_set_pubkey(x, f->key);
	assert_int_equal(ca_der_template_ext(f->t, TOID, 100, 3, &ext), AE_OK);
	ASN1_OCTET_STRING_set(os, ext.p, (int)ext.len);
	e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
	X509_add_ext(x, e, -1);
	assert_true(X509_sign(x, ck, EVP_sha256()) > 0);
	len = i2d_X509(x, &der);
	r.der.p = talloc_memdup(f->t, der, (size_t)len);
	r.der.len = (size_t)len;
	r.x = x;
	r.serial = NULL;
	OPENSSL_free(der);
	X509_EXTENSION_free(e);
	ASN1_OBJECT_free(obj);
	ASN1_OCTET_STRING_free(os);
	X509_NAME_free(n);
	EVP_PKEY_free(ck);
	return r;
}

static void test_renewal_refusals(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key, .oid = TOID, .major = 100, .minor = 3 };
	struct csr_opts web = { .key = f->key, .cn = "www.lab.example.com",
				.san_dns = "www.lab.example.com" };
	struct issued old = issue(f, &f->machine, MACHINE_ATTRS, &o);
	struct issued other = issue(f, &f->machine, MACHINE_ATTRS,
				    &(struct csr_opts){ .key = g_key2, .oid = TOID, .major = 100 });
	struct issued www = issue(f, &f->machine, "CertificateTemplate:LabWebServer", &web);
	struct issued foreign = foreign_cert(f);
	uint8_t not_cert[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	struct ca_bytes junk = { not_cert, sizeof(not_cert) };
	struct csr_opts ro = { .key = g_key2, .oid = TOID, .major = 100, .minor = 3,
			       .renewal = &old.der };
	struct ca_bytes csr, req, hello = { (uint8_t *)"hello", 5 };
	const uint8_t *saved_sd = f->tmpl[0].sd;
	size_t saved_len = f->tmpl[0].sd_len;
	struct ca_answer *a = NULL;

	/* the signature */
	req = renewal(f, &old, f->key, CMS_NOATTR);
	req.p[req.len - 1] ^= 0x01;
	a = send(f, &f->machine, MACHINE_ATTRS, &req);
	expect(a, AE_NTE_BAD_SIGNATURE, true);
	assert_non_null(strstr(a->message, "0x80090006"));
	/* signed by another certificate: not included, then included */
	csr = make_csr(f->t, &ro);
	req = cms_sign(f->t, other.x, g_key2, NULL, &csr, CMS_NOATTR);
	expect(send(f, &f->machine, MACHINE_ATTRS, &req), CA_CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE,
	       true);
	req = cms_sign(f->t, other.x, g_key2, old.x, &csr, CMS_NOATTR);
	expect(send(f, &f->machine, MACHINE_ATTRS, &req), CA_CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE,
	       true);
	req = cms_sign(f->t, old.x, f->key, NULL, &csr, CMS_NOATTR | CMS_NOCERTS);
	expect(send(f, &f->machine, MACHINE_ATTRS, &req), CA_CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE,
	       true);
	/* the attribute: twice, two values, not a certificate */
	ro.renewal_copies = 2;
	csr = make_csr(f->t, &ro);
	req = cms_sign(f->t, old.x, f->key, NULL, &csr, CMS_NOATTR);
	expect(send(f, &f->machine, MACHINE_ATTRS, &req), CA_CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE,
	       true);
	ro.renewal_copies = 0;
	ro.renewal_two_values = true;
	csr = make_csr(f->t, &ro);
	req = cms_sign(f->t, old.x, f->key, NULL, &csr, CMS_NOATTR);
	expect(send(f, &f->machine, MACHINE_ATTRS, &req), CA_CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE,
	       true);
	ro.renewal_two_values = false;
	ro.renewal = &junk;
	csr = make_csr(f->t, &ro);
	req = cms_sign(f->t, old.x, f->key, NULL, &csr, CMS_NOATTR);
	expect(send(f, &f->machine, MACHINE_ATTRS, &req), CA_CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE,
	       true);
	ro.renewal = &old.der;
	/* not ours (same issuer name, other key); expired; another template; another account */
	req = renewal(f, &foreign, f->key, CMS_NOATTR);
	expect(send(f, &f->machine, MACHINE_ATTRS, &req), CA_CERT_E_CHAINING, true);
	req = renewal(f, &old, f->key, CMS_NOATTR);
	f->clock = 2 * 365 * 86400;
	expect(send(f, &f->machine, MACHINE_ATTRS, &req), CA_CERT_E_EXPIRED, true);
	f->clock = 0;
	req = renewal(f, &www, f->key, CMS_NOATTR);
	expect(send(f, &f->machine, MACHINE_ATTRS, &req), AE_CERTSRV_E_TEMPLATE_CONFLICT, true);
	req = renewal(f, &old, f->key, CMS_NOATTR);
	expect(send(f, &f->machine2, MACHINE_ATTRS, &req), CA_CERTSRV_E_BAD_RENEWAL_SUBJECT, true);
	/* Enroll is still needed */
	f->tmpl[0].sd = f->tmpl[2].sd;	/* LabNoEnroll's: Domain Admins only */
	f->tmpl[0].sd_len = f->tmpl[2].sd_len;
	expect(send(f, &f->machine, MACHINE_ATTRS, &req), AE_CERTSRV_E_TEMPLATE_DENIED, true);
	f->tmpl[0].sd = saved_sd;
	f->tmpl[0].sd_len = saved_len;

	/* the CMS itself */
	expect(send(f, &f->machine, MACHINE_ATTRS, &(struct ca_bytes){ 0 }), AE_E_INVALIDARG,
	       false);
	req = cms_sign(f->t, NULL, NULL, old.x, &csr, 0);
	expect(send(f, &f->machine, MACHINE_ATTRS, &req), CA_CRYPT_E_NO_SIGNER, true);
	req = cms_sign(f->t, old.x, f->key, NULL, &hello, CMS_NOATTR);
	expect(send(f, &f->machine, MACHINE_ATTRS, &req), CA_ERROR_INVALID_DATA, true);
	csr = make_csr(f->t, &(struct csr_opts){ .key = f->key, .oid = TOID, .bad_sig = true });
	req = cms_sign(f->t, old.x, f->key, NULL, &csr, CMS_NOATTR);
	expect(send(f, &f->machine, MACHINE_ATTRS, &req), AE_NTE_BAD_SIGNATURE, true);
	csr = make_csr(f->t, &(struct csr_opts){ .key = f->key, .oid = TOID });	/* new request */
	req = cms_sign(f->t, old.x, f->key, NULL, &csr, CMS_NOATTR | CMS_NOCERTS);
	expect(send(f, &f->machine, MACHINE_ATTRS, &req), CA_CRYPT_E_SIGNER_NOT_FOUND, true);
	req = cms_sign(f->t, old.x, f->key, NULL, &csr, 0);
	req.p[req.len - 1] ^= 0x80;
	expect(send(f, &f->machine, MACHINE_ATTRS, &req), AE_NTE_BAD_SIGNATURE, true);
	{
		BIO *in = BIO_new_mem_buf(csr.p, (int)csr.len);
		struct ca_bytes data = to_der(f->t, CMS_data_create(in, CMS_BINARY));
		BIO_free(in);
		expect(send(f, &f->machine, MACHINE_ATTRS, &data), AE_CRYPT_E_INVALID_MSG_TYPE,
		       true);
	}
	/* dwFlags' request type against the blob */
	req = renewal(f, &old, f->key, CMS_NOATTR);
	f->flags = TYPE_PKCS10;
	expect(send(f, &f->machine, MACHINE_ATTRS, &req), AE_CRYPT_E_INVALID_MSG_TYPE, true);
	f->flags = TYPE_CMS;
	expect(send(f, &f->machine, MACHINE_ATTRS, &csr), AE_CRYPT_E_INVALID_MSG_TYPE, true);
	f->flags = TYPE_CMC;
	expect(send(f, &f->machine, MACHINE_ATTRS, &req), AE_CRYPT_E_INVALID_MSG_TYPE, false);
	f->flags = 0;
	X509_free(check_issued(f, send(f, &f->machine, MACHINE_ATTRS, &req)));	/* still fine */
	X509_free(old.x);
	X509_free(other.x);
	X509_free(www.x);
	X509_free(foreign.x);
}

/* The CRL at ca->crl_path: signed by the CA; *_number; revoked serial's reason or -1. */
static X509_CRL *load_crl(struct fixture *f)
{
	uint8_t *data = NULL;
	size_t len = 0;
	const unsigned char *q;
	X509_CRL *crl;

	assert_int_equal(ae_file_read(f->t, f->ca->crl_path, CA_CRL_MAX, &data, &len), AE_OK);
	q = data;
	crl = d2i_X509_CRL(NULL, &q, (long)len);
	assert_non_null(crl);
	assert_ptr_equal(q, data + len);
	assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(f->ca->cert)), 1);
	assert_int_equal(X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(f->ca->cert)),
			 0);
	return crl;
}

static long crl_number(X509_CRL *crl)
{
	ASN1_INTEGER *n = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	long v;

	assert_non_null(n);
	v = ASN1_INTEGER_get(n);
	ASN1_INTEGER_free(n);
	return v;
}

/* The reason of serial's entry (0 when it has none), or -1 when not listed. */
static int crl_reason(X509_CRL *crl, X509 *x)
{
	X509_REVOKED *rv = NULL;
	ASN1_ENUMERATED *r = NULL;
	int reason;

	if (X509_CRL_get0_by_serial(crl, &rv, X509_get0_serialNumber(x)) != 1) {
		return -1;
	}
	r = X509_REVOKED_get_ext_d2i(rv, NID_crl_reason, NULL, NULL);
	reason = r ? (int)ASN1_ENUMERATED_get(r) : 0;
	ASN1_ENUMERATED_free(r);
	return reason;
}

static void test_revoke_and_crl(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key, .oid = TOID, .major = 100, .minor = 3 };
	struct issued old = issue(f, &f->machine, MACHINE_ATTRS, &o);
	struct issued kept = issue(f, &f->machine, MACHINE_ATTRS, &o);
	struct ca_bytes req = renewal(f, &old, f->key, CMS_NOATTR), der;
	struct ca_cert_record *cr = NULL;
	struct ca_answer *a = NULL;
	const ASN1_TIME *last, *next;
	X509_CRL *crl = NULL;
	char args[256], lower[128];
	time_t now = time(NULL), later = now + 2 * 86400;
	int days = 0, secs = 0;
	long number;
	bool written = false;
	size_t i, w;

	snprintf(args, sizeof(args), "revoke %s keyCompromise > /dev/null", old.serial);
	assert_int_equal(ca_admin(f, args), 0);
	assert_int_equal(ca_certdb_load(f->t, f->ca->db_dir, old.serial, &cr), AE_OK);
	assert_int_equal(cr->state, CA_CERT_REVOKED);
	assert_int_equal(cr->reason, 1);
	a = send(f, &f->machine, MACHINE_ATTRS, &req);
	expect(a, CA_CRYPT_E_REVOKED, true);
	assert_non_null(strstr(a->message, old.serial));
	/* ca-admin's CRL: the serial with its reason, one day, numbered */
	crl = load_crl(f);
	assert_int_equal(crl_reason(crl, old.x), 1);
	assert_int_equal(crl_reason(crl, kept.x), -1);
	last = X509_CRL_get0_lastUpdate(crl);
	next = X509_CRL_get0_nextUpdate(crl);
	assert_int_equal(ASN1_TIME_diff(&days, &secs, last, next), 1);
	assert_int_equal(days * 86400 + secs, CA_CRL_VALIDITY);
	number = crl_number(crl);
	X509_CRL_free(crl);
	assert_false(ca_crl_stale(f->ca, now));
	assert_true(ca_crl_stale(f->ca, later));

	/* ca-admin's errors; serials as openssl prints them, or in lower case with colons */
	assert_int_equal(ca_admin(f, "revoke 0A0B 2> /dev/null"), 2);
	assert_int_equal(ca_admin(f, "revoke xyz 2> /dev/null"), 1);
	snprintf(args, sizeof(args), "revoke %s privilegeWithdrawn 2> /dev/null", kept.serial);
	assert_int_equal(ca_admin(f, args), 1);
	for (i = 0, w = 0; old.serial[i] != '\0' && w + 4 < sizeof(lower); i += 2) {
		w += (size_t)snprintf(lower + w, sizeof(lower) - w, "%s%c%c", i ? ":" : "",
				      tolower((unsigned char)old.serial[i]),
				      tolower((unsigned char)old.serial[i + 1]));
	}
	snprintf(args, sizeof(args), "revoke %s 2> /dev/null", lower);
	assert_int_equal(ca_admin(f, args), 4);	/* already revoked */
	snprintf(args, sizeof(args), "revoke 0x%s 2> /dev/null", old.serial);
	assert_int_equal(ca_admin(f, args), 4);
	snprintf(args, sizeof(args), "revoke 00%s superseded > /dev/null", kept.serial);
	assert_int_equal(ca_admin(f, args), 0);
	snprintf(args, sizeof(args), "show-cert %s > /dev/null", kept.serial);
	assert_int_equal(ca_admin(f, args), 0);
	assert_int_equal(ca_admin(f, "certs > /dev/null"), 0);

	/* the module's CRL: the same entries, the next number */
	assert_int_equal(ca_crl_refresh(f->ca, now, &written), AE_OK);
	assert_false(written);				/* ca-admin's is fresh */
	assert_int_equal(ca_crl_refresh(f->ca, later, &written), AE_OK);
	assert_true(written);
	crl = load_crl(f);
	assert_int_equal(crl_reason(crl, old.x), 1);
	assert_int_equal(crl_reason(crl, kept.x), 4);
	assert_int_equal(crl_number(crl), number + 2);
	X509_CRL_free(crl);
	assert_false(ca_crl_stale(f->ca, later));
	assert_int_equal(ca_crl_write(f->t, f->ca, now, &der), AE_OK);
	assert_true(der.len > 0);
	assert_int_equal(ca_admin(f, "crl > /dev/null"), 0);
	crl = load_crl(f);
	assert_int_equal(crl_number(crl), number + 4);
	assert_int_equal(crl_reason(crl, kept.x), 4);
	X509_CRL_free(crl);
	X509_free(old.x);
	X509_free(kept.x);
}

static void test_renewal_pending(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key, .oid = TOID ".2", .major = 100, .minor = 3 };
	struct csr_opts ro = { .key = g_key2, .oid = TOID ".2", .major = 100, .minor = 3 };
	struct ca_answer *a = ask(f, &f->machine, NULL, &o);
	struct issued old;
	struct ca_bytes csr, req;
	struct ca_cert_record *cr = NULL;
	uint32_t id = a->request_id;
	char *serial = NULL;
	X509 *x;

	assert_int_equal(a->disposition, AE_CR_DISP_UNDER_SUBMISSION);
	set_record_state(f, id, "issue", 0);
	a = submit(f, &f->machine, "TEST-CA", NULL, NULL, id);
	old.x = check_issued(f, a);		/* built at retrieval, and indexed */
	old.der = a->cert;
	assert_int_equal(ca_serial_text(f->t, X509_get0_serialNumber(old.x), &old.serial), AE_OK);
	assert_int_equal(ca_certdb_load(f->t, f->ca->db_dir, old.serial, &cr), AE_OK);
	assert_int_equal(cr->request_id, id);

	ro.renewal = &old.der;
	csr = make_csr(f->t, &ro);
	req = cms_sign(f->t, old.x, f->key, NULL, &csr, CMS_NOATTR);
	a = send(f, &f->machine, NULL, &req);		/* PEND_ALL_REQUESTS holds */
	assert_int_equal(a->disposition, AE_CR_DISP_UNDER_SUBMISSION);
	id = a->request_id;
	set_record_state(f, id, "issue", 0);
	a = submit(f, &f->machine, "TEST-CA", NULL, NULL, id);
	x = check_issued(f, a);
	assert_int_equal(ca_serial_text(f->t, X509_get0_serialNumber(x), &serial), AE_OK);
	assert_int_equal(ca_certdb_load(f->t, f->ca->db_dir, serial, &cr), AE_OK);
	assert_string_equal(cr->renews, old.serial);	/* from the request record */
	X509_free(x);

	/* PREVIOUS_APPROVAL_VALIDATE_REENROLLMENT: a renewal skips the approval */
	f->tmpl[1].enrollment_flags |= 0x40;
	a = send(f, &f->machine, NULL, &req);
	X509_free(check_issued(f, a));
	a = ask(f, &f->machine, NULL, &o);		/* a new request still waits */
	assert_int_equal(a->disposition, AE_CR_DISP_UNDER_SUBMISSION);
	f->tmpl[1].enrollment_flags &= ~0x40u;
	X509_free(old.x);
}

static void test_ctx_cdp(void **state)
{
	struct fixture *f = *state;
	struct ca_ctx *ca = NULL;
	size_t before = talloc_total_blocks(f->t);

	assert_int_equal(ca_ctx_load(f->t, "relative/dir", "TEST-CA", &ca), AE_ERR_CONFIG);
	assert_int_equal(ca_ctx_load(f->t, f->dir, "TEST CA", &ca), AE_ERR_CONFIG);
	assert_int_equal(ca_ctx_load(f->t, f->dir, "../x", &ca), AE_ERR_CONFIG);
	assert_null(ca);
	assert_int_equal(talloc_total_blocks(f->t), before);
	assert_int_equal(ca_ctx_set_cdp(f->ca, "DC 1", CONFIG_DN), AE_ERR_INVALID);
	assert_int_equal(ca_ctx_set_cdp(f->ca, "DC1", "CN=a\\,b,DC=x"), AE_ERR_INVALID);
	assert_int_equal(ca_ctx_set_cdp(f->ca, "DC1", ""), AE_ERR_INVALID);
	assert_string_equal(f->ca->cdp_dn, "CN=TEST-CA,CN=DC1,CN=CDP,CN=Public Key Services,"
			    "CN=Services," CONFIG_DN);	/* unchanged */
	assert_int_equal(ca_ctx_set_cdp(f->ca, "CA2", "CN=Configuration,DC=x"), AE_OK);
	assert_string_equal(f->ca->cdp_ldap_url, "ldap:///CN=TEST-CA,CN=CA2,CN=CDP,"
			    "CN=Public%20Key%20Services,CN=Services,CN=Configuration,DC=x"
			    "?certificateRevocationList?base?objectClass=cRLDistributionPoint");
	assert_int_equal(ca_ctx_set_cdp(f->ca, "DC1", CONFIG_DN), AE_OK);
	assert_int_equal(talloc_total_blocks(f->t), before);
}

struct sweep {
	struct fixture *f;
	size_t n, issued;
};

static void renewal_mutant(void *state, const uint8_t *p, size_t len)
{
	struct sweep *s = state;
	struct ca_bytes b = { (uint8_t *)p, len };
	TALLOC_CTX *before = s->f->t;
	struct ca_answer *a = NULL;

	s->f->t = talloc_new(before);
	a = send(s->f, &s->f->machine, MACHINE_ATTRS, &b);
	assert_true(a->disposition == AE_CR_DISP_ISSUED || (a->disposition & 0x80000000u));
	s->issued += a->disposition == AE_CR_DISP_ISSUED;
	s->n++;
	talloc_free(s->f->t);
	s->f->t = before;
}

static void cms_mutant(void *state, const uint8_t *p, size_t len)
{
	struct ca_cms *c = NULL;

	(void)state;
	if (ca_cms_parse(NULL, p, len, &c) == AE_OK) {
		talloc_free(c);
	}
}

static void test_renewal_robustness(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key, .oid = TOID, .major = 100, .minor = 3 };
	struct issued old = issue(f, &f->machine, MACHINE_ATTRS, &o);
	struct ca_bytes req = renewal(f, &old, f->key, 0);
	struct sweep s = { .f = f };
	size_t blocks = talloc_total_blocks(f->t);

	test_mutate(req.p, req.len, 3, cms_mutant, NULL);
	test_mutate(req.p, req.len, 61, renewal_mutant, &s);
	assert_true(s.n > 50);
	assert_true(s.issued < s.n);
	assert_int_equal(talloc_total_blocks(f->t), blocks);
	X509_free(old.x);
}

int ca_renewal_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_renewal_issued),
		cmocka_unit_test(test_renewal_refusals),
		cmocka_unit_test(test_revoke_and_crl),
		cmocka_unit_test(test_renewal_pending),
		cmocka_unit_test(test_renewal_robustness),
		cmocka_unit_test(test_ctx_cdp),
	};

	return cmocka_run_group_tests_name("ca_renewal", tests, rsetup, rteardown);
}
