/*
 * ca_ctx.h: the CA's configuration and signing material.
 *
 * Environment of the samba process (read by icpr_ca.c):
 *   ICPR_CA_DIR   holds ca.pem and ca.key; the request database is $ICPR_CA_DIR/db
 *   ICPR_SAM_LDB  path of the DC's sam.ldb
 *   ICPR_CA_NAME  the CA's name (pwszAuthority, Enrollment Services cn); default LAB-CA
 */
#ifndef CA_CTX_H
#define CA_CTX_H

#include <stddef.h>
#include <talloc.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "ae_error.h"

#define CA_DEFAULT_NAME		"LAB-CA"
#define CA_NAME_MAX		64u
#define CA_PEM_MAX		(64u * 1024u)

struct ca_ctx {
	char *name;		/* CA name */
	char *dir;		/* ICPR_CA_DIR */
	char *db_dir;		/* <dir>/db */
	X509 *cert;		/* ca.pem (freed with the struct) */
	EVP_PKEY *key;		/* ca.key (freed with the struct) */
};

/*
 * Load <dir>/ca.pem and <dir>/ca.key (PEM, at most CA_PEM_MAX bytes each;
 * the key must match the certificate) and create <dir>/db (0700) if needed.
 * name NULL or empty -> CA_DEFAULT_NAME. *_ca set on success only.
 */
ae_err ca_ctx_load(TALLOC_CTX *mem_ctx, const char *dir, const char *name,
		   struct ca_ctx **_ca);

#endif
