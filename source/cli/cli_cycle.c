/*
 * cli_cycle.c: `autoenroll run` and `autoenroll status` output.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <talloc.h>
#include "cli_cycle.h"
#include "cli_output.h"
#include "ae_store.h"
#include "ae_json.h"

static const char *when(char *buf, size_t n, time_t t)
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL || strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		return NULL;
	}
	return buf;
}

int cli_cycle_print(FILE *f, const struct ae_cycle_report *r, bool json, bool dry_run)
{
	size_t i;

	if (json) {
		fprintf(f, "{\"dry_run\": %s, \"store\": ", dry_run ? "true" : "false");
		ae_json_string(f, r->store_dir);
		fputs(", \"items\": [", f);
		for (i = 0; i < r->num_items; i++) {
			const struct ae_cycle_item *it = &r->items[i];
			fputs(i ? ", {\"template\": " : "{\"template\": ", f);
			ae_json_string(f, it->template_name);
			fputs(", \"action\": ", f);
			ae_json_string(f, it->action);
			fputs(", \"cause\": ", f);
			ae_json_string(f, it->cause);
			fputs(", \"result\": ", f);
			ae_json_string(f, it->result);
			fputs(", \"reason\": ", f);
			ae_json_string(f, it->reason);
			fputs(", \"ca\": ", f);
			ae_json_string(f, it->ca);
			fprintf(f, ", \"request_id\": %u, \"hresult_name\": ", it->request_id);
			ae_json_string(f, it->hresult_name);
			fputc('}', f);
		}
		fputs("], \"recovery\": [", f);
		for (i = 0; r->notes != NULL && r->notes[i] != NULL; i++) {
			fputs(i ? ", " : "", f);
			ae_json_string(f, r->notes[i]);
		}
		fprintf(f, "], \"trust_dir\": ");
		ae_json_string(f, r->trust_dir);
		fprintf(f, ", \"trust_changed\": %s, \"counts\": {\"requests\": %u, \"rpc_binds\": %u, "
			"\"ldap_searches\": %u, \"smb_reads\": %u}, \"exit_code\": %d}\n",
			r->trust_changed ? "true" : "false", r->requests, r->binds,
			r->policy ? r->policy->ldap_searches : 0, r->policy ? r->policy->smb_reads : 0,
			ae_exit_code(r->worst));
		return ferror(f) ? -1 : 0;
	}
	for (i = 0; r->notes != NULL && r->notes[i] != NULL; i++) {
		fprintf(f, "recovered: %s\n", r->notes[i]);
	}
	for (i = 0; i < r->num_items; i++) {
		const struct ae_cycle_item *it = &r->items[i];
		fprintf(f, "%-20s %-9s %-8s %s\n", it->template_name, it->action, it->result,
			it->reason ? it->reason : "");
	}
	if (!dry_run) {
		fprintf(f, "(%u request(s), %u RPC bind(s), %u LDAP search(es), %u SMB read(s)%s)\n",
			r->requests, r->binds, r->policy ? r->policy->ldap_searches : 0,
			r->policy ? r->policy->smb_reads : 0,
			r->trust_changed ? "; trust anchors updated" : "");
	}
	return ferror(f) ? -1 : 0;
}

int cli_status_print(FILE *f, const struct ae_store_snapshot *snap, const char *store_dir,
		     bool json)
{
	char b1[32], b2[32], b3[32];
	size_t i;

	if (json) {
		fputs("{\"store\": ", f);
		ae_json_string(f, store_dir);
		fputs(", \"certificates\": [", f);
	} else {
		fprintf(f, "Store %s\n", store_dir);
	}
	for (i = 0; i < snap->num_certs; i++) {
		const struct ae_store_cert *c = &snap->certs[i];
		/* renew-at as the cycle recorded it (max(80 % of the lifetime,
		 * notAfter - the template's overlap)); older records: the 80 % point,
		 * the earliest it can be */
		time_t renew_at = c->renew_at != 0 ? c->renew_at :
				  c->not_after > c->not_before ?
				  c->not_before + (c->not_after - c->not_before) / 10 * 8 : 0;
		const char *state = ae_cert_state_name(c->state);
		if (json) {
			fputs(i ? ", {\"template\": " : "{\"template\": ", f);
			ae_json_string(f, c->template_name);
			fputs(", \"state\": ", f);
			ae_json_string(f, state);
			fputs(", \"ca\": ", f);
			ae_json_string(f, c->ca);
			fputs(", \"serial\": ", f);
			ae_json_string(f, c->serial_hex);
			fputs(", \"not_after\": ", f);
			ae_json_string(f, when(b1, sizeof(b1), c->not_after));
			fputs(", \"renew_at\": ", f);
			ae_json_string(f, when(b2, sizeof(b2), renew_at));
			fprintf(f, ", \"pending_request_id\": %u, \"pending_ca\": ", c->pending_request_id);
			ae_json_string(f, c->pending_ca);
			fputs(", \"archive\": ", f);
			ae_json_string(f, c->archive_tag);
			fputs(", \"certificate\": ", f);
			ae_json_string(f, c->cert_path);
			fputc('}', f);
		} else if (c->serial_hex == NULL && c->pending_request_id != 0) {
			fprintf(f, "  %-20s %-10s request id %u at CA %s since %s (no certificate yet)\n",
				c->template_name, state, c->pending_request_id,
				c->pending_ca ? c->pending_ca : "?",
				when(b3, sizeof(b3), c->submitted) ? b3 : "?");
		} else {
			fprintf(f, "  %-20s %-10s CA %s, serial %s, notAfter %s, renew at %s%s%s%s\n",
				c->template_name, state, c->ca ? c->ca : "?",
				c->serial_hex ? c->serial_hex : "?",
				when(b1, sizeof(b1), c->not_after) ? b1 : "?",
				when(b2, sizeof(b2), renew_at) ? b2 : "?",
				c->pending_request_id ? ", pending request " : "",
				c->pending_request_id ? c->pending_ca : "",
				c->archive_tag ? " (archived)" : "");
			if (c->pending_request_id) {
				fprintf(f, "      pending request id %u at %s since %s\n",
					c->pending_request_id, c->pending_ca ? c->pending_ca : "?",
					when(b3, sizeof(b3), c->submitted) ? b3 : "?");
			}
		}
	}
	if (json) {
		fputs("], \"pending\": [", f);
	} else if (snap->num_pending > 0) {
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
	if (json) {
		fputs("]}\n", f);
	}
	return ferror(f) ? -1 : 0;
}
