/*
 * ca_db.h: the CA's request database, one text file per request under
 * $ICPR_CA_DIR/db (shared with tests/ca/ca-admin):
 *
 *   db/next-id      "<n>\n": the next request id (ids only grow)
 *   db/lock         flock(2) target serialising writers (module, ca-admin)
 *   db/req-<id>     "key=value" lines: version=1, id, state
 *                   (pending|issued|denied|failed), template, sid,
 *                   submitted (unix time), disposition (0x%08x; failed and
 *                   denied), message, request (base64 DER PKCS#10),
 *                   cert (base64 DER, once built), renews (for a
 *                   renewal: the serial of the certificate it renews),
 *                   requester (the principal that authenticated the
 *                   submission, "DOMAIN\account" as the RPC session names
 *                   it: AD CS's Request.RequesterName; optional, records
 *                   older than it have none)
 *
 * Every file is replaced atomically (temp + fsync + rename); a record that
 * does not parse is reported as AE_ERR_PARSE, never trusted.
 */
#ifndef CA_DB_H
#define CA_DB_H

#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ca.h"
#include "ca_der.h"

#define CA_DB_RECORD_MAX	(512u * 1024u)	/* one record file */
#define CA_DB_MESSAGE_MAX	1024u		/* message value, bytes */
#define CA_DB_ID_MAX		0x7fffffffu

enum ca_req_state {
	CA_REQ_PENDING = 0,
	CA_REQ_ISSUED,		/* approved (ca-admin issue) or issued at once */
	CA_REQ_DENIED,		/* ca-admin deny */
	CA_REQ_FAILED,		/* refused at submission (disposition = HRESULT) */
};

struct ca_record {
	uint32_t id;
	enum ca_req_state state;
	char *template_name;	/* may be "" for failed requests */
	struct ca_sid sid;	/* the submitter */
	int64_t submitted;
	uint32_t disposition;	/* HRESULT for failed/denied, else 0 */
	char *message;		/* single line, may be "" */
	struct ca_bytes request;	/* DER PKCS#10 (may be empty when failed) */
	struct ca_bytes cert;	/* DER certificate, len 0 until built */
	char *renews;		/* renewal: serial of the renewed certificate; NULL or "" */
	char *requester;	/* "DOMAIN\account" of the submitter; NULL or "" */
};

#define CA_DB_REQUESTER_MAX	256u	/* requester value, bytes */

const char *ca_req_state_name(enum ca_req_state s);

/*
 * Digits only (no sign, no blanks, no "0x") in base 10 or 16, at most max
 * -> *_v; else AE_ERR_PARSE.
 */
ae_err ca_parse_u64(const char *s, uint64_t max, int base, uint64_t *_v);

/*
 * A counter file (one decimal number and a newline): *_v = its value, or
 * dflt when the file is missing; a corrupt file (not a number up to max) is
 * logged naming what (e.g. "CRL numbers start again") and gives dflt too.
 * Other read errors are returned.
 */
ae_err ca_counter_read(const char *path, uint64_t max, uint64_t dflt, const char *what,
		       uint64_t *_v);
/* Write v as the counter file, atomically, 0600. */
ae_err ca_counter_write(const char *path, uint64_t v);

/* Text form of a record (newlines in message are replaced by blanks). */
ae_err ca_record_format(TALLOC_CTX *mem_ctx, const struct ca_record *r, char **_text);

/*
 * Parse a record file of len bytes (<= CA_DB_RECORD_MAX). Required keys:
 * version (1), id, state, sid, submitted; unknown keys are ignored;
 * duplicate keys, bad numbers, bad base64, lines without '=' ->
 * AE_ERR_PARSE. *_r set on success only.
 */
ae_err ca_record_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		       struct ca_record **_r);

/* Take (1) / release (0) the database lock; returns AE_ERR_IO on failure. */
ae_err ca_db_lock(const char *db_dir, int *_fd);
void ca_db_unlock(int fd);

/* Allocate the next request id (call with the lock held). */
ae_err ca_db_next_id(const char *db_dir, uint32_t *_id);

/* Write a record atomically (call with the lock held). */
ae_err ca_db_store(const char *db_dir, const struct ca_record *r);

/* Load record id: AE_ERR_NOT_FOUND when absent, AE_ERR_PARSE when corrupt. */
ae_err ca_db_load(TALLOC_CTX *mem_ctx, const char *db_dir, uint32_t id, struct ca_record **_r);

#endif
