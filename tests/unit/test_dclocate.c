/*
 * test_dclocate.c: the transport layer's locating and addressing helpers
 * that need no server: the DNS SRV answer parser ae_srv_pick() of
 * ae_dclocate.c, and for SYSVOL, ae_unc_split() plus the refusals of
 * ae_smb.c that happen before anything is sent.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_dclocate.h"
#include "ae_log.h"
#include "ae_smb.h"
#include "../fuzz/guard_page.h"
#include "read_file.h"

/* A DNS answer for _ldap._tcp.dc._msdcs.lab.example.com (id 0x1234). */
struct dns {
	uint8_t b[70000];
	size_t n;
	uint16_t ancount;
};

static const uint8_t qname[] = "\x05_ldap\x04_tcp\x02" "dc\x06_msdcs\x03lab\x07" "example\x03" "com";

static void put(struct dns *d, const void *p, size_t n)
{
	assert_true(n <= sizeof(d->b) - d->n);
	memcpy(d->b + d->n, p, n);
	d->n += n;
}

static void put16(struct dns *d, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(d, b, 2);
}

static void dns_start(struct dns *d)
{
	d->n = 0;
	d->ancount = 0;
	put(d, "\x12\x34\x81\x80\x00\x01\x00\x00\x00\x00\x00\x00", 12);
	put(d, qname, sizeof(qname));	/* with its terminating zero */
	put16(d, 33);	/* SRV */
	put16(d, 1);	/* IN */
}

/* One answer record (name = pointer to the question) of 'type'; for SRV,
 * rdata = priority, weight, port 389, target (uncompressed labels). */
static void dns_rr(struct dns *d, uint16_t type, uint16_t prio, uint16_t weight,
		   const char *target)
{
	uint8_t rd[300];
	size_t rn = 0;

	rd[rn++] = (uint8_t)(prio >> 8);
	rd[rn++] = (uint8_t)prio;
	rd[rn++] = (uint8_t)(weight >> 8);
	rd[rn++] = (uint8_t)weight;
	rd[rn++] = 0x01;
	rd[rn++] = 0x85;
	while (*target != '\0') {
		size_t l = strcspn(target, ".");

		rd[rn++] = (uint8_t)l;
		memcpy(rd + rn, target, l);
		rn += l;
		target += l;
		if (*target == '.') {
			target++;
		}
	}
	rd[rn++] = 0;
	put(d, "\xc0\x0c", 2);
	put16(d, type);
	put16(d, 1);
	put(d, "\x00\x00\x02\x58", 4);
	put16(d, (uint16_t)rn);
	put(d, rd, rn);
	d->ancount++;
	d->b[6] = (uint8_t)(d->ancount >> 8);
	d->b[7] = (uint8_t)d->ancount;
}

static void expect_pick(const struct dns *d, ae_err want, const char *target)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *t = NULL;

	assert_int_equal(ae_srv_pick(mem, d->b, d->n, &t), want);
	if (want == AE_OK) {
		assert_string_equal(t, target);
		talloc_free(t);
	} else {
		assert_null(t);
	}
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

static void test_srv_pick(void **state)
{
	struct dns d;

	(void)state;
	/* lowest priority wins, whatever the order */
	dns_start(&d);
	dns_rr(&d, 33, 10, 50, "dc2.lab.example.com");
	dns_rr(&d, 33, 0, 100, "dc1.lab.example.com");
	expect_pick(&d, AE_OK, "dc1.lab.example.com");
	/* equal priority: highest weight */
	dns_start(&d);
	dns_rr(&d, 33, 5, 10, "dc1.lab.example.com");
	dns_rr(&d, 33, 5, 90, "dc3.lab.example.com");
	dns_rr(&d, 33, 5, 20, "dc2.lab.example.com");
	expect_pick(&d, AE_OK, "dc3.lab.example.com");
	/* "." (service not offered) and other record types are skipped */
	dns_start(&d);
	dns_rr(&d, 33, 0, 0, "");
	dns_rr(&d, 1, 0, 0, "dc9.lab.example.com");
	dns_rr(&d, 33, 7, 0, "dc4.lab.example.com");
	expect_pick(&d, AE_OK, "dc4.lab.example.com");
	/* nothing usable */
	dns_start(&d);
	expect_pick(&d, AE_ERR_NOT_FOUND, NULL);
	dns_start(&d);
	dns_rr(&d, 33, 0, 0, "");
	expect_pick(&d, AE_ERR_NOT_FOUND, NULL);
	/* truncated answers, a header that promises more, nothing */
	dns_start(&d);
	dns_rr(&d, 33, 0, 0, "dc1.lab.example.com");
	d.n -= 5;
	expect_pick(&d, AE_ERR_PARSE, NULL);
	dns_start(&d);
	dns_rr(&d, 33, 0, 0, "dc1.lab.example.com");
	d.b[7] = 2;
	expect_pick(&d, AE_ERR_PARSE, NULL);
	d.n = 0;
	expect_pick(&d, AE_ERR_PARSE, NULL);
	/* a target that is a compression loop */
	dns_start(&d);
	dns_rr(&d, 33, 0, 0, "x");
	d.b[d.n - 3] = 0xc0;
	d.b[d.n - 2] = (uint8_t)(d.n - 3);
	expect_pick(&d, AE_ERR_PARSE, NULL);
}

