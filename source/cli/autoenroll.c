/*
 * autoenroll: the command. Samba-style global options first, then a
 * sub-command with its own options.
 */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include "ae_enroll.h"
#include "ae_session.h"
#include "ae_log.h"
#include "ae_json.h"
#include "ae_status.h"
#include "cli_status.h"
#include "cli_output.h"
#include "cli_policy.h"
#include "cli_cycle.h"
#include "cli_renew.h"
#include "ae_cycle.h"
#include "ae_policy_report.h"
#include "ae_config.h"
#include "cli_help.h"
#include "cli_args.h"
#include "cli_config.h"
#include "cli_decode.h"
#include "cli_polsrv.h"

#define AE_MAX_OPTIONS 64

struct cli {
	const char *configfile;
	const char *options[AE_MAX_OPTIONS + 1];
	size_t num_options;
	const char *ccache;
	int debug;
};

/* The session options every networked command takes from the global ones. */
static struct ae_session_opts session_opts(const struct cli *c)
{
	struct ae_session_opts so = {
		.configfile = c->configfile,
		.options = c->options,
		.ccache = c->ccache,
	};
	return so;
}

/* --user / --ccache of the command (its --ccache wins over the global one) */
static void apply_ctx(struct ae_session_opts *so, const struct cli_ctx_flags *f)
{
	so->user = f->user;
	if (f->ccache != NULL) {
		so->ccache = f->ccache;
	}
}

/* --dns and --ip each (the request layer caps the SAN's entries at 100) */
#define CLI_NAMES_MAX 48

static int run_enroll(struct cli *c, int argc, char **argv, bool retrieve)
{
	static const struct option longopts[] = {
		{ "template", required_argument, NULL, 't' },
		{ "ca", required_argument, NULL, 'c' },
		{ "key-type", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ "transport", required_argument, NULL, 'T' },
		{ "request-id", required_argument, NULL, 'r' },
		{ "subject", required_argument, NULL, 'S' },
		{ "dns", required_argument, NULL, 'D' },
		{ "ip", required_argument, NULL, 'I' },
		{ "upn", required_argument, NULL, 'U' },
		{ "email", required_argument, NULL, 'E' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ae_enroll_opts o = { 0 };
	struct ae_session_opts so = { 0 };
	struct ae_session *s = NULL;
	struct ae_enroll_result *r = NULL;
	TALLOC_CTX *mem = NULL;
	const char *dns[CLI_NAMES_MAX + 1] = { NULL }, *ip[CLI_NAMES_MAX + 1] = { NULL };
	size_t ndns = 0, nip = 0;
	char *why = NULL;
	bool json = false, have_id = false;
	int opt, rc;
	ae_err err;

	optind = 0;	/* 0: glibc re-initialises (the global scan used "+") */
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 't': o.template_name = optarg; break;
		case 'c': o.ca_name = optarg; break;
		case 'k':
			if (!ae_config_key_type_valid(optarg)) {
				return cli_usage_error(argv[0], "--key-type: invalid key type '%s' "
						   "(expected rsa:N with N from 2048 to 16384, "
						   "ec:p256, ec:p384 or ec:p521)", optarg);
			}
			o.key_type = optarg;
			break;
		case 'o':
			if (optarg[0] != '/') {
				return cli_usage_error(argv[0], "--out needs an absolute path, not "
						       "'%s'", optarg);
			}
			o.out_dir = optarg;
			break;
		case 'j': json = true; break;
		case 'T':
			if (cli_parse_transport(optarg, &o.transport) != 0) {
				return cli_usage_error(argv[0], "--transport must be auto, tcp or np");
			}
			break;
		case 'r':
			if (cli_parse_u32(optarg, &o.request_id) != 0) {
				return cli_usage_error(argv[0], "--request-id must be a number");
			}
			have_id = true;
			break;
		case 'S': o.subject = optarg; break;
		case 'U': o.upn = optarg; break;
		case 'E': o.email = optarg; break;
		case 'D':
		case 'I':
			if ((opt == 'D' ? ndns : nip) == CLI_NAMES_MAX) {
				return cli_usage_error(argv[0], "at most %d --dns and %d --ip",
						       CLI_NAMES_MAX, CLI_NAMES_MAX);
			}
			if (opt == 'D') {
				dns[ndns++] = optarg;
			} else {
				ip[nip++] = optarg;
			}
			break;
		case 'h': return cli_command_help(stdout, argv[0], AE_EXIT_OK);
		default: return cli_usage_error(argv[0], "invalid option");
		}
	}
	if (optind != argc) {
		return cli_usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
	}
	if (!retrieve && o.template_name == NULL) {
		return cli_usage_error(argv[0], "request needs --template NAME");
	}
	if (retrieve && (o.ca_name == NULL || !have_id)) {
		return cli_usage_error(argv[0], "retrieve needs --ca NAME and --request-id N");
	}
	o.dns = ndns > 0 ? dns : NULL;
	o.ip = nip > 0 ? ip : NULL;
	if (retrieve && ae_enroll_names_given(&o)) {
		return cli_usage_error(argv[0], "retrieve takes no --subject, --dns, --ip, --upn "
				       "or --email");
	}
	/* the values, before anything is contacted */
	err = ae_enroll_names_check(NULL, &o, &why);
	if (err == AE_ERR_INVALID) {
		rc = cli_usage_error(argv[0], "%s", why);
		talloc_free(why);
		return rc;
	}
	if (err != AE_OK) {
		return cli_fatal(AE_EXIT_INTERNAL, "%s", ae_strerror(err));
	}
	mem = talloc_new(NULL);
	so = session_opts(c);
	err = ae_session_open(mem, &so, &s);
	if (err != AE_OK) {
		struct ae_enroll_result fail = {
			.outcome = ae_outcome_from_err(err), .outcome_name = "error",
			.template_name = (char *)o.template_name, .ca_name = (char *)o.ca_name,
			.error = s && s->error[0] ? s->error : (char *)ae_strerror(err),
		};
		ae_print_result(stdout, stderr, &fail, json, NULL);
		rc = ae_exit_code(fail.outcome);
		talloc_free(mem);
		return rc;
	}
	err = retrieve ? ae_enroll_retrieve(mem, s, &o, &r) : ae_enroll_request(mem, s, &o, &r);
	if (r == NULL) {
		talloc_free(mem);
		return cli_fatal(AE_EXIT_INTERNAL, "%s", ae_strerror(err));
	}
	ae_print_result(stdout, stderr, r, json, NULL);
	rc = ae_exit_code(r->outcome);
	talloc_free(mem);
	return rc;
}

