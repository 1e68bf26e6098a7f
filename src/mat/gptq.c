/* GPTQ as the IST-DASLab reference (docs/methods-watersic.md), and the same codes
 * computed as back-to-front SIC on the reversed order (method "sic").
 *
 * Layout: the working W is column-major (rows x n), so a block of columns
 * is contiguous and the reference's clone of it is not needed.  A
 * quantised column's slot is overwritten with its scaled error
 * Err[:,j] = (w - q) / U_jj, which is then the left operand of the
 * block's trailing dgemm. */
#include <cblas.h>
#include <lapacke.h>
#include <stdlib.h>

#include "core/error.h"
#include "mat/matq_impl.h"

/* Rows of a block handled together in the per-column loop: GPTQ's rows
 * are independent, and rows x block doubles then stay in L2 while the
 * block's rank-1 updates sweep over them. */
#define PANEL_ROWS 256
/* Columns per rank-1-updated stretch inside a block (see gptq_block_panel). */
#define SUB_BLOCK 16

enum { P_BITS = QRD_MATQ_GRID_BITS, P_SYM = QRD_MATQ_GRID_SYM, P_BLOCK, P_DAMP, P_ACTORDER };
enum { S_BLOCK, S_DAMP, S_ACTORDER };

#define BLOCK_PARAM                                                                     \
  {.name = "block", .def = 128.0, .min = 1.0, .max = 1048576.0,                         \
   .doc = "lazy-update block size (>= n: unblocked)"}
#define DAMP_PARAM                                                                      \
  {.name = "percdamp", .def = 0.01, .min = 0.0, .max = 1e6,                             \
   .doc = "H += percdamp mean(diag H) I before factorising"}
#define ACTORDER_PARAM                                                                  \
  {.name = "actorder", .def = 0.0, .min = 0.0, .max = 1.0,                              \
   .doc = "1: process columns by decreasing diag(H) (stable), undone at the end"}

/* ---- the damped Hessian in processing order: dead features, act-order, damping ---- */

typedef struct {
  double key;
  size_t j;
} keyed;

/* Decreasing key; equal keys keep column order, so the sort is stable. */
static int by_key_desc(const void *a, const void *b)
{
  const keyed *x = a, *y = b;
  if (x->key != y->key)
    return x->key < y->key ? 1 : -1;
  return (x->j > y->j) - (x->j < y->j);
}

static int processing_order(qrd_matq_work *w, int act_order, int reverse)
{
  size_t n = w->p->n;
  for (size_t j = 0; j < n; j++)
    w->order[j] = j;
  if (act_order) {
    keyed *k = malloc(n * sizeof *k);
    if (!k)
      return qrd_error_set(QRD_ENOMEM, "%s: act-order of %zu columns", w->m.spec, n);
    for (size_t j = 0; j < n; j++) {
      double h = w->p->Sigma[j * n + j];
      k[j] = (keyed){.key = h == 0.0 ? 1.0 : h, .j = j};
    }
    qsort(k, n, sizeof *k, by_key_desc);
    for (size_t j = 0; j < n; j++)
      w->order[j] = k[j].j;
    free(k);
  }
  for (size_t a = 0, b = n; reverse && a + 1 < b; a++, b--) {
    size_t t = w->order[a];
    w->order[a] = w->order[b - 1];
    w->order[b - 1] = t;
  }
  return QRD_OK;
}

/* w->order, w->dead and F = H[order][order] + percdamp mean(diag H) I,
 * column-major, where H is Sigma with a dead feature's zero diagonal set to
 * 1 (its W column is zeroed at quantisation). */
static int damped_hessian(qrd_matq_work *w, double percdamp, int act_order, int reverse)
{
  size_t n = w->p->n;
  int st = processing_order(w, act_order, reverse);
  if (st)
    return st;
  qrd_matq_permuted_sigma(w->p, w->order, n, w->F);
  double mean = 0.0;
  for (size_t k = 0; k < n; k++) {
    double *h = w->F + k * n + k;
    w->dead[k] = *h == 0.0;
    if (w->dead[k])
      *h = 1.0;
    mean += *h;
  }
  double damp = percdamp * mean / (double)n;
  for (size_t k = 0; k < n; k++)
    w->F[k * n + k] += damp;
  return QRD_OK;
}

/* ---- gptq ---- */

static const qrd_param_def gptq_params[] = {
  QRD_MATQ_GRID_PARAMS,
  BLOCK_PARAM,
  DAMP_PARAM,
  ACTORDER_PARAM,
};

