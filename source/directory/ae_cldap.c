/*
 * The LDAP ping over UDP ([MS-ADTS] 6.3.3): one connected datagram socket
 * per resolved DC address, bounded waits, replies matched by messageID.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <ldap.h>
#include "ae_cldap.h"
#include "ae_cldap_private.h"
#include "ae_ldap.h"
#include "ae_log.h"
#include "ae_net_timeout.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int32_t new_msgid(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v)) {
		v = (uint32_t)now_ms() ^ (uint32_t)getpid();
	}
	v &= 0x7fffffffu;
	return v == 0 ? 1 : (int32_t)v;
}

static void addr_string(const struct addrinfo *ai, char *buf, size_t len)
{
	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, (socklen_t)len, NULL, 0,
			NI_NUMERICHOST) != 0) {
		snprintf(buf, len, "?");
	}
}

/*
 * Wait up to 'wait_ms' for a reply with our messageID on 'fd'. Datagrams
 * that do not parse, and replies to other messages, are dropped and the
 * wait goes on (one bad datagram must not end the lookup), at most
 * AE_CLDAP_DATAGRAMS_MAX datagrams per wait; *malformed counts the ones
 * that did not parse. AE_OK with *_r; AE_ERR_TRANSPORT on timeout, too
 * many datagrams or a socket error.
 */
static ae_err await_reply(int fd, int32_t msgid, int wait_ms, const char *where,
			  TALLOC_CTX *mem_ctx, unsigned *malformed, struct ae_cldap_reply **_r)
{
	uint8_t buf[AE_CLDAP_REPLY_MAX + 1];
	int64_t cycle_left = ae_net_left_ms();	/* never past the cycle's deadline */
	int64_t deadline = now_ms() + (cycle_left < wait_ms ? cycle_left : wait_ms);
	unsigned datagrams = 0;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct ae_cldap_reply *r = NULL;
		int64_t left = deadline - now_ms();
		ssize_t n;
		ae_err err;
		int rc;

		if (left <= 0) {
			return AE_ERR_TRANSPORT;
		}
		if (datagrams == AE_CLDAP_DATAGRAMS_MAX) {
			AE_ERROR("CLDAP %s: %u datagrams without our answer; giving up this attempt",
				 where, datagrams);
			return AE_ERR_TRANSPORT;
		}
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno == EINTR) {
			continue;
		}
		if (rc < 0) {
			AE_ERROR("CLDAP %s: poll: %s", where, strerror(errno));
			return AE_ERR_TRANSPORT;
		}
		if (rc == 0) {
			return AE_ERR_TRANSPORT;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			/* e.g. ECONNREFUSED: an ICMP port unreachable came back */
			AE_ERROR("CLDAP %s: %s", where, strerror(errno));
			return AE_ERR_TRANSPORT;
		}
		datagrams++;
		err = ae_cldap_parse_reply(mem_ctx, buf, (size_t)n, &r);
		if (err == AE_ERR_NOMEM) {
			return err;
		}
		if (err != AE_OK) {
			AE_WARN("CLDAP %s: dropping a malformed datagram of %zd bytes: %s", where, n,
				ae_strerror(err));
			(*malformed)++;
			continue;
		}
		if (r->msgid != msgid) {
			AE_DEBUG("CLDAP %s: dropping a reply to message %d", where, (int)r->msgid);
			talloc_free(r);
			continue;
		}
		*_r = r;
		return AE_OK;
	}
}

/* Ping one address: AE_CLDAP_TRIES sends, wait_ms each. */
static ae_err ping_addr(const struct addrinfo *ai, const uint8_t *req, size_t req_len,
			int32_t msgid, int wait_ms, const char *where, TALLOC_CTX *mem_ctx,
			unsigned *malformed, struct ae_cldap_reply **_r)
{
	ae_err err = AE_ERR_TRANSPORT;
	int fd;
	int i;

	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		AE_ERROR("CLDAP %s: socket: %s", where, strerror(errno));
		return AE_ERR_TRANSPORT;
	}
	/* Connected: the kernel drops datagrams from any other address. */
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		AE_ERROR("CLDAP %s: connect: %s", where, strerror(errno));
		close(fd);
		return AE_ERR_TRANSPORT;
	}
	for (i = 0; i < AE_CLDAP_TRIES && err == AE_ERR_TRANSPORT; i++) {
		ssize_t sent = send(fd, req, req_len, 0);

		if (sent < 0 || (size_t)sent != req_len) {
			AE_ERROR("CLDAP %s: send: %s", where,
				 sent < 0 ? strerror(errno) : "short write");
			break;
		}
		err = await_reply(fd, msgid, wait_ms, where, mem_ctx, malformed, _r);
		if (err == AE_ERR_TRANSPORT && i + 1 < AE_CLDAP_TRIES) {
			AE_DEBUG("CLDAP %s: no answer in %d ms, asking again", where, wait_ms);
		}
	}
	close(fd);
	return err;
}

