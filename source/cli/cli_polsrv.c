/*
 * cli_polsrv.c: `autoenroll policy-server add|list|remove`: the locally
 * configured enrollment policy servers (the equivalent of Windows'
 * Add-CertificateEnrollmentPolicyServer), kept by the engine in
 * <state dir>/autoenroll/policy-servers.conf (ae_polsrv_local.h).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <talloc.h>
#include "ae_polsrv_local.h"
#include "ae_session.h"
#include "cli_args.h"
#include "cli_help.h"
#include "cli_output.h"
#include "cli_polsrv.h"

#define CMD "policy-server"

/* the configuration file of the session's smb.conf, loaded */
static int load(TALLOC_CTX *mem, const struct ae_session_opts *base,
		struct ae_polsrv_localconf **_c)
{
	struct ae_session_opts so = *base;
	struct ae_session *s = NULL;
	char why[1024] = "";
	char *path;
	ae_err err;

	so.config_only = true;
	so.quiet_unknown = true;
	so.user = NULL;
	err = ae_session_open(mem, &so, &s);
	if (err != AE_OK) {
		return cli_fatal(ae_exit_code(ae_outcome_from_err(err)), CMD ": %s",
				 s && s->error[0] ? s->error : ae_strerror(err));
	}
	path = ae_polsrv_local_path(mem, s);
	if (path == NULL) {
		return cli_fatal(AE_EXIT_INTERNAL, CMD ": out of memory");
	}
	err = ae_polsrv_local_load(mem, path, _c, why, sizeof(why));
	if (err != AE_OK) {
		return cli_fatal(err == AE_ERR_NOMEM ? AE_EXIT_INTERNAL : AE_EXIT_MISCONFIGURED,
				 CMD ": %s", why[0] ? why : ae_strerror(err));
	}
	return -1;
}

static int save(const struct ae_polsrv_localconf *c)
{
	char why[1024] = "";

	if (ae_polsrv_local_save(c, why, sizeof(why)) != AE_OK) {
		return cli_fatal(AE_EXIT_STORE, CMD ": %s", why);
	}
	return -1;
}

static int need_root(const char *what)
{
	if (geteuid() != 0) {
		return cli_fatal(AE_EXIT_MISCONFIGURED, CMD " %s: must be run as root (the policy "
				 "server configuration is root's)", what);
	}
	return -1;
}

static int parse_add(int argc, char **argv, struct ae_polsrv_local *e)
{
	static const struct option longopts[] = {
		{ "auth", required_argument, NULL, 'a' },
		{ "cost", required_argument, NULL, 'c' },
		{ "credential", required_argument, NULL, 'r' },
		{ "ca-file", required_argument, NULL, 'f' },
		{ "policy-id", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char why[256] = "";
	int opt;

	e->auth = ae_polsrv_auth_parse("kerberos");
	e->cost = AE_POLSRV_LOCAL_COST_DEFAULT;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			e->auth = ae_polsrv_auth_parse(optarg);
			if (e->auth == 0) {
				return cli_usage_error(CMD, "--auth '%s': expected kerberos, password "
						       "or certificate", optarg);
			}
			break;
		case 'c':
			if (cli_parse_u32(optarg, &e->cost) != 0) {
				return cli_usage_error(CMD, "--cost '%s': expected 0..4294967295",
						       optarg);
			}
			break;
		case 'r': e->credential_file = optarg; break;
		case 'f': e->ca_file = optarg; break;
		case 'p': e->policy_id = optarg; break;
		case 'h': return cli_command_help(stdout, CMD, AE_EXIT_OK);
		default: return cli_usage_error(CMD, "invalid option");
		}
	}
	if (optind + 1 != argc) {
		return cli_usage_error(CMD, "add needs exactly one URL");
	}
	e->url = argv[optind];
	if (!ae_polsrv_url_valid(e->url, why, sizeof(why))) {
		return cli_usage_error(CMD, "URL '%s': %s", e->url, why);
	}
	if ((e->credential_file != NULL && e->credential_file[0] != '/') ||
	    (e->ca_file != NULL && e->ca_file[0] != '/')) {
		return cli_usage_error(CMD, "%s needs an absolute path",
				       e->credential_file && e->credential_file[0] != '/' ?
				       "--credential" : "--ca-file");
	}
	return -1;
}

