/* Matrix quantisers (mat/matq.h) and rates (mat/rates.h).
 *
 * Sources of the expected values (never the library's own output):
 *   [E7]   Ordentlich & Polyanskiy's experiment E7: the equivalences (blocked
 *          vs unblocked GPTQ, GPTQ vs reversed SIC vs Babai, Sigma = I),
 *          Pi d = det Sigma, the residual identity, D = (Delta^2/12) AM(d);
 *   [S12]  closed forms: 2 pi e / 12 gap 0.2546143348 bit, the 3 x 3 and
 *          AR(1) conditional variances, AM, GM and excess tables, the
 *          two-level excess 0.399234 bit;
 *   [S5]   docs/methods-watersic.md: GPTQ/WaterSIC excess 1/2 log2(AM(d)/GM(d));
 *   [S7]   docs/methods-watersic.md: Miller-Madow (K - 1)/(2 N ln 2), H_pool >= H_col;
 *   [ref]  IST-DASLab gptq quant.py find_params/quantize: the absmax grid,
 *          worked by hand in the comments;
 *   independent second routes computed here: LAPACK determinants and
 *   Cholesky factors, a Householder-QR Babai on a Haar-rotated basis,
 *   round(W/Delta) written out, dtrmm residuals. */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

#include "core/error.h"
#include "mat/matq.h"
#include "mat/rates.h"
#include "mc/sample.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define GAP_2PIE_12 0.2546143348 /* [S12] */

/* ---- helpers ---- */

static double *gaussian(size_t len, unsigned long seed)
{
  qrd_dist d;
  ck_assert_int_eq(qrd_dist_parse("gaussian", &d), QRD_OK);
  double *x = qrd_sample_alloc(&d, seed, len);
  ck_assert_ptr_nonnull(x);
  return x;
}

/* Sigma = A A^T / (2n), A n x 2n Gaussian [E7]. */
static double *random_cov(size_t n, unsigned long seed)
{
  double *A = gaussian(2 * n * n, seed), *S = malloc(n * n * sizeof *S);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)n, (int)(2 * n),
              1.0 / (2.0 * (double)n), A, (int)(2 * n), A, (int)(2 * n), 0.0, S, (int)n);
  for (size_t i = 0; i < n; i++) /* exactly symmetric */
    for (size_t j = 0; j < i; j++)
      S[j * n + i] = S[i * n + j];
  free(A);
  return S;
}

static double *diag_cov(size_t n, const double *lambda)
{
  double *S = calloc(n * n, sizeof *S);
  for (size_t i = 0; i < n; i++)
    S[i * n + i] = lambda[i];
  return S;
}

static double *ar1_cov(size_t n, double rho)
{
  double *S = malloc(n * n * sizeof *S);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++)
      S[i * n + j] = pow(rho, fabs((double)i - (double)j));
  return S;
}

/* P S P, P the reversal. */
static double *reversed_cov(size_t n, const double *S)
{
  double *R = malloc(n * n * sizeof *R);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++)
      R[i * n + j] = S[(n - 1 - i) * n + (n - 1 - j)];
  return R;
}

/* ln det S through LAPACK's Cholesky (an independent route to Pi d). */
static double log_det(size_t n, const double *S)
{
  double *L = malloc(n * n * sizeof *L), ld = 0.0;
  memcpy(L, S, n * n * sizeof *L);
  ck_assert_int_eq(LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (int)n, L, (int)n), 0);
  for (size_t i = 0; i < n; i++)
    ld += 2.0 * log(L[i * n + i]);
  free(L);
  return ld;
}

/* Haar orthogonal n x n (row-major): QR of a Gaussian matrix with the
 * signs of R's diagonal moved into Q. */
static double *haar(size_t n, unsigned long seed)
{
  double *Q = gaussian(n * n, seed), *tau = malloc(n * sizeof *tau);
  double *sign = malloc(n * sizeof *sign);
  ck_assert_int_eq(LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, (int)n, (int)n, Q, (int)n, tau), 0);
  for (size_t j = 0; j < n; j++)
    sign[j] = Q[j * n + j] < 0.0 ? -1.0 : 1.0;
  ck_assert_int_eq(LAPACKE_dorgqr(LAPACK_ROW_MAJOR, (int)n, (int)n, (int)n, Q, (int)n, tau), 0);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++)
      Q[i * n + j] *= sign[j];
  free(tau);
  free(sign);
  return Q;
}

static qrd_matq_result *quantise(const char *spec, size_t rows, size_t n, const double *W,
                                 const double *S, double scale)
{
  qrd_matq m;
  int st = qrd_matq_parse(spec, &m);
  ck_assert_msg(st == QRD_OK, "%s: %s", spec, qrd_error_detail());
  qrd_matq_work *w = qrd_matq_work_alloc(n, rows);
  qrd_matq_result *r = qrd_matq_result_alloc(n, rows);
  ck_assert(w && r);
  qrd_matq_problem p = {.rows = rows, .n = n, .W = W, .Sigma = S};
  st = qrd_matq_run(&m, w, &p, scale, r);
  ck_assert_msg(st == QRD_OK, "%s: %s", spec, qrd_error_detail());
  qrd_matq_work_free(w);
  return r;
}

static size_t code_mismatches(const qrd_matq_result *a, const qrd_matq_result *b, size_t len)
{
  size_t bad = 0;
  for (size_t i = 0; i < len; i++)
    bad += a->Z[i] != b->Z[i];
  return bad;
}

static double max_abs_diff(const double *a, const double *b, size_t len)
{
  double m = 0.0;
  for (size_t i = 0; i < len; i++)
    m = fmax(m, fabs(a[i] - b[i]));
  return m;
}

static double wmse(size_t rows, size_t n, const double *W, const qrd_matq_result *r,
                   const double *S)
{
  double D;
  ck_assert_int_eq(qrd_wmse(rows, n, W, r->What, S, &D), QRD_OK);
  return D;
}

static double rate_of(const qrd_matq_result *r, size_t rows, size_t n, qrd_rate_kind kind,
                      int mm)
{
  qrd_rate_opts how = {.kind = kind, .miller_madow = mm};
  qrd_rate rate;
  ck_assert_int_eq(qrd_rate_measure(&how, r->Z, rows, n, r->side_bits, &rate), QRD_OK);
  return rate.bits;
}

static double mean_of(const double *x, size_t n, int geometric)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++)
    s += geometric ? log(x[i]) : x[i];
  return geometric ? exp(s / (double)n) : s / (double)n;
}

