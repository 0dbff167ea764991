/*
 * ae_key_tpm.c: TPM 2.0 keys through tpm2-openssl in a private library
 * context (see ae_key_tpm.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include "ae_key_tpm.h"
#include "ae_log.h"
#include "ae_request_private.h"

static struct {
	char tcti[AE_KEY_TPM_TCTI_MAX + 1];	/* "" = the default */
	bool tried;				/* open attempted since configure/close */
	ae_err outcome;
	char why[AE_KEY_TPM_TCTI_MAX + 128];
	OSSL_LIB_CTX *ctx;
	OSSL_PROVIDER *tpm;
	OSSL_PROVIDER *dflt;
} g;

bool ae_key_tpm_tcti_valid(const char *s)
{
	size_t i, n;

	if (s == NULL) {
		return false;
	}
	n = strlen(s);
	if (n == 0 || n > AE_KEY_TPM_TCTI_MAX ||
	    !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) {
		return false;
	}
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr(":=,./_-", c) != NULL)) {
			return false;
		}
	}
	return true;
}

void ae_key_tpm_close(void)
{
	if (g.tpm != NULL) {
		OSSL_PROVIDER_unload(g.tpm);
	}
	if (g.dflt != NULL) {
		OSSL_PROVIDER_unload(g.dflt);
	}
	OSSL_LIB_CTX_free(g.ctx);
	g.tpm = NULL;
	g.dflt = NULL;
	g.ctx = NULL;
	g.tried = false;
	g.why[0] = '\0';
}

ae_err ae_key_tpm_configure(const char *tcti)
{
	if (tcti != NULL && !ae_key_tpm_tcti_valid(tcti)) {
		return AE_ERR_INVALID;
	}
	ae_key_tpm_close();
	snprintf(g.tcti, sizeof(g.tcti), "%s", tcti != NULL ? tcti : "");
	return AE_OK;
}

static const char *tcti_now(void)
{
	return g.tcti[0] != '\0' ? g.tcti : AE_KEY_TPM_TCTI_DEFAULT;
}

static ae_err do_open(void)
{
	/*
	 * tpm2-openssl reads its TCTI from TPM2OPENSSL_TCTI when it is
	 * initialised (OpenSSL 3.0 has no parameters for OSSL_PROVIDER_load);
	 * the TSS2 libraries' own log lines go nowhere unless TSS2_LOG asks.
	 * Neither is a secret; children get a fixed environment (ae_child.c).
	 */
	if (setenv("TPM2OPENSSL_TCTI", tcti_now(), 1) != 0 ||
	    setenv("TSS2_LOG", "all+NONE", 0) != 0) {
		snprintf(g.why, sizeof(g.why), "TPM (%s): cannot set the TCTI", tcti_now());
		return AE_ERR_UNAVAILABLE;
	}
	g.ctx = OSSL_LIB_CTX_new();
	if (g.ctx == NULL) {
		return AE_ERR_NOMEM;
	}
	g.dflt = OSSL_PROVIDER_load(g.ctx, "default");
	g.tpm = g.dflt != NULL ? OSSL_PROVIDER_load(g.ctx, "tpm2") : NULL;
	if (g.tpm == NULL) {
		/* the provider's initialisation fails when its TCTI does not answer */
		ae_log_openssl(3, "TPM provider");
		snprintf(g.why, sizeof(g.why), "no TPM reachable through %s (the tpm2 "
			 "provider did not load)", tcti_now());
		ERR_clear_error();
		return AE_ERR_UNAVAILABLE;
	}
	AE_DEBUG("TPM: tpm2 provider loaded, TCTI %s", tcti_now());
	return AE_OK;
}

ae_err ae_key_tpm_open(char *why, size_t why_len)
{
	static bool at_exit;

	if (!g.tried) {
		g.tried = true;
		g.outcome = do_open();
		if (g.outcome == AE_OK && !at_exit) {
			/*
			 * Unload the provider at exit: it flushes the objects it loaded
			 * into the TPM. With the kernel's resource manager
			 * (/dev/tpmrm0) a process's objects go with it anyway; a TPM
			 * reached directly (swtpm, /dev/tpm0) would keep them and run
			 * out of object slots after a few processes.
			 */
			at_exit = atexit(ae_key_tpm_close) == 0;
		}
		if (g.outcome != AE_OK) {
			/* keep the flag, drop a half-made context */
			OSSL_PROVIDER *t = g.tpm, *d = g.dflt;

			if (t != NULL) {
				OSSL_PROVIDER_unload(t);
			}
			if (d != NULL) {
				OSSL_PROVIDER_unload(d);
			}
			OSSL_LIB_CTX_free(g.ctx);
			g.tpm = g.dflt = NULL;
			g.ctx = NULL;
		}
	}
	if (g.outcome != AE_OK) {
		ae_why(why, why_len, "%s", g.why[0] != '\0' ? g.why : "TPM unavailable");
	}
	return g.outcome;
}

static ae_err wrap(TALLOC_CTX *mem_ctx, EVP_PKEY *pkey, struct ae_key **_key)
{
	return ae_key_wrap_src(mem_ctx, pkey, AE_KEY_SRC_TPM, g.ctx, AE_KEY_TPM_PROPQ, _key);
}

