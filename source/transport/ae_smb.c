/*
 * One file over SMB into memory with libsmbclient (see ae_smb.h for the
 * security settings and why the configuration is private).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libsmbclient.h>
#include "ae_log.h"
#include "ae_smb.h"

#define AE_SMB_USER_MAX	256

struct ae_smb {
	SMBCCTX *c;
	char *user;
	char *workgroup;
	unsigned reads;
};


static int smb_destructor(struct ae_smb *s)
{
	if (s->c != NULL) {
		smbc_free_context(s->c, 1);
		s->c = NULL;
	}
	return 0;
}

/* Kerberos from the ccache: a user name, no password. */
static void auth_fn(SMBCCTX *c, const char *srv, const char *shr, char *wg, int wglen,
		    char *un, int unlen, char *pw, int pwlen)
{
	struct ae_smb *s = smbc_getOptionUserData(c);

	(void)srv;
	(void)shr;
	if (s == NULL) {
		return;
	}
	if (wglen > 0 && s->workgroup != NULL) {
		snprintf(wg, (size_t)wglen, "%s", s->workgroup);
	}
	if (unlen > 0) {
		snprintf(un, (size_t)unlen, "%s", s->user);
	}
	if (pwlen > 0) {
		pw[0] = '\0';
	}
}

/*
 * The private configuration, in a memory file so nothing is written to
 * disk: libsmbclient only loads configuration by path.
 */
static char g_default_cache_dir[1024];

ae_err ae_smb_set_default_cache_dir(const char *dir)
{
	if (dir == NULL) {
		g_default_cache_dir[0] = '\0';
		return AE_OK;
	}
	if (dir[0] != '/' || strlen(dir) >= sizeof(g_default_cache_dir) ||
	    strpbrk(dir, "\n\r") != NULL) {
		return AE_ERR_INVALID;
	}
	snprintf(g_default_cache_dir, sizeof(g_default_cache_dir), "%s", dir);
	return AE_OK;
}

static int config_fd(const struct ae_smb_options *opts_in)
{
	struct ae_smb_options o = *opts_in;
	const struct ae_smb_options *opts = &o;
	char text[2048];
	int fd;
	int n;

	if (o.cache_dir == NULL && g_default_cache_dir[0] != '\0') {
		o.cache_dir = g_default_cache_dir;
	}

	n = snprintf(text, sizeof(text),
		     "[global]\n"
		     "\tclient signing = required\n"
		     "\tclient ipc signing = required\n"
		     "\tclient min protocol = SMB2_02\n"
		     "\tclient use kerberos = required\n"
		     "\tname resolve order = host\n"
		     "%s%s%s%s%s%s%s%s%s",
		     opts->cache_dir ? "\tcache directory = " : "",
		     opts->cache_dir ? opts->cache_dir : "", opts->cache_dir ? "\n" : "",
		     opts->cache_dir ? "\tlock directory = " : "",
		     opts->cache_dir ? opts->cache_dir : "", opts->cache_dir ? "\n" : "",
		     opts->cache_dir ? "\tstate directory = " : "",
		     opts->cache_dir ? opts->cache_dir : "", opts->cache_dir ? "\n" : "");
	if (n < 0 || (size_t)n >= sizeof(text)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = memfd_create("ae_smb.conf", MFD_CLOEXEC);
	if (fd < 0) {
		return -1;
	}
	if (write(fd, text, (size_t)n) != n) {
		close(fd);
		errno = EIO;
		return -1;
	}
	return fd;
}

static bool option_ok(const char *s, size_t max)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || strlen(s) > max) {
		return false;
	}
	for (i = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == '\n') {
			return false;
		}
	}
	return true;
}

