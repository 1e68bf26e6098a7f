/* fmt/mx.h against the OCP Microscaling v1.0 specification's tables and
 * hand-worked blocks, and its Monte Carlo R against an exact integral:
 *   - every representable value of E2M1 (listed), the max and smallest
 *     subnormal of E2M3, E3M2, E4M3, E5M2, the value counts, INT8's grid;
 *   - E4M3 rounding (ties to even, saturation at 448);
 *   - the E8M0 rule on blocks worked by hand: amax 5 -> X = 2^(2 - 2) = 1
 *     and 5 -> 4 (nearest), amax 7 -> X = 1 with 7 saturating to 6, the
 *     ceil rule -> X = 2 where nothing clips;
 *   - bits: MXFP4 4.25, NVFP4 4.5 + 32 / numel;
 *   - with every block's scale forced equal (all blocks have the same
 *     amax), R of MXFP4 on data inside [-amax, amax] equals the exact
 *     rounding error of the scaled E2M1 codebook for a uniform law. */
#include <math.h>
#include <stdlib.h>

#include "core/error.h"
#include "fmt/mx.h"
#include "suites.h"

static qrd_element *element(qrd_mx_type t)
{
  qrd_element *e;
  ck_assert_int_eq(qrd_mx_element(t, &e), QRD_OK);
  return e;
}

START_TEST(test_value_sets)
{
  static const double e2m1[] = {-6, -4, -3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, 4, 6};
  qrd_element *e = element(QRD_MX_E2M1);
  ck_assert_uint_eq(e->cb->n, 15);
  for (size_t i = 0; i < 15; i++)
    ck_assert_double_eq(e->cb->level[i], e2m1[i]);
  ck_assert_double_eq(e->bits, 4.0);
  qrd_element_free(e);
  /* max, smallest positive (subnormal), count of distinct values */
  static const struct {
    qrd_mx_type t;
    double max, min_sub;
    size_t n;
  } rows[] = {{QRD_MX_E2M3, 7.5, 0.125, 63},          {QRD_MX_E3M2, 28.0, 0.0625, 63},
              {QRD_MX_E4M3, 448.0, 0x1p-9, 253},      {QRD_MX_E5M2, 57344.0, 0x1p-16, 247},
              {QRD_MX_INT8, 127.0 / 64.0, 1.0 / 64.0, 256}};
  for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
    e = element(rows[r].t);
    ck_assert_msg(e->cb->n == rows[r].n, "%s: %zu values", qrd_mx_type_name(rows[r].t),
                  e->cb->n);
    ck_assert_double_eq(e->hi, rows[r].max);
    ck_assert_double_eq(qrd_mx_max(rows[r].t), rows[r].max);
    double smallest = INFINITY;
    for (size_t i = 0; i < e->cb->n; i++) {
      if (e->cb->level[i] > 0.0)
        smallest = fmin(smallest, e->cb->level[i]);
      if (i)
        ck_assert(e->cb->level[i] > e->cb->level[i - 1]);
    }
    ck_assert_double_eq(smallest, rows[r].min_sub);
    qrd_element_free(e);
  }
  e = element(QRD_MX_INT8);
  ck_assert_double_eq(e->lo, -2.0);
  qrd_element_free(e);
}
END_TEST

START_TEST(test_e4m3_rounding)
{
  ck_assert_double_eq(qrd_mx_e4m3_round(1000.0), 448.0);
  ck_assert_double_eq(qrd_mx_e4m3_round(-1000.0), -448.0);
  ck_assert_double_eq(qrd_mx_e4m3_round(1.0625), 1.0);     /* tie: 1.0 (m = 0, even) */
  ck_assert_double_eq(qrd_mx_e4m3_round(1.1875), 1.25);    /* tie: 1.25 (m = 2, even) */
  ck_assert_double_eq(qrd_mx_e4m3_round(0x1p-10), 0.0);    /* half the smallest: to even 0 */
  ck_assert_double_eq(qrd_mx_e4m3_round(3 * 0x1p-10), 0x1p-8); /* tie 1.5 ulp: to 2 */
  ck_assert_double_eq(qrd_mx_e4m3_round(300.0), 288.0);    /* 256 + k 32: nearest 288 */
}
END_TEST

