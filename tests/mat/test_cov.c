/* Covariance families, rotations and Sigma diagnostics (src/mat/cov.h,
 * src/mat/rotate.h).
 *
 * Expected values come from tabulated closed forms (the 2 x 2, 3 x 3 and AR(1)
 * matrices, the E2 excesses) and from independent computations: LU and eigenvalue
 * determinants against prod d, GPTQ's d from chol(Sigma^{-1}) as GPTQ
 * defines it against the one-Cholesky reversal the library uses, explicit
 * Sylvester matrices against the fast transform, moments of Haar and
 * Wishart draws against their known laws. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cblas.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <lapacke.h>

#include "core/error.h"
#include "mat/cov.h"
#include "mat/rotate.h"
#include "suites.h"

/* ---- helpers ---- */

static double *alloc_doubles(size_t count)
{
  double *x = malloc(count * sizeof *x);
  ck_assert_ptr_nonnull(x);
  return x;
}

static double *build(const char *spec, size_t n, unsigned long seed)
{
  qrd_cov c;
  int st = qrd_cov_parse(spec, &c);
  ck_assert_msg(st == QRD_OK, "parse '%s': %s", spec, qrd_error_detail());
  double *S = alloc_doubles(n * n);
  st = qrd_cov_build(&c, n, seed, S);
  ck_assert_msg(st == QRD_OK, "build '%s' n=%zu: %s", spec, n, qrd_error_detail());
  return S;
}

static void cond_var(size_t n, const double *S, qrd_cov_order order, double *d)
{
  double *work = alloc_doubles(n * n);
  int st = qrd_cov_cond_var(n, S, order, work, d);
  ck_assert_msg(st == QRD_OK, "cond_var: %s", qrd_error_detail());
  free(work);
}

static void eigenvalues(size_t n, const double *S, double *lambda)
{
  double *work = alloc_doubles(n * n);
  int st = qrd_cov_eigenvalues(n, S, work, lambda);
  ck_assert_msg(st == QRD_OK, "eigenvalues: %s", qrd_error_detail());
  free(work);
}

static double excess_of(size_t n, const double *S)
{
  double *d = alloc_doubles(n), am, gm;
  cond_var(n, S, QRD_ORDER_GPTQ, d);
  qrd_means(n, d, &am, &gm, NULL);
  free(d);
  return 0.5 * log2(am / gm);
}

static double sum_log(size_t n, const double *x)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++)
    s += log(x[i]);
  return s;
}

#define ASSERT_NEAR(x, ref, tol, what) \
  ck_assert_msg(fabs((x) - (ref)) <= (tol), "%s: %.12g, expected %.12g (tol %g)", what, \
                (double)(x), (double)(ref), (double)(tol))

/* ---- closed forms: AR(1), 2 x 2 and 3 x 3 matrices ---- */

START_TEST(test_ar1_table)
{
  /* n, rho, AM(d), GM(d), GPTQ excess (6 decimals). */
  static const double rows[][5] = {
    {64, 0.9, 0.202656, 0.194995, 0.027799},
    {128, 0.9, 0.196328, 0.192481, 0.014275},
    {4096, 0.9, 0.190198, 0.190077, 0.000458},
    {64, 0.5, 0.753906, 0.753379, 0.000505},
  };
  for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
    size_t n = (size_t)rows[r][0];
    double rho = rows[r][1], q = 1.0 - rho * rho;
    char spec[64];
    snprintf(spec, sizeof spec, "ar1:rho=%g", rho);
    double *S = build(spec, n, 1), *work = alloc_doubles(n * n), *d = alloc_doubles(n);
    qrd_cov_summary s;
    ck_assert_int_eq(qrd_cov_summarise(n, S, work, d, NULL, &s), QRD_OK);
    ASSERT_NEAR(s.am_d, rows[r][2], 5e-7, "AM(d)");
    ASSERT_NEAR(s.gm_d, rows[r][3], 5e-7, "GM(d)");
    ASSERT_NEAR(s.excess_bits, rows[r][4], 5e-7, "excess");
    /* The closed forms themselves, to rounding. */
    ASSERT_NEAR(s.am_d, (1.0 + (double)(n - 1) * q) / (double)n, 1e-13, "AM closed form");
    ASSERT_NEAR(s.logdet, (double)(n - 1) * log(q), 1e-13 * (double)n, "ln det");
    for (size_t j = 0; j < n; j++)
      ASSERT_NEAR(d[j], j + 1 < n ? q : 1.0, 1e-13, "GPTQ d");
    cond_var(n, S, QRD_ORDER_SIC, d);
    for (size_t j = 0; j < n; j++)
      ASSERT_NEAR(d[j], j ? q : 1.0, 1e-13, "SIC d");
    free(S);
    free(work);
    free(d);
  }
}
END_TEST

START_TEST(test_2x2)
{
  static const double rows[][2] = {{0.5, 0.007437}, {0.9, 0.224463}, {0.99, 0.926986}};
  for (size_t k = 0; k < 3; k++) {
    double r = rows[k][0], S[4] = {1.0, r, r, 1.0}, d[2];
    cond_var(2, S, QRD_ORDER_GPTQ, d);
    ASSERT_NEAR(d[0], 1.0 - r * r, 1e-15, "d0");
    ASSERT_NEAR(d[1], 1.0, 1e-15, "d1");
    ASSERT_NEAR(excess_of(2, S), rows[k][1], 5e-7, "2x2 excess");
  }
}
END_TEST

static const double S3[9] = {4, 2, 0.4, 2, 2, 0.2, 0.4, 0.2, 1};

START_TEST(test_3x3)
{
  double L[9], d[3], lambda[3], work[9];
  ck_assert_int_eq(qrd_cov_cholesky(3, S3, L), QRD_OK);
  static const double L_ref[9] = {2, 1, 0.2, 0, 1, 0, 0, 0, 0.9797959};
  for (int i = 0; i < 9; i++)
    ASSERT_NEAR(L[i], L_ref[i], 5e-8, "L");
  qrd_cov_summary s;
  ck_assert_int_eq(qrd_cov_summarise(3, S3, work, d, lambda, &s), QRD_OK);
  ASSERT_NEAR(exp(s.logdet), 3.84, 1e-13, "det");
  ASSERT_NEAR(s.det_root, 1.5659471, 5e-8, "det^(1/3)");
  static const double gptq[3] = {1.9591837, 1.96, 1};
  for (int i = 0; i < 3; i++)
    ASSERT_NEAR(d[i], gptq[i], 5e-8, "GPTQ d");
  ASSERT_NEAR(s.am_d, 1.6397279, 5e-8, "AM natural");
  ASSERT_NEAR(s.excess_bits, 0.0332105, 5e-8, "excess natural");
  /* The table lists 0.7558613 for the smallest, but the root of the
   * characteristic polynomial l^3 - 7 l^2 + 9.8 l - 3.84 (trace, principal
   * minors 4 + 3.84 + 1.96, det) is 0.75586124674 (mpmath, 30 digits): the
   * printed table's last digit is off by one, hence 1.5e-7 for the table and the
   * polynomial itself to rounding. */
  static const double eig[3] = {0.7558613, 0.9617408, 5.2823980};
  for (int i = 0; i < 3; i++) {
    double l = lambda[i];
    ASSERT_NEAR(lambda[i], eig[i], 1.5e-7, "eigenvalue");
    ASSERT_NEAR(((l - 7.0) * l + 9.8) * l - 3.84, 0.0, 1e-13, "characteristic polynomial");
  }
  ASSERT_NEAR(s.lambda_min, 0.755861246739064, 1e-14, "lambda_min");
  ASSERT_NEAR(s.lambda_max, 5.282397984816101, 1e-14, "lambda_max");

  cond_var(3, S3, QRD_ORDER_SIC, d);
  static const double sic[3] = {4, 1, 0.96};
  for (int i = 0; i < 3; i++)
    ASSERT_NEAR(d[i], sic[i], 1e-14, "WaterSIC d");

  /* Act-order is the natural order here (diag 4, 2, 1). */
  size_t p[3];
  ck_assert_int_eq(qrd_act_order(3, S3, p), QRD_OK);
  ck_assert(p[0] == 0 && p[1] == 1 && p[2] == 2);

  /* Reversed: d = (0.96, 1, 4). */
  double R[9];
  memcpy(R, S3, sizeof R);
  const size_t rev[3] = {2, 1, 0};
  qrd_permute_sym(3, rev, R, work);
  ck_assert_int_eq(qrd_cov_summarise(3, R, work, d, NULL, &s), QRD_OK);
  static const double reversed[3] = {0.96, 1, 4};
  for (int i = 0; i < 3; i++)
    ASSERT_NEAR(d[i], reversed[i], 1e-14, "reversed d");
  ASSERT_NEAR(s.am_d, 1.9866667, 5e-8, "AM reversed");
  ASSERT_NEAR(s.excess_bits, 0.1716572, 5e-8, "excess reversed");
}
END_TEST

