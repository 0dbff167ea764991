/*
 * ae_cycle_deploy.c: deploy targets and hooks after the actions
 * (ae_cycle_deploy.h). The target files are written by the deploy layer
 * (ae_target.c), the hooks listed by it (ae_hooks.c) and run by util's
 * ae_child; the pending-hooks record lives in the store.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <talloc.h>
#include "ae_cycle.h"
#include "ae_cycle_deploy.h"
#include "ae_cycle_private.h"
#include "ae_config.h"
#include "ae_file.h"
#include "ae_key.h"
#include "ae_log.h"
#include "ae_session.h"
#include "ae_store.h"
#include "ae_target.h"
#include "ae_x509.h"

#define CHAIN_MAX (AE_X509_PEM_MAX * 8)

/* ---- this cycle's change of a template ------------------------------------------ */

/* install | renew | reenroll | remove, from the items done in this cycle; NULL: none */
static const char *event_of(const struct ae_cycle_report *r, const char *t)
{
	static const char *const map[][2] = {
		{ "enroll", "install" }, { "retrieve", "install" }, { "renew", "renew" },
		{ "re-enroll", "reenroll" },
	};
	const char *removed = NULL;
	size_t i, j;

	for (i = 0; i < r->num_items; i++) {
		const struct ae_cycle_item *it = &r->items[i];

		if (strcasecmp(it->template_name, t) != 0 || strcmp(it->result, "done") != 0) {
			continue;
		}
		for (j = 0; j < sizeof(map) / sizeof(map[0]); j++) {
			if (strcmp(it->action, map[j][0]) == 0) {
				return map[j][1];
			}
		}
		if (strcmp(it->action, "remove") == 0 || strcmp(it->action, "archive") == 0) {
			removed = "remove";
		}
	}
	return removed;
}

