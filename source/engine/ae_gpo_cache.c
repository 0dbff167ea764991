/*
 * ae_gpo_cache.c: the GPO file cache (see ae_gpo_cache.h). Every file is
 * opened relative to the cache directory's descriptor, O_NOFOLLOW, under a
 * name made only of a parsed GUID, digits, '-' and a fixed suffix.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ae_gpo_cache.h"
#include "ae_gpo_cache_private.h"
#include "ae_guid.h"
#include "ae_file.h"
#include "ae_log.h"

#define LAST_GOOD_HEADER	"ae-gpo-last-good 1\n"

struct ae_gpo_cache {
	int dirfd;
	char *dir;	/* for messages */
};

ae_err ae_gpo_guid_canon(const char *cn, char out[AE_GPO_GUID_MAX])
{
	uint8_t g[AE_GUID_LEN];
	char s[AE_GUID_STR_MAX];
	size_t i;

	if (cn == NULL || out == NULL) {
		return AE_ERR_INVALID;
	}
	/* braces required: the cn of a groupPolicyContainer is "{GUID}" */
	if (cn[0] != '{' || ae_guid_from_string(cn, g) != AE_OK) {
		return AE_ERR_PARSE;
	}
	ae_guid_format(g, s);
	out[0] = '{';
	for (i = 0; s[i] != '\0'; i++) {
		out[i + 1] = (s[i] >= 'a' && s[i] <= 'f') ? (char)(s[i] - 'a' + 'A') : s[i];
	}
	out[i + 1] = '}';
	out[i + 2] = '\0';
	return AE_OK;
}

static int cache_destructor(struct ae_gpo_cache *c)
{
	if (c->dirfd >= 0) {
		close(c->dirfd);
	}
	return 0;
}

ae_err ae_gpo_cache_open(TALLOC_CTX *mem_ctx, const char *dir, struct ae_gpo_cache **_c)
{
	struct ae_gpo_cache *c;
	const char *cause = NULL;

	if (dir == NULL || dir[0] != '/' || _c == NULL) {
		return AE_ERR_INVALID;
	}
	c = talloc_zero(mem_ctx, struct ae_gpo_cache);
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
	/* ours alone (created 0700 when missing): what is read back is policy */
	if (ae_private_dir_open(dir, &c->dirfd, &cause) != AE_OK) {
		AE_ERROR("GPO cache %s: %s", dir, cause);
		talloc_free(c);
		return AE_ERR_IO;
	}
	*_c = c;
	return AE_OK;
}

/* "{GUID}-<gpc>-<gpt>.<suffix>" from a GUID that parses; nothing else gets in. */
static ae_err cache_name(const char *guid, uint16_t gpc, uint16_t gpt, const char *suffix,
			 char name[AE_GPO_CACHE_NAME_MAX])
{
	char canon[AE_GPO_GUID_MAX];
	ae_err err = ae_gpo_guid_canon(guid, canon);

	if (err != AE_OK) {
		return err;
	}
	snprintf(name, AE_GPO_CACHE_NAME_MAX, "%s-%u-%u.%s", canon, (unsigned)gpc,
		 (unsigned)gpt, suffix);
	return AE_OK;
}

ae_err ae_gpo_cache_read_at(TALLOC_CTX *mem_ctx, int dirfd, const char *name, size_t max,
			    uint8_t **_data, size_t *_len)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd;

	if (strchr(name, '/') != NULL) {
		return AE_ERR_INVALID;
	}
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		return errno == ENOENT ? AE_ERR_NOT_FOUND : AE_ERR_IO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return AE_ERR_IO;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return AE_ERR_TOO_LARGE;
	}
	buf = talloc_array(mem_ctx, uint8_t, (size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return AE_ERR_NOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			close(fd);
			talloc_free(buf);
			return AE_ERR_IO;
		}
		got += (size_t)n;
	}
	close(fd);
	buf[got] = 0;
	*_data = buf;
	*_len = got;
	return AE_OK;
}