/* The answer's TC bit (incomplete), an error RCODE, a query instead of an
 * answer, trailing bytes, rdata with bytes after the target, a target that
 * is not a host name, more records than the cap. */
static void test_srv_pick_refusals(void **state)
{
	struct dns *d = talloc(NULL, struct dns);
	char *t = NULL;
	int i;

	(void)state;
	assert_non_null(d);
	dns_start(d);
	dns_rr(d, 33, 0, 0, "dc1.lab.example.com");
	expect_pick(d, AE_OK, "dc1.lab.example.com");
	d->b[2] |= 0x02;	/* TC */
	expect_pick(d, AE_ERR_PARSE, NULL);
	d->b[2] &= (uint8_t)~0x02;
	d->b[3] = 0x83;		/* NXDOMAIN */
	expect_pick(d, AE_ERR_NOT_FOUND, NULL);
	d->b[3] = 0x80;
	d->b[2] &= 0x7f;	/* QR = 0: a query */
	expect_pick(d, AE_ERR_PARSE, NULL);
	d->b[2] |= 0x80;
	d->b[d->n++] = 0;	/* a trailing byte */
	expect_pick(d, AE_ERR_PARSE, NULL);
	d->n--;
	/* rdlength one more than the target: the byte after it is inside rdata */
	d->b[d->n++] = 0;
	d->b[d->n - 29]++;
	expect_pick(d, AE_ERR_PARSE, NULL);
	/* a target with a character no host name has is skipped */
	dns_start(d);
	dns_rr(d, 33, 0, 0, "dc1 evil.lab.example.com");
	dns_rr(d, 33, 5, 0, "dc2.lab.example.com");
	expect_pick(d, AE_OK, "dc2.lab.example.com");
	dns_start(d);
	dns_rr(d, 33, 0, 0, "dc1/x.lab");
	expect_pick(d, AE_ERR_NOT_FOUND, NULL);
	/* the record cap */
	dns_start(d);
	for (i = 0; i <= AE_SRV_MAX_RECORDS; i++) {
		dns_rr(d, 33, 0, 0, "d.x");
	}
	expect_pick(d, AE_ERR_TOO_LARGE, NULL);
	/* NULL arguments */
	assert_int_equal(ae_srv_pick(NULL, NULL, 10, &t), AE_ERR_INVALID);
	assert_int_equal(ae_srv_pick(NULL, d->b, d->n, NULL), AE_ERR_INVALID);
	talloc_free(d);
}

/* 600 SRV records: dc0..dc598 at priority 10, the last one, far past the
 * first 4 KiB, dc1.lab.example.com at priority 0. About 24 KiB. */
static void big_answer(struct dns *d)
{
	char name[64];
	int i;

	dns_start(d);
	for (i = 0; i < 599; i++) {
		snprintf(name, sizeof(name), "dc%d.lab.example.com", i);
		dns_rr(d, 33, 10, 0, name);
	}
	dns_rr(d, 33, 0, 0, "dc1.lab.example.com");
	assert_true(d->n > 4 * AE_DNS_BUF_FIRST);
}

