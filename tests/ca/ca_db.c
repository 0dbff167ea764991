/*
 * ca_db.c: request records on disk (format in ca_db.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "ae_file.h"
#include "ae_log.h"
#include "ca_certdb.h"
#include "ca_db.h"


static const char *state_names[] = { "pending", "issued", "denied", "failed" };

const char *ca_req_state_name(enum ca_req_state s)
{
	return (unsigned)s < 4 ? state_names[s] : "?";
}

static char *b64(TALLOC_CTX *mem_ctx, const struct ca_bytes *b)
{
	char *out = NULL;

	if (b->len > CA_DB_RECORD_MAX) {
		return NULL;
	}
	out = talloc_array(mem_ctx, char, 4 * ((b->len + 2) / 3) + 1);
	if (out == NULL) {
		return NULL;
	}
	EVP_EncodeBlock((unsigned char *)out, b->p, (int)b->len);
	return out;
}

/* A principal name as stored: capped, control characters replaced. */
static char *requester_value(TALLOC_CTX *mem_ctx, const char *name)
{
	char *v = talloc_strndup(mem_ctx, name ? name : "", CA_DB_REQUESTER_MAX);
	char *c;

	for (c = v; c != NULL && *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			*c = '?';
		}
	}
	return v;
}

static bool requester_valid(const char *v)
{
	const char *c;

	if (strlen(v) > CA_DB_REQUESTER_MAX) {
		return false;
	}
	for (c = v; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			return false;
		}
	}
	return true;
}

ae_err ca_record_format(TALLOC_CTX *mem_ctx, const struct ca_record *r, char **_text)
{
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	char *sid = NULL, *who = NULL, *msg = NULL, *req = NULL, *cert = NULL, *text = NULL, *c;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	sid = ca_sid_string(tmp, &r->sid);
	who = requester_value(tmp, r->requester);
	msg = talloc_strndup(tmp, r->message ? r->message : "", CA_DB_MESSAGE_MAX);
	req = b64(tmp, &r->request);
	cert = b64(tmp, &r->cert);
	if (sid == NULL || who == NULL || msg == NULL || req == NULL || cert == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	for (c = msg; *c != '\0'; c++) {
		if (*c == '\n' || *c == '\r') {
			*c = ' ';
		}
	}
	text = talloc_asprintf(mem_ctx,
			       "version=1\nid=%" PRIu32 "\nstate=%s\ntemplate=%s\nsid=%s\n"
			       "submitted=%" PRId64 "\ndisposition=0x%08" PRIx32 "\n"
			       "message=%s\nrequest=%s\ncert=%s\nrenews=%s\nrequester=%s\n",
			       r->id, ca_req_state_name(r->state),
			       r->template_name ? r->template_name : "", sid, r->submitted,
			       r->disposition, msg, req, cert, r->renews ? r->renews : "", who);
	talloc_free(tmp);
	if (text == NULL) {
		return AE_ERR_NOMEM;
	}
	*_text = text;
	return AE_OK;
}

static ae_err unb64(TALLOC_CTX *mem_ctx, const char *s, struct ca_bytes *_out)
{
	size_t len = strlen(s), i, pad = 0;
	uint8_t *buf = NULL;
	int n;

	if (len == 0) {
		_out->p = NULL;
		_out->len = 0;
		return AE_OK;
	}
	if (len % 4 != 0 || len > CA_DB_RECORD_MAX) {
		return AE_ERR_PARSE;
	}
	for (i = 0; i < len; i++) {
		char c = s[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '+' || c == '/';
		if (c == '=' && i >= len - 2) {
			pad++;
			continue;
		}
		if (!ok || pad > 0) {
			return AE_ERR_PARSE;
		}
	}
	buf = talloc_array(mem_ctx, uint8_t, len / 4 * 3);
	if (buf == NULL) {
		return AE_ERR_NOMEM;
	}
	n = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)len);
	if (n < 0 || (size_t)n != len / 4 * 3) {
		talloc_free(buf);
		return AE_ERR_PARSE;
	}
	_out->p = buf;
	_out->len = (size_t)n - pad;
	return AE_OK;
}

ae_err ca_parse_u64(const char *s, uint64_t max, int base, uint64_t *_v)
{
	char *end = NULL;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9') {
		return AE_ERR_PARSE;
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno != 0 || end == s || *end != '\0' || v > max) {
		return AE_ERR_PARSE;
	}
	*_v = v;
	return AE_OK;
}

