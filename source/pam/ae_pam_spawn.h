/*
 * ae_pam_spawn.h: start the user cycle detached from the PAM application.
 *
 * The application (sshd, login, gdm, su) gets no child to reap and no
 * descriptor of ours: the process it forks (A) only calls setsid() and
 * forks B, then exits, and is waited for at once. B is re-parented to init
 * (or the nearest subreaper), has /dev/null as stdin/stdout/stderr, no other
 * descriptor but a status pipe that is close-on-exec, a fixed environment
 * (PATH only) and "/" as its directory, and execs the command (no shell).
 * With a wait, B forks C to exec the command, waits for C and writes its
 * exit status into the pipe; the module waits on the pipe, never on B or C,
 * so a result that comes too late leaves nothing behind. Between fork and
 * exec only async-signal-safe functions are called (POSIX.1-2017 XSH 2.4.3).
 */
#ifndef AE_PAM_SPAWN_H
#define AE_PAM_SPAWN_H

#include <sys/types.h>

/* how long the module waits, without wait=, for the exec to be confirmed */
#define AE_PAM_EXEC_CONFIRM_MS 500

enum ae_pam_spawn_kind {
	AE_SPAWN_STARTED,     /* exec'd (or not refused within the bound); no wait */
	AE_SPAWN_EXITED,      /* value: the wait status of the command */
	AE_SPAWN_TIMEOUT,     /* still running at the end of the wait */
	AE_SPAWN_EXEC_FAILED, /* value: execve's errno */
	AE_SPAWN_FAILED,      /* value: errno of pipe/fork/open */
};

struct ae_pam_spawn_result {
	enum ae_pam_spawn_kind kind;
	int value;
	pid_t pid;            /* the command's pid when known, else 0 */
};

/* The fixed environment of the command. */
extern const char *const ae_pam_child_env[];

/* argv[0] is the absolute path that is exec'd. wait_s 0: do not wait. */
void ae_pam_spawn(const char *const argv[], unsigned wait_s, struct ae_pam_spawn_result *r);

#endif
