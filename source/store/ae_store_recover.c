/*
 * ae_store_recover.c: start-up recovery (ae_store.h). What each status
 * means for recovery is argued in ae_store_txn.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ae_store_private.h"
#include "ae_file.h"
#include "ae_log.h"

struct notes {
	char **v;
	size_t n;
	size_t dropped;
};

static void note(struct notes *nt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct notes *nt, const char *fmt, ...)
{
	char *text = NULL, **v = NULL;
	va_list ap;

	va_start(ap, fmt);
	text = talloc_vasprintf(nt->v, fmt, ap);
	va_end(ap);
	if (text == NULL) {
		return;
	}
	AE_INFO("recovery: %s", text);
	if (nt->n >= AE_STORE_NOTES_MAX - 1) {	/* room for the "and N more" note */
		nt->dropped++;
		talloc_free(text);
		return;
	}
	v = talloc_realloc(NULL, nt->v, char *, nt->n + 2);
	if (v == NULL) {
		talloc_free(text);
		return;
	}
	nt->v = v;
	v[nt->n++] = text;
	v[nt->n] = NULL;
}

static ae_err keep_first(ae_err first, ae_err err)
{
	return first != AE_OK ? first : err;
}

/* Delete "*.tmp.<digits>" in the directory open as dfd (where: its name in notes). */
static ae_err sweep_tmp(TALLOC_CTX *tmp, int dfd, const char *where, struct notes *nt)
{
	char **names = NULL;
	size_t n = 0, i;
	ae_err err = ae_store_list_dir_at(tmp, dfd, where, &names, &n);

	for (i = 0; err == AE_OK && i < n; i++) {
		bool did = false;
		if (!ae_store_is_tmp_name(names[i])) {
			continue;
		}
		err = ae_store_unlink_at(dfd, names[i], &did);
		if (did) {
			note(nt, "removed the temporary file %s/%s of an interrupted write", where,
			     names[i]);
		}
	}
	return err;
}

