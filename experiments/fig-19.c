/* fig-19 (nf4-af4.md §7 fig-D; the "information theoretically optimal"
 * angle of Yoshida's title): how evenly 4-bit codes use their 16 indices
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
#include "harness/driver.h"
#include "law/lineup.h"

#define LEVELS QRD_LINEUP_LEVELS
#define MAX_BLOCKS QRD_LINEUP_MAX_BLOCKS

static const char doc[] =
  "Index entropy vs block size under the true law of absmax blocks\n"
  "  (nf4-af4.md fig-D).  Config keys: seed (unused: no sampling), block_min,\n"
  "  block_max (powers of two), codes (of nf4, af4-pub, af4-exact, af4-approx,\n"
  "  bof4, bof4-mae, bof4s, int4, uniform).";

typedef qrd_lineup setup;

/* Code c at block size j. */
typedef struct {
  double prob[LEVELS];
  double entropy;
  int zero; /* index of the level 0, -1: none */
  int status;
  char error[256];
} item;

static int read_setup(qrd_config *cfg, void *setup_ptr) { return qrd_lineup_read(cfg, setup_ptr); }

static void cells(const setup *s, size_t c, size_t j, item *it)
{
  const qrd_lineup_code *code = s->code[c];
  qrd_dist d;
  qrd_law *law = NULL;
  qrd_codebook *cb = NULL;
  int st = qrd_dist_parse("gaussian", &d);
  if (!st)
    st = qrd_lineup_design(code, &d, s->block[j], &cb);
  if (!st)
    st = qrd_law_alloc(&d, s->block[j], code->scaling, INFINITY, &law);
  if (!st)
    st = qrd_law_cell_probs(law, cb, it->prob);
  if (!st) {
    it->entropy = qrd_entropy_bits(it->prob, LEVELS);
    it->zero = -1;
    for (size_t i = 0; i < LEVELS; i++)
      if (cb->level[i] == 0.0)
        it->zero = (int)i;
  }
  it->status = st;
  if (st)
    snprintf(it->error, sizeof it->error, "%s at B = %g: %s", code->name, s->block[j],
             qrd_error_detail());
  qrd_law_free(law);
  qrd_codebook_free(cb);
}

/* Items by (code, block size), each writing its own slot; the largest B
 * (the costliest designs) first. */
static int cells_all(qrd_driver *drv, const setup *s, item *items)
{
  size_t nc = s->n_code, nb = s->n_block;
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t k = 0; k < nc * nb; k++) {
    size_t c = k % nc, j = nb - 1 - k / nc;
    cells(s, c, j, &items[c * nb + j]);
    char what[96];
    snprintf(what, sizeof what, "%s B = %g", s->code[c]->name, s->block[j]);
#pragma omp critical(progress)
    qrd_driver_progress_step(drv, what);
  }
  for (size_t k = 0; k < nc * nb; k++)
    if (items[k].status)
      return qrd_error_set(items[k].status, "%s", items[k].error);
  return QRD_OK;
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
  qrd_driver_progress_begin(drv, s->n_code * s->n_block);
  int st = cells_all(drv, s, items);
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
