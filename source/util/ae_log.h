/*
 * ae_log.h: logging to stderr (and later syslog/journal).
 *
 * Levels follow Samba's -d: 0 errors, 1 warnings/notices, 2 info, 3+ debug.
 * Secrets (keys, passwords, tickets) must never be passed to these.
 */
#ifndef AE_LOG_H
#define AE_LOG_H

#include <stdarg.h>

void ae_log_set_level(int level);

/*
 * Also send every message at or below the level, and every error and
 * warning whatever the level, to syslog (the journal on systemd hosts)
 * under the identity "autoenroll", facility daemon; errors as LOG_ERR,
 * warnings LOG_WARNING, the rest LOG_INFO/LOG_DEBUG.
 */
void ae_log_to_syslog(int enable);
int ae_log_get_level(void);

/*
 * Whom this process works for, e.g. "user LAB\alice" (NULL or "" for the
 * machine): every syslog line then starts with "<who>: ", so a logon's
 * lines name the user among the machine's. stderr is unchanged (the
 * person at the terminal knows). Copied, capped at 255 bytes.
 */
void ae_log_set_who(const char *who);

/*
 * A line for syslog only (LOG_NOTICE, when syslog is on): what a run did
 * (issued, pending, archived), for runs nobody watches (a timer, a logon
 * through pam_autoenroll). stderr is left to the report.
 */
void ae_log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ae_log_to_syslog's switch; whom the run works for ("" for the machine). */
int ae_log_syslog_enabled(void);
const char *ae_log_get_who(void);

/* A line for syslog only at priority prio (LOG_*), when syslog is on. */
void ae_log_syslog(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "autoenroll: <message>\n" when level <= the configured level. */
void ae_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Log and clear OpenSSL's error queue at level 'level', prefixed by 'what'. */
void ae_log_openssl(int level, const char *what);

#define AE_ERROR(...) ae_log(0, __VA_ARGS__)
#define AE_WARN(...)  ae_log(1, __VA_ARGS__)
#define AE_INFO(...)  ae_log(2, __VA_ARGS__)
#define AE_DEBUG(...) ae_log(3, __VA_ARGS__)

#endif