static int run_policy(struct cli *c, int argc, char **argv)
{
	struct ae_session_opts so = session_opts(c);
	struct cli_ctx_flags f = { 0 };
	struct ae_session *s = NULL;
	struct ae_policy_report *r = NULL;
	TALLOC_CTX *mem = NULL;
	bool json = false;
	int rc;
	ae_err err;

	rc = cli_parse_ctx_flags(argc, argv, &json, NULL, 0, &f);
	if (rc >= 0) {
		return rc;
	}
	apply_ctx(&so, &f);
	mem = talloc_new(NULL);
	ae_policy_name_sids(true);	/* the reasons name the SIDs they cite */
	err = ae_session_open(mem, &so, &s);
	if (err == AE_OK) {
		err = ae_policy_collect(mem, s, &r);
	}
	if (err != AE_OK && r != NULL && r->num_servers > 0 && err != AE_ERR_NOMEM) {
		/*
		 * The policy servers were traversed and none could be read: the
		 * report is the answer (each server's failure and why), the exit
		 * code says it failed; the cause once on stderr (one JSON object).
		 */
		rc = (json ? cli_policy_json(stdout, r) : cli_policy_text(stdout, r)) == 0 ?
		     ae_exit_code(ae_outcome_from_err(err)) : AE_EXIT_INTERNAL;
		AE_ERROR("policy: %s", s->error[0] ? s->error : ae_strerror(err));
		talloc_free(mem);
		return rc;
	}
	if (err != AE_OK) {
		rc = cli_fatal(ae_exit_code(ae_outcome_from_err(err)), "policy: %s",
			   s && s->error[0] ? s->error : ae_strerror(err));
		talloc_free(mem);
		return rc;
	}
	cli_policy_key_config(s->config);
	rc = (json ? cli_policy_json(stdout, r) : cli_policy_text(stdout, r)) == 0 ?
	     AE_EXIT_OK : AE_EXIT_INTERNAL;
	cli_policy_key_config(NULL);
	talloc_free(mem);
	return rc;
}

/*
 * `run` with the DC or KDC unreachable: the store is still checked (no
 * network needed), and what is expired, expiring or broken is reported on
 * stdout and logged (syslog at the default level); the exit code stays 5.
 */
static int run_offline(TALLOC_CTX *mem, struct ae_session *s, ae_err err, bool json)
{
	struct ae_store_snapshot *snap = NULL;
	struct ae_store_check *chk = NULL;
	char msg[1200];
	int code = ae_exit_code(ae_outcome_from_err(err));

	snprintf(msg, sizeof(msg), "run: %s", s->error[0] ? s->error : ae_strerror(err));
	AE_ERROR("%s", msg);
	if (ae_store_check_offline(mem, s->store_dir, ae_session_store_owner(s), &snap, &chk) != AE_OK) {
		snap = NULL;
		chk = NULL;
	}
	if (json) {
		fputs("{\"error\": ", stdout);
		ae_json_string(stdout, msg);
		fprintf(stdout, ", \"exit_code\": %d, \"offline_check\": ", code);
		cli_offline_json(stdout, snap, chk);
		fputs("}\n", stdout);
	} else {
		(void)cli_offline_print(stdout, snap, chk);
	}
	fflush(stdout);
	return code;
}

