/*
 * test_ca.c: the test CA's decision path (ca_process) end to end with a
 * fake directory and a throw-away CA in a temporary directory: issue,
 * every refusal, pending -> ca-admin -> retrieval, persistence, corrupt
 * records, and a mutation sweep of requests (robustness).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>
#include "ae_file.h"
#include "ae_hresult.h"
#include "ae_utf16.h"
#include "ca.h"
#include "ca_ctx.h"
#include "ca_db.h"
#include "ca_der.h"
#include "ca_policy.h"
#include "ca_sd.h"
#include "test_ca.h"

#define DOM "S-1-5-21-2367808153-3155904917-1618797726"
#define TOID "1.3.6.1.4.1.311.21.8.1000001.2000002.1000.1"
#define NOW ((time_t)1767225600)	/* 2026-01-01 */
#define DC DOM "-515"			/* Domain Computers */

struct fixture {
	TALLOC_CTX *t;
	char dir[64];
	struct ca_ctx *ca;
	EVP_PKEY *key;		/* requester RSA-2048 */
	EVP_PKEY *small;	/* RSA-1024 */
	struct ca_template tmpl[8];
	size_t ntmpl;
	struct ca_account acct[3];
	struct ca_caller machine, machine2, user;
	bool dir_down;
};

static const char *published[] = { "LabMachine", "LabPending", "LabNoEnroll", "LabWebServer",
				    "Machine", "labuser" };

/* ---- fake directory -------------------------------------------------- */

static ae_err f_service(void *priv, TALLOC_CTX *m, const char *ca_name, const char ***v,
			size_t *n)
{
	struct fixture *f = priv;

	(void)m;
	if (f->dir_down) {
		return AE_ERR_LDAP;
	}
	if (strcasecmp(ca_name, "TEST-CA") != 0) {
		return AE_ERR_NOT_FOUND;
	}
	*v = published;
	*n = sizeof(published) / sizeof(published[0]);
	return AE_OK;
}

static ae_err f_template(void *priv, TALLOC_CTX *m, const char *key, bool by_oid,
			 struct ca_template **t)
{
	struct fixture *f = priv;
	size_t i;

	(void)m;
	if (f->dir_down) {
		return AE_ERR_LDAP;
	}
	for (i = 0; i < f->ntmpl; i++) {
		const char *k = by_oid ? f->tmpl[i].oid : f->tmpl[i].cn;
		if (k != NULL && strcasecmp(k, key) == 0) {
			*t = &f->tmpl[i];
			return AE_OK;
		}
	}
	return AE_ERR_NOT_FOUND;
}

static ae_err f_account(void *priv, TALLOC_CTX *m, const struct ca_sid *sid,
			struct ca_account **a)
{
	struct fixture *f = priv;
	size_t i;

	(void)m;
	for (i = 0; i < 3; i++) {
		if (ca_sid_equal(&f->acct[i].sid, sid)) {
			*a = &f->acct[i];
			return AE_OK;
		}
	}
	return AE_ERR_NOT_FOUND;
}

/* ---- setup ------------------------------------------------------------- */

static void caller(struct fixture *f, struct ca_caller *c, const char *name,
		   const char **sids, size_t n)
{
	size_t i;

	c->name = name;
	c->auth_level = 6;
	c->sids = talloc_zero_array(f->t, struct ca_sid, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(ca_sid_from_string(sids[i], &c->sids[i]), AE_OK);
	}
	c->num_sids = n;
}