ae_err ae_key_tpm_generate(TALLOC_CTX *mem_ctx, const struct ae_key_spec *spec,
			   struct ae_key **_key)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *pkey = NULL;
	char desc[32];
	int ok;

	if (spec == NULL || _key == NULL ||
	    (spec->kind == AE_KEY_EC && ae_key_spec_curve(spec) == NULL) ||
	    (spec->kind == AE_KEY_RSA && spec->bits < AE_KEY_RSA_MIN_BITS)) {
		return AE_ERR_INVALID;
	}
	if (ae_key_tpm_open(NULL, 0) != AE_OK) {
		return AE_ERR_UNAVAILABLE;
	}
	pctx = EVP_PKEY_CTX_new_from_name(g.ctx, spec->kind == AE_KEY_RSA ? "RSA" : "EC",
					  AE_KEY_TPM_PROPQ_ONLY);
	ok = pctx != NULL && EVP_PKEY_keygen_init(pctx) == 1;
	if (ok && spec->kind == AE_KEY_RSA) {
		ok = EVP_PKEY_CTX_set_rsa_keygen_bits(pctx, (int)spec->bits) == 1;
	} else if (ok) {
		ok = EVP_PKEY_CTX_set_group_name(pctx, ae_key_spec_curve(spec)) == 1;
	}
	ok = ok && EVP_PKEY_generate(pctx, &pkey) == 1;
	EVP_PKEY_CTX_free(pctx);
	if (!ok) {
		ae_log_openssl(0, "TPM key generation");
		AE_ERROR("TPM: cannot make a %s key (the TPM refused the size or curve)",
			 ae_key_spec_describe(spec, desc, sizeof(desc)));
		return AE_ERR_UNSUPPORTED;
	}
	return wrap(mem_ctx, pkey, _key);
}

ae_err ae_key_tpm_to_pem(TALLOC_CTX *mem_ctx, const struct ae_key *key,
			 char **_pem, size_t *_len)
{
	OSSL_ENCODER_CTX *ectx = NULL;
	BIO *bio = NULL;
	ae_err err = AE_ERR_CRYPTO;

	if (key == NULL || key->pkey == NULL || key->source != AE_KEY_SRC_TPM ||
	    _pem == NULL || _len == NULL) {
		return AE_ERR_INVALID;
	}
	bio = BIO_new(BIO_s_secmem());
	ectx = OSSL_ENCODER_CTX_new_for_pkey(key->pkey, OSSL_KEYMGMT_SELECT_ALL, "PEM", NULL,
					     AE_KEY_TPM_PROPQ_ONLY);
	if (bio != NULL && ectx != NULL && OSSL_ENCODER_CTX_get_num_encoders(ectx) > 0 &&
	    OSSL_ENCODER_to_bio(ectx, bio) == 1) {
		err = ae_req_bio_to_talloc(mem_ctx, bio, true, _pem, _len);
	} else {
		ae_log_openssl(0, "TPM key to PEM");
	}
	OSSL_ENCODER_CTX_free(ectx);
	BIO_free(bio);
	if (err == AE_OK && strstr(*_pem, "-----BEGIN " AE_KEY_TPM_PEM_LABEL "-----") != *_pem) {
		/* never a plain key under a TPM key's name */
		TALLOC_FREE(*_pem);
		return AE_ERR_CRYPTO;
	}
	return err;
}

ae_err ae_key_tpm_from_pem(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			   struct ae_key **_key)
{
	OSSL_DECODER_CTX *dctx = NULL;
	EVP_PKEY *pkey = NULL;
	const unsigned char *data = NULL;
	size_t dlen;
	int ok;

	if (p == NULL || _key == NULL || len == 0 || len > AE_KEY_PEM_MAX) {
		return AE_ERR_INVALID;
	}
	if (ae_key_tpm_open(NULL, 0) != AE_OK) {
		return AE_ERR_UNAVAILABLE;
	}
	/* PEM to DER by the default provider, DER to a key by tpm2 (the TPM loads it) */
	dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", NULL, NULL,
					     OSSL_KEYMGMT_SELECT_KEYPAIR, g.ctx, AE_KEY_TPM_PROPQ);
	ok = dctx != NULL && OSSL_DECODER_CTX_get_num_decoders(dctx) > 0;
	if (ok) {
		data = p;
		dlen = len;
		ok = OSSL_DECODER_from_data(dctx, &data, &dlen) == 1 && pkey != NULL;
	}
	OSSL_DECODER_CTX_free(dctx);
	if (!ok) {
		ae_log_openssl(3, "TPM key from PEM");
		EVP_PKEY_free(pkey);
		ERR_clear_error();
		return AE_ERR_PARSE;
	}
	if (EVP_PKEY_get0_provider(pkey) == NULL ||
	    strcmp(OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(pkey)), "tpm2") != 0) {
		/* a TSS2 label over something the TPM did not load */
		EVP_PKEY_free(pkey);
		return AE_ERR_PARSE;
	}
	return wrap(mem_ctx, pkey, _key);
}

enum ae_key_source ae_key_pem_source(const uint8_t *p, size_t len)
{
	static const char begin[] = "-----BEGIN " AE_KEY_TPM_PEM_LABEL "-----";
	size_t i = 0;

	if (p == NULL) {
		return AE_KEY_SRC_FILE;
	}
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) {
		i++;
	}
	return len - i >= sizeof(begin) - 1 && memcmp(p + i, begin, sizeof(begin) - 1) == 0 ?
	       AE_KEY_SRC_TPM : AE_KEY_SRC_FILE;
}
