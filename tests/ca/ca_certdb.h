/*
 * ca_certdb.h: the CA's certificate index, one text file per certificate
 * it issued, next to the request records in $ICPR_CA_DIR/db (shared with
 * tests/ca/ca-admin, which revokes):
 *
 *   db/cert-<SERIAL>   "key=value" lines: version=1, serial (upper-case
 *                      hex, as BN_bn2hex writes it), id (the request),
 *                      state (valid|revoked), template, sid (the subject's
 *                      account), not_after (unix time), revoked (unix
 *                      time, 0 unless revoked), reason (RFC 5280 CRLReason,
 *                      0..10 but not 7), renews (the serial this
 *                      certificate renewed, or empty), renewed_by (the
 *                      serial of its latest renewal, or empty)
 *   db/crl-number      "<n>\n": the last CRL number used (module and
 *                      ca-admin both count on from it)
 *
 * Written atomically under the database lock (ca_db.h), like the request
 * records.
 */
#ifndef CA_CERTDB_H
#define CA_CERTDB_H

#include <stdint.h>
#include <talloc.h>
#include <openssl/asn1.h>
#include "ae_error.h"
#include "ca.h"

#define CA_CERTREC_MAX		4096u	/* one record file */
#define CA_SERIAL_HEX_MAX	64u	/* 32-byte serials at most */
#define CA_CERTDB_SCAN_MAX	100000u	/* records read for one CRL */

enum ca_cert_state {
	CA_CERT_VALID = 0,
	CA_CERT_REVOKED,
};

struct ca_cert_record {
	char *serial;
	uint32_t request_id;
	enum ca_cert_state state;
	char *template_name;
	struct ca_sid sid;
	int64_t not_after;
	int64_t revoked;
	uint32_t reason;
	char *renews;		/* "" when none */
	char *renewed_by;	/* "" when none */
};

/*
 * Serial number -> the canonical text (upper-case hex, an even number of
 * digits, no sign). Negative or longer than CA_SERIAL_HEX_MAX digits ->
 * AE_ERR_PARSE.
 */
ae_err ca_serial_text(TALLOC_CTX *mem_ctx, const ASN1_INTEGER *serial, char **_hex);

/* true when s is a canonical serial text */
bool ca_serial_valid(const char *s);

/* The record file's text. */
ae_err ca_certrec_format(TALLOC_CTX *mem_ctx, const struct ca_cert_record *r, char **_text);

/*
 * Parse a record file of len bytes (<= CA_CERTREC_MAX, ending in '\n').
 * Required: version (1), serial, id, state, sid, not_after. Unknown keys are
 * ignored; duplicates, bad numbers, a reason of 7 or above 10, a serial
 * that is not canonical -> AE_ERR_PARSE. *_r set on success only.
 */
ae_err ca_certrec_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			struct ca_cert_record **_r);

/* Write db/cert-<serial> (call with the lock held). */
ae_err ca_certdb_store(const char *db_dir, const struct ca_cert_record *r);

/*
 * Load db/cert-<serial>: AE_ERR_NOT_FOUND when absent (or serial is not
 * canonical), AE_ERR_PARSE when corrupt or its serial disagrees.
 */
ae_err ca_certdb_load(TALLOC_CTX *mem_ctx, const char *db_dir, const char *serial,
		      struct ca_cert_record **_r);

/*
 * Every revoked certificate's record (for a CRL), in no particular order.
 * Corrupt records are logged and skipped. *_list (on mem_ctx) and *_n set on
 * success; AE_ERR_TOO_LARGE beyond CA_CERTDB_SCAN_MAX files.
 */
ae_err ca_certdb_revoked(TALLOC_CTX *mem_ctx, const char *db_dir,
			 struct ca_cert_record ***_list, size_t *_n);

/*
 * Index a certificate the CA has just built (leaf, DER) for request
 * request_id, template_name and the subject's account sid. renews (NULL or
 * "" when none) is the serial it renews; that record, when the index has
 * it, gets renewed_by = the new serial. Call with the lock held.
 */
ae_err ca_certdb_add_issued(const char *db_dir, const uint8_t *leaf, size_t len,
			    uint32_t request_id, const char *template_name,
			    const struct ca_sid *sid, const char *renews);

/* The next CRL number (db/crl-number + 1, stored; call with the lock held). */
ae_err ca_certdb_next_crl_number(const char *db_dir, uint64_t *_n);

#endif