static bool write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return false;
		}
		p += n;
		len -= (size_t)n;
	}
	return true;
}

ae_err ae_gpo_cache_write_at(int dirfd, const char *name, const uint8_t *data, size_t len)
{
	char tmp[AE_GPO_CACHE_NAME_MAX + 24];
	int fd;

	if (strchr(name, '/') != NULL || strlen(name) >= AE_GPO_CACHE_NAME_MAX) {
		return AE_ERR_INVALID;
	}
	snprintf(tmp, sizeof(tmp), ".%s.%ld.tmp", name, (long)getpid());
	(void)unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		return AE_ERR_IO;
	}
	if (!write_all(fd, data, len) || fsync(fd) != 0) {
		close(fd);
		(void)unlinkat(dirfd, tmp, 0);
		return AE_ERR_IO;
	}
	close(fd);
	if (renameat(dirfd, tmp, dirfd, name) != 0) {
		(void)unlinkat(dirfd, tmp, 0);
		return AE_ERR_IO;
	}
	(void)fsync(dirfd);
	return AE_OK;
}

ae_err ae_gpo_cache_get(TALLOC_CTX *mem_ctx, struct ae_gpo_cache *c, const char *guid,
			uint16_t gpc, uint16_t gpt, uint8_t **_data, size_t *_len)
{
	char name[AE_GPO_CACHE_NAME_MAX];
	uint8_t *none = NULL;
	size_t none_len = 0;
	ae_err err;

	if (c == NULL || _data == NULL || _len == NULL) {
		return AE_ERR_INVALID;
	}
	err = cache_name(guid, gpc, gpt, "pol", name);
	if (err != AE_OK) {
		return err;
	}
	err = ae_gpo_cache_read_at(mem_ctx, c->dirfd, name, AE_GPO_CACHE_FILE_MAX, _data, _len);
	if (err != AE_ERR_NOT_FOUND) {
		return err;
	}
	(void)cache_name(guid, gpc, gpt, "none", name);
	err = ae_gpo_cache_read_at(mem_ctx, c->dirfd, name, 0, &none, &none_len);
	if (err != AE_OK) {
		return err;
	}
	talloc_free(none);
	*_data = NULL;
	*_len = 0;
	return AE_OK;
}

ae_err ae_gpo_cache_put(struct ae_gpo_cache *c, const char *guid, uint16_t gpc,
			uint16_t gpt, const uint8_t *data, size_t len)
{
	char name[AE_GPO_CACHE_NAME_MAX];
	ae_err err;

	if (c == NULL || (data == NULL && len != 0) || len > AE_GPO_CACHE_FILE_MAX) {
		return AE_ERR_INVALID;
	}
	err = cache_name(guid, gpc, gpt, data != NULL ? "pol" : "none", name);
	if (err != AE_OK) {
		return err;
	}
	err = ae_gpo_cache_write_at(c->dirfd, name, data != NULL ? data : (const uint8_t *)"",
				    len);
	if (err != AE_OK) {
		AE_WARN("GPO cache %s/%s: cannot write: %s", c->dir, name, ae_strerror(err));
	}
	return err;
}

