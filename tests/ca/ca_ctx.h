/*
 * ca_ctx.h: the CA's configuration and signing material.
 *
 * Environment of the samba process (read by icpr_ca.c):
 *   ICPR_CA_DIR   holds ca.pem and ca.key; the request database is $ICPR_CA_DIR/db
 *   ICPR_SAM_LDB  path of the DC's sam.ldb
 *   ICPR_CA_NAME  the CA's name (pwszAuthority, Enrollment Services cn); default LAB-CA
 *
 * The CRL lives in <dir>/crl/<name>.crl (DER); every issued certificate
 * names it in its CRL distribution points, after the LDAP URL of the CDP
 * object once ca_ctx_set_cdp() has been told where that is.
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
	char *crl_dir;		/* <dir>/crl */
	char *crl_path;		/* <dir>/crl/<name>.crl */
	char *cdp_file_url;	/* file://<crl_path> */
	char *cdp_dn;		/* the CDP object's DN, NULL until ca_ctx_set_cdp() */
	char *cdp_ldap_url;	/* ldap:///<cdp_dn>?certificateRevocationList?base?... */
};

/*
 * Load <dir>/ca.pem and <dir>/ca.key (PEM, at most CA_PEM_MAX bytes each;
 * the key must match the certificate) and create <dir>/db (0700) and
 * <dir>/crl (0755) if needed. name NULL or empty -> CA_DEFAULT_NAME. dir
 * must be absolute (it goes into a file:// URL) and name plain (letters,
 * digits, '-', '_', '.'; it goes into a file name, a DN and URLs), else
 * AE_ERR_CONFIG. *_ca set on success only.
 */
ae_err ca_ctx_load(TALLOC_CTX *mem_ctx, const char *dir, const char *name,
		   struct ca_ctx **_ca);

#define CA_HOST_MAX		64u
#define CA_CDP_DN_MAX		1024u

/*
 * Where AD CS publishes this CA's CRL: CN=<name>,CN=<host>,CN=CDP,CN=Public
 * Key Services,CN=Services,<config_dn>, and the URL it writes into
 * certificates for it (spaces as %20, RFC 4516). host is the CA host's
 * short name (AD CS: ServerShortName). Characters a DN would need escaped
 * are refused (AE_ERR_INVALID); so are lengths over CA_HOST_MAX /
 * CA_CDP_DN_MAX. Replaces an earlier setting.
 */
ae_err ca_ctx_set_cdp(struct ca_ctx *ca, const char *host, const char *config_dn);

#endif
