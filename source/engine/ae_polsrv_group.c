/*
 * ae_polsrv_group.c: the traversal of the cycle's policy servers
 * (ae_polsrv.h): the local configuration and the GPO's PolicyServers
 * selected (ae_polsrv_select.c), then each traversed group in order: the
 * AD policy read over LDAP (the caller's read_ad), or an MS-XCEP group:
 * its cached response while within nextUpdateHours, else GetPolicies to
 * each end point in cost order until one answers (ae_polsrv_fetch.c),
 * the answer cached; when every end point fails, the cached response (even
 * when older) is used and marked so. The I/O is passed in (struct
 * ae_polsrv_io) so that the traversal is tested without a network.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "ae_polsrv.h"
#include "ae_polsrv_private.h"
#include "ae_polsrv_local.h"
#include "ae_policy_report.h"
#include "ae_principal.h"
#include "ae_eligibility.h"
#include "ae_name_req.h"
#include "ae_session.h"
#include "ae_token.h"
#include "ae_xcep.h"
#include "ae_log.h"

struct trav {
	struct ae_session *s;
	struct ae_policy_report *r;
	const struct ae_polsrv_io *io;
	struct ae_polsrv_cache *cache;	/* NULL: not usable (noted) */
	bool cache_tried;
	size_t used;			/* servers whose policy is in the report */
	size_t tried;			/* groups traversed */
};

static const char *when_text(time_t t, char *buf, size_t n)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		snprintf(buf, n, "%lld", (long long)t);
	}
	return buf;
}

static struct ae_polsrv_cache *cache_of(struct trav *t)
{
	char why[512] = "";
	const char *dir = t->io->cache_dir;
	char *owned = NULL;

	if (t->cache_tried) {
		return t->cache;
	}
	t->cache_tried = true;
	if (dir == NULL) {
		owned = talloc_asprintf(t->r, "%s/xcep", t->s->run_dir ? t->s->run_dir : "");
		dir = owned;
	}
	if (dir == NULL || ae_polsrv_cache_open(t->r, dir, &t->cache, why, sizeof(why)) != AE_OK) {
		ae_policy_report_error(t->r, dir ? dir : "XCEP cache", "", "%s; policy server "
				       "answers are not cached", why[0] ? why : "cannot open");
		t->cache = NULL;
	}
	talloc_free(owned);
	return t->cache;
}

/* the principal's token and attributes, or those of a workgroup host */
static ae_err eligibility(struct trav *t, const struct ae_xcep_response *resp,
			  struct ae_enrollment_service **cas, size_t num_cas,
			  struct ae_eligibility **_e)
{
	const struct ae_principal *p = t->r->principal;
	struct ae_subject_attrs subject = { 0 };
	const struct ae_token *tok = p != NULL ? p->token : NULL;

	if (tok == NULL) {
		tok = ae_token_new(t->r, &(struct ae_sid){ 0 });
		if (tok == NULL) {
			return AE_ERR_NOMEM;
		}
	}
	subject.account = p ? p->sam_account_name : t->s->sam_account_name;
	subject.mail = p ? p->mail : NULL;
	subject.upn = p ? p->user_principal_name : NULL;
	subject.dns_host_name = p ? p->dns_host_name : t->s->machine_fqdn;
	return ae_eligibility_compute_subject(t->r, resp->templates, resp->num_templates, cas,
					      num_cas, tok, t->s->context, &subject, NULL, NULL, _e);
}

/* server k's policy is resp: its CAs, templates and eligibility into the report */
static ae_err use(struct trav *t, size_t k, struct ae_xcep_response *resp)
{
	struct ae_polsrv *ps = &t->r->servers[k];
	struct ae_enrollment_service **cas = NULL;
	struct ae_eligibility *e = NULL;
	size_t n = 0;
	ae_err err;

	ps->xcep = talloc_steal(t->r, resp);
	ps->state = AE_POLSRV_USED;
	if (resp->policy_id != NULL && ps->origin != AE_POLSRV_FROM_LOCAL &&
	    strcasecmp(resp->policy_id, ps->policy_id) != 0) {
		ae_policy_report_error(t->r, ps->url, "policyID", "the server's policy ID %s is not "
				       "the configured %s", resp->policy_id, ps->policy_id);
	}
	err = ae_polsrv_xcep_cas(t->r, resp, k, &cas, &n);
	if (err == AE_OK) {
		err = eligibility(t, resp, cas, n, &e);
	}
	if (err == AE_OK) {
		err = ae_polsrv_report_add(t->r, k, resp->templates, resp->num_templates, cas, n, e);
	}
	t->used++;
	return err;
}