/* A pending/ key without its record is what an interrupted save or remove leaves. */
static ae_err sweep_pending(TALLOC_CTX *tmp, int pfd, const char *where, struct notes *nt)
{
	char **names = NULL;
	size_t n = 0, i, stem = 0;
	struct stat sb;
	ae_err err = ae_store_list_dir_at(tmp, pfd, where, &names, &n);

	for (i = 0; err == AE_OK && i < n; i++) {
		char *rec = NULL;
		bool did = false;
		if (!ae_store_ends_with(names[i], SFX_KEY, &stem)) {
			continue;
		}
		rec = talloc_asprintf(tmp, "%.*s%s", (int)stem, names[i], SFX_STATE);
		if (rec == NULL || fstatat(pfd, rec, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
			continue;
		}
		err = ae_store_unlink_at(pfd, names[i], &did);
		if (did) {
			note(nt, "removed pending/%s: a pending request's key without its record",
			     names[i]);
		}
	}
	return err;
}

/* Set aside the bad entries of dfd (ae_store_set_aside), one note each. */
static ae_err set_aside(TALLOC_CTX *tmp, const struct ae_store *s, int dfd, const char *where,
			struct notes *nt)
{
	char **lines = NULL;
	size_t n = 0, i;
	ae_err err = ae_store_set_aside(tmp, s, dfd, where, &lines, &n);

	for (i = 0; i < n; i++) {
		note(nt, "%s", lines[i]);
	}
	return err;
}

static const char *cert_words(const struct ae_store_state *st)
{
	return st->cert.serial_hex ? st->cert.serial_hex : "unknown";
}

static ae_err recover_one(TALLOC_CTX *tmp, const struct ae_store *s, const char *t,
			  struct notes *nt)
{
	struct ae_store_state *st = NULL, *after = NULL;
	const char *where = NULL;
	char *ca = NULL;
	uint32_t id = 0;
	bool did = false;
	ae_err err = ae_store_state_load(tmp, s, t, &st);

	if (err == AE_ERR_PARSE) {
		err = ae_store_move(s->fd, ae_store_fname(tmp, t, SFX_STATE), s->fd,
				    ae_store_fname(tmp, t, SFX_CORRUPT), NULL);
		note(nt, err == AE_OK ? "template %s: the state record does not parse; set aside "
		     "as %s%s" : "template %s: the state record does not parse; cannot set it "
		     "aside as %s%s", t, t, SFX_CORRUPT);
		st = NULL;
	} else if (err == AE_ERR_NOT_FOUND) {
		err = AE_OK;
	}
	if (err != AE_OK) {
		return err;
	}
	switch (st ? st->status : AE_CERT_NONE) {
	case AE_CERT_INSTALLING:
		err = ae_store_finish_install(s, st);
		if (err != AE_OK) {
			note(nt, "template %s: cannot finish installing the new certificate: %s", t,
			     ae_strerror(err));
			return err;
		}
		(void)ae_store_state_load(tmp, s, t, &after);
		where = st->archive_tag == NULL ? "" :
			talloc_asprintf(tmp, "; the previous pair is in archive/%s.%s.*", t,
					st->archive_tag);
		note(nt, "template %s: finished an interrupted install (serial %s)%s", t,
		     after ? cert_words(after) : "unknown", where ? where : "");
		return AE_OK;
	case AE_CERT_ENROLLING:
	case AE_CERT_RENEWING:
		if (ae_store_staged_request(tmp, s, t, &ca, &id)) {
			/* the answer staged, its record not written (EIO): keep it */
			err = ae_store_pending(s, t, ca, id);
			if (err == AE_OK) {
				note(nt, "template %s: request %u at CA %s was answered and its answer "
				     "staged, but the record could not say so; recorded as pending: the "
				     "received certificate is installed if it matches the request's key, "
				     "else the request is retrieved again", t, id, ca);
			}
			return err;
		}
		err = ae_store_abort(s, t, "interrupted before the CA recorded a request");
		note(nt, "template %s: %s interrupted before a request id was recorded; dropped "
		     "the new key%s", t, st->status == AE_CERT_RENEWING ? "renewal" : "enrollment",
		     st->renewal ? ", the installed pair stays" : "");
		return err;
	case AE_CERT_PENDING:
		if (!ae_store_has(tmp, s, t, SFX_NEW_KEY)) {
			err = ae_store_abort(s, t, "the pending request's key is missing");
			note(nt, "template %s: request %u at CA %s is pending but its key is "
			     "missing; abandoned", t, st->request_id, st->request_ca);
			return err;
		}
		/* staged certificate and chain: an answer received, kept (ae_store_txn.c) */
		err = ae_store_unlink_at(s->fd, ae_store_fname(tmp, t, SFX_NEW_STATE), &did);
		if (err == AE_OK && did) {
			err = ae_store_fsync_dirfd(s->fd, s->dir);
		}
		if (ae_store_has(tmp, s, t, SFX_NEW_CRT)) {
			note(nt, "template %s: request %u at CA %s was answered but not installed; "
			     "the received certificate is kept and is installed if it matches the "
			     "request's key, else the request is retrieved again", t, st->request_id,
			     st->request_ca);
		}
		return err;
	case AE_CERT_ARCHIVED:
	case AE_CERT_REMOVED:
		err = ae_store_finish_archive(s, st, &did);
		if (did) {
			note(nt, "template %s: finished moving the %s pair to archive/%s.%s.*", t,
			     st->status == AE_CERT_ARCHIVED ? "archived" : "removed", t,
			     st->archive_tag);
		}
		break;
	case AE_CERT_NONE:
	case AE_CERT_ISSUED:
		break;
	}
	if (err == AE_OK) {
		did = false;
		err = ae_store_drop_staged(s, t, true, &did);
		if (did) {
			note(nt, "template %s: removed the new key or staged files of a transition that "
			     "had not started (status %s)", t,
			     ae_cert_state_name(st ? st->status : AE_CERT_NONE));
		}
	}
	return err;
}

/* The templates that have a record or staged files. */
static ae_err templates(TALLOC_CTX *tmp, const struct ae_store *s, char ***_t, size_t *_n)
{
	static const char *const sfx[] = { SFX_STATE, SFX_NEW_KEY, SFX_NEW_CRT, SFX_NEW_CHAIN,
					    SFX_NEW_STATE };
	char **names = NULL, **t = NULL;
	size_t n = 0, nt = 0, i, j, stem = 0;
	ae_err err = ae_store_list_dir_at(tmp, s->fd, s->dir, &names, &n);

	if (err != AE_OK) {
		return err;
	}
	t = talloc_array(tmp, char *, n);
	for (i = 0; t != NULL && i < n; i++) {
		for (j = 0; j < sizeof(sfx) / sizeof(sfx[0]); j++) {
			char *name = NULL;
			if (!ae_store_ends_with(names[i], sfx[j], &stem)) {
				continue;
			}
			name = talloc_strndup(t, names[i], stem);
			if (name == NULL) {
				return AE_ERR_NOMEM;
			}
			/* names are sorted, but "X.state" and "X.key.new" are not adjacent */
			if (ae_store_name_ok(name)) {
				size_t k;
				bool dup = false;
				for (k = 0; k < nt && !dup; k++) {
					dup = strcmp(t[k], name) == 0;
				}
				if (!dup) {
					t[nt++] = name;
				}
			}
			break;
		}
	}
	if (t == NULL) {
		return AE_ERR_NOMEM;
	}
	*_t = t;
	*_n = nt;
	return AE_OK;
}

/* What comes before the templates: bad entries, temporaries, orphan pending keys. */
static ae_err sweep_dirs(TALLOC_CTX *tmp, const struct ae_store *s, struct notes *nt)
{
	int afd = -1, pfd = -1;
	ae_err first = set_aside(tmp, s, s->fd, "", nt), err;

	first = keep_first(first, sweep_tmp(tmp, s->fd, s->dir, nt));
	err = ae_store_subdir(s, "archive", false, &afd);
	if (err == AE_OK) {
		first = keep_first(first, sweep_tmp(tmp, afd, "archive", nt));
		close(afd);
	} else if (err != AE_ERR_NOT_FOUND) {
		first = keep_first(first, err);
	}
	err = ae_store_subdir(s, "pending", false, &pfd);
	if (err == AE_OK) {
		first = keep_first(first, set_aside(tmp, s, pfd, "pending/", nt));
		first = keep_first(first, sweep_tmp(tmp, pfd, "pending", nt));
		first = keep_first(first, sweep_pending(tmp, pfd, "pending", nt));
		close(pfd);
	} else if (err != AE_ERR_NOT_FOUND) {
		first = keep_first(first, err);
	}
	return first;
}

ae_err ae_store_recover(TALLOC_CTX *mem_ctx, const struct ae_store *s, char ***_notes)
{
	TALLOC_CTX *tmp = NULL;
	struct notes nt = { 0 };
	char **t = NULL;
	size_t n = 0, i;
	ae_err err, first = AE_OK;

	err = ae_store_require_lock(s, "recover");
	if (err != AE_OK) {
		return err;
	}
	tmp = talloc_new(NULL);
	nt.v = talloc_zero_array(NULL, char *, 1);
	if (tmp == NULL || nt.v == NULL) {
		talloc_free(tmp);
		talloc_free(nt.v);
		return AE_ERR_NOMEM;
	}
	first = sweep_dirs(tmp, s, &nt);
	err = templates(tmp, s, &t, &n);
	first = first != AE_OK ? first : err;
	for (i = 0; err == AE_OK && i < n; i++) {
		ae_err e = recover_one(tmp, s, t[i], &nt);
		if (e != AE_OK) {
			AE_ERROR("recovery of template %s in %s: %s", t[i], s->dir, ae_strerror(e));
			first = first != AE_OK ? first : e;
		}
	}
	if (err == AE_OK) {
		/* after the templates: a rolled-back ENROLLING can take an old pending request */
		char **lines = NULL;
		size_t nl = 0;
		first = keep_first(first, ae_store_adopt_pending(tmp, s, &lines, &nl));
		for (i = 0; i < nl; i++) {
			note(&nt, "%s", lines[i]);
		}
	}
	if (nt.dropped > 0) {
		char **v = talloc_realloc(NULL, nt.v, char *, nt.n + 2);
		if (v != NULL) {
			nt.v = v;
			v[nt.n] = talloc_asprintf(v, "... and %zu more", nt.dropped);
			v[nt.n + (v[nt.n] != NULL)] = NULL;
		}
	}
	talloc_free(tmp);
	*_notes = talloc_steal(mem_ctx, nt.v);
	return first;
}