/* ---- E7 equivalences ---- */

/* [E7] n = 300, a = 500, Delta = 0.3: blocks of 1, 8 and 128 give the
 * codes of the unblocked run (one block of 300), natural and act-order,
 * and on the absmax grid. */
START_TEST(test_gptq_blocking)
{
  static const char *const base[] = {"gptq:actorder=0", "gptq:actorder=1",
                                     "gptq:bits=4,actorder=0"};
  size_t n = 300, rows = 500, blocks[] = {1, 8, 128};
  double *S = random_cov(n, 11), *W = gaussian(rows * n, 12);
  char spec[128];
  snprintf(spec, sizeof spec, "%s,block=%zu", base[_i], n);
  double step = strstr(base[_i], "bits") ? NAN : 0.3;
  qrd_matq_result *ref = quantise(spec, rows, n, W, S, step);
  for (size_t b = 0; b < N_OF(blocks); b++) {
    snprintf(spec, sizeof spec, "%s,block=%zu", base[_i], blocks[b]);
    qrd_matq_result *r = quantise(spec, rows, n, W, S, step);
    ck_assert_msg(code_mismatches(r, ref, rows * n) == 0, "%s: %zu codes differ", spec,
                  code_mismatches(r, ref, rows * n));
    ck_assert(max_abs_diff(r->What, ref->What, rows * n) == 0.0);
    qrd_matq_result_free(r);
  }
  qrd_matq_result_free(ref);
  free(S);
  free(W);
}
END_TEST

/* [E7] GPTQ and back-to-front SIC on the reversed order: same codes and
 * reconstruction; d = 1/U_jj^2 and L'_kk^2 agree. */
START_TEST(test_gptq_vs_sic)
{
  static const char *const opts[] = {"percdamp=0.01", "percdamp=0.01,actorder=1",
                                     "percdamp=0,block=7"};
  size_t n = 300, rows = 500;
  double *S = random_cov(n, 21), *W = gaussian(rows * n, 22);
  char g[96], s[96];
  snprintf(g, sizeof g, "gptq:%s", opts[_i]);
  snprintf(s, sizeof s, "sic:%s", opts[_i]);
  qrd_matq_result *a = quantise(g, rows, n, W, S, 0.3), *b = quantise(s, rows, n, W, S, 0.3);
  ck_assert_msg(code_mismatches(a, b, rows * n) == 0, "%s: %zu codes differ", opts[_i],
                code_mismatches(a, b, rows * n));
  ck_assert(max_abs_diff(a->What, b->What, rows * n) == 0.0);
  for (size_t j = 0; j < n; j++) {
    ck_assert_msg(fabs(a->d[j] / b->d[j] - 1.0) < 1e-9, "d[%zu]: %.15g vs %.15g", j, a->d[j],
                  b->d[j]);
    ck_assert_uint_eq(a->order[j], b->order[j]);
  }
  qrd_matq_result_free(a);
  qrd_matq_result_free(b);
  free(S);
  free(W);
}
END_TEST

/* [E7] n = 32: GPTQ's codes are Babai's nearest-plane coefficients on the
 * basis rows Delta L'[i,:] (L' = chol(P Sigma P)) for the targets
 * w_rev L' -- here all rotated by a Haar Q, so that Babai's Gram-Schmidt
 * is a real QR and not a copy of the triangular SIC. */
START_TEST(test_gptq_vs_babai)
{
  size_t n = 32, rows = 500;
  double delta = 0.3, *S = random_cov(n, 31), *W = gaussian(rows * n, 32);
  double *Sr = reversed_cov(n, S), *Q = haar(n, 33);
  double *L = calloc(n * n, sizeof *L), *B = malloc(n * n * sizeof *B);
  double *Wr = malloc(rows * n * sizeof *Wr), *Y = malloc(rows * n * sizeof *Y);
  double *T = malloc(rows * n * sizeof *T);
  int32_t *z = malloc(rows * n * sizeof *z);
  memcpy(L, Sr, n * n * sizeof *L);
  ck_assert_int_eq(LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (int)n, L, (int)n), 0);
  for (size_t i = 0; i < n; i++)
    for (size_t k = i + 1; k < n; k++)
      L[i * n + k] = 0.0;
  for (size_t r = 0; r < rows; r++)
    for (size_t i = 0; i < n; i++)
      Wr[r * n + i] = W[r * n + n - 1 - i];
  /* basis B = Delta L' Q, targets T = W_rev L' Q */
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, delta, L,
              (int)n, Q, (int)n, 0.0, B, (int)n);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)n, (int)n, 1.0, Wr,
              (int)n, L, (int)n, 0.0, Y, (int)n);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)n, (int)n, 1.0, Y,
              (int)n, Q, (int)n, 0.0, T, (int)n);
  ck_assert_int_eq(qrd_babai_nearest_plane(n, B, rows, T, z), QRD_OK);

  qrd_matq_result *g = quantise("gptq:percdamp=0", rows, n, W, S, delta);
  size_t bad = 0;
  for (size_t r = 0; r < rows; r++)
    for (size_t i = 0; i < n; i++)
      bad += z[r * n + i] != g->Z[r * n + n - 1 - i];
  ck_assert_msg(bad == 0, "%zu of %zu codes differ from Babai", bad, rows * n);
  qrd_matq_result_free(g);
  free(S), free(W), free(Sr), free(Q), free(L), free(B), free(Wr), free(Y), free(T), free(z);
}
END_TEST

/* [E7] Sigma = I: WaterSIC (c = Delta, no LMMSE, no damping), GPTQ, SIC
 * and RTN all give round(W / Delta), written out here; on the absmax grid
 * GPTQ gives RTN's codes. */
START_TEST(test_identity_all_equal)
{
  static const char *const specs[] = {"rtn", "gptq", "gptq:actorder=1,block=5", "sic:percdamp=0",
                                      "watersic:lmmse=0,damp=0"};
  size_t n = 64, rows = 500;
  double delta = 0.3, *W = gaussian(rows * n, 41), *one = malloc(n * sizeof *one);
  for (size_t j = 0; j < n; j++)
    one[j] = 1.0;
  double *S = diag_cov(n, one);
  for (size_t k = 0; k < N_OF(specs); k++) {
    qrd_matq_result *r = quantise(specs[k], rows, n, W, S, delta);
    for (size_t i = 0; i < rows * n; i++) {
      double z = nearbyint(W[i] / delta);
      ck_assert_msg(r->Z[i] == (int32_t)z && r->What[i] == delta * z,
                    "%s: entry %zu: code %d, round(W/Delta) %g", specs[k], i, r->Z[i], z);
    }
    qrd_matq_result_free(r);
  }
  qrd_matq_result *a = quantise("rtn:bits=3", rows, n, W, S, NAN);
  qrd_matq_result *b = quantise("gptq:bits=3,block=16", rows, n, W, S, NAN);
  ck_assert_uint_eq(code_mismatches(a, b, rows * n), 0);
  ck_assert(max_abs_diff(a->What, b->What, rows * n) == 0.0);
  qrd_matq_result_free(a);
  qrd_matq_result_free(b);
  free(W), free(one), free(S);
}
END_TEST

