#include "core/solve.h"

#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_roots.h>

#include "core/error.h"

#define MAX_ITER 500

int qrd_root(qrd_scalar_fn f, void *params, double lo, double hi,
             double xtol_abs, double xtol_rel, double *x)
{
  gsl_function fn = {.function = f, .params = params};
  gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  if (!s)
    return qrd_error_set(QRD_ENOMEM, "root solver");
  int st = gsl_root_fsolver_set(s, &fn, lo, hi);
  for (int iter = 0; st == GSL_SUCCESS && iter < MAX_ITER; iter++) {
    if ((st = gsl_root_fsolver_iterate(s)) != GSL_SUCCESS)
      break;
    double a = gsl_root_fsolver_x_lower(s), b = gsl_root_fsolver_x_upper(s);
    *x = gsl_root_fsolver_root(s);
    if (gsl_root_test_interval(a, b, xtol_abs, xtol_rel) == GSL_SUCCESS) {
      gsl_root_fsolver_free(s);
      return QRD_OK;
    }
  }
  gsl_root_fsolver_free(s);
  return qrd_error_set(QRD_EMAXITER, "root search on [%g, %g] did not converge (%s)",
                       lo, hi, st == GSL_SUCCESS ? "iteration limit" : gsl_strerror(st));
}

int qrd_bracket_root(qrd_scalar_fn f, void *params, double *lo, double *hi)
{
  double flo = f(*lo, params), fhi = f(*hi, params);
  for (int k = 0; k < 64; k++) {
    if (flo * fhi <= 0.0)
      return QRD_OK;
    double mid = 0.5 * (*lo + *hi), half = *hi - *lo;
    *lo = mid - half;
    *hi = mid + half;
    flo = f(*lo, params);
    fhi = f(*hi, params);
  }
  return qrd_error_set(QRD_EMAXITER, "no sign change found up to [%g, %g]", *lo, *hi);
}

/* Index of the smallest of v[0..n-1]. */
static int argmin(const double *v, int n)
{
  int best = 0;
  for (int i = 1; i < n; i++)
    if (v[i] < v[best])
      best = i;
  return best;
}

int qrd_minimise(qrd_scalar_fn f, void *params, double lo, double hi, int grid,
                 double xtol_abs, double *x)
{
  double xs[256], fs[256];
  if (grid < 3 || grid > 256)
    return qrd_error_set(QRD_EINVAL, "minimise: grid=%d outside 3..256", grid);
  for (int i = 0; i < grid; i++) {
    xs[i] = lo + (hi - lo) * i / (grid - 1);
    fs[i] = f(xs[i], params);
  }
  int k = argmin(fs, grid);
  *x = xs[k];
  if (k == 0 || k == grid - 1)
    return qrd_error_set(QRD_EMAXITER, "minimum at the edge of [%g, %g]: no bracket",
                         lo, hi);
  gsl_function fn = {.function = f, .params = params};
  gsl_min_fminimizer *s = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
  if (!s)
    return qrd_error_set(QRD_ENOMEM, "minimiser");
  int st = gsl_min_fminimizer_set_with_values(s, &fn, xs[k], fs[k], xs[k - 1],
                                              fs[k - 1], xs[k + 1], fs[k + 1]);
  for (int iter = 0; st == GSL_SUCCESS && iter < MAX_ITER; iter++) {
    if ((st = gsl_min_fminimizer_iterate(s)) != GSL_SUCCESS)
      break;
    *x = gsl_min_fminimizer_x_minimum(s);
    if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(s),
                              gsl_min_fminimizer_x_upper(s), xtol_abs,
                              0.0) == GSL_SUCCESS) {
      gsl_min_fminimizer_free(s);
      return QRD_OK;
    }
  }
  gsl_min_fminimizer_free(s);
  return qrd_error_set(QRD_EMAXITER, "minimisation on [%g, %g] did not converge (%s)",
                       lo, hi, st == GSL_SUCCESS ? "iteration limit" : gsl_strerror(st));
}
