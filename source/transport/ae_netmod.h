/*
 * ae_netmod.h: the network module, loaded only when needed.
 *
 * The code that needs Samba's SMB client, DCE/RPC and credentials
 * libraries (ae_smb.c: SYSVOL over SMB; icpr.c + ndr_icpr.c: MS-ICPR;
 * ae_creds_samba.c: cli_credentials) is built twice: into the static
 * library the unit and fuzz tests link, and into the shared module ae-net.so
 * (installed in <libdir>/samba-autoenroll/). The programs link stubs
 * instead (ae_netmod.c): the first call of one of these functions loads
 * the module with dlopen and every call goes through its table. A no-op
 * cycle calls none of them, so it never maps libsmbclient, libdcerpc,
 * libsamba-credentials and the ninety-odd libraries they pull in (process
 * start was most of a no-op's time). Samba's loadparm (ae_smbconf_lp.c)
 * is here too: the programs never link libsamba-hostconfig, which brings
 * libsamba-util, ICU and libstdc++ (ae_smbconf.h).
 *
 * The module's own symbols are hidden (-fvisibility=hidden) but for its
 * table; what it uses of ours (logging, the network timeout) it takes from
 * the program, which exports its symbols (-rdynamic): one logger, one
 * timeout, one set of globals.
 */
#ifndef AE_NETMOD_H
#define AE_NETMOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include <tevent.h>
#include "ae_error.h"
#include "ae_creds.h"
#include "ae_smb.h"
#include "ae_smbconf.h"
#include "icpr.h"

#define AE_NETMOD_SYMBOL "ae_netmod_ops_v1"

struct ae_netmod_ops {
	size_t size;	/* sizeof(struct ae_netmod_ops) where the module was built */
	ae_err (*smb_open)(TALLOC_CTX *, const struct ae_smb_options *, struct ae_smb **,
			   char *, size_t);
	ae_err (*smb_fetch)(TALLOC_CTX *, struct ae_smb *, const char *, const char *,
			    const char *, size_t, uint8_t **, size_t *, char *, size_t);
	ae_err (*smb_stat)(struct ae_smb *, const char *, const char *, const char *,
			   struct ae_smb_stat *, char *, size_t);
	unsigned (*smb_read_count)(const struct ae_smb *);
	ae_err (*unc_split)(TALLOC_CTX *, const char *, char **, char **, char **);
	ae_err (*smb_set_default_cache_dir)(const char *);
	struct tevent_req *(*icpr_connect_send)(TALLOC_CTX *, struct tevent_context *,
						const char *, enum icpr_transport,
						struct cli_credentials *, struct loadparm_context *);
	NTSTATUS (*icpr_connect_recv)(struct tevent_req *, TALLOC_CTX *, struct icpr_conn **,
				      char **);
	const char *(*icpr_conn_binding)(const struct icpr_conn *);
	uint32_t (*icpr_conn_auth_level)(const struct icpr_conn *);
	struct tevent_req *(*icpr_submit_send)(TALLOC_CTX *, struct tevent_context *,
					       struct icpr_conn *, const struct icpr_request *);
	NTSTATUS (*icpr_submit_recv)(struct tevent_req *, TALLOC_CTX *, struct icpr_response **);
	const char *(*icpr_nt_errstr)(NTSTATUS);
	ae_err (*icpr_attribs_blob)(TALLOC_CTX *, const char *, struct icpr_blob *);
	ae_err (*creds_samba)(struct ae_creds *, struct loadparm_context *,
			      struct cli_credentials **, char *, size_t);
	ae_err (*smbconf_load)(TALLOC_CTX *, const char *, const char *const *,
			       struct ae_smbconf **, char *, size_t);
	ae_err (*smbconf_lp_load)(struct ae_smbconf *, char *, size_t);
	void (*samba_debug_route)(void);
};

/*
 * Samba's debug output (every library of the module's) to our logger, at
 * our level less 3; called when the module is loaded and again when the
 * level changed. In the module.
 */
void ae_samba_debug_route(void);

/*
 * Load the module now if it is not loaded (the stubs do this themselves;
 * util/ae_module.h: where it is looked for and what is refused).
 * AE_ERR_UNAVAILABLE with 'why' naming the file and the cause.
 */
ae_err ae_netmod_load(char *why, size_t why_len);

#endif
