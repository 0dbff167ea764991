/*
 * ae_key_tpm.h: TPM 2.0 keys through the OpenSSL 3 provider "tpm2"
 * (tpm2-openssl), the second key source next to file keys (ae_key.h).
 *
 * The provider is loaded into a private OSSL_LIB_CTX (with the default
 * provider for digests and the public halves), so the rest of the process
 * keeps the default context unchanged. The TPM is reached through a TSS2
 * TCTI ("device:/dev/tpmrm0" unless configured, e.g. "swtpm:host=H,port=P"
 * for a software TPM). A TPM key's PEM form is the provider's
 * "TSS2 PRIVATE KEY" blob: the key wrapped by the TPM's storage key, usable
 * only with that TPM; the private key never leaves the TPM, so a TPM key is
 * never exportable. One context per process, used from the main thread.
 */
#ifndef AE_KEY_TPM_H
#define AE_KEY_TPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_key.h"

#define AE_KEY_TPM_PEM_LABEL "TSS2 PRIVATE KEY"
/*
 * The property query of a TPM key's operations in the private context:
 * tpm2's implementations preferred (the signature must run in the TPM:
 * OpenSSL 3.0 would otherwise export the public half to the default
 * provider and fail there), the default provider's for what tpm2 lacks
 * (PEM to DER). Keys are generated and encoded by tpm2 only (_ONLY).
 */
#define AE_KEY_TPM_PROPQ "?provider=tpm2"
#define AE_KEY_TPM_PROPQ_ONLY "provider=tpm2"
#define AE_KEY_TPM_TCTI_DEFAULT "device:/dev/tpmrm0"
#define AE_KEY_TPM_TCTI_MAX 256

/*
 * Whether s is an acceptable TCTI configuration: 1..AE_KEY_TPM_TCTI_MAX
 * bytes of [A-Za-z0-9:=,./_-], starting with a letter.
 */
bool ae_key_tpm_tcti_valid(const char *s);

/*
 * The TCTI the next ae_key_tpm_open uses (copied; NULL: the default). Closes
 * an open context first. Invalid -> AE_ERR_INVALID.
 */
ae_err ae_key_tpm_configure(const char *tcti);

/*
 * Load the provider once (the outcome is kept until ae_key_tpm_close or
 * ae_key_tpm_configure): AE_OK when the TPM answers, AE_ERR_UNAVAILABLE
 * (why set: the TCTI and the cause) when it does not.
 */
ae_err ae_key_tpm_open(char *why, size_t why_len);

/* Free the private context (tests; the end of a process). */
void ae_key_tpm_close(void);

/*
 * A new key in the TPM (RSA of spec->bits, or EC P-256/P-384/P-521).
 * AE_ERR_UNAVAILABLE without a TPM; AE_ERR_UNSUPPORTED when the TPM refuses
 * the size or curve; AE_ERR_INVALID for a bad spec.
 */
ae_err ae_key_tpm_generate(TALLOC_CTX *mem_ctx, const struct ae_key_spec *spec,
			   struct ae_key **_key);

/* The key's "TSS2 PRIVATE KEY" PEM on mem_ctx (NUL-terminated; *_len without it). */
ae_err ae_key_tpm_to_pem(TALLOC_CTX *mem_ctx, const struct ae_key *key,
			 char **_pem, size_t *_len);

/*
 * Load one "TSS2 PRIVATE KEY" PEM block (p..p+len, already delimited by
 * ae_key_from_pem) through the TPM. AE_ERR_UNAVAILABLE without a TPM,
 * AE_ERR_PARSE when the provider refuses it (another TPM's key, corrupt).
 */
ae_err ae_key_tpm_from_pem(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			   struct ae_key **_key);

/*
 * Where a PEM key lives, from its label alone (no TPM needed): TPM for a
 * "TSS2 PRIVATE KEY" block, else file. For status and deploy.
 */
enum ae_key_source ae_key_pem_source(const uint8_t *p, size_t len);

#endif
