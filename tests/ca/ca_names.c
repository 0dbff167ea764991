/*
 * ca_names.c: subject and subjectAltName of an issued certificate
 * (msPKI-Certificate-Name-Flag, MS-CRTD 2.28; MS-WCCE 3.2.2.6.2.1.4.5.*).
 *
 * With CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT the subject and the SAN are the
 * request's (for a renewal: the PKCS#10 inside the CMS, which a client
 * fills from the old certificate under CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_
 * AND_ALT_NAME, [MS-WCCE] 3.1.2.4.2.2.2.10). Without it, as AD CS, the
 * request's names are ignored, not refused: the CA "MUST ignore any subject
 * name information provided in the certificate request" ([MS-WCCE]
 * 3.2.2.6.2.1.4.5.9) and builds them from AD.
 */
#include <string.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include "ae_hresult.h"
#include "ca_cert.h"
#include "ca_names.h"

#define DN_MAX		1024u
#define DN_RDNS_MAX	32u

bool ca_subject_from_ad(const struct ca_template *t)
{
	return (t->name_flags & CA_NAME_ENROLLEE_SUPPLIES_SUBJECT) == 0;
}

static bool enrollee_supplies_san(const struct ca_template *t)
{
	return (t->name_flags & (CA_NAME_ENROLLEE_SUPPLIES_SUBJECT |
				 CA_NAME_ENROLLEE_SUPPLIES_SAN)) != 0;
}

static bool empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

uint32_t ca_subject_check(const struct ca_template *t, const struct ca_account *a)
{
	uint32_t f = t->name_flags;

	if (ca_subject_from_ad(t) &&
	    (f & CA_NAME_SUBJECT_REQUIRE_DNS_AS_CN) && empty(a->dns_host_name)) {
		return AE_CERTSRV_E_SUBJECT_DNS_REQUIRED;
	}
	if (ca_subject_from_ad(t) &&
	    (f & CA_NAME_SUBJECT_REQUIRE_EMAIL) && empty(a->mail)) {
		return CA_CERTSRV_E_SUBJECT_EMAIL_REQUIRED;
	}
	if (enrollee_supplies_san(t)) {
		return 0;
	}
	if ((f & CA_NAME_ALT_REQUIRE_DNS) && empty(a->dns_host_name)) {
		return AE_CERTSRV_E_SUBJECT_DNS_REQUIRED;
	}
	if ((f & CA_NAME_ALT_REQUIRE_UPN) && empty(a->upn)) {
		return CA_CERTSRV_E_SUBJECT_UPN_REQUIRED;
	}
	if ((f & CA_NAME_ALT_REQUIRE_EMAIL) && empty(a->mail)) {
		return CA_CERTSRV_E_SUBJECT_EMAIL_REQUIRED;
	}
	return 0;
}

static bool add_entry(X509_NAME *name, const char *type, const char *value)
{
	int nid = OBJ_txt2nid(type);

	if (nid == NID_undef) {
		nid = NID_commonName;
	}
	return X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
					  (const unsigned char *)value, -1, -1, 0) == 1;
}

/* "CN=a\,b,CN=Computers,DC=lab" -> entries added most-general first. */
static bool add_directory_path(X509_NAME *name, const char *dn)
{
	char buf[DN_MAX + 1];
	char *rdn[DN_RDNS_MAX];
	size_t n = 0, i, w = 0;
	const char *r;

	if (strlen(dn) > DN_MAX) {
		return false;
	}
	rdn[n++] = buf;
	for (r = dn; *r != '\0'; r++) {
		if (*r == '\\' && r[1] != '\0') {
			buf[w++] = *++r;	/* escaped character, kept */
			continue;
		}
		if (*r == ',') {
			buf[w++] = '\0';
			if (n == DN_RDNS_MAX) {
				return false;
			}
			rdn[n++] = buf + w;
			continue;
		}
		buf[w++] = *r;
	}
	buf[w] = '\0';
	for (i = n; i > 0; i--) {
		char *eq = strchr(rdn[i - 1], '=');
		if (eq == NULL) {
			return false;
		}
		*eq = '\0';
		while (*rdn[i - 1] == ' ') {
			rdn[i - 1]++;
		}
		if (!add_entry(name, rdn[i - 1], eq + 1)) {
			return false;
		}
	}
	return true;
}

static ae_err subject_from_ad(const struct ca_template *t, const struct ca_account *a,
			      X509_NAME *name)
{
	uint32_t f = t->name_flags;

	if ((f & CA_NAME_SUBJECT_REQUIRE_DIRECTORY_PATH) && !empty(a->dn)) {
		if (!add_directory_path(name, a->dn)) {
			return AE_ERR_PARSE;
		}
	} else if ((f & CA_NAME_SUBJECT_REQUIRE_DNS_AS_CN) && !empty(a->dns_host_name)) {
		if (!add_entry(name, "CN", a->dns_host_name)) {
			return AE_ERR_CRYPTO;
		}
	} else if ((f & CA_NAME_SUBJECT_REQUIRE_COMMON_NAME) && !empty(a->cn)) {
		if (!add_entry(name, "CN", a->cn)) {
			return AE_ERR_CRYPTO;
		}
	}
	if ((f & CA_NAME_SUBJECT_REQUIRE_EMAIL) && !empty(a->mail)) {
		if (!add_entry(name, "emailAddress", a->mail)) {
			return AE_ERR_CRYPTO;
		}
	}
	return AE_OK;
}

