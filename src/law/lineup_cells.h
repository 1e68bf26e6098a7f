/* How evenly a code of the lineup (lineup.h) uses its indices under the
 * true law of its own blocks: QLoRA builds NF4 from N(0,1) quantiles so
 * that each level would be used equally often, but the values a block
 * maximum normalises follow the block law F_B (blockmax.h), under which
 * the index entropy falls below log2 of the level count. */
#ifndef QRD_LAW_LINEUP_CELLS_H
#define QRD_LAW_LINEUP_CELLS_H

#include "law/lineup.h"

typedef struct {
  double prob[QRD_LINEUP_LEVELS]; /* P(index = i), levels ascending */
  double entropy;                 /* -sum p_i log2 p_i, bits */
  int zero;                       /* the index of the level 0; -1: none */
} qrd_lineup_cells;

/* Code c designed for blocks of `block` values of d, used on such blocks
 * with its own scaling: the probability of each cell (midpoint cells, the
 * block maximum's atoms included), their entropy and the cell of 0. */
int qrd_lineup_cells_eval(const qrd_lineup_code *c, const qrd_dist *d, double block,
                          qrd_lineup_cells *out);

#endif