/* E2's closed-form excesses (docs/methods-watersic.md) on the two-level family. */
START_TEST(test_two_level_excess)
{
  static const double rows[][2] = {
    {1e-1, 0.399234}, {1e-2, 1.168142}, {1e-3, 1.992167}, {1e-6, 4.482893}};
  for (size_t k = 0; k < 4; k++) {
    double eps = rows[k][0];
    char spec[64];
    snprintf(spec, sizeof spec, "two-level:eps=%g", eps);
    double *S = build(spec, 64, 1);
    double e = excess_of(64, S);
    ASSERT_NEAR(e, rows[k][1], 5e-7, "two-level excess");
    ASSERT_NEAR(e, 0.5 * log2((1.0 + eps) / (2.0 * sqrt(eps))), 1e-13, "closed form");
    free(S);
  }
}
END_TEST

/* ---- determinants: prod d against LU and eigenvalues ---- */

static double logdet_lu(size_t n, const double *S)
{
  double *A = alloc_doubles(n * n);
  lapack_int *ipiv = malloc(n * sizeof *ipiv);
  ck_assert_ptr_nonnull(ipiv);
  memcpy(A, S, n * n * sizeof *A);
  ck_assert_int_eq(LAPACKE_dgetrf(LAPACK_COL_MAJOR, (lapack_int)n, (lapack_int)n, A,
                                  (lapack_int)n, ipiv), 0);
  double s = 0.0;
  for (size_t i = 0; i < n; i++)
    s += log(fabs(A[i * n + i]));
  free(A);
  free(ipiv);
  return s;
}

/* GPTQ's d by its own definition: U = chol(Sigma^{-1}) upper,
 * d_j = 1/U_jj^2 (dpotrf, dpotri, dpotrf('U')). */
static void gptq_d_by_inverse(size_t n, const double *S, double *d)
{
  double *A = alloc_doubles(n * n);
  memcpy(A, S, n * n * sizeof *A);
  lapack_int N = (lapack_int)n;
  ck_assert_int_eq(LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', N, A, N), 0);
  ck_assert_int_eq(LAPACKE_dpotri(LAPACK_COL_MAJOR, 'L', N, A, N), 0);
  for (size_t j = 0; j < n; j++)
    for (size_t i = j + 1; i < n; i++)
      A[i * n + j] = A[j * n + i];
  ck_assert_int_eq(LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', N, A, N), 0);
  for (size_t j = 0; j < n; j++)
    d[j] = 1.0 / (A[j * n + j] * A[j * n + j]);
  free(A);
}

START_TEST(test_prod_d_is_det)
{
  static const char *specs[] = {"wishart:ratio=2", "lognormal-random:s=1", "outliers-corr",
                                "ar1:rho=0.99,haar=1"};
  const size_t n = 200;
  for (size_t k = 0; k < 4; k++) {
    double *S = build(specs[k], n, 7), *d = alloc_doubles(n), *lambda = alloc_doubles(n);
    double *d_inv = alloc_doubles(n);
    double ld_lu = logdet_lu(n, S);
    eigenvalues(n, S, lambda);
    double ld_eig = sum_log(n, lambda);
    ck_assert_msg(fabs(ld_eig - ld_lu) < 1e-10, "%s: LU %.15g vs eig %.15g", specs[k], ld_lu,
                  ld_eig);
    cond_var(n, S, QRD_ORDER_GPTQ, d);
    ck_assert_msg(fabs(expm1(sum_log(n, d) - ld_lu)) < 1e-10, "%s: GPTQ prod d / det - 1 = %g",
                  specs[k], expm1(sum_log(n, d) - ld_lu));
    gptq_d_by_inverse(n, S, d_inv);
    for (size_t j = 0; j < n; j++)
      ck_assert_msg(fabs(d[j] / d_inv[j] - 1.0) < 1e-10, "%s: d[%zu] %.15g vs chol(inv) %.15g",
                    specs[k], j, d[j], d_inv[j]);
    cond_var(n, S, QRD_ORDER_SIC, d);
    ck_assert_msg(fabs(expm1(sum_log(n, d) - ld_lu)) < 1e-10, "%s: SIC prod d / det - 1 = %g",
                  specs[k], expm1(sum_log(n, d) - ld_lu));
    free(S);
    free(d);
    free(d_inv);
    free(lambda);
  }
}
END_TEST

/* ---- rotations ---- */

static qrd_rotation *rotation(qrd_rotate_kind kind, size_t n, unsigned long seed,
                              const double *S)
{
  qrd_rotation *r;
  int st = qrd_rotation_alloc(kind, n, seed, S, &r);
  ck_assert_msg(st == QRD_OK, "%s: %s", qrd_rotate_name(kind), qrd_error_detail());
  return r;
}

START_TEST(test_haar_orthogonal)
{
  const size_t n = 300;
  qrd_rotation *r = rotation(QRD_ROTATE_HAAR, n, 11, NULL);
  double *QtQ = alloc_doubles(n * n);
  cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0, r->q,
              (int)n, r->q, (int)n, 0.0, QtQ, (int)n);
  double worst = 0.0;
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; i < n; i++)
      worst = fmax(worst, fabs(QtQ[j * n + i] - (i == j)));
  ck_assert_msg(worst < 1e-12, "max |Q^T Q - I| = %g", worst);

  double *S = build("lognormal-random:s=1", n, 5), *R = alloc_doubles(n * n);
  double *work = alloc_doubles(n * n), *l0 = alloc_doubles(n), *l1 = alloc_doubles(n);
  memcpy(R, S, n * n * sizeof *R);
  qrd_rotation_apply_sigma(r, R, work);
  eigenvalues(n, S, l0);
  eigenvalues(n, R, l1);
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(fabs(l1[i] - l0[i]) < 1e-12 * l0[n - 1], "eigenvalue %zu: %.15g vs %.15g", i,
                  l1[i], l0[i]);
  ck_assert_msg(fabs(logdet_lu(n, R) - logdet_lu(n, S)) < 1e-10, "det not preserved");
  qrd_rotation_free(r);
  free(QtQ);
  free(S);
  free(R);
  free(work);
  free(l0);
  free(l1);
}
END_TEST

/* For Haar Q, E Q_00 = 0 and E Q_00^2 = 1/n.  Without the sign fix LAPACK's
 * Householder QR gives Q_00 = -|a_00|/|a| < 0 always. */
START_TEST(test_haar_sign_fix)
{
  const size_t n = 3, draws = 4000;
  double sum = 0.0, sum2 = 0.0, Q[9];
  for (size_t k = 0; k < draws; k++) {
    ck_assert_int_eq(qrd_haar(n, 1000 + k, Q), QRD_OK);
    sum += Q[0];
    sum2 += Q[0] * Q[0];
  }
  double se = sqrt(1.0 / (double)n / (double)draws);
  ck_assert_msg(fabs(sum / draws) < 5.0 * se, "mean Q00 = %g (se %g)", sum / draws, se);
  /* Var(Q00^2) = E Q00^4 - 1/n^2 = 3/(n(n+2)) - 1/n^2. */
  double se2 = sqrt((3.0 / (n * (n + 2.0)) - 1.0 / (n * n)) / draws);
  ck_assert_msg(fabs(sum2 / draws - 1.0 / n) < 5.0 * se2, "mean Q00^2 = %g", sum2 / draws);
}
END_TEST

/* Q = P D H / sqrt(n) as an explicit dense matrix. */
static double *explicit_q(const qrd_rotation *r)
{
  size_t n = r->n;
  double *Q = alloc_doubles(n * n);
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; i < n; i++)
      Q[j * n + i] = 0.0;
  /* Row i of P D H is row k of D H placed where P puts it: (P x)_{p[k]} = x_k. */
  for (size_t k = 0; k < n; k++) {
    size_t row = r->perm ? r->perm[k] : k;
    double s = r->sign ? r->sign[k] : 1.0;
    for (size_t j = 0; j < n; j++)
      Q[j * n + row] = s * (__builtin_popcountll(k & j) % 2 ? -1.0 : 1.0) / sqrt((double)n);
  }
  return Q;
}

