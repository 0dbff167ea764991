/*
 * ae_netmod.c: the programs' side of the network module (ae_netmod.h): the
 * loader, and a stub for each of the module's functions with the same
 * name and contract, which loads the module on first use. Linked into the
 * programs only; the tests link the real functions instead.
 */
#include <stdio.h>
#include <string.h>
#include "ae_log.h"
#include "ae_module.h"
#include "ae_netmod.h"

static struct ae_module g_mod = {
	.installed = AE_NETMOD_PATH,
	.build = AE_NETMOD_BUILD_PATH,
	.symbol = AE_NETMOD_SYMBOL,
	.size = sizeof(struct ae_netmod_ops),
};
static const struct ae_netmod_ops *g_ops;
static char g_smb_cache_dir[1024];	/* ae_smb_set_default_cache_dir before the load */

ae_err ae_netmod_load(char *why, size_t why_len)
{
	if (g_ops == NULL) {
		g_ops = ae_module_table(&g_mod, why, why_len);
		if (g_ops != NULL) {
			g_ops->samba_debug_route();
		}
		if (g_ops != NULL && g_smb_cache_dir[0] != '\0' &&
		    g_ops->smb_set_default_cache_dir(g_smb_cache_dir) != AE_OK) {
			AE_WARN("Samba's cache directory %s refused: libsmbclient's own is used",
				g_smb_cache_dir);
		}
	}
	return g_ops != NULL ? AE_OK : AE_ERR_UNAVAILABLE;
}

/* the table, or NULL (logged once) */
static const struct ae_netmod_ops *ops(void)
{
	char why[8];

	return ae_netmod_load(why, sizeof(why)) == AE_OK ? g_ops : NULL;
}

ae_err ae_smb_open(TALLOC_CTX *mem_ctx, const struct ae_smb_options *opts,
		   struct ae_smb **_ctx, char *why, size_t why_len)
{
	ae_err err = ae_netmod_load(why, why_len);

	return err != AE_OK ? err : g_ops->smb_open(mem_ctx, opts, _ctx, why, why_len);
}

ae_err ae_smb_fetch(TALLOC_CTX *mem_ctx, struct ae_smb *ctx, const char *server,
		    const char *share, const char *path, size_t max,
		    uint8_t **_data, size_t *_len, char *why, size_t why_len)
{
	ae_err err = ae_netmod_load(why, why_len);

	return err != AE_OK ? err : g_ops->smb_fetch(mem_ctx, ctx, server, share, path, max,
						     _data, _len, why, why_len);
}

ae_err ae_smb_stat(struct ae_smb *ctx, const char *server, const char *share,
		   const char *path, struct ae_smb_stat *_st, char *why, size_t why_len)
{
	ae_err err = ae_netmod_load(why, why_len);

	return err != AE_OK ? err : g_ops->smb_stat(ctx, server, share, path, _st, why, why_len);
}

unsigned ae_smb_read_count(const struct ae_smb *ctx)
{
	return ctx != NULL && g_ops != NULL ? g_ops->smb_read_count(ctx) : 0;
}

ae_err ae_unc_split(TALLOC_CTX *mem_ctx, const char *unc, char **_server, char **_share,
		    char **_path)
{
	const struct ae_netmod_ops *o = ops();

	return o != NULL ? o->unc_split(mem_ctx, unc, _server, _share, _path) :
			   AE_ERR_UNAVAILABLE;
}

/*
 * Kept here until the module is loaded (a user session sets it at its
 * start, and most of its runs need no SMB); the module's own setter checks
 * it when the module comes.
 */
ae_err ae_smb_set_default_cache_dir(const char *dir)
{
	if (g_ops != NULL) {
		return g_ops->smb_set_default_cache_dir(dir);
	}
	if (dir != NULL && strlen(dir) >= sizeof(g_smb_cache_dir)) {
		return AE_ERR_INVALID;
	}
	snprintf(g_smb_cache_dir, sizeof(g_smb_cache_dir), "%s", dir != NULL ? dir : "");
	return AE_OK;
}

/* NULL when the module cannot be loaded: the callers' "cannot run the connect" */
struct tevent_req *icpr_connect_send(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
				     const char *server, enum icpr_transport transport,
				     struct cli_credentials *creds,
				     struct loadparm_context *lp)
{
	const struct ae_netmod_ops *o = ops();

	return o != NULL ? o->icpr_connect_send(mem_ctx, ev, server, transport, creds, lp) : NULL;
}

NTSTATUS icpr_connect_recv(struct tevent_req *req, TALLOC_CTX *mem_ctx,
			   struct icpr_conn **_conn, char **_why)
{
	return g_ops->icpr_connect_recv(req, mem_ctx, _conn, _why);
}

const char *icpr_conn_binding(const struct icpr_conn *conn)
{
	return g_ops->icpr_conn_binding(conn);
}

uint32_t icpr_conn_auth_level(const struct icpr_conn *conn)
{
	return g_ops->icpr_conn_auth_level(conn);
}

struct tevent_req *icpr_submit_send(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
				    struct icpr_conn *conn, const struct icpr_request *in)
{
	return g_ops->icpr_submit_send(mem_ctx, ev, conn, in);
}

NTSTATUS icpr_submit_recv(struct tevent_req *req, TALLOC_CTX *mem_ctx,
			  struct icpr_response **_resp)
{
	return g_ops->icpr_submit_recv(req, mem_ctx, _resp);
}

const char *icpr_nt_errstr(NTSTATUS st)
{
	return g_ops != NULL ? g_ops->icpr_nt_errstr(st) : "(the network module is not loaded)";
}

ae_err icpr_attribs_blob(TALLOC_CTX *mem_ctx, const char *lines, struct icpr_blob *_blob)
{
	const struct ae_netmod_ops *o = ops();

	return o != NULL ? o->icpr_attribs_blob(mem_ctx, lines, _blob) : AE_ERR_UNAVAILABLE;
}

ae_err ae_creds_samba(struct ae_creds *c, struct loadparm_context *lp,
		      struct cli_credentials **_creds, char *why, size_t why_len)
{
	ae_err err = ae_netmod_load(why, why_len);

	return err != AE_OK ? err : g_ops->creds_samba(c, lp, _creds, why, why_len);
}

ae_err ae_smbconf_load(TALLOC_CTX *mem_ctx, const char *file, const char *const *options,
		       struct ae_smbconf **_c, char *why, size_t why_len)
{
	ae_err err = ae_netmod_load(why, why_len);

	return err != AE_OK ? err : g_ops->smbconf_load(mem_ctx, file, options, _c, why, why_len);
}

ae_err ae_smbconf_lp_load(struct ae_smbconf *c, char *why, size_t why_len)
{
	ae_err err = ae_netmod_load(why, why_len);

	return err != AE_OK ? err : g_ops->smbconf_lp_load(c, why, why_len);
}

void ae_samba_debug_route(void)
{
	if (g_ops != NULL) {
		g_ops->samba_debug_route();
	}
}
