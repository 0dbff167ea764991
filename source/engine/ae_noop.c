/*
 * ae_noop.c: the no-op fast path (ae_noop.h): the memo checked locally,
 * then three searches sent together on the one sealed connection:
 *
 *  (a) BASE <SID=S-...> ([MS-ADTS] 3.1.1.3.1.2.4: a DN may name an object
 *      by its SID): the principal's object with tokenGroups, read into the
 *      same struct as the full read and digested the same way;
 *  (b) the default NC: the SOM chain's containers and every linked GPO,
 *      changed since the mark: (&(uSNChanged>=M+1)(|(distinguishedName=..)..));
 *  (c) the configuration NC: any PKI object the full read reads
 *      (Enrollment Services, certification authorities, CDP objects; the
 *      templates the memo lists, or every template: ae_noop_save.c; not
 *      the msPKI-Enterprise-Oid objects, which no decision reads and of
 *      which a forest has one per template)
 *      or the site, changed since the mark, or the DC's own NTDS Settings object
 *      (whose invocationId must be the memo's: uSNs are the DC's own,
 *      [MS-ADTS] 3.1.1.1.9; a restored DC gets a new invocationId).
 *
 * Each uSNChanged term is ANDed with indexed terms (distinguishedName,
 * objectClass), so the DC answers from its indexes, not by scanning the
 * partition. (b) asks for one entry at most: any is a change.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <talloc.h>
#include "ae_noop.h"
#include "ae_cycle_private.h"
#include "ae_policy_report.h"
#include "ae_ldap.h"
#include "ae_entry.h"
#include "ae_principal.h"
#include "ae_store.h"
#include "ae_file.h"
#include "ae_clock.h"
#include "ae_log.h"

static const char *const principal_attrs[] = {
	"sAMAccountName", "objectSid", "primaryGroupID", "dNSHostName", "userAccountControl",
	"objectGUID", "mail", "userPrincipalName", "userCertificate", "tokenGroups", NULL
};
static const char *const no_attrs[] = { "1.1", NULL };	/* RFC 4511 4.5.1.8 */
static const char *const dsa_attrs[] = { "invocationId", NULL };

bool ae_noop_allowed(const struct ae_session *s, const struct ae_cycle_opts *o)
{
	return !s->workgroup && s->dc != NULL && !o->dry_run && o->renew_template == NULL &&
	       s->gpo_cache_dir != NULL;
}

/* One single-valued attribute of a one-entry answer. */
static const struct ae_ldap_value *one_value(struct ae_ldap_entry **e, size_t n,
					     const char *attr)
{
	const struct ae_ldap_attr *a = n == 1 ? ae_entry_attr(e[0], attr) : NULL;

	return a != NULL && a->num_values == 1 ? &a->values[0] : NULL;
}

