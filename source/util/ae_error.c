#include <stdarg.h>
#include <stdio.h>
#include "ae_error.h"

void ae_why(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || why_len == 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
}

const char *ae_strerror(ae_err err)
{
	switch (err) {
	case AE_OK: return "success";
	case AE_ERR_NOMEM: return "out of memory";
	case AE_ERR_INVALID: return "invalid argument";
	case AE_ERR_PARSE: return "malformed data";
	case AE_ERR_TOO_LARGE: return "length above limit";
	case AE_ERR_TRAILING: return "trailing data after the structure";
	case AE_ERR_IO: return "file system error";
	case AE_ERR_CRYPTO: return "cryptographic operation failed";
	case AE_ERR_CONFIG: return "configuration error";
	case AE_ERR_CREDENTIALS: return "no usable credentials";
	case AE_ERR_LDAP: return "directory (LDAP) error";
	case AE_ERR_NOT_FOUND: return "not found";
	case AE_ERR_MISMATCH: return "certificate does not match";
	case AE_ERR_UNTRUSTED: return "certificate does not chain to the CA";
	case AE_ERR_TRANSPORT: return "RPC transport error";
	case AE_ERR_LOCKED: return "locked by another process";
	case AE_ERR_UNSUPPORTED: return "not supported";
	case AE_ERR_UNAVAILABLE: return "device not available";
	}
	return "unknown error";
}
