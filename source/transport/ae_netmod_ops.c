/*
 * ae_netmod_ops.c: the network module's one exported symbol, its table
 * (ae_netmod.h). Built only into ae-net.so, with -fvisibility=hidden.
 */
#include "ae_netmod.h"

__attribute__((visibility("default"))) extern const struct ae_netmod_ops ae_netmod_ops_v1;

const struct ae_netmod_ops ae_netmod_ops_v1 = {
	.size = sizeof(struct ae_netmod_ops),
	.smb_open = ae_smb_open,
	.smb_fetch = ae_smb_fetch,
	.smb_stat = ae_smb_stat,
	.smb_read_count = ae_smb_read_count,
	.unc_split = ae_unc_split,
	.smb_set_default_cache_dir = ae_smb_set_default_cache_dir,
	.icpr_connect_send = icpr_connect_send,
	.icpr_connect_recv = icpr_connect_recv,
	.icpr_conn_binding = icpr_conn_binding,
	.icpr_conn_auth_level = icpr_conn_auth_level,
	.icpr_submit_send = icpr_submit_send,
	.icpr_submit_recv = icpr_submit_recv,
	.icpr_nt_errstr = icpr_nt_errstr,
	.icpr_attribs_blob = icpr_attribs_blob,
	.creds_samba = ae_creds_samba,
	.smbconf_load = ae_smbconf_load,
	.smbconf_lp_load = ae_smbconf_lp_load,
	.samba_debug_route = ae_samba_debug_route,
};
