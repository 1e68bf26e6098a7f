/* The 4-bit codes that the block-law figures (fig-17 .. fig-19) line up,
 * by name, with their legend label, the scaling each is used with and its
 * design for blocks of B values (Yoshida (NF4 vs AF4)):
 *   nf4         QLoRA's table (the same for every B)
 *   af4-pub     Yoshida's generator (the published tables)
 *   af4-exact   the L1 optimum of X with -1, 0, +1 pinned
 *   af4-approx  the generator under the median-maximum approximation
 *   bof4        BOF4-style, weight-domain MSE, -1, 0, +1 pinned
 *   bof4-mae    BOF4-style, weight-domain MAE
 *   bof4s       BOF4-S-style: signmax scaling, weight-domain MSE, 0, +1
 *               pinned
 *   int4        INT4 (-8 .. 7) under the absmax convention of fmt/block.h
 *               (the block maximum maps to 7): levels k/7, -8/7 unused
 *   uniform     16 evenly spaced levels on [-1, 1], no 0 (Yoshida's
 *               "uniform", = symmetric INT4 under absmax)
 * A code is designed for its own B; the figures evaluate it under the law
 * of the same B and its scaling (law/blockmax.h). */
#ifndef QRD_LAW_LINEUP_H
#define QRD_LAW_LINEUP_H

#include <stddef.h>

#include "core/config.h"
#include "dist/dist.h"
#include "law/blockmax.h"
#include "quant/codebook.h"

#define QRD_LINEUP_LEVELS 16
#define QRD_LINEUP_MAX_BLOCKS 24
#define QRD_LINEUP_MAX_CODES 16

typedef struct {
  const char *name;      /* config word and results name */
  const char *label;     /* legend text */
  qrd_law_scaling scaling;
  /* a registered quantiser spec, B= added when the design takes one ... */
  const char *quantiser;
  /* ... or else a grid that does not depend on B */
  int (*grid)(qrd_codebook **out);
} qrd_lineup_code;

/* QRD_ENOTFOUND naming the known codes. */
int qrd_lineup_find(const char *name, const qrd_lineup_code **out);

/* The code's QRD_LINEUP_LEVELS levels (ascending, midpoint cells) for
 * blocks of `block` values of d. */
int qrd_lineup_design(const qrd_lineup_code *c, const qrd_dist *d, double block,
                      qrd_codebook **out);

/* A figure's sweep: codes by block size. */
typedef struct {
  double block[QRD_LINEUP_MAX_BLOCKS]; /* ascending powers of two */
  size_t n_block;
  const qrd_lineup_code *code[QRD_LINEUP_MAX_CODES];
  size_t n_code;
} qrd_lineup;

/* Config keys block_min, block_max (powers of two from 2 to 2^20: every
 * power of two between them) and codes (names above); QRD_ECONFIG naming
 * the key otherwise. */
int qrd_lineup_read(qrd_config *cfg, qrd_lineup *out);

#endif
