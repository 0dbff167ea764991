/*
 * Fuzz target: an HTTP answer at its call site, ae_fetch_url() (the CRL
 * and AIA fetch, RFC 5280 §4.2.1.13 / §4.2.2.1 over HTTP/1.0): the URL is
 * parsed, 127.0.0.1 resolved, a real TCP connection made to a socket this
 * harness listens on; while the fetch runs, send(), recv() and poll() are
 * replaced at link time (-Wl,--wrap=send,--wrap=recv,--wrap=poll): the
 * request goes nowhere and the answer is the fuzz input, delivered in
 * chunks (a server's segments), optionally with EAGAIN before each one,
 * then the end of the stream. So the receive loop's cap, the response
 * parser, the status check and the body cap all run as in a cycle.
 * Checked: on success the body is on the caller's context, at most
 * max_len bytes, NUL-terminated; outputs only on success.
 *
 * Input: 1 byte chunk size (0: 4096), 1 control byte (bit 0: EAGAIN
 * before each chunk; bits 1-2: max_len 64, 1024, 4096 or 65536), then
 * the bytes the server sends.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <talloc.h>
#include "ae_fetch.h"
#include "ae_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int __real_poll(struct pollfd *fds, nfds_t nfds, int timeout);
ssize_t __real_recv(int fd, void *buf, size_t len, int flags);
ssize_t __real_send(int fd, const void *buf, size_t len, int flags);
int __wrap_poll(struct pollfd *fds, nfds_t nfds, int timeout);
ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags);
ssize_t __wrap_send(int fd, const void *buf, size_t len, int flags);

static struct {
	int active;
	const uint8_t *p;	/* what the server has not sent yet */
	size_t len;
	size_t chunk;
	int eagain, again_due;
	int listener;
	char url[64];
} g = { .listener = -1 };

int __wrap_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	if (!g.active) {
		return __real_poll(fds, nfds, timeout);
	}
	if (nfds != 1 || timeout <= 0) {
		abort();	/* one socket, a bounded wait */
	}
	fds[0].revents = fds[0].events & (POLLIN | POLLOUT);
	return 1;
}

ssize_t __wrap_send(int fd, const void *buf, size_t len, int flags)
{
	if (!g.active) {
		return __real_send(fd, buf, len, flags);
	}
	if (len == 0 || memcmp(buf, "GET ", 4) != 0) {
		abort();	/* the request starts in the first send */
	}
	return (ssize_t)len;
}

ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags)
{
	size_t n;

	if (!g.active) {
		return __real_recv(fd, buf, len, flags);
	}
	if (g.eagain && g.again_due && g.len > 0) {
		g.again_due = 0;
		errno = EAGAIN;
		return -1;
	}
	g.again_due = 1;
	n = g.len < g.chunk ? g.len : g.chunk;
	n = n < len ? n : len;
	memcpy(buf, g.p, n);
	g.p += n;
	g.len -= n;
	return (ssize_t)n;	/* 0: the server closed */
}

static void setup_once(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);

	if (g.listener >= 0) {
		return;
	}
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g.listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (g.listener < 0 || bind(g.listener, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(g.listener, 16) != 0 ||
	    getsockname(g.listener, (struct sockaddr *)&a, &alen) != 0) {
		abort();
	}
	snprintf(g.url, sizeof(g.url), "http://127.0.0.1:%u/pki/LAB-CA.crl",
		 (unsigned)ntohs(a.sin_port));
	ae_log_set_level(getenv("FUZZ_VERBOSE") != NULL ? 3 : -1);
}

/* Take the connections the fetches left in the backlog, and close them. */
static void drain(void)
{
	int fd;

	while ((fd = accept4(g.listener, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		close(fd);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t max_lens[4] = { 64, 1024, 4096, 65536 };
	TALLOC_CTX *mem;
	uint8_t *body = NULL;
	size_t body_len = 0, max_len;
	ae_err err;

	if (size < 2) {
		return 0;
	}
	setup_once();
	g.chunk = data[0] != 0 ? data[0] : 4096;
	g.eagain = data[1] & 1;
	g.again_due = 1;
	max_len = max_lens[(data[1] >> 1) & 3];
	g.p = data + 2;
	g.len = size - 2;
	mem = talloc_new(NULL);
	g.active = 1;
	err = ae_fetch_url(mem, g.url, max_len, 5000, &body, &body_len);
	g.active = 0;
	drain();
	if (err == AE_OK) {
		if (body == NULL || talloc_parent(body) != mem || body_len > max_len ||
		    body_len > size || body[body_len] != 0) {
			abort();
		}
	} else if (body != NULL || body_len != 0) {
		abort();	/* outputs only on success */
	}
	talloc_free(mem);
	return 0;
}
