/*
 * cli_status.c: `autoenroll status` output: what is on disk, checked
 * (ae_store_check.h), without any network access.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <talloc.h>
#include "cli_status.h"
#include "ae_status.h"
#include "ae_json.h"

static const char *when(char *buf, size_t n, time_t t)
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL || strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		return NULL;
	}
	return buf;
}

/* renew-at as the cycle recorded it; older records: the 80 % point, the earliest it can be */
static time_t renew_at_of(const struct ae_store_cert *c, const struct ae_check_entry *e)
{
	if (c->renew_at != 0) {
		return c->renew_at;
	}
	return e->not_after > e->not_before ?
	       e->not_before + (e->not_after - e->not_before) / 10 * 8 : 0;
}

/* The state shown: the checked one when a pair is installed, else the record's. */
static const char *state_of(const struct ae_store_cert *c, const struct ae_check_entry *e)
{
	return e->state != AE_CHECK_NONE ? ae_check_state_name(e->state) :
	       ae_status_cert_state_name(c->state);
}

static void json_cert(FILE *f, const struct ae_store_cert *c, const struct ae_check_entry *e)
{
	char b1[32], b2[32];

	fputs("{\"template\": ", f);
	ae_json_string(f, c->template_name);
	/* state: the record's (lifecycle); validity: what the files say now */
	fputs(", \"state\": ", f);
	ae_json_string(f, ae_status_cert_state_name(c->state));
	fputs(", \"validity\": ", f);
	ae_json_string(f, e->state != AE_CHECK_NONE ? ae_check_state_name(e->state) : NULL);
	fprintf(f, ", \"managed_by_record\": %s", c->has_record ? "true" : "false");
	fputs(", \"cause\": ", f);
	ae_json_string(f, e->cause);
	fputs(", \"note\": ", f);
	ae_json_string(f, e->note);
	fputs(", \"ca\": ", f);
	ae_json_string(f, c->ca);
	fputs(", \"serial\": ", f);
	ae_json_string(f, c->serial_hex ? c->serial_hex : e->serial_hex);
	fputs(", \"not_after\": ", f);
	ae_json_string(f, when(b1, sizeof(b1), e->not_after));
	fputs(", \"renew_at\": ", f);
	ae_json_string(f, when(b2, sizeof(b2), renew_at_of(c, e)));
	if (e->state == AE_CHECK_NONE || e->state == AE_CHECK_INVALID) {
		fputs(", \"days_left\": null, \"lifetime_left_percent\": null", f);
	} else {
		fprintf(f, ", \"days_left\": %lld, \"lifetime_left_percent\": %u", e->days_left,
			e->left_percent);
	}
	fprintf(f, ", \"expiring\": %s, \"enrollee_names\": %s, \"needs_manual_request\": %s"
		", \"pending_request_id\": %u, \"pending_ca\": ", e->expiring ? "true" : "false",
		c->enrollee_names ? "true" : "false", e->manual_due ? "true" : "false",
		c->pending_request_id);
	ae_json_string(f, c->pending_ca);
	fputs(", \"archive\": ", f);
	ae_json_string(f, c->archive_tag);
	fputs(", \"certificate\": ", f);
	ae_json_string(f, c->cert_path);
	fputs(", \"key_storage\": ", f);
	ae_json_string(f, e->key_storage);
	fputc('}', f);
}

