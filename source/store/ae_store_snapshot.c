/*
 * ae_store_snapshot.c: the store as plain data for decide() (ae_store.h).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ae_store_private.h"
#include "ae_file.h"
#include "ae_log.h"

/* The path of <t><sfx> if it is a regular file (warned about when it is something else) */
static char *path_if(TALLOC_CTX *mem_ctx, const struct ae_store *s, const char *t,
		     const char *sfx)
{
	char why[96] = "";
	char *name = ae_store_fname(mem_ctx, t, sfx);
	ae_err err = name ? ae_file_check_regular_at(s->fd, name, why, sizeof(why)) : AE_ERR_NOMEM;

	if (err == AE_ERR_INVALID || err == AE_ERR_IO) {
		AE_ERROR("store %s: %s is %s; ignored", s->dir, name, why);
	}
	talloc_free(name);
	return err == AE_OK ? ae_store_path(mem_ctx, s, t, sfx) : NULL;
}

static struct ae_store_cert *add_cert(struct ae_store_snapshot *snap)
{
	struct ae_store_cert *v = talloc_realloc(snap, snap->certs, struct ae_store_cert,
						 snap->num_certs + 1);

	if (v == NULL) {
		return NULL;
	}
	snap->certs = v;
	memset(&v[snap->num_certs], 0, sizeof(v[0]));
	return &v[snap->num_certs++];
}

/* Note an entry that is not a managed certificate (status lists it as such). */
static ae_err add_unmanaged(struct ae_store_snapshot *snap, const char *name, const char *why)
{
	struct ae_store_unmanaged *v = talloc_realloc(snap, snap->unmanaged,
						      struct ae_store_unmanaged,
						      snap->num_unmanaged + 1);

	if (v == NULL) {
		return AE_ERR_NOMEM;
	}
	snap->unmanaged = v;
	v[snap->num_unmanaged].name = talloc_strdup(v, name);
	v[snap->num_unmanaged].why = talloc_strdup(v, why);
	if (v[snap->num_unmanaged].name == NULL || v[snap->num_unmanaged].why == NULL) {
		return AE_ERR_NOMEM;
	}
	snap->num_unmanaged++;
	return AE_OK;
}

/* st is a child of snap: the entry points into it. */
static void fill(struct ae_store_cert *c, const struct ae_store_state *st)
{
	c->has_record = true;
	c->state = st->status;
	c->state_changed = st->changed;
	c->created = st->created;
	c->renewal = st->renewal;
	c->reason = st->reason;
	c->archive_tag = st->archive_tag;
	c->failures = st->failures;
	c->next_attempt = st->next_attempt;
	c->ca_omits_template_ext = st->cert.ca_omits_template_ext;
	if (st->status == AE_CERT_PENDING) {
		c->pending_ca = st->request_ca;
		c->pending_request_id = st->request_id;
		c->submitted = st->submitted;
	}
	c->ca = st->cert.ca;
	c->issued_request_id = st->cert.request_id;
	c->template_oid = st->cert.template_oid;
	c->template_v1_name = st->cert.template_v1_name;
	c->major = st->cert.major;
	c->minor = st->cert.minor;
	c->has_major = st->cert.has_major;
	c->serial_hex = st->cert.serial_hex;
	c->thumbprint_hex = st->cert.thumbprint_hex;
	c->issuer = st->cert.issuer;
	c->not_before = st->cert.not_before;
	c->not_after = st->cert.not_after;
	c->renew_at = st->cert.renew_at;
	c->cdp_urls = st->cert.cdp_urls;
	c->num_cdp_urls = st->cert.num_cdp_urls;
	c->installed = st->cert.installed;
	c->enrollee_names = st->cert.enrollee_names;
	c->manual_renewal = st->cert.manual_renewal;
}

