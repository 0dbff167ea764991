/*
 * ae_store_txn.c: the transitions of a template (ae_store.h).
 *
 * Why a kill -9 at any instruction leaves a recoverable store.
 *
 * Facts used: rename(2) and unlink(2) are atomic; every file we create is
 * complete before its name appears (ae_file_write_atomic); the record
 * <T>.state is replaced only by rename, so it always holds one whole
 * record; we never rename one name over another that holds a different
 * certificate or key. A single process at a time mutates a context (the
 * lock). Every rename/unlink is followed by an fsync of its directory, so
 * the order below is also the order a power cut can observe.
 *
 * The visible invariant I: if <T>.crt exists, <T>.key is its key.
 * - begin writes only <T>.key.new, the reservation <T>.state.new (see
 *   reserve()) and then the record. ae_store_install
 *   (legacy layouts only; no caller in the engine) unlinks <T>.crt before
 *   it replaces <T>.key.
 * - commit (ae_store_finish_install) moves the old files out crt first, key
 *   last; then (re-checking that <T>.crt is gone) renames the new key in,
 *   then the chain, then the new certificate LAST. Between the old
 *   certificate leaving and the new one arriving there is no <T>.crt; at no
 *   instant is there a certificate next to a key of another pair.
 * - archive/remove move crt first, key last.
 *
 * Recoverability: each transition has one commit point, the atomic save of
 * the record; recover() reads the record and either undoes what came
 * before it or redoes what comes after it, with steps that are idempotent:
 * - begin: before the record says ENROLLING/RENEWING, <T>.key.new and the
 *   reservation are strays of a stable status and are deleted; after, they
 *   are the in-flight key and room, deleted by the roll-back (no request
 *   id: nothing to wait for).
 * - pending: one record save. PENDING keeps <T>.key.new. The engine saves
 *   it also when the CA answered "issued", before it writes anything else
 *   (ae_step.c): the smallest write that makes the answer durable is the
 *   request id, and with it the certificate can be retrieved again.
 * - a PENDING record next to <T>.crt.new (and <T>.chain.pem.new) is an
 *   answer received but not installed (a commit that stopped before its
 *   commit point: kill, ENOSPC). Those staged files are complete (atomic
 *   writes) and are KEPT by recover(); the engine installs them if the
 *   certificate matches <T>.key.new (ae_step_retrieve), else it retrieves
 *   the request again. Only <T>.state.new goes (rewritten by the commit).
 * - adopt (ae_store_adopt.c): a pending/<ca>.<id> record of an older
 *   version becomes the template's PENDING record: <T>.key.new is written
 *   first (a stray of a stable status until the record names it), then the
 *   record PENDING, then pending/ loses the record, then its key. A crash
 *   at any point leaves either the old record (adopted again) or the
 *   template PENDING with the same CA and id (the leftover is removed).
 * - commit: <T>.crt.new, <T>.chain.pem.new and <T>.state.new (the next
 *   record, status ISSUED) are written completely BEFORE the record says
 *   INSTALLING (with the archive tag). Before that point recover() deletes
 *   them for ENROLLING/RENEWING (with the new key), unless all three are
 *   there (a commit after a PENDING save that failed, e.g. EIO: the staged
 *   record names the request, ae_store_staged_request; recover() records
 *   PENDING with it and keeps the answer); PENDING keeps the key
 *   and the staged certificate and chain (above), drops <T>.state.new; after it,
 *   recover() finishes: (1) unless archive/<T>.<tag>.state exists, move
 *   whatever of crt, chain, key is still in place to archive/ and write
 *   that record LAST, so its existence proves the old pair is archived and
 *   the key in place is not yet the new one; (2) if <T>.key.new exists,
 *   unlink <T>.crt (never the new one: it is renamed only after the key)
 *   and rename the key in; (3) rename the chain, (4) the certificate,
 *   (5) <T>.state.new over <T>.state: done. A step whose source is gone was
 *   done before the crash; <T>.state.new disappears only in step 5.
 * - abort: the record (stable status) first, then the staged files go; a
 *   crash in between leaves strays of a stable status, deleted by recover.
 * - archive/remove: the record (ARCHIVED/REMOVED + tag) first, then the
 *   moves, then archive/<T>.<tag>.state last (as in commit step 1).
 * Hence after recover() the template holds the old pair (rolled back) or
 * the new one (finished), and its record describes it.
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ae_store_private.h"
#include "ae_file.h"
#include "ae_log.h"

char *ae_store_txn_reason(TALLOC_CTX *mem_ctx, const char *reason)
{
	char *r = NULL, *p;

	if (reason == NULL || reason[0] == '\0') {
		return NULL;
	}
	r = talloc_strndup(mem_ctx, reason, AE_STORE_VALUE_MAX);
	for (p = r; p != NULL && *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			*p = ' ';
		}
	}
	return r;
}

/* Load the record; no record is a fresh NONE record. */
static ae_err load_or_new(TALLOC_CTX *mem_ctx, const struct ae_store *s, const char *t,
			  struct ae_store_state **_st)
{
	struct ae_store_state *st = NULL;
	ae_err err = ae_store_state_load(mem_ctx, s, t, &st);

