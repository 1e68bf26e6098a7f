/* One-pass evaluation of block formats (fmt/block.h): each block scaled
 * and its elements quantised directly.  The sorted path of block.c pays a
 * radix sort of the whole sample per normalisation (0.45 s for 2^24 values
 * on 2 threads); a sweep whose every point has a normalisation of its own
 * (a block size) and only a few element formats is about 5 times cheaper
 * this way.  The block scale, the cell rule (edge ties to the lower
 * index) and the jackknife are those of block.c; the batches are too
 * whenever QRD_BLOCK_BATCHES divides the block count (here always the
 * near-equal floor partition, which a pass with its own batch count,
 * such as one per input rescaling, needs). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "fmt/bits.h"
#include "fmt/block.h"
#include "fmt/round_impl.h"

void qrd_block_direct_free(qrd_block_direct *f)
{
  qrd_codebook_table_free(&f->cells);
  free(f->level);
  f->level = NULL;
}

/* A nearest level to y on the unit grid lo, lo + 1, ..., hi (half: of
 * half-integers), every step exact.  Which of two equally near levels a
 * midpoint gets does not matter: its error is 1/2 in magnitude either
 * way, so the squared error is that of the codebook's own tie rule.  The
 * selects pick values, not results of arithmetic, which GCC would leave
 * as branches (an FP exception must not be raised speculatively). */
static inline double grid_level(double y, double lo, double hi, int half)
{
  double c = y > lo ? y : lo; /* a NaN (an all-zero block's) to lo */
  c = c < hi ? c : hi;
  double r = qrd_round_even(c), h = c < r ? -0.5 : 0.5; /* floor(c) + 1/2 */
  return half ? r + h : r;
}

/* 1 + half (the grid kind of qrd_block_direct) if the levels of c are the
 * unit grid of grid_level (below 2^49 in magnitude) and each inner edge is
 * the midpoint of its levels or the double below it: then each value is in
 * the cell of a nearest level, and of either at a midpoint.  rule <- lo,
 * hi. */
static int grid_of(const qrd_codebook *c, double rule[4])
{
  double lo = c->level[0];
  int half = lo - floor(lo) == 0.5;
  if (!(half || lo == floor(lo)) || !(fabs(lo) < 0x1p49 && fabs(c->level[c->n - 1]) < 0x1p49))
    return 0;
  for (size_t i = 0; i < c->n; i++)
    if (c->level[i] != lo + (double)i)
      return 0;
  for (size_t i = 1; i < c->n; i++) {
    double t = c->level[i] - 0.5;
    if (c->edge[i] != t && c->edge[i] != nextafter(t, -INFINITY))
      return 0;
  }
  rule[0] = lo;
  rule[1] = c->level[c->n - 1];
  return 1 + half;
}

/* A nearest level to y on the grid of an FP ExMy code, M >= 1 (its
 * largest level top, smallest normal value normal, split = 2^(52 - M) + 1
 * and shift = 1.5 2^52 times its subnormal step): |y| from normal up
 * rounded to M + 1 significant bits by Veltkamp's splitting (a rounding
 * to nearest, Boldo 2006; three operations, no exponent taken apart),
 * below it to a multiple of the subnormal step (qrd_round_even's shift
 * scaled to it).  Ties again do not matter.  fp_pass.c rounds by the
 * binade instead because it measures the error in the weight domain,
 * where the codebook's own tie rule (toward zero) decides the bits; here
 * the error is the normalised value's distance, equal to either level. */
static inline double fp_level(double y, double top, double normal, double split, double shift)
{
  double a = fabs(y);
  a = a < top ? a : top; /* a NaN to top */
  double c = a * split, hi = c - (c - a), lo = (a + shift) - shift;
  /* lo - hi is exact (both within a step of a), so this is lo or hi, and
   * the arithmetic is done whatever the select (see grid_level) */
  double sub = a < normal ? 1.0 : 0.0;
  return copysign(hi + (lo - hi) * sub, y);
}

