/*
 * ca_local_whois.c: `ca-local whois`: the account behind an authenticated
 * CES/CEP client, printed as {"sid": "S-1-5-21-...", "name": "LAB\\acct",
 * "dn": "..."}:
 *   --principal USER@REALM  a Kerberos client principal of the DC's realm:
 *                           sAMAccountName USER (else userPrincipalName);
 *   --cert (PEM on stdin)   a TLS client certificate: it must chain to one
 *                           of the --ca-dir CAs (ca.pem, chain.pem) and carry
 *                           clientAuth; then the account named by its SID
 *                           extension (1.3.6.1.4.1.311.25.2, [MS-WCCE]
 *                           2.2.2.7.7.4), else its SAN UPN (userPrincipalName),
 *                           else its SAN dNSName (dNSHostName), as a strong
 *                           then weak certificate mapping of AD would.
 */
#include <string.h>
#include <strings.h>
#include <ldb.h>
#include <stdbool.h>
#include <param.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "ae_log.h"
#include "ca_dir_ldb.h"
#include "ca_local.h"
#include "ca_local_chain.h"

#define CL_PEM_MAX	(64u * 1024u)
#define CL_NAME_MAX	256u

static int print_account(struct ca_local *cl, const struct ldb_message *m)
{
	const struct ldb_val *v = ldb_msg_find_ldb_val(m, "objectSid");
	struct ca_sid sid;
	size_t used = 0;
	char *text, *name;

	if (v == NULL || ca_sid_pull(v->data, v->length, &sid, &used) != AE_OK ||
	    used != v->length || (text = ca_sid_string(NULL, &sid)) == NULL) {
		AE_ERROR("ca-local: %s has no usable objectSid", ldb_dn_get_linearized(m->dn));
		return 2;
	}
	printf("{\"sid\":");
	cl_json_str(stdout, text);
	name = talloc_asprintf(text, "%s\\%s", lpcfg_sam_name(cl->lp),
			       ldb_msg_find_attr_as_string(m, "sAMAccountName", "?"));
	printf(",\"name\":");
	cl_json_str(stdout, name);
	printf(",\"dn\":");
	cl_json_str(stdout, ldb_dn_get_linearized(m->dn));
	printf("}\n");
	talloc_free(text);
	return 0;
}

/* Exactly one object with attr=value (value escaped for the filter). */
static int lookup(TALLOC_CTX *mem, struct ca_local *cl, const char *attr, const char *value)
{
	static const char *attrs[] = { "objectSid", "sAMAccountName", NULL };
	struct ldb_context *ldb = ca_dir_ldb_context(cl->dir);
	struct ldb_result *res = NULL;
	char *esc = ldb_binary_encode_string(mem, value);
	int ret;

	if (esc == NULL) {
		return 3;
	}
	ret = ldb_search(ldb, mem, &res, NULL, LDB_SCOPE_SUBTREE, attrs,
			 "(&(objectSid=*)(%s=%s))", attr, esc);
	if (ret != LDB_SUCCESS) {
		AE_ERROR("ca-local: search %s=%s: %s", attr, value, ldb_errstring(ldb));
		return 2;
	}
	if (res->count != 1) {
		AE_ERROR("ca-local: %u accounts with %s=%s", res->count, attr, value);
		return 2;
	}
	return print_account(cl, res->msgs[0]);
}

static int by_principal(TALLOC_CTX *mem, struct ca_local *cl)
{
	const char *p = cl->principal, *at = strrchr(p, '@');
	const char *realm = lpcfg_realm(cl->lp);
	char *user;
	int rc;

	if (at == NULL || at == p || strlen(p) > CL_NAME_MAX || realm == NULL ||
	    strcasecmp(at + 1, realm) != 0 || strpbrk(p, "/\\()*\r\n") != NULL) {
		AE_ERROR("ca-local: principal %s is not a client of realm %s", p,
			 realm ? realm : "(none)");
		return 2;
	}
	user = talloc_strndup(mem, p, (size_t)(at - p));
	if (user == NULL) {
		return 3;
	}
	rc = lookup(mem, cl, "sAMAccountName", user);
	return rc == 2 ? lookup(mem, cl, "userPrincipalName", p) : rc;
}

static ae_err trust_store(struct ca_local *cl, X509_STORE *store)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	ae_err err = certs == NULL ? AE_ERR_NOMEM : AE_OK;
	size_t i;
	int k;

	for (i = 0; i < cl->num_ca_dirs && err == AE_OK; i++) {
		char path[4096];
		FILE *f;
		X509 *x;

		snprintf(path, sizeof(path), "%s/ca.pem", cl->ca_dirs[i]);
		f = fopen(path, "re");
		x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
		if (f != NULL) {
			fclose(f);
		}
		if (x == NULL || sk_X509_push(certs, x) <= 0) {
			X509_free(x);
			err = AE_ERR_IO;
			break;
		}
		err = cl_chain_load(cl->ca_dirs[i], certs);
	}
	for (k = 0; err == AE_OK && k < sk_X509_num(certs); k++) {
		if (X509_STORE_add_cert(store, sk_X509_value(certs, k)) != 1) {
			ERR_clear_error();	/* the same root twice */
		}
	}
	sk_X509_pop_free(certs, X509_free);
	return err;
}

