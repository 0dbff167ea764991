/*
 * ca_dir_ldb.h: the CA's directory (struct ca_directory) read straight
 * from the DC's sam.ldb with ldb, inside the samba process; and the one
 * thing it writes there, its CRL on the CDP object.
 *
 * The ldb is opened with the DC's loadparm context and a SYSTEM session
 * (as `ldbsearch -H sam.ldb` does), so every attribute is readable,
 * nTSecurityDescriptor included. Opening costs ~80-150 ms (module stack,
 * schema), a search ~0.1 ms: icpr_ca.c opens it once per process and
 * reuses it; ldb re-reads the tdb files, so every request sees the
 * directory as it is now.
 */
#ifndef CA_DIR_LDB_H
#define CA_DIR_LDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ca.h"

struct loadparm_context;
struct ca_dir_ldb;

#define CA_DIR_VALUES_MAX	256u	/* values of one multi-valued attribute */

/* Open url (a sam.ldb path). *_d on mem_ctx; AE_ERR_LDAP when it fails. */
ae_err ca_dir_ldb_open(TALLOC_CTX *mem_ctx, const char *url, struct loadparm_context *lp_ctx,
		       struct ca_dir_ldb **_d);

/* The struct ca_directory view of d (d must outlive its use). */
void ca_dir_ldb_ops(struct ca_dir_ldb *d, struct ca_directory *_ops);

/* The configuration naming context's DN (owned by d). */
const char *ca_dir_ldb_config_dn(struct ca_dir_ldb *d);

/*
 * Publish a DER CRL (len <= CA_DIR_CRL_MAX) at dn, a cRLDistributionPoint
 * under CN=<host>,CN=CDP,...: the object (and its parent container, which
 * AD CS creates per CA host) is added when absent, else its
 * certificateRevocationList is replaced when it differs. Written through
 * the same SYSTEM-session ldb as the reads, so it is an ordinary local
 * write of the DC (USN, replication metadata). *_changed tells whether
 * anything was written. AE_ERR_INVALID for a bad DN, AE_ERR_LDAP when ldb
 * refuses.
 */
#define CA_DIR_CRL_MAX	(4u * 1024u * 1024u)
ae_err ca_dir_ldb_publish_crl(struct ca_dir_ldb *d, const char *dn, const uint8_t *der,
			      size_t len, bool *_changed);

/* The ldb context (owned by d), for the writers in other files. */
struct ldb_context *ca_dir_ldb_context(struct ca_dir_ldb *d);

/*
 * ca_dir_usercert.c: add a DER certificate (at most 64 KiB) to the
 * userCertificate values of dn (CT_FLAG_PUBLISH_TO_DS); a value already
 * there is success. AE_ERR_INVALID for a bad DN or size, AE_ERR_LDAP when
 * ldb refuses.
 */
ae_err ca_dir_ldb_add_user_cert(struct ca_dir_ldb *d, const char *dn, const uint8_t *der,
				size_t len);

#endif
