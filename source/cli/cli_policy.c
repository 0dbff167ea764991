/*
 * cli_policy.c: `autoenroll policy [--json]`: render the policy report.
 * (Printing only: the report is collected by the engine.)
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "cli_policy.h"
#include "ae_principal.h"
#include "ae_sid.h"
#include "ae_gpolist.h"
#include "ae_aesettings.h"
#include "ae_template.h"
#include "ae_pki.h"
#include "ae_eligibility.h"

static void str_list(FILE *f, char *const *v, size_t n)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		fputs(i ? ", " : "", f);
		ae_json_string(f, v[i]);
	}
	fputc(']', f);
}

static void json_principal(FILE *f, const struct ae_policy_report *r)
{
	char sid[AE_SID_STR_MAX];

	fputs("{\"account\": ", f);
	ae_json_string(f, r->account);
	fputs(", \"dn\": ", f);
	ae_json_string(f, r->principal ? r->principal->dn : NULL);
	fputs(", \"sid\": ", f);
	if (r->principal != NULL) {
		ae_json_string(f, ae_sid_format(&r->principal->sid, sid));
	} else {
		fputs("null", f);
	}
	fputs(", \"site\": ", f);
	ae_json_string(f, r->site);
	fputs(", \"dc\": ", f);
	ae_json_string(f, r->dc);
	fputc('}', f);
}

static void json_cas(FILE *f, const struct ae_policy_report *r)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < r->num_cas; i++) {
		const struct ae_enrollment_service *c = r->cas[i];
		fputs(i ? ", {\"name\": " : "{\"name\": ", f);
		ae_json_string(f, c->cn);
		fputs(", \"host\": ", f);
		ae_json_string(f, c->dns_host);
		fputs(", \"templates\": ", f);
		str_list(f, c->templates, c->num_templates);
		fputc('}', f);
	}
	fputc(']', f);
}

static void json_templates(FILE *f, const struct ae_policy_report *r)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < r->num_templates; i++) {
		const struct ae_template *t = r->templates[i];
		const struct ae_eligibility *e = r->eligibility ? &r->eligibility[i] : NULL;
		fputs(i ? ", {\"name\": " : "{\"name\": ", f);
		ae_json_string(f, t->cn);
		fputs(", \"display_name\": ", f);
		ae_json_string(f, t->display_name);
		fputs(", \"oid\": ", f);
		ae_json_string(f, t->oid);
		fprintf(f, ", \"schema_version\": %u, \"major\": %u, \"minor\": %u",
			t->schema_version, t->major_revision, t->minor_revision);
		fprintf(f, ", \"eligible\": %s, \"code\": ",
			e != NULL && e->code == AE_ELIGIBLE ? "true" : "false");
		ae_json_string(f, e ? e->code_name : NULL);
		fputs(", \"reason\": ", f);
		ae_json_string(f, e ? e->reason : NULL);
		fputs(", \"cas\": ", f);
		if (e != NULL) {
			str_list(f, e->cas, e->num_cas);
		} else {
			fputs("[]", f);
		}
		fputs(", \"superseded_by\": ", f);
		ae_json_string(f, e ? e->superseded_by : NULL);
		fputc('}', f);
	}
	fputc(']', f);
}

static void json_errors(FILE *f, const struct ae_policy_report *r)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < r->num_errors; i++) {
		fputs(i ? ", {\"object\": " : "{\"object\": ", f);
		ae_json_string(f, r->errors[i].object);
		fputs(", \"attribute\": ", f);
		ae_json_string(f, r->errors[i].attribute);
		fputs(", \"message\": ", f);
		ae_json_string(f, r->errors[i].message);
		fputc('}', f);
	}
	fputc(']', f);
}

int cli_policy_json(FILE *f, const struct ae_policy_report *r)
{
	fputs("{\"principal\": ", f);
	json_principal(f, r);
	fputs(", \"gpos\": ", f);
	if (r->gpolist == NULL || ae_gpolist_write_json(f, r->gpolist) != AE_OK) {
		fputs("null", f);
	}
	fputs(", \"settings\": ", f);
	if (r->settings == NULL || ae_aesettings_write_json(f, r->settings) != AE_OK) {
		fputs("null", f);
	}
	fputs(", \"cas\": ", f);
	json_cas(f, r);
	fputs(", \"templates\": ", f);
	json_templates(f, r);
	fputs(", \"errors\": ", f);
	json_errors(f, r);
	fprintf(f, ", \"counts\": {\"ldap_searches\": %u, \"smb_reads\": %u, "
		"\"gpo_cache_hits\": %u}}\n", r->ldap_searches, r->smb_reads, r->gpo_cache_hits);
	return ferror(f) ? -1 : 0;
}

int cli_policy_text(FILE *f, const struct ae_policy_report *r)
{
	char sid[AE_SID_STR_MAX];
	size_t i, j;

	fprintf(f, "Principal: %s (%s)\n  DN:   %s\n  site: %s\n  DC:   %s\n\n", r->account,
		r->principal ? ae_sid_format(&r->principal->sid, sid) : "?",
		r->principal ? r->principal->dn : "?", r->site ? r->site : "(none)", r->dc);
	fputs("Group Policy objects\n", f);
	if (r->gpolist != NULL) {
		(void)ae_gpolist_dump(f, r->gpolist);
	}
	fputc('\n', f);
	if (r->settings != NULL) {
		(void)ae_aesettings_dump(f, r->settings);
	}
	fputs("\nEnterprise CAs\n", f);
	for (i = 0; i < r->num_cas; i++) {
		fprintf(f, "  %s on %s:", r->cas[i]->cn, r->cas[i]->dns_host ? r->cas[i]->dns_host : "?");
		for (j = 0; j < r->cas[i]->num_templates; j++) {
			fprintf(f, " %s", r->cas[i]->templates[j]);
		}
		fputc('\n', f);
	}
	fputs("\nTemplates\n", f);
	for (i = 0; i < r->num_templates; i++) {
		const struct ae_eligibility *e = r->eligibility ? &r->eligibility[i] : NULL;
		fprintf(f, "  %-24s v%u %u.%u  %s\n", r->templates[i]->cn,
			r->templates[i]->schema_version, r->templates[i]->major_revision,
			r->templates[i]->minor_revision,
			e ? (e->reason ? e->reason : e->code_name) : "?");
	}
	if (r->num_errors > 0) {
		fputs("\nProblems (the rest was processed)\n", f);
		for (i = 0; i < r->num_errors; i++) {
			fprintf(f, "  %s: %s: %s\n", r->errors[i].object, r->errors[i].attribute,
				r->errors[i].message);
		}
	}
	fprintf(f, "\nLDAP searches: %u, SMB reads: %u, GPO cache hits: %u\n", r->ldap_searches,
		r->smb_reads, r->gpo_cache_hits);
	return ferror(f) ? -1 : 0;
}
