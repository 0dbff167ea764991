/*
 * test_ca.h: shared helpers of the test CA's self-test (test_ca*.c).
 */
#ifndef TEST_CA_H
#define TEST_CA_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

/* Run the group of vector tests (SIDs, SDs, DER, attributes, records). */
int ca_vector_tests(void);

/*
 * A self-relative SD with a DACL of the given ACEs. Each ACE is
 * (type, flags, mask, object_type or NULL, SID string).
 */
struct test_ace {
	uint8_t type;
	uint8_t flags;
	uint32_t mask;
	const uint8_t *object_type;
	const char *sid;
};
uint8_t *test_sd_build(TALLOC_CTX *mem_ctx, const struct test_ace *aces, size_t n,
		       size_t *_len);

/* Deterministic mutation sweep: every 1-byte flip / truncation of p. */
typedef void (*test_mutant_fn)(void *state, const uint8_t *p, size_t len);
void test_mutate(const uint8_t *p, size_t len, size_t step, test_mutant_fn fn, void *state);

#endif
