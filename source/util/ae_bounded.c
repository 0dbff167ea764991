/*
 * ae_bounded.c: a blocking call bounded in time through a forked child
 * (ae_bounded.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ae_bounded.h"

struct bounded_reply {
	int32_t result;
	char msg[AE_BOUNDED_MSG_MAX];
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void child(int fd, ae_bounded_fn fn, void *arg)
{
	struct bounded_reply r;
	const char *p = (const char *)&r;
	size_t off = 0;

	memset(&r, 0, sizeof(r));
	r.result = fn(arg, r.msg, sizeof(r.msg));
	r.msg[sizeof(r.msg) - 1] = '\0';
	while (off < sizeof(r)) {
		ssize_t n = write(fd, p + off, sizeof(r) - off);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		off += (size_t)n;
	}
	_exit(off == sizeof(r) ? 0 : 1);
}

/* Read the whole reply before the deadline: 1 done, 0 timeout, -1 EOF/error. */
static int read_reply(int fd, int64_t deadline, struct bounded_reply *r)
{
	char *p = (char *)r;
	size_t off = 0;

	while (off < sizeof(*r)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - mono_ms();
		ssize_t n;
		int rc;

		if (left <= 0) {
			return 0;
		}
		rc = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (rc < 0 && errno == EINTR) {
			continue;
		}
		if (rc < 0) {
			return -1;
		}
		if (rc == 0) {
			return 0;
		}
		n = read(fd, p + off, sizeof(*r) - off);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return -1;
		}
		off += (size_t)n;
	}
	return 1;
}

static void reap(pid_t pid, bool kill_it)
{
	if (kill_it) {
		(void)kill(pid, SIGKILL);
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
	}
}

ae_err ae_bounded_call(ae_bounded_fn fn, void *arg, unsigned timeout_ms, int *result,
		       char *msg, size_t msg_len)
{
	struct bounded_reply r;
	int64_t deadline = mono_ms() + timeout_ms;
	int fds[2];
	pid_t pid;
	int got;

	if (fn == NULL || result == NULL || msg == NULL || msg_len == 0 || timeout_ms == 0) {
		return AE_ERR_INVALID;
	}
	msg[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(msg, msg_len, "pipe: %s", strerror(errno));
		return AE_ERR_IO;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(msg, msg_len, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return AE_ERR_IO;
	}
	if (pid == 0) {
		close(fds[0]);
		child(fds[1], fn, arg);
	}
	close(fds[1]);
	memset(&r, 0, sizeof(r));
	got = read_reply(fds[0], deadline, &r);
	close(fds[0]);
	reap(pid, got != 1);
	if (got == 0) {
		return AE_ERR_TRANSPORT;
	}
	if (got < 0) {
		snprintf(msg, msg_len, "the call's process ended without a result");
		return AE_ERR_IO;
	}
	r.msg[sizeof(r.msg) - 1] = '\0';
	snprintf(msg, msg_len, "%s", r.msg);
	*result = r.result;
	return AE_OK;
}
