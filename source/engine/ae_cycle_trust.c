/*
 * ae_cycle_trust.c: the cycle's trust phase. The CA certificates published
 * in AD go where their role says (ae_cycle_trust.h has the rule):
 *
 * - the self-signed roots of CN=Certification Authorities, one
 *   autoenroll-<SHA-1>.crt each, into the trust dir that the trust command
 *   (update-ca-certificates) turns into system trust anchors; a root that
 *   leaves AD leaves the directory, but only after a successful read of
 *   that container (a failed search removes nothing);
 * - CN=AIA and the issuing CAs' certificates (intermediates,
 *   cross-certificates) into one PEM bundle, never into the trust dir;
 * - NTAuth into <store>/ntauth.pem.
 *
 * The trust command runs when the anchors changed or when it has not yet
 * succeeded for the files in the trust dir (ae_store_trust_pending); only its
 * success is recorded (ae_store_trust_mark_synced), so a failed command is
 * run again on the next cycle and reported as a failure of this one.
 *
 * smb.conf: autoenroll:trust dir (default /usr/local/share/ca-certificates/
 * autoenroll), autoenroll:trust command (default update-ca-certificates;
 * "none" skips it): a program and its arguments separated by blanks, run
 * without a shell by ae_child_run (fixed PATH and LANG, no KRB5CCNAME,
 * stdin /dev/null, its output to our log, killed after
 * AE_TRUST_CMD_TIMEOUT_S); autoenroll:intermediates file (default
 * <store>/intermediates.pem).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <talloc.h>
#include <param.h>
#include "ae_child.h"
#include "ae_cycle.h"
#include "ae_cycle_trust.h"
#include "ae_policy_report.h"
#include "ae_log.h"
#include "ae_pki.h"
#include "ae_store.h"
#include "ae_x509.h"
#include "ae_config.h"

#define TRUST_PROBLEMS_SHOWN 16		/* problem lines in the report; all are logged */

struct trust_values {
	struct ae_trust_value *v;
	size_t n;
	size_t left_out;		/* values beyond AE_TRUST_VALUES_MAX */
	bool roots_left_out;		/* some of them from CN=Certification Authorities */
};

static void add_value(struct trust_values *tv, enum ae_trust_source src, const char *dn,
		      size_t index, const uint8_t *der, size_t len)
{
	if (tv->n == AE_TRUST_VALUES_MAX) {
		tv->left_out++;
		tv->roots_left_out |= src == AE_TRUST_SRC_ROOTS;
		return;
	}
	tv->v[tv->n].source = src;
	tv->v[tv->n].dn = dn;
	tv->v[tv->n].index = index;
	tv->v[tv->n].der = der;
	tv->v[tv->n].len = len;
	tv->n++;
}

/*
 * The cACertificate values of every certificationAuthority directly below
 * container. *_read is true when the directory answered (a missing
 * container is an answer: nothing there); a failed search is reported and
 * leaves *_read false.
 */
static ae_err read_container(struct ae_session *s, TALLOC_CTX *mem, struct ae_cycle_report *r,
			     struct trust_values *tv, const char *container,
			     enum ae_trust_source src, bool *_read)
{
	static const char *const attrs[] = { "cACertificate", NULL };
	char *base = ae_pki_dn(mem, s->rootdse->configuration_nc, container);
	struct ae_ldap_entry **entries = NULL;
	size_t num = 0, i, j;
	ae_err err;

	if (base == NULL) {
		return AE_ERR_NOMEM;
	}
	err = ae_ldap_search(s->ldap, mem, base, AE_LDAP_SCOPE_ONE,
			     "(objectClass=certificationAuthority)", attrs, 0, &entries, &num);
	if (err == AE_ERR_NOT_FOUND) {
		AE_INFO("trust anchors: no %s on %s", base, s->dc);
		*_read = true;
		return AE_OK;
	}
	if (err != AE_OK) {
		ae_cycle_trust_item(r, "failed", AE_OUTCOME_UNREACHABLE,
			   talloc_asprintf(r, "trust anchors: cannot read %s on %s: %s; what came "
					   "from it is left as it is", base, s->dc, ae_strerror(err)));
		return err == AE_ERR_NOMEM ? err : AE_OK;
	}
	for (i = 0; i < num; i++) {
		const struct ae_ldap_attr *a = ae_entry_attr(entries[i], "cACertificate");
		for (j = 0; a != NULL && j < a->num_values; j++) {
			add_value(tv, src, entries[i]->dn, j, a->values[j].data, a->values[j].len);
		}
	}
	*_read = true;
	return AE_OK;
}