static double max_diff(size_t count, const double *a, const double *b)
{
  double m = 0.0;
  for (size_t i = 0; i < count; i++)
    m = fmax(m, fabs(a[i] - b[i]));
  return m;
}

START_TEST(test_hadamard_explicit)
{
  const size_t a = 7;
  for (size_t n = 1; n <= 64; n *= 4) {
    for (int kind = QRD_ROTATE_HADAMARD; kind <= QRD_ROTATE_SYLVESTER; kind++) {
      qrd_rotation *r = rotation((qrd_rotate_kind)kind, n, 3, NULL);
      double *Q = explicit_q(r), *S = build("randcorr", n, 2), *fast = alloc_doubles(n * n);
      double *tmp = alloc_doubles(n * n), *slow = alloc_doubles(n * n);
      double *W = alloc_doubles(a * n), *Wq = alloc_doubles(a * n), *work = alloc_doubles(a * n);
      int N = (int)n, A = (int)a;
      /* Q^T S Q by two explicit products. */
      cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1.0, S, N, Q, N, 0.0, tmp, N);
      cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, N, N, N, 1.0, Q, N, tmp, N, 0.0, slow, N);
      memcpy(fast, S, n * n * sizeof *S);
      qrd_rotation_apply_sigma(r, fast, tmp);
      ck_assert_msg(max_diff(n * n, fast, slow) < 1e-12, "%s n=%zu: Q^T S Q differs by %g",
                    qrd_rotate_name(r->kind), n, max_diff(n * n, fast, slow));
      for (size_t i = 0; i < a * n; i++)
        W[i] = sin(1.0 + (double)i);
      cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, A, N, N, 1.0, W, A, Q, N, 0.0, Wq, A);
      qrd_rotation_apply_w(r, a, W, work);
      ck_assert_msg(max_diff(a * n, W, Wq) < 1e-12, "%s n=%zu: W Q differs by %g",
                    qrd_rotate_name(r->kind), n, max_diff(a * n, W, Wq));
      qrd_rotation_free(r);
      free(Q);
      free(S);
      free(fast);
      free(tmp);
      free(slow);
      free(W);
      free(Wq);
      free(work);
    }
  }
  qrd_rotation *r;
  ck_assert_int_eq(qrd_rotation_alloc(QRD_ROTATE_HADAMARD, 12, 1, NULL, &r), QRD_EINVAL);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "power of two"));
}
END_TEST

/* d of Q^T S Q in `order` with every operation in binary128 (113-bit
 * significand) on the double inputs: the product to 113 bits, then the
 * pivots of LDL^T (the conditional variances, no square roots) of the
 * matrix in processing order.  The reference qrd_rotation_cond_var is
 * measured against; its own error is about 1e-34 cond. */
static void quad_cond_var_q(size_t n, const double *Q, const __float128 *S,
                            qrd_cov_order order, double *d);

static void quad_cond_var(size_t n, const double *Q, const double *S, qrd_cov_order order,
                          double *d)
{
  __float128 *Sq = malloc(n * n * sizeof *Sq);
  ck_assert_ptr_nonnull(Sq);
  for (size_t i = 0; i < n * n; i++)
    Sq[i] = S[i];
  quad_cond_var_q(n, Q, Sq, order, d);
  free(Sq);
}

/* The same for S given in binary128. */
static void quad_cond_var_q(size_t n, const double *Q, const __float128 *S,
                            qrd_cov_order order, double *d)
{
  __float128 *T = malloc(n * n * sizeof *T), *A = malloc(n * n * sizeof *A);
  ck_assert_ptr_nonnull(T);
  ck_assert_ptr_nonnull(A);
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; i < n; i++) {
      __float128 t = 0;
      for (size_t k = 0; k < n; k++)
        t += S[k * n + i] * Q[j * n + k];
      T[j * n + i] = t;
    }
  int rev = order == QRD_ORDER_GPTQ;
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; i < n; i++) {
      __float128 a = 0;
      for (size_t k = 0; k < n; k++)
        a += (__float128)Q[i * n + k] * T[j * n + k];
      A[(rev ? n - 1 - j : j) * n + (rev ? n - 1 - i : i)] = a;
    }
  for (size_t k = 0; k < n; k++) {
    __float128 p = A[k * n + k];
    d[rev ? n - 1 - k : k] = (double)p;
    for (size_t j = k + 1; j < n; j++) {
      __float128 l = A[k * n + j] / p;
      for (size_t i = j; i < n; i++)
        A[j * n + i] -= l * A[k * n + i];
    }
  }
  free(T);
  free(A);
}

static double max_rel_diff(size_t n, const double *x, const double *ref)
{
  double m = 0.0;
  for (size_t i = 0; i < n; i++)
    m = fmax(m, fabs(x[i] - ref[i]) / ref[i]);
  return m;
}

/* Haar's d by QR of G^T Q against binary128, and against the formed
 * Q^T S Q factored in double (the route it replaced).  For a diagonal S
 * the bound is eps sqrt(cond) times a small multiple of n: the formed
 * route's error, eps cond, does not meet it at cond = 1e6 (printed).  A
 * correlated S goes through its Cholesky factor, whose own error is of
 * order eps cond, so only that is asked of it. */
START_TEST(test_haar_cond_var_accuracy)
{
  const size_t n = 48;
  const struct {
    const char *spec;
    double cond; /* max lambda / min lambda, from the family's definition */
    int diagonal;
  } cases[] = {
    {"two-level:eps=1e-6", 1e6, 1},
    {"power:beta=2", 48.0 * 48.0, 1},
    {"ar1:rho=0.99", 3.97e4, 0}, /* (1+rho)^2/(1-rho)^2 bounds the Toeplitz spectrum */
  };
  qrd_rotation *r = rotation(QRD_ROTATE_HAAR, n, 7, NULL);
  double *ref = alloc_doubles(n), *d = alloc_doubles(n), *old = alloc_doubles(n);
  double *work = alloc_doubles(2 * n * n);
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    double *S = build(cases[c].spec, n, 3);
    for (int order = QRD_ORDER_GPTQ; order <= QRD_ORDER_SIC; order++) {
      quad_cond_var(n, r->q, S, (qrd_cov_order)order, ref);
      ck_assert_int_eq(qrd_rotation_cond_var(r, S, (qrd_cov_order)order, work, d), QRD_OK);
      memcpy(work, S, n * n * sizeof *S);
      qrd_rotation_apply_sigma(r, work, work + n * n);
      cond_var(n, work, (qrd_cov_order)order, old);
      double e = max_rel_diff(n, d, ref), e_old = max_rel_diff(n, old, ref);
      double bound = (double)n * DBL_EPSILON * (cases[c].diagonal ? sqrt(cases[c].cond)
                                                                  : cases[c].cond);
      printf("haar d, %s, %s order: max relative error %.2e (formed Q^T S Q: %.2e; bound "
             "%.2e)\n",
             cases[c].spec, order == QRD_ORDER_GPTQ ? "GPTQ" : "SIC", e, e_old, bound);
      ck_assert_msg(e < bound, "%s: relative error %g over %g", cases[c].spec, e, bound);
    }
    free(S);
  }
  qrd_rotation_free(r);
  free(ref);
  free(d);
  free(old);
  free(work);
}
END_TEST

/* A family's root (qrd_cov_type.root): F^T, read off as its root applied to
 * X = I, gives c I + F F^T = the matrix its build writes, to the rounding
 * of the build's own products, for every registered family that has one
 * (defaults, then the cases below) at n = 1, 5, 33 and two seeds. */