/*
 * The cached response of the group, parsed, and the member it came from
 * (the group's first when that URL is no longer a member); NULL when none
 * or unusable.
 */
static struct ae_xcep_response *cached(struct trav *t, size_t first, size_t end,
				       time_t *_fetched, size_t *_from)
{
	const struct ae_polsrv *g = &t->r->servers[first];
	struct ae_polsrv_cache *c = cache_of(t);
	struct ae_xcep_response *resp = NULL;
	uint8_t *body = NULL;
	char *url = NULL, why[256] = "";
	size_t len = 0;

	*_from = first;
	if (c == NULL ||
	    ae_polsrv_cache_get(t->r, c, g->policy_id, &body, &len, _fetched, &url) != AE_OK) {
		return NULL;
	}
	for (size_t k = first; k < end; k++) {
		if (strcmp(t->r->servers[k].url, url) == 0) {
			*_from = k;
		}
	}
	if (ae_xcep_parse_response(t->r, body, len, &resp, why, sizeof(why)) != AE_OK) {
		AE_WARN("policy server %s: the cached response is not used: %s", g->url, why);
		resp = NULL;
	}
	talloc_free(body);
	talloc_free(url);
	return resp;
}

static bool has_xcep(const struct trav *t, size_t first, size_t end)
{
	for (size_t k = first; k < end; k++) {
		if (t->r->servers[k].kind == AE_POLSRV_XCEP &&
		    t->r->servers[k].state != AE_POLSRV_DISABLED) {
			return true;
		}
	}
	return false;
}

/* server k is the AD end point of its group: the AD policy over LDAP */
static ae_err read_ad(struct trav *t, size_t k)
{
	ae_err err = t->io->read_ad(t->s, t->r, k);

	t->r->servers[k].state = err == AE_OK ? AE_POLSRV_USED : AE_POLSRV_FAILED;
	t->used += err == AE_OK;
	return err;
}

/*
 * One group, its end points in cost order until one serves it: an XCEP end
 * point by GetPolicies (or the group's fresh cached answer), the AD end
 * point ("LDAP:", in a group with CEPs usually the last by cost) by the
 * LDAP read. A failure of the LDAP read ends the collection, as before.
 */
static ae_err traverse_group(struct trav *t, size_t first, size_t end)
{
	time_t fetched = 0;
	size_t from = first;
	struct ae_xcep_response *old = has_xcep(t, first, end) ?
				       cached(t, first, end, &fetched, &from) : NULL;
	struct ae_polsrv *g = &t->r->servers[from];
	char when[40];

	if (old != NULL && ae_polsrv_cache_fresh(fetched, old->next_update_hours, t->io->now)) {
		g->from_cache = true;
		g->fetched = fetched;
		g->note = talloc_asprintf(t->r, "the cached policy fetched at %s (next update after "
					  "%u hours)", when_text(fetched, when, sizeof(when)),
					  old->next_update_hours);
		return use(t, from, old);
	}
	for (size_t k = first; k < end; k++) {
		struct ae_polsrv *ps = &t->r->servers[k];
		struct ae_xcep_response *resp = NULL;
		uint8_t *body = NULL;
		size_t len = 0;
		char why[768] = "";
		ae_err err;

		if (ps->kind == AE_POLSRV_AD) {
			talloc_free(old);
			return read_ad(t, k);
		}
		err = ae_polsrv_fetch(t->r, t->s, ps, t->io->post, &resp, &body, &len, why,
				      sizeof(why));
		if (err == AE_OK) {
			ps->fetched = t->io->now;
			if (cache_of(t) != NULL &&
			    ae_polsrv_cache_put(t->cache, ps->policy_id, t->io->now, ps->url, body,
						len) != AE_OK) {
				ae_policy_report_error(t->r, ps->url, "cache", "the answer could not "
						       "be cached");
			}
			talloc_free(body);
			talloc_free(old);
			return use(t, k, resp);
		}
		if (err == AE_ERR_NOMEM) {
			return err;
		}
		ps->state = AE_POLSRV_FAILED;
		ps->note = talloc_strdup(t->r, why);
		ae_policy_report_error(t->r, ps->url, "GetPolicies", "%s", why);
		if (!ae_polsrv_fetch_failover(err)) {
			break;	/* the server answered and failed: not asked again */
		}
	}
	if (old == NULL) {
		return AE_OK;
	}
	g->from_cache = true;
	g->fetched = fetched;
	g->note = talloc_asprintf(t->r, "%s%sthe cached policy fetched at %s is used",
				  g->note ? g->note : "", g->note ? "; " : "",
				  when_text(fetched, when, sizeof(when)));
	ae_policy_report_error(t->r, g->url, "GetPolicies", "no end point of policy %s answered: "
			       "the cached policy fetched at %s is used", g->policy_id, when);
	return use(t, from, old);
}

