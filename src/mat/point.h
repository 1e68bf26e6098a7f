/* One evaluation point of weight-only quantisation with known Sigma
 * (docs/methods-watersic.md): (Sigma, W, method, rotation, target rate) ->
 * the rates achieved (every kind named), the weighted MSE D, the
 * information-theoretic references at those rates and the gaps in bits.
 * `qrd matq` and the figures fig-20 ... fig-26 are built on it.
 *
 * Usage, for one Sigma and one law of W's entries:
 *
 *   qrd_matq_point_limits *lim;  qrd_matq_point_limits_alloc(&law, n, Sigma, &lim);
 *   qrd_matq_point_work *w = qrd_matq_point_work_alloc(n, rows);
 *   qrd_matq_point_draw_w(&law, rows, n, seed, W);          (or your own W)
 *   qrd_matq_point_opts o;  qrd_matq_point_opts_default(&o);
 *   o.method = &m;  o.target = 4.0;  o.rotate = QRD_ROTATE_HAAR;
 *   o.rotate_seed = qrd_matq_point_rotate_seed(seed);
 *   qrd_matq_point pt;
 *   qrd_matq_point_eval(&o, lim, &(qrd_matq_problem){rows, n, W, Sigma}, w, &pt);
 *   ... pt.col.bits, pt.D, pt.at_col.d_it, pt.at_col.gap ...
 *   qrd_matq_point_result(w)   (codes Z, steps, d of the last run)
 *
 * The limits are read-only after _alloc and can be shared by threads; a
 * work must be private to its thread.  Evaluation runs OpenBLAS kernels:
 * for results independent of the thread count, call
 * qrd_openblas_set_threads(1) (io/blasinfo.h) and parallelise over points.
 *
 * Rates.  Every point reports, without side information (it is given
 * separately in side_bits):
 *   col    per-column plug-in entropy + Miller-Madow  (entropy_col+mm),
 *          the rate the theory models and the one the gaps use first;
 *   pool   pooled plug-in entropy + Miller-Madow      (entropy_pooled+mm),
 *          the authors' code's rate;
 *   fixed  log-cardinality log2(max - min + 1)        (fixed).
 * The target is hit in opts.tune_how's rate (default entropy_col+mm, no
 * side info) by qrd_matq_tune, or not at all with opts.nominal (one run at
 * the nominal step for the law's sigma; the achieved rate then
 * differs at low rate).
 *
 * References at a rate R (qrd_matq_point_reference), mu = sigma^2 eig(Sigma):
 *   d_it   reverse waterfilling on mu: the Gaussian limit;
 *   d_slb  Shannon lower bound 2^{2h}/(2 pi e) det(Sigma)^{1/n} 2^{-2R};
 *   d_ref  d_it for Gaussian W, d_slb otherwise;
 *   gap    1/2 log2(D / d_ref) bits.
 * For Gaussian W and R >= highrate_min_rate the two bounds coincide. */
#ifndef QRD_MAT_POINT_H
#define QRD_MAT_POINT_H

#include <stddef.h>

#include "core/config.h"
#include "dist/dist.h"
#include "mat/cov.h"
#include "mat/matq.h"
#include "mat/rates.h"
#include "mat/rotate.h"

/* ---- what a Sigma and a law of W allow ---- */

typedef struct {
  size_t n;
  double sigma2;     /* variance of one weight */
  double h_bits;     /* its differential entropy, bits */
  int gaussian;      /* W's law is Gaussian: d_ref is reverse waterfilling */
  double *mu;        /* n: sigma2 times the eigenvalues of Sigma, ascending */
  double det_root;   /* det(Sigma)^{1/n} = GM(eig); 0 for a singular Sigma */
  double am_lambda;  /* AM(eig) = tr(Sigma)/n */
  double highrate_min_rate; /* 1/2 log2(GM(mu)/min mu): reverse waterfilling
                             * has its closed form sigma^2 det^{1/n} 2^{-2R}
                             * from here on (+INF when Sigma is singular) */
} qrd_matq_point_limits;

/* *out <- the eigenvalues of Sigma (n x n, both triangles) and the facts
 * above for entries of W distributed as `law`.  QRD_EDOM for a law of
 * infinite variance. */
int qrd_matq_point_limits_alloc(const qrd_dist *law, size_t n, const double *Sigma,
                                qrd_matq_point_limits **out);
void qrd_matq_point_limits_free(qrd_matq_point_limits *lim);

typedef struct {
  double rate;   /* R the references are taken at */
  double d_it;   /* reverse waterfilling D_IT(R) on mu */
  double d_slb;  /* Shannon lower bound at R */
  double d_ref;  /* d_it (Gaussian W) or d_slb */
  double gap;    /* 1/2 log2(D / d_ref) */
  int high_rate; /* R >= highrate_min_rate */
} qrd_matq_point_ref;

/* The references at rate R >= 0 and the gap of distortion D there. */
int qrd_matq_point_reference(const qrd_matq_point_limits *lim, double D, double rate,
                             qrd_matq_point_ref *ref);