static void check_root(const char *spec, size_t n, unsigned long seed)
{
  qrd_cov c;
  ck_assert_int_eq(qrd_cov_parse(spec, &c), QRD_OK);
  double *S = build(spec, n, seed), *E = alloc_doubles(n * n), *Y = alloc_doubles(n * n);
  memset(E, 0, n * n * sizeof *E);
  for (size_t i = 0; i < n; i++)
    E[i * n + i] = 1.0;
  size_t m = 0;
  double cc = -1.0, smax = 0.0, err = 0.0;
  ck_assert_int_eq(c.type->root(c.theta, n, seed, n, E, Y, &m, &cc), QRD_OK);
  ck_assert_msg(m >= 1 && m <= n && cc >= 0.0, "%s: m = %zu, c = %g", spec, m, cc);
  for (size_t i = 0; i < n; i++)
    smax = fmax(smax, S[i * n + i]);
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; i < n; i++) {
      double f = i == j ? cc : 0.0; /* (F F^T)_ij = sum_k F^T_ki F^T_kj */
      for (size_t k = 0; k < m; k++)
        f += Y[i * m + k] * Y[j * m + k];
      err = fmax(err, fabs(f - S[j * n + i]));
    }
  ck_assert_msg(err <= 4.0 * (double)(n + 1) * DBL_EPSILON * smax,
                "%s, n = %zu: |c E + F F^T - S| = %g (max variance %g)", spec, n, err, smax);
  free(S), free(E), free(Y);
}

START_TEST(test_family_roots)
{
  const char *cases[] = {"ar1:rho=0.99", "ar1:rho=-0.7", "lognormal:s=2,rho=0.9",
                         "lognormal:s=0.5,rho=-0.3", "lowrank:frac=0.25,eps=1e-4",
                         "lowrank:frac=1,eps=0.5", "lowrank:frac=0.01,eps=0"};
  const size_t sizes[] = {1, 5, 33};
  size_t with_root = 0;
  for (size_t t = 0; t < qrd_cov_count(); t++)
    if (qrd_cov_type_at(t)->root) {
      with_root++;
      for (size_t i = 0; i < 3; i++)
        for (unsigned long seed = 1; seed <= 2; seed++)
          check_root(qrd_cov_type_at(t)->name, sizes[i], seed);
    }
  ck_assert_uint_ge(with_root, 3); /* ar1, lognormal, lowrank */
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
    for (size_t i = 0; i < 3; i++)
      check_root(cases[c], sizes[i], 3);
}
END_TEST

/* Haar's d through a family's root against binary128 on the same root
 * (S = c E + F F^T formed from the double F^T, then LDL^T of Q^T S Q):
 * within n eps sqrt(cond), the bound the diagonal route meets, where the
 * route through S's Cholesky factor is only held to eps cond (its error is
 * printed beside). */
START_TEST(test_haar_root_accuracy)
{
  const size_t n = 48;
  const char *cases[] = {"ar1:rho=0.99", "ar1:rho=-0.5", "lognormal:s=2,rho=0.9",
                         "lowrank:frac=0.25,eps=1e-4", "lowrank:frac=0.0625,eps=1e-2",
                         "lowrank:frac=1,eps=1e-3"};
  qrd_rotation *r = rotation(QRD_ROTATE_HAAR, n, 7, NULL);
  double *ref = alloc_doubles(n), *d = alloc_doubles(n), *gen = alloc_doubles(n);
  double *work = alloc_doubles(2 * n * n), *E = alloc_doubles(n * n), *Y = alloc_doubles(n * n);
  double *lambda = alloc_doubles(n);
  __float128 *Sq = malloc(n * n * sizeof *Sq);
  ck_assert_ptr_nonnull(Sq);
  memset(E, 0, n * n * sizeof *E);
  for (size_t i = 0; i < n; i++)
    E[i * n + i] = 1.0;
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    qrd_cov cov;
    ck_assert_int_eq(qrd_cov_parse(cases[c], &cov), QRD_OK);
    double *S = build(cases[c], n, 3), cc;
    size_t m;
    ck_assert_int_eq(cov.type->root(cov.theta, n, 3, n, E, Y, &m, &cc), QRD_OK);
    for (size_t j = 0; j < n; j++)
      for (size_t i = 0; i < n; i++) {
        __float128 f = i == j ? (__float128)cc : 0;
        for (size_t k = 0; k < m; k++)
          f += (__float128)Y[i * m + k] * Y[j * m + k];
        Sq[j * n + i] = f;
      }
    eigenvalues(n, S, lambda);
    double cond = lambda[n - 1] / lambda[0];
    for (int order = QRD_ORDER_GPTQ; order <= QRD_ORDER_SIC; order++) {
      quad_cond_var_q(n, r->q, Sq, (qrd_cov_order)order, ref);
      ck_assert_int_eq(qrd_rotation_cond_var_cov(r, &cov, 3, S, (qrd_cov_order)order, work, d),
                       QRD_OK);
      ck_assert_int_eq(qrd_rotation_cond_var(r, S, (qrd_cov_order)order, work, gen), QRD_OK);
      double e = max_rel_diff(n, d, ref), e_gen = max_rel_diff(n, gen, ref);
      double bound = (double)n * DBL_EPSILON * sqrt(cond);
      printf("haar d by the root, %s (cond %.3g), %s order: max relative error %.2e "
             "(through S's Cholesky factor: %.2e; bound %.2e)\n",
             cases[c], cond, order == QRD_ORDER_GPTQ ? "GPTQ" : "SIC", e, e_gen, bound);
      ck_assert_msg(e < bound, "%s: relative error %g over %g", cases[c], e, bound);
    }
    free(S);
  }
  qrd_rotation_free(r);
  free(ref), free(d), free(gen), free(work), free(E), free(Y), free(lambda), free(Sq);
}
END_TEST

/* qrd_rotation_cond_var_cov leaves to qrd_rotation_cond_var, bit for bit,
 * what the root does not take: other rotations, a diagonal S, a family
 * without a root, a family with haar=1 (its S is already rotated); a
 * singular root (eps = 0 below full rank) is an error naming the family. */
START_TEST(test_root_dispatch)
{
  const size_t n = 32;
  double *work = alloc_doubles(2 * n * n), *d = alloc_doubles(n), *want = alloc_doubles(n);
  const struct {
    const char *spec;
    qrd_rotate_kind kind;
  } cases[] = {{"ar1:rho=0.9", QRD_ROTATE_NONE},        {"ar1:rho=0.9", QRD_ROTATE_HADAMARD},
               {"lognormal:s=1", QRD_ROTATE_HAAR},      {"power:beta=1", QRD_ROTATE_HAAR},
               {"ar1:rho=0.9,haar=1", QRD_ROTATE_HAAR}, {"randcorr", QRD_ROTATE_HAAR}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    qrd_cov cov;
    ck_assert_int_eq(qrd_cov_parse(cases[c].spec, &cov), QRD_OK);
    double *S = build(cases[c].spec, n, 2);
    qrd_rotation *r = rotation(cases[c].kind, n, 5, S);
    ck_assert_int_eq(qrd_rotation_cond_var(r, S, QRD_ORDER_GPTQ, work, want), QRD_OK);
    ck_assert_int_eq(qrd_rotation_cond_var_cov(r, &cov, 2, S, QRD_ORDER_GPTQ, work, d), QRD_OK);
    ck_assert_msg(memcmp(d, want, n * sizeof *d) == 0, "%s under %s", cases[c].spec,
                  qrd_rotate_name(cases[c].kind));
    qrd_rotation_free(r);
    free(S);
  }
  qrd_cov cov;
  ck_assert_int_eq(qrd_cov_parse("lowrank:frac=0.25,eps=0", &cov), QRD_OK);
  double *S = build("lowrank:frac=0.25,eps=0", n, 2);
  qrd_rotation *r = rotation(QRD_ROTATE_HAAR, n, 5, NULL);
  ck_assert_int_eq(qrd_rotation_cond_var_cov(r, &cov, 2, S, QRD_ORDER_GPTQ, work, d), QRD_EDOM);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "lowrank"));
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "singular"));
  qrd_rotation_free(r);
  free(S), free(work), free(d), free(want);
}
END_TEST

/* A diagonal S's eigenvalues are its sorted diagonal, exactly: what LAPACK's
 * dsyevd finds, bit for bit, for negative, zero, repeated and subnormal
 * entries; dsyevd itself rounds an extreme one (it rescales a matrix
 * whose norm is beyond about 1e146), where the diagonal is still the
 * answer. */
