/*
 * ae_csr.c: PKCS#10 with the Microsoft template extension and attributes.
 */
#include <limits.h>
#include <string.h>
#include <strings.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "ae_csr.h"
#include "ae_log.h"
#include "ae_ms_ext.h"
#include "ae_request_private.h"

ae_err ae_csr_hash_from_name(const char *name, enum ae_csr_hash *out)
{
	static const struct { const char *a, *b; enum ae_csr_hash h; } names[] = {
		{ "SHA256", "SHA-256", AE_CSR_HASH_SHA256 },
		{ "SHA384", "SHA-384", AE_CSR_HASH_SHA384 },
		{ "SHA512", "SHA-512", AE_CSR_HASH_SHA512 },
	};
	size_t i;

	for (i = 0; name != NULL && out != NULL && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(name, names[i].a) == 0 || strcasecmp(name, names[i].b) == 0) {
			*out = names[i].h;
			return AE_OK;
		}
	}
	return AE_ERR_UNSUPPORTED;
}

const EVP_MD *ae_csr_hash_md(enum ae_csr_hash h)
{
	switch (h) {
	case AE_CSR_HASH_SHA256:
		return EVP_sha256();
	case AE_CSR_HASH_SHA384:
		return EVP_sha384();
	case AE_CSR_HASH_SHA512:
		return EVP_sha512();
	}
	return NULL;
}

static size_t list_count(const char *const *l)
{
	size_t n = 0;

	while (l != NULL && l[n] != NULL) {
		n++;
	}
	return n;
}

static bool dns_name_ok(const char *s)
{
	size_t n = strlen(s);
	size_t i;

	if (n == 0 || n > AE_CSR_DNS_NAME_MAX) {
		return false;
	}
	for (i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '*';
		if (!ok) {
			return false;
		}
	}
	return true;
}

static bool printable_ascii(const char *s, size_t max)
{
	size_t n = strlen(s);
	size_t i;

	if (n == 0 || n > max) {
		return false;
	}
	for (i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e) {
			return false;
		}
	}
	return true;
}

static bool oid_list_ok(const char *const *l, size_t max)
{
	size_t n = list_count(l);
	size_t i;

	if (n > max) {
		return false;
	}
	for (i = 0; i < n; i++) {
		ASN1_OBJECT *o = ae_req_oid_parse(l[i]);
		if (o == NULL) {
			ERR_clear_error();
			return false;
		}
		ASN1_OBJECT_free(o);
	}
	return true;
}

/* Exactly one DER certificate: what the renewal attribute may carry. */
static bool one_cert_der(const uint8_t *der, size_t len)
{
	const unsigned char *q = der;
	X509 *x = NULL;
	bool ok;

	if (der == NULL || len == 0 || len > AE_CSR_RENEWAL_CERT_MAX || len > LONG_MAX) {
		return false;
	}
	x = d2i_X509(NULL, &q, (long)len);
	ok = x != NULL && q == der + len;
	X509_free(x);
	ERR_clear_error();
	return ok;
}

