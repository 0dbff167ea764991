/*
 * icpr.c: the MS-ICPR client (connect + CertServerRequest).
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <talloc.h>
#include <tevent.h>
#include <core/ntstatus.h>
#include <param.h>
#include <credentials.h>
#include <dcerpc.h>
#include <util/tevent_ntstatus.h>
#include <gen_ndr/dcerpc.h>
#include "icpr.h"
#include "ae_log.h"
#include "ae_net_timeout.h"

const char *nt_errstr(NTSTATUS status);

/* MS-ICPR ICertPassage 91ae6020-9e3c-11cf-8d7c-00aa00c091be v0.0: the
 * calls carry no NDR functions; we marshal with ndr_icpr.c and raw calls. */
static const struct ndr_interface_call icpr_calls[] = {
	{ "CertServerRequest", 0, NULL, NULL, NULL, { 0, NULL }, { 0, NULL } },
};
static const char *const icpr_endpoint_strings[] = { "ncacn_np:[\\pipe\\cert]" };
static const struct ndr_interface_string_array icpr_endpoints = { 1, icpr_endpoint_strings };
static const char *const icpr_authservice_strings[] = { "host" };
static const struct ndr_interface_string_array icpr_authservices = { 1, icpr_authservice_strings };
static const struct ndr_interface_table icpr_table = {
	.name = "ICertPassage",
	.syntax_id = { { 0x91ae6020, 0x9e3c, 0x11cf, { 0x8d, 0x7c },
			 { 0x00, 0xaa, 0x00, 0xc0, 0x91, 0xbe } }, 0 },
	.helpstring = "MS-ICPR",
	.num_calls = 1,
	.calls = icpr_calls,
	.endpoints = &icpr_endpoints,
	.authservices = &icpr_authservices,
};

/* the CertServerRequest call; the connect of each binding (connect_bounded) */
#define ICPR_CALL_TIMEOUT_SECS ae_net_timeout()

struct icpr_conn {
	struct dcerpc_pipe *pipe;
	char *binding;
	uint32_t auth_level;
};

const char *icpr_nt_errstr(NTSTATUS st)
{
	static __thread char buf[128];

	if (NT_STATUS_EQUAL(st, NT_STATUS_IO_TIMEOUT)) {
		snprintf(buf, sizeof(buf), "%s (%s)", ae_net_no_answer(), nt_errstr(st));
		return buf;
	}
	return nt_errstr(st);
}

/*
 * The text of a failed connect of one binding: the endpoint mapper, the
 * connect and the bind together have the step's bound (connect_bounded;
 * Samba's own DCERPC_REQUEST_TIMEOUT, 60 s, when that is shorter).
 */
static const char *connect_errstr(NTSTATUS st)
{
	return icpr_nt_errstr(st);
}

/*
 * dcerpc_pipe_connect() waits up to Samba's fixed DCERPC_REQUEST_TIMEOUT
 * (60 s). Its connect is a composite_context whose wait ends when the
 * composite is in error: a timer at the step's bound puts it there with
 * NT_STATUS_IO_TIMEOUT through Samba's composite_error() and
 * dcerpc_pipe_connect_recv() frees every part of the connect under way.
 * composite_error() lives in a private library of Samba's (its symbol
 * version names the release), a dependency of libdcerpc: it is looked up at
 * run time in libdcerpc's scope; without it Samba's own bound stays.
 */
typedef void (*composite_error_fn)(struct composite_context *, NTSTATUS);

struct connect_bound {
	struct composite_context *c;
	composite_error_fn fail;
	struct tevent_timer *te;	/* NULL once fired: tevent frees a fired timer */
};