START_TEST(test_eigenvalues_diagonal)
{
  const size_t n = 9;
  const double v[9] = {3.0, -1.5, 0.0, 1e-310, 3.0, 2.5e10, -0.0, 0.1, 7.0 / 3.0};
  const double sorted[9] = {-1.5, 0.0, -0.0, 1e-310, 0.1, 7.0 / 3.0, 3.0, 3.0, 2.5e10};
  double S[81] = {0}, A[81] = {0}, lambda[9], want[9];
  for (size_t i = 0; i < n; i++)
    S[i * n + i] = A[i * n + i] = v[i];
  eigenvalues(n, S, lambda);
  ck_assert_int_eq(LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'L', (lapack_int)n, A, (lapack_int)n,
                                  want),
                   0);
  for (size_t i = 0; i < n; i++) {
    ck_assert_msg(lambda[i] == want[i], "lambda[%zu] = %.17g, dsyevd %.17g", i, lambda[i],
                  want[i]);
    ck_assert(lambda[i] == sorted[i]);
  }
  S[5 * n + 5] = 2.5e200;
  eigenvalues(n, S, lambda);
  ck_assert(lambda[n - 1] == 2.5e200 && lambda[0] == -1.5 && lambda[4] == 0.1);
}
END_TEST

/* A diagonal S under none and act-order: d is its (sorted) diagonal
 * exactly, and c I gives c under every rotation; a zero variance is not
 * positive definite under every kind. */
/* Act-order's d, gathered straight from S, against d of S permuted first
 * (qrd_permute_sym, then qrd_cov_cond_var), bit for bit, in both orders;
 * the natural order against S itself. */
START_TEST(test_cond_var_permuted)
{
  const size_t n = 37;
  double *S = build("lognormal:s=1,rho=0.9", n, 3), *P = alloc_doubles(n * n);
  double *work = alloc_doubles(2 * n * n), *d = alloc_doubles(n), *want = alloc_doubles(n);
  qrd_rotation *act = rotation(QRD_ROTATE_ACT_ORDER, n, 1, S);
  qrd_rotation *none = rotation(QRD_ROTATE_NONE, n, 1, S);
  for (int o = 0; o < 2; o++) {
    qrd_cov_order order = o ? QRD_ORDER_SIC : QRD_ORDER_GPTQ;
    memcpy(P, S, n * n * sizeof *S);
    qrd_permute_sym(n, act->perm, P, work);
    cond_var(n, P, order, want);
    ck_assert_int_eq(qrd_rotation_cond_var(act, S, order, work, d), QRD_OK);
    ck_assert_msg(memcmp(d, want, n * sizeof *d) == 0, "act-order, order %d", o);
    cond_var(n, S, order, want);
    ck_assert_int_eq(qrd_rotation_cond_var(none, S, order, work, d), QRD_OK);
    ck_assert_msg(memcmp(d, want, n * sizeof *d) == 0, "none, order %d", o);
  }
  qrd_rotation_free(act);
  qrd_rotation_free(none);
  free(S), free(P), free(work), free(d), free(want);
}
END_TEST

/* Hadamard's and Sylvester's d (the signed permutation made as the copy;
 * no mirror before GPTQ's gather, which reads the upper triangle) against
 * qrd_rotation_apply_sigma on a copy then qrd_cov_cond_var, bit for bit,
 * both orders. */
static void check_cond_var_hadamard(const char *spec, size_t n)
{
  double *S = build(spec, n, 4), *R = alloc_doubles(n * n);
  double *work = alloc_doubles(2 * n * n), *d = alloc_doubles(n), *want = alloc_doubles(n);
  const qrd_rotate_kind kinds[] = {QRD_ROTATE_HADAMARD, QRD_ROTATE_SYLVESTER};
  for (size_t k = 0; k < 2; k++) {
    qrd_rotation *r = rotation(kinds[k], n, 5, S);
    for (int o = 0; o < 2; o++) {
      qrd_cov_order order = o ? QRD_ORDER_SIC : QRD_ORDER_GPTQ;
      memcpy(R, S, n * n * sizeof *S);
      qrd_rotation_apply_sigma(r, R, work);
      cond_var(n, R, order, want);
      ck_assert_int_eq(qrd_rotation_cond_var(r, S, order, work, d), QRD_OK);
      ck_assert_msg(memcmp(d, want, n * sizeof *d) == 0, "%s, %s, n = %zu, order %d",
                    spec, qrd_rotate_name(kinds[k]), n, o);
    }
    qrd_rotation_free(r);
  }
  free(S), free(R), free(work), free(d), free(want);
}

/* A diagonal S (transformed once, entry (i, j) from i XOR j) too, at powers
 * of two whose 1/sqrt(n) is exact and whose is rounded. */
START_TEST(test_cond_var_hadamard)
{
  check_cond_var_hadamard("lognormal:s=1,rho=0.9", 64);
  const char *diagonal[] = {"lognormal:s=3", "power:beta=1", "two-level:eps=1e-6",
                            "outliers:frac=0.1"};
  const size_t sizes[] = {2, 8, 32, 128, 256}; /* n = 1 is c I: d = c exactly */
  for (size_t c = 0; c < 4; c++)
    for (size_t i = 0; i < 5; i++)
      check_cond_var_hadamard(diagonal[c], sizes[i]);
}
END_TEST

START_TEST(test_cond_var_diagonal)
{
  const size_t n = 4;
  double S[16] = {0}, d[4], work[32];
  const double v[4] = {0.3, 2.0, 0.1, 0.7}, sorted[4] = {2.0, 0.7, 0.3, 0.1};
  for (size_t i = 0; i < n; i++)
    S[i * n + i] = v[i];
  qrd_rotation *none = rotation(QRD_ROTATE_NONE, n, 1, S);
  qrd_rotation *act = rotation(QRD_ROTATE_ACT_ORDER, n, 1, S);
  qrd_rotation *haar = rotation(QRD_ROTATE_HAAR, n, 1, S);
  ck_assert_int_eq(qrd_rotation_cond_var(none, S, QRD_ORDER_GPTQ, work, d), QRD_OK);
  for (size_t i = 0; i < n; i++)
    ck_assert(d[i] == v[i]);
  ck_assert_int_eq(qrd_rotation_cond_var(act, S, QRD_ORDER_SIC, work, d), QRD_OK);
  for (size_t i = 0; i < n; i++)
    ck_assert(d[i] == sorted[i]);
  S[2 * n + 2] = 0.0;
  ck_assert_int_eq(qrd_rotation_cond_var(none, S, QRD_ORDER_GPTQ, work, d), QRD_EDOM);
  ck_assert_int_eq(qrd_rotation_cond_var(act, S, QRD_ORDER_GPTQ, work, d), QRD_EDOM);
  ck_assert_int_eq(qrd_rotation_cond_var(haar, S, QRD_ORDER_GPTQ, work, d), QRD_EDOM);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "not positive definite"));
  S[2 * n + 2] = 0.1;
  S[1] = S[n] = 1.0; /* |S_01| > sqrt(S_00 S_11): indefinite, not diagonal */
  ck_assert_int_eq(qrd_rotation_cond_var(haar, S, QRD_ORDER_GPTQ, work, d), QRD_EDOM);
  /* c I: d = c under every rotation (Q^T c I Q = c I), exactly; 0 I is
   * singular */
  for (int c = 0; c <= 1; c++) {
    memset(S, 0, sizeof S);
    for (size_t i = 0; i < n; i++)
      S[i * n + i] = c ? 0.3 : 0.0;
    qrd_rotation *had = rotation(QRD_ROTATE_HADAMARD, n, 1, S);
    qrd_rotation *all[4] = {none, act, haar, had};
    for (int k = 0; k < 4; k++) {
      ck_assert_int_eq(qrd_rotation_cond_var(all[k], S, QRD_ORDER_GPTQ, work, d),
                       c ? QRD_OK : QRD_EDOM);
      for (size_t i = 0; c && i < n; i++)
        ck_assert(d[i] == 0.3);
    }
    qrd_rotation_free(had);
  }
  qrd_rotation_free(none);
  qrd_rotation_free(act);
  qrd_rotation_free(haar);
}
END_TEST

START_TEST(test_fwht_vector)
{
  const size_t n = 32;
  double x[32], y[32];
  for (size_t i = 0; i < n; i++)
    x[i] = cos(0.3 * (double)i * (double)i);
  for (size_t i = 0; i < n; i++) {
    y[i] = 0.0;
    for (size_t j = 0; j < n; j++)
      y[i] += (__builtin_popcountll(i & j) % 2 ? -x[j] : x[j]) / sqrt((double)n);
  }
  qrd_fwht(n, x);
  ck_assert_msg(max_diff(n, x, y) < 1e-13, "fwht differs by %g", max_diff(n, x, y));
}
END_TEST

