/* Bit accounting for block-scaled formats (Orr et al.;
 * docs/methods-orr.md): the one
 * place that turns element, scale, outlier and coded bits into bits per
 * parameter, and bit budgets into level counts.
 *
 * b (bits per parameter) = total bits / numel, where the total is
 *   ceil(element_bits * numel)     fixed-length elements (log2 n each, so a
 *                                  fractional width is an idealised code and
 *                                  only the tensor total is rounded up)
 * + scale_bits * n_blocks
 * + QRD_OUTLIER_BITS * n_outliers  bf16 value + 32-bit flat index each
 * + coded_bits                     entropy-coded indices, already a total.
 * LUT/codebook storage and entropy-model tables are never counted. */
#ifndef QRD_FMT_BITS_H
#define QRD_FMT_BITS_H

#include <stddef.h>

#define QRD_OUTLIER_VALUE_BITS 16 /* bf16 */
#define QRD_OUTLIER_INDEX_BITS 32 /* flat index */
#define QRD_OUTLIER_BITS (QRD_OUTLIER_VALUE_BITS + QRD_OUTLIER_INDEX_BITS)

typedef struct {
  size_t numel;
  double element_bits; /* per element, fixed-length part (0 if coded) */
  double scale_bits;   /* per block */
  size_t n_blocks;
  size_t n_outliers;
  double coded_bits;   /* total entropy-coded index bits */
  double tensor_bits;  /* once per tensor (NVFP4's FP32 scale) */
} qrd_bit_count;

/* Total bits of the tensor. */
double qrd_bits_total(const qrd_bit_count *c);

/* Total bits / numel (NAN when numel is 0). */
double qrd_bits_per_param(const qrd_bit_count *c);

/* Number of sparse outliers, floor(r * numel). */
size_t qrd_bits_outliers(double r, size_t numel);

/* Level count of a fixed-length element of b bits: round(2^b), ties to
 * even (Python's round in the reference).  0 when b is not finite or 2^b
 * does not fit. */
size_t qrd_bits_levels(double b);

/* Bits of a fixed-length element with n levels: log2 n exactly. */
double qrd_bits_of_levels(size_t n);

/* "Fixed total bits" sweeps: element bits b - scale_bits / B for a total of
 * b per parameter with one scale per block of B, and the level count that
 * realises it, round(2^{b - scale_bits/B}) (whence the sweeps' wiggles). */
double qrd_bits_fixed_total_element(double b, double scale_bits, double block);
size_t qrd_bits_fixed_total_levels(double b, double scale_bits, double block);

#endif
