/*
 * Fuzz target: the LDAP ping's receive loop at its call site
 * ([MS-ADTS] 6.3.3). ae_cldap_ping_at() runs as in a cycle: it builds the
 * request, resolves "localhost", opens and connects its UDP socket; while
 * the ping runs, send(), poll() and recv() are replaced at link time
 * (-Wl,--wrap=send,--wrap=poll,--wrap=recv): nothing leaves the host and
 * what the loop receives is the fuzz input: each datagram in
 * turn, truncated to the caller's buffer as a datagram socket does, then a
 * timeout (poll returns 0: the deadline) or a socket error. getrandom() is
 * wrapped too so the messageID is fixed (0x1267, the seeds'), which the
 * replies must match. Checked: the result's names are capped strings on
 * the caller's context, the loop reads at most AE_CLDAP_DATAGRAMS_MAX
 * datagrams per attempt, and at most AE_CLDAP_TRIES attempts per address.
 *
 * Input: 1 control byte (bit 0: after the datagrams, recv fails with
 * ECONNREFUSED instead of a timeout; bit 1: the first poll is interrupted,
 * EINTR), then datagrams, each 2 bytes big-endian length + bytes (the last
 * one may be shorter than its length says: what is left).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>
#include <talloc.h>
#include "ae_cldap.h"
#include "ae_cldap_private.h"
#include "ae_log.h"

#define FUZZ_MSGID 0x1267u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int __real_poll(struct pollfd *fds, nfds_t nfds, int timeout);
ssize_t __real_recv(int fd, void *buf, size_t len, int flags);
ssize_t __real_getrandom(void *buf, size_t len, unsigned int flags);
int __wrap_poll(struct pollfd *fds, nfds_t nfds, int timeout);
ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags);
ssize_t __wrap_getrandom(void *buf, size_t len, unsigned int flags);
ssize_t __real_send(int fd, const void *buf, size_t len, int flags);
ssize_t __wrap_send(int fd, const void *buf, size_t len, int flags);

static struct {
	int active;
	const uint8_t *p;	/* the datagrams not received yet */
	size_t len;
	unsigned control;
	unsigned polls, recvs, sends;
} g;

int __wrap_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	if (!g.active) {
		return __real_poll(fds, nfds, timeout);
	}
	if (nfds != 1 || timeout <= 0) {
		abort();	/* one socket, a bounded wait */
	}
	if (g.polls++ == 0 && (g.control & 2)) {
		errno = EINTR;
		return -1;
	}
	if (g.len == 0 && !(g.control & 1)) {
		return 0;	/* the deadline passed */
	}
	fds[0].revents = POLLIN;
	return 1;
}

ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags)
{
	size_t n, take;

	if (!g.active) {
		return __real_recv(fd, buf, len, flags);
	}
	g.recvs++;
	if (g.len == 0) {
		errno = ECONNREFUSED;	/* an ICMP port unreachable came back */
		return -1;
	}
	if (g.len < 2) {
		n = g.len;
		g.p += g.len;
		g.len = 0;
		take = 0;
	} else {
		n = ((size_t)g.p[0] << 8) | g.p[1];
		g.p += 2;
		g.len -= 2;
		n = n < g.len ? n : g.len;
		take = n;
	}
	n = take < len ? take : len;	/* a datagram socket truncates to the buffer */
	memcpy(buf, g.p, n);
	g.p += take;
	g.len -= take;
	return (ssize_t)n;
}

ssize_t __wrap_send(int fd, const void *buf, size_t len, int flags)
{
	if (!g.active) {
		return __real_send(fd, buf, len, flags);
	}
	if (len == 0 || len > AE_CLDAP_REPLY_MAX) {
		abort();	/* the ping is one small datagram */
	}
	g.sends++;
	return (ssize_t)len;
}

ssize_t __wrap_getrandom(void *buf, size_t len, unsigned int flags)
{
	uint32_t v = FUZZ_MSGID;

	if (!g.active || len != sizeof(v)) {
		return __real_getrandom(buf, len, flags);
	}
	memcpy(buf, &v, sizeof(v));
	return (ssize_t)len;
}

static void quiet_once(void)
{
	static int done;

	if (!done) {
		ae_log_set_level(getenv("FUZZ_VERBOSE") != NULL ? 3 : -1);
		done = 1;
	}
}

static void check(const struct ae_netlogon *nl)
{
	const char *names[] = { nl->forest, nl->domain, nl->dc_host, nl->netbios_domain,
				nl->netbios_host, nl->user, nl->dc_site, nl->client_site,
				nl->next_closest_site };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((names[i] == NULL && i + 1 < sizeof(names) / sizeof(names[0])) ||
		    (names[i] != NULL && strlen(names[i]) > AE_NETLOGON_NAME_MAX)) {
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem;
	struct ae_netlogon *nl = NULL;
	ae_err err;

	if (size < 1) {
		return 0;
	}
	quiet_once();
	mem = talloc_new(NULL);
	memset(&g, 0, sizeof(g));
	g.control = data[0];
	g.p = data + 1;
	g.len = size - 1;
	g.active = 1;
	err = ae_cldap_ping_at(mem, "localhost", "389", AE_CLDAP_WAIT_MS, "lab.example.com",
			       "MEMBER1", &nl);
	g.active = 0;
	if (g.recvs > g.sends * AE_CLDAP_DATAGRAMS_MAX ||
	    g.sends > AE_CLDAP_ADDRS_MAX * AE_CLDAP_TRIES) {
		abort();	/* the loop must stop reading */
	}
	if (err == AE_OK) {
		if (nl == NULL || talloc_parent(nl) != mem) {
			abort();
		}
		check(nl);
	} else if (nl != NULL) {
		abort();	/* outputs only on success */
	}
	talloc_free(mem);
	return 0;
}
