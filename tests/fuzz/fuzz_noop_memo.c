/*
 * Fuzz target: the no-op memo (<GPO cache dir>/noop.memo, ae_noop_memo.h)
 * as the fast path reads it. A memo that parses must format back and parse
 * again to the same fields (what the cycle writes, it can read).
 */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <talloc.h>
#include "ae_noop_memo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_noop_memo *m = NULL, *back = NULL;
	char *text = NULL;

	if (ae_noop_memo_parse(mem, data, size, &m) == AE_OK) {
		if (m->num_watch > AE_NOOP_WATCH_MAX || m->num_items > AE_NOOP_ITEMS_MAX ||
		    m->num_tpls > AE_NOOP_TPL_MAX || (!m->tpls_listed && m->num_tpls > 0) ||
		    ae_noop_memo_format(mem, m, &text) != AE_OK ||
		    ae_noop_memo_parse(mem, (const uint8_t *)text, strlen(text), &back) != AE_OK ||
		    back->usn != m->usn || back->due != m->due || back->num_items != m->num_items ||
		    strcmp(back->dc, m->dc) != 0 || memcmp(back->store, m->store, 32) != 0 ||
		    back->tpls_listed != m->tpls_listed || back->num_tpls != m->num_tpls) {
			__builtin_trap();
		}
	}
	talloc_free(mem);
	return 0;
}