/* The transform as defined, one radix-2 level at a time over x[k stride],
 * then scaled: what the fast paths must reproduce bit for bit. */
static void fwht_levels(size_t n, size_t stride, double *x)
{
  for (size_t h = 1; h < n; h *= 2)
    for (size_t i = 0; i < n; i += 2 * h)
      for (size_t j = i; j < i + h; j++) {
        double u = x[j * stride], v = x[(j + h) * stride];
        x[j * stride] = u + v;
        x[(j + h) * stride] = u - v;
      }
  double s = 1.0 / sqrt((double)n);
  for (size_t i = 0; i < n; i++)
    x[i * stride] *= s;
}

static void fill_wavy(size_t count, double *x, double phase)
{
  for (size_t i = 0; i < count; i++)
    x[i] = cos(phase + 0.37 * (double)i * (double)(i % 97)) * (1.0 + (double)(i % 13));
}

static int same_bits(size_t count, const double *a, const double *b)
{
  return memcmp(a, b, count * sizeof *a) == 0;
}

/* Vectors of every size up to 4096 (odd and even level counts), rows of a
 * matrix in strips with and without a partial last strip (W Q), and the
 * two-sided product H S H of a symmetric S: each against fwht_levels. */
START_TEST(test_fwht_bits)
{
  for (size_t n = 1; n <= 4096; n *= 2) {
    double *x = alloc_doubles(n), *y = alloc_doubles(n);
    fill_wavy(n, x, 0.1);
    memcpy(y, x, n * sizeof *x);
    qrd_fwht(n, x);
    fwht_levels(n, 1, y);
    ck_assert_msg(same_bits(n, x, y), "qrd_fwht, n = %zu", n);
    free(x);
    free(y);
  }
  const size_t sizes[] = {2, 8, 64, 512}, rows[] = {1, 5, 16, 17, 40};
  for (size_t a = 0; a < sizeof sizes / sizeof *sizes; a++) {
    size_t n = sizes[a];
    qrd_rotation *r = rotation(QRD_ROTATE_SYLVESTER, n, 1, NULL);
    for (size_t b = 0; b < sizeof rows / sizeof *rows; b++) {
      size_t m = rows[b];
      double *W = alloc_doubles(m * n), *want = alloc_doubles(m * n),
             *work = alloc_doubles(m * n);
      fill_wavy(m * n, W, 0.2);
      memcpy(want, W, m * n * sizeof *W);
      for (size_t i = 0; i < m; i++)
        fwht_levels(n, m, want + i);
      qrd_rotation_apply_w(r, m, W, work);
      ck_assert_msg(same_bits(m * n, W, want), "W Q, %zu x %zu", m, n);
      free(W);
      free(want);
      free(work);
    }
    double *S = alloc_doubles(n * n), *want = alloc_doubles(n * n),
           *work = alloc_doubles(n * n);
    fill_wavy(n * n, S, 0.3);
    for (size_t j = 0; j < n; j++) /* symmetric */
      for (size_t i = j + 1; i < n; i++)
        S[i * n + j] = S[j * n + i];
    memcpy(want, S, n * n * sizeof *S);
    for (size_t i = 0; i < n; i++) /* S H row by row, then H down each column */
      fwht_levels(n, n, want + i);
    for (size_t j = 0; j < n; j++)
      fwht_levels(n, 1, want + j * n);
    for (size_t j = 0; j < n; j++) /* the upper triangle made exact */
      for (size_t i = j + 1; i < n; i++)
        want[j * n + i] = want[i * n + j];
    qrd_rotation_apply_sigma(r, S, work);
    ck_assert_msg(same_bits(n * n, S, want), "H S H, n = %zu", n);
    free(S);
    free(want);
    free(work);
    qrd_rotation_free(r);
  }
}
END_TEST

START_TEST(test_act_order_ties)
{
  const double S[25] = {1, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3};
  size_t p[5];
  ck_assert_int_eq(qrd_act_order(5, S, p), QRD_OK);
  const size_t want[5] = {1, 2, 4, 3, 0};
  for (int i = 0; i < 5; i++)
    ck_assert_uint_eq(p[i], want[i]);
}
END_TEST

/* tr(W Sigma W^T) is invariant when W -> W Q and Sigma -> Q^T Sigma Q: checks
 * that apply_w and apply_sigma implement the same Q for every kind. */
static double weighted_energy(size_t a, size_t n, const double *W, const double *S)
{
  double *WS = alloc_doubles(a * n), e = 0.0;
  cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)a, (int)n, (int)n, 1.0, W,
              (int)a, S, (int)n, 0.0, WS, (int)a);
  for (size_t i = 0; i < a * n; i++)
    e += WS[i] * W[i];
  free(WS);
  return e;
}

START_TEST(test_rotation_consistency)
{
  const size_t n = 64, a = 5;
  for (int kind = QRD_ROTATE_NONE; kind <= QRD_ROTATE_ACT_ORDER; kind++) {
    double *S = build("lognormal:s=1,rho=0.8", n, 9), *W = alloc_doubles(a * n);
    double *work = alloc_doubles(n * n);
    for (size_t i = 0; i < a * n; i++)
      W[i] = cos(2.0 * (double)i);
    double before = weighted_energy(a, n, W, S);
    qrd_rotation *r = rotation((qrd_rotate_kind)kind, n, 4, S);
    qrd_rotation_apply_w(r, a, W, work);
    qrd_rotation_apply_sigma(r, S, work);
    double after = weighted_energy(a, n, W, S);
    ck_assert_msg(fabs(after / before - 1.0) < 1e-12, "%s: energy %.15g -> %.15g",
                  qrd_rotate_name(r->kind), before, after);
    for (size_t j = 0; j < n; j++)
      for (size_t i = 0; i < j; i++)
        ck_assert(S[j * n + i] == S[i * n + j]);
    if (kind == QRD_ROTATE_ACT_ORDER)
      for (size_t i = 1; i < n; i++)
        ck_assert(S[i * n + i] <= S[(i - 1) * n + i - 1]);
    qrd_rotation_free(r);
    free(S);
    free(W);
    free(work);
  }
}
END_TEST

/* ---- the families ---- */

static const char *const random_families[] = {
  "outliers", "outliers-corr", "lognormal:s=2", "lognormal-random", "lowrank",
  "wishart:ratio=0.5,dead=0.1", "randcorr", "power:beta=2,haar=1"};

START_TEST(test_family_determinism)
{
  const size_t n = 96;
  /* made twice, not the second time recalled from the memo */
  size_t budget = qrd_cov_memo_budget(0);
  for (size_t k = 0; k < sizeof random_families / sizeof random_families[0]; k++) {
    double *a = build(random_families[k], n, 21), *b = build(random_families[k], n, 21);
    double *c = build(random_families[k], n, 22);
    ck_assert_msg(memcmp(a, b, n * n * sizeof *a) == 0, "%s not deterministic",
                  random_families[k]);
    ck_assert_msg(memcmp(a, c, n * n * sizeof *a) != 0, "%s ignores its seed",
                  random_families[k]);
    for (size_t j = 0; j < n; j++)
      for (size_t i = 0; i < j; i++)
        ck_assert_msg(a[j * n + i] == a[i * n + j], "%s not symmetric", random_families[k]);
    free(a);
    free(b);
    free(c);
  }
  qrd_cov_memo_budget(budget);
}
END_TEST

/* Random correlations recalled from the memo (qrd_cov_memo_budget) are
 * the matrices made afresh: requests from every thread for three families
 * at two sizes sharing seeds, within a budget of two matrices, so that
 * threads wait for one being made, evict and make again. */
