/*
 * ae_crl_cache.c: CRLs kept until their nextUpdate, each distribution point
 * fetched at most once per cycle (see ae_crl_cache.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "ae_crl_cache.h"
#include "ae_file.h"
#include "ae_log.h"

struct ae_crl_cache {
	int dirfd;
	char *dir;	/* for messages */
};

static int cache_destructor(struct ae_crl_cache *c)
{
	if (c->dirfd >= 0) {
		close(c->dirfd);
	}
	return 0;
}

ae_err ae_crl_cache_open(TALLOC_CTX *mem_ctx, const char *dir, struct ae_crl_cache **_c)
{
	struct ae_crl_cache *c = NULL;
	const char *cause = NULL;
	ae_err err;

	if (dir == NULL || dir[0] != '/' || _c == NULL) {
		return AE_ERR_INVALID;
	}
	c = talloc_zero(mem_ctx, struct ae_crl_cache);
	if (c == NULL) {
		return AE_ERR_NOMEM;
	}
	c->dirfd = -1;
	talloc_set_destructor(c, cache_destructor);
	c->dir = talloc_strdup(c, dir);
	if (c->dir == NULL) {
		talloc_free(c);
		return AE_ERR_NOMEM;
	}
	err = ae_private_dir_open(dir, &c->dirfd, &cause);
	if (err != AE_OK) {
		AE_WARN("CRL cache %s: %s", dir, cause);
		talloc_free(c);
		return err;
	}
	*_c = c;
	return AE_OK;
}

