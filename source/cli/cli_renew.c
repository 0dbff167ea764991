/*
 * cli_renew.c: `autoenroll renew TEMPLATE`: a forced renewal through the
 * cycle (ae_cycle_opts.renew_template, decide()'s force_renew). First a
 * dry run, so that a template without a valid certificate is refused (exit
 * 6) before anything is changed; then the cycle.
 */
#include <getopt.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <talloc.h>
#include "cli_renew.h"
#include "cli_args.h"
#include "cli_cycle.h"
#include "cli_output.h"
#include "ae_cycle.h"
#include "ae_log.h"

/* The item of the forced template: its "forced" RENEW or "nothing-to-renew" SKIP. */
static const struct ae_cycle_item *forced_item(const struct ae_cycle_report *r, const char *t)
{
	size_t i;

	for (i = 0; i < r->num_items; i++) {
		const struct ae_cycle_item *it = &r->items[i];
		if (strcasecmp(it->template_name, t) == 0 && it->cause != NULL &&
		    (strcmp(it->cause, "forced") == 0 || strcmp(it->cause, "nothing-to-renew") == 0)) {
			return it;
		}
	}
	return NULL;
}

/* One cycle; *_r on mem. Returns -1, or the exit code of a failure to run. */
static int cycle(TALLOC_CTX *mem, struct ae_session *s, const struct ae_cycle_opts *co,
		 struct ae_cycle_report **_r)
{
	ae_err err = ae_cycle_run(mem, s, co, _r);

	if (err != AE_OK) {
		/* once: stderr and syslog (and the JSON object with --json) */
		return cli_fatal(ae_exit_code(ae_outcome_from_err(err)), "renew: %s",
				 s->error[0] ? s->error : ae_strerror(err));
	}
	return -1;
}

int cli_renew(const struct ae_session_opts *so_in, int argc, char **argv)
{
	struct ae_session_opts so = *so_in;
	struct cli_ctx_flags f = { 0 };
	struct ae_cycle_opts co = { .dry_run = true };
	struct ae_session *s = NULL;
	struct ae_cycle_report *r = NULL;
	const struct ae_cycle_item *it = NULL;
	TALLOC_CTX *mem = NULL;
	bool json = false, dry_run = false;
	int rc, refused = 0;
	ae_err err;

	rc = cli_parse_ctx_flags(argc, argv, &json, &dry_run, 1, &f);
	if (rc >= 0) {
		return rc;
	}
	so.user = f.user;
	if (f.ccache != NULL) {
		so.ccache = f.ccache;
	}
	co.renew_template = argv[optind];
	ae_log_to_syslog(1);
	mem = talloc_new(NULL);
	err = ae_session_open(mem, &so, &s);
	if (err != AE_OK) {
		rc = cli_fatal(ae_exit_code(ae_outcome_from_err(err)), "renew: %s",
			       s && s->error[0] ? s->error : ae_strerror(err));
		talloc_free(mem);
		return rc;
	}
	rc = cycle(mem, s, &co, &r);
	if (rc < 0) {
		it = forced_item(r, co.renew_template);
		if (it == NULL) {
			fprintf(stderr, "autoenroll: renew: template %s is not among this %s's "
				"templates (see `autoenroll policy`): nothing renewed\n",
				co.renew_template, so.user != NULL ? "user" : "machine");
			refused = AE_EXIT_MISCONFIGURED;
		} else if (strcmp(it->cause, "nothing-to-renew") == 0) {
			fprintf(stderr, "autoenroll: renew: template %s: %s\n", it->template_name,
				it->reason ? it->reason : "nothing to renew");
			refused = AE_EXIT_MISCONFIGURED;
		}
	}
	if (rc < 0 && refused == 0 && !dry_run) {
		co.dry_run = false;
		r = NULL;
		rc = cycle(mem, s, &co, &r);
	}
	if (rc < 0) {
		/* refused: the decisions of the dry run, nothing done */
		rc = cli_cycle_print(stdout, r, json, co.dry_run) != 0 ? AE_EXIT_INTERNAL :
		     refused != 0 ? refused : ae_exit_code(r->worst);
	}
	talloc_free(mem);
	return rc;
}
