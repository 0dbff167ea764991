/*
 * ae_store_check_offline.c: the persisted OfflineExpirationPercent and the
 * check `run` does when the DC cannot be reached (ae_store_check.h).
 */
#include <stdio.h>
#include <string.h>
#include "ae_store_check.h"
#include "ae_store.h"
#include "ae_aesettings.h"
#include "ae_clock.h"
#include "ae_file.h"
#include "ae_log.h"

#define PERCENT_FILE ".offline-expiration"	/* a leading dot: never a template's name */
#define PERCENT_KEY "OfflineExpirationPercent="
#define PERCENT_FILE_MAX 64

ae_err ae_offline_percent_parse(const uint8_t *p, size_t len, uint32_t *_pct)
{
	size_t k = strlen(PERCENT_KEY), i;
	uint32_t v = 0;

	if (p == NULL || len > PERCENT_FILE_MAX || len < k + 2 || memcmp(p, PERCENT_KEY, k) != 0 ||
	    p[len - 1] != '\n' || len - 1 - k > 3 || (p[k] == '0' && len - 1 - k > 1)) {
		return AE_ERR_PARSE;
	}
	for (i = k; i < len - 1; i++) {
		if (p[i] < '0' || p[i] > '9') {
			return AE_ERR_PARSE;
		}
		v = v * 10 + (uint32_t)(p[i] - '0');
	}
	if (v > 100) {
		return AE_ERR_PARSE;
	}
	*_pct = v;
	return AE_OK;
}

ae_err ae_store_check_save_percent(const struct ae_store *s, uint32_t pct)
{
	char buf[PERCENT_FILE_MAX];
	int n;

	if (pct > 100) {
		return AE_ERR_INVALID;
	}
	n = snprintf(buf, sizeof(buf), PERCENT_KEY "%u\n", pct);
	return ae_file_write_atomic_at(s->fd, PERCENT_FILE, buf, (size_t)n, 0600);
}

void ae_store_check_load_percent(const struct ae_store *s, uint32_t *_pct, bool *_known)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	uint8_t *d = NULL;
	size_t n = 0;
	char why[96] = "";
	ae_err err = tmp ? ae_file_read_at(tmp, s->fd, PERCENT_FILE, PERCENT_FILE_MAX, 0, &d, &n,
					   why, sizeof(why)) : AE_ERR_NOMEM;

	*_pct = AE_OFFLINE_EXPIRATION_PERCENT_DEFAULT;
	*_known = false;
	if (err == AE_OK) {
		err = ae_offline_percent_parse(d, n, _pct);
		*_known = err == AE_OK;
	}
	if (err != AE_OK && err != AE_ERR_NOT_FOUND) {
		AE_WARN("store %s: %s: %s; OfflineExpirationPercent %u (the default) used", s->dir,
			PERCENT_FILE, why[0] ? why : ae_strerror(err),
			AE_OFFLINE_EXPIRATION_PERCENT_DEFAULT);
	}
	talloc_free(tmp);
}

ae_err ae_store_check_offline(TALLOC_CTX *mem_ctx, const char *dir, uid_t owner,
			      struct ae_store_snapshot **_snap, struct ae_store_check **_chk)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_store *s = NULL;
	struct ae_store_snapshot *snap = NULL;
	struct ae_store_check *chk = NULL;
	uint32_t pct = 0;
	bool known = false;
	char why[512] = "";
	ae_err err = tmp ? AE_OK : AE_ERR_NOMEM;

	*_snap = NULL;
	*_chk = NULL;
	if (err == AE_OK && dir != NULL) {
		err = ae_store_open(tmp, dir, owner, 0, &s, why, sizeof(why));
	}
	if (err != AE_OK || dir == NULL) {
		if (err == AE_ERR_NOT_FOUND) {
			AE_INFO("offline check: no store at %s yet", dir);	/* nothing enrolled */
		} else if (err != AE_ERR_NOMEM && dir != NULL) {
			AE_WARN("offline check: store %s: %s", dir, why[0] ? why : ae_strerror(err));
		}
		talloc_free(tmp);
		return err == AE_ERR_NOMEM ? err : AE_OK;
	}
	ae_store_check_load_percent(s, &pct, &known);
	err = ae_store_snapshot(tmp, s, &snap);
	if (err == AE_OK) {
		err = ae_store_check(tmp, s, snap, ae_now(), pct, false, &chk);
	}
	if (err == AE_OK) {
		chk->percent_known = known;
		AE_WARN("offline check of store %s (OfflineExpirationPercent %u%s)", dir, pct,
			known ? " from the last policy read" : ", the default");
		ae_store_check_log(snap, chk, true);
		*_snap = talloc_steal(mem_ctx, snap);
		*_chk = talloc_steal(mem_ctx, chk);
	}
	talloc_free(tmp);
	return err;
}
