/*
 * ae_os_version.c: the szOID_OS_VERSION attribute value for this host.
 */
#include <inttypes.h>
#include <string.h>
#include <sys/utsname.h>
#include "ae_csr.h"

/* platformId 2 = VER_PLATFORM_WIN32_NT, what every Windows client sends */
#define AE_OS_PLATFORM_ID 2

ae_err ae_os_version_from_release(TALLOC_CTX *mem_ctx, const char *release, char **_s)
{
	uint32_t v[3] = { 0, 0, 0 };
	const char *p = release;
	char *s = NULL;
	size_t i;

	if (release == NULL || _s == NULL) {
		return AE_ERR_INVALID;
	}
	if (*p < '0' || *p > '9') {
		return AE_ERR_PARSE;
	}
	/* up to three dot-separated decimal components; stop at anything else */
	for (i = 0; i < 3; i++) {
		uint64_t n = 0;

		if (*p < '0' || *p > '9') {
			break;
		}
		while (*p >= '0' && *p <= '9') {
			n = n * 10 + (uint64_t)(*p - '0');
			if (n > UINT32_MAX) {
				return AE_ERR_PARSE;
			}
			p++;
		}
		v[i] = (uint32_t)n;
		if (*p != '.') {
			break;
		}
		p++;
	}
	s = talloc_asprintf(mem_ctx, "%" PRIu32 ".%" PRIu32 ".%" PRIu32 ".%d",
			    v[0], v[1], v[2], AE_OS_PLATFORM_ID);
	if (s == NULL) {
		return AE_ERR_NOMEM;
	}
	*_s = s;
	return AE_OK;
}

ae_err ae_os_version_string(TALLOC_CTX *mem_ctx, char **_s)
{
	struct utsname u;

	memset(&u, 0, sizeof(u));
	if (uname(&u) != 0) {
		return AE_ERR_IO;
	}
	return ae_os_version_from_release(mem_ctx, u.release, _s);
}