/* [E7] Pi d = det Sigma to 1e-10 for every order (GPTQ natural and
 * act-order, SIC, WaterSIC), det from LAPACK's Cholesky of Sigma. */
START_TEST(test_prod_d_det)
{
  static const char *const specs[] = {"gptq:percdamp=0", "gptq:percdamp=0,actorder=1",
                                      "sic:percdamp=0", "watersic:damp=0,drop=0"};
  size_t n = 100, rows = 4;
  double *S = random_cov(n, 51), *W = gaussian(rows * n, 52), ld = log_det(n, S);
  for (size_t k = 0; k < N_OF(specs); k++) {
    qrd_matq_result *r = quantise(specs[k], rows, n, W, S, 0.3);
    double s = 0.0;
    for (size_t j = 0; j < n; j++)
      s += log(r->d[j]);
    ck_assert_msg(fabs(expm1(s - ld)) < 1e-10, "%s: Pi d / det - 1 = %g", specs[k],
                  expm1(s - ld));
    qrd_matq_result_free(r);
  }
  free(S), free(W);
}
END_TEST

/* [S3 residual identity] The SIC leaves Y = (W - What) L column by column
 * (checked against dtrmm of the error), so ||Y||^2 = tr(E Sigma E^T) (checked
 * against qrd_wmse's dsymm), with LMMSE on and a block boundary inside. */
START_TEST(test_residual_identity)
{
  size_t n = 64, rows = 200;
  double *S = random_cov(n, 61), *W = gaussian(rows * n, 62);
  double *L = malloc(n * n * sizeof *L), *Y = malloc(rows * n * sizeof *Y);
  double *Wh = malloc(rows * n * sizeof *Wh), *E = malloc(rows * n * sizeof *E);
  double *Er = malloc(rows * n * sizeof *Er), *alpha = malloc(n * sizeof *alpha);
  double *gamma = malloc(n * sizeof *gamma);
  int32_t *Z = malloc(rows * n * sizeof *Z);
  memcpy(L, S, n * n * sizeof *L); /* symmetric: row- and column-major alike */
  ck_assert_int_eq(LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (int)n, L, (int)n), 0);
  for (size_t r = 0; r < rows; r++) /* Y column-major */
    for (size_t j = 0; j < n; j++)
      Y[j * rows + r] = W[r * n + j];
  for (size_t j = 0; j < n; j++)
    alpha[j] = 0.4 / L[j + j * n];
  cblas_dtrmm(CblasColMajor, CblasRight, CblasLower, CblasNoTrans, CblasNonUnit, (int)rows,
              (int)n, 1.0, L, (int)n, Y, (int)rows);
  qrd_sic_job job = {.rows = rows, .n = n, .Y = Y, .L = L, .alpha = alpha,
                     .lmmse = QRD_LMMSE_UNCLAMPED, .block = 24, .Z = Z, .ldz = n,
                     .What = Wh, .gamma = gamma};
  ck_assert_int_eq(qrd_sic_run(&job), QRD_OK);
  for (size_t r = 0; r < rows; r++)
    for (size_t j = 0; j < n; j++) {
      E[j * rows + r] = W[r * n + j] - Wh[j * rows + r];
      Er[r * n + j] = Wh[j * rows + r];
      ck_assert(Wh[j * rows + r] == gamma[j] * alpha[j] * Z[r * n + j]);
    }
  cblas_dtrmm(CblasColMajor, CblasRight, CblasLower, CblasNoTrans, CblasNonUnit, (int)rows,
              (int)n, 1.0, L, (int)n, E, (int)rows);
  ck_assert_double_lt(max_abs_diff(E, Y, rows * n), 1e-12);
  double D, y2 = cblas_ddot((int)(rows * n), Y, 1, Y, 1);
  ck_assert_int_eq(qrd_wmse(rows, n, W, Er, S, &D), QRD_OK);
  ck_assert_double_lt(fabs(y2 / (D * (double)(rows * n)) - 1.0), 1e-10);
  free(S), free(W), free(L), free(Y), free(Wh), free(E), free(Er), free(alpha), free(gamma);
  free(Z);
}
END_TEST

/* The SIC as matq.h states it, with the rank-1 update of every column
 * made at once (cblas_dger) and the part left of each block deferred to
 * one dgemm: the reference the deferred, tiled updates of qrd_sic_run
 * must reproduce bit for bit. */
static void sic_eager(size_t rows, size_t n, size_t block, int lmmse, const double *L,
                      const double *alpha, double *Y, double *Wh, double *gamma, int32_t *Z)
{
  for (size_t c2 = n, c1; c2 > 0; c2 = c1) {
    c1 = c2 > block ? c2 - block : 0;
    for (size_t k = c2; k-- > c1;) {
      double s = alpha[k] * L[k + k * n], *y = Y + k * rows, *v = Wh + k * rows;
      for (size_t r = 0; r < rows; r++) {
        v[r] = nearbyint(y[r] / s);
        Z[r * n + k] = (int32_t)v[r];
      }
      double zz = cblas_ddot((int)rows, v, 1, v, 1), zy = cblas_ddot((int)rows, v, 1, y, 1);
      gamma[k] = lmmse == QRD_LMMSE_OFF ? 1.0 : zz > 0.0 ? zy / (s * zz) : 0.0;
      cblas_dscal((int)rows, gamma[k] * alpha[k], v, 1);
      cblas_dger(CblasColMajor, (int)rows, (int)(k - c1 + 1), -1.0, v, 1, L + k + c1 * n,
                 (int)n, Y + c1 * rows, (int)rows);
    }
    if (c1 > 0)
      cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)c1,
                  (int)(c2 - c1), -1.0, Wh + c1 * rows, (int)rows, L + c1, (int)n, 1.0, Y,
                  (int)rows);
  }
}