/*
 * E2: res_query() returns the answer's full length (11,750 seen with a
 * 4,096-byte buffer) while only the buffer's size was written. The old call
 * site gave that length to the parser, which read ~60 KiB past the buffer.
 * Here the buffer ends at a guard page (libresolv is not instrumented, so
 * ASan alone would not see its reads): the old call site's contract,
 * ae_srv_pick(buf, reported), dies with SIGSEGV in ns_initparse; the answer
 * must be reported as too large (and how large), never parsed.
 */
static void test_dns_answer_larger_than_the_buffer_is_not_read_past_it(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct dns *d = talloc(mem, struct dns);
	struct guard_buf g = { 0 };
	uint8_t *buf = NULL;
	size_t needed = 1;
	char *t = NULL;

	(void)state;
	assert_non_null(d);
	big_answer(d);
	assert_int_equal(guard_buf_alloc(&g, AE_DNS_BUF_FIRST), 0);
	buf = g.p;
	memcpy(buf, d->b, AE_DNS_BUF_FIRST);
	assert_int_equal(ae_srv_from_query(mem, buf, AE_DNS_BUF_FIRST, (int)d->n, &needed, &t),
			 AE_ERR_TOO_LARGE);
	assert_int_equal(needed, d->n);
	assert_null(t);
	/* above the 16-bit cap: no re-query */
	assert_int_equal(ae_srv_from_query(mem, buf, AE_DNS_BUF_FIRST, AE_DNS_ANSWER_MAX + 1,
					   &needed, &t), AE_ERR_TOO_LARGE);
	assert_int_equal(needed, 0);
	/* no answer; an answer that fits is parsed */
	assert_int_equal(ae_srv_from_query(mem, buf, AE_DNS_BUF_FIRST, -1, &needed, &t),
			 AE_ERR_NOT_FOUND);
	assert_int_equal(ae_srv_from_query(mem, d->b, d->n, (int)d->n, &needed, &t), AE_OK);
	assert_string_equal(t, "dc1.lab.example.com");
	assert_ptr_equal(talloc_parent(t), mem);
	guard_buf_free(&g);
	talloc_free(mem);
}

/* A resolver that behaves as glibc's: fills at most 'size' bytes of the
 * answer and returns its full length; 'grow' makes the answer longer on
 * every call, 'calls' counts them. */
struct fake_dns {
	const struct dns *answer;
	size_t extra;
	size_t grow;
	int calls;
};

static int fake_query(void *priv, const char *name, uint8_t *buf, size_t size)
{
	struct fake_dns *f = priv;
	size_t full = f->answer->n + f->extra;

	assert_string_equal(name, "_ldap._tcp.dc._msdcs.lab.example.com");
	f->calls++;
	memcpy(buf, f->answer->b, full < size ? full : size);
	f->extra += f->grow;
	return (int)full;
}

/* The lookup asks again with a buffer of the reported size and picks the
 * DC from the whole answer; an answer that keeps growing or is above the
 * cap ends the lookup with a message naming DNS. */
static void test_dns_oversized_answer_is_queried_again(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct dns *d = talloc(mem, struct dns);
	struct fake_dns f = { 0 };
	char why[256] = "";
	char *t = NULL;

	(void)state;
	assert_non_null(d);
	big_answer(d);
	f.answer = d;
	assert_int_equal(ae_srv_lookup(mem, "_ldap._tcp.dc._msdcs.lab.example.com", fake_query, &f,
				       &t, why, sizeof(why)), AE_OK);
	assert_int_equal(f.calls, 2);
	assert_string_equal(t, "dc1.lab.example.com");
	assert_ptr_equal(talloc_parent(t), mem);
	TALLOC_FREE(t);
	/* grows between the two queries */
	f.calls = 0;
	f.grow = 100;
	assert_int_equal(ae_srv_lookup(mem, "_ldap._tcp.dc._msdcs.lab.example.com", fake_query, &f,
				       &t, why, sizeof(why)), AE_ERR_TOO_LARGE);
	assert_int_equal(f.calls, 2);
	assert_null(t);
	assert_non_null(strstr(why, "DNS"));
	assert_non_null(strstr(why, "grew"));
	/* above 64 KiB: not asked again */
	f.calls = 0;
	f.grow = 0;
	f.extra = AE_DNS_ANSWER_MAX;
	assert_int_equal(ae_srv_lookup(mem, "_ldap._tcp.dc._msdcs.lab.example.com", fake_query, &f,
				       &t, why, sizeof(why)), AE_ERR_TOO_LARGE);
	assert_int_equal(f.calls, 1);
	assert_non_null(strstr(why, "above the cap"));
	/* a small answer: one query */
	dns_start(d);
	dns_rr(d, 33, 0, 0, "dc2.lab.example.com");
	f.calls = 0;
	f.extra = 0;
	assert_int_equal(ae_srv_lookup(mem, "_ldap._tcp.dc._msdcs.lab.example.com", fake_query, &f,
				       &t, why, sizeof(why)), AE_OK);
	assert_int_equal(f.calls, 1);
	assert_string_equal(t, "dc2.lab.example.com");
	TALLOC_FREE(t);
	assert_int_equal(talloc_total_blocks(mem), 2);
	talloc_free(mem);
}

