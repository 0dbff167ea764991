#include <stdbool.h>
#include <stdio.h>
#include <stdarg.h>
#include <syslog.h>
#include <openssl/err.h>
#include "ae_log.h"

static int g_level = 0;
static int g_syslog = 0;
static char g_who[256];

void ae_log_set_who(const char *who)
{
	snprintf(g_who, sizeof(g_who), "%s", who != NULL ? who : "");
}

void ae_log_to_syslog(int enable)
{
	if (enable && !g_syslog) {
		openlog("autoenroll", LOG_PID, LOG_DAEMON);
	} else if (!enable && g_syslog) {
		closelog();
	}
	g_syslog = enable;
}

void ae_log_set_level(int level)
{
	g_level = level;
}

int ae_log_get_level(void)
{
	return g_level;
}

/*
 * Errors and warnings always reach syslog (the journal) when it is on, at
 * any -d: a machine that runs `autoenroll run` from a timer has nobody
 * reading its stderr, and an expiring or broken certificate is a warning.
 */
#define AE_LOG_SYSLOG_MIN 1

static void syslog_line(int prio, const char *fmt, va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (g_who[0] != '\0') {
		syslog(prio, "%s: %s", g_who, msg);
	} else {
		syslog(prio, "%s", msg);
	}
}

int ae_log_syslog_enabled(void)
{
	return g_syslog;
}

const char *ae_log_get_who(void)
{
	return g_who;
}

void ae_log_syslog(int prio, const char *fmt, ...)
{
	va_list ap;

	if (g_syslog) {
		va_start(ap, fmt);
		syslog_line(prio, fmt, ap);
		va_end(ap);
	}
}

void ae_log_notice(const char *fmt, ...)
{
	va_list ap;

	if (g_syslog) {
		va_start(ap, fmt);
		syslog_line(LOG_NOTICE, fmt, ap);
		va_end(ap);
	}
}

void ae_log(int level, const char *fmt, ...)
{
	va_list ap;
	bool to_syslog = g_syslog && level <= (g_level > AE_LOG_SYSLOG_MIN ? g_level :
						AE_LOG_SYSLOG_MIN);

	if (level <= g_level) {
		fputs("autoenroll: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	if (to_syslog) {
		static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO };
		va_start(ap, fmt);
		syslog_line(level >= 0 && level < 3 ? prio[level] : LOG_DEBUG, fmt, ap);
		va_end(ap);
	}
}

void ae_log_openssl(int level, const char *what)
{
	unsigned long e;
	char buf[256];

	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		ae_log(level, "%s: %s", what, buf);
	}
}
