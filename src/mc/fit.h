/* Maximum-likelihood fits of registered distribution families to data (a
 * weight tensor), and the summary statistics that go with them.
 *
 * Every family is fitted the same way: its scale and shape parameters
 * (location fixed at 0, as qrd's families are centred) maximise the mean
 * log-density over the data, by Nelder-Mead on log scale and transformed
 * shapes from the family's defaults (and on either side of them: a t's
 * nu can have local optima) at the data's RMS.  Large tensors are fitted
 * on QRD_FIT_MAX_POINTS values spread over the whole tensor by a
 * multiplicative walk (recorded), and the reported log-likelihood per
 * element is taken over every value.  Non-convergence is an error
 * (QRD_EMAXITER). */
#ifndef QRD_MC_FIT_H
#define QRD_MC_FIT_H

#include <stddef.h>

#include "dist/dist.h"

#define QRD_FIT_MAX_POINTS 65536

typedef struct {
  size_t n;            /* values */
  double mean, rms, max_abs;
  double excess_kurtosis;
  size_t non_finite;   /* NaN or inf values (then the rest is not computed) */
} qrd_fit_summary;

void qrd_fit_summarise(const double *x, size_t n, qrd_fit_summary *s);

typedef struct {
  int status;          /* QRD_OK, or why this family's fit failed (qrd_fit_all) */
  qrd_dist dist;       /* the fitted instance; dist.spec names it */
  double loglik;       /* mean log-density over every value (nats) */
  size_t fit_points;   /* values the optimiser saw */
} qrd_fit;

/* The ML fit of family t to x[0 .. n). */
int qrd_fit_family(const qrd_dist_type *t, const double *x, size_t n, qrd_fit *out);

/* Every registered family fitted (fits[i] for family i, at most `cap`),
 * and the index of the best (largest log-likelihood) among those that
 * converged; a family that did not has its status set (and its reason in
 * fits[i].dist.spec).  An error only when none converged. */
int qrd_fit_all(const double *x, size_t n, qrd_fit *fits, size_t cap, size_t *n_fits,
                size_t *best);

#endif
