/*
 * cli_cycle.c: `autoenroll run` output (status: cli_status.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <talloc.h>
#include "cli_cycle.h"
#include "cli_output.h"
#include "ae_json.h"

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
		fputs("], \"store_check\": [", f);
		for (i = 0; r->check_notes != NULL && r->check_notes[i] != NULL; i++) {
			fputs(i ? ", " : "", f);
			ae_json_string(f, r->check_notes[i]);
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
	for (i = 0; r->check_notes != NULL && r->check_notes[i] != NULL; i++) {
		fprintf(f, "check: %s\n", r->check_notes[i]);
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