	if (err == AE_ERR_NOT_FOUND) {
		st = talloc_zero(mem_ctx, struct ae_store_state);
		if (st == NULL || (st->template_name = talloc_strdup(st, t)) == NULL) {
			talloc_free(st);
			return AE_ERR_NOMEM;
		}
		st->created = time(NULL);
		err = AE_OK;
	}
	if (err == AE_ERR_PARSE) {
		AE_ERROR("template %s: the state record in %s does not parse; run recovery", t,
			 s->dir);
	}
	if (err == AE_OK) {
		*_st = st;
	}
	return err;
}

/* An archive tag no file of archive/<T>.<tag>.* uses yet. */
ae_err ae_store_txn_tag(TALLOC_CTX *mem_ctx, const struct ae_store *s,
			const struct ae_store_state *st, char **_tag)
{
	static const char *const sfx[] = { SFX_STATE, SFX_KEY, SFX_CRT, SFX_CHAIN };
	char *base = NULL;
	struct stat sb;
	unsigned n;
	size_t i;
	int afd = -1;
	ae_err err = ae_store_subdir(s, "archive", true, &afd);

	if (err != AE_OK) {
		return err;
	}
	/* the cert fields describe the installed pair in these states (begin, next_record) */
	if (st->cert.serial_hex != NULL && st->status != AE_CERT_ARCHIVED &&
	    st->status != AE_CERT_REMOVED) {
		base = talloc_strdup(mem_ctx, st->cert.serial_hex);
	} else {
		base = talloc_asprintf(mem_ctx, "%lld", (long long)time(NULL));
	}
	err = base == NULL ? AE_ERR_NOMEM : AE_ERR_IO;
	for (n = 0; base != NULL && n < 1000; n++) {
		char *tag = n == 0 ? talloc_strdup(mem_ctx, base) : talloc_asprintf(mem_ctx, "%s-%u",
										      base, n);
		bool used = false;
		for (i = 0; tag != NULL && i < sizeof(sfx) / sizeof(sfx[0]); i++) {
			char *p = ae_store_archive_name(mem_ctx, st->template_name, tag, sfx[i]);
			used = used || p == NULL || fstatat(afd, p, &sb, AT_SYMLINK_NOFOLLOW) == 0;
		}
		if (tag == NULL) {
			err = AE_ERR_NOMEM;
			break;
		}
		if (!used) {
			*_tag = tag;
			err = AE_OK;
			break;
		}
	}
	close(afd);
	return err;
}

/* Common checks: the lock, the name, a loaded (or new) record. */
ae_err ae_store_txn_start(TALLOC_CTX *tmp, const struct ae_store *s, const char *t,
			  const char *what, struct ae_store_state **_st)
{
	ae_err err = ae_store_require_lock(s, what);

	if (err != AE_OK) {
		return err;
	}
	if (!ae_store_name_ok(t)) {
		return AE_ERR_INVALID;
	}
	return load_or_new(tmp, s, t, _st);
}

ae_err ae_store_txn_refuse(const char *t, const char *what, enum ae_cert_state st)
{
	AE_ERROR("template %s: cannot %s in state %s", t, what, ae_cert_state_name(st));
	return AE_ERR_INVALID;
}