/* qrd_sic_run against sic_eager: codes, gains, What and the residual Y
 * identical, LMMSE on and off, with rows that fill no whole tile of the
 * deferred updates nor a whole vector (5003) and a block boundary inside. */
START_TEST(test_sic_deferred_updates)
{
  size_t n = 40, rows = 5003, len = rows * n;
  double *S = random_cov(n, 71), *W = gaussian(len, 72), *L = malloc(n * n * sizeof *L);
  double *alpha = malloc(n * sizeof *alpha);
  memcpy(L, S, n * n * sizeof *L);
  ck_assert_int_eq(LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (int)n, L, (int)n), 0);
  for (size_t j = 0; j < n; j++)
    alpha[j] = 0.3 / L[j + j * n];
  for (int lmmse = QRD_LMMSE_OFF; lmmse <= QRD_LMMSE_UNCLAMPED; lmmse++) {
    double *Y[2], *Wh[2], *gamma[2];
    int32_t *Z[2];
    for (int v = 0; v < 2; v++) {
      Y[v] = malloc(len * sizeof *Y[v]), Wh[v] = malloc(len * sizeof *Wh[v]);
      gamma[v] = malloc(n * sizeof *gamma[v]), Z[v] = malloc(len * sizeof *Z[v]);
      memcpy(Y[v], W, len * sizeof *W); /* any Y: the two must agree on it */
    }
    qrd_sic_job job = {.rows = rows, .n = n, .Y = Y[0], .L = L, .alpha = alpha,
                       .lmmse = lmmse, .block = 16, .Z = Z[0], .ldz = n,
                       .What = Wh[0], .gamma = gamma[0]};
    ck_assert_int_eq(qrd_sic_run(&job), QRD_OK);
    sic_eager(rows, n, 16, lmmse, L, alpha, Y[1], Wh[1], gamma[1], Z[1]);
    ck_assert_msg(memcmp(Z[0], Z[1], len * sizeof *Z[0]) == 0, "codes, lmmse %d", lmmse);
    ck_assert_msg(memcmp(gamma[0], gamma[1], n * sizeof *gamma[0]) == 0, "gains");
    ck_assert_msg(memcmp(Wh[0], Wh[1], len * sizeof *Wh[0]) == 0, "What");
    ck_assert_msg(memcmp(Y[0], Y[1], len * sizeof *Y[0]) == 0, "residual Y");
    for (int v = 0; v < 2; v++)
      free(Y[v]), free(Wh[v]), free(gamma[v]), free(Z[v]);
  }
  free(S), free(W), free(L), free(alpha);
}
END_TEST

/* [E7] Delta = 0.02 (high rate): GPTQ's D within 2 % of (Delta^2/12) AM(d),
 * WaterSIC's within 2 % of c^2/12. */
START_TEST(test_highrate_distortion)
{
  size_t n = 300, rows = 500;
  double *S = random_cov(n, 71), *W = gaussian(rows * n, 72), q = 0.02;
  qrd_matq_result *g = quantise("gptq:percdamp=0", rows, n, W, S, q);
  double D = wmse(rows, n, W, g, S), pred = q * q / 12.0 * mean_of(g->d, n, 0);
  ck_assert_msg(fabs(D / pred - 1.0) < 0.02, "GPTQ D %g vs %g", D, pred);
  qrd_matq_result *w = quantise("watersic:lmmse=0,damp=0", rows, n, W, S, q);
  D = wmse(rows, n, W, w, S);
  ck_assert_msg(fabs(D / (q * q / 12.0) - 1.0) < 0.02, "WaterSIC D %g vs %g", D, q * q / 12.0);
  qrd_matq_result_free(g);
  qrd_matq_result_free(w);
  free(S), free(W);
}
END_TEST

/* ---- [S12] closed forms ---- */

/* [S12] 3 x 3: GPTQ natural (= act-order) d = (96/49, 1.96, 1), excess
 * 0.0332105; reversed (0.96, 1, 4), excess 0.1716572; WaterSIC d =
 * (4, 1, 0.96). */
START_TEST(test_closed_form_3x3)
{
  static const double S[9] = {4, 2, 0.4, 2, 2, 0.2, 0.4, 0.2, 1};
  static const double W[3] = {0.1, -0.2, 0.3};
  static const struct {
    const char *spec;
    int reversed;
    double d[3], excess;
  } cases[] = {
    {"gptq:percdamp=0", 0, {96.0 / 49.0, 1.96, 1.0}, 0.0332105},
    {"gptq:percdamp=0,actorder=1", 0, {96.0 / 49.0, 1.96, 1.0}, 0.0332105},
    {"sic:percdamp=0", 0, {96.0 / 49.0, 1.96, 1.0}, 0.0332105},
    {"gptq:percdamp=0", 1, {0.96, 1.0, 4.0}, 0.1716572},
    {"watersic:damp=0,drop=0", 0, {4.0, 1.0, 0.96}, 0.0},
  };
  double *Sr = reversed_cov(3, S), gm = cbrt(3.84);
  for (size_t k = 0; k < N_OF(cases); k++) {
    qrd_matq_result *r = quantise(cases[k].spec, 1, 3, W, cases[k].reversed ? Sr : S, 0.1);
    for (size_t j = 0; j < 3; j++)
      ck_assert_msg(fabs(r->d[j] - cases[k].d[j]) < 1e-12, "%s: d[%zu] = %.15g",
                    cases[k].spec, j, r->d[j]);
    double excess = 0.5 * log2(mean_of(r->d, 3, 0) / gm);
    if (strncmp(cases[k].spec, "watersic", 8) != 0)
      ck_assert_msg(fabs(excess - cases[k].excess) < 5e-7, "%s: excess %.8f", cases[k].spec,
                    excess);
    qrd_matq_result_free(r);
  }
  free(Sr);
}
END_TEST

/* [S12] AR(1): GPTQ-order d = (1 - rho^2, ..., 1) and the AM / GM / excess
 * table; 2 x 2 [[1, r], [r, 1]] excess 0.007437, 0.224463, 0.926986. */
