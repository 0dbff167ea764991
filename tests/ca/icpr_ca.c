/*
 * icpr_ca.c: the test CA as a DCE/RPC endpoint server module of the Samba
 * AD DC ('samba' binary, dcerpc endpoint servers = ..., icpr_ca).
 *
 * Registers MS-ICPR ICertPassage (91ae6020-9e3c-11cf-8d7c-00aa00c091be
 * v0.0) on ncacn_ip_tcp (dynamic port, through the DC's endpoint mapper)
 * and ncacn_np \pipe\cert, refuses anything below packet privacy, and
 * answers opnum 0 (CertServerRequest) through ca_process(). The NDR is the
 * project's own (source/transport/ndr_icpr.c): the raw stub bytes go in
 * and out of the ndr_pull/ndr_push hooks.
 *
 * Configuration (environment of the samba process): ICPR_CA_DIR,
 * ICPR_SAM_LDB, ICPR_CA_NAME (ca_ctx.h). The CA material is loaded when the
 * endpoint starts (and its CRL written when missing or due: ca_crl.h); the
 * ldb on the first call in each process. Both are kept; a failed load is
 * retried on the next call (and the call is answered with an error).
 *
 * The CRL: before each call the file is rewritten when missing or due, and
 * published to the directory (ca_dir_ldb_publish_crl: CN=<CA>,CN=<netbios
 * name>,CN=CDP,... in the configuration NC) whenever the file is not the one
 * this process last published; ca-admin revoke rewrites the file (and
 * publishes it too, see ca-admin). The CDP object's DN is left in
 * <ICPR_CA_DIR>/crl/cdp.dn for ca-admin.
 *
 * One line per request goes to stderr (the DC's samba.stdout).
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <talloc.h>
#include <tevent.h>
#include <core/ntstatus.h>
#include <dcerpc_server.h>
#include <gen_ndr/auth.h>
#include <gen_ndr/security.h>
#include <param.h>
#include "ae_file.h"
#include "ae_hresult.h"
#include "ndr_icpr.h"
#include "ca.h"
#include "ca_crl.h"
#include "ca_ctx.h"
#include "ca_db.h"
#include "ca_dir_ldb.h"
#include "ca_fault.h"
#include "ca_policy.h"

#define ICPR_CA_NAME_EP	"icpr_ca"

struct icpr_call {
	struct icpr_request *req;
	struct icpr_response *resp;
	struct ca_fault fault;	/* the test switch (ca_fault.h), read per call */
	bool fault_on;		/* it applies to this answer */
};

/* Per-process state (a prefork worker loads its own on its first call). */
static struct ca_ctx *g_ca;
static struct ca_dir_ldb *g_dir;
static struct stat g_published;		/* the CRL file this process last published */
static bool g_published_valid;

static NTSTATUS icpr_bind(struct dcesrv_connection_context *ctx,
			  const struct dcesrv_interface *iface)
{
	return dcesrv_interface_bind_require_privacy(ctx, iface);
}

static NTSTATUS icpr_ndr_pull(struct dcesrv_call_state *call, TALLOC_CTX *mem_ctx,
			      struct ndr_pull *pull, void **r)
{
	struct icpr_call *c = NULL;
	ae_err err;

