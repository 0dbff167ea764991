/*
 * ae_log_event.c: structured journal entries (ae_log_event.h). The fields
 * are built by a pure function; sending is sd_journal_sendv (libsystemd,
 * when the build has it and journald's socket is there) or syslog.
 * libsystemd is not linked: it is opened the first time an entry is sent,
 * so a run that logs no entry (the no-op cycle) does not map it and the
 * seven libraries it brings.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/uio.h>
#include <unistd.h>
#include <talloc.h>
#ifdef AE_HAVE_LIBSYSTEMD
#include <dlfcn.h>
#include <systemd/sd-journal.h>
#endif
#include "ae_log.h"
#include "ae_log_event.h"

#define AE_JOURNAL_SOCKET "/run/systemd/journal/socket"

#ifdef AE_HAVE_LIBSYSTEMD
/* the library's soname (Debian: libsystemd0), opened once on first use */
#define AE_LIBSYSTEMD "libsystemd.so.0"

typedef int (*journal_sendv_fn)(const struct iovec *iov, int n);

/* sd_journal_sendv from libsystemd, or NULL (logged once) */
static journal_sendv_fn journal_sendv(void)
{
	static journal_sendv_fn fn;
	static bool tried;
	void *h;

	if (tried) {
		return fn;
	}
	tried = true;
	h = dlopen(AE_LIBSYSTEMD, RTLD_NOW | RTLD_LOCAL);
	if (h != NULL) {
		*(void **)&fn = dlsym(h, "sd_journal_sendv");
	}
	if (fn == NULL) {
		AE_WARN("journal: %s: %s; entries go to syslog", AE_LIBSYSTEMD,
		       h == NULL ? dlerror() : "no sd_journal_sendv");
	}
	return fn;
}
#endif

static bool msgid_ok(const char *id)
{
	size_t i;

	if (id == NULL || strlen(id) != 32) {
		return false;
	}
	for (i = 0; i < 32; i++) {
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f'))) {
			return false;
		}
	}
	return true;
}

/* "NAME=value" with the value cut and its control characters made spaces. */
static char *field(TALLOC_CTX *mem, const char *name, const char *value)
{
	size_t len = strnlen(value, AE_LOG_FIELD_MAX), i;
	char *f = talloc_asprintf(mem, "%s=%.*s", name, (int)len, value);
	size_t off = strlen(name) + 1;

	for (i = 0; f != NULL && f[off + i] != '\0'; i++) {
		unsigned char c = (unsigned char)f[off + i];
		if (c < 0x20 || c == 0x7f) {
			f[off + i] = ' ';
		}
	}
	return f;
}

ae_err ae_log_event_fields(TALLOC_CTX *mem_ctx, const struct ae_log_event *ev,
			   char ***_fields, size_t *_n)
{
	const char *names[] = { "TEMPLATE", "CA", "SERIAL", "ACTION", "RESULT", "AE_WHO" };
	const char *values[6];
	char **f;
	char prio[16];
	size_t n = 0, i;

	if (ev == NULL || !msgid_ok(ev->message_id) || ev->message == NULL) {
		return AE_ERR_INVALID;
	}
	values[0] = ev->template_name;
	values[1] = ev->ca;
	values[2] = ev->serial;
	values[3] = ev->action;
	values[4] = ev->result;
	values[5] = ev->who;
	f = talloc_zero_array(mem_ctx, char *, AE_LOG_FIELDS_MAX + 1);
	if (f == NULL) {
		return AE_ERR_NOMEM;
	}
	snprintf(prio, sizeof(prio), "%d", ev->priority & 7);
	f[n++] = field(f, "MESSAGE_ID", ev->message_id);
	f[n++] = field(f, "PRIORITY", prio);
	f[n++] = field(f, "SYSLOG_IDENTIFIER", "autoenroll");
	f[n++] = field(f, "MESSAGE", ev->message);
	for (i = 0; i < 6; i++) {
		if (values[i] != NULL && values[i][0] != '\0') {
			f[n++] = field(f, names[i], values[i]);
		}
	}
	for (i = 0; i < n; i++) {
		if (f[i] == NULL) {
			talloc_free(f);
			return AE_ERR_NOMEM;
		}
	}
	*_fields = f;
	*_n = n;
	return AE_OK;
}

#ifdef AE_TEST_SEAMS
/*
 * Test seam (-Dtest_seams=true builds only): AE_TEST_JOURNAL=FILE appends
 * each entry's fields to FILE, one per line, an empty line after each
 * entry, instead of sending it: what the journal would get, in a lab
 * without journald.
 */
static bool test_journal(char **f, size_t n)
{
	const char *path = getenv("AE_TEST_JOURNAL");
	FILE *out;
	size_t i;

	if (path == NULL || path[0] != '/') {
		return false;
	}
	out = fopen(path, "ae");
	if (out != NULL) {
		for (i = 0; i < n; i++) {
			fprintf(out, "%s\n", f[i]);
		}
		fputc('\n', out);
		fclose(out);
	}
	return true;
}
#endif

/* true when the entry went to the journal */
static bool send_journal(char **f, size_t n)
{
#ifdef AE_TEST_SEAMS
	if (test_journal(f, n)) {
		return true;
	}
#endif
#ifdef AE_HAVE_LIBSYSTEMD
	struct iovec iov[AE_LOG_FIELDS_MAX];
	journal_sendv_fn sendv;
	size_t i;

	if (access(AE_JOURNAL_SOCKET, W_OK) != 0 || (sendv = journal_sendv()) == NULL) {
		return false;
	}
	for (i = 0; i < n; i++) {
		iov[i].iov_base = f[i];
		iov[i].iov_len = strlen(f[i]);
	}
	return sendv(iov, (int)n) >= 0;
#else
	(void)f;
	(void)n;
	return false;
#endif
}

void ae_log_event(const struct ae_log_event *ev, bool syslog_fallback)
{
	struct ae_log_event e;
	char **f = NULL;
	size_t n = 0;

	if (!ae_log_syslog_enabled() || ev == NULL) {
		return;
	}
	e = *ev;
	if (e.who == NULL) {
		e.who = ae_log_get_who();
	}
	if (ae_log_event_fields(NULL, &e, &f, &n) == AE_OK && send_journal(f, n)) {
		talloc_free(f);
		return;
	}
	talloc_free(f);
	if (syslog_fallback && ev != NULL && ev->message != NULL) {
		ae_log_syslog(ev->priority, "%s", ev->message);
	}
}