static struct ca_template *tmpl(struct fixture *f, const char *cn, const char *oid,
				uint32_t schema, uint32_t name_flags, uint32_t enroll_flags,
				const char *enroll_sid)
{
	static const char *eku[] = { "1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1" };
	static const char *crit[] = { "2.5.29.15" };
	struct ca_template *t = &f->tmpl[f->ntmpl++];
	const struct test_ace aces[] = {
		{ 0x00, 0, 0x000f01ff, NULL, DOM "-512" },
		{ 0x05, 0, 0x100, ca_guid_enroll, enroll_sid },
		{ 0x00, 0, 0x00020094, NULL, "S-1-5-11" },
	};

	t->cn = cn;
	t->oid = oid;
	t->schema_version = schema;
	t->revision = 100;
	t->minor_revision = 3;
	t->name_flags = name_flags;
	t->enrollment_flags = enroll_flags;
	t->min_key_size = 2048;
	t->validity_seconds = 365 * 86400;
	t->eku = eku;
	t->num_eku = 2;
	t->critical = crit;
	t->num_critical = 1;
	t->key_usage[0] = 0xa0;
	t->key_usage_len = 2;
	t->app_policies = eku;
	t->num_app_policies = schema >= 2 ? 2 : 0;
	t->sd = test_sd_build(f->t, aces, 3, &t->sd_len);
	return t;
}

static void write_ca(struct fixture *f)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	FILE *fp;
	char path[128];

	assert_non_null(k);
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"TEST-CA", -1,
				   -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 20L * 365 * 86400);
	X509_set_pubkey(x, k);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	snprintf(path, sizeof(path), "%s/ca.pem", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	PEM_write_X509(fp, x);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/ca.key", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL);
	fclose(fp);
	X509_NAME_free(n);
	X509_free(x);
	EVP_PKEY_free(k);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *m1[] = { DOM "-1103", DOM "-515", "S-1-1-0", "S-1-5-11" };
	const char *m2[] = { DOM "-1104", DOM "-515", "S-1-1-0", "S-1-5-11" };
	const char *u[] = { DOM "-1105", DOM "-513", "S-1-1-0", "S-1-5-11" };

	assert_non_null(f);
	f->t = talloc_new(NULL);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_ca.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	write_ca(f);
	assert_int_equal(ca_ctx_load(f->t, f->dir, "TEST-CA", &f->ca), AE_OK);
	f->key = EVP_RSA_gen(2048);
	f->small = EVP_RSA_gen(1024);
	assert_non_null(f->key);
	assert_non_null(f->small);
	tmpl(f, "LabMachine", TOID, 2, CA_NAME_ALT_REQUIRE_DNS, 0x20, DC);
	tmpl(f, "LabPending", TOID ".2", 2, CA_NAME_ALT_REQUIRE_DNS, 0x22, DC);
	tmpl(f, "LabNoEnroll", TOID ".3", 2, CA_NAME_ALT_REQUIRE_DNS, 0x20, DOM "-512");
	tmpl(f, "LabUnpublished", TOID ".4", 2, CA_NAME_ALT_REQUIRE_DNS, 0x20, DC);
	tmpl(f, "LabWebServer", TOID ".5", 2, CA_NAME_ENROLLEE_SUPPLIES_SUBJECT, 0, DC);
	tmpl(f, "Machine", TOID ".6", 1, CA_NAME_ALT_REQUIRE_DNS |
	     CA_NAME_SUBJECT_REQUIRE_DNS_AS_CN, 0, DC);
	tmpl(f, "LabUser", TOID ".7", 2, CA_NAME_ALT_REQUIRE_UPN |
	     CA_NAME_SUBJECT_REQUIRE_DIRECTORY_PATH, CA_ENROLL_NO_SECURITY_EXTENSION,
	     "S-1-5-11");
	f->tmpl[6].min_key_size = 0;
	assert_int_equal(ca_sid_from_string(DOM "-1103", &f->acct[0].sid), AE_OK);
	f->acct[0].dn = "CN=MEMBER1,CN=Computers,DC=lab,DC=example,DC=com";
	f->acct[0].cn = "MEMBER1";
	f->acct[0].dns_host_name = "member1.lab.example.com";
	assert_int_equal(ca_sid_from_string(DOM "-1104", &f->acct[1].sid), AE_OK);
	f->acct[1].dn = "CN=MEMBER2,CN=Computers,DC=lab,DC=example,DC=com";
	f->acct[1].cn = "MEMBER2";				/* no dNSHostName */
	assert_int_equal(ca_sid_from_string(DOM "-1105", &f->acct[2].sid), AE_OK);
	f->acct[2].dn = "CN=Alice\\, A.,CN=Users,DC=lab,DC=example,DC=com";
	f->acct[2].cn = "Alice, A.";
	f->acct[2].upn = "alice@lab.example.com";
	caller(f, &f->machine, "LAB\\MEMBER1$", m1, 4);
	caller(f, &f->machine2, "LAB\\MEMBER2$", m2, 4);
	caller(f, &f->user, "LAB\\alice", u, 4);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (strncmp(f->dir, "/tmp/test_ca.", 13) == 0) {
		assert_int_equal(system(cmd), 0);
	}
	EVP_PKEY_free(f->key);
	EVP_PKEY_free(f->small);
	talloc_free(f->t);
	free(f);
	return 0;
}