/* The seed sample of the fuzz corpus: dc2 (priority 10), dc1 (priority 0). */
static void test_srv_corpus(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *t = NULL;
	size_t n = 0;
	uint8_t *b = read_test_file(mem, SRCDIR "/tests/fuzz/corpus/srv/", "two_dcs", 4096, &n);

	(void)state;
	/* the seed: buffer size, reported length, then the answer */
	assert_true(n > 4);
	assert_int_equal((b[0] << 8) | b[1], 4096);
	assert_int_equal((size_t)((b[2] << 8) | b[3]), n - 4);
	assert_int_equal(ae_srv_pick(mem, b + 4, n - 4, &t), AE_OK);
	assert_string_equal(t, "dc1.lab.example.com");
	talloc_free(mem);
}

static void expect_unc(const char *unc, ae_err want, const char *server, const char *share,
		       const char *path)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *sv = NULL, *sh = NULL, *p = NULL;

	assert_int_equal(ae_unc_split(mem, unc, &sv, &sh, &p), want);
	if (want == AE_OK) {
		assert_string_equal(sv, server);
		assert_string_equal(sh, share);
		assert_string_equal(p, path);
		assert_ptr_equal(talloc_parent(sv), mem);
		assert_ptr_equal(talloc_parent(sh), mem);
		assert_ptr_equal(talloc_parent(p), mem);
	} else {
		assert_null(sv);
		assert_null(sh);
		assert_null(p);
		assert_int_equal(talloc_total_blocks(mem), 1);
	}
	talloc_free(mem);
}

static void test_unc_split(void **state)
{
	char *longp = NULL;

	(void)state;
	/* gPCFileSysPath as the lab DC stores it, and as Windows writes it */
	expect_unc("\\\\lab.example.com\\sysvol\\lab.example.com\\Policies\\"
		   "{D40C154E-9B16-41AC-BB27-59B4FB77A8DC}", AE_OK, "lab.example.com", "sysvol",
		   "lab.example.com/Policies/{D40C154E-9B16-41AC-BB27-59B4FB77A8DC}");
	expect_unc("\\\\LAB.EXAMPLE.COM\\SysVol\\lab.example.com\\Policies\\{X}\\", AE_OK,
		   "LAB.EXAMPLE.COM", "sysvol", "lab.example.com/Policies/{X}");
	expect_unc("//dc1/SYSVOL/a/b c/d", AE_OK, "dc1", "sysvol", "a/b c/d");
	expect_unc("\\\\dc1\\netlogon", AE_OK, "dc1", "netlogon", "");
	expect_unc("\\\\dc1\\netlogon\\", AE_OK, "dc1", "netlogon", "");
	/* refused */
	expect_unc("", AE_ERR_PARSE, NULL, NULL, NULL);
	expect_unc("\\lab\\sysvol", AE_ERR_PARSE, NULL, NULL, NULL);
	expect_unc("\\\\", AE_ERR_PARSE, NULL, NULL, NULL);
	expect_unc("\\\\dc1", AE_ERR_PARSE, NULL, NULL, NULL);
	expect_unc("\\\\dc1\\", AE_ERR_PARSE, NULL, NULL, NULL);
	expect_unc("\\\\\\sysvol\\x", AE_ERR_PARSE, NULL, NULL, NULL);
	expect_unc("\\\\dc1\\sysvol\\\\x", AE_ERR_PARSE, NULL, NULL, NULL);
	expect_unc("\\\\dc1\\sysvol\\a\\..\\..\\etc", AE_ERR_PARSE, NULL, NULL, NULL);
	expect_unc("\\\\dc1\\sysvol\\.\\x", AE_ERR_PARSE, NULL, NULL, NULL);
	expect_unc("\\\\dc1\\..\\x", AE_ERR_PARSE, NULL, NULL, NULL);
	expect_unc("\\\\dc1\\sysvol\\a\nb", AE_ERR_PARSE, NULL, NULL, NULL);
	expect_unc("\\\\dc1:445\\sysvol\\x", AE_ERR_PARSE, NULL, NULL, NULL);
	expect_unc("\\\\user@dc1\\sysvol\\x", AE_ERR_PARSE, NULL, NULL, NULL);
	longp = talloc_zero_size(NULL, AE_SMB_UNC_MAX + 2);
	memcpy(longp, "\\\\dc1\\s\\", 8);
	memset(longp + 8, 'a', AE_SMB_UNC_MAX - 7);
	expect_unc(longp, AE_ERR_PARSE, NULL, NULL, NULL);
	longp[AE_SMB_UNC_MAX] = '\0';
	expect_unc(longp, AE_OK, "dc1", "s", longp + 8);
	talloc_free(longp);
	{
		char *s = NULL;

		assert_int_equal(ae_unc_split(NULL, NULL, &s, &s, &s), AE_ERR_INVALID);
	}
}

