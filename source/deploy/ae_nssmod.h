/*
 * ae_nssmod.h: the NSS module (util/ae_module.h), ae-nss.so: the user's
 * shared NSS database through NSS's own library (ae_nssdb*.c), loaded the
 * first time a run deploys into it (the user context). The programs link
 * the stubs of ae_nssmod.c; the tests link the functions themselves.
 */
#ifndef AE_NSSMOD_H
#define AE_NSSMOD_H

#include <stddef.h>
#include "ae_nssdb.h"

#define AE_NSSMOD_SYMBOL "ae_nssmod_ops_v1"

struct ae_nssmod_ops {
	size_t size;	/* sizeof(struct ae_nssmod_ops) where the module was built */
	ae_err (*user_dir)(TALLOC_CTX *, const char *, bool, char **, char *, size_t);
	ae_err (*sync)(const char *, const struct ae_nssdb_entry *, size_t,
		       struct ae_nssdb_result *, char *, size_t);
};

#endif
