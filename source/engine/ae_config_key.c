/*
 * ae_config_key.c: `autoenroll:key storage` and its per-template form
 * `autoenroll:key storage <Template> = file|tpm|auto`, read with the other
 * options (ae_config.c); the choice they feed is ae_key_choice.c.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <talloc.h>
#include "ae_smbconf.h"
#include "ae_config.h"

#define KS_PREFIX "autoenroll:key storage "

bool ae_config_key_storage_name(const char *name)
{
	size_t n = strlen(KS_PREFIX);

	return name != NULL && strncasecmp(name, KS_PREFIX, n) == 0 && name[n] != '\0' &&
	       name[n] != ' ';
}

bool ae_config_key_storage_parse(const char *v, enum ae_key_storage *out)
{
	if (v == NULL) {
		return false;
	}
	if (strcasecmp(v, "auto") == 0) {
		*out = AE_KEY_STORAGE_AUTO;
	} else if (strcasecmp(v, "file") == 0) {
		*out = AE_KEY_STORAGE_FILE;
	} else if (strcasecmp(v, "tpm") == 0) {
		*out = AE_KEY_STORAGE_TPM;
	} else {
		return false;
	}
	return true;
}

const char *ae_config_key_storage_word(enum ae_key_storage s)
{
	switch (s) {
	case AE_KEY_STORAGE_FILE: return "file";
	case AE_KEY_STORAGE_TPM: return "tpm";
	case AE_KEY_STORAGE_AUTO: break;
	}
	return "auto";
}

ae_err ae_config_key_storage_load(struct ae_config *c, const struct ae_smbconf *sc,
				  char *const *names, size_t n, char *why, size_t why_len)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct ae_key_storage_tpl *grown = NULL;
		enum ae_key_storage ks;
		const char *v;

		if (!ae_config_key_storage_name(names[i])) {
			continue;
		}
		if (c->num_key_storage_tpl == AE_CONFIG_KEY_STORAGE_MAX) {
			snprintf(why, why_len, "option '%s': more than %d per-template key storage "
				 "options", names[i], AE_CONFIG_KEY_STORAGE_MAX);
			return AE_ERR_CONFIG;
		}
		v = ae_smbconf_parm(sc, "autoenroll", names[i] + strlen("autoenroll:"));
		if (!ae_config_key_storage_parse(v, &ks)) {
			snprintf(why, why_len, "invalid value '%s' for option '%s': expected file, "
				 "tpm or auto", v != NULL ? v : "", names[i]);
			return AE_ERR_CONFIG;
		}
		grown = talloc_realloc(c, c->key_storage_tpl, struct ae_key_storage_tpl,
				       c->num_key_storage_tpl + 1);
		if (grown == NULL) {
			return AE_ERR_NOMEM;
		}
		c->key_storage_tpl = grown;
		grown[c->num_key_storage_tpl].storage = ks;
		grown[c->num_key_storage_tpl].template_name =
			talloc_strdup(grown, names[i] + strlen(KS_PREFIX));
		if (grown[c->num_key_storage_tpl].template_name == NULL) {
			return AE_ERR_NOMEM;
		}
		c->num_key_storage_tpl++;
	}
	return AE_OK;
}

enum ae_key_storage ae_config_key_storage_for(const struct ae_config *c, const char *t,
					      const char **_from)
{
	size_t i;

	for (i = 0; c != NULL && t != NULL && i < c->num_key_storage_tpl; i++) {
		if (strcasecmp(c->key_storage_tpl[i].template_name, t) == 0) {
			*_from = "autoenroll:key storage <template>";
			return c->key_storage_tpl[i].storage;
		}
	}
	*_from = "autoenroll:key storage";
	return c != NULL ? c->key_storage : AE_KEY_STORAGE_AUTO;
}
