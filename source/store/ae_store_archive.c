/*
 * ae_store_archive.c: the archive and remove transitions (ae_store.h); the
 * crash argument is in ae_store_txn.c ("archive/remove").
 */
#include <fcntl.h>
#include <sys/stat.h>
#include "ae_store_private.h"
#include "ae_log.h"

static ae_err take_out(const struct ae_store *s, const char *t, enum ae_cert_state status,
		       const char *reason)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_store_state *st = NULL, *next = NULL;
	const char *what = status == AE_CERT_ARCHIVED ? "archive" : "remove";
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_store_txn_start(tmp, s, t, what, &st);
	if (err == AE_OK && ae_cert_state_in_flight(st->status)) {
		err = ae_store_txn_refuse(t, what, st->status);
	}
	if (err == AE_OK && (st->status == AE_CERT_ARCHIVED || st->status == AE_CERT_REMOVED)) {
		err = ae_store_finish_archive(s, st, NULL);	/* an earlier one, if unfinished */
	}
	if (err == AE_OK && !ae_store_has(tmp, s, t, SFX_CRT) && !ae_store_has(tmp, s, t, SFX_KEY)) {
		err = AE_ERR_NOT_FOUND;
	}
	if (err == AE_OK) {
		next = ae_store_next_record(tmp, st, status, st->status == AE_CERT_ISSUED);
		err = next ? AE_OK : AE_ERR_NOMEM;
	}
	if (err == AE_OK) {
		err = ae_store_txn_tag(tmp, s, st, &next->archive_tag);
		next->reason = ae_store_txn_reason(next, reason);
	}
	if (err == AE_OK) {
		err = ae_store_state_save(s, next);	/* the commit point */
	}
	ae_store_step("archive:saved");
	if (err == AE_OK) {
		err = ae_store_finish_archive(s, next, NULL);
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_store_archive(const struct ae_store *s, const char *t, const char *reason)
{
	return take_out(s, t, AE_CERT_ARCHIVED, reason);
}

ae_err ae_store_remove(const struct ae_store *s, const char *t, const char *reason)
{
	return take_out(s, t, AE_CERT_REMOVED, reason);
}
