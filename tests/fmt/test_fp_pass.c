/* The closed-form FP pass against brute force: every value quantised by
 * qrd_element_fp's codebook (a search over its cells) under the same
 * scales, squared errors summed per batch. */
#include <math.h>
#include <stdlib.h>

#include "core/error.h"
#include "fmt/element.h"
#include "fmt/fp_pass.h"
#include "mc/sample.h"
#include "suites.h"

#define BLOCK 32
#define N (BLOCK * QRD_BLOCK_BATCHES * 4)

/* Squared error of batch k by the codebook: scale s per block (the tensor
 * RMS scale, or q(max|x| / largest value) under absmax). */
static double brute_batch(const qrd_fp_sample *fs, const qrd_element *e, int absmax,
                          const qrd_scale_format *sf, size_t k)
{
  size_t first = k * fs->n_blocks / QRD_BLOCK_BATCHES,
         last = (k + 1) * fs->n_blocks / QRD_BLOCK_BATCHES;
  double sse = 0.0;
  for (size_t b = first; b < last; b++) {
    double s = absmax ? qrd_scale_quantise(sf, fs->absmax[b] / e->hi) : fs->rms_scale;
    for (size_t i = b * fs->block; i < (b + 1) * fs->block; i++) {
      double d = fs->x[i] - (s > 0.0 ? s * qrd_element_quantise(e, fs->x[i] / s) : 0.0);
      sse += d * d;
    }
  }
  return sse;
}

/* A pass of exponents 2 .. last_e with m mantissa bits over fs, every
 * format's batch errors against the codebooks'. */
static void check_pass(const qrd_fp_sample *fs, const qrd_scale_format *sf, int absmax, int m,
                       int last_e)
{
  qrd_fp_pass p;
  qrd_fp_pass_init(&p, absmax, m);
  for (int e = 2; e <= last_e; e++)
    qrd_fp_pass_add(&p, e);
  qrd_fp_pass_run(&p, fs, sf);
  for (size_t j = 0; j < p.n_fmt; j++) {
    qrd_element *el;
    ck_assert_int_eq(qrd_element_fp(p.exponent[j], p.m, QRD_FP_NEAREST, &el), QRD_OK);
    for (size_t k = 0; k < QRD_BLOCK_BATCHES; k++) {
      double want = brute_batch(fs, el, absmax, sf, k);
      ck_assert_msg(fabs(p.sse[j][k] - want) <= 1e-12 * want + 1e-300,
                    "block %zu absmax=%d E%dM%d (of %zu formats) batch %zu: %.17g vs %.17g",
                    fs->block, absmax, p.exponent[j], p.m, p.n_fmt, k, p.sse[j][k], want);
    }
    qrd_element_free(el);
  }
}

START_TEST(test_against_codebooks)
{
  qrd_dist d;
  qrd_scale_format sf;
  ck_assert_int_eq(qrd_dist_parse("student-t:nu=5", &d), QRD_OK);
  ck_assert_int_eq(qrd_scale_parse("bf16", &sf), QRD_OK);
  double *x = qrd_sample_alloc(&d, 7, N);
  ck_assert_ptr_nonnull(x);
  qrd_fp_sample fs = {0};
  ck_assert_int_eq(qrd_fp_sample_init(&fs, x, N, BLOCK, &sf), QRD_OK);
  const int ms[] = {0, 1, 3};
  for (int absmax = 0; absmax <= 1; absmax++)
    for (size_t mi = 0; mi < 3; mi++)
      check_pass(&fs, &sf, absmax, ms[mi], 4);
  qrd_fp_sample_free(&fs);
  free(x);
}
END_TEST

/* Passes of 5 and 8 formats (two groups of four in the sums, one
 * partial) over blocks of 37 (a tail of one value after the groups of
 * four) and 300 (a chunk of 256 and one of 44), against the codebooks. */
START_TEST(test_many_formats_odd_blocks)
{
  const size_t blocks[] = {37, 300};
  qrd_dist d;
  qrd_scale_format sf;
  ck_assert_int_eq(qrd_dist_parse("laplace", &d), QRD_OK);
  ck_assert_int_eq(qrd_scale_parse("e8m0", &sf), QRD_OK);
  for (size_t bi = 0; bi < 2; bi++) {
    size_t n = blocks[bi] * QRD_BLOCK_BATCHES * 2;
    double *x = qrd_sample_alloc(&d, 11, n);
    ck_assert_ptr_nonnull(x);
    qrd_fp_sample fs = {0};
    ck_assert_int_eq(qrd_fp_sample_init(&fs, x, n, blocks[bi], &sf), QRD_OK);
    for (int absmax = 0; absmax <= 1; absmax++)
      for (int last = 6; last <= 9; last += 3)
        check_pass(&fs, &sf, absmax, 2, last);
    qrd_fp_sample_free(&fs);
    free(x);
  }
}
END_TEST

START_TEST(test_bad_blocks)
{
  double x[64] = {0};
  qrd_scale_format sf;
  qrd_fp_sample fs = {0};
  ck_assert_int_eq(qrd_scale_parse("bf16", &sf), QRD_OK);
  ck_assert_int_eq(qrd_fp_sample_init(&fs, x, 64, 2, &sf), QRD_EINVAL);
}
END_TEST

Suite *qrd_suite_fp_pass(void)
{
  Suite *s = suite_create("fp_pass");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_against_codebooks);
  tcase_add_test(tc, test_many_formats_odd_blocks);
  tcase_add_test(tc, test_bad_blocks);
  suite_add_tcase(s, tc);
  return s;
}
