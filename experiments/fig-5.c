/* fig-5 (Orr et al. F-S4, `eg_scaling_mode_3bit_normal`): the codepoints of
 * a b-bit cube-root-density (CRD) format under each scaling mode, one row
 * per mode.  Deterministic: the codepoints are closed-form quantiles
 * (Orr et al.), no sample is drawn.
 *
 * Panel "codepoints": one curve per row, named after its config word
 * (e.g. "rms-sym", "absmax-asym"), with x = codepoint value and y = the
 * row's index (0 = first row); curve "zero" (written first) marks the rows
 * whose grid has 0 as a codepoint (x = 0, y = row index; empty when none
 * has), drawn in blue as in the paper. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "fmt/element.h"
#include "harness/curve.h"

#define MAX_ROWS 16
#define MAX_LEVELS 256

static const char doc[] =
  "Codepoints of a CRD format per scaling mode (Orr et al. F-S4).  Config keys:\n"
  "  seed (unused: deterministic), bits (element bits), block (B of the block\n"
  "  modes), family (gaussian, laplace or student-t:nu=V; the source the CRD\n"
  "  is designed for), rows (words <scaling>-<mode>: rms-sym, rms-asym,\n"
  "  absmax-sym, absmax-asym, signmax-asym).";

/* A row word, its CRD scaling and symmetry, and its legend text. */
typedef struct {
  const char *word;
  qrd_crd_scaling scaling;
  int symmetric;
  const char *label;
} mode;

static const mode modes[] = {
  {"rms-sym", QRD_CRD_RMS, 1, "RMS Sym"},
  {"rms-asym", QRD_CRD_RMS, 0, "RMS Asym"},
  {"absmax-sym", QRD_CRD_ABSMAX, 1, "Block-Absmax Sym"},
  {"absmax-asym", QRD_CRD_ABSMAX, 0, "Block-Absmax Asym"},
  {"signmax-asym", QRD_CRD_SIGNMAX, 0, "Block-Signmax Asym"},
};
#define N_MODES (sizeof modes / sizeof modes[0])

typedef struct {
  const mode *row[MAX_ROWS];
  size_t n_row;
  double bits;
  qrd_crd_params base; /* family, nu, block; scaling and symmetry per row */
} setup;

/* Row r's point: its codepoints, copied out of the format (the slot a
 * shard keeps). */
typedef struct {
  size_t n;
  double level[MAX_LEVELS];
} row;

typedef struct {
  const setup *s;
  row *rows;
} run_state;

/* A distribution spec, so that a t's nu is written as everywhere else. */
static int read_family(qrd_config *cfg, setup *s)
{
  qrd_driver_source src;
  size_t n;
  int st = qrd_driver_read_sources(cfg, "family", &src, 1, &n);
  if (!st)
    s->base = src.crd;
  return st;
}

static const mode *find_mode(const char *word)
{
  for (size_t i = 0; i < N_MODES; i++)
    if (strcmp(word, modes[i].word) == 0)
      return &modes[i];
  return NULL;
}

static int read_rows(qrd_config *cfg, setup *s)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  int st = qrd_config_list(cfg, "rows", words, &s->n_row);
  if (st)
    return st;
  if (s->n_row == 0 || s->n_row > MAX_ROWS)
    return qrd_config_invalid(cfg, "rows", "need 1 to 16 rows");
  for (size_t i = 0; i < s->n_row; i++)
    if (!(s->row[i] = find_mode(words[i])))
      return qrd_config_invalid(cfg, "rows", "unknown row (allowed: rms-sym, rms-asym, "
                                             "absmax-sym, absmax-asym, signmax-asym)");
  return QRD_OK;
}

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  unsigned long block;
  int st;
  if ((st = qrd_config_double(cfg, "bits", 1, 8, &s->bits)) ||
      (st = qrd_config_whole(cfg, "block", 2, 1 << 20, &block)) ||
      (st = read_family(cfg, s)) || (st = read_rows(cfg, s)))
    return st;
  s->base.block = (double)block;
  return QRD_OK;
}

/* Point r: row r's format and its codepoints. */
static int row_point(void *ctx, size_t r, char *what, size_t len)
{
  const run_state *w = ctx;
  const setup *s = w->s;
  qrd_crd_params p = s->base;
  qrd_element *e = NULL;
  p.scaling = s->row[r]->scaling;
  p.symmetric = s->row[r]->symmetric;
  snprintf(what, len, "%s", s->row[r]->word);
  int st = qrd_element_crd(&p, s->bits, &e);
  if (!st && e->cb->n > MAX_LEVELS)
    st = qrd_error_set(QRD_EINVAL, "more than %d levels", MAX_LEVELS);
  if (!st) {
    w->rows[r].n = e->cb->n;
    memcpy(w->rows[r].level, e->cb->level, e->cb->n * sizeof *e->cb->level);
  }
  qrd_element_free(e);
  return st;
}

/* The rows whose grid has 0 as a codepoint, as marker points (x = 0,
 * y = row index).  The asymmetric grids hit p = 1/2 exactly, whose quantile
 * is 0 to rounding: a tolerance far below any codepoint spacing recognises
 * it. */
static size_t zero_markers(const setup *s, const row *rows, double *x, double *y)
{
  size_t n = 0;
  for (size_t r = 0; r < s->n_row; r++)
    for (size_t i = 0; i < rows[r].n; i++)
      if (fabs(rows[r].level[i]) < 1e-12) {
        x[n] = 0.0;
        y[n++] = (double)r;
      }
  return n;
}

/* Curve "zero" first, then one curve per row: the plot script draws the
 * rows from block 1 on without having to count them. */
static int write_curves(qrd_results *res, const setup *s, const row *rows)
{
  double x[MAX_ROWS], y[MAX_LEVELS];
  size_t n = zero_markers(s, rows, x, y);
  int st = qrd_results_curve(res, "codepoints", "zero", "zero codepoint", n, x, y, NULL);
  for (size_t r = 0; !st && r < s->n_row; r++) {
    for (size_t i = 0; i < rows[r].n; i++)
      y[i] = (double)r;
    st = qrd_results_curve(res, "codepoints", s->row[r]->word, s->row[r]->label, rows[r].n,
                           rows[r].level, y, NULL);
  }
  return st;
}

static int write_results(qrd_driver *drv, const setup *s, const row *rows)
{
  qrd_results *res;
  int st = qrd_driver_results(drv, &res);
  if (st)
    return st;
  char title[160];
  snprintf(title, sizeof title, "%g-bit CRD codepoints per scaling mode (B = %g)", s->bits,
           s->base.block);
  if (!(st = qrd_results_panel(res, "codepoints", title, "codepoint value", "row")) &&
      !(st = write_curves(res, s, rows)) &&
      !(st = qrd_results_attr_double(res, "element_bits", s->bits)))
    st = qrd_results_attr_double(res, "block_size", s->base.block);
  return qrd_driver_close_results(res, st);
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  row rows[MAX_ROWS] = {{0}};
  run_state w = {s, rows};
  qrd_driver_progress_begin(drv, s->n_row);
  int st = qrd_driver_run_items(drv, s->n_row, row_point, &w, QRD_DRIVER_SLOTS(rows));
  return st ? st : write_results(drv, s, rows);
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-5", doc, read_setup, run, &s);
}