static composite_error_fn composite_error_lookup(void)
{
	static composite_error_fn fn;
	static bool done;
	Dl_info info;

	if (!done) {
		void *h = NULL;

		done = true;
		if (dladdr((void *)dcerpc_pipe_connect_send, &info) != 0 &&
		    info.dli_fname != NULL) {
			h = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
		}
		if (h != NULL) {
			*(void **)&fn = dlsym(h, "composite_error");
			dlclose(h);
		}
		if (fn == NULL) {
			AE_DEBUG("Samba's composite_error is not available: the MS-ICPR connect "
				 "keeps Samba's bound of %d s", DCERPC_REQUEST_TIMEOUT);
		}
	}
	return fn;
}

static void connect_expired(struct tevent_context *ev, struct tevent_timer *te,
			    struct timeval now, void *private_data)
{
	struct connect_bound *b = private_data;

	(void)ev;
	(void)te;
	(void)now;
	b->te = NULL;
	AE_DEBUG("MS-ICPR connect: the step's bound of %u s is over", ICPR_CALL_TIMEOUT_SECS);
	b->fail(b->c, NT_STATUS_IO_TIMEOUT);
}

static NTSTATUS connect_bounded(struct icpr_conn *conn, struct tevent_context *ev,
				const char *binding, struct cli_credentials *creds,
				struct loadparm_context *lp)
{
	struct connect_bound b = { .fail = composite_error_lookup() };
	NTSTATUS st;

	b.c = dcerpc_pipe_connect_send(conn, binding, &icpr_table, creds, ev, lp);
	if (b.c == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (b.fail != NULL) {
		b.te = tevent_add_timer(ev, conn,
					tevent_timeval_current_ofs(ICPR_CALL_TIMEOUT_SECS, 0),
					connect_expired, &b);
	}
	st = dcerpc_pipe_connect_recv(b.c, conn, &conn->pipe);	/* frees b.c */
	TALLOC_FREE(b.te);
	return st;
}

const char *icpr_conn_binding(const struct icpr_conn *conn)
{
	return conn->binding;
}

uint32_t icpr_conn_auth_level(const struct icpr_conn *conn)
{
	return conn->auth_level;
}

/* ---- connect ------------------------------------------------------------ */

struct icpr_connect_state {
	struct icpr_conn *conn;
	char *why;
};

static NTSTATUS icpr_connect_one(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
				 const char *binding, struct cli_credentials *creds,
				 struct loadparm_context *lp, struct icpr_conn **_conn)
{
	struct icpr_conn *conn = talloc_zero(mem_ctx, struct icpr_conn);
	enum dcerpc_AuthType auth_type = DCERPC_AUTH_TYPE_NONE;
	enum dcerpc_AuthLevel auth_level = DCERPC_AUTH_LEVEL_NONE;
	NTSTATUS st;

