/*
 * ae_target.h: deploy targets, the files a service reads its certificate
 * and key from (`autoenroll:deploy <Template> = key=PATH cert=PATH ...`).
 * The store stays the source of truth: a target is (re)written whenever its
 * content, owner or mode differs from what the store and the option say,
 * and is otherwise left alone (a cycle with nothing new writes nothing).
 *
 * Writing as root: the path is walked from '/' one component at a time
 * with O_NOFOLLOW (no component may be a symbolic link); every directory on
 * it must be owned by root (or by us) and not writable by group or others
 * (the group may write when it is root's; above the last directory, a
 * root-owned sticky directory such as /tmp is accepted). A directory
 * another user controls is refused by name: root never writes where a user
 * could swap the file. The file itself must be absent or a regular file (a
 * symbolic link is refused). Each file is written as a temporary
 * ".<name>.tmp.<pid>" in the target's directory (O_EXCL|O_NOFOLLOW, 0600),
 * fchown and fchmod on its descriptor, fsync, renameat over the target,
 * fsync of the directory.
 */
#ifndef AE_TARGET_H
#define AE_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <talloc.h>
#include "ae_error.h"

#define AE_TARGET_PATH_MAX 1024
#define AE_TARGET_FILE_MAX (1024 * 1024)	/* a target file compared or written */
#define AE_TARGET_KEY_MODE_DEFAULT 0600
#define AE_TARGET_KEY_MODE_MAX 0640		/* bits a key's mode may have */
#define AE_TARGET_CERT_MODE 0644

enum ae_target_file { AE_TARGET_KEY = 0, AE_TARGET_CERT, AE_TARGET_CHAIN, AE_TARGET_FULLCHAIN,
		      AE_TARGET_FILES };

struct ae_target_spec {
	char *template_name;		/* as named in the option (compared case-insensitively) */
	char *path[AE_TARGET_FILES];	/* absolute; NULL: not deployed (key and cert: required) */
	bool has_owner, has_group;
	uid_t uid;			/* owner= (else root) */
	gid_t gid;			/* group= (else root) */
	char *owner, *group;		/* as written, for messages */
	mode_t key_mode;		/* mode= (AE_TARGET_KEY_MODE_DEFAULT) */
};

/* "key", "cert", "chain", "fullchain" */
const char *ae_target_file_name(enum ae_target_file f);

/*
 * Parse an option value "key=PATH cert=PATH [chain=PATH] [fullchain=PATH]
 * [owner=USER] [group=GROUP] [mode=0NNN]" for template_name (untrusted
 * text from smb.conf, at most 4096 bytes): words separated by blanks,
 * each key once, paths absolute without a "." or ".." component, "//",
 * or a control character, no two files on one path, owner/group resolved
 * through NSS (a number is taken as an id), mode octal with no bit
 * outside AE_TARGET_KEY_MODE_MAX. *_t (on mem_ctx) only on AE_OK;
 * AE_ERR_CONFIG with why naming the word and the cause otherwise.
 */
ae_err ae_target_parse(TALLOC_CTX *mem_ctx, const char *template_name, const char *value,
		       struct ae_target_spec **_t, char *why, size_t why_len);

/* The bytes to deploy: PEM as the store holds them (fullchain = cert + chain). */
struct ae_target_content {
	const uint8_t *data[AE_TARGET_FILES];
	size_t len[AE_TARGET_FILES];
};

struct ae_target_result {
	unsigned written;		/* files (re)written */
	unsigned unchanged;		/* files already right */
};

/*
 * Make every file of t hold its content with its owner, group and mode
 * (the key t->key_mode, the others AE_TARGET_CERT_MODE). The key first,
 * the certificate last. A file already right is not touched. On error
 * (a refused directory or file, a file system error) the files before it
 * are written, the rest untouched; why names the file and the cause.
 * AE_ERR_INVALID: refused (symbolic link, directory not ours, ...);
 * AE_ERR_IO: a system call failed.
 */
ae_err ae_target_sync(const struct ae_target_spec *t, const struct ae_target_content *c,
		      struct ae_target_result *res, char *why, size_t why_len);

/*
 * One file (exposed for tests): path absolute; uid/gid (uid_t)-1 / (gid_t)-1
 * for "ours"; *_written says whether it was written.
 */
ae_err ae_target_write_file(const char *path, const uint8_t *data, size_t len, uid_t uid,
			    gid_t gid, mode_t mode, bool *_written, char *why, size_t why_len);

/*
 * Open the directory dir (absolute) for reading with the checks above (each
 * component O_NOFOLLOW, root's alone, dir itself not writable by others).
 * AE_ERR_NOT_FOUND when a component is missing; the caller closes *_fd.
 */
ae_err ae_target_open_dir(const char *dir, int *_fd, char *why, size_t why_len);

#endif