static void text_cert(FILE *f, const struct ae_store_cert *c, const struct ae_check_entry *e,
		      uint32_t percent)
{
	char b1[32], b2[32], b3[32];
	const char *state = state_of(c, e);

	if (e->state == AE_CHECK_NONE && c->serial_hex == NULL && c->pending_request_id != 0) {
		fprintf(f, "  %-20s %-13s request id %u at CA %s since %s (no certificate yet)\n",
			c->template_name, state, c->pending_request_id,
			c->pending_ca ? c->pending_ca : "?",
			when(b3, sizeof(b3), c->submitted) ? b3 : "?");
		return;
	}
	fprintf(f, "  %-20s %-13s CA %s, serial %s, notAfter %s", c->template_name, state,
		c->ca ? c->ca : "?", c->serial_hex ? c->serial_hex :
		e->serial_hex ? e->serial_hex : "?",
		when(b1, sizeof(b1), e->not_after) ? b1 : "?");
	if (e->state == AE_CHECK_VALID || e->state == AE_CHECK_NOT_YET_VALID) {
		fprintf(f, " (%lld day(s) left), renew at %s", e->days_left,
			when(b2, sizeof(b2), renew_at_of(c, e)) ? b2 : "?");
	} else if (e->state == AE_CHECK_EXPIRED) {
		fprintf(f, " (expired %lld day(s) ago)", -e->days_left);
	}
	if (e->key_storage != NULL) {
		fprintf(f, ", key: %s", e->key_storage);
	}
	fprintf(f, "%s%s\n", c->has_record ? "" : " (installed by `autoenroll request`)",
		c->state == AE_CERT_ARCHIVED || c->state == AE_CERT_REMOVED ? " (archived)" : "");
	if (e->state == AE_CHECK_INVALID) {
		fprintf(f, "      INVALID: %s\n", e->cause);
	}
	if (e->expiring) {
		fprintf(f, "      WARNING: expiring: %u%% of its lifetime left, below "
			"OfflineExpirationPercent %u\n", e->left_percent, percent);
	}
	if (e->note != NULL) {
		fprintf(f, "      WARNING: %s\n", e->note);
	}
	if (e->manual_due) {
		fprintf(f, "      WARNING: needs a manual request: expires %s; its names were "
			"supplied in the request and the template lacks "
			"CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME (0x8): autoenroll request "
			"--template %s --subject DN ...\n", when(b1, sizeof(b1), e->not_after) ? b1 : "?",
			c->template_name);
	}
	if (c->pending_request_id) {
		fprintf(f, "      pending request id %u at %s since %s\n", c->pending_request_id,
			c->pending_ca ? c->pending_ca : "?",
			when(b3, sizeof(b3), c->submitted) ? b3 : "?");
	}
}

static void print_pending(FILE *f, const struct ae_store_snapshot *snap, bool json)
{
	size_t i;

	if (!json && snap->num_pending > 0) {
		fputs("Pending requests (autoenroll request)\n", f);
	}
	for (i = 0; i < snap->num_pending; i++) {
		const struct ae_store_pending_req *p = &snap->pending[i];
		if (json) {
			fputs(i ? ", {\"template\": " : "{\"template\": ", f);
			ae_json_string(f, p->template_name);
			fputs(", \"ca\": ", f);
			ae_json_string(f, p->ca);
			fprintf(f, ", \"request_id\": %u}", p->request_id);
		} else {
			fprintf(f, "  %-20s CA %s, request id %u\n", p->template_name, p->ca, p->request_id);
		}
	}
}

static void print_archived(FILE *f, const struct ae_store_snapshot *snap, bool json)
{
	char b1[32], b2[32];
	size_t i;

	if (!json && snap->num_archived > 0) {
		fputs("Archived (archive/)\n", f);
	}
	for (i = 0; i < snap->num_archived; i++) {
		const struct ae_store_archived *a = &snap->archived[i];
		if (json) {
			fputs(i ? ", {\"template\": " : "{\"template\": ", f);
			ae_json_string(f, a->template_name);
			fputs(", \"tag\": ", f);
			ae_json_string(f, a->tag);
			fputs(", \"state\": ", f);
			ae_json_string(f, ae_status_cert_state_name(a->state));
			fputs(", \"serial\": ", f);
			ae_json_string(f, a->serial_hex);
			fputs(", \"reason\": ", f);
			ae_json_string(f, a->reason);
			fputs(", \"archived_at\": ", f);
			ae_json_string(f, when(b1, sizeof(b1), a->archived));
			fputs(", \"not_after\": ", f);
			ae_json_string(f, when(b2, sizeof(b2), a->not_after));
			fputc('}', f);
		} else {
			fprintf(f, "  %-20s %-13s serial %s (archive/%s.%s.*), %s %s: %s\n",
				a->template_name, ae_status_cert_state_name(a->state),
				a->serial_hex ? a->serial_hex : "?", a->template_name, a->tag,
				a->state == AE_CERT_REMOVED ? "removed" : "archived",
				when(b1, sizeof(b1), a->archived) ? b1 : "?",
				a->reason ? a->reason : "no reason recorded");
		}
	}
}

