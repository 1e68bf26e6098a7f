/* fig-10 (Orr et al. F-S9, R vs block size) and fig-11 (F-S10, element
 * formats vs block size, absmax vs signmax): what the figures must show,
 * on a reduced sample (2^20 per source; both drivers run once, ~3 s, in a
 * sandbox shared by the tests), plus thread-count independence and a bad
 * config.  The qualitative claims are Orr et al.'s; the bounds are
 * chosen from what the paper states and where the level-count rounding
 * of the fixed-total sweeps makes neighbouring B tie. */
#include <math.h>
#include <stdio.h>

#include "fig_run.h"
#include "suites.h"


#define N_SRC 3
#define N10 10 /* B = 8 .. 4096 */
#define N11 9  /* B = 8 .. 2048 */

static const char *const SRC[N_SRC] = {"normal", "laplace", "t-nu-5"};
static const char *const ELEM[] = {"crd", "nf4", "sf4", "int4", "e2m1", "e3m0"};
#define N_ELEM 6

/* The configs with `samples` values per source. */
#define DISTS "dists = gaussian:scale=1 laplace:scale=1 student-t:nu=5,scale=1\n"
#define CONFIG10(samples) \
  "seed = 1\nsamples = " samples "\n" DISTS \
  "blocks = 8 16 32 64 128 256 512 1024 2048 4096\ntotal_bits = 4 8\nscales = bf16 e8m0\n"
#define CONFIG11(samples) \
  "seed = 1\nsamples = " samples "\n" DISTS \
  "blocks = 8 16 32 64 128 256 512 1024 2048\nscale = bf16\n"

static qrd_test_fig fig10, fig11;

static void sandbox_open(void)
{
  qrd_test_fig_open(&fig10, "fig-10");
  qrd_test_fig_make(&fig10, "--threads 2", CONFIG10("1048576"));
  qrd_test_fig_open(&fig11, "fig-11");
  qrd_test_fig_make(&fig11, "--threads 2", CONFIG11("1048576"));
}

static void sandbox_close(void)
{
  qrd_test_fig_close(&fig10);
  qrd_test_fig_close(&fig11);
}

static size_t argmin(const double *y, size_t n)
{
  size_t k = 0;
  for (size_t i = 1; i < n; i++)
    if (y[i] < y[k])
      k = i;
  return k;
}

/* ---- fig-10 ---- */

/* fig-10's R curve of source s, scale c at target b; B into x if given. */
static void r_curve(int s, const char *scale, int b, double *y, double *x)
{
  char panel[16], curve[48];
  snprintf(panel, sizeof panel, "bits-%d", b);
  snprintf(curve, sizeof curve, "%s-%s", SRC[s], scale);
  qrd_test_fig_curve(&fig10, panel, curve, "y", y, N10);
  if (x)
    qrd_test_fig_curve(&fig10, panel, curve, "x", x, N10);
}

/* asserts |achieved b - b| <= 0.125 for element bits b - scale/B. */
START_TEST(test_achieved_bits)
{
  static const char *const scales[] = {"bf16", "e8m0"};
  for (int b = 4; b <= 8; b += 4)
    for (int s = 0; s < N_SRC; s++)
      for (int c = 0; c < 2; c++) {
        char panel[32], curve[48];
        double bits[N10];
        snprintf(panel, sizeof panel, "bits-%d-achieved", b);
        snprintf(curve, sizeof curve, "%s-%s", SRC[s], scales[c]);
        qrd_test_fig_curve(&fig10, panel, curve, "y", bits, N10);
        for (size_t i = 0; i < N10; i++)
          ck_assert_msg(fabs(bits[i] - b) <= 0.125, "%s/%s: %g bits", panel, curve, bits[i]);
      }
}
END_TEST

/* bf16 scales, b = 4: "the optimum is around B = 128 (Normal nearly flat
 * to a few hundred)".  Asserted: Laplace and t5 have their least R at
 * B = 64, 128 or 256; Normal anywhere in 64 .. 512, and R(128) within 0.5%
 * of its least R (B = 128 and 512 both get 15-16 levels at 4.03 b, 256
 * only 15 at 3.97 b, so 128 and 512 tie to 0.1% at 2^24). */
