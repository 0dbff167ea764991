/*
 * ae_error.h: the project's own error codes.
 *
 * These are local results (parsing, I/O, crypto, configuration). They are
 * never mixed with the transport status of an RPC (NTSTATUS), the method
 * result or the CA's disposition (HRESULT): those travel in their own fields
 * (see transport/icpr.h and engine/enroll.h).
 */
#ifndef AE_ERROR_H
#define AE_ERROR_H

typedef enum ae_err {
	AE_OK = 0,
	AE_ERR_NOMEM = 1000,	/* allocation failed */
	AE_ERR_INVALID,		/* invalid argument */
	AE_ERR_PARSE,		/* malformed input */
	AE_ERR_TOO_LARGE,	/* a length above its cap */
	AE_ERR_TRAILING,	/* bytes left after a complete structure */
	AE_ERR_IO,		/* file system error (errno logged) */
	AE_ERR_CRYPTO,		/* OpenSSL failure (error queue logged) */
	AE_ERR_CONFIG,		/* smb.conf / option problem */
	AE_ERR_CREDENTIALS,	/* no usable machine or user credentials */
	AE_ERR_LDAP,		/* directory unreachable or refused */
	AE_ERR_NOT_FOUND,	/* object not found (template, CA, record) */
	AE_ERR_MISMATCH,	/* certificate does not match key or template */
	AE_ERR_UNTRUSTED,	/* certificate does not chain to the AD CA */
	AE_ERR_TRANSPORT,	/* RPC connection or call failed */
	AE_ERR_LOCKED,		/* another cycle holds the lock */
	AE_ERR_UNSUPPORTED,	/* feature not supported (yet) */
	AE_ERR_UNAVAILABLE,	/* a device the operation needs is not reachable (the TPM) */
} ae_err;

/* A short constant English description; never NULL. */
const char *ae_strerror(ae_err err);

#include <stddef.h>

/* snprintf into a caller's 'why' buffer (ignored when why is NULL or why_len 0). */
void ae_why(char *why, size_t why_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
