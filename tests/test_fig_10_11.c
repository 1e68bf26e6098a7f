/* fig-10 (Orr et al. F-S9, R vs block size) and fig-11 (F-S10, element
 * formats vs block size, absmax vs signmax): what the figures must show,
 * on a reduced sample (2^20 per source; both drivers run once, ~3 s, in a
 * sandbox shared by the tests), plus thread-count independence and a bad
 * config.  The qualitative claims are orr-formats §3.1's; the bounds are
 * chosen from what the paper states and where the level-count rounding
 * of the fixed-total sweeps (pitfall 1) makes neighbouring B tie. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "suites.h"

Suite *qrd_suite_fig1011(void);

#define N_SRC 3
#define MAX_PTS 16
#define N10 10 /* B = 8 .. 4096 */
#define N11 9  /* B = 8 .. 2048 */

static const char *const SRC[N_SRC] = {"normal", "laplace", "t-nu-5"};
static const char *const DISTS =
  "dists = gaussian:scale=1 laplace:scale=1 student-t:nu=5,scale=1\n";
static const char *const ELEM[] = {"crd", "nf4", "sf4", "int4", "e2m1", "e3m0"};
#define N_ELEM 6

static char sandbox[64];

static void write_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
}

/* The config of fig-N with `samples` values per source. */
static void write_config(int fig, const char *samples)
{
  char path[128], text[512];
  snprintf(path, sizeof path, "%s/fig-%d.cfg", sandbox, fig);
  if (fig == 10)
    snprintf(text, sizeof text, "seed = 1\nsamples = %s\n%sblocks = 8 16 32 64 128 256 512 "
             "1024 2048 4096\ntotal_bits = 4 8\nscales = bf16 e8m0\n", samples, DISTS);
  else
    snprintf(text, sizeof text, "seed = 1\nsamples = %s\n%sblocks = 8 16 32 64 128 256 512 "
             "1024 2048\nscale = bf16\n", samples, DISTS);
  write_file(path, text);
}

/* Runs bin/fig-N on its sandbox config into `out` (a sandbox file name);
 * returns the exit status, stderr in err. */
static int run_fig(int fig, const char *out, const char *flags, char *err, size_t len)
{
  char cmd[768], errfile[128];
  snprintf(errfile, sizeof errfile, "%s/stderr", sandbox);
  snprintf(cmd, sizeof cmd, "./bin/fig-%d --config %s/fig-%d.cfg --out %s/%s --quiet %s "
           "</dev/null >/dev/null 2>%s", fig, sandbox, fig, sandbox, out, flags, errfile);
  int st = system(cmd);
  FILE *f = fopen(errfile, "r");
  size_t got = f ? fread(err, 1, len - 1, f) : 0;
  err[got] = '\0';
  if (f)
    fclose(f);
  return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void sandbox_open(void)
{
  strcpy(sandbox, "/tmp/qrd-fig1011-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(sandbox));
  char err[1024];
  for (int fig = 10; fig <= 11; fig++) {
    char bin[32], out[32];
    snprintf(bin, sizeof bin, "./bin/fig-%d", fig);
    ck_assert_msg(access(bin, X_OK) == 0, "%s not built (run from the repository root)", bin);
    write_config(fig, "1048576");
    snprintf(out, sizeof out, "fig-%d.h5", fig);
    int st = run_fig(fig, out, "--threads 2", err, sizeof err);
    ck_assert_msg(st == 0, "fig-%d exit %d: %s", fig, st, err);
  }
}

static void sandbox_close(void)
{
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", sandbox);
  ck_assert_int_eq(system(cmd), 0);
}

/* Dataset `name` ("x", "y") of /<panel>/<curve> in fig-N's output, n values. */
static void read_curve(int fig, const char *panel, const char *curve, const char *name,
                       double *v, size_t n)
{
  char file[128], path[160];
  hsize_t dims[1];
  snprintf(file, sizeof file, "%s/fig-%d.h5", sandbox, fig);
  snprintf(path, sizeof path, "/%s/%s/%s", panel, curve, name);
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_int_ge(f, 0);
  ck_assert_msg(H5LTget_dataset_info(f, path, dims, NULL, NULL) >= 0, "no %s", path);
  ck_assert_msg(dims[0] == n, "%s: %llu values, want %zu", path, (unsigned long long)dims[0], n);
  ck_assert_int_ge(H5LTread_dataset_double(f, path, v), 0);
  H5Fclose(f);
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
  read_curve(10, panel, curve, "y", y, N10);
  if (x)
    read_curve(10, panel, curve, "x", x, N10);
}

/* §3.1 asserts |achieved b - b| <= 0.125 for element bits b - scale/B. */
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
        read_curve(10, panel, curve, "y", bits, N10);
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
  read_curve(11, SRC[s], curve, "y", y, N11);
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

/* The F-S2 legend (orr-formats §4.1): 4-bit block CRD, absmax B = 64 with
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

/* ---- both ---- */

/* One thread gives the same data as two (only root provenance differs). */
START_TEST(test_thread_independent)
{
  char err[1024], cmd[512];
  for (int fig = 10; fig <= 11; fig++) {
    char out[32];
    snprintf(out, sizeof out, "fig-%d-one.h5", fig);
    int st = run_fig(fig, out, "--threads 1", err, sizeof err);
    ck_assert_msg(st == 0, "fig-%d exit %d: %s", fig, st, err);
    snprintf(cmd, sizeof cmd, "h5diff --exclude-attribute / %s/fig-%d.h5 %s/%s >/dev/null 2>&1",
             sandbox, fig, sandbox, out);
    ck_assert_msg(system(cmd) == 0, "fig-%d: h5diff found differences", fig);
  }
}
END_TEST

/* A sample that is not a whole number of blocks: exit 2, one stderr line
 * naming the key and the file, no output. */
START_TEST(test_rejects_partial_block)
{
  char err[1024], out[160];
  for (int fig = 10; fig <= 11; fig++) {
    write_config(fig, "1000000");
    int st = run_fig(fig, "bad.h5", "", err, sizeof err);
    write_config(fig, "1048576");
    ck_assert_int_eq(st, 2);
    ck_assert_msg(strstr(err, "samples") && strstr(err, ".cfg"), "stderr '%s'", err);
    snprintf(out, sizeof out, "%s/bad.h5", sandbox);
    ck_assert_int_ne(access(out, F_OK), 0);
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
  tcase_add_test(tc, test_thread_independent);
  tcase_add_test(tc, test_rejects_partial_block);
  suite_add_tcase(s, tc);
  return s;
}
