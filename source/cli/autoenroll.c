/*
 * autoenroll: the command. Samba-style global options first, then a
 * sub-command with its own options.
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include "ae_enroll.h"
#include "ae_pol.h"
#include "ae_preg.h"
#include "ae_aesettings.h"
#include "ae_session.h"
#include "ae_log.h"
#include "cli_output.h"
#include "cli_policy.h"
#include "cli_cycle.h"
#include "cli_renew.h"
#include "ae_cycle.h"
#include "ae_store.h"
#include "ae_policy_report.h"

#define AE_MAX_OPTIONS 64

static const char *const usage_text =
"Usage: autoenroll [-s FILE] [--option NAME=VALUE]... [-d LEVEL] COMMAND [ARGS]\n"
"\n"
"Certificate enrollment for Samba Active Directory members (MS-ICPR, Kerberos,\n"
"packet privacy), as the machine account from secrets.tdb.\n"
"\n"
"Commands:\n"
"  request --template NAME [--ca NAME] [--key-type rsa:N|ec:p256|ec:p384]\n"
"          [--out DIR] [--transport auto|tcp|np] [--json]\n"
"      Request a certificate of template NAME from the enterprise CA that\n"
"      publishes it (or --ca). Issued: writes NAME.key (0600), NAME.crt and\n"
"      NAME.chain.pem into DIR after checking the certificate matches the key\n"
"      and chains to the CA certificate published in AD. Pending: records the\n"
"      request id and the key under DIR/pending.\n"
"  retrieve --ca NAME --request-id N [--out DIR] [--transport ...] [--json]\n"
"      Fetch the result of a pending request recorded by `request`.\n"
"  run [--json] [--dry-run]\n"
"      One autoenrollment cycle for this machine: read Group Policy and the\n"
"      enrollment policy, then per template enroll, renew (signed with the old\n"
"      key), re-enroll, retrieve a pending request, archive or remove, and sync\n"
"      the AD trust anchors. One line per template: action, result, reason.\n"
"      --dry-run prints the decisions and changes nothing. Exit 0 all done or\n"
"      nothing to do, 3 something is pending, else the worst failure (4-8).\n"
CLI_RENEW_USAGE
"  status [--json]\n"
"      The managed certificates (template, state, CA, serial, notAfter, renewal\n"
"      time, pending request ids, archive) from the store; no network.\n"
"  policy [--json]\n"
"      The effective AutoEnrollment settings of this machine from Group Policy\n"
"      (GPO list per MS-GPOL, each value with the GPO it came from, policy\n"
"      server end points), the enterprise CAs with their templates, and every\n"
"      template with eligible / not eligible and the reason. Counts of LDAP\n"
"      searches and SMB reads are included. Exit 0, 5 DC unreachable, 6 misconfigured.\n"
"  pol FILE [--json]\n"
"      Dump a Registry.pol (PReg) file's entries and the AutoEnrollment\n"
"      settings (AEPolicy, OfflineExpiration*, PolicyServers end points)\n"
"      derived from it. Exit 0 parsed, 6 not a valid Registry.pol, 8 unreadable.\n"
"\n"
"Global options:\n"
"  -s, --configfile FILE   smb.conf to use (default: Samba's)\n"
"      --option NAME=VALUE set an smb.conf option, e.g.\n"
"                          --option='autoenroll:dc=dc1.example.com'\n"
"  -d, --debuglevel LEVEL  0 errors (default), 1 warnings, 2 info, 3+ debug\n"
"      --ccache CCACHE     use this Kerberos ccache instead of the machine account\n"
"  -h, --help              this text\n"
"\n"
"smb.conf options: autoenroll:store dir (default <state directory>/autoenroll/machine),\n"
"autoenroll:key type (default rsa:2048), autoenroll:dc (default: DNS SRV lookup).\n"
"\n"
"Exit codes:\n"
"  0 issued          1 internal error     2 usage error\n"
"  3 pending (the request id is printed and recorded)\n"
"  4 denied by the CA (the HRESULT, e.g. CERTSRV_E_TEMPLATE_DENIED, and the\n"
"    CA's message are printed)\n"
"  5 DC, KDC or CA unreachable (the server and cause are printed)\n"
"  6 misconfigured: template or CA not in AD, credentials, configuration\n"
"  7 the CA's answer failed verification (key match, chain to the AD CA)\n"
"  8 local store error\n";

static int usage(FILE *f, int code)
{
	fputs(usage_text, f);
	return code;
}

struct cli {
	const char *configfile;
	const char *options[AE_MAX_OPTIONS + 1];
	size_t num_options;
	const char *ccache;
	int debug;
};

static int parse_transport(const char *s, enum ae_transport_choice *t)
{
	if (strcmp(s, "auto") == 0) {
		*t = AE_TRANSPORT_AUTO;
	} else if (strcmp(s, "tcp") == 0) {
		*t = AE_TRANSPORT_TCP;
	} else if (strcmp(s, "np") == 0) {
		*t = AE_TRANSPORT_NP;
	} else {
		return -1;
	}
	return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end = NULL;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9') {
		return -1;
	}
	v = strtoull(s, &end, 10);
	if (*end != '\0' || v > UINT32_MAX) {
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

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

static int run_enroll(struct cli *c, int argc, char **argv, bool retrieve)
{
	static const struct option longopts[] = {
		{ "template", required_argument, NULL, 't' },
		{ "ca", required_argument, NULL, 'c' },
		{ "key-type", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ "transport", required_argument, NULL, 'T' },
		{ "request-id", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ae_enroll_opts o = { 0 };
	struct ae_session_opts so = { 0 };
	struct ae_session *s = NULL;
	struct ae_enroll_result *r = NULL;
	TALLOC_CTX *mem = NULL;
	bool json = false, have_id = false;
	int opt, rc;
	ae_err err;

	optind = 0;	/* 0: glibc re-initialises (the global scan used "+") */
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 't': o.template_name = optarg; break;
		case 'c': o.ca_name = optarg; break;
		case 'k': o.key_type = optarg; break;
		case 'o': o.out_dir = optarg; break;
		case 'j': json = true; break;
		case 'T':
			if (parse_transport(optarg, &o.transport) != 0) {
				fprintf(stderr, "autoenroll: --transport must be auto, tcp or np\n");
				return AE_EXIT_USAGE;
			}
			break;
		case 'r':
			if (parse_u32(optarg, &o.request_id) != 0) {
				fprintf(stderr, "autoenroll: --request-id must be a number\n");
				return AE_EXIT_USAGE;
			}
			have_id = true;
			break;
		case 'h': return usage(stdout, AE_EXIT_OK);
		default: return usage(stderr, AE_EXIT_USAGE);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "autoenroll: unexpected argument '%s'\n", argv[optind]);
		return AE_EXIT_USAGE;
	}
	if (!retrieve && o.template_name == NULL) {
		fprintf(stderr, "autoenroll: request needs --template NAME\n");
		return AE_EXIT_USAGE;
	}
	if (retrieve && (o.ca_name == NULL || !have_id)) {
		fprintf(stderr, "autoenroll: retrieve needs --ca NAME and --request-id N\n");
		return AE_EXIT_USAGE;
	}
	mem = talloc_new(NULL);
	so = session_opts(c);
	err = ae_session_open(mem, &so, &s);
	if (err != AE_OK) {
		struct ae_enroll_result fail = {
			.outcome = ae_outcome_from_err(err), .outcome_name = "error",
			.template_name = (char *)o.template_name, .ca_name = (char *)o.ca_name,
			.error = s ? s->error : (char *)"out of memory",
		};
		ae_print_result(stdout, stderr, &fail, json, NULL);
		rc = ae_exit_code(fail.outcome);
		talloc_free(mem);
		return rc;
	}
	err = retrieve ? ae_enroll_retrieve(mem, s, &o, &r) : ae_enroll_request(mem, s, &o, &r);
	if (r == NULL) {
		fprintf(stderr, "autoenroll: %s\n", ae_strerror(err));
		talloc_free(mem);
		return AE_EXIT_INTERNAL;
	}
	ae_print_result(stdout, stderr, r, json, NULL);
	rc = ae_exit_code(r->outcome);
	talloc_free(mem);
	return rc;
}

