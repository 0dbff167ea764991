/*
 * test_polsrv_group.c: the traversal of the cycle's policy servers
 * (ae_polsrv_collect_io) with a fake HTTPS exchange and a fake AD read:
 * failover in cost order (connection refused, TLS not verified) with each
 * failure named, a SOAP fault ends the group, the answer cached and reused
 * within nextUpdateHours, the cached copy used when every end point fails,
 * a CEP-only GPO reads no AD policy, a workgroup host without local
 * servers is told what to do, the UsernameToken of password end points.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <talloc.h>
#include "leak_check.h"
#include "ae_aesettings.h"
#include "ae_config.h"
#include "ae_creds.h"
#include "ae_file.h"
#include "ae_https.h"
#include "ae_policy_report.h"
#include "ae_polsrv.h"
#include "ae_polsrv_local.h"
#include "ae_polsrv_private.h"
#include "ae_session.h"
#include "ae_template.h"
#include "ae_xcep.h"

#define DATA SRCDIR "/tests/unit/data/"
#define FAULT "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>" \
	"<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text " \
	"xml:lang=\"en\">policy unavailable</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>"

static char g_dir[64];
static char g_posted[16][128];	/* URLs posted, in order */
static size_t g_num_posted;
static char *g_last_body;	/* the last request body */
static unsigned g_ad_reads;

static int setup(void **state)
{
	snprintf(g_dir, sizeof(g_dir), "/tmp/test_polsrv_group.XXXXXX");
	assert_non_null(mkdtemp(g_dir));
	g_num_posted = 0;
	g_ad_reads = 0;
	return leak_setup(state);
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
	assert_int_equal(system(cmd), 0);
	free(g_last_body);
	g_last_body = NULL;
	return leak_teardown(state);
}

static ae_err fake_post(TALLOC_CTX *mem, struct tevent_context *ev, const char *url,
			const struct ae_https_opts *o, const uint8_t *body, size_t body_len,
			struct ae_https_response **_resp, char *why, size_t why_len)
{
	struct ae_https_response *h;
	uint8_t *data = NULL;
	size_t len = 0;

	(void)ev;
	assert_string_equal(o->soap_action, AE_XCEP_ACTION_GET_POLICIES);
	assert_true(g_num_posted < 16);
	snprintf(g_posted[g_num_posted++], 128, "%s", url);
	free(g_last_body);
	g_last_body = strndup((const char *)body, body_len);
	if (strstr(url, "//down") != NULL) {
		snprintf(why, why_len, "%s: connection refused", url);
		return AE_ERR_TRANSPORT;
	}
	if (strstr(url, "//bad") != NULL) {
		snprintf(why, why_len, "%s: the server certificate does not verify", url);
		return AE_ERR_UNTRUSTED;
	}
	h = talloc_zero(mem, struct ae_https_response);
	if (strstr(url, "//fault") != NULL) {
		h->status = 500;
		h->body = (uint8_t *)talloc_strdup(h, FAULT);
		h->body_len = strlen(FAULT);
	} else {
		assert_int_equal(ae_file_read(h, DATA "xcep_response.xml", 1 << 20, &data, &len),
				 AE_OK);
		h->status = 200;
		h->body = data;
		h->body_len = len;
	}
	*_resp = h;
	return AE_OK;
}

static ae_err fake_read_ad(struct ae_session *s, struct ae_policy_report *r, size_t k)
{
	(void)s;
	(void)r;
	(void)k;
	g_ad_reads++;
	return AE_OK;
}

struct world {
	struct ae_config cfg;
	struct ae_session s;
	struct ae_aesettings st;
	struct ae_polsrv_io io;
	char local[128];
	char cache[128];
};

static void world_init(struct world *w, bool workgroup)
{
	memset(w, 0, sizeof(*w));
	w->s.config = &w->cfg;
	w->s.context = AE_CONTEXT_MACHINE;
	w->s.workgroup = workgroup;
	w->s.sam_account_name = (char *)"WK1$";
	w->s.machine_fqdn = (char *)"wk1";
	snprintf(w->local, sizeof(w->local), "%s/policy-servers.conf", g_dir);
	snprintf(w->cache, sizeof(w->cache), "%s/xcep", g_dir);
	w->io.post = fake_post;
	w->io.read_ad = fake_read_ad;
	w->io.now = 1800000000;
	w->io.cache_dir = w->cache;
	w->io.local_file = w->local;
}

