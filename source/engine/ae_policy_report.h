/*
 * ae_policy_report.h: everything `autoenroll policy` shows, collected in
 * one pass: the principal (token, site), the GPO list (MS-GPOL) and the
 * AutoEnrollment settings merged from each GPO's Machine/Registry.pol
 * (User/Registry.pol in the user context),
 * the enterprise CAs, and every template with its eligibility and reason.
 * Problems with one object (a GPO's file, a template's attribute) are
 * collected in errors[] and the rest is still processed.
 */
#ifndef AE_POLICY_REPORT_H
#define AE_POLICY_REPORT_H

#include <stdint.h>
#include <stdio.h>
#include <stdbool.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_session.h"

struct ae_principal;
struct ae_gpolist;
struct ae_aesettings;
struct ae_enrollment_service;
struct ae_template;
struct ae_eligibility;
struct ae_ds_cert;

struct ae_policy_error {
	char *object;		/* a DN, or "<GPO name> {GUID}" */
	char *attribute;	/* the attribute or file */
	char *message;
};

struct ae_policy_report {
	struct ae_principal *principal;
	enum ae_context context;	/* the session's: machine or user */
	char *account;			/* DOMAIN\NAME$, or DOMAIN\user */
	char *site;			/* client site from the DC locator; NULL if none */
	char *dc;
	struct ae_gpolist *gpolist;
	struct ae_aesettings *settings;
	struct ae_enrollment_service **cas;
	size_t num_cas;
	struct ae_template **templates;
	size_t num_templates;
	struct ae_eligibility *eligibility;	/* num_templates entries */
	/*
	 * User context: the valid certificates of templates with
	 * CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE in the user's
	 * userCertificate (ae_ds_cert.h), for decide(); NULL / 0 otherwise.
	 */
	struct ae_ds_cert *ds_certs;
	size_t num_ds_certs;
	/*
	 * Every policy server of the cycle (ae_polsrv.h), in the order used:
	 * the AD policy (LDAP:) and MS-XCEP policy servers from the GPOs'
	 * PolicyServers and the local configuration, with their state. The
	 * templates and CAs of an XCEP server are in templates[] / cas[] too
	 * (a CA's polsrv index names its server).
	 */
	struct ae_polsrv *servers;
	size_t num_servers;
	struct ae_policy_error *errors;
	size_t num_errors;
	unsigned ldap_searches;
	unsigned smb_reads;
	unsigned gpo_cache_hits;
	/* for the no-op memo (ae_noop.h): the DC's marks read before the full
	 * read (ae_policy_collect_marked), the site SOM's DN and the other SOMs
	 * and every GPO their gPLinks name (ae_gpo_collect.c) */
	struct ae_noop_marks *noop_marks;
	char *site_dn;
	char **watch_dns;
	size_t num_watch_dns;
};

/*
 * Whether eligibility reasons name the SIDs they cite ("LAB\Deny Certs
 * (S-1-5-21-...)"), one LDAP search per SID: `autoenroll policy` turns it
 * on; the cycle leaves it off (the default) and its items cite the SID
 * alone, so that a cycle spends no search on wording.
 */
void ae_policy_name_sids(bool on);

/* Collect the report for the session's principal (s->context, s->sam_account_name). */
ae_err ae_policy_collect(TALLOC_CTX *mem_ctx, struct ae_session *s,
			 struct ae_policy_report **_r);

/* The same, reading the DC's marks first when marks is true (ae_noop.h). */
ae_err ae_policy_collect_marked(TALLOC_CTX *mem_ctx, struct ae_session *s, bool marks,
				struct ae_policy_report **_r);

/* Add one entry to r->errors (and log it as a warning). */
void ae_policy_report_error(struct ae_policy_report *r, const char *object,
			    const char *attribute, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The GPO half (ae_gpo_collect.c): SOMs, GPOs, SYSVOL, merged settings. */
ae_err ae_gpo_collect(struct ae_session *s, struct ae_policy_report *r);

#endif
