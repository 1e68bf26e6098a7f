/* Weight-matrix quantisers with a known input covariance (docs/methods-watersic.md):
 * a registry of methods "rtn", "gptq", "sic" and "watersic".
 *
 * Problem: W (rows x n, row-major; rows are out-features, columns
 * in-features) and Sigma = E[X X^T] (n x n, symmetric; both triangles
 * must hold the same values).  A method turns W into integer codes Z and a
 * reconstruction
 *
 *     What[r][j] = row_scale[r] * alpha[j] * gamma[j] * Z[r][j].
 *
 * Methods (parameters in the "name:key=value,..." syntax of core/spec.h):
 *   rtn       round to nearest, no feedback;
 *   gptq      IST-DASLab GPTQ: dead features, act-order, damping,
 *             U = chol(H^-1) upper, lazy block updates through dgemm;
 *   sic       GPTQ computed as back-to-front successive interference
 *             cancellation on the reversed order: same codes barring
 *             exact ties, an independent route for the equivalence tests;
 *   watersic  WaterSIC: column steps alpha_i = c / L_ii, optional LMMSE
 *             gains, dropped dead features, natural order.
 *
 * Grids.  rtn and gptq take `bits=b` for the reference's per-row absmax INT
 * grid (maxq = 2^b - 1; the authors' Huffman-GPTQ is bits = R + 1); without
 * it they use the unbounded grid z = round(x / Delta) of GPTQ-EC with the
 * run-time step Delta.  sic uses the unbounded grid with step Delta;
 * watersic's run-time step is c, the common step of Y = W L.
 *
 * Usage: qrd_matq_parse, qrd_matq_work_alloc(n, rows) and
 * qrd_matq_result_alloc(n, rows) once; then qrd_matq_prepare (factorisation,
 * independent of the step) and qrd_matq_quantise for each step, or
 * qrd_matq_run for both, or qrd_matq_tune to hit a target rate. */
#ifndef QRD_MAT_MATQ_H
#define QRD_MAT_MATQ_H

#include <stddef.h>
#include <stdint.h>

#include "core/spec.h"
#include "mat/rates.h"

#define QRD_MATQ_MAX_PARAMS 8

/* LMMSE gain of watersic (docs/methods-watersic.md): off (gamma = 1), unclamped (the
 * authors' choice, the default) or clamped to [0, 1]. */
enum { QRD_LMMSE_OFF = 0, QRD_LMMSE_UNCLAMPED = 1, QRD_LMMSE_CLAMPED = 2 };

typedef struct {
  size_t rows, n;
  const double *W;     /* rows x n, row-major */
  const double *Sigma; /* n x n, symmetric; D is always measured with it */
} qrd_matq_problem;

typedef struct {
  size_t rows, n;     /* capacity (from _alloc) */
  int32_t *Z;         /* rows x n, row-major codes; 0 in dropped columns */
  double *What;       /* rows x n, row-major reconstruction */
  double *alpha;      /* n: W-domain step of column j (0 when dropped) */
  double *gamma;      /* n: LMMSE gain (1 when off, 0 when dropped) */
  double *d;          /* n: the weight of column j's error: its conditional
                       * variance given the columns processed after it, in
                       * the (damped) Sigma the method factorised; Sigma_jj
                       * for rtn; 0 when dropped */
  double *row_scale;  /* rows: absmax scale of row r (1 on unbounded grids) */
  size_t *order;      /* n: order[k] = column processed k-th; entries
                       * n_active..n-1 are the dropped columns */
  size_t n_active;    /* columns quantised; the others are dropped */
  double scale;       /* Delta or c used (NAN on an absmax grid) */
  double levels;      /* absmax grid: maxq + 1; 0 on unbounded grids */
  double side_bits;   /* side information, bits per weight: 16/n per row
                       * scale (32/n asymmetric), 16/rows per column step
                       * (watersic), 16 per dropped index, 16 per matrix for
                       * a single step */
} qrd_matq_result;

typedef struct qrd_matq_work qrd_matq_work;

typedef struct qrd_matq_type {
  const char *name;
  const char *doc;
  size_t n_params;
  const qrd_param_def *params;
  unsigned integer_params; /* bit i: parameter i must be a whole number */
  /* Non-zero when theta selects a fixed grid (no run-time step). */
  int (*fixed_grid)(const double *theta);
  /* Factorisation and everything else that does not depend on the step;
   * w holds the method and the problem. */
  int (*prepare)(qrd_matq_work *w);
  int (*quantise)(qrd_matq_work *w, double scale, qrd_matq_result *out);
  /* The step whose high-rate entropy per column is `rate` for iid W of
   * standard deviation sigma (docs/methods-watersic.md, "Hitting a rate"). */
  double (*nominal_scale)(const qrd_matq_work *w, double sigma, double rate);
} qrd_matq_type;

