#include "fmt/scale.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"

/* bf16 from the float32 bits, ties to even: adding 0x7fff plus the lowest
 * kept bit carries exactly when the dropped half is above one half, or is
 * one half and the kept part is odd.  (Rounding through float32 first, as
 * the reference's float32 tensors do.) */
static double bf16_round(double s)
{
  float f = (float)s;
  if (isnan(f))
    return s;
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  u += 0x7fffu + ((u >> 16) & 1u);
  u &= 0xffff0000u;
  memcpy(&f, &u, sizeof f);
  return f;
}

/* ldexp and frexp without the libm calls (four of them per block scale
 * were a tenth of a block-format sweep): x 2^k is one product by an exact
 * power of two, rounded once as ldexp rounds it, whenever 2^k is a normal
 * double; the exponent of a normal double is its exponent field.  Outside
 * those ranges they are ldexp and frexp themselves. */
static double times_pow2(double x, int k)
{
  if (k < -1022 || k > 1023)
    return ldexp(x, k);
  uint64_t u = (uint64_t)(k + 1023) << 52;
  double p;
  memcpy(&p, &u, sizeof p);
  return x * p;
}

/* e with a = f 2^e, f in [0.5, 1) (frexp's exponent). */
static int binary_exponent(double a)
{
  uint64_t u;
  memcpy(&u, &a, sizeof u);
  int field = (int)((u >> 52) & 0x7ff);
  if (field == 0 || field == 0x7ff) {
    int e;
    frexp(a, &e);
    return e;
  }
  return field - 1022;
}

/* 2^ceil(log2 s), by the binary exponent so a power of two is never
 * pushed up by a rounded logarithm. */
static double e8m0_round(double s)
{
  if (isnan(s) || s < 0.0)
    return NAN;
  if (s == 0.0)
    return ldexp(1.0, -127);
  if (isinf(s))
    return ldexp(1.0, 128);
  int e = binary_exponent(s); /* s = f 2^e, f in [0.5, 1) */
  int k = s == times_pow2(0.5, e) ? e - 1 : e;
  return times_pow2(1.0, k < -127 ? -127 : k > 128 ? 128 : k);
}

/* Signed EeMm rounded up: |s| clipped to the largest value
 * 2^{2^e - 1 - bias} (2 - 2^-m), bias = 2^{e-1}, then rounded up on the grid
 * of its binade (spacing 2^{k-m} for |s| in [2^k, 2^{k+1}), k >= 1 - bias;
 * subnormal spacing 2^{1-bias-m} below).  Scaling by the power-of-two
 * spacing and ceil are exact. */
static double signed_fp_round_up(double s, int e_bits, int m)
{
  if (isnan(s))
    return s;
  int bias = 1 << (e_bits - 1), kmin = 1 - bias;
  double max = times_pow2(2.0 - times_pow2(1.0, -m), (1 << e_bits) - 1 - bias);
  double a = fabs(s) > max ? max : fabs(s); /* fmin, without its libm call */
  int k = binary_exponent(a); /* a in [2^{k-1}, 2^k) */
  uint64_t u;
  memcpy(&u, &a, sizeof u);
  if (k - 1 >= kmin && (u >> 52) != 0 && m < 52) {
    /* a normal double in a normal binade of the format: rounding up to m
     * mantissa bits sets the dropped bits and adds one at the lowest
     * dropped place, a carry into the exponent included (the same value
     * as the ceil below, with no float arithmetic) */
    uint64_t dropped = ((uint64_t)1 << (52 - m)) - 1;
    if (u & dropped)
      u = (u | dropped) + 1;
    double r;
    memcpy(&r, &u, sizeof r);
    return copysign(r, s);
  }
  int ulp = (k - 1 > kmin ? k - 1 : kmin) - m;
  return copysign(times_pow2(ceil(times_pow2(a, -ulp)), ulp), s);
}

double qrd_scale_quantise(const qrd_scale_format *f, double s)
{
  switch (f->kind) {
  case QRD_SCALE_FP32: return (float)s;
  case QRD_SCALE_BF16: return bf16_round(s);
  case QRD_SCALE_E8M0: return e8m0_round(s);
  case QRD_SCALE_SIGNED_FP: return signed_fp_round_up(s, f->exponent, f->mantissa);
  }
  return NAN;
}

double qrd_scale_bits(const qrd_scale_format *f)
{
  switch (f->kind) {
  case QRD_SCALE_FP32: return 32.0;
  case QRD_SCALE_BF16: return 16.0;
  case QRD_SCALE_E8M0: return 8.0;
  case QRD_SCALE_SIGNED_FP: return 1.0 + f->exponent + f->mantissa;
  }
  return NAN;
}

int qrd_scale_is_signed(const qrd_scale_format *f) { return f->kind != QRD_SCALE_E8M0; }

/* Reads "e<E>m<m>" into *f; 0 if name does not have that shape. */
static int parse_em(const char *name, int *e, int *m)
{
  char *end;
  if (tolower((unsigned char)name[0]) != 'e' || !isdigit((unsigned char)name[1]))
    return 0;
  long el = strtol(name + 1, &end, 10);
  if (tolower((unsigned char)*end) != 'm' || !isdigit((unsigned char)end[1]))
    return 0;
  long ml = strtol(end + 1, &end, 10);
  if (*end || el > 1000 || ml > 1000)
    return 0;
  *e = (int)el;
  *m = (int)ml;
  return 1;
}

int qrd_scale_parse(const char *name, qrd_scale_format *f)
{
  static const struct { const char *name; qrd_scale_kind kind; } fixed[] = {
    {"fp32", QRD_SCALE_FP32}, {"bf16", QRD_SCALE_BF16}, {"e8m0", QRD_SCALE_E8M0},
  };
  int e, m;
  for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
    if (!strcasecmp(name, fixed[i].name)) {
      *f = (qrd_scale_format){.kind = fixed[i].kind};
      return QRD_OK;
    }
  if (!parse_em(name, &e, &m))
    return qrd_error_set(QRD_ENOTFOUND, "unknown scale format '%s' (known: fp32, bf16,"
                         " e8m0, e<E>m<m> e.g. e7m3)", name);
  if (e < 1 || e > QRD_SCALE_MAX_EXPONENT || m > QRD_SCALE_MAX_MANTISSA)
    return qrd_error_set(QRD_EINVAL, "scale format '%s': need 1 <= E <= %d and"
                         " 0 <= m <= %d", name, QRD_SCALE_MAX_EXPONENT,
                         QRD_SCALE_MAX_MANTISSA);
  *f = (qrd_scale_format){.kind = QRD_SCALE_SIGNED_FP, .exponent = e, .mantissa = m};
  return QRD_OK;
}

void qrd_scale_name(const qrd_scale_format *f, char *buf, size_t len)
{
  switch (f->kind) {
  case QRD_SCALE_FP32: snprintf(buf, len, "fp32"); break;
  case QRD_SCALE_BF16: snprintf(buf, len, "bf16"); break;
  case QRD_SCALE_E8M0: snprintf(buf, len, "e8m0"); break;
  case QRD_SCALE_SIGNED_FP: snprintf(buf, len, "e%dm%d", f->exponent, f->mantissa); break;
  }
}
