/*
 * Fuzz target: the smb.conf snapshot (engine/ae_smbconf_snap.h) as
 * ae_smbconf_open reads it: the file's bytes (at most AE_SMBCONF_SNAP_MAX,
 * as ae_file_read_at caps them) into ae_smbconf_snap_parse. A snapshot
 * that parses is written out again and must parse to the same values
 * (round trip), and the parametric lookup the session makes on its
 * [global] dump (ae_smbconf_parm) must hold to its contract.
 *
 * Seeds (corpus/smbconf_snap/): a snapshot the lab's member wrote, one
 * with an empty [global] dump, and broken ones (a field missing, upper-case
 * hex, the length one off, trailing bytes).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include "ae_smbconf_snap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const char *a, const char *b)
{
	if (a == NULL || b == NULL || strcmp(a, b) != 0) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_smbconf_snap *s = NULL, *s2 = NULL;
	char *text = NULL;
	size_t len = 0;
	const char *v;

	if (size > AE_SMBCONF_SNAP_MAX ||
	    ae_smbconf_snap_parse(mem, data, size, &s) != AE_OK) {
		talloc_free(mem);
		return 0;
	}
	if (ae_smbconf_snap_format(mem, s, &text, &len) != AE_OK || len != size ||
	    memcmp(text, data, size) != 0 ||
	    ae_smbconf_snap_parse(mem, (const uint8_t *)text, len, &s2) != AE_OK) {
		abort();	/* one spelling: what parses is what format writes */
	}
	same(s->host, s2->host);
	same(s->conf->realm, s2->conf->realm);
	same(s->conf->configfile, s2->conf->configfile);
	if (s->conf->globals_len != s2->conf->globals_len || !s->conf->from_snapshot) {
		abort();
	}
	v = ae_smbconf_parm(s->conf, "autoenroll", "store dir");
	if (v != NULL && (strchr(v, '\n') != NULL || talloc_parent(v) != s->conf)) {
		abort();
	}
	talloc_free(mem);
	return 0;
}
