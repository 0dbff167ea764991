/*
 * ae_gpolist.c: the GPO list of MS-GPOL, a pure function.
 *
 * Link order. MS-GPOL 3.2.5.1.5 ("GPO Search") walks the SOM list of
 * 3.2.1.6, closest SOM first and the site last (3.2.5.1.4 appends it):
 *   - each non-enforced link, unless Allow-Enforced-GPOs-Only is set, is
 *     prepended to the Non-enforced GPLink list;
 *   - each enforced link is appended to the Enforced GPLink list;
 *   - after a SOM's links, gPOptions 1 sets Allow-Enforced-GPOs-Only, so
 *     block inheritance stops the non-enforced links of the SOMs above it
 *     but not its own (2.2.2 gpOptions);
 *   - GPLink list = the non-enforced list followed by the enforced list;
 * and 3.2.5.2 processes it first to last: site, domain, OUs top-down, the
 * closest OU last (it wins); enforced links after all of them, the closest
 * SOM's first, so an enforced link of the domain (or site) is applied last
 * and wins over everything (an enforced link higher up beats one lower
 * down, as GPMC's precedence shows it).
 *
 * Within one SOM the spec text is inconsistent: prepending non-enforced
 * links one by one reverses their gPLink order while appending keeps the
 * enforced ones in order (noted on samba-technical, "samba-gpoupdate",
 * 2024-05-28). The gPLink string lists links lowest precedence first
 * (GPMC and samba-tool put a new link, which gets the last link order, at
 * the front; ADMC and the AD management tools read it the same way), and
 * link order 1 must win. So both kinds are applied here in gPLink order,
 * which keeps the spec's enforced rule and link-order precedence for the
 * non-enforced ones.
 *
 * Filtering, per link in that order: the GPO object must have been
 * returned by the search (3.2.5.1.5: missing, or not readable by the
 * token), gPCFunctionalityVersion 2, not disabled for this mode by 'flags',
 * Apply Group Policy granted to the token, and not empty (both versions of
 * this mode 0) (3.2.5.1.6). WMI filters (3.2.5.1.7) are not evaluated.
 */
#include <string.h>
#include <strings.h>
#include "ae_gpolist.h"
#include "ae_access.h"
#include "ae_gpt.h"

struct cand {
	size_t som;
	size_t link;
	bool enforced;
};

struct build {
	const struct ae_gpolist_input *in;
	struct ae_gpolist *out;
	size_t cap_excluded;
};

const char *ae_som_type_name(enum ae_som_type type)
{
	switch (type) {
	case AE_SOM_SITE: return "site";
	case AE_SOM_DOMAIN: return "domain";
	case AE_SOM_OU: return "OU";
	}
	return "?";
}

const char *ae_gpo_exclusion_name(enum ae_gpo_exclusion reason)
{
	switch (reason) {
	case AE_GPO_EXCL_LINK_DISABLED: return "link-disabled";
	case AE_GPO_EXCL_BLOCKED: return "blocked";
	case AE_GPO_EXCL_MISSING: return "missing";
	case AE_GPO_EXCL_UNREADABLE: return "unreadable";
	case AE_GPO_EXCL_FUNCTIONALITY: return "functionality-version";
	case AE_GPO_EXCL_CONTEXT_DISABLED: return "disabled";
	case AE_GPO_EXCL_DENIED_READ: return "denied-read";
	case AE_GPO_EXCL_DENIED_APPLY: return "denied-apply";
	case AE_GPO_EXCL_ACCESS_ERROR: return "access-error";
	case AE_GPO_EXCL_EMPTY: return "empty";
	case AE_GPO_EXCL_DUPLICATE: return "duplicate";
	}
	return "?";
}

