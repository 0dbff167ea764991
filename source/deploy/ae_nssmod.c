/*
 * ae_nssmod.c: the programs' stubs of the NSS module (ae_nssmod.h): the
 * same names and contracts as ae_nssdb.h; the first call loads ae-nss.so.
 */
#include "ae_error.h"
#include "ae_module.h"
#include "ae_nssmod.h"

static struct ae_module g_mod = {
	.installed = AE_NSSMOD_PATH,
	.build = AE_NSSMOD_BUILD_PATH,
	.symbol = AE_NSSMOD_SYMBOL,
	.size = sizeof(struct ae_nssmod_ops),
};

ae_err ae_nssdb_user_dir(TALLOC_CTX *mem_ctx, const char *home, bool create, char **_dir,
			 char *why, size_t why_len)
{
	const struct ae_nssmod_ops *m = ae_module_table(&g_mod, why, why_len);

	return m != NULL ? m->user_dir(mem_ctx, home, create, _dir, why, why_len) :
			   AE_ERR_UNAVAILABLE;
}

ae_err ae_nssdb_sync(const char *dir, const struct ae_nssdb_entry *entries, size_t n,
		     struct ae_nssdb_result *res, char *why, size_t why_len)
{
	const struct ae_nssmod_ops *m = ae_module_table(&g_mod, why, why_len);

	return m != NULL ? m->sync(dir, entries, n, res, why, why_len) : AE_ERR_UNAVAILABLE;
}
