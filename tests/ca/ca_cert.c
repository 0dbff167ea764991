/*
 * ca_cert.c: build, sign and package the issued certificate.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include "ae_log.h"
#include "ca_cert.h"
#include "ca_names.h"

#define SERIAL_BYTES	16

static bool is_critical(const struct ca_template *t, const char *oid)
{
	size_t i;

	for (i = 0; i < t->num_critical; i++) {
		if (strcmp(t->critical[i], oid) == 0) {
			return true;
		}
	}
	return false;
}

/* Add (and free) an extension; NULL ext means "failed to build". */
static ae_err add_ext(X509 *x, X509_EXTENSION *ext)
{
	int ok;

	if (ext == NULL) {
		return AE_ERR_CRYPTO;
	}
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? AE_OK : AE_ERR_CRYPTO;
}

/* An extension whose value we encoded ourselves. */
static ae_err add_raw_ext(X509 *x, const char *oid, bool crit, const struct ca_bytes *der)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext = NULL;

	if (obj != NULL && os != NULL && der->len <= INT_MAX &&
	    ASN1_OCTET_STRING_set(os, der->p, (int)der->len) == 1) {
		ext = X509_EXTENSION_create_by_OBJ(NULL, obj, crit ? 1 : 0, os);
	}
	ASN1_OBJECT_free(obj);
	ASN1_OCTET_STRING_free(os);
	return add_ext(x, ext);
}

static ae_err add_eku(X509 *x, const struct ca_template *t)
{
	EXTENDED_KEY_USAGE *eku = NULL;
	X509_EXTENSION *ext = NULL;
	size_t i;

	if (t->num_eku == 0) {
		return AE_OK;
	}
	eku = sk_ASN1_OBJECT_new_null();
	for (i = 0; eku != NULL && i < t->num_eku; i++) {
		ASN1_OBJECT *o = OBJ_txt2obj(t->eku[i], 1);
		if (o == NULL || sk_ASN1_OBJECT_push(eku, o) <= 0) {
			ASN1_OBJECT_free(o);
			sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
			return AE_ERR_PARSE;
		}
	}
	if (eku != NULL) {
		ext = X509V3_EXT_i2d(NID_ext_key_usage, is_critical(t, "2.5.29.37"), eku);
	}
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	return add_ext(x, ext);
}

static ae_err add_key_usage(X509 *x, const struct ca_template *t)
{
	ASN1_BIT_STRING *bits = NULL;
	X509_EXTENSION *ext = NULL;
	size_t i;
	int b;
	bool any = false;

	if (t->key_usage_len == 0) {
		return AE_OK;
	}
	bits = ASN1_BIT_STRING_new();
	if (bits == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < t->key_usage_len; i++) {
		for (b = 0; b < 8; b++) {
			if (t->key_usage[i] & (0x80 >> b)) {
				ASN1_BIT_STRING_set_bit(bits, (int)(i * 8) + b, 1);
				any = true;
			}
		}
	}
	if (any) {
		ext = X509V3_EXT_i2d(NID_key_usage, is_critical(t, "2.5.29.15"), bits);
	}
	ASN1_BIT_STRING_free(bits);
	return any ? add_ext(x, ext) : AE_OK;
}

/* 1.3.6.1.4.1.311.21.10: encoded like certificatePolicies, no qualifiers. */
static ae_err add_app_policies(X509 *x, const struct ca_template *t, TALLOC_CTX *tmp)
{
	CERTIFICATEPOLICIES *pols = NULL;
	unsigned char *der = NULL;
	struct ca_bytes b;
	ae_err err = AE_OK;
	size_t i;
	int n;

	if (t->num_app_policies == 0 || t->schema_version < 2) {
		return AE_OK;
	}
	pols = sk_POLICYINFO_new_null();
	for (i = 0; pols != NULL && i < t->num_app_policies && err == AE_OK; i++) {
		POLICYINFO *pi = POLICYINFO_new();
		if (pi != NULL) {
			ASN1_OBJECT_free(pi->policyid);
			pi->policyid = OBJ_txt2obj(t->app_policies[i], 1);
		}
		if (pi == NULL || pi->policyid == NULL || sk_POLICYINFO_push(pols, pi) <= 0) {
			POLICYINFO_free(pi);
			err = AE_ERR_PARSE;
		}
	}
	if (pols == NULL) {
		return AE_ERR_NOMEM;
	}
	n = err == AE_OK ? i2d_CERTIFICATEPOLICIES(pols, &der) : -1;
	sk_POLICYINFO_pop_free(pols, POLICYINFO_free);
	if (n <= 0) {
		return err != AE_OK ? err : AE_ERR_CRYPTO;
	}
	b.p = talloc_memdup(tmp, der, (size_t)n);
	b.len = (size_t)n;
	OPENSSL_free(der);
	if (b.p == NULL) {
		return AE_ERR_NOMEM;
	}
	return add_raw_ext(x, CA_OID_APP_POLICIES, false, &b);
}

