/*
 * test_noop_memo.c: the no-op memo (ae_noop_memo.h): a memo formats and
 * parses back to the same fields; every line out of place, a bad value, a
 * control byte, a cap exceeded or bytes after "end" is refused with no
 * output; what cannot be read back is never written. Every test checks
 * that nothing is left on its talloc context.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_noop_memo.h"

static char *watch[] = { "DC=lab,DC=example", "OU=Servers,DC=lab,DC=example" };
static char *tpls[] = {
	"CN=LabMachine,CN=Certificate Templates,CN=Public Key Services,CN=Services,"
	"CN=Configuration,DC=lab,DC=example",
	"CN=LabUser,CN=Certificate Templates,CN=Public Key Services,CN=Services,"
	"CN=Configuration,DC=lab,DC=example",
};

static void sample(struct ae_noop_memo *m, struct ae_noop_item *items)
{
	memset(m, 0, sizeof(*m));
	m->dc = "dc1.lab.example";
	m->ds_service_name = "CN=NTDS Settings,CN=DC1,CN=Servers,CN=S,CN=Sites,CN=Configuration,"
			     "DC=lab,DC=example";
	memset(m->invocation_id, 0xab, sizeof(m->invocation_id));
	m->configuration_nc = "CN=Configuration,DC=lab,DC=example";
	m->root_domain_nc = "DC=lab,DC=example";
	m->default_nc = "DC=lab,DC=example";
	m->dns_host_name = "dc1.lab.example";
	m->usn = 123456789012ULL;
	m->principal_sid = "S-1-5-21-1-2-3-1103";
	memset(m->principal, 0x11, sizeof(m->principal));
	m->site = "CN=S,CN=Sites,CN=Configuration,DC=lab,DC=example";
	m->watch = watch;
	m->num_watch = 2;
	m->tpls_listed = true;
	m->tpls = tpls;
	m->num_tpls = 2;
	m->full_read = 1704067200;
	m->due = 1704067200 + 3600;
	memset(m->config, 0x22, sizeof(m->config));
	memset(m->store, 0x33, sizeof(m->store));
	items[0] = (struct ae_noop_item) { "LabMachine", "skip", "valid", "skipped", "Lab CA",
					   "valid until X, renews at Y" };
	items[1] = (struct ae_noop_item) { "(trust anchors)", "trust", "trust-store", "warned",
					   NULL, "" };
	m->items = items;
	m->num_items = 2;
}

static char *formatted(TALLOC_CTX *mem, const struct ae_noop_memo *m)
{
	char *t = NULL;

	assert_int_equal(ae_noop_memo_format(mem, m, &t), AE_OK);
	assert_non_null(t);
	return t;
}

static void test_round_trip(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_noop_item items[2];
	struct ae_noop_memo m, *b = NULL;
	char *t;

	(void)state;
	sample(&m, items);
	t = formatted(mem, &m);
	assert_int_equal(ae_noop_memo_parse(mem, (const uint8_t *)t, strlen(t), &b), AE_OK);
	assert_string_equal(b->dc, m.dc);
	assert_string_equal(b->ds_service_name, m.ds_service_name);
	assert_memory_equal(b->invocation_id, m.invocation_id, 16);
	assert_string_equal(b->default_nc, m.default_nc);
	assert_true(b->usn == m.usn);
	assert_string_equal(b->principal_sid, m.principal_sid);
	assert_memory_equal(b->principal, m.principal, 32);
	assert_string_equal(b->site, m.site);
	assert_int_equal(b->num_watch, 2);
	assert_string_equal(b->watch[1], watch[1]);
	assert_true(b->tpls_listed);
	assert_int_equal(b->num_tpls, 2);
	assert_string_equal(b->tpls[1], tpls[1]);
	assert_true(b->full_read == m.full_read && b->due == m.due);
	assert_memory_equal(b->config, m.config, 32);
	assert_memory_equal(b->store, m.store, 32);
	assert_int_equal(b->num_items, 2);
	assert_string_equal(b->items[0].template_name, "LabMachine");
	assert_string_equal(b->items[0].cause, "valid");
	assert_string_equal(b->items[0].ca, "Lab CA");
	assert_string_equal(b->items[0].reason, "valid until X, renews at Y");
	assert_null(b->items[1].ca);
	assert_string_equal(b->items[1].result, "warned");
	/* no site, no watch, no item; every template watched */
	m.site = NULL;
	m.num_watch = 0;
	m.num_items = 0;
	m.tpls_listed = false;
	t = formatted(mem, &m);
	assert_int_equal(ae_noop_memo_parse(mem, (const uint8_t *)t, strlen(t), &b), AE_OK);
	assert_false(b->tpls_listed);
	assert_int_equal(b->num_tpls, 0);
	assert_null(b->site);
	assert_int_equal(b->num_watch, 0);
	assert_int_equal(b->num_items, 0);
	talloc_free(mem);
}

