/*
 * ca_fault.h: the test CA misbehaving on demand (test-only; the fault suite,
 * tests/integration/t_fault_ca_*.sh).
 *
 * The switch is the file $ICPR_CA_DIR/fault, read on every CertServerRequest
 * (absent: the CA behaves). `ca-admin fault MODE [N] [template=NAME]` writes
 * it, `ca-admin fault off` removes it. One line of words:
 *
 *   MODE [N] [template=NAME]
 *
 * template=NAME limits the fault to answers about template NAME (the
 * module's log name of the request); without it every answer misbehaves.
 * The request is always processed and recorded first (issued, pending or
 * denied, as without the fault): only what goes back on the wire changes.
 * The modes, from the payload down to the NDR:
 *
 *   truncate-cert    issued answers: the DER leaf (pctbEncodedCert) cut to
 *                    half its length
 *   truncate-chain   issued answers: the PKCS#7 chain (pctbCert) cut to half
 *   garbage-cert     issued answers: the leaf replaced by as many random bytes
 *   garbage-chain    issued answers: the chain replaced by random bytes
 *   other-key        issued answers: the leaf carries the public key of a
 *                    fresh P-256 key (signed by the CA as usual)
 *   foreign-chain    issued answers: the leaf is signed by a fresh self-signed
 *                    CA with the same subject name as this CA's, and the
 *                    chain is the leaf and that foreign CA
 *   ndr-truncate     any answer: the NDR stub cut to half its length
 *   ndr-length       any answer: the first non-empty blob's cb and max_count
 *                    claim 4096 bytes more than the stub holds
 *   ndr-garbage      any answer: the NDR stub replaced by random bytes
 *   huge [N]         any answer: the pctbCert blob holds N bytes (default
 *                    ICPR_BLOB_MAX + 1, one byte over the client's cap)
 *   slow N           any answer: sent N seconds late (the call blocks the
 *                    serving samba process for that long; 1..3600)
 *
 * Each fault applied is logged on stderr ("icpr_ca: FAULT ...").
 */
#ifndef CA_FAULT_H
#define CA_FAULT_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ca_ctx.h"
#include "ca_policy.h"

#define CA_FAULT_FILE		"fault"
#define CA_FAULT_FILE_MAX	256u
#define CA_FAULT_HUGE_MAX	(64u * 1024u * 1024u)
#define CA_FAULT_SLOW_MAX	3600u

enum ca_fault_kind {
	CA_FAULT_NONE = 0,
	CA_FAULT_TRUNCATE_CERT,
	CA_FAULT_TRUNCATE_CHAIN,
	CA_FAULT_GARBAGE_CERT,
	CA_FAULT_GARBAGE_CHAIN,
	CA_FAULT_OTHER_KEY,
	CA_FAULT_FOREIGN_CHAIN,
	CA_FAULT_NDR_TRUNCATE,
	CA_FAULT_NDR_LENGTH,
	CA_FAULT_NDR_GARBAGE,
	CA_FAULT_HUGE,
	CA_FAULT_SLOW,
};

struct ca_fault {
	enum ca_fault_kind kind;
	const char *name;	/* the mode as written (static) */
	uint32_t n;		/* huge: bytes; slow: seconds */
	char *template_name;	/* NULL: every answer */
};

/*
 * Parse the switch's text (len bytes, at most CA_FAULT_FILE_MAX). Empty ->
 * CA_FAULT_NONE. An unknown mode or a bad number -> AE_ERR_PARSE. *_f set
 * on success only (template_name on mem_ctx).
 */
ae_err ca_fault_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len, struct ca_fault *_f);

/* <dir>/fault: absent -> CA_FAULT_NONE; else ca_fault_parse(). */
ae_err ca_fault_read(TALLOC_CTX *mem_ctx, const char *dir, struct ca_fault *_f);

/* Does f apply to an answer about template_name (may be NULL)? */
bool ca_fault_applies(const struct ca_fault *f, const char *template_name);

/*
 * The payload faults (truncate-*, garbage-*, other-key, foreign-chain) on
 * an issued answer's leaf and chain, in place (new bytes on a). Other modes
 * and answers without a certificate: untouched, AE_OK.
 */
ae_err ca_fault_answer(const struct ca_fault *f, const struct ca_ctx *ca, struct ca_answer *a);

/*
 * The NDR faults (ndr-*, huge) on the encoded stub *io (*io_len bytes, on
 * mem_ctx): replaced or changed in place. Other modes: untouched.
 */
ae_err ca_fault_stub(TALLOC_CTX *mem_ctx, const struct ca_fault *f, uint8_t **io,
		     size_t *io_len);

#endif
