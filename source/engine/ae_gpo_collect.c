/*
 * ae_gpo_collect.c: the AutoEnrollment settings of the principal (the
 * machine, or the user in the user context) from Group
 * Policy: the SOM chain of its object (site, domain, OUs), the GPO objects
 * linked there (only those whose cn is a {GUID}), the MS-GPOL list
 * (source/gpo); then ae_gpo_sysvol.c reads each applied GPO's GPT.INI and
 * Machine/Registry.pol (User/Registry.pol for a user) and merges them in
 * precedence order. The user's list is computed for the user object's OU
 * chain and the site of the computer it runs on (the CLDAP ping's
 * answer), with the user's token for security filtering. Loopback
 * processing (UserPolicyMode in the computer's policy) is not supported:
 * the user's own SOM chain decides.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <talloc.h>
#include <param.h>
#include "ae_policy_report.h"
#include "ae_log.h"
#include "ae_ldap.h"
#include "ae_entry.h"
#include "ae_principal.h"
#include "ae_secdesc.h"
#include "ae_gplink.h"
#include "ae_gpolist.h"
#include "ae_dn.h"
#include "ae_gpo_cache.h"
#include "ae_gpo_private.h"

#define AE_GPO_MAX 1024		/* GPOs linked along one SOM chain */
#define AE_SOM_MAX 64		/* site + domain + nested OUs */

static const char *const som_attrs[] = { "gPLink", "gPOptions", NULL };
static const char *const gpo_attrs[] = { "cn", "displayName", "flags", "versionNumber",
					 "gPCFunctionalityVersion", "gPCFileSysPath",
					 "nTSecurityDescriptor", NULL };

static const struct ae_ldap_value *value_of(const struct ae_ldap_entry *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->num_attrs; i++) {
		if (strcasecmp(e->attrs[i].name, name) == 0 && e->attrs[i].num_values > 0) {
			return &e->attrs[i].values[0];
		}
	}
	return NULL;
}

static uint32_t u32_of(const struct ae_ldap_entry *e, const char *name, uint32_t dflt)
{
	const struct ae_ldap_value *v = value_of(e, name);
	char *end = NULL;
	long long n;

	if (v == NULL) {
		return dflt;
	}
	n = strtoll((const char *)v->data, &end, 10);
	if (end == (const char *)v->data || *end != '\0') {
		return dflt;
	}
	return (uint32_t)n;	/* LDAP integers are signed 32-bit: keep the bits */
}

/* The OUs between the object and the domain NC, top-most first. */
static ae_err som_chain(struct ae_session *s, TALLOC_CTX *mem, struct ae_policy_report *r,
			const char *site, struct ae_som **_soms, size_t *_n)
{
	const char *domain_nc = s->rootdse->default_nc;
	const char *dn = r->principal->dn;
	const char *ous[AE_SOM_MAX];
	struct ae_som *soms = talloc_zero_array(mem, struct ae_som, AE_SOM_MAX + 2);
	size_t num_ous = 0, n = 0, i;
	const char *p;

	if (soms == NULL) {
		return AE_ERR_NOMEM;
	}
	/* walk up the DN: each parent that is an OU is a SOM (containers are not) */
	for (p = dn; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p != ',') {
			continue;
		}
		if (strcasecmp(p + 1, domain_nc) == 0) {
			break;
		}
		if (strncasecmp(p + 1, "OU=", 3) == 0 && num_ous < AE_SOM_MAX) {
			ous[num_ous++] = p + 1;
		}
	}
	if (site != NULL && site[0] != '\0') {
		/* the site name is the DC's answer: an escaped RDN value (RFC 4514 2.4) */
		char *rdn = ae_dn_escape_value(soms, site);

		if (rdn == NULL) {
			ae_policy_report_error(r, site, "site", "not usable in a DN; site-linked "
					       "GPOs are not considered");
		} else {
			soms[n].type = AE_SOM_SITE;
			soms[n++].dn = talloc_asprintf(soms, "CN=%s,CN=Sites,%s", rdn,
						       s->rootdse->configuration_nc);
		}
	}
	soms[n].type = AE_SOM_DOMAIN;
	soms[n++].dn = talloc_strdup(soms, domain_nc);
	for (i = num_ous; i > 0; i--) {
		soms[n].type = AE_SOM_OU;
		soms[n++].dn = talloc_strdup(soms, ous[i - 1]);
	}
	for (i = 0; i < n; i++) {
		struct ae_ldap_entry **e = NULL;
		const struct ae_ldap_value *v;
		size_t num = 0;
		ae_err err;
		struct ae_gplink *gl = NULL;

		if (soms[i].dn == NULL) {
			return AE_ERR_NOMEM;
		}
		err = ae_ldap_search(s->ldap, soms, soms[i].dn, AE_LDAP_SCOPE_BASE,
				     "(objectClass=*)", som_attrs, 0, &e, &num);
		if (err == AE_ERR_NOT_FOUND || (err == AE_OK && num == 0)) {
			continue;	/* e.g. a site object we may not read */
		}
		if (err != AE_OK) {
			ae_policy_report_error(r, soms[i].dn, "gPLink", "cannot read: %s",
					       ae_strerror(err));
			continue;
		}
		soms[i].gpoptions = u32_of(e[0], "gPOptions", 0);
		v = value_of(e[0], "gPLink");
		if (v == NULL) {
			continue;
		}
		err = ae_gplink_parse(soms, v->data, v->len, &gl);
		if (err != AE_OK) {
			ae_policy_report_error(r, soms[i].dn, "gPLink", "malformed value: %s",
					       ae_strerror(err));
			continue;
		}
		soms[i].gplink = gl;
	}
	*_soms = soms;
	*_n = n;
	return AE_OK;
}