/* 3 (the grid kind) if c is the grid of an FP code with nearest rounding
 * that fp_level rounds (rule <- its parameters), else 0: levels symmetric about 0,
 * the largest (2 - 2^-M) 2^e and the smallest positive a power of two,
 * 1 <= M <= 50 (where Veltkamp's splitting is a rounding to nearest) and
 * the range well inside the doubles'.  Checked, not assumed: at every
 * midpoint t of adjacent levels, the edge is t or the double below it,
 * and fp_level takes the double below t to the lower level, the double
 * above to the upper and t to either; fp_level being monotone, that
 * makes it a nearest level everywhere. */
static int fp_of(const qrd_codebook *c, double rule[4])
{
  size_t half = c->n / 2;
  if (c->n % 2 == 0 || c->n < 3 || c->level[half] != 0.0)
    return 0;
  for (size_t i = 0; i < half; i++)
    if (c->level[i] != -c->level[c->n - 1 - i])
      return 0;
  double top = c->level[c->n - 1], step = c->level[half + 1];
  int e_top, e_gap, e_step;
  double gap = frexp(1.0 - frexp(top, &e_top), &e_gap), unit = frexp(step, &e_step);
  int m = -e_gap; /* 1 - f = 2^-(M + 1) for top = f 2^e_top */
  if (gap != 0.5 || unit != 0.5 || m < 1 || m > 50 || !(top < 0x1p900 && step > 0x1p-900))
    return 0;
  rule[0] = top;
  rule[1] = ldexp(step, m);
  rule[2] = ldexp(1.0, 52 - m) + 1.0;
  rule[3] = QRD_ROUND_SHIFT * step;
  for (size_t i = 1; i < c->n; i++) {
    double a = c->level[i - 1], b = c->level[i], t = 0.5 * (a + b);
    double below = nextafter(t, -INFINITY), above = nextafter(t, INFINITY);
    double at = fp_level(t, rule[0], rule[1], rule[2], rule[3]);
    if ((c->edge[i] != t && c->edge[i] != below) ||
        fp_level(below, rule[0], rule[1], rule[2], rule[3]) != a ||
        fp_level(above, rule[0], rule[1], rule[2], rule[3]) != b || (at != a && at != b))
      return 0;
  }
  return 3;
}

/* Element e under scaling sc (absmax or signmax), divided as
 * qrd_scaling_divisor says. */
int qrd_block_direct_init(qrd_block_direct *f, const qrd_scaling *sc, const qrd_element *e)
{
  const qrd_codebook *c = e->cb;
  *f = (qrd_block_direct){.kind = sc->kind, .scale = sc->scale, .element_bits = e->bits};
  if (c->n < 2)
    return qrd_error_set(QRD_EINVAL, "%s: fewer than 2 levels", e->name);
  if (sc->kind != QRD_SCALING_ABSMAX && sc->kind != QRD_SCALING_SIGNMAX)
    return qrd_error_set(QRD_EINVAL, "direct evaluation needs absmax or signmax scaling");
  f->divisor = qrd_scaling_divisor(sc->kind, e->lo, e->hi);
  int st = qrd_codebook_table_init(&f->cells, c);
  if (st)
    return qrd_error_set(st, "%s: %s", e->name,
                         st == QRD_ENOMEM ? "cell tables" : "edges too close for a cell table");
  f->n = c->n;
  if (!(f->grid = grid_of(c, f->rule)))
    f->grid = fp_of(c, f->rule);
  /* a small code's inner edges padded with +inf to 2^k - 1 (no value is
   * above one) */
  f->n_edges = c->n - 1;
  for (size_t p = 3; c->n <= QRD_BLOCK_DIRECT_SMALL; p = 2 * p + 1)
    if (c->n - 1 <= p) {
      f->n_edges = p;
      break;
    }
  if (!(f->level = malloc((c->n + f->n_edges) * sizeof *f->level))) {
    qrd_block_direct_free(f);
    return qrd_error_set(QRD_ENOMEM, "%s: levels", e->name);
  }
  memcpy(f->level, c->level, c->n * sizeof *c->level);
  memcpy(f->level + c->n, c->edge + 1, (c->n - 1) * sizeof *c->edge);
  for (size_t k = c->n - 1; k < f->n_edges; k++)
    f->level[c->n + k] = INFINITY;
  return QRD_OK;
}