/* F <- U, the upper Cholesky factor of H^-1, read row-major: the lower
 * factor L3 of H^-1 (column-major) is U^T, so U[j][k] sits at j n + k and
 * row j is contiguous. */
static int gptq_prepare(qrd_matq_work *w)
{
  const double *th = w->m.params;
  size_t n = w->p->n;
  int st = damped_hessian(w, th[P_DAMP], th[P_ACTORDER] != 0.0, 0);
  if (st ||
      (st = qrd_matq_chol_status(LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (int)n, w->F, (int)n),
                                 w->m.spec, "the damped Sigma")) ||
      (st = qrd_matq_chol_status(LAPACKE_dpotri(LAPACK_COL_MAJOR, 'L', (int)n, w->F, (int)n),
                                 w->m.spec, "the damped Sigma (inverse)")) ||
      (st = qrd_matq_chol_status(LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (int)n, w->F, (int)n),
                                 w->m.spec, "the inverse of the damped Sigma")))
    return st;
  if (qrd_matq_fixed_grid(th))
    qrd_matq_absmax_rows(w, th[P_BITS], th[P_SYM] != 0.0);
  return QRD_OK;
}

/* qrd_matq_grid_code's step grid and the scaled error of one column's m
 * rows, element by element the same operations, on vectors: codes k (as
 * doubles), values q, x <- (x - q) / u.  Non-zero when a code leaves
 * int32 (the run then fails, so nothing written matters). */
__attribute__((target_clones("avx2", "default"))) static int
step_column(double step, double u, size_t m, double *restrict x, double *restrict q,
            double *restrict k)
{
  int bad = 0;
#pragma omp simd reduction(| : bad)
  for (size_t r = 0; r < m; r++) {
    double t = nearbyint(x[r] / step);
    bad |= !(fabs(t) <= INT32_MAX);
    k[r] = t;
    q[r] = step * t;
    x[r] = (x[r] - q[r]) / u;
  }
  return bad;
}

/* Columns s1..s2 of rows r0..r0+pr: quantise each column, replace it by
 * its scaled error and push that error into the later columns up to s2
 * (rank-1 updates: BLAS-2, so kept to SUB_BLOCK columns). */
static int gptq_sub_block(qrd_matq_work *w, const qrd_matq_grid *g, size_t s1, size_t s2,
                          size_t r0, size_t pr, int32_t *Z)
{
  size_t rows = w->p->rows, n = w->p->n;
  const double *U = w->F;
  int overflow = 0;
  for (size_t j = s1; j < s2; j++) {
    double *col = w->W + j * rows, *q = w->Wh + j * rows, u = U[j * n + j];
    int32_t *z = Z + w->order[j];
    if (g->absmax) {
      for (size_t r = r0; r < r0 + pr; r++) {
        overflow |= qrd_matq_grid_code(g, r, col[r], z + r * n, q + r);
        col[r] = (col[r] - q[r]) / u;
      }
    } else {
      double k[PANEL_ROWS];
      int bad = step_column(g->step, u, pr, col + r0, q + r0, k);
      for (size_t r = 0; !bad && r < pr; r++) /* strided: out of the vector loop */
        z[(r0 + r) * n] = (int32_t)k[r];
      overflow |= bad;
    }
    if (j + 1 < s2)
      cblas_dger(CblasColMajor, (int)pr, (int)(s2 - j - 1), -1.0, col + r0, 1,
                 U + j * n + j + 1, 1, w->W + (j + 1) * rows + r0, (int)rows);
  }
  return overflow;
}

/* W[r0.., to:upto] -= Err[r0.., from:to] U[from:to, to:upto]: a finished
 * stretch of columns pushes its errors into later columns (BLAS-3); U's
 * rows are read transposed. */
static void gptq_push(qrd_matq_work *w, size_t from, size_t to, size_t upto, size_t r0,
                      size_t pr)
{
  size_t rows = w->p->rows, n = w->p->n;
  if (to < upto)
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)pr, (int)(upto - to),
                (int)(to - from), -1.0, w->W + from * rows + r0, (int)rows,
                w->F + to + from * n, (int)n, 1.0, w->W + to * rows + r0, (int)rows);
}

/* Columns i1..i2 of rows r0..r0+pr, SUB_BLOCK columns at a time: the
 * reference's per-column updates inside a block, two-level blocked so that
 * most of the block's own update is BLAS-3 too. */
