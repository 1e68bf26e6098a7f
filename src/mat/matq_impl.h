/* Shared by the matrix quantisers of src/mat (not part of the API). */
#ifndef QRD_MAT_MATQ_IMPL_H
#define QRD_MAT_MATQ_IMPL_H

#include <math.h>
#include <stdint.h>

#include "mat/matq.h"

struct qrd_matq_work {
  size_t n_max, rows_max;
  double *W;         /* rows x n, column-major, storage order: the
                      * working copy (GPTQ overwrites a done column with its
                      * scaled error; the SIC holds Y there) */
  double *W0;        /* rows x n, column-major, storage order: the
                      * caller's W with dead columns zeroed (times L for
                      * the SIC), made at the first quantisation after
                      * prepare (a tuned run quantises a dozen times) */
  double *Wh;        /* rows x n, column-major, storage order: What */
  double *F;         /* n x n factor, column-major */
  double *scratch;   /* 3 n: per-position alpha, gamma, d of a run */
  size_t *order;     /* n: storage position -> column; GPTQ processes
                      * positions forwards, the SIC methods backwards */
  unsigned char *dead; /* n, by storage position */
  double *row_scale, *row_zero; /* rows: absmax grid */
  /* Set by qrd_matq_prepare. */
  qrd_matq m;
  const qrd_matq_problem *p;
  size_t n_active;
  int back_to_front; /* the SIC processes positions n_active-1 .. 0 */
  int prepared;
  int W0_ready;
  /* Set while qrd_matq_tune searches: only the codes' rate is read, so
   * qrd_matq_finish leaves What in w->Wh (what_pending) and the tuner
   * writes it once, for the run it keeps. */
  int defer_what, what_pending;
};

/* One grid for a whole run: z = round(x / step), or the reference's
 * per-row absmax grid clamp(round(x / scale_r) + zero_r, 0, maxq) - zero_r. */
typedef struct {
  double step;
  int absmax;
  double maxq;
  const double *scale, *zero;
} qrd_matq_grid;

/* Code and value of x in row r; non-zero when the code leaves int32. */
static inline int qrd_matq_grid_code(const qrd_matq_grid *g, size_t r, double x,
                                     int32_t *z, double *q)
{
  if (g->absmax) {
    double k = fmin(fmax(nearbyint(x / g->scale[r]) + g->zero[r], 0.0), g->maxq) - g->zero[r];
    *z = (int32_t)k;
    *q = g->scale[r] * k;
    return 0;
  }
  double k = nearbyint(x / g->step);
  if (!(fabs(k) <= INT32_MAX))
    return 1;
  *z = (int32_t)k;
  *q = g->step * k;
  return 0;
}

/* The `bits` and `sym` parameters of the methods with an absmax grid;
 * GRID_BITS/GRID_SYM are their positions in such a method's list. */
#define QRD_MATQ_GRID_PARAMS                                                           \
  {.name = "bits", .def = NAN, .min = 1.0, .max = 16.0,                                \
   .doc = "per-row absmax INT grid with 2^bits levels (unset: unbounded grid, "        \
          "run-time step)"},                                                           \
  {.name = "sym", .def = 1.0, .min = 0.0, .max = 1.0,                                  \
   .doc = "absmax grid: 1 symmetric, 0 asymmetric (zero point per row)"}
enum { QRD_MATQ_GRID_BITS = 0, QRD_MATQ_GRID_SYM = 1 };
#define QRD_MATQ_GRID_INTEGERS 3u

int qrd_matq_fixed_grid(const double *theta);

/* Row scales and zero points of the absmax grid from the caller's W
 * (before any dead column is zeroed, as the reference). */
void qrd_matq_absmax_rows(qrd_matq_work *w, double bits, int sym);

/* The grid of a run: absmax when theta has bits, else step `scale`
 * (checked: finite and > 0, NAN on an absmax grid). */
int qrd_matq_grid_setup(const qrd_matq_work *w, const double *theta, double scale,
                        qrd_matq_grid *g);

/* Side information of a grid (bits per weight). */
double qrd_matq_grid_side_bits(const qrd_matq_work *w, const double *theta);

/* dst (rows x k, column-major) <- columns order[0..k) of src (rows x n,
 * row-major), and back. */
void qrd_matq_gather(size_t rows, size_t n, const double *src, const size_t *order,
                     size_t k, double *dst);
void qrd_matq_scatter(size_t rows, size_t n, const double *src, const size_t *order,
                      size_t k, double *dst);

/* w->W <- the active columns of W in storage order, column-major, dead
 * ones zeroed, and for the SIC methods (back_to_front) times L = w->F
 * (n_active square, lower triangular): the SIC's Y = W L.  A copy of
 * w->W0, made at the first call after prepare: the problem's W is read,
 * and Y multiplied, once per prepare, not once per step of a tuned run. */
void qrd_matq_working_copy(qrd_matq_work *w);

/* The SIC methods' run: Y = W L with L = w->F (n_active square) as the
 * working copy, qrd_sic_run with the W-domain steps in
 * w->scratch[0..n_active), d = L_kk^2, then qrd_matq_finish. */
int qrd_matq_sic_quantise(qrd_matq_work *w, size_t block, int lmmse, double scale,
                          qrd_matq_result *out);

/* Fills the per-column outputs from w->scratch (alpha, gamma, d by
 * storage position), What from w->Wh (unless w->defer_what), and zeros
 * the dropped columns. */
void qrd_matq_finish(qrd_matq_work *w, double scale, qrd_matq_result *out);

/* F (k x k, column-major) <- Sigma[order][order]. */
void qrd_matq_permuted_sigma(const qrd_matq_problem *p, const size_t *order, size_t k,
                             double *F);

/* LAPACK status of a Cholesky factorisation as a qrd status. */
int qrd_matq_chol_status(int info, const char *method, const char *what);

/* sqrt(2 pi e) sigma 2^-rate: the step of an entropy-coded uniform grid
 * at `rate` bits for Gaussian data (docs/methods-watersic.md). */
double qrd_matq_nominal_step(double sigma, double rate);

#endif
