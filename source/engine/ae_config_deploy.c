/*
 * ae_config_deploy.c: the `autoenroll:deploy <Template>` options, one per
 * template, read with the other options (ae_config.c) and parsed by the
 * deploy layer (ae_target_parse).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <talloc.h>
#include "ae_smbconf.h"
#include "ae_config.h"
#include "ae_target.h"

#define DEPLOY_PREFIX "autoenroll:deploy "

bool ae_config_deploy_name(const char *name)
{
	size_t n = strlen(DEPLOY_PREFIX);

	return strncasecmp(name, DEPLOY_PREFIX, n) == 0 && name[n] != '\0' && name[n] != ' ';
}

ae_err ae_config_deploy_load(struct ae_config *c, const struct ae_smbconf *sc,
			     char *const *names, size_t n, char *why, size_t why_len)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const char *t = names[i] + strlen(DEPLOY_PREFIX);
		const char *v;
		struct ae_target_spec *spec = NULL, **grown;
		char cause[512] = "";
		ae_err err;

		if (!ae_config_deploy_name(names[i])) {
			continue;
		}
		if (c->num_deploy == AE_CONFIG_DEPLOY_MAX) {
			snprintf(why, why_len, "option '%s': more than %d deploy targets", names[i],
				 AE_CONFIG_DEPLOY_MAX);
			return AE_ERR_CONFIG;
		}
		v = ae_smbconf_parm(sc, "autoenroll", names[i] + strlen("autoenroll:"));
		err = ae_target_parse(c, t, v != NULL ? v : "", &spec, cause, sizeof(cause));
		if (err != AE_OK) {
			snprintf(why, why_len, "invalid value '%s' for option '%s': %s", v ? v : "",
				 names[i], cause);
			return err;
		}
		for (j = 0; j < c->num_deploy; j++) {
			size_t f;
			for (f = 0; f < AE_TARGET_FILES; f++) {
				size_t g;
				for (g = 0; spec->path[f] != NULL && g < AE_TARGET_FILES; g++) {
					if (c->deploy[j]->path[g] != NULL &&
					    strcmp(c->deploy[j]->path[g], spec->path[f]) == 0) {
						snprintf(why, why_len, "invalid value for option '%s': "
							 "%s is also a file of the target of %s",
							 names[i], spec->path[f],
							 c->deploy[j]->template_name);
						return AE_ERR_CONFIG;
					}
				}
			}
		}
		grown = talloc_realloc(c, c->deploy, struct ae_target_spec *, c->num_deploy + 1);
		if (grown == NULL) {
			return AE_ERR_NOMEM;
		}
		c->deploy = grown;
		c->deploy[c->num_deploy++] = spec;
	}
	return AE_OK;
}

const struct ae_target_spec *ae_config_deploy_for(const struct ae_config *c, const char *t)
{
	size_t i;

	for (i = 0; c != NULL && t != NULL && i < c->num_deploy; i++) {
		if (strcasecmp(c->deploy[i]->template_name, t) == 0) {
			return c->deploy[i];
		}
	}
	return NULL;
}
