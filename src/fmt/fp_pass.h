/* FP ExMy elements evaluated in closed form, several formats in one pass.
 *
 * An FP element (sign + E + M bits, bias 2^{E-1}, subnormals, no inf/NaN;
 * Orr et al.) clips to +-max and rounds to nearest with ties toward
 * zero: the codebook of qrd_element_fp(E, M, QRD_FP_NEAREST).  A value's
 * binade gives the spacing of its grid (the lowest normal binade's below
 * it: subnormals), and rounding on that spacing is exact arithmetic, so no
 * search over up to 2^16 levels is needed.  The formats of one mantissa
 * width M share the binade of each value, hence one O(N) pass.
 *
 * Why not the sorted evaluator (fmt/block.h): under absmax every (E, M)
 * divides by its own largest value, so each format would need its own
 * normalised and sorted copy of the sample, and wide formats have so many
 * levels that a sorted evaluation costs more than one pass.  The values
 * and ties are those of qrd_element_fp's codebooks; the fig-12-13 suite
 * checks results against qrd_block_eval with those codebooks. */
#ifndef QRD_FMT_FP_PASS_H
#define QRD_FMT_FP_PASS_H

#include <stddef.h>

#include "fmt/block.h"
#include "fmt/scale.h"

#define QRD_FP_PASS_MAX 8 /* formats per pass */

/* A sample in blocks and what every format shares: block extremes, the
 * tensor RMS scale (fp32 RMS clamped to the smallest normal, then the
 * scale format), per-batch sums of x^2 (the denominator of R), batches
 * being near-equal runs of whole blocks. */
typedef struct {
  const double *x;
  size_t n, block, n_blocks;
  double *absmax; /* per block */
  double rms_scale;
  double x2[QRD_BLOCK_BATCHES];
  const qrd_dist *source; /* the law x was drawn from, or NULL (the default):
                           * under tensor RMS, R's SE is then the law's
                           * sd(R), as qrd_block_sample_set_source's */
} qrd_fp_sample;

/* x[0..n-1] (n a multiple of block, at least QRD_BLOCK_BATCHES blocks) is
 * referenced, not copied. */
int qrd_fp_sample_init(qrd_fp_sample *s, const double *x, size_t n, size_t block,
                       const qrd_scale_format *scale);
void qrd_fp_sample_free(qrd_fp_sample *s);

typedef struct {
  int emin;   /* exponent of the lowest normal binade */
  double max; /* largest value */
} qrd_fp_range;

/* The formats E = exponent[j], M = m (j < n_fmt) under tensor RMS
 * (absmax = 0) or block absmax scaling.  Under absmax the values are in
 * common units s = q(max|x| / (2 - 2^-m)): every format's largest value is
 * 2 - 2^-m times a power of two 2^K and q (a float format) commutes with
 * powers of two, so the ranges are scaled by 2^-K instead of the values.
 * sse[j][k]: squared weight-domain error of format j in batch k. */
typedef struct {
  int absmax, m;
  int exponent[QRD_FP_PASS_MAX];
  qrd_fp_range range[QRD_FP_PASS_MAX];
  size_t n_fmt;
  double sse[QRD_FP_PASS_MAX][QRD_BLOCK_BATCHES];
} qrd_fp_pass;

void qrd_fp_pass_init(qrd_fp_pass *p, int absmax, int m);
/* Adds exponent width e (1..11); at most QRD_FP_PASS_MAX formats. */
void qrd_fp_pass_add(qrd_fp_pass *p, int e);
/* Fills p->sse on s, block scales in `scale` (absmax). */
void qrd_fp_pass_run(qrd_fp_pass *p, const qrd_fp_sample *s, const qrd_scale_format *scale);
/* Format j's R, its SE (jackknife over batches, or the source law's) and
 * the achieved bits. */
int qrd_fp_pass_result(const qrd_fp_pass *p, size_t j, const qrd_fp_sample *s,
                        const qrd_scale_format *scale, qrd_block_result *r);

#endif