typedef struct {
  const qrd_matq_type *type;
  double params[QRD_MATQ_MAX_PARAMS];
  char spec[128]; /* canonical text, e.g. "gptq:actorder=1" */
} qrd_matq;

size_t qrd_matq_count(void);
const qrd_matq_type *qrd_matq_type_at(size_t i);
int qrd_matq_parse(const char *text, qrd_matq *m);

/* Workspace for problems up to n columns and `rows` rows: two rows x n
 * matrices, one n x n factor. */
qrd_matq_work *qrd_matq_work_alloc(size_t n, size_t rows);
void qrd_matq_work_free(qrd_matq_work *w);

qrd_matq_result *qrd_matq_result_alloc(size_t n, size_t rows);
void qrd_matq_result_free(qrd_matq_result *r);

/* Checks the problem and runs m's step-independent part.  *p must stay
 * unchanged while qrd_matq_quantise uses w. */
int qrd_matq_prepare(const qrd_matq *m, qrd_matq_work *w, const qrd_matq_problem *p);

/* Quantises the prepared problem with step `scale` (Delta, or c for
 * watersic); scale must be NAN on a fixed (bits=) grid. */
int qrd_matq_quantise(qrd_matq_work *w, double scale, qrd_matq_result *out);

/* prepare + quantise. */
int qrd_matq_run(const qrd_matq *m, qrd_matq_work *w, const qrd_matq_problem *p,
                 double scale, qrd_matq_result *out);

/* Nominal step for a target rate on the prepared problem: Delta =
 * sqrt(2 pi e) sigma 2^-rate; watersic c = sqrt(2 pi e) sigma GM(L_ii)
 * 2^-rate.  QRD_EINVAL on a fixed grid. */
int qrd_matq_nominal_scale(const qrd_matq_work *w, double sigma, double rate,
                           double *scale);

/* ---- hitting a target rate ---- */

#define QRD_MATQ_TUNE_TOL 1e-4 /* bits: stop when |rate - target| <= this */

typedef struct {
  double scale; /* step found */
  qrd_rate rate; /* rate achieved, of the kind asked for */
  int evals;     /* quantisations run */
} qrd_matq_tune_info;

/* Prepares, then finds the step whose rate (measured as `how` says) is
 * within QRD_MATQ_TUNE_TOL of target: bracketing from the nominal step
 * (sigma = RMS of W) and Illinois regula falsi on ln(step), rate being
 * non-increasing in the step.  `out` holds the result at the step
 * returned.  When the rate jumps over the target (few codes) the closer
 * side is returned with QRD_OK and info->rate says what was reached;
 * QRD_EMAXITER when no bracket or no convergence. */
int qrd_matq_tune(const qrd_matq *m, qrd_matq_work *w, const qrd_matq_problem *p,
                  const qrd_rate_opts *how, double target, qrd_matq_result *out,
                  qrd_matq_tune_info *info);

/* ---- the SIC core (docs/methods-watersic.md), exposed for tests and other methods ----
 *
 * Back-to-front over k = n-1..0 with s = alpha[k] L_kk:
 *   z = round(Y[:,k] / s) (half-to-even), gamma_k = <z,y>/(s<z,z>) (0 when
 *   z = 0; 1 when LMMSE is off), What[:,k] = gamma_k alpha_k z,
 *   Y[:, 0..k] -= What[:,k] (x) L[k, 0..k],
 * the part left of the current block of `block` columns deferred to one
 * dgemm per block.  On return Y = (W - What) L, so ||Y||_F^2 =
 * tr(E L L^T E^T) (the residual identity). */
typedef struct {
  size_t rows, n;
  double *Y;            /* rows x n, column-major: W L in, (W - What) L out */
  const double *L;      /* n x n lower Cholesky factor, column-major */
  const double *alpha;  /* n W-domain steps */
  int lmmse;            /* QRD_LMMSE_* */
  size_t block;         /* >= 1 */
  int32_t *Z;           /* codes of column k go to Z[r * ldz + col_of[k]] */
  size_t ldz;
  const size_t *col_of; /* NULL: k */
  double *What;         /* rows x n, column-major, in Y's column order */
  double *gamma;        /* n */
} qrd_sic_job;

/* QRD_EDOM when a code leaves the int32 range (step too small). */
int qrd_sic_run(const qrd_sic_job *job);

/* ---- Babai nearest-plane (docs/methods-watersic.md), the reference for the tests ----
 *
 * basis: n x n row-major, row i = b_i (linearly independent); targets:
 * m x n row-major.  Gram-Schmidt in order 0..n-1 (Householder QR of the
 * basis columns), then nearest plane from b*_{n-1} down to b*_0:
 * z[t][i] = round(<u, b*_i>/|b*_i|^2), u -= z[t][i] b_i.  Allocates its own
 * workspace. */
int qrd_babai_nearest_plane(size_t n, const double *basis, size_t m,
                            const double *targets, int32_t *z);

#endif