static int gptq_block_panel(qrd_matq_work *w, const qrd_matq_grid *g, size_t i1, size_t i2,
                            size_t r0, size_t pr, int32_t *Z)
{
  int overflow = 0;
  for (size_t s1 = i1; s1 < i2; s1 += SUB_BLOCK) {
    size_t s2 = i2 - s1 > SUB_BLOCK ? s1 + SUB_BLOCK : i2;
    overflow |= gptq_sub_block(w, g, s1, s2, r0, pr, Z);
    gptq_push(w, s1, s2, i2, r0, pr);
  }
  return overflow;
}

static int gptq_quantise(qrd_matq_work *w, double scale, qrd_matq_result *out)
{
  const double *th = w->m.params;
  size_t rows = w->p->rows, n = w->p->n, block = (size_t)th[P_BLOCK];
  qrd_matq_grid g;
  int st = qrd_matq_grid_setup(w, th, scale, &g);
  if (st)
    return st;
  qrd_matq_working_copy(w);
  for (size_t i1 = 0; i1 < n; i1 += block) {
    size_t i2 = n - i1 > block ? i1 + block : n;
    for (size_t r0 = 0; r0 < rows; r0 += PANEL_ROWS)
      if (gptq_block_panel(w, &g, i1, i2, r0, rows - r0 < PANEL_ROWS ? rows - r0 : PANEL_ROWS,
                           out->Z))
        return qrd_error_set(QRD_EDOM, "%s: step %g gives codes beyond int32", w->m.spec,
                             scale);
    gptq_push(w, i1, i2, n, 0, rows); /* the lazy trailing update */
  }
  for (size_t k = 0; k < n; k++) {
    double u = w->F[k * n + k];
    w->scratch[k] = g.absmax ? 1.0 : scale;
    w->scratch[n + k] = 1.0;
    w->scratch[2 * n + k] = 1.0 / (u * u);
  }
  qrd_matq_finish(w, g.absmax ? NAN : scale, out);
  out->side_bits = qrd_matq_grid_side_bits(w, th);
  return QRD_OK;
}

const qrd_matq_type qrd_matq_gptq = {
  .name = "gptq",
  .doc = "GPTQ (IST-DASLab reference): U = chol(H^-1), lazy block updates",
  .n_params = sizeof gptq_params / sizeof gptq_params[0],
  .params = gptq_params,
  .integer_params = QRD_MATQ_GRID_INTEGERS | 1u << P_BLOCK | 1u << P_ACTORDER,
  .fixed_grid = qrd_matq_fixed_grid,
  .prepare = gptq_prepare,
  .quantise = gptq_quantise,
};

/* ---- sic: GPTQ as back-to-front SIC on the reversed order ---- */

static const qrd_param_def sic_params[] = {
  BLOCK_PARAM,
  DAMP_PARAM,
  ACTORDER_PARAM,
};

/* F <- L' = chol(P H P), P reversing GPTQ's processing order. */
static int sic_prepare(qrd_matq_work *w)
{
  const double *th = w->m.params;
  size_t n = w->p->n;
  int st = damped_hessian(w, th[S_DAMP], th[S_ACTORDER] != 0.0, 1);
  if (st)
    return st;
  w->back_to_front = 1;
  return qrd_matq_chol_status(LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (int)n, w->F, (int)n),
                              w->m.spec, "the damped Sigma");
}

static int sic_quantise(qrd_matq_work *w, double scale, qrd_matq_result *out)
{
  if (!(scale > 0.0 && isfinite(scale)))
    return qrd_error_set(QRD_EINVAL, "%s: step %g (allowed: finite, > 0)", w->m.spec, scale);
  for (size_t k = 0; k < w->p->n; k++)
    w->scratch[k] = scale;
  int st = qrd_matq_sic_quantise(w, (size_t)w->m.params[S_BLOCK], QRD_LMMSE_OFF, scale, out);
  out->side_bits = 16.0 / ((double)w->p->rows * (double)w->p->n);
  return st;
}

const qrd_matq_type qrd_matq_sic = {
  .name = "sic",
  .doc = "GPTQ's codes computed as equal-step SIC on the reversed order (Y = W L')",
  .n_params = sizeof sic_params / sizeof sic_params[0],
  .params = sic_params,
  .integer_params = 1u << S_BLOCK | 1u << S_ACTORDER,
  .prepare = sic_prepare,
  .quantise = sic_quantise,
};
