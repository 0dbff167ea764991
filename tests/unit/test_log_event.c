/*
 * test_log_event.c: the structured journal entry's fields
 * (util/ae_log_event.c, a pure function) and the MESSAGE_ID each report
 * item gets (engine/ae_cycle_log.c); the test seam AE_TEST_JOURNAL writes
 * what would be sent; as root, a real journal socket in a mount namespace
 * of its own gets the entry, and libsystemd is mapped only once an entry
 * is sent.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_cycle.h"
#include "ae_cycle_private.h"
#include "ae_log.h"
#include "ae_log_event.h"
#include "leak_check.h"

static void test_fields(void **state)
{
	struct ae_log_event ev = {
		.message_id = AE_MSGID_ISSUED, .priority = LOG_NOTICE,
		.message = "LabMachine: renew done:\nissued by lab-CA",
		.template_name = "LabMachine", .ca = "lab-CA", .serial = "1A2B",
		.action = "renew", .result = "done", .who = "",
	};
	char **f = NULL;
	size_t n = 0;

	assert_int_equal(ae_log_event_fields(*state, &ev, &f, &n), AE_OK);
	assert_int_equal(n, 9);
	assert_string_equal(f[0], "MESSAGE_ID=" AE_MSGID_ISSUED);
	assert_string_equal(f[1], "PRIORITY=5");
	assert_string_equal(f[2], "SYSLOG_IDENTIFIER=autoenroll");
	assert_string_equal(f[3], "MESSAGE=LabMachine: renew done: issued by lab-CA");
	assert_string_equal(f[4], "TEMPLATE=LabMachine");
	assert_string_equal(f[5], "CA=lab-CA");
	assert_string_equal(f[6], "SERIAL=1A2B");
	assert_string_equal(f[7], "ACTION=renew");
	assert_string_equal(f[8], "RESULT=done");
	assert_null(f[9]);
	talloc_free(f);
	/* unset fields are left out; a user run says whom it works for */
	ev.ca = NULL;
	ev.serial = "";
	ev.who = "user LAB\\alice";
	assert_int_equal(ae_log_event_fields(*state, &ev, &f, &n), AE_OK);
	assert_int_equal(n, 8);
	assert_string_equal(f[7], "AE_WHO=user LAB\\alice");
	talloc_free(f);
	/* no valid id, no message: refused, nothing returned */
	f = NULL;
	ev.message_id = "not-an-id";
	assert_int_equal(ae_log_event_fields(*state, &ev, &f, &n), AE_ERR_INVALID);
	ev.message_id = "FE4EB259874B40EDB7D91EA3D00686BC";	/* sd-id128 is lower case */
	assert_int_equal(ae_log_event_fields(*state, &ev, &f, &n), AE_ERR_INVALID);
	ev.message_id = AE_MSGID_PENDING;
	ev.message = NULL;
	assert_int_equal(ae_log_event_fields(*state, &ev, &f, &n), AE_ERR_INVALID);
	assert_null(f);
}

static void test_item_message_ids(void **state)
{
	static const struct { const char *action, *result, *id; int prio; } cases[] = {
		{ "enroll", "done", AE_MSGID_ISSUED, LOG_NOTICE },
		{ "renew", "done", AE_MSGID_ISSUED, LOG_NOTICE },
		{ "retrieve", "pending", AE_MSGID_PENDING, LOG_NOTICE },
		{ "enroll", "denied", AE_MSGID_DENIED, LOG_ERR },
		{ "enroll", "failed", AE_MSGID_FAILED, LOG_ERR },
		{ "archive", "done", AE_MSGID_REMOVED, LOG_NOTICE },
		{ "remove", "done", AE_MSGID_REMOVED, LOG_NOTICE },
		{ "warn", "warned", AE_MSGID_WARNED, LOG_WARNING },
		{ "deploy", "done", AE_MSGID_DEPLOYED, LOG_NOTICE },
		{ "deploy", "failed", AE_MSGID_DEPLOY_FAILED, LOG_ERR },
		{ "nssdb", "done", AE_MSGID_DEPLOYED, LOG_NOTICE },
		{ "nssdb", "warned", AE_MSGID_DEPLOY_FAILED, LOG_WARNING },
		{ "hook", "done", AE_MSGID_HOOK_OK, LOG_INFO },
		{ "hook", "warned", AE_MSGID_HOOK_FAILED, LOG_WARNING },
	};
	struct ae_cycle_item it = { 0 };
	const char *id = NULL;
	int prio = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		it.action = cases[i].action;
		it.result = cases[i].result;
		assert_true(ae_cycle_log_kind(&it, &id, &prio));
		assert_string_equal(id, cases[i].id);
		assert_int_equal(prio, cases[i].prio);
	}
	it.action = "skip";
	it.result = "skipped";
	assert_false(ae_cycle_log_kind(&it, &id, &prio));
}