static ae_err configure(struct ae_smb *s, const struct ae_smb_options *opts,
			char *why, size_t why_len)
{
	char path[64];
	int fd;
	int rc;

	fd = config_fd(opts);
	if (fd < 0) {
		ae_why(why, why_len, "SMB: cannot write the private configuration: %s",
			strerror(errno));
		return AE_ERR_TRANSPORT;
	}
	/* Debug settings first: they outlive the configuration load. */
	smbc_setDebug(s->c, ae_log_get_level() >= 4 ? ae_log_get_level() - 3 : 0);
	smbc_setOptionDebugToStderr(s->c, 1);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rc = smbc_setConfiguration(s->c, path);
	close(fd);
	if (rc != 0) {
		ae_why(why, why_len, "SMB: libsmbclient did not load its configuration");
		return AE_ERR_TRANSPORT;
	}
	smbc_setOptionUseKerberos(s->c, 1);
	smbc_setOptionFallbackAfterKerberos(s->c, 0);
	smbc_setOptionNoAutoAnonymousLogin(s->c, 1);
	smbc_setOptionUseCCache(s->c, 0);	/* winbind's ccache: not ours */
	/* != NONE makes libsmbclient connect with signing required. */
	smbc_setOptionSmbEncryptionLevel(s->c, SMBC_ENCRYPTLEVEL_REQUEST);
	smbc_setOptionCaseSensitive(s->c, 0);
	smbc_setOptionOneSharePerServer(s->c, 0);
	smbc_setTimeout(s->c, (int)AE_SMB_TIMEOUT_MS);	/* connect and each request */
	smbc_setUser(s->c, s->user);
	if (s->workgroup != NULL) {
		smbc_setWorkgroup(s->c, s->workgroup);
	}
	smbc_setOptionUserData(s->c, s);
	smbc_setFunctionAuthDataWithContext(s->c, auth_fn);
	if (!smbc_setOptionProtocols(s->c, "SMB2_02", "SMB3")) {
		ae_why(why, why_len, "SMB: libsmbclient refused the protocol range SMB2_02..SMB3");
		return AE_ERR_TRANSPORT;
	}
	return AE_OK;
}

ae_err ae_smb_open(TALLOC_CTX *mem_ctx, const struct ae_smb_options *opts,
		   struct ae_smb **_ctx, char *why, size_t why_len)
{
	struct ae_smb *s = NULL;
	ae_err err;

	if (opts == NULL || _ctx == NULL || !option_ok(opts->user, AE_SMB_USER_MAX) ||
	    (opts->workgroup != NULL && !option_ok(opts->workgroup, AE_SMB_USER_MAX)) ||
	    (opts->cache_dir != NULL && !option_ok(opts->cache_dir, 1024))) {
		ae_why(why, why_len, "SMB: invalid options (user name required)");
		return AE_ERR_INVALID;
	}
	s = talloc_zero(NULL, struct ae_smb);
	if (s == NULL) {
		return AE_ERR_NOMEM;
	}
	talloc_set_destructor(s, smb_destructor);
	s->user = talloc_strdup(s, opts->user);
	s->workgroup = opts->workgroup != NULL ? talloc_strdup(s, opts->workgroup) : NULL;
	if (s->user == NULL || (opts->workgroup != NULL && s->workgroup == NULL)) {
		talloc_free(s);
		return AE_ERR_NOMEM;
	}
	s->c = smbc_new_context();
	if (s->c == NULL) {
		ae_why(why, why_len, "SMB: smbc_new_context: %s", strerror(errno));
		talloc_free(s);
		return AE_ERR_TRANSPORT;
	}
	err = configure(s, opts, why, why_len);
	if (err == AE_OK && smbc_init_context(s->c) == NULL) {
		ae_why(why, why_len, "SMB: smbc_init_context: %s", strerror(errno));
		err = AE_ERR_TRANSPORT;
	}
	if (err != AE_OK) {
		talloc_free(s);
		return err;
	}
	*_ctx = talloc_steal(mem_ctx, s);
	return AE_OK;
}

unsigned ae_smb_read_count(const struct ae_smb *ctx)
{
	return ctx->reads;
}

/* Path components: no empty (but one trailing separator), ".", "..", control byte. */
static bool components_ok(const char *p)
{
	const char *c = p;

	while (*c != '\0') {
		size_t n = strcspn(c, "/\\");
		size_t i;

		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
			return false;
		}
		for (i = 0; i < n; i++) {
			if ((unsigned char)c[i] < 0x20 || c[i] == 0x7f) {
				return false;
			}
		}
		c += n;
		if (*c != '\0') {
			c++;
			if (*c == '\0') {
				break;	/* one trailing separator */
			}
		}
	}
	return true;
}

static bool host_ok(const char *h)
{
	size_t i;

	if (h == NULL || h[0] == '\0' || strlen(h) > AE_SMB_HOST_MAX) {
		return false;
	}
	for (i = 0; h[i] != '\0'; i++) {
		char c = h[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '_')) {
			return false;
		}
	}
	return true;
}

static bool share_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && strlen(s) <= AE_SMB_SHARE_MAX &&
	       strpbrk(s, "/\\") == NULL && components_ok(s);
}

/* Append p to the URL, percent-encoding what libsmbclient would decode or split on. */
static char *url_append(char *url, const char *p, bool keep_slash)
{
	for (; url != NULL && *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\\' || c == '/') {
			url = keep_slash ? talloc_strdup_append_buffer(url, "/") : NULL;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || strchr("-._~{}$", c) != NULL) {
			char one[2] = { (char)c, '\0' };

			url = talloc_strdup_append_buffer(url, one);
		} else {
			url = talloc_asprintf_append_buffer(url, "%%%02X", c);
		}
	}
	return url;
}

