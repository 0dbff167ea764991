/*
 * Fuzz target: the DNS SRV answer at its call site. ae_dc_locate() runs as
 * in a real cycle (realm from the configuration, no autoenroll:dc, the
 * resolver initialised from /etc/resolv.conf) and the answers come from
 * res_nquery, replaced at link time (-Wl,--wrap=res_nquery): the same
 * contract as glibc's, which copies at most the buffer's size and returns
 * the answer's full length (RFC 1035 §4.2.2: up to 65535 bytes over TCP),
 * or -1. So the first query's 4 KiB buffer, the re-query with a buffer of
 * the reported size, and the fallbacks (password server, realm) all run.
 *
 * Input: 2 bytes big-endian length L of the first answer (0xffff: -1, no
 * answer), L bytes of it, then the answer to a second query (the rest;
 * none if empty: -1). Each answer is copied into the caller's buffer up
 * to its size.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <resolv.h>
#include <talloc.h>
#include "ae_smbconf.h"
#include "ae_dclocate.h"
#include "ae_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int __wrap_res_nquery(res_state rs, const char *dname, int class, int type,
		      unsigned char *answer, int anslen);

static const uint8_t *g_ans[2];
static int g_len[2];
static unsigned g_calls;

int __wrap_res_nquery(res_state rs, const char *dname, int class, int type,
		      unsigned char *answer, int anslen)
{
	unsigned i = g_calls++;
	int n;

	(void)rs;
	if (dname == NULL || strcasecmp(dname, "_ldap._tcp.dc._msdcs.lab.example.com") != 0 ||
	    class != ns_c_in || type != ns_t_srv || answer == NULL || anslen <= 0 || i > 1) {
		abort();	/* the query the locator must ask, at most twice */
	}
	if (g_len[i] < 0) {
		return -1;
	}
	n = g_len[i] < anslen ? g_len[i] : anslen;
	memcpy(answer, g_ans[i], (size_t)n);
	return g_len[i];
}

/* smb.conf's values as the session has them: a realm, password server = * */
static const struct ae_smbconf *conf_once(void)
{
	static struct ae_smbconf sc = {
		.realm = (char *)"LAB.EXAMPLE.COM", .password_server = (char *)"*",
		.globals = (char *)"\trealm = LAB.EXAMPLE.COM\n\tpassword server = *\n",
	};

	if (sc.globals_len == 0) {
		sc.globals_len = strlen(sc.globals);
		ae_log_set_level(getenv("FUZZ_VERBOSE") != NULL ? 3 : -1);
	}
	return &sc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ae_smbconf *sc = conf_once();
	TALLOC_CTX *mem;
	char *dc = NULL;
	const char *how = NULL;
	size_t first;

	if (size < 2) {
		return 0;
	}
	first = ((size_t)data[0] << 8) | data[1];
	data += 2;
	size -= 2;
	if (first == 0xffff) {
		g_ans[0] = NULL;
		g_len[0] = -1;
		first = 0;
	} else {
		first = first < size ? first : size;
		g_ans[0] = data;
		g_len[0] = (int)first;
	}
	g_ans[1] = data + first;
	g_len[1] = size - first > 0 ? (int)(size - first) : -1;
	g_calls = 0;
	mem = talloc_new(NULL);
	if (ae_dc_locate(mem, sc, &dc, &how) != AE_OK || dc == NULL || how == NULL ||
	    talloc_parent(dc) != mem || dc[0] == '\0' || strlen(dc) > AE_DNS_HOST_MAX) {
		abort();	/* a DC name, from DNS or the realm fallback */
	}
	if (strcmp(how, "DNS SRV") != 0 && strcasecmp(dc, "LAB.EXAMPLE.COM") != 0) {
		abort();
	}
	talloc_free(mem);
	return 0;
}
