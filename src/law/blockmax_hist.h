/* The law of absmax-normalised N(0,1) values X = W / max_i |W_i| over
 * blocks of B, binned on [-1, 1], measured against the exact law
 * (law/blockmax.h): a sample's bin densities with a standard error over
 * QRD_BLOCK_BATCHES batches of whole blocks (which keeps the dependence
 * within a block: the shared maximum and its +-1 atom), the exact bin
 * densities (atoms of 1/(2B) at -1 and +1 in the end bins) and how far
 * the two disagree in standard errors.  Bin k is
 * [-1 + 2k/bins, -1 + 2(k+1)/bins), its centre qrd_normalised_bin_centre. */
#ifndef QRD_LAW_BLOCKMAX_HIST_H
#define QRD_LAW_BLOCKMAX_HIST_H

#include <stddef.h>

#include "fmt/block.h"
#include "law/blockmax.h"

/* count[j] (QRD_BLOCK_BATCHES rows of `bins`, batch k at count[j] + k bins)
 * <- per batch k of x (n values cut into QRD_BLOCK_BATCHES equal batches,
 * each a whole number of blocks of block[j]) how many values, normalised
 * by their block's absmax, fall in each bin.  Integer counts of
 * independent items, so the result does not depend on the thread count. */
void qrd_blockmax_count(const double *x, size_t n, const unsigned long *block, size_t n_block,
                        size_t bins, unsigned long *const *count);

typedef struct {
  size_t bins;
  double *hist, *se;  /* bins: sample density per bin and its standard error */
  double *exact;      /* bins: exact mass of the bin / its width */
  double max_z;       /* largest |hist - exact| / se over the bins */
  double mean_z2;     /* mean squared z (about 1 when se is right) */
} qrd_blockmax_hist;

/* h->hist, h->se from count (QRD_BLOCK_BATCHES rows of h->bins, batches
 * of `per` values each): the mean over the batches of the fraction in a
 * bin over the bin width, and the standard error of that mean. */
void qrd_blockmax_hist_density(const unsigned long *count, size_t per, qrd_blockmax_hist *h);

/* h->exact <- the bin masses of `law` (from its cdf, the -1 atom in the
 * first bin, the +1 atom in the last) over the bin width. */
void qrd_blockmax_hist_exact(const qrd_law *law, qrd_blockmax_hist *h);

/* h->max_z, h->mean_z2 from hist, se and exact (bins with se = 0 count
 * as z = 0). */
void qrd_blockmax_hist_agreement(qrd_blockmax_hist *h);

/* The whole comparison at block size B for N(0,1) blocks: exact bin
 * densities, the sample's (count as above) and their agreement, and
 * pdf[i] <- the continuous part f_B at x_i = -1 + 2i/(points - 1). */
int qrd_blockmax_hist_eval(const unsigned long *count, size_t per, double block,
                           size_t points, double *pdf, qrd_blockmax_hist *h);

/* x_i = -1 + 2i/(points - 1), the grid of the density curves. */
double qrd_blockmax_grid_point(size_t points, size_t i);

#endif
