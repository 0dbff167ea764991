/*
 * ae_x509_check.c: key match, chain verification and the template
 * extensions of issued certificates.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include "ae_log.h"
#include "ae_ms_ext.h"
#include "ae_request_private.h"
#include "ae_x509.h"

ae_err ae_cert_matches_key(const struct ae_cert *c, const struct ae_key *key)
{
	EVP_PKEY *pub = NULL;

	if (c == NULL || c->x509 == NULL || key == NULL || key->pkey == NULL) {
		return AE_ERR_INVALID;
	}
	pub = X509_get0_pubkey(c->x509);
	if (pub == NULL) {
		ERR_clear_error();
		return AE_ERR_MISMATCH;
	}
	/* compares the public halves; different key types are simply unequal */
	if (EVP_PKEY_eq(pub, key->pkey) != 1) {
		ERR_clear_error();
		return AE_ERR_MISMATCH;
	}
	return AE_OK;
}

const struct ae_cert *ae_cert_list_find_by_key(const struct ae_cert_list *l,
					       const struct ae_key *key)
{
	size_t i;

	if (l == NULL || key == NULL) {
		return NULL;
	}
	for (i = 0; i < l->count; i++) {
		if (ae_cert_matches_key(l->certs[i], key) == AE_OK) {
			return l->certs[i];
		}
	}
	return NULL;
}

bool ae_cert_is_self_signed(const struct ae_cert *c)
{
	EVP_PKEY *pub = NULL;
	bool ok = false;

	if (c == NULL || c->x509 == NULL) {
		return false;
	}
	pub = X509_get0_pubkey(c->x509);
	ok = pub != NULL &&
	     X509_NAME_cmp(X509_get_subject_name(c->x509), X509_get_issuer_name(c->x509)) == 0 &&
	     X509_verify(c->x509, pub) == 1;
	ERR_clear_error();
	return ok;
}

static void set_why(char *why, size_t why_len, const char *what, int depth)
{
	if (why == NULL || why_len == 0) {
		return;
	}
	if (depth >= 0) {
		snprintf(why, why_len, "%s (depth %d)", what, depth);
	} else {
		snprintf(why, why_len, "%s", what);
	}
}

static X509_STORE *store_from(const struct ae_cert_list *anchors)
{
	X509_STORE *store = X509_STORE_new();
	size_t i;

	if (store == NULL) {
		return NULL;
	}
	for (i = 0; i < anchors->count; i++) {
		if (X509_STORE_add_cert(store, anchors->certs[i]->x509) != 1) {
			X509_STORE_free(store);
			return NULL;
		}
	}
	/* an intermediate published in AD may be the anchor */
	if (X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN) != 1) {
		X509_STORE_free(store);
		return NULL;
	}
	return store;
}

static STACK_OF(X509) *stack_from(const struct ae_cert_list *l)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	size_t i;

	if (sk == NULL || l == NULL) {
		return sk;
	}
	for (i = 0; i < l->count; i++) {
		/* the stack borrows the references: freed with sk_X509_free only */
		if (sk_X509_push(sk, l->certs[i]->x509) <= 0) {
			sk_X509_free(sk);
			return NULL;
		}
	}
	return sk;
}

/* The chain ctx built, without the leaf, as a list on mem_ctx. */
static ae_err verified_chain(TALLOC_CTX *mem_ctx, X509_STORE_CTX *ctx,
			     struct ae_cert_list **_chain)
{
	STACK_OF(X509) *sk = X509_STORE_CTX_get0_chain(ctx);
	struct ae_cert_list *l = NULL;
	ae_err err = sk != NULL ? ae_cert_list_new(NULL, &l) : AE_ERR_CRYPTO;
	int i;

	/* index 0 is the leaf; the last is the trust anchor the verification reached */
	for (i = 1; err == AE_OK && i < sk_X509_num(sk); i++) {
		struct ae_cert view = { .x509 = sk_X509_value(sk, i) };

		err = ae_cert_list_add(l, &view);
	}
	if (err != AE_OK) {
		talloc_free(l);
		return err;
	}
	*_chain = talloc_steal(mem_ctx, l);
	return AE_OK;
}

ae_err ae_cert_verify_chain_get(TALLOC_CTX *mem_ctx, const struct ae_cert *leaf,
				const struct ae_cert_list *untrusted,
				const struct ae_cert_list *anchors, time_t now,
				struct ae_cert_list **_chain, char *why, size_t why_len)
{
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *chain = NULL;
	ae_err err = AE_ERR_CRYPTO;
	int verr;