/* One key=value pair; 'seen' is a bit per known key (duplicates refused). */
static ae_err take_pair(struct ca_record *r, const char *key, const char *val, unsigned *seen)
{
	static const char *keys[] = { "version", "id", "state", "template", "sid",
				      "submitted", "disposition", "message", "request",
				      "cert", "renews", "requester" };
	uint64_t v = 0;
	unsigned i;
	ae_err err = AE_OK;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(key, keys[i]) == 0) {
			break;
		}
	}
	if (i == sizeof(keys) / sizeof(keys[0])) {
		return AE_OK;	/* unknown keys: ignored (forward compatible) */
	}
	if (*seen & (1u << i)) {
		return AE_ERR_PARSE;
	}
	*seen |= 1u << i;
	switch (i) {
	case 0:
		return strcmp(val, "1") == 0 ? AE_OK : AE_ERR_PARSE;
	case 1:
		err = ca_parse_u64(val, CA_DB_ID_MAX, 10, &v);
		r->id = (uint32_t)v;
		return (err == AE_OK && v == 0) ? AE_ERR_PARSE : err;
	case 2:
		for (i = 0; i < 4; i++) {
			if (strcmp(val, state_names[i]) == 0) {
				r->state = (enum ca_req_state)i;
				return AE_OK;
			}
		}
		return AE_ERR_PARSE;
	case 3:
		r->template_name = talloc_strdup(r, val);
		return r->template_name == NULL ? AE_ERR_NOMEM : AE_OK;
	case 4:
		return ca_sid_from_string(val, &r->sid);
	case 5:
		err = ca_parse_u64(val, INT64_MAX, 10, &v);
		r->submitted = (int64_t)v;
		return err;
	case 6:
		if (strncmp(val, "0x", 2) != 0) {
			return AE_ERR_PARSE;
		}
		err = ca_parse_u64(val + 2, 0xffffffffull, 16, &v);
		r->disposition = (uint32_t)v;
		return err;
	case 7:
		if (strlen(val) > CA_DB_MESSAGE_MAX) {
			return AE_ERR_PARSE;
		}
		r->message = talloc_strdup(r, val);
		return r->message == NULL ? AE_ERR_NOMEM : AE_OK;
	case 8:
		return unb64(r, val, &r->request);
	case 9:
		return unb64(r, val, &r->cert);
	case 11:
		if (!requester_valid(val)) {
			return AE_ERR_PARSE;
		}
		r->requester = talloc_strdup(r, val);
		return r->requester == NULL ? AE_ERR_NOMEM : AE_OK;
	default:
		if (val[0] != '\0' && !ca_serial_valid(val)) {
			return AE_ERR_PARSE;
		}
		r->renews = talloc_strdup(r, val);
		return r->renews == NULL ? AE_ERR_NOMEM : AE_OK;
	}
}

ae_err ca_record_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		       struct ca_record **_r)
{
	struct ca_record *r = NULL;
	char *text = NULL, *line, *next, *eq;
	unsigned seen = 0;
	const unsigned required = 0x17 | (1u << 5);	/* version id state sid submitted */
	ae_err err = AE_OK;

	if (p == NULL || len == 0) {
		return AE_ERR_PARSE;
	}
	if (len > CA_DB_RECORD_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	if (memchr(p, '\0', len) != NULL) {
		return AE_ERR_PARSE;
	}
	r = talloc_zero(mem_ctx, struct ca_record);
	if (r == NULL) {
		return AE_ERR_NOMEM;
	}
	text = talloc_strndup(r, (const char *)p, len);
	if (text == NULL) {
		talloc_free(r);
		return AE_ERR_NOMEM;
	}
	if (len > 0 && p[len - 1] != '\n') {
		talloc_free(r);
		return AE_ERR_PARSE;	/* truncated file */
	}
	for (line = text; err == AE_OK && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';		/* text ends with '\n' */
		eq = strchr(line, '=');
		if (eq == NULL) {
			err = AE_ERR_PARSE;
			break;
		}
		*eq = '\0';
		err = take_pair(r, line, eq + 1, &seen);
	}
	if (err == AE_OK && (seen & required) != required) {
		err = AE_ERR_PARSE;
	}
	if (err != AE_OK) {
		talloc_free(r);
		return err == AE_ERR_NOMEM ? err : AE_ERR_PARSE;
	}
	if (r->template_name == NULL) {
		r->template_name = talloc_strdup(r, "");
	}
	if (r->message == NULL) {
		r->message = talloc_strdup(r, "");
	}
	if (r->renews == NULL) {
		r->renews = talloc_strdup(r, "");
	}
	if (r->requester == NULL) {
		r->requester = talloc_strdup(r, "");
	}
	talloc_free(text);
	if (r->template_name == NULL || r->message == NULL || r->renews == NULL ||
	    r->requester == NULL) {
		talloc_free(r);
		return AE_ERR_NOMEM;
	}
	*_r = r;
	return AE_OK;
}

ae_err ca_db_lock(const char *db_dir, int *_fd)
{
	char path[4096];
	int fd;

	if (snprintf(path, sizeof(path), "%s/lock", db_dir) >= (int)sizeof(path)) {
		return AE_ERR_INVALID;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		AE_ERROR("icpr_ca: cannot open %s: %s", path, strerror(errno));
		return AE_ERR_IO;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			close(fd);
			return AE_ERR_IO;
		}
	}
	*_fd = fd;
	return AE_OK;
}

