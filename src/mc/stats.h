/* Standard errors of Monte Carlo estimates.
 *
 * Two estimators cover the library: the mean of independent draws (block
 * maxima, per-batch means) with the usual standard error, and the
 * delete-one jackknife for any smooth function of batch sums (ratios such
 * as Orr et al.'s R, entropies), whose plain standard error would ignore
 * the correlation of numerator and denominator. */
#ifndef QRD_MC_STATS_H
#define QRD_MC_STATS_H

#include <math.h>
#include <stddef.h>

/* A running sum and sum of squares, for a mean and its standard error
 * without keeping the draws. */
typedef struct {
  double sum, sum2;
  size_t n;
} qrd_moments;

static inline void qrd_moments_add(qrd_moments *m, double v)
{
  m->sum += v;
  m->sum2 += v * v;
  m->n++;
}

/* max |x_i| over x[0 .. n) (0 for n = 0; a NaN is passed over, as fmax
 * passes it over).  A maximum is exact in any order, so the compares go
 * four or eight at a time: fmax, for its NaN rules, was a libm call per
 * value (15% of fig-4). */
static inline double qrd_max_abs(const double *x, size_t n)
{
  double m = 0.0;
#pragma omp simd reduction(max : m)
  for (size_t i = 0; i < n; i++) {
    double a = fabs(x[i]);
    m = a > m ? a : m;
  }
  return m;
}

/* The mean and its standard error sqrt(s^2 / n) (s^2 the unbiased
 * variance, floored at 0 against cancellation); n >= 2. */
void qrd_moments_mean_se(const qrd_moments *m, double *mean, double *se);

/* The jackknife standard error sqrt((n-1)/n sum (t_k - mean t)^2) from the
 * n delete-one estimates t_k = loo[k * stride]; NAN for n < 2. */
double qrd_jackknife_se(const double *loo, size_t stride, size_t n);

/* The statistic of n batches with batch `skip` left out (skip = n: all
 * of them) into out[0..dim-1]; ctx is the caller's. */
typedef void (*qrd_jackknife_fn)(void *ctx, size_t skip, double *out);

/* The delete-one jackknife of a dim-valued statistic of n batches:
 * value <- the statistic of all batches, se[j] <- qrd_jackknife_se of
 * its n delete-one values (loo: workspace of n dim doubles).  How to
 * leave a batch out (subtract it from totals, or skip it) is the
 * statistic's, so the rounding of each estimator stays its own. */
void qrd_jackknife(qrd_jackknife_fn stat, void *ctx, size_t n, size_t dim, double *loo,
                   double *value, double *se);

/* The mean and standard error over the n / b blocks of b values of
 * x[0..n-1] (n a multiple of b, at least 2 blocks) of the block maximum of
 * |x|, the quantity block absmax scaling divides by. */
void qrd_mc_block_absmax_stats(const double *x, size_t n, size_t b, double *mean, double *se);

#endif
