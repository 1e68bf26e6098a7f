/* The formats hardware ships: OCP Microscaling (MX v1.0) and NVIDIA's
 * NVFP4 -- distinct from qrd's `fp:e=,m=` family (Orr et al.'s
 * convention: bias 2^(E-1), no special codes).
 *
 * Element types, with the standard's bias, subnormals and special codes
 * (values in element units):
 *   e2m1  FP4   bias 1, +-{0, 0.5, 1, 1.5, 2, 3, 4, 6}, no specials
 *   e2m3  FP6   bias 1, max 7.5, smallest subnormal 0.125
 *   e3m2  FP6   bias 3, max 28, smallest subnormal 0.0625
 *   e4m3  FP8   bias 7, max 448 (S.1111.111 is NaN, no infinities),
 *               smallest subnormal 2^-9
 *   e5m2  FP8   bias 15, max 57344 (exponent 31: infinities and NaNs),
 *               smallest subnormal 2^-16
 *   int8        two's complement k 2^-6, k = -128 .. 127 (max 1.984375)
 * An MX block of 32 shares one E8M0 scale X = 2^e: the standard's rule
 * takes e = floor(log2 amax) - emax (emax the element type's largest
 * exponent: 2, 2, 4, 8, 15, 0) and saturates elements beyond the type's
 * max; `ceil` instead rounds the exponent up so that nothing clips
 * (e = ceil(log2(amax / max))), and `mse` tries the exponents from one
 * below the standard's to one above ceil's and keeps the one with the
 * least squared error of the block.  Elements round to nearest.
 *
 * NVFP4: e2m1 elements, one E4M3 scale per 16 values and one FP32 scale
 * per tensor, s_t = amax_tensor / (6 * 448); a block's scale is
 * s_t * e4m3(amax_block / (6 s_t)).  Bits: 4 + 8/16 = 4.5 per element plus
 * 32 per tensor (fmt/bits.h counts it). */
#ifndef QRD_FMT_MX_H
#define QRD_FMT_MX_H

#include <stddef.h>

#include "fmt/block.h"
#include "fmt/element.h"

typedef enum { QRD_MX_E2M1, QRD_MX_E2M3, QRD_MX_E3M2, QRD_MX_E4M3, QRD_MX_E5M2, QRD_MX_INT8 } qrd_mx_type;

/* "e2m1", "e2m3", "e3m2", "e4m3", "e5m2", "int8". */
const char *qrd_mx_type_name(qrd_mx_type t);

/* The element type's codebook: every finite representable value,
 * ascending, nearest-value cells; bits: its storage width. */
int qrd_mx_element(qrd_mx_type t, qrd_element **out);

/* The largest finite value and the exponent emax of the standard's rule. */
double qrd_mx_max(qrd_mx_type t);
int qrd_mx_emax(qrd_mx_type t);

/* An OCP E4M3 value nearest to v (ties to even), saturating at +-448 (the
 * NVFP4 scale format). */
double qrd_mx_e4m3_round(double v);

typedef enum {
  QRD_MX_RULE_FLOOR, /* the standard's: floor(log2 amax) - emax, saturate */
  QRD_MX_RULE_CEIL,  /* the exponent rounded up: nothing clips */
  QRD_MX_RULE_MSE,   /* of floor - 1 .. ceil + 1, the exponent with the least
                        squared error of the block (the first of ties) */
  QRD_MX_RULE_NVFP4  /* E4M3 block scales under an FP32 tensor scale */
} qrd_mx_rule;

/* A format of this module: "mxfp4" (e2m1), "mxfp6-e2m3", "mxfp6-e3m2",
 * "mxfp8-e4m3", "mxfp8-e5m2", "mxint8" (MX blocks of 32 with the rule
 * given as ":rule=floor|ceil|mse", floor by default), or "nvfp4".  QRD_ENOTFOUND
 * when `spec` is none of them. */
typedef struct {
  char name[48];
  qrd_mx_type type;
  qrd_mx_rule rule;
  size_t block;       /* 32, or 16 for NVFP4 */
  double scale_bits;  /* per block: 8 */
  double tensor_bits; /* per tensor: 32 for NVFP4 */
} qrd_mx_format;

int qrd_mx_format_parse(const char *spec, qrd_mx_format *f);

/* R, its jackknife SE over batches of whole blocks, and the achieved bits
 * of format f on x[0 .. n) (n a multiple of f's block; blocks are
 * consecutive values). */
int qrd_mx_eval(const qrd_mx_format *f, const double *x, size_t n, qrd_block_result *r);

/* The one-pass evaluator behind these formats, for any quantiser that
 * codes each block on its own: fn returns the squared error of block v
 * (b values).  r <- R and its jackknife SE over at most 64 batches of
 * whole blocks (r->bits is left to the caller). */
typedef double (*qrd_block_sse_fn)(const void *ctx, const double *v, size_t b);
int qrd_block_eval_blockwise(const double *x, size_t n, size_t block, qrd_block_sse_fn fn,
                             const void *ctx, qrd_block_result *r);

/* Affine (zero-point) INT of `bits` bits per group of g consecutive
 * values: scale s = bf16((max - min) / (2^bits - 1)), zero point
 * z = round(-min / s) clamped to [0, 2^bits - 1] (stored in `bits` bits),
 * codes clamp(round(v / s) + z), values (code - z) s.  Bits per element:
 * bits + (16 + bits) / g (e.g. 4.156 at bits 4, g = 128). */
int qrd_affine_eval(double bits, size_t g, const double *x, size_t n, qrd_block_result *r);

/* QLoRA's double quantisation: element e on absmax blocks of 64, whose
 * FP32 scales c are themselves coded in groups of 256: less the tensor's
 * mean scale m (one FP32), as 8-bit symmetric integers with one FP32 scale
 * per group (QLoRA codes them with bitsandbytes' dynamic 8-bit type; a
 * linear one here).  Bits: e's + 8/64 + 32/(64 * 256) + 32/n (4.127 for
 * NF4).  n a multiple of 64 * 256. */
int qrd_dq_eval(const qrd_element *e, const double *x, size_t n, qrd_block_result *r);

/* Searched clipping (as llama.cpp's quantisers do): under an absmax or
 * signmax block scaling sc, each block's scale is the absmax one times
 * the multiplier of 1, 1 - 1/(2 (k - 1)), ..., 1/2 (k points, k >= 2)
 * whose quantised scale gives the block the least squared error.  Element
 * e, bits as the plain scaling's. */
int qrd_clip_eval(const qrd_element *e, const qrd_scaling *sc, size_t k, const double *x,
                  size_t n, qrd_block_result *r);

#endif