/* ---- one point ---- */

typedef struct {
  const qrd_matq *method;
  /* Change of basis applied to copies of Sigma and W before the method
   * (W -> W Q, Sigma -> Q^T Sigma Q; D is basis-free).  act-order reads
   * Sigma; the random kinds draw from rotate_seed. */
  qrd_rotate_kind rotate;
  unsigned long rotate_seed;
  double target;          /* bits; must be NAN for a method on a fixed grid */
  int nominal;            /* 1: one run at the nominal step, no tuning */
  qrd_rate_opts tune_how; /* the rate `target` is about */
} qrd_matq_point_opts;

/* method NULL, no rotation, target NAN, tuned in entropy_col+mm. */
void qrd_matq_point_opts_default(qrd_matq_point_opts *o);

typedef struct {
  double scale;    /* Delta or c of the run (NAN on a fixed grid) */
  int evals;       /* quantisations run to find it */
  qrd_rate col;    /* entropy_col+mm */
  qrd_rate pool;   /* entropy_pooled+mm */
  qrd_rate fixed;  /* log-cardinality */
  double side_bits;   /* the method's side information, bits per weight */
  double D;           /* tr(E Sigma E^T)/(rows n) with the undamped Sigma */
  double signal;      /* tr(W Sigma W^T)/(rows n): D/signal is the relative MSE */
  /* High-rate prediction from the run's steps alpha and weights d:
   * D = (2^{2h}/12) mean_d 2^{-2R} with mean_d = AM(d alpha^2)/GM(alpha^2),
   * i.e. AM(d) for one step (GPTQ, RTN) and GM(d) = det^{1/n} for WaterSIC;
   * NAN on a fixed grid or when a column was dropped. */
  double mean_d;
  double excess_pred; /* 1/2 log2(mean_d / det_root): predicted gap - 0.2546 */
  qrd_matq_point_ref at_col;  /* references and gap at col.bits */
  qrd_matq_point_ref at_pool; /* at pool.bits */
} qrd_matq_point;

typedef struct qrd_matq_point_work qrd_matq_point_work;

/* Workspace for problems up to n columns and `rows` rows. */
qrd_matq_point_work *qrd_matq_point_work_alloc(size_t n, size_t rows);
void qrd_matq_point_work_free(qrd_matq_point_work *w);

/* Evaluates one point of problem p (W rows x n row-major; Sigma the
 * limits' matrix).  Errors of the method, the tuning (QRD_EMAXITER) and
 * the rotation are passed on with their detail. */
int qrd_matq_point_eval(const qrd_matq_point_opts *o, const qrd_matq_point_limits *lim,
                        const qrd_matq_problem *p, qrd_matq_point_work *w,
                        qrd_matq_point *out);

/* The last run's codes, steps and weights, in the rotated basis. */
const qrd_matq_result *qrd_matq_point_result(const qrd_matq_point_work *w);

/* The rate `how` names of pt's codes, in bits per weight: how->kind picks
 * col, pool or fixed (the entropies carry Miller-Madow whatever
 * how->miller_madow says), plus side_bits when how->side_info. */
double qrd_matq_point_rate_of(const qrd_matq_point *pt, const qrd_rate_opts *how);

/* *rate <- that rate and *gap <- the gap of pt's D to lim's reference
 * there (qrd_matq_point_reference). */
int qrd_matq_point_gap_of(const qrd_matq_point_limits *lim, const qrd_matq_point *pt,
                          const qrd_rate_opts *how, double *rate, double *gap);

/* Is S (n x n) a multiple of I?  Then every column is alike and the
 * scalar results for iid weights apply to each. */
int qrd_matq_point_scaled_identity(size_t n, const double *S);

/* ---- many points in parallel ---- */

typedef struct {
  qrd_matq_point_opts opts;
  const qrd_matq_point_limits *lim;
  const qrd_matq_problem *problem; /* shared read-only between jobs */
  int skip;             /* 1: not run (out and status left as they are) */
  qrd_matq_point out;   /* set by the run */
  int status;           /* QRD_OK or the job's failure */
  char error[256];      /* its detail */
} qrd_matq_point_job;

/* Runs jobs[0..n_jobs) in an OpenMP loop (dynamic schedule, one workspace
 * per thread sized for the largest problem), each job writing only its
 * own slot, so the outputs do not depend on the number of threads when
 * OpenBLAS runs one thread.  Jobs that rotate the same problem (pointer)
 * by the same kind and seed share one rotated copy, made once (the bits
 * qrd_matq_point_eval's own rotation gives), before the jobs when all
 * such copies fit in 1 GiB, else by the first job that needs it and
 * freed after the last; jobs on the same problem in the same basis
 * (rotated or not) share its signal, computed once.  A job that repeats
 * an earlier running one (the same problem in the same basis, method,
 * target, nominal flag and rate; act-order on a Sigma whose diagonal is
 * already decreasing being no rotation) is not run again but given its
 * result, the same bits it would have computed.  progress (may be
 * NULL) is called after each job, one call at a time.  Every job runs;
 * returns QRD_OK, or the status of the first failed job in index order
 * with its detail, and its index in *failed (may be NULL). */
