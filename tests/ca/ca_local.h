/*
 * ca_local.h: ca-local, the test CA's request processing run as a command
 * for the lab's CEP/CES (tests/cep/cepapp.py). It opens the DC's sam.ldb
 * (ICPR_SAM_LDB) the way icpr_ca.c does inside samba, builds the caller's
 * token from the directory instead of an RPC session, and prints JSON.
 *
 *   ca-local policies --caller-sid SID
 *   ca-local submit   --caller-sid SID --ca-dir DIR [--ca-name NAME]
 *                     [--ca-templates A,B,...] [--not-templates C,...]
 *                     [--attrib "Name:Value"]... < request.der
 *   ca-local retrieve --caller-sid SID --ca-dir DIR [--ca-name NAME] --request-id N
 *   ca-local whois    --principal USER@REALM | --cert < cert.pem
 *                     [--ca-dir DIR]...   (--cert: the chain is verified against these)
 *
 * The DC's smb.conf comes from ICPR_SMB_CONF (its loadparm context is what
 * ldb's samba modules need). Exit status: 0 answered (the JSON says how),
 * 1 usage, 2 the caller or directory could not be resolved, 3 internal error.
 */
#ifndef CA_LOCAL_H
#define CA_LOCAL_H

#include <stdbool.h>
#include <stdio.h>
#include <talloc.h>
#include "ae_error.h"
#include "ca.h"
#include "ca_der.h"

struct loadparm_context;
struct ca_dir_ldb;

#define CA_LOCAL_REQUEST_MAX	(64u * 1024u)	/* request DER on stdin */
#define CA_LOCAL_ATTRIBS_MAX	16u		/* --attrib options */

struct ca_local {
	struct loadparm_context *lp;
	struct ca_dir_ldb *dir;
	const char *caller_sid;		/* --caller-sid */
	const char *ca_dir;		/* --ca-dir (first) */
	const char **ca_dirs;		/* every --ca-dir (whois) */
	size_t num_ca_dirs;
	const char *ca_name;		/* --ca-name, else ICPR_CA_NAME */
	const char *ca_templates;	/* --ca-templates */
	const char *not_templates;	/* --not-templates */
	const char *attribs[CA_LOCAL_ATTRIBS_MAX];
	size_t num_attribs;
	const char *principal;		/* --principal */
	bool cert;			/* --cert */
	uint32_t request_id;		/* --request-id */
};

/* ca_local_json.c: JSON output on stdout. */
void cl_json_str(FILE *f, const char *s);		/* "..." with escapes; NULL -> null */
ae_err cl_json_b64(FILE *f, const uint8_t *p, size_t len);	/* "base64" */
void cl_json_str_array(FILE *f, const char *const *v, size_t n);

/* ca_local_caller.c: the caller's token from the directory. */
ae_err cl_caller(TALLOC_CTX *mem_ctx, struct ca_local *cl, struct ca_caller *_caller);
/* ca_local_whois.c */
int cl_whois(TALLOC_CTX *mem_ctx, struct ca_local *cl);
/* ca_local_policies.c */
int cl_policies(TALLOC_CTX *mem_ctx, struct ca_local *cl, const struct ca_caller *caller);

/* Read stdin up to max bytes (more is AE_ERR_TOO_LARGE). */
ae_err cl_read_stdin(TALLOC_CTX *mem_ctx, size_t max, uint8_t **_p, size_t *_len);

#endif