/* Turn a reply into the result: the entry, or why there is none. */
static ae_err reply_result(struct ae_cldap_reply *r, const char *dc_host,
			   const char *dns_domain, TALLOC_CTX *mem_ctx, struct ae_netlogon **_r)
{
	if (r->result_code > 0) {
		AE_ERROR("CLDAP %s: the DC answered LDAP error %d (%s)", dc_host, r->result_code,
			 ldap_err2string(r->result_code));
		return AE_ERR_LDAP;
	}
	if (r->netlogon == NULL) {
		AE_ERROR("CLDAP %s: the DC sent no Netlogon answer for domain %s", dc_host,
			 dns_domain);
		return AE_ERR_NOT_FOUND;
	}
	*_r = talloc_steal(mem_ctx, r->netlogon);
	return AE_OK;
}

ae_err ae_cldap_ping(TALLOC_CTX *mem_ctx, const char *dc_host, const char *dns_domain,
		     const char *netbios_name, struct ae_netlogon **_r)
{
	char port[8];

	snprintf(port, sizeof(port), "%d", AE_CLDAP_PORT);
	return ae_cldap_ping_at(mem_ctx, dc_host, port, AE_CLDAP_WAIT_MS, dns_domain,
				netbios_name, _r);
}

ae_err ae_cldap_ping_at(TALLOC_CTX *mem_ctx, const char *dc_host, const char *port,
			int wait_ms, const char *dns_domain, const char *netbios_name,
			struct ae_netlogon **_r)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res = NULL;
	struct addrinfo *ai = NULL;
	struct ae_cldap_reply *reply = NULL;
	TALLOC_CTX *tmp = NULL;
	uint8_t *req = NULL;
	size_t req_len = 0;
	int32_t msgid;
	unsigned tried = 0, malformed = 0;
	ae_err err;
	int rc;

	if (_r == NULL || port == NULL || wait_ms <= 0 || !ae_ldap_host_valid(dc_host)) {
		AE_ERROR("CLDAP: '%s' is not a DC host name", dc_host != NULL ? dc_host : "(null)");
		return AE_ERR_INVALID;
	}
	if (ae_net_deadline_passed()) {
		AE_ERROR("CLDAP ping of %s: %s", dc_host, ae_net_cycle_over());
		return AE_ERR_TRANSPORT;
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	msgid = new_msgid();
	err = ae_cldap_build_request(tmp, msgid, dns_domain, netbios_name, &req, &req_len);
	if (err != AE_OK) {
		AE_ERROR("CLDAP %s: cannot build the ping for domain '%s', host '%s': %s",
			 dc_host, dns_domain != NULL ? dns_domain : "(null)",
			 netbios_name != NULL ? netbios_name : "(null)", ae_strerror(err));
		talloc_free(tmp);
		return err;
	}
	rc = getaddrinfo(dc_host, port, &hints, &res);
	if (rc != 0) {
		AE_ERROR("CLDAP: cannot resolve %s: %s", dc_host, gai_strerror(rc));
		talloc_free(tmp);
		return AE_ERR_TRANSPORT;
	}
	err = AE_ERR_TRANSPORT;
	for (ai = res; ai != NULL && tried < AE_CLDAP_ADDRS_MAX; ai = ai->ai_next) {
		char addr[NI_MAXHOST];
		char *where = NULL;

		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) {
			continue;
		}
		tried++;
		addr_string(ai, addr, sizeof(addr));
		where = talloc_asprintf(tmp, "%s (%s)", dc_host, addr);
		if (where == NULL) {
			err = AE_ERR_NOMEM;
			break;
		}
		err = ping_addr(ai, req, req_len, msgid, wait_ms, where, tmp, &malformed, &reply);
		if (err == AE_OK) {
			AE_DEBUG("CLDAP %s: answered message %d", where, (int)msgid);
			break;
		}
		if (err != AE_ERR_TRANSPORT) {
			break;	/* the DC answered, badly: another address won't help */
		}
		AE_INFO("CLDAP %s: no answer", where);
	}
	freeaddrinfo(res);
	if (err == AE_ERR_TRANSPORT) {
		AE_ERROR("CLDAP: no answer from %s (%u address(es), %d x %d ms each; %u malformed "
			 "datagram(s) dropped)", dc_host, tried, AE_CLDAP_TRIES, wait_ms, malformed);
		if (malformed > 0) {
			err = AE_ERR_PARSE;	/* only undecodable answers came back */
		}
	}
	if (err == AE_OK) {
		err = reply_result(reply, dc_host, dns_domain, mem_ctx, _r);
	}
	talloc_free(tmp);
	return err;
}
