/*
 * ca_crl.c: build, check and write the CA's CRL.
 */
#include <limits.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include "ae_file.h"
#include "ae_log.h"
#include "ca_cert.h"
#include "ca_crl.h"

static ae_err add_entry(X509_CRL *crl, const struct ca_cert_record *r)
{
	X509_REVOKED *rv = X509_REVOKED_new();
	BIGNUM *bn = NULL;
	ASN1_INTEGER *serial = NULL;
	ASN1_TIME *when = NULL;
	ASN1_ENUMERATED *reason = NULL;
	bool ok;

	ok = rv != NULL && BN_hex2bn(&bn, r->serial) > 0 &&
	     (serial = BN_to_ASN1_INTEGER(bn, NULL)) != NULL &&
	     X509_REVOKED_set_serialNumber(rv, serial) == 1 &&
	     (when = ASN1_TIME_set(NULL, (time_t)r->revoked)) != NULL &&
	     X509_REVOKED_set_revocationDate(rv, when) == 1;
	if (ok && r->reason != 0) {	/* RFC 5280 5.3.1: unspecified is left out */
		reason = ASN1_ENUMERATED_new();
		ok = reason != NULL && ASN1_ENUMERATED_set(reason, (long)r->reason) == 1 &&
		     X509_REVOKED_add1_ext_i2d(rv, NID_crl_reason, reason, 0, 0) == 1;
	}
	if (ok) {
		ok = X509_CRL_add0_revoked(crl, rv) == 1;
	}
	if (ok) {
		rv = NULL;
	}
	X509_REVOKED_free(rv);
	BN_free(bn);
	ASN1_INTEGER_free(serial);
	ASN1_TIME_free(when);
	ASN1_ENUMERATED_free(reason);
	return ok ? AE_OK : AE_ERR_CRYPTO;
}

static ae_err add_crl_exts(X509_CRL *crl, const struct ca_ctx *ca, uint64_t number)
{
	X509_EXTENSION *aki = ca_aki_ext(ca);
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	bool ok;

	ok = aki != NULL && X509_CRL_add_ext(crl, aki, -1) == 1 && num != NULL &&
	     ASN1_INTEGER_set_uint64(num, number) == 1 &&
	     X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) == 1;
	X509_EXTENSION_free(aki);
	ASN1_INTEGER_free(num);
	return ok ? AE_OK : AE_ERR_CRYPTO;
}

static ae_err fill(X509_CRL *crl, const struct ca_ctx *ca, struct ca_cert_record *const *revoked,
		   size_t n, uint64_t number, time_t now)
{
	ASN1_TIME *t = NULL;
	size_t i;
	bool ok;
	ae_err err = AE_OK;

	ok = X509_CRL_set_version(crl, X509_CRL_VERSION_2) == 1 &&
	     X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert)) == 1 &&
	     (t = ASN1_TIME_adj(NULL, now, 0, 0)) != NULL &&
	     X509_CRL_set1_lastUpdate(crl, t) == 1 &&
	     ASN1_TIME_adj(t, now, 0, CA_CRL_VALIDITY) != NULL &&
	     X509_CRL_set1_nextUpdate(crl, t) == 1;
	ASN1_TIME_free(t);
	if (!ok) {
		return AE_ERR_CRYPTO;
	}
	for (i = 0; i < n && err == AE_OK; i++) {
		err = add_entry(crl, revoked[i]);
	}
	if (err == AE_OK) {
		err = add_crl_exts(crl, ca, number);
	}
	if (err == AE_OK && (X509_CRL_sort(crl) != 1 ||
			     X509_CRL_sign(crl, ca->key, EVP_sha256()) <= 0)) {
		err = AE_ERR_CRYPTO;
	}
	return err;
}

ae_err ca_crl_build(TALLOC_CTX *mem_ctx, const struct ca_ctx *ca,
		    struct ca_cert_record *const *revoked, size_t n, uint64_t number, time_t now,
		    struct ca_bytes *_der)
{
	X509_CRL *crl = X509_CRL_new();
	unsigned char *der = NULL;
	struct ca_bytes out = { NULL, 0 };
	ae_err err = crl == NULL ? AE_ERR_NOMEM : fill(crl, ca, revoked, n, number, now);
	int len = 0;

	if (err == AE_OK) {
		len = i2d_X509_CRL(crl, &der);
		err = len > 0 ? AE_OK : AE_ERR_CRYPTO;
	}
	if (err == AE_OK) {
		out.p = talloc_memdup(mem_ctx, der, (size_t)len);
		out.len = (size_t)len;
		err = out.p == NULL ? AE_ERR_NOMEM : AE_OK;
	}
	if (err == AE_ERR_CRYPTO) {
		ae_log_openssl(0, "icpr_ca: building the CRL");
	}
	OPENSSL_free(der);
	X509_CRL_free(crl);
	if (err == AE_OK) {
		*_der = out;
	}
	return err;
}

bool ca_crl_stale(const struct ca_ctx *ca, time_t now)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	uint8_t *data = NULL;
	size_t len = 0;
	const unsigned char *q;
	X509_CRL *crl = NULL;
	const ASN1_TIME *next;
	time_t due = now + CA_CRL_MARGIN;
	bool stale = true;

	if (tmp != NULL && ae_file_read(tmp, ca->crl_path, CA_CRL_MAX, &data, &len) == AE_OK &&
	    len <= LONG_MAX) {
		q = data;
		crl = d2i_X509_CRL(NULL, &q, (long)len);
	}
	if (crl != NULL && q == data + len &&
	    X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca->cert)) == 0 &&
	    X509_CRL_verify(crl, X509_get0_pubkey(ca->cert)) == 1) {
		next = X509_CRL_get0_nextUpdate(crl);
		stale = next == NULL || X509_cmp_time(next, &due) <= 0;
	}
	ERR_clear_error();
	X509_CRL_free(crl);
	talloc_free(tmp);
	return stale;
}

ae_err ca_crl_write(TALLOC_CTX *mem_ctx, const struct ca_ctx *ca, time_t now,
		    struct ca_bytes *_der)
{
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	struct ca_cert_record **revoked = NULL;
	struct ca_bytes der;
	size_t n = 0;
	uint64_t number = 0;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ca_certdb_revoked(tmp, ca->db_dir, &revoked, &n);
	if (err == AE_OK) {
		err = ca_certdb_next_crl_number(ca->db_dir, &number);
	}
	if (err == AE_OK) {
		err = ca_crl_build(tmp, ca, revoked, n, number, now, &der);
	}
	if (err == AE_OK) {
		err = ae_file_write_atomic(ca->crl_path, der.p, der.len, 0644);
	}
	if (err != AE_OK) {
		AE_ERROR("icpr_ca: cannot write the CRL %s: %s", ca->crl_path, ae_strerror(err));
		talloc_free(tmp);
		return err;
	}
	AE_INFO("icpr_ca: CRL %s: number %llu, %zu revoked", ca->crl_path,
		(unsigned long long)number, n);
	if (_der != NULL) {
		_der->p = talloc_steal(mem_ctx, der.p);
		_der->len = der.len;
	}
	talloc_free(tmp);
	return AE_OK;
}

ae_err ca_crl_refresh(const struct ca_ctx *ca, time_t now, bool *_written)
{
	ae_err err;

	*_written = false;
	if (!ca_crl_stale(ca, now)) {
		return AE_OK;
	}
	err = ca_crl_write(NULL, ca, now, NULL);
	*_written = err == AE_OK;
	return err;
}