static ae_err check_params(const struct ae_csr_params *pa)
{
	size_t i;

	if (pa->schema_version >= 2) {
		if (pa->template_oid == NULL) {
			AE_ERROR("csr: a v%u template needs its OID", (unsigned)pa->schema_version);
			return AE_ERR_INVALID;
		}
	} else if (pa->template_name == NULL || pa->template_name[0] == '\0') {
		AE_ERROR("csr: a v1 template needs its name");
		return AE_ERR_INVALID;
	}
	if (list_count(pa->dns_names) > AE_CSR_DNS_NAMES_MAX) {
		return AE_ERR_INVALID;
	}
	for (i = 0; pa->dns_names != NULL && pa->dns_names[i] != NULL; i++) {
		if (!dns_name_ok(pa->dns_names[i])) {
			AE_ERROR("csr: invalid DNS name '%s'", pa->dns_names[i]);
			return AE_ERR_INVALID;
		}
	}
	if (!oid_list_ok(pa->ekus, AE_CSR_EKUS_MAX) ||
	    !oid_list_ok(pa->critical_oids, AE_CSR_EKUS_MAX) ||
	    !oid_list_ok(pa->cert_policies, AE_CSR_POLICIES_MAX)) {
		AE_ERROR("csr: invalid OID list");
		return AE_ERR_INVALID;
	}
	if (pa->key_usage_len > AE_CSR_KEY_USAGE_MAX ||
	    (pa->key_usage_len > 0 && pa->key_usage == NULL)) {
		return AE_ERR_INVALID;
	}
	if (pa->os_version != NULL && !printable_ascii(pa->os_version, AE_CSR_OS_VERSION_MAX)) {
		return AE_ERR_INVALID;
	}
	if (ae_csr_hash_md(pa->hash) == NULL) {
		return AE_ERR_INVALID;
	}
	if ((pa->subject_der != NULL) != (pa->subject_len != 0) ||
	    (pa->san_der != NULL) != (pa->san_len != 0) ||
	    pa->subject_len > AE_CSR_NAMES_DER_MAX || pa->san_len > AE_CSR_NAMES_DER_MAX) {
		AE_ERROR("csr: subject or subjectAltName DER missing or above %d bytes",
			 AE_CSR_NAMES_DER_MAX);
		return AE_ERR_INVALID;
	}
	if ((pa->renewal_cert_der != NULL || pa->renewal_cert_len != 0) &&
	    !one_cert_der(pa->renewal_cert_der, pa->renewal_cert_len)) {
		AE_ERROR("csr: the renewal certificate is not one DER certificate");
		return AE_ERR_INVALID;
	}
	return AE_OK;
}

static bool is_critical(const struct ae_csr_params *pa, const char *oid)
{
	size_t i;

	for (i = 0; pa->critical_oids != NULL && pa->critical_oids[i] != NULL; i++) {
		if (strcmp(pa->critical_oids[i], oid) == 0) {
			return true;
		}
	}
	return false;
}

/* Append an extension whose value is the given DER. */
static ae_err push_raw_ext(STACK_OF(X509_EXTENSION) *exts, const char *oid,
			   const uint8_t *der, size_t len)
{
	ASN1_OBJECT *obj = ae_req_oid_parse(oid);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext = NULL;

	if (obj != NULL && os != NULL && ASN1_OCTET_STRING_set(os, der, (int)len) == 1) {
		ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
	}
	ASN1_OBJECT_free(obj);
	ASN1_OCTET_STRING_free(os);
	if (ext == NULL || sk_X509_EXTENSION_push(exts, ext) <= 0) {
		X509_EXTENSION_free(ext);
		return AE_ERR_CRYPTO;
	}
	return AE_OK;
}

static ae_err push_template_ext(TALLOC_CTX *tmp, STACK_OF(X509_EXTENSION) *exts,
				const struct ae_csr_params *pa)
{
	uint8_t *der = NULL;
	size_t len = 0;
	ae_err err;

	if (pa->schema_version >= 2) {
		err = ae_ms_template_ext_encode(tmp, pa->template_oid, pa->major, pa->minor,
						&der, &len);
		if (err != AE_OK) {
			AE_ERROR("csr: template OID '%s' is not usable", pa->template_oid);
			return err;
		}
		return push_raw_ext(exts, AE_OID_CERT_TEMPLATE, der, len);
	}
	err = ae_ms_template_name_encode(tmp, pa->template_name, &der, &len);
	if (err != AE_OK) {
		AE_ERROR("csr: template name '%s' is not usable", pa->template_name);
		return err;
	}
	return push_raw_ext(exts, AE_OID_TEMPLATE_NAME, der, len);
}

/* Append X509V3_EXT_i2d(nid, crit, value); value stays the caller's. */
static ae_err push_v3_ext(STACK_OF(X509_EXTENSION) *exts, int nid, bool crit, void *value)
{
	X509_EXTENSION *ext = X509V3_EXT_i2d(nid, crit ? 1 : 0, value);

	if (ext == NULL || sk_X509_EXTENSION_push(exts, ext) <= 0) {
		X509_EXTENSION_free(ext);
		return AE_ERR_CRYPTO;
	}
	return AE_OK;
}

