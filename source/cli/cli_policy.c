/*
 * cli_policy.c: `autoenroll policy [--json]`: render the policy report.
 * (Printing only: the report is collected by the engine.)
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli_policy.h"
#include "ae_key_choice.h"
#include "ae_principal.h"
#include "ae_sid.h"
#include "ae_gpolist.h"
#include "ae_aesettings.h"
#include "ae_template.h"
#include "ae_pki.h"
#include "ae_eligibility.h"
#include "ae_decide.h"
#include "ae_polsrv.h"
#include "ae_polsrv_local.h"

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

static const char *context_name(const struct ae_policy_report *r)
{
	return r->context == AE_CONTEXT_USER ? "user" : "machine";
}

/* the policy server that offered template i, or NULL */
static const struct ae_polsrv *server_of(const struct ae_policy_report *r, size_t i)
{
	size_t k;

	for (k = 0; k < r->num_servers; k++) {
		const struct ae_polsrv *p = &r->servers[k];
		if (p->num_templates > 0 && i >= p->first_template &&
		    i < p->first_template + p->num_templates) {
			return p;
		}
	}
	return NULL;
}

static const char *auth_name(const struct ae_polsrv *p)
{
	const char *n = ae_polsrv_auth_name(p->auth);

	return n != NULL ? n : "?";
}

static const char *origin_text(enum ae_polsrv_origin o)
{
	return o == AE_POLSRV_FROM_GPO ? "gpo" : o == AE_POLSRV_FROM_LOCAL ? "local" : "default";
}

