/*
 * test_hooks.c: hooks, with real test hook scripts in a temp dir: the hooks
 * directory's rules (deploy/ae_hooks.c: name order, run-parts names, a
 * hook writable by others or a symbolic link refused, a directory others
 * may write refused), a hook run through ae_child_run_env with the AE_*
 * environment of ae_cycle_hook_env (and nothing else of ours), a failing
 * hook, a hook killed at its timeout, a refused environment entry, and the
 * store's pending-hooks record (set, read, clear; a bad record).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_child.h"
#include "ae_cycle_deploy.h"
#include "ae_hooks.h"
#include "ae_store.h"
#include "ae_target.h"
#include "leak_check.h"

static char *tmpdir(TALLOC_CTX *mem)
{
	char tmpl[] = "/tmp/test_hooks.XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	assert_int_equal(chmod(tmpl, 0755), 0);
	return talloc_strdup(mem, tmpl);
}

static void rm_rf(const char *d)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
}

static char *script(TALLOC_CTX *mem, const char *dir, const char *name, const char *body,
		    mode_t mode)
{
	char *p = talloc_asprintf(mem, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
	return p;
}

static void test_hooks_dir_rules(void **state)
{
	char *d = tmpdir(*state);
	struct ae_hook_list *l = NULL;
	char why[512] = "";

	script(*state, d, "20-second", "exit 0", 0755);
	script(*state, d, "10-first", "exit 0", 0700);
	script(*state, d, "30-disabled", "exit 0", 0644);	/* chmod -x: skipped */
	script(*state, d, "40-web.dpkg-old", "exit 0", 0755);	/* not a run-parts name */
	script(*state, d, ".hidden", "exit 0", 0755);
	script(*state, d, "50-open", "exit 0", 0755);
	assert_int_equal(chmod(talloc_asprintf(*state, "%s/50-open", d), 0757), 0);
	assert_int_equal(symlink("/bin/true", talloc_asprintf(*state, "%s/60-link", d)), 0);
	assert_int_equal(ae_hooks_list(*state, d, &l, why, sizeof(why)), AE_OK);
	assert_int_equal(l->n, 2);
	assert_string_equal(l->paths[0], talloc_asprintf(*state, "%s/10-first", d));
	assert_string_equal(l->paths[1], talloc_asprintf(*state, "%s/20-second", d));
	assert_null(l->paths[2]);
	assert_int_equal(l->num_refused, 2);
	assert_true(strstr(l->refused[0], "50-open: writable by group or others") != NULL ||
		    strstr(l->refused[1], "50-open: writable by group or others") != NULL);
	assert_true(strstr(l->refused[0], "60-link: a symbolic link") != NULL ||
		    strstr(l->refused[1], "60-link: a symbolic link") != NULL);
	talloc_free(l);
	/* a missing directory: no hooks */
	assert_int_equal(ae_hooks_list(*state, talloc_asprintf(*state, "%s/none", d), &l, why,
				       sizeof(why)), AE_OK);
	assert_int_equal(l->n, 0);
	talloc_free(l);
	/* a directory others may write: refused, named */
	assert_int_equal(chmod(d, 0777), 0);
	l = NULL;
	assert_int_equal(ae_hooks_list(*state, d, &l, why, sizeof(why)), AE_ERR_INVALID);
	assert_null(l);
	assert_non_null(strstr(why, d));
	rm_rf(d);
}

static struct ae_store_cert cert_of(void)
{
	struct ae_store_cert sc = { 0 };

	sc.template_name = "LabMachine";
	sc.ca = "lab-CA";
	sc.serial_hex = "1A2B";
	sc.not_after = 1830297600;	/* 2028-01-01T00:00:00Z */
	sc.cert_path = "/var/lib/samba/autoenroll/machine/LabMachine.crt";
	sc.key_path = "/var/lib/samba/autoenroll/machine/LabMachine.key";
	sc.chain_path = "/var/lib/samba/autoenroll/machine/LabMachine.chain.pem";
	return sc;
}