/* ---- requests ------------------------------------------------------------ */

struct csr_opts {
	EVP_PKEY *key;
	const char *cn;
	const char *oid;
	uint32_t major, minor;
	const char *v1name;
	const char *san_dns;
	bool bad_sig;
};

static void add_raw(STACK_OF(X509_EXTENSION) *exts, const char *oid, const struct ca_bytes *b)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();

	ASN1_OCTET_STRING_set(os, b->p, (int)b->len);
	sk_X509_EXTENSION_push(exts, X509_EXTENSION_create_by_OBJ(NULL, o, 0, os));
	ASN1_OBJECT_free(o);
	ASN1_OCTET_STRING_free(os);
}

static struct ca_bytes make_csr(TALLOC_CTX *t, const struct csr_opts *o)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *n = X509_NAME_new();
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	unsigned char *der = NULL;
	struct ca_bytes b;
	int len;

	if (o->cn) {
		X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)o->cn,
					   -1, -1, 0);
	}
	X509_REQ_set_subject_name(req, n);
	X509_REQ_set_pubkey(req, o->key);
	if (o->oid) {
		assert_int_equal(ca_der_template_ext(t, o->oid, o->major, o->minor, &b), AE_OK);
		add_raw(exts, CA_OID_TEMPLATE_EXT, &b);
	}
	if (o->v1name) {
		assert_int_equal(ca_der_template_name_ext(t, o->v1name, &b), AE_OK);
		add_raw(exts, CA_OID_TEMPLATE_NAME, &b);
	}
	if (o->san_dns) {
		char v[128];
		snprintf(v, sizeof(v), "DNS:%s", o->san_dns);
		sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(NULL, NULL,
								 NID_subject_alt_name, v));
	}
	if (sk_X509_EXTENSION_num(exts) > 0) {
		X509_REQ_add_extensions(req, exts);
	}
	assert_true(X509_REQ_sign(req, o->key, EVP_sha256()) > 0);
	len = i2d_X509_REQ(req, &der);
	assert_true(len > 0);
	b.p = talloc_memdup(t, der, (size_t)len);
	b.len = (size_t)len;
	if (o->bad_sig) {
		b.p[b.len - 1] ^= 0x01;
	}
	OPENSSL_free(der);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(n);
	X509_REQ_free(req);
	return b;
}

static struct ca_answer *submit(struct fixture *f, const struct ca_caller *c,
				const char *authority, const char *attrs,
				const struct ca_bytes *csr, uint32_t id)
{
	struct ca_directory dir = { f, f_service, f_template, f_account };
	struct icpr_request req = { .authority = authority, .request_id = id };
	struct ca_answer *a = NULL;
	uint8_t *u = NULL;
	size_t len = 0;

	if (attrs != NULL) {
		assert_int_equal(ae_utf8_to_utf16le(f->t, attrs, true, &u, &len), AE_OK);
		req.attribs.pb = u;
		req.attribs.cb = (uint32_t)len;
	}
	if (csr != NULL) {
		req.request.pb = csr->p;
		req.request.cb = (uint32_t)csr->len;
	}
	assert_int_equal(ca_process(f->t, f->ca, &dir, c, &req, NOW, &a), AE_OK);
	assert_non_null(a->message);
	return a;
}