static int run_cycle(struct cli *c, int argc, char **argv)
{
	struct ae_session_opts so = session_opts(c);
	struct cli_ctx_flags f = { .takes_full = true };
	struct ae_cycle_opts co = { 0 };
	struct ae_session *s = NULL;
	struct ae_cycle_report *r = NULL;
	TALLOC_CTX *mem = NULL;
	bool json = false;
	int rc;
	ae_err err;

	rc = cli_parse_ctx_flags(argc, argv, &json, &co.dry_run, 0, &f);
	if (rc >= 0) {
		return rc;
	}
	co.full_read = f.full;
	apply_ctx(&so, &f);
	ae_log_to_syslog(1);
	mem = talloc_new(NULL);
	err = ae_session_open(mem, &so, &s);
	if (err == AE_OK) {
		err = ae_cycle_run(mem, s, &co, &r);
	}
	if (err != AE_OK && ae_outcome_from_err(err) == AE_OUTCOME_UNREACHABLE && s != NULL &&
	    s->store_dir != NULL) {
		rc = run_offline(mem, s, err, json);
		talloc_free(mem);
		return rc;
	}
	if (err != AE_OK) {
		/* once: stderr and syslog (and the JSON object with --json) */
		rc = cli_fatal(ae_exit_code(ae_outcome_from_err(err)), "run: %s",
			   s && s->error[0] ? s->error : ae_strerror(err));
		talloc_free(mem);
		return rc;
	}
	rc = cli_cycle_print(stdout, r, json, co.dry_run) == 0 ? ae_exit_code(r->worst)
							     : AE_EXIT_INTERNAL;
	talloc_free(mem);
	return rc;
}

static int run_status(struct cli *c, int argc, char **argv)
{
	struct ae_session_opts so = { .offline = true };
	struct cli_ctx_flags f = { 0 };
	struct ae_session *s = NULL;
	struct ae_status *st = NULL;
	TALLOC_CTX *mem = NULL;
	bool json = false;
	int rc;
	ae_err err;

	rc = cli_parse_ctx_flags(argc, argv, &json, NULL, 0, &f);
	if (rc >= 0) {
		return rc;
	}
	so.user = f.user;	/* offline: no credentials, --ccache has nothing to do */
	mem = talloc_new(NULL);
	so.configfile = c->configfile;
	so.options = c->options;
	err = ae_session_open(mem, &so, &s);
	if (err == AE_OK) {
		/* the store opened, its snapshot taken and its files checked, read-only */
		err = ae_status_collect(mem, s, &st);
	}
	if (err != AE_OK) {
		rc = cli_fatal(ae_exit_code(ae_outcome_from_err(err)), "status: %s",
			   s && s->error[0] ? s->error : ae_strerror(err));
		talloc_free(mem);
		return rc;
	}
	rc = cli_status_print(stdout, st->snap, st->chk, st->store_dir, json) == 0 ? AE_EXIT_OK :
	     AE_EXIT_INTERNAL;
	talloc_free(mem);
	return rc;
}

static int run_config(struct cli *c, int argc, char **argv)
{
	struct ae_session_opts so = session_opts(c);
	struct ae_session *s = NULL;
	TALLOC_CTX *mem = NULL;
	bool json = false;
	int rc;
	ae_err err;

	rc = cli_parse_flags(argc, argv, &json, NULL, 0);
	if (rc >= 0) {
		return rc;
	}
	so.config_only = true;
	so.quiet_unknown = true;	/* listed in the output instead */
	mem = talloc_new(NULL);
	err = ae_session_open(mem, &so, &s);
	if (err != AE_OK) {
		rc = cli_fatal(ae_exit_code(ae_outcome_from_err(err)), "config: %s",
			   s && s->error[0] ? s->error : ae_strerror(err));
		talloc_free(mem);
		return rc;
	}
	rc = cli_config_print(stdout, s->config, ae_session_configfile(s), json) == 0 ?
	     AE_EXIT_OK : AE_EXIT_INTERNAL;
	talloc_free(mem);
	return rc;
}