START_TEST(test_bf16_optimum_b4)
{
  for (int s = 0; s < N_SRC; s++) {
    double y[N10], x[N10];
    r_curve(s, "bf16", 4, y, x);
    double best = x[argmin(y, N10)];
    double hi = s == 0 ? 512 : 256;
    ck_assert_msg(best >= 64 && best <= hi, "%s: least R at B = %g", SRC[s], best);
    ck_assert_msg(y[4] <= 1.005 * y[argmin(y, N10)], "%s: R(128) = %g vs least %g", SRC[s],
                  y[4], y[argmin(y, N10)]);
  }
}
END_TEST

/* bf16 scales, b = 8: "128-256".  The Normal curve is flat to 0.2% from
 * 128 to 512, so asserted: the better of B = 128 and 256 is within 0.5%
 * of the least R, which lies in 64 .. 512. */
START_TEST(test_bf16_optimum_b8)
{
  for (int s = 0; s < N_SRC; s++) {
    double y[N10], x[N10];
    r_curve(s, "bf16", 8, y, x);
    size_t k = argmin(y, N10);
    ck_assert_msg(x[k] >= 64 && x[k] <= 512, "%s: least R at B = %g", SRC[s], x[k]);
    ck_assert_msg(fmin(y[4], y[5]) <= 1.005 * y[k], "%s: R(128), R(256) = %g, %g vs %g",
                  SRC[s], y[4], y[5], y[k]);
  }
}
END_TEST

/* U-shaped: small blocks pay for their scales, large ones for the wider
 * block maximum; at both ends R is clearly above its least value. */
START_TEST(test_u_shape)
{
  static const char *const scales[] = {"bf16", "e8m0"};
  for (int b = 4; b <= 8; b += 4)
    for (int s = 0; s < N_SRC; s++)
      for (int c = 0; c < 2; c++) {
        double y[N10];
        r_curve(s, scales[c], b, y, NULL);
        double m = y[argmin(y, N10)];
        ck_assert_msg(y[0] > 1.25 * m && y[N10 - 1] > 1.03 * m, "b=%d %s-%s: %g .. %g .. %g", b,
                      SRC[s], scales[c], y[0], m, y[N10 - 1]);
      }
}
END_TEST

/* E8M0 (power-of-two scales, round up): the optimum moves with the
 * source, to larger B for Normal than for t5, at both targets. */
START_TEST(test_e8m0_optimum_moves)
{
  for (int b = 4; b <= 8; b += 4) {
    double yn[N10], yt[N10], x[N10];
    r_curve(0, "e8m0", b, yn, x);
    r_curve(2, "e8m0", b, yt, NULL);
    ck_assert_msg(x[argmin(yn, N10)] > x[argmin(yt, N10)], "b=%d: Normal at B = %g, t5 at %g",
                  b, x[argmin(yn, N10)], x[argmin(yt, N10)]);
  }
}
END_TEST

/* ---- fig-11 ---- */

/* fig-11's R 2^b of element e under scaling g ("absmax", "signmax"). */
static void eff_curve(int s, int e, const char *g, double *y)
{
  char curve[32];
  snprintf(curve, sizeof curve, "%s-%s", ELEM[e], g);
  qrd_test_fig_curve(&fig11, SRC[s], curve, "y", y, N11);
}

/* Signmax reaches INT4's -8 (a 16th level: about 10% lower R) and gives
 * the asymmetric CRD its extra level (1-4% lower), at every B. */
START_TEST(test_signmax_helps_int4_and_crd)
{
  for (int s = 0; s < N_SRC; s++) {
    double a[N11], g[N11], ca[N11], cg[N11];
    eff_curve(s, 3, "absmax", a);
    eff_curve(s, 3, "signmax", g);
    eff_curve(s, 0, "absmax", ca);
    eff_curve(s, 0, "signmax", cg);
    for (size_t i = 0; i < N11; i++) {
      ck_assert_msg(g[i] < 0.95 * a[i], "%s INT4 [%zu]: signmax %g, absmax %g", SRC[s], i, g[i],
                    a[i]);
      ck_assert_msg(cg[i] < ca[i], "%s CRD [%zu]: signmax %g, absmax %g", SRC[s], i, cg[i],
                    ca[i]);
    }
  }
}
END_TEST

/* A no-op for symmetric-range formats: E2M1 and E3M0 are symmetric sets
 * with symmetric ties, so flipping a block changes nothing at all; NF4 and
 * SF4 (+-1 ends, asymmetric interiors) move by Monte Carlo noise only. */
