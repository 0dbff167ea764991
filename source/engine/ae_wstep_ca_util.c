/*
 * ae_wstep_ca_util.c: the pure parts of the MS-WSTEP CA call
 * (ae_wstep_ca.h): the order of a CA's end points, the template named in
 * the MS-ICPR attributes, and whether a request is a PKCS#10 or a CMS.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <talloc.h>
#include "ae_wstep_ca.h"
#include "ae_pki.h"
#include "ae_utf16.h"
#include "ae_xcep.h"

const char *ae_wstep_ca_auth_name(uint32_t client_auth)
{
	if (client_auth & AE_XCEP_AUTH_CERTIFICATE) {
		return "certificate";
	}
	if (client_auth & AE_XCEP_AUTH_PASSWORD) {
		return "password";
	}
	if (client_auth & AE_XCEP_AUTH_KERBEROS) {
		return "kerberos";
	}
	return "anonymous";
}

/* the rank of a URI for op: renewalOnly last (query) or not at all (issue) */
static bool usable(const struct ae_xcep_uri *u, enum ae_wstep_op op)
{
	return !u->renewal_only || op != AE_WSTEP_OP_ISSUE;
}

static bool before(const struct ae_xcep_uri *a, const struct ae_xcep_uri *b,
		   enum ae_wstep_op op)
{
	if (op == AE_WSTEP_OP_QUERY && a->renewal_only != b->renewal_only) {
		return !a->renewal_only;
	}
	return a->priority < b->priority;
}

ae_err ae_wstep_ca_order(TALLOC_CTX *mem, const struct ae_enrollment_service *svc,
			 enum ae_wstep_op op, size_t **_idx, size_t *_n)
{
	const struct ae_xcep_ca *x = svc != NULL ? svc->xcep_ca : NULL;
	size_t *idx, n = 0, i, j;

	if (x == NULL || _idx == NULL || _n == NULL) {
		return AE_ERR_INVALID;
	}
	idx = talloc_array(mem, size_t, x->num_uris + 1);
	if (idx == NULL) {
		return AE_ERR_NOMEM;
	}
	/* insertion sort: stable (equal priorities keep the response's order) */
	for (i = 0; i < x->num_uris; i++) {
		if (!usable(&x->uris[i], op)) {
			continue;
		}
		for (j = n; j > 0 && before(&x->uris[i], &x->uris[idx[j - 1]], op); j--) {
			idx[j] = idx[j - 1];
		}
		idx[j] = i;
		n++;
	}
	*_idx = idx;
	*_n = n;
	return AE_OK;
}

ae_err ae_wstep_ca_template(TALLOC_CTX *mem, const uint8_t *attribs, size_t len, char **_name)
{
	static const char key[] = "CertificateTemplate:";
	char *text = NULL, *line, *save = NULL;
	ae_err err;

	if (attribs == NULL || len == 0) {
		return AE_ERR_NOT_FOUND;
	}
	err = ae_utf16le_to_utf8(mem, attribs, len, &text);
	if (err != AE_OK) {
		return err;
	}
	err = AE_ERR_NOT_FOUND;
	for (line = strtok_r(text, "\r\n", &save); line != NULL; line = strtok_r(NULL, "\r\n", &save)) {
		if (strncasecmp(line, key, sizeof(key) - 1) == 0 && line[sizeof(key) - 1] != '\0') {
			*_name = talloc_strdup(mem, line + sizeof(key) - 1);
			err = *_name != NULL ? AE_OK : AE_ERR_NOMEM;
			break;
		}
	}
	talloc_free(text);
	return err;
}

/* The header of a DER element at p: its tag and where its content starts. */
static bool der_header(const uint8_t *p, size_t len, uint8_t *_tag, size_t *_hdr)
{
	size_t n;

	if (len < 2) {
		return false;
	}
	*_tag = p[0];
	if (p[1] < 0x80) {
		*_hdr = 2;
		return true;
	}
	n = p[1] & 0x7f;
	if (n == 0 || n > 4 || len < 2 + n) {
		return false;
	}
	*_hdr = 2 + n;
	return true;
}

bool ae_wstep_ca_is_cms(const uint8_t *der, size_t len)
{
	uint8_t tag = 0, inner = 0;
	size_t hdr = 0, hdr2 = 0;

	/* ContentInfo ::= SEQUENCE { contentType OBJECT IDENTIFIER, ... } (RFC 5652 §3);
	 * CertificationRequest ::= SEQUENCE { certificationRequestInfo SEQUENCE, ... } */
	if (der == NULL || !der_header(der, len, &tag, &hdr) || tag != 0x30 ||
	    !der_header(der + hdr, len - hdr, &inner, &hdr2)) {
		return false;
	}
	return inner == 0x06;
}
