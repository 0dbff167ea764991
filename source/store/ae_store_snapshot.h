/*
 * ae_store_snapshot.h: what the store holds, as plain data for the engine's
 * decide() (a pure function: it reads these structs and never the disk).
 *
 * One record per managed certificate (<template>.state next to .key/.crt;
 * the layout is in ae_store.h), explicit state, saved after every
 * transition (certmonger style).
 */
#ifndef AE_STORE_SNAPSHOT_H
#define AE_STORE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum ae_cert_state {
	AE_CERT_NONE = 0,	/* nothing installed for this template */
	AE_CERT_ISSUED,		/* a valid pair is installed */
	AE_CERT_ENROLLING,	/* new key made, request being sent (transient) */
	AE_CERT_PENDING,	/* the CA holds a request (id recorded) */
	AE_CERT_RENEWING,	/* renewal in flight, old pair still installed (transient) */
	AE_CERT_INSTALLING,	/* new pair verified, being moved into place (transient) */
	AE_CERT_ARCHIVED,	/* replaced; kept in archive/ */
	AE_CERT_REMOVED,	/* invalid and removed (CT_FLAG_REMOVE_INVALID...) */
};

/*
 * A certificate the store manages (the current one of a template). The
 * certificate fields (template_oid .. cdp_urls) are those the engine gave
 * ae_store_commit(); for ARCHIVED/REMOVED they describe the certificate that
 * went to archive/; all NULL/0 when none was ever committed.
 */
struct ae_store_cert {
	char *template_name;	/* the store's name for it (file stem) */
	/* from the certificate's template extension (1.3.6.1.4.1.311.21.7) or v1 name */
	char *template_oid;	/* NULL for v1 */
	char *template_v1_name;	/* NULL for v2+ */
	uint32_t major, minor;
	bool has_major;
	char *ca;		/* enrollment service cn that issued it */
	char *serial_hex;
	char *thumbprint_hex;	/* SHA-1 */
	char *issuer;		/* one-line */
	time_t not_before, not_after;
	time_t renew_at;	/* recorded at commit (template overlap applied); 0 unknown */
	char **cdp_urls;	/* CRL distribution points (for the revocation check) */
	size_t num_cdp_urls;
	bool key_present;	/* <template>.key exists (it matches: the store's invariant) */
	enum ae_cert_state state;
	uint32_t pending_request_id;	/* state PENDING */
	time_t state_changed;
	char *cert_path, *key_path;	/* NULL when the file is absent */
	/* added with the state record (ae_store_state.h) */
	char *chain_path;		/* NULL when absent */
	char *pending_ca;		/* state PENDING: the CA holding the request */
	time_t submitted;		/* state PENDING */
	bool renewal;			/* the request in flight replaces an installed pair */
	uint32_t issued_request_id;	/* the CA's request id of the installed one, 0 unknown */
	time_t installed;		/* when the installed one was committed, 0 unknown */
	time_t created;			/* first record of the template */
	char *reason;			/* of the last abort/archive/remove/recovery, or NULL */
	char *archive_tag;		/* ARCHIVED/REMOVED: archive/<template>.<tag>.* */
	bool has_record;		/* false: a .crt without a state record (legacy install) */
	/*
	 * Added with the template binding and the back-off: the certificate
	 * has no template extension (template_oid and template_v1_name NULL;
	 * the record's template_name binds it; major/minor from the request),
	 * consecutive failed requests for the template and the earliest time
	 * of the next one (0: none).
	 */
	bool ca_omits_template_ext;
	uint32_t failures;
	time_t next_attempt;
	/* the record's enrollee_names= and manual_renewal= (ae_store_state.h) */
	bool enrollee_names;
	bool manual_renewal;
	/*
	 * Set by the engine's file check (ae_store_check.h), never by the store:
	 * the installed files are broken (the certificate does not parse, the key
	 * is missing or not its key, the record describes another certificate).
	 * decide() treats such an entry like a missing certificate.
	 */
	bool invalid;
};

/*
 * A replaced or removed pair in archive/: from its record
 * archive/<template>.<tag>.state (written last by the archive, ae_store_txn.c).
 */
struct ae_store_archived {
	char *template_name;
	char *tag;		/* archive/<template>.<tag>.* */
	enum ae_cert_state state;	/* ARCHIVED or REMOVED */
	char *serial_hex;	/* NULL when the record has none */
	char *reason;		/* NULL when none was recorded */
	time_t archived;	/* the record's last change: when it was archived */
	time_t not_after;
};

/*
 * An entry of the store directory that is not a managed certificate: a
 * .crt that is not a regular file (a symbolic link is never followed) or
 * has neither a state record nor a key, a state record that does not
 * parse, or one recovery set aside as <template>.state.corrupt.
 */
struct ae_store_unmanaged {
	char *name;		/* the entry's name in the store directory */
	char *why;		/* the cause, in words */
};

struct ae_store_pending_req {
	char *ca;
	char *ca_host;
	char *template_name;
	uint32_t request_id;
	time_t submitted;
};

struct ae_store_snapshot {
	struct ae_store_cert *certs;
	size_t num_certs;
	struct ae_store_pending_req *pending;
	size_t num_pending;
	struct ae_store_archived *archived;	/* sorted by template, then time */
	size_t num_archived;
	struct ae_store_unmanaged *unmanaged;	/* in directory order */
	size_t num_unmanaged;
};

#endif