/* The caller's GeneralNames DER (exactly one, no trailing bytes) as the SAN. */
static ae_err push_san_der(STACK_OF(X509_EXTENSION) *exts, const struct ae_csr_params *pa)
{
	const unsigned char *q = pa->san_der;
	GENERAL_NAMES *gens = d2i_GENERAL_NAMES(NULL, &q, (long)pa->san_len);
	ae_err err;

	if (gens == NULL || q != pa->san_der + pa->san_len || sk_GENERAL_NAME_num(gens) == 0) {
		GENERAL_NAMES_free(gens);
		AE_ERROR("csr: the subjectAltName given is not one GeneralNames");
		return AE_ERR_INVALID;
	}
	err = push_v3_ext(exts, NID_subject_alt_name, is_critical(pa, "2.5.29.17"), gens);
	GENERAL_NAMES_free(gens);
	return err;
}

static ae_err push_san(STACK_OF(X509_EXTENSION) *exts, const struct ae_csr_params *pa)
{
	GENERAL_NAMES *gens = NULL;
	ae_err err = AE_OK;
	size_t i;

	if (pa->san_der != NULL) {
		return push_san_der(exts, pa);
	}
	if (list_count(pa->dns_names) == 0) {
		return AE_OK;
	}
	gens = sk_GENERAL_NAME_new_null();
	if (gens == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; err == AE_OK && pa->dns_names[i] != NULL; i++) {
		GENERAL_NAME *g = GENERAL_NAME_new();
		ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();

		if (g == NULL || ia5 == NULL ||
		    ASN1_STRING_set(ia5, pa->dns_names[i], (int)strlen(pa->dns_names[i])) != 1) {
			GENERAL_NAME_free(g);
			ASN1_IA5STRING_free(ia5);
			err = AE_ERR_NOMEM;
			break;
		}
		GENERAL_NAME_set0_value(g, GEN_DNS, ia5);
		if (sk_GENERAL_NAME_push(gens, g) <= 0) {
			GENERAL_NAME_free(g);
			err = AE_ERR_NOMEM;
		}
	}
	if (err == AE_OK) {
		err = push_v3_ext(exts, NID_subject_alt_name, is_critical(pa, "2.5.29.17"), gens);
	}
	GENERAL_NAMES_free(gens);
	return err;
}

static ae_err push_eku(STACK_OF(X509_EXTENSION) *exts, const struct ae_csr_params *pa)
{
	EXTENDED_KEY_USAGE *eku = NULL;
	ae_err err = AE_OK;
	size_t i;

	if (list_count(pa->ekus) == 0) {
		return AE_OK;
	}
	eku = sk_ASN1_OBJECT_new_null();
	if (eku == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; pa->ekus[i] != NULL; i++) {
		ASN1_OBJECT *o = ae_req_oid_parse(pa->ekus[i]);
		if (o == NULL || sk_ASN1_OBJECT_push(eku, o) <= 0) {
			ASN1_OBJECT_free(o);
			err = AE_ERR_INVALID;
			break;
		}
	}
	if (err == AE_OK) {
		err = push_v3_ext(exts, NID_ext_key_usage, is_critical(pa, "2.5.29.37"), eku);
	}
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	return err;
}

static ae_err push_key_usage(STACK_OF(X509_EXTENSION) *exts, const struct ae_csr_params *pa)
{
	ASN1_BIT_STRING *bits = NULL;
	ae_err err;
	size_t i;
	bool any = false;

	for (i = 0; i < pa->key_usage_len; i++) {
		any = any || pa->key_usage[i] != 0;
	}
	if (!any) {
		return AE_OK;
	}
	bits = ASN1_BIT_STRING_new();
	/* DER drops the trailing zero octets and counts unused bits: a0 00 -> 03 02 05 a0 */
	if (bits == NULL || ASN1_BIT_STRING_set(bits, (unsigned char *)pa->key_usage,
						(int)pa->key_usage_len) != 1) {
		ASN1_BIT_STRING_free(bits);
		return AE_ERR_NOMEM;
	}
	err = push_v3_ext(exts, NID_key_usage, is_critical(pa, "2.5.29.15"), bits);
	ASN1_BIT_STRING_free(bits);
	return err;
}

