/*
 * ae_dclocate.h: find a domain controller for LDAP and Kerberos services.
 *
 * Order: the smb.conf option 'autoenroll:dc' (a host name), then DNS SRV
 * _ldap._tcp.dc._msdcs.<realm> (lowest priority, highest weight first,
 * RFC 2782), then 'password server' when it names a host, then the realm's
 * DNS domain itself. GSSAPI needs the host NAME, never an address. (The
 * CLDAP DC locator with site awareness arrives with the GPO work.)
 *
 * DNS is unauthenticated: an answer of any size and content is handled.
 * The first query uses a 4 KiB buffer; the resolver reports the answer's
 * full length even when it did not fit (glibc truncates a TCP answer to the
 * buffer and returns the length on the wire), so a larger answer is asked
 * for again with a buffer of exactly that length, up to AE_DNS_ANSWER_MAX
 * (a DNS message over TCP has a 16-bit length, RFC 1035 §4.2.2). Only the
 * bytes actually received are ever parsed.
 */
#ifndef AE_DCLOCATE_H
#define AE_DCLOCATE_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

struct ae_smbconf;

#define AE_DNS_BUF_FIRST 4096	/* the first query's answer buffer */
#define AE_DNS_ANSWER_MAX 65535	/* RFC 1035 §4.2.2: 16-bit TCP length */
#define AE_SRV_MAX_RECORDS 1024	/* answer records we look at */
#define AE_DNS_HOST_MAX 253	/* a host name's text form (RFC 1035 §2.3.4) */

ae_err ae_dc_locate(TALLOC_CTX *mem_ctx, const struct ae_smbconf *sc, char **_dc,
		    const char **_how);

/*
 * The SRV answer parser (untrusted DNS bytes): 'p' holds the 'len' bytes of
 * one DNS message as received. Picks the best target of the SRV records in
 * the answer section (RFC 2782: lowest priority, then highest weight;
 * target "." = service not offered; a target that is not a host name is
 * skipped). AE_ERR_PARSE for a malformed message, trailing bytes or the TC
 * bit (an incomplete answer), AE_ERR_TOO_LARGE above AE_DNS_ANSWER_MAX bytes
 * or AE_SRV_MAX_RECORDS answers, AE_ERR_NOT_FOUND when nothing usable (or an
 * error RCODE). *_target is set (on mem_ctx) only on AE_OK.
 */
ae_err ae_srv_pick(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len, char **_target);

/*
 * The call site's contract, one query's result: 'buf' holds 'buf_size'
 * bytes; 'reported' is what res_nquery() returned (-1: no answer; else the
 * answer's full length, which may exceed buf_size). Parses only what was
 * received. AE_ERR_TOO_LARGE when the answer did not fit: *_needed (may be
 * NULL) is then the buffer size to query again with, or 0 when the reported
 * length is above AE_DNS_ANSWER_MAX. AE_ERR_NOT_FOUND for no answer.
 * Otherwise as ae_srv_pick().
 */
ae_err ae_srv_from_query(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t buf_size,
			 int reported, size_t *_needed, char **_target);

/*
 * One SRV lookup of 'name' through 'query' (res_nquery's contract: fills at
 * most 'size' bytes of 'buf', returns the answer's full length or -1): a
 * 4 KiB buffer first, then once more with a heap buffer of the reported
 * length when that did not fit. 'why' says what went wrong (the name, the
 * size, the cause). Results as ae_srv_from_query().
 */
typedef int (*ae_dns_query_fn)(void *priv, const char *name, uint8_t *buf, size_t size);
ae_err ae_srv_lookup(TALLOC_CTX *mem_ctx, const char *name, ae_dns_query_fn query, void *priv,
		     char **_target, char *why, size_t why_len);

#endif
