/*
 * read_file.h: a test's data file (a fuzz seed, tests/unit/data), read
 * whole with the project's reader (ae_file_read: size cap, NUL after the
 * bytes); a file that cannot be read fails the test naming its path.
 * Include after <cmocka.h> and <talloc.h>; static functions only.
 */
#ifndef READ_FILE_H
#define READ_FILE_H

#include <stdint.h>
#include <talloc.h>
#include "ae_file.h"

/* dir ends with '/'; max caps the size (ae_file_read refuses more) */
static uint8_t *read_test_file(TALLOC_CTX *mem, const char *dir, const char *name, size_t max,
			       size_t *_len)
{
	char *path = talloc_asprintf(mem, "%s%s", dir, name);
	uint8_t *data = NULL;

	assert_non_null(path);
	if (ae_file_read(mem, path, max, &data, _len) != AE_OK) {
		fail_msg("cannot read %s", path);
	}
	talloc_free(path);
	return data;
}

#endif
