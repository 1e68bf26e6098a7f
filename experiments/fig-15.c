/* fig-15 (Orr et al. §2.2; F-M4 `ma_fisher_bit_allocation` and the
 * predicted side of F-X4 `xp_bit_allocation`): Fisher-optimal bit
 * allocation from a per-tensor statistics file (format in alloc/alloc.h).
 *
 * Panels:
 *   bits    per-tensor bits at b̄ = `target`, continuous and clamped at
 *           min_bits (F-M4), against the layer number; one curve per tensor
 *           type (the last dot-separated name component other than
 *           "weight"), in order of first appearance, after a curve `target`
 *           (the flat level).  Tensors outside the numbered layers sit one
 *           step before or after them, by file order.
 *   kl      predicted D_KL against the achieved mean bits for the
 *           allocations flat, optimal, clamped, rounded (b̄ swept), then
 *           `saving-at-target`: two points at the optimal allocation's KL at
 *           b̄ = target, from b̄ to the flat width with the same KL.
 *   saving  bits per parameter saved at equal predicted KL against b̄ for
 *           optimal (= ½ log2(AM/GM)), clamped and rounded.
 * Deterministic: `seed` is recorded only (the stand-in data file names the
 * seed that generated it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc/alloc.h"
#include "core/error.h"
#include "harness/driver.h"

#define MAX_SWEEP 4096

static const char doc[] =
  "Fisher-optimal bit allocation (Orr et al. 2.2).  Config keys: seed (recorded),\n"
  "  stats (per-tensor statistics TSV, see qrd allocate --help), target (b̄ of the\n"
  "  per-tensor panel and the saving marker), sweep_min, sweep_max, sweep_step\n"
  "  (b̄ of the KL and saving curves), min_bits, epsilon (the format's R 2^b).";

typedef struct {
  char stats[1024];
  double target, min_bits, epsilon;
  double sweep[MAX_SWEEP]; /* b̄ of the KL and saving curves */
  size_t n_sweep;
} setup;

/* Tensor-length work arrays. */
typedef struct {
  double *bits, *pos, *x, *y;
} scratch;

/* ---- configuration ---- */

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  const char *words[QRD_CONFIG_MAX_LIST];
  size_t n;
  int st;
  if ((st = qrd_config_list(cfg, "stats", words, &n)))
    return st;
  if (n != 1 || strlen(words[0]) >= sizeof s->stats)
    return qrd_config_invalid(cfg, "stats", "want one file name");
  strcpy(s->stats, words[0]);
  if ((st = qrd_config_double(cfg, "min_bits", 0, 16, &s->min_bits)) ||
      (st = qrd_config_double(cfg, "target", s->min_bits, 32, &s->target)) ||
      (st = qrd_config_range(cfg, "sweep", s->min_bits, 32, s->sweep, MAX_SWEEP, &s->n_sweep)))
    return st;
  return qrd_config_double(cfg, "epsilon", 1e-6, 1e6, &s->epsilon);
}

/* ---- the per-tensor panel ---- */

/* Layer number: the first all-digit dot-separated component (-1: none).
 * Type: the last component other than "weight". */
static int classify(const char *name, char *type, size_t len)
{
  char buf[QRD_ALLOC_NAME_MAX], *save;
  int layer = -1;
  snprintf(buf, sizeof buf, "%s", name);
  snprintf(type, len, "%s", name);
  for (char *c = strtok_r(buf, ".", &save); c; c = strtok_r(NULL, ".", &save)) {
    if (layer < 0 && strspn(c, "0123456789") == strlen(c))
      layer = atoi(c);
    else if (strcmp(c, "weight") != 0)
      snprintf(type, len, "%s", c);
  }
  return layer;
}

/* x of every tensor: its layer; tensors outside the layers one step before
 * the first (when they precede every layered tensor in the file) or after
 * the last; the file index when no name has a layer number. */
static void layer_positions(const qrd_alloc_stats *st, double *x)
{
  char type[QRD_ALLOC_NAME_MAX];
  int lo = -1, hi = -1, seen_layer = 0;
  for (size_t t = 0; t < st->n; t++) {
    int l = classify(st->tensor[t].name, type, sizeof type);
    x[t] = l;
    if (l >= 0) {
      lo = lo < 0 || l < lo ? l : lo;
      hi = l > hi ? l : hi;
    }
  }
  for (size_t t = 0; t < st->n; t++) {
    if (hi < 0)
      x[t] = (double)t;
    else if (x[t] >= 0)
      seen_layer = 1;
    else
      x[t] = seen_layer ? hi + 1 : lo - 1;
  }
}