/* smb://server/share/path on mem_ctx, or NULL (bad names, or no memory). */
static char *make_url(TALLOC_CTX *mem_ctx, const char *server, const char *share,
		      const char *path)
{
	char *url = NULL;

	if (!host_ok(server) || !share_ok(share) || path == NULL ||
	    strlen(path) > AE_SMB_UNC_MAX || !components_ok(path)) {
		return NULL;
	}
	url = talloc_asprintf(mem_ctx, "smb://%s/", server);
	url = url_append(url, share, false);
	if (url != NULL && path[0] != '\0') {
		url = talloc_strdup_append_buffer(url, "/");
		url = url_append(url, path, true);
	}
	return url;
}

static ae_err map_errno(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return AE_ERR_NOT_FOUND;
	case EACCES:
	case EPERM:
		return AE_ERR_CREDENTIALS;
	case ENOMEM:
		return AE_ERR_NOMEM;
	default:
		return AE_ERR_TRANSPORT;
	}
}

static ae_err fail(int e, const char *what, const char *server, const char *share,
		   const char *path, char *why, size_t why_len)
{
	/*
	 * libsmbclient reports a failed SPNEGO session setup (no ticket in the
	 * ccache, no cifs/<server> principal, an address instead of a name) as
	 * EINVAL on open/stat; the path itself was checked before.
	 */
	bool login = e == EINVAL && strcmp(what, "read") != 0;

	if (e == ETIMEDOUT) {
		ae_why(why, why_len, "SMB %s //%s/%s/%s: %s", what, server, share, path,
		       ae_net_no_answer());
		return AE_ERR_TRANSPORT;
	}
	ae_why(why, why_len, "SMB %s //%s/%s/%s: %s (errno %d)%s", what, server, share, path,
		strerror(e), e,
		login ? ": Kerberos session setup failed (a ticket in KRB5CCNAME? a DC host "
			"name with a cifs/ principal?)" : "");
	return login ? AE_ERR_CREDENTIALS : map_errno(e);
}