/* Values are quantised this many at a time into a buffer of squared
 * errors (even, so that element parity is the block's). */
#define CHUNK 64

/* d2[q][i] <- (y - level[cell(y)])^2 for y = x[q][i] inv[q], q < lanes,
 * i < m <= CHUNK, the cell being the number of inner edges below y (ties
 * to the lower cell, as in the table).  The edges are sorted and padded
 * with +inf to NE, a constant, so the level is picked by one compare and
 * one select per edge, the last edge below y deciding: vector selects
 * where indexing level[] by a counted cell was a gather (emulated with
 * scalar loads, 40% of the time); several blocks per call share the
 * broadcast of the edges and levels.  The product, difference and square
 * are the scalar path's, rounded the same (no contraction into FMA under
 * -std=c11). */
#define SMALL_CHUNK(NE)                                                                      \
  __attribute__((target_clones("avx512f", "avx2", "default"))) static void small_chunk_##NE( \
    const double *const *x, const double *inv, size_t lanes, size_t m,                      \
    const double *restrict level, const double *restrict edge, double (*restrict d2)[CHUNK]) \
  {                                                                                          \
    double lv[NE + 1], ev[NE];                                                               \
    lv[0] = level[0];                                                                        \
    for (size_t k = 0; k < NE; k++) {                                                        \
      lv[k + 1] = level[k + 1];                                                              \
      ev[k] = edge[k];                                                                       \
    }                                                                                        \
    for (size_t l = 0; l < lanes; l++) {                                                     \
      const double *restrict xl = x[l], s = inv[l];                                          \
      double *restrict out = d2[l];                                                          \
      _Pragma("omp simd") for (size_t i = 0; i < m; i++)                                     \
      {                                                                                      \
        double y = xl[i] * s, q = lv[0];                                                     \
        _Pragma("GCC unroll 32") for (size_t k = 0; k < NE; k++) q = y > ev[k] ? lv[k + 1] : q; \
        double d = y - q;                                                                    \
        out[i] = d * d;                                                                      \
      }                                                                                      \
    }                                                                                        \
  }
SMALL_CHUNK(3)
SMALL_CHUNK(7)
SMALL_CHUNK(15)
SMALL_CHUNK(31)

/* small_chunk's errors on a grid that LEVEL (an expression in y and the
 * rule's r0 ... r3) rounds to: under ten vector operations per four
 * values whatever the levels, where the compare chain of a 16-level code
 * takes 33 (the one pass of int4 went from 7.4e8 to 1.8e9 values per
 * second on 2 threads).  A macro as SMALL_CHUNK is: the loop inlined from
 * a helper into the clones did not vectorise. */
#define GRID_CHUNK(NAME, LEVEL)                                                              \
  __attribute__((target_clones("avx512f", "avx2", "default"))) static void NAME(             \
    const double *const *x, const double *inv, size_t lanes, size_t m, const double *rule,   \
    double (*restrict d2)[CHUNK])                                                            \
  {                                                                                          \
    const double r0 = rule[0], r1 = rule[1], r2 = rule[2], r3 = rule[3];                     \
    (void)r2;                                                                                \
    (void)r3;                                                                                \
    for (size_t l = 0; l < lanes; l++) {                                                     \
      const double *restrict xl = x[l], s = inv[l];                                          \
      double *restrict out = d2[l];                                                          \
      _Pragma("omp simd") for (size_t i = 0; i < m; i++)                                     \
      {                                                                                      \
        double y = xl[i] * s, d = y - (LEVEL);                                               \
        out[i] = d * d;                                                                      \
      }                                                                                      \
    }                                                                                        \
  }
GRID_CHUNK(grid_chunk_int, grid_level(y, r0, r1, 0))
GRID_CHUNK(grid_chunk_half, grid_level(y, r0, r1, 1))
GRID_CHUNK(grid_chunk_fp, fp_level(y, r0, r1, r2, r3))