static bool push_ia5(GENERAL_NAMES *gens, int type, const char *value)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();

	if (g == NULL || s == NULL || ASN1_STRING_set(s, value, -1) != 1) {
		GENERAL_NAME_free(g);
		ASN1_IA5STRING_free(s);
		return false;
	}
	GENERAL_NAME_set0_value(g, type, s);
	if (sk_GENERAL_NAME_push(gens, g) <= 0) {
		GENERAL_NAME_free(g);
		return false;
	}
	return true;
}

static bool push_other(GENERAL_NAMES *gens, const char *oid, int vtype,
		       const void *value, int len)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	ASN1_TYPE *t = ASN1_TYPE_new();
	ASN1_STRING *s = ASN1_STRING_type_new(vtype);

	if (g == NULL || obj == NULL || t == NULL || s == NULL ||
	    ASN1_STRING_set(s, value, len) != 1) {
		GENERAL_NAME_free(g);
		ASN1_OBJECT_free(obj);
		ASN1_TYPE_free(t);
		ASN1_STRING_free(s);
		return false;
	}
	ASN1_TYPE_set(t, vtype, s);
	if (GENERAL_NAME_set0_othername(g, obj, t) != 1 || sk_GENERAL_NAME_push(gens, g) <= 0) {
		GENERAL_NAME_free(g);
		return false;
	}
	return true;
}

static ae_err san_from_ad(const struct ca_template *t, const struct ca_account *a,
			  GENERAL_NAMES *gens)
{
	uint32_t f = t->name_flags;

	if ((f & CA_NAME_ALT_REQUIRE_DNS) && !empty(a->dns_host_name) &&
	    !push_ia5(gens, GEN_DNS, a->dns_host_name)) {
		return AE_ERR_CRYPTO;
	}
	if ((f & CA_NAME_ALT_REQUIRE_UPN) && !empty(a->upn) &&
	    !push_other(gens, CA_OID_UPN, V_ASN1_UTF8STRING, a->upn, -1)) {
		return AE_ERR_CRYPTO;
	}
	if ((f & CA_NAME_ALT_REQUIRE_EMAIL) && !empty(a->mail) &&
	    !push_ia5(gens, GEN_EMAIL, a->mail)) {
		return AE_ERR_CRYPTO;
	}
	if ((f & CA_NAME_ALT_REQUIRE_DIRECTORY_GUID) && a->has_guid &&
	    !push_other(gens, CA_OID_DS_GUID, V_ASN1_OCTET_STRING, a->guid, 16)) {
		return AE_ERR_CRYPTO;
	}
	return AE_OK;
}

ae_err ca_names_build(const struct ca_template *t, const struct ca_account *a,
		      const struct ca_csr *csr, X509_NAME **_subject,
		      X509_EXTENSION **_san, bool san_critical)
{
	X509_NAME *subject = NULL;
	GENERAL_NAMES *gens = NULL;
	X509_EXTENSION *san = NULL, *req_san = NULL;
	ae_err err = AE_OK;
	bool crit;

	if (ca_subject_from_ad(t)) {
		subject = X509_NAME_new();
		err = subject == NULL ? AE_ERR_NOMEM : subject_from_ad(t, a, subject);
	} else {
		subject = X509_NAME_dup(X509_REQ_get_subject_name(csr->req));
		err = subject == NULL ? AE_ERR_NOMEM : AE_OK;
	}
	if (err != AE_OK) {
		X509_NAME_free(subject);
		return err;
	}
	/* RFC 5280 4.2.1.6: SAN is critical when the subject is empty */
	crit = san_critical || X509_NAME_entry_count(subject) == 0;
	req_san = enrollee_supplies_san(t) ? ca_csr_find_ext(csr, "2.5.29.17") : NULL;
	if (req_san != NULL) {
		san = X509_EXTENSION_create_by_OBJ(NULL, X509_EXTENSION_get_object(req_san),
						   crit, X509_EXTENSION_get_data(req_san));
		err = san == NULL ? AE_ERR_CRYPTO : AE_OK;
	} else if (!enrollee_supplies_san(t)) {
		gens = sk_GENERAL_NAME_new_null();
		err = gens == NULL ? AE_ERR_NOMEM : san_from_ad(t, a, gens);
		if (err == AE_OK && sk_GENERAL_NAME_num(gens) > 0) {
			san = X509V3_EXT_i2d(NID_subject_alt_name, crit, gens);
			err = san == NULL ? AE_ERR_CRYPTO : AE_OK;
		}
		GENERAL_NAMES_free(gens);
	}
	if (err != AE_OK) {
		X509_NAME_free(subject);
		return err;
	}
	*_subject = subject;
	*_san = san;
	return AE_OK;
}
