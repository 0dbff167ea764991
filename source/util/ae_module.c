/*
 * ae_module.c: loading the program's modules (ae_module.h).
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "ae_log.h"
#include "ae_module.h"

/* true: this program runs from the build tree, and loads the build's modules */
static bool in_build_tree(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	size_t root = strlen(AE_BUILD_ROOT);

	if (n <= 0) {
		return false;
	}
	self[n] = '\0';
	return root > 1 && strncmp(self, AE_BUILD_ROOT, root) == 0 && self[root] == '/';
}

/* root's or ours, a regular file nobody else may write */
static bool file_ok(const char *path, char *why, size_t why_len)
{
	struct stat st;

	if (lstat(path, &st) != 0) {
		ae_why(why, why_len, "cannot load the module %s: %s", path, strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & 022) != 0) {
		ae_why(why, why_len, "the module %s (uid %u, mode %04o) is not a regular file of "
		       "root's that only its owner may write: refused", path,
		       (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return false;
	}
	return true;
}

static const void *load(struct ae_module *m)
{
	const char *path = in_build_tree() ? m->build : m->installed;
	const size_t *table;
	void *h;

	if (!file_ok(path, m->why, sizeof(m->why))) {
		return NULL;
	}
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		ae_why(m->why, sizeof(m->why), "cannot load the module %s: %s", path, dlerror());
		return NULL;
	}
	table = dlsym(h, m->symbol);
	if (table == NULL || *table != m->size) {
		ae_why(m->why, sizeof(m->why), "%s is not this version's module (%s)", path,
		       table == NULL ? "no table" : "another table size");
		dlclose(h);
		return NULL;
	}
	AE_DEBUG("loaded the module %s", path);
	return table;	/* never unloaded: its libraries keep state for the process */
}

const void *ae_module_table(struct ae_module *m, char *why, size_t why_len)
{
	if (m->table == NULL && m->why[0] == '\0') {
		m->table = load(m);
		if (m->table == NULL) {
			AE_ERROR("%s", m->why);
		}
	}
	if (m->table == NULL) {
		ae_why(why, why_len, "%s", m->why);
	}
	return m->table;
}