/* One block of 32 values: x[0] = amax, the rest small, so R follows from
 * the element the maximum rounds to (hand-worked). */
static double one_block_error(const char *spec, double amax, double *bits)
{
  qrd_mx_format f;
  ck_assert_int_eq(qrd_mx_format_parse(spec, &f), QRD_OK);
  double x[64] = {0};
  x[0] = amax;
  x[32] = amax; /* a second identical block: the jackknife needs two */
  qrd_block_result r;
  ck_assert_int_eq(qrd_mx_eval(&f, x, 64, &r), QRD_OK);
  *bits = r.bits;
  return r.rel_rmse * amax; /* the error of the maximum itself */
}

START_TEST(test_e8m0_rule_by_hand)
{
  double bits;
  /* amax 5: floor(log2 5) = 2, emax 2 -> X = 1; 5 -> 4 or 6 (tie: even mantissa 4) */
  ck_assert_double_eq_tol(one_block_error("mxfp4", 5.0, &bits), 1.0, 1e-12);
  ck_assert_double_eq(bits, 4.25);
  /* amax 7: X = 1, 7 saturates to 6 */
  ck_assert_double_eq_tol(one_block_error("mxfp4", 7.0, &bits), 1.0, 1e-12);
  /* ceil rule: X = 2^ceil(log2(7/6)) = 2, 7/2 = 3.5 -> 3 or 4: error 1 either way */
  ck_assert_double_eq_tol(one_block_error("mxfp4:rule=ceil", 7.0, &bits), 1.0, 1e-12);
  /* amax 12: floor rule X = 2, 6 exactly: no error; ceil: X = 2 as well */
  ck_assert_double_eq_tol(one_block_error("mxfp4", 12.0, &bits), 0.0, 1e-12);
  /* INT8: emax 0, amax 1.5 -> X = 1: 1.5 = 96/64 exact */
  ck_assert_double_eq_tol(one_block_error("mxint8", 1.5, &bits), 0.0, 1e-12);
  ck_assert_double_eq(bits, 8.25);
  /* NVFP4 on 64 values: 4.5 + 32/64; the max maps to 6 x 448, exact but
   * for the FP32 rounding of the tensor scale 1/448 (relative 2^-24) */
  ck_assert_double_eq_tol(one_block_error("nvfp4", 6.0, &bits), 0.0, 6.0 * 0x1p-23);
  ck_assert_double_eq(bits, 4.5 + 32.0 / 64.0);
}
END_TEST

/* Blocks whose first value is +8 fix X = 2^(3 - 2) = 2 in every block;
 * the other 31 values are uniform on [-8, 8], so their squared error is
 * that of E2M1 * 2 for U(-8, 8): exactly (by cells) the sum over the
 * levels' cells of (width^3 / 12) / 16, cells cut at the midpoints. */