#ifdef __SANITIZE_ADDRESS__
/*
 * Sanitizer builds only: libsmbclient's one-time initialisation
 * (smbc_new_context -> reopen_logs -> debug_set_logfile) keeps a string it
 * never frees, a process-wide leak inside Samba; suppress exactly that
 * frame (full stacks are needed to see it). The user context's
 * getgrouplist() goes through libnss_winbind's initgroups, which keeps 8
 * bytes it never frees: suppressed by that library's name.
 * intercept_tls_get_addr=0: the __tls_get_addr interceptor of GCC 12's
 * runtime (LLVM before its 2023 fix for glibc >= 2.25, google/sanitizers
 * issue 1409) takes a malloc'd dynamic TLS block whose address happens to
 * be 16 bytes into a page for a glibc 2.19 block and reads the two words
 * before it; LeakSanitizer's tracer then dies at exit ("Tracer caught
 * signal 11", exit 1) when an allocation happens to land there, which is
 * rare and not repeatable. glibc >= 2.25 allocates
 * those blocks with malloc, so LeakSanitizer still sees them.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0:intercept_tls_get_addr=0";
}

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:debug_set_logfile\nleak:libnss_winbind.so\n";
}

/* the suppressed leaks are known: no "Suppressions used" table on stderr */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
#endif

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "configfile", required_argument, NULL, 's' },
		{ "option", required_argument, NULL, 'O' },
		{ "debuglevel", required_argument, NULL, 'd' },
		{ "ccache", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli c = { 0 };
	int opt;

#ifdef __SANITIZE_ADDRESS__
	/* Samba's ldb dlopens its modules with RTLD_DEEPBIND, which the
	 * sanitizer runtime refuses; ldb skips it when asked to. */
	setenv("LDB_MODULES_DISABLE_DEEPBIND", "1", 0);
#endif
	/* a peer closing LDAP or SMB must be an error, not a kill */
	signal(SIGPIPE, SIG_IGN);
	cli_set_json(cli_wants_json(argc, argv));

	/* '+': stop at the sub-command; its options are parsed by it */
	while ((opt = getopt_long(argc, argv, "+s:d:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': c.configfile = optarg; break;
		case 'O':
			if (c.num_options == AE_MAX_OPTIONS) {
				return cli_usage_error(NULL, "too many --option (at most %d)",
						   AE_MAX_OPTIONS);
			}
			if (strchr(optarg, '=') == NULL || optarg[0] == '=') {
				return cli_usage_error(NULL, "--option '%s': expected NAME=VALUE", optarg);
			}
			c.options[c.num_options++] = optarg;
			break;
		case 'd':
			if (cli_parse_debug(optarg, &c.debug) != 0) {
				return cli_usage_error(NULL, "-d: invalid debug level '%s' (expected a "
						   "number from 0 to %d)", optarg, AE_MAX_DEBUG);
			}
			break;
		case 'C': c.ccache = optarg; break;
		case 'h': return cli_usage(stdout, AE_EXIT_OK);
		case 'V': cli_version(stdout); return AE_EXIT_OK;
		default: return cli_usage_error(NULL, "invalid global option");
		}
	}
	ae_log_set_level(c.debug);
	if (optind >= argc) {
		cli_usage(stderr, AE_EXIT_USAGE);
		return cli_usage_error(NULL, "no command given");
	}
	argc -= optind;
	argv += optind;
	if (strcmp(argv[0], "request") == 0) {
		return run_enroll(&c, argc, argv, false);
	}
	if (strcmp(argv[0], "retrieve") == 0) {
		return run_enroll(&c, argc, argv, true);
	}
	if (strcmp(argv[0], "run") == 0) {
		return run_cycle(&c, argc, argv);
	}
	if (strcmp(argv[0], "renew") == 0) {
		struct ae_session_opts so = session_opts(&c);
		return cli_renew(&so, argc, argv);
	}
	if (strcmp(argv[0], "status") == 0) {
		return run_status(&c, argc, argv);
	}
	if (strcmp(argv[0], "policy") == 0) {
		return run_policy(&c, argc, argv);
	}
	if (strcmp(argv[0], "pol") == 0) {
		return cli_run_pol(argc, argv);
	}
	if (strcmp(argv[0], "xcep") == 0) {
		return cli_run_xcep(argc, argv);
	}
	if (strcmp(argv[0], "config") == 0) {
		return run_config(&c, argc, argv);
	}
	if (strcmp(argv[0], "policy-server") == 0) {
		struct ae_session_opts so = session_opts(&c);
		return cli_run_polsrv(&so, argc, argv);
	}
	if (strcmp(argv[0], "help") == 0) {
		/* `autoenroll help COMMAND` = `autoenroll COMMAND --help` */
		return argc > 1 ? cli_command_help(stdout, argv[1], AE_EXIT_OK)
				: cli_usage(stdout, AE_EXIT_OK);
	}
	return cli_usage_error(NULL, "unknown command '%s'", argv[0]);
}
