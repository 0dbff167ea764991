/*
 * test_cycle_trust.c: which CA certificates from AD become trust anchors
 * and which intermediates (ae_trust_plan_build), what is written when a
 * container could not be read (ae_trust_plan_apply), and the trust command's
 * bookkeeping (ae_cycle_trust_offer): source/engine/ae_cycle_trust.h.
 * Throw-away certificates are made with OpenSSL (pki_helpers.h); files go
 * to scratch directories under /tmp.
 *
 * Leak check: talloc null tracking (leak_check.h); OpenSSL objects are
 * covered by ASan's leak check.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <setjmp.h>
#include <cmocka.h>
#include "leak_check.h"
#include "pki_helpers.h"
#include "test_store_helpers.h"
#include "ae_store_private.h"
#include "ae_cycle.h"
#include "ae_cycle_trust.h"

#define DN_ROOTS "CN=Lab Root,CN=Certification Authorities,CN=Public Key Services"
#define DN_AIA "CN=Lab Issuing,CN=AIA,CN=Public Key Services"
#define DN_CA "CN=Lab Issuing,CN=Enrollment Services,CN=Public Key Services"

static const struct pki_cert_opts ca_opts = { .ca = true };

struct pki {
	struct ae_key *root_key, *inter_key, *other_key;
	struct ae_cert *root, *inter, *other_root, *fake_root;
	char *root_pem, *inter_pem;
};

static struct pki g;

static int group_setup(void **state)
{
	size_t len = 0;

	(void)state;
	g.root_key = pki_key(false);
	g.inter_key = pki_key(false);
	g.other_key = pki_key(false);
	g.root = pki_cert(NULL, "Lab Root", g.root_key, NULL, NULL, 1, 30, &ca_opts);
	g.inter = pki_cert(NULL, "Lab Issuing", g.inter_key, g.root, g.root_key, 2, 20, &ca_opts);
	g.other_root = pki_cert(NULL, "Stray Root", g.other_key, NULL, NULL, 3, 30, &ca_opts);
	/* subject == issuer ("Lab Root") but signed by the real root's key, not its own */
	g.fake_root = pki_cert(NULL, "Lab Root", g.other_key, g.root, g.root_key, 4, 30, &ca_opts);
	assert_int_equal(ae_cert_to_pem(NULL, g.root, &g.root_pem, &len), AE_OK);
	assert_int_equal(ae_cert_to_pem(NULL, g.inter, &g.inter_pem, &len), AE_OK);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	TALLOC_FREE(g.root);
	TALLOC_FREE(g.inter);
	TALLOC_FREE(g.other_root);
	TALLOC_FREE(g.fake_root);
	TALLOC_FREE(g.root_pem);
	TALLOC_FREE(g.inter_pem);
	TALLOC_FREE(g.root_key);
	TALLOC_FREE(g.inter_key);
	TALLOC_FREE(g.other_key);
	return 0;
}

static struct ae_trust_value val(TALLOC_CTX *mem, enum ae_trust_source src, const char *dn,
				 size_t index, const struct ae_cert *c)
{
	struct ae_trust_value v = { .source = src, .dn = dn, .index = index };
	uint8_t *der = NULL;

	assert_int_equal(ae_cert_to_der(mem, c, &der, &v.len), AE_OK);
	v.der = der;
	return v;
}

static char *anchor_file(TALLOC_CTX *mem, const struct ae_cert *c)
{
	char *thumb = NULL;

	assert_int_equal(ae_cert_thumbprint_hex(mem, c, &thumb), AE_OK);
	return talloc_asprintf(mem, "%s.crt", ae_store_trust_name(mem, thumb));
}

/* The number of autoenroll-*.crt files in dir. */
static size_t num_anchors(TALLOC_CTX *mem, const char *dir)
{
	char **names = NULL;
	size_t n = 0, i, k = 0, stem = 0;

	assert_int_equal(ae_store_list_dir(mem, dir, &names, &n), AE_OK);
	for (i = 0; i < n; i++) {
		k += strncmp(names[i], AE_TRUST_PREFIX, strlen(AE_TRUST_PREFIX)) == 0 &&
		     ae_store_ends_with(names[i], ".crt", &stem);
	}
	return k;
}

static struct ae_cycle_report *report(TALLOC_CTX *mem, const char *dir)
{
	struct ae_cycle_report *r = talloc_zero(mem, struct ae_cycle_report);

	assert_non_null(r);
	r->trust_dir = talloc_strdup(r, dir);
	return r;
}

static char *in(TALLOC_CTX *mem, const char *dir, const char *name)
{
	return slurp(mem, talloc_asprintf(mem, "%s/%s", dir, name));
}