static void write_local(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static struct ae_policy_report *run(void *mem, struct world *w, ae_err want)
{
	struct ae_policy_report *r = talloc_zero(mem, struct ae_policy_report);

	r->settings = &w->st;
	assert_int_equal(ae_polsrv_collect_io(&w->s, r, &w->io), want);
	return r;
}

static void test_failover_and_cache(void **state)
{
	struct world w;
	struct ae_policy_report *r;

	world_init(&w, true);
	write_local(w.local,
		    "server url=https://ok.lab/CEP policy-id={P} auth=kerberos cost=30\n"
		    "server url=https://down.lab/CEP policy-id={P} auth=kerberos cost=10\n"
		    "server url=https://bad.lab/CEP policy-id={P} auth=kerberos cost=20\n");
	/* a workgroup host has no Kerberos: each end point fails before sending */
	r = run(*state, &w, AE_ERR_TRANSPORT);
	assert_int_equal(g_num_posted, 0);
	assert_int_equal(r->num_servers, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(r->servers[i].state, AE_POLSRV_FAILED);
		assert_non_null(strstr(r->servers[i].note, "not joined"));
	}
	assert_int_equal(r->num_errors, 3);
	talloc_free(r);

	/* a member: down (cost 10), bad (20), then ok (30) answers */
	w.s.workgroup = false;
	w.s.creds = talloc_zero(*state, struct ae_creds);
	w.s.creds->ccache_name = talloc_strdup(w.s.creds, "FILE:/tmp/none");
	r = run(*state, &w, AE_OK);
	assert_int_equal(g_num_posted, 3);
	assert_string_equal(g_posted[0], "https://down.lab/CEP");
	assert_string_equal(g_posted[1], "https://bad.lab/CEP");
	assert_string_equal(g_posted[2], "https://ok.lab/CEP");
	/* the request asks for every schema version we support */
	assert_non_null(strstr(g_last_body, "<clientVersion>4</clientVersion>"));
	assert_non_null(strstr(g_last_body, "<serverVersion>"));
	assert_int_equal(r->servers[0].state, AE_POLSRV_FAILED);
	assert_non_null(strstr(r->servers[0].note, "connection refused"));
	assert_int_equal(r->servers[1].state, AE_POLSRV_FAILED);
	assert_non_null(strstr(r->servers[1].note, "does not verify"));
	assert_int_equal(r->servers[2].state, AE_POLSRV_USED);
	assert_false(r->servers[2].from_cache);
	assert_non_null(r->servers[2].xcep);
	assert_int_equal(r->servers[2].num_templates, 2);
	assert_int_equal(r->num_templates, 2);
	assert_int_equal(r->num_cas, 2);
	assert_non_null(r->cas[0]->xcep_ca);
	assert_int_equal(r->cas[0]->polsrv, 2);
	assert_int_equal(r->num_errors, 2);
	assert_string_equal(r->errors[0].object, "https://down.lab/CEP");
	/* a member without PolicyServers: the AD policy too, after the cheaper local group */
	assert_int_equal(g_ad_reads, 1);
	assert_int_equal(r->num_servers, 4);
	assert_int_equal(r->servers[3].kind, AE_POLSRV_AD);
	assert_int_equal(r->servers[3].state, AE_POLSRV_USED);
	talloc_free(r);

	/* within nextUpdateHours (8): the cache, nothing posted */
	g_num_posted = 0;
	w.io.now += 3600;
	r = run(*state, &w, AE_OK);
	assert_int_equal(g_num_posted, 0);
	/* shown on the end point that answered */
	assert_int_equal(r->servers[0].state, AE_POLSRV_STANDBY);
	assert_int_equal(r->servers[2].state, AE_POLSRV_USED);
	assert_true(r->servers[2].from_cache);
	assert_int_equal(r->servers[2].fetched, 1800000000);
	assert_non_null(strstr(r->servers[2].note, "next update after 8 hours"));
	assert_int_equal(r->num_templates, 2);
	talloc_free(r);

	/* later, every end point fails: the cached copy is used and said so */
	write_local(w.local, "server url=https://down.lab/CEP policy-id={P} cost=10\n");
	w.io.now += 9 * 3600;
	r = run(*state, &w, AE_OK);
	assert_int_equal(g_num_posted, 1);
	assert_int_equal(r->servers[0].state, AE_POLSRV_USED);
	assert_true(r->servers[0].from_cache);
	assert_non_null(strstr(r->servers[0].note, "connection refused"));
	assert_non_null(strstr(r->servers[0].note, "cached policy"));
	assert_int_equal(r->num_templates, 2);
	talloc_free(r);
	talloc_free(w.s.creds);
}

static void test_fault_ends_group_and_gpo(void **state)
{
	struct world w;
	struct ae_endpoint eps[2];
	struct ae_policy_report *r;

	world_init(&w, false);
	w.s.creds = talloc_zero(*state, struct ae_creds);
	w.s.creds->ccache_name = talloc_strdup(w.s.creds, "FILE:/tmp/none");
	memset(eps, 0, sizeof(eps));
	for (size_t i = 0; i < 2; i++) {
		eps[i].policy_id.value = "{F}";
		eps[i].cost.present = true;
		eps[i].cost.value = (uint32_t)i;
		eps[i].kind = AE_EP_KIND_HTTPS;
		eps[i].state = AE_EP_USABLE;
		eps[i].url.source = "CEP GPO";
	}
	eps[0].url.value = "https://fault.lab/CEP";
	eps[1].url.value = "https://ok.lab/CEP";
	w.st.endpoints = eps;
	w.st.num_endpoints = 2;
	/* a GPO that lists only a CEP: no AD read; the fault fails the group */
	r = run(*state, &w, AE_ERR_TRANSPORT);
	assert_int_equal(g_ad_reads, 0);
	assert_int_equal(g_num_posted, 1);
	assert_int_equal(r->servers[0].state, AE_POLSRV_FAILED);
	assert_non_null(strstr(r->servers[0].note, "SOAP fault s:Receiver"));
	assert_non_null(strstr(r->servers[0].note, "policy unavailable"));
	assert_int_equal(r->servers[1].state, AE_POLSRV_STANDBY);
	assert_int_equal(r->servers[0].origin, AE_POLSRV_FROM_GPO);
	talloc_free(r);
	/* one group, a CEP that is down first, then LDAP: (Windows' advanced policy) */
	eps[0].url.value = "https://down.lab/CEP";
	eps[1].url.value = "LDAP:";
	eps[1].kind = AE_EP_KIND_LDAP;
	eps[1].cost.value = AE_ENDPOINT_LDAP_COST;
	g_num_posted = 0;
	r = run(*state, &w, AE_OK);
	assert_int_equal(g_num_posted, 1);
	assert_int_equal(g_ad_reads, 1);
	assert_int_equal(r->servers[0].state, AE_POLSRV_FAILED);
	assert_int_equal(r->servers[1].state, AE_POLSRV_USED);
	assert_int_equal(r->servers[1].kind, AE_POLSRV_AD);
	talloc_free(r);
	g_ad_reads = 0;
	/* no PolicyServers: the AD policy alone, as before */
	w.st.num_endpoints = 0;
	r = run(*state, &w, AE_OK);
	assert_int_equal(g_ad_reads, 1);
	assert_int_equal(r->num_servers, 1);
	assert_int_equal(r->servers[0].state, AE_POLSRV_USED);
	assert_int_equal(r->servers[0].kind, AE_POLSRV_AD);
	talloc_free(r);
	talloc_free(w.s.creds);
}

static void test_workgroup_without_servers(void **state)
{
	struct world w;
	struct ae_policy_report *r;

	world_init(&w, true);
	r = run(*state, &w, AE_ERR_CONFIG);
	assert_non_null(strstr(w.s.error, "policy-server add"));
	assert_int_equal(r->num_servers, 0);
	talloc_free(r);
}

static void test_username_token(void **state)
{
	char *xml = NULL, *out = NULL;
	size_t len = 0, out_len = 0;

	assert_int_equal(ae_xcep_build_request(*state, "https://cep/x", 4, 6, 0, &xml, &len), AE_OK);
	assert_int_equal(ae_polsrv_add_username_token(*state, xml, len, "WK\\u<1>", "p&w\"d", &out,
						      &out_len), AE_OK);
	assert_int_equal(strlen(out), out_len);
	assert_non_null(strstr(out, "<o:Username>WK\\u&lt;1&gt;</o:Username>"));
	assert_non_null(strstr(out, "#PasswordText\">p&amp;w&quot;d</o:Password>"));
	assert_non_null(strstr(out, "</o:Security></s:Header>"));
	assert_int_equal(ae_polsrv_add_username_token(*state, "<x/>", 4, "u", "p", &out, &out_len),
			 AE_ERR_INVALID);
	talloc_free(xml);
	talloc_free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_failover_and_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_ends_group_and_gpo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_workgroup_without_servers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_username_token, setup, teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
