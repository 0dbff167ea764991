/*
 * ae_gpo_sysvol.c: the SYSVOL half of the Group Policy collection. For
 * each applied GPO (lowest precedence first): GPT.INI (this context's half
 * of its Version and of the GPC's versionNumber together key the cache,
 * [MS-GPOL] 3.2.1.4), then the context's Registry.pol (Machine/ for the
 * computer, User/ for a user: ae_gpo_registry_pol_file) from the cache or
 * SYSVOL, parsed before it is cached. Each context has its own cache
 * directory (s->gpo_cache_dir), so the versions of the two halves never
 * meet in one cache. A GPO that cannot be read stops policy processing for this cycle
 * ([MS-GPOL] 3.2.5.1.5): the policy of the last complete collection is
 * kept instead of letting lower-precedence GPOs decide alone.
 *
 * SMB reads per applied GPO: one (GPT.INI, ~40 bytes) when both versions
 * are unchanged; two when either changed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <talloc.h>
#include "ae_smbconf.h"
#include "ae_gpo_private.h"
#include "ae_gpo_cache.h"
#include "ae_creds.h"
#include "ae_log.h"
#include "ae_gpolist.h"
#include "ae_gpt.h"
#include "ae_preg.h"
#include "ae_aesettings.h"
#include "ae_smb.h"

#define WHY_MAX 512

struct reader {
	struct ae_session *s;
	struct ae_policy_report *r;
	TALLOC_CTX *mem;
	struct ae_gpo_cache *cache;	/* NULL: no usable cache directory */
	struct ae_smb *smb;
	enum ae_gpo_context side;	/* which half of the GPOs: computer or user */
	const char *what;		/* the file or attribute a failure concerns */
	char why[WHY_MAX];
};

/* One file of the GPO's SYSVOL folder 'path' over SMB (the session's DC). */
static ae_err smb_read(struct reader *rd, const char *share, const char *path,
		       const char *file, size_t max, uint8_t **_data, size_t *_len)
{
	char *full = talloc_asprintf(rd->mem, "%s/%s", path, file);
	ae_err err;

	rd->what = file;
	if (full == NULL) {
		return AE_ERR_NOMEM;
	}
	if (rd->smb == NULL) {
		/* Kerberos from the session's ccache: the principal's own name */
		struct ae_smb_options o = {
			.user = rd->side == AE_GPO_CONTEXT_USER ?
				talloc_strdup(rd->mem, rd->s->sam_account_name) :
				talloc_asprintf(rd->mem, "%s$", rd->s->conf->netbios_name),
			.workgroup = rd->s->conf->workgroup };
		err = ae_smb_open(rd->s, &o, &rd->smb, rd->why, sizeof(rd->why));
		if (err != AE_OK) {
			rd->what = "SYSVOL";
			return err;
		}
	}
	/* the domain name in the UNC path would need a DFS referral: ask the DC */
	err = ae_smb_fetch(rd->mem, rd->smb, rd->s->dc, share, full, max, _data, _len,
			   rd->why, sizeof(rd->why));
	rd->r->smb_reads = ae_smb_read_count(rd->smb);
	return err;
}

/* GPT.INI's version of this context. A missing or invalid GPT.INI is a read failure. */
static ae_err gpt_version(struct reader *rd, const char *share, const char *path,
			  uint16_t *_v)
{
	struct ae_gpt *gpt = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	ae_err err = smb_read(rd, share, path, "GPT.INI", AE_GPT_MAX, &data, &len);

	if (err != AE_OK) {
		return err;
	}
	err = ae_gpt_parse(rd->mem, data, len, &gpt);
	talloc_free(data);
	if (err != AE_OK) {
		ae_why(rd->why, sizeof(rd->why), "not a valid GPT.INI: %s", ae_strerror(err));
		return err;
	}
	*_v = ae_gpo_side_version(rd->side, gpt->version);
	talloc_free(gpt);
	return AE_OK;
}

/* A cached file that parses, or NOT_FOUND (nothing, or a damaged copy). */
static ae_err from_cache(struct reader *rd, const char *guid, uint16_t gpc, uint16_t gpt,
			 struct ae_preg **_pol)
{
	char why[AE_PREG_WHY_MAX];
	uint8_t *data = NULL;
	size_t len = 0;
	ae_err err;

	if (rd->cache == NULL) {
		return AE_ERR_NOT_FOUND;
	}
	err = ae_gpo_cache_get(rd->mem, rd->cache, guid, gpc, gpt, &data, &len);
	if (err != AE_OK) {
		return AE_ERR_NOT_FOUND;
	}
	*_pol = NULL;
	if (data != NULL) {
		err = ae_preg_parse(rd->mem, data, len, _pol, why, sizeof(why));
		talloc_free(data);
		if (err != AE_OK) {
			AE_WARN("GPO %s: the cached Registry.pol is damaged (%s); reading it again",
				guid, why);
			return AE_ERR_NOT_FOUND;
		}
	}
	return AE_OK;
}

