/*
 * ae_child.c: the one place that starts a child process (see ae_child.h).
 * posix_spawn with explicit argv and envp; the output is collected through
 * a pipe into a bounded buffer while waiting, with a deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <talloc.h>
#include "ae_child.h"

static const char *const child_env[] = { "PATH=" AE_CHILD_PATH, "LANG=C", NULL };

ae_err ae_child_split(TALLOC_CTX *mem_ctx, const char *cmdline, char ***_argv,
		      char *why, size_t why_len)
{
	static const char refused[] = "\"'\\$`;&|<>(){}*?[]~#!";
	char **argv = NULL, *copy, *save = NULL, *w;
	size_t i, n = 0, len;

	if (cmdline == NULL || _argv == NULL) {
		return AE_ERR_INVALID;
	}
	len = strnlen(cmdline, AE_CHILD_CMDLINE_MAX + 1);
	if (len > AE_CHILD_CMDLINE_MAX) {
		ae_why(why, why_len, "longer than %d bytes", AE_CHILD_CMDLINE_MAX);
		return AE_ERR_TOO_LARGE;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)cmdline[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f || strchr(refused, c) != NULL) {
			ae_why(why, why_len, "character %s%c at offset %zu: the command is run "
			       "without a shell (a program and its arguments, separated by blanks)",
			       c < 0x20 || c == 0x7f ? "^" : "", c < 0x20 || c == 0x7f ? c + '@' : c,
			       i);
			return AE_ERR_INVALID;
		}
	}
	copy = talloc_strndup(mem_ctx, cmdline, len);
	argv = talloc_zero_array(copy, char *, AE_CHILD_ARGS_MAX + 1);
	if (copy == NULL || argv == NULL) {
		talloc_free(copy);
		return AE_ERR_NOMEM;
	}
	for (w = strtok_r(copy, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save)) {
		if (n == AE_CHILD_ARGS_MAX) {
			ae_why(why, why_len, "more than %d words", AE_CHILD_ARGS_MAX);
			talloc_free(copy);
			return AE_ERR_TOO_LARGE;
		}
		argv[n++] = w;
	}
	if (n == 0) {
		ae_why(why, why_len, "empty");
		talloc_free(copy);
		return AE_ERR_INVALID;
	}
	(void)talloc_steal(mem_ctx, argv);
	(void)talloc_steal(argv, copy);
	*_argv = argv;
	return AE_OK;
}

static bool is_exec_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* argv[0] as an absolute path: itself, or found in AE_CHILD_PATH. */
static char *find_program(TALLOC_CTX *mem, const char *name)
{
	const char *p = AE_CHILD_PATH;

	if (name[0] == '/') {
		return is_exec_file(name) ? talloc_strdup(mem, name) : NULL;
	}
	if (strchr(name, '/') != NULL || name[0] == '\0') {
		return NULL;	/* relative to what? */
	}
	while (*p != '\0') {
		size_t n = strcspn(p, ":");
		char *cand = talloc_asprintf(mem, "%.*s/%s", (int)n, p, name);

		if (cand != NULL && is_exec_file(cand)) {
			return cand;
		}
		talloc_free(cand);
		p += n + (p[n] == ':');
	}
	return NULL;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int spawn(const char *path, const char *const *argv, const char *const *envp,
		 int out_fd, pid_t *_pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t all, none;
	int rc;

	sigfillset(&all);
	sigemptyset(&none);
	if (posix_spawn_file_actions_init(&fa) != 0) {
		return ENOMEM;
	}
	if (posix_spawnattr_init(&at) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return ENOMEM;
	}
	rc = posix_spawn_file_actions_addchdir_np(&fa, "/");
	rc = rc ? rc : posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	rc = rc ? rc : posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	rc = rc ? rc : posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
	rc = rc ? rc : posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	rc = rc ? rc : posix_spawnattr_setsigdefault(&at, &all);
	rc = rc ? rc : posix_spawnattr_setsigmask(&at, &none);
	rc = rc ? rc : posix_spawnattr_setpgroup(&at, 0);
	rc = rc ? rc : posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK |
						  POSIX_SPAWN_SETPGROUP);
	rc = rc ? rc : posix_spawn(_pid, path, &fa, &at, (char *const *)argv,
				   (char *const *)envp);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* Read what is there into r->output (the rest is discarded); false at EOF. */
static bool drain(int fd, struct ae_child_result *r)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0) {
		return errno == EINTR || errno == EAGAIN;
	}
	if (n == 0) {
		return false;
	}
	if (r->output_len + (size_t)n > AE_CHILD_OUTPUT_MAX) {
		r->output_truncated = true;
		n = (ssize_t)(AE_CHILD_OUTPUT_MAX - r->output_len);
	}
	memcpy(r->output + r->output_len, buf, (size_t)n);
	r->output_len += (size_t)n;
	r->output[r->output_len] = '\0';
	return true;
}

