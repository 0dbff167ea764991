/*
 * ae_enroll_tpl.c: what a template asks of the key and of the PKCS#10,
 * shared by `autoenroll request` (ae_enroll_flow.c) and the cycle
 * (ae_cycle.c, ae_cycle_act.c) through ae_enroll_csr_params and
 * ae_cycle_key_spec.
 *
 *   key algorithm   msPKI-Asymmetric-Algorithm of msPKI-RA-Application-
 *                   Policies syntax 2 ([MS-CRTD] 2.23.2) for schema 3 and 4
 *                   templates without CT_FLAG_USE_LEGACY_PROVIDER ([MS-WCCE]
 *                   3.1.2.4.2.2.2.2, 3.1.2.4.2.2.2.5): RSA, ECDSA_P256/384/521;
 *                   the size from msPKI-Minimal-Key-Size (3.1.2.4.2.2.2.1)
 *   hash            msPKI-Hash-Algorithm (same attribute): the client "MUST
 *                   use the value ... as the hash algorithm while creating the
 *                   signature of the certificate request" ([MS-WCCE]
 *                   3.1.2.4.2.2.2.5); SHA256/384/512, else SHA-256 (logged)
 *   key usage       pKIKeyUsage ([MS-CRTD] 2.13; [MS-WCCE] 3.1.2.4.2.2.1.3:
 *                   the client creates the key usage extension), critical when
 *                   listed in pKICriticalExtensions ([MS-CRTD] 2.7)
 *   issuance pol.   msPKI-Certificate-Policy ([MS-CRTD] 2.24; [MS-WCCE]
 *                   3.1.2.4.2.2.2.9: one PolicyInformation per OID, no
 *                   qualifiers); the CA issues them from the request with
 *                   CT_FLAG_ISSUANCE_POLICIES_FROM_REQUEST (0x20000, [MS-CRTD]
 *                   2.26, [MS-WCCE] 3.2.2.6.2.1.4.5.8)
 *   SID extension   szOID_NTDS_CA_SECURITY_EXT with the requester's objectSid
 *                   when the template has CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT: the
 *                   CA "MUST consider this extension from request attributes
 *                   only when" that flag is set ([MS-WCCE] 2.2.2.7.7.4,
 *                   3.2.2.6.2.1.4.5.9); strong certificate mapping, KB5014754
 */
#include <string.h>
#include <talloc.h>
#include "ae_csr.h"
#include "ae_enroll_private.h"
#include "ae_key.h"
#include "ae_log.h"
#include "ae_sid.h"
#include "ae_template.h"

ae_err ae_enroll_template_key_spec(const struct ae_template *t, struct ae_key_spec *spec)
{
	const char *alg = t->ra.asymmetric_algorithm;
	ae_err err;

	if (t->schema_version < 3 || (t->private_key_flag & CT_FLAG_USE_LEGACY_PROVIDER) != 0 ||
	    (t->ra.present & AE_RA_HAS_ASYMMETRIC_ALGORITHM) == 0 || alg == NULL) {
		return AE_ERR_NOT_FOUND;
	}
	err = ae_key_spec_from_algorithm(alg, spec);
	if (err != AE_OK) {
		AE_ERROR("template %s: msPKI-Asymmetric-Algorithm '%s' is not a signature "
			 "algorithm this client generates (RSA, ECDSA_P256, ECDSA_P384, "
			 "ECDSA_P521)", t->cn, alg);
		return AE_ERR_UNSUPPORTED;
	}
	return AE_OK;
}

/* A NULL-terminated copy of list[0..n) on mem (NULL when n is 0). */
static const char *const *terminated(TALLOC_CTX *mem, char *const *list, size_t n, bool *_ok)
{
	const char **out = NULL;

	*_ok = true;
	if (n == 0) {
		return NULL;
	}
	out = talloc_zero_array(mem, const char *, n + 1);
	if (out == NULL) {
		*_ok = false;
		return NULL;
	}
	memcpy(out, list, n * sizeof(*out));
	return out;
}

ae_err ae_enroll_template_csr_params(TALLOC_CTX *mem, const struct ae_template *t,
				     const struct ae_sid *sid, struct ae_csr_params *p)
{
	bool ok1, ok2;

	if (t->schema_version >= 3 && (t->ra.present & AE_RA_HAS_HASH_ALGORITHM) != 0 &&
	    t->ra.hash_algorithm != NULL &&
	    ae_csr_hash_from_name(t->ra.hash_algorithm, &p->hash) != AE_OK) {
		AE_WARN("template %s: msPKI-Hash-Algorithm '%s' is not SHA256, SHA384 or SHA512: "
			"the request is signed with SHA-256", t->cn, t->ra.hash_algorithm);
		p->hash = AE_CSR_HASH_SHA256;
	}
	p->key_usage = t->key_usage;
	/* pKIKeyUsage may carry more octets than the 9 bits of KeyUsage need */
	p->key_usage_len = t->key_usage_len;
	if (p->key_usage_len > AE_CSR_KEY_USAGE_MAX) {
		p->key_usage_len = AE_CSR_KEY_USAGE_MAX;
	}
	p->critical_oids = terminated(mem, t->critical_extensions, t->num_critical_extensions,
				      &ok1);
	p->cert_policies = t->schema_version >= 2 ?
		terminated(mem, t->cert_policies, t->num_cert_policies, &ok2) : NULL;
	if (t->schema_version < 2) {
		ok2 = true;
	}
	if (!ok1 || !ok2) {
		return AE_ERR_NOMEM;
	}
	if ((t->name_flag & CT_FLAG_ENROLLEE_SUPPLIES_SUBJECT) != 0 && sid != NULL) {
		p->sid = ae_sid_to_string(mem, sid);
		if (p->sid == NULL) {
			return AE_ERR_NOMEM;
		}
	}
	return AE_OK;
}
