/*
 * test_pam_module.c: the built pam_autoenroll.so, loaded by libpam
 * (pam_start_confdir with a service file in a private directory) and driven
 * through pam_open_session, with tests/unit/pam_fake_command.c as command=.
 * The module's contract: for a domain user with KRB5CCNAME in the PAM
 * environment, `<command> -s <config> run --user NAME --ccache CC` as root,
 * detached (own session, not our child, stdio on /dev/null, no other
 * descriptor, "/" as directory, PATH as the only environment variable: no
 * KRB5CCNAME, nothing of ours or of PAM's), with pam_open_session returning
 * before the command ends and no zombie left to us; wait=: the result
 * waited for, or not beyond the wait; root, local users, no ccache, a bad
 * command or user name: nothing runs and the session still opens.
 * Domain users are the local users named in AE_PAM_TEST_DOMAIN_USERS (the
 * test-seams build's stand-in for winbind); "bin" is a local user.
 * Needs root (the command must be root-owned).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <talloc.h>
#include <security/pam_appl.h>
#include "leak_check.h"

#define CCACHE "FILE:/tmp/krb5cc_1_test"

struct env {
	char dir[64];
	char *fake;    /* dir/autoenroll: the fake command */
	char *conf;    /* dir/smb.conf */
	int runs;      /* records expected so far */
};

static struct env g;

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	(void)n;
	(void)msg;
	(void)resp;
	(void)data;
	return PAM_CONV_ERR;
}

static char *slurp(TALLOC_CTX *mem, const char *path)
{
	char *s = talloc_strdup(mem, "");
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		return s;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		s = talloc_strndup_append(s, buf, (size_t)n);
	}
	close(fd);
	return s;
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ssize_t n;

	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		assert_int_equal(write(out, buf, (size_t)n), n);
	}
	close(in);
	close(out);
	assert_int_equal(chmod(to, mode), 0);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle)) {
		n++;
	}
	return n;
}

typedef int (*sm_fn)(pam_handle_t *, int, int, const char **);

/*
 * One session of user (KRB5CCNAME = ccache unless NULL) through the module's
 * own pam_sm_open_session (dlopen'ed), so that its result is seen as it is;
 * the handle comes from libpam (pam_start_confdir, a service file in our
 * directory). want: PAM_SUCCESS (started) or PAM_IGNORE (skipped).
 */
static void session(const char *user, const char *ccache, const char *opts, int want,
		    double *elapsed)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *confdir = talloc_asprintf(t, "%s/pam.d", g.dir);
	char *copy = talloc_strdup(t, opts);
	const char *argv[16];
	struct pam_conv c = { conv, NULL };
	pam_handle_t *pamh = NULL;
	struct timespec a, b;
	void *so = dlopen(AE_PAM_MODULE, RTLD_NOW | RTLD_LOCAL);
	sm_fn open_fn, close_fn;
	int argc = 0, rc;

	assert_non_null(so);
	open_fn = (sm_fn)dlsym(so, "pam_sm_open_session");
	close_fn = (sm_fn)dlsym(so, "pam_sm_close_session");
	assert_non_null(open_fn);
	assert_non_null(close_fn);
	for (char *sp = NULL, *w = strtok_r(copy, " ", &sp); w != NULL && argc < 15;
	     w = strtok_r(NULL, " ", &sp)) {
		argv[argc++] = w;
	}
	argv[argc] = NULL;
	assert_int_equal(pam_start_confdir("aetest", user, &c, confdir, &pamh), PAM_SUCCESS);
	if (ccache != NULL) {
		assert_int_equal(pam_putenv(pamh, talloc_asprintf(t, "KRB5CCNAME=%s", ccache)),
				 PAM_SUCCESS);
	}
	assert_int_equal(pam_putenv(pamh, "PAM_TEST_SECRET=pam-secret"), PAM_SUCCESS);
	clock_gettime(CLOCK_MONOTONIC, &a);
	rc = open_fn(pamh, 0, argc, argv);
	clock_gettime(CLOCK_MONOTONIC, &b);
	*elapsed = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	assert_int_equal(close_fn(pamh, 0, argc, argv), PAM_IGNORE);
	pam_end(pamh, PAM_SUCCESS);
	dlclose(so);
	talloc_free(t);
	assert_int_equal(rc, want);
}

/*
 * The module in a stack as pam-auth-update writes it ("optional"):
 * pam_open_session succeeds whether the module started the cycle or not,
 * and whatever the command does.
 */