START_TEST(test_family_memo)
{
  static const char *const spec[] = {"randcorr", "outliers-corr:k=3", "lognormal-random:s=2"};
  enum { SPECS = 3, SIZES = 2, SEEDS = 4, ASKS = 96 };
  const size_t size[SIZES] = {40, 41};
  double *ref[SPECS][SIZES][SEEDS];
  size_t budget = qrd_cov_memo_budget(0);
  for (size_t f = 0; f < SPECS; f++)
    for (size_t z = 0; z < SIZES; z++)
      for (size_t k = 0; k < SEEDS; k++)
        ref[f][z][k] = build(spec[f], size[z], k + 1);
  qrd_cov_memo_budget(2 * 41 * 41 * sizeof(double) + 100);
  int wrong[ASKS] = {0};
#pragma omp parallel for schedule(dynamic, 1) num_threads(4)
  for (size_t a = 0; a < ASKS; a++) {
    size_t f = a % SPECS, z = a / 7 % SIZES, k = a / 5 % SEEDS, n = size[z];
    qrd_cov c;
    double *S = malloc(n * n * sizeof *S);
    wrong[a] = !S || qrd_cov_parse(spec[f], &c) || qrd_cov_build(&c, n, k + 1, S) ||
               memcmp(S, ref[f][z][k], n * n * sizeof *S) != 0;
    free(S);
  }
  for (size_t a = 0; a < ASKS; a++)
    ck_assert_msg(!wrong[a], "request %zu: %s n=%zu seed %zu differs from the one made afresh",
                  a, spec[a % SPECS], size[a / 7 % SIZES], a / 5 % SEEDS + 1);
  qrd_cov_memo_budget(budget);
  for (size_t f = 0; f < SPECS; f++)
    for (size_t z = 0; z < SIZES; z++)
      for (size_t k = 0; k < SEEDS; k++)
        free(ref[f][z][k]);
}
END_TEST

/* haar=1 is the same Q as qrd_rotation_alloc(HAAR) with the family's seed. */
START_TEST(test_family_haar_option)
{
  const size_t n = 50;
  double *rotated = build("power:beta=1,haar=1", n, 8), *S = build("power:beta=1", n, 8);
  double *work = alloc_doubles(n * n);
  qrd_rotation *r = rotation(QRD_ROTATE_HAAR, n, 8, NULL);
  qrd_rotation_apply_sigma(r, S, work);
  ck_assert(memcmp(S, rotated, n * n * sizeof *S) == 0);
  qrd_rotation_free(r);
  free(rotated);
  free(S);
  free(work);
}
END_TEST

static size_t count_diag(size_t n, const double *S, double value)
{
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    k += S[i * n + i] == value;
  return k;
}

START_TEST(test_family_diagonals)
{
  double *S = build("identity", 10, 1);
  for (size_t j = 0; j < 10; j++)
    for (size_t i = 0; i < 10; i++)
      ck_assert(S[j * 10 + i] == (i == j));
  free(S);
  S = build("power:beta=0.5", 20, 1);
  for (size_t i = 0; i < 20; i++)
    ASSERT_NEAR(S[i * 20 + i], 1.0 / sqrt(i + 1.0), 1e-15, "power law");
  free(S);
  S = build("two-level:eps=0.01", 9, 1);
  ck_assert_uint_eq(count_diag(9, S, 0.01), 4);
  ck_assert_uint_eq(count_diag(9, S, 1.0), 5);
  free(S);
  /* ceil(n/100) outliers at 1000. */
  static const size_t sizes[][2] = {{64, 1}, {100, 1}, {101, 2}, {1000, 10}};
  for (size_t k = 0; k < 4; k++) {
    size_t n = sizes[k][0];
    S = build("outliers", n, 3);
    ck_assert_uint_eq(count_diag(n, S, 1000.0), sizes[k][1]);
    ck_assert_uint_eq(count_diag(n, S, 1.0), n - sizes[k][1]);
    free(S);
  }
  /* S C S with unit-diagonal C: diag is 1000 on k = 5 channels, else 1. */
  S = build("outliers-corr", 80, 3);
  ck_assert_uint_eq(count_diag(80, S, 1.0), 75);
  for (size_t i = 0; i < 80; i++)
    ck_assert(S[i * 80 + i] == 1.0 || fabs(S[i * 80 + i] - 1000.0) < 1e-9);
  free(S);
}
END_TEST

START_TEST(test_family_lognormal)
{
  const size_t n = 4096;
  double *S = build("lognormal:s=2,rho=0.7", n, 5), sum = 0.0, sum2 = 0.0;
  for (size_t i = 0; i < n; i++) {
    double z = log(S[i * n + i]);
    sum += z;
    sum2 += z * z;
  }
  double mean = sum / n, sd = sqrt(sum2 / n - mean * mean);
  /* ln D ~ N(0, s^2): the sample mean within 5 SE, the sd within 5 of its SE
   * (s/sqrt(2n)). */
  ck_assert_msg(fabs(mean) < 5.0 * 2.0 / sqrt((double)n), "mean ln D = %g", mean);
  ck_assert_msg(fabs(sd - 2.0) < 5.0 * 2.0 / sqrt(2.0 * n), "sd ln D = %g", sd);
  /* The correlation is AR(1). */
  for (size_t j = 0; j < 40; j++)
    for (size_t i = 0; i < 40; i++) {
      double c = S[j * n + i] / sqrt(S[i * n + i] * S[j * n + j]);
      ASSERT_NEAR(c, pow(0.7, fabs((double)i - (double)j)), 1e-13, "lognormal correlation");
    }
  free(S);
}
END_TEST

static size_t count_eig_near(size_t n, const double *lambda, double value, double tol)
{
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    k += fabs(lambda[i] - value) < tol;
  return k;
}

START_TEST(test_family_spectra)
{
  const size_t n = 128;
  double *lambda = alloc_doubles(n);
  /* Low rank: k = n/16 = 8 eigenvalues above eps, n - k at eps. */
  double *S = build("lowrank:eps=0.01", n, 4);
  eigenvalues(n, S, lambda);
  ck_assert_uint_eq(count_eig_near(n, lambda, 0.01, 1e-12), n - 8);
  free(S);
  /* Wishart with T = n/2 samples: rank T. */
  S = build("wishart:ratio=0.5", n, 4);
  eigenvalues(n, S, lambda);
  ck_assert_uint_eq(count_eig_near(n, lambda, 0.0, 1e-12), n / 2);
  free(S);
  /* Dead features: round(0.25 n) all-zero rows. */
  S = build("wishart:ratio=2,dead=0.25", n, 4);
  ck_assert_uint_eq(count_diag(n, S, 0.0), 32);
  free(S);
  /* Random correlation: unit diagonal, positive definite. */
  S = build("randcorr", n, 4);
  ck_assert_uint_eq(count_diag(n, S, 1.0), n);
  eigenvalues(n, S, lambda);
  ck_assert(lambda[0] > 0.0);
  free(S);
  free(lambda);
}
END_TEST

/* E[Sigma-hat] = Sigma_0 = AR(1), Var(Sigma-hat_ij) = (S_ii S_jj + S_ij^2)/T. */
START_TEST(test_family_wishart_mean)
{
  const size_t n = 24;
  const double T = 1000.0 * n, rho = 0.8;
  double *S = build("wishart:ratio=1000,rho=0.8", n, 6), worst = 0.0;
  for (size_t j = 0; j < n; j++)
    for (size_t i = j; i < n; i++) {
      double s = pow(rho, (double)(i - j));
      double z = (S[j * n + i] - s) / sqrt((1.0 + s * s) / T);
      worst = fmax(worst, fabs(z));
    }
  /* 300 entries: the largest |z| of correlated normals stays below 4.5. */
  ck_assert_msg(worst < 4.5, "largest standardised deviation %g", worst);
  free(S);
}
END_TEST

START_TEST(test_family_errors)
{
  qrd_cov c;
  ck_assert_int_eq(qrd_cov_parse("nope", &c), QRD_ENOTFOUND);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "file:PATH"));
  ck_assert_int_eq(qrd_cov_parse("ar1:rho=1.5", &c), QRD_EINVAL);
  ck_assert_int_eq(qrd_cov_parse("ar1:beta=1", &c), QRD_EINVAL);
  ck_assert_int_eq(qrd_cov_parse("power:haar=0.5", &c), QRD_EINVAL);
  ck_assert_int_eq(qrd_cov_parse("ar1:rho=0.5", &c), QRD_OK);
  ck_assert_str_eq(c.spec, "ar1:rho=0.5");
  size_t n;
  ck_assert_int_eq(qrd_cov_dim(&c, 0, &n), QRD_EINVAL);
  ck_assert_int_eq(qrd_cov_parse("outliers-corr:k=2.5", &c), QRD_OK);
  double S[9];
  ck_assert_int_eq(qrd_cov_build(&c, 3, 1, S), QRD_EINVAL);
  ck_assert_int_eq(qrd_cov_parse("outliers-corr:k=4", &c), QRD_OK);
  ck_assert_int_eq(qrd_cov_build(&c, 3, 1, S), QRD_EINVAL);
  /* Singular: a named pivot. */
  double sing[4] = {1, 1, 1, 1}, work[4], d[2];
  ck_assert_int_eq(qrd_cov_cond_var(2, sing, QRD_ORDER_SIC, work, d), QRD_EDOM);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "not positive definite"));
}
END_TEST