/*
 * One applied GPO: its versions in *_e, its Registry.pol in *_pol (NULL:
 * the GPO has none). On failure rd->what/rd->why say what and why.
 */
static ae_err read_gpo(struct reader *rd, const struct ae_gpo_applied *g,
		       struct ae_gpo_cache_entry *_e, struct ae_preg **_pol)
{
	char *server = NULL, *share = NULL, *path = NULL;
	char pwhy[AE_PREG_WHY_MAX] = "";
	uint8_t *data = NULL;
	size_t len = 0;
	ae_err err;

	_e->gpc_version = g->version;
	if (ae_gpo_guid_canon(g->guid, _e->guid) != AE_OK) {
		rd->what = "cn";
		ae_why(rd->why, sizeof(rd->why), "not a {GUID}");
		return AE_ERR_PARSE;
	}
	/* a UNC path inside one share: no ".", "..", empty or control components */
	if (g->file_sys_path == NULL ||
	    ae_unc_split(rd->mem, g->file_sys_path, &server, &share, &path) != AE_OK ||
	    path[0] == '\0') {
		rd->what = "gPCFileSysPath";
		ae_why(rd->why, sizeof(rd->why), "missing or not a UNC path to a folder in a share");
		return AE_ERR_PARSE;
	}
	err = gpt_version(rd, share, path, &_e->gpt_version);
	if (err != AE_OK) {
		return err;
	}
	if (from_cache(rd, _e->guid, _e->gpc_version, _e->gpt_version, _pol) == AE_OK) {
		rd->r->gpo_cache_hits++;
		return AE_OK;
	}
	err = smb_read(rd, share, path, ae_gpo_registry_pol_file(rd->side), AE_PREG_MAX, &data,
		       &len);
	if (err == AE_ERR_NOT_FOUND) {
		*_pol = NULL;	/* no registry settings of this side in this version */
		if (rd->cache != NULL) {
			(void)ae_gpo_cache_put(rd->cache, _e->guid, _e->gpc_version,
					       _e->gpt_version, NULL, 0);
		}
		return AE_OK;
	}
	if (err != AE_OK) {
		return err;
	}
	/* parsed before anything is written */
	err = ae_preg_parse(rd->mem, data, len, _pol, pwhy, sizeof(pwhy));
	if (err != AE_OK) {
		ae_why(rd->why, sizeof(rd->why), "not a valid Registry.pol: %s", pwhy);
		talloc_free(data);
		return err;
	}
	if (rd->cache != NULL) {
		(void)ae_gpo_cache_put(rd->cache, _e->guid, _e->gpc_version, _e->gpt_version,
				       data, len);
	}
	talloc_free(data);
	return AE_OK;
}

/* The display name of GPO guid (canonical) if it is applied now, else "". */
static const char *name_of(struct reader *rd, const char *guid)
{
	size_t i;

	for (i = 0; i < rd->r->gpolist->num_applied; i++) {
		const struct ae_gpo_applied *g = &rd->r->gpolist->applied[i];

		if (strcmp(g->guid, guid) == 0 && g->display_name != NULL) {
			return g->display_name;
		}
	}
	return "";
}

/* The view of the last complete collection, from the cache; NULL if none. */
static struct ae_regview *last_good_view(struct reader *rd, size_t *_n)
{
	struct ae_gpo_cache_entry *e = NULL;
	struct ae_regview *view;
	size_t n = 0, i;

	if (rd->cache == NULL ||
	    ae_gpo_cache_load_last_good(rd->mem, rd->cache, &e, &n) != AE_OK) {
		return NULL;
	}
	view = ae_regview_new(rd->mem);
	for (i = 0; view != NULL && i < n; i++) {
		struct ae_preg *pol = NULL;
		char *label;

		if (from_cache(rd, e[i].guid, e[i].gpc_version, e[i].gpt_version, &pol) != AE_OK) {
			AE_WARN("GPO %s: the last good Registry.pol (version %u/%u) is no longer "
				"cached", e[i].guid, e[i].gpc_version, e[i].gpt_version);
			return NULL;
		}
		label = talloc_asprintf(rd->mem, "%s%s%s (last good, version %u/%u)",
					name_of(rd, e[i].guid), *name_of(rd, e[i].guid) ? " " : "",
					e[i].guid, e[i].gpc_version, e[i].gpt_version);
		if (pol != NULL && (label == NULL || ae_preg_apply(view, pol, label) != AE_OK)) {
			return NULL;
		}
	}
	*_n = n;
	return view;
}