static void stack_session(const char *user, const char *ccache, const char *opts)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *svc = talloc_asprintf(t, "%s/pam.d/aestack", g.dir);
	char *confdir = talloc_asprintf(t, "%s/pam.d", g.dir);
	struct pam_conv c = { conv, NULL };
	pam_handle_t *pamh = NULL;
	int rc;

	write_file(svc, talloc_asprintf(t, "session required pam_permit.so\n"
					   "session optional %s %s\n", AE_PAM_MODULE, opts), 0644);
	assert_int_equal(pam_start_confdir("aestack", user, &c, confdir, &pamh), PAM_SUCCESS);
	if (ccache != NULL) {
		assert_int_equal(pam_putenv(pamh, talloc_asprintf(t, "KRB5CCNAME=%s", ccache)),
				 PAM_SUCCESS);
	}
	rc = pam_open_session(pamh, 0);
	if (rc == PAM_SUCCESS) {
		rc = pam_close_session(pamh, 0);
	}
	pam_end(pamh, rc);
	talloc_free(t);
	assert_int_equal(rc, PAM_SUCCESS);
}

static void no_child_left(void)
{
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* polls (bounded by 200 x 50 ms) until the record holds `want` runs */
static char *wait_records(TALLOC_CTX *mem, const char *file, const char *mark, int want)
{
	char *path = talloc_asprintf(mem, "%s/%s", g.dir, file);
	char *s = NULL;

	for (int i = 0; i < 200; i++) {
		talloc_free(s);
		s = slurp(mem, path);
		if (count(s, mark) >= want) {
			break;
		}
		usleep(50000);
	}
	return s;
}

static int done_count(void)
{
	char *cmd = talloc_asprintf(NULL, "ls %s | grep -c '^done\\.' || true", g.dir);
	FILE *p = popen(cmd, "r");
	int n = -1;

	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	talloc_free(cmd);
	return n;
}

static int setup_group(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "test_pam_module needs root: the command must be root-owned\n");
		return -1;
	}
	snprintf(g.dir, sizeof(g.dir), "/tmp/test_pam_module.XXXXXX");
	if (mkdtemp(g.dir) == NULL) {
		return -1;
	}
	g.fake = talloc_asprintf(NULL, "%s/autoenroll", g.dir);
	g.conf = talloc_asprintf(NULL, "%s/smb.conf", g.dir);
	copy_file(AE_PAM_FAKE, g.fake, 0755);
	write_file(g.conf, "[global]\n", 0644);
	mkdir(talloc_asprintf(g.fake, "%s/pam.d", g.dir), 0755);
	write_file(talloc_asprintf(g.fake, "%s/pam.d/aetest", g.dir),
		   "session required pam_permit.so\n", 0644);
	setenv("AE_PAM_TEST_DOMAIN_USERS", "daemon,root", 1);
	setenv("AE_TEST_SECRET", "process-secret", 1);
	setenv("KRB5CCNAME", "FILE:/tmp/krb5cc_0_process", 1);
	return 0;
}

static int teardown_group(void **state)
{
	char *cmd = talloc_asprintf(NULL, "rm -rf '%s'", g.dir);

	(void)state;
	(void)!system(cmd);
	talloc_free(cmd);
	talloc_free(g.fake);
	talloc_free(g.conf);
	return 0;
}

/* nothing ran: no new record (the module returned, and it spawns before) */
static void assert_no_run(void)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *s = slurp(t, talloc_asprintf(t, "%s/record", g.dir));
	int n = count(s, "BEGIN ");

	talloc_free(t);
	assert_int_equal(n, g.runs);
	no_child_left();
}

static void test_skips(void **state)
{
	char *opts = talloc_asprintf(*state, "command=%s", g.fake);
	char *bad = talloc_asprintf(*state, "%s/writable", g.dir);
	double el;

	session("root", CCACHE, opts, PAM_IGNORE, &el);         /* root, even as a "domain" user */
	assert_no_run();
	session("bin", CCACHE, opts, PAM_IGNORE, &el);          /* a local user */
	assert_no_run();
	session("no-such-user-x", CCACHE, opts, PAM_IGNORE, &el);
	assert_no_run();
	session("daemon", NULL, opts, PAM_IGNORE, &el);         /* no ccache in the PAM env */
	assert_no_run();
	session("daemon", "--help", opts, PAM_IGNORE, &el);     /* a ccache unfit for argv */
	assert_no_run();
	session("-daemon", CCACHE, opts, PAM_IGNORE, &el);      /* a user name unfit for argv */
	assert_no_run();
	copy_file(AE_PAM_FAKE, bad, 0757);          /* command writable by others */
	session("daemon", CCACHE, talloc_asprintf(*state, "command=%s", bad), PAM_IGNORE, &el);
	assert_no_run();
	session("daemon", CCACHE, talloc_asprintf(*state, "command=%s/none", g.dir), PAM_IGNORE,
		&el);
	assert_no_run();
	write_file(bad, "not a program\n", 0755);   /* execve fails: ENOEXEC */
	session("daemon", CCACHE, talloc_asprintf(*state, "command=%s", bad), PAM_IGNORE, &el);
	assert_no_run();
	assert_int_equal(unlink(bad), 0);
	/* config= that is not root-safe */
	write_file(bad, "[global]\n", 0646);
	session("daemon", CCACHE, talloc_asprintf(*state, "command=%s config=%s", g.fake, bad),
		PAM_IGNORE, &el);
	assert_no_run();
	assert_int_equal(unlink(bad), 0);
	/* in an "optional" stack the session opens all the same */
	stack_session("root", CCACHE, opts);
	stack_session("daemon", NULL, opts);
	stack_session("daemon", CCACHE, talloc_asprintf(*state, "command=%s/none", g.dir));
	assert_no_run();
}

