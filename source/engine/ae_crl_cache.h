/*
 * ae_crl_cache.h: the CRLs of the revocation phase (ae_cycle_revoke.c),
 * kept between runs until their nextUpdate (RFC 5280 §5.1.2.5), and
 * fetched at most once per cycle per distribution point.
 *
 * The disk cache is <context's cache directory>/crl: root's
 * <cache dir>/autoenroll/crl for the machine, the user's own
 * <cache dir>/autoenroll-users/<SID>/crl in the user context (0700, ours,
 * no access for group and others). One file per distribution point,
 * named "<SHA-256 of the URL in hex>.crl": nothing from the network
 * becomes a path. The file holds the DER CRL exactly as it was fetched
 * (after it verified against the certificate's issuer); its mtime is the
 * time of the fetch. Files are opened relative to the directory's
 * descriptor with O_NOFOLLOW and written 0600 through a temporary file
 * renamed over the target (ae_file_write_atomic_at).
 *
 * The cache is not trusted more than the network: a cached CRL is parsed
 * and verified against the certificate's issuer on every use, exactly as
 * a fetched one (ae_crl_check), and is used only while it is current
 * (thisUpdate <= now < nextUpdate); a CRL without nextUpdate is never
 * cached. A cached file that does not parse, has expired or does not
 * verify is removed and the distribution point is fetched again.
 *
 * A cached copy fetched at or before the certificate was installed in the
 * store is not used for that certificate (it may predate a revocation of
 * the new certificate): such a certificate costs one fetch, after which
 * the newer copy serves it until its nextUpdate.
 */
#ifndef AE_CRL_CACHE_H
#define AE_CRL_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_crl.h"
#include "ae_x509.h"

#define AE_CRL_CACHE_NAME_MAX 72	/* 64 hex digits, ".crl", NUL */

struct ae_crl_cache;

/*
 * Open (creating it 0700 when missing) the cache directory dir (a path
 * from the session, never from the network). It must be a directory of
 * ours (euid) without access for group and others, and not a symbolic
 * link. AE_ERR_INVALID, AE_ERR_IO (why says which), AE_ERR_NOMEM.
 */
ae_err ae_crl_cache_open(TALLOC_CTX *mem_ctx, const char *dir, struct ae_crl_cache **_c);

/*
 * The cached CRL of url if it is current at now: AE_OK with *_crl (on
 * mem_ctx) and *_fetched (when it was fetched); AE_ERR_NOT_FOUND when
 * there is none or it expired (the file is removed); AE_ERR_PARSE when the
 * file is not one DER CRL (removed); AE_ERR_IO / AE_ERR_INVALID (not a
 * regular file), AE_ERR_TOO_LARGE. Outputs set only on success. The
 * caller verifies the CRL (ae_crl_check) before believing it.
 */
ae_err ae_crl_cache_get(TALLOC_CTX *mem_ctx, struct ae_crl_cache *c, const char *url,
			time_t now, struct ae_crl **_crl, time_t *_fetched);

/* Store the DER CRL of url, fetched at 'fetched'. AE_ERR_INVALID, AE_ERR_IO, AE_ERR_CRYPTO. */
ae_err ae_crl_cache_put(struct ae_crl_cache *c, const char *url, const uint8_t *der,
			size_t len, time_t fetched);

/* Remove url's file (a copy that did not verify). */
void ae_crl_cache_drop(struct ae_crl_cache *c, const char *url);

/* "<sha256 hex of url>.crl" into name; false if hashing fails. */
bool ae_crl_cache_name(const char *url, char name[AE_CRL_CACHE_NAME_MAX]);

/*
 * Fetch url's DER CRL onto mem (ldap:// over the session's connection,
 * file/http through ae_fetch): the network behind a source.
 */
typedef ae_err (*ae_crl_fetch_fn)(void *priv, TALLOC_CTX *mem, const char *url,
				  uint8_t **_der, size_t *_len);

/*
 * One cycle's CRLs: every distribution point is read at most once from the
 * cache and fetched at most once from the network, whatever the number of
 * certificates that name it. cache may be NULL (no disk cache).
 */
struct ae_crl_source;

struct ae_crl_source *ae_crl_source_new(TALLOC_CTX *mem_ctx, struct ae_crl_cache *cache,
					ae_crl_fetch_fn fetch, void *priv);

/*
 * The verdict of url's CRL on cert (ae_crl_check's, same arguments),
 * from the cache or the network as described above. installed: when cert
 * was put in the store (0: unknown, then its notBefore counts). Errors:
 * AE_ERR_NOT_FOUND (or the fetch's error) when no CRL could be had
 * (logged by the caller as "not available"), ae_crl_check's errors when
 * the CRL does not verify. *_rev is set on every return (UNKNOWN on
 * errors), why gets ae_crl_check's reason.
 */
ae_err ae_crl_source_check(struct ae_crl_source *src, const char *url,
			   const struct ae_cert *cert, const struct ae_cert_list *issuers,
			   time_t installed, time_t now, enum ae_revocation *_rev, char *why,
			   size_t why_len);

/* How many network fetches and cache hits the source made so far. */
unsigned ae_crl_source_fetches(const struct ae_crl_source *src);
unsigned ae_crl_source_hits(const struct ae_crl_source *src);

#endif
