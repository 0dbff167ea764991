/*
 * ae_names.h: names an administrator chooses for a certificate (the subject
 * and subjectAltName of `autoenroll request --subject/--dns/--ip/--upn/
 * --email`), and the same names copied from a certificate being renewed
 * (CT_FLAG_OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME, [MS-CRTD] 2.28).
 *
 * Both become DER: the subject Name (RFC 5280 4.1.2.6) and the
 * GeneralNames of a subjectAltName extension (RFC 5280 4.2.1.6), which
 * ae_csr_build puts into the PKCS#10 subject and its extensionRequest
 * ([MS-WCCE] 3.1.2.4.2.2.2.10: the enrollee supplies them in the request).
 */
#ifndef AE_NAMES_H
#define AE_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"

#define AE_NAMES_DN_MAX		1024u	/* characters of an RFC 4514 string */
#define AE_NAMES_RDNS_MAX	32u	/* RDNs of a subject */
#define AE_NAMES_VALUE_MAX	256u	/* one UPN or e-mail address */
#define AE_NAMES_SAN_MAX	100u	/* entries of a subjectAltName */
#define AE_NAMES_DER_MAX	(16u * 1024u)	/* subject or SAN DER copied from a certificate */

/* The administrator's values (NULL / NULL-terminated lists; all optional). */
struct ae_names_input {
	const char *subject;		/* RFC 4514, e.g. "CN=www.example.com,O=Example" */
	const char *const *dns;		/* dNSName: LDH labels, a leading "*." allowed */
	const char *const *ip;		/* iPAddress: IPv4 or IPv6 text (inet_pton) */
	const char *upn;		/* otherName szOID_NT_PRINCIPAL_NAME (UTF8String) */
	const char *email;		/* rfc822Name */
};

/* DER of the subject (NULL: none given) and of the SAN's GeneralNames (NULL: none). */
struct ae_names {
	uint8_t *subject_der;
	size_t subject_len;
	uint8_t *san_der;
	size_t san_len;
};

/* Value checks (pure). */
bool ae_names_dns_ok(const char *s);
bool ae_names_ip_ok(const char *s);
bool ae_names_mailbox_ok(const char *s);	/* UPN: one '@', no controls or blanks
						 * (an e-mail also ASCII only) */

/*
 * in -> *_out on mem. A value that fails its check -> AE_ERR_INVALID and
 * *_why (on mem) names the option and the value's fault. *_out set only on
 * success (and *_why only on failure).
 */
ae_err ae_names_build(TALLOC_CTX *mem, const struct ae_names_input *in,
		      struct ae_names **_out, char **_why);

/*
 * The subject and the subjectAltName extension of a DER certificate
 * (p, len: exactly one certificate, no trailing bytes) -> *_out on mem;
 * san_der NULL when the certificate has no SAN, subject_der NULL when its
 * subject is empty. AE_ERR_PARSE for a certificate that does not parse.
 */
ae_err ae_names_from_cert(TALLOC_CTX *mem, const uint8_t *p, size_t len,
			  struct ae_names **_out);

/* The same from a parsed certificate (ae_x509.h). */
struct ae_cert;
ae_err ae_names_of_cert(TALLOC_CTX *mem, const struct ae_cert *c, struct ae_names **_out);

#endif