/*
 * The switch <dir>/CA_OMIT_TEMPLATE_EXT_FILE (a regular file, read per
 * certificate; `ca-admin template-ext off|on`): behave as a CA that leaves
 * the template extension and the v1 name out of what it issues.
 */
static bool omit_template_ext(const struct ca_ctx *ca)
{
	char path[4096];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s", ca->dir, CA_OMIT_TEMPLATE_EXT_FILE) >=
	    (int)sizeof(path)) {
		return false;
	}
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static ae_err add_ms_exts(X509 *x, const struct ca_ctx *ca, const struct ca_template *t,
			  const struct ca_account *a, const struct ca_csr *csr, TALLOC_CTX *tmp)
{
	struct ca_bytes b;
	ae_err err = AE_OK;
	char *sid = NULL;

	if (omit_template_ext(ca)) {
		AE_INFO("icpr_ca: %s exists: no template extension for %s", CA_OMIT_TEMPLATE_EXT_FILE,
			t->cn);
	} else if (t->schema_version >= 2 && t->oid != NULL) {
		err = ca_der_template_ext(tmp, t->oid, t->revision, t->minor_revision, &b);
		if (err == AE_OK) {
			err = add_raw_ext(x, CA_OID_TEMPLATE_EXT, false, &b);
		}
	} else if (t->schema_version < 2) {
		err = ca_der_template_name_ext(tmp, t->cn, &b);
		if (err == AE_OK) {
			err = add_raw_ext(x, CA_OID_TEMPLATE_NAME, false, &b);
		}
	}
	if (err != AE_OK || (t->enrollment_flags & CA_ENROLL_NO_SECURITY_EXTENSION)) {
		return err;
	}
	if (ca_subject_from_ad(t)) {	/* MS-WCCE 3.2.2.6.2.1.4.5.9 */
		sid = ca_sid_string(tmp, &a->sid);
		if (sid == NULL) {
			return AE_ERR_NOMEM;
		}
		err = ca_der_sid_ext(tmp, sid, &b);
		return err == AE_OK ? add_raw_ext(x, CA_OID_SID_EXT, false, &b) : err;
	}
	if (ca_csr_find_ext(csr, CA_OID_SID_EXT) != NULL) {	/* only if supplied */
		X509_EXTENSION *e = X509_EXTENSION_dup(ca_csr_find_ext(csr, CA_OID_SID_EXT));
		return add_ext(x, e);
	}
	return AE_OK;
}

static ae_err set_serial_and_validity(X509 *x, const struct ca_ctx *ca,
				      const struct ca_template *t, time_t now)
{
	unsigned char sb[SERIAL_BYTES];
	BIGNUM *bn = NULL;
	time_t until;
	int ok;

	if (RAND_bytes(sb, sizeof(sb)) != 1) {
		return AE_ERR_CRYPTO;
	}
	sb[0] = (unsigned char)((sb[0] & 0x7f) | 0x40);	/* positive, 16 bytes */
	bn = BN_bin2bn(sb, sizeof(sb), NULL);
	ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	if (!ok) {
		return AE_ERR_CRYPTO;
	}
	until = now + (time_t)t->validity_seconds;
	if (X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &now) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), 0, 0, &until) == NULL) {
		return AE_ERR_CRYPTO;
	}
	/* never beyond the CA's own lifetime (AD CS does the same) */
	if (X509_cmp_time(X509_get0_notAfter(ca->cert), &until) < 0 &&
	    X509_set1_notAfter(x, X509_get0_notAfter(ca->cert)) != 1) {
		return AE_ERR_CRYPTO;
	}
	return AE_OK;
}