/* certificatePolicies: one PolicyInformation per OID, no qualifiers. */
static ae_err push_policies(STACK_OF(X509_EXTENSION) *exts, const struct ae_csr_params *pa)
{
	CERTIFICATEPOLICIES *pols = NULL;
	ae_err err = AE_OK;
	size_t i;

	if (list_count(pa->cert_policies) == 0) {
		return AE_OK;
	}
	pols = sk_POLICYINFO_new_null();
	if (pols == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; err == AE_OK && pa->cert_policies[i] != NULL; i++) {
		POLICYINFO *pi = POLICYINFO_new();

		if (pi == NULL) {
			err = AE_ERR_NOMEM;
			break;
		}
		ASN1_OBJECT_free(pi->policyid);
		pi->policyid = ae_req_oid_parse(pa->cert_policies[i]);
		if (pi->policyid == NULL || sk_POLICYINFO_push(pols, pi) <= 0) {
			POLICYINFO_free(pi);
			err = AE_ERR_INVALID;
		}
	}
	if (err == AE_OK) {
		err = push_v3_ext(exts, NID_certificate_policies, false, pols);
	}
	sk_POLICYINFO_pop_free(pols, POLICYINFO_free);
	return err;
}

/* szOID_NTDS_CA_SECURITY_EXT with the requester's SID ([MS-WCCE] 2.2.2.7.7.4). */
static ae_err push_sid(TALLOC_CTX *tmp, STACK_OF(X509_EXTENSION) *exts,
		       const struct ae_csr_params *pa)
{
	uint8_t *der = NULL;
	size_t len = 0;
	ae_err err;

	if (pa->sid == NULL) {
		return AE_OK;
	}
	err = ae_ms_sid_ext_encode(tmp, pa->sid, &der, &len);
	if (err != AE_OK) {
		AE_ERROR("csr: SID '%s' is not usable", pa->sid);
		return err;
	}
	return push_raw_ext(exts, AE_OID_NTDS_CA_SECURITY_EXT, der, len);
}

static ae_err add_attr(X509_REQ *req, const char *oid, int type, const uint8_t *v, size_t len)
{
	ASN1_OBJECT *obj = ae_req_oid_parse(oid);
	int ok = 0;

	if (obj != NULL) {
		ok = X509_REQ_add1_attr_by_OBJ(req, obj, type, v, (int)len);
	}
	ASN1_OBJECT_free(obj);
	return ok == 1 ? AE_OK : AE_ERR_CRYPTO;
}

static ae_err add_attributes(TALLOC_CTX *tmp, X509_REQ *req, const struct ae_csr_params *pa)
{
	uint8_t *der = NULL;
	size_t len = 0;
	ae_err err;

	if (pa->client_id != 0) {
		err = ae_ms_client_info_encode(tmp, pa->client_id, pa->machine_name,
					       pa->user_name, pa->process_name, &der, &len);
		if (err != AE_OK) {
			AE_ERROR("csr: client info strings are not usable");
			return err;
		}
		err = add_attr(req, AE_OID_REQUEST_CLIENT_INFO, V_ASN1_SEQUENCE, der, len);
		if (err != AE_OK) {
			return err;
		}
	}
	if (pa->os_version != NULL) {
		err = add_attr(req, AE_OID_OS_VERSION, V_ASN1_IA5STRING,
			       (const uint8_t *)pa->os_version, strlen(pa->os_version));
		if (err != AE_OK) {
			return err;
		}
	}
	if (pa->renewal_cert_der != NULL) {
		/* the attribute value is the certificate itself (MS-WCCE 2.2.2.7.3) */
		err = add_attr(req, AE_OID_RENEWAL_CERTIFICATE, V_ASN1_SEQUENCE,
			       pa->renewal_cert_der, pa->renewal_cert_len);
		if (err != AE_OK) {
			return err;
		}
	}
	return AE_OK;
}