/* one record block: the lines between "BEGIN" of run n (1-based) and END */
static char *block(TALLOC_CTX *mem, const char *rec, int n)
{
	const char *p = rec;
	const char *e;

	for (int i = 0; i < n; i++) {
		p = strstr(p, "BEGIN ");
		assert_non_null(p);
		p += 6;
	}
	e = strstr(p, "END\n");
	assert_non_null(e);
	return talloc_strndup(mem, p, (size_t)(e - p));
}

static void test_detached_run(void **state)
{
	char *opts = talloc_asprintf(*state, "command=%s config=%s debug", g.fake, g.conf);
	char *rec, *b, *want;
	double el;

	write_file(talloc_asprintf(*state, "%s/behave", g.dir), "sleep 3 0\n", 0644);
	session("daemon", CCACHE, opts, PAM_SUCCESS, &el);
	/* returned before the command ended: no done marker yet */
	assert_int_equal(done_count(), 0);
	no_child_left();
	assert_true(el < 2.0);
	g.runs++;
	rec = wait_records(*state, "record", "END\n", g.runs);
	b = block(*state, rec, g.runs);
	want = talloc_asprintf(*state, "argv 0 %s\nargv 1 -s\nargv 2 %s\nargv 3 run\n"
				       "argv 4 --user\nargv 5 daemon\nargv 6 --ccache\n"
				       "argv 7 " CCACHE "\nuid 0 euid 0\n", g.fake, g.conf);
	assert_non_null(strstr(b, want));
	assert_null(strstr(b, "argv 8"));
	/* the one environment variable */
	assert_int_equal(count(b, "\nenv "), 1);
	assert_non_null(strstr(b, "\nenv PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"));
	assert_null(strstr(b, "KRB5CCNAME"));
	assert_null(strstr(b, "secret"));
	/* stdio on /dev/null, nothing else */
	assert_int_equal(count(b, "\nfd "), 3);
	assert_non_null(strstr(b, "\nfd 0 /dev/null\n"));
	assert_non_null(strstr(b, "\nfd 1 /dev/null\n"));
	assert_non_null(strstr(b, "\nfd 2 /dev/null\n"));
	assert_non_null(strstr(b, "\ncwd /\n"));
	/* not our child, not in our session */
	assert_null(strstr(b, talloc_asprintf(*state, "ppid %ld ", (long)getpid())));
	assert_null(strstr(b, talloc_asprintf(*state, " sid %ld ", (long)getsid(0))));
	/* it ends on its own, and nothing is left for us to reap */
	for (int i = 0; i < 200 && done_count() < 1; i++) {
		usleep(50000);
	}
	assert_int_equal(done_count(), 1);
	no_child_left();
}

/* wait=: the result is waited for (exit 3: pending), or up to the bound */
static void test_wait(void **state)
{
	char *opts = talloc_asprintf(*state, "command=%s wait=20", g.fake);
	double el;

	write_file(talloc_asprintf(*state, "%s/behave", g.dir), "exit 3\n", 0644);
	session("daemon", CCACHE, opts, PAM_SUCCESS, &el);
	g.runs++;
	/* waited: the command had finished when the session opened */
	assert_int_equal(done_count(), 2);
	no_child_left();

	write_file(talloc_asprintf(*state, "%s/behave", g.dir), "sleep 6 0\n", 0644);
	opts = talloc_asprintf(*state, "command=%s wait=1", g.fake);
	session("daemon", CCACHE, opts, PAM_SUCCESS, &el);
	g.runs++;
	assert_true(el >= 0.9);
	assert_int_equal(done_count(), 2); /* still running after the wait */
	no_child_left();
	for (int i = 0; i < 400 && done_count() < 3; i++) {
		usleep(50000);
	}
	assert_int_equal(done_count(), 3);
	no_child_left();
	assert_int_equal(count(wait_records(*state, "record", "END\n", g.runs), "END\n"), g.runs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_skips, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_detached_run, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_wait, leak_setup, leak_teardown),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
