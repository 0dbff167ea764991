/*
 * ae_polsrv_select.c: which policy servers a cycle traverses, as a pure
 * function of the merged PolicyServers settings (ae_aesettings.h, already
 * checked against the forest by ae_aesettings_check_forest) and the local
 * configuration (ae_polsrv_local.h).
 *
 * [MS-CAESO] 4.4.5.3.2.2-4 as Windows does it: end points grouped by
 * PolicyID, each group ordered by cost; a group only when enabled (Flags
 * 0x10, decided per group by ae_aesettings); the AD (LDAP:) group only
 * when its PolicyID is this forest's. EnrollmentPolicyFlags at the
 * PolicyServers key (certenroll's X509EnrollmentPolicyFlags): 0x2
 * DisableGroupPolicyList ignores the GPO's end points (the default AD
 * policy applies as without any), 0x4 DisableUserServerList ignores the
 * locally configured ones. No GPO end points at all: the AD policy of the
 * domain (the default), plus the local servers. A host that is not a
 * domain member (workgroup) has no AD policy: local servers only.
 *
 * The result lists the traversed groups first (groups by their best cost,
 * members by cost), each member STANDBY until the cycle reads it, then
 * every end point that is not traversed, DISABLED with the reason.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "ae_polsrv.h"
#include "ae_polsrv_private.h"
#include "ae_polsrv_local.h"
#include "ae_aesettings.h"
#include "ae_xcep.h"

#define EPF_DISABLE_GPO_LIST	0x2u	/* DisableGroupPolicyList */
#define EPF_DISABLE_USER_LIST	0x4u	/* DisableUserServerList */

const char *ae_polsrv_state_name(enum ae_polsrv_state st)
{
	switch (st) {
	case AE_POLSRV_USED: return "used";
	case AE_POLSRV_STANDBY: return "standby";
	case AE_POLSRV_FAILED: return "failed";
	case AE_POLSRV_DISABLED: return "disabled";
	}
	return "unknown";
}

const char *ae_polsrv_origin_name(enum ae_polsrv_origin o)
{
	switch (o) {
	case AE_POLSRV_FROM_DEFAULT: return "default";
	case AE_POLSRV_FROM_GPO: return "gpo";
	case AE_POLSRV_FROM_LOCAL: return "local";
	}
	return "unknown";
}

/* AuthFlags (X509EnrollmentAuthFlags) -> the one we use: Kerberos first */
static uint32_t gpo_auth(const struct ae_endpoint *ep)
{
	uint32_t v = ep->auth_flags.present ? ep->auth_flags.value : AE_AUTHF_KERBEROS;

	if (v & AE_AUTHF_KERBEROS) {
		return AE_XCEP_AUTH_KERBEROS;
	}
	if (v & AE_AUTHF_CERTIFICATE) {
		return AE_XCEP_AUTH_CERTIFICATE;
	}
	if (v & AE_AUTHF_USERNAME) {
		return AE_XCEP_AUTH_PASSWORD;
	}
	return AE_XCEP_AUTH_ANONYMOUS;
}

struct sel {
	TALLOC_CTX *mem;
	struct ae_polsrv *v;
	size_t n;
	size_t cap;
};

static struct ae_polsrv *add(struct sel *s)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct ae_polsrv *v = talloc_realloc(s->mem, s->v, struct ae_polsrv, cap);
		if (v == NULL) {
			return NULL;
		}
		s->v = v;
		s->cap = cap;
	}
	memset(&s->v[s->n], 0, sizeof(s->v[s->n]));
	s->v[s->n].state = AE_POLSRV_STANDBY;
	return &s->v[s->n++];
}

static void disable(struct ae_polsrv *p, const char *note)
{
	p->state = AE_POLSRV_DISABLED;
	p->note = (char *)note;
}

static const char *gpo_disabled_note(const struct ae_endpoint *ep, bool joined)
{
	switch (ep->state) {
	case AE_EP_INVALID:
	case AE_EP_GROUP_DISABLED:
	case AE_EP_POLICYID_MISMATCH:
		return ep->note ? ep->note : ae_endpoint_state_name(ep->state);
	case AE_EP_UNCHECKED:
		return "LDAP: end point not checked: the forest root GUID could not be read";
	default:
		break;
	}
	if (ep->kind == AE_EP_KIND_LDAP && !joined) {
		return "this host is not a domain member";
	}
	return NULL;
}

