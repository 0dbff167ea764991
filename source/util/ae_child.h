/*
 * ae_child.h: run a helper program (the trust-store command) as a child
 * that inherits nothing of ours.
 *
 * The child gets: an explicit argv (no shell), a fixed environment
 * (PATH=AE_CHILD_PATH, LANG=C; no KRB5CCNAME, no secrets, nothing else of
 * ours), stdin from /dev/null, stdout and stderr on a pipe whose first
 * AE_CHILD_OUTPUT_MAX bytes are returned (never on our stdout: `--json`
 * stays JSON), no descriptor of ours above 2, '/' as its working
 * directory, default signal dispositions,
 * an empty signal mask and its own process group. It is waited for at most
 * 'timeout_ms'; then its process group is killed (SIGKILL).
 */
#ifndef AE_CHILD_H
#define AE_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>
#include "ae_error.h"

#define AE_CHILD_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define AE_CHILD_OUTPUT_MAX 16384	/* bytes of stdout+stderr kept for the log */
#define AE_CHILD_CMDLINE_MAX 4096	/* a command line's length */
#define AE_CHILD_ARGS_MAX 64		/* its words */

struct ae_child_result {
	bool exited;		/* exited normally: 'status' is its exit code (0..255) */
	bool timed_out;		/* killed by us after the timeout */
	int status;		/* the exit code, or the signal that ended it */
	char *output;		/* stdout + stderr, NUL-terminated, at most the cap */
	size_t output_len;
	bool output_truncated;	/* it wrote more than AE_CHILD_OUTPUT_MAX bytes */
};

/*
 * Split a configured command line into argv (on mem_ctx) at blanks. It is
 * not a shell command: quotes, backslashes, '$', '`', ';', '&', '|', '<',
 * '>', '(', ')', '{', '}', '*', '?', '[', ']', '~', '#', '!' and control
 * characters are refused (AE_ERR_INVALID, 'why' says which), as are an
 * empty line and more than AE_CHILD_ARGS_MAX words or AE_CHILD_CMDLINE_MAX
 * bytes (AE_ERR_TOO_LARGE). *_argv (NULL-terminated) only on AE_OK.
 */
ae_err ae_child_split(TALLOC_CTX *mem_ctx, const char *cmdline, char ***_argv,
		      char *why, size_t why_len);

/*
 * Run argv[0] (an absolute path, or a name looked up in AE_CHILD_PATH, not
 * in ours) with argv as above and wait for it. AE_OK when it ran: *_r (on
 * mem_ctx) says how it ended (exit code, signal, timeout) and what it
 * wrote. AE_ERR_NOT_FOUND: no such program; AE_ERR_IO: it could not be
 * started (the why names the program and errno).
 */
ae_err ae_child_run(TALLOC_CTX *mem_ctx, const char *const *argv, unsigned timeout_ms,
		    struct ae_child_result **_r, char *why, size_t why_len);

/*
 * ae_child_run with more environment: env (NULL-terminated, may be NULL)
 * holds "NAME=VALUE" entries added after PATH and LANG, for a hook
 * (AE_ACTION, AE_CERT, ...). NAME is [A-Z0-9_] (not starting with a
 * digit), never PATH, LANG or LD_*; VALUE has no control character; at
 * most AE_CHILD_ENV_MAX entries of AE_CHILD_ENV_LEN_MAX bytes: anything
 * else is AE_ERR_INVALID before anything runs. Never put a secret there.
 */
#define AE_CHILD_ENV_MAX 32
#define AE_CHILD_ENV_LEN_MAX 4096
ae_err ae_child_run_env(TALLOC_CTX *mem_ctx, const char *const *argv, const char *const *env,
			unsigned timeout_ms, struct ae_child_result **_r, char *why,
			size_t why_len);

#endif