/*
 * Room for the PENDING record: <T>.state.new filled with AE_STORE_RESERVE
 * bytes, written by begin and unlinked by pending just before it saves the
 * record, so the CA's answer can be recorded even when the disk filled up
 * meanwhile (a request is not sent unless this could be written). A
 * staged file: recovery drops it in every status but INSTALLING, where
 * commit has replaced it with the next record.
 */
#define AE_STORE_RESERVE 8192

static ae_err reserve(TALLOC_CTX *tmp, const struct ae_store *s, const char *t)
{
	char *pad = talloc_zero_array(tmp, char, AE_STORE_RESERVE);

	if (pad == NULL) {
		return AE_ERR_NOMEM;
	}
	memset(pad, '#', AE_STORE_RESERVE - 1);
	pad[AE_STORE_RESERVE - 1] = '\n';
	return ae_file_write_atomic_at(s->fd, ae_store_fname(tmp, t, SFX_NEW_STATE), pad,
				       AE_STORE_RESERVE, 0600);
}

ae_err ae_store_begin(const struct ae_store *s, const char *t, enum ae_cert_state kind,
		      const char *key_pem, size_t key_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_store_state *st = NULL, *next = NULL;
	bool pair;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_store_txn_start(tmp, s, t, "begin", &st);
	if (err == AE_OK && ((kind != AE_CERT_ENROLLING && kind != AE_CERT_RENEWING) ||
			     key_pem == NULL || key_len == 0 || key_len > AE_STORE_PEM_MAX)) {
		err = AE_ERR_INVALID;
	}
	if (err == AE_OK && ae_cert_state_in_flight(st->status)) {
		err = ae_store_txn_refuse(t, "begin a request", st->status);
	}
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	pair = ae_store_has(tmp, s, t, SFX_CRT) && ae_store_has(tmp, s, t, SFX_KEY);
	if (kind == AE_CERT_RENEWING && !pair) {
		AE_ERROR("template %s: nothing installed to renew", t);
		talloc_free(tmp);
		return AE_ERR_INVALID;
	}
	next = ae_store_next_record(tmp, st, kind, pair && st->status == AE_CERT_ISSUED);
	if (next == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	next->renewal = pair;
	err = ae_store_drop_staged(s, t, true, NULL);
	if (err == AE_OK) {
		err = ae_file_write_atomic_at(s->fd, ae_store_fname(tmp, t, SFX_NEW_KEY), key_pem,
					      key_len, 0600);
	}
	if (err == AE_OK) {
		err = reserve(tmp, s, t);
	}
	ae_store_step("begin:key");
	if (err == AE_OK) {
		err = ae_store_state_save(s, next);
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_store_pending(const struct ae_store *s, const char *t, const char *ca,
			uint32_t request_id)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_store_state *st = NULL, *next = NULL;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_store_txn_start(tmp, s, t, "pending", &st);
	if (err == AE_OK && ca == NULL) {
		err = AE_ERR_INVALID;
	}
	if (err == AE_OK && st->status != AE_CERT_ENROLLING && st->status != AE_CERT_RENEWING) {
		err = ae_store_txn_refuse(t, "record a pending request", st->status);
	}
	if (err == AE_OK && !ae_store_has(tmp, s, t, SFX_NEW_KEY)) {
		AE_ERROR("template %s: %s%s is missing", t, t, SFX_NEW_KEY);
		err = AE_ERR_INVALID;
	}
	if (err == AE_OK) {
		next = ae_store_next_record(tmp, st, AE_CERT_PENDING, true);
		err = next ? AE_OK : AE_ERR_NOMEM;
	}
	if (err == AE_OK) {
		next->renewal = st->renewal;
		next->request_ca = talloc_strdup(next, ca);
		next->request_id = request_id;
		next->has_request_id = true;
		next->submitted = next->changed;
		/* free the room begin reserved, then the record takes it */
		err = ae_store_unlink_at(s->fd, ae_store_fname(tmp, t, SFX_NEW_STATE), NULL);
	}
	if (err == AE_OK) {
		err = ae_store_state_save(s, next);
	}
	ae_store_step("pending:saved");
	talloc_free(tmp);
	return err;
}

ae_err ae_store_commit(const struct ae_store *s, const char *t,
		       const char *cert_pem, size_t cert_len,
		       const char *chain_pem, size_t chain_len,
		       const struct ae_store_certinfo *info)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_store_state *st = NULL, *next = NULL, *inst = NULL;
	char *next_text = NULL, *tag = NULL;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_store_txn_start(tmp, s, t, "commit", &st);
	if (err == AE_OK && (cert_pem == NULL || cert_len == 0 || cert_len > AE_STORE_PEM_MAX ||
			     (chain_pem == NULL && chain_len != 0) || chain_len > AE_STORE_PEM_MAX ||
			     info == NULL)) {
		err = AE_ERR_INVALID;
	}
	if (err == AE_OK && st->status != AE_CERT_ENROLLING && st->status != AE_CERT_RENEWING &&
	    st->status != AE_CERT_PENDING) {
		err = ae_store_txn_refuse(t, "install a certificate", st->status);
	}
	if (err == AE_OK && !ae_store_has(tmp, s, t, SFX_NEW_KEY)) {
		AE_ERROR("template %s: %s%s is missing", t, t, SFX_NEW_KEY);
		err = AE_ERR_INVALID;
	}
	if (err == AE_OK) {
		next = ae_store_next_record(tmp, st, AE_CERT_ISSUED, false);
		inst = ae_store_next_record(tmp, st, AE_CERT_INSTALLING, true);
		err = next && inst ? AE_OK : AE_ERR_NOMEM;
	}
	if (err == AE_OK) {
		next->cert = *info;
		next->cert.ca = info->ca ? info->ca : st->request_ca;
		next->cert.request_id = info->request_id ? info->request_id : st->request_id;
		next->cert.installed = next->changed;
		err = ae_store_state_format(tmp, next, &next_text);	/* refuse bad info early */
	}
	if (err == AE_OK && (ae_store_has(tmp, s, t, SFX_CRT) || ae_store_has(tmp, s, t, SFX_KEY))) {
		err = ae_store_txn_tag(tmp, s, st, &tag);
	}
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	/* staged, each complete before the record names the install */
	err = ae_file_write_atomic_at(s->fd, ae_store_fname(tmp, t, SFX_NEW_CRT), cert_pem,
				      cert_len, 0644);
	ae_store_step("commit:crt");
	if (err == AE_OK) {
		err = ae_file_write_atomic_at(s->fd, ae_store_fname(tmp, t, SFX_NEW_CHAIN),
					      chain_len ? chain_pem : "", chain_len, 0644);
	}
	ae_store_step("commit:chain");
	if (err == AE_OK) {
		err = ae_file_write_atomic_at(s->fd, ae_store_fname(tmp, t, SFX_NEW_STATE),
					      next_text, strlen(next_text), 0600);
	}
	ae_store_step("commit:staged");
	if (err == AE_OK) {	/* the commit point */
		inst->renewal = st->renewal;
		inst->request_ca = st->request_ca;
		inst->request_id = st->request_id;
		inst->has_request_id = st->has_request_id;
		inst->submitted = st->submitted;
		inst->archive_tag = tag;
		err = ae_store_state_save(s, inst);
	}
	ae_store_step("commit:installing");
	if (err == AE_OK) {
		err = ae_store_finish_install(s, inst);
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_store_abort(const struct ae_store *s, const char *t, const char *reason)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_store_state *st = NULL, *next = NULL;
	bool pair;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_store_txn_start(tmp, s, t, "abort", &st);
	if (err == AE_OK && st->status != AE_CERT_ENROLLING && st->status != AE_CERT_RENEWING &&
	    st->status != AE_CERT_PENDING) {
		err = ae_store_txn_refuse(t, "abort a request", st->status);
	}
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	pair = ae_store_has(tmp, s, t, SFX_CRT) && ae_store_has(tmp, s, t, SFX_KEY);
	next = ae_store_next_record(tmp, st, pair ? AE_CERT_ISSUED : AE_CERT_NONE, pair);
	if (next == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	next->reason = ae_store_txn_reason(next, reason);
	err = ae_store_state_save(s, next);
	ae_store_step("abort:saved");
	if (err == AE_OK) {
		err = ae_store_drop_staged(s, t, true, NULL);
	}
	talloc_free(tmp);
	return err;
}