START_TEST(test_signmax_noop_symmetric)
{
  for (int s = 0; s < N_SRC; s++)
    for (int e = 1; e < N_ELEM; e++) {
      if (e == 3)
        continue; /* INT4 */
      double a[N11], g[N11];
      eff_curve(s, e, "absmax", a);
      eff_curve(s, e, "signmax", g);
      double tol = e >= 4 ? 1e-12 : 5e-3;
      for (size_t i = 0; i < N11; i++)
        ck_assert_msg(fabs(g[i] - a[i]) <= tol * a[i], "%s %s [%zu]: %g vs %g", SRC[s], ELEM[e],
                      i, g[i], a[i]);
    }
}
END_TEST

/* The block CRD is best or tied (0.5%) among the absmax formats at every
 * B; E3M0 is the worst of them at every B for Normal and up to B = 128
 * for the heavy tails, where INT4 overtakes it from B = 256 (t5) or 512
 * (Laplace) on (next test). */
START_TEST(test_crd_best_e3m0_worst)
{
  for (int s = 0; s < N_SRC; s++) {
    double y[N_ELEM][N11];
    for (int e = 0; e < N_ELEM; e++)
      eff_curve(s, e, "absmax", y[e]);
    for (size_t i = 0; i < N11; i++)
      for (int e = 1; e < N_ELEM; e++) {
        ck_assert_msg(y[0][i] <= 1.005 * y[e][i], "%s [%zu]: CRD %g, %s %g", SRC[s], i, y[0][i],
                      ELEM[e], y[e][i]);
        if (s == 0 || i <= 4) /* B <= 128 */
          ck_assert_msg(e == 5 || y[5][i] > y[e][i], "%s [%zu]: E3M0 %g, %s %g", SRC[s], i,
                        y[5][i], ELEM[e], y[e][i]);
      }
  }
}
END_TEST

/* INT4 degrades fastest with B for heavy tails: its rise from its best B
 * to B = 2048 is the largest of the absmax formats for Laplace and t5. */
START_TEST(test_int4_degrades_fastest)
{
  for (int s = 1; s < N_SRC; s++) {
    double rise[N_ELEM];
    for (int e = 0; e < N_ELEM; e++) {
      double y[N11];
      eff_curve(s, e, "absmax", y);
      rise[e] = y[N11 - 1] / y[argmin(y, N11)];
    }
    for (int e = 0; e < N_ELEM; e++)
      ck_assert_msg(e == 3 || rise[3] > rise[e], "%s: INT4 rise %g, %s %g", SRC[s], rise[3],
                    ELEM[e], rise[e]);
  }
}
END_TEST

/* The F-S2 legend (Orr et al.): 4-bit block CRD, absmax B = 64 with
 * bf16 scales, R = 0.089 (Normal), 0.101 (Laplace).  Absmax R does not
 * depend on the source scale (up to the scales' bf16 rounding). */
START_TEST(test_crd_b64_legend)
{
  static const double legend[2] = {0.089, 0.101};
  for (int s = 0; s < 2; s++) {
    double y[N11];
    eff_curve(s, 0, "absmax", y);
    double r = y[3] / exp2(4.25); /* B = 64: 4 + 16/64 bits */
    ck_assert_msg(fabs(r - legend[s]) < 0.0015, "%s: R = %g, paper %g", SRC[s], r, legend[s]);
  }
}
END_TEST

Suite *qrd_suite_fig1011(void)
{
  Suite *s = suite_create("fig-10-11");
  TCase *tc = tcase_create("block-size");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_unchecked_fixture(tc, sandbox_open, sandbox_close);
  tcase_add_test(tc, test_achieved_bits);
  tcase_add_test(tc, test_bf16_optimum_b4);
  tcase_add_test(tc, test_bf16_optimum_b8);
  tcase_add_test(tc, test_u_shape);
  tcase_add_test(tc, test_e8m0_optimum_moves);
  tcase_add_test(tc, test_signmax_helps_int4_and_crd);
  tcase_add_test(tc, test_signmax_noop_symmetric);
  tcase_add_test(tc, test_crd_best_e3m0_worst);
  tcase_add_test(tc, test_int4_degrades_fastest);
  tcase_add_test(tc, test_crd_b64_legend);
  /* samples that are not a whole number of every block size */
  qrd_test_fig_add_checks(tc, &fig10, CONFIG10("1000000"), "samples");
  qrd_test_fig_add_checks(tc, &fig11, CONFIG11("1000000"), "samples");
  suite_add_tcase(s, tc);
  return s;
}
