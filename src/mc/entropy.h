/* Bit counting for variable-length formats ; tuning a format to
 * a target rate is mc/rate_tune.h.
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

#endif
