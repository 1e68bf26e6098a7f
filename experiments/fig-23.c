/* fig-23 (the synthetic analogue of HRQMM II's table):
 * GPTQ's high-rate excess over WaterSIC, 1/2 log2(AM(d)/GM(d)), per
 * covariance family, size and change of basis.  No quantisation: d are
 * the conditional variances of Q^T Sigma Q in GPTQ's front-to-back order
 * (cov.h), of the undamped Sigma except in the Wishart panel; the sweep
 * is the library's (mat/excess.h).
 *
 * Panels:
 *   n-<N>             one per size; one curve per family (name: its slug,
 *                     label: its spec), x = rotation index (root attribute
 *                     `rotations`), y = mean excess over the draws, y_err =
 *                     their sample sd (0 when neither the family nor the
 *                     rotation is random: then one draw is made; none at
 *                     a size drawn once); and draws-<family>, every draw
 *                     of its random entries as points (rotation, excess)
 *   profile-<family>  d_j / GM(lambda) against the processing index j, one
 *                     curve per rotation (mean and sd over the draws), and
 *                     the lines hm, am = HM(lambda)/GM(lambda),
 *                     AM(lambda)/GM(lambda) (means over the draws)
 *   wishart           excess vs T/n of the Wishart sample covariance of
 *                     AR(1) rho (I for rho = 0) with GPTQ's damping,
 *                     natural order: curves rho-R-percdamp-P (mean +- sd)
 *                     and bartlett-rho-R, the expectation from the Bartlett
 *                     decomposition (undamped, T >= n)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "harness/curve.h"
#include "harness/jobs.h"
#include "mat/excess.h"
#include "mat/point.h"

static const char doc[] =
  "GPTQ's excess 1/2 log2(AM(d)/GM(d)) per covariance family and rotation.\n"
  "Config keys: seed, families (covariance specs), sizes (powers of two for\n"
  "hadamard/sylvester), draws (one count per size), rotations (none act-order\n"
  "haar hadamard sylvester), profile_families, profile_n, profile_draws,\n"
  "wishart_n, wishart_ratios (T/n), wishart_rhos (AR(1) of Sigma_0),\n"
  "wishart_percdamp, wishart_draws.";

typedef qrd_excess_plan setup;

/* ---- configuration ---- */

static int power_of_two(size_t n) { return n && !(n & (n - 1)); }

static int check_sizes(qrd_config *cfg, const setup *s)
{
  if (!qrd_excess_plan_needs_power_of_two(s))
    return QRD_OK;
  for (size_t i = 0; i < s->n_size; i++)
    if (!power_of_two(s->size[i]))
      return qrd_config_invalid(cfg, "sizes",
                                "hadamard and sylvester rotations need powers of two");
  if (!power_of_two(s->profile_n))
    return qrd_config_invalid(cfg, "profile_n",
                              "hadamard and sylvester rotations need a power of two");
  return QRD_OK;
}

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  size_t n_draws;
  int st;
  if ((st = qrd_matq_point_config_covs(cfg, "families", 0, s->family,
                                       QRD_EXCESS_MAX_FAMILIES, &s->n_family)) ||
      (st = qrd_config_wholes(cfg, "sizes", 2, QRD_EXCESS_MAX_N, s->size,
                              QRD_EXCESS_MAX_SIZES, &s->n_size)) ||
      (st = qrd_config_wholes(cfg, "draws", 1, QRD_EXCESS_MAX_DRAWS, s->draws,
                              QRD_EXCESS_MAX_SIZES, &n_draws)) ||
      (st = qrd_matq_point_config_rotations(cfg, "rotations", s->rot,
                                            QRD_EXCESS_MAX_ROTATIONS, &s->n_rot)) ||
      (st = qrd_matq_point_config_covs(cfg, "profile_families", 0, s->profile,
                                       QRD_EXCESS_MAX_PROFILES, &s->n_profile)) ||
      (st = qrd_config_whole(cfg, "profile_n", 2, QRD_EXCESS_MAX_N, &s->profile_n)) ||
      (st = qrd_config_whole(cfg, "profile_draws", 1, QRD_EXCESS_MAX_DRAWS,
                             &s->profile_draws)) ||
      (st = qrd_config_whole(cfg, "wishart_n", 2, QRD_EXCESS_MAX_N, &s->wishart_n)) ||
      (st = qrd_config_numbers(cfg, "wishart_ratios", 1e-3, 1e3, s->ratio,
                               QRD_EXCESS_MAX_RATIOS, &s->n_ratio)) ||
      (st = qrd_config_numbers(cfg, "wishart_rhos", 0.0, 0.999, s->rho, QRD_EXCESS_MAX_RHOS,
                               &s->n_rho)) ||
      (st = qrd_config_numbers(cfg, "wishart_percdamp", 1e-12, 1.0, s->damp,
                               QRD_EXCESS_MAX_DAMPS, &s->n_damp)) ||
      (st = qrd_config_whole(cfg, "wishart_draws", 1, QRD_EXCESS_MAX_DRAWS,
                             &s->wishart_draws)))
    return st;
  if (n_draws != s->n_size)
    return qrd_config_invalid(cfg, "draws", "want one draw count per entry of sizes");
  return check_sizes(cfg, s);
}

