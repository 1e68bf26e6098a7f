/* Block-scaled formats evaluated on a fixed sample (Orr et al.).
 *
 * A scaling (tensor RMS, block RMS, block absmax, block signmax; one scale
 * per block, quantised to its scale format before use) turns the weights
 * x into normalised values y = x / s with weights w = s^2, so that the
 * weight-domain squared error of an element codebook Q is
 * sum w (y - Q(y))^2.  The normalisation does not depend on the element
 * format except through the range it divides by, so it is done once, the
 * (y, w) pairs are sorted once (mc/sorted.h), and then each element format
 * costs O(levels log N) to evaluate.
 *
 * The sample is cut into QRD_BLOCK_BATCHES contiguous batches of whole
 * blocks, each sorted on its own: R's standard error is the jackknife over
 * batches (the ratio estimator's own, not a per-element approximation).
 *
 * Sparse outliers: the floor(r N) largest |x| are taken out before scaling
 * and stored as bf16 values (+ 32-bit indices in the bit count); their
 * error is their bf16 rounding error.
 *
 * The quantise-and-measure kernel has these fast paths, which share the
 * cell rule (qrd_codebook_cell, or its table qrd_codebook_table), the
 * batches (near-equal runs of whole blocks, qrd_block_pass_range), the
 * estimator (qrd_block_jackknife, on mc/stats.h's qrd_jackknife) and the
 * bit count (fmt/bits.h):
 *   sorted     qrd_block_sample + qrd_block_eval / _eval_coded: normalise
 *              once, then O(levels log N) per format; sweeps of many
 *              formats on one normalisation.
 *   one pass   qrd_block_pass_run (per-batch sums; gains per batch for
 *              rescaled inputs) and qrd_block_eval_direct (results): each
 *              block scaled and quantised through a cell table; sweeps
 *              whose every point normalises differently.
 *   FP         fmt/fp_pass.h: FP ExMy elements by closed-form rounding,
 *              every exponent width of one mantissa width in one pass.
 *   codes      qrd_block_code_sums + qrd_block_code_estimate: codes of
 *              values divided by their exact block extreme (the block
 *              law's X = W / M), errors in both domains. */
#ifndef QRD_FMT_BLOCK_H
#define QRD_FMT_BLOCK_H

#include <stddef.h>

#include "fmt/element.h"
#include "fmt/scale.h"
#include "mc/sorted.h"

#define QRD_BLOCK_BATCHES 64
#define QRD_BLOCK_MAX_PASS_BATCHES 256 /* batches of a one-pass evaluation */

typedef enum {
  QRD_SCALING_NONE,       /* the raw values: no scale stored */
  QRD_SCALING_TENSOR_RMS, /* one RMS scale for the whole tensor */
  QRD_SCALING_BLOCK_RMS,  /* RMS per block of B */
  QRD_SCALING_ABSMAX,     /* max |x| / min(-lo, hi) per block */
  QRD_SCALING_SIGNMAX     /* signed extreme / larger-magnitude endpoint */
} qrd_scaling_kind;

typedef struct {
  qrd_scaling_kind kind;
  size_t block;            /* B (ignored for tensor RMS) */
  qrd_scale_format scale;
} qrd_scaling;

/* What a block's extreme is divided by for an element spanning [lo, hi]:
 * absmax min(-lo, hi) (|extreme| lands on the nearer end), signmax the
 * endpoint of larger magnitude, sign included (the signed extreme lands on
 * it).  Every block evaluator scales this way. */
double qrd_scaling_divisor(qrd_scaling_kind kind, double lo, double hi);

/* "none", "rms", "rms:B", "absmax:B", "signmax:B" with a scale format name
 * ("bf16", "fp32", "e8m0", "e7m<m>"); QRD_EINVAL with the detail set. */
int qrd_scaling_parse(const char *text, const char *scale, qrd_scaling *out);

typedef struct {
  size_t numel;             /* tensor size, outliers included */
  size_t n_blocks;          /* scales stored */
  size_t n_outliers;
  double scale_bits;        /* per scale */
  qrd_sorted *batch[QRD_BLOCK_BATCHES];
  double batch_x2[QRD_BLOCK_BATCHES];     /* sum x^2 of each batch */
  double batch_outlier_sse[QRD_BLOCK_BATCHES];
  size_t n_batches;
  double tensor_scale;      /* the one scale of a whole-tensor scaling, else 0 */
  const qrd_dist *source;   /* the law x was drawn from, or NULL */
  int counts_only;          /* sorted without weights: counts and absmax only */
} qrd_block_sample;