static int parse_flags(int argc, char **argv, bool *json, bool *dry_run)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0;	/* 0: glibc re-initialises (the global scan used "+") */
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j': *json = true; break;
		case 'n':
			if (dry_run == NULL) {
				return usage(stderr, AE_EXIT_USAGE);
			}
			*dry_run = true;
			break;
		case 'h': return usage(stdout, AE_EXIT_OK);
		default: return usage(stderr, AE_EXIT_USAGE);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "autoenroll: unexpected argument '%s'\n", argv[optind]);
		return AE_EXIT_USAGE;
	}
	return -1;
}

static int run_policy(struct cli *c, int argc, char **argv)
{
	struct ae_session_opts so = session_opts(c);
	struct ae_session *s = NULL;
	struct ae_policy_report *r = NULL;
	TALLOC_CTX *mem = NULL;
	bool json = false;
	int rc;
	ae_err err;

	rc = parse_flags(argc, argv, &json, NULL);
	if (rc >= 0) {
		return rc;
	}
	mem = talloc_new(NULL);
	err = ae_session_open(mem, &so, &s);
	if (err == AE_OK) {
		err = ae_policy_collect(mem, s, &r);
	}
	if (err != AE_OK) {
		fprintf(stderr, "autoenroll: policy: %s\n", s && s->error[0] ? s->error
									: ae_strerror(err));
		rc = ae_exit_code(ae_outcome_from_err(err));
		talloc_free(mem);
		return rc;
	}
	rc = (json ? cli_policy_json(stdout, r) : cli_policy_text(stdout, r)) == 0 ?
	     AE_EXIT_OK : AE_EXIT_INTERNAL;
	talloc_free(mem);
	return rc;
}