/* ---- results ---- */

/* Every draw of the random entries of family f at size i, as a curve
 * draws-<family> of points (rotation index, excess): five draws give a
 * poor standard deviation, so the plot shows the draws themselves. */
static int write_draws(qrd_results *res, const qrd_excess_sweep *sw, const setup *s, size_t i,
                       size_t f, const char *panel, const char *slug)
{
  double x[QRD_EXCESS_MAX_ROTATIONS * QRD_EXCESS_MAX_DRAWS];
  double y[QRD_EXCESS_MAX_ROTATIONS * QRD_EXCESS_MAX_DRAWS];
  size_t m = 0;
  for (size_t r = 0; r < s->n_rot; r++) {
    size_t k = qrd_excess_table_draws(sw, i, f, r);
    if (k < 2)
      continue;
    qrd_excess_table_values(sw, i, f, r, y + m);
    for (size_t j = 0; j < k; j++)
      x[m++] = (double)r;
  }
  char curve[192], label[QRD_COV_PATH_LEN + 64];
  snprintf(curve, sizeof curve, "draws-%s", slug);
  snprintf(label, sizeof label, "%s, every draw", s->family[f].spec);
  return m ? qrd_results_curve(res, panel, curve, label, m, x, y, NULL) : QRD_OK;
}

static int write_tables(qrd_results *res, const qrd_excess_sweep *sw, const setup *s)
{
  char xlabel[160] = "rotation:", rot_list[96] = "";
  for (size_t r = 0; r < s->n_rot; r++) {
    size_t l = strlen(xlabel), m = strlen(rot_list);
    snprintf(xlabel + l, sizeof xlabel - l, " %zu %s", r, qrd_rotate_name(s->rot[r]));
    snprintf(rot_list + m, sizeof rot_list - m, "%s%s", r ? " " : "",
             qrd_rotate_name(s->rot[r]));
  }
  int st = qrd_results_attr_string(res, "rotations", rot_list);
  for (size_t i = 0; !st && i < s->n_size; i++) {
    char panel[32], title[96];
    snprintf(panel, sizeof panel, "n-%lu", s->size[i]);
    snprintf(title, sizeof title, "GPTQ excess over WaterSIC, n = %lu (%lu draw%s)", s->size[i],
             s->draws[i], s->draws[i] > 1 ? "s" : ": no spread");
    st = qrd_results_panel(res, panel, title, xlabel, "1/2 log2(AM(d)/GM(d)) (bits)");
    if (!st)
      st = qrd_curve_params(res, "n=%lu; draws=%lu", s->size[i], s->draws[i]);
    for (size_t f = 0; !st && f < s->n_family; f++) {
      double x[QRD_EXCESS_MAX_ROTATIONS], y[QRD_EXCESS_MAX_ROTATIONS],
          e[QRD_EXCESS_MAX_ROTATIONS];
      for (size_t r = 0; r < s->n_rot; r++) {
        x[r] = (double)r;
        qrd_excess_table(sw, i, f, r, &y[r], &e[r]);
      }
      char curve[160];
      qrd_driver_slug(curve, sizeof curve, s->family[f].spec);
      /* one draw has no spread to show */
      st = qrd_results_curve(res, panel, curve, s->family[f].spec, s->n_rot, x, y,
                             s->draws[i] > 1 ? e : NULL);
      if (!st)
        st = write_draws(res, sw, s, i, f, panel, curve);
    }
  }
  return st;
}

static int write_profile(qrd_results *res, const qrd_excess_sweep *sw, const setup *s,
                         size_t p, double *x, double *y, double *e)
{
  size_t n = s->profile_n;
  char panel[160], slug[140], title[QRD_COV_PATH_LEN + 512];
  qrd_driver_slug(slug, sizeof slug, s->profile[p].spec);
  snprintf(panel, sizeof panel, "profile-%s", slug);
  snprintf(title, sizeof title,
           "GPTQ conditional variances d_j / GM(lambda), %s, n = %zu, mean of %lu draws",
           s->profile[p].spec, n, s->profile_draws);
  int st = qrd_results_panel(res, panel, title, "column j (GPTQ processing order)",
                             "d_j / GM(lambda)");
  for (size_t j = 0; j < n; j++)
    x[j] = (double)j;
  for (size_t r = 0; !st && r < s->n_rot; r++) {
    qrd_excess_profile(sw, p, r, y, e);
    st = qrd_results_curve(res, panel, qrd_rotate_name(s->rot[r]), qrd_rotate_name(s->rot[r]),
                           n, x, y, e);
  }
  double hm, am;
  qrd_excess_profile_lines(sw, p, &hm, &am);
  if (!st)
    st = qrd_curve_flat(res, panel, "hm", "HM(lambda)/GM", 0.0, (double)(n - 1), hm);
  if (!st)
    st = qrd_curve_flat(res, panel, "am", "AM(lambda)/GM", 0.0, (double)(n - 1), am);
  return st;
}

