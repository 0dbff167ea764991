/*
 * ae_policy_report.c: `autoenroll policy`: the principal and its site, the
 * Group Policy half (ae_gpo_collect.c), then the enrollment policy from the
 * configuration NC and each template's eligibility with its reason.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <talloc.h>
#include "ae_smbconf.h"
#include "ae_policy_report.h"
#include "ae_creds.h"
#include "ae_log.h"
#include "ae_ldap.h"
#include "ae_entry.h"
#include "ae_principal.h"
#include "ae_cldap.h"
#include "ae_netlogon.h"
#include "ae_sid.h"
#include "ae_template.h"
#include "ae_pki.h"
#include "ae_eligibility.h"
#include "ae_name_req.h"
#include "ae_aesettings.h"
#include "ae_clock.h"
#include "ae_ds_cert.h"
#include "ae_polsrv.h"
#include "ae_polsrv_private.h"
#include "ae_noop.h"

void ae_policy_report_error(struct ae_policy_report *r, const char *object,
			    const char *attribute, const char *fmt, ...)
{
	struct ae_policy_error *e;
	va_list ap;

	e = talloc_realloc(r, r->errors, struct ae_policy_error, r->num_errors + 1);
	if (e == NULL) {
		return;
	}
	r->errors = e;
	e = &r->errors[r->num_errors++];
	e->object = talloc_strdup(r->errors, object ? object : "");
	e->attribute = talloc_strdup(r->errors, attribute ? attribute : "");
	va_start(ap, fmt);
	e->message = talloc_vasprintf(r->errors, fmt, ap);
	va_end(ap);
	AE_WARN("%s: %s: %s", e->object, e->attribute, e->message ? e->message : "");
}

static bool name_sids;	/* ae_policy_name_sids */

void ae_policy_name_sids(bool on)
{
	name_sids = on;
}

/* SID -> "DOMAIN\name" for reasons like "denied Enroll by LAB\Deny Certs". */
struct namer {
	struct ae_session *s;
	TALLOC_CTX *mem;
	struct { struct ae_sid sid; char *name; } cache[64];
	size_t n;
};

static const char *name_sid(void *private_data, const struct ae_sid *sid)
{
	static const char *const attrs[] = { "sAMAccountName", NULL };
	struct namer *nm = private_data;
	struct ae_ldap_entry **e = NULL;
	char *sid_str = ae_sid_to_string(nm->mem, sid), *filter, *name = NULL;
	size_t num = 0, i;

	for (i = 0; i < nm->n; i++) {
		if (ae_sid_equal(&nm->cache[i].sid, sid)) {
			return nm->cache[i].name;
		}
	}
	if (sid_str == NULL) {
		return NULL;
	}
	filter = talloc_asprintf(nm->mem, "(objectSid=%s)", sid_str);
	if (filter != NULL &&
	    ae_ldap_search(nm->s->ldap, nm->mem, nm->s->rootdse->default_nc, AE_LDAP_SCOPE_SUBTREE,
			   filter, attrs, 0, &e, &num) == AE_OK && num == 1 &&
	    e[0]->num_attrs > 0 && e[0]->attrs[0].num_values > 0) {
		/* the eligibility text adds the SID itself */
		name = talloc_asprintf(nm->mem, "%s\\%s", nm->s->conf->workgroup,
				       (const char *)e[0]->attrs[0].values[0].data);
	}
	if (name == NULL) {
		name = sid_str;
	}
	if (nm->n < sizeof(nm->cache) / sizeof(nm->cache[0])) {
		nm->cache[nm->n].sid = *sid;
		nm->cache[nm->n++].name = name;
	}
	return name;
}

/*
 * The AD policy (templates, Enrollment Services, eligibility) as policy
 * server k of the report (ae_polsrv.h: read only when the cycle's policy
 * servers include the AD group).
 */