/* Whether f's errors come from small_chunk (else from table_chunk). */
static int chunked(const qrd_block_direct *f)
{
  return f->grid || f->n <= QRD_BLOCK_DIRECT_SMALL;
}

static void small_chunk(const double *const *x, const double *inv, size_t lanes, size_t m,
                        const qrd_block_direct *f, double (*d2)[CHUNK])
{
  const double *level = f->level, *edge = f->level + f->n;
  if (f->grid) {
    (f->grid == 3   ? grid_chunk_fp
     : f->grid == 2 ? grid_chunk_half
                    : grid_chunk_int)(x, inv, lanes, m, f->rule, d2);
    return;
  }
  switch (f->n_edges) {
  case 3:
    small_chunk_3(x, inv, lanes, m, level, edge, d2);
    break;
  case 7:
    small_chunk_7(x, inv, lanes, m, level, edge, d2);
    break;
  case 15:
    small_chunk_15(x, inv, lanes, m, level, edge, d2);
    break;
  default:
    small_chunk_31(x, inv, lanes, m, level, edge, d2);
  }
}

/* out[i] <- (y - level[cell(y)])^2 for y = x[i] inv, i < m, the cell from
 * f's bucket table (a code too large for small_chunk's compare chain):
 * qrd_codebook_table_cell step for step, on vectors with gathers where the
 * machine has them (the bucket index, below 2^20, converts through int). */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void
table_chunk(const double *restrict x, double inv, size_t m, const qrd_block_direct *f,
            double *restrict out)
{
  const double t0 = f->cells.t0, iw = f->cells.inv_width, last = f->cells.last;
  const size_t *restrict below = f->cells.below;
  const double *restrict edge_in = f->cells.edge_in, *restrict level = f->level;
  _Pragma("omp simd") for (size_t i = 0; i < m; i++)
  {
    double y = x[i] * inv, v = (y - t0) * iw;
    int u = (int)(v < 0.0 ? 0.0 : v <= last ? v : last);
    double d = y - level[below[u] + !(y <= edge_in[u])];
    out[i] = d * d;
  }
}

/* The block's squared errors in units of its scale, summed in the scalar
 * path's order: one chain, or even and odd elements apart. */
static double block_sum(const double *x, size_t block, const qrd_block_direct *f, double inv,
                        int split_sum)
{
  double d2[1][CHUNK], e0 = 0.0, e1 = 0.0;
  for (size_t b = 0; b < block; b += CHUNK) {
    size_t m = block - b < CHUNK ? block - b : CHUNK, i = 0;
    const double *xb = x + b;
    if (chunked(f))
      small_chunk(&xb, &inv, 1, m, f, d2);
    else
      table_chunk(xb, inv, m, f, d2[0]);
    for (; split_sum && i + 1 < m; i += 2) {
      e0 += d2[0][i];
      e1 += d2[0][i + 1];
    }
    for (; i < m; i++)
      e0 += d2[0][i];
  }
  return e0 + e1;
}

/* Weight-domain squared error of one block of x g (g the batch's gain)
 * whose extreme (first largest |x|, signed) is ext. */
/* The quantised scale of a block whose extreme is ext under gain g, and
 * *inv = g / s: x times g/s is within an ulp of x g / s (exact for
 * power-of-two scales and gains) and cheaper than a division per element.
 * s = 0 for an all-zero block (then *inv is infinite and unused). */
static inline double block_scale(const qrd_block_direct *f, double ext, double g, double *inv)
{
  double raw = (f->kind == QRD_SCALING_SIGNMAX ? ext : fabs(ext)) * g / f->divisor;
  double s = qrd_scale_quantise(&f->scale, raw);
  *inv = g / s;
  return s;
}

static double direct_block_sse(const double *x, size_t block, const qrd_block_direct *f,
                               double ext, double g, int split_sum)
{
  double inv, s = block_scale(f, ext, g, &inv);
  if (s == 0.0) /* an all-zero block: exact zeros */
    return 0.0;
  return s * s * block_sum(x, block, f, inv, split_sum);
}