static struct ae_cycle_item *item(struct ae_cycle_ctx *c, const char *t, const char *action,
				  const char *cause, const char *result, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static struct ae_cycle_item *item(struct ae_cycle_ctx *c, const char *t, const char *action,
				  const char *cause, const char *result, const char *fmt, ...)
{
	struct ae_cycle_item *it = ae_cycle_item_add(c->r, t, action, cause);
	va_list ap;

	if (it == NULL) {
		return NULL;
	}
	it->result = result;
	va_start(ap, fmt);
	it->reason = talloc_vasprintf(c->r, fmt, ap);
	va_end(ap);
	return it;
}

/* ---- the target ----------------------------------------------------------------- */

static int wipe(uint8_t *p)
{
	explicit_bzero(p, talloc_get_size(p));
	return 0;
}

/* The installed pair of t, checked (the key is the certificate's), as target content. */
static ae_err content_of(TALLOC_CTX *mem, const struct ae_store *st, const char *t,
			 struct ae_target_content *ct, char *why, size_t why_len)
{
	uint8_t *crt = NULL, *key = NULL, *chain = NULL, *full;
	size_t ncrt = 0, nkey = 0, nchain = 0, nfull;
	struct ae_cert *cert = NULL;
	struct ae_key *k = NULL;
	ae_err err;

	err = ae_cycle_read_store_file(mem, st, t, ".crt", AE_X509_PEM_MAX, &crt, &ncrt, why, why_len);
	if (err == AE_OK) {
		err = ae_cycle_read_store_file(mem, st, t, ".key", AE_KEY_PEM_MAX, &key, &nkey, why, why_len);
	}
	if (err == AE_OK) {
		talloc_set_destructor(key, wipe);
		err = ae_cycle_read_store_file(mem, st, t, ".chain.pem", CHAIN_MAX, &chain, &nchain, why, why_len);
		if (err == AE_ERR_NOT_FOUND) {
			nchain = 0;
			err = AE_OK;
		}
	}
	if (err == AE_OK && (ae_cert_parse_pem(mem, crt, ncrt, &cert) != AE_OK ||
			     ae_key_from_pem(mem, key, nkey, &k) != AE_OK ||
			     ae_cert_matches_key(cert, k) != AE_OK)) {
		ae_why(why, why_len, "store files %s.crt and %s.key do not parse or do not match", t,
		       t);
		err = AE_ERR_INVALID;
	}
	if (err != AE_OK) {
		return err;
	}
	if (k->source == AE_KEY_SRC_TPM) {
		/* the key never leaves the TPM: the target gets what the store has */
		AE_INFO("template %s: its key is in the TPM; the deploy target's key file is the "
			"tpm2 provider's TSS2 PRIVATE KEY blob (for programs that load keys through "
			"OpenSSL 3 with the tpm2 provider), not a plain private key", t);
	}
	full = talloc_size(mem, ncrt + 1 + nchain);
	if (full == NULL) {
		return AE_ERR_NOMEM;
	}
	memcpy(full, crt, ncrt);
	nfull = ncrt;
	if (ncrt > 0 && crt[ncrt - 1] != '\n') {
		full[nfull++] = '\n';
	}
	if (nchain > 0) {
		memcpy(full + nfull, chain, nchain);
		nfull += nchain;
	}
	ct->data[AE_TARGET_KEY] = key;
	ct->len[AE_TARGET_KEY] = nkey;
	ct->data[AE_TARGET_CERT] = crt;
	ct->len[AE_TARGET_CERT] = ncrt;
	ct->data[AE_TARGET_CHAIN] = chain != NULL ? chain : (const uint8_t *)"";
	ct->len[AE_TARGET_CHAIN] = nchain;
	ct->data[AE_TARGET_FULLCHAIN] = full;
	ct->len[AE_TARGET_FULLCHAIN] = nfull;
	return AE_OK;
}

/* true when the target is right (written or already so); *_written: files written */
static bool deploy_target(struct ae_cycle_ctx *c, TALLOC_CTX *tmp, const struct ae_store_cert *sc,
			  const struct ae_target_spec *tg, unsigned *_written)
{
	struct ae_target_content ct = { 0 };
	struct ae_target_result res = { 0 };
	char why[1024] = "";
	ae_err err;

	*_written = 0;
	err = content_of(tmp, c->store, sc->template_name, &ct, why, sizeof(why));
	if (err == AE_OK) {
		err = ae_target_sync(tg, &ct, &res, why, sizeof(why));
	}
	if (err != AE_OK) {
		struct ae_cycle_item *it = item(c, sc->template_name, "deploy", "target", "failed",
						"deploy target of %s not written: %s (tried again "
						"next cycle)", sc->template_name, why);
		if (it != NULL) {
			it->outcome = AE_OUTCOME_STORE;
			it->ca = talloc_strdup(c->r, sc->ca);
			it->serial = talloc_strdup(c->r, sc->serial_hex);
			AE_ERROR("%s", it->reason ? it->reason : why);
		}
		return false;
	}
	if (res.written > 0) {
		struct ae_cycle_item *it = item(c, sc->template_name, "deploy", "target", "done",
						"deploy target of %s: %u file(s) written (key %s, "
						"cert %s), %u unchanged; serial %s", sc->template_name,
						res.written, tg->path[AE_TARGET_KEY],
						tg->path[AE_TARGET_CERT], res.unchanged,
						sc->serial_hex ? sc->serial_hex : "?");
		if (it != NULL) {
			it->ca = talloc_strdup(c->r, sc->ca);
			it->serial = talloc_strdup(c->r, sc->serial_hex);
		}
		AE_INFO("%s", it != NULL && it->reason ? it->reason : "deploy target written");
	}
	*_written = res.written;
	return true;
}

/* ---- the phase ------------------------------------------------------------------ */

/* serial and CA of this cycle's items "done", from the store, for the journal */
static void fill_items(struct ae_cycle_ctx *c, const struct ae_store_snapshot *snap)
{
	size_t i, j;

	for (i = 0; i < c->r->num_items; i++) {
		struct ae_cycle_item *it = &c->r->items[i];

		if (it->serial != NULL || strcmp(it->result, "done") != 0) {
			continue;
		}
		for (j = 0; j < snap->num_certs; j++) {
			const struct ae_store_cert *sc = &snap->certs[j];
			if (strcasecmp(sc->template_name, it->template_name) == 0) {
				it->serial = talloc_strdup(c->r, sc->serial_hex);
				if (it->ca == NULL) {
					it->ca = talloc_strdup(c->r, sc->ca);
				}
				break;
			}
		}
	}
}

/* The action as a static string (report items keep the pointer); an unknown record: install. */
static const char *static_action(const char *a)
{
	static const char *const known[] = { "install", "renew", "reenroll", "remove" };
	size_t i;

	for (i = 0; a != NULL && i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(a, known[i]) == 0) {
			return known[i];
		}
	}
	return a != NULL ? "install" : NULL;
}

