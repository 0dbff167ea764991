/*
 * guard_page.h: a buffer that ends exactly at an inaccessible page, for
 * the tests of parsers that hand the bytes to uninstrumented libraries
 * (libresolv's ns_initparse/dn_expand): ASan does not see their reads,
 * the guard page does (SIGSEGV on the first byte past the buffer).
 */
#ifndef AE_GUARD_PAGE_H
#define AE_GUARD_PAGE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

struct guard_buf {
	uint8_t *p;	/* 'size' usable bytes; p + size is the guard page */
	size_t size;
	void *map;
	size_t map_len;
};

static inline int guard_buf_alloc(struct guard_buf *g, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t data = (size + page - 1) / page * page;

	g->map_len = data + page;
	g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (g->map == MAP_FAILED) {
		return -1;
	}
	if (mprotect((uint8_t *)g->map + data, page, PROT_NONE) != 0) {
		munmap(g->map, g->map_len);
		return -1;
	}
	g->p = (uint8_t *)g->map + data - size;
	g->size = size;
	return 0;
}

static inline void guard_buf_free(struct guard_buf *g)
{
	munmap(g->map, g->map_len);
}

#endif
