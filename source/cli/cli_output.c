#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "cli_output.h"
#include "ae_hresult.h"
#include "ae_json.h"

int ae_exit_code(enum ae_outcome o)
{
	switch (o) {
	case AE_OUTCOME_ISSUED: return AE_EXIT_OK;
	case AE_OUTCOME_PENDING: return AE_EXIT_PENDING;
	case AE_OUTCOME_REJECTED: return AE_EXIT_REJECTED;
	case AE_OUTCOME_UNREACHABLE: return AE_EXIT_UNREACHABLE;
	case AE_OUTCOME_MISCONFIGURED: return AE_EXIT_MISCONFIGURED;
	case AE_OUTCOME_UNVERIFIED: return AE_EXIT_UNVERIFIED;
	case AE_OUTCOME_STORE: return AE_EXIT_STORE;
	case AE_OUTCOME_INTERNAL: return AE_EXIT_INTERNAL;
	}
	return AE_EXIT_INTERNAL;
}

static void json_result(FILE *f, const struct ae_enroll_result *r)
{
	char hr[16];

	snprintf(hr, sizeof(hr), "0x%08x", r->hresult);
	fputs("{\"disposition\": ", f);
	ae_json_string(f, r->outcome_name);
	fprintf(f, ", \"disposition_code\": %u, \"request_id\": %u, \"hresult\": ",
		r->disposition, r->request_id);
	ae_json_string(f, r->hresult ? hr : NULL);
	fputs(", \"hresult_name\": ", f);
	ae_json_string(f, r->hresult_name);
	fputs(", \"message\": ", f);
	ae_json_string(f, r->message);
	fputs(", \"error\": ", f);
	ae_json_string(f, r->error);
	fprintf(f, ", \"exit_code\": %d", ae_exit_code(r->outcome));
	fputs(", \"template\": ", f);
	ae_json_string(f, r->template_name);
	fputs(", \"ca\": ", f);
	ae_json_string(f, r->ca_name);
	fputs(", \"ca_host\": ", f);
	ae_json_string(f, r->ca_host);
	fputs(", \"binding\": ", f);
	ae_json_string(f, r->binding);
	fputs(", \"key\": ", f);
	ae_json_string(f, r->key_path);
	fputs(", \"certificate\": ", f);
	ae_json_string(f, r->cert_path);
	fputs(", \"chain\": ", f);
	ae_json_string(f, r->chain_path);
	fputs("}\n", f);
}

void ae_print_result(FILE *out, FILE *err, const struct ae_enroll_result *r, bool json,
		     const char *retrieve_hint_ca)
{
	if (json) {
		json_result(out, r);
		return;
	}
	switch (r->outcome) {
	case AE_OUTCOME_ISSUED:
		fprintf(out, "Issued: template %s by CA %s (%s), request id %u\n",
			r->template_name, r->ca_name, r->ca_host, r->request_id);
		fprintf(out, "  key:         %s\n  certificate: %s\n  chain:       %s\n",
			r->key_path, r->cert_path, r->chain_path);
		if (r->message != NULL) {
			fprintf(out, "  CA message:  %s\n", r->message);
		}
		break;
	case AE_OUTCOME_PENDING:
		fprintf(out, "Pending: template %s, CA %s, request id %u%s%s\n",
			r->template_name, r->ca_name, r->request_id,
			r->message ? ": " : "", r->message ? r->message : "");
		fprintf(out, "  retrieve with: autoenroll retrieve --ca %s --request-id %u\n",
			retrieve_hint_ca ? retrieve_hint_ca : r->ca_name, r->request_id);
		break;
	case AE_OUTCOME_REJECTED:
		fprintf(err, "Denied: template %s, CA %s", r->template_name, r->ca_name);
		if (r->request_id) {
			fprintf(err, ", request id %u", r->request_id);
		}
		fputs(": ", err);
		if (r->hresult) {
			fprintf(err, "%s (0x%08x)", r->hresult_name ? r->hresult_name : "HRESULT",
				r->hresult);
		} else {
			fprintf(err, "disposition %u (%s)", r->disposition,
				ae_disposition_name(r->disposition) ?
				ae_disposition_name(r->disposition) : "unknown");
		}
		fprintf(err, "%s%s\n", r->message ? ": " : "", r->message ? r->message : "");
		break;
	default:
		fprintf(err, "Failed: %s\n", r->error ? r->error : "unknown error");
		break;
	}
}