/* One type's points, sorted by x. */
static size_t type_points(const qrd_alloc_stats *st, const char *want, const double *pos,
                          const double *bits, double *x, double *y)
{
  char type[QRD_ALLOC_NAME_MAX];
  size_t n = 0;
  for (size_t t = 0; t < st->n; t++) {
    classify(st->tensor[t].name, type, sizeof type);
    if (strcmp(type, want) != 0)
      continue;
    size_t i = n++;
    for (; i > 0 && x[i - 1] > pos[t]; i--) {
      x[i] = x[i - 1];
      y[i] = y[i - 1];
    }
    x[i] = pos[t];
    y[i] = bits[t];
  }
  return n;
}

/* A type is new when no earlier tensor has it. */
static int first_of_type(const qrd_alloc_stats *st, size_t t, char *type, size_t len)
{
  char other[QRD_ALLOC_NAME_MAX];
  classify(st->tensor[t].name, type, len);
  for (size_t u = 0; u < t; u++) {
    classify(st->tensor[u].name, other, sizeof other);
    if (strcmp(other, type) == 0)
      return 0;
  }
  return 1;
}

static int write_bits_panel(qrd_results *res, const setup *s, const qrd_alloc_stats *st,
                            const scratch *w)
{
  double *pos = w->pos;
  char title[160], type[QRD_ALLOC_NAME_MAX], curve[QRD_ALLOC_NAME_MAX + 8];
  layer_positions(st, pos);
  double lo = pos[0], hi = pos[0];
  for (size_t t = 1; t < st->n; t++) {
    lo = fmin(lo, pos[t]);
    hi = fmax(hi, pos[t]);
  }
  snprintf(title, sizeof title, "Optimal bits per tensor at mean %g bits (continuous, "
           "clamped at %g)", s->target, s->min_bits);
  int rc = qrd_results_panel(res, "bits", title, "layer", "element bits b_t");
  double fx[2] = {lo, hi}, fy[2] = {s->target, s->target};
  snprintf(title, sizeof title, "flat %g bits", s->target);
  if (!rc)
    rc = qrd_results_curve(res, "bits", "target", title, 2, fx, fy, NULL);
  for (size_t t = 0; !rc && t < st->n; t++) {
    if (!first_of_type(st, t, type, sizeof type))
      continue;
    size_t n = type_points(st, type, pos, w->bits, w->x, w->y);
    qrd_driver_slug(curve, sizeof curve, type);
    rc = qrd_results_curve(res, "bits", curve, type, n, w->x, w->y, NULL);
  }
  return rc;
}

/* ---- the sweep ---- */

typedef struct {
  qrd_alloc_summary sum[QRD_ALLOC_N_KINDS][MAX_SWEEP];
  double x[MAX_SWEEP], y[MAX_SWEEP]; /* a curve being written */
} sweep;

static int run_sweep(qrd_driver *drv, const setup *s, const qrd_alloc_stats *st,
                     double *bits, sweep *w)
{
  qrd_driver_progress_begin(drv, s->n_sweep);
  for (size_t i = 0; i < s->n_sweep; i++) {
    char what[64];
    for (int k = 0; k < QRD_ALLOC_N_KINDS; k++) {
      int rc = qrd_alloc_bits(st, s->sweep[i], s->min_bits, (qrd_alloc_kind)k, bits);
      if (rc)
        return rc;
      w->sum[k][i] = qrd_alloc_summarise(st, bits, s->epsilon);
    }
    snprintf(what, sizeof what, "mean %.3g bits", s->sweep[i]);
    qrd_driver_progress_step(drv, what);
  }
  return QRD_OK;
}

