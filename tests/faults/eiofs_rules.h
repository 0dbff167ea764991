/*
 * eiofs_rules.h: the fault rules of eiofs (tests/faults/eiofs.c, where the
 * control file's format is described).
 */
#ifndef EIOFS_RULES_H
#define EIOFS_RULES_H

/* CONTROL: the rules file, read again whenever it changes; LOG: each EIO answered */
void eio_rules_init(const char *control, const char *log);

/* 1 if OP on NAME (or NAME2, may be NULL) must fail now; the hit is logged */
int eio_fault(const char *op, const char *name, const char *name2);

/* the last component of path ("" for NULL) */
const char *eio_base(const char *path);

#endif
