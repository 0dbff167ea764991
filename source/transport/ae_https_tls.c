/*
 * ae_https_tls.c: what the HTTPS transport does to curl's OpenSSL objects:
 * the SSL_CTX callback (the extra trust anchors, the client certificate and
 * key handed over as objects: no key file, no key path), the verified
 * server certificate of the connection in use, and the RFC 5929
 * tls-server-end-point channel binding of that certificate.
 */
#include <string.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include "ae_https_priv.h"
#include "ae_log.h"

static CURLcode tls_fail(struct ae_https_tls *t, CURLcode rc, const char *what, const char *name)
{
	unsigned long e = ERR_peek_last_error();
	char buf[160] = "";

	if (e != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
	}
	ERR_clear_error();
	ae_why(t->why, sizeof(t->why), "%s%s%s%s%s", what, name != NULL ? " " : "",
	       name != NULL ? name : "", buf[0] != '\0' ? ": " : "", buf);
	t->failed = true;
	return rc;
}

static CURLcode tls_client_cert(struct ae_https_tls *t, SSL_CTX *ctx)
{
	int i;

	if (SSL_CTX_use_certificate(ctx, t->client_cert) != 1) {
		return tls_fail(t, CURLE_SSL_CERTPROBLEM, "client certificate refused by TLS", NULL);
	}
	/* a provider's key (a TPM's) works the same: only the object is used */
	if (SSL_CTX_use_PrivateKey(ctx, t->client_key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		return tls_fail(t, CURLE_SSL_CERTPROBLEM,
				"client key refused by TLS (does it match the certificate?)", NULL);
	}
	for (i = 0; t->client_chain != NULL && i < sk_X509_num(t->client_chain); i++) {
		if (SSL_CTX_add1_chain_cert(ctx, sk_X509_value(t->client_chain, i)) != 1) {
			return tls_fail(t, CURLE_SSL_CERTPROBLEM, "client chain refused by TLS", NULL);
		}
	}
	return CURLE_OK;
}

CURLcode ae_https_tls_ctx_cb(CURL *easy, void *ssl_ctx, void *userptr)
{
	struct ae_https_tls *t = userptr;
	SSL_CTX *ctx = ssl_ctx;
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);

	(void)easy;
	/* curl fills the same store with its CAINFO (the system's or the pinned file) after us */
	if (t->extra_ca_file != NULL && X509_STORE_load_file(store, t->extra_ca_file) != 1) {
		return tls_fail(t, CURLE_SSL_CACERT_BADFILE, "cannot load the CA file", t->extra_ca_file);
	}
	if (t->extra_ca_dir != NULL && X509_STORE_load_path(store, t->extra_ca_dir) != 1) {
		return tls_fail(t, CURLE_SSL_CACERT_BADFILE, "cannot use the CA directory", t->extra_ca_dir);
	}
	if (t->client_cert != NULL) {
		return tls_client_cert(t, ctx);
	}
	return CURLE_OK;
}

X509 *ae_https_peer_cert(CURL *easy)
{
	struct curl_tlssessioninfo *info = NULL;
	SSL *ssl;

	if (curl_easy_getinfo(easy, CURLINFO_TLS_SSL_PTR, &info) != CURLE_OK || info == NULL ||
	    info->backend != CURLSSLBACKEND_OPENSSL || info->internals == NULL) {
		return NULL;
	}
	ssl = info->internals;
	if (SSL_get_verify_result(ssl) != X509_V_OK) {
		return NULL;
	}
	return SSL_get1_peer_certificate(ssl);
}

char *ae_https_cert_subject(TALLOC_CTX *mem, X509 *cert)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL;
	char *out = NULL;
	long n;

	if (bio == NULL) {
		return NULL;
	}
	if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0,
			       XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		n = BIO_get_mem_data(bio, &data);
		if (n >= 0 && data != NULL) {
			out = talloc_strndup(mem, data, (size_t)n);
		}
	}
	BIO_free(bio);
	return out;
}

const EVP_MD *ae_https_cb_md(X509 *cert, char *why, size_t why_len)
{
	int mdnid = NID_undef;
	int pknid = NID_undef;
	const EVP_MD *md;

	if (cert == NULL) {
		ae_why(why, why_len, "no server certificate");
		return NULL;
	}
	if (X509_get_signature_info(cert, &mdnid, &pknid, NULL, NULL) != 1 ||
	    mdnid == NID_undef) {
		ae_why(why, why_len,
		       "the server certificate's signature (%s) has no single hash: "
		       "RFC 5929 §4.1 defines no tls-server-end-point for it",
		       OBJ_nid2sn(X509_get_signature_nid(cert)));
		return NULL;
	}
	/* RFC 5929 §4.1: MD5 and SHA-1 are replaced by SHA-256 */
	if (mdnid == NID_md5 || mdnid == NID_sha1) {
		return EVP_sha256();
	}
	md = EVP_get_digestbynid(mdnid);
	if (md == NULL) {
		ae_why(why, why_len, "the server certificate's signature hash %s is not available",
		       OBJ_nid2sn(mdnid));
	}
	return md;
}

ae_err ae_https_cb_data(TALLOC_CTX *mem, X509 *cert, uint8_t **_data, size_t *_len,
			char *why, size_t why_len)
{
	const size_t plen = sizeof(AE_HTTPS_CB_PREFIX) - 1;
	const EVP_MD *md = ae_https_cb_md(cert, why, why_len);
	unsigned char *der = NULL;
	unsigned int hlen = 0;
	uint8_t *data;
	int dlen;

	if (md == NULL) {
		return AE_ERR_UNSUPPORTED;
	}
	dlen = i2d_X509(cert, &der);
	if (dlen <= 0) {
		ae_log_openssl(3, "i2d_X509");
		ae_why(why, why_len, "cannot encode the server certificate");
		return AE_ERR_CRYPTO;
	}
	data = talloc_array(mem, uint8_t, plen + EVP_MAX_MD_SIZE);
	if (data == NULL) {
		OPENSSL_free(der);
		return AE_ERR_NOMEM;
	}
	memcpy(data, AE_HTTPS_CB_PREFIX, plen);
	if (EVP_Digest(der, (size_t)dlen, data + plen, &hlen, md, NULL) != 1) {
		OPENSSL_free(der);
		talloc_free(data);
		ae_log_openssl(3, "EVP_Digest");
		ae_why(why, why_len, "cannot hash the server certificate");
		return AE_ERR_CRYPTO;
	}
	OPENSSL_free(der);
	*_data = data;
	*_len = plen + hlen;
	return AE_OK;
}
