/*
 * ca_local.c: ca-local's command line, and submit / retrieve through
 * ca_process() exactly as icpr_ca.c answers CertServerRequest (usage and
 * exit codes: ca_local.h). The answer is one JSON object on stdout:
 *   {"disposition": 3, "hresult": 0, "disposition_name": "CR_DISP_ISSUED",
 *    "request_id": 12, "message": "Issued", "template": "Machine",
 *    "certificate": "<base64 DER>"|null, "pkcs7": "<base64 DER>"|null}
 * disposition is the MS-ICPR value (2 denied, 3 issued, 5 pending) or the
 * HRESULT of a refusal, then also in hresult (0 otherwise).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <stdbool.h>
#include <param.h>
#include "ae_hresult.h"
#include "ae_log.h"
#include "ca_crl.h"
#include "ca_ctx.h"
#include "ca_db.h"
#include "ca_dir_ldb.h"
#include "ca_local.h"
#include "ca_local_chain.h"
#include "ca_policy.h"

#define CL_TEMPLATES_MAX	256u

static int usage(void)
{
	fprintf(stderr, "usage: ca-local policies --caller-sid SID\n"
		"       ca-local submit --caller-sid SID --ca-dir DIR [--ca-name NAME]"
		" [--ca-templates A,B] [--not-templates C,D] [--attrib Name:Value]... < request.der\n"
		"       ca-local retrieve --caller-sid SID --ca-dir DIR [--ca-name NAME]"
		" --request-id N\n"
		"       ca-local whois (--principal USER@REALM | --cert < cert.pem) [--ca-dir DIR]...\n"
		"environment: ICPR_SAM_LDB (the DC's sam.ldb), ICPR_SMB_CONF (its smb.conf)\n");
	return 1;
}

static bool parse_u32(const char *s, uint32_t *_v)
{
	char *end = NULL;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9' || strlen(s) > 10) {
		return false;
	}
	v = strtoull(s, &end, 10);
	if (*end != '\0' || v == 0 || v > UINT32_MAX) {
		return false;
	}
	*_v = (uint32_t)v;
	return true;
}

static bool parse_args(TALLOC_CTX *mem_ctx, int argc, char **argv, struct ca_local *cl)
{
	int i;

	cl->ca_dirs = talloc_zero_array(mem_ctx, const char *, argc);
	if (cl->ca_dirs == NULL) {
		return false;
	}
	for (i = 2; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(o, "--cert") == 0) {
			cl->cert = true;
			continue;
		}
		if (v == NULL) {
			return false;
		}
		i++;
		if (strcmp(o, "--caller-sid") == 0) {
			cl->caller_sid = v;
		} else if (strcmp(o, "--ca-dir") == 0) {
			if (v[0] != '/') {
				return false;
			}
			cl->ca_dir = cl->ca_dir ? cl->ca_dir : v;
			cl->ca_dirs[cl->num_ca_dirs++] = v;
		} else if (strcmp(o, "--ca-name") == 0) {
			cl->ca_name = v;
		} else if (strcmp(o, "--ca-templates") == 0) {
			cl->ca_templates = v;
		} else if (strcmp(o, "--not-templates") == 0) {
			cl->not_templates = v;
		} else if (strcmp(o, "--attrib") == 0 && cl->num_attribs < CA_LOCAL_ATTRIBS_MAX &&
			   strchr(v, '\n') == NULL && strchr(v, ':') != NULL) {
			cl->attribs[cl->num_attribs++] = v;
		} else if (strcmp(o, "--principal") == 0) {
			cl->principal = v;
		} else if (strcmp(o, "--request-id") == 0) {
			if (!parse_u32(v, &cl->request_id)) {
				return false;
			}
		} else {
			return false;
		}
	}
	return true;
}

static ae_err open_directory(TALLOC_CTX *mem_ctx, struct ca_local *cl)
{
	const char *conf = getenv("ICPR_SMB_CONF");

	cl->lp = loadparm_init_global(false);
	if (cl->lp == NULL || conf == NULL || !lpcfg_load(cl->lp, conf)) {
		AE_ERROR("ca-local: cannot load the DC's smb.conf (ICPR_SMB_CONF=%s)",
			 conf ? conf : "(unset)");
		return AE_ERR_CONFIG;
	}
	return ca_dir_ldb_open(mem_ctx, getenv("ICPR_SAM_LDB"), cl->lp, &cl->dir);
}

/*
 * --ca-templates: this CA's template list instead of its Enrollment
 * Services object's certificateTemplates; --not-templates: names taken off
 * the list (the CEP's cAReferences name another CA for them).
 */
