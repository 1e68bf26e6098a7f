#include "fmt/bits.h"

#include <math.h>

double qrd_bits_total(const qrd_bit_count *c)
{
  return ceil(c->element_bits * (double)c->numel)
         + c->scale_bits * (double)c->n_blocks
         + (double)QRD_OUTLIER_BITS * (double)c->n_outliers + c->coded_bits + c->tensor_bits;
}

double qrd_bits_per_param(const qrd_bit_count *c)
{
  return c->numel ? qrd_bits_total(c) / (double)c->numel : NAN;
}

size_t qrd_bits_outliers(double r, size_t numel)
{
  double k = floor(r * (double)numel);
  return k > 0.0 ? (size_t)k : 0;
}

size_t qrd_bits_levels(double b)
{
  /* 2^62 bounds any level count a codebook could hold. */
  if (!isfinite(b) || b > 62.0)
    return 0;
  return (size_t)nearbyint(exp2(b)); /* default rounding mode: half-even */
}

double qrd_bits_of_levels(size_t n) { return log2((double)n); }

double qrd_bits_fixed_total_element(double b, double scale_bits, double block)
{
  return b - scale_bits / block;
}

size_t qrd_bits_fixed_total_levels(double b, double scale_bits, double block)
{
  return qrd_bits_levels(qrd_bits_fixed_total_element(b, scale_bits, block));
}
