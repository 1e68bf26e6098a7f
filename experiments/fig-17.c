/* fig-17 (Yoshida README F-P2 "levels as dots" across B): the 16 levels
 * of each 4-bit code against the block size B it is designed for, N(0,1)
 * weights.
 *
 * Panels: one per code of law/lineup.h named in `codes` (nf4, af4-pub,
 * af4-exact, bof4, bof4s, ...), titled with its label.  Curves c0 .. c15:
 * level i (ascending) against x = B.  NF4 is the same table at every B;
 * the others are designed for the law of their own B (absmax blocks, or
 * signmax for bof4s). */
#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "harness/jobs.h"
#include "law/lineup.h"

#define LEVELS QRD_LINEUP_LEVELS

static const char doc[] =
  "Codebook levels vs block size (Yoshida F-P2 across B).  Config keys: seed\n"
  "  (unused: no sampling), block_min, block_max (powers of two), codes (of\n"
  "  nf4, af4-pub, af4-exact, af4-approx, bof4, bof4-mae, bof4s, int4, uniform).";

typedef qrd_lineup setup;

static int read_setup(qrd_config *cfg, void *setup_ptr) { return qrd_lineup_read(cfg, setup_ptr); }

/* Code c's levels at block size j: items[c n_block + j]. */
typedef struct {
  double level[LEVELS];
} item;

typedef struct {
  const setup *s;
  item *items;
} designs;

/* Item k: code c = k / n_block designed for block size j = k % n_block. */
static int design(void *ctx, size_t k)
{
  const designs *z = ctx;
  const setup *s = z->s;
  qrd_dist d;
  qrd_codebook *cb = NULL;
  int st = qrd_dist_parse("gaussian", &d);
  if (!st)
    st = qrd_lineup_design(s->code[k / s->n_block], &d, s->block[k % s->n_block], &cb);
  for (size_t i = 0; !st && i < LEVELS; i++)
    z->items[k].level[i] = cb->level[i];
  qrd_codebook_free(cb);
  return st;
}

/* ---- output ---- */

static int write_code(qrd_results *res, const setup *s, size_t c, const item *items)
{
  const qrd_lineup_code *code = s->code[c];
  char title[96];
  snprintf(title, sizeof title, "%s levels vs design block size", code->label);
  int st = qrd_results_panel(res, code->name, title, "block size B", "level c_i");
  for (size_t i = 0; !st && i < LEVELS; i++) {
    double y[QRD_LINEUP_MAX_BLOCKS];
    char curve[16], label[32];
    for (size_t j = 0; j < s->n_block; j++)
      y[j] = items[c * s->n_block + j].level[i];
    snprintf(curve, sizeof curve, "c%zu", i);
    snprintf(label, sizeof label, "%s c%zu", code->label, i);
    st = qrd_results_curve(res, code->name, curve, label, s->n_block, s->block, y, NULL);
  }
  return st;
}

static int write_results(qrd_driver *drv, const setup *s, const item *items)
{
  qrd_results *res;
  int st = qrd_driver_results(drv, &res);
  if (st)
    return st;
  for (size_t c = 0; !st && c < s->n_code; c++)
    st = write_code(res, s, c, items);
  return qrd_driver_close_results(res, st);
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  item *items = calloc(s->n_code * s->n_block, sizeof *items);
  if (!items)
    return qrd_error_set(QRD_ENOMEM, "designs");
  designs z = {s, items};
  int st = qrd_driver_run_lineup(drv, s, design, &z, QRD_DRIVER_SLOTS(z.items));
  if (!st)
    st = write_results(drv, s, items);
  free(items);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-17", doc, read_setup, run, &s);
}
