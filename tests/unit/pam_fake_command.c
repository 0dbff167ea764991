/*
 * pam_fake_command.c: the command= of pam_autoenroll.so's tests. It appends
 * what it was given to <its directory>/record (one block per run: argv,
 * ids, session, parent, environment, open descriptors, directory), then
 * does what <its directory>/behave says ("exit N", "sleep S N": sleep S
 * seconds, then exit N), and finally creates <its directory>/done.<pid>.
 * The module gives it a fixed environment, so the directory is the only
 * channel the test has.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static void fds(FILE *f)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (d == NULL) {
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char p[PATH_MAX], t[PATH_MAX];
		ssize_t n;

		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d)) {
			continue;
		}
		snprintf(p, sizeof(p), "/proc/self/fd/%s", e->d_name);
		n = readlink(p, t, sizeof(t) - 1);
		t[n < 0 ? 0 : n] = '\0';
		/* the record file itself is ours, not inherited */
		if (strstr(t, "/record") == NULL) {
			fprintf(f, "fd %s %s\n", e->d_name, t);
		}
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], cwd[PATH_MAX];
	int sleep_s = 0, rc = 0;
	char *slash;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", argv[0]);
	slash = strrchr(dir, '/');
	if (slash == NULL) {
		return 99;
	}
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/record", dir);
	f = fopen(path, "a");
	if (f == NULL) {
		return 98;
	}
	fprintf(f, "BEGIN %ld\n", (long)getpid());
	for (int i = 0; i < argc; i++) {
		fprintf(f, "argv %d %s\n", i, argv[i]);
	}
	fprintf(f, "uid %ld euid %ld\n", (long)getuid(), (long)geteuid());
	fprintf(f, "ppid %ld sid %ld pgid %ld\n", (long)getppid(), (long)getsid(0), (long)getpgid(0));
	for (char **e = environ; *e != NULL; e++) {
		fprintf(f, "env %s\n", *e);
	}
	fds(f);
	fprintf(f, "cwd %s\n", getcwd(cwd, sizeof(cwd)) != NULL ? cwd : "?");
	fprintf(f, "END\n");
	fclose(f);

	snprintf(path, sizeof(path), "%s/behave", dir);
	f = fopen(path, "r");
	if (f != NULL) {
		char w[16] = "";

		if (fscanf(f, "%15s", w) == 1) {
			if (strcmp(w, "exit") == 0 && fscanf(f, "%d", &rc) != 1) {
				rc = 97;
			} else if (strcmp(w, "sleep") == 0 && fscanf(f, "%d %d", &sleep_s, &rc) != 2) {
				rc = 96;
			}
		}
		fclose(f);
	}
	if (sleep_s > 0) {
		sleep((unsigned)sleep_s);
	}
	snprintf(path, sizeof(path), "%s/done.%ld", dir, (long)getpid());
	close(open(path, O_WRONLY | O_CREAT, 0600));
	return rc;
}