	if (conn == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	/* registers the gensec backends (Kerberos, SPNEGO); idempotent */
	st = dcerpc_init();
	if (!NT_STATUS_IS_OK(st)) {
		talloc_free(conn);
		return st;
	}
	conn->binding = talloc_strdup(conn, binding);
	AE_DEBUG("connecting %s (Kerberos, packet privacy)", binding);
	st = connect_bounded(conn, ev, binding, creds, lp);
	if (!NT_STATUS_IS_OK(st)) {
		talloc_free(conn);
		return st;
	}
	dcerpc_binding_handle_auth_info(conn->pipe->binding_handle, &auth_type, &auth_level);
	if (auth_level != DCERPC_AUTH_LEVEL_PRIVACY) {
		/* never accept less than privacy, whatever was negotiated */
		AE_ERROR("%s: negotiated auth level %d is below packet privacy", binding,
			 (int)auth_level);
		talloc_free(conn);
		return NT_STATUS_ACCESS_DENIED;
	}
	conn->auth_level = auth_level;
	dcerpc_binding_handle_set_timeout(conn->pipe->binding_handle, ICPR_CALL_TIMEOUT_SECS);
	AE_DEBUG("bound %s: auth type %d, auth level %d (privacy)", binding, (int)auth_type,
		 (int)auth_level);
	*_conn = conn;
	return NT_STATUS_OK;
}

/*
 * The status that says why a CA cannot be reached when every binding
 * failed: Samba's SMB connect (ncacn_np) reports some network failures of
 * a host that is down as NT_STATUS_NO_MEMORY or a generic status; the TCP
 * attempt's status (e.g. NT_STATUS_CONNECTION_REFUSED,
 * NT_STATUS_HOST_UNREACHABLE) is the real cause then. Both are in the text.
 */
static bool uninformative(NTSTATUS st)
{
	return NT_STATUS_EQUAL(st, NT_STATUS_NO_MEMORY) ||
	       NT_STATUS_EQUAL(st, NT_STATUS_UNSUCCESSFUL) ||
	       NT_STATUS_EQUAL(st, NT_STATUS_INTERNAL_ERROR) ||
	       NT_STATUS_EQUAL(st, NT_STATUS_INVALID_PARAMETER);
}

NTSTATUS icpr_connect_cause(NTSTATUS first, NTSTATUS next)
{
	if (NT_STATUS_IS_OK(first)) {
		return next;
	}
	return uninformative(next) && !uninformative(first) ? first : next;
}

struct tevent_req *icpr_connect_send(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
				     const char *server, enum icpr_transport transport,
				     struct cli_credentials *creds,
				     struct loadparm_context *lp)
{
	struct tevent_req *req = NULL;
	struct icpr_connect_state *state = NULL;
	const char *bindings[2] = { NULL, NULL };
	NTSTATUS st = NT_STATUS_UNSUCCESSFUL;
	size_t i, n = 0;

	req = tevent_req_create(mem_ctx, &state, struct icpr_connect_state);
	if (req == NULL) {
		return NULL;
	}
	/* "seal" = DCERPC_AUTH_LEVEL_PRIVACY; creds are Kerberos-only */
	if (transport != ICPR_TRANSPORT_NP) {
		bindings[n++] = talloc_asprintf(state, "ncacn_ip_tcp:%s[seal]", server);
	}
	if (transport != ICPR_TRANSPORT_TCP) {
		bindings[n++] = talloc_asprintf(state, "ncacn_np:%s[\\pipe\\cert,seal]", server);
	}
	state->why = talloc_strdup(state, "");
	for (i = 0; i < n; i++) {
		NTSTATUS one;
		if (bindings[i] == NULL || state->why == NULL) {
			tevent_req_oom(req);
			return tevent_req_post(req, ev);
		}
		if (ae_net_deadline_passed()) {
			/* the cycle's bound: no binding (or no further one) is tried */
			state->why = talloc_asprintf(state, "%s: %s%s%s", bindings[i],
						     ae_net_cycle_over(), i ? "; after " : "",
						     state->why);
			tevent_req_nterror(req, NT_STATUS_IO_TIMEOUT);
			return tevent_req_post(req, ev);
		}
		one = icpr_connect_one(state, ev, bindings[i], creds, lp, &state->conn);
		if (NT_STATUS_IS_OK(one)) {
			st = one;
			break;
		}
		AE_INFO("MS-ICPR connect to %s failed: %s", bindings[i], nt_errstr(one));
		state->why = talloc_asprintf_append(state->why, "%s%s: %s%s",
						    i ? "; " : "", bindings[i], connect_errstr(one),
						    i > 0 && uninformative(one) &&
						    !uninformative(st) ? " (no cause given)" : "");
		st = icpr_connect_cause(i == 0 ? NT_STATUS_OK : st, one);
	}
	if (!NT_STATUS_IS_OK(st) && state->why != NULL) {
		/* the cause first, then every binding tried */
		state->why = talloc_asprintf(state, "%s (%s)", connect_errstr(st), state->why);
	}
	if (!NT_STATUS_IS_OK(st)) {
		tevent_req_nterror(req, st);
		return tevent_req_post(req, ev);
	}
	tevent_req_done(req);
	return tevent_req_post(req, ev);
}

NTSTATUS icpr_connect_recv(struct tevent_req *req, TALLOC_CTX *mem_ctx,
			   struct icpr_conn **_conn, char **_why)
{
	struct icpr_connect_state *state = tevent_req_data(req, struct icpr_connect_state);
	NTSTATUS st;