static struct ca_answer *ask(struct fixture *f, const struct ca_caller *c, const char *attrs,
			     const struct csr_opts *o)
{
	struct ca_bytes csr = make_csr(f->t, o);

	return submit(f, c, "test-ca", attrs, &csr, 0);
}

/* The issued certificate: CA signature, names, Microsoft extensions. */
static X509 *check_issued(struct fixture *f, const struct ca_answer *a)
{
	const unsigned char *q = a->cert.p;
	X509 *x = NULL;
	PKCS7 *p7 = NULL;

	assert_int_equal(a->disposition, AE_CR_DISP_ISSUED);
	assert_string_equal(a->message, "Issued");
	assert_true(a->request_id > 0);
	x = d2i_X509(NULL, &q, (long)a->cert.len);
	assert_non_null(x);
	assert_int_equal(X509_verify(x, X509_get0_pubkey(f->ca->cert)), 1);
	assert_int_equal(X509_cmp_time(X509_get0_notBefore(x), &(time_t){ NOW - 1 }), 1);
	q = a->chain.p;
	p7 = d2i_PKCS7(NULL, &q, (long)a->chain.len);
	assert_non_null(p7);
	assert_true(PKCS7_type_is_signed(p7));
	assert_int_equal(sk_X509_num(p7->d.sign->cert), 2);
	assert_int_equal(X509_cmp(sk_X509_value(p7->d.sign->cert, 0), x), 0);
	assert_int_equal(X509_cmp(sk_X509_value(p7->d.sign->cert, 1), f->ca->cert), 0);
	PKCS7_free(p7);
	return x;
}

static const ASN1_OCTET_STRING *ext_value(X509 *x, const char *oid)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	int i = X509_get_ext_by_OBJ(x, o, -1);

	ASN1_OBJECT_free(o);
	return i < 0 ? NULL : X509_EXTENSION_get_data(X509_get_ext(x, i));
}

static void test_issue_machine(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key, .oid = TOID, .major = 100, .minor = 3 };
	struct ca_answer *a = ask(f, &f->machine, "CertificateTemplate:LabMachine", &o);
	X509 *x = check_issued(f, a);
	GENERAL_NAMES *san = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	const ASN1_OCTET_STRING *v = NULL;
	struct ca_bytes want;
	char *oid = NULL;
	uint32_t major = 0, minor = 0;

	assert_string_equal(a->template_name, "LabMachine");
	assert_int_equal(X509_NAME_entry_count(X509_get_subject_name(x)), 0);
	assert_non_null(san);
	assert_int_equal(sk_GENERAL_NAME_num(san), 1);
	assert_string_equal(ASN1_STRING_get0_data(sk_GENERAL_NAME_value(san, 0)->d.dNSName),
			    "member1.lab.example.com");
	GENERAL_NAMES_free(san);
	v = ext_value(x, CA_OID_TEMPLATE_EXT);
	assert_non_null(v);
	assert_int_equal(ca_der_parse_template_ext(f->t, ASN1_STRING_get0_data(v),
						   (size_t)ASN1_STRING_length(v), &oid, &major,
						   &minor), AE_OK);
	assert_string_equal(oid, TOID);
	assert_int_equal(major, 100);
	assert_int_equal(minor, 3);
	v = ext_value(x, CA_OID_SID_EXT);
	assert_non_null(v);
	assert_int_equal(ca_der_sid_ext(f->t, DOM "-1103", &want), AE_OK);
	assert_int_equal((size_t)ASN1_STRING_length(v), want.len);
	assert_memory_equal(ASN1_STRING_get0_data(v), want.p, want.len);
	assert_non_null(ext_value(x, "2.5.29.14"));	/* SKI */
	assert_non_null(ext_value(x, "2.5.29.35"));	/* AKI */
	assert_true(X509_get_extended_key_usage(x) & XKU_SSL_CLIENT);
	assert_true(X509_get_key_usage(x) & KU_KEY_ENCIPHERMENT);
	X509_free(x);

	/* the template named by its OID only, and by the OID in the attribute */
	a = ask(f, &f->machine, NULL, &o);
	X509_free(check_issued(f, a));
	a = ask(f, &f->machine, "CertificateTemplate:" TOID, &o);
	X509_free(check_issued(f, a));
}

