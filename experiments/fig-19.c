/* fig-19 (the "information theoretically optimal" angle of Yoshida's
 * title): how evenly 4-bit codes use their 16 indices
 * under the true law of absmax-normalised N(0,1) blocks, against B.
 * QLoRA builds NF4 from N(0,1) quantiles so that each level would be used
 * equally often; under the block law F_B (law/blockmax.h) it is not, and
 * the index entropy falls below 4 bits.
 *
 * Panels:
 *   entropy   index entropy in bits, -sum p_i log2 p_i, x = B; one curve
 *             per code of law/lineup.h named in `codes`, each designed for
 *             its own B and used with its own scaling
 *   zero      probability of the cell of the level 0, x = B (codes with a
 *             level at 0)
 *   cells-b<B> one per block size: cell probabilities p_i against the
 *             index i = 0 .. 15, one curve per code. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "harness/jobs.h"
#include "law/lineup_cells.h"

#define LEVELS QRD_LINEUP_LEVELS
#define MAX_BLOCKS QRD_LINEUP_MAX_BLOCKS

static const char doc[] =
  "Index entropy vs block size under the true law of absmax blocks.\n"
  "  Config keys: seed (unused: no sampling), block_min,\n"
  "  block_max (powers of two), codes (of nf4, af4-pub, af4-exact, af4-approx,\n"
  "  bof4, bof4-mae, bof4s, int4, uniform).";

typedef qrd_lineup setup;

typedef qrd_lineup_cells item; /* code c at block size j: items[c n_block + j] */

static int read_setup(qrd_config *cfg, void *setup_ptr) { return qrd_lineup_read(cfg, setup_ptr); }

typedef struct {
  const setup *s;
  item *items;
} cells;

static int cells_of(void *ctx, size_t k)
{
  const cells *z = ctx;
  const setup *s = z->s;
  qrd_dist d;
  int st = qrd_dist_parse("gaussian", &d);
  return st ? st
            : qrd_lineup_cells_eval(s->code[k / s->n_block], &d, s->block[k % s->n_block],
                                    &z->items[k]);
}

/* ---- output ---- */

static int write_entropy(qrd_results *res, const setup *s, const item *items)
{
  int st = qrd_results_panel(res, "entropy", "index entropy under the block law",
                             "block size B", "index entropy (bits)");
  for (size_t c = 0; !st && c < s->n_code; c++) {
    double y[MAX_BLOCKS];
    for (size_t j = 0; j < s->n_block; j++)
      y[j] = items[c * s->n_block + j].entropy;
    st = qrd_results_curve(res, "entropy", s->code[c]->name, s->code[c]->label, s->n_block,
                           s->block, y, NULL);
  }
  return st;
}

static int write_zero(qrd_results *res, const setup *s, const item *items)
{
  int st = qrd_results_panel(res, "zero", "probability of the cell of the level 0",
                             "block size B", "P(index of 0)");
  for (size_t c = 0; !st && c < s->n_code; c++) {
    const item *row = &items[c * s->n_block];
    double y[MAX_BLOCKS];
    int has_zero = 1;
    for (size_t j = 0; j < s->n_block; j++) {
      has_zero = has_zero && row[j].zero >= 0;
      y[j] = has_zero ? row[j].prob[row[j].zero] : 0.0;
    }
    if (has_zero)
      st = qrd_results_curve(res, "zero", s->code[c]->name, s->code[c]->label, s->n_block,
                             s->block, y, NULL);
  }
  return st;
}

static int write_cells(qrd_results *res, const setup *s, size_t j, const item *items)
{
  char panel[32], title[64];
  double index[LEVELS];
  for (size_t i = 0; i < LEVELS; i++)
    index[i] = (double)i;
  snprintf(panel, sizeof panel, "cells-b%g", s->block[j]);
  snprintf(title, sizeof title, "cell probabilities at B = %g", s->block[j]);
  int st = qrd_results_panel(res, panel, title, "index i", "P(index = i)");
  for (size_t c = 0; !st && c < s->n_code; c++)
    st = qrd_results_curve(res, panel, s->code[c]->name, s->code[c]->label, LEVELS, index,
                           items[c * s->n_block + j].prob, NULL);
  return st;
}

static int write_results(qrd_driver *drv, const setup *s, const item *items)
{
  qrd_results *res;
  int st = qrd_driver_results(drv, &res);
  if (st)
    return st;
  st = write_entropy(res, s, items);
  if (!st)
    st = write_zero(res, s, items);
  for (size_t j = 0; !st && j < s->n_block; j++)
    st = write_cells(res, s, j, items);
  return qrd_driver_close_results(res, st);
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  item *items = calloc(s->n_code * s->n_block, sizeof *items);
  if (!items)
    return qrd_error_set(QRD_ENOMEM, "cell probabilities");
  cells z = {s, items};
  int st = qrd_driver_run_lineup(drv, s, cells_of, &z, QRD_DRIVER_SLOTS(items));
  if (!st)
    st = write_results(drv, s, items);
  free(items);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-19", doc, read_setup, run, &s);
}
