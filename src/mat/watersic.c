/* The back-to-front SIC core and WaterSIC (docs/methods-watersic.md).
 *
 * WaterSIC gives every column of Y = W L the same step c, i.e. the W-domain
 * step alpha_i = c / L_ii: the error of column i then costs c^2/12 in the
 * Sigma-metric whatever its conditional variance L_ii^2, which is reverse
 * waterfilling on the conditional variances at high rate. */
#include <cblas.h>
#include <lapacke.h>
#include <stdlib.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "mat/matq_impl.h"

/* ---- core ---- */

/* Rows per tile of the deferred updates: a tile of column k and of each
 * later column of the block (32 x 16 KiB) stay in L2 together. */
#define SIC_TILE 2048

/* Codes of this many columns wait column-major in a buffer and go into
 * Z's rows together: written column by column, each code went to a line
 * of Z of its own. */
#define Z_GROUP 32

/* Z[r * ldz + col[j]] <- buf[j * rows + r] for the m buffered columns. */
static void flush_codes(const qrd_sic_job *job, const int32_t *buf, const size_t *col,
                        size_t m)
{
  for (size_t r = 0; r < job->rows; r++)
    for (size_t j = 0; j < m; j++)
      job->Z[r * job->ldz + col[j]] = buf[j * job->rows + r];
}

/* Column k: codes into What[:,k] (as values for now) and z; the gain.
 * Cloned for AVX2, whose rounding instruction is nearbyint inline (the
 * same IEEE operation; the default clone calls libm's). */
__attribute__((target_clones("avx2", "default"))) static int
sic_column(const qrd_sic_job *job, size_t k, double s, int32_t *z, double *gamma)
{
  size_t rows = job->rows;
  const double *y = job->Y + k * rows;
  double *v = job->What + k * rows;
  for (size_t r = 0; r < rows; r++) {
    double t = nearbyint(y[r] / s);
    if (!(fabs(t) <= INT32_MAX))
      return qrd_error_set(QRD_EDOM, "SIC: Y-domain step %g gives codes beyond int32", s);
    v[r] = t;
    z[r] = (int32_t)t;
  }
  *gamma = 1.0;
  if (job->lmmse != QRD_LMMSE_OFF) {
    double zz = cblas_ddot((int)rows, v, 1, v, 1), zy = cblas_ddot((int)rows, v, 1, y, 1);
    *gamma = zz > 0.0 ? zy / (s * zz) : 0.0;
    if (job->lmmse == QRD_LMMSE_CLAMPED)
      *gamma = fmin(fmax(*gamma, 0.0), 1.0);
  }
  return QRD_OK;
}

static int sic_blocks(const qrd_sic_job *job, int32_t *zbuf);

int qrd_sic_run(const qrd_sic_job *job)
{
  size_t rows = job->rows, n = job->n, block = job->block;
  if (rows == 0 || n == 0 || block == 0)
    return qrd_error_set(QRD_EINVAL, "SIC: %zu x %zu, block %zu", rows, n, block);
  if (job->lmmse < QRD_LMMSE_OFF || job->lmmse > QRD_LMMSE_CLAMPED)
    return qrd_error_set(QRD_EINVAL, "SIC: lmmse=%d (allowed: 0 off, 1 unclamped, 2 clamped)",
                         job->lmmse);
  int32_t *zbuf = qrd_big_alloc(rows, (n < Z_GROUP ? n : Z_GROUP) * sizeof *zbuf);
  int st = zbuf ? sic_blocks(job, zbuf) : qrd_error_set(QRD_ENOMEM, "SIC: %zu rows", rows);
  qrd_big_free(zbuf);
  return st;
}

/* The SIC's blocks, back to front, with zbuf (rows x min(n, Z_GROUP))
 * for the codes on their way to Z. */
static int sic_blocks(const qrd_sic_job *job, int32_t *zbuf)
{
  size_t rows = job->rows, n = job->n, block = job->block, col[Z_GROUP], held = 0;
  const double *L = job->L;
  for (size_t c2 = n, c1; c2 > 0; c2 = c1) {
    c1 = c2 > block ? c2 - block : 0;
    for (size_t k = c2; k-- > c1;) {
      double s = job->alpha[k] * L[k + k * n], *v = job->What + k * rows,
             *y = job->Y + k * rows;
      /* Y[:, k] -= What[:, m] L[m, k] for the block's later columns m,
       * last first: the updates a rank-1 update after each column would
       * have pushed into it, in the same order, made when column k is due
       * and a tile of rows at a time (the rank-1 updates rewrote the
       * whole block, out of cache, after every column). */
      for (size_t r0 = 0; r0 < rows; r0 += SIC_TILE) {
        int len = (int)(rows - r0 < SIC_TILE ? rows - r0 : SIC_TILE);
        for (size_t m = c2; m-- > k + 1;)
          cblas_daxpy(len, -L[m + k * n], job->What + m * rows + r0, 1, y + r0, 1);
      }
      int st = sic_column(job, k, s, zbuf + held * rows, &job->gamma[k]);
      if (st)
        return st;
      col[held++] = job->col_of ? job->col_of[k] : k;
      if (held == Z_GROUP || k == 0) {
        flush_codes(job, zbuf, col, held);
        held = 0;
      }
      cblas_dscal((int)rows, job->gamma[k] * job->alpha[k], v, 1);
      /* column k itself: it then holds column k of (W - What) L */
      cblas_daxpy((int)rows, -L[k + k * n], v, 1, y, 1);
    }
    /* Y[:, 0..c1) -= What[:, c1..c2) L[c1..c2, 0..c1). */
    if (c1 > 0)
      cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)c1,
                  (int)(c2 - c1), -1.0, job->What + c1 * rows, (int)rows, L + c1, (int)n, 1.0,
                  job->Y, (int)rows);
  }
  return QRD_OK;
}

