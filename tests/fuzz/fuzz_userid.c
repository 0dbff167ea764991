/*
 * Fuzz target: a user name as `--user NAME` takes it (pam_autoenroll passes
 * the login name, which a remote person chooses) and the SID strings that
 * become a directory name: ae_userid_parse, ae_userid_sid_ok,
 * ae_store_sid_name_ok. Contract: an accepted name splits into an account
 * part without '/', '\\', '@' or a control character, at most
 * AE_USERID_SAM_MAX bytes; an accepted SID has only digits and '-' after
 * "S-1-", so it can never be "..", contain '/', or be empty.
 */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <talloc.h>
#include "ae_userid.h"
#include "ae_store_userdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_sid(const char *s)
{
	size_t i;

	if (ae_userid_sid_ok(s) && !ae_store_sid_name_ok(s)) {
		__builtin_trap();	/* what winbind gives must be a usable name */
	}
	if (!ae_store_sid_name_ok(s)) {
		return;
	}
	for (i = 4; s[i] != '\0'; i++) {
		if ((s[i] < '0' || s[i] > '9') && s[i] != '-') {
			__builtin_trap();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *s, *domain = NULL, *sam = NULL, why[256];
	size_t i;

	if (mem == NULL || size > 4096) {
		talloc_free(mem);
		return 0;
	}
	s = talloc_strndup(mem, (const char *)data, size);	/* stops at a NUL, as argv does */
	if (s == NULL) {
		talloc_free(mem);
		return 0;
	}
	if (ae_userid_parse(mem, s, &domain, &sam, why, sizeof(why)) == AE_OK) {
		size_t n = strlen(sam);
		if (n == 0 || n > AE_USERID_SAM_MAX || strcmp(sam, "..") == 0) {
			__builtin_trap();
		}
		for (i = 0; i < n; i++) {
			if (sam[i] == '/' || sam[i] == '\\' || sam[i] == '@' ||
			    (unsigned char)sam[i] < 0x20) {
				__builtin_trap();
			}
		}
	}
	check_sid(s);
	talloc_free(mem);
	return 0;
}