static ae_err add_template(struct ae_store_snapshot *snap, const struct ae_store *s,
			   const char *t, bool with_record)
{
	struct ae_store_state *st = NULL;
	struct ae_store_cert *c = NULL;
	ae_err err = AE_OK;

	if (with_record) {
		err = ae_store_state_load(snap, s, t, &st);
		if (err == AE_ERR_PARSE || err == AE_ERR_NOT_FOUND) {
			/* set aside by recovery; gone meanwhile */
			AE_WARN("template %s: the state record in %s is %s; skipped", t, s->dir,
				err == AE_ERR_PARSE ? "malformed" : "gone");
			return err == AE_ERR_NOT_FOUND ? AE_OK :
			       add_unmanaged(snap, talloc_asprintf(snap, "%s%s", t, SFX_STATE),
					     "the state record does not parse (the next run sets "
					     "it aside as " SFX_CORRUPT ")");
		}
		if (err == AE_ERR_INVALID) {
			/* not a regular file: reported by the load */
			return add_unmanaged(snap, talloc_asprintf(snap, "%s%s", t, SFX_STATE),
					     "the state record is not a regular file");
		}
		if (err != AE_OK) {
			return err;
		}
	}
	c = add_cert(snap);
	if (c == NULL) {
		return AE_ERR_NOMEM;
	}
	if (st != NULL) {
		fill(c, st);
		c->template_name = st->template_name;
	} else {
		c->state = AE_CERT_ISSUED;	/* a pair installed without a record */
		c->template_name = talloc_strdup(snap, t);
	}
	c->cert_path = path_if(snap, s, t, SFX_CRT);
	c->key_path = path_if(snap, s, t, SFX_KEY);
	c->chain_path = path_if(snap, s, t, SFX_CHAIN);
	c->key_present = c->key_path != NULL;
	return c->template_name != NULL ? AE_OK : AE_ERR_NOMEM;
}

static ae_err add_pending(struct ae_store_snapshot *snap, int pfd, const char *dir,
			  const char *name)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_pending *pe = NULL;
	struct ae_store_pending_req *v = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	char why[96] = "";
	ae_err err = tmp ? AE_OK : AE_ERR_NOMEM;

	if (err == AE_OK) {
		err = ae_file_read_at(tmp, pfd, name, AE_STORE_RECORD_MAX, 0, &data, &len, why,
				      sizeof(why));
	}
	if (err == AE_OK) {
		err = ae_pending_parse(tmp, data, len, &pe);
	}
	if (err == AE_ERR_INVALID) {
		AE_ERROR("store %s: pending/%s is %s; skipped", dir, name, why);
		talloc_free(tmp);
		return AE_OK;
	}
	if (err == AE_ERR_PARSE || err == AE_ERR_TOO_LARGE || err == AE_ERR_NOT_FOUND) {
		AE_WARN("pending record %s/pending/%s: %s; skipped", dir, name,
			why[0] ? why : ae_strerror(err));
		talloc_free(tmp);
		return AE_OK;
	}
	if (err == AE_OK) {
		v = talloc_realloc(snap, snap->pending, struct ae_store_pending_req,
				   snap->num_pending + 1);
		err = v ? AE_OK : AE_ERR_NOMEM;
	}
	if (err == AE_OK) {
		struct ae_store_pending_req *r = &v[snap->num_pending++];
		snap->pending = v;
		talloc_steal(v, pe);
		r->ca = pe->ca;
		r->ca_host = pe->ca_host;
		r->template_name = pe->template_name;
		r->request_id = pe->request_id;
		r->submitted = pe->submitted;
	}
	talloc_free(tmp);
	return err;
}

/* Records recovery set aside (<template>.state.corrupt, ae_store_recover.c). */
static ae_err list_corrupt(struct ae_store_snapshot *snap, char **names, size_t n)
{
	size_t i;
	ae_err err = AE_OK;

	for (i = 0; err == AE_OK && i < n; i++) {
		if (ae_store_ends_with(names[i], SFX_CORRUPT, NULL)) {
			err = add_unmanaged(snap, names[i], "a state record that did not parse, set "
					    "aside by recovery; its template has no record");
		}
	}
	return err;
}

/* archive/<template>.<tag>.state: the record an archive or removal writes last. */
static ae_err add_archived(TALLOC_CTX *tmp, struct ae_store_snapshot *snap, int afd,
			   const char *dir, const char *name)
{
	struct ae_store_state *st = NULL;
	struct ae_store_archived *v = NULL, *a = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	char why[96] = "";
	ae_err err = ae_file_read_at(tmp, afd, name, AE_STORE_RECORD_MAX, 0, &data, &len, why,
				     sizeof(why));

	if (err == AE_OK) {
		err = ae_store_state_parse(snap, data, len, &st);
	}
	if (err == AE_OK && (st->archive_tag == NULL ||
			     (st->status != AE_CERT_ARCHIVED && st->status != AE_CERT_REMOVED))) {
		talloc_free(st);
		err = AE_ERR_PARSE;
	}
	if (err != AE_OK && err != AE_ERR_NOMEM) {
		AE_WARN("store %s: archive/%s: %s; not listed", dir, name,
			why[0] ? why : ae_strerror(err));
		return AE_OK;
	}
	v = err == AE_OK ? talloc_realloc(snap, snap->archived, struct ae_store_archived,
					  snap->num_archived + 1) : NULL;
	if (v == NULL) {
		return AE_ERR_NOMEM;
	}
	snap->archived = v;
	a = &v[snap->num_archived++];
	talloc_steal(v, st);
	a->template_name = st->template_name;
	a->tag = st->archive_tag;
	a->state = st->status;
	a->serial_hex = st->cert.serial_hex;
	a->reason = st->reason;
	a->archived = st->changed;
	a->not_after = st->cert.not_after;
	return AE_OK;
}

