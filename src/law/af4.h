/* AF4's shooting algorithm (Yoshida (NF4 vs AF4), davisyoshida/abnormal-floats
 * generate_af4.py at 0782bf8), reproduced step for step so that it lands on
 * the published tables to their 8 decimals.
 *
 * Each half of [-1, 1] is coded from a chain: start s next to the pinned
 * -1, then each level's cell median condition fixes the next boundary
 * (F(t_k) = 2 F(c_k) - F(t_{k-1})) and the boundary fixes the next level
 * (c_{k+1} = 2 t_k - c_k).  s is bisected to the largest start whose chain
 * stays below 0, then Brent solves the end condition that the top level be
 * the median of [t, 0] -- which makes 0 a cell boundary rather than a
 * level (AF4-exact in law/pinned.h is the true pinned optimum).
 * The positive half is the negative one with one more step, mirrored,
 * which assumes a symmetric law. */
#ifndef QRD_LAW_AF4_H
#define QRD_LAW_AF4_H

#include <stddef.h>

#include "dist/dist.h"
#include "law/blockmax.h"

/* The law the chain walks: its cdf and the generator's inverse (-1 / +1
 * inside the atoms, else a root). */
typedef struct {
  double (*cdf)(double x, const void *ctx);
  int (*quantile)(double v, const void *ctx, double *x);
  const void *ctx;
} qrd_af4_law;

/* The exact block law. */
void qrd_af4_law_exact(const qrd_law *law, qrd_af4_law *out);

/* The median-maximum approximation (docs/methods-nf4.md): M fixed at its median m~_B,
 * truncation ignored,
 *   F~(x) = 1/(2B) + (B-1)/B P(m~ x) on [-1, 1),
 *   F~^{-1}(v) = P^{-1}((v - 1/(2B)) B/(B-1)) / m~. */
typedef struct {
  qrd_dist d;
  double block, median;
} qrd_af4_approx;

int qrd_af4_approx_init(const qrd_dist *d, double block, qrd_af4_approx *a);
void qrd_af4_law_approx(const qrd_af4_approx *a, qrd_af4_law *out);

/* The generator's code with n levels (even, >= 8): -1, n/2 - 2 negative
 * levels, 0, n/2 - 1 positive levels, +1; level[] ascending.  QRD_EMAXITER
 * when a root search fails, QRD_EDOM when the chain cannot close. */
int qrd_af4_shoot(const qrd_af4_law *law, size_t n, double *level);

#endif
