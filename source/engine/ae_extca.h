/*
 * ae_extca.h: enrollment for a key holder outside the store, e.g.
 * certmonger's external CA helper: the key and the PKCS#10 are the
 * caller's, nothing is written to the store, the verified certificate is
 * handed back. The CA lookup, the MS-ICPR call (the session's machine
 * Kerberos credentials, packet privacy), the disposition and the checks of
 * an issued certificate (it carries the request's key and chains to the
 * CA certificate published in AD) are those of `autoenroll request`
 * (ae_enroll.c), [MS-ICPR] 3.2.4.1.1 / [MS-WCCE] 3.2.2.6.
 */
#ifndef AE_EXTCA_H
#define AE_EXTCA_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include "ae_error.h"
#include "ae_enroll.h"
#include "ae_session.h"

/* A request read and checked before anything is sent (ae_extca_csr_read). */
struct ae_csr_info;
struct ae_extca_csr {
	uint8_t *der;
	size_t der_len;
	const char *template_name;	/* the request's v1 template name extension, or NULL */
	const char *template_oid;	/* its v2+ template extension's OID, or NULL */
	uint8_t spki_sha256[32];	/* SHA-256 of its SubjectPublicKeyInfo */
	struct ae_csr_info *info;	/* the parsed request (request layer) */
};

/*
 * PEM ("CERTIFICATE REQUEST", at most AE_EXTCA_CSR_MAX bytes) -> a checked
 * request: one block, a valid self-signature, an RSA or EC key, well-formed
 * template extensions. No network. On failure AE_ERR_* and 'why' (never
 * NULL) names the cause; *_c (on mem) set only on success.
 */
#define AE_EXTCA_CSR_MAX (64 * 1024)
ae_err ae_extca_csr_read(TALLOC_CTX *mem, const uint8_t *pem, size_t len,
			 struct ae_extca_csr **_c, char *why, size_t why_len);

/*
 * The answer: r as for `autoenroll request` (outcome ISSUED, PENDING,
 * REJECTED with hresult(_name) and message, UNREACHABLE, MISCONFIGURED,
 * UNVERIFIED; request_id and ca_name of the CA asked), and for ISSUED the
 * verified leaf and the chain the verification built, PEM.
 */
struct ae_extca_answer {
	struct ae_enroll_result *r;
	char *cert_pem;
	char *chain_pem;
};

/*
 * Send c to the CA for template_name (NULL: the request's own template
 * name, else the template whose OID its v2 extension names; a name given
 * here that contradicts the request's v1 name is MISCONFIGURED). ca_name
 * NULL: the first enterprise CA that publishes the template. Returns AE_OK
 * when the CA answered (look at (*_a)->r->outcome), an error with
 * (*_a)->r filled otherwise; *_a is set unless AE_ERR_NOMEM.
 */
ae_err ae_extca_submit(TALLOC_CTX *mem, struct ae_session *s, const char *template_name,
		       const char *ca_name, const struct ae_extca_csr *c,
		       struct ae_extca_answer **_a);

/*
 * Ask CA ca_name (an enterprise CA in AD, by cn) for request_id again
 * ([MS-ICPR] 3.2.4.1.1: retrieval, both blobs empty); an issued
 * certificate must carry c's key. template_name only names the request in
 * messages (may be NULL). As ae_extca_submit otherwise.
 */
ae_err ae_extca_poll(TALLOC_CTX *mem, struct ae_session *s, const char *template_name,
		     const char *ca_name, uint32_t request_id, const struct ae_extca_csr *c,
		     struct ae_extca_answer **_a);

/*
 * The templates the session's principal may request explicitly
 * (ae_eligibility_compute_enroll: Enroll granted, published by a CA, the
 * right context, ...), their cn in directory order, on mem. 'why' names
 * the cause of a failure.
 */
ae_err ae_extca_templates(TALLOC_CTX *mem, struct ae_session *s, char ***_names,
			  size_t *_n, char *why, size_t why_len);

/* A root certificate of the forest: a nickname (its subject) and its PEM. */
struct ae_extca_root {
	char *nickname;
	char *pem;
};

/*
 * The self-signed certificates of CN=Certification Authorities (the
 * forest's trusted roots, as the cycle's trust anchors), over the sealed
 * LDAP connection; values that do not parse or are not self-signed are
 * left out. *_roots on mem.
 */
ae_err ae_extca_roots(TALLOC_CTX *mem, struct ae_session *s, struct ae_extca_root **_roots,
		      size_t *_n, char *why, size_t why_len);

#endif
