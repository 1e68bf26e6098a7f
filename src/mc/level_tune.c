#include "mc/level_tune.h"

#include <math.h>

#include "core/error.h"

#define MAX_PROBES 48

/* The level counts probed so far that bracket the target rate: lo codes
 * below it, hi at or above it (0: none yet). */
typedef struct {
  size_t lo, hi;
  double r_lo, r_hi;
  int last_side; /* which end moved last: -1 lo, +1 hi */
  double slope;  /* rate per doubling of n, from the last two probes */
} bracket;

static void bracket_add(bracket *br, size_t n, double r, double target, size_t prev_n,
                        double prev_r)
{
  if (prev_n && prev_n != n)
    br->slope = fmin(fmax((r - prev_r) / log2((double)n / (double)prev_n), 0.25), 2.0);
  if (r < target) {
    br->lo = n;
    br->r_lo = r;
    br->last_side = -1;
  } else {
    br->hi = n;
    br->r_hi = r;
    br->last_side = 1;
  }
}

static size_t round_levels(double log2n, size_t max_levels)
{
  double n = round(exp2(fmin(log2n, 40.0)));
  return n < 2.0 ? 2 : n > (double)max_levels ? max_levels + 1 : (size_t)n;
}

/* The next count to probe, strictly inside the bracket: a secant step in
 * log2 n, or the geometric midpoint when the same end moved twice (regula
 * falsi would creep from one side). */
static size_t next_levels(const bracket *br, double target, int same_side_twice,
                          size_t max_levels)
{
  if (!br->hi) {
    size_t n = round_levels(log2((double)br->lo) + (target - br->r_lo) / br->slope, max_levels);
    return n > br->lo ? n : br->lo + 1;
  }
  if (!br->lo) {
    size_t n = round_levels(log2((double)br->hi) - (br->r_hi - target) / br->slope, max_levels);
    return n < br->hi ? n : br->hi - 1;
  }
  double a = log2((double)br->lo), b = log2((double)br->hi), m;
  if (same_side_twice || br->r_hi <= br->r_lo)
    m = 0.5 * (a + b);
  else
    m = a + (target - br->r_lo) * (b - a) / (br->r_hi - br->r_lo);
  size_t n = round_levels(m, max_levels);
  return n <= br->lo ? br->lo + 1 : n >= br->hi ? br->hi - 1 : n;
}

/* Adjacent counts (or crossed ones, where the rate is not monotone), or
 * the coarsest grid already at or above the target. */
static int bracket_done(const bracket *br)
{
  return (br->lo && br->hi && br->hi <= br->lo + 1) || (!br->lo && br->hi == 2);
}

int qrd_level_tune(qrd_level_bits_fn bits, void *ctx, size_t numel, double target,
                   size_t max_levels, qrd_level_fit *out)
{
  double total = (double)numel;
  bracket br = {.slope = 1.0};
  /* a grid over the whole range needs more than 2^target levels */
  size_t n = round_levels(target + 1.0, max_levels), prev_n = 0;
  double prev_r = 0.0;
  int prev_side = 0;
  for (int probe = 1; probe <= MAX_PROBES; probe++) {
    double b;
    if (n > max_levels)
      return qrd_error_set(QRD_EMAXITER, "rate %g b out of reach below %zu levels", target,
                           max_levels);
    int st = bits(n, ctx, &b);
    if (st)
      return st;
    bracket_add(&br, n, b / total, target, prev_n, prev_r);
    prev_n = n;
    prev_r = b / total;
    if (bracket_done(&br)) {
      int take_hi = !br.lo || (br.hi && br.r_hi - target < target - br.r_lo);
      out->n = take_hi ? br.hi : br.lo;
      out->bits = (take_hi ? br.r_hi : br.r_lo) * total;
      return QRD_OK;
    }
    n = next_levels(&br, target, prev_side == br.last_side, max_levels);
    prev_side = br.last_side;
  }
  return qrd_error_set(QRD_EMAXITER, "rate %g b: no level count bracketed in %d probes",
                       target, MAX_PROBES);
}
