/*
 * ae_cycle_deploy_hooks.c: the hooks of a template's change, run through
 * ae_child (ae_cycle_deploy.h). Environment of each hook, besides PATH
 * and LANG (never a secret, never KRB5CCNAME):
 *   AE_ACTION      install | renew | reenroll | remove
 *   AE_TEMPLATE    the template (the store's name for it)
 *   AE_CA          the CA that issued the certificate
 *   AE_CERT, AE_KEY, AE_CHAIN   the store's files (empty after remove)
 *   AE_SERIAL      the certificate's serial (hex)
 *   AE_NOT_AFTER   its notAfter, e.g. 2027-12-06T09:40:36Z
 *   AE_DEPLOY_KEY, AE_DEPLOY_CERT, AE_DEPLOY_CHAIN, AE_DEPLOY_FULLCHAIN
 *                  the deploy target's files (only those configured)
 */
#include <stdio.h>
#include <string.h>
#include <talloc.h>
#include "ae_child.h"
#include "ae_cycle.h"
#include "ae_cycle_deploy.h"
#include "ae_cycle_private.h"
#include "ae_config.h"
#include "ae_hooks.h"
#include "ae_log.h"
#include "ae_session.h"
#include "ae_store.h"
#include "ae_target.h"

static bool add(TALLOC_CTX *mem, char **env, size_t *n, const char *name, const char *value)
{
	if (value == NULL) {
		value = "";
	}
	env[*n] = talloc_asprintf(mem, "%s=%s", name, value);
	return env[(*n)++] != NULL;
}

char **ae_cycle_hook_env(TALLOC_CTX *mem, const struct ae_store_cert *sc,
			 const struct ae_target_spec *tg, const char *action)
{
	static const char *const deploy_names[AE_TARGET_FILES] = {
		"AE_DEPLOY_KEY", "AE_DEPLOY_CERT", "AE_DEPLOY_CHAIN", "AE_DEPLOY_FULLCHAIN" };
	char **env = talloc_zero_array(mem, char *, 16);
	bool removed = strcmp(action, "remove") == 0;
	size_t n = 0, f;
	bool ok;

	if (env == NULL) {
		return NULL;
	}
	ok = add(env, env, &n, "AE_ACTION", action) &&
	     add(env, env, &n, "AE_TEMPLATE", sc->template_name) &&
	     add(env, env, &n, "AE_CA", sc->ca) &&
	     add(env, env, &n, "AE_CERT", removed ? NULL : sc->cert_path) &&
	     add(env, env, &n, "AE_KEY", removed ? NULL : sc->key_path) &&
	     add(env, env, &n, "AE_CHAIN", removed ? NULL : sc->chain_path) &&
	     add(env, env, &n, "AE_SERIAL", sc->serial_hex) &&
	     add(env, env, &n, "AE_NOT_AFTER", sc->not_after > 0 ?
		 ae_cycle_time(env, sc->not_after) : NULL);
	for (f = 0; ok && tg != NULL && f < AE_TARGET_FILES; f++) {
		if (tg->path[f] != NULL) {
			ok = add(env, env, &n, deploy_names[f], tg->path[f]);
		}
	}
	if (!ok) {
		talloc_free(env);
		return NULL;
	}
	return env;
}

/* The last line of a hook's output (where a failing program says why), for the report. */
static char *last_line(TALLOC_CTX *mem, const struct ae_child_result *r)
{
	size_t end = r->output != NULL ? r->output_len : 0, start;

	while (end > 0 && (r->output[end - 1] == '\n' || r->output[end - 1] == '\r')) {
		end--;
	}
	if (end == 0) {
		return talloc_strdup(mem, "no output");
	}
	for (start = end; start > 0 && r->output[start - 1] != '\n'; start--) {
	}
	if (end - start > 200) {
		start = end - 200;
	}
	return talloc_asprintf(mem, "last output line: %.*s", (int)(end - start),
			       r->output + start);
}

/* Its output to the log, line by line, control characters made '?'. */
static void log_output(int level, const char *hook, const struct ae_child_result *r)
{
	char *copy, *p, *save = NULL, *line;

	if (r->output == NULL || r->output_len == 0 ||
	    (copy = talloc_strndup(NULL, r->output, r->output_len)) == NULL) {
		return;
	}
	for (p = copy; *p != '\0'; p++) {
		if (((unsigned char)*p < 0x20 && *p != '\n') || *p == 0x7f) {
			*p = '?';
		}
	}
	for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		ae_log(level, "hook %s: %s", hook, line);
	}
	talloc_free(copy);
}

