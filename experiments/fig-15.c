/* fig-15 (Orr et al.; F-M4 `ma_fisher_bit_allocation` and the
 * predicted side of F-X4 `xp_bit_allocation`): Fisher-optimal bit
 * allocation from a per-tensor statistics file (format in alloc/alloc.h).
 *
 * Panels:
 *   bits    per-tensor bits at b̄ = `target`, continuous and clamped at
 *           min_bits (F-M4), against the layer number; one curve per tensor
 *           type, in order of first appearance, after a curve `target` (the
 *           flat level).  Layers and types come from the tensor names
 *           (qrd_alloc_classify).
 *   kl      predicted D_KL against the achieved mean bits for the
 *           allocations flat, optimal, clamped, rounded (b̄ swept), then
 *           `saving-at-target`: two points at the optimal allocation's KL at
 *           b̄ = target, from b̄ to the flat width with the same KL.
 *   saving  bits per parameter saved at equal predicted KL against b̄ for
 *           optimal (= ½ log2(AM/GM)), clamped and rounded.
 * Deterministic: `seed` is recorded only (the stand-in data file names the
 * seed that generated it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc/alloc.h"
#include "core/error.h"
#include "harness/curve.h"

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

/* What the results are written from.  Point i < n_sweep fills sum[i];
 * point n_sweep (the target) at_target and bits. */
typedef struct {
  const setup *s;
  const qrd_alloc_stats *st;
  qrd_alloc_summary sum[MAX_SWEEP][QRD_ALLOC_N_KINDS], at_target[QRD_ALLOC_N_KINDS];
  double *bits;         /* the clamped allocation at the target, one per tensor */
  double *pos, *x, *y;  /* the bits panel's scratch, one per tensor */
  double cx[MAX_SWEEP], cy[MAX_SWEEP];
} run_state;

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

static int write_bits_panel(qrd_results *res, run_state *w)
{
  const setup *s = w->s;
  char title[160], type[QRD_ALLOC_NAME_MAX], curve[QRD_ALLOC_NAME_MAX + 8];
  double lo, hi;
  qrd_alloc_layer_positions(w->st, w->pos, &lo, &hi);
  snprintf(title, sizeof title, "Optimal bits per tensor at mean %g bits (continuous, "
           "clamped at %g)", s->target, s->min_bits);
  int rc = qrd_results_panel(res, "bits", title, "layer", "element bits b_t");
  snprintf(title, sizeof title, "flat %g bits", s->target);
  if (!rc)
    rc = qrd_curve_flat(res, "bits", "target", title, lo, hi, s->target);
  for (size_t t = 0; !rc && t < w->st->n; t++) {
    if (!qrd_alloc_first_of_type(w->st, t, type, sizeof type))
      continue;
    size_t n = qrd_alloc_type_points(w->st, type, w->pos, w->bits, w->x, w->y);
    qrd_driver_slug(curve, sizeof curve, type);
    rc = qrd_results_curve(res, "bits", curve, type, n, w->x, w->y, NULL);
  }
  return rc;
}

static const char *const kl_label[QRD_ALLOC_N_KINDS] = {
  "flat", "optimal (continuous)", "optimal, clamped (compressed formats)",
  "optimal, rounded and clamped (fixed-length formats)"};

static int write_kl_panel(qrd_results *res, run_state *w)
{
  int rc = qrd_results_panel(res, "kl", "Predicted KL vs bits per parameter",
                             "mean bits per parameter (achieved)", "predicted D_KL");
  for (int k = 0; !rc && k < QRD_ALLOC_N_KINDS; k++) {
    for (size_t i = 0; i < w->s->n_sweep; i++) {
      w->cx[i] = w->sum[i][k].mean_bits;
      w->cy[i] = w->sum[i][k].kl;
    }
    rc = qrd_results_curve(res, "kl", qrd_alloc_kind_name((qrd_alloc_kind)k), kl_label[k],
                           w->s->n_sweep, w->cx, w->cy, NULL);
  }
  return rc;
}

static int write_saving_panel(qrd_results *res, run_state *w)
{
  int rc = qrd_results_panel(res, "saving", "Saving at equal predicted KL",
                             "target mean bits per parameter", "saving (bits per parameter)");
  for (int k = QRD_ALLOC_OPTIMAL; !rc && k < QRD_ALLOC_N_KINDS; k++) {
    for (size_t i = 0; i < w->s->n_sweep; i++)
      w->cy[i] = w->sum[i][k].saving;
    rc = qrd_results_curve(res, "saving", qrd_alloc_kind_name((qrd_alloc_kind)k),
                           k == QRD_ALLOC_OPTIMAL ? "optimal = 1/2 log2(AM/GM)" : kl_label[k],
                           w->s->n_sweep, w->s->sweep, w->cy, NULL);
  }
  return rc;
}