static void test_hook_sees_action_and_paths_only(void **state)
{
	char *d = tmpdir(*state);
	char *out = talloc_asprintf(*state, "%s/env.out", d);
	char *body = talloc_asprintf(*state, "env | sort > %s", out);
	char *h = script(*state, d, "10-env", body, 0755);
	struct ae_store_cert sc = cert_of();
	struct ae_target_spec tg = { 0 };
	const char *argv[] = { h, NULL };
	struct ae_child_result *r = NULL;
	char **env;
	char why[256] = "", buf[4096] = "";
	FILE *f;
	size_t n;

	tg.path[AE_TARGET_KEY] = "/etc/ssl/private/m.key";
	tg.path[AE_TARGET_CERT] = "/etc/ssl/certs/m.crt";
	assert_int_equal(setenv("KRB5CCNAME", "FILE:/tmp/secret-ccache", 1), 0);
	env = ae_cycle_hook_env(*state, &sc, &tg, "renew");
	assert_non_null(env);
	assert_int_equal(ae_child_run_env(*state, argv, (const char *const *)env, 10000, &r, why,
					  sizeof(why)), AE_OK);
	unsetenv("KRB5CCNAME");
	assert_true(r->exited);
	assert_int_equal(r->status, 0);
	f = fopen(out, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "AE_ACTION=renew\n"));
	assert_non_null(strstr(buf, "AE_TEMPLATE=LabMachine\n"));
	assert_non_null(strstr(buf, "AE_CA=lab-CA\n"));
	assert_non_null(strstr(buf, "AE_CERT=/var/lib/samba/autoenroll/machine/LabMachine.crt\n"));
	assert_non_null(strstr(buf, "AE_KEY=/var/lib/samba/autoenroll/machine/LabMachine.key\n"));
	assert_non_null(strstr(buf, "AE_CHAIN=/var/lib/samba/autoenroll/machine/LabMachine.chain"));
	assert_non_null(strstr(buf, "AE_SERIAL=1A2B\n"));
	assert_non_null(strstr(buf, "AE_NOT_AFTER=2028-01-01T00:00:00Z\n"));
	assert_non_null(strstr(buf, "AE_DEPLOY_KEY=/etc/ssl/private/m.key\n"));
	assert_non_null(strstr(buf, "AE_DEPLOY_CERT=/etc/ssl/certs/m.crt\n"));
	assert_null(strstr(buf, "AE_DEPLOY_FULLCHAIN"));
	assert_null(strstr(buf, "KRB5CCNAME"));
	assert_non_null(strstr(buf, "PATH=" AE_CHILD_PATH "\n"));
	/* remove: no store paths (the files went to archive/) */
	env = ae_cycle_hook_env(*state, &sc, NULL, "remove");
	assert_string_equal(env[3], "AE_CERT=");
	rm_rf(d);
}

static void test_hook_failure_and_timeout(void **state)
{
	char *d = tmpdir(*state);
	char *fail = script(*state, d, "fail", "echo 'reload failed: no such unit' >&2; exit 3",
			    0755);
	char *slow = script(*state, d, "slow", "exec sleep 30", 0755);
	const char *argv_fail[] = { fail, NULL }, *argv_slow[] = { slow, NULL };
	const char *bad_env[] = { "LD_PRELOAD=/tmp/x.so", NULL };
	const char *bad_val[] = { "AE_TEMPLATE=a\nb", NULL };
	struct ae_child_result *r = NULL;
	char why[256] = "";

	assert_int_equal(ae_child_run_env(*state, argv_fail, NULL, 10000, &r, why, sizeof(why)),
			 AE_OK);
	assert_true(r->exited);
	assert_int_equal(r->status, 3);
	assert_non_null(strstr(r->output, "reload failed: no such unit"));
	r = NULL;
	assert_int_equal(ae_child_run_env(*state, argv_slow, NULL, 300, &r, why, sizeof(why)),
			 AE_OK);
	assert_true(r->timed_out);
	assert_false(r->exited);
	r = NULL;
	assert_int_equal(ae_child_run_env(*state, argv_fail, bad_env, 1000, &r, why, sizeof(why)),
			 AE_ERR_INVALID);
	assert_null(r);
	assert_int_equal(ae_child_run_env(*state, argv_fail, bad_val, 1000, &r, why, sizeof(why)),
			 AE_ERR_INVALID);
	assert_null(r);
	rm_rf(d);
}

static void test_store_hooks_record(void **state)
{
	char *d = tmpdir(*state);
	char *sdir = talloc_asprintf(*state, "%s/machine", d);
	struct ae_store *s = NULL;
	struct ae_store_lock *lock = NULL;
	char *action = NULL;
	struct stat st;
	FILE *f;

	assert_int_equal(ae_store_open(*state, sdir, geteuid(), AE_STORE_OPEN_CREATE, &s, NULL, 0),
			 AE_OK);
	assert_int_equal(ae_store_hooks_pending(*state, s, "LabMachine", &action), AE_ERR_NOT_FOUND);
	/* set and clear need the lock */
	assert_int_equal(ae_store_hooks_set(s, "LabMachine", "renew"), AE_ERR_INVALID);
	assert_int_equal(ae_store_lock(s, false, &lock), AE_OK);
	assert_int_equal(ae_store_hooks_set(s, "LabMachine", "renew"), AE_OK);
	assert_int_equal(stat(talloc_asprintf(*state, "%s/LabMachine.hooks", sdir), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(ae_store_hooks_pending(*state, s, "LabMachine", &action), AE_OK);
	assert_string_equal(action, "renew");
	assert_int_equal(ae_store_hooks_set(s, "LabMachine", "Re-Enroll"), AE_ERR_INVALID);
	assert_int_equal(ae_store_hooks_set(s, "../x", "renew"), AE_ERR_INVALID);
	assert_int_equal(ae_store_hooks_clear(s, "LabMachine"), AE_OK);
	assert_int_equal(ae_store_hooks_pending(*state, s, "LabMachine", &action), AE_ERR_NOT_FOUND);
	assert_int_equal(ae_store_hooks_clear(s, "LabMachine"), AE_OK);	/* none: fine */
	/* a record that is not ours */
	f = fopen(talloc_asprintf(*state, "%s/LabMachine.hooks", sdir), "w");
	assert_non_null(f);
	fputs("action=renew; rm -rf /\n", f);
	fclose(f);
	assert_int_equal(ae_store_hooks_pending(*state, s, "LabMachine", &action), AE_ERR_PARSE);
	talloc_free(lock);
	rm_rf(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hooks_dir_rules, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_hook_sees_action_and_paths_only, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_hook_failure_and_timeout, leak_setup,
						leak_teardown),
		cmocka_unit_test_setup_teardown(test_store_hooks_record, leak_setup, leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