/* sse[j] and x2 of the whole blocks [first, last) of x under gain g. */
static void direct_batch(const double *restrict x, size_t first, size_t last,
                         const qrd_block_pass *restrict p, double g,
                         const qrd_block_direct *restrict f, size_t k, double *restrict sse,
                         double *restrict x2)
{
  /* the sum in a register (through *x2 every addition waited for a store)
   * and the extreme without a branch; the sums' order is kept */
  double acc = *x2;
  const size_t block = p->block;
  const int split_sum = p->split_sum;
  for (size_t b = first * block; b < last * block; b += block) {
    const double *xb = x + b;
    /* the block's extreme: its first value of largest magnitude, signed
     * (0 for an all-zero block) */
    double amax = 0.0, ext = 0.0;
    for (size_t i = 0; i < block; i++) {
      double v = xb[i] * g, a = fabs(xb[i]);
      acc += v * v;
      ext = a > amax ? xb[i] : ext;
      amax = a > amax ? a : amax;
    }
    for (size_t j = 0; j < k; j++)
      sse[j] += direct_block_sse(xb, block, &f[j], ext, g, split_sum);
  }
  *x2 = acc;
}

/* Batches run LANES at a time on a thread, block i of each in lockstep.
 * A batch's sums are chains of dependent additions (4 cycles each, kept
 * in order so that results do not depend on how batches are spread over
 * threads); the chains of different batches are independent, so in
 * lockstep their additions overlap while each keeps its own order: the
 * same bits as one batch at a time, about three times as fast. */
#define LANES 4

typedef struct {
  const double *x[LANES]; /* the lanes' current blocks */
  double g[LANES], ext[LANES];
} lockstep;

/* The LANES lanes' values side by side (GCC's vector extension: one AVX2
 * register in the avx2 clones, two SSE2 ones otherwise).  Each operation
 * is IEEE lane by lane, so every lane's chain rounds as the scalar one:
 * where the scalar lockstep spent 16 instructions a value on four chains,
 * a vector of four values costs about as much as one.  No helper takes
 * or returns a vector by value: outside an AVX clone clang refuses that
 * and GCC warns (the ABI depends on the instruction set). */
typedef double v4d __attribute__((vector_size(LANES * sizeof(double))));
typedef int64_t v4i __attribute__((vector_size(LANES * sizeof(int64_t))));

/* m ? a : b lane by lane (a macro: see above) */
#define V4D_SELECT(m, a, b) ((v4d)(((m) & (v4i)(a)) | (~(m) & (v4i)(b))))

/* c[j] = (x[0][i + j], ..., x[3][i + j]), j < 4: a 4 x 4 transpose
 * (__builtin_shufflevector: GCC 12 and clang both have it). */
static inline void v4d_columns(const double *const x[LANES], size_t i, v4d c[4])
{
  v4d r0, r1, r2, r3;
  memcpy(&r0, x[0] + i, sizeof r0);
  memcpy(&r1, x[1] + i, sizeof r1);
  memcpy(&r2, x[2] + i, sizeof r2);
  memcpy(&r3, x[3] + i, sizeof r3);
  v4d t0 = __builtin_shufflevector(r0, r1, 0, 4, 2, 6),
      t1 = __builtin_shufflevector(r0, r1, 1, 5, 3, 7),
      t2 = __builtin_shufflevector(r2, r3, 0, 4, 2, 6),
      t3 = __builtin_shufflevector(r2, r3, 1, 5, 3, 7);
  c[0] = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
  c[1] = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
  c[2] = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
  c[3] = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
}

/* *c = (x[0][i], ..., x[3][i]) */
static inline void v4d_column(const double *const x[LANES], size_t i, v4d *c)
{
  *c = (v4d){x[0][i], x[1][i], x[2][i], x[3][i]};
}

