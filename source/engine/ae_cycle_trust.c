/*
 * ae_cycle_trust.c: trust anchors from AD for the system trust store, as
 * Windows autoenrollment downloads them ("Certificate Autoenrollment in
 * Windows Server 2003", Autoenrollment Functions; containers: [MS-WCCE]
 * 2.2.2.11.3-4): the roots
 * of CN=Certification Authorities, the intermediates of CN=AIA and the
 * issuing CAs' certificates, one autoenroll-<SHA-1>.crt each in the trust
 * directory (a certificate that leaves AD leaves the directory), then the
 * trust-store command when something changed; NTAuth goes separately to
 * <store>/ntauth.pem for applications that need it.
 *
 * smb.conf: autoenroll:trust dir (default /usr/local/share/ca-certificates/
 * autoenroll), autoenroll:trust command (default update-ca-certificates;
 * "none" skips it).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <talloc.h>
#include <param.h>
#include "ae_cycle.h"
#include "ae_policy_report.h"
#include "ae_log.h"
#include "ae_pki.h"
#include "ae_x509.h"
#include "ae_store.h"

struct trust_set {
	struct ae_trust_cert *certs;
	char **thumbs;
	size_t n;
};

static ae_err add_der(TALLOC_CTX *mem, struct trust_set *set, const uint8_t *der, size_t len)
{
	struct ae_cert *cert = NULL;
	char *thumb = NULL, *pem = NULL;
	size_t pem_len = 0, i;

	if (ae_cert_parse_der(mem, der, len, &cert) != AE_OK ||
	    ae_cert_thumbprint_hex(mem, cert, &thumb) != AE_OK ||
	    ae_cert_to_pem(mem, cert, &pem, &pem_len) != AE_OK) {
		AE_WARN("a CA certificate in AD does not parse; not exported");
		return AE_OK;
	}
	for (i = 0; i < set->n; i++) {
		if (strcmp(set->thumbs[i], thumb) == 0) {
			return AE_OK;
		}
	}
	if (set->n == AE_TRUST_MAX) {
		return AE_ERR_TOO_LARGE;
	}
	set->thumbs[set->n] = thumb;
	set->certs[set->n].name = ae_store_trust_name(mem, thumb);
	set->certs[set->n].pem = pem;
	set->n++;
	return AE_OK;
}

static ae_err read_container(struct ae_session *s, TALLOC_CTX *mem, struct trust_set *set,
			     const char *container)
{
	struct ae_der_blob *certs = NULL;
	size_t n = 0, i;
	ae_err err;

	err = ae_policy_read_ca_certs(s->ldap, mem, s->rootdse->configuration_nc, container,
				      &certs, &n);
	for (i = 0; err == AE_OK && i < n; i++) {
		err = add_der(mem, set, certs[i].der, certs[i].len);
	}
	return err;
}

static int run_command(const char *cmd)
{
	int status = system(cmd);

	return status == -1 ? -1 : (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

ae_err ae_cycle_trust_sync(struct ae_session *s, TALLOC_CTX *mem, struct ae_cycle_report *r,
			   const char *store_dir)
{
	const char *dir = lpcfg_parm_string(s->lp, NULL, "autoenroll", "trust dir");
	const char *cmd = lpcfg_parm_string(s->lp, NULL, "autoenroll", "trust command");
	struct trust_set set = { 0 };
	struct trust_set ntauth = { 0 };
	const char **pems = NULL;
	char *ntauth_path = NULL;
	size_t i, j;
	ae_err err;

	set.certs = talloc_zero_array(mem, struct ae_trust_cert, AE_TRUST_MAX);
	set.thumbs = talloc_zero_array(mem, char *, AE_TRUST_MAX);
	ntauth.certs = talloc_zero_array(mem, struct ae_trust_cert, AE_TRUST_MAX);
	ntauth.thumbs = talloc_zero_array(mem, char *, AE_TRUST_MAX);
	if (set.certs == NULL || set.thumbs == NULL || ntauth.certs == NULL ||
	    ntauth.thumbs == NULL) {
		return AE_ERR_NOMEM;
	}
	r->trust_dir = talloc_strdup(r, dir != NULL && dir[0] != '\0' ? dir : AE_TRUST_DIR_DEFAULT);
	err = read_container(s, mem, &set, "Certification Authorities");
	if (err == AE_OK) {
		err = read_container(s, mem, &set, "AIA");
	}
	for (i = 0; err == AE_OK && i < r->policy->num_cas; i++) {
		for (j = 0; err == AE_OK && j < r->policy->cas[i]->num_ca_certs; j++) {
			err = add_der(mem, &set, r->policy->cas[i]->ca_certs[j].der,
				      r->policy->cas[i]->ca_certs[j].len);
		}
	}
	if (err == AE_OK) {
		err = read_container(s, mem, &ntauth, "NTAuth");
	}
	if (err != AE_OK) {
		AE_ERROR("trust anchors: cannot read the CA certificates from %s: %s", s->dc,
			 ae_strerror(err));
		return err;
	}
	err = ae_store_trust_sync(r->trust_dir, set.certs, set.n, &r->trust_changed);
	if (err != AE_OK) {
		AE_ERROR("trust anchors: cannot update %s: %s", r->trust_dir, ae_strerror(err));
		return err;
	}
	if (r->trust_changed && !(cmd != NULL && strcmp(cmd, "none") == 0)) {
		const char *run = cmd != NULL && cmd[0] != '\0' ? cmd : "update-ca-certificates";
		int rc = run_command(run);
		if (rc != 0) {
			AE_WARN("trust anchors: '%s' exited with %d", run, rc);
		}
	}
	pems = talloc_zero_array(mem, const char *, ntauth.n + 1);
	ntauth_path = talloc_asprintf(mem, "%s/ntauth.pem", store_dir);
	if (pems == NULL || ntauth_path == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < ntauth.n; i++) {
		pems[i] = ntauth.certs[i].pem;
	}
	err = ae_store_write_pem_bundle(ntauth_path, pems, ntauth.n, NULL);
	if (err != AE_OK) {
		AE_ERROR("trust anchors: cannot write %s: %s", ntauth_path, ae_strerror(err));
	}
	return err;
}
