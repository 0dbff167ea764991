/*
 * ca_renewal.c: verdicts on CMS requests and renewals (table in ca_renewal.h).
 */
#include <string.h>
#include <strings.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include "ae_hresult.h"
#include "ae_log.h"
#include "ca_der.h"
#include "ca_renewal.h"

/* The value of x's extension oid, or NULL. */
static const ASN1_OCTET_STRING *ext_value(X509 *x, const char *oid)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	int i = o ? X509_get_ext_by_OBJ(x, o, -1) : -1;

	ASN1_OBJECT_free(o);
	return i < 0 ? NULL : X509_EXTENSION_get_data(X509_get_ext(x, i));
}

/* Issued by this CA: its issuer is our subject and ca.key signed it. */
static bool issued_here(const struct ca_ctx *ca, X509 *x)
{
	bool ok = X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(ca->cert)) == 0 &&
		  X509_verify(x, X509_get0_pubkey(ca->cert)) == 1;

	ERR_clear_error();
	return ok;
}

static bool within_validity(X509 *x, time_t now)
{
	/* X509_cmp_time: -1 earlier or equal, 1 later, 0 error */
	return X509_cmp_time(X509_get0_notBefore(x), &now) == -1 &&
	       X509_cmp_time(X509_get0_notAfter(x), &now) == 1;
}

/* The renewal-specific structure checks: 0 when the attribute is sound. */
static uint32_t check_attribute(const struct ca_cms *cms, const char **_detail)
{
	int i;
	bool listed = false;

	if (cms->num_renewal_attrs != 1 || cms->num_renewal_values != 1 ||
	    cms->renewal_cert == NULL) {
		*_detail = "(the renewal certificate attribute must hold exactly one certificate)";
		return CA_CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE;
	}
	for (i = 0; i < sk_X509_num(cms->certs); i++) {
		if (X509_cmp(sk_X509_value(cms->certs, i), cms->renewal_cert) == 0) {
			listed = true;
		}
	}
	if (!listed) {
		*_detail = "(the certificate being renewed is not among the CMS certificates)";
		return CA_CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE;
	}
	if (cms->signer == NULL || X509_cmp(cms->signer, cms->renewal_cert) != 0) {
		*_detail = "(the request is not signed with the certificate being renewed)";
		return CA_CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE;
	}
	return 0;
}

/* Issuer, index (revocation) and validity of the old certificate. */
static ae_err check_old_cert(TALLOC_CTX *mem_ctx, const struct ca_ctx *ca, X509 *old,
			     time_t now, struct ca_renewal *ren, uint32_t *_hr,
			     const char **_detail)
{
	ae_err err;

	if (!issued_here(ca, old)) {
		*_hr = CA_CERT_E_CHAINING;
		*_detail = "(the certificate being renewed was not issued by this CA)";
		return AE_OK;
	}
	err = ca_serial_text(ren, X509_get0_serialNumber(old), &ren->old_serial);
	if (err == AE_ERR_NOMEM) {
		return err;
	}
	if (err != AE_OK) {
		*_hr = CA_CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE;
		*_detail = "(the certificate being renewed has an unusable serial number)";
		return AE_OK;
	}
	err = ca_certdb_load(ren, ca->db_dir, ren->old_serial, &ren->old_rec);
	if (err == AE_ERR_NOT_FOUND) {
		AE_WARN("icpr_ca: renewal of %s: signed by this CA but not in its index; "
			"accepted", ren->old_serial);
		ren->old_rec = NULL;
	} else if (err == AE_ERR_NOMEM) {
		return err;
	} else if (err != AE_OK) {
		AE_ERROR("icpr_ca: index record of %s: %s", ren->old_serial, ae_strerror(err));
		*_hr = CA_ERROR_INVALID_DATA;
		*_detail = "(the index record of the certificate being renewed is corrupt)";
		return AE_OK;
	}
	if (ren->old_rec != NULL && ren->old_rec->state == CA_CERT_REVOKED) {
		*_hr = CA_CRYPT_E_REVOKED;
		*_detail = talloc_asprintf(mem_ctx, "(certificate %s was revoked)", ren->old_serial);
		return *_detail == NULL ? AE_ERR_NOMEM : AE_OK;
	}
	if (!within_validity(old, now)) {
		*_hr = CA_CERT_E_EXPIRED;
		*_detail = "(the certificate being renewed is outside its validity period)";
	}
	return AE_OK;
}