typedef void (*qrd_matq_point_progress_fn)(void *ctx, const qrd_matq_point_job *job);
int qrd_matq_point_batch(qrd_matq_point_job *jobs, size_t n_jobs,
                         qrd_matq_point_progress_fn progress, void *ctx, size_t *failed);

/* ---- seeds and samples ----
 * One seed S drives a run: Sigma's random draws use S itself (cov.h), W
 * and the rotation the independent streams below, so that a Haar-rotated
 * family (haar=1) and a Haar rotation of the method are not the same Q. */

#define QRD_MATQ_POINT_STREAM_W 100
#define QRD_MATQ_POINT_STREAM_ROTATE 101

unsigned long qrd_matq_point_rotate_seed(unsigned long seed);

/* W (rows x n, row-major) <- iid draws from law with stream
 * QRD_MATQ_POINT_STREAM_W of seed: thread-count independent, and fewer
 * rows with the same seed are a prefix. */
int qrd_matq_point_draw_w(const qrd_dist *law, size_t rows, size_t n, unsigned long seed,
                          double *W);

/* *law <- a Gaussian at the RMS of the first `rows` rows of a file's W
 * (column-major, file_rows x n, as qrd_cov_read_w gives it; summed row by
 * row): the law of a real W's references (waterfilling, Shannon bound).
 * QRD_EDOM naming `what` if that RMS is not finite and > 0. */
int qrd_matq_point_file_w_law(const double *w_file, size_t file_rows, size_t rows, size_t n,
                              const char *what, qrd_dist *law);

/* ---- a panel: one Sigma and one W that many points share ---- */

typedef struct {
  qrd_matq_problem p;          /* rows x n: W and Sigma below */
  double *W, *Sigma;
  qrd_matq_point_limits *lim;  /* of Sigma and law */
} qrd_matq_point_panel;

/* pn <- a copy of Sigma (n x n), its limits for law, and W (rows x n)
 * iid from law drawn with w_seed itself (qrd_sample_fill: fig-24 ...
 * fig-26 draw W so; pass qrd_sample_stream(seed, QRD_MATQ_POINT_STREAM_W)
 * for the stream of qrd_matq_point_draw_w).  On failure pn holds nothing
 * to free. */
int qrd_matq_point_panel_alloc(const qrd_dist *law, size_t rows, size_t n,
                               const double *Sigma, unsigned long w_seed,
                               qrd_matq_point_panel *pn);
/* The same with Sigma built from cov (cov.h) with `seed`, W drawn with
 * w_seed. */
int qrd_matq_point_panel_build(const qrd_dist *law, size_t rows, size_t n, const qrd_cov *cov,
                               unsigned long seed, unsigned long w_seed,
                               qrd_matq_point_panel *pn);
/* The same with W from `seed` too. */
int qrd_matq_point_panel_cov(const qrd_dist *law, size_t rows, size_t n, const qrd_cov *cov,
                             unsigned long seed, qrd_matq_point_panel *pn);
void qrd_matq_point_panel_free(qrd_matq_point_panel *pn);

/* ---- figure configs ----
 * Readers for the keys the figure drivers built on this module share;
 * errors name FILE:LINE, the key and the value (core/config.h). */

/* Keys n (1 .. QRD_MATQ_POINT_MAX_N), rows (rows x n <=
 * QRD_MATQ_POINT_MAX_ENTRIES) and tune (1: tune each run to its target;
 * 0: nominal step), all whole.  The bounds are costs: the eigenvalues and
 * the methods are O(n^3) and O(rows n^2) per run, and qrd sigma at
 * n = 4096 takes about two minutes on one core. */
#define QRD_MATQ_POINT_MAX_ENTRIES ((size_t)1 << 24)
#define QRD_MATQ_POINT_MAX_N ((size_t)4096)
int qrd_matq_point_config_problem(qrd_config *cfg, size_t *n, size_t *rows, int *tune);

/* One method spec (matq.h) of registry type `type` on an unbounded grid
 * (a step to tune), e.g. key "watersic" = watersic:damp=0,drop=0. */
int qrd_matq_point_config_method(qrd_config *cfg, const char *key, const char *type,
                                 qrd_matq *m);

/* 1 to max method specs of any type, each on an unbounded grid. */
int qrd_matq_point_config_methods(qrd_config *cfg, const char *key, qrd_matq *m, size_t max,
                                  size_t *n);

/* 1 to max covariance specs (cov.h): with n > 0, each must have order n
 * (a file's own order included); with n = 0, families only (no files),
 * for a driver that picks the order itself. */
int qrd_matq_point_config_covs(qrd_config *cfg, const char *key, size_t n, qrd_cov *c,
                               size_t max, size_t *count);

/* 1 to max rotation names (rotate.h). */
int qrd_matq_point_config_rotations(qrd_config *cfg, const char *key, qrd_rotate_kind *r,
                                    size_t max, size_t *n);


#endif
