/*
 * ca_cert.h: the certificate the CA issues for an accepted request
 * (MS-WCCE 3.2.2.6.2.1.4.5: subject and extensions from the template and
 * the requester's AD object) and the certs-only PKCS#7 it answers with.
 */
#ifndef CA_CERT_H
#define CA_CERT_H

#include <stdint.h>
#include <time.h>
#include <talloc.h>
#include "ae_error.h"
#include "ca.h"
#include "ca_ctx.h"
#include "ca_der.h"
#include "ca_request.h"

/* true when the template builds subject/SAN from AD (no enrollee subject) */
bool ca_subject_from_ad(const struct ca_template *t);

/*
 * 0 when the requester's AD object has every attribute the template's
 * name flags require, else the HRESULT AD CS answers with
 * (CERTSRV_E_SUBJECT_DNS_REQUIRED, ..._UPN_REQUIRED, ..._EMAIL_REQUIRED).
 */
uint32_t ca_subject_check(const struct ca_template *t, const struct ca_account *a);

/*
 * Build and sign (SHA-256, the CA key) the certificate for csr under
 * template t for account a, valid from now for the template's period (cut
 * at the CA's own notAfter), random positive 128-bit serial, issuer = CA
 * subject. Extensions: SAN, EKU, KeyUsage, application policies, template
 * (21.7 for schema >= 2, 20.2 name for v1), SID (25.2) unless
 * NO_SECURITY_EXTENSION, SKI, AKI, CRL distribution points (ca_ctx.h).
 * DER on mem_ctx.
 */
#define CA_OMIT_TEMPLATE_EXT_FILE "omit-template-ext"
#define CA_DENY_TEMPLATES_FILE "deny-templates"	/* ca_submit.c: templates denied */

/* (The template extension is left out while <ca dir>/CA_OMIT_TEMPLATE_EXT_FILE exists.) */
ae_err ca_cert_build(TALLOC_CTX *mem_ctx, const struct ca_ctx *ca, const struct ca_template *t,
		     const struct ca_account *a, const struct ca_csr *csr, time_t now,
		     struct ca_bytes *_leaf);

/*
 * authorityKeyIdentifier (keyid only): the CA's SKI, else the SHA-1 of its
 * public key (RFC 5280 4.2.1.2). NULL when it cannot be built. The caller
 * frees it.
 */
X509_EXTENSION *ca_aki_ext(const struct ca_ctx *ca);

/* DER PKCS#7 SignedData, certificates only: the leaf, then the CA. */
ae_err ca_cert_chain_p7(TALLOC_CTX *mem_ctx, const struct ca_ctx *ca, const struct ca_bytes *leaf,
			struct ca_bytes *_p7);

#endif
