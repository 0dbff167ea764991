/*
 * ae_nssdb_private.h: the NSS context of one database, shared by
 * ae_nssdb_open.c (context, slot, password) and ae_nssdb.c (sync, list).
 */
#ifndef AE_NSSDB_PRIVATE_H
#define AE_NSSDB_PRIVATE_H

#include <stdbool.h>
#include <nss.h>
#include <pk11pub.h>
#include "ae_error.h"

struct nssdb {
	const char *dir;
	NSSInitContext *init;	/* our own NSS context (no database of its own) */
	PK11SlotInfo *slot;	/* the user's database, opened as its own slot */
	bool rw;
	bool created;		/* there was no database: NSS made an empty one */
};

/*
 * Open the database in dir: read-only (rw false; AE_ERR_NOT_FOUND when
 * there is none) or read-write (created when there is none, its empty
 * password initialised). A password other than the empty one ->
 * AE_ERR_CREDENTIALS. On failure everything is closed again.
 */
ae_err ae_nssdb_open(const char *dir, bool rw, struct nssdb *db, char *why, size_t why_len);
void ae_nssdb_close(struct nssdb *db);

/* NSS's last error in words: "SEC_ERROR_BAD_DER (security library: improperly formatted DER-encoded message.)" */
const char *ae_nssdb_error(char *buf, size_t n);

#endif
