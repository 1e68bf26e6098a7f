#include "law/lineup_cells.h"

#include <math.h>

int qrd_lineup_cells_eval(const qrd_lineup_code *c, const qrd_dist *d, double block,
                          qrd_lineup_cells *out)
{
  qrd_law *law = NULL;
  qrd_codebook *cb = NULL;
  int st = qrd_lineup_design(c, d, block, &cb);
  if (!st)
    st = qrd_law_alloc(d, block, c->scaling, INFINITY, &law);
  if (!st)
    st = qrd_law_cell_probs(law, cb, out->prob);
  if (!st) {
    out->entropy = qrd_entropy_bits(out->prob, QRD_LINEUP_LEVELS);
    out->zero = -1;
    for (int i = 0; i < QRD_LINEUP_LEVELS; i++)
      if (cb->level[i] == 0.0)
        out->zero = i;
  }
  qrd_law_free(law);
  qrd_codebook_free(cb);
  return st;
}