/* One value of each lane into the scan of lockstep_scan. */
static inline void scan_step(const v4d *xp, const v4d *g, v4d *a, v4d *amax, v4d *ext)
{
  v4d x = *xp;
  const v4i magnitude = {INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX};
  v4d v = x * *g, m = (v4d)((v4i)x & magnitude);
  v4i above = m > *amax;
  *a += v * v;
  *ext = V4D_SELECT(above, x, *ext);
  *amax = V4D_SELECT(above, m, *amax);
}

/* Adds the blocks' squared (rescaled) values to acc and sets each lane's
 * extreme, as direct_batch does for one. */
__attribute__((target_clones("avx2", "default"))) static void
lockstep_scan(lockstep *l, size_t block, double acc[LANES])
{
  v4d a = {acc[0], acc[1], acc[2], acc[3]}, g = {l->g[0], l->g[1], l->g[2], l->g[3]},
      amax = {0.0, 0.0, 0.0, 0.0}, ext = amax;
  size_t i = 0;
  for (; i + 4 <= block; i += 4) {
    v4d c[4];
    v4d_columns(l->x, i, c);
    for (int j = 0; j < 4; j++)
      scan_step(&c[j], &g, &a, &amax, &ext);
  }
  for (; i < block; i++) {
    v4d c;
    v4d_column(l->x, i, &c);
    scan_step(&c, &g, &a, &amax, &ext);
  }
  for (int q = 0; q < LANES; q++) {
    acc[q] = a[q];
    l->ext[q] = ext[q];
  }
}

/* sse[q] += each lane's block error on small code f, summed as block_sum
 * sums it. */
__attribute__((target_clones("avx2", "default"))) static void
lockstep_small_sse(const lockstep *l, size_t block, const qrd_block_direct *f, int split_sum,
                   double *const sse[LANES])
{
  double s[LANES], inv[LANES], d2[LANES][CHUNK];
  v4d e0 = {0.0, 0.0, 0.0, 0.0}, e1 = e0;
  for (int q = 0; q < LANES; q++)
    s[q] = block_scale(f, l->ext[q], l->g[q], &inv[q]);
  const double *const row[LANES] = {d2[0], d2[1], d2[2], d2[3]};
  for (size_t b = 0; b < block; b += CHUNK) {
    size_t m = block - b < CHUNK ? block - b : CHUNK, i = 0;
    const double *xb[LANES];
    for (int q = 0; q < LANES; q++)
      xb[q] = l->x[q] + b;
    /* a lane of an all-zero block (s = 0) computes NaNs it then ignores */
    small_chunk(xb, inv, LANES, m, f, d2);
    for (; i + 4 <= m; i += 4) {
      v4d c[4];
      v4d_columns(row, i, c);
      e0 += c[0];
      if (split_sum) {
        e1 += c[1];
        e0 += c[2];
        e1 += c[3];
      } else {
        e0 += c[1];
        e0 += c[2];
        e0 += c[3];
      }
    }
    for (; split_sum && i + 1 < m; i += 2) {
      v4d c0, c1;
      v4d_column(row, i, &c0);
      v4d_column(row, i + 1, &c1);
      e0 += c0;
      e1 += c1;
    }
    for (; i < m; i++) {
      v4d c;
      v4d_column(row, i, &c);
      e0 += c;
    }
  }
  v4d e = e0 + e1;
  for (int q = 0; q < LANES; q++)
    *sse[q] += s[q] == 0.0 ? 0.0 : s[q] * s[q] * e[q];
}

/* Batches k0 .. k0 + LANES - 1 of the pass: their common number of blocks
 * in lockstep, then each one's last block (the near-equal runs differ by
 * at most one) on its own. */