/* At most max bytes of a directory string for a message, control bytes as '?'. */
static const char *printable(TALLOC_CTX *mem, const char *v, size_t max)
{
	char *p = talloc_strndup(mem, v, max);
	size_t i;

	for (i = 0; p != NULL && p[i] != '\0'; i++) {
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) {
			p[i] = '?';
		}
	}
	return p != NULL ? p : "";
}

static ae_err gpo_objects(struct ae_session *s, TALLOC_CTX *mem, struct ae_policy_report *r,
			  const struct ae_som *soms, size_t num_soms,
			  struct ae_gpo_object **_gpos, size_t *_n)
{
	struct ae_gpo_object *gpos = talloc_zero_array(mem, struct ae_gpo_object, AE_GPO_MAX);
	size_t n = 0, i, j, k;

	if (gpos == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < num_soms; i++) {
		for (j = 0; soms[i].gplink != NULL && j < soms[i].gplink->num_links; j++) {
			const char *dn = soms[i].gplink->links[j].dn;
			struct ae_ldap_entry **e = NULL;
			const struct ae_ldap_value *v;
			struct ae_gpo_object *g;
			char guid[AE_GPO_GUID_MAX];
			size_t num = 0;
			ae_err err;

			for (k = 0; k < n; k++) {
				if (strcasecmp(gpos[k].dn, dn) == 0) {
					break;
				}
			}
			if (k < n || n == AE_GPO_MAX) {
				continue;	/* already read (linked twice) */
			}
			err = ae_ldap_search(s->ldap, gpos, dn, AE_LDAP_SCOPE_BASE, "(objectClass=*)",
					     gpo_attrs, AE_LDAP_SEARCH_SD_DACL, &e, &num);
			if (err != AE_OK || num == 0) {
				/* missing or unreadable: the list says so (not in the table) */
				continue;
			}
			/* the cn names cache files: a {GUID} or nothing ([MS-GPOL] 2.2.4) */
			v = value_of(e[0], "cn");
			if (v == NULL || ae_gpo_guid_canon((const char *)v->data, guid) != AE_OK) {
				/* an error, not a warning: `run` names it without -d */
				AE_ERROR("GPO %s: cn is not a {GUID}; the GPO is skipped",
					 printable(gpos, e[0]->dn, 1024));
				ae_policy_report_error(r, e[0]->dn, "cn", "not a {GUID} (\"%s\"); "
						       "the GPO is skipped",
						       printable(gpos, v ? (const char *)v->data : "", 80));
				continue;
			}
			g = &gpos[n++];
			g->dn = talloc_strdup(gpos, e[0]->dn);
			g->guid = talloc_strdup(gpos, guid);
			v = value_of(e[0], "displayName");
			g->display_name = v ? talloc_strdup(gpos, (const char *)v->data) : NULL;
			g->flags = u32_of(e[0], "flags", 0);
			g->version_number = u32_of(e[0], "versionNumber", 0);
			g->functionality_version = u32_of(e[0], "gPCFunctionalityVersion", 0);
			v = value_of(e[0], "gPCFileSysPath");
			g->file_sys_path = v ? talloc_strdup(gpos, (const char *)v->data) : NULL;
			v = value_of(e[0], "nTSecurityDescriptor");
			if (v != NULL) {
				struct ae_secdesc *sd = NULL;
				if (ae_secdesc_parse(gpos, v->data, v->len, &sd) == AE_OK) {
					g->sd = sd;
				} else {
					ae_policy_report_error(r, g->dn, "nTSecurityDescriptor",
							       "malformed security descriptor; the "
							       "GPO is not applied");
				}
			}
		}
	}
	*_gpos = gpos;
	*_n = n;
	return AE_OK;
}

