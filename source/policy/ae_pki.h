/*
 * ae_pki.h: the enrollment policy objects of the configuration NC, under
 * CN=Public Key Services,CN=Services,<configurationNamingContext>:
 *
 *   CN=Certificate Templates      pKICertificateTemplate   (ae_template.h)
 *   CN=Enrollment Services        pKIEnrollmentService     (the enterprise CAs)
 *   CN=Certification Authorities  certificationAuthority   (forest roots)
 *   CN=AIA                        certificationAuthority   (intermediates, cross)
 *   CN=NTAuthCertificates         one certificationAuthority object
 *
 * Readers (ae_policy_read_*) search over an ae_ldap connection; the entry
 * parsers and ae_policy_find_ca() are pure and unit-tested without LDAP.
 * All outputs are talloc trees on the caller's mem_ctx, set only on success.
 * Pass rootDSE configurationNamingContext as config_nc (never the domain
 * NC: child domains would miss the forest's objects).
 */
#ifndef AE_PKI_H
#define AE_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_entry.h"
#include "ae_ldap.h"
#include "ae_template.h"

#define AE_PKI_CERT_MAX		(64u * 1024u)	/* bytes of one DER certificate */
#define AE_PKI_CERTS_MAX	256		/* certificates per object / store */
#define AE_PKI_NAME_MAX		256		/* bytes of cn, displayName, host */
#define AE_PKI_TEMPLATES_MAX	4096		/* certificateTemplates of one CA */
#define AE_PKI_SERVERS_MAX	64		/* msPKI-Enrollment-Servers values */

/* Container names accepted by ae_policy_read_ca_certs(). */
#define AE_PKI_STORE_ROOTS	"Certification Authorities"
#define AE_PKI_STORE_AIA	"AIA"
#define AE_PKI_STORE_NTAUTH	"NTAuth"

/* One DER blob (a cACertificate value). */
struct ae_der_blob {
	uint8_t *der;
	size_t len;
};

/* A pKIEnrollmentService object: one enterprise CA. */
struct ae_xcep_ca;

struct ae_enrollment_service {
	char *dn;
	char *cn;			/* the CA name (sanitized form, MS-WCCE 3.1.1.4.1.1) */
	char *display_name;		/* NULL when absent */
	char *dns_host;			/* dNSHostName: where requests go; NULL if absent */
	struct ae_der_blob *ca_certs;	/* cACertificate (the CA's own certificates) */
	size_t num_ca_certs;
	char **templates;		/* certificateTemplates: template cn values */
	size_t num_templates;
	uint32_t flags;			/* flags (bit pattern of the signed INTEGER) */
	char **enrollment_servers;	/* msPKI-Enrollment-Servers, raw text values */
	size_t num_enrollment_servers;
	uint64_t usn_changed;
	/*
	 * A CA of an MS-XCEP policy server ([MS-XCEP] 3.1.4.1.3.2), mapped onto
	 * this model so eligibility and the cycle treat both alike: cn is the
	 * CA certificate's subject CN, dns_host the host of its first URI,
	 * ca_certs its certificate, templates the cn of every template whose
	 * cAReferences name it, dn NULL. Requests go over MS-WSTEP to
	 * xcep_ca->uris (by priority). NULL for an Enrollment Services object
	 * (MS-ICPR). polsrv: the index of its policy server in the policy
	 * report's servers[] (engine).
	 */
	const struct ae_xcep_ca *xcep_ca;
	size_t polsrv;
};

/*
 * "CN=Public Key Services,CN=Services,<config_nc>", prefixed with
 * "CN=<container>," when container is not NULL. NULL on allocation failure.
 */
char *ae_pki_dn(TALLOC_CTX *mem_ctx, const char *config_nc, const char *container);

/*
 * Pure: an enrollment service from its entry. cn is required; a bad value
 * gives AE_ERR_PARSE with 'why' naming the attribute. A cACertificate value
 * that is not one DER SEQUENCE of at most AE_PKI_CERT_MAX bytes (trailing
 * bytes refused) is AE_ERR_PARSE too.
 */
ae_err ae_enrollment_service_from_attrs(TALLOC_CTX *mem_ctx, const struct ae_ldap_entry *e,
					struct ae_enrollment_service **_s,
					char *why, size_t why_len);