/* ---- file: ---- */

typedef struct {
  char dir[64];
  char path[128];
} sandbox;

static sandbox sb;

static void sandbox_open(void)
{
  strcpy(sb.dir, "/tmp/qrd-cov-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(sb.dir));
  snprintf(sb.path, sizeof sb.path, "%s/stats.h5", sb.dir);
}

static void sandbox_close(void)
{
  unlink(sb.path);
  rmdir(sb.dir);
}

static void put_matrix(hid_t loc, const char *name, size_t rows, size_t cols, const double *x)
{
  hsize_t dims[2] = {rows, cols};
  ck_assert(H5LTmake_dataset_double(loc, name, 2, dims, x) >= 0);
}

static const double W_ROWS[2][3] = {{1, 2, 3}, {4, 5, 6}};
static const double NOT_PSD[4] = {1, 2, 2, 1};
static const double ASYM[9] = {4, 2, 0.4, 2, 2, 0.2, 0.4, 0.3, 1};
static const double NOT_SQUARE[6] = {1, 0, 0, 0, 1, 0};

/* Root: the 3x3 Sigma S3 and a 2x3 W; good/: Sigma only; the rest
 * are each broken in one way. */
static void write_file(void)
{
  hid_t f = H5Fcreate(sb.path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert(f >= 0);
  put_matrix(f, "Sigma", 3, 3, S3);
  put_matrix(f, "W", 2, 3, &W_ROWS[0][0]);
  static const char *groups[] = {"good", "notpsd", "asym", "empty", "nan", "notsquare", "badw"};
  for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
    hid_t g = H5Gcreate2(f, groups[i], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert(g >= 0);
    H5Gclose(g);
  }
  double nan_sigma[9];
  memcpy(nan_sigma, S3, sizeof nan_sigma);
  nan_sigma[4] = NAN;
  put_matrix(f, "good/Sigma", 3, 3, S3);
  put_matrix(f, "notpsd/Sigma", 2, 2, NOT_PSD);
  put_matrix(f, "asym/Sigma", 3, 3, ASYM);
  put_matrix(f, "nan/Sigma", 3, 3, nan_sigma);
  put_matrix(f, "notsquare/Sigma", 2, 3, NOT_SQUARE);
  put_matrix(f, "badw/Sigma", 3, 3, S3);
  put_matrix(f, "badw/W", 3, 2, NOT_SQUARE);
  ck_assert(H5Fclose(f) >= 0);
}

static int load(const char *group, size_t *n, double *S)
{
  char spec[256];
  qrd_cov c;
  snprintf(spec, sizeof spec, "file:%s%s%s", sb.path, group ? ":" : "", group ? group : "");
  ck_assert_int_eq(qrd_cov_parse(spec, &c), QRD_OK);
  int st = qrd_cov_dim(&c, 0, n);
  return st ? st : qrd_cov_build(&c, *n, 0, S);
}

static void assert_detail(const char *a, const char *b)
{
  const char *detail = qrd_error_detail();
  ck_assert_msg(strstr(detail, sb.path) && strstr(detail, a) && strstr(detail, b),
                "detail '%s' lacks '%s' or '%s'", detail, a, b);
}

START_TEST(test_file_round_trip)
{
  sandbox_open();
  write_file();
  double S[9];
  size_t n;
  for (int k = 0; k < 2; k++) {
    ck_assert_int_eq(load(k ? "good" : NULL, &n, S), QRD_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert(memcmp(S, S3, sizeof S) == 0);
  }
  qrd_cov c;
  char spec[256];
  snprintf(spec, sizeof spec, "file:%s", sb.path);
  ck_assert_int_eq(qrd_cov_parse(spec, &c), QRD_OK);
  ck_assert_int_eq(qrd_cov_dim(&c, 4, &n), QRD_EINVAL);
  size_t a;
  double *W;
  ck_assert_int_eq(qrd_cov_read_w(&c, 3, &a, &W), QRD_OK);
  ck_assert_uint_eq(a, 2);
  for (size_t r = 0; r < 2; r++)
    for (size_t col = 0; col < 3; col++)
      ck_assert(W[col * 2 + r] == W_ROWS[r][col]);
  free(W);
  snprintf(spec, sizeof spec, "file:%s:good", sb.path);
  ck_assert_int_eq(qrd_cov_parse(spec, &c), QRD_OK);
  ck_assert_int_eq(qrd_cov_read_w(&c, 3, &a, &W), QRD_OK);
  ck_assert(a == 0 && W == NULL);
  sandbox_close();
}
END_TEST

START_TEST(test_file_errors)
{
  sandbox_open();
  write_file();
  double S[9];
  size_t n;
  ck_assert_int_eq(load("notpsd", &n, S), QRD_EINVAL);
  assert_detail("/notpsd/Sigma", "not positive semidefinite: smallest eigenvalue -1");
  ck_assert_int_eq(load("asym", &n, S), QRD_EINVAL);
  assert_detail("/asym/Sigma", "not symmetric: [1][2] = 0.2");
  ck_assert_int_eq(load("empty", &n, S), QRD_ENOTFOUND);
  assert_detail("no dataset", "/empty/Sigma");
  ck_assert_int_eq(load("missing", &n, S), QRD_ENOTFOUND);
  assert_detail("no group", "missing");
  ck_assert_int_eq(load("nan", &n, S), QRD_EINVAL);
  assert_detail("/nan/Sigma", "[1][1] = nan is not finite");
  ck_assert_int_eq(load("notsquare", &n, S), QRD_EINVAL);
  assert_detail("/notsquare/Sigma", "2x3");
  qrd_cov c;
  char spec[256];
  snprintf(spec, sizeof spec, "file:%s:badw", sb.path);
  ck_assert_int_eq(qrd_cov_parse(spec, &c), QRD_OK);
  size_t a;
  double *W;
  ck_assert_int_eq(qrd_cov_read_w(&c, 3, &a, &W), QRD_EINVAL);
  assert_detail("/badw/W", "3x2");
  snprintf(spec, sizeof spec, "file:%s/none.h5", sb.dir);
  ck_assert_int_eq(qrd_cov_parse(spec, &c), QRD_OK);
  ck_assert_int_eq(qrd_cov_dim(&c, 0, &n), QRD_ENOTFOUND);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "none.h5"));
  sandbox_close();
}
END_TEST

Suite *qrd_suite_cov(void)
{
  Suite *s = suite_create("cov");
  TCase *tc = tcase_create("closed-forms");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_ar1_table);
  tcase_add_test(tc, test_2x2);
  tcase_add_test(tc, test_3x3);
  tcase_add_test(tc, test_two_level_excess);
  tcase_add_test(tc, test_prod_d_is_det);
  suite_add_tcase(s, tc);
  tc = tcase_create("rotations");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_haar_orthogonal);
  tcase_add_test(tc, test_haar_sign_fix);
  tcase_add_test(tc, test_hadamard_explicit);
  tcase_add_test(tc, test_fwht_vector);
  tcase_add_test(tc, test_fwht_bits);
  tcase_add_test(tc, test_haar_cond_var_accuracy);
  tcase_add_test(tc, test_haar_root_accuracy);
  tcase_add_test(tc, test_root_dispatch);
  tcase_add_test(tc, test_cond_var_diagonal);
  tcase_add_test(tc, test_cond_var_permuted);
  tcase_add_test(tc, test_cond_var_hadamard);
  tcase_add_test(tc, test_act_order_ties);
  tcase_add_test(tc, test_rotation_consistency);
  suite_add_tcase(s, tc);
  tc = tcase_create("families");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_family_determinism);
  tcase_add_test(tc, test_family_memo);
  tcase_add_test(tc, test_family_haar_option);
  tcase_add_test(tc, test_family_diagonals);
  tcase_add_test(tc, test_family_lognormal);
  tcase_add_test(tc, test_family_spectra);
  tcase_add_test(tc, test_family_roots);
  tcase_add_test(tc, test_eigenvalues_diagonal);
  tcase_add_test(tc, test_family_wishart_mean);
  tcase_add_test(tc, test_family_errors);
  tcase_add_test(tc, test_file_round_trip);
  tcase_add_test(tc, test_file_errors);
  suite_add_tcase(s, tc);
  return s;
}