/* Remember this list as the last good one, unless it already is. */
static void save_last_good(struct reader *rd, const struct ae_gpo_cache_entry *e, size_t n)
{
	struct ae_gpo_cache_entry *old = NULL;
	size_t num_old = 0;

	if (rd->cache == NULL) {
		return;
	}
	if (ae_gpo_cache_load_last_good(rd->mem, rd->cache, &old, &num_old) == AE_OK &&
	    num_old == n) {
		size_t i;

		for (i = 0; i < n; i++) {
			if (strcmp(old[i].guid, e[i].guid) != 0 ||
			    old[i].gpc_version != e[i].gpc_version ||
			    old[i].gpt_version != e[i].gpt_version) {
				break;
			}
		}
		if (i == n) {
			return;
		}
	}
	if (ae_gpo_cache_save_last_good(rd->cache, e, n) != AE_OK) {
		AE_WARN("GPO cache: cannot save the last good policy");
	}
}

static ae_err as_policy_error(ae_err err)
{
	switch (err) {
	case AE_ERR_PARSE:
	case AE_ERR_TOO_LARGE:
	case AE_ERR_TRAILING:
	case AE_ERR_NOT_FOUND:
		return AE_ERR_CONFIG;	/* a broken GPO: misconfigured */
	default:
		return err;
	}
}

/* A GPO could not be read: the last good policy, or none at all. */
static ae_err stopped(struct reader *rd, const char *label, ae_err err,
		      struct ae_regview **_view)
{
	size_t n = 0;
	struct ae_regview *view = last_good_view(rd, &n);

	AE_ERROR("GPO %s: %s: %s; policy processing stopped: %s", label, rd->what, rd->why,
		 view != NULL ? "the last good policy is kept" : "no last good policy");
	if (view != NULL) {
		ae_policy_report_error(rd->r, label, rd->what, "%s; policy processing stopped "
				       "([MS-GPOL] 3.2.5.1.5): the last good policy (%zu GPO(s)) "
				       "is kept", rd->why, n);
		*_view = view;
		return AE_OK;
	}
	ae_policy_report_error(rd->r, label, rd->what, "%s; no last good policy is cached",
			       rd->why);
	snprintf(rd->s->error, sizeof(rd->s->error), "Group Policy of %s: the autoenrollment "
		 "policy could not be determined: GPO %s: %s: %s; no last good policy is "
		 "cached, nothing is applied", rd->r->account ? rd->r->account : "",
		 label, rd->what, rd->why);
	return as_policy_error(err);
}

ae_err ae_gpo_sysvol_settings(struct ae_session *s, struct ae_policy_report *r,
			      TALLOC_CTX *mem)
{
	struct reader rd = { .s = s, .r = r, .mem = mem,
			     .side = s->context == AE_CONTEXT_USER ? AE_GPO_CONTEXT_USER :
								    AE_GPO_CONTEXT_MACHINE };
	struct ae_gpo_cache_entry *done = NULL;
	struct ae_regview *view = ae_regview_new(mem);
	const char *dir = s->gpo_cache_dir;
	size_t n = 0, i;
	ae_err err = AE_OK;

	done = talloc_zero_array(mem, struct ae_gpo_cache_entry, r->gpolist->num_applied + 1);
	if (view == NULL || dir == NULL || done == NULL) {
		return AE_ERR_NOMEM;
	}
	if (ae_gpo_cache_open(mem, dir, &rd.cache) != AE_OK) {
		AE_WARN("GPO cache %s unusable: every GPO is read from SYSVOL and no last good "
			"policy is kept", dir);
	}
	for (i = 0; i < r->gpolist->num_applied; i++) {
		const struct ae_gpo_applied *g = &r->gpolist->applied[i];
		char *label = talloc_asprintf(mem, "%s %s", g->display_name ? g->display_name : "",
					      g->guid);
		struct ae_preg *pol = NULL;

		if (label == NULL) {
			return AE_ERR_NOMEM;
		}
		if (g->version == 0) {
			continue;	/* no settings of this side were ever written */
		}
		err = read_gpo(&rd, g, &done[n], &pol);
		if (err == AE_ERR_NOMEM) {
			return err;
		}
		if (err != AE_OK) {
			err = stopped(&rd, label, err, &view);
			break;
		}
		n++;
		if (pol != NULL && (err = ae_preg_apply(view, pol, label)) != AE_OK) {
			return err;
		}
	}
	if (err == AE_OK && i == r->gpolist->num_applied) {
		save_last_good(&rd, done, n);
	}
	if (err == AE_OK) {
		err = ae_aesettings_from_view(r, view, &r->settings);
	}
	return err;
}