static int write_bartlett(qrd_results *res, const setup *s, size_t a)
{
  double x[QRD_EXCESS_MAX_RATIOS], y[QRD_EXCESS_MAX_RATIOS];
  char curve[96], label[128];
  size_t m = 0;
  for (size_t b = 0; b < s->n_ratio; b++)
    if (qrd_excess_wishart_samples(s, b) >= s->wishart_n) {
      x[m] = s->ratio[b];
      y[m++] = qrd_excess_bartlett(s->wishart_n, qrd_excess_wishart_samples(s, b), s->rho[a]);
    }
  snprintf(label, sizeof label, "bartlett rho=%g", s->rho[a]);
  qrd_driver_slug(curve, sizeof curve, label);
  snprintf(label, sizeof label, "Bartlett expectation, rho %g (undamped, T >= n)", s->rho[a]);
  return m > 0 ? qrd_results_curve(res, "wishart", curve, label, m, x, y, NULL) : QRD_OK;
}

/* The measured curves first, then the Bartlett expectations. */
static int write_wishart(qrd_results *res, const qrd_excess_sweep *sw, const setup *s)
{
  char title[128], curve[96], label[128];
  snprintf(title, sizeof title, "Wishart sample covariance, n = %lu, natural order (%lu draws)",
           s->wishart_n, s->wishart_draws);
  int st = qrd_results_panel(res, "wishart", title, "T/n",
                             "1/2 log2(AM(d)/GM(d)) of the damped Sigma (bits)");
  for (size_t a = 0; !st && a < s->n_rho; a++)
    for (size_t p = 0; !st && p < s->n_damp; p++) {
      double y[QRD_EXCESS_MAX_RATIOS], e[QRD_EXCESS_MAX_RATIOS];
      for (size_t b = 0; b < s->n_ratio; b++)
        qrd_excess_wishart(sw, a, b, p, &y[b], &e[b]);
      snprintf(label, sizeof label, "rho=%g,percdamp=%g", s->rho[a], s->damp[p]);
      qrd_driver_slug(curve, sizeof curve, label);
      if (s->rho[a] == 0.0)
        snprintf(label, sizeof label, "Sigma_0 = I, percdamp %g", s->damp[p]);
      else
        snprintf(label, sizeof label, "Sigma_0 = AR(1) %g, percdamp %g", s->rho[a], s->damp[p]);
      st = qrd_results_curve(res, "wishart", curve, label, s->n_ratio, s->ratio, y, e);
    }
  for (size_t a = 0; !st && a < s->n_rho; a++)
    st = write_bartlett(res, s, a);
  return st;
}

static int write_attrs(qrd_results *res, const setup *s)
{
  char sizes[128] = "", draws[128] = "";
  for (size_t i = 0; i < s->n_size; i++) {
    size_t l = strlen(sizes), m = strlen(draws);
    snprintf(sizes + l, sizeof sizes - l, "%s%lu", i ? " " : "", s->size[i]);
    snprintf(draws + m, sizeof draws - m, "%s%lu", i ? " " : "", s->draws[i]);
  }
  int st = qrd_results_attr_string(res, "sizes", sizes);
  if (!st)
    st = qrd_results_attr_string(res, "draws", draws);
  if (!st)
    st = qrd_results_attr_string(res, "quantity",
                                 "1/2 log2(AM(d)/GM(d)), d = GPTQ's conditional variances "
                                 "(front to back) of Q^T Sigma Q; undamped except in the "
                                 "wishart panel (percdamp)");
  if (!st)
    st = qrd_results_attr_string(res, "rate_kind", "none (no quantisation: high-rate excess)");
  if (!st)
    st = qrd_results_attr_double(res, "profile_n", (double)s->profile_n);
  if (!st)
    st = qrd_results_attr_double(res, "wishart_n", (double)s->wishart_n);
  return st;
}

static int write_results(qrd_results *res, const void *sw_ptr)
{
  const qrd_excess_sweep *sw = sw_ptr;
  const setup *s = qrd_excess_sweep_plan(sw);
  size_t n = s->profile_n;
  double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *e = malloc(n * sizeof *e);
  int st = x && y && e ? write_attrs(res, s) : qrd_error_set(QRD_ENOMEM, "profile buffers");
  if (!st)
    st = write_tables(res, sw, s);
  for (size_t p = 0; !st && p < s->n_profile; p++)
    st = write_profile(res, sw, s, p, x, y, e);
  if (!st)
    st = write_wishart(res, sw, s);
  free(x);
  free(y);
  free(e);
  return st;
}

/* ---- main ---- */

static int run(qrd_driver *drv, void *setup_ptr)
{
  drv->y_err = "sample standard deviation over the draws (the spread of the random family or rotation, not a standard error); 0 where nothing is random";
  qrd_excess_sweep *sw;
  int st = qrd_excess_sweep_alloc(setup_ptr, drv->seed, &sw);
  if (st)
    return st;
  st = qrd_driver_run_excess(drv, sw);
  if (!st)
    st = qrd_driver_write_results(drv, write_results, sw);
  qrd_excess_sweep_free(sw);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-23", doc, read_setup, run, &s);
}
