/*
 * test_smbconf_snap.c: smb.conf's values without loadparm
 * (engine/ae_smbconf_snap.h, transport/ae_smbconf.h): the snapshot's bytes
 * written and parsed back, what the parser refuses, the parametric lookup
 * on the [global] dump as loadparm compares names; and, as root, the
 * snapshot in /run/samba-autoenroll taken while smb.conf's bytes are the
 * same, dropped when they change, never made for an smb.conf with include.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <cmocka.h>
#include <talloc.h>
#include "ae_smbconf.h"
#include "ae_smbconf_snap.h"
#include "leak_check.h"

#define GLOBALS "\trealm = LAB.EXAMPLE.COM\n\tautoenroll:store dir = /var/lib/x y\n" \
		"\tautoenroll:key type = rsa:3072\n"

static struct ae_smbconf_snap *sample(TALLOC_CTX *mem)
{
	struct ae_smbconf_snap *s = talloc_zero(mem, struct ae_smbconf_snap);
	struct ae_smbconf *c = talloc_zero(s, struct ae_smbconf);

	assert_non_null(c);
	s->conf = c;
	memset(s->source_sha256, 0xab, 32);
	s->host = talloc_strdup(s, "member1");
	s->lib_dev = 65024;
	s->lib_ino = 12;
	s->lib_size = 199056;
	s->lib_mtime_ns = 1779432047000000001ull;
	s->lib_path = talloc_strdup(s, "/lib/x86_64-linux-gnu/libsamba-hostconfig.so.0");
	c->configfile = talloc_strdup(c, "/etc/samba/smb.conf");
	c->realm = talloc_strdup(c, "LAB.EXAMPLE.COM");
	c->dnsdomain = talloc_strdup(c, "lab.example.com");
	c->netbios_name = talloc_strdup(c, "MEMBER1");
	c->workgroup = talloc_strdup(c, "LAB");
	c->password_server = talloc_strdup(c, "");
	c->winbind_separator = talloc_strdup(c, "\\");
	c->state_dir = talloc_strdup(c, "/var/lib/samba");
	c->cache_dir = talloc_strdup(c, "/var/cache/samba");
	c->private_dir = talloc_strdup(c, "/var/lib/samba/private");
	c->globals = talloc_strdup(c, GLOBALS);
	c->globals_len = strlen(GLOBALS);
	memset(c->dump_sha256, 0x5c, 32);
	return s;
}

static void test_round_trip(void **state)
{
	struct ae_smbconf_snap *s = sample(*state), *back = NULL;
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(ae_smbconf_snap_format(*state, s, &text, &len), AE_OK);
	assert_int_equal(ae_smbconf_snap_parse(*state, (uint8_t *)text, len, &back), AE_OK);
	assert_memory_equal(back->source_sha256, s->source_sha256, 32);
	assert_string_equal(back->host, "member1");
	assert_true(back->lib_mtime_ns == s->lib_mtime_ns && back->lib_ino == 12);
	assert_string_equal(back->lib_path, s->lib_path);
	assert_string_equal(back->conf->netbios_name, "MEMBER1");
	assert_string_equal(back->conf->password_server, "");
	assert_string_equal(back->conf->winbind_separator, "\\");
	assert_string_equal(back->conf->private_dir, "/var/lib/samba/private");
	assert_memory_equal(back->conf->dump_sha256, s->conf->dump_sha256, 32);
	assert_int_equal(back->conf->globals_len, strlen(GLOBALS));
	assert_string_equal(back->conf->globals, GLOBALS);
	assert_true(back->conf->from_snapshot);
	assert_null(back->conf->lp);
}

/* one change to a good snapshot's text -> refused, nothing set */
static void refused(TALLOC_CTX *mem, const char *text, size_t len)
{
	struct ae_smbconf_snap *out = (struct ae_smbconf_snap *)0x1;

	assert_int_equal(ae_smbconf_snap_parse(mem, (const uint8_t *)text, len, &out),
			 AE_ERR_INVALID);
	assert_ptr_equal(out, (struct ae_smbconf_snap *)0x1);
}

static void test_refused(void **state)
{
	struct ae_smbconf_snap *s = sample(*state);
	char *text = NULL, *t;
	size_t len = 0;

	assert_int_equal(ae_smbconf_snap_format(*state, s, &text, &len), AE_OK);
	refused(*state, text, len - 1);				/* the length one off */
	t = talloc_asprintf(*state, "%sx", text);
	refused(*state, t, len + 1);				/* trailing data */
	t = talloc_strdup(*state, text);
	t[0] = 'S';
	refused(*state, t, len);				/* another format */
	t = talloc_strdup(*state, text);
	memcpy(strstr(t, "source ") + 7, "AB", 2);
	refused(*state, t, len);				/* upper-case hex */
	t = talloc_strdup(*state, text);
	memcpy(strstr(t, "realm "), "reaXm ", 6);
	refused(*state, t, len);				/* a key out of place */
	t = talloc_strdup(*state, text);
	strstr(t, "MEMBER1")[2] = '\t';
	refused(*state, t, len);				/* a control character */
	t = talloc_strdup(*state, text);
	strstr(t, "x y")[1] = '\0';
	refused(*state, t, len);				/* a NUL in the dump */
	t = talloc_strdup(*state, text);
	memcpy(strstr(t, "lib 65024"), "lib 05024", 9);
	refused(*state, t, len);				/* a leading zero */
	refused(*state, "", 0);
	/* a value a line cannot hold is not written */
	s->conf->realm = talloc_strdup(s->conf, "LAB\nEXAMPLE");
	assert_int_equal(ae_smbconf_snap_format(*state, s, &text, &len), AE_ERR_INVALID);
}

