#include <stdio.h>
#include <stdarg.h>
#include <openssl/err.h>
#include "ae_log.h"

static int g_level = 0;

void ae_log_set_level(int level)
{
	g_level = level;
}

int ae_log_get_level(void)
{
	return g_level;
}

void ae_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > g_level) {
		return;
	}
	fputs("autoenroll: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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
