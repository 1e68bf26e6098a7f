/* Fixed-length element formats (Orr et al.) as codebooks.
 *
 * Every format is a qrd_codebook whose outer edges are -inf and +inf, so
 * quantising clips to the extreme codepoints and then rounds: cell i is
 * (edge[i], edge[i+1]], a value exactly on an edge going to the lower
 * index.  Where a format's rounding rule differs on ties or is directed
 * (INT half-to-even, FP ties toward zero, FP to_inf / to_zero), the edge is
 * moved to the next double below the tie point when the tie must go up, so
 * the half-open cells reproduce the rule exactly on every double.
 *
 * Widths: log2 n for INT, LUT, CRD and Lloyd-Max (n = round(2^b) levels, so
 * b = 2.5 gives 6 levels and 2.585 bits: an idealised fixed-length code);
 * sign + E + M for FP ExMy (E2M1 has 15 distinct values but is
 * stored and counted as 4 bits, as the reference's FPFormat.bits). */
#ifndef QRD_FMT_ELEMENT_H
#define QRD_FMT_ELEMENT_H

#include <stddef.h>

#include "dist/dist.h"
#include "quant/codebook.h"

#define QRD_ELEMENT_NAME_LEN 64
/* Largest level count a constructor accepts (FP up to E + M = 20). */
#define QRD_ELEMENT_MAX_LEVELS ((size_t)1 << 21)

typedef struct {
  qrd_codebook *cb;  /* levels ascending; outer edges -inf, +inf */
  double bits;       /* storage bits per element */
  double lo, hi;     /* extreme codepoints (absmax/signmax use them) */
  char name[QRD_ELEMENT_NAME_LEN];
} qrd_element;

void qrd_element_free(qrd_element *e);

/* Cell index of x, by binary search on the edges (NaN: the last). */
size_t qrd_element_index(const qrd_element *e, double x);

/* The codepoint x quantises to. */
double qrd_element_quantise(const qrd_element *e, double x);

/* ---- INT(b) ----
 * n = round(2^b) >= 2 integer levels.  Asymmetric: lo..h with
 * h = floor((n-1)/2), lo = -h - [2h+1 < n] (INT4 = -8..7, n = 13: -6..6);
 * symmetric: -(n-1)/2 .. (n-1)/2 in unit steps (half-integers for even n).
 * Round half to even, then clip; on a half-integer grid a tie at integer k
 * goes where round(k + 1/2) - 1/2 sends it, as the reference computes. */
int qrd_element_int(double b, int symmetric, qrd_element **out);

/* ---- FP ExMy ---- sign + E + M bits, 1 <= E <= 11, M >= 0, E + M <= 20;
 * bias 2^{E-1}, no inf/NaN: e >= 1 gives 2^{e-bias}(1 + m/2^M), e = 0 the
 * subnormals 2^{1-bias} m/2^M.  E2M1 = {0, +-0.25, ..., +-3}; E3M0 = {0,
 * +-1/8 .. +-8}.  Clip to +-max, then round. */
typedef enum {
  QRD_FP_NEAREST, /* nearest, ties toward zero (not half-even) */
  QRD_FP_TO_INF,  /* magnitude up */
  QRD_FP_TO_ZERO  /* magnitude down */
} qrd_fp_rounding;

int qrd_element_fp(int e_bits, int m_bits, qrd_fp_rounding r, qrd_element **out);

/* The grid of an entropy-coded element at trial bits b0 (its rate is tuned
 * over b0, mc/rate_tune.h): floor(2^b0) points on [-a, a] for
 * RMS-normalised data, a being the training sample's largest |y| (an even
 * count leaves no zero codepoint), or round(2^b0) points for
 * absmax-normalised data (a = 1); at least 2.  NULL when out of memory. */
qrd_codebook *qrd_coded_grid(double b0, int floor_levels, double a);

/* ---- LUT ---- nearest value of a strictly ascending finite table of
 * n >= 2 values (midpoint ties to the lower index), log2 n bits. */
int qrd_element_lut(const double *value, size_t n, const char *name,
                    qrd_element **out);

/* NF4 (QLoRA's exact float32 table) and SF4[nu=5] (Dotzel et al.). */
int qrd_element_nf4(qrd_element **out);
int qrd_element_sf4(qrd_element **out);

/* ---- Cube-root-density (CRD) quantisers ----
 * n = round(2^b) codepoints Q_i = G^{-1}(p_i), G the cdf of the density
 * proportional to p^alpha, p the density of the source distribution (any
 * registered family; symmetric, as the mirrored grids assume), on the
 * probability grids of docs/methods-orr.md:
 *   RMS (unit-variance data):   sym i/(n+1); asym 0, negatives k/n and
 *                               positives 1/2 + k/(2(n/2+1));
 *   absmax (block-normalised):  sym i/(n-1) (+-1 included); asym -1 .. 0 ..
 *                               +1;
 *   signmax (asym only):        0 and +1 but not -1.
 * RMS uses p of the source at unit variance; absmax and signmax the law of
 * X / M truncated to [-1, 1], M the expected block maximum of B values
 * (qrd_dist_block_absmax_expected: Orr et al.'s model for Normal, Laplace and
 * Student-t, the exact mean otherwise).  G^{-1} is the family's closed
 * form where it has one (qrd_dist_type.crd_lower), otherwise quadrature of
 * p^alpha and root finding.  An odd n under an asymmetric mode (fractional
 * b) gives floor(n/2) points to the negative half and the rest to the
 * positive half.  alpha = 0 is the uniform grid 2p - 1 under absmax/signmax
 * and an error under RMS. */
