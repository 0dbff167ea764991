/*
 * ca_crl.h: the CA's CRL (RFC 5280 5): built from the revoked records of
 * the certificate index (ca_certdb.h), signed SHA-256 with ca.key, valid
 * CA_CRL_VALIDITY seconds, written as DER to ca->crl_path.
 *
 * Writers: the module (when the file is missing, unreadable or due to
 * expire within CA_CRL_MARGIN: at start-up and before each request) and
 * tests/ca/ca-admin (after every revocation, with `openssl ca -gencrl`,
 * and `ca-admin crl`). Both number their CRLs from db/crl-number.
 */
#ifndef CA_CRL_H
#define CA_CRL_H

#include <stdbool.h>
#include <time.h>
#include <talloc.h>
#include "ae_error.h"
#include "ca_certdb.h"
#include "ca_ctx.h"
#include "ca_der.h"

#define CA_CRL_VALIDITY	(24 * 3600)	/* nextUpdate = thisUpdate + 1 day */
#define CA_CRL_MARGIN	(3600)		/* renewed when it expires within an hour */
#define CA_CRL_MAX	(4u * 1024u * 1024u)	/* the file we read back */

/*
 * DER CRL v2: issuer = the CA's subject, thisUpdate now, nextUpdate now +
 * CA_CRL_VALIDITY, one entry per record (serial, revocation time, reasonCode
 * unless 0), extensions AKI (keyid) and CRL number. On mem_ctx.
 */
ae_err ca_crl_build(TALLOC_CTX *mem_ctx, const struct ca_ctx *ca,
		    struct ca_cert_record *const *revoked, size_t n, uint64_t number, time_t now,
		    struct ca_bytes *_der);

/*
 * true when ca->crl_path is missing, not a CRL of this CA (signature), or its
 * nextUpdate is before now + CA_CRL_MARGIN.
 */
bool ca_crl_stale(const struct ca_ctx *ca, time_t now);

/*
 * Build a CRL from the index and write it to ca->crl_path atomically (mode
 * 0644). Call with the database lock held. *_der (optional) gets the bytes
 * written, on mem_ctx.
 */
ae_err ca_crl_write(TALLOC_CTX *mem_ctx, const struct ca_ctx *ca, time_t now,
		    struct ca_bytes *_der);

/* ca_crl_write() when ca_crl_stale(); *_written tells which. Lock held. */
ae_err ca_crl_refresh(const struct ca_ctx *ca, time_t now, bool *_written);

#endif