static void intermediate_is_not_exported_as_anchor(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = scratch_dir(mem, "cyctrust");
	char *inter_path = talloc_asprintf(mem, "%s/intermediates.pem", dir);
	char *anchors = talloc_asprintf(mem, "%s/anchors", dir);
	struct ae_trust_value v[] = {
		val(mem, AE_TRUST_SRC_ROOTS, DN_ROOTS, 0, g.root),
		val(mem, AE_TRUST_SRC_AIA, DN_AIA, 0, g.inter),
		val(mem, AE_TRUST_SRC_CA, DN_CA, 0, g.inter),
		val(mem, AE_TRUST_SRC_CA, DN_CA, 1, g.root),
		/* "Lab Root" by name, but not signed with its own key: not a root */
		val(mem, AE_TRUST_SRC_ROOTS, DN_ROOTS, 1, g.fake_root),
	};
	struct ae_cycle_report *r = report(mem, anchors);
	struct ae_trust_plan *p = NULL;
	bool changed = false;

	assert_true(ae_cert_is_self_signed(g.root));
	assert_false(ae_cert_is_self_signed(g.inter));
	assert_false(ae_cert_is_self_signed(g.fake_root));
	assert_int_equal(ae_trust_plan_build(mem, v, 5, &p), AE_OK);
	assert_int_equal(p->num_anchors, 1);
	assert_string_equal(p->anchors[0].pem, g.root_pem);
	assert_int_equal(p->num_intermediates, 2);	/* roots' container first */
	assert_string_equal(p->intermediates[1], g.inter_pem);
	assert_int_equal(p->num_problems, 1);	/* the fake root, named */
	assert_non_null(strstr(p->problems[0], DN_ROOTS ": cACertificate value 1: not self-signed"));
	assert_int_equal(ae_trust_plan_apply(r, p, true, true, inter_path, &changed), AE_OK);
	assert_true(changed);
	assert_int_equal(num_anchors(mem, anchors), 1);
	assert_string_equal(in(mem, anchors, anchor_file(mem, g.root)), g.root_pem);
	assert_null(in(mem, anchors, anchor_file(mem, g.inter)));
	assert_null(in(mem, anchors, anchor_file(mem, g.fake_root)));
	assert_non_null(strstr(slurp(mem, inter_path), g.inter_pem));
	assert_null(strstr(slurp(mem, inter_path), g.root_pem));
	assert_int_equal(r->num_items, 0);
	rm_rf(dir);
}

static void self_signed_only_in_aia_is_not_anchor(void **state)
{
	TALLOC_CTX *mem = *state;
	struct ae_trust_value v[] = {
		val(mem, AE_TRUST_SRC_AIA, DN_AIA, 0, g.other_root),
		val(mem, AE_TRUST_SRC_CA, DN_CA, 0, g.root),
		val(mem, AE_TRUST_SRC_AIA, DN_AIA, 1, g.inter),
	};
	struct ae_trust_plan *p = NULL;

	assert_int_equal(ae_trust_plan_build(mem, v, 3, &p), AE_OK);
	assert_int_equal(p->num_anchors, 0);
	assert_int_equal(p->num_keep, 0);
	assert_int_equal(p->num_intermediates, 1);
	assert_string_equal(p->intermediates[0], g.inter_pem);
	assert_int_equal(p->num_problems, 2);
	assert_non_null(strstr(p->problems[0], DN_AIA ": cACertificate value 0: self-signed but "
			       "published only in CN=AIA"));
	assert_non_null(strstr(p->problems[1], DN_CA ": cACertificate value 0: self-signed but "
			       "published only in the enrollment service"));
}

static void one_bad_certificate_does_not_stop_sync(void **state)
{
	TALLOC_CTX *mem = *state;
	static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };	/* a SEQUENCE, no cert */
	char *dir = scratch_dir(mem, "cyctrust");
	struct ae_trust_value v[] = {
		{ AE_TRUST_SRC_ROOTS, "CN=Broken," DN_ROOTS, 0, junk, sizeof(junk) },
		val(mem, AE_TRUST_SRC_ROOTS, DN_ROOTS, 0, g.root),
		{ AE_TRUST_SRC_AIA, DN_AIA, 0, junk, 0 },
	};
	struct ae_cycle_report *r = report(mem, dir);
	struct ae_trust_plan *p = NULL;
	bool changed = false;

	/* an anchor an earlier run wrote that has since left AD */
	assert_int_equal(ae_file_write_atomic(talloc_asprintf(mem, "%s/autoenroll-gone.crt", dir),
					      g.inter_pem, strlen(g.inter_pem), 0644), AE_OK);
	assert_int_equal(ae_trust_plan_build(mem, v, 3, &p), AE_OK);
	assert_int_equal(p->num_anchors, 1);
	assert_int_equal(p->num_problems, 2);
	assert_non_null(strstr(p->problems[0], "CN=Broken," DN_ROOTS ": cACertificate value 0: "
			       "not an X.509 certificate"));
	assert_non_null(strstr(p->problems[1], DN_AIA ": cACertificate value 0: not an X.509"));
	assert_int_equal(ae_trust_plan_apply(r, p, true, true,
					     talloc_asprintf(mem, "%s/i.pem", dir), &changed), AE_OK);
	assert_true(changed);
	assert_null(in(mem, dir, "autoenroll-gone.crt"));
	assert_string_equal(in(mem, dir, anchor_file(mem, g.root)), g.root_pem);
	rm_rf(dir);
}

