/*
 * Fuzz target: the store's files with the filesystem around them. The
 * input becomes the files of a store directory (state records, staged and
 * pending records, certificates, keys, hooks, archive entries, and entries
 * that are not regular files: symbolic links, FIFOs, directories); then the
 * store is opened, locked, recovered and snapshotted by the real functions
 * (ae_store_open, ae_store_lock, ae_store_recover, ae_store_snapshot,
 * ae_store_hooks_pending), as a cycle does at start, and recovered once
 * more (a second recovery after a complete one must succeed). Checked: what
 * the snapshot lists has a usable template name, every note is a capped
 * string, a pending hooks action is a short word.
 *
 * The store lives in a private directory under $TMPDIR (default /tmp;
 * fuzz-for uses /dev/shm: the store fsyncs every write), emptied after
 * each input.
 *
 * Input: entries, each 1 byte k, 2 bytes big-endian length, the content
 * (the last one may be shorter). k % 32 picks the name (names[] below);
 * k >> 5 the kind: 0-3 a regular file 0600, 4 a symbolic link (to
 * "/etc/passwd"), 5 a FIFO, 6 a directory, 7 a regular file 0644.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <talloc.h>
#include "ae_log.h"
#include "ae_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[32] = {
	"T.state", "T.crt", "T.key", "T.chain.pem", "T.key.new", "T.crt.new",
	"T.chain.pem.new", "T.state.new", "T.hooks", "U.state", "U.crt", "U.key",
	"pending/CA.7.state", "pending/CA.7.key", "archive/T.1a.state", "archive/T.1a.crt",
	"archive/T.1a.key", "archive/T.1a.chain.pem", "T.state.tmp.123", "T.state.corrupt",
	"quarantine/T.key", "U.key.new", "U.state.new", "pending/CA.8.state",
	"pending/CA.7.key.tmp.9", "archive/U.20260101T000000Z.state", ".lock", "V.crt",
	"V.key", "V.state", "T.hooks.tmp.5", "W W.state",
};

static char g_dir[256];
static char g_parent[256];

static void remove_parent(void)
{
	(void)rmdir(g_dir);
	(void)rmdir(g_parent);
}

static const char *store_dir(void)
{
	if (g_dir[0] == '\0') {
		const char *t = getenv("TMPDIR");
		char tmpl[200];

		snprintf(tmpl, sizeof(tmpl), "%s/fuzz-store-XXXXXX",
			 t != NULL && t[0] == '/' ? t : "/tmp");
		if (mkdtemp(tmpl) == NULL) {
			abort();
		}
		snprintf(g_parent, sizeof(g_parent), "%s", tmpl);
		snprintf(g_dir, sizeof(g_dir), "%s/s", tmpl);
		atexit(remove_parent);
		ae_log_set_level(getenv("FUZZ_VERBOSE") != NULL ? 3 : -1);
	}
	return g_dir;
}

/* Remove everything under dfd (the store's subdirectories are one level deep). */
static void empty_dir(int dfd, int depth)
{
	DIR *d;
	struct dirent *e;
	int fd = dup(dfd);

	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		abort();
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
			continue;
		}
		if (unlinkat(dfd, e->d_name, 0) == 0) {
			continue;
		}
		if (depth < 3) {
			int sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);

			if (sub >= 0) {
				empty_dir(sub, depth + 1);
				close(sub);
			}
		}
		if (unlinkat(dfd, e->d_name, AT_REMOVEDIR) != 0) {
			abort();
		}
	}
	closedir(d);
}

static void put(int dfd, unsigned k, const uint8_t *p, size_t len)
{
	const char *name = names[k % 32];
	const char *slash = strchr(name, '/');
	unsigned kind = (k >> 5) & 7;
	int fd;

	if (slash != NULL) {
		char sub[32];

		snprintf(sub, sizeof(sub), "%.*s", (int)(slash - name), name);
		(void)mkdirat(dfd, sub, 0700);
	}
	if (kind == 4) {
		(void)symlinkat("/etc/passwd", dfd, name);
	} else if (kind == 5) {
		(void)mkfifoat(dfd, name, 0600);
	} else if (kind == 6) {
		(void)mkdirat(dfd, name, 0700);
	} else {
		/* O_NONBLOCK: an earlier entry may have made this name a FIFO */
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC |
			    O_NONBLOCK, kind == 7 ? 0644 : 0600);
		if (fd >= 0) {
			if (write(fd, p, len) != (ssize_t)len) {
				abort();
			}
			close(fd);
		}
	}
}

static void check_notes(char **notes)
{
	size_t i;

	for (i = 0; notes != NULL && notes[i] != NULL; i++) {
		if (i >= AE_STORE_NOTES_MAX || strlen(notes[i]) > 65536) {
			abort();
		}
	}
}

static void check_snapshot(const struct ae_store_snapshot *snap)
{
	size_t i;

	for (i = 0; i < snap->num_certs; i++) {
		if (snap->certs[i].template_name == NULL ||
		    !ae_store_name_ok(snap->certs[i].template_name)) {
			abort();
		}
	}
}

/* The hooks records the engine reads at start (ae_store_hooks_pending). */
static void check_hooks(TALLOC_CTX *mem, const struct ae_store *s)
{
	static const char *const templates[] = { "T", "U", "V" };
	size_t i;

	for (i = 0; i < sizeof(templates) / sizeof(templates[0]); i++) {
		char *action = NULL;

		if (ae_store_hooks_pending(mem, s, templates[i], &action) == AE_OK &&
		    (action == NULL || action[0] == '\0' || strlen(action) > 16)) {
			abort();
		} else if (action != NULL && talloc_parent(action) != mem) {
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = store_dir();
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_store *s = NULL;
	struct ae_store_lock *lock = NULL;
	struct ae_store_snapshot *snap = NULL;
	char **notes = NULL;
	char why[512];
	int dfd;

	if (mkdir(dir, 0700) != 0 ||
	    (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		abort();
	}
	while (size >= 1) {
		size_t len = size >= 3 ? ((size_t)data[1] << 8) | data[2] : 0;
		unsigned k = data[0];

		data += size >= 3 ? 3 : size;
		size -= size >= 3 ? 3 : size;
		len = len < size ? len : size;
		put(dfd, k, data, len);
		data += len;
		size -= len;
	}
	if (ae_store_open(mem, dir, geteuid(), 0, &s, why, sizeof(why)) == AE_OK &&
	    ae_store_lock(s, false, &lock) == AE_OK) {
		ae_err err = ae_store_recover(mem, s, &notes);

		check_notes(notes);
		if (ae_store_snapshot(mem, s, &snap) == AE_OK) {
			check_snapshot(snap);
		}
		check_hooks(mem, s);
		if (err == AE_OK) {
			notes = NULL;
			if (ae_store_recover(mem, s, &notes) != AE_OK) {
				abort();	/* recovery must leave a store it accepts */
			}
			check_notes(notes);
		}
	}
	talloc_free(mem);
	empty_dir(dfd, 0);
	close(dfd);
	if (rmdir(dir) != 0) {
		abort();
	}
	return 0;
}
