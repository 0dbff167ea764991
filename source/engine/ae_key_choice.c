/*
 * ae_key_choice.c: a template's key source (see ae_key_choice.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "ae_key_choice.h"
#include "ae_config.h"
#include "ae_key_tpm.h"
#include "ae_template.h"

enum ae_tpl_key_place ae_template_key_place(const struct ae_template *t)
{
	size_t i, pcp = 0;

	if (t == NULL || t->num_csps == 0) {
		return AE_TPL_KEY_ANY;
	}
	for (i = 0; i < t->num_csps; i++) {
		if (t->csps[i].name != NULL &&
		    strcasecmp(t->csps[i].name, AE_PLATFORM_CRYPTO_PROVIDER) == 0) {
			pcp++;
		}
	}
	if (pcp == 0) {
		return AE_TPL_KEY_SOFTWARE;
	}
	return pcp == t->num_csps ? AE_TPL_KEY_TPM_ONLY : AE_TPL_KEY_TPM_ALLOWED;
}

static void __attribute__((format(printf, 3, 4)))
pick(struct ae_key_choice *o, enum ae_key_source src, const char *fmt, ...)
{
	va_list ap;

	o->source = src;
	o->skip = false;
	va_start(ap, fmt);
	vsnprintf(o->why, sizeof(o->why), fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
skip(struct ae_key_choice *o, const char *fmt, ...)
{
	va_list ap;

	o->source = AE_KEY_SRC_TPM;
	o->skip = true;
	va_start(ap, fmt);
	vsnprintf(o->why, sizeof(o->why), fmt, ap);
	va_end(ap);
}

void ae_key_choose(const struct ae_config *c, const struct ae_template *t,
		   struct ae_key_choice *o)
{
	enum ae_tpl_key_place place = ae_template_key_place(t);
	const char *name = t != NULL && t->cn != NULL ? t->cn : "?";
	const char *from = NULL;
	enum ae_key_storage ks = ae_config_key_storage_for(c, t != NULL ? t->cn : NULL, &from);
	bool exportable = t != NULL && (t->private_key_flag & CT_FLAG_EXPORTABLE_KEY) != 0;
	char tpm_why[300] = "";
	bool tpm;

	memset(o, 0, sizeof(*o));
	if (t != NULL && (t->private_key_flag & CT_FLAG_ATTEST_REQUIRED) != 0) {
		skip(o, "template %s requires key attestation (msPKI-Private-Key-Flag "
		     "CT_FLAG_ATTEST_REQUIRED), which this client does not do", name);
		return;
	}
	if (ks == AE_KEY_STORAGE_FILE) {
		if (place == AE_TPL_KEY_TPM_ONLY) {
			skip(o, "template %s requires a TPM key (" AE_PLATFORM_CRYPTO_PROVIDER
			     ") and %s is file", name, from);
			return;
		}
		pick(o, AE_KEY_SRC_FILE, "%s is file", from);
		return;
	}
	if (ks == AE_KEY_STORAGE_AUTO && place == AE_TPL_KEY_SOFTWARE) {
		pick(o, AE_KEY_SRC_FILE, "template %s names only software providers", name);
		return;
	}
	if (ks == AE_KEY_STORAGE_AUTO && place != AE_TPL_KEY_TPM_ONLY && exportable) {
		pick(o, AE_KEY_SRC_FILE, "template %s asks for an exportable key "
		     "(CT_FLAG_EXPORTABLE_KEY), which a TPM key cannot be", name);
		return;
	}
	tpm = ae_key_tpm_open(tpm_why, sizeof(tpm_why)) == AE_OK;
	if (tpm) {
		pick(o, AE_KEY_SRC_TPM, place == AE_TPL_KEY_TPM_ONLY ?
		     "template %s requires the " AE_PLATFORM_CRYPTO_PROVIDER "%s" :
		     "template %s allows a TPM key and a TPM answers%s", name,
		     ks == AE_KEY_STORAGE_TPM ? " (key storage tpm)" : "");
		return;
	}
	if (place == AE_TPL_KEY_TPM_ONLY) {
		skip(o, "template %s requires a TPM key (" AE_PLATFORM_CRYPTO_PROVIDER "): %s",
		     name, tpm_why);
	} else if (ks == AE_KEY_STORAGE_TPM) {
		skip(o, "%s is tpm: %s", from, tpm_why);
	} else {
		pick(o, AE_KEY_SRC_FILE, "template %s allows a file key and no TPM answers (%s)",
		     name, tpm_why);
	}
}

ae_err ae_key_choice_make(TALLOC_CTX *mem, const struct ae_key_choice *ch,
			  const struct ae_key_spec *spec, struct ae_key **_key)
{
	if (ch == NULL || ch->skip) {
		return AE_ERR_UNAVAILABLE;
	}
	if (ch->source == AE_KEY_SRC_TPM) {
		return ae_key_tpm_generate(mem, spec, _key);
	}
	return ae_key_generate(mem, spec, _key);
}

const char *ae_key_choice_word(const struct ae_key_choice *ch)
{
	if (ch == NULL || ch->skip) {
		return "skip";
	}
	return ae_key_source_name(ch->source);
}
