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
#include "ae_polsrv.h"

/*
 * The policy servers the cycle traversed or left out, in the order used
 * (ae_polsrv.h): which one served each group, which failed first and why
 * (a failover by cost, [MS-CAESO] 4.4.5.3.2.2), which are disabled.
 */
static void json_servers(FILE *f, const struct ae_policy_report *p)
{
	size_t k;

	fputs(", \"policy_servers\": [", f);
	for (k = 0; p != NULL && k < p->num_servers; k++) {
		const struct ae_polsrv *s = &p->servers[k];
		fputs(k ? ", {\"url\": " : "{\"url\": ", f);
		ae_json_string(f, s->url);
		fputs(", \"kind\": ", f);
		ae_json_string(f, s->kind == AE_POLSRV_AD ? "ad" : "xcep");
		fputs(", \"origin\": ", f);
		ae_json_string(f, s->origin == AE_POLSRV_FROM_GPO ? "gpo" :
			       s->origin == AE_POLSRV_FROM_LOCAL ? "local" : "default");
		fputs(", \"policy_id\": ", f);
		ae_json_string(f, s->policy_id);
		fprintf(f, ", \"cost\": %u, \"state\": ", (unsigned)s->cost);
		ae_json_string(f, ae_polsrv_state_name(s->state));
		fputs(", \"note\": ", f);
		ae_json_string(f, s->note);
		fprintf(f, ", \"from_cache\": %s}", s->from_cache ? "true" : "false");
	}
	fputc(']', f);
}

/* "YYYY-MM-DDTHH:MM:SSZ" */
static const char *iso_time(char *buf, size_t len, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		snprintf(buf, len, "%lld", (long long)t);
	}
	return buf;
}

int cli_cycle_print(FILE *f, const struct ae_cycle_report *r, bool json, bool dry_run)
{
	char tb[64];
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
		fputc(']', f);
		json_servers(f, r->policy);
		fprintf(f, ", \"trust_dir\": ");
		ae_json_string(f, r->trust_dir);
		fprintf(f, ", \"noop\": %s, \"full_read\": ", r->noop ? "true" : "false");
		if (r->noop) {
			ae_json_string(f, iso_time(tb, sizeof(tb), r->noop_full_read));
		} else {
			fputs("null", f);
		}
		fprintf(f, ", \"trust_changed\": %s, \"counts\": {\"requests\": %u, \"rpc_binds\": %u, "
			"\"ldap_searches\": %u, \"smb_reads\": %u}, \"exit_code\": %d}\n",
			r->trust_changed ? "true" : "false", r->requests, r->binds,
			r->ldap_searches, r->smb_reads, ae_exit_code(r->worst));
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
	if (r->noop) {
		fprintf(f, "nothing changed since the full read at %s: the certificates above are "
			"current\n", iso_time(tb, sizeof(tb), r->noop_full_read));
	}
	if (!dry_run) {
		fprintf(f, "(%u request(s), %u RPC bind(s), %u LDAP search(es), %u SMB read(s)%s)\n",
			r->requests, r->binds, r->ldap_searches, r->smb_reads,
			r->trust_changed ? "; trust anchors updated" : "");
	}
	return ferror(f) ? -1 : 0;
}