static void test_parm_lookup(void **state)
{
	struct ae_smbconf_snap *s = sample(*state);

	/* as loadparm: no case, no white space in names; the value trimmed */
	assert_string_equal(ae_smbconf_parm(s->conf, "autoenroll", "store dir"), "/var/lib/x y");
	assert_string_equal(ae_smbconf_parm(s->conf, "AutoEnroll", "StoreDir"), "/var/lib/x y");
	assert_string_equal(ae_smbconf_parm(s->conf, "autoenroll", "key type"), "rsa:3072");
	assert_null(ae_smbconf_parm(s->conf, "autoenroll", "store"));
	assert_null(ae_smbconf_parm(s->conf, "autoenroll", "dc"));
	assert_null(ae_smbconf_parm(s->conf, "realm", ""));
	assert_null(ae_smbconf_parm(NULL, "autoenroll", "dc"));
	/* a session's own directories */
	assert_int_equal(ae_smbconf_set(s->conf, "cache directory", "/home/a/.cache/x"), AE_OK);
	assert_string_equal(s->conf->cache_dir, "/home/a/.cache/x");
	assert_int_equal(s->conf->num_overrides, 1);
	assert_int_equal(ae_smbconf_set(s->conf, "realm", "X"), AE_ERR_INVALID);
}

/* the snapshot files in the directory now */
static char **snap_files(TALLOC_CTX *mem)
{
	DIR *d = opendir(AE_SMBCONF_SNAP_DIR);
	struct dirent *e;
	char **names = talloc_zero_array(mem, char *, 1);
	size_t n = 0;

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "smbconf-", 8) == 0) {
			names = talloc_realloc(mem, names, char *, n + 2);
			names[n++] = talloc_strdup(names, e->d_name);
			names[n] = NULL;
		}
	}
	if (d != NULL) {
		closedir(d);
	}
	return names;
}

static bool listed(char **names, const char *name)
{
	for (; *names != NULL; names++) {
		if (strcmp(*names, name) == 0) {
			return true;
		}
	}
	return false;
}

static struct ae_smbconf *open_conf(TALLOC_CTX *mem, const char *path)
{
	struct ae_smbconf *c = NULL;
	char why[256] = "";

	assert_int_equal(ae_smbconf_open(mem, path, NULL, &c, why, sizeof(why)), AE_OK);
	return c;
}

static void write_conf(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void test_open_uses_snapshot_while_same(void **state)
{
	char dir[] = "/tmp/test_smbconf_snap.XXXXXX", *path, *inc, **before, **after;
	struct ae_smbconf *c;
	size_t i;

	if (geteuid() != 0) {
		skip();		/* the snapshot is root's (CI runs as root) */
	}
	assert_non_null(mkdtemp(dir));
	path = talloc_asprintf(*state, "%s/smb.conf", dir);
	inc = talloc_asprintf(*state, "%s/inc.conf", dir);
	before = snap_files(*state);
	write_conf(path, "[global]\n\trealm = LAB.EXAMPLE.COM\n\tautoenroll:key type = rsa:3072\n");
	c = open_conf(*state, path);
	assert_false(c->from_snapshot);
	assert_non_null(c->lp);
	c = open_conf(*state, path);		/* the same bytes: no loadparm */
	assert_true(c->from_snapshot);
	assert_null(c->lp);
	assert_string_equal(c->realm, "LAB.EXAMPLE.COM");
	assert_string_equal(ae_smbconf_parm(c, "autoenroll", "key type"), "rsa:3072");
	/* the lp the MS-ICPR code asks for, loaded then */
	assert_int_equal(ae_smbconf_lp_load(c, NULL, 0), AE_OK);
	assert_non_null(c->lp);
	write_conf(path, "[global]\n\trealm = LAB.EXAMPLE.COM\n\tautoenroll:key type = ec:p256\n");
	c = open_conf(*state, path);		/* changed: loaded again */
	assert_false(c->from_snapshot);
	assert_string_equal(ae_smbconf_parm(c, "autoenroll", "key type"), "ec:p256");
	c = open_conf(*state, path);
	assert_true(c->from_snapshot);
	assert_string_equal(ae_smbconf_parm(c, "autoenroll", "key type"), "ec:p256");
	/* an include: loaded every time (the included file's bytes are not checked) */
	write_conf(inc, "[global]\n\tautoenroll:dc = dc1\n");
	write_conf(path, talloc_asprintf(*state, "[global]\n\trealm = LAB.EXAMPLE.COM\n"
					 "\tinclude = %s\n", inc));
	c = open_conf(*state, path);
	assert_false(c->from_snapshot || c->self_contained);
	c = open_conf(*state, path);
	assert_false(c->from_snapshot);
	assert_string_equal(ae_smbconf_parm(c, "autoenroll", "dc"), "dc1");
	after = snap_files(*state);
	for (i = 0; after[i] != NULL; i++) {
		assert_true(listed(before, after[i]));	/* the include's removed it */
	}
	unlink(inc);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_refused, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_parm_lookup, leak_setup, leak_teardown),
		cmocka_unit_test_setup_teardown(test_open_uses_snapshot_while_same, leak_setup,
						leak_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