static ae_err load_local(struct trav *t, struct ae_polsrv_localconf **_conf)
{
	char why[512] = "";
	char *path;
	ae_err err;

	*_conf = NULL;
	if (t->s->context != AE_CONTEXT_MACHINE) {
		return AE_OK;
	}
	path = t->io->local_file ? talloc_strdup(t->r, t->io->local_file) :
	       ae_polsrv_local_path(t->r, t->s);
	if (path == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_polsrv_local_load(t->r, path, _conf, why, sizeof(why));
	if (err != AE_OK) {
		snprintf(t->s->error, sizeof(t->s->error), "%s", why);
		ae_policy_report_error(t->r, path, "", "%s", why);
	}
	return err;
}

ae_err ae_polsrv_collect_io(struct ae_session *s, struct ae_policy_report *r,
			    const struct ae_polsrv_io *io)
{
	struct trav t = { .s = s, .r = r, .io = io };
	struct ae_polsrv_localconf *conf = NULL;
	struct ae_polsrv_select_in in = { .settings = r->settings, .joined = !s->workgroup,
					  .local_allowed = s->context == AE_CONTEXT_MACHINE };
	ae_err err = load_local(&t, &conf);

	if (err != AE_OK && s->workgroup) {
		return AE_ERR_CONFIG;	/* nothing else to go by */
	}
	if (conf != NULL) {
		in.local = conf->servers;
		in.num_local = conf->num_servers;
		in.local_origin = conf->path;
	}
	err = ae_polsrv_select(r, &in, &r->servers, &r->num_servers);
	if (err == AE_OK && s->ldap != NULL && s->rootdse != NULL && io->save_ad_roots != NULL &&
	    has_xcep(&t, 0, r->num_servers)) {
		char why[512] = "";
		if (io->save_ad_roots(s, why, sizeof(why)) != AE_OK) {
			ae_policy_report_error(r, "CN=Certification Authorities", "cACertificate",
					       "%s", why);
		}
	}
	for (size_t k = 0; err == AE_OK && k < r->num_servers;) {
		size_t end = ae_polsrv_group_end(r->servers, r->num_servers, k);
		if (r->servers[k].state == AE_POLSRV_DISABLED) {
			break;	/* the disabled ones come last */
		}
		t.tried++;
		err = traverse_group(&t, k, end);
		k = end;
	}
	if (err != AE_OK) {
		return err;
	}
	if (t.tried == 0 && s->workgroup) {
		snprintf(s->error, sizeof(s->error), "this host is not a domain member and has no "
			 "usable local policy server (%s): add one with `autoenroll policy-server add "
			 "URL --auth password|certificate --credential FILE`",
			 conf != NULL ? conf->path : "no configuration");
		return AE_ERR_CONFIG;
	}
	if (t.tried > 0 && t.used == 0) {
		snprintf(s->error, sizeof(s->error), "no policy server could be read (%zu tried; "
			 "`autoenroll policy` shows why)", t.tried);
		return AE_ERR_TRANSPORT;
	}
	return AE_OK;
}