/* Run one hook; NULL when it exited 0, else why (on mem). */
static char *run_one(struct ae_cycle_ctx *c, TALLOC_CTX *mem, const char *const *argv,
		     char **env)
{
	struct ae_child_result *r = NULL;
	unsigned timeout_s = c->s->config->hook_timeout_s ? c->s->config->hook_timeout_s : 60;
	char why[512] = "";
	ae_err err = ae_child_run_env(mem, argv, (const char *const *)env, timeout_s * 1000u, &r,
				      why, sizeof(why));

	if (err != AE_OK) {
		return talloc_asprintf(mem, "hook %s cannot run: %s", argv[0],
				       why[0] ? why : ae_strerror(err));
	}
	if (r->exited && r->status == 0) {
		log_output(2, argv[0], r);
		return NULL;
	}
	log_output(1, argv[0], r);
	if (r->timed_out) {
		return talloc_asprintf(mem, "hook %s timed out after %u s (killed); %s", argv[0],
				       timeout_s, last_line(mem, r));
	}
	if (r->exited) {
		return talloc_asprintf(mem, "hook %s exited %d; %s", argv[0], r->status,
				       last_line(mem, r));
	}
	return talloc_asprintf(mem, "hook %s ended by signal %d; %s", argv[0], r->status,
			       last_line(mem, r));
}

static void item_warn(struct ae_cycle_ctx *c, const struct ae_store_cert *sc,
		      const char *action, const char *msg)
{
	struct ae_cycle_item *it = ae_cycle_item_add(c->r, sc->template_name, "hook", action);
	char *reason = talloc_asprintf(c->r, "%s (template %s, AE_ACTION=%s; the certificate "
				       "stays installed; the hooks run again next cycle)",
				       msg ? msg : "hook failed", sc->template_name, action);

	if (it != NULL) {
		it->result = "warned";
		it->reason = reason;
		it->ca = talloc_strdup(c->r, sc->ca);
		it->serial = talloc_strdup(c->r, sc->serial_hex);
	}
	AE_WARN("%s", reason ? reason : "hook failed");
}

static void item_done(struct ae_cycle_ctx *c, const struct ae_store_cert *sc,
		      const char *action, unsigned ran)
{
	struct ae_cycle_item *it = ae_cycle_item_add(c->r, sc->template_name, "hook", action);
	char *reason = talloc_asprintf(c->r, "%u hook(s) of %s ran for AE_ACTION=%s", ran,
				       sc->template_name, action);

	if (it != NULL) {
		it->result = "done";
		it->reason = reason;
		it->ca = talloc_strdup(c->r, sc->ca);
		it->serial = talloc_strdup(c->r, sc->serial_hex);
	}
	AE_INFO("%s", reason ? reason : "hooks ran");
}

void ae_cycle_deploy_hooks(struct ae_cycle_ctx *c, TALLOC_CTX *tmp,
			   const struct ae_store_cert *sc, const struct ae_target_spec *tg,
			   const char *action)
{
	const struct ae_config *cfg = c->s->config;
	struct ae_hook_list *l = NULL;
	char **env = ae_cycle_hook_env(tmp, sc, tg, action);
	char why[512] = "";
	unsigned ran = 0, failed = 0;
	size_t i, n;
	ae_err err;

	if (env == NULL) {
		return;
	}
	if (ae_hooks_list(tmp, cfg->hooks_dir, &l, why, sizeof(why)) != AE_OK) {
		l = NULL;
		failed++;
		item_warn(c, sc, action, talloc_asprintf(tmp, "hooks dir not used: %s", why));
	}
	for (i = 0; l != NULL && i < l->num_refused; i++) {
		AE_WARN("hooks of %s: %s", sc->template_name, l->refused[i]);
	}
	n = l != NULL ? l->n : 0;
	for (i = 0; i <= n; i++) {
		const char *argv1[2] = { NULL, NULL };
		const char *const *argv = argv1;
		char *fail;

		if (i < n) {
			argv1[0] = l->paths[i];
		} else if (cfg->hook_argv != NULL) {
			argv = (const char *const *)cfg->hook_argv;
		} else {
			break;
		}
		ran++;
		fail = run_one(c, tmp, argv, env);
		if (fail != NULL) {
			failed++;
			item_warn(c, sc, action, fail);
		}
	}
	if (failed > 0) {
		return;		/* the record stays: all of them run again next cycle */
	}
	err = ae_store_hooks_clear(c->store, sc->template_name);
	if (err != AE_OK) {
		AE_WARN("template %s: cannot clear the store's hooks record: %s (the hooks run "
			"again next cycle)", sc->template_name, ae_strerror(err));
	}
	if (ran > 0) {
		item_done(c, sc, action, ran);
	}
}
