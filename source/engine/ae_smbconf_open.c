/*
 * ae_smbconf_open.c: the session's smb.conf, from the snapshot when it
 * stands, else through loadparm in the network module; the snapshot
 * written after a load (ae_smbconf_snap.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <talloc.h>
#include <nettle/sha2.h>
#include "ae_file.h"
#include "ae_log.h"
#include "ae_smbconf_snap.h"

static void sha256_of(const void *p, size_t len, uint8_t out[32])
{
	struct sha256_ctx h;

	sha256_init(&h);
	sha256_update(&h, len, p);
	sha256_digest(&h, 32, out);
}

/* "smbconf-<hex>": a digest of who asks and with which -s and --option */
static void snap_name(char out[48], const char *file, const char *const *options)
{
	struct sha256_ctx h;
	uint8_t d[32];
	uid_t uid = geteuid();
	size_t i;

	sha256_init(&h);
	sha256_update(&h, sizeof(uid), (const uint8_t *)&uid);
	sha256_update(&h, file ? strlen(file) + 1 : 1, (const uint8_t *)(file ? file : ""));
	for (i = 0; options != NULL && options[i] != NULL; i++) {
		sha256_update(&h, strlen(options[i]) + 1, (const uint8_t *)options[i]);
	}
	sha256_digest(&h, sizeof(d), d);
	memcpy(out, "smbconf-", 8);
	for (i = 0; i < 16; i++) {
		snprintf(out + 8 + 2 * i, 3, "%02x", d[i]);
	}
}

static bool lib_id(const char *path, uint64_t *dev, uint64_t *ino, uint64_t *size,
		   uint64_t *mtime_ns)
{
	struct stat st;

	if (path == NULL || stat(path, &st) != 0) {
		return false;
	}
	*dev = (uint64_t)st.st_dev;
	*ino = (uint64_t)st.st_ino;
	*size = (uint64_t)st.st_size;
	*mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec;
	return true;
}

/* the SHA-256 of the file's bytes */
static bool source_sha(TALLOC_CTX *mem, const char *path, uint8_t out[32])
{
	uint8_t *data = NULL;
	size_t len = 0;

	if (path == NULL || path[0] != '/' ||
	    ae_file_read_at(mem, AT_FDCWD, path, AE_SMBCONF_DUMP_MAX, AE_FILE_FOLLOW, &data, &len,
			    NULL, 0) != AE_OK) {
		return false;
	}
	sha256_of(data, len, out);
	talloc_free(data);
	return true;
}

/* the snapshot's values when everything they came from is the same, else NULL */
static struct ae_smbconf *from_snapshot(TALLOC_CTX *mem, int dirfd, const char *name)
{
	struct ae_smbconf_snap *s = NULL;
	uint8_t *data = NULL, src[32];
	size_t len = 0;
	uint64_t dev, ino, size, mtime;
	char host[256] = "";
	struct ae_smbconf *c = NULL;

	if (ae_file_read_at(mem, dirfd, name, AE_SMBCONF_SNAP_MAX, 0, &data, &len, NULL, 0) !=
	    AE_OK) {
		return NULL;
	}
	if (ae_smbconf_snap_parse(mem, data, len, &s) != AE_OK) {
		AE_INFO("smb.conf snapshot %s/%s cannot be read: loading smb.conf",
			AE_SMBCONF_SNAP_DIR, name);
	} else if (gethostname(host, sizeof(host) - 1) == 0 && strcmp(host, s->host) == 0 &&
		   lib_id(s->lib_path, &dev, &ino, &size, &mtime) && dev == s->lib_dev &&
		   ino == s->lib_ino && size == s->lib_size && mtime == s->lib_mtime_ns &&
		   source_sha(mem, s->conf->configfile, src) &&
		   memcmp(src, s->source_sha256, sizeof(src)) == 0) {
		c = talloc_steal(mem, s->conf);
	}
	talloc_free(s);
	talloc_free(data);
	return c;
}

/* after a load: the snapshot for the next run (best effort) */
static void write_snapshot(int dirfd, const char *name, struct ae_smbconf *c)
{
	struct ae_smbconf_snap s = { .conf = c, .lib_path = c->lib_path };
	char host[256] = "", *text = NULL;
	size_t len = 0;

	if (!c->self_contained) {
		AE_INFO("smb.conf %s has an include, config file or config backend: no "
			"snapshot, loaded every run", c->configfile);
		(void)unlinkat(dirfd, name, 0);
		return;
	}
	if (gethostname(host, sizeof(host) - 1) != 0 ||
	    !lib_id(c->lib_path, &s.lib_dev, &s.lib_ino, &s.lib_size, &s.lib_mtime_ns) ||
	    !source_sha(c, c->configfile, s.source_sha256)) {
		return;
	}
	s.host = host;
	if (ae_smbconf_snap_format(c, &s, &text, &len) == AE_OK &&
	    ae_file_write_atomic_at(dirfd, name, text, len, 0600) != AE_OK) {
		AE_INFO("cannot write the smb.conf snapshot %s/%s: %s", AE_SMBCONF_SNAP_DIR, name,
			ae_file_last_error());
	}
	talloc_free(text);
}

ae_err ae_smbconf_open(TALLOC_CTX *mem_ctx, const char *file, const char *const *options,
		       struct ae_smbconf **_c, char *why, size_t why_len)
{
	struct ae_smbconf *c = NULL;
	const char *cause = NULL;
	char name[48];
	int dirfd = -1;
	ae_err err;

	snap_name(name, file, options);
	/* root's only: a snapshot decides what the run trusts */
	if (geteuid() == 0) {
		if (ae_private_dir_open(AE_SMBCONF_SNAP_DIR, &dirfd, &cause) == AE_OK) {
			c = from_snapshot(mem_ctx, dirfd, name);
		} else {
			AE_DEBUG("no smb.conf snapshot: %s: %s", AE_SMBCONF_SNAP_DIR, cause);
		}
	}
	if (c != NULL) {
		c->file = file;
		c->options = options;
		AE_DEBUG("smb.conf %s: values from the snapshot %s/%s", c->configfile,
			 AE_SMBCONF_SNAP_DIR, name);
		close(dirfd);
		*_c = c;
		return AE_OK;
	}
	err = ae_smbconf_load(mem_ctx, file, options, &c, why, why_len);
	if (err == AE_OK) {
		sha256_of(c->dump, c->dump_len, c->dump_sha256);
		TALLOC_FREE(c->dump);	/* only its digest is used from here on */
		c->dump_len = 0;
		if (dirfd >= 0) {
			write_snapshot(dirfd, name, c);
		}
		*_c = c;
	}
	if (dirfd >= 0) {
		close(dirfd);
	}
	return err;
}
