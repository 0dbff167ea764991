/*
 * ae_polsrv_cache.c: the cache of MS-XCEP GetPoliciesResponses, one file
 * per policy ID under <run dir>/xcep (the context's private cache
 * directory: <cache dir>/autoenroll/xcep for the machine, the user's own
 * cache in the user context), 0700, files 0600.
 *
 * Nothing a server says becomes a path: a file is named by the SHA-256 of
 * the configured policy ID (hex, ".xcep"). Files are opened relative to
 * the directory's descriptor with O_NOFOLLOW (ae_file_read_at) and written
 * atomically (ae_file_write_atomic_at). A file is a header line
 * "ae-xcep-cache 1 <fetched, seconds since the epoch> <end point URL>\n"
 * then the response body as received; it is parsed again when used, so a
 * damaged file is just not used.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "ae_polsrv_private.h"
#include "ae_file.h"
#include "ae_xml.h"

#define HEADER "ae-xcep-cache 1 "
#define HEADER_MAX 4096	/* bytes of the header line (a URL is at most 2048) */

struct ae_polsrv_cache {
	int dirfd;
	char *dir;
};

static int cache_destructor(struct ae_polsrv_cache *c)
{
	if (c->dirfd >= 0) {
		close(c->dirfd);
	}
	return 0;
}

ae_err ae_polsrv_cache_open(TALLOC_CTX *mem, const char *dir, struct ae_polsrv_cache **_c,
			    char *why, size_t why_len)
{
	struct ae_polsrv_cache *c;
	const char *cause = NULL;

	if (dir == NULL || dir[0] != '/') {
		return AE_ERR_INVALID;
	}
	c = talloc_zero(mem, struct ae_polsrv_cache);
	if (c == NULL || (c->dir = talloc_strdup(c, dir)) == NULL) {
		talloc_free(c);
		return AE_ERR_NOMEM;
	}
	c->dirfd = -1;
	talloc_set_destructor(c, cache_destructor);
	if (ae_private_dir_open(dir, &c->dirfd, &cause) != AE_OK) {
		ae_why(why, why_len, "XCEP cache %s: %s", dir, cause);
		talloc_free(c);
		return AE_ERR_IO;
	}
	*_c = c;
	return AE_OK;
}

/* "<sha256 hex of the policy ID>.xcep" */
static bool file_name(const char *policy_id, char out[72])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_Digest(policy_id, strlen(policy_id), md, &n, EVP_sha256(), NULL) != 1 || n != 32) {
		return false;
	}
	for (unsigned i = 0; i < n; i++) {
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	}
	memcpy(out + 64, ".xcep", 6);
	return true;
}

ae_err ae_polsrv_cache_get(TALLOC_CTX *mem, struct ae_polsrv_cache *c, const char *policy_id,
			   uint8_t **_body, size_t *_len, time_t *_fetched, char **_url)
{
	char name[72], *end = NULL, *url;
	uint8_t *data = NULL, *body;
	size_t len = 0, hlen = strlen(HEADER);
	unsigned long long when;
	const char *nl;
	ae_err err;

	if (!file_name(policy_id, name)) {
		return AE_ERR_CRYPTO;
	}
	err = ae_file_read_at(mem, c->dirfd, name, AE_XML_MAX_LEN + HEADER_MAX, 0, &data, &len,
			      NULL, 0);
	if (err != AE_OK) {
		return err;
	}
	nl = memchr(data, '\n', len < HEADER_MAX ? len : HEADER_MAX);
	if (nl == NULL || len < hlen || memcmp(data, HEADER, hlen) != 0) {
		talloc_free(data);
		return AE_ERR_PARSE;
	}
	errno = 0;
	when = strtoull((const char *)data + hlen, &end, 10);
	if (errno != 0 || end == (char *)data + hlen || *end != ' ' || end + 1 >= nl) {
		talloc_free(data);
		return AE_ERR_PARSE;
	}
	url = talloc_strndup(mem, end + 1, (size_t)(nl - end - 1));
	len -= (size_t)(nl + 1 - (const char *)data);
	body = talloc_memdup(mem, nl + 1, len + 1);
	talloc_free(data);
	if (body == NULL || url == NULL) {
		talloc_free(body);
		talloc_free(url);
		return AE_ERR_NOMEM;
	}
	*_body = body;
	*_len = len;
	*_fetched = (time_t)when;
	*_url = url;
	return AE_OK;
}

ae_err ae_polsrv_cache_put(struct ae_polsrv_cache *c, const char *policy_id, time_t fetched,
			   const char *url, const uint8_t *body, size_t len)
{
	char name[72], head[HEADER_MAX];
	uint8_t *buf;
	int hl;
	ae_err err;

	if (!file_name(policy_id, name)) {
		return AE_ERR_CRYPTO;
	}
	if (strpbrk(url, "\r\n") != NULL) {
		return AE_ERR_INVALID;
	}
	hl = snprintf(head, sizeof(head), HEADER "%" PRIu64 " %s\n", (uint64_t)fetched, url);
	if (hl < 0 || (size_t)hl >= sizeof(head)) {
		return AE_ERR_TOO_LARGE;
	}
	buf = talloc_size(NULL, (size_t)hl + len);
	if (buf == NULL) {
		return AE_ERR_NOMEM;
	}
	memcpy(buf, head, (size_t)hl);
	memcpy(buf + hl, body, len);
	err = ae_file_write_atomic_at(c->dirfd, name, buf, (size_t)hl + len, 0600);
	talloc_free(buf);
	return err;
}

bool ae_polsrv_cache_fresh(time_t fetched, uint32_t next_update_hours, time_t now)
{
	/* nil or 0: fetched again each cycle ([MS-XCEP] 3.1.4.1.3.23 nextUpdateHours) */
	return next_update_hours > 0 && fetched <= now &&
	       (uint64_t)(now - fetched) < (uint64_t)next_update_hours * 3600u;
}