START_TEST(test_closed_form_ar1)
{
  static const struct {
    size_t n;
    double rho, am, gm, excess;
  } ar[] = {
    {64, 0.9, 0.202656, 0.194995, 0.027799},
    {128, 0.9, 0.196328, 0.192481, 0.014275},
    {64, 0.5, 0.753906, 0.753379, 0.000505},
    {2, 0.5, NAN, NAN, 0.007437},
    {2, 0.9, NAN, NAN, 0.224463},
    {2, 0.99, NAN, NAN, 0.926986},
  };
  for (size_t k = 0; k < N_OF(ar); k++) {
    size_t n = ar[k].n;
    double rho = ar[k].rho, *S = ar1_cov(n, rho), *W = gaussian(n, 81);
    qrd_matq_result *r = quantise("gptq:percdamp=0", 1, n, W, S, 0.1);
    for (size_t j = 0; j < n; j++)
      ck_assert_double_eq_tol(r->d[j], j + 1 < n ? 1.0 - rho * rho : 1.0, 1e-12);
    double am = mean_of(r->d, n, 0), gm = mean_of(r->d, n, 1);
    if (!isnan(ar[k].am)) {
      ck_assert_double_eq_tol(am, ar[k].am, 5e-7);
      ck_assert_double_eq_tol(gm, ar[k].gm, 5e-7);
    }
    ck_assert_double_eq_tol(0.5 * log2(am / gm), ar[k].excess, 5e-7);
    qrd_matq_result_free(r);
    free(S), free(W);
  }
}
END_TEST

/* [S12] Sigma = I, n = 64, a = 10^4 Gaussian W at a nominal 4 bits:
 * WaterSIC and GPTQ-EC sit 1/2 log2(2 pi e/12) = 0.2546 bit above the
 * Gaussian limit 2^-2R, R = per-column entropy with Miller-Madow (E1
 * accepts 0.02; the sample supports 0.01). */
START_TEST(test_gap_identity)
{
  static const char *const specs[] = {"watersic:lmmse=0", "watersic", "gptq"};
  size_t n = 64, rows = 10000;
  double *W = gaussian(rows * n, 91), *one = malloc(n * sizeof *one);
  for (size_t j = 0; j < n; j++)
    one[j] = 1.0;
  double *S = diag_cov(n, one), step = sqrt(2.0 * M_PI * M_E) * exp2(-4.0);
  for (size_t k = 0; k < N_OF(specs); k++) {
    qrd_matq_result *r = quantise(specs[k], rows, n, W, S, step);
    double R = rate_of(r, rows, n, QRD_RATE_ENTROPY_COL, 1), D = wmse(rows, n, W, r, S);
    double gap = 0.5 * log2(D / exp2(-2.0 * R));
    ck_assert_msg(fabs(R - 4.0) < 0.05, "%s: R = %g", specs[k], R);
    ck_assert_msg(fabs(gap - GAP_2PIE_12) < 0.01, "%s: gap %g", specs[k], gap);
    qrd_matq_result_free(r);
  }
  free(W), free(one), free(S);
}
END_TEST

/* [S5, S12] GPTQ's extra gap over WaterSIC is 1/2 log2(AM(d)/GM(d)) at high
 * rate: two-level Sigma (eps = 0.1, n = 64) 0.399234 bit at R = 6, AR(1)
 * rho = 0.9 0.027799 bit at R = 5; both schemes tuned to the rate. */
START_TEST(test_excess_gptq_over_watersic)
{
  static const struct {
    int two_level;
    double rate, excess;
  } cases[] = {{1, 6.0, 0.399234}, {0, 5.0, 0.027799}};
  size_t n = 64, rows = 10000;
  double lambda[64];
  for (size_t j = 0; j < n; j++)
    lambda[j] = j < n / 2 ? 0.1 : 1.0;
  double *S = cases[_i].two_level ? diag_cov(n, lambda) : ar1_cov(n, 0.9);
  double *W = gaussian(rows * n, 101), gap[2], ld = log_det(n, S);
  const char *specs[2] = {"gptq:percdamp=0", "watersic:lmmse=0,damp=0,drop=0"};
  qrd_rate_opts how = {.kind = QRD_RATE_ENTROPY_COL, .miller_madow = 1};
  qrd_matq_work *w = qrd_matq_work_alloc(n, rows);
  qrd_matq_result *r = qrd_matq_result_alloc(n, rows);
  qrd_matq_problem p = {.rows = rows, .n = n, .W = W, .Sigma = S};
  for (int k = 0; k < 2; k++) {
    qrd_matq m;
    qrd_matq_tune_info info;
    ck_assert_int_eq(qrd_matq_parse(specs[k], &m), QRD_OK);
    int st = qrd_matq_tune(&m, w, &p, &how, cases[_i].rate, r, &info);
    ck_assert_msg(st == QRD_OK, "%s: %s", specs[k], qrd_error_detail());
    ck_assert_double_eq_tol(info.rate.bits, cases[_i].rate, QRD_MATQ_TUNE_TOL);
    double D = wmse(rows, n, W, r, S);
    gap[k] = 0.5 * log2(D / (exp(ld / (double)n) * exp2(-2.0 * info.rate.bits)));
  }
  ck_assert_msg(fabs(gap[1] - GAP_2PIE_12) < 0.01, "WaterSIC gap %g", gap[1]);
  ck_assert_msg(fabs(gap[0] - gap[1] - cases[_i].excess) < 0.01, "excess %g, expected %g",
                gap[0] - gap[1], cases[_i].excess);
  qrd_matq_work_free(w);
  qrd_matq_result_free(r);
  free(S), free(W);
}
END_TEST

/* ---- WaterSIC details ---- */

/* Sigma = I at a low rate: the codes do not depend on LMMSE, gamma_j =
 * <z,w>/(c<z,z>) as written out here, clamping keeps it in [0, 1], and D
 * cannot increase, gamma minimising each column's squared error. */
START_TEST(test_lmmse_identity)
{
  size_t n = 16, rows = 2000;
  double c = 1.5, *W = gaussian(rows * n, 111), *one = malloc(n * sizeof *one);
  for (size_t j = 0; j < n; j++)
    one[j] = 1.0;
  double *S = diag_cov(n, one);
  qrd_matq_result *off = quantise("watersic:lmmse=0,damp=0", rows, n, W, S, c);
  qrd_matq_result *on = quantise("watersic:lmmse=1,damp=0", rows, n, W, S, c);
  qrd_matq_result *cl = quantise("watersic:lmmse=2,damp=0", rows, n, W, S, c);
  ck_assert_uint_eq(code_mismatches(off, on, rows * n), 0);
  for (size_t j = 0; j < n; j++) {
    double zw = 0.0, zz = 0.0;
    for (size_t r = 0; r < rows; r++) {
      zw += on->Z[r * n + j] * W[r * n + j];
      zz += (double)on->Z[r * n + j] * on->Z[r * n + j];
    }
    ck_assert_double_eq_tol(on->gamma[j], zw / (c * zz), 1e-12);
    ck_assert(on->gamma[j] < 1.0 && off->gamma[j] == 1.0);
    ck_assert(cl->gamma[j] == fmin(fmax(on->gamma[j], 0.0), 1.0));
  }
  ck_assert_double_lt(wmse(rows, n, W, on, S), wmse(rows, n, W, off, S));
  qrd_matq_result_free(off), qrd_matq_result_free(on), qrd_matq_result_free(cl);
  free(W), free(one), free(S);
}
END_TEST