static void test_issue_v1_and_enrollee(void **state)
{
	struct fixture *f = *state;
	struct csr_opts v1 = { .key = f->key, .v1name = "Machine" };
	struct csr_opts web = { .key = f->key, .cn = "www.lab.example.com",
				.san_dns = "www.lab.example.com" };
	struct csr_opts upn = { .key = f->key };
	struct ca_answer *a = ask(f, &f->machine, NULL, &v1);
	X509 *x = check_issued(f, a);
	char cn[128];
	const ASN1_OCTET_STRING *v;

	X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn));
	assert_string_equal(cn, "member1.lab.example.com");	/* DNS_AS_CN */
	v = ext_value(x, CA_OID_TEMPLATE_NAME);
	assert_non_null(v);
	assert_null(ext_value(x, CA_OID_TEMPLATE_EXT));
	X509_free(x);

	a = ask(f, &f->machine, "CertificateTemplate:LabWebServer", &web);
	x = check_issued(f, a);
	X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn));
	assert_string_equal(cn, "www.lab.example.com");		/* from the request */
	assert_non_null(ext_value(x, "2.5.29.17"));
	assert_null(ext_value(x, CA_OID_SID_EXT));		/* not supplied */
	X509_free(x);

	a = ask(f, &f->user, "CertificateTemplate:LabUser", &upn);
	x = check_issued(f, a);
	assert_int_equal(X509_NAME_entry_count(X509_get_subject_name(x)), 5);
	assert_null(ext_value(x, CA_OID_SID_EXT));		/* NO_SECURITY_EXTENSION */
	X509_free(x);
}

static void expect(struct ca_answer *a, uint32_t hr, bool with_id)
{
	assert_int_equal(a->disposition, hr);
	assert_int_equal(a->cert.len, 0);
	assert_int_equal(a->chain.len, 0);
	if (with_id) {
		assert_true(a->request_id > 0);
	} else {
		assert_int_equal(a->request_id, 0);
	}
}

