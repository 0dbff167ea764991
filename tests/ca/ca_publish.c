/*
 * ca_publish.c: after a certificate is issued for a template with
 * CT_FLAG_PUBLISH_TO_DS ([MS-CRTD] 2.26: "publish the resultant certificate
 * to the userCertificate attribute in Active Directory"), add it to the
 * requester's object. As with AD CS, a failed publication does not undo the
 * issuance: the certificate is returned and the failure is logged, naming
 * the object and the template.
 */
#include "ae_hresult.h"
#include "ae_log.h"
#include "ca_policy.h"

bool ca_publish_issued(const struct ca_directory *dir, const struct ca_template *t,
		       const struct ca_account *acct, const struct ca_answer *a)
{
	ae_err err;

	if (a->disposition != AE_CR_DISP_ISSUED ||
	    (t->enrollment_flags & CA_ENROLL_PUBLISH_TO_DS) == 0) {
		return false;
	}
	if (acct == NULL || acct->dn == NULL || dir->publish_user_cert == NULL) {
		AE_WARN("icpr_ca: request %u (template %s): CT_FLAG_PUBLISH_TO_DS, but no "
			"writable object to publish to", a->request_id, t->cn);
		return false;
	}
	err = dir->publish_user_cert(dir->priv, acct->dn, a->cert.p, a->cert.len);
	if (err != AE_OK) {
		AE_WARN("icpr_ca: request %u (template %s): issued, but adding it to the "
			"userCertificate of %s failed: %s", a->request_id, t->cn, acct->dn,
			ae_strerror(err));
		return false;
	}
	AE_INFO("icpr_ca: request %u (template %s): published to the userCertificate of %s",
		a->request_id, t->cn, acct->dn);
	return true;
}