/* A feature with diag(Sigma) below 1e-3 median is dropped by WaterSIC
 * (code 0, alpha 0, 16 bits of side information); a zero-variance feature
 * is GPTQ's dead column (W zeroed, code 0), and GPTQ = SIC still. */
START_TEST(test_dead_features)
{
  size_t n = 20, rows = 300;
  double *S = random_cov(n, 121), *W = gaussian(rows * n, 122);
  for (size_t j = 0; j < n; j++) { /* feature 7: tiny; feature 3: zero */
    S[7 * n + j] *= 1e-3, S[j * n + 7] *= 1e-3;
    S[3 * n + j] = S[j * n + 3] = 0.0;
  }
  qrd_matq_result *ws = quantise("watersic", rows, n, W, S, 0.2);
  ck_assert_uint_eq(ws->n_active, n - 2);
  ck_assert(ws->alpha[7] == 0.0 && ws->alpha[3] == 0.0 && ws->alpha[0] > 0.0);
  ck_assert_double_eq_tol(ws->side_bits, (16.0 * n + 32.0) / (rows * n), 1e-15);
  qrd_matq_result *g = quantise("gptq", rows, n, W, S, 0.2);
  qrd_matq_result *s = quantise("sic", rows, n, W, S, 0.2);
  ck_assert_uint_eq(code_mismatches(g, s, rows * n), 0);
  for (size_t r = 0; r < rows; r++) {
    ck_assert(ws->Z[r * n + 7] == 0 && ws->What[r * n + 7] == 0.0);
    ck_assert(g->Z[r * n + 3] == 0 && ws->Z[r * n + 3] == 0);
  }
  qrd_matq_result_free(ws), qrd_matq_result_free(g), qrd_matq_result_free(s);
  free(S), free(W);
}
END_TEST

/* [ref] The absmax grid by hand (bits = 2, maxq = 3):
 *   (-1, 0.5, 0.2) symmetric: scale 2/3, zero 2; -1.5 rounds to -2
 *     (half-to-even): values -4/3, 2/3, 0;
 *   same row asymmetric: scale 0.5, zero round(2) = 2: -1, 0.5, 0;
 *   (0.3, 0.9, 0.6) symmetric: no negative entry keeps xmin = 0, so scale
 *     0.3, zero 2 and every code clamps to 1: 0.3, 0.3, 0.3. */
START_TEST(test_absmax_grid)
{
  static const double W[6] = {-1, 0.5, 0.2, 0.3, 0.9, 0.6}, S[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  qrd_matq_result *sym = quantise("rtn:bits=2", 2, 3, W, S, NAN);
  qrd_matq_result *asym = quantise("rtn:bits=2,sym=0", 2, 3, W, S, NAN);
  static const double want_sym[6] = {-4.0 / 3, 2.0 / 3, 0, 0.3, 0.3, 0.3};
  static const int32_t z_sym[6] = {-2, 1, 0, 1, 1, 1};
  static const double want_asym[3] = {-1, 0.5, 0};
  for (size_t i = 0; i < 6; i++) {
    ck_assert_int_eq(sym->Z[i], z_sym[i]);
    ck_assert_double_eq_tol(sym->What[i], want_sym[i], 1e-15);
  }
  for (size_t i = 0; i < 3; i++)
    ck_assert_double_eq_tol(asym->What[i], want_asym[i], 1e-15);
  ck_assert_double_eq_tol(sym->row_scale[0], 2.0 / 3, 1e-15);
  ck_assert(sym->levels == 4.0 && isnan(sym->scale));
  ck_assert_double_eq_tol(sym->side_bits, 16.0 / 3, 1e-15);
  ck_assert_double_eq_tol(asym->side_bits, 32.0 / 3, 1e-15);
  qrd_matq_result_free(sym), qrd_matq_result_free(asym);
}
END_TEST

/* Tuning hits the target within QRD_MATQ_TUNE_TOL for per-column and pooled
 * entropy, and the result is the one a direct run at the step gives. */
START_TEST(test_tune)
{
  static const char *const specs[] = {"watersic", "gptq:actorder=1", "rtn"};
  static const qrd_rate_kind kinds[] = {QRD_RATE_ENTROPY_COL, QRD_RATE_ENTROPY_POOLED};
  size_t n = 48, rows = 3000;
  double *S = ar1_cov(n, 0.9), *W = gaussian(rows * n, 131);
  qrd_matq m;
  ck_assert_int_eq(qrd_matq_parse(specs[_i], &m), QRD_OK);
  qrd_matq_work *w = qrd_matq_work_alloc(n, rows);
  qrd_matq_result *r = qrd_matq_result_alloc(n, rows);
  qrd_matq_problem p = {.rows = rows, .n = n, .W = W, .Sigma = S};
  for (size_t k = 0; k < N_OF(kinds); k++) {
    qrd_rate_opts how = {.kind = kinds[k], .miller_madow = 1, .side_info = 1};
    qrd_matq_tune_info info;
    int st = qrd_matq_tune(&m, w, &p, &how, 2.5, r, &info);
    ck_assert_msg(st == QRD_OK, "%s", qrd_error_detail());
    ck_assert_double_eq_tol(info.rate.bits, 2.5, QRD_MATQ_TUNE_TOL);
    ck_assert_int_eq(info.rate.how.kind, kinds[k]);
    ck_assert(info.rate.side_bits == r->side_bits && info.evals < 20);
    qrd_matq_result *d = quantise(specs[_i], rows, n, W, S, info.scale);
    ck_assert_uint_eq(code_mismatches(r, d, rows * n), 0);
    /* What is written once, for the run kept (matq_impl.h, defer_what) */
    ck_assert(memcmp(r->What, d->What, rows * n * sizeof *r->What) == 0);
    qrd_matq_result_free(d);
  }
  qrd_matq_work_free(w);
  qrd_matq_result_free(r);
  free(S), free(W);
}
END_TEST

/* Bad input: unknown names, non-integers, out-of-range values, a step on a
 * fixed grid, a bad step, a singular Sigma without damping. */
START_TEST(test_bad_input)
{
  qrd_matq m;
  ck_assert_int_eq(qrd_matq_parse("optq", &m), QRD_ENOTFOUND);
  ck_assert_int_eq(qrd_matq_parse("gptq:block=1.5", &m), QRD_EINVAL);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "block=1.5"));
  ck_assert_int_eq(qrd_matq_parse("watersic:lmmse=3", &m), QRD_EINVAL);
  ck_assert_int_eq(qrd_matq_parse("sic:bits=4", &m), QRD_EINVAL);

  size_t n = 4, rows = 3;
  double W[12] = {0}, S[16] = {0};
  for (size_t j = 0; j < 3; j++) /* rank 1 in the first three features */
    for (size_t k = 0; k < 3; k++)
      S[j * n + k] = 1.0;
  S[15] = 1.0;
  qrd_matq_work *w = qrd_matq_work_alloc(n, rows);
  qrd_matq_result *r = qrd_matq_result_alloc(n, rows);
  qrd_matq_problem p = {.rows = rows, .n = n, .W = W, .Sigma = S};
  ck_assert_int_eq(qrd_matq_parse("gptq:bits=4", &m), QRD_OK);
  ck_assert_int_eq(qrd_matq_run(&m, w, &p, 0.1, r), QRD_EINVAL);
  ck_assert_int_eq(qrd_matq_parse("gptq", &m), QRD_OK);
  ck_assert_int_eq(qrd_matq_run(&m, w, &p, -1.0, r), QRD_EINVAL);
  ck_assert_int_eq(qrd_matq_run(&m, w, &p, 0.1, r), QRD_OK); /* damped */
  ck_assert_int_eq(qrd_matq_parse("gptq:percdamp=0", &m), QRD_OK);
  ck_assert_int_eq(qrd_matq_run(&m, w, &p, 0.1, r), QRD_EDOM);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "not positive definite"));
  p.rows = 4;
  ck_assert_int_eq(qrd_matq_run(&m, w, &p, 0.1, r), QRD_EINVAL);
  qrd_matq_work_free(w);
  qrd_matq_result_free(r);
}
END_TEST