START_TEST(test_fixed_scale_vs_exact)
{
  size_t blocks = 1 << 15, n = 32 * blocks;
  double *x = malloc(n * sizeof *x);
  ck_assert_ptr_nonnull(x);
  unsigned long long s = 12345;
  for (size_t i = 0; i < n; i++) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    x[i] = i % 32 == 0 ? 8.0 : -8.0 + 16.0 * (double)(s >> 11) * 0x1p-53;
  }
  qrd_mx_format f;
  ck_assert_int_eq(qrd_mx_format_parse("mxfp4", &f), QRD_OK);
  qrd_block_result r;
  ck_assert_int_eq(qrd_mx_eval(&f, x, n, &r), QRD_OK);
  /* exact: E x^2 over the block = (31 * 64/3 + 64) / 32; error of the max 2*4 = 8: 0 */
  qrd_element *e = element(QRD_MX_E2M1);
  double mse = 0.0;
  for (size_t i = 0; i < e->cb->n; i++) {
    double a = i ? fmax(-8.0, 2 * e->cb->edge[i]) : -8.0;
    double b = i + 1 < e->cb->n ? fmin(8.0, 2 * e->cb->edge[i + 1]) : 8.0;
    double q = 2 * e->cb->level[i];
    if (b > a) /* integral of (x - q)^2 / 16 over [a, b] */
      mse += (pow(b - q, 3) - pow(a - q, 3)) / 3.0 / 16.0;
  }
  double ex2 = (31.0 * 64.0 / 3.0 + 64.0) / 32.0, exact = sqrt(31.0 / 32.0 * mse / ex2);
  ck_assert_msg(fabs(r.rel_rmse - exact) <= 3.0 * r.rel_rmse_se, "MC %.6f +- %.6f vs exact %.6f",
                r.rel_rmse, r.rel_rmse_se, exact);
  qrd_element_free(e);
  free(x);
}
END_TEST

/* Affine INT: bits by hand (4 + (16 + 4)/128 = 4.15625); a group holding
 * the integers 0 .. 15 plus an offset is coded without error (scale 1,
 * zero point 5 for an offset -5); U(0, 1) groups of 128: the error is the
 * uniform rounding error of step s = range/15, R = s / sqrt(12 E x^2) with
 * E x^2 = 1/3 and the range ~ 127/129 (the expected spread of 128
 * uniforms), within 2 %. */
START_TEST(test_affine)
{
  double x[256];
  for (size_t i = 0; i < 256; i++)
    x[i] = (double)(i % 16) - 5.0;
  qrd_block_result r;
  ck_assert_int_eq(qrd_affine_eval(4, 128, x, 256, &r), QRD_OK);
  ck_assert_double_eq(r.bits, 4.15625);
  ck_assert_double_eq_tol(r.rel_rmse, 0.0, 1e-15);
  size_t n = 128 * 4096;
  double *u = malloc(n * sizeof *u);
  ck_assert_ptr_nonnull(u);
  unsigned long long s = 7;
  for (size_t i = 0; i < n; i++) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    u[i] = (double)(s >> 11) * 0x1p-53;
  }
  ck_assert_int_eq(qrd_affine_eval(4, 128, u, n, &r), QRD_OK);
  double step = (127.0 / 129.0) / 15.0, want = step / sqrt(12.0 / 3.0);
  ck_assert_msg(fabs(r.rel_rmse / want - 1.0) < 0.02, "R %.5f vs %.5f", r.rel_rmse, want);
  ck_assert_int_eq(qrd_affine_eval(4.5, 128, u, n, &r), QRD_EINVAL);
  free(u);
}
END_TEST

/* rule=mse tries floor's and ceil's exponents among others, block by block:
 * on the same values its R is never above either (a second method: the
 * two rules evaluated on their own). */
START_TEST(test_mse_rule_never_worse)
{
  size_t n = 32 * 4096;
  double *x = malloc(n * sizeof *x);
  ck_assert_ptr_nonnull(x);
  unsigned long long s = 3;
  for (size_t i = 0; i < n; i++) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    double u = ((double)(s >> 11) + 0.5) * 0x1p-53;
    x[i] = tan(3.14159265358979 * (u - 0.5)); /* Cauchy: blocks of every spread */
  }
  const char *rules[] = {"mxfp4", "mxfp4:rule=ceil", "mxfp4:rule=mse"};
  double r[3];
  for (size_t k = 0; k < 3; k++) {
    qrd_mx_format f;
    qrd_block_result res;
    ck_assert_int_eq(qrd_mx_format_parse(rules[k], &f), QRD_OK);
    ck_assert_int_eq(qrd_mx_eval(&f, x, n, &res), QRD_OK);
    r[k] = res.rel_rmse;
  }
  ck_assert_msg(r[2] <= r[0] && r[2] <= r[1], "mse %.6f, floor %.6f, ceil %.6f", r[2], r[0],
                r[1]);
  free(x);
}
END_TEST

