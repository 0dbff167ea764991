/*
 * icpr.h: MS-ICPR client on Samba's libdcerpc.
 *
 * Always Kerberos at packet privacy (sign+seal): the binding asks for seal
 * and icpr_connect checks the negotiated level afterwards, so a downgrade
 * is an error, never silently accepted.
 *
 * Errors keep their layers apart: a failed connect or call returns the
 * transport NTSTATUS; the CA's answer (disposition/HRESULT, message) comes
 * back in struct icpr_response untouched.
 */
#ifndef AE_ICPR_H
#define AE_ICPR_H

#include <stdint.h>
#include <talloc.h>
#include <tevent.h>
#include <core/ntstatus.h>
#include "ndr_icpr.h"

struct cli_credentials;
struct loadparm_context;

enum icpr_transport {
	ICPR_TRANSPORT_AUTO = 0,	/* TCP via the endpoint mapper, then \pipe\cert */
	ICPR_TRANSPORT_TCP,
	ICPR_TRANSPORT_NP,
};

struct icpr_conn;

/*
 * Of two failed connect attempts (TCP first, then the named pipe), the
 * status to report: the later one unless it is uninformative (Samba's SMB
 * connect says NT_STATUS_NO_MEMORY for a host that is down) and the first
 * is not. first NT_STATUS_OK: next.
 */
NTSTATUS icpr_connect_cause(NTSTATUS first, NTSTATUS next);

/*
 * Connect and bind ICertPassage on 'server' (the CA's dNSHostName).
 * Samba 4.17's public connect API is composite-based with a private state
 * struct, so this request completes inside _send (tevent_req_post): call it
 * from outside an event handler. On failure of every transport tried,
 * 'why' (icpr_connect_recv) names the server, each binding and its status.
 */
struct tevent_req *icpr_connect_send(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
				     const char *server, enum icpr_transport transport,
				     struct cli_credentials *creds,
				     struct loadparm_context *lp);
NTSTATUS icpr_connect_recv(struct tevent_req *req, TALLOC_CTX *mem_ctx,
			   struct icpr_conn **_conn, char **_why);

/* The binding in use ("ncacn_ip_tcp:dc1...[seal]") and its auth level. */
const char *icpr_conn_binding(const struct icpr_conn *conn);
uint32_t icpr_conn_auth_level(const struct icpr_conn *conn);

/*
 * One CertServerRequest call. NT_STATUS_OK means the CA answered: look at
 * (*_resp)->disposition. A reply that does not decode is
 * NT_STATUS_RPC_BAD_STUB_DATA.
 */
struct tevent_req *icpr_submit_send(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
				    struct icpr_conn *conn, const struct icpr_request *in);
NTSTATUS icpr_submit_recv(struct tevent_req *req, TALLOC_CTX *mem_ctx,
			  struct icpr_response **_resp);

/* "NT_STATUS_CONNECTION_REFUSED" etc. */
const char *icpr_nt_errstr(NTSTATUS st);

#endif