static void test_refusals(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key };
	struct csr_opts small = { .key = f->small };
	struct csr_opts bad = { .key = f->key, .bad_sig = true };
	struct csr_opts newer = { .key = f->key, .oid = TOID, .major = 100, .minor = 4 };
	struct csr_opts other = { .key = f->key, .oid = TOID ".2", .major = 100 };
	struct ca_bytes csr = make_csr(f->t, &o);
	uint8_t garbage[] = { 0x30, 0x03, 0x02, 0x01, 0x01, 0xde, 0xad };
	struct ca_bytes junk = { garbage, sizeof(garbage) };
	struct ca_answer *a;

	a = ask(f, &f->machine, "CertificateTemplate:LabNoEnroll", &o);
	expect(a, AE_CERTSRV_E_TEMPLATE_DENIED, true);
	assert_string_equal(a->message, "Denied by Policy Module 0x80094012, The permissions on "
			    "the certificate template do not allow the current user to enroll "
			    "for this type of certificate.");
	expect(ask(f, &f->user, "CertificateTemplate:LabMachine", &o),
	       AE_CERTSRV_E_TEMPLATE_DENIED, true);
	expect(ask(f, &f->machine, "CertificateTemplate:LabUnpublished", &o),
	       AE_CERTSRV_E_UNSUPPORTED_CERT_TYPE, true);
	expect(ask(f, &f->machine, "CertificateTemplate:NoSuchTemplate", &o),
	       AE_CERTSRV_E_UNSUPPORTED_CERT_TYPE, true);
	expect(ask(f, &f->machine, "Other:x", &o), AE_CERTSRV_E_NO_CERT_TYPE, true);
	expect(ask(f, &f->machine, "CertificateTemplate:LabMachine", &other),
	       AE_CERTSRV_E_TEMPLATE_CONFLICT, true);
	expect(ask(f, &f->machine, "CertificateTemplate:LabMachine\nCertificateTemplate:Machine",
		   &o), AE_CERTSRV_E_TEMPLATE_CONFLICT, true);
	expect(ask(f, &f->machine, NULL, &newer), AE_CERTSRV_E_BAD_TEMPLATE_VERSION, true);
	expect(ask(f, &f->machine, "CertificateTemplate:LabMachine", &small),
	       AE_CERTSRV_E_KEY_LENGTH, true);
	expect(ask(f, &f->machine, "CertificateTemplate:LabMachine", &bad),
	       AE_NTE_BAD_SIGNATURE, true);
	expect(ask(f, &f->machine2, "CertificateTemplate:LabMachine", &o),
	       AE_CERTSRV_E_SUBJECT_DNS_REQUIRED, true);
	expect(ask(f, &f->machine2, "CertificateTemplate:LabUser", &o),
	       CA_CERTSRV_E_SUBJECT_UPN_REQUIRED, true);
	expect(submit(f, &f->machine, "TEST-CA", "CertificateTemplate:LabMachine", &junk, 0),
	       AE_CRYPT_E_ASN1_BADTAG, true);
	a = submit(f, &f->machine, "OTHER-CA", "CertificateTemplate:LabMachine", &csr, 0);
	expect(a, AE_E_INVALIDARG, false);
	assert_non_null(strstr(a->message, "OTHER-CA"));
	expect(submit(f, &f->machine, NULL, "CertificateTemplate:LabMachine", &csr, 0),
	       AE_E_INVALIDARG, false);
	expect(submit(f, &f->machine, "TEST-CA", NULL, NULL, 0), AE_E_INVALIDARG, false);
	f->dir_down = true;
	expect(submit(f, &f->machine, "TEST-CA", "CertificateTemplate:LabMachine", &csr, 0),
	       CA_E_DS_UNAVAILABLE, true);
	f->dir_down = false;
}

static void set_record_state(struct fixture *f, uint32_t id, const char *cmd, int want)
{
	char line[512];
	int rc;

	snprintf(line, sizeof(line), "ICPR_CA_DIR='%s' '%s' %s %u >/dev/null 2>&1", f->dir,
		 CA_ADMIN, cmd, id);
	rc = system(line);
	assert_true(WIFEXITED(rc));
	assert_int_equal(WEXITSTATUS(rc), want);
}

static void test_pending(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key };
	struct ca_answer *a, *b;
	uint32_t id, id2;
	char path[128];

	a = ask(f, &f->machine, "CertificateTemplate:LabPending", &o);
	assert_int_equal(a->disposition, AE_CR_DISP_UNDER_SUBMISSION);
	assert_string_equal(a->message, "Taken Under Submission");
	id = a->request_id;
	assert_true(id > 0);
	a = submit(f, &f->machine, "TEST-CA", NULL, NULL, id);		/* still pending */
	assert_int_equal(a->disposition, AE_CR_DISP_UNDER_SUBMISSION);
	assert_int_equal(a->request_id, id);
	expect(submit(f, &f->machine2, "TEST-CA", NULL, NULL, id), AE_E_ACCESSDENIED, true);
	expect(submit(f, &f->machine, "TEST-CA", NULL, NULL, 999999), AE_CERTSRV_E_NO_REQUEST,
	       true);
	set_record_state(f, 999999, "issue", 2);			/* unknown id */
	set_record_state(f, id, "issue", 0);
	set_record_state(f, id, "issue", 4);				/* not pending */
	a = submit(f, &f->machine, "TEST-CA", NULL, NULL, id);
	X509_free(check_issued(f, a));
	assert_string_equal(a->template_name, "LabPending");
	b = submit(f, &f->machine, "TEST-CA", NULL, NULL, id);		/* the same certificate */
	X509_free(check_issued(f, b));
	assert_int_equal(a->cert.len, b->cert.len);
	assert_memory_equal(a->cert.p, b->cert.p, a->cert.len);

	a = ask(f, &f->machine, "CertificateTemplate:LabPending", &o);
	id2 = a->request_id;
	assert_true(id2 > id);
	set_record_state(f, id2, "deny", 0);
	a = submit(f, &f->machine, "TEST-CA", NULL, NULL, id2);
	expect(a, AE_CR_DISP_DENIED, true);
	assert_non_null(strstr(a->message, "Denied by the CA administrator"));

	/* a refused request is retrievable as denied too */
	a = ask(f, &f->machine, "CertificateTemplate:LabNoEnroll", &o);
	expect(submit(f, &f->machine, "TEST-CA", NULL, NULL, a->request_id), AE_CR_DISP_DENIED,
	       true);

	/* a corrupt record is an error answer */
	snprintf(path, sizeof(path), "%s/db/req-%u", f->dir, id2);
	assert_int_equal(ae_file_write_atomic(path, "version=1\nid=", 13, 0600), AE_OK);
	expect(submit(f, &f->machine, "TEST-CA", NULL, NULL, id2), CA_ERROR_INVALID_DATA, true);
	set_record_state(f, id2, "issue", 3);
}