/* A context can be made without a server; bad paths are refused before any I/O. */
static void test_smb_refusals(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_smb_options opts = { .user = "MEMBER1$", .workgroup = "LAB" };
	struct ae_smb_options none = { .user = NULL };
	struct ae_smb *smb = NULL;
	struct ae_smb_stat st;
	uint8_t *data = NULL;
	size_t len = 0;
	char why[256] = "";

	(void)state;
	assert_int_equal(ae_smb_open(mem, &none, &smb, why, sizeof(why)), AE_ERR_INVALID);
	assert_null(smb);
	assert_int_equal(ae_smb_open(mem, &opts, &smb, why, sizeof(why)), AE_OK);
	assert_int_equal(ae_smb_fetch(mem, smb, "dc1.lab.example.com", "sysvol", "a/../b", 1024,
				      &data, &len, why, sizeof(why)), AE_ERR_INVALID);
	assert_non_null(strstr(why, "//dc1.lab.example.com/sysvol/a/../b"));
	assert_int_equal(ae_smb_fetch(mem, smb, "dc1 lab", "sysvol", "x", 1024, &data, &len, why,
				      sizeof(why)), AE_ERR_INVALID);
	assert_int_equal(ae_smb_fetch(mem, smb, "dc1", "sys/vol", "x", 1024, &data, &len, why,
				      sizeof(why)), AE_ERR_INVALID);
	assert_int_equal(ae_smb_fetch(mem, smb, "dc1", "sysvol", "x", AE_SMB_FILE_MAX + 1, &data,
				      &len, why, sizeof(why)), AE_ERR_INVALID);
	assert_int_equal(ae_smb_stat(smb, "dc1", "sysvol", "a//b", &st, why, sizeof(why)),
			 AE_ERR_INVALID);
	assert_null(data);
	assert_int_equal(ae_smb_read_count(smb), 0);
	talloc_free(smb);
	assert_int_equal(talloc_total_blocks(mem), 1);
	talloc_free(mem);
}

/*
 * libsmbclient's one-time module initialisation (smbc_new_context ->
 * reopen_logs -> debug_set_logfile) keeps a talloc string that it never
 * frees: a process-wide leak inside Samba, not ours. These two hooks are
 * read by AddressSanitizer/LeakSanitizer in -Dsanitize=true builds (unused
 * otherwise): full stacks for allocations, so that the suppression can see
 * the Samba frame, and the suppression of exactly that frame.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0:intercept_tls_get_addr=0";	/* see source/cli/autoenroll.c */
}

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:debug_set_logfile\n";
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_srv_pick),
		cmocka_unit_test(test_srv_pick_refusals),
		cmocka_unit_test(test_dns_answer_larger_than_the_buffer_is_not_read_past_it),
		cmocka_unit_test(test_dns_oversized_answer_is_queried_again),
		cmocka_unit_test(test_srv_corpus),
		cmocka_unit_test(test_unc_split),
		cmocka_unit_test(test_smb_refusals),
	};

	ae_log_set_level(-1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