static void direct_lanes(const double *restrict x, size_t n, size_t k0,
                         const qrd_block_pass *restrict p, const qrd_block_direct *restrict f,
                         size_t k, double *restrict sse, double *restrict x2)
{
  const size_t block = p->block;
  size_t first[LANES], last[LANES], common = SIZE_MAX;
  lockstep l;
  double acc[LANES];
  for (int q = 0; q < LANES; q++) {
    qrd_block_pass_range(p, n, k0 + (size_t)q, &first[q], &last[q]);
    common = last[q] - first[q] < common ? last[q] - first[q] : common;
    l.g[q] = p->gain ? p->gain[k0 + (size_t)q] : 1.0;
    acc[q] = x2[k0 + (size_t)q];
  }
  for (size_t i = 0; i < common; i++) {
    for (int q = 0; q < LANES; q++)
      l.x[q] = x + (first[q] + i) * block;
    lockstep_scan(&l, block, acc);
    for (size_t j = 0; j < k; j++) {
      double *to[LANES];
      for (int q = 0; q < LANES; q++)
        to[q] = &sse[(k0 + (size_t)q) * k + j];
      if (chunked(&f[j])) {
        lockstep_small_sse(&l, block, &f[j], p->split_sum, to);
      } else {
        for (int q = 0; q < LANES; q++)
          *to[q] += direct_block_sse(l.x[q], block, &f[j], l.ext[q], l.g[q], p->split_sum);
      }
    }
  }
  for (int q = 0; q < LANES; q++) {
    size_t b = k0 + (size_t)q;
    x2[b] = acc[q];
    direct_batch(x, first[q] + common, last[q], p, l.g[q], f, k, sse + b * k, &x2[b]);
  }
}

size_t qrd_block_pass_batches(const qrd_block_pass *p, size_t n)
{
  size_t blocks = n / p->block, nb = p->n_batches ? p->n_batches : QRD_BLOCK_BATCHES;
  return nb < blocks ? nb : blocks;
}

void qrd_block_pass_range(const qrd_block_pass *p, size_t n, size_t k, size_t *first,
                          size_t *last)
{
  size_t blocks = n / p->block, nb = qrd_block_pass_batches(p, n);
  *first = k * blocks / nb;
  *last = (k + 1) * blocks / nb;
}

int qrd_block_pass_run(const double *x, size_t n, const qrd_block_pass *p,
                       const qrd_block_direct *f, size_t nf, double *sse, double *x2)
{
  if (p->block == 0 || n % p->block != 0 || n == 0)
    return qrd_error_set(QRD_EINVAL, "sample of %zu values is not a whole number of "
                         "blocks of %zu", n, p->block);
  size_t nb = qrd_block_pass_batches(p, n), groups = nb / LANES;
  memset(sse, 0, nb * nf * sizeof *sse);
  memset(x2, 0, nb * sizeof *x2);
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t k = 0; k < groups + nb % LANES; k++) {
    if (k < groups) {
      direct_lanes(x, n, k * LANES, p, f, nf, sse, x2);
    } else {
      size_t b = groups * LANES + (k - groups), first, last;
      qrd_block_pass_range(p, n, b, &first, &last);
      direct_batch(x, first, last, p, p->gain ? p->gain[b] : 1.0, f, nf, sse + b * nf, &x2[b]);
    }
  }
  return QRD_OK;
}

double qrd_block_direct_bits(const qrd_block_direct *f, size_t n, size_t block)
{
  qrd_bit_count bc = {.numel = n, .element_bits = f->element_bits,
                      .scale_bits = qrd_scale_bits(&f->scale), .n_blocks = n / block};
  return qrd_bits_per_param(&bc);
}

int qrd_block_eval_direct(const double *x, size_t n, size_t block, const qrd_block_direct *f,
                          size_t k, qrd_block_result *r)
{
  qrd_block_pass p = {.block = block};
  size_t nb = block && n % block == 0 ? qrd_block_pass_batches(&p, n) : 0;
  double *sse = malloc((nb * k + 1) * sizeof *sse), *x2 = malloc((nb + 1) * sizeof *x2);
  int st = sse && x2 ? qrd_block_pass_run(x, n, &p, f, k, sse, x2)
                     : qrd_error_set(QRD_ENOMEM, "direct evaluation");
  for (size_t j = 0; !st && j < k; j++) {
    qrd_block_jackknife(sse + j, k, x2, nb, &r[j]);
    r[j].bits = qrd_block_direct_bits(&f[j], n, block);
  }
  free(sse);
  free(x2);
  return st;
}
