/*
 * ae_noop_digest.c: the digests the no-op memo compares (ae_noop.h): the
 * principal as read from the directory, the effective configuration, and
 * the store directory's entries. SHA-256 over length-prefixed fields, so
 * that no two different inputs share an encoding. Nettle's SHA-256 (already
 * in the process through GnuTLS): the no-op needs no other digest, and
 * OpenSSL's first EVP fetch (its provider and name tables) cost a tenth of
 * a no-op's instructions.
 */
#include <stdbool.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <nettle/sha2.h>
#include "ae_smbconf.h"
#include "ae_noop.h"
#include "ae_principal.h"
#include "ae_sid.h"

#define STORE_ENTRIES_MAX 100000

static void put(struct sha256_ctx *h, const void *p, size_t n)
{
	uint64_t len = n;

	sha256_update(h, sizeof(len), (const uint8_t *)&len);
	if (n > 0) {
		sha256_update(h, n, p);
	}
}

static void put_str(struct sha256_ctx *h, const char *s)
{
	put(h, s != NULL ? s : "", s != NULL ? strlen(s) + 1 : 0);	/* NULL != "" */
}

static ae_err finish(struct sha256_ctx *h, uint8_t out[AE_NOOP_DIGEST_LEN])
{
	_Static_assert(AE_NOOP_DIGEST_LEN == SHA256_DIGEST_SIZE, "the memo's digest is SHA-256");
	sha256_digest(h, AE_NOOP_DIGEST_LEN, out);
	return AE_OK;
}

static int sid_cmp(const void *a, const void *b)
{
	char x[AE_SID_STR_MAX], y[AE_SID_STR_MAX];

	return strcmp(ae_sid_format(a, x), ae_sid_format(b, y));
}

ae_err ae_noop_digest_principal(const struct ae_principal *p, uint8_t out[AE_NOOP_DIGEST_LEN])
{
	char buf[AE_SID_STR_MAX];
	struct ae_sid *groups = NULL;
	struct sha256_ctx hc, *h = &hc;
	size_t i, n;

	if (p == NULL || p->token == NULL) {
		return AE_ERR_INVALID;
	}
	n = p->token->num_groups;
	groups = n > 0 ? malloc(n * sizeof(*groups)) : NULL;
	if (n > 0 && groups == NULL) {
		return AE_ERR_NOMEM;
	}
	sha256_init(h);
	put_str(h, p->dn);
	put_str(h, p->sam_account_name);
	put_str(h, ae_sid_format(&p->sid, buf));
	put(h, &p->primary_group_rid, sizeof(p->primary_group_rid));
	put(h, &p->user_account_control, sizeof(p->user_account_control));
	put(h, p->guid, sizeof(p->guid));
	put_str(h, p->dns_host_name);
	put_str(h, p->mail);
	put_str(h, p->user_principal_name);
	put(h, &p->num_user_certs, sizeof(p->num_user_certs));
	for (i = 0; i < p->num_user_certs; i++) {
		put(h, p->user_certs[i].data, p->user_certs[i].len);
	}
	put(h, &p->user_certs_dropped, sizeof(p->user_certs_dropped));
	/* the token's groups in a canonical order: tokenGroups has none */
	if (n > 0) {
		memcpy(groups, p->token->groups, n * sizeof(*groups));
		qsort(groups, n, sizeof(*groups), sid_cmp);
	}
	put(h, &n, sizeof(n));
	for (i = 0; i < n; i++) {
		put_str(h, ae_sid_format(&groups[i], buf));
	}
	free(groups);
	return finish(h, out);
}

/*
 * Every smb.conf value as loadparm holds it (the file, its includes and
 * --option, parametric autoenroll:* options among them), plus the
 * session's own choices (context, principal, store, cache).
 */
ae_err ae_noop_digest_config(struct ae_session *s, uint8_t out[AE_NOOP_DIGEST_LEN])
{
	struct sha256_ctx hc, *h = &hc;

	if (s == NULL || s->conf == NULL) {
		return AE_ERR_INVALID;
	}
	sha256_init(h);
	/* the SHA-256 of loadparm's dump, kept with the values (ae_smbconf_snap.h) */
	put(h, s->conf->dump_sha256, sizeof(s->conf->dump_sha256));
	put(h, &s->context, sizeof(s->context));
	put_str(h, s->sam_account_name);
	put_str(h, s->account);
	put_str(h, s->store_dir);
	put_str(h, s->gpo_cache_dir);
	return finish(h, out);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries' names (not . .. .lock), sorted; NULL-free array on mem. */
static ae_err names_of(TALLOC_CTX *mem, int dirfd, char ***_names, size_t *_n)
{
	char **names = NULL;
	size_t n = 0;
	struct dirent *d;
	DIR *dir;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0) {
			close(fd);
		}
		return AE_ERR_IO;
	}
	while ((d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0 ||
		    strcmp(d->d_name, ".lock") == 0) {
			continue;
		}
		if (n == STORE_ENTRIES_MAX ||
		    (names = talloc_realloc(mem, names, char *, n + 1)) == NULL ||
		    (names[n++] = talloc_strdup(names, d->d_name)) == NULL) {
			closedir(dir);
			return n == STORE_ENTRIES_MAX ? AE_ERR_TOO_LARGE : AE_ERR_NOMEM;
		}
	}
	closedir(dir);
	if (n > 0) {
		qsort(names, n, sizeof(*names), name_cmp);
	}
	*_names = names;
	*_n = n;
	return AE_OK;
}

ae_err ae_noop_digest_store(int dirfd, uint8_t out[AE_NOOP_DIGEST_LEN])
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char **names = NULL;
	size_t n = 0, i;
	struct sha256_ctx hc, *h = &hc;
	ae_err err = tmp != NULL ? names_of(tmp, dirfd, &names, &n) : AE_ERR_NOMEM;

	sha256_init(h);
	for (i = 0; err == AE_OK && i < n; i++) {
		struct stat st;
		int64_t f[6];

		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0) {
			err = AE_ERR_IO;	/* gone meanwhile: no digest, no memo */
			break;
		}
		f[0] = st.st_mode;
		f[1] = st.st_size;
		f[2] = st.st_mtim.tv_sec;
		f[3] = st.st_mtim.tv_nsec;
		f[4] = (int64_t)st.st_ino;
		f[5] = st.st_uid;
		put_str(h, names[i]);
		put(h, f, sizeof(f));
	}
	talloc_free(tmp);
	return err != AE_OK ? err : finish(h, out);
}
