/*
 * certmonger_submit.c: certmonger's external CA helper over MS-ICPR
 * (installed as <libexecdir>/samba-autoenroll/certmonger-submit):
 *
 *   getcert add-ca -c AD -e '/usr/libexec/samba-autoenroll/certmonger-submit'
 *   getcert request -c AD -T Machine -f /etc/ssl/certs/host.crt -k /etc/ssl/private/host.key
 *
 * certmonger makes the key and the PKCS#10; this sends the request to the
 * enterprise CA with the machine's Kerberos credentials (the session and
 * the CA call of `autoenroll request`, through the engine's ae_extca.h)
 * and answers in certmonger's terms (cm_env.h). The command line is the
 * administrator's (getcert add-ca -e): -s FILE, --option NAME=VALUE,
 * --ca NAME, --default-template NAME, -d LEVEL. The environment is
 * certmonger's: parsed and capped, never a path or a command.
 */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include "cm_env.h"
#include "ae_enroll.h"
#include "ae_extca.h"
#include "ae_log.h"
#include "ae_session.h"

#define CM_MAX_OPTIONS 32

struct cm_args {
	const char *configfile;
	const char *options[CM_MAX_OPTIONS + 1];
	size_t num_options;
	const char *ca_name;
	const char *default_template;
	int debug;
};

static const char *real_getenv(void *priv, const char *name)
{
	(void)priv;
	return getenv(name);
}

