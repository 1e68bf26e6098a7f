/* mat/rotate.h's block rotation (qrd eval --rotate): orthogonal (the
 * inverse gives the input back to 1e-12, norms kept per block), the same
 * seed the same rotation and another seed another one, Sylvester's fixed
 * H_n / sqrt(n) against its closed form on a unit vector; and through qrd
 * eval: Gaussian results unchanged within standard errors (a rotation of
 * iid Gaussian blocks is iid Gaussian), heavy-tailed ones changed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_run.h"
#include "core/error.h"
#include "mat/rotate.h"
#include "suites.h"

#define B 64
#define M (B * 16)

static void fill(double *x, size_t n)
{
  unsigned long long s = 99;
  for (size_t i = 0; i < n; i++) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    x[i] = (double)(s >> 11) * 0x1p-53 - 0.5;
  }
}

START_TEST(test_round_trip_and_seed)
{
  double x[M], y[M], z[M], w[B];
  fill(x, M);
  qrd_rotation *r, *r2, *r3;
  ck_assert_int_eq(qrd_rotation_alloc(QRD_ROTATE_HADAMARD, B, 7, NULL, &r), QRD_OK);
  ck_assert_int_eq(qrd_rotation_alloc(QRD_ROTATE_HADAMARD, B, 7, NULL, &r2), QRD_OK);
  ck_assert_int_eq(qrd_rotation_alloc(QRD_ROTATE_HADAMARD, B, 8, NULL, &r3), QRD_OK);
  memcpy(y, x, sizeof x);
  ck_assert_int_eq(qrd_rotation_blocks(r, y, M, 0, w), QRD_OK);
  for (size_t b = 0; b < M; b += B) {
    double nx = 0.0, ny = 0.0;
    for (size_t j = 0; j < B; j++) {
      nx += x[b + j] * x[b + j];
      ny += y[b + j] * y[b + j];
    }
    ck_assert_double_eq_tol(nx, ny, 1e-12 * nx);
  }
  memcpy(z, x, sizeof x);
  ck_assert_int_eq(qrd_rotation_blocks(r2, z, M, 0, w), QRD_OK);
  ck_assert_int_eq(memcmp(y, z, sizeof y), 0); /* same seed, same rotation */
  memcpy(z, x, sizeof x);
  ck_assert_int_eq(qrd_rotation_blocks(r3, z, M, 0, w), QRD_OK);
  ck_assert_int_ne(memcmp(y, z, sizeof y), 0);
  ck_assert_int_eq(qrd_rotation_blocks(r, y, M, 1, w), QRD_OK);
  for (size_t i = 0; i < M; i++)
    ck_assert_double_eq_tol(y[i], x[i], 1e-12);
  ck_assert_int_eq(qrd_rotation_blocks(r, y, M - 1, 0, w), QRD_EINVAL);
  qrd_rotation_free(r);
  qrd_rotation_free(r2);
  qrd_rotation_free(r3);
}
END_TEST

/* e_0 H_n / sqrt(n): every entry 1 / sqrt(n). */
START_TEST(test_sylvester_closed_form)
{
  double x[B] = {1.0}, w[B];
  qrd_rotation *r;
  ck_assert_int_eq(qrd_rotation_alloc(QRD_ROTATE_SYLVESTER, B, 0, NULL, &r), QRD_OK);
  ck_assert_int_eq(qrd_rotation_blocks(r, x, B, 0, w), QRD_OK);
  for (size_t j = 0; j < B; j++)
    ck_assert_double_eq_tol(x[j], 1.0 / sqrt((double)B), 1e-15);
  qrd_rotation_free(r);
}
END_TEST

static double field(const char *out, int col)
{
  const char *line = strchr(out, '\n') + 1;
  for (int k = 0; k < col; k++)
    line = strchr(line, '\t') + 1;
  return strtod(line, NULL);
}

/* Columns of qrd eval's format path: rel_rmse 9, rel_rmse_se 10. */
static void eval_pair(const char *dist, double *a, double *sa, double *b, double *sb)
{
  char *plain = qrd_test_expect_ok(
      dist[0] == 'g' ? "eval --dist gaussian --format int --bits 4 --scaling absmax:64"
                     : "eval --dist student-t:nu=3 --format int --bits 4 --scaling absmax:64");
  char *rot = qrd_test_expect_ok(
      dist[0] == 'g' ? "eval --dist gaussian --format int --bits 4 --scaling absmax:64 "
                       "--rotate hadamard:64 --seed 3"
                     : "eval --dist student-t:nu=3 --format int --bits 4 --scaling absmax:64 "
                       "--rotate hadamard:64 --seed 3");
  *a = field(plain, 9);
  *sa = field(plain, 10);
  *b = field(rot, 9);
  *sb = field(rot, 10);
  free(plain);
  free(rot);
}

START_TEST(test_eval_rotation_effects)
{
  double a, sa, b, sb;
  eval_pair("gaussian", &a, &sa, &b, &sb);
  ck_assert_msg(fabs(a - b) <= 3.0 * sqrt(sa * sa + sb * sb), "Gaussian: %.5f vs rotated %.5f",
                a, b);
  eval_pair("t3", &a, &sa, &b, &sb);
  ck_assert_msg(b < a - 10.0 * sqrt(sa * sa + sb * sb), "t3: %.5f vs rotated %.5f", a, b);
}
END_TEST

Suite *qrd_suite_rotate_blocks(void)
{
  Suite *s = suite_create("rotate_blocks");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_round_trip_and_seed);
  tcase_add_test(tc, test_sylvester_closed_form);
  tcase_add_test(tc, test_eval_rotation_effects);
  suite_add_tcase(s, tc);
  return s;
}
