/*
 * ae_x509.h: certificates from the CA's answer, from AD and from the store.
 *
 * Everything parsed here is untrusted input. Parsers take
 * (mem_ctx, p, len, out**), cap len with the *_MAX constants below
 * (AE_ERR_TOO_LARGE), refuse bytes after the structure (AE_ERR_TRAILING),
 * report malformed input as AE_ERR_PARSE and set outputs only on success.
 *
 * Certificates are talloc objects: freeing a struct ae_cert drops its X509
 * reference. A struct ae_cert_list owns its array and the certificates in it.
 */
#ifndef AE_X509_H
#define AE_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <talloc.h>
#include <openssl/x509.h>
#include "ae_error.h"
#include "ae_key.h"

#define AE_X509_DER_MAX (64 * 1024)	/* one DER certificate */
#define AE_X509_PEM_MAX (128 * 1024)	/* one PEM certificate */
#define AE_CERT_LIST_PEM_MAX (4 * 1024 * 1024) /* a PEM bundle */
#define AE_CERT_LIST_MAX 256		/* certificates in a PEM bundle */
#define AE_PKCS7_DER_MAX (1024 * 1024)	/* a CA's PKCS#7 answer */
#define AE_PKCS7_CERTS_MAX 32		/* certificates in it */

struct ae_cert {
	X509 *x509;		/* owned reference */
};

struct ae_cert_list {
	struct ae_cert **certs;	/* count entries, children of the list */
	size_t count;
};

/* ---- construction and parsing ---- */

/* Wrap an X509; takes a new reference (the caller keeps its own). */
ae_err ae_cert_from_x509(TALLOC_CTX *mem_ctx, X509 *x509, struct ae_cert **_c);

/*
 * Exactly one DER certificate of 1..AE_X509_DER_MAX bytes; the decoder must
 * end exactly at p + len (else AE_ERR_TRAILING).
 */
ae_err ae_cert_parse_der(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			 struct ae_cert **_c);

/*
 * Exactly one "CERTIFICATE" PEM block (whitespace around it allowed) of at
 * most AE_X509_PEM_MAX bytes. Other PEM types, text outside the block or
 * NUL bytes -> AE_ERR_PARSE; a second block or text after it -> AE_ERR_TRAILING.
 */
ae_err ae_cert_parse_pem(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			 struct ae_cert **_c);

/*
 * Zero or more "CERTIFICATE" PEM blocks separated by whitespace
 * (AE_CERT_LIST_PEM_MAX bytes, AE_CERT_LIST_MAX certificates, else
 * AE_ERR_TOO_LARGE). Empty or whitespace-only input gives an empty list.
 * Text between or after the blocks, other PEM types, NUL bytes or a bad
 * certificate -> AE_ERR_PARSE (the whole list is refused).
 */
ae_err ae_cert_list_parse_pem(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			      struct ae_cert_list **_l);

/* An empty list on mem_ctx. */
ae_err ae_cert_list_new(TALLOC_CTX *mem_ctx, struct ae_cert_list **_l);

/*
 * Append a new reference to c's certificate (c stays the caller's); the
 * new struct ae_cert is a child of l. AE_ERR_NOMEM leaves l unchanged.
 */
ae_err ae_cert_list_add(struct ae_cert_list *l, const struct ae_cert *c);

/*
 * The certificates of a DER PKCS#7 / CMS SignedData (1.2.840.113549.1.7.2),
 * as AD CS returns in pctbCert: usually "certs-only" (no signers). Signer
 * infos, if any, are ignored and NOT verified. At most AE_PKCS7_DER_MAX
 * bytes and AE_PKCS7_CERTS_MAX certificates (AE_ERR_TOO_LARGE); another
 * content type -> AE_ERR_PARSE; no certificate -> AE_ERR_NOT_FOUND. The
 * list keeps the encoded order.
 */
ae_err ae_pkcs7_certs_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			    struct ae_cert_list **_l);

/*
 * Build a degenerate certs-only SignedData (version 1, id-data without
 * content, no signers) holding the list's certificates in order, DER on
 * mem_ctx. 1..AE_PKCS7_CERTS_MAX certificates (else AE_ERR_INVALID).
 */
ae_err ae_pkcs7_certs_build(TALLOC_CTX *mem_ctx, const struct ae_cert_list *l,
			    uint8_t **_der, size_t *_len);

/* ---- checks ---- */

/* AE_OK when the certificate's public key is key's, else AE_ERR_MISMATCH. */
ae_err ae_cert_matches_key(const struct ae_cert *c, const struct ae_key *key);

/* The first certificate of l whose key is key's, or NULL. */
const struct ae_cert *ae_cert_list_find_by_key(const struct ae_cert_list *l,
					       const struct ae_key *key);

