/*
 * ae_request_private.h: helpers shared by the files of source/request.
 * Not part of the layer's API: nothing outside source/request includes it.
 */
#ifndef AE_REQUEST_PRIVATE_H
#define AE_REQUEST_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include "ae_error.h"

/*
 * Copy the contents of a memory BIO into a NUL-terminated buffer on mem_ctx
 * (*_len excludes the NUL). With 'secret' the buffer is wiped with
 * OPENSSL_cleanse when it is freed. Outputs are set only on success.
 */
ae_err ae_req_bio_to_talloc(TALLOC_CTX *mem_ctx, BIO *bio, bool secret,
			    char **_buf, size_t *_len);

/*
 * Move an i2d_*() result (n bytes from OPENSSL_malloc) to mem_ctx. der is
 * always freed (OPENSSL_free); n <= 0 or der NULL -> AE_ERR_CRYPTO.
 */
ae_err ae_req_der_to_talloc(TALLOC_CTX *mem_ctx, unsigned char *der, int n,
			    uint8_t **_out, size_t *_len);

/* Mark a talloc buffer as secret: OPENSSL_cleanse of all of it on free. */
void ae_req_set_wipe_on_free(void *buf);

/*
 * OID text (dotted numeric only, no names) -> newly allocated ASN1_OBJECT,
 * or NULL when the text is not a numeric OID.
 */
ASN1_OBJECT *ae_req_oid_parse(const char *oid);

/*
 * ASN1_OBJECT -> dotted numeric text on mem_ctx. AE_ERR_PARSE when the
 * object cannot be printed or is longer than AE_REQ_OID_TEXT_MAX.
 */
#define AE_REQ_OID_TEXT_MAX 512
ae_err ae_req_oid_text(TALLOC_CTX *mem_ctx, const ASN1_OBJECT *obj, char **_s);

/*
 * Locate the next PEM block of p[0..len) at or after *_off: whitespace is
 * skipped, then "-----BEGIN <label>-----" must follow, and the block runs
 * to the end of its matching "-----END <label>-----" line. On AE_OK,
 * [*_start, *_end) is the block and *_off moves past it; the label (at most
 * AE_REQ_PEM_LABEL_MAX bytes) is copied NUL-terminated into label.
 * Only whitespace left -> AE_ERR_NOT_FOUND (*_off at len); anything else
 * that is not a complete block -> AE_ERR_PARSE.
 */
#define AE_REQ_PEM_LABEL_MAX 64
ae_err ae_req_pem_next(const uint8_t *p, size_t len, size_t *_off,
		       char label[AE_REQ_PEM_LABEL_MAX + 1],
		       size_t *_start, size_t *_end);

/*
 * ae_names_san.c: the SAN values of in (checked by ae_names_build) as DER
 * GeneralNames into o->san_der on mem; nothing when none is given.
 */
struct ae_names;
struct ae_names_input;
ae_err ae_names_build_san(TALLOC_CTX *mem, const struct ae_names_input *in, struct ae_names *o);

#endif
