/* fig-29: GPTQ vs WaterSIC vs the waterfilling limit on the linear layers
 * of a real model: the Universal Sentence Encoder Lite (a 2-layer,
 * 7 M-parameter TF.js sentence encoder, not an LLM), with each layer's
 * real input covariance Sigma_X = X^T X / n and real weight W from
 * data/activations.h5 (`qrd activations`, docs/figures/fig-29.md), in the
 * natural basis and after a random rotation (W Q, Q^T Sigma Q).
 *
 * Panels, one per target rate R (config `rates`): gap-r<R>, with
 * x = the layer's index in the config's `layers` list (0, 1, ...) and
 * y = 1/2 log2(D / D_IT(R)), D_IT reverse waterfilling on
 * sigma_W^2 eig(Sigma_X) (iid Gaussian weights of W's mean square), at
 * the rate each run reached (per-column entropy + Miller-Madow).
 * Curves:
 *   watersic, watersic-<rot>     WaterSIC, natural / rotated;
 *   gptq-ec, gptq-ec-<rot>       GPTQ with entropy coding, natural / rotated;
 *   gptq-ec-pred                 GPTQ natural's high-rate prediction from
 *                                its run: 0.2546 + 1/2 log2(AM(d)/GM(d));
 *   ecsq                         0.2546, WaterSIC's high-rate gap. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "harness/jobs.h"
#include "mat/point_grid.h"

#define MAX_LAYERS 16
#define MAX_RATES 8

static const char doc[] =
  "GPTQ vs WaterSIC vs waterfilling on a real model's linear layers.\n"
  "Config keys: seed (the rotation), sigma_file (an HDF5 file of qrd activations),\n"
  "layers (its groups, one point per layer), rows (at most this many rows of each\n"
  "W, the first; 0: all), rates (targets R, per-column entropy + MM), tune (1: tune\n"
  "each run to R; 0: nominal step), rotation (haar | hadamard | sylvester),\n"
  "watersic (a watersic spec), gptq_ec (a gptq spec).";

enum { C_WATERSIC, C_WATERSIC_ROT, C_GPTQ, C_GPTQ_ROT, N_RUNS };
static const char *const RUN_NAME[N_RUNS] = {"watersic", "watersic", "gptq-ec", "gptq-ec"};
static const char *const RUN_LABEL[N_RUNS] = {"WaterSIC", "WaterSIC", "GPTQ-EC", "GPTQ-EC"};

typedef struct {
  char file[QRD_COV_PATH_LEN];
  char layer[MAX_LAYERS][200];
  size_t n_layer;
  unsigned long rows;
  int tune;
  double rate[MAX_RATES];
  size_t n_rate;
  qrd_rotate_kind rot;
  qrd_rotate_kind rotate[N_RUNS];
  qrd_matq run[N_RUNS];
} setup;

/* ---- configuration ---- */

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  const char *w[QRD_CONFIG_MAX_LIST];
  size_t n;
  unsigned long tune;
  int st = qrd_config_list(cfg, "sigma_file", w, &n);
  if (!st && n != 1)
    st = qrd_config_invalid(cfg, "sigma_file", "want one path");
  if (!st)
    snprintf(s->file, sizeof s->file, "%s", w[0]);
  if (!st && !(st = qrd_config_list(cfg, "layers", w, &n))) {
    if (n < 1 || n > MAX_LAYERS)
      st = qrd_config_invalid(cfg, "layers", "want 1 to 16 group names");
    for (size_t i = 0; !st && i < n; i++) {
      if (strlen(w[i]) >= sizeof s->layer[i] || strchr(w[i], ':'))
        st = qrd_config_invalid(cfg, "layers", "group names of < 200 characters without ':'");
      else
        snprintf(s->layer[i], sizeof s->layer[i], "%s", w[i][0] == '/' ? w[i] + 1 : w[i]);
    }
    s->n_layer = n;
  }
  if (!st)
    st = qrd_config_whole(cfg, "rows", 0, 1e6, &s->rows);
  if (!st)
    st = qrd_config_whole(cfg, "tune", 0, 1, &tune);
  s->tune = tune != 0;
  if (!st)
    st = qrd_config_numbers(cfg, "rates", 0.5, 8.0, s->rate, MAX_RATES, &s->n_rate);
  if (!st && !(st = qrd_config_list(cfg, "rotation", w, &n)) &&
      (n != 1 || qrd_rotate_parse(w[0], &s->rot) || s->rot == QRD_ROTATE_NONE ||
       s->rot == QRD_ROTATE_ACT_ORDER))
    st = qrd_config_invalid(cfg, "rotation", "want haar, hadamard or sylvester");
  if (!st)
    st = qrd_matq_point_config_method(cfg, "watersic", "watersic", &s->run[C_WATERSIC]);
  if (!st)
    st = qrd_matq_point_config_method(cfg, "gptq_ec", "gptq", &s->run[C_GPTQ]);
  s->run[C_WATERSIC_ROT] = s->run[C_WATERSIC];
  s->run[C_GPTQ_ROT] = s->run[C_GPTQ];
  s->rotate[C_WATERSIC] = s->rotate[C_GPTQ] = QRD_ROTATE_NONE;
  s->rotate[C_WATERSIC_ROT] = s->rotate[C_GPTQ_ROT] = s->rot;
  return st;
}

