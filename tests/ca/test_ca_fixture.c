/*
 * test_ca_fixture.c: the shared fixture of the test CA's decision-path
 * tests (test_ca_fixture.h).
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
#include "test_ca_fixture.h"

static const char *published[] = { "LabMachine", "LabPending", "LabNoEnroll", "LabWebServer",
				    "Machine", "labuser", "LabUserWin" };

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
	for (i = 0; i < sizeof(f->acct) / sizeof(f->acct[0]); i++) {
		if (f->acct[i].dn != NULL && ca_sid_equal(&f->acct[i].sid, sid)) {
			*a = &f->acct[i];
			return AE_OK;
		}
	}
	return AE_ERR_NOT_FOUND;
}

/* CT_FLAG_PUBLISH_TO_DS: remembers the last publication (or fails). */
static ae_err f_publish(void *priv, const char *dn, const uint8_t *der, size_t len)
{
	struct fixture *f = priv;

	if (f->dir_down || f->publish_fails) {
		return AE_ERR_LDAP;
	}
	talloc_free(f->published_dn);
	talloc_free(f->published_der);
	f->published_dn = talloc_strdup(f->t, dn);
	f->published_der = talloc_memdup(f->t, der, len);
	f->published_len = len;
	f->published_count++;
	return AE_OK;
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

struct ca_template *tmpl(struct fixture *f, const char *cn, const char *oid,
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

int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *m1[] = { DOM "-1103", DOM "-515", "S-1-1-0", "S-1-5-11" };
	const char *m2[] = { DOM "-1104", DOM "-515", "S-1-1-0", "S-1-5-11" };
	const char *u[] = { DOM "-1105", DOM "-513", "S-1-1-0", "S-1-5-11" };
	const char *b[] = { DOM "-1106", DOM "-513", "S-1-1-0", "S-1-5-11" };

	assert_non_null(f);
	f->t = talloc_new(NULL);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_ca.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	write_ca(f);
	assert_int_equal(ca_ctx_load(f->t, f->dir, "TEST-CA", &f->ca), AE_OK);
	assert_int_equal(ca_ctx_set_cdp(f->ca, "DC1", CONFIG_DN), AE_OK);
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
	/* as a Windows "User" template: name flags 0xa6000000, enrollment 0x29 */
	tmpl(f, "LabUserWin", TOID ".8", 2, CA_NAME_ALT_REQUIRE_UPN | CA_NAME_ALT_REQUIRE_EMAIL |
	     CA_NAME_SUBJECT_REQUIRE_EMAIL | CA_NAME_SUBJECT_REQUIRE_DIRECTORY_PATH,
	     0x29, "S-1-5-11");
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
	f->acct[2].mail = "alice@example.org";
	assert_int_equal(ca_sid_from_string(DOM "-1106", &f->acct[3].sid), AE_OK);
	f->acct[3].dn = "CN=bob,OU=Staff,DC=lab,DC=example,DC=com";
	f->acct[3].cn = "bob";
	f->acct[3].upn = "bob@lab.example.com";			/* no mail */
	caller(f, &f->bob, "LAB\\bob", b, 4);
	caller(f, &f->machine, "LAB\\MEMBER1$", m1, 4);
	caller(f, &f->machine2, "LAB\\MEMBER2$", m2, 4);
	caller(f, &f->user, "LAB\\alice", u, 4);
	*state = f;
	return 0;
}

int teardown(void **state)
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


static void add_raw(STACK_OF(X509_EXTENSION) *exts, const char *oid, const struct ca_bytes *b)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();

	ASN1_OCTET_STRING_set(os, b->p, (int)b->len);
	sk_X509_EXTENSION_push(exts, X509_EXTENSION_create_by_OBJ(NULL, o, 0, os));
	ASN1_OBJECT_free(o);
	ASN1_OCTET_STRING_free(os);
}

#define OID_RENEWAL	"1.3.6.1.4.1.311.13.1"
#define OID_DECOY	"1.3.6.1.4.1.311.13.9"	/* same length; patched into OID_RENEWAL */

/* szOID_RENEWAL_CERTIFICATE: the value is the certificate's own SEQUENCE. */
static void add_renewal_attr(X509_REQ *req, const struct csr_opts *o, const char *oid)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	X509_ATTRIBUTE *at = X509_ATTRIBUTE_create_by_OBJ(NULL, obj, V_ASN1_SEQUENCE,
							   o->renewal->p, (int)o->renewal->len);

	assert_non_null(at);
	if (o->renewal_two_values) {
		assert_int_equal(X509_ATTRIBUTE_set1_data(at, V_ASN1_SEQUENCE, o->renewal->p,
							  (int)o->renewal->len), 1);
	}
	assert_int_equal(X509_REQ_add1_attr(req, at), 1);
	X509_ATTRIBUTE_free(at);
	ASN1_OBJECT_free(obj);
}