/* The caller's Name DER (exactly one, no trailing bytes) as the subject. */
static ae_err set_subject_der(X509_REQ *req, const struct ae_csr_params *pa)
{
	const unsigned char *q = pa->subject_der;
	X509_NAME *name = d2i_X509_NAME(NULL, &q, (long)pa->subject_len);
	int ok = name != NULL && q == pa->subject_der + pa->subject_len &&
		 X509_REQ_set_subject_name(req, name) == 1;

	X509_NAME_free(name);
	if (!ok) {
		ERR_clear_error();
		AE_ERROR("csr: the subject given is not one Name");
		return AE_ERR_INVALID;
	}
	return AE_OK;
}

static ae_err set_subject(X509_REQ *req, const struct ae_csr_params *pa)
{
	X509_NAME *name = NULL;
	const char *cn = pa->subject_cn;

	if (pa->subject_der != NULL) {
		return set_subject_der(req, pa);
	}
	if (cn == NULL) {
		return AE_OK;	/* X509_REQ_new's empty name encodes as 30 00 */
	}
	name = X509_REQ_get_subject_name(req);
	if (name == NULL ||
	    X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
				       (const unsigned char *)cn, -1, -1, 0) != 1) {
		ERR_clear_error();
		AE_ERROR("csr: subject CN '%s' is not usable", cn);
		return AE_ERR_INVALID;
	}
	return AE_OK;
}

static ae_err build_req(TALLOC_CTX *tmp, X509_REQ *req, const struct ae_key *key,
			const struct ae_csr_params *pa)
{
	STACK_OF(X509_EXTENSION) *exts = NULL;
	ae_err err;

	if (X509_REQ_set_version(req, X509_REQ_VERSION_1) != 1 ||
	    X509_REQ_set_pubkey(req, key->pkey) != 1) {
		return AE_ERR_CRYPTO;
	}
	err = set_subject(req, pa);
	if (err != AE_OK) {
		return err;
	}
	exts = sk_X509_EXTENSION_new_null();
	if (exts == NULL) {
		return AE_ERR_NOMEM;
	}
	err = push_template_ext(tmp, exts, pa);
	if (err == AE_OK) {
		err = push_san(exts, pa);
	}
	if (err == AE_OK) {
		err = push_eku(exts, pa);
	}
	if (err == AE_OK) {
		err = push_key_usage(exts, pa);
	}
	if (err == AE_OK) {
		err = push_policies(exts, pa);
	}
	if (err == AE_OK) {
		err = push_sid(tmp, exts, pa);
	}
	if (err == AE_OK && X509_REQ_add_extensions(req, exts) != 1) {
		err = AE_ERR_CRYPTO;
	}
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	if (err != AE_OK) {
		return err;
	}
	err = add_attributes(tmp, req, pa);
	if (err != AE_OK) {
		return err;
	}
	if (X509_REQ_sign(req, key->pkey, ae_csr_hash_md(pa->hash)) <= 0) {
		return AE_ERR_CRYPTO;
	}
	return AE_OK;
}

ae_err ae_csr_build(TALLOC_CTX *mem_ctx, const struct ae_key *key,
		    const struct ae_csr_params *params,
		    uint8_t **_der, size_t *_len)
{
	TALLOC_CTX *tmp = NULL;
	X509_REQ *req = NULL;
	unsigned char *der = NULL;
	ae_err err;
	int n;

	if (key == NULL || key->pkey == NULL || params == NULL || _der == NULL || _len == NULL) {
		return AE_ERR_INVALID;
	}
	err = check_params(params);
	if (err != AE_OK) {
		return err;
	}
	tmp = talloc_new(NULL);
	/* a TPM key signs in its own library context (ae_key_tpm.h) */
	req = X509_REQ_new_ex(key->libctx, key->propq);
	if (tmp == NULL || req == NULL) {
		talloc_free(tmp);
		X509_REQ_free(req);
		return AE_ERR_NOMEM;
	}
	err = build_req(tmp, req, key, params);
	if (err == AE_OK) {
		n = i2d_X509_REQ(req, &der);
		err = ae_req_der_to_talloc(mem_ctx, der, n, _der, _len);
	}
	if (err == AE_ERR_CRYPTO) {
		ae_log_openssl(0, "csr");
	}
	ERR_clear_error();
	X509_REQ_free(req);
	talloc_free(tmp);
	return err;
}
