/*
 * ca_local_chain.h: a CA below the lab's root (LAB-CA2 of the test CEP)
 * keeps the certificates above its own in <ICPR_CA_DIR>/chain.pem; ca-local
 * adds them to the PKCS#7 it returns so the client gets the whole chain
 * ([MS-WSTEP] 3.1.4.1.2.2: the response's BinarySecurityToken is the
 * issued certificate's chain).
 */
#ifndef CA_LOCAL_CHAIN_H
#define CA_LOCAL_CHAIN_H

#include <openssl/x509.h>
#include "ca_ctx.h"
#include "ca_der.h"

#define CL_CHAIN_MAX	16	/* certificates in chain.pem */

/* Append <dir>/chain.pem's certificates (when the file exists) to *n. */
ae_err cl_chain_load(const char *dir, STACK_OF(X509) *out);

/* *p7 (certs-only PKCS#7 DER) with chain.pem's certificates added. */
ae_err cl_chain_extend(TALLOC_CTX *mem_ctx, const struct ca_ctx *ca, struct ca_bytes *p7);

#endif