ae_err ca_cms_verdict(TALLOC_CTX *mem_ctx, const struct ca_ctx *ca, const struct ca_cms *cms,
		      time_t now, struct ca_renewal **_ren, uint32_t *_hr, const char **_detail)
{
	struct ca_renewal *ren = NULL;
	uint32_t hr = 0;
	ae_err err;

	*_ren = NULL;
	*_hr = 0;
	*_detail = NULL;
	if (cms->csr == NULL) {
		*_hr = cms->csr_err == AE_ERR_MISMATCH ? AE_NTE_BAD_SIGNATURE : CA_ERROR_INVALID_DATA;
		*_detail = "(the CMS content is not a usable PKCS #10 request)";
		return AE_OK;
	}
	if (cms->num_signers == 0) {
		*_hr = CA_CRYPT_E_NO_SIGNER;
		return AE_OK;
	}
	if (cms->num_renewal_attrs == 0) {	/* a new request in a CMS */
		if (cms->signer == NULL) {
			*_hr = CA_CRYPT_E_SIGNER_NOT_FOUND;
		} else if (!cms->signature_ok) {
			*_hr = AE_NTE_BAD_SIGNATURE;
		}
		return AE_OK;
	}
	hr = check_attribute(cms, _detail);
	if (hr == 0 && !cms->signature_ok) {
		hr = AE_NTE_BAD_SIGNATURE;
		*_detail = "(the signature by the certificate being renewed does not verify)";
	}
	if (hr != 0) {
		*_hr = hr;
		return AE_OK;
	}
	ren = talloc_zero(mem_ctx, struct ca_renewal);
	if (ren == NULL) {
		return AE_ERR_NOMEM;
	}
	ren->old_cert = cms->renewal_cert;
	err = check_old_cert(mem_ctx, ca, cms->renewal_cert, now, ren, _hr, _detail);
	if (err != AE_OK || *_hr != 0) {
		talloc_free(ren);
		return err;
	}
	*_ren = ren;
	return AE_OK;
}

/* The old certificate's template identifiers against t. */
static bool same_template(X509 *old, const struct ca_template *t)
{
	const ASN1_OCTET_STRING *v = ext_value(old, CA_OID_TEMPLATE_EXT);
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *s = NULL;
	uint32_t major, minor;
	bool same = false;

	if (tmp == NULL) {
		return false;
	}
	if (v != NULL && t->oid != NULL &&
	    ca_der_parse_template_ext(tmp, ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v),
				      &s, &major, &minor) == AE_OK) {
		same = strcmp(s, t->oid) == 0;
	}
	v = ext_value(old, CA_OID_TEMPLATE_NAME);
	if (!same && v != NULL &&
	    ca_der_parse_template_name(tmp, ASN1_STRING_get0_data(v),
				       (size_t)ASN1_STRING_length(v), &s) == AE_OK) {
		same = strcasecmp(s, t->cn) == 0;
	}
	talloc_free(tmp);
	return same;
}

/* The account the old certificate was issued to, when known. */
static bool old_subject(const struct ca_renewal *ren, struct ca_sid *_sid)
{
	const ASN1_OCTET_STRING *v = NULL;
	char *text = NULL;
	bool known = false;

	if (ren->old_rec != NULL) {
		*_sid = ren->old_rec->sid;
		return true;
	}
	v = ext_value(ren->old_cert, CA_OID_SID_EXT);
	if (v != NULL && ca_der_parse_sid_ext(NULL, ASN1_STRING_get0_data(v),
					      (size_t)ASN1_STRING_length(v), &text) == AE_OK) {
		known = ca_sid_from_string(text, _sid) == AE_OK;
		talloc_free(text);
	}
	return known;
}

uint32_t ca_renewal_match(const struct ca_renewal *ren, const struct ca_template *t,
			  const struct ca_caller *caller, const char **_detail)
{
	struct ca_sid sid;

	*_detail = NULL;
	if (!same_template(ren->old_cert, t)) {
		*_detail = "(the certificate being renewed is of another template)";
		return AE_CERTSRV_E_TEMPLATE_CONFLICT;
	}
	if (old_subject(ren, &sid) && !ca_sid_equal(&sid, &caller->sids[0])) {
		*_detail = "(the certificate being renewed belongs to another account)";
		return CA_CERTSRV_E_BAD_RENEWAL_SUBJECT;
	}
	return 0;
}
