/*
 * ae_cycle_nssdb.h: the last step of a user cycle with
 * `autoenroll:user nssdb = yes`: the user's shared NSS database made to
 * hold exactly the store's current pairs (deploy/ae_nssdb.h has the
 * rules). The store stays the source of truth: a failure here is a
 * warning item "(nssdb)" of the report, naming the database and the
 * cause; it never undoes the store and does not change the exit code.
 */
#ifndef AE_CYCLE_NSSDB_H
#define AE_CYCLE_NSSDB_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

struct ae_cycle_ctx;
struct ae_key;

#define AE_NSSDB_ITEM "(nssdb)"		/* the report lines of this step */

/*
 * Called by the cycle after its actions (not in a dry run). Nothing
 * happens in the machine context or without the option. The database is
 * the one under the session user's home (s->user->home); it is written
 * only when the process runs as that user (the user session dropped to
 * the user's uid before any store access): as root or anybody else, a
 * warning item instead.
 */
void ae_cycle_nssdb(struct ae_cycle_ctx *c);

/*
 * The sync for the NSS database under home (ae_nssdb_user_dir): every
 * template of the store's snapshot (c->store) with its installed pair, read
 * through the store's descriptor and parsed by the request layer; a pair
 * that cannot be read this time leaves that template's entries in the
 * database as they are. Without any certificate in the store and without a
 * database directory nothing is created. Report items on c->r: "done" when
 * the database changed, "warned" on failure; none when nothing changed.
 * Returns the failure's code (already reported), AE_OK otherwise.
 */
ae_err ae_cycle_nssdb_sync(struct ae_cycle_ctx *c, const char *home);

/* A key as unencrypted PKCS#8 DER (RFC 5208 §5) on mem, wiped when freed. */
ae_err ae_cycle_nssdb_key_der(TALLOC_CTX *mem, const struct ae_key *key, uint8_t **_der,
			      size_t *_len);

#endif
