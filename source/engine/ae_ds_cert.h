/*
 * ae_ds_cert.h: which templates already have a valid certificate in the
 * principal's userCertificate, for CT_FLAG_AUTO_ENROLLMENT_CHECK_USER_DS_CERTIFICATE
 * ([MS-CRTD] 2.26; decide() turns a new request into a SKIP, ae_decide_ds.c).
 * No I/O: the values come from the principal's object search
 * (ae_principal.h), the CA certificates from the Enrollment Services;
 * "now" is an argument.
 *
 * A value is a valid certificate of template T when, in this order:
 *   - it parses as exactly one DER certificate (ae_cert_parse_der: the
 *     directory is untrusted input; capped, trailing bytes refused);
 *   - now lies within notBefore..notAfter;
 *   - its template extension names T (ae_cert_template_info): the
 *     1.3.6.1.4.1.311.21.7 OID equal to T's msPKI-Cert-Template-OID, or
 *     the v1 name (1.3.6.1.4.1.311.20.2) equal to T's cn, case-insensitive;
 *   - it chains, at now, to a cACertificate of one of the enterprise CAs
 *     (ae_cert_verify_chain: signatures, validity, CA flags; no revocation,
 *     which decide() takes from the CRL results it is given).
 * Only templates with the flag are looked at.
 */
#ifndef AE_DS_CERT_H
#define AE_DS_CERT_H

#include <stddef.h>
#include <time.h>
#include <talloc.h>
#include "ae_decide.h"
#include "ae_error.h"
#include "ae_pki.h"
#include "ae_principal.h"
#include "ae_template.h"

/*
 * The first valid certificate (in directory order) of each flagged
 * template among values[0..num_values): *_out is a talloc array on mem of
 * *_num entries (at most one per template, in template order; strings
 * below it; template_cn points to the template's cn, which must outlive
 * it). *_out is NULL and *_num 0 when there is none. Values that are not
 * valid certificates are skipped, not errors (*_rejected, may be NULL,
 * counts those that failed to parse). Errors: AE_ERR_INVALID (NULL
 * arguments with nonzero counts), AE_ERR_NOMEM; outputs set only on success.
 */
ae_err ae_ds_certs_find(TALLOC_CTX *mem, const struct ae_principal_blob *values,
			size_t num_values, struct ae_template *const *templates, size_t n,
			struct ae_enrollment_service *const *cas, size_t num_cas, time_t now,
			struct ae_ds_cert **_out, size_t *_num, size_t *_rejected);

#endif
