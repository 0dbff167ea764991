/*
 * ae_pam_opts.c: options, argv checks and the run-or-skip decision of
 * pam_autoenroll.so (see ae_pam_opts.h). Pure except ae_pam_check_file,
 * which only lstat()s.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "ae_pam_opts.h"

static bool no_ctl(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			return false;
		}
	}
	return true;
}

/* An absolute path without control characters, "." or ".." components,
 * at most AE_PAM_PATH_MAX bytes. */
static bool path_form_ok(const char *p)
{
	size_t n = strnlen(p, AE_PAM_PATH_MAX + 1);
	const char *c = p;

	if (n == 0 || n > AE_PAM_PATH_MAX || p[0] != '/' || p[n - 1] == '/' || !no_ctl(p)) {
		return false;
	}
	while ((c = strchr(c, '/')) != NULL) {
		c++;
		if ((c[0] == '.' && (c[1] == '/' || c[1] == '\0')) ||
		    (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == '\0')) || c[0] == '/') {
			return false;
		}
	}
	return true;
}

/* wait=SECONDS: decimal digits only, 0..AE_PAM_WAIT_MAX. */
static bool parse_wait(const char *v, unsigned *out)
{
	unsigned long n = 0;

	if (*v == '\0' || strlen(v) > 4) {
		return false;
	}
	for (const char *p = v; *p != '\0'; p++) {
		if (*p < '0' || *p > '9') {
			return false;
		}
		n = n * 10 + (unsigned long)(*p - '0');
	}
	if (n > AE_PAM_WAIT_MAX) {
		return false;
	}
	*out = (unsigned)n;
	return true;
}

static void note_bad(char *bad, size_t badlen, int *nbad, const char *arg, const char *why)
{
	if (*nbad == 0 && badlen > 0) {
		snprintf(bad, badlen, "%.*s: %s", 64, arg, why);
	}
	(*nbad)++;
}

int ae_pam_opts_parse(int argc, const char **argv, struct ae_pam_opts *o,
		      char *bad, size_t badlen)
{
	int nbad = 0;

	memset(o, 0, sizeof(*o));
	o->command = AE_PAM_DEFAULT_COMMAND;
	if (badlen > 0) {
		bad[0] = '\0';
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (a == NULL) {
			continue;
		}
		if (strcmp(a, "debug") == 0) {
			o->debug = true;
		} else if (strncmp(a, "wait=", 5) == 0) {
			if (!parse_wait(a + 5, &o->wait_s)) {
				note_bad(bad, badlen, &nbad, a, "want 0..600 seconds");
			}
		} else if (strncmp(a, "command=", 8) == 0) {
			if (path_form_ok(a + 8)) {
				o->command = a + 8;
			} else {
				note_bad(bad, badlen, &nbad, a, "want an absolute path");
			}
		} else if (strncmp(a, "config=", 7) == 0) {
			if (path_form_ok(a + 7)) {
				o->config = a + 7;
			} else {
				note_bad(bad, badlen, &nbad, a, "want an absolute path");
			}
		} else {
			note_bad(bad, badlen, &nbad, a, "unknown option");
		}
	}
	return nbad;
}

bool ae_pam_user_ok(const char *name)
{
	size_t n;

	if (name == NULL) {
		return false;
	}
	n = strnlen(name, AE_PAM_USER_MAX + 1);
	return n > 0 && n <= AE_PAM_USER_MAX && name[0] != '-' && no_ctl(name) &&
	       strchr(name, '/') == NULL && strchr(name, ':') == NULL;
}

bool ae_pam_ccache_ok(const char *ccname)
{
	size_t n;

	if (ccname == NULL) {
		return false;
	}
	n = strnlen(ccname, AE_PAM_CCACHE_MAX + 1);
	return n > 0 && n <= AE_PAM_CCACHE_MAX && ccname[0] != '-' && no_ctl(ccname);
}