	if (call->pkt.u.request.opnum != ICPR_OPNUM_CERT_SERVER_REQUEST) {
		call->fault_code = DCERPC_FAULT_OP_RNG_ERROR;
		return NT_STATUS_NET_WRITE_FAULT;
	}
	if (pull->offset > pull->data_size) {
		call->fault_code = DCERPC_FAULT_NDR;
		return NT_STATUS_NET_WRITE_FAULT;
	}
	c = talloc_zero(mem_ctx, struct icpr_call);
	if (c == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	err = icpr_request_pull(c, pull->data + pull->offset, pull->data_size - pull->offset,
			   &c->req);
	if (err != AE_OK) {
		fprintf(stderr, "icpr_ca: undecodable CertServerRequest stub (%u bytes): %s\n",
			(unsigned)(pull->data_size - pull->offset), ae_strerror(err));
		fflush(stderr);
		talloc_free(c);
		call->fault_code = DCERPC_FAULT_NDR;	/* like Windows: 0x6f7 */
		return NT_STATUS_NET_WRITE_FAULT;
	}
	pull->offset = pull->data_size;
	*r = c;
	return NT_STATUS_OK;
}

/* A directory that is not there (sam.ldb could not be opened). */
static ae_err no_service(void *priv, TALLOC_CTX *m, const char *n, const char ***v, size_t *c)
{
	(void)priv; (void)m; (void)n; (void)v; (void)c;
	return AE_ERR_LDAP;
}

static ae_err no_template(void *priv, TALLOC_CTX *m, const char *k, bool o,
			  struct ca_template **t)
{
	(void)priv; (void)m; (void)k; (void)o; (void)t;
	return AE_ERR_LDAP;
}

static ae_err no_account(void *priv, TALLOC_CTX *m, const struct ca_sid *s,
			 struct ca_account **a)
{
	(void)priv; (void)m; (void)s; (void)a;
	return AE_ERR_LDAP;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void load_ca(void)
{
	ae_err err;

	if (g_ca != NULL) {
		return;
	}
	err = ca_ctx_load(NULL, getenv("ICPR_CA_DIR"), getenv("ICPR_CA_NAME"), &g_ca);
	fprintf(stderr, "icpr_ca: pid %d: CA material from %s: %s\n", (int)getpid(),
		getenv("ICPR_CA_DIR") ? getenv("ICPR_CA_DIR") : "(unset)", ae_strerror(err));
	fflush(stderr);
}

/* The CDP object's DN and URL, once the configuration NC is known. */
static void cdp_setup(struct loadparm_context *lp_ctx)
{
	const char *host = lpcfg_netbios_name(lp_ctx);
	char *path = NULL, *line = NULL;
	ae_err err;

	if (g_ca == NULL || g_dir == NULL || g_ca->cdp_dn != NULL) {
		return;
	}
	err = ca_ctx_set_cdp(g_ca, host, ca_dir_ldb_config_dn(g_dir));
	if (err == AE_OK) {
		path = talloc_asprintf(NULL, "%s/cdp.dn", g_ca->crl_dir);
		line = talloc_asprintf(path, "%s\n", g_ca->cdp_dn);
		err = line == NULL ? AE_ERR_NOMEM :
			ae_file_write_atomic(path, line, strlen(line), 0644);
	}
	fprintf(stderr, "icpr_ca: pid %d: CDP %s: %s\n", (int)getpid(),
		g_ca->cdp_ldap_url ? g_ca->cdp_ldap_url : "(none)", ae_strerror(err));
	fflush(stderr);
	talloc_free(path);
}

static void load_state(struct dcesrv_call_state *call)
{
	struct timespec t0;
	ae_err err;

	load_ca();
	if (g_dir == NULL) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		err = ca_dir_ldb_open(NULL, getenv("ICPR_SAM_LDB"), call->conn->dce_ctx->lp_ctx,
				      &g_dir);
		fprintf(stderr, "icpr_ca: pid %d: opened %s: %s (%.1f ms, kept for this process)\n",
			(int)getpid(), getenv("ICPR_SAM_LDB") ? getenv("ICPR_SAM_LDB") : "(unset)",
			ae_strerror(err), ms_since(&t0));
	}
	cdp_setup(call->conn->dce_ctx->lp_ctx);
	fflush(stderr);
}

/* The CRL file, when missing or due (start-up, and before each call). */
static void crl_refresh(void)
{
	bool written = false;
	int lock = -1;
	ae_err err;

	if (g_ca == NULL || !ca_crl_stale(g_ca, time(NULL))) {
		return;
	}
	err = ca_db_lock(g_ca->db_dir, &lock);
	if (err == AE_OK) {
		err = ca_crl_refresh(g_ca, time(NULL), &written);
		ca_db_unlock(lock);
	}
	fprintf(stderr, "icpr_ca: pid %d: CRL %s was missing or due: %s%s\n", (int)getpid(),
		g_ca->crl_path, ae_strerror(err), written ? ", rewritten" : "");
	fflush(stderr);
}

/* The CRL file to the CDP object, when it is not the one last published. */
static void crl_publish(void)
{
	TALLOC_CTX *tmp = NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	struct stat st;
	bool changed = false;
	ae_err err;

	if (g_ca == NULL || g_dir == NULL || g_ca->cdp_dn == NULL ||
	    stat(g_ca->crl_path, &st) != 0) {
		return;
	}
	if (g_published_valid && st.st_ino == g_published.st_ino &&
	    st.st_size == g_published.st_size &&
	    st.st_mtim.tv_sec == g_published.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == g_published.st_mtim.tv_nsec) {
		return;
	}
	tmp = talloc_new(NULL);
	err = tmp == NULL ? AE_ERR_NOMEM : ae_file_read(tmp, g_ca->crl_path, CA_CRL_MAX, &der, &len);
	if (err == AE_OK) {
		err = ca_dir_ldb_publish_crl(g_dir, g_ca->cdp_dn, der, len, &changed);
	}
	if (err == AE_OK) {
		g_published = st;
		g_published_valid = true;
	}
	if (err != AE_OK || changed) {
		fprintf(stderr, "icpr_ca: pid %d: CRL (%zu bytes) to %s: %s%s\n", (int)getpid(), len,
			g_ca->cdp_dn, ae_strerror(err), changed ? ", published" : "");
		fflush(stderr);
	}
	talloc_free(tmp);
}

/* The caller's token SIDs (sids[0] = the account, then its groups). */
static bool caller_from_session(TALLOC_CTX *mem_ctx, struct dcesrv_call_state *call,
				struct ca_caller *caller)
{
	struct auth_session_info *si = dcesrv_call_session_info(call);
	const struct security_token *tok = si ? si->security_token : NULL;
	enum dcerpc_AuthType type;
	enum dcerpc_AuthLevel level;
	uint32_t i;