static ae_err check_chain(const struct ae_gpolist_input *in)
{
	size_t i = 0;

	if (in->num_soms == 0 || in->soms == NULL) {
		return AE_ERR_INVALID;
	}
	if (in->num_soms > AE_GPOLIST_SOMS_MAX || in->num_gpos > AE_GPOLIST_GPOS_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (in->soms[0].type == AE_SOM_SITE) {
		i++;
	}
	if (i >= in->num_soms || in->soms[i].type != AE_SOM_DOMAIN) {
		return AE_ERR_INVALID;
	}
	for (i++; i < in->num_soms; i++) {
		if (in->soms[i].type != AE_SOM_OU) {
			return AE_ERR_INVALID;
		}
	}
	for (i = 0; i < in->num_soms; i++) {
		if (in->soms[i].dn == NULL) {
			return AE_ERR_INVALID;
		}
	}
	return AE_OK;
}

static const struct ae_gplink_entry *link_of(const struct ae_gpolist_input *in,
					     const struct cand *c)
{
	return &in->soms[c->som].gplink->links[c->link];
}

static ae_err exclude(struct build *b, const struct cand *c, const struct ae_gpo_object *gpo,
		      enum ae_gpo_exclusion reason, const char *why)
{
	struct ae_gpolist *out = b->out;
	struct ae_gpo_excluded *x = NULL;

	if (out->num_excluded == b->cap_excluded) {
		b->cap_excluded = b->cap_excluded ? b->cap_excluded * 2 : 8;
		out->excluded = talloc_realloc(out, out->excluded, struct ae_gpo_excluded,
					       b->cap_excluded);
		if (out->excluded == NULL) {
			return AE_ERR_NOMEM;
		}
	}
	x = &out->excluded[out->num_excluded];
	memset(x, 0, sizeof(*x));
	x->dn = talloc_strdup(out, link_of(b->in, c)->dn);
	x->som_dn = talloc_strdup(out, b->in->soms[c->som].dn);
	x->display_name = (gpo != NULL && gpo->display_name != NULL) ?
			  talloc_strdup(out, gpo->display_name) : NULL;
	x->reason = reason;
	x->why = talloc_strdup(out, why);
	if (x->dn == NULL || x->som_dn == NULL || x->why == NULL ||
	    (gpo != NULL && gpo->display_name != NULL && x->display_name == NULL)) {
		return AE_ERR_NOMEM;
	}
	out->num_excluded++;
	return AE_OK;
}

static const struct ae_gpo_object *find_gpo(const struct ae_gpolist_input *in, const char *dn,
					    size_t *_idx)
{
	const char *g = NULL;
	size_t glen;

	for (size_t i = 0; i < in->num_gpos; i++) {
		if (in->gpos[i].dn != NULL && strcasecmp(in->gpos[i].dn, dn) == 0) {
			*_idx = i;
			return &in->gpos[i];
		}
	}
	/* the same GPO seen through another DN spelling: match the cn GUID */
	glen = ae_gpo_dn_guid(dn, &g);
	for (size_t i = 0; glen > 0 && i < in->num_gpos; i++) {
		const char *og = in->gpos[i].guid;
		if (og != NULL && strlen(og) == glen && strncasecmp(og, g, glen) == 0) {
			*_idx = i;
			return &in->gpos[i];
		}
	}
	return NULL;
}

uint16_t ae_gpo_side_version(enum ae_gpo_context ctx, uint32_t v)
{
	return ctx == AE_GPO_CONTEXT_MACHINE ? ae_gpo_version_machine(v) :
					       ae_gpo_version_user(v);
}

const char *ae_gpo_registry_pol_file(enum ae_gpo_context ctx)
{
	return ctx == AE_GPO_CONTEXT_MACHINE ? "Machine/Registry.pol" : "User/Registry.pol";
}

/* MS-GPOL 3.2.5.1.5 (returned by the search) and 3.2.5.1.6 (filters). */
static ae_err filter(struct build *b, TALLOC_CTX *tmp, const struct cand *c,
		     const struct ae_gpo_object *gpo, bool *_keep)
{
	const struct ae_gpolist_input *in = b->in;
	bool machine = (in->context == AE_GPO_CONTEXT_MACHINE);
	struct ae_access_result res;
	uint32_t side_flag = machine ? AE_GPO_FLAG_MACHINE_DISABLED : AE_GPO_FLAG_USER_DISABLED;
	ae_err err;

	*_keep = false;
	if (gpo == NULL) {
		return exclude(b, c, NULL, AE_GPO_EXCL_MISSING,
			       "no GPO object for this link (deleted, another domain, or "
			       "not returned by the search)");
	}
	if (gpo->sd == NULL) {
		return exclude(b, c, gpo, AE_GPO_EXCL_UNREADABLE,
			       "its security descriptor could not be read");
	}
	err = ae_access_check(gpo->sd, in->token, AE_RIGHT_READ, &res);
	if (err != AE_OK) {
		return exclude(b, c, gpo, AE_GPO_EXCL_ACCESS_ERROR, "the Read access check failed");
	}
	if (!res.granted) {
		return exclude(b, c, gpo, AE_GPO_EXCL_DENIED_READ, res.denied ?
			       talloc_asprintf(tmp, "security filter: ACE %d denies Read",
					       res.deciding_ace) :
			       "security filter: no ACE grants Read to the token");
	}
	if (gpo->functionality_version != AE_GPO_FUNCTIONALITY_VERSION) {
		return exclude(b, c, gpo, AE_GPO_EXCL_FUNCTIONALITY,
			       talloc_asprintf(tmp, "gPCFunctionalityVersion is %u, not 2",
					       gpo->functionality_version));
	}
	if (gpo->flags & side_flag) {
		return exclude(b, c, gpo, AE_GPO_EXCL_CONTEXT_DISABLED,
			       talloc_asprintf(tmp, "the GPO's %s settings are disabled (flags %u)",
					       machine ? "computer" : "user", gpo->flags));
	}
	err = ae_access_check(gpo->sd, in->token, AE_RIGHT_APPLY_GROUP_POLICY, &res);
	if (err != AE_OK) {
		return exclude(b, c, gpo, AE_GPO_EXCL_ACCESS_ERROR,
			       "the Apply Group Policy access check failed");
	}
	if (!res.granted) {
		return exclude(b, c, gpo, AE_GPO_EXCL_DENIED_APPLY, res.denied ?
			       talloc_asprintf(tmp, "security filter: ACE %d denies Apply Group "
					       "Policy", res.deciding_ace) :
			       "security filter: no ACE grants Apply Group Policy to the token");
	}
	if (ae_gpo_side_version(in->context, gpo->version_number) == 0 &&
	    (!gpo->has_gpt_version || ae_gpo_side_version(in->context, gpo->gpt_version) == 0)) {
		return exclude(b, c, gpo, AE_GPO_EXCL_EMPTY,
			       talloc_asprintf(tmp, "its %s version is 0",
					       machine ? "computer" : "user"));
	}
	*_keep = true;
	return AE_OK;
}

/* MS-GPOL 3.2.5.1.5 with the within-SOM order explained at the top. */
static ae_err order_links(struct build *b, TALLOC_CTX *tmp, struct cand **_order, size_t *_n)
{
	const struct ae_gpolist_input *in = b->in;
	bool *allowed = talloc_zero_array(tmp, bool, in->num_soms);
	const char *blocker = NULL;
	struct cand *order = NULL;
	size_t total = 0, n = 0;
	ae_err err;

	if (allowed == NULL) {
		return AE_ERR_NOMEM;
	}
	/* closest SOM first: disabled links, blocked links, Allow-Enforced-GPOs-Only */
	for (size_t k = in->num_soms; k-- > 0;) {
		const struct ae_som *som = &in->soms[k];
		size_t nl = som->gplink ? som->gplink->num_links : 0;

		allowed[k] = (blocker == NULL);
		for (size_t l = 0; l < nl; l++) {
			uint32_t opt = som->gplink->links[l].options;
			struct cand c = { .som = k, .link = l };

			if (opt & AE_GPLINK_OPT_DISABLED) {
				err = exclude(b, &c, NULL, AE_GPO_EXCL_LINK_DISABLED,
					      "the link is disabled");
			} else if (!(opt & AE_GPLINK_OPT_ENFORCED) && blocker != NULL) {
				err = exclude(b, &c, NULL, AE_GPO_EXCL_BLOCKED,
					      talloc_asprintf(tmp, "%s blocks inheritance and the "
							      "link is not enforced", blocker));
			} else {
				err = AE_OK;
				total++;
			}
			if (err != AE_OK) {
				return err;
			}
		}
		if ((som->gpoptions & AE_GPOPTIONS_BLOCK_INHERITANCE) && blocker == NULL) {
			blocker = som->dn;
		}
	}
	order = talloc_array(tmp, struct cand, total + 1);
	if (order == NULL) {
		return AE_ERR_NOMEM;
	}
	/* non-enforced: farthest SOM (site) first, each in gPLink order */
	for (size_t k = 0; k < in->num_soms; k++) {
		const struct ae_gplink *gl = in->soms[k].gplink;
		for (size_t l = 0; allowed[k] && gl != NULL && l < gl->num_links; l++) {
			uint32_t opt = gl->links[l].options;
			if (!(opt & (AE_GPLINK_OPT_DISABLED | AE_GPLINK_OPT_ENFORCED))) {
				order[n++] = (struct cand){ .som = k, .link = l, .enforced = false };
			}
		}
	}
	/* enforced: closest SOM first, each in gPLink order */
	for (size_t k = in->num_soms; k-- > 0;) {
		const struct ae_gplink *gl = in->soms[k].gplink;
		for (size_t l = 0; gl != NULL && l < gl->num_links; l++) {
			uint32_t opt = gl->links[l].options;
			if ((opt & AE_GPLINK_OPT_ENFORCED) && !(opt & AE_GPLINK_OPT_DISABLED)) {
				order[n++] = (struct cand){ .som = k, .link = l, .enforced = true };
			}
		}
	}
	*_order = order;
	*_n = n;
	return AE_OK;
}

static ae_err add_applied(struct build *b, const struct cand *c, const struct ae_gpo_object *gpo)
{
	const struct ae_gpolist_input *in = b->in;
	const struct ae_som *som = &in->soms[c->som];
	struct ae_gpo_applied *a = &b->out->applied[b->out->num_applied];
	TALLOC_CTX *o = b->out;

	memset(a, 0, sizeof(*a));
	a->dn = talloc_strdup(o, gpo->dn ? gpo->dn : link_of(in, c)->dn);
	a->guid = gpo->guid ? talloc_strdup(o, gpo->guid) : NULL;
	a->display_name = gpo->display_name ? talloc_strdup(o, gpo->display_name) : NULL;
	a->file_sys_path = gpo->file_sys_path ? talloc_strdup(o, gpo->file_sys_path) : NULL;
	a->version_number = gpo->version_number;
	a->version = ae_gpo_side_version(in->context, gpo->version_number);
	a->som_type = som->type;
	a->som_dn = talloc_strdup(o, som->dn);
	a->link_order = (uint32_t)(som->gplink->num_links - c->link);
	a->enforced = c->enforced;
	a->why = talloc_asprintf(o, "linked to %s %s (link order %u)%s", ae_som_type_name(som->type),
				 som->dn, a->link_order, c->enforced ? ", enforced" : "");
	if (a->dn == NULL || a->som_dn == NULL || a->why == NULL ||
	    (gpo->guid && a->guid == NULL) || (gpo->display_name && a->display_name == NULL) ||
	    (gpo->file_sys_path && a->file_sys_path == NULL)) {
		return AE_ERR_NOMEM;
	}
	b->out->num_applied++;
	return AE_OK;
}

ae_err ae_gpolist_compute(TALLOC_CTX *mem_ctx, const struct ae_gpolist_input *in,
			  struct ae_gpolist **_out)
{
	struct build b = { .in = in };
	TALLOC_CTX *tmp = NULL;
	struct cand *order = NULL;
	size_t *gpo_idx = NULL;
	bool *keep = NULL;
	size_t n = 0;
	ae_err err;

	if (in == NULL || in->token == NULL || _out == NULL ||
	    (in->gpos == NULL && in->num_gpos > 0)) {
		return AE_ERR_INVALID;
	}
	err = check_chain(in);
	if (err != AE_OK) {
		return err;
	}
	tmp = talloc_new(NULL);
	b.out = talloc_zero(tmp, struct ae_gpolist);
	if (tmp == NULL || b.out == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	err = order_links(&b, tmp, &order, &n);
	gpo_idx = talloc_array(tmp, size_t, n + 1);
	keep = talloc_zero_array(tmp, bool, n + 1);
	b.out->applied = talloc_array(b.out, struct ae_gpo_applied, n + 1);
	if (err == AE_OK && (gpo_idx == NULL || keep == NULL || b.out->applied == NULL)) {
		err = AE_ERR_NOMEM;
	}
	for (size_t i = 0; err == AE_OK && i < n; i++) {
		const struct ae_gpo_object *gpo = find_gpo(in, link_of(in, &order[i])->dn,
							   &gpo_idx[i]);
		err = filter(&b, tmp, &order[i], gpo, &keep[i]);
	}
	/* a GPO linked twice stays at its last (winning) position only */
	for (size_t i = 0; err == AE_OK && i < n; i++) {
		bool later = false;

		if (!keep[i]) {
			continue;
		}
		for (size_t j = i + 1; j < n && !later; j++) {
			later = keep[j] && gpo_idx[j] == gpo_idx[i];
		}
		if (later) {
			err = exclude(&b, &order[i], &in->gpos[gpo_idx[i]], AE_GPO_EXCL_DUPLICATE,
				      "also linked at a position that wins; applied there");
		} else {
			err = add_applied(&b, &order[i], &in->gpos[gpo_idx[i]]);
		}
	}
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	*_out = talloc_steal(mem_ctx, b.out);
	talloc_free(tmp);
	return AE_OK;
}