/*
 * Pure: the cACertificate values of 'entries', in order, without
 * duplicates. A value that is not one DER SEQUENCE is skipped with AE_WARN
 * naming the entry. More than AE_PKI_CERTS_MAX distinct values is
 * AE_ERR_TOO_LARGE. *_certs is a talloc array on mem_ctx (NULL when none).
 */
ae_err ae_ca_certs_from_entries(TALLOC_CTX *mem_ctx, struct ae_ldap_entry *const *entries,
				size_t num_entries, struct ae_der_blob **_certs, size_t *_num);

/* True when p[0..len) is exactly one DER SEQUENCE (outer TLV only). */
bool ae_der_is_sequence(const uint8_t *p, size_t len);

/* A template that did not parse: its DN and why (naming the attribute). */
struct ae_policy_skip {
	char *dn;
	char *why;
};

/*
 * Read every template: subtree search of CN=Certificate Templates for
 * (objectClass=pKICertificateTemplate), with the SD_FLAGS control and
 * nTSecurityDescriptor when with_sd. A template that fails to parse is
 * logged (AE_WARN with its DN and the reason) and skipped; with _skipped
 * and _num_skipped (both may be NULL) the caller gets them as an array on
 * mem_ctx. *_t is a talloc array on mem_ctx.
 * Errors: AE_ERR_LDAP, AE_ERR_NOT_FOUND (no such container), AE_ERR_NOMEM.
 */

ae_err ae_policy_read_templates(struct ae_ldap *conn, TALLOC_CTX *mem_ctx,
				const char *config_nc, bool with_sd,
				struct ae_template ***_t, size_t *_n,
				struct ae_policy_skip **_skipped, size_t *_num_skipped);

/*
 * Read one template by cn (the value is escaped into the filter), with its
 * nTSecurityDescriptor. AE_ERR_NOT_FOUND when absent (logged with the
 * name), AE_ERR_PARSE when it does not parse (logged with the reason).
 */
ae_err ae_policy_read_template(struct ae_ldap *conn, TALLOC_CTX *mem_ctx,
			       const char *config_nc, const char *cn,
			       struct ae_template **_t);

/*
 * Read every pKIEnrollmentService under CN=Enrollment Services (subtree).
 * An object that fails to parse is logged and skipped. An absent container
 * gives zero services (AE_OK). *_s is a talloc array on mem_ctx.
 */
ae_err ae_policy_read_enrollment_services(struct ae_ldap *conn, TALLOC_CTX *mem_ctx,
					  const char *config_nc,
					  struct ae_enrollment_service ***_s, size_t *_n);

/*
 * The cACertificate values of one store: AE_PKI_STORE_ROOTS or
 * AE_PKI_STORE_AIA (every certificationAuthority directly below that
 * container) or AE_PKI_STORE_NTAUTH (the single object
 * CN=NTAuthCertificates). Store names compare case-insensitively; others
 * are AE_ERR_INVALID. A missing container or object gives zero
 * certificates (AE_OK): Samba's provision creates no NTAuthCertificates.
 */
ae_err ae_policy_read_ca_certs(struct ae_ldap *conn, TALLOC_CTX *mem_ctx,
			       const char *config_nc, const char *store,
			       struct ae_der_blob **_certs, size_t *_num);

/*
 * Pure: choose an enrollment service.
 * - name != NULL: the service whose cn or displayName equals name
 *   (case-insensitive), also accepting "<dNSHostName>\<cn>"; when
 *   template_cn is also given, that service must publish it.
 * - name == NULL: the first service that publishes template_cn
 *   (certificateTemplates, case-insensitive).
 * AE_ERR_NOT_FOUND with 'why' naming the CA and/or the template and listing
 * what exists; AE_ERR_INVALID when both are NULL. *_ca points into svcs.
 */
ae_err ae_policy_find_ca(struct ae_enrollment_service *const *svcs, size_t num,
			 const char *name, const char *template_cn,
			 const struct ae_enrollment_service **_ca,
			 char *why, size_t why_len);

/* True when 'svc' lists template_cn in certificateTemplates (case-insensitive). */
bool ae_enrollment_service_publishes(const struct ae_enrollment_service *svc,
				     const char *template_cn);

/*
 * The cheap change check: the highest uSNChanged of any object under
 * CN=Public Key Services (one paged subtree search asking only for
 * uSNChanged) and the number of objects seen. A deleted object does not
 * raise the maximum, so compare the count too.
 */
ae_err ae_policy_pki_usn(struct ae_ldap *conn, const char *config_nc,
			 uint64_t *_max_usn, size_t *_num_objects);

#endif
