/* What every test program shares.  Each suite is a function
 *   Suite *qrd_suite_NAME(void)
 * defined at the start of a line in a file under tests/<module>/; the
 * Makefile finds them and generates the list runner.c runs, so adding a
 * suite is adding its file. */
#ifndef QRD_TEST_SUITES_H
#define QRD_TEST_SUITES_H

#include <check.h>

/* Per-test timeout for numeric suites (Check's default of 4 s is too short). */
#define QRD_TEST_TIMEOUT 120

#endif
