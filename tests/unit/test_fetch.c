/*
 * test_fetch.c: URL parsing, the HTTP response parser and ae_fetch_url
 * (source/transport/ae_fetch.h) against file:// paths in a temporary
 * directory and a one-shot HTTP server forked here on 127.0.0.1.
 *
 * Leak check: talloc null tracking; each teardown requires the talloc
 * block count reachable from NULL to be unchanged, and failing calls must
 * leave the caller's context as it was. ASan's leak check covers the rest.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_fetch.h"
#include "ae_file.h"

/* ---- a one-shot HTTP server ---- */

enum serve_mode { SERVE_ANSWER, SERVE_SILENT };

struct server {
	pid_t pid;
	unsigned port;
};

/* Child: accept one connection, check the request, answer, exit 0 if the request was right. */
static void child_serve(int lfd, unsigned port, const char *path, const char *answer,
			size_t answer_len, enum serve_mode mode)
{
	char want[512];
	char req[4096];
	size_t got = 0;
	int fd = accept(lfd, NULL, NULL);
	int ok;

	if (fd < 0) {
		_exit(2);
	}
	while (got < sizeof(req) - 1 && memmem(req, got, "\r\n\r\n", 4) == NULL) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&pfd, 1, 5000) <= 0) {
			_exit(4);
		}
		r = recv(fd, req + got, sizeof(req) - 1 - got, 0);
		if (r <= 0) {
			_exit(5);
		}
		got += (size_t)r;
	}
	req[got] = '\0';
	snprintf(want, sizeof(want),
		 "GET %s HTTP/1.0\r\nHost: 127.0.0.1:%u\r\nUser-Agent: samba-autoenroll\r\n"
		 "Accept: */*\r\nConnection: close\r\n\r\n", path, port);
	ok = strcmp(req, want) == 0;
	if (mode == SERVE_SILENT) {
		sleep(5);
		_exit(ok ? 0 : 3);
	}
	if (answer_len > 0 && send(fd, answer, answer_len, MSG_NOSIGNAL) < 0 && errno != EPIPE &&
	    errno != ECONNRESET) {
		_exit(6);
	}
	close(fd);
	_exit(ok ? 0 : 3);
}

static struct server serve(const char *path, const char *answer, size_t answer_len,
			   enum serve_mode mode)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	struct server s = { 0 };
	int lfd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(lfd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);
	s.port = ntohs(sin.sin_port);
	s.pid = fork();
	assert_true(s.pid >= 0);
	if (s.pid == 0) {
		child_serve(lfd, s.port, path, answer, answer_len, mode);
	}
	close(lfd);
	return s;
}