ae_err ae_smb_fetch(TALLOC_CTX *mem_ctx, struct ae_smb *ctx, const char *server,
		    const char *share, const char *path, size_t max,
		    uint8_t **_data, size_t *_len, char *why, size_t why_len)
{
	TALLOC_CTX *tmp = NULL;
	SMBCFILE *f = NULL;
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0;
	char *url = NULL;
	ae_err err = AE_OK;
	int e = 0;

	if (ctx == NULL || _data == NULL || _len == NULL || max > AE_SMB_FILE_MAX) {
		return AE_ERR_INVALID;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	url = make_url(tmp, server, share, path);
	if (url == NULL) {
		ae_why(why, why_len, "SMB: '//%s/%s/%s' is not a valid path",
			server ? server : "", share ? share : "", path ? path : "");
		talloc_free(tmp);
		return AE_ERR_INVALID;
	}
	if (ae_net_deadline_passed()) {
		ae_why(why, why_len, "SMB open //%s/%s/%s: %s", server, share, path,
		       ae_net_cycle_over());
		talloc_free(tmp);
		return AE_ERR_TRANSPORT;
	}
	smbc_setTimeout(ctx->c, (int)AE_SMB_TIMEOUT_MS);	/* a new connect: the time left */
	ctx->reads++;
	errno = 0;
	f = smbc_getFunctionOpen(ctx->c)(ctx->c, url, O_RDONLY, 0);
	if (f == NULL) {
		e = errno != 0 ? errno : EIO;
		talloc_free(tmp);
		return fail(e, "open", server, share, path, why, why_len);
	}
	if (smbc_getFunctionFstat(ctx->c)(ctx->c, f, &st) != 0) {
		e = errno != 0 ? errno : EIO;
		err = fail(e, "stat", server, share, path, why, why_len);
	} else if (st.st_size < 0 || (uint64_t)st.st_size > max) {
		ae_why(why, why_len, "SMB //%s/%s/%s: %lld bytes, at most %zu accepted (errno %d)",
			server, share, path, (long long)st.st_size, max, EFBIG);
		err = AE_ERR_TOO_LARGE;
	}
	/* Read up to max + 1 bytes: the size may change under us. */
	buf = err == AE_OK ? talloc_array(tmp, uint8_t, max + 1) : NULL;
	if (err == AE_OK && buf == NULL) {
		err = AE_ERR_NOMEM;
	}
	while (err == AE_OK) {
		ssize_t n = smbc_getFunctionRead(ctx->c)(ctx->c, f, buf + len, max + 1 - len);

		if (n < 0) {
			e = errno != 0 ? errno : EIO;
			err = fail(e, "read", server, share, path, why, why_len);
		} else if (n == 0) {
			break;
		} else {
			len += (size_t)n;
			if (len > max) {
				ae_why(why, why_len, "SMB //%s/%s/%s: more than %zu bytes (errno %d)",
					server, share, path, max, EFBIG);
				err = AE_ERR_TOO_LARGE;
			}
		}
	}
	smbc_getFunctionClose(ctx->c)(ctx->c, f);
	if (err != AE_OK) {
		talloc_free(tmp);
		return err;
	}
	buf[len] = 0;
	AE_DEBUG("SMB: read %zu bytes of //%s/%s/%s", len, server, share, path);
	*_data = talloc_steal(mem_ctx, buf);
	*_len = len;
	talloc_free(tmp);
	return AE_OK;
}

ae_err ae_smb_stat(struct ae_smb *ctx, const char *server, const char *share,
		   const char *path, struct ae_smb_stat *_st, char *why, size_t why_len)
{
	struct stat st;
	char *url = NULL;
	ae_err err;
	int e;

	if (ctx == NULL || _st == NULL) {
		return AE_ERR_INVALID;
	}
	url = make_url(NULL, server, share, path);
	if (url == NULL) {
		ae_why(why, why_len, "SMB: '//%s/%s/%s' is not a valid path",
			server ? server : "", share ? share : "", path ? path : "");
		return AE_ERR_INVALID;
	}
	errno = 0;
	if (smbc_getFunctionStat(ctx->c)(ctx->c, url, &st) != 0) {
		e = errno != 0 ? errno : EIO;
		talloc_free(url);
		err = fail(e, "stat", server, share, path, why, why_len);
		if (err == AE_ERR_NOT_FOUND) {
			*_st = (struct ae_smb_stat) { .exists = false };
			return AE_OK;
		}
		return err;
	}
	talloc_free(url);
	*_st = (struct ae_smb_stat) {
		.exists = true,
		.size = st.st_size > 0 ? (uint64_t)st.st_size : 0,
		.mtime = st.st_mtime,
	};
	return AE_OK;
}

ae_err ae_unc_split(TALLOC_CTX *mem_ctx, const char *unc, char **_server, char **_share,
		    char **_path)
{
	const char *p = unc;
	size_t n;
	char *server = NULL;
	char *share = NULL;
	char *path = NULL;
	size_t i;

	if (unc == NULL || _server == NULL || _share == NULL || _path == NULL) {
		return AE_ERR_INVALID;
	}
	if (strlen(unc) > AE_SMB_UNC_MAX || strchr("/\\", p[0]) == NULL || p[0] == '\0' ||
	    strchr("/\\", p[1]) == NULL || p[1] == '\0') {
		return AE_ERR_PARSE;
	}
	p += 2;
	n = strcspn(p, "/\\");
	server = talloc_strndup(NULL, p, n);
	if (server == NULL) {
		return AE_ERR_NOMEM;
	}
	if (!host_ok(server) || p[n] == '\0') {
		talloc_free(server);
		return AE_ERR_PARSE;
	}
	p += n + 1;
	n = strcspn(p, "/\\");
	share = talloc_strndup(server, p, n);
	if (share == NULL) {
		talloc_free(server);
		return AE_ERR_NOMEM;
	}
	for (i = 0; share[i] != '\0'; i++) {
		if (share[i] >= 'A' && share[i] <= 'Z') {
			share[i] = (char)(share[i] - 'A' + 'a');
		}
	}
	p += n;
	if (*p != '\0') {
		p++;
	}
	path = talloc_strdup(server, p);
	if (path == NULL) {
		talloc_free(server);
		return AE_ERR_NOMEM;
	}
	n = strlen(path);
	if (n > 0 && (path[n - 1] == '/' || path[n - 1] == '\\')) {
		path[n - 1] = '\0';
	}
	for (i = 0; path[i] != '\0'; i++) {
		if (path[i] == '\\') {
			path[i] = '/';
		}
	}
	if (!share_ok(share) || !components_ok(path) ||
	    (path[0] == '\0' && p[0] != '\0')) {
		talloc_free(server);
		return AE_ERR_PARSE;
	}
	*_share = talloc_steal(mem_ctx, share);
	*_path = talloc_steal(mem_ctx, path);
	*_server = talloc_steal(mem_ctx, server);
	return AE_OK;
}