static void failed_search_keeps_anchors(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = scratch_dir(mem, "cyctrust");
	char *inter_path = talloc_asprintf(mem, "%s/intermediates.pem", dir);
	struct ae_trust_value v[] = { val(mem, AE_TRUST_SRC_CA, DN_CA, 0, g.inter) };
	struct ae_cycle_report *r = report(mem, dir);
	struct ae_trust_plan *p = NULL;
	bool changed = true;

	assert_int_equal(ae_file_write_atomic(talloc_asprintf(mem, "%s/autoenroll-root.crt", dir),
					      g.root_pem, strlen(g.root_pem), 0644), AE_OK);
	assert_int_equal(ae_file_write_atomic(inter_path, "old\n", 4, 0644), AE_OK);
	/* CN=Certification Authorities could not be read: no roots in the plan */
	assert_int_equal(ae_trust_plan_build(mem, v, 1, &p), AE_OK);
	assert_int_equal(p->num_anchors, 0);
	assert_int_equal(ae_trust_plan_apply(r, p, false, true, inter_path, &changed),
			 AE_ERR_LDAP);
	assert_false(changed);
	assert_string_equal(in(mem, dir, "autoenroll-root.crt"), g.root_pem);
	assert_string_equal(slurp(mem, inter_path), "old\n");
	/* CN=AIA could not be read: the anchors are synced, the bundle is left alone */
	assert_int_equal(ae_trust_plan_apply(r, p, true, false, inter_path, &changed),
			 AE_ERR_LDAP);
	assert_true(changed);
	assert_null(in(mem, dir, "autoenroll-root.crt"));
	assert_string_equal(slurp(mem, inter_path), "old\n");
	rm_rf(dir);
}

static void more_than_256_certificates_syncs_the_first_and_reports(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = scratch_dir(mem, "cyctrust");
	struct ae_trust_value *v = talloc_zero_array(mem, struct ae_trust_value, AE_TRUST_MAX + 3);
	struct ae_cert **c = talloc_zero_array(mem, struct ae_cert *, AE_TRUST_MAX + 3);
	struct ae_cycle_report *r = report(mem, dir);
	struct ae_trust_plan *p = NULL;
	bool changed = false;
	size_t i;

	for (i = 0; i < AE_TRUST_MAX + 3; i++) {
		c[i] = pki_cert(mem, talloc_asprintf(mem, "Root %zu", i), g.other_key, NULL, NULL,
				(long)i + 10, 30, &ca_opts);
		v[i] = val(mem, AE_TRUST_SRC_ROOTS, talloc_asprintf(mem, "CN=Root %zu", i), 0, c[i]);
	}
	/* an earlier sync wrote #256: it is still in AD, only left out now */
	assert_int_equal(ae_file_write_atomic(talloc_asprintf(mem, "%s/%s", dir,
							      anchor_file(mem, c[AE_TRUST_MAX])),
					      "x", 1, 0644), AE_OK);
	assert_int_equal(ae_trust_plan_build(mem, v, AE_TRUST_MAX + 3, &p), AE_OK);
	assert_int_equal(p->num_anchors, AE_TRUST_MAX);
	assert_int_equal(p->num_keep, 3);
	assert_int_equal(p->num_problems, 3);
	assert_non_null(strstr(p->problems[0], "CN=Root 256: cACertificate value 0: root left "
			       "out: more than 256 trust anchors"));
	assert_non_null(strstr(p->problems[2], "CN=Root 258:"));
	assert_int_equal(ae_trust_plan_apply(r, p, true, true,
					     talloc_asprintf(mem, "%s/i.pem", dir), &changed), AE_OK);
	assert_int_equal(num_anchors(mem, dir), AE_TRUST_MAX + 1);
	assert_non_null(in(mem, dir, anchor_file(mem, c[0])));
	assert_non_null(in(mem, dir, anchor_file(mem, c[AE_TRUST_MAX - 1])));
	assert_string_equal(in(mem, dir, anchor_file(mem, c[AE_TRUST_MAX])), "x");
	assert_null(in(mem, dir, anchor_file(mem, c[AE_TRUST_MAX + 1])));
	/* too many values for one plan are refused before any is read */
	assert_int_equal(ae_trust_plan_build(mem, v, AE_TRUST_VALUES_MAX + 1, &p), AE_ERR_INVALID);
	rm_rf(dir);
}

