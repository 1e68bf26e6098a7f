/* Tuning a grid's level count to a target coded rate.
 *
 * For grid families that depend on their parameter only through an integer
 * level count n (a uniform grid of n points), the closest achievable rate
 * to a target is that of one of the two adjacent counts around it.  Secant
 * steps in log2 n (a rate grows by about a bit per doubling) bracket them
 * in about six probes, where a scan + Brent over a real parameter
 * (qrd_grid_tune) takes ~80: that matters when each probe is costly, such
 * as a bzip2 run.  The rate should grow with n; where it does not, the
 * search still ends, at a nearby count. */
#ifndef QRD_MC_LEVEL_TUNE_H
#define QRD_MC_LEVEL_TUNE_H

#include <stddef.h>

/* Total coded bits of the sample on the grid with n levels. */
typedef int (*qrd_level_bits_fn)(size_t n, void *ctx, double *bits);

typedef struct {
  size_t n;    /* level count whose rate is closest to the target */
  double bits; /* its total coded bits */
} qrd_level_fit;

/* The level count from 2 to max_levels whose rate bits(n) / numel is
 * closest to `target` bits per value (the larger-rate side wins ties of
 * distance only when nearer).  QRD_EMAXITER when the target is out of
 * reach below max_levels or no adjacent pair is bracketed in 48 probes;
 * a failure of bits() is returned as is. */
int qrd_level_tune(qrd_level_bits_fn bits, void *ctx, size_t numel, double target,
                   size_t max_levels, qrd_level_fit *out);

#endif