/* Normalises x[0..n-1] (n a multiple of the block size) for an element
 * format spanning [lo, hi] (its extreme codepoints). */
int qrd_block_sample_alloc(const double *x, size_t n, const qrd_scaling *sc,
                           double lo, double hi, double outlier_ratio,
                           qrd_block_sample **out);

/* The same normalisation, no outliers, for a sample whose only use is its
 * cell counts and extreme (qrd_block_counts, qrd_block_absmax: the
 * training sample of an entropy model): the values are sorted without
 * their weights, as one batch without prefix sums, which halves the sort's
 * traffic and the memory and makes a count one search per cell edge
 * instead of one per batch.  Its R is not defined: qrd_block_eval refuses
 * it. */
int qrd_block_sample_alloc_counts(const double *x, size_t n, const qrd_scaling *sc,
                                  double lo, double hi, qrd_block_sample **out);
void qrd_block_sample_free(qrd_block_sample *s);

/* Declares the law x was drawn from (d must outlive s); for a sample made
 * by qrd_block_sample_from_normalised of values y = x / scale under one
 * whole-tensor scale, give that scale (otherwise 0: the sample knows it).
 * Under a
 * whole-tensor scaling without outliers, R's standard error is then the
 * law's sd(R) at this sample size (quant/sampling_sd.h): the batches share
 * one scale, so they are no scale groups to resample, and heavy tails make
 * any estimate from the sample itself far too small.  Other scalings keep
 * the jackknife over batches of whole blocks. */
void qrd_block_sample_set_source(qrd_block_sample *s, const qrd_dist *d, double scale);

/* A sample of values already normalised: y with weights w (NULL: all
 * ones, i.e. R measured on y itself), in order, cut into batches of whole
 * blocks of `block`; scale_bits per block go into the bit count.  n must
 * be a multiple of block. */
int qrd_block_sample_from_normalised(const double *y, const double *w, size_t n, size_t block,
                                     double scale_bits, qrd_block_sample **out);

/* The normalised values y = x / s and weights w = s^2 in their original
 * order (no outliers), e.g. to train a Lloyd-Max element on normalised
 * data.  y and w hold n values. */
int qrd_block_normalise(const double *x, size_t n, const qrd_scaling *sc, double lo,
                        double hi, double *y, double *w);

typedef struct {
  double rel_rmse;    /* R over the whole sample */
  double rel_rmse_se; /* its standard error: the jackknife over batches, or
                       * the source law's sd(R) (qrd_block_sample_set_source;
                       * +inf when that law has no finite E x^4) */
  double bits;        /* achieved bits per parameter */
  double sse;         /* weight-domain squared error (outliers included) */
} qrd_block_result;

/* Orr et al.'s efficiency R 2^b of r and its standard error SE 2^b, b the
 * achieved bits per parameter: flat where every extra bit halves R. */
void qrd_block_efficiency(const qrd_block_result *r, double *eff, double *eff_se);

/* R = sqrt(sum sse / sum x2) over nb batches (sse[b * stride], x2[b])
 * and its delete-one-batch jackknife standard error (qrd_jackknife): the
 * estimator of every evaluator here; nb is at most
 * QRD_BLOCK_MAX_PASS_BATCHES. */
void qrd_block_jackknife(const double *sse, size_t stride, const double *x2, size_t nb,
                         qrd_block_result *r);

/* Fixed-length element codebook c with `element_bits` per element. */
int qrd_block_eval(const qrd_block_sample *s, const qrd_codebook *c,
                   double element_bits, qrd_block_result *r);

/* The largest |normalised value| of the sample. */
double qrd_block_absmax(const qrd_block_sample *s);

/* counts[0..c->n-1] <- the sample's per-cell counts under c. */
void qrd_block_counts(const qrd_block_sample *s, const qrd_codebook *c, size_t *counts);

/* Total code length in bits of s's indices under c, coded with the
 * +1-smoothed model of `train`'s counts (huffman as below); no scales.
 * The cheap half of qrd_block_eval_coded, for tuning a grid to a rate. */
int qrd_block_coded_bits(const qrd_block_sample *s, const qrd_block_sample *train,
                         const qrd_codebook *c, int huffman, double *bits);

