/*
 * cli_args.c: argument parsing and error reporting of `autoenroll`: the
 * parts of the command line that are checked before anything is done.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli_args.h"
#include "cli_help.h"
#include "cli_output.h"
#include "ae_json.h"
#include "ae_log.h"

/* --json anywhere on the command line: every outcome, fatal or usage
 * errors included, is exactly one JSON object on stdout */
static bool g_json;

void cli_set_json(bool json)
{
	g_json = json;
}


static void json_fatal(int code, const char *msg)
{
	fputs("{\"error\": ", stdout);
	ae_json_string(stdout, msg);
	fprintf(stdout, ", \"exit_code\": %d}\n", code);
	fflush(stdout);
}

/* A fatal error: printed once (stderr and, for run, syslog) and as the
 * JSON object with --json. Returns code. */
int cli_fatal(int code, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	AE_ERROR("%s", msg);
	if (g_json) {
		json_fatal(code, msg);
	}
	return code;
}

/* A usage error of command (NULL: the global options): exit 2. */
int cli_usage_error(const char *command, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "autoenroll: %s (see: autoenroll %s%s--help)\n", msg,
		command ? command : "", command ? " " : "");
	if (g_json) {
		json_fatal(AE_EXIT_USAGE, msg);
	}
	return AE_EXIT_USAGE;
}

int cli_parse_transport(const char *s, enum ae_transport_choice *t)
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

int cli_parse_u32(const char *s, uint32_t *out)
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

/* --user [NAME]: NAME attached (--user=NAME) or the next word when it is not an option */
static int take_user(int argc, char **argv, struct cli_ctx_flags *f)
{
	if (f == NULL) {
		return cli_usage_error(argv[0], "%s takes no --user", argv[0]);
	}
	if (optarg != NULL) {
		f->user = optarg;
	} else if (optind < argc && argv[optind][0] != '-') {
		f->user = argv[optind++];
	} else {
		f->user = "";
	}
	if (f->user[0] == '\0' && geteuid() == 0) {
		return cli_usage_error(argv[0], "--user without NAME means the calling user, and "
				       "that is root: as root, name the user (--user NAME)");
	}
	return -1;
}

int cli_parse_ctx_flags(int argc, char **argv, bool *json, bool *dry_run, int nargs,
			struct cli_ctx_flags *f)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "user", optional_argument, NULL, 'u' },
		{ "ccache", required_argument, NULL, 'C' },
		{ "full", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc;

	optind = 0;	/* 0: glibc re-initialises (the global scan used "+") */
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j': *json = true; break;
		case 'n':
			if (dry_run == NULL) {
				return cli_usage_error(argv[0], "%s takes no --dry-run", argv[0]);
			}
			*dry_run = true;
			break;
		case 'u':
			rc = take_user(argc, argv, f);
			if (rc >= 0) {
				return rc;
			}
			break;
		case 'C':
			if (f == NULL) {
				return cli_usage_error(argv[0], "%s takes no --ccache", argv[0]);
			}
			f->ccache = optarg;
			break;
		case 'F':
			if (f == NULL || !f->takes_full) {
				return cli_usage_error(argv[0], "%s takes no --full", argv[0]);
			}
			f->full = true;
			break;
		case 'h': return cli_command_help(stdout, argv[0], AE_EXIT_OK);
		default: return cli_usage_error(argv[0], "invalid option");
		}
	}
	if (argc - optind != nargs) {
		if (optind < argc && nargs == 0) {
			return cli_usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
		}
		return cli_usage_error(argv[0], "%s needs exactly %d argument(s)", argv[0], nargs);
	}
	return -1;
}

/* --json [--dry-run] [--help] of run, status, policy, config, pol (nargs
 * positional arguments); -1 to go on, else the exit code */
int cli_parse_flags(int argc, char **argv, bool *json, bool *dry_run, int nargs)
{
	return cli_parse_ctx_flags(argc, argv, json, dry_run, nargs, NULL);
}

/* -d LEVEL: a decimal number 0..AE_MAX_DEBUG, nothing else */
int cli_parse_debug(const char *s, int *out)
{
	uint32_t v = 0;

	if (cli_parse_u32(s, &v) != 0 || v > AE_MAX_DEBUG) {
		return -1;
	}
	*out = (int)v;
	return 0;
}

bool cli_wants_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			return true;
		}
	}
	return false;
}
