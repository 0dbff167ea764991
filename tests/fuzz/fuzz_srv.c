/*
 * Fuzz target: the DC locator's DNS SRV answer, under the call site's
 * contract (ae_srv_from_query): the resolver fills a buffer of some size
 * and reports the answer's FULL length, which may be larger than that
 * buffer (glibc truncates a TCP answer to the buffer and returns the
 * length on the wire).
 *
 * Input: 2 bytes big-endian buffer size, 2 bytes big-endian reported
 * length (0xffff: -1, no answer), then the answer as sent. The harness
 * copies the first buffer-size bytes of the answer into a buffer of
 * exactly that size that ends at a guard page, so that any read past what
 * was received is caught, inside libresolv (not instrumented) too.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include "ae_dclocate.h"
#include "guard_page.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = NULL;
	char *target = NULL;
	size_t buf_size, sent, needed = 0;
	int reported;
	struct guard_buf g;
	uint8_t *buf;

	if (size < 4) {
		return 0;
	}
	buf_size = ((size_t)data[0] << 8) | data[1];
	reported = (data[2] == 0xff && data[3] == 0xff) ? -1 : ((int)data[2] << 8) | data[3];
	data += 4;
	size -= 4;
	sent = size < buf_size ? size : buf_size;
	if (guard_buf_alloc(&g, buf_size) != 0) {
		return 0;
	}
	buf = g.p;
	memset(buf, 0, buf_size);
	memcpy(buf, data, sent);
	mem = talloc_new(NULL);
	if (ae_srv_from_query(mem, buf, buf_size, reported, &needed, &target) == AE_OK) {
		if (target == NULL || talloc_parent(target) != mem || strlen(target) == 0 ||
		    strlen(target) > AE_DNS_HOST_MAX) {
			abort();
		}
	} else if (target != NULL || (needed != 0 && (needed <= buf_size ||
						       needed > AE_DNS_ANSWER_MAX))) {
		abort();	/* outputs only on success; a re-query only when it helps */
	}
	talloc_free(mem);
	guard_buf_free(&g);
	return 0;
}
