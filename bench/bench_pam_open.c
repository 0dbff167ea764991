/*
 * bench_pam_open.c: bench/logon's timer. ROUNDS logons of USER through the
 * PAM service SERVICE as a login program makes them (pam_start,
 * pam_authenticate with the password from $BENCH_PASS, pam_acct_mgmt,
 * pam_open_session, pam_close_session, pam_end); prints one line per round,
 * "OPEN_US TOTAL_US": the microseconds pam_open_session took, and the whole
 * logon. With WAIT_EXE, each round first waits (up to 120 s) until no
 * process runs that executable, so that a detached enrollment started by
 * the previous round does not share the CPU with the next measurement.
 *
 *   bench_pam_open SERVICE USER ROUNDS [WAIT_EXE]
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <security/pam_appl.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));

	if (r == NULL) {
		return PAM_BUF_ERR;
	}
	for (int i = 0; i < n; i++) {
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON) {
			r[i].resp = strdup((const char *)data);
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* whether a process runs exe (readlink of /proc/PID/exe) */
static int running(const char *exe)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int found = 0;

	if (d == NULL) {
		return 0;
	}
	while (!found && (e = readdir(d)) != NULL) {
		char p[300], t[PATH_MAX];
		ssize_t n;

		if (e->d_name[0] < '0' || e->d_name[0] > '9') {
			continue;
		}
		snprintf(p, sizeof(p), "/proc/%s/exe", e->d_name);
		n = readlink(p, t, sizeof(t) - 1);
		if (n > 0) {
			t[n] = '\0';
			found = strcmp(t, exe) == 0;
		}
	}
	closedir(d);
	return found;
}

static int one(const char *service, const char *user, const char *pass)
{
	struct pam_conv c = { conv, (void *)pass };
	pam_handle_t *pamh = NULL;
	long long t0, t1, t2;
	int rc;

	t0 = now_us();
	rc = pam_start(service, user, &c, &pamh);
	if (rc == PAM_SUCCESS) {
		rc = pam_authenticate(pamh, 0);
	}
	if (rc == PAM_SUCCESS) {
		rc = pam_acct_mgmt(pamh, 0);
	}
	if (rc != PAM_SUCCESS) {
		fprintf(stderr, "bench_pam_open: %s: %s\n", user, pam_strerror(pamh, rc));
		pam_end(pamh, rc);
		return 1;
	}
	t1 = now_us();
	rc = pam_open_session(pamh, 0);
	t2 = now_us();
	if (rc != PAM_SUCCESS) {
		fprintf(stderr, "bench_pam_open: open_session: %s\n", pam_strerror(pamh, rc));
		pam_end(pamh, rc);
		return 1;
	}
	pam_close_session(pamh, 0);
	pam_end(pamh, PAM_SUCCESS);
	printf("%lld %lld\n", t2 - t1, now_us() - t0);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const char *pass = getenv("BENCH_PASS");
	int rounds;

	if (argc < 4 || argc > 5 || pass == NULL || (rounds = atoi(argv[3])) <= 0) {
		fprintf(stderr, "usage: BENCH_PASS=... bench_pam_open SERVICE USER ROUNDS [WAIT_EXE]\n");
		return 2;
	}
	for (int i = 0; i < rounds; i++) {
		if (argc == 5) {
			for (int w = 0; w < 1200 && running(argv[4]); w++) {
				usleep(100000);
			}
		}
		if (one(argv[1], argv[2], pass) != 0) {
			return 1;
		}
	}
	return 0;
}