/* ---- one layer: its Sigma, its W (first `rows` rows) and the Gaussian law
 * of W's mean square for the waterfilling reference ---- */

static int load_layer(const setup *s, size_t l, qrd_matq_point_panel *pn)
{
  char spec[QRD_COV_PATH_LEN + 256];
  qrd_cov cov;
  size_t n, a;
  double *Wc = NULL;
  qrd_dist law;
  *pn = (qrd_matq_point_panel){0};
  snprintf(spec, sizeof spec, "file:%s:/%s", s->file, s->layer[l]);
  int st = qrd_cov_parse(spec, &cov);
  if (!st)
    st = qrd_cov_dim(&cov, 0, &n);
  if (!st && !(pn->Sigma = malloc(n * n * sizeof *pn->Sigma)))
    st = qrd_error_set(QRD_ENOMEM, "%s: Sigma %zux%zu", spec, n, n);
  if (!st)
    st = qrd_cov_build(&cov, n, 0, pn->Sigma);
  if (!st)
    st = qrd_cov_read_w(&cov, n, &a, &Wc);
  if (!st && !Wc)
    st = qrd_error_set(QRD_EINVAL, "%s: no dataset W (fig-29 needs the layer's weight)", spec);
  size_t rows = !st && s->rows && s->rows < a ? s->rows : a;
  if (!st && !(pn->W = malloc(rows * n * sizeof *pn->W)))
    st = qrd_error_set(QRD_ENOMEM, "%s: W %zux%zu", spec, rows, n);
  for (size_t r = 0; !st && r < rows; r++) /* Wc is column-major a x n */
    for (size_t c = 0; c < n; c++)
      pn->W[r * n + c] = Wc[c * a + r];
  if (!st)
    st = qrd_matq_point_file_w_law(Wc, a, rows, n, spec, &law);
  free(Wc);
  if (!st)
    st = qrd_matq_point_limits_alloc(&law, n, pn->Sigma, &pn->lim);
  if (!st)
    pn->p = (qrd_matq_problem){rows, n, pn->W, pn->Sigma};
  else
    qrd_matq_point_panel_free(pn);
  return st;
}

/* ---- results ---- */

typedef struct {
  qrd_driver_grid_run run; /* first: the callbacks' ctx */
  const setup *s;
  char layers[MAX_LAYERS * 200];
} state;