static int cmp_archived(const void *a, const void *b)
{
	const struct ae_store_archived *x = a, *y = b;
	int c = strcmp(x->template_name, y->template_name);

	return c != 0 ? c : (x->archived > y->archived) - (x->archived < y->archived);
}

static ae_err list_archive(TALLOC_CTX *tmp, struct ae_store_snapshot *snap,
			   const struct ae_store *s)
{
	char **names = NULL;
	size_t n = 0, i;
	int afd = -1;
	ae_err err = ae_store_subdir(s, "archive", false, &afd);

	if (err == AE_ERR_NOT_FOUND) {
		return AE_OK;
	}
	if (err == AE_OK) {
		err = ae_store_list_dir_at(tmp, afd, "archive", &names, &n);
	}
	for (i = 0; err == AE_OK && i < n; i++) {
		if (ae_store_ends_with(names[i], SFX_STATE, NULL)) {
			err = add_archived(tmp, snap, afd, s->dir, names[i]);
		}
	}
	if (afd >= 0) {
		close(afd);
	}
	if (err == AE_OK && snap->num_archived > 1) {
		qsort(snap->archived, snap->num_archived, sizeof(snap->archived[0]), cmp_archived);
	}
	return err;
}

static int cmp_cert(const void *a, const void *b)
{
	return strcmp(((const struct ae_store_cert *)a)->template_name,
		      ((const struct ae_store_cert *)b)->template_name);
}

ae_err ae_store_snapshot(TALLOC_CTX *mem_ctx, const struct ae_store *s,
			 struct ae_store_snapshot **_snap)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_store_snapshot *snap = NULL;
	char **names = NULL;
	size_t n = 0, i, stem = 0;
	char why[96] = "";
	int pfd = -1;
	ae_err err = AE_ERR_NOMEM;

	snap = talloc_zero(tmp, struct ae_store_snapshot);
	if (tmp == NULL || snap == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	err = ae_store_list_dir_at(tmp, s->fd, s->dir, &names, &n);
	for (i = 0; err == AE_OK && i < n; i++) {
		char *t = NULL;
		bool rec = ae_store_ends_with(names[i], SFX_STATE, &stem);
		if (!rec && !ae_store_ends_with(names[i], SFX_CRT, &stem)) {
			continue;
		}
		t = talloc_strndup(tmp, names[i], stem);
		if (t == NULL) {
			err = AE_ERR_NOMEM;
		} else if (!ae_store_name_ok(t) || (!rec && ae_store_has(tmp, s, t, SFX_STATE))) {
			continue;	/* not a store name; listed through its record */
		} else if (!rec && ae_file_check_regular_at(s->fd, names[i], why,
							    sizeof(why)) != AE_OK) {
			/* never followed, never listed as a certificate */
			AE_ERROR("store %s: %s is %s; not managed", s->dir, names[i], why);
			err = add_unmanaged(snap, names[i], why);
		} else if (!rec && ae_file_check_regular_at(s->fd, ae_store_fname(tmp, t, SFX_KEY),
							    NULL, 0) != AE_OK) {
			err = add_unmanaged(snap, names[i], "a certificate without a state record "
					    "and without its key");
		} else {
			err = add_template(snap, s, t, rec);
		}
	}
	if (err == AE_OK) {
		err = list_corrupt(snap, names, n);
	}
	if (err == AE_OK) {
		err = list_archive(tmp, snap, s);
	}
	if (err == AE_OK) {
		err = ae_store_subdir(s, "pending", false, &pfd);
		if (err == AE_ERR_NOT_FOUND) {
			n = 0;
			err = AE_OK;
		} else if (err == AE_OK) {
			err = ae_store_list_dir_at(tmp, pfd, "pending", &names, &n);
		}
	}
	for (i = 0; err == AE_OK && i < n; i++) {
		if (ae_store_ends_with(names[i], SFX_STATE, NULL)) {
			err = add_pending(snap, pfd, s->dir, names[i]);
		}
	}
	if (pfd >= 0) {
		close(pfd);
	}
	if (err == AE_OK) {
		if (snap->num_certs > 1) {
			qsort(snap->certs, snap->num_certs, sizeof(snap->certs[0]), cmp_cert);
		}
		*_snap = talloc_steal(mem_ctx, snap);
	}
	talloc_free(tmp);
	return err;
}
