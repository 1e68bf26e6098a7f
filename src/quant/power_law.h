/* The law of density proportional to p^alpha, p a distribution's density:
 * cube-root-density codepoints (alpha = 1/3) are its quantiles, in the
 * crd quantiser (quant/crd.c) and the CRD element formats (fmt/element.h)
 * of families without a closed form. */
#ifndef QRD_POWER_LAW_H
#define QRD_POWER_LAW_H

#include "dist/dist.h"

/* p^alpha on [lo, hi] (cut to the support); d must outlive it. */
typedef struct {
  const qrd_dist *d;
  double alpha, lo, hi;
  double z; /* integral of p^alpha over [lo, hi] */
} qrd_power_law;

/* QRD_EDOM when p^alpha is not integrable there. */
int qrd_power_law_init(qrd_power_law *w, const qrd_dist *d, double alpha, double lo,
                       double hi);

/* *x with mass u in (0, 1) of w below it, by quadrature of the shorter
 * tail and Brent's method (to 1e-13 relative). */
int qrd_power_law_quantile(const qrd_power_law *w, double u, double *x);

#endif