static void utc(time_t t, char *buf, size_t n)
{
	struct tm tm;

	buf[0] = '\0';
	if (t != 0 && gmtime_r(&t, &tm) != NULL) {
		strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
}

static void json_servers(FILE *f, const struct ae_policy_report *r)
{
	size_t k, i;
	char when[32];

	fputc('[', f);
	for (k = 0; k < r->num_servers; k++) {
		const struct ae_polsrv *p = &r->servers[k];
		fputs(k ? ", {\"url\": " : "{\"url\": ", f);
		ae_json_string(f, p->url);
		fputs(", \"kind\": ", f);
		ae_json_string(f, p->kind == AE_POLSRV_AD ? "ad" : "xcep");
		fputs(", \"origin\": ", f);
		ae_json_string(f, origin_text(p->origin));
		fputs(", \"origin_name\": ", f);
		ae_json_string(f, p->origin_name);
		fputs(", \"policy_id\": ", f);
		ae_json_string(f, p->policy_id);
		fputs(", \"friendly_name\": ", f);
		ae_json_string(f, p->friendly_name);
		fprintf(f, ", \"cost\": %u, \"flags\": %u, \"auth\": ", (unsigned)p->cost,
			(unsigned)p->flags);
		ae_json_string(f, auth_name(p));
		fputs(", \"state\": ", f);
		ae_json_string(f, ae_polsrv_state_name(p->state));
		fputs(", \"note\": ", f);
		ae_json_string(f, p->note);
		utc(p->fetched, when, sizeof(when));
		fprintf(f, ", \"from_cache\": %s, \"fetched\": ", p->from_cache ? "true" : "false");
		ae_json_string(f, when[0] ? when : NULL);
		fputs(", \"templates\": [", f);
		for (i = 0; i < p->num_templates && p->first_template + i < r->num_templates; i++) {
			fputs(i ? ", " : "", f);
			ae_json_string(f, r->templates[p->first_template + i]->cn);
		}
		fputs("]}", f);
	}
	fputc(']', f);
}

static void text_servers(FILE *f, const struct ae_policy_report *r)
{
	size_t k;
	char when[32];

	fputs("\nPolicy servers (in the order used)\n", f);
	for (k = 0; k < r->num_servers; k++) {
		const struct ae_polsrv *p = &r->servers[k];
		fprintf(f, "  %-8s %s\n", ae_polsrv_state_name(p->state), p->url);
		fprintf(f, "           from %s (%s), policy ID %s, cost %u, auth %s",
			origin_text(p->origin), p->origin_name ? p->origin_name : "-",
			p->policy_id ? p->policy_id : "-", (unsigned)p->cost, auth_name(p));
		if (p->state == AE_POLSRV_USED) {
			fprintf(f, ", %zu template(s)", p->num_templates);
		}
		utc(p->fetched, when, sizeof(when));
		if (p->kind == AE_POLSRV_XCEP && p->state == AE_POLSRV_USED) {
			fprintf(f, ", %s %s", p->from_cache ? "cached, fetched" : "fetched",
				when[0] ? when : "?");
		}
		fputc('\n', f);
		if (p->note != NULL) {
			fprintf(f, "           %s\n", p->note);
		}
	}
}

static void json_principal(FILE *f, const struct ae_policy_report *r)
{
	const struct ae_principal *p = r->principal;
	char sid[AE_SID_STR_MAX];

	fputs("{\"context\": ", f);
	ae_json_string(f, context_name(r));
	fputs(", \"account\": ", f);
	ae_json_string(f, r->account);
	fputs(", \"sam_account_name\": ", f);
	ae_json_string(f, p ? p->sam_account_name : NULL);
	fputs(", \"dn\": ", f);
	ae_json_string(f, p ? p->dn : NULL);
	fputs(", \"sid\": ", f);
	ae_json_string(f, p ? ae_sid_format(&p->sid, sid) : NULL);
	/* the token decisions were made for: its owner and how many groups */
	fputs(", \"token_owner\": ", f);
	ae_json_string(f, p && p->token ? ae_sid_format(&p->token->user, sid) : NULL);
	fprintf(f, ", \"token_groups\": %zu", p && p->token ? p->token->num_groups : (size_t)0);
	fputs(", \"mail\": ", f);
	ae_json_string(f, p ? p->mail : NULL);
	fputs(", \"user_principal_name\": ", f);
	ae_json_string(f, p ? p->user_principal_name : NULL);
	fputs(", \"dns_host_name\": ", f);
	ae_json_string(f, p ? p->dns_host_name : NULL);
	fprintf(f, ", \"user_certificates\": %zu", p ? p->num_user_certs : (size_t)0);
	fputs(", \"site\": ", f);
	ae_json_string(f, r->site);
	fputs(", \"dc\": ", f);
	ae_json_string(f, r->dc);
	fputc('}', f);
}

/* The valid userCertificate value of template t (ae_ds_cert.h), or NULL. */
static const struct ae_ds_cert *ds_cert_of(const struct ae_policy_report *r,
					   const struct ae_template *t)
{
	size_t i;

	for (i = 0; i < r->num_ds_certs; i++) {
		if (r->ds_certs[i].template_cn == t->cn) {
			return &r->ds_certs[i];
		}
	}
	return NULL;
}

static void json_ds_cert(FILE *f, const struct ae_ds_cert *x)
{
	struct tm tm;
	char when[32] = "";

	if (x == NULL) {
		fputs("null", f);
		return;
	}
	if (gmtime_r(&x->not_after, &tm) != NULL) {
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	fputs("{\"serial\": ", f);
	ae_json_string(f, x->serial_hex);
	fputs(", \"issuer\": ", f);
	ae_json_string(f, x->issuer);
	fputs(", \"not_after\": ", f);
	ae_json_string(f, when);
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
		fputs(", \"policy_server\": ", f);
		ae_json_string(f, c->polsrv < r->num_servers ? r->servers[c->polsrv].url : NULL);
		fprintf(f, ", \"xcep\": %s}", c->xcep_ca != NULL ? "true" : "false");
	}
	fputc(']', f);
}

static const struct ae_config *g_key_config;

void cli_policy_key_config(const struct ae_config *c)
{
	g_key_config = c;
}

/* "key_storage": where the template's new key would live and why (ae_key_choose) */
static void json_key_storage(FILE *f, const struct ae_template *t)
{
	struct ae_key_choice ch;

	fputs(", \"key_storage\": ", f);
	if (g_key_config == NULL) {
		fputs("null", f);
		return;
	}
	ae_key_choose(g_key_config, t, &ch);
	fputs("{\"source\": ", f);
	ae_json_string(f, ae_key_choice_word(&ch));
	fputs(", \"why\": ", f);
	ae_json_string(f, ch.why);
	fputc('}', f);
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
		fprintf(f, ", \"schema_version\": %u, \"major\": %u, \"minor\": %u"
			", \"name_flag\": %u", t->schema_version, t->major_revision,
			t->minor_revision, t->name_flag);
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
		fputs(", \"user_ds_certificate\": ", f);
		json_ds_cert(f, ds_cert_of(r, t));
		fputs(", \"policy_server\": ", f);
		ae_json_string(f, server_of(r, i) ? server_of(r, i)->url : NULL);
		json_key_storage(f, t);
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
	fputs(", \"policy_servers\": ", f);
	json_servers(f, r);
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

/* A valid certificate of t in the user's userCertificate: no new request for it. */
static void print_ds_cert(FILE *f, const struct ae_policy_report *r, const struct ae_template *t)
{
	const struct ae_ds_cert *x = ds_cert_of(r, t);
	const char *who = r->principal && r->principal->sam_account_name ?
			  r->principal->sam_account_name : "the user";
	struct tm tm;
	char when[32] = "?";

	if (x == NULL && r->context == AE_CONTEXT_USER && r->principal != NULL &&
	    (t->enrollment_flag & CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE) != 0) {
		fprintf(f, "  %-24s CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE: no valid "
			"certificate of it among %s's %zu userCertificate value(s)\n", "", who,
			r->principal->num_user_certs);
	}
	if (x == NULL) {
		return;
	}
	if (gmtime_r(&x->not_after, &tm) != NULL) {
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	fprintf(f, "  %-24s a valid certificate is published in %s's userCertificate (serial "
		"%s, issued by %s, valid until %s): no new request "
		"(CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE)\n", "", who, x->serial_hex,
		x->issuer ? x->issuer : "?", when);
}

int cli_policy_text(FILE *f, const struct ae_policy_report *r)
{
	char sid[AE_SID_STR_MAX];
	size_t i, j;

	const struct ae_principal *p = r->principal;

	fprintf(f, "Principal (%s context): %s (%s)\n  DN:   %s\n", context_name(r), r->account,
		p ? ae_sid_format(&p->sid, sid) : "?", p ? p->dn : "?");
	if (p != NULL && p->token != NULL) {
		fprintf(f, "  token: owner %s, %zu groups\n", ae_sid_format(&p->token->user, sid),
			p->token->num_groups);
	}
	if (p != NULL && r->context == AE_CONTEXT_USER) {
		fprintf(f, "  mail: %s\n  UPN:  %s\n  userCertificate: %zu value(s)\n",
			p->mail ? p->mail : "(none)",
			p->user_principal_name ? p->user_principal_name : "(none)",
			p->num_user_certs);
	} else if (p != NULL) {
		fprintf(f, "  DNS:  %s\n", p->dns_host_name ? p->dns_host_name : "(none)");
	}
	fprintf(f, "  site: %s (the computer's)\n  DC:   %s\n\n", r->site ? r->site : "(none)",
		r->dc ? r->dc : "(none: a workgroup machine)");
	fprintf(f, "Group Policy objects (%s side)\n", r->context == AE_CONTEXT_USER ?
		"user" : "computer");
	if (r->gpolist != NULL) {
		(void)ae_gpolist_dump(f, r->gpolist);
	}
	fputc('\n', f);
	if (r->settings != NULL) {
		(void)ae_aesettings_dump(f, r->settings);
	}
	text_servers(f, r);
	fputs("\nEnterprise CAs\n", f);
	for (i = 0; i < r->num_cas; i++) {
		fprintf(f, "  %s on %s:", r->cas[i]->cn, r->cas[i]->dns_host ? r->cas[i]->dns_host : "?");
		for (j = 0; j < r->cas[i]->num_templates; j++) {
			fprintf(f, " %s", r->cas[i]->templates[j]);
		}
		if (r->cas[i]->xcep_ca != NULL && r->cas[i]->polsrv < r->num_servers) {
			fprintf(f, "  (MS-XCEP, from %s)", r->servers[r->cas[i]->polsrv].url);
		}
		fputc('\n', f);
	}
	fputs("\nTemplates\n", f);
	for (i = 0; i < r->num_templates; i++) {
		const struct ae_eligibility *e = r->eligibility ? &r->eligibility[i] : NULL;
		const struct ae_polsrv *ps = server_of(r, i);

		if (ps != NULL && ps->first_template == i && (ps->kind == AE_POLSRV_XCEP || i > 0)) {
			fprintf(f, " (from %s)\n", ps->url);
		}
		fprintf(f, "  %-24s v%u %u.%u  %s\n", r->templates[i]->cn,
			r->templates[i]->schema_version, r->templates[i]->major_revision,
			r->templates[i]->minor_revision,
			e ? (e->reason ? e->reason : e->code_name) : "?");
		if (g_key_config != NULL && e != NULL && e->code == AE_ELIGIBLE) {
			struct ae_key_choice ch;

			ae_key_choose(g_key_config, r->templates[i], &ch);
			fprintf(f, "  %-24s key: %s (%s)\n", "", ae_key_choice_word(&ch), ch.why);
		}
		print_ds_cert(f, r, r->templates[i]);
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