ae_err ae_noop_marks_read(struct ae_session *s, TALLOC_CTX *mem, struct ae_noop_marks **_m)
{
	static const char *const attrs[] = { "highestCommittedUSN", "dsServiceName", NULL };
	struct ae_noop_marks *m = talloc_zero(mem, struct ae_noop_marks);
	struct ae_ldap_entry **e = NULL;
	const struct ae_ldap_value *usn, *dsa, *inv;
	char num[24];
	size_t n = 0;
	ae_err err;

	if (m == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_ldap_search(s->ldap, m, "", AE_LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0,
			     &e, &n);
	usn = err == AE_OK ? one_value(e, n, attrs[0]) : NULL;
	dsa = err == AE_OK ? one_value(e, n, attrs[1]) : NULL;
	if (usn == NULL || dsa == NULL || usn->len == 0 || usn->len >= sizeof(num) ||
	    memchr(dsa->data, '\0', dsa->len) != NULL) {
		talloc_free(m);
		return err != AE_OK ? err : AE_ERR_PARSE;
	}
	memcpy(num, usn->data, usn->len);
	num[usn->len] = '\0';
	if (sscanf(num, "%llu", (unsigned long long *)&m->usn) != 1 || num[0] == '-') {
		talloc_free(m);
		return AE_ERR_PARSE;
	}
	m->ds_service_name = talloc_strndup(m, (const char *)dsa->data, dsa->len);
	err = m->ds_service_name == NULL ? AE_ERR_NOMEM :
	      ae_ldap_search(s->ldap, m, m->ds_service_name, AE_LDAP_SCOPE_BASE,
			     "(objectClass=*)", dsa_attrs, 0, &e, &n);
	inv = err == AE_OK ? one_value(e, n, dsa_attrs[0]) : NULL;
	if (inv == NULL || inv->len != sizeof(m->invocation_id)) {
		talloc_free(m);
		return err != AE_OK ? err : AE_ERR_PARSE;
	}
	memcpy(m->invocation_id, inv->data, inv->len);
	*_m = m;
	return AE_OK;
}

/* The memo, if it exists and holds locally: NULL, or why not. */
static const char *memo_load(TALLOC_CTX *mem, struct ae_cycle_ctx *c, struct ae_noop_memo **_m)
{
	struct ae_session *s = c->s;
	uint8_t dig[AE_NOOP_DIGEST_LEN], *data = NULL;
	struct ae_noop_memo *m = NULL;
	char *path = talloc_asprintf(mem, "%s/" AE_NOOP_MEMO_NAME, s->gpo_cache_dir);
	size_t len = 0;
	int64_t now = (int64_t)ae_now();

	if (path == NULL || ae_file_read_at(mem, AT_FDCWD, path, AE_NOOP_MEMO_MAX, 0, &data, &len,
					    NULL, 0) != AE_OK) {
		return "no memo of a full cycle";
	}
	if (ae_noop_memo_parse(mem, data, len, &m) != AE_OK) {
		return "the memo does not parse";
	}
	if (strcasecmp(m->dc, s->dc) != 0) {
		return "another domain controller";
	}
	if (now < m->full_read || now >= m->full_read + AE_NOOP_FULL_READ_S) {
		return "the last full read is older than a day";
	}
	if (now >= m->due) {
		return "a certificate's renewal, expiry or back-off time was reached";
	}
	if (c->r->notes != NULL && c->r->notes[0] != NULL) {
		return "the store was recovered";
	}
	if (ae_noop_digest_config(s, dig) != AE_OK || memcmp(dig, m->config, sizeof(dig))) {
		return "the configuration changed";
	}
	if (ae_noop_digest_store(c->store->fd, dig) != AE_OK || memcmp(dig, m->store, sizeof(dig))) {
		return "the store changed";
	}
	*_m = m;
	return NULL;
}

/* "(distinguishedName=A)(distinguishedName=B)..." (may be ""), or NULL. */
static char *dn_list(TALLOC_CTX *mem, char *const *dns, size_t n)
{
	char *f = talloc_strdup(mem, "");
	size_t i;

	for (i = 0; f != NULL && i < n; i++) {
		char *esc = ae_ldap_escape_filter_value(f, dns[i]);
		f = esc ? talloc_asprintf_append(f, "(distinguishedName=%s)", esc) : NULL;
	}
	return f;
}

/* "(|(distinguishedName=A)(distinguishedName=B)...)" or NULL. */
static char *dn_terms(TALLOC_CTX *mem, char *const *dns, size_t n, const char *extra)
{
	char *f = talloc_strdup(mem, "(|");
	size_t i;

	for (i = 0; f != NULL && i < n; i++) {
		char *esc = ae_ldap_escape_filter_value(f, dns[i]);
		f = esc ? talloc_asprintf_append(f, "(distinguishedName=%s)", esc) : NULL;
	}
	if (f != NULL && extra != NULL) {
		f = talloc_asprintf_append(f, "%s", extra);
	}
	return f != NULL ? talloc_asprintf_append(f, ")") : NULL;
}

static ae_err build(TALLOC_CTX *mem, const struct ae_noop_memo *m, struct ae_ldap_multi q[3])
{
	char *site = m->site ? dn_terms(mem, &m->site, 1, NULL) : talloc_strdup(mem, "");
	char *som = dn_terms(mem, m->watch, m->num_watch, NULL);
	char *dsa = ae_ldap_escape_filter_value(mem, m->ds_service_name);
	/* the listed templates by DN (indexed), not every template by objectClass */
	char *tpl = m->tpls_listed ? dn_list(mem, m->tpls, m->num_tpls) :
		    talloc_strdup(mem, "(objectClass=pKICertificateTemplate)");
	unsigned long long next = (unsigned long long)m->usn + 1;

	q[0] = (struct ae_ldap_multi) { .base = talloc_asprintf(mem, "<SID=%s>", m->principal_sid),
		.scope = AE_LDAP_SCOPE_BASE, .filter = "(objectClass=*)", .attrs = principal_attrs };
	q[1] = (struct ae_ldap_multi) { .base = m->default_nc, .scope = AE_LDAP_SCOPE_SUBTREE,
		.filter = som ? talloc_asprintf(mem, "(&(uSNChanged>=%llu)%s)", next, som) : NULL,
		.attrs = no_attrs, .sizelimit = 1 };
	q[2] = (struct ae_ldap_multi) { .base = m->configuration_nc,
		.scope = AE_LDAP_SCOPE_SUBTREE, .attrs = dsa_attrs, .sizelimit = 2,
		.filter = site && dsa && tpl ? talloc_asprintf(mem, "(|(&(uSNChanged>=%llu)(|"
			"%s(objectClass=pKIEnrollmentService)"
			"(objectClass=certificationAuthority)(objectClass=cRLDistributionPoint)"
			"%s))(distinguishedName=%s))", next,
			tpl, site, dsa) : NULL };
	return q[0].base && q[1].filter && q[2].filter ? AE_OK : AE_ERR_NOMEM;
}

/* The three answers: NULL when nothing changed, else what did. */
static const char *judge(TALLOC_CTX *mem, const struct ae_noop_memo *m,
			 const struct ae_ldap_multi q[3])
{
	uint8_t dig[AE_NOOP_DIGEST_LEN];
	struct ae_principal *p = NULL;
	const struct ae_ldap_value *inv;

	if (q[0].err != AE_OK || q[0].num != 1 ||
	    ae_principal_from_entries(mem, q[0].entries[0], q[0].entries[0], &p, NULL, 0) != AE_OK ||
	    ae_noop_digest_principal(p, dig) != AE_OK || memcmp(dig, m->principal, sizeof(dig))) {
		return "the account, its groups or its certificates changed";
	}
	if (q[1].err != AE_OK || q[1].num > 0 || q[1].truncated) {
		return "a container of the account or a linked GPO changed";
	}
	if (q[2].err != AE_OK || q[2].truncated || q[2].num != 1 ||
	    strcasecmp(q[2].entries[0]->dn, m->ds_service_name) != 0) {
		return "a certificate template, CA or the site changed";
	}
	inv = one_value(q[2].entries, 1, dsa_attrs[0]);
	if (inv == NULL || inv->len != sizeof(m->invocation_id) ||
	    memcmp(inv->data, m->invocation_id, inv->len) != 0) {
		return "the domain controller's invocationId changed (restored)";
	}
	return NULL;
}

/* The rootDSE from the memo: the bind then needs no search for it. */
static ae_err rootdse_from(struct ae_session *s, const struct ae_noop_memo *m)
{
	struct ae_rootdse *r = talloc_zero(s, struct ae_rootdse);

	if (r == NULL) {
		return AE_ERR_NOMEM;
	}
	r->configuration_nc = talloc_strdup(r, m->configuration_nc);
	r->root_domain_nc = talloc_strdup(r, m->root_domain_nc);
	r->default_nc = talloc_strdup(r, m->default_nc);
	r->dns_host_name = talloc_strdup(r, m->dns_host_name);
	if (!r->configuration_nc || !r->root_domain_nc || !r->default_nc || !r->dns_host_name) {
		talloc_free(r);
		return AE_ERR_NOMEM;
	}
	s->rootdse = r;
	return AE_OK;
}

static ae_err report(struct ae_cycle_report *r, const struct ae_noop_memo *m)
{
	size_t i;

	r->policy = talloc_zero(r, struct ae_policy_report);
	if (r->policy == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < m->num_items; i++) {
		const struct ae_noop_item *x = &m->items[i];
		struct ae_cycle_item *it = ae_cycle_item_add(r, x->template_name,
					talloc_strdup(r, x->action), talloc_strdup(r, x->cause));
		if (it == NULL || it->action == NULL || it->cause == NULL) {
			return AE_ERR_NOMEM;
		}
		it->result = x->result[0] == 's' ? "skipped" : "warned";
		it->reason = talloc_strdup(r, x->reason);
		it->ca = x->ca ? talloc_strdup(r, x->ca) : NULL;
	}
	r->noop = true;
	r->noop_full_read = (time_t)m->full_read;
	return AE_OK;
}

ae_err ae_noop_try(struct ae_cycle_ctx *c, bool *_noop)
{
	struct ae_session *s = c->s;
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_ldap_multi q[3];
	struct ae_noop_memo *m = NULL;
	const char *why;
	bool from_memo = false;
	ae_err err;

	*_noop = false;
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	why = memo_load(tmp, c, &m);
	/* the session may be bound already (a kept ticket binds at open), but
	 * no search was made yet: the rootDSE comes from the memo */
	if (why == NULL && s->rootdse == NULL) {
		err = rootdse_from(s, m);
		if (err != AE_OK) {
			talloc_free(tmp);
			return err;
		}
		from_memo = true;
	}
	err = ae_session_ldap(s);	/* with the memo's rootDSE: no search for it */
	if (err == AE_OK && why == NULL) {
		err = build(tmp, m, q);
		if (err == AE_OK) {
			err = ae_ldap_search_multi(s->ldap, tmp, q, 3);
		}
		why = err == AE_OK ? judge(tmp, m, q) : "the change searches failed";
		err = err == AE_ERR_NOMEM ? err : AE_OK;
	}
	if (err == AE_OK && why == NULL) {
		err = report(c->r, m);
		*_noop = err == AE_OK;
		AE_INFO("nothing changed since the full read at %s: no-op cycle",
			ae_cycle_time(tmp, (time_t)m->full_read));
	} else if (err == AE_OK) {
		AE_INFO("full cycle: %s", why);
		if (from_memo) {	/* the rootDSE came from the memo: read it now */
			TALLOC_FREE(s->rootdse);
			err = ae_ldap_rootdse(s->ldap, s, &s->rootdse);
			if (err != AE_OK) {
				snprintf(s->error, sizeof(s->error), "LDAP (sealed GSSAPI) to the "
					 "domain controller %s failed: %s", s->dc, ae_strerror(err));
				TALLOC_FREE(s->ldap);
			}
		}
	}
	talloc_free(tmp);
	return err;
}