static bool pair_installed(const struct ae_store_cert *sc)
{
	return sc->cert_path != NULL && sc->key_present && !sc->invalid &&
	       sc->state != AE_CERT_INSTALLING;
}

static void one_template(struct ae_cycle_ctx *c, TALLOC_CTX *tmp, const struct ae_store_cert *sc,
			 bool hooks)
{
	const struct ae_target_spec *tg = ae_config_deploy_for(c->s->config, sc->template_name);
	const char *event = event_of(c->r, sc->template_name), *action;
	char *pending = NULL;
	unsigned written = 0;
	bool target_ok = true, rewrite_only = false;
	ae_err err;

	if (tg != NULL && pair_installed(sc)) {
		target_ok = deploy_target(c, tmp, sc, tg, &written);
		if (written > 0 && event == NULL) {
			event = "install";	/* the target was missing or differed */
			rewrite_only = true;
		}
	}
	err = ae_store_hooks_pending(tmp, c->store, sc->template_name, &pending);
	if (err != AE_OK && err != AE_ERR_NOT_FOUND) {
		AE_WARN("template %s: the store's hooks record is unreadable (%s): it is replaced",
			sc->template_name, ae_strerror(err));
		pending = NULL;
	}
	if (event == NULL && pending == NULL) {
		return;
	}
	if (rewrite_only && pending != NULL) {
		event = NULL;	/* a change whose hooks still have to run says more */
	}
	action = static_action(event != NULL ? event : pending);
	if (!hooks) {
		if (pending != NULL) {
			(void)ae_store_hooks_clear(c->store, sc->template_name);
		}
		return;
	}
	if (event != NULL && (pending == NULL || strcmp(pending, event) != 0) &&
	    (err = ae_store_hooks_set(c->store, sc->template_name, event)) != AE_OK) {
		AE_WARN("template %s: cannot record the change for its hooks in the store: %s",
			sc->template_name, ae_strerror(err));
	}
	if (!target_ok) {
		item(c, sc->template_name, "hook", action, "skipped",
		     "hooks of %s not run: its deploy target was not written (they run once it is)",
		     sc->template_name);
		return;
	}
	ae_cycle_deploy_hooks(c, tmp, sc, tg, action);
}

void ae_cycle_deploy(struct ae_cycle_ctx *c)
{
	TALLOC_CTX *tmp;
	struct ae_store_snapshot *snap = NULL;
	const struct ae_config *cfg = c->s->config;
	size_t i;

	if (c->store == NULL || (tmp = talloc_new(NULL)) == NULL) {
		return;
	}
	if (ae_store_snapshot(tmp, c->store, &snap) != AE_OK) {
		talloc_free(tmp);
		return;
	}
	fill_items(c, snap);
	if (c->s->context == AE_CONTEXT_MACHINE && cfg != NULL) {
		bool hooks = cfg->hook_argv != NULL || ae_file_exists(cfg->hooks_dir);

		for (i = 0; i < snap->num_certs; i++) {
			one_template(c, tmp, &snap->certs[i], hooks);
		}
	}
	talloc_free(tmp);
}
