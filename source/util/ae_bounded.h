/*
 * ae_bounded.h: one blocking library call that has no timeout of its own
 * (MIT krb5 1.20's exchange with the KDC: its sendto_kdc waits up to about
 * 30 s per request, and krb5.conf has no relation to shorten it before
 * 1.22's request_timeout), bounded in time: the call runs in a forked child,
 * its int result and a message come back through a pipe, and the child is
 * killed (SIGKILL) and reaped when the bound is over.
 *
 * The child shares nothing with the parent after fork but what the call
 * writes itself (files); it leaves with _exit, so no destructor, atexit
 * handler or stdio buffer of the parent runs twice. Only for calls made
 * before any thread of ours is started.
 */
#ifndef AE_BOUNDED_H
#define AE_BOUNDED_H

#include <stddef.h>
#include "ae_error.h"

#define AE_BOUNDED_MSG_MAX 256

/* The call: its result, and a message (NUL-terminated in msg[msg_len]). */
typedef int (*ae_bounded_fn)(void *arg, char *msg, size_t msg_len);

/*
 * Run fn(arg) within timeout_ms (> 0). AE_OK: *result and msg (capped to
 * msg_len, NUL-terminated) are the call's. AE_ERR_TRANSPORT: no result
 * within timeout_ms; the child is killed. AE_ERR_IO: no child (fork, pipe)
 * or a child that died without a result (msg says which).
 */
ae_err ae_bounded_call(ae_bounded_fn fn, void *arg, unsigned timeout_ms, int *result,
		       char *msg, size_t msg_len);

#endif
