/* Runs every suite the build found (build/gen/suites.inc: one
 * QRD_SUITE(name) line per `Suite *qrd_suite_NAME(void)`) and prints one
 * summary. */
#include <stdlib.h>

#include <gsl/gsl_errno.h>

#include "suites.h"

#define QRD_SUITE(name) Suite *qrd_suite_##name(void);
#include "suites.inc"
#undef QRD_SUITE

int main(void)
{
  gsl_set_error_handler_off();
  SRunner *sr = srunner_create(NULL);
#define QRD_SUITE(name) srunner_add_suite(sr, qrd_suite_##name());
#include "suites.inc"
#undef QRD_SUITE
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
