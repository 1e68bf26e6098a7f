/* Adaptive GSL quadrature over finite, half-infinite or infinite ranges. */
#ifndef QRD_INTEGRATE_H
#define QRD_INTEGRATE_H

typedef double (*qrd_integrand)(double x, void *params);

/* Absolute and relative tolerances used by qrd's exact evaluation path. */
#define QRD_INTEG_EPSABS 1e-15
#define QRD_INTEG_EPSREL 1e-11

/* Integrates f over [a, b] (either end may be infinite) to the default
 * tolerances; QRD_EINTEG with a detail message when GSL cannot meet them.
 * The workspace is per thread and allocated once. */
int qrd_integrate(qrd_integrand f, void *params, double a, double b,
                  double *result, double *abserr);

#endif
