/* Scale formats of block-scaled tensors (Orr et al.;
 * docs/methods-orr.md).
 *
 * A block's scale is quantised before the block is divided by it, so a
 * rounded-down scale can leave |x/s| slightly above the element range (the
 * element format then clips).  Formats and names:
 *   "fp32"       cast to float (round to nearest even), 32 bits;
 *   "bf16"       float32, then round to nearest even on its top 16 bits;
 *   "e8m0"       unsigned power of two 2^ceil(log2 s), clipped to
 *                [2^-127, 2^128], 8 bits (the MX scale: not a signed E8M0);
 *   "e<E>m<m>"   signed float with E exponent bits (bias 2^{E-1},
 *                subnormals, no inf/NaN) and m mantissa bits, |s| clipped to
 *                the largest value, then rounded up; 1 + E + m bits.
 *                "e7m<m>" is the paper's "E8M[m]" (8 + m bits, F-S12);
 *                F-S11's 16-bit "signed E8M7" is "e8m7".
 * signmax scaling divides by a signed block extreme, so it needs a signed
 * format: all but e8m0. */
#ifndef QRD_FMT_SCALE_H
#define QRD_FMT_SCALE_H

#include <stddef.h>

typedef enum {
  QRD_SCALE_FP32,
  QRD_SCALE_BF16,
  QRD_SCALE_E8M0,
  QRD_SCALE_SIGNED_FP /* e<E>m<m>, rounded up */
} qrd_scale_kind;

#define QRD_SCALE_MAX_EXPONENT 10
#define QRD_SCALE_MAX_MANTISSA 23 /* float32's: scales are float32 data */

typedef struct {
  qrd_scale_kind kind;
  int exponent, mantissa; /* QRD_SCALE_SIGNED_FP only */
} qrd_scale_format;

/* Parses a name above (case-insensitive; 1 <= E <= 10, 0 <= m <= 23);
 * QRD_ENOTFOUND or QRD_EINVAL with the detail set. */
int qrd_scale_parse(const char *name, qrd_scale_format *f);

/* Canonical name, as accepted by qrd_scale_parse. */
void qrd_scale_name(const qrd_scale_format *f, char *buf, size_t len);

/* The representable scale that s becomes.  NaN stays NaN; e8m0 maps
 * s < 0 to NaN (unsigned format) and 0 to its smallest value 2^-127. */
double qrd_scale_quantise(const qrd_scale_format *f, double s);

/* Storage bits per scale. */
double qrd_scale_bits(const qrd_scale_format *f);

/* Whether the format keeps the sign (required by signmax scaling). */
int qrd_scale_is_signed(const qrd_scale_format *f);

#endif
