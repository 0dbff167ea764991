/*
 * ae_pam_opts.h: the pure part of pam_autoenroll.so: its options, the checks
 * of everything that reaches the child's argv (user name, ccache name,
 * command and config paths) and the decision whether a session starts a
 * user cycle. No PAM, no winbind, no allocation: the module and its unit
 * test (tests/unit/test_pam_opts.c) share it.
 */
#ifndef AE_PAM_OPTS_H
#define AE_PAM_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "ae_paths.h"

#define AE_PAM_DEFAULT_COMMAND AE_COMMAND_PATH	/* <sbindir>/autoenroll of this build */
#define AE_PAM_WAIT_MAX 600          /* wait=SECONDS is capped at this */
#define AE_PAM_USER_MAX 256          /* bytes of a user name (LOGIN_NAME_MAX) */
#define AE_PAM_CCACHE_MAX 1024       /* bytes of a KRB5CCNAME value */
#define AE_PAM_PATH_MAX 1024         /* bytes of command= / config= */

struct ae_pam_opts {
	bool debug;
	unsigned wait_s;      /* 0: do not wait for the result */
	const char *command;  /* points into argv or at the default */
	const char *config;   /* NULL: no -s */
};

/*
 * Parses the module arguments of the pam.d line. Every known option is
 * taken; an unknown or malformed one is described in bad[] (the first one
 * only) and skipped, the others still apply. Returns the number of
 * arguments skipped. command= and config= are only checked for form here
 * (absolute, no control characters, length); ae_pam_check_file() checks the
 * file itself.
 */
int ae_pam_opts_parse(int argc, const char **argv, struct ae_pam_opts *o,
		      char *bad, size_t badlen);

/* A user name fit for argv: 1..AE_PAM_USER_MAX bytes, no leading '-',
 * no control character (< 0x20, 0x7f), no '/' or ':'. */
bool ae_pam_user_ok(const char *name);

/* A KRB5CCNAME value fit for argv: 1..AE_PAM_CCACHE_MAX bytes, no leading
 * '-', no control character. */
bool ae_pam_ccache_ok(const char *ccname);

/*
 * Whether a file with these attributes may be run (exec != 0) or read as
 * the configuration by root: a regular file owned by root, not writable by
 * others, nor by its group unless the group is root; exec: executable by
 * its owner. why[] says which rule failed.
 */
bool ae_pam_stat_ok(const struct stat *st, bool exec, char *why, size_t whylen);

/* Whether a directory on the way to such a file is safe: owned by root and
 * not writable by group or others, or sticky (a user cannot replace root's
 * entries in /tmp). */
bool ae_pam_dir_ok(const struct stat *st, char *why, size_t whylen);

/*
 * The file at path (absolute, without "." or ".." components), checked
 * with lstat: no symbolic link as the file or on the way, every directory
 * above it passes ae_pam_dir_ok, the file ae_pam_stat_ok.
 */
bool ae_pam_check_file(const char *path, bool exec, char *why, size_t whylen);

enum ae_pam_decision {
	AE_PAM_RUN = 0,
	AE_PAM_SKIP_UNKNOWN,    /* NSS does not know the user */
	AE_PAM_SKIP_ROOT,       /* uid 0 */
	AE_PAM_SKIP_LOCAL,      /* not a domain user (winbind has no SID) */
	AE_PAM_SKIP_NO_CCACHE,  /* no KRB5CCNAME in the PAM environment */
	AE_PAM_SKIP_BAD_CCACHE, /* KRB5CCNAME unfit for argv */
};

struct ae_pam_facts {
	bool known;           /* NSS gave a uid */
	uid_t uid;
	bool domain;          /* winbind maps the name and the uid to one SID */
	const char *ccache;   /* pam_getenv("KRB5CCNAME"), may be NULL */
};

/* Run or not, in this order: unknown, root, local, no ccache, bad ccache. */
enum ae_pam_decision ae_pam_decide(const struct ae_pam_facts *f);

/* "root", "not a domain user", ...: for the log line. */
const char *ae_pam_decision_str(enum ae_pam_decision d);

#endif