static void report_problems(struct ae_cycle_report *r, const struct ae_trust_plan *p,
			    size_t left_out)
{
	size_t i;

	for (i = 0; i < p->num_problems && i < TRUST_PROBLEMS_SHOWN; i++) {
		ae_cycle_trust_item(r, "warned", AE_OUTCOME_ISSUED, talloc_strdup(r, p->problems[i]));
	}
	if (p->num_problems > TRUST_PROBLEMS_SHOWN) {
		ae_cycle_trust_item(r, "warned", AE_OUTCOME_ISSUED,
			   talloc_asprintf(r, "%zu more certificate problems (in the log)",
					   p->num_problems - TRUST_PROBLEMS_SHOWN));
	}
	if (left_out > 0) {
		AE_WARN("trust anchors: %zu cACertificate values beyond the first %d not looked at",
			left_out, AE_TRUST_VALUES_MAX);
		ae_cycle_trust_item(r, "warned", AE_OUTCOME_ISSUED,
			   talloc_asprintf(r, "%zu cACertificate values beyond the first %d not "
					   "looked at", left_out, AE_TRUST_VALUES_MAX));
	}
}

#define AE_TRUST_CMD_TIMEOUT_S 300

/* Log what the command wrote, one line at a time. */
static void log_output(const char *cmd, const struct ae_child_result *res, bool failed)
{
	const char *p = res->output;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, "\n");

		if (failed) {
			AE_WARN("trust command '%s': %.*s", cmd, (int)n, p);
		} else {
			AE_INFO("trust command '%s': %.*s", cmd, (int)n, p);
		}
		p += n + (p[n] == '\n');
	}
}

/*
 * Run the trust-store command (ae_child_run: no shell, clean environment,
 * output to the log). AE_OK when it exited 0; otherwise why says how it
 * failed ("exit N", "ended by signal N", "killed after N s", or why it
 * could not be started).
 */
