/* cli_args.h: argument parsing and error reporting of `autoenroll`. */
#ifndef AE_CLI_ARGS_H
#define AE_CLI_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include "ae_enroll.h"

#define AE_MAX_DEBUG 10

/* --json was given: errors are printed as one JSON object on stdout too */
void cli_set_json(bool json);

/* --json anywhere before "--" */
bool cli_wants_json(int argc, char **argv);

/* A fatal error: printed once (stderr, syslog when enabled) and as
 * {"error", "exit_code"} with --json. Returns code. */
int cli_fatal(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A usage error of command (NULL: the global options): returns 2. */
int cli_usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* auto | tcp | np -> 0, else -1 (*t untouched) */
int cli_parse_transport(const char *s, enum ae_transport_choice *t);

/* a decimal uint32 -> 0, else -1 (*out untouched) */
int cli_parse_u32(const char *s, uint32_t *out);

/* -d LEVEL: a decimal number 0..AE_MAX_DEBUG -> 0, else -1 */
int cli_parse_debug(const char *s, int *out);

/*
 * --json [--dry-run] [--help] of run, status, policy, config and pol, with
 * exactly nargs positional arguments (argv[0] is the command). dry_run NULL:
 * --dry-run is refused. Returns -1 to go on, else the exit code (help: 0,
 * usage error: 2); optind is left at the first positional argument.
 */
int cli_parse_flags(int argc, char **argv, bool *json, bool *dry_run, int nargs);

/* The principal a command works for: the machine, or a user (--user). */
struct cli_ctx_flags {
	const char *user;	/* NULL: the machine; "": the calling user; else NAME */
	const char *ccache;	/* --ccache CCNAME of the command, or NULL */
	bool takes_full;	/* set by the caller: --full is an option of this command (run) */
	bool full;		/* --full */
};

/*
 * cli_parse_flags plus --user [NAME] and --ccache CCNAME (f NULL: both
 * refused). NAME is --user=NAME or the word after --user when it does not
 * start with '-'. --user without NAME as root is a usage error (root must
 * name the user).
 */
int cli_parse_ctx_flags(int argc, char **argv, bool *json, bool *dry_run, int nargs,
			struct cli_ctx_flags *f);

#endif