/*
 * OpenSSL refuses a second attribute of one type, so the second renewal
 * attribute goes in under OID_DECOY; this rewrites its last OID byte in the
 * signed part and signs that again (SHA-256, key).
 */
static struct ca_bytes resign_with_duplicate(TALLOC_CTX *t, X509_REQ *req, EVP_PKEY *key)
{
	static const uint8_t decoy[] = { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x0d, 0x09 };
	unsigned char *tbs = NULL, *alg = NULL, *sig = NULL, *hit = NULL;
	const X509_ALGOR *algor = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int tlen = i2d_re_X509_REQ_tbs(req, &tbs), alen, i;
	size_t slen = 0;
	struct ca_bytes parts[3], body, out;

	assert_true(tlen > 0);
	for (i = 0; i + (int)sizeof(decoy) <= tlen && hit == NULL; i++) {
		if (memcmp(tbs + i, decoy, sizeof(decoy)) == 0) {
			hit = tbs + i;
		}
	}
	assert_non_null(hit);
	hit[sizeof(decoy) - 1] = 0x01;
	X509_REQ_get0_signature(req, NULL, &algor);
	alen = i2d_X509_ALGOR(algor, &alg);
	assert_true(alen > 0);
	assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
	assert_int_equal(EVP_DigestSign(md, NULL, &slen, tbs, (size_t)tlen), 1);
	sig = OPENSSL_malloc(slen + 1);
	sig[0] = 0;	/* unused bits */
	assert_int_equal(EVP_DigestSign(md, sig + 1, &slen, tbs, (size_t)tlen), 1);
	parts[0] = (struct ca_bytes){ tbs, (size_t)tlen };
	parts[1] = (struct ca_bytes){ alg, (size_t)alen };
	assert_int_equal(ca_der_tlv(t, 0x03, sig, slen + 1, &parts[2]), AE_OK);
	assert_int_equal(ca_der_cat(t, parts, 3, &body), AE_OK);
	assert_int_equal(ca_der_tlv(t, 0x30, body.p, body.len, &out), AE_OK);
	OPENSSL_free(tbs);
	OPENSSL_free(alg);
	OPENSSL_free(sig);
	EVP_MD_CTX_free(md);
	return out;
}

struct ca_bytes make_csr(TALLOC_CTX *t, const struct csr_opts *o)
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
	if (o->renewal != NULL) {
		add_renewal_attr(req, o, OID_RENEWAL);
	}
	if (o->renewal != NULL && o->renewal_copies > 1) {
		add_renewal_attr(req, o, OID_DECOY);
	}
	assert_true(X509_REQ_sign(req, o->key, EVP_sha256()) > 0);
	if (o->renewal != NULL && o->renewal_copies > 1) {
		b = resign_with_duplicate(t, req, o->key);
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
		X509_NAME_free(n);
		X509_REQ_free(req);
		return b;
	}
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

struct ca_answer *submit(struct fixture *f, const struct ca_caller *c,
				const char *authority, const char *attrs,
				const struct ca_bytes *csr, uint32_t id)
{
	struct ca_directory dir = { f, f_service, f_template, f_account, f_publish };
	struct icpr_request req = { .authority = authority, .request_id = id, .flags = f->flags };
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
	assert_int_equal(ca_process(f->t, f->ca, &dir, c, &req, NOW + f->clock, &a), AE_OK);
	assert_non_null(a->message);
	return a;
}

struct ca_answer *ask(struct fixture *f, const struct ca_caller *c, const char *attrs,
			     const struct csr_opts *o)
{
	struct ca_bytes csr = make_csr(f->t, o);

	return submit(f, c, "test-ca", attrs, &csr, 0);
}

/* The issued certificate: CA signature, names, Microsoft extensions. */
X509 *check_issued(struct fixture *f, const struct ca_answer *a)
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

const ASN1_OCTET_STRING *ext_value(X509 *x, const char *oid)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	int i = X509_get_ext_by_OBJ(x, o, -1);

	ASN1_OBJECT_free(o);
	return i < 0 ? NULL : X509_EXTENSION_get_data(X509_get_ext(x, i));
}

void expect(struct ca_answer *a, uint32_t hr, bool with_id)
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

void set_record_state(struct fixture *f, uint32_t id, const char *cmd, int want)
{
	char line[512];
	int rc;

	snprintf(line, sizeof(line), "ICPR_CA_DIR='%s' '%s' %s %u >/dev/null 2>&1", f->dir,
		 CA_ADMIN, cmd, id);
	rc = system(line);
	assert_true(WIFEXITED(rc));
	assert_int_equal(WEXITSTATUS(rc), want);
}

int ca_admin(struct fixture *f, const char *args)
{
	char line[1024];
	int rc;

	snprintf(line, sizeof(line), "ICPR_CA_DIR='%s' ICPR_CA_NAME=TEST-CA ICPR_SAM_LDB= '%s' %s",
		 f->dir, CA_ADMIN, args);
	rc = system(line);
	assert_true(WIFEXITED(rc));
	return WEXITSTATUS(rc);
}