#ifdef AE_TEST_SEAMS
/* (test-seam builds: AE_TEST_JOURNAL) */
static void test_seam_writes_what_would_be_sent(void **state)
{
	char path[] = "/tmp/test_log_event.XXXXXX";
	int fd = mkstemp(path);
	struct ae_cycle_item it = { 0 };
	char buf[2048] = "";
	ssize_t n;

	(void)state;
	assert_true(fd >= 0);
	it.template_name = "LabMachine";
	it.action = "hook";
	it.result = "warned";
	it.ca = "lab-CA";
	it.serial = "77";
	it.reason = "hook /x exited 1";
	assert_int_equal(setenv("AE_TEST_JOURNAL", path, 1), 0);
	ae_cycle_log_item(&it);		/* syslog off: nothing */
	assert_int_equal(lseek(fd, 0, SEEK_END), 0);
	ae_log_to_syslog(1);
	ae_cycle_log_item(&it);
	ae_log_to_syslog(0);
	unsetenv("AE_TEST_JOURNAL");
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "MESSAGE_ID=" AE_MSGID_HOOK_FAILED "\n"));
	assert_non_null(strstr(buf, "TEMPLATE=LabMachine\n"));
	assert_non_null(strstr(buf, "SERIAL=77\n"));
	assert_non_null(strstr(buf, "ACTION=hook\n"));
	assert_non_null(strstr(buf, "MESSAGE=LabMachine: hook warned: hook /x exited 1\n"));
	close(fd);
	unlink(path);
}
#endif

#ifdef AE_HAVE_LIBSYSTEMD
static bool mapped(const char *lib)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	bool found = false;

	while (f != NULL && !found && fgets(line, sizeof(line), f) != NULL) {
		found = strstr(line, lib) != NULL;
	}
	if (f != NULL) {
		fclose(f);
	}
	return found;
}

/* the child of test_journal_socket: 0 when every check held, else the check's number */
static int journal_child(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ae_cycle_item it = { 0 };
	char buf[4096];
	ssize_t n;
	int s;

	/* a /run of our own: journald's socket here is the test's */
	if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") != 0 ||
	    mkdir("/run/systemd", 0755) != 0 || mkdir("/run/systemd/journal", 0755) != 0) {
		return 10;
	}
	strcpy(sa.sun_path, "/run/systemd/journal/socket");
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		return 11;
	}
	if (mapped("libsystemd")) {
		return 12;	/* linked: a no-op run would map it */
	}
	it.template_name = "LabMachine";
	it.action = "renew";
	it.result = "done";
	it.ca = "lab-CA";
	it.serial = "1A";
	it.reason = "issued";
	ae_log_to_syslog(1);
	ae_cycle_log_item(&it);
	n = recv(s, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	if (n <= 0) {
		return 13;
	}
	buf[n] = '\0';
	if (strstr(buf, "MESSAGE_ID=" AE_MSGID_ISSUED "\n") == NULL ||
	    strstr(buf, "TEMPLATE=LabMachine\n") == NULL || strstr(buf, "SERIAL=1A\n") == NULL) {
		return 14;
	}
	return mapped("libsystemd") ? 0 : 15;
}

/* as root: the entry reaches journald's socket through libsystemd, opened on first use */
static void test_journal_socket(void **state)
{
	pid_t pid;
	int status = 0;

	(void)state;
	if (geteuid() != 0) {
		skip();		/* needs a mount namespace (CI runs as root) */
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		unsetenv("AE_TEST_JOURNAL");
		_exit(journal_child());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fields, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_item_message_ids, leak_setup, leak_teardown),
#ifdef AE_HAVE_LIBSYSTEMD
		cmocka_unit_test(test_journal_socket),
#endif
#ifdef AE_TEST_SEAMS
		cmocka_unit_test_setup_teardown(test_seam_writes_what_would_be_sent, leak_setup,
						leak_teardown),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
