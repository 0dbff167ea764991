/*
 * ae_store_adopt.c: older versions kept a request the CA took under
 * submission apart from its template, as pending/<ca>.<id>.{key,state}
 * (written by `autoenroll request`), where the cycle never looked for the
 * key. Recovery turns each into the template's own PENDING record, so one
 * record per template says what is in flight (the crash argument is in
 * ae_store_txn.c, "adopt").
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ae_store_private.h"
#include "ae_file.h"
#include "ae_log.h"

struct lines {
	char **v;
	size_t n;
};

static void add_line(TALLOC_CTX *mem, struct lines *l, char *text)
{
	char **v = NULL;

	if (text == NULL) {
		return;
	}
	v = talloc_realloc(mem, l->v, char *, l->n + 1);
	if (v == NULL) {
		return;
	}
	v[l->n++] = talloc_steal(v, text);
	l->v = v;
}

/* Remove an adopted pending/ entry: the record first, a key without it is litter. */
static ae_err drop_old(int pfd, const char *stem, TALLOC_CTX *tmp)
{
	ae_err err = ae_store_unlink_at(pfd, talloc_asprintf(tmp, "%s%s", stem, SFX_STATE), NULL);

	if (err == AE_OK) {
		err = ae_store_unlink_at(pfd, talloc_asprintf(tmp, "%s%s", stem, SFX_KEY), NULL);
	}
	if (err == AE_OK) {
		err = ae_store_fsync_dirfd(pfd, "pending");
	}
	return err;
}

static ae_err load_record(TALLOC_CTX *tmp, const struct ae_store *s, const char *t,
			  struct ae_store_state **_st)
{
	ae_err err = ae_store_state_load(tmp, s, t, _st);

	if (err == AE_ERR_NOT_FOUND) {
		struct ae_store_state *st = talloc_zero(tmp, struct ae_store_state);
		if (st == NULL || (st->template_name = talloc_strdup(st, t)) == NULL) {
			return AE_ERR_NOMEM;
		}
		st->created = time(NULL);
		*_st = st;
		err = AE_OK;
	}
	return err;
}

/* pending/<stem>.state, parsed as pe: adopt it, or say why not. */
static ae_err adopt_one(TALLOC_CTX *tmp, const struct ae_store *s, int pfd, const char *stem,
			const struct ae_pending *pe, struct lines *out, TALLOC_CTX *mem)
{
	const char *t = pe->template_name;
	struct ae_store_state *st = NULL, *next = NULL;
	uint8_t *key = NULL;
	size_t key_len = 0;
	char why[96] = "";
	bool pair;
	ae_err err = load_record(tmp, s, t, &st);

	if (err != AE_OK) {
		add_line(mem, out, talloc_asprintf(tmp, "pending/%s: request %u of template %s at CA "
						   "%s not adopted: the template's record is "
						   "unreadable (%s)", stem, pe->request_id, t, pe->ca,
						   ae_strerror(err)));
		return err == AE_ERR_NOMEM ? err : AE_OK;
	}
	if (st->status == AE_CERT_PENDING && st->request_id == pe->request_id &&
	    st->request_ca != NULL && strcasecmp(st->request_ca, pe->ca) == 0) {
		err = drop_old(pfd, stem, tmp);	/* adopted before a crash */
		add_line(mem, out, talloc_asprintf(tmp, "template %s: removed pending/%s, adopted "
						   "earlier as the template's pending request %u", t,
						   stem, pe->request_id));
		return err;
	}
	if (ae_cert_state_in_flight(st->status)) {
		add_line(mem, out, talloc_asprintf(tmp, "template %s: pending/%s (request %u at CA %s) "
						   "left as it is: the template has a request in "
						   "flight (status %s); retrieve or deny one of them",
						   t, stem, pe->request_id, pe->ca,
						   ae_cert_state_name(st->status)));
		return AE_OK;
	}
	err = ae_file_read_at(tmp, pfd, talloc_asprintf(tmp, "%s%s", stem, SFX_KEY),
			      AE_STORE_PEM_MAX, 0, &key, &key_len, why, sizeof(why));
	if (err != AE_OK) {
		add_line(mem, out, talloc_asprintf(tmp, "pending/%s: request %u of template %s: its key "
						   "cannot be read (%s); left as it is", stem,
						   pe->request_id, t, why[0] ? why : ae_strerror(err)));
		return AE_OK;
	}
	pair = ae_store_has(tmp, s, t, SFX_CRT) && ae_store_has(tmp, s, t, SFX_KEY);
	next = ae_store_next_record(tmp, st, AE_CERT_PENDING, pair && st->status == AE_CERT_ISSUED);
	if (next == NULL || (next->request_ca = talloc_strdup(next, pe->ca)) == NULL) {
		return AE_ERR_NOMEM;
	}
	next->renewal = pair;
	next->request_id = pe->request_id;
	next->has_request_id = true;
	next->submitted = pe->submitted != 0 ? pe->submitted : next->changed;
	/* the key first: until the record names it, it is a stray of a stable status */
	err = ae_file_write_atomic_at(s->fd, ae_store_fname(tmp, t, SFX_NEW_KEY), key, key_len,
				      0600);
	ae_store_step("adopt:key");
	if (err == AE_OK) {
		err = ae_store_state_save(s, next);
	}
	ae_store_step("adopt:record");
	if (err == AE_OK) {
		err = drop_old(pfd, stem, tmp);
	}
	if (err == AE_OK) {
		add_line(mem, out, talloc_asprintf(tmp, "template %s: adopted pending/%s (request %u "
						   "at CA %s) as the template's pending request", t,
						   stem, pe->request_id, pe->ca));
	}
	return err;
}

ae_err ae_store_adopt_pending(TALLOC_CTX *mem_ctx, const struct ae_store *s, char ***_lines,
			      size_t *_n)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct lines out = { 0 };
	char **names = NULL;
	size_t n = 0, i, stem = 0;
	int pfd = -1;
	ae_err err = tmp ? ae_store_subdir(s, "pending", false, &pfd) : AE_ERR_NOMEM;
	ae_err first = AE_OK;

	*_lines = NULL;
	*_n = 0;
	if (err == AE_ERR_NOT_FOUND) {
		talloc_free(tmp);
		return AE_OK;
	}
	if (err == AE_OK) {
		err = ae_store_list_dir_at(tmp, pfd, "pending", &names, &n);
	}
	for (i = 0; err == AE_OK && i < n; i++) {
		struct ae_pending *pe = NULL;
		uint8_t *rec = NULL;
		size_t len = 0;
		char *st = NULL;
		ae_err e;

		if (!ae_store_ends_with(names[i], SFX_STATE, &stem)) {
			continue;
		}
		st = talloc_strndup(tmp, names[i], stem);
		e = ae_file_read_at(tmp, pfd, names[i], AE_STORE_RECORD_MAX, 0, &rec, &len, NULL, 0);
		if (e == AE_OK) {
			e = ae_pending_parse(tmp, rec, len, &pe);
		}
		if (e != AE_OK || st == NULL) {
			continue;	/* ae_store_snapshot warns about it on every run */
		}
		e = adopt_one(tmp, s, pfd, st, pe, &out, mem_ctx);
		first = first != AE_OK ? first : e;
	}
	if (pfd >= 0) {
		close(pfd);
	}
	talloc_free(tmp);
	*_lines = out.v;
	*_n = out.n;
	return err != AE_OK ? err : first;
}