	dcesrv_call_auth_info(call, &type, &level);
	caller->auth_level = (uint32_t)level;
	caller->name = talloc_asprintf(mem_ctx, "%s\\%s",
		si && si->info && si->info->domain_name ? si->info->domain_name : "?",
		si && si->info && si->info->account_name ? si->info->account_name : "?");
	if (caller->name == NULL) {
		return false;
	}
	if (tok == NULL || tok->num_sids == 0) {
		return true;
	}
	caller->sids = talloc_zero_array(mem_ctx, struct ca_sid, tok->num_sids);
	if (caller->sids == NULL) {
		return false;
	}
	for (i = 0; i < tok->num_sids; i++) {
		const struct dom_sid *s = &tok->sids[i];
		struct ca_sid *d = &caller->sids[caller->num_sids];

		if (s->num_auths < 0 || s->num_auths > CA_SID_MAX_SUBAUTH) {
			continue;
		}
		d->rev = s->sid_rev_num;
		d->num_auths = (uint8_t)s->num_auths;
		memcpy(d->id_auth, s->id_auth, sizeof(d->id_auth));
		memcpy(d->sub_auths, s->sub_auths, sizeof(uint32_t) * (size_t)s->num_auths);
		caller->num_sids++;
	}
	return true;
}

static void log_request(const struct ca_caller *caller, const struct icpr_request *req,
			const struct ca_answer *a, double ms)
{
	char *sid = caller->num_sids ? ca_sid_string(NULL, &caller->sids[0]) : NULL;
	const char *dname = ae_disposition_name(a->disposition);
	const char *hname = ae_hresult_name(a->disposition);

	fprintf(stderr, "icpr_ca: caller=%s sid=%s auth_level=%u %s template=%s id=%u "
		"disposition=0x%08x (%s) %.1fms \"%s\"\n",
		caller->name, sid ? sid : "-", caller->auth_level,
		(req->request_id != 0 && req->request.pb == NULL) ? "retrieve" : "submit",
		a->template_name ? a->template_name : "-", a->request_id, a->disposition,
		dname ? dname : (hname ? hname : "error"), ms, a->message ? a->message : "");
	fflush(stderr);
	talloc_free(sid);
}

/*
 * The test switch ($ICPR_CA_DIR/fault, ca_fault.h): read for every call,
 * applied to the processed answer (payload faults, a delay) here and to the
 * encoded stub (NDR faults) in icpr_ndr_push.
 */
static void fault_answer(struct icpr_call *c, struct ca_answer *a)
{
	ae_err err = ca_fault_read(c, getenv("ICPR_CA_DIR"), &c->fault);

	if (err != AE_OK) {
		fprintf(stderr, "icpr_ca: FAULT switch %s/%s ignored: %s\n",
			getenv("ICPR_CA_DIR") ? getenv("ICPR_CA_DIR") : ".", CA_FAULT_FILE,
			ae_strerror(err));
		fflush(stderr);
		return;
	}
	c->fault_on = ca_fault_applies(&c->fault, a->template_name);
	if (!c->fault_on) {
		return;
	}
	err = ca_fault_answer(&c->fault, g_ca, a);
	fprintf(stderr, "icpr_ca: FAULT %s (n=%u) on the answer to request %u (template %s): %s\n",
		c->fault.name, c->fault.n, a->request_id,
		a->template_name ? a->template_name : "-", ae_strerror(err));
	fflush(stderr);
	if (c->fault.kind == CA_FAULT_SLOW) {
		sleep(c->fault.n);	/* blocks this samba process, on purpose */
	}
}

static NTSTATUS icpr_dispatch(struct dcesrv_call_state *call, TALLOC_CTX *mem_ctx, void *r)
{
	struct icpr_call *c = r;
	struct ca_caller caller = { 0 };
	struct ca_directory dir = { NULL, no_service, no_template, no_account };
	struct ca_answer *a = NULL;
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	struct timespec t0;
	ae_err err;

	if (tmp == NULL || !caller_from_session(tmp, call, &caller)) {
		talloc_free(tmp);
		return NT_STATUS_NO_MEMORY;
	}
	if (caller.auth_level < DCERPC_AUTH_LEVEL_PRIVACY) {	/* the bind hook's job too */
		talloc_free(tmp);
		call->fault_code = DCERPC_FAULT_ACCESS_DENIED;
		return NT_STATUS_NET_WRITE_FAULT;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	load_state(call);
	crl_refresh();
	crl_publish();
	if (g_dir != NULL) {
		ca_dir_ldb_ops(g_dir, &dir);
	}
	err = ca_process(tmp, g_ca, &dir, &caller, c->req, time(NULL), &a);
	if (err == AE_OK) {
		log_request(&caller, c->req, a, ms_since(&t0));
		fault_answer(c, a);
		err = ca_answer_response(c, a, &c->resp);
	}
	talloc_free(tmp);
	return err == AE_OK ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
}

static NTSTATUS icpr_reply(struct dcesrv_call_state *call, TALLOC_CTX *mem_ctx, void *r)
{
	(void)call; (void)mem_ctx; (void)r;
	return NT_STATUS_OK;
}

static NTSTATUS icpr_ndr_push(struct dcesrv_call_state *call, TALLOC_CTX *mem_ctx,
			      struct ndr_push *push, const void *r)
{
	const struct icpr_call *c = r;
	uint8_t *out = NULL;
	size_t len = 0;
	enum ndr_err_code ndr_err;
	ae_err err;

	(void)call;
	err = icpr_response_push(mem_ctx, c->resp, &out, &len);
	if (err == AE_OK && c->fault_on) {
		err = ca_fault_stub(mem_ctx, &c->fault, &out, &len);
	}
	if (err != AE_OK || len > UINT32_MAX) {
		return NT_STATUS_INTERNAL_ERROR;
	}
	ndr_err = ndr_push_bytes(push, out, (uint32_t)len);
	talloc_free(out);
	return NDR_ERR_CODE_IS_SUCCESS(ndr_err) ? NT_STATUS_OK : NT_STATUS_INTERNAL_ERROR;
}

static const struct dcesrv_interface icpr_iface = {
	.name = "icpr_ca",
	.syntax_id = { { 0x91ae6020, 0x9e3c, 0x11cf, { 0x8d, 0x7c },
			 { 0x00, 0xaa, 0x00, 0xc0, 0x91, 0xbe } }, 0 },
	.bind = icpr_bind,
	.ndr_pull = icpr_ndr_pull,
	.dispatch = icpr_dispatch,
	.reply = icpr_reply,
	.ndr_push = icpr_ndr_push,
	.flags = DCESRV_INTERFACE_FLAGS_HANDLES_NOT_USED,
};

static NTSTATUS icpr_init_server(struct dcesrv_context *dce_ctx,
				 const struct dcesrv_endpoint_server *ep_server)
{
	NTSTATUS st;

	(void)ep_server;
	st = dcesrv_interface_register(dce_ctx, "ncacn_ip_tcp:", NULL, &icpr_iface, NULL);
	fprintf(stderr, "icpr_ca: register ncacn_ip_tcp: %s\n", nt_errstr(st));
	if (NT_STATUS_IS_OK(st)) {
		st = dcesrv_interface_register(dce_ctx, "ncacn_np:[\\pipe\\cert]", NULL,
					       &icpr_iface, NULL);
		fprintf(stderr, "icpr_ca: register ncacn_np \\pipe\\cert: %s\n", nt_errstr(st));
	}
	fprintf(stderr, "icpr_ca: ICPR_CA_DIR=%s ICPR_SAM_LDB=%s ICPR_CA_NAME=%s\n",
		getenv("ICPR_CA_DIR") ? getenv("ICPR_CA_DIR") : "(unset)",
		getenv("ICPR_SAM_LDB") ? getenv("ICPR_SAM_LDB") : "(unset)",
		getenv("ICPR_CA_NAME") ? getenv("ICPR_CA_NAME") : "(default " CA_DEFAULT_NAME ")");
	fflush(stderr);
	if (NT_STATUS_IS_OK(st)) {	/* start-up: the CRL file when missing or due */
		load_ca();
		crl_refresh();
	}
	return st;
}

static NTSTATUS icpr_shutdown_server(struct dcesrv_context *dce_ctx,
				     const struct dcesrv_endpoint_server *ep_server)
{
	(void)dce_ctx; (void)ep_server;
	return NT_STATUS_OK;
}

static bool icpr_by_uuid(struct dcesrv_interface *iface, const struct GUID *uuid,
			 uint32_t if_version)
{
	if (icpr_iface.syntax_id.if_version == if_version &&
	    GUID_equal(&icpr_iface.syntax_id.uuid, uuid)) {
		memcpy(iface, &icpr_iface, sizeof(*iface));
		return true;
	}
	return false;
}

static bool icpr_by_name(struct dcesrv_interface *iface, const char *name)
{
	if (strcmp(icpr_iface.name, name) == 0) {
		memcpy(iface, &icpr_iface, sizeof(*iface));
		return true;
	}
	return false;
}

static const struct dcesrv_endpoint_server icpr_ep_server = {
	.name = ICPR_CA_NAME_EP,
	.initialized = false,
	.init_server = icpr_init_server,
	.shutdown_server = icpr_shutdown_server,
	.interface_by_uuid = icpr_by_uuid,
	.interface_by_name = icpr_by_name,
};

NTSTATUS samba_init_module(TALLOC_CTX *ctx);
NTSTATUS samba_init_module(TALLOC_CTX *ctx)
{
	(void)ctx;
	fprintf(stderr, "icpr_ca: samba_init_module\n");
	fflush(stderr);
	return dcerpc_register_ep_server(&icpr_ep_server);
}