/* For the no-op memo (ae_noop.h): the site SOM, the other SOMs, every linked GPO. */
static ae_err note_watch(struct ae_policy_report *r, const struct ae_som *soms, size_t num)
{
	size_t i, j, k;

	r->watch_dns = talloc_zero_array(r, char *, 1);
	r->num_watch_dns = 0;
	for (i = 0; r->watch_dns != NULL && i < num; i++) {
		size_t links = soms[i].gplink != NULL ? soms[i].gplink->num_links : 0;
		if (soms[i].type == AE_SOM_SITE) {
			r->site_dn = talloc_strdup(r, soms[i].dn);
			continue;
		}
		for (j = 0; j <= links && r->watch_dns != NULL; j++) {
			const char *dn = j == 0 ? soms[i].dn : soms[i].gplink->links[j - 1].dn;
			for (k = 0; k < r->num_watch_dns && strcasecmp(r->watch_dns[k], dn); k++) {
			}
			if (k < r->num_watch_dns) {
				continue;
			}
			r->watch_dns = talloc_realloc(r, r->watch_dns, char *, r->num_watch_dns + 1);
			if (r->watch_dns != NULL &&
			    (r->watch_dns[r->num_watch_dns++] = talloc_strdup(r->watch_dns, dn)) == NULL) {
				return AE_ERR_NOMEM;
			}
		}
	}
	return r->watch_dns != NULL ? AE_OK : AE_ERR_NOMEM;
}

ae_err ae_gpo_collect(struct ae_session *s, struct ae_policy_report *r)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_som *soms = NULL;
	struct ae_gpo_object *gpos = NULL;
	struct ae_gpolist_input in = { .context = s->context == AE_CONTEXT_USER ?
						AE_GPO_CONTEXT_USER : AE_GPO_CONTEXT_MACHINE };
	size_t num_soms = 0, num_gpos = 0;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	s->error[0] = '\0';
	err = som_chain(s, tmp, r, r->site, &soms, &num_soms);
	if (err == AE_OK) {
		err = gpo_objects(s, tmp, r, soms, num_soms, &gpos, &num_gpos);
	}
	if (err == AE_OK) {
		err = note_watch(r, soms, num_soms);
	}
	if (err == AE_OK) {
		in.soms = soms;
		in.num_soms = num_soms;
		in.gpos = gpos;
		in.num_gpos = num_gpos;
		in.token = r->principal->token;
		err = ae_gpolist_compute(r, &in, &r->gpolist);
	}
	if (err == AE_OK) {
		err = ae_gpo_sysvol_settings(s, r, tmp);
	}
	if (err != AE_OK && s->error[0] == '\0') {
		snprintf(s->error, sizeof(s->error), "Group Policy of %s: %s",
			 r->account ? r->account : "", ae_strerror(err));
	}
	talloc_free(tmp);
	return err;
}