X509_EXTENSION *ca_aki_ext(const struct ca_ctx *ca)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(ca->cert);
	AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	X509_EXTENSION *ext = NULL;

	ERR_clear_error();	/* X509_get0_subject_key_id may leave a note */
	if (akid == NULL) {
		return NULL;
	}
	akid->keyid = ski != NULL ? ASN1_OCTET_STRING_dup(ski) : ASN1_OCTET_STRING_new();
	if (akid->keyid != NULL && ski == NULL &&
	    (X509_pubkey_digest(ca->cert, EVP_sha1(), md, &mdlen) != 1 ||
	     ASN1_OCTET_STRING_set(akid->keyid, md, (int)mdlen) != 1)) {
		ASN1_OCTET_STRING_free(akid->keyid);
		akid->keyid = NULL;
	}
	if (akid->keyid != NULL) {
		ext = X509V3_EXT_i2d(NID_authority_key_identifier, 0, akid);
	}
	AUTHORITY_KEYID_free(akid);
	return ext;
}

static bool push_uri(GENERAL_NAMES *gens, const char *uri)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();

	if (g == NULL || s == NULL || ASN1_STRING_set(s, uri, -1) != 1) {
		GENERAL_NAME_free(g);
		ASN1_IA5STRING_free(s);
		return false;
	}
	GENERAL_NAME_set0_value(g, GEN_URI, s);
	if (sk_GENERAL_NAME_push(gens, g) <= 0) {
		GENERAL_NAME_free(g);
		return false;
	}
	return true;
}

/*
 * CRL distribution points: one DistributionPoint whose fullName lists the
 * LDAP URL of the CDP object (when known) and the file URL, the order AD
 * CS uses (LDAP first). Built by hand: the LDAP URL holds commas, which
 * OpenSSL's "URI:a,URI:b" configuration syntax would split.
 */
static ae_err add_cdp(X509 *x, const struct ca_ctx *ca)
{
	CRL_DIST_POINTS *cdps = sk_DIST_POINT_new_null();
	DIST_POINT *dp = DIST_POINT_new();
	GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
	X509_EXTENSION *ext = NULL;
	bool ok = cdps != NULL && dp != NULL && names != NULL;

	if (ok && ca->cdp_ldap_url != NULL) {
		ok = push_uri(names, ca->cdp_ldap_url);
	}
	ok = ok && push_uri(names, ca->cdp_file_url);
	if (ok) {
		dp->distpoint = DIST_POINT_NAME_new();
		ok = dp->distpoint != NULL;
	}
	if (ok) {
		dp->distpoint->type = 0;	/* fullName */
		dp->distpoint->name.fullname = names;
		names = NULL;
		ok = sk_DIST_POINT_push(cdps, dp) > 0;
	}
	if (ok) {
		dp = NULL;
		ext = X509V3_EXT_i2d(NID_crl_distribution_points, 0, cdps);
	}
	GENERAL_NAMES_free(names);
	DIST_POINT_free(dp);
	CRL_DIST_POINTS_free(cdps);
	return add_ext(x, ext);
}

static ae_err add_key_ids(X509 *x, const struct ca_ctx *ca)
{
	X509V3_CTX v3;
	ae_err err;

	X509V3_set_ctx(&v3, ca->cert, x, NULL, NULL, 0);
	err = add_ext(x, X509V3_EXT_conf_nid(NULL, &v3, NID_subject_key_identifier, "hash"));
	if (err == AE_OK) {
		err = add_ext(x, ca_aki_ext(ca));
	}
	return err;
}

