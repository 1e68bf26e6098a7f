/* One-dimensional root finding and minimisation (GSL Brent), with bracket
 * search and non-convergence reported as QRD_EMAXITER.
 *
 * Objective functions that can themselves fail (a quadrature inside) record
 * the failure in their own parameter block; callers check it after the
 * solver returns. */
#ifndef QRD_SOLVE_H
#define QRD_SOLVE_H

typedef double (*qrd_scalar_fn)(double x, void *params);

/* Root of f in [lo, hi], where f(lo) and f(hi) differ in sign, to
 * |hi - lo| <= xtol_abs + xtol_rel |x|. */
int qrd_root(qrd_scalar_fn f, void *params, double lo, double hi,
             double xtol_abs, double xtol_rel, double *x);

/* Widens [*lo, *hi] geometrically about its centre until f changes sign
 * (at most 64 doublings). */
int qrd_bracket_root(qrd_scalar_fn f, void *params, double *lo, double *hi);

/* Minimum of f on [lo, hi]: a scan of `grid` points finds the best bracket,
 * then Brent refines it to an interval of width xtol_abs.  (Near a smooth
 * minimum f changes by O(dx^2), so asking for dx below sqrt(DBL_EPSILON)
 * relative is asking Brent to see below rounding.) */
int qrd_minimise(qrd_scalar_fn f, void *params, double lo, double hi,
                 int grid, double xtol_abs, double *x);

#endif
