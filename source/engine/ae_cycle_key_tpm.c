/*
 * ae_cycle_key_tpm.c: the cycle's key source per template (ae_key_choice.h):
 * TPM keys are made here, in the main thread; templates that cannot have
 * their key where they want it are skipped with the reason.
 */
#include <stdbool.h>
#include <stdio.h>
#include <talloc.h>
#include "ae_cycle_private.h"
#include "ae_decide.h"
#include "ae_key.h"
#include "ae_key_choice.h"
#include "ae_log.h"
#include "ae_session.h"

bool ae_cycle_keygen_tpm(struct ae_cycle_ctx *c, size_t idx, const struct ae_key_spec *spec)
{
	const struct ae_action *a = &c->actions[idx];
	struct ae_key_choice ch;
	char desc[64];
	ae_err err;

	ae_key_choose(c->s->config, a->t, &ch);
	if (ch.skip) {
		c->key_skips[idx] = talloc_strdup(c->key_skips, ch.why);
		return true;
	}
	if (ch.source != AE_KEY_SRC_TPM) {
		AE_DEBUG("template %s: file key (%s)", a->template_name, ch.why);
		return false;
	}
	err = ae_key_choice_make(c->keys, &ch, spec, &c->keys[idx]);
	if (err != AE_OK) {
		c->keys[idx] = NULL;
		c->key_errors[idx] = talloc_asprintf(c->key_errors, "template %s: the TPM could "
						     "not make a %s key: %s", a->template_name,
						     ae_key_spec_describe(spec, desc, sizeof(desc)),
						     ae_strerror(err));
		return true;
	}
	AE_INFO("template %s: new %s key in the TPM (%s)", a->template_name,
		ae_key_describe(c->keys[idx], desc, sizeof(desc)), ch.why);
	return true;
}