/* Tuning a grid to a coded rate probes a few dozen parameters, and the
 * rate is a step function of them: most probes rebuild a grid already
 * counted (fig-9: 73% of them).  A memo answers those from memory.  Its
 * key is the codebook's edges, bit for bit, so every answer is the one
 * qrd_block_coded_bits gives.  s and train are not copied: they outlive
 * the memo.  NULL when out of memory (detail set). */
typedef struct qrd_coded_memo qrd_coded_memo;
qrd_coded_memo *qrd_coded_memo_alloc(const qrd_block_sample *s, const qrd_block_sample *train,
                                     int huffman);
void qrd_coded_memo_free(qrd_coded_memo *m);

/* qrd_block_coded_bits(s, train, c, huffman, bits) of the memo's samples,
 * remembered. */
int qrd_coded_memo_bits(qrd_coded_memo *m, const qrd_codebook *c, double *bits);

/* Variable-length: indices of c coded with the +1-smoothed model of the
 * training sample `train` (normalised the same way): ideal code length
 * (huffman = 0) or Huffman code lengths (huffman = 1). */
int qrd_block_eval_coded(const qrd_block_sample *s, const qrd_block_sample *train,
                         const qrd_codebook *c, int huffman, qrd_block_result *r);

/* ---- one-pass evaluation (fmt/block_direct.c) ----
 * For sweeps where every point normalises differently (block sizes) and
 * evaluates few formats: element e under an absmax or signmax scaling.
 * A code of at most QRD_BLOCK_DIRECT_SMALL levels picks a value's level by
 * a compare and a select per inner edge (the last edge below it decides),
 * branch-free and vectorised (AVX-512, AVX2 or SSE2, chosen at run time);
 * a larger one looks its cell up in a qrd_codebook_table.  Both give the
 * cell of qrd_codebook_cell (ties to the lower index).  A unit grid of any
 * size (the INT codes: levels lo, lo + 1, ..., hi, integers or
 * half-integers, each edge a midpoint or the double below it) and the grid
 * of an FP ExMy code with nearest rounding and M >= 1 (E2M1, E4M3, ...)
 * are rounded to a nearest level arithmetically instead, at a cost that
 * does not grow with their levels: a value at a midpoint is as far from
 * either level, so its squared error is the same whichever it gets.  The
 * results are the same bits whichever path is taken. */
#define QRD_BLOCK_DIRECT_SMALL 32
typedef struct {
  qrd_scaling_kind kind;      /* QRD_SCALING_ABSMAX or QRD_SCALING_SIGNMAX */
  qrd_scale_format scale;
  double divisor;             /* what the block extreme is divided by */
  double element_bits;
  qrd_codebook_table cells;   /* the element's cells, looked up exactly */
  size_t n;                   /* levels */
  size_t n_edges;             /* inner edges, padded with +inf when small */
  double *level;              /* n levels, then the n_edges inner edges */
  int grid;                   /* 0: no grid rule (a caller may clear it to
                               * force the compare chain or table); 1:
                               * integer levels; 2: half-integer levels;
                               * 3: an FP ExMy code, M >= 1 */
  double rule[4];             /* the grid's parameters */
} qrd_block_direct;

int qrd_block_direct_init(qrd_block_direct *f, const qrd_scaling *sc, const qrd_element *e);
void qrd_block_direct_free(qrd_block_direct *f);

/* How a one-pass evaluation cuts and scales the sample x[0..n-1]. */
typedef struct {
  size_t block;       /* B: n a multiple of it */
  size_t n_batches;   /* 0: QRD_BLOCK_BATCHES, or one per block if fewer */
  const double *gain; /* per batch k: the values evaluated are x gain[k]
                       * (inputs rescaled); NULL: 1 */
  int split_sum;      /* nonzero: a block's even and odd elements summed
                       * apart, then added (half the chain of dependent
                       * additions); the two orders agree to rounding, and
                       * each figure keeps the one its data were made with */
} qrd_block_pass;

/* The number of batches of a pass over n values, and the blocks
 * [*first, *last) of batch k: near-equal runs of whole blocks. */
size_t qrd_block_pass_batches(const qrd_block_pass *p, size_t n);
void qrd_block_pass_range(const qrd_block_pass *p, size_t n, size_t k, size_t *first,
                          size_t *last);