static int write_sweep_panels(qrd_results *res, const setup *s, sweep *w)
{
  double *x = w->x, *y = w->y;
  static const char *const kl_label[QRD_ALLOC_N_KINDS] = {
    "flat", "optimal (continuous)", "optimal, clamped (compressed formats)",
    "optimal, rounded and clamped (fixed-length formats)"};
  int rc = qrd_results_panel(res, "kl", "Predicted KL vs bits per parameter",
                             "mean bits per parameter (achieved)", "predicted D_KL");
  for (int k = 0; !rc && k < QRD_ALLOC_N_KINDS; k++) {
    for (size_t i = 0; i < s->n_sweep; i++) {
      x[i] = w->sum[k][i].mean_bits;
      y[i] = w->sum[k][i].kl;
    }
    rc = qrd_results_curve(res, "kl", qrd_alloc_kind_name((qrd_alloc_kind)k), kl_label[k],
                           s->n_sweep, x, y, NULL);
  }
  if (!rc)
    rc = qrd_results_panel(res, "saving", "Saving at equal predicted KL",
                           "target mean bits per parameter", "saving (bits per parameter)");
  for (int k = QRD_ALLOC_OPTIMAL; !rc && k < QRD_ALLOC_N_KINDS; k++) {
    for (size_t i = 0; i < s->n_sweep; i++)
      y[i] = w->sum[k][i].saving;
    rc = qrd_results_curve(res, "saving", qrd_alloc_kind_name((qrd_alloc_kind)k),
                           k == QRD_ALLOC_OPTIMAL ? "optimal = 1/2 log2(AM/GM)" : kl_label[k],
                           s->n_sweep, s->sweep, y, NULL);
  }
  return rc;
}

/* The marker and the root attributes at b̄ = target. */
static int write_target(qrd_results *res, const setup *s, const qrd_alloc_stats *st,
                        double *bits)
{
  int rc = QRD_OK;
  for (int k = QRD_ALLOC_OPTIMAL; !rc && k < QRD_ALLOC_N_KINDS; k++) {
    char name[64];
    const char *kind = qrd_alloc_kind_name((qrd_alloc_kind)k);
    if ((rc = qrd_alloc_bits(st, s->target, s->min_bits, (qrd_alloc_kind)k, bits)))
      return rc;
    qrd_alloc_summary m = qrd_alloc_summarise(st, bits, s->epsilon);
    snprintf(name, sizeof name, "saving_%s", kind);
    rc = qrd_results_attr_double(res, name, m.saving);
    snprintf(name, sizeof name, "mean_bits_%s", kind);
    if (!rc)
      rc = qrd_results_attr_double(res, name, m.mean_bits);
    if (!rc && k == QRD_ALLOC_OPTIMAL) {
      char label[128];
      double x[2] = {m.mean_bits, m.flat_bits}, y[2] = {m.kl, m.kl};
      snprintf(label, sizeof label, "saving %.2f bits at %g bits (KL %.3g)", m.saving,
               s->target, m.kl);
      rc = qrd_results_curve(res, "kl", "saving-at-target", label, 2, x, y, NULL);
    }
  }
  return rc;
}

static int write_results(qrd_driver *drv, const setup *s, const qrd_alloc_stats *st,
                         sweep *w, const scratch *t)
{
  qrd_results *res;
  int rc = qrd_driver_results(drv, &res);
  if (rc)
    return rc;
  if (!(rc = qrd_alloc_bits(st, s->target, s->min_bits, QRD_ALLOC_CLAMPED, t->bits)))
    rc = write_bits_panel(res, s, st, t);
  if (!rc)
    rc = write_sweep_panels(res, s, w);
  if (!rc)
    rc = write_target(res, s, st, t->bits);
  if (!rc)
    rc = qrd_results_attr_string(res, "stats_file", s->stats);
  if (!rc)
    rc = qrd_results_attr_double(res, "tensors", (double)st->n);
  if (!rc)
    rc = qrd_results_attr_double(res, "target_bits", s->target);
  if (!rc)
    rc = qrd_results_attr_double(res, "min_bits", s->min_bits);
  if (!rc)
    rc = qrd_results_attr_double(res, "epsilon", s->epsilon);
  return qrd_driver_close_results(res, rc);
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  qrd_alloc_stats *st;
  int rc = qrd_alloc_stats_read(s->stats, &st);
  if (rc)
    return rc;
  double *work = malloc(4 * st->n * sizeof *work);
  sweep *w = malloc(sizeof *w);
  scratch t = {work, work + st->n, work + 2 * st->n, work + 3 * st->n};
  if (!work || !w)
    rc = qrd_error_set(QRD_ENOMEM, "%s: %zu tensors", s->stats, st->n);
  if (!rc)
    rc = run_sweep(drv, s, st, t.bits, w);
  if (!rc)
    rc = write_results(drv, s, st, w, &t);
  free(w);
  free(work);
  qrd_alloc_stats_free(st);
  return rc;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-15", doc, read_setup, run, &s);
}
