/*
 * ae_nssmod_ops.c: the NSS module's one exported symbol (ae_nssmod.h).
 * Built only into ae-nss.so, with -fvisibility=hidden.
 */
#include "ae_nssmod.h"

__attribute__((visibility("default"))) extern const struct ae_nssmod_ops ae_nssmod_ops_v1;

const struct ae_nssmod_ops ae_nssmod_ops_v1 = {
	.size = sizeof(struct ae_nssmod_ops),
	.user_dir = ae_nssdb_user_dir,
	.sync = ae_nssdb_sync,
};
