/*
 * ae_key.h: private keys for certificate requests (OpenSSL 3, default
 * provider).
 *
 * Keys are talloc objects: freeing a struct ae_key frees its EVP_PKEY.
 * Serialised private keys are wiped (OPENSSL_cleanse) when their buffer is
 * freed. Nothing here logs key material.
 */
#ifndef AE_KEY_H
#define AE_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include <openssl/evp.h>
#include "ae_error.h"

#define AE_KEY_RSA_MIN_BITS 2048
#define AE_KEY_RSA_MAX_BITS 16384
#define AE_KEY_RSA_DEFAULT_BITS 2048

/* Largest PEM private key ae_key_from_pem reads (an RSA-16384 is ~13 KiB). */
#define AE_KEY_PEM_MAX (64 * 1024)

struct ae_key_spec {
	enum { AE_KEY_RSA, AE_KEY_EC } kind;
	unsigned bits;		/* RSA modulus bits; EC: 256 (P-256), 384 (P-384), 521 (P-521) */
};

/*
 * Parse a key type option, strictly (the form `autoenroll:key type` and
 * --key-type take):
 *   "rsa:N"      RSA-N, N decimal, 2048 <= N <= 16384, N a multiple of 8
 *   "ec:p256"    ECDSA on P-256
 *   "ec:p384"    ECDSA on P-384
 *   "ec:p521"    ECDSA on P-521 (kind AE_KEY_EC, bits 521)
 * Anything else (NULL, empty, upper case, aliases, signs, spaces, leading
 * zeros) -> AE_ERR_INVALID. *out is written only on success.
 */
ae_err ae_key_spec_parse(const char *s, struct ae_key_spec *out);

/*
 * The key a template's msPKI-Asymmetric-Algorithm asks for ([MS-CRTD]
 * 2.23.2, the CNG algorithm names, case-insensitive): "RSA" ->
 * RSA-AE_KEY_RSA_DEFAULT_BITS (the size comes from msPKI-Minimal-Key-Size,
 * ae_key_spec_apply_minimum), "ECDSA_P256" / "ECDSA_P384" / "ECDSA_P521"
 * -> EC on that curve. Other names (ECDH_*, DSA, ...) -> AE_ERR_UNSUPPORTED,
 * NULL -> AE_ERR_INVALID; *out is written only on success.
 */
ae_err ae_key_spec_from_algorithm(const char *alg, struct ae_key_spec *out);

/* The OpenSSL group name of an EC spec ("P-256", "P-384", "P-521"); NULL otherwise. */
const char *ae_key_spec_curve(const struct ae_key_spec *s);

/*
 * Apply a template's msPKI-Minimal-Key-Size. An RSA size below it is raised
 * to it (rounded up to a multiple of 8; logged at info). A minimum above
 * AE_KEY_RSA_MAX_BITS -> AE_ERR_UNSUPPORTED (s unchanged). EC specs are
 * never changed (P-256 counts as 256 bits, P-384 as 384); a minimum above
 * the curve size is only logged, the CA decides. 0 means "no minimum".
 */
ae_err ae_key_spec_apply_minimum(struct ae_key_spec *s, unsigned template_min_bits);

/* "RSA-2048", "EC P-256", ... into buf (always NUL-terminated); returns buf. */
const char *ae_key_spec_describe(const struct ae_key_spec *s, char *buf, size_t n);

/* Where a key lives: a plain key in a file, or a TPM 2.0 (ae_key_tpm.h). */
enum ae_key_source { AE_KEY_SRC_FILE = 0, AE_KEY_SRC_TPM };

struct ae_key {
	EVP_PKEY *pkey;		/* owned: freed with the struct */
	enum ae_key_source source;
	/*
	 * The OpenSSL library context and property query the key's operations
	 * (signing, encoding) must use: NULL/NULL for file keys (the default
	 * context), the TPM's private context and "provider=tpm2" for TPM keys.
	 */
	OSSL_LIB_CTX *libctx;
	const char *propq;
};