static int run_add(TALLOC_CTX *mem, const struct ae_session_opts *so, int argc, char **argv)
{
	struct ae_polsrv_local e = { 0 };
	struct ae_polsrv_localconf *c = NULL;
	char why[1024] = "";
	int rc = parse_add(argc, argv, &e);
	ae_err err;

	if (rc >= 0 || (rc = need_root("add")) >= 0) {
		return rc;
	}
	err = ae_polsrv_local_check(&e, why, sizeof(why));
	if (err != AE_OK) {
		return err == AE_ERR_NOMEM ? cli_fatal(AE_EXIT_INTERNAL, CMD ": out of memory") :
		       cli_usage_error(CMD, "%s", why);
	}
	if ((rc = load(mem, so, &c)) >= 0) {
		return rc;
	}
	err = ae_polsrv_local_add(c, &e);
	if (err != AE_OK) {
		return cli_fatal(err == AE_ERR_TOO_LARGE ? AE_EXIT_MISCONFIGURED : AE_EXIT_INTERNAL,
				 CMD ": %s: at most %d policy servers", c->path,
				 AE_POLSRV_LOCAL_MAX);
	}
	if ((rc = save(c)) >= 0) {
		return rc;
	}
	printf("policy server %s (policy ID %s, %s, cost %u) saved in %s\n", e.url,
	       e.policy_id ? e.policy_id : e.url, ae_polsrv_auth_name(e.auth), e.cost, c->path);
	return AE_EXIT_OK;
}

static int run_list(TALLOC_CTX *mem, const struct ae_session_opts *so, int argc, char **argv)
{
	struct ae_polsrv_localconf *c = NULL;
	bool json = false;
	int rc = cli_parse_flags(argc, argv, &json, NULL, 0);

	if (rc >= 0 || (rc = load(mem, so, &c)) >= 0) {
		return rc;
	}
	return ae_polsrv_local_print(stdout, c, json) == AE_OK ? AE_EXIT_OK : AE_EXIT_INTERNAL;
}

static int run_remove(TALLOC_CTX *mem, const struct ae_session_opts *so, int argc, char **argv)
{
	struct ae_polsrv_localconf *c = NULL;
	size_t removed = 0;
	bool json = false;	/* accepted, nothing to print as JSON */
	int rc = cli_parse_flags(argc, argv, &json, NULL, 1);

	if (rc >= 0 || (rc = need_root("remove")) >= 0 || (rc = load(mem, so, &c)) >= 0) {
		return rc;
	}
	(void)ae_polsrv_local_remove(c, argv[optind], &removed);
	if (removed == 0) {
		return cli_usage_error(CMD, "no policy server with URL or policy ID '%s' in %s",
				       argv[optind], c->path);
	}
	if ((rc = save(c)) >= 0) {
		return rc;
	}
	printf("%zu policy server end point(s) removed from %s\n", removed, c->path);
	return AE_EXIT_OK;
}

int cli_run_polsrv(const struct ae_session_opts *so, int argc, char **argv)
{
	TALLOC_CTX *mem;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		return argc < 2 ? cli_usage_error(CMD, "add, list or remove?") :
		       cli_command_help(stdout, CMD, AE_EXIT_OK);
	}
	mem = talloc_new(NULL);
	if (strcmp(argv[1], "add") == 0) {
		rc = run_add(mem, so, argc - 1, argv + 1);
	} else if (strcmp(argv[1], "list") == 0) {
		rc = run_list(mem, so, argc - 1, argv + 1);
	} else if (strcmp(argv[1], "remove") == 0) {
		rc = run_remove(mem, so, argc - 1, argv + 1);
	} else {
		rc = cli_usage_error(CMD, "unknown sub-command '%s' (add, list or remove)", argv[1]);
	}
	talloc_free(mem);
	return rc;
}
