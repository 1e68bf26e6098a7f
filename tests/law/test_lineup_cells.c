/* Cell probabilities of the lineup's codes (src/law/lineup_cells.h) at
 * B = 2, where the block law has a closed form: one value of a pair is
 * the maximum (atoms 1/4 at -1 and +1), the other is W1/|W2| given
 * |W1| < |W2|, a Cauchy variable cut to [-1, 1], so P(a < X <= b) =
 * (atan b - atan a)/pi on the continuous part. */
#include <math.h>

#include "core/error.h"
#include "law/lineup_cells.h"
#include "quant/codebook.h"
#include "suites.h"

static void check_code(const char *name, int zero)
{
  const qrd_lineup_code *c;
  qrd_codebook *cb;
  qrd_dist g;
  qrd_lineup_cells cells;
  ck_assert_int_eq(qrd_lineup_find(name, &c), QRD_OK);
  ck_assert_int_eq(qrd_dist_parse("gaussian", &g), QRD_OK);
  ck_assert_int_eq(qrd_lineup_cells_eval(c, &g, 2.0, &cells), QRD_OK);
  ck_assert_int_eq(qrd_lineup_design(c, &g, 2.0, &cb), QRD_OK);
  double below = -1.0, h = 0.0;
  for (int i = 0; i < QRD_LINEUP_LEVELS; i++) {
    double upto = i + 1 < QRD_LINEUP_LEVELS ? 0.5 * (cb->level[i] + cb->level[i + 1]) : 1.0;
    double p = (atan(upto) - atan(below)) / M_PI;
    p += (i == 0 ? 0.25 : 0.0) + (i + 1 == QRD_LINEUP_LEVELS ? 0.25 : 0.0);
    ck_assert_msg(fabs(cells.prob[i] - p) < 1e-9, "%s cell %d: %.12g, expected %.12g", name,
                  i, cells.prob[i], p);
    h -= p > 0.0 ? p * log2(p) : 0.0;
    below = upto;
  }
  ck_assert_msg(fabs(cells.entropy - h) < 1e-8, "%s entropy %.12g, expected %.12g", name,
                cells.entropy, h);
  ck_assert_int_eq(cells.zero, zero);
  qrd_codebook_free(cb);
}

START_TEST(test_cells_b2)
{
  check_code("nf4", 7);      /* QLoRA's table: 0 is level 7 */
  check_code("uniform", -1); /* 16 even levels on [-1, 1]: no 0 */
}
END_TEST

Suite *qrd_suite_lineup_cells(void)
{
  Suite *s = suite_create("lineup_cells");
  TCase *tc = tcase_create("lineup_cells");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_cells_b2);
  suite_add_tcase(s, tc);
  return s;
}