ae_err ae_policy_read_ad(struct ae_session *s, struct ae_policy_report *r, size_t k)
{
	struct ae_policy_skip *skipped = NULL;
	size_t num_skipped = 0, i, num_t = 0, num_c = 0;
	struct ae_template **t = NULL;
	struct ae_enrollment_service **cas = NULL;
	struct ae_eligibility *elig = NULL;
	struct namer *nm = talloc_zero(r, struct namer);
	struct ae_subject_attrs subject = { 0 };
	ae_err err;

	if (nm == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_policy_read_templates(s->ldap, r, s->rootdse->configuration_nc, true,
				       &t, &num_t, &skipped, &num_skipped);
	if (err != AE_OK) {
		ae_policy_report_error(r, "CN=Certificate Templates", "", "cannot read the "
				       "templates: %s", ae_strerror(err));
		return err;
	}
	for (i = 0; i < num_skipped; i++) {
		const char *colon = strchr(skipped[i].why, ':');
		char *attr = colon ? talloc_strndup(r, skipped[i].why, colon - skipped[i].why) : NULL;
		ae_policy_report_error(r, skipped[i].dn, attr ? attr : "", "%s; the template is "
				       "skipped", skipped[i].why);
	}
	err = ae_policy_read_enrollment_services(s->ldap, r, s->rootdse->configuration_nc,
						 &cas, &num_c);
	if (err != AE_OK) {
		ae_policy_report_error(r, "CN=Enrollment Services", "", "cannot read the "
				       "enterprise CAs: %s", ae_strerror(err));
		return err;
	}
	for (i = 0; i < num_c; i++) {
		cas[i]->polsrv = k;
	}
	nm->s = s;
	nm->mem = nm;
	subject.account = r->principal->sam_account_name;
	subject.mail = r->principal->mail;
	subject.upn = r->principal->user_principal_name;
	subject.dns_host_name = r->principal->dns_host_name;
	err = ae_eligibility_compute_subject(r, t, num_t, cas, num_c, r->principal->token,
					     s->context, &subject, name_sids ? name_sid : NULL,
					     nm, &elig);
	if (err == AE_OK) {
		err = ae_polsrv_report_add(r, k, t, num_t, cas, num_c, elig);
	}
	return err;
}

/*
 * User context: the valid certificates of the templates that check the
 * user's userCertificate ([MS-CRTD] 2.26, ae_ds_cert.h), at the cycle's now.
 */
static ae_err read_ds_certs(struct ae_session *s, struct ae_policy_report *r)
{
	const struct ae_principal *p = r->principal;
	size_t rejected = 0;
	ae_err err;

	if (s->context != AE_CONTEXT_USER) {
		return AE_OK;
	}
	if (p->user_certs_dropped > 0) {
		ae_policy_report_error(r, p->dn, "userCertificate", "%zu value(s) above the caps "
				       "(%d values of at most %d bytes) are not considered",
				       p->user_certs_dropped, AE_PRINCIPAL_CERTS_MAX,
				       AE_PRINCIPAL_CERT_MAX);
	}
	err = ae_ds_certs_find(r, p->user_certs, p->num_user_certs, r->templates,
			       r->num_templates, r->cas, r->num_cas, ae_now(), &r->ds_certs,
			       &r->num_ds_certs, &rejected);
	if (err == AE_OK && rejected > 0) {
		ae_policy_report_error(r, p->dn, "userCertificate", "%zu value(s) are not one DER "
				       "certificate and are ignored", rejected);
	}
	return err;
}

/* A workgroup machine: no principal, no GPO, no LDAP: the local policy servers. */
static ae_err collect_workgroup(struct ae_session *s, struct ae_policy_report *r)
{
	ae_err err;

	r->settings = ae_polsrv_workgroup_settings(r);
	if (r->settings == NULL) {
		return AE_ERR_NOMEM;
	}
	s->error[0] = '\0';
	err = ae_polsrv_collect(s, r);
	if (err != AE_OK && s->error[0] == '\0') {
		snprintf(s->error, sizeof(s->error), "local policy servers: %s", ae_strerror(err));
	}
	return err;
}

ae_err ae_policy_collect(TALLOC_CTX *mem_ctx, struct ae_session *s,
			 struct ae_policy_report **_r)
{
	return ae_policy_collect_marked(mem_ctx, s, false, _r);
}

ae_err ae_policy_collect_marked(TALLOC_CTX *mem_ctx, struct ae_session *s, bool marks,
				struct ae_policy_report **_r)
{
	struct ae_policy_report *r = talloc_zero(mem_ctx, struct ae_policy_report);
	struct ae_netlogon *nl = NULL;
	uint8_t forest_guid[16];
	const char *sam = NULL;
	ae_err err;

	if (r == NULL) {
		return AE_ERR_NOMEM;
	}
	*_r = r;
	r->dc = talloc_strdup(r, s->dc);
	r->account = talloc_strdup(r, s->account);
	r->context = s->context;
	if (s->workgroup) {
		return collect_workgroup(s, r);
	}
	err = ae_session_ldap(s);
	if (err != AE_OK) {
		return err;
	}
	/* the no-op memo's high-water mark: read before anything it covers */
	if (marks && ae_noop_marks_read(s, r, &r->noop_marks) != AE_OK) {
		r->noop_marks = NULL;
	}
	sam = s->sam_account_name;
	err = ae_principal_read(s->ldap, r, s->rootdse->default_nc, sam, &r->principal);
	if (err != AE_OK) {
		snprintf(s->error, sizeof(s->error), "cannot read the account %s under %s "
			 "from %s: %s", sam, s->rootdse->default_nc, s->dc, ae_strerror(err));
		return err;
	}
	/* the site: the DC locator's answer (CLDAP), as Windows gets it */
	if (ae_cldap_ping(r, s->dc, s->conf->dnsdomain, s->conf->netbios_name, &nl) ==
	    AE_OK && nl->client_site[0] != '\0') {
		r->site = talloc_strdup(r, nl->client_site);
	} else {
		ae_policy_report_error(r, s->dc, "CLDAP", "no site from the DC locator; site-linked "
				       "GPOs are not considered");
	}
	err = ae_gpo_collect(s, r);	/* sets s->error when it fails */
	if (err != AE_OK) {
		return err;
	}
	if (ae_ldap_object_guid(s->ldap, s->rootdse->root_domain_nc, forest_guid) == AE_OK) {
		(void)ae_aesettings_check_forest(r->settings, forest_guid);
	} else {
		ae_policy_report_error(r, s->rootdse->root_domain_nc, "objectGUID", "cannot read the "
				       "forest root GUID; LDAP: policy servers stay unchecked");
	}
	/* the policy servers: the AD policy (ae_policy_read_ad) only when its group is used */
	s->error[0] = '\0';
	err = ae_polsrv_collect(s, r);
	if (err == AE_OK) {
		err = read_ds_certs(s, r);
	}
	r->ldap_searches = ae_ldap_search_count(s->ldap);
	if (err != AE_OK && s->error[0] == '\0') {
		snprintf(s->error, sizeof(s->error), "enrollment policy from %s: %s", s->dc,
			 ae_strerror(err));
	}
	return err;
}