/* The marker and the root attributes at b̄ = target. */
static int write_target(qrd_results *res, const run_state *w)
{
  const qrd_alloc_summary *m = &w->at_target[QRD_ALLOC_OPTIMAL];
  char label[128];
  snprintf(label, sizeof label, "saving %.2f bits at %g bits (KL %.3g)", m->saving,
           w->s->target, m->kl);
  int rc = QRD_OK;
  for (int k = QRD_ALLOC_OPTIMAL; !rc && k < QRD_ALLOC_N_KINDS; k++) {
    char saving[64], mean[64];
    const char *kind = qrd_alloc_kind_name((qrd_alloc_kind)k);
    snprintf(saving, sizeof saving, "saving_%s", kind);
    snprintf(mean, sizeof mean, "mean_bits_%s", kind);
    qrd_attr a[] = {{saving, w->at_target[k].saving}, {mean, w->at_target[k].mean_bits}};
    rc = qrd_driver_attrs(res, a, 2);
  }
  return rc ? rc : qrd_results_curve(res, "kl", "saving-at-target", label, 2,
                                     (double[]){m->mean_bits, m->flat_bits},
                                     (double[]){m->kl, m->kl}, NULL);
}

static int write_all(qrd_results *res, const void *ctx)
{
  run_state *w = (run_state *)ctx;
  const setup *s = w->s;
  qrd_attr a[] = {{"tensors", (double)w->st->n}, {"target_bits", s->target},
                  {"min_bits", s->min_bits}, {"epsilon", s->epsilon}};
  int rc;
  if ((rc = write_bits_panel(res, w)) || (rc = write_kl_panel(res, w)) ||
      (rc = write_saving_panel(res, w)) || (rc = write_target(res, w)) ||
      (rc = qrd_results_attr_string(res, "stats_file", s->stats)))
    return rc;
  return qrd_driver_attrs(res, a, sizeof a / sizeof a[0]);
}

/* Point i < n_sweep: every kind's summary at b̄ = sweep[i]; point
 * n_sweep: those at the target, and the clamped allocation the bits panel
 * draws. */
static int summarise(void *ctx, size_t i, char *what, size_t len)
{
  run_state *w = ctx;
  const setup *s = w->s;
  int target = i == s->n_sweep;
  double b = target ? s->target : s->sweep[i];
  double *scratch = malloc(w->st->n * sizeof *scratch);
  snprintf(what, len, target ? "target: mean %.3g bits" : "mean %.3g bits", b);
  int rc = scratch ? qrd_alloc_summarise_kinds(w->st, b, s->min_bits, s->epsilon, scratch,
                                               target ? w->at_target : w->sum[i])
                   : qrd_error_set(QRD_ENOMEM, "%zu tensors", w->st->n);
  if (!rc && target)
    rc = qrd_alloc_bits(w->st, b, s->min_bits, QRD_ALLOC_CLAMPED, w->bits);
  free(scratch);
  return rc;
}

static size_t point_slots(const void *ctx, size_t i, qrd_driver_slot *r)
{
  run_state *w = (run_state *)ctx;
  if (i < w->s->n_sweep) {
    r[0] = (qrd_driver_slot){w->sum[i], 0, sizeof w->sum[i]};
    return 1;
  }
  r[0] = (qrd_driver_slot){w->at_target, 0, sizeof w->at_target};
  r[1] = (qrd_driver_slot){w->bits, 0, w->st->n * sizeof *w->bits};
  return 2;
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  qrd_alloc_stats *st;
  int rc = qrd_alloc_stats_read(s->stats, &st);
  if (rc)
    return rc;
  run_state *w = malloc(sizeof *w);
  double *work = malloc(4 * st->n * sizeof *work);
  if (!work || !w)
    rc = qrd_error_set(QRD_ENOMEM, "%s: %zu tensors", s->stats, st->n);
  if (!rc) {
    *w = (run_state){.s = s, .st = st, .bits = work, .pos = work + st->n,
                     .x = work + 2 * st->n, .y = work + 3 * st->n};
    qrd_driver_progress_begin(drv, s->n_sweep + 1);
    rc = qrd_driver_run_items(drv, s->n_sweep + 1, summarise, w,
                              &(qrd_driver_slots){.at = point_slots, .ctx = w});
  }
  if (!rc)
    rc = qrd_driver_write_results(drv, write_all, w);
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