	if (why != NULL && why_len > 0) {
		why[0] = '\0';
	}
	if (leaf == NULL || leaf->x509 == NULL) {
		return AE_ERR_INVALID;
	}
	if (anchors == NULL || anchors->count == 0) {
		set_why(why, why_len, "no trust anchors", -1);
		return AE_ERR_UNTRUSTED;
	}
	store = store_from(anchors);
	chain = stack_from(untrusted);
	ctx = X509_STORE_CTX_new();
	if (store == NULL || chain == NULL || ctx == NULL ||
	    X509_STORE_CTX_init(ctx, store, leaf->x509, chain) != 1) {
		ae_log_openssl(0, "verify setup");
		goto done;
	}
	if (now != 0) {
		X509_STORE_CTX_set_time(ctx, 0, now);
	}
	if (X509_verify_cert(ctx) == 1) {
		err = _chain != NULL ? verified_chain(mem_ctx, ctx, _chain) : AE_OK;
		goto done;
	}
	verr = X509_STORE_CTX_get_error(ctx);
	set_why(why, why_len, X509_verify_cert_error_string(verr),
		X509_STORE_CTX_get_error_depth(ctx));
	AE_DEBUG("x509: chain verification failed: %s", X509_verify_cert_error_string(verr));
	err = AE_ERR_UNTRUSTED;
done:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	sk_X509_free(chain);
	X509_STORE_free(store);
	return err;
}

ae_err ae_cert_verify_chain(const struct ae_cert *leaf, const struct ae_cert_list *untrusted,
			    const struct ae_cert_list *anchors, time_t now,
			    char *why, size_t why_len)
{
	return ae_cert_verify_chain_get(NULL, leaf, untrusted, anchors, now, NULL, why, why_len);
}

/*
 * The value of the only extension 'oid' of x: AE_ERR_NOT_FOUND if absent,
 * AE_ERR_PARSE if present twice.
 */
static ae_err find_ext(const X509 *x, const char *oid, const uint8_t **_p, size_t *_len)
{
	ASN1_OBJECT *obj = ae_req_oid_parse(oid);
	const ASN1_OCTET_STRING *os = NULL;
	int idx;
	int again;

	if (obj == NULL) {
		return AE_ERR_CRYPTO;
	}
	idx = X509_get_ext_by_OBJ(x, obj, -1);
	again = idx >= 0 ? X509_get_ext_by_OBJ(x, obj, idx) : -1;
	ASN1_OBJECT_free(obj);
	if (idx < 0) {
		return AE_ERR_NOT_FOUND;
	}
	if (again >= 0) {
		return AE_ERR_PARSE;
	}
	os = X509_EXTENSION_get_data(X509_get_ext(x, idx));
	if (os == NULL || ASN1_STRING_length(os) < 0) {
		return AE_ERR_PARSE;
	}
	*_p = ASN1_STRING_get0_data(os);
	*_len = (size_t)ASN1_STRING_length(os);
	return AE_OK;
}

ae_err ae_cert_template_info(TALLOC_CTX *mem_ctx, const struct ae_cert *c,
			     struct ae_cert_template *_t)
{
	struct ae_cert_template t = { NULL, 0, 0, false, false, NULL };
	TALLOC_CTX *tmp = NULL;
	const uint8_t *p = NULL;
	size_t len = 0;
	ae_err err_v2;
	ae_err err_v1;
	ae_err err;

	if (c == NULL || c->x509 == NULL || _t == NULL) {
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err_v2 = find_ext(c->x509, AE_OID_CERT_TEMPLATE, &p, &len);
	if (err_v2 == AE_OK) {
		err_v2 = ae_ms_template_ext_decode(tmp, p, len, &t.oid, &t.major, &t.has_major,
						   &t.minor, &t.has_minor);
	}
	err_v1 = find_ext(c->x509, AE_OID_TEMPLATE_NAME, &p, &len);
	if (err_v1 == AE_OK) {
		err_v1 = ae_ms_template_name_decode(tmp, p, len, &t.v1_name);
	}
	if (err_v2 == AE_ERR_NOT_FOUND && err_v1 == AE_ERR_NOT_FOUND) {
		err = AE_ERR_NOT_FOUND;
	} else if (err_v2 != AE_OK && err_v2 != AE_ERR_NOT_FOUND) {
		err = err_v2;
	} else if (err_v1 != AE_OK && err_v1 != AE_ERR_NOT_FOUND) {
		err = err_v1;
	} else {
		err = AE_OK;
	}
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	t.oid = talloc_steal(mem_ctx, t.oid);
	t.v1_name = talloc_steal(mem_ctx, t.v1_name);
	talloc_free(tmp);
	*_t = t;
	return AE_OK;
}