/* Replace the first occurrence of from by to in t; parse; expect err. */
static void expect_refused(TALLOC_CTX *mem, const char *t, const char *from, const char *to,
			   ae_err want)
{
	const char *at = strstr(t, from);
	struct ae_noop_memo *out = (struct ae_noop_memo *)0x1;
	TALLOC_CTX *tmp = talloc_new(mem);
	char *x;

	assert_non_null(at);
	x = talloc_asprintf(tmp, "%.*s%s%s", (int)(at - t), t, to, at + strlen(from));
	assert_int_equal(ae_noop_memo_parse(tmp, (const uint8_t *)x, strlen(x), &out), want);
	assert_ptr_equal(out, (void *)0x1);	/* no output on failure */
	assert_int_equal(talloc_total_blocks(tmp), 2);	/* tmp and x: nothing left */
	talloc_free(tmp);
}

static void test_refused(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_noop_item items[2];
	struct ae_noop_memo m;
	char *t;

	(void)state;
	sample(&m, items);
	t = formatted(mem, &m);
	expect_refused(mem, t, "ae-noop-memo 2", "ae-noop-memo 1", AE_ERR_PARSE);	/* before the template list */
	expect_refused(mem, t, "templates listed", "templates some", AE_ERR_PARSE);
	expect_refused(mem, t, "templates listed", "templates all", AE_ERR_PARSE);	/* "all" lists none */
	expect_refused(mem, t, "templates listed\n", "", AE_ERR_PARSE);
	expect_refused(mem, t, "dc dc1", "xx dc1", AE_ERR_PARSE);
	expect_refused(mem, t, "usn 1", "usn -1", AE_ERR_PARSE);
	expect_refused(mem, t, "usn 1", "usn 01", AE_ERR_PARSE);
	expect_refused(mem, t, "usn 123456789012", "usn 99999999999999999999", AE_ERR_PARSE);
	expect_refused(mem, t, "invocation_id ab", "invocation_id AB", AE_ERR_PARSE);
	expect_refused(mem, t, "principal_sid S-1-5", "principal_sid X-1-5", AE_ERR_PARSE);
	expect_refused(mem, t, "dc dc1.lab", "dc dc1\x01lab", AE_ERR_PARSE);
	expect_refused(mem, t, "dc dc1.lab", "dc dc1\tlab", AE_ERR_PARSE);
	expect_refused(mem, t, "\tskipped\t", "\tdone\t", AE_ERR_PARSE);
	expect_refused(mem, t, "\tskip\t", "\tSKIP\t", AE_ERR_PARSE);
	expect_refused(mem, t, "\tLab CA\t", "\tLab\tCA\t", AE_ERR_PARSE);
	expect_refused(mem, t, "full_read", "due", AE_ERR_PARSE);	/* order */
	expect_refused(mem, t, "end\n", "end", AE_ERR_PARSE);	/* no newline */
	expect_refused(mem, t, "end\n", "end\nmore\n", AE_ERR_TRAILING);
	expect_refused(mem, t, "end\n", "", AE_ERR_PARSE);	/* truncated */
	/* a line above the cap */
	{
		char *long_dc = talloc_array(mem, char, AE_NOOP_LINE_MAX + 8);
		memset(long_dc, 'a', AE_NOOP_LINE_MAX + 7);
		long_dc[AE_NOOP_LINE_MAX + 7] = '\0';
		expect_refused(mem, t, "dc1.lab.example\nds", talloc_asprintf(mem, "%s\nds", long_dc),
			       AE_ERR_TOO_LARGE);
	}
	talloc_free(mem);
}