bool ae_crl_cache_name(const char *url, char name[AE_CRL_CACHE_NAME_MAX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (url == NULL || EVP_Digest(url, strlen(url), md, &n, EVP_sha256(), NULL) != 1 ||
	    n != 32) {
		return false;
	}
	for (i = 0; i < n; i++) {
		snprintf(name + 2 * i, 3, "%02x", md[i]);
	}
	memcpy(name + 64, ".crl", 5);
	return true;
}

void ae_crl_cache_drop(struct ae_crl_cache *c, const char *url)
{
	char name[AE_CRL_CACHE_NAME_MAX];

	if (c != NULL && ae_crl_cache_name(url, name)) {
		(void)unlinkat(c->dirfd, name, 0);
	}
}

ae_err ae_crl_cache_get(TALLOC_CTX *mem_ctx, struct ae_crl_cache *c, const char *url,
			time_t now, struct ae_crl **_crl, time_t *_fetched)
{
	char name[AE_CRL_CACHE_NAME_MAX];
	struct ae_crl *crl = NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	struct stat st;
	ae_err err;

	if (c == NULL || _crl == NULL || _fetched == NULL) {
		return AE_ERR_INVALID;
	}
	if (!ae_crl_cache_name(url, name)) {
		return AE_ERR_CRYPTO;
	}
	err = ae_file_read_at(NULL, c->dirfd, name, AE_CRL_DER_MAX, 0, &der, &len, NULL, 0);
	if (err != AE_OK) {
		return err;
	}
	if (fstatat(c->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		talloc_free(der);
		return AE_ERR_IO;
	}
	err = ae_crl_parse(mem_ctx, der, len, &crl);
	talloc_free(der);
	if (err != AE_OK) {
		AE_INFO("CRL cache %s/%s (%s): not a CRL (%s): removed", c->dir, name, url,
			ae_strerror(err));
		(void)unlinkat(c->dirfd, name, 0);
		return err == AE_ERR_NOMEM ? err : AE_ERR_PARSE;
	}
	if (!ae_crl_current(crl, now)) {
		AE_DEBUG("CRL cache %s/%s (%s): not current: removed", c->dir, name, url);
		talloc_free(crl);
		(void)unlinkat(c->dirfd, name, 0);
		return AE_ERR_NOT_FOUND;
	}
	*_crl = crl;
	*_fetched = st.st_mtime;
	return AE_OK;
}

ae_err ae_crl_cache_put(struct ae_crl_cache *c, const char *url, const uint8_t *der,
			size_t len, time_t fetched)
{
	char name[AE_CRL_CACHE_NAME_MAX];
	struct timespec ts[2] = { { .tv_sec = fetched }, { .tv_sec = fetched } };
	ae_err err;

	if (c == NULL || der == NULL || len == 0 || len > AE_CRL_DER_MAX) {
		return AE_ERR_INVALID;
	}
	if (!ae_crl_cache_name(url, name)) {
		return AE_ERR_CRYPTO;
	}
	err = ae_file_write_atomic_at(c->dirfd, name, der, len, 0600);
	if (err == AE_OK && utimensat(c->dirfd, name, ts, AT_SYMLINK_NOFOLLOW) != 0) {
		err = AE_ERR_IO;
	}
	if (err != AE_OK) {
		AE_WARN("CRL cache %s/%s (%s): cannot write: %s", c->dir, name, url,
			ae_strerror(err));
		(void)unlinkat(c->dirfd, name, 0);
	}
	return err;
}

/* ---- one cycle's CRLs ---------------------------------------------------------- */

struct crl_entry {
	char *url;
	struct ae_crl *crl;	/* NULL: none yet / none to be had */
	time_t fetched;
	bool from_cache;	/* crl came from the disk cache */
	bool cache_read;	/* the cache was consulted */
	bool net_done;		/* the network was asked (once per cycle) */
	ae_err net_err;
};

struct ae_crl_source {
	struct ae_crl_cache *cache;
	ae_crl_fetch_fn fetch;
	void *priv;
	struct crl_entry *e;
	size_t n;
	unsigned fetches, hits;
};

struct ae_crl_source *ae_crl_source_new(TALLOC_CTX *mem_ctx, struct ae_crl_cache *cache,
					ae_crl_fetch_fn fetch, void *priv)
{
	struct ae_crl_source *src = talloc_zero(mem_ctx, struct ae_crl_source);

	if (src != NULL) {
		src->cache = cache;
		src->fetch = fetch;
		src->priv = priv;
	}
	return src;
}

unsigned ae_crl_source_fetches(const struct ae_crl_source *src)
{
	return src != NULL ? src->fetches : 0;
}

unsigned ae_crl_source_hits(const struct ae_crl_source *src)
{
	return src != NULL ? src->hits : 0;
}

static struct crl_entry *entry_for(struct ae_crl_source *src, const char *url)
{
	struct crl_entry *e = NULL;
	size_t i;

	for (i = 0; i < src->n; i++) {
		if (strcmp(src->e[i].url, url) == 0) {
			return &src->e[i];
		}
	}
	e = talloc_realloc(src, src->e, struct crl_entry, src->n + 1);
	if (e == NULL) {
		return NULL;
	}
	src->e = e;
	e = &src->e[src->n];
	memset(e, 0, sizeof(*e));
	e->url = talloc_strdup(src->e, url);
	if (e->url == NULL) {
		return NULL;
	}
	src->n++;
	return e;
}

/* The network, once per cycle; a copy that verifies and is current goes to the cache. */
static void fetch_once(struct ae_crl_source *src, struct crl_entry *e,
		       const struct ae_cert *cert, const struct ae_cert_list *issuers, time_t now)
{
	struct ae_crl *crl = NULL;
	enum ae_revocation rev;
	uint8_t *der = NULL;
	size_t len = 0;

	e->net_done = true;
	src->fetches++;
	e->net_err = src->fetch(src->priv, src, e->url, &der, &len);
	if (e->net_err == AE_OK) {
		e->net_err = ae_crl_parse(src->e, der, len, &crl);
	}
	if (e->net_err != AE_OK) {
		talloc_free(der);
		return;
	}
	if (src->cache != NULL && ae_crl_check(crl, cert, issuers, now, &rev, NULL, 0) == AE_OK &&
	    ae_crl_current(crl, now)) {
		(void)ae_crl_cache_put(src->cache, e->url, der, len, now);
	}
	talloc_free(der);
	talloc_free(e->crl);
	e->crl = crl;
	e->fetched = now;
	e->from_cache = false;
}

/* The cached copy, read once per cycle. */
static void read_cache_once(struct ae_crl_source *src, struct crl_entry *e, time_t now)
{
	e->cache_read = true;
	if (src->cache != NULL &&
	    ae_crl_cache_get(src->e, src->cache, e->url, now, &e->crl, &e->fetched) == AE_OK) {
		e->from_cache = true;
	}
}

ae_err ae_crl_source_check(struct ae_crl_source *src, const char *url,
			   const struct ae_cert *cert, const struct ae_cert_list *issuers,
			   time_t installed, time_t now, enum ae_revocation *_rev, char *why,
			   size_t why_len)
{
	struct crl_entry *e = NULL;
	ae_err err;

	if (src == NULL || url == NULL || cert == NULL || _rev == NULL) {
		return AE_ERR_INVALID;
	}
	*_rev = AE_REVOCATION_UNKNOWN;
	e = entry_for(src, url);
	if (e == NULL) {
		return AE_ERR_NOMEM;
	}
	if (!e->cache_read && !e->net_done) {
		read_cache_once(src, e, now);
	}
	if (installed == 0 && ae_cert_not_before(cert, &installed) != AE_OK) {
		installed = now;	/* unknown: no cached copy is known to be newer */
	}
	if (e->crl != NULL && e->from_cache) {
		err = ae_crl_check(e->crl, cert, issuers, now, _rev, why, why_len);
		if (err == AE_OK && e->fetched > installed) {
			src->hits++;
			return AE_OK;
		}
		if (err != AE_OK) {
			/* the cache is not trusted more than the network: drop it, ask again */
			AE_INFO("CRL cache: the copy of %s does not verify: removed", url);
			ae_crl_cache_drop(src->cache, url);
			TALLOC_FREE(e->crl);
			e->from_cache = false;
		}
	}
	if (!e->net_done) {
		fetch_once(src, e, cert, issuers, now);
	}
	if (e->crl == NULL) {
		return e->net_err != AE_OK ? e->net_err : AE_ERR_NOT_FOUND;
	}
	if (e->from_cache) {
		src->hits++;	/* the network failed: the verified, current copy still holds */
	}
	return ae_crl_check(e->crl, cert, issuers, now, _rev, why, why_len);
}