typedef enum { QRD_CRD_RMS, QRD_CRD_ABSMAX, QRD_CRD_SIGNMAX } qrd_crd_scaling;

typedef struct {
  qrd_dist dist;          /* the source; its scale does not matter */
  qrd_crd_scaling scaling;
  int symmetric;          /* 0: asymmetric (the only mode under signmax) */
  double block;           /* block size B of absmax/signmax variants */
  double alpha;           /* density power, 1/3 by default */
  int quadrature;         /* 1: quadrature even where a closed form exists (tests) */
} qrd_crd_params;

/* Normal, RMS, symmetric, alpha = 1/3, B = 64, closed forms used. */
void qrd_crd_params_default(qrd_crd_params *p);

/* The defaults with the source d.  slug and label (qrd_dist_slug,
 * qrd_dist_label: "normal", "t-nu-5"; "Normal", "t[nu=5]") name the shape
 * in results and plots; either may be NULL.  Always QRD_OK (kept an int
 * for the callers that chain it). */
int qrd_crd_params_for_dist(const qrd_dist *d, qrd_crd_params *p, char *slug, char *label,
                            size_t len);

/* Whether the CRD of p exists: p^alpha normalises on the source's
 * support (Student-t: alpha (nu + 1) > 1), or alpha = 0 under absmax or
 * signmax scaling (the uniform grid). */
int qrd_crd_defined(const qrd_crd_params *p);

int qrd_element_crd(const qrd_crd_params *p, double b, qrd_element **out);

/* ---- Formats by name (command line, configs) ----
 *   int[:sym=0|1]             round(2^bits) levels (INT4 = -8..7 by default)
 *   fp:e=E,m=M                sign + E + M bits, round to nearest
 *   nf4, sf4                  the 4-bit tables
 *   crd[:alpha=A,sym=0|1]     CRD of the data's distribution, RMS-scaled data
 *   crd-block[:alpha=A,sym=]  CRD of the data's distribution under absmax/signmax
 *                             (asymmetric by default under signmax)
 *   lut:FILE                  a sorted table: numbers separated by white
 *                             space or commas, '#' comments */
typedef struct {
  double bits;                 /* element bits: int, crd, crd-block */
  const qrd_dist *dist;        /* the data's distribution: crd, crd-block */
  qrd_crd_scaling crd_scaling; /* crd-block: QRD_CRD_ABSMAX or QRD_CRD_SIGNMAX */
  double block;                /* crd-block: B */
} qrd_element_request;

int qrd_element_from_spec(const char *spec, const qrd_element_request *r, qrd_element **out);

/* Whether the family of `spec` takes its level count from the bits. */
int qrd_element_spec_takes_bits(const char *spec);

/* ---- Lloyd-Max on a sample ----
 * Weighted 1-D k-means with n = round(2^b) levels: nearest-level cells
 * (midpoints), each level moved to its cell's weighted mean (empty cells
 * unchanged), then a running maximum keeps the levels ascending.  The
 * iteration runs on the first `start` samples and doubles them each time
 * the fraction of samples whose cell changed is <= threshold, stopping at
 * that point once the whole sample is used.  x should be in random order
 * (an iid sample is): the schedule uses its prefixes.  The sample is sorted
 * once per size, so an iteration costs O(levels log N). */
typedef enum {
  QRD_LM_INIT_MOMENTS, /* uniform on mean +- width * std (RMS data) */
  QRD_LM_INIT_RANGE    /* uniform on [min, max] (absmax-normalised data) */
} qrd_lm_init;

typedef struct {
  qrd_lm_init init;
  double width;     /* of the moments init, 3 */
  double threshold; /* change fraction that ends a size, 1e-4 */
  size_t start;     /* first sample size, 2^20 */
  size_t max_iter;  /* over all sizes, 100000 (QRD_EMAXITER beyond) */
} qrd_lm_params;

typedef struct {
  size_t iter;    /* iterations over all sizes */
  size_t n_used;  /* samples in the final iteration */
  double change;  /* change fraction of the final iteration */
} qrd_lm_info;

void qrd_lm_params_default(qrd_lm_params *p);

/* x[0..n-1] finite; w NULL (unweighted) or n finite weights >= 0 with a
 * positive sum; info may be NULL. */
int qrd_element_lloyd_max(const double *x, const double *w, size_t n, double b,
                          const qrd_lm_params *p, qrd_element **out,
                          qrd_lm_info *info);

#endif
