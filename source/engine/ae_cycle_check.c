/*
 * ae_cycle_check.c: the cycle's side of the store check (ae_cycle_check.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <talloc.h>
#include "ae_cycle_check.h"
#include "ae_store.h"
#include "ae_aesettings.h"
#include "ae_clock.h"
#include "ae_log.h"
#include "ae_policy_report.h"

/* One line of r->check_notes (NULL-terminated). */
static void check_note(struct ae_cycle_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void check_note(struct ae_cycle_report *r, const char *fmt, ...)
{
	size_t n = 0;
	char **v;
	va_list ap;

	while (r->check_notes != NULL && r->check_notes[n] != NULL) {
		n++;
	}
	v = talloc_realloc(r, r->check_notes, char *, n + 2);
	if (v == NULL) {
		return;
	}
	va_start(ap, fmt);
	v[n] = talloc_vasprintf(v, fmt, ap);
	va_end(ap);
	v[n + 1] = NULL;
	r->check_notes = v;
}

/*
 * The files of each managed certificate (ae_store_check.h): an INVALID one
 * is no certificate for decide(), and the actions of its template say why.
 */
ae_err ae_cycle_check_store(struct ae_cycle_ctx *c, struct ae_store_snapshot *snap, bool fix,
			    struct ae_store_check **_chk)
{
	const struct ae_aesettings *st = c->r->policy->settings;
	uint32_t pct = st->offline_expiration_percent.value;
	size_t i;
	ae_err err;

	if (fix && pct <= 100 && ae_store_check_save_percent(c->store, pct) != AE_OK) {
		AE_WARN("store %s: cannot save OfflineExpirationPercent for offline use",
			c->store->dir);
	}
	err = ae_store_check(c->mem, c->store, snap, ae_now(), pct, fix, _chk);
	if (err != AE_OK) {
		return err;
	}
	ae_store_check_log(snap, *_chk, false);
	for (i = 0; i < (*_chk)->num_entries; i++) {
		const struct ae_check_entry *e = &(*_chk)->entries[i];
		/*
		 * A file that cannot be read (EIO: the device, not the content) is
		 * not a broken pair to set aside and replace: nothing is decided
		 * this cycle, and the next one reads it again.
		 */
		if (e->io_error) {
			snprintf(c->s->error, sizeof(c->s->error), "store %s: template %s: %s; "
				 "nothing was decided or changed this cycle", c->store->dir,
				 snap->certs[i].template_name, e->cause);
			return AE_ERR_IO;
		}
		if (e->note != NULL) {
			check_note(c->r, "template %s: %s", snap->certs[i].template_name, e->note);
		}
		if (e->state == AE_CHECK_INVALID) {
			check_note(c->r, "template %s: installed certificate INVALID: %s",
				   snap->certs[i].template_name, e->cause);
		}
	}
	return AE_OK;
}

/* The items of a template whose installed pair is INVALID say so first. */
void ae_cycle_explain_invalid(struct ae_cycle_report *r, const struct ae_store_snapshot *snap,
			      const struct ae_store_check *chk)
{
	size_t i, k;

	for (i = 0; chk != NULL && i < r->num_items; i++) {
		struct ae_cycle_item *it = &r->items[i];
		for (k = 0; k < chk->num_entries; k++) {
			if (chk->entries[k].state == AE_CHECK_INVALID &&
			    strcasecmp(it->template_name, snap->certs[k].template_name) == 0) {
				it->reason = talloc_asprintf(r, "installed certificate INVALID (%s); "
							     "%s", chk->entries[k].cause,
							     it->reason ? it->reason : "");
				break;
			}
		}
	}
}