/* An executable /bin/sh script dir/name running body; its path. */
static char *script(TALLOC_CTX *mem, const char *dir, const char *name, const char *body)
{
	char *path = talloc_asprintf(mem, "%s/%s.sh", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0700), 0);
	return path;
}

static void failed_trust_command_is_retried(void **state)
{
	TALLOC_CTX *mem = *state;
	char *dir = scratch_dir(mem, "cyctrust");
	char *anchors = talloc_asprintf(mem, "%s/anchors", dir);
	char *log = talloc_asprintf(mem, "%s/ran", dir);
	/* the command runs without a shell (ae_child): scripts, not shell lines */
	char *bad = script(mem, dir, "bad", talloc_asprintf(mem, "echo bad >> %s; exit 3", log));
	char *good = script(mem, dir, "good", talloc_asprintf(mem, "echo good >> %s", log));
	char *killed = script(mem, dir, "killed", "kill -9 $$");
	struct ae_trust_cert set[] = { { "autoenroll-root", g.root_pem },
				       { "autoenroll-inter", g.inter_pem } };
	struct ae_cycle_report *r = report(mem, anchors);
	bool changed = false;

	assert_int_equal(ae_store_trust_sync(anchors, set, 1, &changed), AE_OK);
	assert_true(changed);
	/* the command fails: reported, not recorded */
	assert_int_equal(ae_cycle_trust_offer(r, bad, true), AE_ERR_IO);
	assert_false(r->trust_changed);
	assert_int_equal(r->num_items, 1);
	assert_string_equal(r->items[0].template_name, AE_TRUST_ITEM);
	assert_string_equal(r->items[0].result, "failed");
	assert_int_equal(r->items[0].outcome, AE_OUTCOME_STORE);
	assert_string_equal(r->items[0].reason, talloc_asprintf(mem, "trust command '%s' failed: "
			    "exit 3; the anchors will be offered again on the next run", bad));
	/* the next run: nothing changed in AD, the command runs again */
	r = report(mem, anchors);
	assert_int_equal(ae_cycle_trust_offer(r, bad, false), AE_ERR_IO);
	assert_string_equal(slurp(mem, log), "bad\nbad\n");
	r = report(mem, anchors);
	assert_int_equal(ae_cycle_trust_offer(r, good, false), AE_OK);
	assert_true(r->trust_changed);
	assert_int_equal(r->num_items, 0);
	assert_string_equal(slurp(mem, log), "bad\nbad\ngood\n");
	/* done: not again until the anchors change */
	r = report(mem, anchors);
	assert_int_equal(ae_cycle_trust_offer(r, good, false), AE_OK);
	assert_false(r->trust_changed);
	assert_string_equal(slurp(mem, log), "bad\nbad\ngood\n");
	assert_int_equal(ae_store_trust_sync(anchors, set, 2, &changed), AE_OK);
	assert_int_equal(ae_cycle_trust_offer(r, good, false), AE_OK);	/* pending: new file */
	assert_string_equal(slurp(mem, log), "bad\nbad\ngood\ngood\n");
	/* a command killed by a signal or not found */
	assert_int_equal(ae_store_trust_sync(anchors, set, 1, &changed), AE_OK);
	r = report(mem, anchors);
	assert_int_equal(ae_cycle_trust_offer(r, killed, false), AE_ERR_IO);
	assert_non_null(strstr(r->items[0].reason, "failed: ended by signal 9;"));
	/* a shell line is refused, not run through a shell */
	r = report(mem, anchors);
	assert_int_equal(ae_cycle_trust_offer(r, "kill -9 $$", false), AE_ERR_IO);
	assert_non_null(strstr(r->items[0].reason, "trust command 'kill -9 $$' failed: "));
	/* "none": nothing runs, nothing fails */
	r = report(mem, anchors);
	assert_int_equal(ae_cycle_trust_offer(r, "none", true), AE_OK);
	assert_true(r->trust_changed);
	assert_int_equal(r->num_items, 0);
	rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(intermediate_is_not_exported_as_anchor,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(self_signed_only_in_aia_is_not_anchor,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(one_bad_certificate_does_not_stop_sync,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(failed_search_keeps_anchors,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(more_than_256_certificates_syncs_the_first_and_reports,
						leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(failed_trust_command_is_retried,
						leak_setup, leak_teardown),
	};
	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
	talloc_disable_null_tracking();
	return rc;
}