static ae_err add_gpo(struct sel *s, const struct ae_polsrv_select_in *in, bool ignored)
{
	const struct ae_aesettings *st = in->settings;

	for (size_t i = 0; st != NULL && i < st->num_endpoints; i++) {
		const struct ae_endpoint *ep = &st->endpoints[i];
		struct ae_polsrv *p = add(s);
		const char *note;

		if (p == NULL) {
			return AE_ERR_NOMEM;
		}
		p->kind = ep->kind == AE_EP_KIND_LDAP ? AE_POLSRV_AD : AE_POLSRV_XCEP;
		p->origin = AE_POLSRV_FROM_GPO;
		p->origin_name = talloc_asprintf(s->mem, "GPO %s", ep->url.source ? ep->url.source :
						 ep->policy_id.source ? ep->policy_id.source : "?");
		p->url = talloc_strdup(s->mem, ep->url.value ? ep->url.value : "(no URL)");
		p->policy_id = talloc_strdup(s->mem, ep->policy_id.value ? ep->policy_id.value : "");
		p->friendly_name = ep->friendly_name.value ?
				   talloc_strdup(s->mem, ep->friendly_name.value) : NULL;
		p->cost = ep->cost.present ? ep->cost.value : UINT32_MAX;
		p->flags = ep->flags.present ? ep->flags.value : 0;
		p->auth = p->kind == AE_POLSRV_AD ? AE_XCEP_AUTH_KERBEROS : gpo_auth(ep);
		if (p->origin_name == NULL || p->url == NULL || p->policy_id == NULL) {
			return AE_ERR_NOMEM;
		}
		note = gpo_disabled_note(ep, in->joined);
		if (ignored) {
			disable(p, "EnrollmentPolicyFlags 0x2 (DisableGroupPolicyList): the GPO's "
				"policy servers are ignored");
		} else if (note != NULL) {
			disable(p, note);
		}
	}
	return AE_OK;
}

static ae_err add_local(struct sel *s, const struct ae_polsrv_select_in *in, bool ignored)
{
	for (size_t i = 0; i < in->num_local; i++) {
		const struct ae_polsrv_local *l = &in->local[i];
		struct ae_polsrv *p = add(s);

		if (p == NULL) {
			return AE_ERR_NOMEM;
		}
		p->kind = AE_POLSRV_XCEP;
		p->origin = AE_POLSRV_FROM_LOCAL;
		p->origin_name = talloc_strdup(s->mem, in->local_origin ? in->local_origin : "local");
		p->url = talloc_strdup(s->mem, l->url);
		p->policy_id = talloc_strdup(s->mem, l->policy_id ? l->policy_id : l->url);
		p->cost = l->cost;
		p->flags = AE_PSF_LOCATION_REGISTRY | AE_PSF_AUTOENROLLMENT_ENABLED;
		p->auth = l->auth;
		p->credential_file = l->credential_file ? talloc_strdup(s->mem, l->credential_file) :
				     NULL;
		p->pinned_ca_file = l->ca_file ? talloc_strdup(s->mem, l->ca_file) : NULL;
		if (p->origin_name == NULL || p->url == NULL || p->policy_id == NULL) {
			return AE_ERR_NOMEM;
		}
		if (ignored) {
			disable(p, "EnrollmentPolicyFlags 0x4 (DisableUserServerList): locally "
				"configured policy servers are forbidden by Group Policy");
		} else if (!in->local_allowed) {
			disable(p, "local policy servers serve the machine context only");
		}
	}
	return AE_OK;
}

/* the best cost of p's group among the traversable entries */
static uint32_t group_cost(const struct sel *s, const struct ae_polsrv *p)
{
	uint32_t best = UINT32_MAX;

	for (size_t i = 0; i < s->n; i++) {
		const struct ae_polsrv *q = &s->v[i];
		if (q->state != AE_POLSRV_DISABLED && strcasecmp(q->policy_id, p->policy_id) == 0 &&
		    q->cost < best) {
			best = q->cost;
		}
	}
	return best;
}

/* stable: a before b? disabled last; then group cost, group, own cost */
static bool goes_before(const struct sel *s, const struct ae_polsrv *a, size_t ia,
			const struct ae_polsrv *b, size_t ib)
{
	bool da = a->state == AE_POLSRV_DISABLED, db = b->state == AE_POLSRV_DISABLED;
	uint32_t ga, gb;

	if (da || db) {
		return !da && db;
	}
	if (strcasecmp(a->policy_id, b->policy_id) != 0) {
		ga = group_cost(s, a);
		gb = group_cost(s, b);
		if (ga != gb) {
			return ga < gb;
		}
		/* equal cost: the group that appears first */
		for (size_t i = 0; i < s->n; i++) {
			if (strcasecmp(s->v[i].policy_id, a->policy_id) == 0 &&
			    s->v[i].state != AE_POLSRV_DISABLED) {
				return true;
			}
			if (strcasecmp(s->v[i].policy_id, b->policy_id) == 0 &&
			    s->v[i].state != AE_POLSRV_DISABLED) {
				return false;
			}
		}
		return ia < ib;
	}
	return a->cost < b->cost;
}

