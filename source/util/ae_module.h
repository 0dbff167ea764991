/*
 * ae_module.h: the program's modules, shared objects loaded with dlopen the
 * first time a run needs them, so that a run that does not (the no-op
 * cycle) never maps their libraries. Each module exports one table of
 * function pointers; the layer that owns the code links stubs into the
 * programs that fetch the table here (transport/ae_netmod.h: SMB and RPC;
 * transport/ae_webmod.c: HTTPS; deploy/ae_nssmod.c: NSS databases).
 */
#ifndef AE_MODULE_H
#define AE_MODULE_H

#include <stddef.h>
#include "ae_error.h"

struct ae_module {
	const char *installed;	/* its installed path (<libdir>/samba-autoenroll/x.so) */
	const char *build;	/* its path in the build tree */
	const char *symbol;	/* the table's name */
	size_t size;		/* the table's size in this build */
	/* state, zero at start: */
	const void *table;
	char why[1024];		/* why loading failed: every later call says it */
};

/*
 * m's table, loading the module on the first call: the build tree's module
 * when the program runs from the build tree (AE_BUILD_ROOT), else the
 * installed one. It must be a regular file owned by root or by us and
 * writable by nobody else; its table's first member (a size_t) must be
 * m->size. NULL with 'why' naming the file and the cause (logged once)
 * otherwise, and the same answer every later time.
 */
const void *ae_module_table(struct ae_module *m, char *why, size_t why_len);

#endif