/*
 * Generate a fresh key on mem_ctx. Invalid spec -> AE_ERR_INVALID; OpenSSL
 * failure -> AE_ERR_CRYPTO (error queue logged).
 */
ae_err ae_key_generate(TALLOC_CTX *mem_ctx, const struct ae_key_spec *spec,
		       struct ae_key **_key);

/*
 * The EVP_PKEY of a new key, the one generator ae_key_generate and the key
 * pool (ae_keypool.h) share: its own EVP_PKEY_CTX, no talloc, no logging,
 * so it may run in any thread. stop (may be NULL) is asked during an RSA
 * generation (OpenSSL's progress callback); when it returns true the
 * generation is abandoned. Invalid spec -> AE_ERR_INVALID; OpenSSL failure
 * or stopped -> AE_ERR_CRYPTO, the cause in the calling thread's OpenSSL
 * error queue. *_pkey (the caller's) is set only on success.
 */
ae_err ae_key_generate_evp(const struct ae_key_spec *spec, bool (*stop)(void *arg), void *arg,
			   EVP_PKEY **_pkey);

/*
 * Wrap an EVP_PKEY the caller gives away: the key owns it from now on (on
 * failure it is freed). Only RSA and EC keys (else AE_ERR_UNSUPPORTED).
 */
ae_err ae_key_adopt_evp(TALLOC_CTX *mem_ctx, EVP_PKEY *pkey, struct ae_key **_key);

/*
 * Wrap an existing EVP_PKEY; takes a new reference (the caller keeps its
 * own). Only RSA and EC keys are accepted (else AE_ERR_UNSUPPORTED).
 */
ae_err ae_key_from_evp(TALLOC_CTX *mem_ctx, EVP_PKEY *pkey, struct ae_key **_key);

/*
 * Wrap a key made by a provider in libctx (takes ownership of pkey, freed on
 * failure too); used by ae_key_tpm.c. Only RSA and EC keys.
 */
ae_err ae_key_wrap_src(TALLOC_CTX *mem_ctx, EVP_PKEY *pkey, enum ae_key_source src,
		       OSSL_LIB_CTX *libctx, const char *propq, struct ae_key **_key);

/* "file" or "TPM". */
const char *ae_key_source_name(enum ae_key_source src);

/*
 * Unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY") on mem_ctx; for a TPM key the
 * provider's "BEGIN TSS2 PRIVATE KEY" blob (no private material in clear), NUL-terminated,
 * *_len excludes the NUL. The buffer is wiped when it is freed.
 */
ae_err ae_key_to_pem(TALLOC_CTX *mem_ctx, const struct ae_key *key,
		     char **_pem, size_t *_len);

/*
 * Read one unencrypted PEM private key (PKCS#8 or the traditional RSA/EC
 * forms), or a TPM key blob ("TSS2 PRIVATE KEY", loaded through the TPM:
 * AE_ERR_UNAVAILABLE when no TPM is reachable, ae_key_tpm.h). len is capped by AE_KEY_PEM_MAX (AE_ERR_TOO_LARGE); NUL bytes,
 * anything but whitespace after the key (AE_ERR_TRAILING), encrypted keys
 * and malformed input (AE_ERR_PARSE) are refused; key types other than RSA
 * and EC -> AE_ERR_UNSUPPORTED. Never prompts for a passphrase.
 */
ae_err ae_key_from_pem(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		       struct ae_key **_key);

/*
 * The key's spec ("what would generate a key like this"): RSA bits, or EC
 * 256/384/521. Other curves -> AE_ERR_UNSUPPORTED.
 */
ae_err ae_key_get_spec(const struct ae_key *key, struct ae_key_spec *out);

/* "RSA-2048", "EC P-256", "EC P-384", ... into buf; returns buf. */
const char *ae_key_describe(const struct ae_key *key, char *buf, size_t n);

#endif
