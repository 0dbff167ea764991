/*
 * ae_clock.h: the one clock. Everything that needs "now" calls ae_now();
 * pure code (decide) takes the time as an argument instead.
 *
 * Builds with -Dtest_seams=true (tests only, never a product) honour
 * AE_TEST_NOW=<seconds since the epoch> or AE_TEST_NOW=+<seconds> (an
 * offset from the real time), so integration tests can move past renew-at.
 */
#ifndef AE_CLOCK_H
#define AE_CLOCK_H

#include <time.h>

time_t ae_now(void);

#endif