static int write_rate(qrd_results *res, const state *t, size_t r)
{
  const setup *s = t->s;
  char slug[64], panel[64], title[256], curve[64], label[128];
  double y[MAX_LAYERS];
  snprintf(slug, sizeof slug, "gap-r%g", s->rate[r]);
  qrd_driver_slug(panel, sizeof panel, slug);
  snprintf(title, sizeof title, "USE-Lite linear layers, R = %g: gap to reverse waterfilling",
           s->rate[r]);
  int st = qrd_results_panel(res, panel, title, "layer (index in the config's layers list)",
                             "gap 1/2 log2(D / D_IT(R)) (bits)");
  if (!st)
    st = qrd_curve_params(res, "rate=%g; rotation=%s; layers=%s", s->rate[r],
                          qrd_rotate_name(s->rot), t->layers);
  for (size_t c = 0; !st && c < N_RUNS; c++) {
    for (size_t l = 0; l < s->n_layer; l++)
      y[l] = qrd_matq_point_grid_at(&t->run.g, t->run.jobs, l, c, r)->at_col.gap;
    int rot = s->rotate[c] != QRD_ROTATE_NONE;
    snprintf(curve, sizeof curve, "%s%s%s", RUN_NAME[c], rot ? "-" : "",
             rot ? qrd_rotate_name(s->rot) : "");
    snprintf(label, sizeof label, "%s%s%s", RUN_LABEL[c], rot ? ", " : "",
             rot ? qrd_rotate_name(s->rot) : "");
    st = qrd_curve_indexed(res, panel, curve, label, s->n_layer, y, NULL);
  }
  for (size_t l = 0; !st && l < s->n_layer; l++)
    y[l] = QRD_MATQ_GAP_ECSQ +
           qrd_matq_point_grid_at(&t->run.g, t->run.jobs, l, C_GPTQ, r)->excess_pred;
  if (!st)
    st = qrd_curve_indexed(res, panel, "gptq-ec-pred",
                           "GPTQ-EC high-rate prediction 0.2546 + 1/2 log2(AM(d)/GM(d))",
                           s->n_layer, y, NULL);
  if (!st)
    st = qrd_curve_flat(res, panel, "ecsq", "0.2546 (WaterSIC, high rate)", 0.0,
                        (double)(s->n_layer - 1), QRD_MATQ_GAP_ECSQ);
  return st;
}

static int write_results(qrd_results *res, const void *t_ptr)
{
  const state *t = t_ptr;
  const setup *s = t->s;
  int st = qrd_results_attr_string(res, "sigma_file", s->file);
  if (!st)
    st = qrd_results_attr_string(res, "layers", t->layers);
  if (!st)
    st = qrd_results_attr_double(res, "rows", (double)s->rows);
  if (!st)
    st = qrd_results_attr_string(res, "rate_kind", "entropy_col+mm (no side information)");
  if (!st)
    st = qrd_results_attr_string(res, "rate_target",
                                 s->tune ? "tuned (entropy_col+mm)" : "nominal step");
  if (!st)
    st = qrd_results_attr_string(res, "reference",
                                 "reverse waterfilling on sigma_W^2 eig(Sigma_X), sigma_W^2 "
                                 "the mean square of the layer's W (iid Gaussian weights)");
  if (!st)
    st = qrd_results_attr_string(res, "watersic", s->run[C_WATERSIC].spec);
  if (!st)
    st = qrd_results_attr_string(res, "gptq_ec", s->run[C_GPTQ].spec);
  if (!st)
    st = qrd_results_attr_string(res, "rotation", qrd_rotate_name(s->rot));
  for (size_t r = 0; !st && r < s->n_rate; r++)
    st = write_rate(res, t, r);
  return st;
}

/* ---- main ---- */

static void job_name(const void *t_ptr, size_t i, char *buf, size_t len)
{
  const state *t = t_ptr;
  size_t l, c, r;
  qrd_matq_point_grid_coords(&t->run.g, i, &l, &c, &r);
  snprintf(buf, len, "%s %s%s R0=%g", t->s->layer[l], RUN_NAME[c],
           t->s->rotate[c] != QRD_ROTATE_NONE ? "-rotated" : "", t->s->rate[r]);
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  qrd_matq_point_panel pn[MAX_LAYERS] = {0};
  static state t;
  t = (state){.s = s};
  int st = QRD_OK;
  for (size_t l = 0; !st && l < s->n_layer; l++) {
    st = load_layer(s, l, &pn[l]);
    size_t len = strlen(t.layers);
    snprintf(t.layers + len, sizeof t.layers - len, "%s%s", l ? "," : "", s->layer[l]);
  }
  t.run.g = (qrd_matq_point_grid){.panel = pn, .n_panel = s->n_layer, .method = s->run,
                                  .rotate = s->rotate,
                                  .rotate_seed = qrd_matq_point_rotate_seed(drv->seed),
                                  .n_method = N_RUNS, .rate = s->rate, .n_rate = s->n_rate,
                                  .nominal = !s->tune};
  if (!st)
    st = qrd_driver_run_grid(drv, &t.run, job_name, write_results);
  for (size_t l = 0; l < s->n_layer; l++)
    qrd_matq_point_panel_free(&pn[l]);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-29", doc, read_setup, run, &s);
}
