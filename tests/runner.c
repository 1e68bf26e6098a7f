#include <stdlib.h>

#include <gsl/gsl_errno.h>

#include "suites.h"

int main(void)
{
  gsl_set_error_handler_off();
  SRunner *sr = srunner_create(qrd_suite_spec());
  srunner_add_suite(sr, qrd_suite_config());
  srunner_add_suite(sr, qrd_suite_dist());
  srunner_add_suite(sr, qrd_suite_quant());
  srunner_add_suite(sr, qrd_suite_fmt());
  srunner_add_suite(sr, qrd_suite_mc());
  srunner_add_suite(sr, qrd_suite_block());
  srunner_add_suite(sr, qrd_suite_results());
  srunner_add_suite(sr, qrd_suite_fig3());
  srunner_add_suite(sr, qrd_suite_fig56());
  srunner_add_suite(sr, qrd_suite_fig7());
  srunner_add_suite(sr, qrd_suite_fig9());
  srunner_add_suite(sr, qrd_suite_fig1011());
  srunner_add_suite(sr, qrd_suite_fig1213());
  srunner_add_suite(sr, qrd_suite_fig14());
  srunner_add_suite(sr, qrd_suite_fig1619());
  srunner_add_suite(sr, qrd_suite_fig2326());
  srunner_add_suite(sr, qrd_suite_cov());
  srunner_add_suite(sr, qrd_suite_limits());
  srunner_add_suite(sr, qrd_suite_matq());
  srunner_add_suite(sr, qrd_suite_matq_cli());
  srunner_add_suite(sr, qrd_suite_law());
  srunner_add_suite(sr, qrd_suite_codes());
  srunner_add_suite(sr, qrd_suite_cli());
  srunner_add_suite(sr, qrd_suite_alloc());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
