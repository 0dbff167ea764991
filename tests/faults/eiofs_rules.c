/*
 * eiofs_rules.c: eiofs's fault rules (eiofs_rules.h): the control file,
 * read again whenever it changes, and the log of every EIO answered.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "eiofs_rules.h"

#define MAX_RULES 32

struct rule {
	char ops[128];
	char glob[128];
	unsigned long count;	/* 0: every matching call */
	unsigned long skip;	/* matching calls that go through first */
	unsigned long hits;
};

static const char *control_path;
static const char *log_path;
static struct rule rules[MAX_RULES];
static size_t num_rules;
static struct stat control_seen;

void eio_rules_init(const char *control, const char *log)
{
	control_path = control;
	log_path = log;
}

const char *eio_base(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return path == NULL ? "" : s ? s + 1 : path;
}

static void reload(void)
{
	struct stat st;
	char line[300];
	FILE *f;

	if (stat(control_path, &st) != 0) {
		memset(&st, 0, sizeof(st));
	}
	if (st.st_ino == control_seen.st_ino && st.st_size == control_seen.st_size &&
	    st.st_mtim.tv_sec == control_seen.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == control_seen.st_mtim.tv_nsec) {
		return;
	}
	control_seen = st;
	num_rules = 0;
	f = fopen(control_path, "re");
	while (f != NULL && num_rules < MAX_RULES && fgets(line, sizeof(line), f) != NULL) {
		struct rule *r = &rules[num_rules];
		int n;

		memset(r, 0, sizeof(*r));
		n = sscanf(line, "%127s %127s %lu %lu", r->ops, r->glob, &r->count, &r->skip);
		if (n >= 2 && r->ops[0] != '#') {
			num_rules++;
		}
	}
	if (f != NULL) {
		fclose(f);
	}
}

static int op_listed(const char *ops, const char *op)
{
	size_t n = strlen(op);
	const char *p = ops;

	while (*p != '\0') {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if ((len == n && strncmp(p, op, n) == 0) || (len == 3 && strncmp(p, "all", 3) == 0)) {
			return 1;
		}
		p += len + (comma != NULL);
	}
	return 0;
}

/* 1 if OP on NAME (or NAME2) must fail now; the hit is logged */
int eio_fault(const char *op, const char *name, const char *name2)
{
	size_t i;

	reload();
	for (i = 0; i < num_rules; i++) {
		struct rule *r = &rules[i];
		const char *hit = NULL;

		if (!op_listed(r->ops, op) || (r->count != 0 && r->hits >= r->count)) {
			continue;
		}
		if (fnmatch(r->glob, eio_base(name), 0) == 0) {
			hit = eio_base(name);
		} else if (name2 != NULL && fnmatch(r->glob, eio_base(name2), 0) == 0) {
			hit = eio_base(name2);
		}
		if (hit != NULL && r->skip > 0) {
			r->skip--;
			continue;
		}
		if (hit != NULL) {
			FILE *l = fopen(log_path, "ae");

			r->hits++;
			if (l != NULL) {
				fprintf(l, "EIO %s %s\n", op, hit);
				fclose(l);
			}
			return 1;
		}
	}
	return 0;
}