struct listed_dir {
	struct ca_directory inner;
	const char *list;	/* NULL: the directory's */
	const char *not;	/* NULL: none */
};

static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && strncasecmp(p, name, n) == 0) {
			return true;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

static ae_err listed_templates(void *priv, TALLOC_CTX *mem_ctx, const char *ca_name,
			       const char ***_names, size_t *_num)
{
	struct listed_dir *l = priv;
	const char **v = NULL;
	char *copy = NULL, *tok, *save = NULL;
	size_t n = 0, i, k = 0;
	ae_err err;

	if (l->list == NULL) {
		err = l->inner.service_templates(l->inner.priv, mem_ctx, ca_name, &v, &n);
	} else {
		v = talloc_zero_array(mem_ctx, const char *, CL_TEMPLATES_MAX);
		copy = v ? talloc_strdup(v, l->list) : NULL;
		err = copy == NULL ? AE_ERR_NOMEM : AE_OK;
		for (tok = copy ? strtok_r(copy, ",", &save) : NULL;
		     tok != NULL && n < CL_TEMPLATES_MAX; tok = strtok_r(NULL, ",", &save)) {
			v[n++] = tok;
		}
	}
	if (err != AE_OK) {
		talloc_free(v);
		return err;
	}
	for (i = 0; i < n; i++) {
		if (l->not == NULL || !in_list(l->not, v[i])) {
			v[k++] = v[i];
		}
	}
	*_names = v;
	*_num = k;
	return AE_OK;
}

static ae_err lt_find_template(void *p, TALLOC_CTX *m, const char *k, bool o, struct ca_template **t)
{
	struct listed_dir *l = p;
	return l->inner.find_template(l->inner.priv, m, k, o, t);
}

static ae_err lt_find_account(void *p, TALLOC_CTX *m, const struct ca_sid *s, struct ca_account **a)
{
	struct listed_dir *l = p;
	return l->inner.find_account(l->inner.priv, m, s, a);
}

static ae_err lt_publish(void *p, const char *dn, const uint8_t *der, size_t len)
{
	struct listed_dir *l = p;
	return l->inner.publish_user_cert(l->inner.priv, dn, der, len);
}

/* The CRL when missing or due, published to its CDP object (as icpr_ca.c). */
static void crl_refresh(struct ca_local *cl, struct ca_ctx *ca)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ca_bytes der = { NULL, 0 };
	bool changed = false;
	int lock = -1;
	ae_err err;

	if (tmp == NULL || !ca_crl_stale(ca, time(NULL))) {
		talloc_free(tmp);
		return;
	}
	err = ca_db_lock(ca->db_dir, &lock);
	if (err == AE_OK) {
		err = ca_crl_write(tmp, ca, time(NULL), &der);
		ca_db_unlock(lock);
	}
	if (err == AE_OK && ca->cdp_dn != NULL) {
		err = ca_dir_ldb_publish_crl(cl->dir, ca->cdp_dn, der.p, der.len, &changed);
	}
	if (err != AE_OK) {
		AE_WARN("ca-local: CA %s: CRL %s: %s", ca->name, ca->crl_path, ae_strerror(err));
	}
	talloc_free(tmp);
}

static ae_err load_ca(TALLOC_CTX *mem_ctx, struct ca_local *cl, struct ca_ctx **_ca)
{
	const char *name = cl->ca_name ? cl->ca_name : getenv("ICPR_CA_NAME");
	ae_err err;

	if (cl->ca_dir == NULL) {
		AE_ERROR("ca-local: --ca-dir is required");
		return AE_ERR_INVALID;
	}
	err = ca_ctx_load(mem_ctx, cl->ca_dir, name, _ca);
	if (err == AE_OK) {
		err = ca_ctx_set_cdp(*_ca, lpcfg_netbios_name(cl->lp), ca_dir_ldb_config_dn(cl->dir));
	}
	if (err == AE_OK) {
		crl_refresh(cl, *_ca);
	}
	return err;
}

static ae_err print_answer(const struct ca_answer *a)
{
	bool hr = a->disposition != AE_CR_DISP_ISSUED &&
		  a->disposition != AE_CR_DISP_UNDER_SUBMISSION &&
		  a->disposition != AE_CR_DISP_DENIED;
	const char *dname = ae_disposition_name(a->disposition);
	const char *hname = ae_hresult_name(a->disposition);
	ae_err err;

	printf("{\"disposition\":%u,\"hresult\":%u,\"disposition_name\":", a->disposition,
	       hr ? a->disposition : 0u);
	cl_json_str(stdout, dname ? dname : hname);
	printf(",\"request_id\":%u,\"message\":", a->request_id);
	cl_json_str(stdout, a->message);
	printf(",\"template\":");
	cl_json_str(stdout, a->template_name);
	printf(",\"certificate\":");
	err = cl_json_b64(stdout, a->cert.p, a->cert.len);
	printf(",\"pkcs7\":");
	if (err == AE_OK) {
		err = cl_json_b64(stdout, a->chain.p, a->chain.len);
	}
	printf("}\n");
	return err;
}

