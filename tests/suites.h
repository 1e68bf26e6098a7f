/* One Check suite per module; runner.c runs them all and prints one summary. */
#ifndef QRD_TEST_SUITES_H
#define QRD_TEST_SUITES_H

#include <check.h>

Suite *qrd_suite_spec(void);
Suite *qrd_suite_config(void);
Suite *qrd_suite_dist(void);
Suite *qrd_suite_quant(void);
Suite *qrd_suite_results(void);
Suite *qrd_suite_fmt(void);
Suite *qrd_suite_mc(void);
Suite *qrd_suite_block(void);
Suite *qrd_suite_fig3(void);
Suite *qrd_suite_fig56(void);
Suite *qrd_suite_fig7(void);
Suite *qrd_suite_fig9(void);
Suite *qrd_suite_fig1011(void);
Suite *qrd_suite_fig1213(void);
Suite *qrd_suite_fig14(void);
Suite *qrd_suite_fig1619(void);
Suite *qrd_suite_fig2326(void);
Suite *qrd_suite_cov(void);
Suite *qrd_suite_limits(void);
Suite *qrd_suite_matq(void);
Suite *qrd_suite_matq_cli(void);
Suite *qrd_suite_law(void);
Suite *qrd_suite_codes(void);
Suite *qrd_suite_cli(void);
Suite *qrd_suite_alloc(void);

/* Per-test timeout for numeric suites (Check's default of 4 s is too short). */
#define QRD_TEST_TIMEOUT 120

#endif
