/*
 * ae_fetch.c: file:// reads and a bounded HTTP/1.0 GET (RFC 1945) over a
 * plain non-blocking socket, one deadline for the whole exchange.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "ae_fetch.h"
#include "ae_file.h"
#include "ae_log.h"
#include "ae_net_timeout.h"

#define RECV_CHUNK (16 * 1024)

struct conn {
	int fd;
	int64_t deadline;	/* CLOCK_MONOTONIC, ms */
	const char *url;	/* for messages */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for events, or fail at the deadline. */
static ae_err wait_fd(const struct conn *c, short events, const char *what)
{
	for (;;) {
		struct pollfd pfd = { .fd = c->fd, .events = events };
		int64_t left = c->deadline - now_ms();
		int rc;

		if (left <= 0) {
			AE_WARN("fetch %s: timed out while %s", c->url, what);
			return AE_ERR_TRANSPORT;
		}
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno == EINTR) {
			continue;
		}
		if (rc < 0) {
			AE_WARN("fetch %s: poll: %s", c->url, strerror(errno));
			return AE_ERR_TRANSPORT;
		}
		if (rc > 0) {
			return AE_OK;	/* errors surface in the next call */
		}
	}
}

static ae_err connect_one(struct conn *c, const struct addrinfo *ai)
{
	socklen_t sl = sizeof(int);
	int soerr = 0;
	ae_err err;

	c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       ai->ai_protocol);
	if (c->fd < 0) {
		AE_DEBUG("fetch %s: socket: %s", c->url, strerror(errno));
		return AE_ERR_NOT_FOUND;	/* try the next address */
	}
	if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0) {
		return AE_OK;
	}
	if (errno != EINPROGRESS) {
		soerr = errno;
	} else {
		err = wait_fd(c, POLLOUT, "connecting");
		if (err != AE_OK) {
			return err;	/* the deadline is over for every address */
		}
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0) {
			soerr = errno;
		}
	}
	if (soerr == 0) {
		return AE_OK;
	}
	AE_DEBUG("fetch %s: connect: %s", c->url, strerror(soerr));
	close(c->fd);
	c->fd = -1;
	return AE_ERR_NOT_FOUND;	/* try the next address */
}

static ae_err connect_host(struct conn *c, const struct ae_url *u)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	const struct addrinfo *ai = NULL;
	char port[8];
	ae_err err = AE_ERR_NOT_FOUND;
	int rc;

	snprintf(port, sizeof(port), "%u", (unsigned)u->port);
	rc = getaddrinfo(u->host, port, &hints, &res);
	if (rc != 0) {
		AE_WARN("fetch %s: cannot resolve '%s': %s", c->url, u->host, gai_strerror(rc));
		return AE_ERR_TRANSPORT;
	}
	for (ai = res; ai != NULL && err == AE_ERR_NOT_FOUND; ai = ai->ai_next) {
		err = connect_one(c, ai);
	}
	freeaddrinfo(res);
	if (err == AE_ERR_NOT_FOUND) {
		AE_WARN("fetch %s: cannot connect to %s", c->url, u->authority);
		return AE_ERR_TRANSPORT;
	}
	return err;
}

static ae_err send_all(const struct conn *c, const char *buf, size_t n)
{
	size_t off = 0;

	while (off < n) {
		ssize_t w = send(c->fd, buf + off, n - off, MSG_NOSIGNAL);
		ae_err err;

		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			AE_WARN("fetch %s: send: %s", c->url, strerror(errno));
			return AE_ERR_TRANSPORT;
		}
		err = wait_fd(c, POLLOUT, "sending");
		if (err != AE_OK) {
			return err;
		}
	}
	return AE_OK;
}

/* Read until the server closes; more than cap bytes -> AE_ERR_TOO_LARGE. */
static ae_err recv_all(TALLOC_CTX *mem_ctx, const struct conn *c, size_t cap,
		       uint8_t **_buf, size_t *_len)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	size_t size = 0;
	ae_err err;

	for (;;) {
		ssize_t r;

		if (size - len < RECV_CHUNK) {
			uint8_t *nb = talloc_realloc(mem_ctx, buf, uint8_t, size + 4 * RECV_CHUNK);

			if (nb == NULL) {
				talloc_free(buf);
				return AE_ERR_NOMEM;
			}
			buf = nb;
			size += 4 * RECV_CHUNK;
		}
		r = recv(c->fd, buf + len, size - len, 0);
		if (r == 0) {
			break;
		}
		if (r > 0) {
			len += (size_t)r;
			if (len > cap) {
				AE_WARN("fetch %s: the answer is larger than %zu bytes", c->url, cap);
				talloc_free(buf);
				return AE_ERR_TOO_LARGE;
			}
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			AE_WARN("fetch %s: recv: %s", c->url, strerror(errno));
			talloc_free(buf);
			return AE_ERR_TRANSPORT;
		}
		err = wait_fd(c, POLLIN, "receiving");
		if (err != AE_OK) {
			talloc_free(buf);
			return err;
		}
	}
	*_buf = buf;
	*_len = len;
	return AE_OK;
}