static int request(TALLOC_CTX *mem_ctx, struct ca_local *cl, const struct ca_caller *caller,
		   bool submit)
{
	struct icpr_request req = { .flags = 0 };
	struct listed_dir l = { .list = cl->ca_templates, .not = cl->not_templates };
	struct ca_directory dir;
	struct ca_answer *a = NULL;
	struct ca_ctx *ca = NULL;
	char *lines = talloc_strdup(mem_ctx, "");
	size_t i, len = 0;
	ae_err err;

	ca_dir_ldb_ops(cl->dir, &l.inner);
	dir = l.inner;
	if (cl->ca_templates != NULL || cl->not_templates != NULL) {
		dir = (struct ca_directory){ &l, listed_templates, lt_find_template,
					     lt_find_account, lt_publish };
	}
	err = load_ca(mem_ctx, cl, &ca);
	if (err != AE_OK) {
		AE_ERROR("ca-local: CA material in %s: %s", cl->ca_dir, ae_strerror(err));
		return 2;
	}
	req.authority = ca->name;
	if (submit) {
		for (i = 0; i < cl->num_attribs && lines != NULL; i++) {
			lines = talloc_asprintf_append(lines, "%s%s", i ? "\n" : "", cl->attribs[i]);
		}
		err = lines == NULL ? AE_ERR_NOMEM :
			cl_read_stdin(mem_ctx, CA_LOCAL_REQUEST_MAX, &req.request.pb, &len);
		req.request.cb = (uint32_t)len;
		if (err == AE_OK && cl->num_attribs > 0) {
			err = icpr_attribs_blob(mem_ctx, lines, &req.attribs);
		}
	} else {
		req.request_id = cl->request_id;
		err = cl->request_id == 0 ? AE_ERR_INVALID : AE_OK;
	}
	if (err == AE_OK) {
		err = ca_process(mem_ctx, ca, &dir, caller, &req, time(NULL), &a);
	}
	if (err == AE_OK && a->chain.len > 0) {
		err = cl_chain_extend(a, ca, &a->chain);
	}
	if (err == AE_OK) {
		AE_INFO("ca-local: caller=%s %s CA=%s template=%s id=%u disposition=0x%08x \"%s\"",
			caller->name, submit ? "submit" : "retrieve", ca->name,
			a->template_name ? a->template_name : "-", a->request_id, a->disposition,
			a->message ? a->message : "");
		err = print_answer(a);
	}
	if (err != AE_OK) {
		AE_ERROR("ca-local: %s: %s", submit ? "submit" : "retrieve", ae_strerror(err));
		return err == AE_ERR_INVALID || err == AE_ERR_TOO_LARGE ? 1 : 3;
	}
	return 0;
}

static int run(TALLOC_CTX *mem, const char *cmd, struct ca_local *cl)
{
	struct ca_caller caller = { 0 };
	ae_err err = open_directory(mem, cl);

	if (err != AE_OK) {
		return 2;
	}
	if (strcmp(cmd, "whois") == 0) {
		return cl_whois(mem, cl);
	}
	err = cl_caller(mem, cl, &caller);
	if (err != AE_OK) {
		return err == AE_ERR_INVALID ? 1 : 2;
	}
	if (strcmp(cmd, "policies") == 0) {
		return cl_policies(mem, cl, &caller);
	}
	return request(mem, cl, &caller, strcmp(cmd, "submit") == 0);
}

int main(int argc, char **argv)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ca_local cl = { 0 };
	const char *cmd = argc > 1 ? argv[1] : "";
	int rc;

	if (mem == NULL) {
		return 3;
	}
	if ((strcmp(cmd, "policies") != 0 && strcmp(cmd, "submit") != 0 &&
	     strcmp(cmd, "retrieve") != 0 && strcmp(cmd, "whois") != 0) ||
	    !parse_args(mem, argc, argv, &cl) ||
	    (strcmp(cmd, "whois") != 0 && cl.caller_sid == NULL) ||
	    (strcmp(cmd, "retrieve") == 0 && cl.request_id == 0)) {
		talloc_free(mem);
		return usage();
	}
	rc = run(mem, cmd, &cl);
	fflush(stdout);
	talloc_free(mem);
	return rc;
}