/* Searched clipping keeps the plain absmax (signmax) scale among its candidates
 * (multiplier 1), so block by block it is never worse: R(clip) <= R(plain
 * absmax, evaluated by fmt/block.h's own path), same bits; and on a
 * heavy-tailed sample it gains. */
START_TEST(test_clip_never_worse)
{
  size_t n = 64 * 4096;
  double *x = malloc(n * sizeof *x);
  ck_assert_ptr_nonnull(x);
  unsigned long long s = 11;
  for (size_t i = 0; i < n; i++) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    double u = ((double)(s >> 11) + 0.5) * 0x1p-53;
    x[i] = tan(3.14159265358979 * (u - 0.5));
  }
  qrd_element *e;
  qrd_element_request req = {.bits = 4.0};
  ck_assert_int_eq(qrd_element_from_spec("int", &req, &e), QRD_OK);
  qrd_scaling sc;
  ck_assert_int_eq(qrd_scaling_parse("absmax:64", "bf16", &sc), QRD_OK);
  qrd_block_sample *bs;
  qrd_block_result plain, clip;
  ck_assert_int_eq(qrd_block_sample_alloc(x, n, &sc, e->lo, e->hi, 0.0, &bs), QRD_OK);
  ck_assert_int_eq(qrd_block_eval(bs, e->cb, e->bits, &plain), QRD_OK);
  ck_assert_int_eq(qrd_clip_eval(e, &sc, 33, x, n, &clip), QRD_OK);
  ck_assert_double_eq(clip.bits, plain.bits);
  ck_assert_msg(clip.rel_rmse <= plain.rel_rmse * (1.0 + 1e-12) &&
                    clip.rel_rmse < 0.9 * plain.rel_rmse,
                "clip %.6f vs plain %.6f", clip.rel_rmse, plain.rel_rmse);
  qrd_block_sample_free(bs);
  /* signmax too, whose scale is negative in half the blocks */
  qrd_scaling sm;
  ck_assert_int_eq(qrd_scaling_parse("signmax:64", "bf16", &sm), QRD_OK);
  ck_assert_int_eq(qrd_block_sample_alloc(x, n, &sm, e->lo, e->hi, 0.0, &bs), QRD_OK);
  ck_assert_int_eq(qrd_block_eval(bs, e->cb, e->bits, &plain), QRD_OK);
  ck_assert_int_eq(qrd_clip_eval(e, &sm, 33, x, n, &clip), QRD_OK);
  ck_assert_msg(clip.rel_rmse <= plain.rel_rmse * (1.0 + 1e-12),
                "signmax: clip %.6f vs plain %.6f", clip.rel_rmse, plain.rel_rmse);
  qrd_scaling rms;
  ck_assert_int_eq(qrd_scaling_parse("rms", "bf16", &rms), QRD_OK);
  ck_assert_int_eq(qrd_clip_eval(e, &rms, 33, x, n, &clip), QRD_EINVAL);
  qrd_block_sample_free(bs);
  qrd_element_free(e);
  free(x);
}
END_TEST

/* NF4 with double-quantised scales: bits by hand (4 + 8/64 + 32/(64 256) +
 * 32/n = 4.127 at n = 2^20); when every block has the same absmax the
 * scales' deviations are 0 and the result is exactly NF4 with FP32 absmax
 * scales (fmt/block.h's own path); on uniform blocks of varying range
 * within 0.2 % of it. */