static void test_caps(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_noop_memo *out = NULL;
	struct ae_noop_item items[2];
	struct ae_noop_memo m;
	char **many = talloc_array(mem, char *, AE_NOOP_WATCH_MAX + AE_NOOP_TPL_MAX + 1);
	char *t;
	size_t i;

	(void)state;
	for (i = 0; i <= AE_NOOP_WATCH_MAX + AE_NOOP_TPL_MAX; i++) {
		many[i] = "DC=x";
	}
	sample(&m, items);
	m.watch = many;
	m.num_watch = AE_NOOP_WATCH_MAX;
	t = formatted(mem, &m);
	assert_int_equal(ae_noop_memo_parse(mem, (const uint8_t *)t, strlen(t), &out), AE_OK);
	m.num_watch = AE_NOOP_WATCH_MAX + 1;	/* cannot be read back: not written */
	assert_int_equal(ae_noop_memo_format(mem, &m, &t), AE_ERR_INVALID);
	sample(&m, items);
	m.tpls = many;
	m.num_tpls = AE_NOOP_TPL_MAX;
	t = formatted(mem, &m);
	assert_int_equal(ae_noop_memo_parse(mem, (const uint8_t *)t, strlen(t), &out), AE_OK);
	assert_int_equal(out->num_tpls, AE_NOOP_TPL_MAX);
	m.num_tpls = AE_NOOP_TPL_MAX + 1;	/* the writer watches every template instead */
	assert_int_equal(ae_noop_memo_format(mem, &m, &t), AE_ERR_INVALID);
	out = NULL;
	assert_int_equal(ae_noop_memo_parse(mem, (const uint8_t *)"x", AE_NOOP_MEMO_MAX + 1, &out),
			 AE_ERR_TOO_LARGE);
	assert_null(out);
	/* a reason with a newline or a tab is not written */
	sample(&m, items);
	items[0].reason = "two\nlines";
	assert_int_equal(ae_noop_memo_format(mem, &m, &t), AE_ERR_INVALID);
	items[0].reason = "a\ttab";
	assert_int_equal(ae_noop_memo_format(mem, &m, &t), AE_ERR_INVALID);
	sample(&m, items);
	m.dc = NULL;
	assert_int_equal(ae_noop_memo_format(mem, &m, &t), AE_ERR_INVALID);
	assert_int_equal(ae_noop_memo_parse(mem, NULL, 0, &out), AE_ERR_PARSE);
	assert_int_equal(ae_noop_memo_parse(mem, NULL, 3, &out), AE_ERR_INVALID);
	talloc_free(mem);
}

/*
 * A forest with thousands of templates (bench/cycle adds 2,000): every one
 * is an item of the steady cycle, and the memo must still be written and
 * read back, so that the next run is a no-op; one item over the cap is not
 * written.
 */
static void test_thousands_of_items(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_noop_item items[2];
	struct ae_noop_item *many = talloc_array(mem, struct ae_noop_item, AE_NOOP_ITEMS_MAX + 1);
	struct ae_noop_memo m, *b = NULL;
	char *t;
	size_t i;

	(void)state;
	assert_non_null(many);
	for (i = 0; i <= AE_NOOP_ITEMS_MAX; i++) {
		many[i] = (struct ae_noop_item) { talloc_asprintf(many, "BenchTpl%05zu", i), "skip",
			"not-eligible", "skipped", NULL,
			"not eligible: no enterprise CA publishes the template" };
	}
	sample(&m, items);
	m.items = many;
	m.num_items = 2000;
	t = formatted(mem, &m);
	assert_int_equal(ae_noop_memo_parse(mem, (const uint8_t *)t, strlen(t), &b), AE_OK);
	assert_int_equal(b->num_items, 2000);
	assert_string_equal(b->items[1999].template_name, "BenchTpl01999");
	m.num_items = AE_NOOP_ITEMS_MAX;
	t = formatted(mem, &m);
	assert_true(strlen(t) <= AE_NOOP_MEMO_MAX);
	assert_int_equal(ae_noop_memo_parse(mem, (const uint8_t *)t, strlen(t), &b), AE_OK);
	assert_int_equal(b->num_items, AE_NOOP_ITEMS_MAX);
	m.num_items = AE_NOOP_ITEMS_MAX + 1;	/* cannot be read back: not written */
	assert_int_equal(ae_noop_memo_format(mem, &m, &t), AE_ERR_INVALID);
	talloc_free(mem);
}

static void test_no_leak(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_noop_item items[2];
	struct ae_noop_memo m, *b = NULL;
	char *t = NULL;

	(void)state;
	sample(&m, items);
	assert_int_equal(ae_noop_memo_format(mem, &m, &t), AE_OK);
	assert_int_equal(talloc_total_blocks(mem), 2);	/* mem and the text */
	assert_int_equal(ae_noop_memo_parse(mem, (const uint8_t *)t, strlen(t) - 1, &b),
			 AE_ERR_PARSE);
	assert_int_equal(talloc_total_blocks(mem), 2);	/* a failed parse leaves nothing */
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_thousands_of_items),
		cmocka_unit_test(test_no_leak),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