static void print_unmanaged(FILE *f, const struct ae_store_snapshot *snap, bool json)
{
	size_t i;

	for (i = 0; i < snap->num_unmanaged; i++) {
		const struct ae_store_unmanaged *u = &snap->unmanaged[i];
		if (json) {
			fputs(i ? ", {\"name\": " : "{\"name\": ", f);
			ae_json_string(f, u->name);
			fputs(", \"why\": ", f);
			ae_json_string(f, u->why);
			fputc('}', f);
		} else {
			fprintf(f, "not managed: %s: %s\n", u->name, u->why);
		}
	}
}

int cli_status_print(FILE *f, const struct ae_store_snapshot *snap,
		     const struct ae_store_check *chk, const char *store_dir, bool json)
{
	size_t i;

	if (json) {
		fputs("{\"store\": ", f);
		ae_json_string(f, store_dir);
		fprintf(f, ", \"offline_expiration_percent\": %u, "
			"\"offline_expiration_percent_source\": \"%s\", \"certificates\": [",
			chk->percent, chk->percent_known ? "last policy read" : "default");
	} else {
		fprintf(f, "Store %s (OfflineExpirationPercent %u%s)\n", store_dir, chk->percent,
			chk->percent_known ? "" : ", the default");
	}
	for (i = 0; i < snap->num_certs && i < chk->num_entries; i++) {
		if (json) {
			fputs(i ? ", " : "", f);
			json_cert(f, &snap->certs[i], &chk->entries[i]);
		} else {
			text_cert(f, &snap->certs[i], &chk->entries[i], chk->percent);
		}
	}
	if (json) {
		fputs("], \"pending\": [", f);
	}
	print_pending(f, snap, json);
	if (json) {
		fputs("], \"archived\": [", f);
	}
	print_archived(f, snap, json);
	if (json) {
		fputs("], \"not_managed\": [", f);
	}
	print_unmanaged(f, snap, json);
	if (json) {
		fputs("]}\n", f);
	}
	return ferror(f) ? -1 : 0;
}

int cli_offline_print(FILE *f, const struct ae_store_snapshot *snap,
		      const struct ae_store_check *chk)
{
	size_t i;

	for (i = 0; snap != NULL && chk != NULL && i < chk->num_entries; i++) {
		const struct ae_store_cert *c = &snap->certs[i];
		const struct ae_check_entry *e = &chk->entries[i];
		if (e->state == AE_CHECK_INVALID) {
			fprintf(f, "offline: %-20s INVALID: %s\n", c->template_name, e->cause);
		} else if (e->state == AE_CHECK_EXPIRED) {
			fprintf(f, "offline: %-20s EXPIRED %lld day(s) ago (serial %s)\n",
				c->template_name, -e->days_left, c->serial_hex ? c->serial_hex : "?");
		} else if (e->expiring) {
			fprintf(f, "offline: %-20s expiring: %lld day(s) left, %u%% of its lifetime, "
				"below OfflineExpirationPercent %u (serial %s)\n", c->template_name,
				e->days_left, e->left_percent, chk->percent,
				c->serial_hex ? c->serial_hex : "?");
		} else if (e->state != AE_CHECK_NONE) {
			fprintf(f, "offline: %-20s %s, %lld day(s) left\n", c->template_name,
				ae_check_state_name(e->state), e->days_left);
		}
	}
	return ferror(f) ? -1 : 0;
}

void cli_offline_json(FILE *f, const struct ae_store_snapshot *snap,
		      const struct ae_store_check *chk)
{
	size_t i, n = 0;

	fputs("[", f);
	for (i = 0; snap != NULL && chk != NULL && i < chk->num_entries; i++) {
		if (chk->entries[i].state == AE_CHECK_NONE) {
			continue;
		}
		fputs(n++ ? ", " : "", f);
		json_cert(f, &snap->certs[i], &chk->entries[i]);
	}
	fputs("]", f);
}
