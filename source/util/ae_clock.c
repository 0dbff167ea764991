#include <stdlib.h>
#include <time.h>
#include "ae_clock.h"

time_t ae_now(void)
{
	time_t real = time(NULL);
#ifdef AE_TEST_SEAMS
	const char *v = getenv("AE_TEST_NOW");
	char *end = NULL;
	long long n;

	if (v != NULL && v[0] != '\0') {
		n = strtoll(v[0] == '+' ? v + 1 : v, &end, 10);
		if (end != NULL && *end == '\0') {
			return v[0] == '+' ? real + (time_t)n : (time_t)n;
		}
	}
#endif
	return real;
}