static ae_err run_trust_command(const char *cmd, char *why, size_t why_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ae_child_result *res = NULL;
	char **argv = NULL;
	ae_err err;

	if (tmp == NULL) {
		snprintf(why, why_len, "out of memory");
		return AE_ERR_NOMEM;
	}
	err = ae_child_split(tmp, cmd, &argv, why, why_len);
	if (err == AE_OK) {
		err = ae_child_run(tmp, (const char *const *)argv, AE_TRUST_CMD_TIMEOUT_S * 1000,
				   &res, why, why_len);
	}
	if (err == AE_OK) {
		bool ok = res->exited && res->status == 0;

		log_output(cmd, res, !ok);
		if (res->timed_out) {
			snprintf(why, why_len, "killed after %d s", AE_TRUST_CMD_TIMEOUT_S);
		} else if (res->exited) {
			snprintf(why, why_len, "exit %d", res->status);
		} else {
			snprintf(why, why_len, "ended by signal %d", res->status);
		}
		err = ok ? AE_OK : AE_ERR_IO;
	} else if (err != AE_ERR_NOMEM) {
		err = AE_ERR_IO;
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_cycle_trust_offer(struct ae_cycle_report *r, const char *cmd, bool changed)
{
	const char *run = cmd != NULL && cmd[0] != '\0' ? cmd : "update-ca-certificates";
	bool pending = false;
	char why[512] = "";
	ae_err err;

	if (cmd != NULL && strcmp(cmd, "none") == 0) {
		r->trust_changed = changed;
		return AE_OK;
	}
	err = ae_store_trust_pending(r->trust_dir, &pending);
	if (err != AE_OK) {
		pending = true;		/* unknown: offering them again is harmless */
	}
	if (!changed && !pending) {
		return AE_OK;
	}
	err = run_trust_command(run, why, sizeof(why));
	if (err != AE_OK) {
		ae_cycle_trust_item(r, "failed", AE_OUTCOME_STORE,
			   talloc_asprintf(r, "trust command '%s' failed: %s; the anchors will be "
					   "offered again on the next run", run, why));
		return err == AE_ERR_NOMEM ? err : AE_ERR_IO;
	}
	r->trust_changed = true;
	err = ae_store_trust_mark_synced(r->trust_dir);
	if (err != AE_OK) {
		AE_WARN("trust anchors: cannot record in %s that '%s' succeeded: %s (it runs "
			"again next time)", r->trust_dir, run, ae_strerror(err));
	}
	return AE_OK;
}

static ae_err ntauth_sync(struct ae_session *s, TALLOC_CTX *mem, struct ae_cycle_report *r,
			  const char *store_dir)
{
	struct ae_der_blob *certs = NULL;
	const char **pems = NULL;
	size_t n = 0, i, len = 0, kept = 0;
	ae_err err;

	err = ae_policy_read_ca_certs(s->ldap, mem, s->rootdse->configuration_nc,
				      AE_PKI_STORE_NTAUTH, &certs, &n);
	if (err != AE_OK) {
		ae_cycle_trust_item(r, "failed", AE_OUTCOME_UNREACHABLE,
			   talloc_asprintf(r, "NTAuth: cannot read it from %s: %s; %s/ntauth.pem "
					   "is left as it is", s->dc, ae_strerror(err), store_dir));
		return err;
	}
	pems = talloc_zero_array(mem, const char *, n + 1);
	for (i = 0; pems != NULL && i < n; i++) {
		struct ae_cert *c = NULL;
		char *pem = NULL;
		if (ae_cert_parse_der(mem, certs[i].der, certs[i].len, &c) != AE_OK ||
		    ae_cert_to_pem(mem, c, &pem, &len) != AE_OK) {
			AE_WARN("NTAuth: certificate %zu does not parse; not exported", i);
			continue;
		}
		pems[i] = pem;
	}
	if (pems == NULL) {
		return AE_ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {	/* drop the holes */
		if (pems[i] != NULL) {
			pems[kept++] = pems[i];
		}
	}
	return ae_cycle_trust_bundle(r, talloc_asprintf(mem, "%s/ntauth.pem", store_dir), pems, kept,
			    "NTAuth bundle");
}

ae_err ae_cycle_trust_sync(struct ae_session *s, TALLOC_CTX *mem, struct ae_cycle_report *r,
			   const char *store_dir)
{
	const char *dir = s->config->trust_dir;		/* validated by ae_config */
	const char *cmd = s->config->trust_command;
	const char *inter = s->config->intermediates_file;
	struct trust_values tv = { 0 };
	struct ae_trust_plan *plan = NULL;
	bool roots_read = false, aia_read = false, changed = false;
	ae_err err = AE_OK, first = AE_OK;
	size_t i, j;

	r->trust_dir = talloc_strdup(r, dir != NULL && dir[0] != '\0' ? dir : AE_TRUST_DIR_DEFAULT);
	inter = inter != NULL && inter[0] != '\0' ? inter :
		talloc_asprintf(mem, "%s/intermediates.pem", store_dir);
	tv.v = talloc_zero_array(mem, struct ae_trust_value, AE_TRUST_VALUES_MAX);
	if (r->trust_dir == NULL || inter == NULL || tv.v == NULL) {
		return AE_ERR_NOMEM;
	}
	err = read_container(s, mem, r, &tv, AE_PKI_STORE_ROOTS, AE_TRUST_SRC_ROOTS, &roots_read);
	if (err == AE_OK) {
		err = read_container(s, mem, r, &tv, AE_PKI_STORE_AIA, AE_TRUST_SRC_AIA, &aia_read);
	}
	for (i = 0; r->policy != NULL && i < r->policy->num_cas; i++) {
		if (r->policy->cas[i]->xcep_ca != NULL) {
			continue;	/* a CEP's CA (no DN): not this forest's trust to export */
		}
		for (j = 0; j < r->policy->cas[i]->num_ca_certs; j++) {
			add_value(&tv, AE_TRUST_SRC_CA, r->policy->cas[i]->dn, j,
				  r->policy->cas[i]->ca_certs[j].der,
				  r->policy->cas[i]->ca_certs[j].len);
		}
	}
	if (err == AE_OK) {
		err = ae_trust_plan_build(mem, tv.v, tv.n, &plan);
	}
	if (err != AE_OK) {
		return err;
	}
	report_problems(r, plan, tv.left_out);
	if (tv.roots_left_out) {
		/* roots not looked at may have files: this read proves nothing about them */
		ae_cycle_trust_item(r, "failed", AE_OUTCOME_STORE,
				    talloc_asprintf(r, "trust anchors: more than %d cACertificate "
						    "values under CN=Certification Authorities; %s "
						    "is left as it is", AE_TRUST_VALUES_MAX,
						    r->trust_dir));
		roots_read = false;
	}
	first = ae_trust_plan_apply(r, plan, roots_read, aia_read, inter, &changed);
	err = ae_cycle_trust_offer(r, cmd, changed);
	first = first != AE_OK ? first : err;
	err = ntauth_sync(s, mem, r, store_dir);
	return first != AE_OK ? first : err;
}
