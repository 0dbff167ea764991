/*
 * ae_cycle_deploy.h: the cycle's deploy phase, after the actions
 * (ae_cycle_dispatch) and before the report's tally. In the machine
 * context, for each template of the store:
 *
 *  1. its deploy target (`autoenroll:deploy <Template>`, ae_target.h) is
 *     made to hold the installed key, certificate, chain and full chain of
 *     the store (the source of truth) with the owner and mode asked for:
 *     after an install, renewal or re-enrollment, and in every cycle where
 *     a target file is missing or differs (compared first: a cycle with
 *     nothing new writes nothing). When the store holds no certificate for
 *     the template (removed or archived), the target files are LEFT as
 *     they are: a service keeps starting with the files it has, the store
 *     never deletes a key either, and the hooks learn of it (AE_ACTION=
 *     remove) to do what the service needs. A target that cannot be
 *     written (a directory a user controls, a symbolic link, a file system
 *     error) is an item "deploy ... failed" (exit 8) and is tried again
 *     next cycle.
 *  2. after a change (install: enroll, retrieve, or a target written
 *     without a new certificate; renew; reenroll; remove) the hooks run:
 *     the programs of `autoenroll:hooks dir` in name order, then
 *     `autoenroll:hook`, through ae_child (argv without a shell, fixed
 *     environment plus the AE_* variables, `autoenroll:hook timeout`).
 *     The change is recorded in the store first (<template>.hooks,
 *     ae_store_hooks_set) and the record deleted once every hook exited 0;
 *     a hook that fails, times out or cannot start is an item "hook ...
 *     warned" (the run's exit code is unchanged: the certificate is
 *     installed and never undone) and every hook of the template runs
 *     again in the next cycle (and only then): hooks must be idempotent.
 *
 * Also, in both contexts: the serial and CA of each item "done" are taken
 * from the store for the structured journal entries (ae_cycle_log.c).
 */
#ifndef AE_CYCLE_DEPLOY_H
#define AE_CYCLE_DEPLOY_H

#include <talloc.h>

struct ae_cycle_ctx;
struct ae_store_cert;
struct ae_target_spec;

void ae_cycle_deploy(struct ae_cycle_ctx *c);

/*
 * ae_cycle_deploy_hooks.c: run the hooks of template sc (its deploy target
 * tg or NULL) for action; all exited 0: the store's record is cleared and
 * an item "hook <action> done" added; else an item "hook <action> warned"
 * per failed hook and the record stays for the next cycle.
 */
void ae_cycle_deploy_hooks(struct ae_cycle_ctx *c, TALLOC_CTX *tmp,
			   const struct ae_store_cert *sc, const struct ae_target_spec *tg,
			   const char *action);

/* The environment of a hook (on mem, NULL-terminated): AE_ACTION ... (exposed for tests). */
char **ae_cycle_hook_env(TALLOC_CTX *mem, const struct ae_store_cert *sc,
			 const struct ae_target_spec *tg, const char *action);

#endif