static ae_err build(X509 *x, const struct ca_ctx *ca, const struct ca_template *t,
		    const struct ca_account *a, const struct ca_csr *csr, time_t now,
		    TALLOC_CTX *tmp)
{
	X509_NAME *subject = NULL;
	X509_EXTENSION *san = NULL;
	ae_err err;

	if (X509_set_version(x, X509_VERSION_3) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) != 1 ||
	    X509_set_pubkey(x, csr->pub) != 1) {
		return AE_ERR_CRYPTO;
	}
	err = set_serial_and_validity(x, ca, t, now);
	if (err != AE_OK) {
		return err;
	}
	err = ca_names_build(t, a, csr, &subject, &san, is_critical(t, "2.5.29.17"));
	if (err != AE_OK) {
		return err;
	}
	if (X509_set_subject_name(x, subject) != 1) {
		X509_NAME_free(subject);
		X509_EXTENSION_free(san);
		return AE_ERR_CRYPTO;
	}
	X509_NAME_free(subject);
	if (san != NULL) {
		err = add_ext(x, san);
	}
	if (err == AE_OK) {
		err = add_eku(x, t);
	}
	if (err == AE_OK) {
		err = add_key_usage(x, t);
	}
	if (err == AE_OK && (t->enrollment_flags & CA_ENROLL_INCLUDE_BASIC_CONSTRAINTS)) {
		err = add_ext(x, X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints,
			      is_critical(t, "2.5.29.19") ? "critical,CA:FALSE" : "CA:FALSE"));
	}
	if (err == AE_OK) {
		err = add_app_policies(x, t, tmp);
	}
	if (err == AE_OK) {
		err = add_ms_exts(x, ca, t, a, csr, tmp);
	}
	if (err == AE_OK) {
		err = add_key_ids(x, ca);
	}
	if (err == AE_OK) {
		err = add_cdp(x, ca);
	}
	return err;
}

ae_err ca_cert_build(TALLOC_CTX *mem_ctx, const struct ca_ctx *ca, const struct ca_template *t,
		     const struct ca_account *a, const struct ca_csr *csr, time_t now,
		     struct ca_bytes *_leaf)
{
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	X509 *x = X509_new();
	unsigned char *der = NULL;
	struct ca_bytes leaf = { NULL, 0 };
	ae_err err = AE_ERR_NOMEM;
	int n;

	if (tmp != NULL && x != NULL) {
		err = build(x, ca, t, a, csr, now, tmp);
	}
	if (err == AE_OK && X509_sign(x, ca->key, EVP_sha256()) <= 0) {
		err = AE_ERR_CRYPTO;
	}
	if (err == AE_OK) {
		n = i2d_X509(x, &der);
		err = n > 0 ? AE_OK : AE_ERR_CRYPTO;
		if (n > 0) {
			leaf.p = talloc_memdup(mem_ctx, der, (size_t)n);
			leaf.len = (size_t)n;
			OPENSSL_free(der);
			err = leaf.p == NULL ? AE_ERR_NOMEM : AE_OK;
		}
	}
	if (err != AE_OK) {
		ae_log_openssl(0, "icpr_ca: building the certificate");
	}
	X509_free(x);
	talloc_free(tmp);
	if (err == AE_OK) {
		*_leaf = leaf;
	}
	return err;
}

ae_err ca_cert_chain_p7(TALLOC_CTX *mem_ctx, const struct ca_ctx *ca, const struct ca_bytes *leaf,
			struct ca_bytes *_p7)
{
	const unsigned char *q = leaf->p;
	X509 *x = NULL;
	PKCS7 *p7 = PKCS7_new();
	unsigned char *der = NULL;
	struct ca_bytes out = { NULL, 0 };
	int n = 0;

	if (leaf->len <= LONG_MAX) {
		x = d2i_X509(NULL, &q, (long)leaf->len);
	}
	if (p7 != NULL && x != NULL &&
	    PKCS7_set_type(p7, NID_pkcs7_signed) == 1 &&
	    PKCS7_content_new(p7, NID_pkcs7_data) == 1 &&
	    PKCS7_add_certificate(p7, x) == 1 &&
	    PKCS7_add_certificate(p7, ca->cert) == 1) {
		n = i2d_PKCS7(p7, &der);
	}
	X509_free(x);
	PKCS7_free(p7);
	if (n <= 0) {
		ae_log_openssl(0, "icpr_ca: building the PKCS#7");
		return AE_ERR_CRYPTO;
	}
	out.p = talloc_memdup(mem_ctx, der, (size_t)n);
	out.len = (size_t)n;
	OPENSSL_free(der);
	if (out.p == NULL) {
		return AE_ERR_NOMEM;
	}
	*_p7 = out;
	return AE_OK;
}