static int run_cycle(struct cli *c, int argc, char **argv)
{
	struct ae_session_opts so = session_opts(c);
	struct ae_cycle_opts co = { 0 };
	struct ae_session *s = NULL;
	struct ae_cycle_report *r = NULL;
	TALLOC_CTX *mem = NULL;
	bool json = false;
	int rc;
	ae_err err;

	rc = parse_flags(argc, argv, &json, &co.dry_run);
	if (rc >= 0) {
		return rc;
	}
	ae_log_to_syslog(1);
	mem = talloc_new(NULL);
	err = ae_session_open(mem, &so, &s);
	if (err == AE_OK) {
		err = ae_cycle_run(mem, s, &co, &r);
	}
	if (err != AE_OK) {
		AE_ERROR("run: %s", s && s->error[0] ? s->error : ae_strerror(err));
		fprintf(stderr, "autoenroll: run: %s\n", s && s->error[0] ? s->error : ae_strerror(err));
		rc = ae_exit_code(ae_outcome_from_err(err));
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
	struct ae_session *s = NULL;
	struct ae_store *store = NULL;
	struct ae_store_snapshot *snap = NULL;
	TALLOC_CTX *mem = NULL;
	bool json = false;
	int rc;
	ae_err err;

	rc = parse_flags(argc, argv, &json, NULL);
	if (rc >= 0) {
		return rc;
	}
	mem = talloc_new(NULL);
	so.configfile = c->configfile;
	so.options = c->options;
	err = ae_session_open(mem, &so, &s);
	if (err == AE_OK) {
		err = ae_store_open(mem, s->store_dir, AE_STORE_MACHINE_OWNER, AE_STORE_OPEN_CREATE |
				    (s->store_dir_default ? AE_STORE_OPEN_PARENTS : 0), &store,
				    s->error, sizeof(s->error));
	}
	if (err == AE_OK) {
		err = ae_store_snapshot(mem, store, &snap);
	}
	if (err != AE_OK) {
		fprintf(stderr, "autoenroll: status: %s\n", s && s->error[0] ? s->error : ae_strerror(err));
		rc = ae_exit_code(ae_outcome_from_err(err));
		talloc_free(mem);
		return rc;
	}
	rc = cli_status_print(stdout, snap, store->dir, json) == 0 ? AE_EXIT_OK : AE_EXIT_INTERNAL;
	talloc_free(mem);
	return rc;
}

static int run_pol(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	TALLOC_CTX *mem = NULL;
	struct ae_pol_result *r = NULL;
	bool json = false;
	int opt, rc = AE_EXIT_OK;
	ae_err err;

	optind = 0;	/* 0: glibc re-initialises (the global scan used "+") */
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j': json = true; break;
		case 'h': return usage(stdout, AE_EXIT_OK);
		default: return usage(stderr, AE_EXIT_USAGE);
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "autoenroll: pol needs exactly one FILE\n");
		return AE_EXIT_USAGE;
	}
	mem = talloc_new(NULL);
	err = ae_pol_file(mem, argv[optind], &r);
	if (err != AE_OK) {
		fprintf(stderr, "autoenroll: %s\n", r ? r->error : ae_strerror(err));
		rc = err == AE_ERR_PARSE ? AE_EXIT_MISCONFIGURED :
		     err == AE_ERR_NOMEM ? AE_EXIT_INTERNAL : AE_EXIT_STORE;
	} else if (json) {
		err = ae_pol_write_json(stdout, r->pol, r->settings);
	} else {
		err = ae_preg_dump(stdout, r->pol);
		if (err == AE_OK) {
			err = ae_aesettings_dump(stdout, r->settings);
		}
	}
	if (rc == AE_EXIT_OK && err != AE_OK) {
		rc = AE_EXIT_INTERNAL;
	}
	talloc_free(mem);
	return rc;
}

#ifdef __SANITIZE_ADDRESS__
/*
 * Sanitizer builds only: libsmbclient's one-time initialisation
 * (smbc_new_context -> reopen_logs -> debug_set_logfile) keeps a string it
 * never frees, a process-wide leak inside Samba; suppress exactly that
 * frame (full stacks are needed to see it).
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:debug_set_logfile\n";
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

	/* '+': stop at the sub-command; its options are parsed by it */
	while ((opt = getopt_long(argc, argv, "+s:d:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': c.configfile = optarg; break;
		case 'O':
			if (c.num_options == AE_MAX_OPTIONS) {
				fprintf(stderr, "autoenroll: too many --option\n");
				return AE_EXIT_USAGE;
			}
			c.options[c.num_options++] = optarg;
			break;
		case 'd': c.debug = atoi(optarg); break;
		case 'C': c.ccache = optarg; break;
		case 'h': return usage(stdout, AE_EXIT_OK);
		default: return usage(stderr, AE_EXIT_USAGE);
		}
	}
	ae_log_set_level(c.debug);
	if (optind >= argc) {
		return usage(stderr, AE_EXIT_USAGE);
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
		return run_pol(argc, argv);
	}
	if (strcmp(argv[0], "help") == 0) {
		return usage(stdout, AE_EXIT_OK);
	}
	fprintf(stderr, "autoenroll: unknown command '%s'\n", argv[0]);
	return usage(stderr, AE_EXIT_USAGE);
}
