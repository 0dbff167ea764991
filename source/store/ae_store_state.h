/*
 * ae_store_state.h: the state record of one managed certificate,
 * <dir>/<template>.state, a key=value text file (0600, written atomically).
 *
 * A record says two things: which certificate is installed (struct
 * ae_store_certinfo, as the engine described it at commit time: the store
 * never parses X.509) and what is in flight for the template (status, the
 * request's CA and id, the archive tag of a half-done archive or install).
 * It is saved after every transition (ae_store.h); this header is the
 * record itself, its parser and its writer.
 *
 * Format, version 1: "key=value\n" lines, every line terminated, no empty
 * lines, no NUL, no duplicate keys except cdp=, no unknown keys (a later
 * version writes version=2 and is refused here), values without control
 * characters and at most AE_STORE_VALUE_MAX bytes:
 *   version=1               first line, required
 *   template=<name>         required, ae_store_name_ok()
 *   status=<name>           required, ae_cert_state_name()
 *   created=, changed=      seconds since the epoch
 *   renewal=1               the in-flight request replaces an installed pair
 *   request_ca=, request_id=, submitted=   the in-flight request (PENDING)
 *   archive=<tag>           [A-Za-z0-9-], INSTALLING / ARCHIVED / REMOVED
 *   reason=<text>
 *   failures=<n>, next_attempt=   consecutive failed requests for the template
 *                           and the earliest time of the next one (optional:
 *                           absent in records written before them, reads as 0)
 *   ca=, cert_request_id=, template_oid=, template_v1=, template_major=,
 *   template_minor=, serial=<hex>, thumbprint=<hex>, issuer=, not_before=,
 *   not_after=, renew_at=, cdp=<url> (repeated, at most AE_STORE_CDP_MAX), installed=,
 *   ca_omits_template_ext=1 the installed certificate (struct ae_store_certinfo)
 *   enrollee_names=1, manual_renewal=1   its names were supplied in the request (by
 *                           the administrator, or copied by a renewal) and, with
 *                           manual_renewal, it is not renewed automatically
 *                           (both optional: absent in older records, read as 0)
 */
#ifndef AE_STORE_STATE_H
#define AE_STORE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_store_snapshot.h"

#define AE_STORE_STATE_VERSION 1
#define AE_STORE_VALUE_MAX 2048	/* one value of a record */
#define AE_STORE_CDP_MAX 16	/* cdp= lines of a record */
#define AE_STORE_HEX_MAX 128	/* serial and thumbprint hex digits */
#define AE_STORE_TAG_MAX (AE_STORE_HEX_MAX + 16)	/* an archive tag: serial[-n] or time[-n] */

struct ae_store;

/*
 * What the engine knows about an issued certificate, from the certificate
 * itself. Strings may be NULL (and "" is stored as absent); serial_hex and
 * thumbprint_hex are hex digits only; template_oid is digits and dots.
 */
struct ae_store_certinfo {
	char *ca;		/* enrollment service cn that issued it */
	uint32_t request_id;	/* the CA's request id, 0 if unknown */
	char *template_oid;	/* template extension (v2+), else NULL */
	char *template_v1_name;	/* v1 template name extension, else NULL */
	uint32_t major, minor;
	bool has_major;
	/*
	 * The certificate carries no template extension (the CA left it out):
	 * the record binds it to its template (the one requested, whose name
	 * the record bears), and major/minor are that template's revision at
	 * the time of the request.
	 */
	bool ca_omits_template_ext;
	char *serial_hex;
	char *thumbprint_hex;	/* SHA-1 of the DER */
	char *issuer;		/* one line */
	time_t not_before, not_after;
	time_t renew_at;	/* when the cycle will renew it (template overlap applied), 0 unknown */
	char **cdp_urls;
	size_t num_cdp_urls;
	time_t installed;	/* set by ae_store_commit */
	/*
	 * The subject and SANs were supplied in the request
	 * (CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT: `request --subject ...`, or a
	 * renewal that copied them), and the template lacked
	 * CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME at commit: only a new
	 * manual request replaces it (status says so once it is due).
	 */
	bool enrollee_names;
	bool manual_renewal;
};

struct ae_store_state {
	char *template_name;
	enum ae_cert_state status;
	time_t created;		/* first record of this template */
	time_t changed;		/* last transition */
	bool renewal;		/* ENROLLING/RENEWING/PENDING over an installed pair */
	char *request_ca;	/* the in-flight request (PENDING) */
	uint32_t request_id;
	bool has_request_id;
	time_t submitted;
	char *archive_tag;	/* archive/<template>.<tag>.*; see ae_store.h */
	char *reason;		/* of the last abort/archive/remove/recovery */
	uint32_t failures;	/* consecutive failed requests (0 after a success) */
	time_t next_attempt;	/* no new request before (back-off), 0: none */
	/*
	 * The installed certificate: set (cert.serial_hex or another field
	 * non-NULL) while a pair is installed; for ARCHIVED and REMOVED the
	 * one that went to archive/; all zero when none.
	 */
	struct ae_store_certinfo cert;
};

/* "none", "issued", "enrolling", ...; "?" for a value outside the enum. */
const char *ae_cert_state_name(enum ae_cert_state st);

/* true for ENROLLING, RENEWING, PENDING, INSTALLING (a request or install in flight) */
bool ae_cert_state_in_flight(enum ae_cert_state st);

/*
 * Parse a record (untrusted on-disk bytes): the one shape. *_out is set
 * only on success, on mem_ctx. AE_ERR_TOO_LARGE above AE_STORE_RECORD_MAX;
 * AE_ERR_PARSE for anything the format above does not allow, including a
 * last line without '\n' and a PENDING record without request_ca/request_id.
 */
ae_err ae_store_state_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			    struct ae_store_state **_out);

/*
 * Write a record as text (NUL-terminated, on mem_ctx). AE_ERR_INVALID when
 * st cannot be written so that ae_store_state_parse() reads it back equal
 * (bad name, control character, value too long, non-hex serial, ...).
 */
ae_err ae_store_state_format(TALLOC_CTX *mem_ctx, const struct ae_store_state *st, char **_text);

/*
 * Save st as <dir>/<st->template_name>.state (0600, atomic). The
 * transitions of ae_store.h call this; a caller outside the store should
 * not need to.
 */
ae_err ae_store_state_save(const struct ae_store *s, const struct ae_store_state *st);

/*
 * Load <dir>/<template_name>.state onto mem_ctx. AE_ERR_NOT_FOUND when there
 * is none; AE_ERR_PARSE when it is malformed or names another template;
 * AE_ERR_INVALID (warned, with its kind) when it is not a regular file
 * (a FIFO, a symbolic link, a directory: never opened, never followed).
 */
ae_err ae_store_state_load(TALLOC_CTX *mem_ctx, const struct ae_store *s,
			   const char *template_name, struct ae_store_state **_st);

/*
 * Record the back-off of template t: failures and next_attempt (0, 0 after
 * a success). Needs the store lock; AE_ERR_NOT_FOUND when t has no record
 * (nothing to record: no request was begun). Other fields are kept.
 */
ae_err ae_store_set_backoff(const struct ae_store *s, const char *t, uint32_t failures,
			    time_t next_attempt);

/* A deep copy of st on mem_ctx (NULL on allocation failure). */
struct ae_store_state *ae_store_state_copy(TALLOC_CTX *mem_ctx, const struct ae_store_state *st);

#endif
