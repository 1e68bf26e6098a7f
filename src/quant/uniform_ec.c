/* Entropy-coded uniform quantiser: mid-tread cells of equal width (zero at
 * a cell centre), reconstruction at the cell centroids, width tuned so the
 * index entropy equals the target rate. */
#include <math.h>

#include "core/error.h"
#include "core/solve.h"
#include "quant/designs.h"
#include "quant/quantiser.h"

/* Cells reach out to where the tail mass is below this; the two open outer
 * cells hold the rest exactly, so only their (negligible) entropy share
 * differs from an infinite grid. */
#define TAIL_MASS 1e-16
#define MAX_CELLS (1L << 22)

int qrd_uniform_grid(const qrd_dist *d, double step, qrd_codebook **out)
{
  double left = qrd_dist_quantile(d, TAIL_MASS);
  double right = -qrd_dist_quantile(d, TAIL_MASS) + 2.0 * qrd_dist_quantile(d, 0.5);
  long k_lo = (long)floor(left / step + 0.5), k_hi = (long)ceil(right / step - 0.5);
  if (!(isfinite(left) && isfinite(right)) || k_hi - k_lo + 1 > MAX_CELLS)
    return qrd_error_set(QRD_EINVAL, "uniform grid with step %g on %s needs more than "
                         "%ld cells", step, d->spec, MAX_CELLS);
  if (k_hi <= k_lo)
    k_hi = k_lo + 1;
  qrd_codebook *c = qrd_codebook_alloc((size_t)(k_hi - k_lo + 1));
  if (!c)
    return qrd_error_set(QRD_ENOMEM, "uniform grid");
  for (size_t i = 0; i <= c->n; i++)
    c->edge[i] = ((double)(k_lo + (long)i) - 0.5) * step;
  c->edge[0] = -INFINITY;
  c->edge[c->n] = INFINITY;
  for (size_t i = 0; i < c->n; i++)
    c->level[i] = (double)(k_lo + (long)i) * step;
  *out = c;
  return QRD_OK;
}

int qrd_uniform_cells(const qrd_dist *d, double step, qrd_codebook **out)
{
  int st = qrd_uniform_grid(d, step, out);
  if (!st && (st = qrd_codebook_set_centroids(*out, d, NULL))) {
    qrd_codebook_free(*out);
    *out = NULL;
  }
  return st;
}

struct rate_params {
  const qrd_dist *d;
  double rate;
  int status;
};

static double entropy_excess(double log_step, void *params)
{
  struct rate_params *p = params;
  qrd_codebook *c = NULL;
  double h = 0.0;
  int st = qrd_uniform_grid(p->d, exp(log_step), &c);
  if (!st)
    st = qrd_codebook_entropy(c, p->d, &h);
  qrd_codebook_free(c);
  if (st && !p->status)
    p->status = st;
  return h - p->rate;
}

static int design(const qrd_dist *d, const double *th, double rate,
                  qrd_codebook **out)
{
  (void)th;
  struct rate_params p = {.d = d, .rate = rate};
  /* High-rate guess H = h - log2(step), then widen until bracketed. */
  double guess = (qrd_dist_entropy_bits(d) - rate) * M_LN2, log_step;
  double lo = guess - 0.5, hi = guess + 0.5;
  int st = qrd_bracket_root(entropy_excess, &p, &lo, &hi);
  if (!st)
    st = qrd_root(entropy_excess, &p, lo, hi, 1e-12, 0.0, &log_step);
  if (!st)
    st = p.status;
  if (!st)
    st = qrd_uniform_cells(d, exp(log_step), out);
  return st;
}

/* At high rate the cells are uniform with D = step^2/12 and
 * H = h - log2(step), so D 2^{2H} -> 2^{2h} / 12. */
int qrd_entropy_coded_constant(const qrd_dist *d, const double *th, double *k)
{
  (void)th;
  *k = exp2(2.0 * qrd_dist_entropy_bits(d)) / 12.0;
  return QRD_OK;
}

const qrd_quantiser_type qrd_quantiser_uniform_ec = {
  .name = "uniform-ec",
  .doc = "entropy-coded, mid-tread uniform cells, centroid levels, step tuned to --rate",
  .target = QRD_TARGET_RATE,
  .high_rate_constant = qrd_entropy_coded_constant,
  .design = design,
};
