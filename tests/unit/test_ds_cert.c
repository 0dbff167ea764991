/*
 * test_ds_cert.c: ae_ds_certs_find (ae_ds_cert.h): which values of a
 * user's userCertificate are valid certificates of a template with
 * CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE, with real
 * certificates made here: the template extension (OID, or the v1 name),
 * the validity at 'now', the chain to an enterprise CA's cACertificate;
 * garbage and foreign certificates are skipped, not errors.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <talloc.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "leak_check.h"
#include "pki_helpers.h"
#include "ae_ds_cert.h"
#include "ae_ms_ext.h"

#define OID_ROAM	"1.3.6.1.4.1.311.21.8.1.2.3.4.5.6.7"
#define OID_OTHER	"1.3.6.1.4.1.311.21.8.1.2.3.4.5.6.8"
#define DS_FLAG		CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE

struct pki {
	struct ae_key *ca_key, *other_key, *leaf_key;
	struct ae_cert *ca, *other;
	time_t now;
};

static void add_raw_ext(X509 *x, const char *oid, const uint8_t *der, size_t len)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e = NULL;

	assert_non_null(obj);
	assert_non_null(v);
	assert_int_equal(ASN1_OCTET_STRING_set(v, der, (int)len), 1);
	e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, v);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(v);
	ASN1_OBJECT_free(obj);
}

/*
 * A user certificate issued by issuer, valid [nb, na), with the template
 * extension of oid (v2) or the v1 name, as DER on mem.
 */
static struct ae_principal_blob leaf(TALLOC_CTX *mem, const struct pki *k,
				     const struct ae_cert *issuer, const struct ae_key *ikey,
				     long serial, const char *oid, const char *v1, time_t nb,
				     time_t na)
{
	X509 *x = X509_new();
	struct ae_cert *c = NULL;
	struct ae_principal_blob b = { 0 };
	uint8_t *ext = NULL;
	size_t ext_len = 0;

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial), 1);
	assert_int_equal(X509_set_issuer_name(x, X509_get_subject_name(issuer->x509)), 1);
	assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), nb));
	assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), na));
	assert_int_equal(X509_set_pubkey(x, k->leaf_key->pkey), 1);
	if (oid != NULL) {
		assert_int_equal(ae_ms_template_ext_encode(mem, oid, 100, 2, &ext, &ext_len),
				 AE_OK);
		add_raw_ext(x, AE_OID_CERT_TEMPLATE, ext, ext_len);
	}
	if (v1 != NULL) {
		assert_int_equal(ae_ms_template_name_encode(mem, v1, &ext, &ext_len), AE_OK);
		add_raw_ext(x, "1.3.6.1.4.1.311.20.2", ext, ext_len);
	}
	talloc_free(ext);
	assert_true(X509_sign(x, ikey->pkey, EVP_sha256()) > 0);
	assert_int_equal(ae_cert_from_x509(mem, x, &c), AE_OK);
	X509_free(x);
	assert_int_equal(ae_cert_to_der(mem, c, &b.data, &b.len), AE_OK);
	talloc_free(c);
	return b;
}

static struct pki *pki_new(TALLOC_CTX *mem)
{
	const struct pki_cert_opts ca = { .ca = true };
	struct pki *k = talloc_zero(mem, struct pki);

	assert_non_null(k);
	k->ca_key = talloc_steal(k, pki_key(false));
	k->other_key = talloc_steal(k, pki_key(false));
	k->leaf_key = talloc_steal(k, pki_key(false));
	k->ca = pki_cert(k, "LabCA", k->ca_key, NULL, NULL, 1, 3650, &ca);
	k->other = pki_cert(k, "Other CA", k->other_key, NULL, NULL, 2, 3650, &ca);
	k->now = time(NULL);
	return k;
}

static struct ae_template *tpl(TALLOC_CTX *mem, const char *cn, const char *oid,
			       uint32_t schema, uint32_t eflag)
{
	struct ae_template *t = talloc_zero(mem, struct ae_template);

	assert_non_null(t);
	t->cn = talloc_strdup(t, cn);
	t->oid = oid != NULL ? talloc_strdup(t, oid) : NULL;
	t->schema_version = schema;
	t->enrollment_flag = CT_FLAG_AUTO_ENROLLMENT | eflag;
	return t;
}

/* The enterprise CA: its cACertificate is LabCA's DER. */
static struct ae_enrollment_service *labca(TALLOC_CTX *mem, const struct pki *k)
{
	struct ae_enrollment_service *es = talloc_zero(mem, struct ae_enrollment_service);

