/* GPTQ's high-rate excess over WaterSIC, 1/2 log2(AM(d)/GM(d)), where d
 * are GPTQ's conditional variances (cov.h): GPTQ divides every column by
 * one step, so its high-rate D grows with AM(d), WaterSIC's with GM(d)
 * (limits.h, qrd_highrate_sic).  No quantisation is run: the excess is a
 * function of Sigma, its change of basis and GPTQ's damping alone.
 *
 * The sweep (qrd_excess_sweep) measures it, without the method, over
 * covariance families x sizes x rotations, profiles of d_j along GPTQ's
 * processing order, and Wishart sample covariances of AR(1) with GPTQ's
 * damping; draw k uses the seed qrd_sample_stream(seed, k) for the family
 * and the rotation alike, so all families of one draw share one Haar Q
 * (drawn once per size and draw by each process that runs a point of
 * them). */
#ifndef QRD_MAT_EXCESS_H
#define QRD_MAT_EXCESS_H

#include <stddef.h>

#include "core/config.h"
#include "mat/cov.h"
#include "mat/rotate.h"

/* ---- closed forms ---- */

/* 1/2 log2(AM(d)/GM(d)) of d[0 .. n), all > 0. */
double qrd_excess_bits(size_t n, const double *d);

/* The excess of the two-level spectrum (half eps, half 1) in any order
 * GPTQ sees it diagonal: 1/2 log2((1 + eps)/(2 sqrt eps)). */
double qrd_excess_two_level(double eps);

/* E[excess] of the Wishart sample covariance of AR(1) rho (I for rho = 0)
 * with T >= n samples, from the Bartlett decomposition: chol(Sigma_hat) =
 * L0 chol(G G^T / T), whose i-th squared diagonal is d0_i chi2_{T-i} / T,
 * independent over i; AR(1) is persymmetric, so GPTQ's reversed order has
 * the same law.  AM is replaced by its mean (its fluctuation is
 * O(1/sqrt(n T))). */
double qrd_excess_bartlett(size_t n, size_t T, double rho);

/* Mean and sample standard deviation of x[0], x[stride], ...,
 * x[(k-1) stride] (sd 0 for one value). */
void qrd_excess_mean_sd(const double *x, size_t k, size_t stride, double *mean, double *sd);

/* ---- the sweep ---- */

#define QRD_EXCESS_MAX_FAMILIES QRD_CONFIG_MAX_LIST
#define QRD_EXCESS_MAX_SIZES 8
#define QRD_EXCESS_MAX_ROTATIONS 5
#define QRD_EXCESS_MAX_PROFILES 4
#define QRD_EXCESS_MAX_RATIOS 16
#define QRD_EXCESS_MAX_RHOS 4
#define QRD_EXCESS_MAX_DAMPS 4
#define QRD_EXCESS_MAX_DRAWS 64
#define QRD_EXCESS_MAX_N 16384

typedef struct {
  /* the table: families (no files) at each size, draws[i] at size i */
  qrd_cov family[QRD_EXCESS_MAX_FAMILIES];
  size_t n_family;
  unsigned long size[QRD_EXCESS_MAX_SIZES], draws[QRD_EXCESS_MAX_SIZES];
  size_t n_size;
  qrd_rotate_kind rot[QRD_EXCESS_MAX_ROTATIONS];
  size_t n_rot;
  /* profiles: d_j / GM(lambda) of each family at profile_n, every rotation */
  qrd_cov profile[QRD_EXCESS_MAX_PROFILES];
  size_t n_profile;
  unsigned long profile_n, profile_draws;
  /* Wishart of AR(1) rho with T = ratio n samples, natural order, damped */
  double ratio[QRD_EXCESS_MAX_RATIOS], rho[QRD_EXCESS_MAX_RHOS], damp[QRD_EXCESS_MAX_DAMPS];
  size_t n_ratio, n_rho, n_damp;
  unsigned long wishart_n, wishart_draws;
} qrd_excess_plan;

/* Whether a rotation of the plan needs n a power of two (hadamard,
 * sylvester). */
int qrd_excess_plan_needs_power_of_two(const qrd_excess_plan *p);

/* The Wishart sample count T of ratio b: round(ratio n), at least 1. */
size_t qrd_excess_wishart_samples(const qrd_excess_plan *p, size_t b);

typedef struct qrd_excess_sweep qrd_excess_sweep;

/* Plans the points of p (which must outlive the sweep) with `seed`: one
 * per draw of each family at each size, of each profile family, and of
 * each Wishart (rho, ratio); a family is random when draws 0 and 1 differ
 * at the smallest size. */
int qrd_excess_sweep_alloc(const qrd_excess_plan *p, unsigned long seed, qrd_excess_sweep **out);
void qrd_excess_sweep_free(qrd_excess_sweep *sw);

/* The plan the sweep was made for. */
const qrd_excess_plan *qrd_excess_sweep_plan(const qrd_excess_sweep *sw);

/* How many points the sweep has. */
size_t qrd_excess_sweep_items(const qrd_excess_sweep *sw);

/* Where point j keeps its results: *count doubles from the pointer
 * returned, written by the point alone and all that the tables,
 * profiles and Wishart means read of it, so that restoring them (a shard
 * of the sweep run elsewhere) is as good as running the point. */
double *qrd_excess_sweep_results(const qrd_excess_sweep *sw, size_t j, size_t *count);

/* Runs the points j with todo[j] set (todo NULL: every point) on every
 * thread, each writing only its own results (which therefore do not
 * depend on the thread count); the others keep theirs as they are.  The
 * Haar rotations those points share are made first (no point then:
 * *failed <- the point count if one fails).  done (may be NULL) is called
 * after each point that ran, one call at a time, with its index, status,
 * name and failure's detail ("" on success).  Returns QRD_OK or the first
 * failure, a point's in plan order with its index in *failed (may be
 * NULL) and its detail prefixed with the point's name. */
typedef void (*qrd_excess_done_fn)(void *ctx, size_t j, int status, const char *what,
                                   const char *error);
int qrd_excess_sweep_run(qrd_excess_sweep *sw, const unsigned char *todo,
                         qrd_excess_done_fn done, void *ctx, size_t *failed);

/* Draws behind table entry (family f, rotation r) at size i: all of them
 * when the family or the rotation is random, else 1. */
size_t qrd_excess_table_draws(const qrd_excess_sweep *sw, size_t i, size_t f, size_t r);

/* Mean and sd over those draws of the excess at (size i, family f,
 * rotation r). */
void qrd_excess_table(const qrd_excess_sweep *sw, size_t i, size_t f, size_t r, double *mean,
                      double *sd);

/* v <- the values of those draws, in draw order. */
void qrd_excess_table_values(const qrd_excess_sweep *sw, size_t i, size_t f, size_t r,
                             double *v);

/* Profile p, rotation r: mean[j], sd[j] over the draws of d_j / GM(lambda),
 * j < profile_n. */
void qrd_excess_profile(const qrd_excess_sweep *sw, size_t p, size_t r, double *mean,
                        double *sd);

/* Profile p's lines, means over the draws: HM(lambda)/GM(lambda),
 * AM(lambda)/GM(lambda). */
void qrd_excess_profile_lines(const qrd_excess_sweep *sw, size_t p, double *hm, double *am);

/* Mean and sd over the draws of the Wishart excess (rho a, ratio b, damp
 * c). */
void qrd_excess_wishart(const qrd_excess_sweep *sw, size_t a, size_t b, size_t c,
                        double *mean, double *sd);

#endif
