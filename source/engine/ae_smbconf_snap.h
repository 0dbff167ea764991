/*
 * ae_smbconf_snap.h: the session's smb.conf values (transport/ae_smbconf.h)
 * without loading Samba's loadparm when they cannot have changed.
 *
 * After a load, when loadparm read the file alone (no include, config
 * file or registry configuration) and we are root, the values are kept in
 * a snapshot, /run/samba-autoenroll/smbconf-<key> (0600 in a 0700
 * directory of root's; the key is a digest of the uid, -s and the
 * --option settings). The next run takes the values from it when all of
 * these are still the same: the SHA-256 of smb.conf's bytes, the host name
 * (loadparm's default netbios name) and the libsamba-hostconfig file that
 * computed the defaults (device, inode, size, modification time). Else
 * loadparm loads smb.conf and the snapshot is written again. /run is
 * emptied at boot: the boot's run loads it.
 */
#ifndef AE_SMBCONF_SNAP_H
#define AE_SMBCONF_SNAP_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_smbconf.h"

#define AE_SMBCONF_SNAP_DIR "/run/samba-autoenroll"
#define AE_SMBCONF_SNAP_MAX (AE_SMBCONF_DUMP_MAX + 16384)
#define AE_SMBCONF_VALUE_MAX 4096

/* what a snapshot holds besides the values */
struct ae_smbconf_snap {
	uint8_t source_sha256[32];	/* smb.conf's bytes */
	char *host;			/* gethostname() */
	uint64_t lib_dev, lib_ino, lib_size, lib_mtime_ns;
	char *lib_path;
	struct ae_smbconf *conf;	/* the values; file, options, lp unset */
};

/*
 * The snapshot's bytes (text: one "key value" line per field, then the
 * [global] dump with its length). AE_ERR_INVALID when a value holds a
 * control character or is longer than AE_SMBCONF_VALUE_MAX.
 */
ae_err ae_smbconf_snap_format(TALLOC_CTX *mem_ctx, const struct ae_smbconf_snap *s,
			      char **_text, size_t *_len);

/*
 * Parse a snapshot (untrusted bytes: at most AE_SMBCONF_SNAP_MAX, every
 * field in its order, no trailing data). Outputs only on success;
 * AE_ERR_INVALID otherwise.
 */
ae_err ae_smbconf_snap_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
			     struct ae_smbconf_snap **_s);

/*
 * The session's smb.conf: from the snapshot when it stands, else loaded
 * through the network module (and the snapshot written). why as
 * ae_smbconf_load's.
 */
ae_err ae_smbconf_open(TALLOC_CTX *mem_ctx, const char *file, const char *const *options,
		       struct ae_smbconf **_c, char *why, size_t why_len);

#endif