/*
 * Verify leaf against the anchors (the CA certificates published in AD),
 * with untrusted (may be NULL) as intermediates. X509_V_FLAG_PARTIAL_CHAIN
 * is set, so an intermediate CA among the anchors is enough. now is the
 * verification time (0 = current time). Signatures, validity periods, CA
 * flags and unknown critical extensions are checked by OpenSSL; no purpose
 * and no revocation check. Failure -> AE_ERR_UNTRUSTED with OpenSSL's
 * reason (and the failing depth) in why (may be NULL when why_len is 0);
 * no anchors -> AE_ERR_UNTRUSTED ("no trust anchors").
 */
ae_err ae_cert_verify_chain(const struct ae_cert *leaf, const struct ae_cert_list *untrusted,
			    const struct ae_cert_list *anchors, time_t now,
			    char *why, size_t why_len);

/*
 * ae_cert_verify_chain, and on success (when _chain is not NULL) *_chain on
 * mem_ctx is the chain the verification used, without the leaf: the leaf's
 * issuer first, then each issuer in turn, ending with the anchor it reached
 * (a root, or under partial chain the AD CA certificate itself). Certificates
 * of untrusted that the path does not use are not in it (RFC 5280 §6.1: the
 * certification path, not the bag of certificates it was built from).
 */
ae_err ae_cert_verify_chain_get(TALLOC_CTX *mem_ctx, const struct ae_cert *leaf,
				const struct ae_cert_list *untrusted,
				const struct ae_cert_list *anchors, time_t now,
				struct ae_cert_list **_chain, char *why, size_t why_len);

/*
 * A root: subject equals issuer (X509_NAME_cmp) and the signature verifies
 * with the certificate's own public key (RFC 5280 §3.2 / §6.1: a
 * self-signed certificate). False for anything else or a damaged one.
 */
bool ae_cert_is_self_signed(const struct ae_cert *c);

/* ---- contents ---- */

struct ae_cert_template {
	char *oid;		/* from 1.3.6.1.4.1.311.21.7, else NULL */
	uint32_t major, minor;	/* valid when has_major / has_minor */
	bool has_major, has_minor;
	char *v1_name;		/* from 1.3.6.1.4.1.311.20.2, else NULL */
};

/*
 * The template a certificate was issued from: 1.3.6.1.4.1.311.21.7
 * (OID + versions) and/or 1.3.6.1.4.1.311.20.2 (v1 name: BMPString,
 * UTF8String or SEQ { UTF8String }). Strings on mem_ctx. Neither extension
 * -> AE_ERR_NOT_FOUND; a malformed or duplicated one -> AE_ERR_PARSE
 * (or AE_ERR_TRAILING / AE_ERR_TOO_LARGE). *_t is written only on success.
 */
ae_err ae_cert_template_info(TALLOC_CTX *mem_ctx, const struct ae_cert *c,
			     struct ae_cert_template *_t);

/* PEM ("BEGIN CERTIFICATE") on mem_ctx, NUL-terminated, *_len without NUL. */
ae_err ae_cert_to_pem(TALLOC_CTX *mem_ctx, const struct ae_cert *c, char **_pem, size_t *_len);

/* DER on mem_ctx. */
ae_err ae_cert_to_der(TALLOC_CTX *mem_ctx, const struct ae_cert *c, uint8_t **_der, size_t *_len);

/*
 * The subjectAltName dNSNames as a NULL-terminated array on mem_ctx
 * (just { NULL } without SAN). Names with NUL bytes or a malformed SAN
 * -> AE_ERR_PARSE.
 */
ae_err ae_cert_dns_names(TALLOC_CTX *mem_ctx, const struct ae_cert *c, char ***_names);

/* Serial number as upper-case hex, two digits per byte ("18D9D5D300000000003D"). */
ae_err ae_cert_serial_hex(TALLOC_CTX *mem_ctx, const struct ae_cert *c, char **_hex);

/* SHA-1 of the DER (Windows "thumbprint") as lower-case hex, 40 digits. */
ae_err ae_cert_thumbprint_hex(TALLOC_CTX *mem_ctx, const struct ae_cert *c, char **_hex);

/* Validity bounds as time_t (UTC). Unrepresentable -> AE_ERR_PARSE. */
ae_err ae_cert_not_before(const struct ae_cert *c, time_t *_t);
ae_err ae_cert_not_after(const struct ae_cert *c, time_t *_t);

/* Subject / issuer as one line ("CN = host.example.com, O = Example"), UTF-8; "" if empty. */
ae_err ae_cert_subject(TALLOC_CTX *mem_ctx, const struct ae_cert *c, char **_s);
ae_err ae_cert_issuer(TALLOC_CTX *mem_ctx, const struct ae_cert *c, char **_s);

#endif
