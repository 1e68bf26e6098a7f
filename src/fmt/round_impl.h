/* Rounding to an integer by arithmetic, shared by the exact one-pass
 * evaluators of src/fmt (not part of the API). */
#ifndef QRD_FMT_ROUND_IMPL_H
#define QRD_FMT_ROUND_IMPL_H

/* Adding 1.5 2^52 puts |t| <= 2^51 where the doubles are the integers, so
 * the addition rounds t to one, ties to even (the default rounding mode;
 * no excess precision or contraction on x86-64 under -std=c11), and the
 * subtraction is exact.  Not rint() or nearbyint(): GCC vectorises those
 * only without -ftrapping-math.  Scaled by a power of two, the shift
 * rounds to the multiples of that power. */
#define QRD_ROUND_SHIFT 0x1.8p52

static inline double qrd_round_even(double t)
{
  return (t + QRD_ROUND_SHIFT) - QRD_ROUND_SHIFT;
}

#endif