/* ---- rates ---- */

/* Hand-worked rates of a 4 x 2 code matrix: column 0 = (0, 0, 1, 1),
 * column 1 = (5, 5, 5, 5):
 *   entropy_col = (1 + 0)/2 = 0.5; with Miller-Madow column 0 gains
 *   1/(2 * 4 ln 2) and column 1 nothing;
 *   pooled: counts {2, 2, 4} of 8: 1.5 bits >= 0.5; MM adds 2/(16 ln 2);
 *   fixed: log2(5 - 0 + 1); Huffman on {2, 2, 4}: lengths 2, 2, 1: 1.5. */
START_TEST(test_rates_hand)
{
  static const int32_t Z[8] = {0, 5, 0, 5, 1, 5, 1, 5};
  static const struct {
    qrd_rate_kind kind;
    int mm;
    double bits, symbols;
  } cases[] = {
    {QRD_RATE_ENTROPY_COL, 0, 0.5, 1.5},
    {QRD_RATE_ENTROPY_COL, 1, 0.5 + 0.5 / (8.0 * M_LN2), 1.5},
    {QRD_RATE_ENTROPY_POOLED, 0, 1.5, 3},
    {QRD_RATE_ENTROPY_POOLED, 1, 1.5 + 2.0 / (16.0 * M_LN2), 3},
    {QRD_RATE_FIXED, 0, 2.584962500721156, 6},
    {QRD_RATE_HUFFMAN, 0, 1.5, 3},
  };
  for (size_t k = 0; k < N_OF(cases); k++) {
    qrd_rate_opts how = {.kind = cases[k].kind, .miller_madow = cases[k].mm, .side_info = 1};
    qrd_rate r;
    ck_assert_int_eq(qrd_rate_measure(&how, Z, 4, 2, 0.25, &r), QRD_OK);
    ck_assert_double_eq_tol(r.bits, cases[k].bits + 0.25, 1e-14);
    ck_assert(r.symbols == cases[k].symbols && r.side_bits == 0.25 && r.how.kind == cases[k].kind);
  }
  double h[2];
  ck_assert_int_eq(qrd_rate_column_entropies(Z, 4, 2, 0, h), QRD_OK);
  ck_assert(h[0] == 1.0 && h[1] == 0.0);
  qrd_rate_opts bad = {.kind = QRD_RATE_FIXED, .miller_madow = 1};
  qrd_rate r;
  ck_assert_int_eq(qrd_rate_measure(&bad, Z, 4, 2, 0.0, &r), QRD_EINVAL);
  char label[64];
  qrd_rate_opts how = {.kind = QRD_RATE_ENTROPY_COL, .miller_madow = 1, .side_info = 1};
  qrd_rate_describe(&how, label, sizeof label);
  ck_assert_str_eq(label, "entropy_col+mm+side");
  qrd_rate_kind kind;
  ck_assert_int_eq(qrd_rate_kind_parse("entropy_pooled", &kind), QRD_OK);
  ck_assert_int_eq(kind, QRD_RATE_ENTROPY_POOLED);
  ck_assert_int_eq(qrd_rate_kind_parse("entropy", &kind), QRD_EINVAL);
}
END_TEST

/* Codes spread over 2^31 (the sorting path) have the entropy of the same
 * pattern on a narrow range (the histogram path): 8 symbols with dyadic
 * counts 1/2, 1/4, ..., 2 x 1/128 = 1.984375 bits. */
START_TEST(test_rates_wide_range)
{
  size_t N = 1024;
  int32_t *narrow = malloc(N * sizeof *narrow), *wide = malloc(N * sizeof *wide);
  for (size_t i = 0; i < N; i++) {
    int s = 0;
    while (s < 7 && (i >> (9 - s) & 1) == 0) /* i in [512, 1024): 0; [256, 512): 1 ... */
      s++;
    narrow[i] = s;
    wide[i] = s * 300000000 - 1000000000;
  }
  qrd_rate_opts how = {.kind = QRD_RATE_ENTROPY_POOLED};
  qrd_rate a, b;
  ck_assert_int_eq(qrd_rate_measure(&how, narrow, N, 1, 0.0, &a), QRD_OK);
  ck_assert_int_eq(qrd_rate_measure(&how, wide, N, 1, 0.0, &b), QRD_OK);
  ck_assert_double_eq_tol(a.bits, 1.984375, 1e-14);
  ck_assert_double_eq_tol(b.bits, 1.984375, 1e-14);
  ck_assert(a.symbols == 8 && b.symbols == 8);
  free(narrow), free(wide);
}
END_TEST