/* Per batch k of p: sse[k * nf + j] <- the weight-domain squared error of
 * format f[j], x2[k] <- the sum of squared (rescaled) values.  Batches run
 * in parallel, four at a time per thread in lockstep, each summed in order
 * into its own slots, so the sums depend neither on the thread count nor
 * on which batches share a thread. */
int qrd_block_pass_run(const double *x, size_t n, const qrd_block_pass *p,
                       const qrd_block_direct *f, size_t nf, double *sse, double *x2);

/* Achieved bits per parameter of format f on n values in blocks of
 * `block`. */
double qrd_block_direct_bits(const qrd_block_direct *f, size_t n, size_t block);

/* r[j] <- R, its SE and achieved bits of format f[j] on x[0..n-1] in
 * blocks of `block` (n a multiple of it), batches as in qrd_block_pass;
 * no outliers. */
int qrd_block_eval_direct(const double *x, size_t n, size_t block, const qrd_block_direct *f,
                          size_t k, qrd_block_result *r);

/* ---- codes of block-normalised values (fmt/block_code.c) ----
 * The law of Dettmers-style codes (NF4, AF4, BOF4): each block divided
 * by its exact extreme M (absmax: max |x|; signmax: the signed value of
 * largest |x|, the first of ties), no scale format, and errors measured
 * on the normalised values X = x / M as well as in the weight domain.
 * Values with |x| > tau are outliers stored aside: error-free, in no
 * cell, and not in M. */
enum {
  QRD_CODE_ELEMENTS, /* values, outliers included */
  QRD_CODE_L1,       /* sum |X - Q(X)| */
  QRD_CODE_L2,       /* sum (X - Q(X))^2 */
  QRD_CODE_MAE,      /* sum |M| |X - Q(X)| */
  QRD_CODE_MSE,      /* sum (x - M Q(X))^2, the weight-domain error */
  QRD_CODE_W2,       /* sum x^2, outliers included */
  QRD_CODE_SUMS      /* then one count per cell */
};

/* Per batch k of a pass over x[0..n-1] in blocks of `block` (batches as in
 * qrd_block_pass with n_batches of them, 0: the default):
 * sums[k * (QRD_CODE_SUMS + c->n) + ...] <- the sums above and the cell
 * counts of code c under scaling kind (QRD_SCALING_ABSMAX or
 * QRD_SCALING_SIGNMAX).  Blocks whose M is 0 add no error and no counts. */
int qrd_block_code_sums(const double *x, size_t n, size_t block, size_t n_batches,
                        qrd_scaling_kind kind, double tau, const qrd_codebook *c,
                        double *sums);

/* What the sums of a code estimate, in this order: the index entropy in
 * bits of the cell counts; per element (outliers included) E|X - Q(X)|,
 * E(X - Q(X))^2, E|W - W^|, E(W - W^)^2; and R = sqrt(sum MSE / sum W2). */
enum {
  QRD_CODE_EST_ENTROPY,
  QRD_CODE_EST_L1,
  QRD_CODE_EST_L2,
  QRD_CODE_EST_MAE,
  QRD_CODE_EST_MSE,
  QRD_CODE_EST_R,
  QRD_CODE_ESTIMATES
};

/* value[0..QRD_CODE_ESTIMATES-1] <- the estimates from the totals of the
 * nb batches of sums (as qrd_block_code_sums writes them, for a code of
 * `levels` cells), se <- their delete-one-batch jackknife standard
 * errors (qrd_jackknife). */
int qrd_block_code_estimate(const double *sums, size_t nb, size_t levels, double *value,
                            double *se);

/* The mean over the nb batches of sums of the per-element mean of sum
 * `which` (QRD_CODE_L1 ... QRD_CODE_MSE), and its standard error as the
 * mean of nb independent values (qrd_moments). */
void qrd_block_code_batch_mean(const double *sums, size_t nb, size_t levels, int which,
                               double *mean, double *se);

/* The mean over consecutive groups of `group` batches of R = sqrt(sum sse
 * / sum x2) of each group (nb batches in all), divided by the same mean
 * for ref (NULL: 1), and its delete-one-batch jackknife standard error:
 * R averaged over input rescalings, one per group.  nb is at most
 * QRD_BLOCK_MAX_PASS_BATCHES. */
void qrd_block_jackknife_groups(const double *sse, const double *ref, const double *x2,
                                size_t nb, size_t group, double *value, double *se);

#endif
