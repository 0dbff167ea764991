/*
 * ae_nssdb_plan.h: the plan of a sync (ae_nssdb_plan.c), built on one
 * opened database and carried out by ae_nssdb.c. Its NSS objects are
 * released when the plan is freed (before the database is closed).
 */
#ifndef AE_NSSDB_PLAN_H
#define AE_NSSDB_PLAN_H

#include <stdbool.h>
#include <cert.h>
#include <keyhi.h>
#include <pk11pub.h>
#include <talloc.h>
#include "ae_nssdb.h"
#include "ae_nssdb_private.h"

struct ae_nssdb_want {
	const struct ae_nssdb_entry *e;
	char *nick;			/* "<template> (autoenroll)" */
	CERTCertificate *cert;		/* the wanted certificate; NULL: none or unknown */
	SECItem *keyid;			/* its key id (CKA_ID) */
	bool cert_there;		/* in the database under our nickname */
	bool key_there;			/* its private key in the database */
};

struct ae_nssdb_plan {
	struct ae_nssdb_want *w;
	size_t nw;
	CERTCertList *certs;		/* every certificate in the slot */
	SECKEYPrivateKeyList *keys;	/* every private key in the slot */
	SECItem **protected_ids;	/* key ids of foreign certificates (and unknown templates') */
	size_t nprotected;
	SECItem **stale_ids;		/* key ids of our stale certificates */
	size_t nstale_ids;
	CERTCertificate **stale;	/* our stale certificates (in certs) */
	unsigned stale_certs, stale_keys;
};

ae_err ae_nssdb_plan_build(TALLOC_CTX *mem, PK11SlotInfo *slot, const struct ae_nssdb_entry *e,
			   size_t n, struct ae_nssdb_plan **_p, char *why, size_t why_len);
/* Nothing to do: every wanted pair there, nothing of ours stale. */
bool ae_nssdb_plan_empty(const struct ae_nssdb_plan *p);
/* A private key that is ours and needed by nothing (see ae_nssdb.h). */
bool ae_nssdb_key_stale(const struct ae_nssdb_plan *p, PK11SlotInfo *slot,
			SECKEYPrivateKey *key);

/* The nickname without "<token>:"; and whether it is one of ours. */
const char *ae_nssdb_bare_nickname(PK11SlotInfo *slot, const char *nick);
bool ae_nssdb_is_ours(const char *nick);

#endif
