/*
 * icpr_bind.c: one MS-ICPR CertServerRequest (opnum 0) through Samba's own
 * DCE/RPC client at the authentication level the binding string asks for
 * ([sign] or [seal]), as the machine account from a Kerberos ccache. The
 * integration scenario t_privacy.sh uses it to show that the test CA refuses
 * a bind without packet privacy and answers one with it.
 *
 * Why C and not Python: samba.dcerpc.base.ClientConnection (Samba 4.17)
 * builds an interface table without authservices, and dcerpc_pipe_auth_send()
 * dereferences table->authservices->names[0] for every authenticated bind:
 * the interpreter segfaults. Its basis_connection form needs another
 * interface on the same endpoint, and the CA's TCP endpoint has none.
 *
 * usage: icpr_bind SMB_CONF BINDING CCACHE [CANAME]
 *   e.g. icpr_bind member/smb.conf 'ncacn_ip_tcp:dc1.lab.example.com[sign]' FILE:machine.ccache
 * The call asks to retrieve request id 0x7fffffff, which no CA holds: a CA
 * that accepts the call answers with a disposition, not a fault.
 * Prints one line; exit 0 "answered: ...", 3 "refused: ..." (access
 * denied at bind or call), 1 "error: ...", 2 usage.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <talloc.h>
#include <tevent.h>
#include <core/ntstatus.h>
#include <param.h>
#include <credentials.h>
#include <dcerpc.h>

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

#define STUB_MAX 512

static size_t put32(uint8_t *p, size_t off, uint32_t v)
{
	p[off] = v & 0xff;
	p[off + 1] = (v >> 8) & 0xff;
	p[off + 2] = (v >> 16) & 0xff;
	p[off + 3] = (v >> 24) & 0xff;
	return off + 4;
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	return p[off] | p[off + 1] << 8 | p[off + 2] << 16 | (uint32_t)p[off + 3] << 24;
}

/* CertServerRequest [in]: dwFlags, [string, unique] pwszAuthority,
 * *pdwRequestId, pctbAttribs {cb 0, pb NULL}, pctbRequest {cb 0, pb NULL}.
 * The CA name must be ASCII. Returns the stub length, 0 if too long. */
static size_t build_stub(uint8_t *p, const char *caname, uint32_t request_id)
{
	size_t n = strlen(caname) + 1; /* UTF-16 units including the NUL */
	size_t off = 0;
	size_t i;

	if (n > 64) {
		return 0;
	}
	memset(p, 0, STUB_MAX);
	off = put32(p, off, 0);          /* dwFlags */
	off = put32(p, off, 0x00020000); /* referent id */
	off = put32(p, off, (uint32_t)n);/* max count */
	off = put32(p, off, 0);          /* offset */
	off = put32(p, off, (uint32_t)n);/* actual count */
	for (i = 0; i < n; i++) {
		p[off++] = (uint8_t)caname[i]; /* the final NUL included */
		p[off++] = 0;
	}
	off = (off + 3) & ~(size_t)3;
	off = put32(p, off, request_id);
	off = put32(p, off, 0); /* pctbAttribs.cb */
	off = put32(p, off, 0); /* pctbAttribs.pb */
	off = put32(p, off, 0); /* pctbRequest.cb */
	off = put32(p, off, 0); /* pctbRequest.pb */
	return off;
}

static int refused_or_error(const char *what, NTSTATUS st)
{
	if (NT_STATUS_EQUAL(st, NT_STATUS_ACCESS_DENIED)) {
		printf("refused: %s: %s\n", what, nt_errstr(st));
		return 3;
	}
	printf("error: %s: %s\n", what, nt_errstr(st));
	return 1;
}

int main(int argc, char **argv)
{
	TALLOC_CTX *mem = NULL;
	struct tevent_context *ev = NULL;
	struct loadparm_context *lp = NULL;
	struct cli_credentials *creds = NULL;
	struct dcerpc_pipe *p = NULL;
	const char *err = NULL;
	const char *caname = argc > 4 ? argv[4] : "LAB-CA";
	uint8_t stub[STUB_MAX];
	uint8_t *out = NULL;
	size_t stub_len, outlen = 0;
	uint32_t outflags = 0;
	NTSTATUS st;
	int rc;

	if (argc < 4) {
		fprintf(stderr, "usage: %s SMB_CONF BINDING CCACHE [CANAME]\n", argv[0]);
		return 2;
	}
	stub_len = build_stub(stub, caname, 0x7fffffff);
	if (stub_len == 0) {
		fprintf(stderr, "CA name too long\n");
		return 2;
	}
	mem = talloc_new(NULL);
	ev = tevent_context_init(mem);
	lp = loadparm_init_global(false);
	if (mem == NULL || ev == NULL || lp == NULL || !lpcfg_load(lp, argv[1])) {
		printf("error: cannot load %s\n", argv[1]);
		talloc_free(mem);
		return 1;
	}
	st = dcerpc_init();
	if (!NT_STATUS_IS_OK(st)) {
		printf("error: dcerpc_init: %s\n", nt_errstr(st));
		talloc_free(mem);
		return 1;
	}
	creds = cli_credentials_init(mem);
	cli_credentials_set_conf(creds, lp);
	if (cli_credentials_set_ccache(creds, lp, argv[3], CRED_SPECIFIED, &err) != 0) {
		printf("error: ccache %s: %s\n", argv[3], err ? err : "?");
		talloc_free(mem);
		return 1;
	}
	cli_credentials_set_kerberos_state(creds, CRED_USE_KERBEROS_REQUIRED, CRED_SPECIFIED);

	st = dcerpc_pipe_connect(mem, &p, argv[2], &icpr_table, creds, ev, lp);
	if (!NT_STATUS_IS_OK(st)) {
		rc = refused_or_error("bind", st);
		talloc_free(mem);
		return rc;
	}
	st = dcerpc_binding_handle_raw_call(p->binding_handle, NULL, 0, 0, stub, stub_len,
					    mem, &out, &outlen, &outflags);
	if (!NT_STATUS_IS_OK(st)) {
		rc = refused_or_error("call", st);
		talloc_free(mem);
		return rc;
	}
	if (outlen < 12) {
		printf("error: short answer (%zu bytes)\n", outlen);
		talloc_free(mem);
		return 1;
	}
	printf("answered: request_id=%u disposition=0x%08x hresult=0x%08x (%zu bytes)\n",
	       get32(out, 0), get32(out, 4), get32(out, outlen - 4), outlen);
	talloc_free(mem);
	return 0;
}