/* Column entropies by their definition (sort, count, -sum p log2 p) equal
 * the library's on both of its paths: narrow columns in one row-major
 * histogram pass, and the same columns beside one spread over 2^31 (the
 * column-by-column path, which the wide column forces for all). */
static double entropy_by_sorting(const int32_t *Z, size_t rows, size_t n, size_t j)
{
  int32_t *c = malloc(rows * sizeof *c);
  for (size_t r = 0; r < rows; r++)
    c[r] = Z[r * n + j];
  for (size_t a = 1; a < rows; a++) /* insertion sort: independent of qsort */
    for (size_t b = a; b > 0 && c[b - 1] > c[b]; b--) {
      int32_t t = c[b];
      c[b] = c[b - 1];
      c[b - 1] = t;
    }
  double h = 0.0;
  for (size_t a = 0, b; a < rows; a = b) {
    for (b = a; b < rows && c[b] == c[a]; b++)
      ;
    double p = (double)(b - a) / (double)rows;
    h -= p * log2(p);
  }
  free(c);
  return h;
}

START_TEST(test_rates_column_paths)
{
  enum { ROWS = 600, N = 4 };
  int32_t *Z = malloc(ROWS * N * sizeof *Z), *Zw = malloc(ROWS * (N + 1) * sizeof *Zw);
  unsigned long u = 12345;
  for (size_t r = 0; r < ROWS; r++)
    for (size_t j = 0; j <= N; j++) {
      u = u * 6364136223846793005UL + 1442695040888963407UL;
      int32_t v = (int32_t)(u >> 33) % (int32_t)(3 + 7 * j) - (int32_t)(5 * j); /* j = 0: {0, 1, 2} */
      if (j == 2 && r % 3)
        v = -7; /* a dominant code */
      if (j < N)
        Z[r * N + j] = v;
      Zw[r * (N + 1) + j] = j < N ? v : (r % 2 ? INT32_MAX - 3 : INT32_MIN + 5);
    }
  double h[N], hw[N + 1];
  ck_assert_int_eq(qrd_rate_column_entropies(Z, ROWS, N, 0, h), QRD_OK);
  ck_assert_int_eq(qrd_rate_column_entropies(Zw, ROWS, N + 1, 0, hw), QRD_OK);
  for (size_t j = 0; j < N; j++) {
    ck_assert_double_eq_tol(h[j], entropy_by_sorting(Z, ROWS, N, j), 1e-13);
    ck_assert(hw[j] == h[j]);
  }
  ck_assert_double_eq_tol(hw[N], 1.0, 1e-14);
  free(Z), free(Zw);
}
END_TEST

/* D for E = all ones is sum(Sigma)/n; the signal power of W = ones the
 * same. */
START_TEST(test_wmse_closed_form)
{
  size_t n = 5, rows = 300;
  double *S = random_cov(n, 141), *W = malloc(rows * n * sizeof *W), sum = 0.0, D;
  double *Wh = calloc(rows * n, sizeof *Wh);
  for (size_t i = 0; i < rows * n; i++)
    W[i] = 1.0;
  for (size_t i = 0; i < n * n; i++)
    sum += S[i];
  ck_assert_int_eq(qrd_wmse(rows, n, W, Wh, S, &D), QRD_OK);
  ck_assert_double_eq_tol(D, sum / n, 1e-13);
  ck_assert_int_eq(qrd_wmse(rows, n, W, NULL, S, &D), QRD_OK);
  ck_assert_double_eq_tol(D, sum / n, 1e-13);
  free(S), free(W), free(Wh);
}
END_TEST

/* ---- slow ---- */

/* At n = rows = 1024 GPTQ (blocks of 128), unblocked GPTQ and SIC still
 * give the same codes. */
START_TEST(test_equivalence_large_slow)
{
  size_t n = 1024, rows = 1024;
  double *S = random_cov(n, 151), *W = gaussian(rows * n, 152);
  qrd_matq_result *a = quantise("gptq:actorder=1", rows, n, W, S, 0.1);
  qrd_matq_result *b = quantise("gptq:actorder=1,block=1024", rows, n, W, S, 0.1);
  qrd_matq_result *c = quantise("sic:actorder=1", rows, n, W, S, 0.1);
  ck_assert_uint_eq(code_mismatches(a, b, rows * n), 0);
  ck_assert_uint_eq(code_mismatches(a, c, rows * n), 0);
  qrd_matq_result_free(a), qrd_matq_result_free(b), qrd_matq_result_free(c);
  free(S), free(W);
}
END_TEST

Suite *qrd_suite_matq(void)
{
  Suite *s = suite_create("matq");
  TCase *tc = tcase_create("equivalences");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_loop_test(tc, test_gptq_blocking, 0, 3);
  tcase_add_loop_test(tc, test_gptq_vs_sic, 0, 3);
  tcase_add_test(tc, test_gptq_vs_babai);
  tcase_add_test(tc, test_identity_all_equal);
  tcase_add_test(tc, test_prod_d_det);
  tcase_add_test(tc, test_residual_identity);
  tcase_add_test(tc, test_sic_deferred_updates);
  tcase_add_test(tc, test_highrate_distortion);
  suite_add_tcase(s, tc);

  tc = tcase_create("closed forms");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_closed_form_3x3);
  tcase_add_test(tc, test_closed_form_ar1);
  tcase_add_test(tc, test_gap_identity);
  tcase_add_loop_test(tc, test_excess_gptq_over_watersic, 0, 2);
  suite_add_tcase(s, tc);

  tc = tcase_create("methods");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_lmmse_identity);
  tcase_add_test(tc, test_dead_features);
  tcase_add_test(tc, test_absmax_grid);
  tcase_add_loop_test(tc, test_tune, 0, 3);
  tcase_add_test(tc, test_bad_input);
  suite_add_tcase(s, tc);

  tc = tcase_create("rates");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_rates_hand);
  tcase_add_test(tc, test_rates_wide_range);
  tcase_add_test(tc, test_rates_column_paths);
  tcase_add_test(tc, test_wmse_closed_form);
  suite_add_tcase(s, tc);

  tc = tcase_create("slow");
  tcase_set_tags(tc, "slow");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_equivalence_large_slow);
  suite_add_tcase(s, tc);
  return s;
}