	assert_non_null(es);
	es->cn = talloc_strdup(es, "LabCA");
	es->ca_certs = talloc_zero_array(es, struct ae_der_blob, 2);
	assert_non_null(es->ca_certs);
	/* a damaged cACertificate value first: skipped */
	es->ca_certs[0].der = talloc_memdup(es, "\x30\x03\x02\x01\x01", 5);
	es->ca_certs[0].len = 5;
	assert_int_equal(ae_cert_to_der(es, k->ca, &es->ca_certs[1].der, &es->ca_certs[1].len),
			 AE_OK);
	es->num_ca_certs = 2;
	return es;
}

static void test_find(void **state)
{
	TALLOC_CTX *mem = *state;
	struct pki *k = pki_new(mem);
	time_t now = k->now, day = 86400;
	struct ae_template *t[3];
	struct ae_enrollment_service *es = labca(mem, k);
	struct ae_principal_blob v[6];
	struct ae_ds_cert *out = NULL;
	size_t num = 0, rejected = 0;

	t[0] = tpl(mem, "LabUser", OID_OTHER, 2, 0);		/* no flag: not looked at */
	t[1] = tpl(mem, "LabUserRoaming", OID_ROAM, 2, DS_FLAG);
	t[2] = tpl(mem, "UserV1", NULL, 1, DS_FLAG);
	v[0] = (struct ae_principal_blob){ (uint8_t *)talloc_strdup(mem, "not DER"), 7 };
	/* of LabUserRoaming, but expired; from another CA; of LabUser; then the good one */
	v[1] = leaf(mem, k, k->ca, k->ca_key, 0x11, OID_ROAM, NULL, now - 40 * day, now - day);
	v[2] = leaf(mem, k, k->other, k->other_key, 0x12, OID_ROAM, NULL, now - day, now + day);
	v[3] = leaf(mem, k, k->ca, k->ca_key, 0x13, OID_OTHER, NULL, now - day, now + day);
	v[4] = leaf(mem, k, k->ca, k->ca_key, 0x7A, OID_ROAM, NULL, now - day, now + 30 * day);
	v[5] = leaf(mem, k, k->ca, k->ca_key, 0x15, NULL, "userv1", now - day, now + 2 * day);

	assert_int_equal(ae_ds_certs_find(mem, v, 6, t, 3, &es, 1, now, &out, &num, &rejected),
			 AE_OK);
	assert_int_equal(rejected, 1);
	assert_int_equal(num, 2);
	assert_string_equal(out[0].template_cn, "LabUserRoaming");
	assert_ptr_equal(out[0].template_cn, t[1]->cn);
	assert_string_equal(out[0].serial_hex, "7A");
	assert_string_equal(out[0].issuer, "CN = LabCA");
	assert_int_equal(out[0].not_after, now + 30 * day);
	/* the v1 name matches the cn case-insensitively */
	assert_string_equal(out[1].template_cn, "UserV1");
	assert_string_equal(out[1].serial_hex, "15");
	assert_ptr_equal(talloc_parent(out), mem);
	talloc_free(out);

	/* at a later 'now' the good one has expired too, and v1's */
	assert_int_equal(ae_ds_certs_find(mem, v, 6, t, 3, &es, 1, now + 31 * day, &out, &num,
					  NULL), AE_OK);
	assert_int_equal(num, 0);
	assert_null(out);
	/* before its notBefore */
	assert_int_equal(ae_ds_certs_find(mem, &v[4], 1, t, 3, &es, 1, now - 2 * day, &out,
					  &num, NULL), AE_OK);
	assert_int_equal(num, 0);
	/* no enterprise CA: nothing chains */
	assert_int_equal(ae_ds_certs_find(mem, v, 6, t, 3, NULL, 0, now, &out, &num, NULL),
			 AE_OK);
	assert_int_equal(num, 0);
	/* the other CA's certificate counts once that CA is an enterprise CA of the policy */
	assert_int_equal(ae_cert_to_der(es, k->other, &es->ca_certs[0].der,
					&es->ca_certs[0].len), AE_OK);
	assert_int_equal(ae_ds_certs_find(mem, &v[2], 1, t, 3, &es, 1, now, &out, &num, NULL),
			 AE_OK);
	assert_int_equal(num, 1);
	assert_string_equal(out[0].serial_hex, "12");
	talloc_free(out);
	/* nothing at all */
	assert_int_equal(ae_ds_certs_find(mem, NULL, 0, t, 3, &es, 1, now, &out, &num, NULL),
			 AE_OK);
	assert_int_equal(num, 0);
	/* arguments */
	assert_int_equal(ae_ds_certs_find(mem, NULL, 1, t, 3, &es, 1, now, &out, &num, NULL),
			 AE_ERR_INVALID);
	assert_int_equal(ae_ds_certs_find(mem, v, 6, NULL, 3, &es, 1, now, &out, &num, NULL),
			 AE_ERR_INVALID);
	assert_int_equal(ae_ds_certs_find(mem, v, 6, t, 3, &es, 1, now, NULL, &num, NULL),
			 AE_ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_find, leak_setup, leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