/* certmonger reads stdout: one message, one line each. */
static int say(enum cm_exit rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int say(enum cm_exit rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	return (int)rc;
}

static int parse_args(int argc, char **argv, struct cm_args *a)
{
	static const struct option longopts[] = {
		{ "configfile", required_argument, NULL, 's' },
		{ "option", required_argument, NULL, 'O' },
		{ "ca", required_argument, NULL, 'c' },
		{ "default-template", required_argument, NULL, 't' },
		{ "debuglevel", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	char *end = NULL;

	while ((ch = getopt_long(argc, argv, "s:d:", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': a->configfile = optarg; break;
		case 'c': a->ca_name = optarg; break;
		case 't': a->default_template = optarg; break;
		case 'O':
			if (a->num_options == CM_MAX_OPTIONS || strchr(optarg, '=') == NULL) {
				return say(CM_EXIT_UNCONFIGURED, "certmonger-submit: --option '%s': "
					   "expected NAME=VALUE (at most %d)", optarg,
					   CM_MAX_OPTIONS);
			}
			a->options[a->num_options++] = optarg;
			break;
		case 'd':
			a->debug = (int)strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || a->debug < 0 || a->debug > 10) {
				return say(CM_EXIT_UNCONFIGURED, "certmonger-submit: -d: invalid "
					   "level '%s'", optarg);
			}
			break;
		default:
			return say(CM_EXIT_UNCONFIGURED, "certmonger-submit: usage: certmonger-submit "
				   "[-s smb.conf] [--option NAME=VALUE] [--ca CA] "
				   "[--default-template T] [-d LEVEL]");
		}
	}
	if (optind != argc) {
		return say(CM_EXIT_UNCONFIGURED, "certmonger-submit: unexpected argument '%s'",
			   argv[optind]);
	}
	return -1;
}

/* The machine's session; on failure the exit code certmonger gets (message printed). */
static int open_session(TALLOC_CTX *mem, const struct cm_args *a, struct ae_session **_s)
{
	struct ae_session_opts so = {
		.configfile = a->configfile,
		.options = a->num_options > 0 ? a->options : NULL,
	};
	struct ae_session *s = NULL;
	ae_err err = ae_session_open(mem, &so, &s);

	if (err != AE_OK) {
		return say(cm_exit_for(ae_outcome_from_err(err)), "machine session: %s",
			   s != NULL && s->error[0] ? s->error : ae_strerror(err));
	}
	*_s = s;
	return -1;
}

/* An answer of the CA (or our failure) in certmonger's terms. */
static int answer(TALLOC_CTX *mem, ae_err err, const struct ae_extca_answer *a,
		  const struct ae_extca_csr *c)
{
	const struct ae_enroll_result *r = a != NULL ? a->r : NULL;
	char *cookie = NULL;

	if (r == NULL) {
		return say(CM_EXIT_UNREACHABLE, "%s", ae_strerror(err));
	}
	if (err == AE_OK && r->outcome == AE_OUTCOME_ISSUED && a->cert_pem != NULL) {
		fputs(a->cert_pem, stdout);
		fflush(stdout);
		return CM_EXIT_ISSUED;
	}
	if (err == AE_OK && r->outcome == AE_OUTCOME_PENDING) {
		cookie = cm_cookie_encode(mem, r->ca_name, r->request_id, c->spki_sha256);
		if (cookie == NULL) {
			return say(CM_EXIT_UNREACHABLE, "template %s, CA %s: request %u is pending "
				   "but no cookie can be made for it", r->template_name,
				   r->ca_name, r->request_id);
		}
		AE_INFO("template %s: request %u pending at CA %s", r->template_name,
			r->request_id, r->ca_name);
		return say(CM_EXIT_WAIT, "%s", cookie);
	}
	return say(cm_exit_for(r->outcome == AE_OUTCOME_ISSUED ? AE_OUTCOME_INTERNAL : r->outcome),
		   "%s", r->error != NULL ? r->error : "the request failed");
}

static int op_submit(TALLOC_CTX *mem, const struct cm_args *args, const struct cm_env *e)
{
	struct ae_extca_csr *c = NULL;
	struct ae_extca_answer *a = NULL;
	struct ae_session *s = NULL;
	char why[512];
	int rc;
	ae_err err;

	/* the request is checked before anything goes to the network */
	if (ae_extca_csr_read(mem, e->csr, e->csr_len, &c, why, sizeof(why)) != AE_OK) {
		return say(CM_EXIT_REJECTED, "CERTMONGER_CSR: %s", why);
	}
	rc = open_session(mem, args, &s);
	if (rc >= 0) {
		return rc;
	}
	err = ae_extca_submit(mem, s, e->profile, args->ca_name, c, &a);
	return answer(mem, err, a, c);
}

static int op_poll(TALLOC_CTX *mem, const struct cm_args *args, const struct cm_env *e)
{
	struct cm_cookie *k = NULL;
	struct ae_extca_csr *c = NULL;
	struct ae_extca_answer *a = NULL;
	struct ae_session *s = NULL;
	char why[512];
	int rc;
	ae_err err;

	err = cm_cookie_decode(mem, (const uint8_t *)e->cookie, e->cookie_len, &k);
	if (err != AE_OK) {
		return say(CM_EXIT_REJECTED, "CERTMONGER_CA_COOKIE is not a cookie of this helper "
			   "(%s); request a new certificate", ae_strerror(err));
	}
	if (ae_extca_csr_read(mem, e->csr, e->csr_len, &c, why, sizeof(why)) != AE_OK) {
		return say(CM_EXIT_REJECTED, "CERTMONGER_CSR: %s", why);
	}
	if (memcmp(k->spki_sha256, c->spki_sha256, sizeof(c->spki_sha256)) != 0) {
		return say(CM_EXIT_REJECTED, "CERTMONGER_CA_COOKIE: request %u at CA %s was made "
			   "for another key than CERTMONGER_CSR's; request a new certificate",
			   k->request_id, k->ca_name);
	}
	rc = open_session(mem, args, &s);
	if (rc >= 0) {
		return rc;
	}
	err = ae_extca_poll(mem, s, e->profile, k->ca_name, k->request_id, c, &a);
	return answer(mem, err, a, c);
}

static int op_templates(TALLOC_CTX *mem, const struct cm_args *args)
{
	struct ae_session *s = NULL;
	char **names = NULL, why[1024] = "";
	size_t n = 0, i;
	int rc = open_session(mem, args, &s);
	ae_err err;

	if (rc >= 0) {
		return rc;
	}
	err = ae_extca_templates(mem, s, &names, &n, why, sizeof(why));
	if (err != AE_OK) {
		return say(cm_exit_for(ae_outcome_from_err(err)), "%s", why);
	}
	for (i = 0; i < n; i++) {
		printf("%s\n", names[i]);
	}
	fflush(stdout);
	return CM_EXIT_ISSUED;
}

/* submit.txt's format: nickname line, PEM; further roots after one blank line each. */
static int op_roots(TALLOC_CTX *mem, const struct cm_args *args)
{
	struct ae_session *s = NULL;
	struct ae_extca_root *roots = NULL;
	char why[1024] = "";
	size_t n = 0, i;
	int rc = open_session(mem, args, &s);
	ae_err err;

	if (rc >= 0) {
		return rc;
	}
	err = ae_extca_roots(mem, s, &roots, &n, why, sizeof(why));
	if (err != AE_OK) {
		return say(cm_exit_for(ae_outcome_from_err(err)), "%s", why);
	}
	for (i = 0; i < n; i++) {
		printf("%s%s\n%s", i > 0 ? "\n" : "", roots[i].nickname, roots[i].pem);
	}
	fflush(stdout);
	return CM_EXIT_ISSUED;
}

static int run(TALLOC_CTX *mem, const struct cm_args *args, const struct cm_env *e)
{
	switch (e->op) {
	case CM_OP_IDENTIFY:
		return say(CM_EXIT_ISSUED, "samba-autoenroll certmonger-submit %s (MS-ICPR, "
			   "machine Kerberos credentials)", AE_VERSION);
	case CM_OP_NEW_REQS:
	case CM_OP_RENEW_REQS:
		/* without it the CA gets no CertificateTemplate attribute */
		return say(CM_EXIT_ISSUED, "CERTMONGER_CA_PROFILE");
	case CM_OP_DEFAULT_TEMPLATE:
		if (args->default_template != NULL) {
			return say(CM_EXIT_ISSUED, "%s", args->default_template);
		}
		return CM_EXIT_ISSUED;	/* no default: nothing printed */
	case CM_OP_SUBMIT:
		return op_submit(mem, args, e);
	case CM_OP_POLL:
		return op_poll(mem, args, e);
	case CM_OP_TEMPLATES:
		return op_templates(mem, args);
	case CM_OP_FETCH_ROOTS:
		return op_roots(mem, args);
	case CM_OP_UNSUPPORTED:
	default:
		return CM_EXIT_UNSUPPORTED;
	}
}

#ifdef __SANITIZE_ADDRESS__
/*
 * Sanitizer builds only: LeakSanitizer's tracer must not crash at exit on
 * GCC 12's __tls_get_addr interceptor (see source/cli/autoenroll.c).
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "intercept_tls_get_addr=0";
}
#endif

int main(int argc, char **argv)
{
	struct cm_args args = { .debug = 1 };
	struct cm_env *e = NULL;
	TALLOC_CTX *mem = NULL;
	char why[512];
	int rc = parse_args(argc, argv, &args);
	ae_err err;

	if (rc >= 0) {
		return rc;
	}
#ifdef __SANITIZE_ADDRESS__
	/* as in autoenroll.c: Samba's ldb dlopens its modules with RTLD_DEEPBIND,
	 * which the sanitizer runtime refuses; ldb skips it when asked to */
	setenv("LDB_MODULES_DISABLE_DEEPBIND", "1", 0);
#endif
	/* a peer closing LDAP or SMB must be an error, not a kill */
	signal(SIGPIPE, SIG_IGN);
	ae_log_set_level(args.debug);
	mem = talloc_new(NULL);
	if (mem == NULL) {
		return say(CM_EXIT_UNREACHABLE, "out of memory");
	}
	err = cm_env_read(mem, real_getenv, NULL, &e, why, sizeof(why));
	if (err != AE_OK) {
		talloc_free(mem);
		return say(CM_EXIT_UNCONFIGURED, "%s", why);
	}
	rc = run(mem, &args, e);
	talloc_free(mem);
	return rc;
}