static bool verified(struct ca_local *cl, X509 *x)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	bool ok = false;

	if (store != NULL && ctx != NULL && cl->num_ca_dirs > 0 &&
	    trust_store(cl, store) == AE_OK &&
	    X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN) == 1 &&
	    X509_STORE_set_purpose(store, X509_PURPOSE_SSL_CLIENT) == 1 &&
	    X509_STORE_CTX_init(ctx, store, x, NULL) == 1) {
		ok = X509_verify_cert(ctx) == 1;
		if (!ok) {
			AE_ERROR("ca-local: client certificate: %s",
				 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		}
	}
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ok;
}

/* The SID extension's SID, else a SAN UPN or dNSName, as attr=value. */
static bool identity(TALLOC_CTX *mem, X509 *x, const char **_attr, char **_value)
{
	ASN1_OBJECT *sid_oid = OBJ_txt2obj(CA_OID_SID_EXT, 1);
	ASN1_OBJECT *upn_oid = OBJ_txt2obj(CA_OID_UPN, 1);
	GENERAL_NAMES *san = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int pos = sid_oid ? X509_get_ext_by_OBJ(x, sid_oid, -1) : -1;
	char *upn = NULL, *dns = NULL;
	int i;

	*_value = NULL;
	if (pos >= 0) {
		ASN1_OCTET_STRING *d = X509_EXTENSION_get_data(X509_get_ext(x, pos));

		if (ca_der_parse_sid_ext(mem, d->data, (size_t)d->length, _value) == AE_OK) {
			*_attr = "objectSid";
		}
	}
	for (i = 0; san != NULL && i < sk_GENERAL_NAME_num(san); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(san, i);

		if (g->type == GEN_OTHERNAME && upn == NULL && upn_oid != NULL &&
		    OBJ_cmp(g->d.otherName->type_id, upn_oid) == 0 &&
		    g->d.otherName->value->type == V_ASN1_UTF8STRING) {
			const ASN1_UTF8STRING *s = g->d.otherName->value->value.utf8string;
			upn = talloc_strndup(mem, (const char *)s->data, (size_t)s->length);
		} else if (g->type == GEN_DNS && dns == NULL) {
			dns = talloc_strndup(mem, (const char *)g->d.dNSName->data,
					     (size_t)g->d.dNSName->length);
		}
	}
	if (*_value == NULL && upn != NULL && strlen(upn) == (size_t)strnlen(upn, CL_NAME_MAX)) {
		*_attr = "userPrincipalName";
		*_value = upn;
	} else if (*_value == NULL && dns != NULL) {
		*_attr = "dNSHostName";
		*_value = dns;
	}
	GENERAL_NAMES_free(san);
	ASN1_OBJECT_free(sid_oid);
	ASN1_OBJECT_free(upn_oid);
	return *_value != NULL && (*_value)[0] != '\0';
}

static int by_cert(TALLOC_CTX *mem, struct ca_local *cl)
{
	uint8_t *pem = NULL;
	size_t len = 0;
	const char *attr = NULL;
	char *value = NULL;
	BIO *bio;
	X509 *x = NULL;
	int rc = 2;

	if (cl_read_stdin(mem, CL_PEM_MAX, &pem, &len) != AE_OK) {
		AE_ERROR("ca-local: client certificate: unreadable or over %u bytes", CL_PEM_MAX);
		return 1;
	}
	bio = BIO_new_mem_buf(pem, (int)len);
	x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (x == NULL) {
		AE_ERROR("ca-local: client certificate: not a PEM certificate");
	} else if (!verified(cl, x)) {
		AE_ERROR("ca-local: client certificate does not chain to a CA of this service");
	} else if (!identity(mem, x, &attr, &value)) {
		AE_ERROR("ca-local: client certificate names no account (no SID extension, UPN "
			 "or dNSName)");
	} else {
		rc = lookup(mem, cl, attr, value);
	}
	X509_free(x);
	return rc;
}

int cl_whois(TALLOC_CTX *mem_ctx, struct ca_local *cl)
{
	if ((cl->principal != NULL) == cl->cert) {
		AE_ERROR("ca-local: whois takes --principal or --cert");
		return 1;
	}
	return cl->principal != NULL ? by_principal(mem_ctx, cl) : by_cert(mem_ctx, cl);
}