int qrd_matq_sic_quantise(qrd_matq_work *w, size_t block, int lmmse, double scale,
                          qrd_matq_result *out)
{
  size_t rows = w->p->rows, n = w->p->n, na = w->n_active;
  qrd_matq_working_copy(w);
  qrd_sic_job job = {.rows = rows, .n = na, .Y = w->W, .L = w->F, .alpha = w->scratch,
                     .lmmse = lmmse, .block = block, .Z = out->Z, .ldz = n,
                     .col_of = w->order, .What = w->Wh, .gamma = w->scratch + n};
  int st = qrd_sic_run(&job);
  if (st)
    return st;
  for (size_t k = 0; k < na; k++) {
    double l = w->F[k + k * na];
    w->scratch[2 * n + k] = l * l;
  }
  qrd_matq_finish(w, scale, out);
  return QRD_OK;
}

/* ---- watersic ---- */

enum { P_LMMSE, P_DAMP, P_DROP, P_BLOCK };

static const qrd_param_def params[] = {
  {.name = "lmmse", .def = QRD_LMMSE_UNCLAMPED, .min = 0.0, .max = 2.0,
   .doc = "LMMSE gain: 0 off, 1 unclamped (authors), 2 clamped to [0, 1]"},
  {.name = "damp", .def = 1e-4, .min = 0.0, .max = 1e6,
   .doc = "L = chol(Sigma + damp mean(diag Sigma) I) over the kept features"},
  {.name = "drop", .def = 1e-3, .min = 0.0, .max = 1.0,
   .doc = "drop features with Sigma_ii < drop median(diag Sigma)"},
  {.name = "block", .def = 128.0, .min = 1.0, .max = 1048576.0,
   .doc = "lazy-update block size of the SIC"},
};

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *x, size_t n)
{
  qsort(x, n, sizeof *x, cmp_double);
  return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

/* Kept features first (natural order), dropped ones after. */
static void keep_features(qrd_matq_work *w, double threshold)
{
  const qrd_matq_problem *p = w->p;
  size_t n = p->n, na = 0;
  for (size_t j = 0; j < n; j++)
    if (!(p->Sigma[j * n + j] < threshold))
      w->order[na++] = j;
  w->n_active = na;
  for (size_t j = 0, k = na; j < n; j++)
    if (p->Sigma[j * n + j] < threshold)
      w->order[k++] = j;
}

static int watersic_prepare(qrd_matq_work *w)
{
  const double *th = w->m.params;
  size_t n = w->p->n;
  for (size_t j = 0; j < n; j++)
    w->scratch[j] = w->p->Sigma[j * n + j];
  keep_features(w, th[P_DROP] * median(w->scratch, n));
  w->back_to_front = 1;
  size_t na = w->n_active;
  if (na == 0)
    return qrd_error_set(QRD_EDOM, "%s: every feature is dropped (diag(Sigma) below %g "
                         "median)", w->m.spec, th[P_DROP]);
  qrd_matq_permuted_sigma(w->p, w->order, na, w->F);
  double mean = 0.0;
  for (size_t k = 0; k < na; k++) {
    mean += w->F[k * na + k];
    w->dead[k] = 0;
  }
  for (size_t k = 0; k < na; k++)
    w->F[k * na + k] += th[P_DAMP] * mean / (double)na;
  return qrd_matq_chol_status(LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (int)na, w->F, (int)na),
                              w->m.spec, "the damped Sigma of the kept features");
}

static int watersic_quantise(qrd_matq_work *w, double c, qrd_matq_result *out)
{
  const double *th = w->m.params;
  size_t rows = w->p->rows, n = w->p->n, na = w->n_active;
  if (!(c > 0.0 && isfinite(c)))
    return qrd_error_set(QRD_EINVAL, "%s: step c = %g (allowed: finite, > 0)", w->m.spec, c);
  for (size_t k = 0; k < na; k++)
    w->scratch[k] = c / w->F[k + k * na];
  int st = qrd_matq_sic_quantise(w, (size_t)th[P_BLOCK], (int)th[P_LMMSE], c, out);
  /* One 16-bit step alpha_i gamma_i per column, 16 bits per dropped index. */
  out->side_bits = (16.0 * (double)n + 16.0 * (double)(n - na)) / ((double)rows * (double)n);
  return st;
}

/* c = sqrt(2 pi e) sigma GM(L_ii) 2^-rate. */
static double watersic_nominal(const qrd_matq_work *w, double sigma, double rate)
{
  size_t na = w->n_active;
  double lsum = 0.0;
  for (size_t k = 0; k < na; k++)
    lsum += log(w->F[k + k * na]);
  return qrd_matq_nominal_step(sigma, rate) * exp(lsum / (double)na);
}

const qrd_matq_type qrd_matq_watersic = {
  .name = "watersic",
  .doc = "WaterSIC: SIC with column steps c / L_ii and LMMSE gains",
  .n_params = sizeof params / sizeof params[0],
  .params = params,
  .integer_params = 1u << P_LMMSE | 1u << P_BLOCK,
  .prepare = watersic_prepare,
  .quantise = watersic_quantise,
  .nominal_scale = watersic_nominal,
};