static bool say(char *why, size_t whylen, const char *msg)
{
	if (whylen > 0) {
		snprintf(why, whylen, "%s", msg);
	}
	return false;
}

bool ae_pam_stat_ok(const struct stat *st, bool exec, char *why, size_t whylen)
{
	if (!S_ISREG(st->st_mode)) {
		return say(why, whylen, "not a regular file");
	}
	if (st->st_uid != 0) {
		return say(why, whylen, "not owned by root");
	}
	if ((st->st_mode & S_IWOTH) != 0 || ((st->st_mode & S_IWGRP) != 0 && st->st_gid != 0)) {
		return say(why, whylen, "writable by others");
	}
	if (exec && (st->st_mode & S_IXUSR) == 0) {
		return say(why, whylen, "not executable");
	}
	return true;
}

bool ae_pam_dir_ok(const struct stat *st, char *why, size_t whylen)
{
	if (!S_ISDIR(st->st_mode)) {
		return say(why, whylen, "a path component is not a directory");
	}
	if (st->st_uid != 0) {
		return say(why, whylen, "a directory on its path is not owned by root");
	}
	if ((st->st_mode & S_ISVTX) == 0 &&
	    ((st->st_mode & S_IWOTH) != 0 || ((st->st_mode & S_IWGRP) != 0 && st->st_gid != 0))) {
		return say(why, whylen, "a directory on its path is writable by others");
	}
	return true;
}

bool ae_pam_check_file(const char *path, bool exec, char *why, size_t whylen)
{
	char buf[AE_PAM_PATH_MAX + 1];
	struct stat st;

	if (!path_form_ok(path)) {
		return say(why, whylen, "not an absolute path");
	}
	/* every directory from "/" down: "/", "/usr", "/usr/sbin" */
	for (size_t i = 0; path[i] != '\0'; i++) {
		size_t n = i == 0 ? 1 : i;

		if (path[i] != '/') {
			continue;
		}
		memcpy(buf, path, n);
		buf[n] = '\0';
		if (lstat(buf, &st) != 0) {
			return say(why, whylen, strerror(errno));
		}
		if (!ae_pam_dir_ok(&st, why, whylen)) {
			return false;
		}
	}
	if (lstat(path, &st) != 0) {
		return say(why, whylen, strerror(errno));
	}
	if (S_ISLNK(st.st_mode)) {
		return say(why, whylen, "a symbolic link");
	}
	return ae_pam_stat_ok(&st, exec, why, whylen);
}

enum ae_pam_decision ae_pam_decide(const struct ae_pam_facts *f)
{
	if (!f->known) {
		return AE_PAM_SKIP_UNKNOWN;
	}
	if (f->uid == 0) {
		return AE_PAM_SKIP_ROOT;
	}
	if (!f->domain) {
		return AE_PAM_SKIP_LOCAL;
	}
	if (f->ccache == NULL || f->ccache[0] == '\0') {
		return AE_PAM_SKIP_NO_CCACHE;
	}
	if (!ae_pam_ccache_ok(f->ccache)) {
		return AE_PAM_SKIP_BAD_CCACHE;
	}
	return AE_PAM_RUN;
}

const char *ae_pam_decision_str(enum ae_pam_decision d)
{
	switch (d) {
	case AE_PAM_RUN:
		return "a domain user with a Kerberos ccache";
	case AE_PAM_SKIP_UNKNOWN:
		return "unknown to NSS";
	case AE_PAM_SKIP_ROOT:
		return "root (uid 0)";
	case AE_PAM_SKIP_LOCAL:
		return "not a domain user (winbind has no SID for it)";
	case AE_PAM_SKIP_NO_CCACHE:
		return "no KRB5CCNAME in the PAM environment";
	case AE_PAM_SKIP_BAD_CCACHE:
		return "KRB5CCNAME is not usable as an argument";
	}
	return "?";
}
