/* Rates of integer code matrices and the weighted MSE (docs/methods-watersic.md).
 *
 * Every rate says what it is: its kind (fixed = log-cardinality, per-column
 * or pooled plug-in entropy, pooled Huffman), whether the Miller-Madow
 * correction (K - 1)/(2 N ln 2) is in it, and how much side information
 * was added.  Codes are rows x n, row-major; N is rows per column or
 * rows * n pooled.  No model or table cost is counted. */
#ifndef QRD_MAT_RATES_H
#define QRD_MAT_RATES_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
  QRD_RATE_FIXED,          /* log2(max - min + 1) of all codes */
  QRD_RATE_ENTROPY_COL,    /* (1/n) sum_j H(Z[:,j]) */
  QRD_RATE_ENTROPY_POOLED, /* H(all codes) */
  QRD_RATE_HUFFMAN         /* pooled Huffman code length per code */
} qrd_rate_kind;

typedef struct {
  qrd_rate_kind kind;
  int miller_madow; /* entropy kinds only */
  int side_info;    /* add the method's side information */
} qrd_rate_opts;

typedef struct {
  qrd_rate_opts how;  /* what was measured */
  double bits;        /* bits per weight, side information included iff
                       * how.side_info */
  double side_bits;   /* side information included (0 when not) */
  double symbols;     /* occupied symbols K: pooled, or the column mean */
} qrd_rate;

/* "fixed", "entropy_col", "entropy_pooled", "huffman" (docs/methods-watersic.md). */
const char *qrd_rate_kind_name(qrd_rate_kind k);
int qrd_rate_kind_parse(const char *name, qrd_rate_kind *k);

/* Label for plots and HDF5 attributes, e.g. "entropy_col+mm+side". */
void qrd_rate_describe(const qrd_rate_opts *how, char *buf, size_t len);

/* Rate of Z as `how` says; side_bits is added when how->side_info.
 * QRD_EINVAL for Miller-Madow on a non-entropy kind or an empty matrix. */
int qrd_rate_measure(const qrd_rate_opts *how, const int32_t *Z, size_t rows,
                     size_t n, double side_bits, qrd_rate *out);

/* h[j] = plug-in entropy of column j in bits, with Miller-Madow when mm. */
int qrd_rate_column_entropies(const int32_t *Z, size_t rows, size_t n, int mm,
                              double *h);

/* D = tr((W - What) Sigma (W - What)^T) / (rows n) through dsymm and a dot
 * product (valid for a singular Sigma); What = NULL gives the signal power
 * tr(W Sigma W^T) / (rows n), the denominator of the relative MSE. */
int qrd_wmse(size_t rows, size_t n, const double *W, const double *What,
             const double *Sigma, double *D);

#endif