ae_err ae_gpo_cache_save_last_good(struct ae_gpo_cache *c,
				   const struct ae_gpo_cache_entry *e, size_t n)
{
	char *text;
	size_t i;
	ae_err err;

	if (c == NULL || (e == NULL && n != 0) || n > AE_GPO_LAST_GOOD_MAX) {
		return AE_ERR_INVALID;
	}
	text = talloc_strdup(c, LAST_GOOD_HEADER);
	for (i = 0; text != NULL && i < n; i++) {
		char canon[AE_GPO_GUID_MAX];

		if (ae_gpo_guid_canon(e[i].guid, canon) != AE_OK) {
			talloc_free(text);
			return AE_ERR_INVALID;
		}
		text = talloc_asprintf_append(text, "%s %u %u\n", canon,
					      (unsigned)e[i].gpc_version,
					      (unsigned)e[i].gpt_version);
	}
	if (text == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_gpo_cache_write_at(c->dirfd, AE_GPO_LAST_GOOD_NAME, (const uint8_t *)text,
				    strlen(text));
	talloc_free(text);
	return err;
}

ae_err ae_gpo_cache_load_last_good(TALLOC_CTX *mem_ctx, struct ae_gpo_cache *c,
				   struct ae_gpo_cache_entry **_e, size_t *_n)
{
	uint8_t *data = NULL;
	size_t len = 0;
	ae_err err;

	if (c == NULL) {
		return AE_ERR_INVALID;
	}
	err = ae_gpo_cache_read_at(NULL, c->dirfd, AE_GPO_LAST_GOOD_NAME, AE_GPO_LAST_GOOD_BYTES,
				   &data, &len);
	if (err != AE_OK) {
		return err;
	}
	err = ae_gpo_last_good_parse(mem_ctx, data, len, _e, _n);
	talloc_free(data);
	return err;
}

/* One "{GUID} <gpc> <gpt>" line of p[0..len) (no newline). */
static ae_err parse_line(const uint8_t *p, size_t len, struct ae_gpo_cache_entry *e)
{
	char line[AE_GPO_GUID_MAX + 16];
	char guid[AE_GPO_GUID_MAX];
	unsigned long v[2];
	char *s, *end;
	int i;

	if (len >= sizeof(line) || memchr(p, '\0', len) != NULL) {
		return AE_ERR_PARSE;
	}
	memcpy(line, p, len);
	line[len] = '\0';
	s = strchr(line, ' ');
	if (s == NULL || (size_t)(s - line) >= sizeof(guid)) {
		return AE_ERR_PARSE;
	}
	memcpy(guid, line, (size_t)(s - line));
	guid[s - line] = '\0';
	for (i = 0; i < 2; i++) {
		if (*s != ' ' || s[1] < '0' || s[1] > '9') {
			return AE_ERR_PARSE;
		}
		errno = 0;
		v[i] = strtoul(s + 1, &end, 10);
		if (errno != 0 || v[i] > 0xffff) {
			return AE_ERR_PARSE;
		}
		s = end;
	}
	if (*s != '\0' || ae_gpo_guid_canon(guid, e->guid) != AE_OK) {
		return AE_ERR_PARSE;
	}
	e->gpc_version = (uint16_t)v[0];
	e->gpt_version = (uint16_t)v[1];
	return AE_OK;
}

ae_err ae_gpo_last_good_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			      struct ae_gpo_cache_entry **_e, size_t *_n)
{
	const size_t hl = strlen(LAST_GOOD_HEADER);
	struct ae_gpo_cache_entry *e = NULL;
	size_t n = 0, off;

	if (_e == NULL || _n == NULL || (p == NULL && len != 0)) {
		return AE_ERR_INVALID;
	}
	if (len > AE_GPO_LAST_GOOD_BYTES) {
		return AE_ERR_TOO_LARGE;
	}
	if (len < hl || memcmp(p, LAST_GOOD_HEADER, hl) != 0) {
		return AE_ERR_PARSE;
	}
	for (off = hl; off < len; n++) {
		const uint8_t *nl = memchr(p + off, '\n', len - off);
		struct ae_gpo_cache_entry *ne;

		if (nl == NULL || n == AE_GPO_LAST_GOOD_MAX) {
			talloc_free(e);
			return nl == NULL ? AE_ERR_TRAILING : AE_ERR_TOO_LARGE;
		}
		ne = talloc_realloc(mem_ctx, e, struct ae_gpo_cache_entry, n + 1);
		if (ne == NULL) {
			talloc_free(e);
			return AE_ERR_NOMEM;
		}
		e = ne;
		if (parse_line(p + off, (size_t)(nl - (p + off)), &e[n]) != AE_OK) {
			talloc_free(e);
			return AE_ERR_PARSE;
		}
		off = (size_t)(nl - p) + 1;
	}
	*_e = e;
	*_n = n;
	return AE_OK;
}
