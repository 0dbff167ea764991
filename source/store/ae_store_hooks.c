/*
 * ae_store_hooks.c: <template>.hooks, the record of a change whose hooks
 * have not yet all succeeded (ae_store.h). Written before the hooks run
 * and deleted once they all succeeded, so a failing hook, a kill or a
 * crash leaves it for the next cycle, which runs the hooks again.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <talloc.h>
#include "ae_file.h"
#include "ae_store.h"
#include "ae_store_private.h"

#define SFX_HOOKS ".hooks"
#define AE_STORE_HOOKS_MAX 64

static bool action_ok(const char *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (a[i] < 'a' || a[i] > 'z') {
			return false;
		}
	}
	return n > 0 && n <= 16;
}

ae_err ae_store_hooks_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len, char **_action)
{
	static const char head[] = "action=";
	size_t n;
	char *a;

	if (p == NULL || len > AE_STORE_HOOKS_MAX || len < sizeof(head) ||
	    memcmp(p, head, sizeof(head) - 1) != 0 || p[len - 1] != '\n') {
		return AE_ERR_PARSE;
	}
	n = len - (sizeof(head) - 1) - 1;
	if (!action_ok((const char *)p + sizeof(head) - 1, n)) {
		return AE_ERR_PARSE;
	}
	a = talloc_strndup(mem_ctx, (const char *)p + sizeof(head) - 1, n);
	if (a == NULL) {
		return AE_ERR_NOMEM;
	}
	*_action = a;
	return AE_OK;
}

ae_err ae_store_hooks_pending(TALLOC_CTX *mem_ctx, const struct ae_store *s,
			      const char *template_name, char **_action)
{
	TALLOC_CTX *tmp;
	uint8_t *d = NULL;
	size_t n = 0;
	char *name;
	ae_err err;

	if (!ae_store_name_ok(template_name)) {
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(NULL);
	name = ae_store_fname(tmp, template_name, SFX_HOOKS);
	if (name == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	err = ae_file_read_at(tmp, s->fd, name, AE_STORE_HOOKS_MAX, 0, &d, &n, NULL, 0);
	if (err == AE_OK) {
		err = ae_store_hooks_parse(mem_ctx, d, n, _action);
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_store_hooks_set(const struct ae_store *s, const char *template_name, const char *action)
{
	TALLOC_CTX *tmp;
	char *name, *text;
	ae_err err;

	if (s->lock == NULL || !ae_store_name_ok(template_name) || action == NULL ||
	    !action_ok(action, strlen(action))) {
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(NULL);
	name = ae_store_fname(tmp, template_name, SFX_HOOKS);
	text = talloc_asprintf(tmp, "action=%s\n", action);
	if (name == NULL || text == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	err = ae_file_write_atomic_at(s->fd, name, text, strlen(text), 0600);
	talloc_free(tmp);
	return err;
}

ae_err ae_store_hooks_clear(const struct ae_store *s, const char *template_name)
{
	TALLOC_CTX *tmp;
	char *name;
	bool did = false;
	ae_err err;

	if (s->lock == NULL || !ae_store_name_ok(template_name)) {
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(NULL);
	name = ae_store_fname(tmp, template_name, SFX_HOOKS);
	if (name == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	err = ae_store_unlink_at(s->fd, name, &did);
	if (err == AE_OK && did) {
		err = ae_store_fsync_dirfd(s->fd, s->dir);
	}
	talloc_free(tmp);
	return err;
}
