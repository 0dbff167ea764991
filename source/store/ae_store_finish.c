/*
 * ae_store_finish.c: the idempotent steps that complete a transition after
 * its commit point, run by the transitions themselves and again by
 * ae_store_recover() after a crash (the argument is in ae_store_txn.c).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ae_store_private.h"
#include "ae_file.h"
#include "ae_log.h"

static ae_err write_record(int dfd, const char *name, const struct ae_store_state *st)
{
	char *text = NULL;
	ae_err err;

	if (name == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_store_state_format(NULL, st, &text);
	if (err == AE_OK) {
		err = ae_file_write_atomic_at(dfd, name, text, strlen(text), 0600);
	}
	talloc_free(text);
	return err;
}

struct ae_store_state *ae_store_next_record(TALLOC_CTX *mem_ctx, const struct ae_store_state *st,
					     enum ae_cert_state status, bool keep_cert)
{
	struct ae_store_state *n = ae_store_state_copy(mem_ctx, st);

	if (n == NULL) {
		return NULL;
	}
	n->status = status;
	n->changed = time(NULL);
	n->created = n->created != 0 ? n->created : n->changed;
	n->renewal = false;
	n->request_ca = NULL;
	n->request_id = 0;
	n->has_request_id = false;
	n->submitted = 0;
	n->archive_tag = NULL;
	n->reason = NULL;
	if (!keep_cert) {
		memset(&n->cert, 0, sizeof(n->cert));
	}
	return n;
}

ae_err ae_store_drop_staged(const struct ae_store *s, const char *t, bool with_key, bool *_did)
{
	static const char *const sfx[] = { SFX_NEW_STATE, SFX_NEW_CRT, SFX_NEW_CHAIN, SFX_NEW_KEY };
	TALLOC_CTX *tmp = talloc_new(NULL);
	bool did = false;
	ae_err err = tmp ? AE_OK : AE_ERR_NOMEM;
	size_t i;

	for (i = 0; err == AE_OK && i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		if (i == 3 && !with_key) {
			break;
		}
		err = ae_store_unlink_at(s->fd, ae_store_fname(tmp, t, sfx[i]), &did);
		ae_store_step("drop");
	}
	if (err == AE_OK && did) {
		err = ae_store_fsync_dirfd(s->fd, s->dir);
	}
	if (_did != NULL) {
		*_did = did;
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_store_finish_archive(const struct ae_store *s, const struct ae_store_state *st,
			       bool *_did)
{
	static const char *const order[] = { SFX_CRT, SFX_CHAIN, SFX_KEY };	/* crt first */
	TALLOC_CTX *tmp = talloc_new(NULL);
	const char *t = st->template_name, *tag = st->archive_tag;
	char *astate = NULL;
	struct stat sb;
	int afd = -1;
	ae_err err = AE_OK;
	size_t i;

	if (_did != NULL) {
		*_did = false;
	}
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	if (tag == NULL) {
		talloc_free(tmp);
		return AE_OK;
	}
	astate = ae_store_archive_name(tmp, t, tag, SFX_STATE);
	if (astate == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	err = ae_store_subdir(s, "archive", true, &afd);
	if (err == AE_OK && fstatat(afd, astate, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		close(afd);
		talloc_free(tmp);
		return AE_OK;
	}
	for (i = 0; err == AE_OK && i < sizeof(order) / sizeof(order[0]); i++) {
		err = ae_store_move(s->fd, ae_store_fname(tmp, t, order[i]), afd,
				    ae_store_archive_name(tmp, t, tag, order[i]), NULL);
		ae_store_step(i == 0 ? "archive:crt" : i == 1 ? "archive:chain" : "archive:key");
	}
	if (err == AE_OK) {
		err = write_record(afd, astate, st);
	}
	if (err == AE_OK && _did != NULL) {
		*_did = true;
	}
	if (afd >= 0) {
		close(afd);
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_store_finish_install(const struct ae_store *s, const struct ae_store_state *st)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	const char *t = st->template_name;
	struct ae_store_state *old = NULL;
	ae_err err = AE_OK;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	if (!ae_store_has(tmp, s, t, SFX_NEW_STATE)) {
		AE_ERROR("template %s: installing, but %s%s is missing; cannot finish", t, t,
			 SFX_NEW_STATE);
		talloc_free(tmp);
		return AE_ERR_NOT_FOUND;
	}
	if (st->archive_tag != NULL) {
		/* (1) the old pair to archive/, its record last */
		old = ae_store_next_record(tmp, st, AE_CERT_ARCHIVED, true);
		if (old == NULL || (old->archive_tag = talloc_strdup(old, st->archive_tag)) == NULL ||
		    (old->reason = talloc_strdup(old, "replaced")) == NULL) {
			talloc_free(tmp);
			return AE_ERR_NOMEM;
		}
		old->renewal = false;
		err = ae_store_finish_archive(s, old, NULL);
	}
	if (err == AE_OK && ae_store_has(tmp, s, t, SFX_NEW_KEY)) {
		/* (2) no certificate may stay next to the key we rename in */
		err = ae_store_unlink_at(s->fd, ae_store_fname(tmp, t, SFX_CRT), NULL);
		ae_store_step("install:unlink-crt");
		if (err == AE_OK) {
			err = ae_store_move(s->fd, ae_store_fname(tmp, t, SFX_NEW_KEY), s->fd,
					    ae_store_fname(tmp, t, SFX_KEY), NULL);
		}
		ae_store_step("install:key");
	}
	if (err == AE_OK) {	/* (3) */
		err = ae_store_move(s->fd, ae_store_fname(tmp, t, SFX_NEW_CHAIN), s->fd,
				    ae_store_fname(tmp, t, SFX_CHAIN), NULL);
		ae_store_step("install:chain");
	}
	if (err == AE_OK) {	/* (4) */
		err = ae_store_move(s->fd, ae_store_fname(tmp, t, SFX_NEW_CRT), s->fd,
				    ae_store_fname(tmp, t, SFX_CRT), NULL);
		ae_store_step("install:crt");
	}
	if (err == AE_OK) {	/* (5) */
		err = ae_store_move(s->fd, ae_store_fname(tmp, t, SFX_NEW_STATE), s->fd,
				    ae_store_fname(tmp, t, SFX_STATE), NULL);
	}
	talloc_free(tmp);
	return err;
}

bool ae_store_staged_request(TALLOC_CTX *mem_ctx, const struct ae_store *s, const char *t,
			     char **_ca, uint32_t *_request_id)
{
	TALLOC_CTX *tmp = NULL;
	struct ae_store_state *next = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	char why[96] = "";
	bool found = false;

	if (!ae_store_name_ok(t) || (tmp = talloc_new(NULL)) == NULL) {
		return false;
	}
	/* begin's reservation in <T>.state.new does not parse: not an answer */
	if (ae_store_has(tmp, s, t, SFX_NEW_CRT) && ae_store_has(tmp, s, t, SFX_NEW_KEY) &&
	    ae_file_read_at(tmp, s->fd, ae_store_fname(tmp, t, SFX_NEW_STATE),
			    AE_STORE_RECORD_MAX, 0, &data, &len, why, sizeof(why)) == AE_OK &&
	    ae_store_state_parse(tmp, data, len, &next) == AE_OK &&
	    strcmp(next->template_name, t) == 0 && next->status == AE_CERT_ISSUED &&
	    next->cert.ca != NULL && next->cert.request_id != 0) {
		*_ca = talloc_strdup(mem_ctx, next->cert.ca);
		*_request_id = next->cert.request_id;
		found = *_ca != NULL;
	}
	talloc_free(tmp);
	return found;
}
