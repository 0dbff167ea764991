/*
 * fuzz_ca_request.c: what the test CA reads from a request. The first byte
 * picks the parser: 0 attribute lines (UTF-16LE), 1 PKCS#10, 2 template
 * extension, 3 template name extension, 4 FILETIME period, 5 textual SID,
 * 6 SID extension (szOID_NTDS_CA_SECURITY_EXT); the rest is its input.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "ca.h"
#include "ca_der.h"
#include "ca_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *t = NULL;
	struct ca_attribs *a = NULL;
	struct ca_csr *csr = NULL;
	struct ca_sid sid;
	char *s = NULL;
	uint32_t major, minor;
	int64_t secs;

	if (size < 1) {
		return 0;
	}
	t = talloc_new(NULL);
	switch (data[0] % 7) {
	case 0:
		(void)ca_attribs_parse(t, data + 1, size - 1, &a);
		break;
	case 1:
		(void)ca_csr_parse(t, data + 1, size - 1, &csr);
		break;
	case 2:
		(void)ca_der_parse_template_ext(t, data + 1, size - 1, &s, &major, &minor);
		break;
	case 3:
		(void)ca_der_parse_template_name(t, data + 1, size - 1, &s);
		break;
	case 4:
		(void)ca_period_parse(data + 1, size - 1, &secs);
		break;
	case 6:
		(void)ca_der_parse_sid_ext(t, data + 1, size - 1, &s);
		break;
	default:
		s = talloc_strndup(t, (const char *)data + 1, size - 1);
		if (s != NULL && ca_sid_from_string(s, &sid) == AE_OK) {
			(void)ca_sid_string(t, &sid);
		}
		break;
	}
	talloc_free(t);
	return 0;
}