/* What the status says; AE_OK for 200 only. */
static ae_err check_status(const struct ae_http_response *r, const char *url)
{
	if (r->status == 200) {
		return AE_OK;
	}
	if (r->status >= 300 && r->status < 400) {
		AE_WARN("fetch %s: HTTP %u redirect to '%s' refused", url, r->status,
			r->location != NULL ? r->location : "");
		return AE_ERR_TRANSPORT;
	}
	AE_WARN("fetch %s: HTTP status %u", url, r->status);
	return r->status == 404 || r->status == 410 ? AE_ERR_NOT_FOUND : AE_ERR_TRANSPORT;
}

static ae_err http_get(TALLOC_CTX *mem_ctx, const struct ae_url *u, const char *url,
		       size_t max_len, unsigned timeout_ms, uint8_t **_data, size_t *_len)
{
	struct conn c = { .fd = -1, .deadline = now_ms() + timeout_ms, .url = url };
	struct ae_http_response *r = NULL;
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *req = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	ae_err err;

	if (tmp == NULL) {
		return AE_ERR_NOMEM;
	}
	/* path and authority are printable ASCII without spaces (ae_url_parse) */
	req = talloc_asprintf(tmp, "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: samba-autoenroll\r\n"
			      "Accept: */*\r\nConnection: close\r\n\r\n", u->path, u->authority);
	err = req != NULL ? connect_host(&c, u) : AE_ERR_NOMEM;
	if (err == AE_OK) {
		err = send_all(&c, req, strlen(req));
	}
	if (err == AE_OK) {
		err = recv_all(tmp, &c, AE_HTTP_HEADER_MAX + max_len, &buf, &len);
	}
	if (c.fd >= 0) {
		close(c.fd);
	}
	if (err == AE_OK) {
		err = ae_http_response_parse(tmp, buf, len, &r);
		if (err != AE_OK) {
			AE_WARN("fetch %s: malformed HTTP answer (%s)", url, ae_strerror(err));
		}
	}
	if (err == AE_OK) {
		err = check_status(r, url);
	}
	if (err == AE_OK && r->body_len > max_len) {
		AE_WARN("fetch %s: %zu bytes, more than %zu", url, r->body_len, max_len);
		err = AE_ERR_TOO_LARGE;
	}
	if (err == AE_OK) {
		*_data = talloc_steal(mem_ctx, r->body);
		*_len = r->body_len;
	}
	talloc_free(tmp);
	return err;
}

ae_err ae_fetch_url(TALLOC_CTX *mem_ctx, const char *url, size_t max_len,
		    unsigned timeout_ms, uint8_t **_data, size_t *_len)
{
	struct ae_url *u = NULL;
	ae_err err;

	if (url == NULL || _data == NULL || _len == NULL || max_len == 0 ||
	    max_len > AE_FETCH_MAX || timeout_ms == 0 || timeout_ms > AE_FETCH_TIMEOUT_MS_MAX) {
		return AE_ERR_INVALID;
	}
	err = ae_url_parse(NULL, url, &u);
	if (err == AE_ERR_UNSUPPORTED && strncasecmp(url, "ldap://", 7) == 0) {
		AE_INFO("fetch %s: ldap:// is read over the directory connection, not here", url);
		return err;
	}
	if (err != AE_OK) {
		/* the URL is not printed: it may hold control characters */
		AE_WARN("fetch: %s URL (%s)",
			err == AE_ERR_UNSUPPORTED ? "unsupported" : "malformed", ae_strerror(err));
		return err;
	}
	if (u->scheme == AE_URL_FILE) {
		/* a FIFO, a device or a directory is refused unopened: no hang, no endless read */
		char why[128] = "";
		err = ae_file_read_at(mem_ctx, AT_FDCWD, u->path, max_len, AE_FILE_FOLLOW, _data,
				      _len, why, sizeof(why));
		if (err != AE_OK) {
			AE_WARN("fetch %s: %s", url, why[0] ? why : ae_strerror(err));
		}
	} else if (ae_net_deadline_passed()) {
		AE_WARN("fetch %s: %s", url, ae_net_cycle_over());
		err = AE_ERR_TRANSPORT;
	} else {
		/* never past the cycle's deadline (autoenroll:cycle timeout) */
		int64_t left = ae_net_left_ms();

		err = http_get(mem_ctx, u, url, max_len,
			       left < (int64_t)timeout_ms ? (unsigned)left : timeout_ms, _data, _len);
	}
	talloc_free(u);
	return err;
}