void ca_db_unlock(int fd)
{
	if (fd >= 0) {
		(void)flock(fd, LOCK_UN);
		close(fd);
	}
}

/* Highest N of the req-N files (0 when none). */
static uint32_t max_record_id(const char *db_dir)
{
	DIR *d = opendir(db_dir);
	struct dirent *e;
	uint32_t max = 0;
	uint64_t v;

	if (d == NULL) {
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "req-", 4) == 0 &&
		    ca_parse_u64(e->d_name + 4, CA_DB_ID_MAX, 10, &v) == AE_OK && v > max) {
			max = (uint32_t)v;
		}
	}
	closedir(d);
	return max;
}

#define COUNTER_MAX_BYTES 32

ae_err ca_counter_read(const char *path, uint64_t max, uint64_t dflt, const char *what,
		       uint64_t *_v)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	uint8_t *data = NULL;
	size_t len = 0;
	uint64_t v = dflt;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_file_read(tmp, path, COUNTER_MAX_BYTES, &data, &len);
	if (err == AE_OK) {
		if (len > 0 && data[len - 1] == '\n') {
			data[len - 1] = '\0';
		}
		if (ca_parse_u64((const char *)data, max, 10, &v) != AE_OK) {
			AE_WARN("icpr_ca: %s is corrupt; %s", path, what);
			v = dflt;
		}
	} else if (err == AE_ERR_NOT_FOUND) {
		err = AE_OK;
	}
	talloc_free(tmp);
	if (err == AE_OK) {
		*_v = v;
	}
	return err;
}

ae_err ca_counter_write(const char *path, uint64_t v)
{
	char buf[COUNTER_MAX_BYTES];

	snprintf(buf, sizeof(buf), "%" PRIu64 "\n", v);
	return ae_file_write_atomic(path, buf, strlen(buf), 0600);
}

ae_err ca_db_next_id(const char *db_dir, uint32_t *_id)
{
	char *path = talloc_asprintf(NULL, "%s/next-id", db_dir);
	uint64_t next = 1;
	uint32_t seen;
	ae_err err;

	if (path == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ca_counter_read(path, CA_DB_ID_MAX, 1, "recomputing from the records", &next);
	if (err != AE_OK) {
		talloc_free(path);
		return err;
	}
	seen = max_record_id(db_dir);	/* ids never go back, whatever next-id says */
	if (seen >= next) {
		next = (uint64_t)seen + 1;
	}
	if (next == 0 || next >= CA_DB_ID_MAX) {
		talloc_free(path);
		return AE_ERR_TOO_LARGE;
	}
	err = ca_counter_write(path, next + 1);
	talloc_free(path);
	if (err != AE_OK) {
		return err;
	}
	*_id = (uint32_t)next;
	return AE_OK;
}

ae_err ca_db_store(const char *db_dir, const struct ca_record *r)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *path = talloc_asprintf(tmp, "%s/req-%" PRIu32, db_dir, r->id);
	char *text = NULL;
	ae_err err;

	if (tmp == NULL || path == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	err = ca_record_format(tmp, r, &text);
	if (err == AE_OK) {
		err = ae_file_write_atomic(path, text, strlen(text), 0600);
	}
	talloc_free(tmp);
	return err;
}

ae_err ca_db_load(TALLOC_CTX *mem_ctx, const char *db_dir, uint32_t id, struct ca_record **_r)
{
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	char *path = talloc_asprintf(tmp, "%s/req-%" PRIu32, db_dir, id);
	uint8_t *data = NULL;
	size_t len = 0;
	struct ca_record *r = NULL;
	ae_err err;

	if (tmp == NULL || path == NULL) {
		talloc_free(tmp);
		return AE_ERR_NOMEM;
	}
	err = ae_file_read(tmp, path, CA_DB_RECORD_MAX, &data, &len);
	if (err == AE_ERR_TOO_LARGE) {
		err = AE_ERR_PARSE;
	}
	if (err == AE_OK) {
		err = ca_record_parse(mem_ctx, data, len, &r);
	}
	if (err == AE_OK && r->id != id) {
		talloc_free(r);
		err = AE_ERR_PARSE;
	}
	talloc_free(tmp);
	if (err != AE_OK) {
		return err;
	}
	*_r = r;
	return AE_OK;
}