START_TEST(test_double_quantised)
{
  size_t n = (size_t)1 << 20;
  double *x = malloc(n * sizeof *x);
  ck_assert_ptr_nonnull(x);
  unsigned long long s = 5;
  for (size_t i = 0; i < n; i++) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    x[i] = i % 64 == 0 ? 1.0 : 2.0 * (double)(s >> 11) * 0x1p-53 - 1.0;
  }
  qrd_element *e;
  qrd_element_request req = {.bits = 4.0};
  ck_assert_int_eq(qrd_element_from_spec("nf4", &req, &e), QRD_OK);
  qrd_scaling sc;
  ck_assert_int_eq(qrd_scaling_parse("absmax:64", "fp32", &sc), QRD_OK);
  qrd_block_sample *bs;
  qrd_block_result plain, dq;
  ck_assert_int_eq(qrd_block_sample_alloc(x, n, &sc, e->lo, e->hi, 0.0, &bs), QRD_OK);
  ck_assert_int_eq(qrd_block_eval(bs, e->cb, e->bits, &plain), QRD_OK);
  qrd_block_sample_free(bs);
  ck_assert_int_eq(qrd_dq_eval(e, x, n, &dq), QRD_OK);
  ck_assert_double_eq_tol(dq.bits, 4.0 + 8.0 / 64 + 32.0 / (64 * 256) + 32.0 / (double)n,
                          1e-12);
  ck_assert_double_eq_tol(dq.rel_rmse, plain.rel_rmse, 1e-12 * plain.rel_rmse);
  for (size_t i = 0; i < n; i += 64) /* ranges 0.5 .. 1.5 */
    x[i] = 0.5 + (double)((i / 64) % 97) / 96.0;
  ck_assert_int_eq(qrd_block_sample_alloc(x, n, &sc, e->lo, e->hi, 0.0, &bs), QRD_OK);
  ck_assert_int_eq(qrd_block_eval(bs, e->cb, e->bits, &plain), QRD_OK);
  qrd_block_sample_free(bs);
  ck_assert_int_eq(qrd_dq_eval(e, x, n, &dq), QRD_OK);
  ck_assert_msg(fabs(dq.rel_rmse / plain.rel_rmse - 1.0) < 2e-3, "dq %.6f vs fp32 %.6f",
                dq.rel_rmse, plain.rel_rmse);
  ck_assert_int_eq(qrd_dq_eval(e, x, n - 64, &dq), QRD_EINVAL);
  qrd_element_free(e);
  free(x);
}
END_TEST

START_TEST(test_parse)
{
  qrd_mx_format f;
  ck_assert_int_eq(qrd_mx_format_parse("int", &f), QRD_ENOTFOUND);
  ck_assert_int_eq(qrd_mx_format_parse("mxfp4:rule=round", &f), QRD_EINVAL);
  ck_assert_int_eq(qrd_mx_format_parse("mxfp4:rule=mse", &f), QRD_OK);
  ck_assert_str_eq(f.name, "mxfp4:rule=mse");
  ck_assert_int_eq(qrd_mx_format_parse("nvfp4:rule=ceil", &f), QRD_EINVAL);
  ck_assert_int_eq(qrd_mx_format_parse("mxfp8-e5m2", &f), QRD_OK);
  ck_assert_uint_eq(f.block, 32);
  double x[31] = {0};
  qrd_block_result r;
  ck_assert_int_eq(qrd_mx_eval(&f, x, 31, &r), QRD_EINVAL);
}
END_TEST

Suite *qrd_suite_mx(void)
{
  Suite *s = suite_create("mx");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_value_sets);
  tcase_add_test(tc, test_e4m3_rounding);
  tcase_add_test(tc, test_e8m0_rule_by_hand);
  tcase_add_test(tc, test_fixed_scale_vs_exact);
  tcase_add_test(tc, test_affine);
  tcase_add_test(tc, test_mse_rule_never_worse);
  tcase_add_test(tc, test_clip_never_worse);
  tcase_add_test(tc, test_double_quantised);
  tcase_add_test(tc, test_parse);
  suite_add_tcase(s, tc);
  return s;
}
