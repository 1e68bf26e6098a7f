/* Bit counting for variable-length formats (spec §2.7) and tuning a grid to
 * a target rate (§2.8).
 *
 * Symbols are cell indices 0..n-1, given by their counts in a sample (for
 * instance from qrd_sorted_eval).  No table or model cost is ever counted. */
#ifndef QRD_MC_ENTROPY_H
#define QRD_MC_ENTROPY_H

#include <stddef.h>

/* Empirical entropy of counts, bits per symbol (0 when all counts are 0). */
double qrd_entropy_of_counts(const size_t *counts, size_t n);

/* Ideal code length in bits of a sample with counts[0..n-1] under the fixed
 * model p(k) = (train[k] + 1) / (N_train + n) of an independent training
 * sample's counts (+1 smoothing per symbol, so every symbol is codable):
 * sum_k counts[k] (-log2 p(k)). */
int qrd_entropy_ideal_bits(const size_t *train, const size_t *counts, size_t n,
                           double *bits);

/* Huffman code lengths.  The workspace holds up to `nmax` symbols. */
typedef struct qrd_huffman qrd_huffman;

qrd_huffman *qrd_huffman_alloc(size_t nmax);
void qrd_huffman_free(qrd_huffman *h);

/* len[0..n-1] <- optimal prefix-code lengths for weights w (finite, >= 0,
 * any scale).  Every symbol gets a code, zero weights included (they get
 * the longest codes), so the Kraft sum is exactly 1.  n = 1 gets length 1:
 * a stream needs a bit per symbol unless its length is sent separately.
 * Ties are broken deterministically: leaves sort by (weight, index), and a
 * leaf is taken before a merged node of equal weight (which also gives the
 * minimum-variance code). */
int qrd_huffman_lengths(qrd_huffman *h, const double *w, size_t n, unsigned *len);

/* The same from integer weights (exact below 2^53). */
int qrd_huffman_lengths_counts(qrd_huffman *h, const size_t *counts, size_t n,
                               unsigned *len);

/* Coded size in bits: sum_k counts[k] len[k]. */
double qrd_code_bits(const size_t *counts, const unsigned *len, size_t n);

/* ---- grid tuning (§2.8, synthetic) ----
 *
 * bits(b0): total coded bits of the sample when the grid is built with
 * parameter b0 (e.g. round(2^b0) levels).  Returns a status; a failure
 * stops the search and is returned. */
typedef int (*qrd_bits_fn)(double b0, void *params, double *bits);

typedef struct {
  double b0;   /* grid parameter found, in [b, b + 8) */
  double bits; /* bits(b0) */
  double rate; /* bits / n: the achieved b, which is what to plot */
  int evals;   /* calls of bits() */
} qrd_grid_tune_result;

/* Minimises (bits(b0)/n - b)^2 over b0 in [b, b + 8) by bounded Brent
 * (gsl_min_fminimizer_brent) after a scan of up to 63 interior points that
 * finds the bracket (b0 = b itself when that is best).  bits() should grow
 * with b0 (up to steps and small dips): the scan stops once the rate is a
 * bit above b and past the best point, sparing the largest grids.  bits() is typically a step function of b0 (integer level
 * counts), so the target is met only approximately; the best point
 * evaluated is returned, b0 = b included (a grid of the family: when even
 * it overshoots, it is the closest one).  QRD_EMAXITER when the rate stays
 * below b up to b + 8 (out of reach) or Brent does not converge; *out then
 * still holds the best point seen. */
int qrd_grid_tune(qrd_bits_fn bits, void *params, size_t n, double b,
                  qrd_grid_tune_result *out);

#endif