static ae_err order(struct sel *s)
{
	size_t *idx = talloc_array(s->mem, size_t, s->n + 1);
	struct ae_polsrv *out = talloc_array(s->mem, struct ae_polsrv, s->n + 1);

	if (idx == NULL || out == NULL) {
		talloc_free(idx);
		talloc_free(out);
		return AE_ERR_NOMEM;
	}
	for (size_t i = 0; i < s->n; i++) {	/* insertion sort: stable, n is small */
		size_t j = i;
		while (j > 0 && goes_before(s, &s->v[i], i, &s->v[idx[j - 1]], idx[j - 1])) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
	}
	for (size_t i = 0; i < s->n; i++) {
		out[i] = s->v[idx[i]];
	}
	talloc_free(idx);
	talloc_free(s->v);
	s->v = out;
	s->cap = s->n + 1;
	return AE_OK;
}

/* the AD policy is read once: an LDAP: end point of a later group stands aside */
static void one_ad_group(struct sel *s)
{
	const char *ad_group = NULL;

	for (size_t i = 0; i < s->n; i++) {
		struct ae_polsrv *p = &s->v[i];
		if (p->state == AE_POLSRV_DISABLED || p->kind != AE_POLSRV_AD) {
			continue;
		}
		if (ad_group == NULL) {
			ad_group = p->policy_id;
		} else if (strcasecmp(ad_group, p->policy_id) != 0) {
			disable(p, "the AD policy is already read for an earlier group");
		}
	}
}

ae_err ae_polsrv_select(TALLOC_CTX *mem, const struct ae_polsrv_select_in *in,
			struct ae_polsrv **_servers, size_t *_num)
{
	const struct ae_aesettings *st = in->settings;
	uint32_t epf = st != NULL && st->ps_flags.present ? st->ps_flags.value : 0;
	bool gpo_ignored = (epf & EPF_DISABLE_GPO_LIST) != 0;
	struct sel s = { .mem = talloc_new(NULL) };
	ae_err err;

	if (s.mem == NULL) {
		return AE_ERR_NOMEM;
	}
	err = add_gpo(&s, in, gpo_ignored);
	if (err == AE_OK) {
		err = add_local(&s, in, (epf & EPF_DISABLE_USER_LIST) != 0);
	}
	if (err == AE_OK && in->joined &&
	    (st == NULL || st->num_endpoints == 0 || gpo_ignored)) {
		/* no PolicyServers from Group Policy: the domain's AD policy */
		struct ae_polsrv *p = add(&s);
		if (p == NULL) {
			err = AE_ERR_NOMEM;
		} else {
			p->kind = AE_POLSRV_AD;
			p->origin = AE_POLSRV_FROM_DEFAULT;
			p->origin_name = talloc_strdup(s.mem, "default");
			p->url = talloc_strdup(s.mem, AE_ENDPOINT_LDAP_URL);
			p->policy_id = talloc_strdup(s.mem, "(the forest's)");
			p->cost = AE_ENDPOINT_LDAP_COST;
			p->flags = AE_PSF_AUTOENROLLMENT_ENABLED;
			p->auth = AE_XCEP_AUTH_KERBEROS;
			if (p->origin_name == NULL || p->url == NULL || p->policy_id == NULL) {
				err = AE_ERR_NOMEM;
			}
		}
	}
	if (err == AE_OK) {
		err = order(&s);
	}
	if (err != AE_OK) {
		talloc_free(s.mem);
		return err;
	}
	one_ad_group(&s);
	if (s.n == 0) {
		talloc_free(s.mem);
		*_servers = NULL;
		*_num = 0;
		return AE_OK;
	}
	/* the array owns the strings */
	(void)talloc_steal(mem, s.v);
	(void)talloc_steal(s.v, s.mem);
	*_servers = s.v;
	*_num = s.n;
	return AE_OK;
}

bool ae_polsrv_uses_ad(const struct ae_polsrv *servers, size_t num)
{
	for (size_t i = 0; i < num; i++) {
		if (servers[i].kind == AE_POLSRV_AD && servers[i].state != AE_POLSRV_DISABLED) {
			return true;
		}
	}
	return false;
}

size_t ae_polsrv_group_end(const struct ae_polsrv *servers, size_t num, size_t first)
{
	size_t i = first + 1;

	while (i < num && servers[i].state != AE_POLSRV_DISABLED &&
	       strcasecmp(servers[i].policy_id, servers[first].policy_id) == 0) {
		i++;
	}
	return i;
}