/* Wait for 'pid' until the deadline, collecting its output from 'fd'. */
static void collect(pid_t pid, int fd, unsigned timeout_ms, struct ae_child_result *r)
{
	int64_t deadline = now_ms() + timeout_ms;
	bool open = true, lost = false;
	int st = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid || (w < 0 && errno != EINTR)) {
			lost = w < 0;	/* reaped elsewhere (SIGCHLD ignored?) */
			/* what it wrote before it ended (bounded: a grandchild may
			 * hold the pipe and keep writing) */
			for (int k = 0; open && k < 64 && poll(&p, 1, 0) > 0; k++) {
				open = drain(fd, r);
			}
			break;
		}
		if (left <= 0) {
			(void)kill(-pid, SIGKILL);
			(void)kill(pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
			}
			r->timed_out = true;
			break;
		}
		if (!open) {
			(void)poll(NULL, 0, left < 20 ? (int)left : 20);
		} else if (poll(&p, 1, left < 100 ? (int)left : 100) > 0) {
			open = drain(fd, r);
		}
	}
	if (r->timed_out) {
		r->exited = false;
		r->status = SIGKILL;
	} else if (lost) {
		r->exited = false;
		r->status = -1;
	} else if (WIFEXITED(st)) {
		r->exited = true;
		r->status = WEXITSTATUS(st);
	} else {
		r->status = WIFSIGNALED(st) ? WTERMSIG(st) : -1;
	}
}

/* One "NAME=VALUE" of ae_child_run_env: a plain name, not PATH/LANG/LD_*, a printable value. */
static bool env_entry_ok(const char *e)
{
	const char *eq = strchr(e, '=');
	size_t i, n = eq != NULL ? (size_t)(eq - e) : 0;

	if (n == 0 || strnlen(e, AE_CHILD_ENV_LEN_MAX + 1) > AE_CHILD_ENV_LEN_MAX ||
	    (n == 4 && strncmp(e, "PATH", 4) == 0) || (n == 4 && strncmp(e, "LANG", 4) == 0) ||
	    strncmp(e, "LD_", 3) == 0 || (e[0] >= '0' && e[0] <= '9')) {
		return false;
	}
	for (i = 0; i < n; i++) {
		if (!((e[i] >= 'A' && e[i] <= 'Z') || (e[i] >= '0' && e[i] <= '9') || e[i] == '_')) {
			return false;
		}
	}
	for (i = n + 1; e[i] != '\0'; i++) {
		if ((unsigned char)e[i] < 0x20 || e[i] == 0x7f) {
			return false;
		}
	}
	return true;
}

/* PATH, LANG, then the checked extra entries (on mem). */
static ae_err make_env(TALLOC_CTX *mem, const char *const *extra, const char ***_envp,
		       char *why, size_t why_len)
{
	const char **envp;
	size_t i, n = 0;

	while (extra != NULL && extra[n] != NULL) {
		if (n == AE_CHILD_ENV_MAX || !env_entry_ok(extra[n])) {
			ae_why(why, why_len, "environment entry %zu refused (more than %d, or not "
			       "NAME=VALUE with NAME in [A-Z0-9_] other than PATH, LANG, LD_*, and "
			       "a value without control characters, at most %d bytes)", n,
			       AE_CHILD_ENV_MAX, AE_CHILD_ENV_LEN_MAX);
			return AE_ERR_INVALID;
		}
		n++;
	}
	envp = talloc_zero_array(mem, const char *, n + 3);
	if (envp == NULL) {
		return AE_ERR_NOMEM;
	}
	envp[0] = child_env[0];
	envp[1] = child_env[1];
	for (i = 0; i < n; i++) {
		envp[2 + i] = extra[i];
	}
	*_envp = envp;
	return AE_OK;
}

ae_err ae_child_run(TALLOC_CTX *mem_ctx, const char *const *argv, unsigned timeout_ms,
		    struct ae_child_result **_r, char *why, size_t why_len)
{
	return ae_child_run_env(mem_ctx, argv, NULL, timeout_ms, _r, why, why_len);
}

ae_err ae_child_run_env(TALLOC_CTX *mem_ctx, const char *const *argv, const char *const *env,
			unsigned timeout_ms, struct ae_child_result **_r, char *why,
			size_t why_len)
{
	struct ae_child_result *r = NULL;
	const char **envp = NULL;
	char *path = NULL;
	int pfd[2], rc;
	pid_t pid;
	ae_err err;

	if (argv == NULL || argv[0] == NULL || _r == NULL) {
		return AE_ERR_INVALID;
	}
	r = talloc_zero(mem_ctx, struct ae_child_result);
	if (r == NULL || (r->output = talloc_zero_size(r, AE_CHILD_OUTPUT_MAX + 1)) == NULL) {
		talloc_free(r);
		return AE_ERR_NOMEM;
	}
	err = make_env(r, env, &envp, why, why_len);
	if (err != AE_OK) {
		talloc_free(r);
		return err;
	}
	path = find_program(r, argv[0]);
	if (path == NULL) {
		ae_why(why, why_len, "%s: no such executable (PATH for it: %s)", argv[0],
		       AE_CHILD_PATH);
		talloc_free(r);
		return AE_ERR_NOT_FOUND;
	}
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		ae_why(why, why_len, "%s: pipe: %s", path, strerror(errno));
		talloc_free(r);
		return AE_ERR_IO;
	}
	rc = spawn(path, argv, envp, pfd[1], &pid);
	close(pfd[1]);
	if (rc != 0) {
		ae_why(why, why_len, "%s: cannot start it: %s", path, strerror(rc));
		close(pfd[0]);
		talloc_free(r);
		return AE_ERR_IO;
	}
	collect(pid, pfd[0], timeout_ms, r);
	close(pfd[0]);
	talloc_free(path);
	talloc_free(envp);
	*_r = r;
	return AE_OK;
}