static void test_ids_persist(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key };
	struct ca_answer *a;
	struct ca_ctx *again = NULL;
	uint32_t first, second;
	char path[128];

	a = ask(f, &f->machine, "CertificateTemplate:LabMachine", &o);
	first = a->request_id;
	/* a "restart": the CA loaded afresh, and even next-id lost */
	assert_int_equal(ca_ctx_load(f->t, f->dir, "TEST-CA", &again), AE_OK);
	talloc_free(f->ca);
	f->ca = again;
	snprintf(path, sizeof(path), "%s/db/next-id", f->dir);
	assert_int_equal(unlink(path), 0);
	a = ask(f, &f->machine, "CertificateTemplate:LabMachine", &o);
	second = a->request_id;
	assert_true(second > first);
	a = submit(f, &f->machine, "TEST-CA", NULL, NULL, first);	/* issued earlier */
	X509_free(check_issued(f, a));
	assert_int_equal(a->request_id, first);
}

struct sweep {
	struct fixture *f;
	size_t n, issued;
};

static void request_mutant(void *state, const uint8_t *p, size_t len)
{
	struct sweep *s = state;
	struct ca_bytes b = { (uint8_t *)p, len };
	TALLOC_CTX *before = s->f->t;
	struct ca_answer *a = NULL;

	s->f->t = talloc_new(before);
	a = submit(s->f, &s->f->machine, "TEST-CA", "CertificateTemplate:LabMachine", &b, 0);
	assert_true(a->disposition == AE_CR_DISP_ISSUED || (a->disposition & 0x80000000u));
	s->issued += a->disposition == AE_CR_DISP_ISSUED;
	s->n++;
	talloc_free(s->f->t);
	s->f->t = before;
}

static void csr_mutant(void *state, const uint8_t *p, size_t len)
{
	struct ca_csr *csr = NULL;

	(void)state;
	if (ca_csr_parse(NULL, p, len, &csr) == AE_OK) {
		talloc_free(csr);
	}
}

static void test_robustness(void **state)
{
	struct fixture *f = *state;
	struct csr_opts o = { .key = f->key, .oid = TOID, .major = 100, .minor = 3,
			      .v1name = "LabMachine" };
	struct ca_bytes csr = make_csr(f->t, &o);
	struct sweep s = { .f = f };
	size_t blocks = talloc_total_blocks(f->t);

	test_mutate(csr.p, csr.len, 1, csr_mutant, NULL);
	test_mutate(csr.p, csr.len, 37, request_mutant, &s);
	assert_true(s.n > 50);
	assert_int_equal(talloc_total_blocks(f->t), blocks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_machine),
		cmocka_unit_test(test_issue_v1_and_enrollee),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_pending),
		cmocka_unit_test(test_ids_persist),
		cmocka_unit_test(test_robustness),
	};
	int rc = ca_vector_tests();

	rc |= cmocka_run_group_tests_name("ca_process", tests, setup, teardown);
	return rc;
}
