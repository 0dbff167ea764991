/*
 * ae_store.h: the certificate store on disk (one context: machine now,
 * users/<SID> later). Layout (../shared/DESIGN.md):
 *   <dir>/<template>.key        private key, 0600, created atomically
 *   <dir>/<template>.crt        the certificate (PEM)
 *   <dir>/<template>.chain.pem  the chain up to the CA (PEM, leaf first)
 *   <dir>/pending/<CA>.<id>.key    the key of a request the CA holds
 *   <dir>/pending/<CA>.<id>.state  key=value record of that request
 * Every write is temp file + fsync + rename (ae_file_write_atomic). The key
 * is written last-but-one and the certificate last, so an interrupted
 * install leaves the old pair or a key without a certificate (replaced on
 * the next install), never a certificate without its key.
 */
#ifndef AE_STORE_H
#define AE_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <talloc.h>
#include "ae_error.h"

#define AE_STORE_RECORD_MAX 16384	/* a pending/state record */
#define AE_STORE_PEM_MAX (1024 * 1024)

struct ae_store {
	char *dir;
};

/* Open (and create, 0700) the store directory. */
ae_err ae_store_open(TALLOC_CTX *mem_ctx, const char *dir, struct ae_store **_s);

/* Paths of the three files of a template (on mem_ctx). */
char *ae_store_path(TALLOC_CTX *mem_ctx, const struct ae_store *s, const char *template_name,
		    const char *suffix);

/* A template or CA name usable as a file name: no '/', no leading '.', no control chars. */
int ae_store_name_ok(const char *name);

/*
 * Install an issued pair: key PEM (0600), chain PEM (0644), certificate PEM
 * (0644), each atomically, in that order.
 */
ae_err ae_store_install(const struct ae_store *s, const char *template_name,
			const char *key_pem, size_t key_len,
			const char *cert_pem, size_t cert_len,
			const char *chain_pem, size_t chain_len);

/* A request the CA has taken under submission. */
struct ae_pending {
	char *ca;		/* enrollment service cn */
	char *ca_host;		/* its dNSHostName */
	uint32_t request_id;
	char *template_name;
	time_t submitted;
};

/* Record a pending request with its key (0600). */
ae_err ae_store_pending_save(const struct ae_store *s, const struct ae_pending *p,
			     const char *key_pem, size_t key_len);

/*
 * Load the pending record and key PEM for (ca, id). AE_ERR_NOT_FOUND when
 * there is none; a malformed record is AE_ERR_PARSE (nothing returned).
 */
ae_err ae_store_pending_load(TALLOC_CTX *mem_ctx, const struct ae_store *s, const char *ca,
			     uint32_t request_id, struct ae_pending **_p,
			     char **_key_pem, size_t *_key_len);

/* Remove the pending record and key once the request is resolved. */
ae_err ae_store_pending_remove(const struct ae_store *s, const char *ca, uint32_t request_id);

/* Parser of a key=value record (untrusted on-disk bytes): the one shape. */
ae_err ae_pending_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			struct ae_pending **_out);

#endif
