/*
 * fuzz_template.c: the policy layer's entry parsers (MS-CRTD templates,
 * including the RA triplet syntax, and pKIEnrollmentService objects) and
 * the CA certificate collector, on an entry built from the input.
 *
 * Input: byte 0 bit 0 selects the parser (0 template, 1 enrollment
 * service); then records of [name index][value length][value bytes], the
 * name taken modulo the table below, the value cut at the end of input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <talloc.h>
#include "ae_entry.h"
#include "ae_pki.h"
#include "ae_template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"cn", "displayName", "uSNChanged", "flags", "revision",
	"msPKI-Template-Minor-Revision", "msPKI-Template-Schema-Version",
	"msPKI-Cert-Template-OID", "pKIExpirationPeriod", "pKIOverlapPeriod",
	"pKIExtendedKeyUsage", "pKIKeyUsage", "pKICriticalExtensions",
	"pKIDefaultKeySpec", "pKIDefaultCSPs", "pKIMaxIssuingDepth",
	"msPKI-Minimal-Key-Size", "msPKI-RA-Signature", "msPKI-RA-Policies",
	"msPKI-RA-Application-Policies", "msPKI-Supersede-Templates",
	"msPKI-Certificate-Policy", "msPKI-Certificate-Application-Policy",
	"msPKI-Enrollment-Flag", "msPKI-Private-Key-Flag",
	"msPKI-Certificate-Name-Flag", "nTSecurityDescriptor",
	"dNSHostName", "cACertificate", "certificateTemplates",
	"msPKI-Enrollment-Servers", "objectClass",
};

#define NUM_NAMES (sizeof(names) / sizeof(names[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = NULL;
	struct ae_ldap_entry *e = NULL;
	struct ae_der_blob *certs = NULL;
	size_t num_certs = 0;
	char why[256];
	size_t off = 1;

	if (size < 1) {
		return 0;
	}
	mem = talloc_new(NULL);
	if (mem == NULL) {
		abort();
	}
	e = ae_entry_new(mem, "CN=fuzz");
	if (e == NULL) {
		abort();
	}
	while (size - off >= 2) {
		const char *name = names[data[off] % NUM_NAMES];
		size_t len = data[off + 1];

		off += 2;
		if (len > size - off) {
			len = size - off;
		}
		if (ae_entry_add_value(e, name, data + off, len) != AE_OK) {
			break;
		}
		off += len;
	}
	if ((data[0] & 1) == 0) {
		struct ae_template *t = NULL;

		if (ae_template_from_attrs(mem, e, &t, why, sizeof(why)) == AE_OK) {
			if (t->cn == NULL || t->cn[0] == '\0' ||
			    (t->ra_syntax == AE_RA_SYNTAX_NONE && t->num_ra_app_policies != 0)) {
				abort();
			}
			talloc_free(t);
		}
	} else {
		struct ae_enrollment_service *s = NULL;

		if (ae_enrollment_service_from_attrs(mem, e, &s, why, sizeof(why)) == AE_OK) {
			if (s->cn == NULL || s->cn[0] == '\0') {
				abort();
			}
			talloc_free(s);
		}
	}
	if (ae_ca_certs_from_entries(mem, &e, 1, &certs, &num_certs) == AE_OK) {
		talloc_free(certs);
	}
	talloc_free(e);
	/* Nothing the parsers did may remain on the caller's context. */
	if (talloc_total_blocks(mem) != 1) {
		abort();
	}
	talloc_free(mem);
	return 0;
}
