#include "core/integrate.h"

#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include "core/error.h"

#define WORKSPACE_LIMIT 2000

static _Thread_local gsl_integration_workspace *workspace;

int qrd_integrate(qrd_integrand f, void *params, double a, double b,
                  double *result, double *abserr)
{
  if (!workspace && !(workspace = gsl_integration_workspace_alloc(WORKSPACE_LIMIT)))
    return qrd_error_set(QRD_ENOMEM, "integration workspace");
  gsl_function fn = {.function = f, .params = params};
  int st;
  *result = 0.0;
  *abserr = 0.0;
  if (a == b)
    return QRD_OK;
  if (isinf(a) && isinf(b))
    st = gsl_integration_qagi(&fn, QRD_INTEG_EPSABS, QRD_INTEG_EPSREL,
                              WORKSPACE_LIMIT, workspace, result, abserr);
  else if (isinf(b))
    st = gsl_integration_qagiu(&fn, a, QRD_INTEG_EPSABS, QRD_INTEG_EPSREL,
                               WORKSPACE_LIMIT, workspace, result, abserr);
  else if (isinf(a))
    st = gsl_integration_qagil(&fn, b, QRD_INTEG_EPSABS, QRD_INTEG_EPSREL,
                               WORKSPACE_LIMIT, workspace, result, abserr);
  else
    st = gsl_integration_qags(&fn, a, b, QRD_INTEG_EPSABS, QRD_INTEG_EPSREL,
                              WORKSPACE_LIMIT, workspace, result, abserr);
  /* QAGS-type routines report round-off when the extrapolation table stalls,
   * which on smooth integrands with tiny values (far tail cells) often
   * happens after the tolerance has been met: accept those results. */
  if (st == GSL_EROUND && *abserr <= fmax(QRD_INTEG_EPSABS, QRD_INTEG_EPSREL * fabs(*result)))
    st = GSL_SUCCESS;
  if (st != GSL_SUCCESS || !isfinite(*result))
    return qrd_error_set(QRD_EINTEG,
                         "quadrature over [%g, %g] failed: %s (estimate %g, error %g)",
                         a, b, gsl_strerror(st), *result, *abserr);
  return QRD_OK;
}
