/*
 * ae_pam_spawn.c: the detached start of the user cycle (ae_pam_spawn.h has
 * the process tree). Everything a child needs (argv, environment, the
 * descriptors) is ready before fork(); after it, only async-signal-safe
 * calls: sigaction, sigprocmask, setsid, fork, chdir, umask, dup2, dup3,
 * close, close_range (a system call), execve, write, waitpid, getpid, _exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "ae_pam_spawn.h"

const char *const ae_pam_child_env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

/* One record on the status pipe (smaller than PIPE_BUF: written whole). */
struct msg {
	char kind;  /* 'P' pid of the command, 'E' exec errno, 'F' fork errno, 'S' wait status */
	int value;
};

static void send_msg(int fd, char kind, int value)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.kind = kind;
	m.value = value;
	(void)!write(fd, &m, sizeof(m));
}

/* fd moved to >= 3 (so that stdio set-up cannot clobber it), close-on-exec */
static int high_fd(int fd)
{
	int n;

	if (fd < 0 || fd >= 3) {
		return fd;
	}
	n = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return n;
}

/* In a child: default dispositions, nothing blocked. SIGCHLD must not stay
 * ignored (B waits for C) and the application's handlers are not ours. */
static void reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++) {
		(void)sigaction(s, &sa, NULL);
	}
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* In B: stdio to /dev/null, the pipe as fd 3 (close-on-exec), nothing else. */
static void child_fds(int nul, int wfd)
{
	(void)dup2(nul, 0);
	(void)dup2(nul, 1);
	(void)dup2(nul, 2);
	if (wfd != 3) {
		(void)dup3(wfd, 3, O_CLOEXEC);
	}
	(void)close_range(4, ~0U, 0);
}

static void exec_command(const char *const argv[])
{
	execve(argv[0], (char *const *)argv, (char *const *)ae_pam_child_env);
	send_msg(3, 'E', errno);
	_exit(127);
}

/* B: with wait_s, fork C and report its status; else exec in place. */
static void run_b(const char *const argv[], unsigned wait_s, int nul, int wfd)
{
	pid_t c;
	int st = 0;

	(void)chdir("/");
	umask(022);
	child_fds(nul, wfd);
	if (wait_s == 0) {
		send_msg(3, 'P', getpid());
		exec_command(argv);
	}
	c = fork();
	if (c < 0) {
		send_msg(3, 'F', errno);
		_exit(1);
	}
	if (c == 0) {
		exec_command(argv);
	}
	send_msg(3, 'P', c);
	/* the module may stop listening: a late write must not kill B */
	signal(SIGPIPE, SIG_IGN);
	while (waitpid(c, &st, 0) < 0 && errno == EINTR) {
	}
	send_msg(3, 'S', st);
	_exit(0);
}

static void run_a(const char *const argv[], unsigned wait_s, int nul, int wfd)
{
	pid_t b;

	reset_signals();
	(void)setsid();
	b = fork();
	if (b < 0) {
		send_msg(wfd, 'F', errno);
		_exit(1);
	}
	if (b == 0) {
		run_b(argv, wait_s, nul, wfd);
	}
	_exit(0);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the status pipe until a final record, EOF or the deadline. */
static void collect(int rfd, unsigned wait_s, struct ae_pam_spawn_result *r)
{
	long bound = wait_s > 0 ? (long)wait_s * 1000 : AE_PAM_EXEC_CONFIRM_MS;
	long deadline = now_ms() + bound;

	for (;;) {
		struct pollfd p = { .fd = rfd, .events = POLLIN };
		long left = deadline - now_ms();
		struct msg m;
		ssize_t n;
		int pr;

		if (left <= 0) {
			r->kind = wait_s > 0 ? AE_SPAWN_TIMEOUT : AE_SPAWN_STARTED;
			return;
		}
		pr = poll(&p, 1, (int)left);
		if (pr < 0 && errno == EINTR) {
			continue;
		}
		if (pr <= 0) {
			continue; /* the deadline check above ends it */
		}
		n = read(rfd, &m, sizeof(m));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n != (ssize_t)sizeof(m)) {
			/* EOF: the exec closed the last writer (no wait), or B died */
			r->kind = wait_s > 0 ? AE_SPAWN_FAILED : AE_SPAWN_STARTED;
			r->value = wait_s > 0 ? ECHILD : 0;
			return;
		}
		switch (m.kind) {
		case 'P':
			r->pid = (pid_t)m.value;
			break;
		case 'E':
			r->kind = AE_SPAWN_EXEC_FAILED;
			r->value = m.value;
			return;
		case 'F':
			r->kind = AE_SPAWN_FAILED;
			r->value = m.value;
			return;
		case 'S':
			r->kind = AE_SPAWN_EXITED;
			r->value = m.value;
			return;
		default:
			break;
		}
	}
}

void ae_pam_spawn(const char *const argv[], unsigned wait_s, struct ae_pam_spawn_result *r)
{
	int fds[2] = { -1, -1 };
	int nul = -1;
	sigset_t all, old;
	pid_t a;
	int err;

	memset(r, 0, sizeof(*r));
	r->kind = AE_SPAWN_FAILED;
	if (pipe2(fds, O_CLOEXEC) != 0) {
		r->value = errno;
		return;
	}
	fds[0] = high_fd(fds[0]);
	fds[1] = high_fd(fds[1]);
	nul = high_fd(open("/dev/null", O_RDWR | O_CLOEXEC));
	if (fds[0] < 0 || fds[1] < 0 || nul < 0) {
		r->value = errno != 0 ? errno : EBADF;
		goto out;
	}
	/* no handler of the application may run in the child before reset */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	a = fork();
	err = errno;
	if (a == 0) {
		close(fds[0]);
		run_a(argv, wait_s, nul, fds[1]);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(fds[1]);
	fds[1] = -1;
	close(nul);
	nul = -1;
	if (a < 0) {
		r->value = err;
		goto out;
	}
	/* A exits right after its fork; ECHILD: the application reaps itself */
	while (waitpid(a, NULL, 0) < 0 && errno == EINTR) {
	}
	collect(fds[0], wait_s, r);
out:
	if (fds[0] >= 0) {
		close(fds[0]);
	}
	if (fds[1] >= 0) {
		close(fds[1]);
	}
	if (nul >= 0) {
		close(nul);
	}
}