	if (tevent_req_is_nterror(req, &st)) {
		if (_why != NULL) {
			*_why = talloc_move(mem_ctx, &state->why);
		}
		tevent_req_received(req);
		return st;
	}
	*_conn = talloc_move(mem_ctx, &state->conn);
	tevent_req_received(req);
	return NT_STATUS_OK;
}

/* ---- CertServerRequest ---------------------------------------------------- */

struct icpr_submit_state {
	struct icpr_response *resp;
};

static void icpr_submit_done(struct tevent_req *subreq);

struct tevent_req *icpr_submit_send(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
				    struct icpr_conn *conn, const struct icpr_request *in)
{
	struct tevent_req *req = NULL, *subreq = NULL;
	struct icpr_submit_state *state = NULL;
	uint8_t *stub = NULL;
	size_t stub_len = 0;
	ae_err err;

	req = tevent_req_create(mem_ctx, &state, struct icpr_submit_state);
	if (req == NULL) {
		return NULL;
	}
	if (ae_net_deadline_passed()) {
		AE_ERROR("MS-ICPR CertServerRequest: %s", ae_net_cycle_over());
		tevent_req_nterror(req, NT_STATUS_IO_TIMEOUT);
		return tevent_req_post(req, ev);
	}
	/* the call's bound: the network timeout or the time left to the cycle's */
	dcerpc_binding_handle_set_timeout(conn->pipe->binding_handle, ICPR_CALL_TIMEOUT_SECS);
	err = icpr_request_push(state, in, &stub, &stub_len);
	if (err != AE_OK) {
		tevent_req_nterror(req, err == AE_ERR_NOMEM ? NT_STATUS_NO_MEMORY
							    : NT_STATUS_INVALID_PARAMETER);
		return tevent_req_post(req, ev);
	}
	subreq = dcerpc_binding_handle_raw_call_send(state, ev, conn->pipe->binding_handle,
						     NULL, ICPR_OPNUM_CERT_SERVER_REQUEST, 0,
						     stub, stub_len);
	if (tevent_req_nomem(subreq, req)) {
		return tevent_req_post(req, ev);
	}
	tevent_req_set_callback(subreq, icpr_submit_done, req);
	return req;
}

static void icpr_submit_done(struct tevent_req *subreq)
{
	struct tevent_req *req = tevent_req_callback_data(subreq, struct tevent_req);
	struct icpr_submit_state *state = tevent_req_data(req, struct icpr_submit_state);
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint32_t out_flags = 0;
	NTSTATUS st;
	ae_err err;

	st = dcerpc_binding_handle_raw_call_recv(subreq, state, &out, &out_len, &out_flags);
	TALLOC_FREE(subreq);
	if (tevent_req_nterror(req, st)) {
		return;
	}
	err = icpr_response_pull(state, out, out_len, &state->resp);
	if (err != AE_OK) {
		AE_ERROR("the CA's CertServerRequest reply (%zu bytes) does not decode: %s",
			 out_len, ae_strerror(err));
		tevent_req_nterror(req, NT_STATUS_RPC_BAD_STUB_DATA);
		return;
	}
	tevent_req_done(req);
}

NTSTATUS icpr_submit_recv(struct tevent_req *req, TALLOC_CTX *mem_ctx,
			  struct icpr_response **_resp)
{
	struct icpr_submit_state *state = tevent_req_data(req, struct icpr_submit_state);
	NTSTATUS st;

	if (tevent_req_is_nterror(req, &st)) {
		tevent_req_received(req);
		return st;
	}
	*_resp = talloc_move(mem_ctx, &state->resp);
	tevent_req_received(req);
	return NT_STATUS_OK;
}