/* The child's exit status (0: it saw the request it expected). */
static int server_done(struct server *s, bool stop)
{
	int status = 0;

	if (stop) {
		kill(s->pid, SIGTERM);
	}
	assert_int_equal(waitpid(s->pid, &status, 0), s->pid);
	if (stop) {
		return 0;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

static char *url_of(TALLOC_CTX *mem, const struct server *s, const char *path)
{
	return talloc_asprintf(mem, "http://127.0.0.1:%u%s", s->port, path);
}

/* ---- fixtures ---- */

static size_t g_blocks_before;

static int mem_setup(void **state)
{
	g_blocks_before = talloc_total_blocks(NULL);
	*state = talloc_new(NULL);
	return *state == NULL ? -1 : 0;
}

static int mem_teardown(void **state)
{
	size_t after;

	talloc_free(*state);
	after = talloc_total_blocks(NULL);
	if (after != g_blocks_before) {
		print_error("talloc leak: %zu blocks before, %zu after\n", g_blocks_before, after);
		return -1;
	}
	return 0;
}

/* A fetch that must fail with want and leave mem as it was. */
static void fetch_fails(TALLOC_CTX *mem, const char *url, size_t max, unsigned timeout_ms,
			ae_err want)
{
	size_t blocks = talloc_total_blocks(mem);
	uint8_t *data = (uint8_t *)0x1;
	size_t len = 7;

	assert_int_equal(ae_fetch_url(mem, url, max, timeout_ms, &data, &len), want);
	assert_ptr_equal(data, (uint8_t *)0x1);
	assert_int_equal(len, 7);
	assert_int_equal(talloc_total_blocks(mem), blocks);
}

/* ---- URLs ---- */

static void test_url_http(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_url *u = NULL;

	assert_int_equal(ae_url_parse(mem, "http://pki.example.com/CertEnroll/CA.crl", &u), AE_OK);
	assert_int_equal(u->scheme, AE_URL_HTTP);
	assert_string_equal(u->host, "pki.example.com");
	assert_string_equal(u->authority, "pki.example.com");
	assert_int_equal(u->port, 80);
	assert_string_equal(u->path, "/CertEnroll/CA.crl");
	TALLOC_FREE(u);

	assert_int_equal(ae_url_parse(mem, "HTTP://[::1]:8080?x=1#frag", &u), AE_OK);
	assert_string_equal(u->host, "::1");
	assert_string_equal(u->authority, "[::1]:8080");
	assert_int_equal(u->port, 8080);
	assert_string_equal(u->path, "/?x=1");
	TALLOC_FREE(u);

	assert_int_equal(ae_url_parse(mem, "http://10.0.0.1", &u), AE_OK);
	assert_string_equal(u->path, "/");
	TALLOC_FREE(u);

	u = (struct ae_url *)0x1;
	assert_int_equal(ae_url_parse(mem, "http://user@host/x", &u), AE_ERR_PARSE);
	assert_int_equal(ae_url_parse(mem, "http://host:0/x", &u), AE_ERR_PARSE);
	assert_int_equal(ae_url_parse(mem, "http://host:65536/x", &u), AE_ERR_PARSE);
	assert_int_equal(ae_url_parse(mem, "http://host:/x", &u), AE_ERR_PARSE);
	assert_int_equal(ae_url_parse(mem, "http:///x", &u), AE_ERR_PARSE);
	assert_int_equal(ae_url_parse(mem, "http://ho st/x", &u), AE_ERR_PARSE);
	assert_int_equal(ae_url_parse(mem, "http://host/a\r\nX: y", &u), AE_ERR_PARSE);
	assert_int_equal(ae_url_parse(mem, "http://[::1/x", &u), AE_ERR_PARSE);
	assert_int_equal(ae_url_parse(mem, "http:/host/x", &u), AE_ERR_PARSE);
	assert_int_equal(ae_url_parse(mem, "://host/x", &u), AE_ERR_PARSE);
	assert_int_equal(ae_url_parse(mem, "", &u), AE_ERR_PARSE);
	assert_int_equal(ae_url_parse(mem, "ldap:///CN=CA?certificateRevocationList", &u),
			 AE_ERR_UNSUPPORTED);
	assert_int_equal(ae_url_parse(mem, "https://host/x", &u), AE_ERR_UNSUPPORTED);
	assert_int_equal(ae_url_parse(mem, NULL, &u), AE_ERR_INVALID);
	assert_ptr_equal(u, (struct ae_url *)0x1);
	{
		char *longer = talloc_zero_array(mem, char, AE_URL_MAX + 2);

		memset(longer, 'a', AE_URL_MAX + 1);
		memcpy(longer, "http://h/", 9);
		assert_int_equal(ae_url_parse(mem, longer, &u), AE_ERR_TOO_LARGE);
		talloc_free(longer);
	}
}

static void test_url_file(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_url *u = NULL;

	assert_int_equal(ae_url_parse(mem, "file:///var/lib/ca%20one.crl", &u), AE_OK);
	assert_int_equal(u->scheme, AE_URL_FILE);
	assert_string_equal(u->path, "/var/lib/ca one.crl");
	TALLOC_FREE(u);
	assert_int_equal(ae_url_parse(mem, "FILE://LocalHost/x", &u), AE_OK);
	assert_string_equal(u->path, "/x");
	TALLOC_FREE(u);
	u = (struct ae_url *)0x1;
	assert_int_equal(ae_url_parse(mem, "file://server/x", &u), AE_ERR_UNSUPPORTED);
	assert_int_equal(ae_url_parse(mem, "file:///a%00b", &u), AE_ERR_PARSE);
	assert_int_equal(ae_url_parse(mem, "file:///a%4", &u), AE_ERR_PARSE);
	assert_int_equal(ae_url_parse(mem, "file:///a?b", &u), AE_ERR_PARSE);
	assert_int_equal(ae_url_parse(mem, "file://", &u), AE_ERR_PARSE);
	assert_ptr_equal(u, (struct ae_url *)0x1);
}

/* ---- HTTP responses ---- */

static ae_err parse_str(TALLOC_CTX *mem, const char *s, struct ae_http_response **r)
{
	return ae_http_response_parse(mem, (const uint8_t *)s, strlen(s), r);
}

static void test_http_parse(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_http_response *r = NULL;

	assert_int_equal(parse_str(mem, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
				   "content-type: application/pkix-crl\r\n\r\nabc", &r), AE_OK);
	assert_int_equal(r->status, 200);
	assert_int_equal(r->body_len, 3);
	assert_memory_equal(r->body, "abc", 4);
	assert_null(r->location);
	TALLOC_FREE(r);

	/* LF only, no length: the body runs to the end */
	assert_int_equal(parse_str(mem, "HTTP/1.0 200\nServer: x\n\nhello\r\n", &r), AE_OK);
	assert_int_equal(r->body_len, 7);
	TALLOC_FREE(r);

	assert_int_equal(parse_str(mem, "HTTP/1.1 302 Found\r\nLocation:  http://x/y \r\n"
				   "Content-Length: 0\r\n\r\n", &r), AE_OK);
	assert_int_equal(r->status, 302);
	assert_string_equal(r->location, "http://x/y");
	TALLOC_FREE(r);

	r = (struct ae_http_response *)0x1;
	assert_int_equal(parse_str(mem, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabc", &r),
			 AE_ERR_PARSE);
	assert_int_equal(parse_str(mem, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nabc", &r),
			 AE_ERR_TRAILING);
	assert_int_equal(parse_str(mem, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
				   "Content-Length: 3\r\n\r\nabc", &r), AE_ERR_PARSE);
	assert_int_equal(parse_str(mem, "HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\nabc", &r),
			 AE_ERR_PARSE);
	assert_int_equal(parse_str(mem, "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n",
				   &r), AE_ERR_TOO_LARGE);
	assert_int_equal(parse_str(mem, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "3\r\nabc\r\n0\r\n\r\n", &r), AE_ERR_UNSUPPORTED);
	assert_int_equal(parse_str(mem, "HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n", &r),
			 AE_ERR_PARSE);
	assert_int_equal(parse_str(mem, "HTTP/1.1 200 OK\r\nBad Name: a\r\n\r\n", &r),
			 AE_ERR_PARSE);
	assert_int_equal(parse_str(mem, "HTTP/2 200 OK\r\n\r\n", &r), AE_ERR_PARSE);
	assert_int_equal(parse_str(mem, "HTTP/1.1 20 OK\r\n\r\n", &r), AE_ERR_PARSE);
	assert_int_equal(parse_str(mem, "HTTP/1.1 200OK\r\n\r\n", &r), AE_ERR_PARSE);
	assert_int_equal(parse_str(mem, "HTTP/1.1 200 OK\r\nNo-End: x\r\n", &r), AE_ERR_PARSE);
	assert_int_equal(parse_str(mem, "", &r), AE_ERR_PARSE);
	assert_int_equal(ae_http_response_parse(mem, (const uint8_t *)"HTTP/1.1 200 OK\r\nA: \0\r\n\r\n",
						25, &r), AE_ERR_PARSE);
	{
		/* a head that does not end within AE_HTTP_HEADER_MAX */
		size_t n = AE_HTTP_HEADER_MAX + 10;
		uint8_t *big = talloc_array(mem, uint8_t, n);
		size_t i;

		memcpy(big, "HTTP/1.1 200 OK\r\n", 17);
		for (i = 17; i < n; i++) {
			big[i] = (i % 40 == 39) ? '\n' : (i % 40 == 0 ? 'X' : (i % 40 == 1 ? ':' : 'a'));
		}
		assert_int_equal(ae_http_response_parse(mem, big, n, &r), AE_ERR_TOO_LARGE);
		talloc_free(big);
	}
	assert_ptr_equal(r, (struct ae_http_response *)0x1);
}

/* ---- fetching ---- */

static void test_fetch_http(void **state)
{
	TALLOC_CTX *mem = *state;
	const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nCRL\x00!";
	const char no_len[] = "HTTP/1.0 200 OK\r\n\r\nstream-to-close";
	struct server s;
	uint8_t *data = NULL;
	size_t len = 0;

	s = serve("/ca.crl", ok, sizeof(ok) - 1, SERVE_ANSWER);
	assert_int_equal(ae_fetch_url(mem, url_of(mem, &s, "/ca.crl"), 1024, 5000, &data, &len),
			 AE_OK);
	assert_int_equal(server_done(&s, false), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "CRL\x00!", 5);
	assert_int_equal(data[5], 0);
	talloc_free(data);

	s = serve("/x?y=1", no_len, sizeof(no_len) - 1, SERVE_ANSWER);
	assert_int_equal(ae_fetch_url(mem, url_of(mem, &s, "/x?y=1#f"), 1024, 5000, &data, &len),
			 AE_OK);
	assert_int_equal(server_done(&s, false), 0);
	assert_int_equal(len, 15);
	talloc_free(data);
}

static void test_fetch_http_refused(void **state)
{
	TALLOC_CTX *mem = *state;
	const char redirect[] = "HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:1/evil\r\n"
				"Content-Length: 0\r\n\r\n";
	const char missing[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
	const char error[] = "HTTP/1.1 500 Oops\r\n\r\n";
	const char big[] = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n01234567890123456789";
	const char short_body[] = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n0123";
	const char garbage[] = "SSH-2.0-OpenSSH_9.2\r\n";
	const struct {
		const char *answer;
		size_t len;
		size_t max;
		ae_err want;
	} cases[] = {
		{ redirect, sizeof(redirect) - 1, 1024, AE_ERR_TRANSPORT },
		{ missing, sizeof(missing) - 1, 1024, AE_ERR_NOT_FOUND },
		{ error, sizeof(error) - 1, 1024, AE_ERR_TRANSPORT },
		{ big, sizeof(big) - 1, 10, AE_ERR_TOO_LARGE },
		{ short_body, sizeof(short_body) - 1, 1024, AE_ERR_PARSE },
		{ garbage, sizeof(garbage) - 1, 1024, AE_ERR_PARSE },
		{ "", 0, 1024, AE_ERR_PARSE },	/* closed without a word */
	};
	char *huge = NULL;
	char *url = NULL;
	struct server s;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = serve("/a", cases[i].answer, cases[i].len, SERVE_ANSWER);
		url = url_of(mem, &s, "/a");
		fetch_fails(mem, url, cases[i].max, 5000, cases[i].want);
		assert_int_equal(server_done(&s, false), 0);
		TALLOC_FREE(url);
	}

	/* more than the header allowance plus max_len: stopped while reading */
	huge = talloc_asprintf(mem, "HTTP/1.0 200 OK\r\n\r\n%0*d", AE_HTTP_HEADER_MAX + 4096, 0);
	s = serve("/a", huge, strlen(huge), SERVE_ANSWER);
	url = url_of(mem, &s, "/a");
	fetch_fails(mem, url, 10, 5000, AE_ERR_TOO_LARGE);
	assert_int_equal(server_done(&s, false), 0);
	TALLOC_FREE(url);
	TALLOC_FREE(huge);

	/* a server that never answers: the deadline */
	s = serve("/slow", NULL, 0, SERVE_SILENT);
	url = url_of(mem, &s, "/slow");
	fetch_fails(mem, url, 1024, 300, AE_ERR_TRANSPORT);
	server_done(&s, true);
}

static void test_fetch_other(void **state)
{
	TALLOC_CTX *mem = *state;
	char dir[] = "/tmp/ae-fetch-XXXXXX";
	char *path = NULL;
	char *url = NULL;
	uint8_t *data = NULL;
	size_t len = 0;

	assert_non_null(mkdtemp(dir));
	path = talloc_asprintf(mem, "%s/ca one.crl", dir);
	assert_int_equal(ae_file_write_atomic(path, "0123456789", 10, 0644), AE_OK);
	url = talloc_asprintf(mem, "file://%s/ca%%20one.crl", dir);
	assert_int_equal(ae_fetch_url(mem, url, 10, 1000, &data, &len), AE_OK);
	assert_int_equal(len, 10);
	assert_memory_equal(data, "0123456789", 10);
	talloc_free(data);
	fetch_fails(mem, url, 9, 1000, AE_ERR_TOO_LARGE);
	url = talloc_asprintf(mem, "file://%s/missing.crl", dir);
	fetch_fails(mem, url, 10, 1000, AE_ERR_NOT_FOUND);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);

	fetch_fails(mem, "ldap:///CN=CA,CN=CDP?certificateRevocationList?base", 1024, 1000,
		    AE_ERR_UNSUPPORTED);
	fetch_fails(mem, "https://127.0.0.1/x", 1024, 1000, AE_ERR_UNSUPPORTED);
	fetch_fails(mem, "http://bad host/", 1024, 1000, AE_ERR_PARSE);
	/* port 1 on loopback: nobody listens */
	fetch_fails(mem, "http://127.0.0.1:1/x", 1024, 1000, AE_ERR_TRANSPORT);
	fetch_fails(mem, "http://127.0.0.1/x", 0, 1000, AE_ERR_INVALID);
	fetch_fails(mem, "http://127.0.0.1/x", 10, 0, AE_ERR_INVALID);
	fetch_fails(mem, NULL, 10, 10, AE_ERR_INVALID);
}

/*
 * A CRL location file:// that is a FIFO used to block the run in open(2)
 * forever (no writer); /dev/zero and a directory were opened too. Each is
 * now refused before it is opened, as not a regular file. The alarm turns a
 * hang on the old code into a failure.
 */
static void test_crl_file_url_to_fifo_is_refused(void **state)
{
	TALLOC_CTX *mem = *state;
	char dir[] = "/tmp/ae-fetch-XXXXXX";
	char *fifo = NULL, *sub = NULL;

	assert_non_null(mkdtemp(dir));
	fifo = talloc_asprintf(mem, "%s/ca.crl", dir);
	sub = talloc_asprintf(mem, "%s/dir.crl", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(mkdir(sub, 0700), 0);
	alarm(20);
	fetch_fails(mem, talloc_asprintf(mem, "file://%s", fifo), 1024, 1000, AE_ERR_INVALID);
	fetch_fails(mem, "file:///dev/zero", 1024, 1000, AE_ERR_INVALID);
	fetch_fails(mem, talloc_asprintf(mem, "file://%s", sub), 1024, 1000, AE_ERR_INVALID);
	alarm(0);
	assert_int_equal(unlink(fifo), 0);
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_url_http, mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(test_url_file, mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(test_http_parse, mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(test_fetch_http, mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(test_fetch_http_refused, mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(test_fetch_other, mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(test_crl_file_url_to_fifo_is_refused, mem_setup,
						mem_teardown),
	};

	int rc;

	signal(SIGPIPE, SIG_IGN);
	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
