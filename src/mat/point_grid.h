/* A grid of evaluation points (point.h): panels (one Sigma, W and law
 * each) x methods x target rates, as the rate-distortion figures sweep
 * them, with the statistics and reference curves they draw from it.
 *
 * Job i of the grid is (panel p, method m, rate r), the rate varying
 * fastest: i = (p n_method + m) n_rate + r. */
#ifndef QRD_MAT_POINT_GRID_H
#define QRD_MAT_POINT_GRID_H

#include <stddef.h>

#include "mat/point.h"

/* 1/2 log2(2 pi e / 12) to 11 digits: the high-rate gap of entropy-coded
 * scalar quantisation (WaterSIC's) to the Gaussian limit. */
#define QRD_MATQ_GAP_ECSQ 0.25461433480

typedef struct {
  const qrd_matq_point_panel *panel;
  size_t n_panel;
  const qrd_matq *method;         /* n_method methods */
  const qrd_rotate_kind *rotate;  /* per method, or NULL: none */
  unsigned long rotate_seed;
  size_t n_method;
  const double *rate;             /* n_rate targets */
  size_t n_rate;
  int nominal;                    /* 1: the nominal step, no tuning */
} qrd_matq_point_grid;

size_t qrd_matq_point_grid_size(const qrd_matq_point_grid *g);
void qrd_matq_point_grid_coords(const qrd_matq_point_grid *g, size_t i, size_t *p, size_t *m,
                                size_t *r);

/* *out <- the grid's jobs (tuned in point.h's default rate), for
 * qrd_matq_point_batch; the caller frees them. */
int qrd_matq_point_grid_jobs(const qrd_matq_point_grid *g, qrd_matq_point_job **out);

/* The result of job (p, m, r). */
const qrd_matq_point *qrd_matq_point_grid_at(const qrd_matq_point_grid *g,
                                             const qrd_matq_point_job *jobs, size_t p,
                                             size_t m, size_t r);

/* Over the rates r of panel p whose per-column rate reached min_rate: the
 * mean and sample sd (0 for one) of gap(m) - gap(m2) - offset at that
 * rate (m2 >= n_method: gap(m) - offset), gaps at the per-column rate;
 * *count <- how many rates (mean NAN for none). */
void qrd_matq_point_grid_gap_stats(const qrd_matq_point_grid *g, const qrd_matq_point_job *jobs,
                                   size_t p, size_t m, size_t m2, double offset, double min_rate,
                                   double *mean, double *sd, size_t *count);

/* Reverse waterfilling on lim at R_i = i step <= r_max (at most max
 * points): x[i] = R_i, db[i] = 10 log10 D_IT(R_i); and where R_i >= shift,
 * xs[k] = R_i, dbs[k] = 10 log10 D_IT(R_i - shift) and gs[k] =
 * 1/2 log2(D_IT(R_i - shift) / D_IT(R_i)).  *n, *ns <- the counts. */
int qrd_matq_point_waterfilling(const qrd_matq_point_limits *lim, double step, double r_max,
                                double shift, size_t max, double *x, double *db, size_t *n,
                                double *xs, double *dbs, double *gs, size_t *ns);

#endif
