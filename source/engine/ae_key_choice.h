/*
 * ae_key_choice.h: where a template's new key lives, a file or the TPM
 * (request layer: ae_key.h, ae_key_tpm.h), from the template's crypto
 * providers and the key storage options, and the key made there.
 */
#ifndef AE_KEY_CHOICE_H
#define AE_KEY_CHOICE_H

#include <stdbool.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_key.h"

struct ae_config;
struct ae_template;

/* The Windows KSP whose keys live in the TPM ([MS-CRTD] 2.13 pKIDefaultCSPs). */
#define AE_PLATFORM_CRYPTO_PROVIDER "Microsoft Platform Crypto Provider"

/* What a template says about the key's location, from its crypto providers. */
enum ae_tpl_key_place {
	AE_TPL_KEY_ANY = 0,	/* no providers named: any */
	AE_TPL_KEY_TPM_ALLOWED,	/* the Platform Crypto Provider among others */
	AE_TPL_KEY_TPM_ONLY,	/* the Platform Crypto Provider alone */
	AE_TPL_KEY_SOFTWARE,	/* only software providers */
};

enum ae_tpl_key_place ae_template_key_place(const struct ae_template *t);

struct ae_key_choice {
	enum ae_key_source source;
	bool skip;		/* no key as the template and the options ask: skip it */
	char why[512];		/* the choice's reason, or the skip's */
};

/*
 * Choose for template t (may open the TPM once per process to see whether
 * one answers). Rules:
 *  - attestation required (msPKI-Private-Key-Flag CT_FLAG_ATTEST_REQUIRED,
 *    [MS-CRTD] 2.27): skip, this client does not do key attestation;
 *    attestation preferred: enrolled without it;
 *  - the Platform Crypto Provider alone: TPM; no TPM, or key storage file:
 *    skip (never a software key in its place);
 *  - key storage tpm: TPM (skip without one);
 *  - key storage file: file;
 *  - auto: TPM when the template allows it (no providers named, or the
 *    Platform Crypto Provider among them), does not ask for an exportable
 *    key (CT_FLAG_EXPORTABLE_KEY: a TPM key never is) and a TPM answers;
 *    else file.
 */
void ae_key_choose(const struct ae_config *c, const struct ae_template *t,
		   struct ae_key_choice *out);

/* "TPM", "file", or "skip" (no key can be made as asked). */
const char *ae_key_choice_word(const struct ae_key_choice *ch);

/* A new key of spec where ch says (ch->skip: AE_ERR_UNAVAILABLE). */
ae_err ae_key_choice_make(TALLOC_CTX *mem, const struct ae_key_choice *ch,
			  const struct ae_key_spec *spec, struct ae_key **_key);

#endif
