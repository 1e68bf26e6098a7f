#include "law/af4.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "core/error.h"
#include "core/solve.h"

/* The generator's constants: starts kept 1e-5 inside (-1, 0), the feasible
 * start bisected to a bracket of 1e-4, roots to scipy brentq's xtol. */
#define EDGE 1e-5
#define BRACKET 1e-4
#define XTOL 2e-12

/* ---- the two laws ---- */

static double exact_cdf(double x, const void *ctx) { return qrd_law_cdf(ctx, x); }

static int exact_quantile(double v, const void *ctx, double *x)
{
  return qrd_law_quantile(ctx, v, x);
}

void qrd_af4_law_exact(const qrd_law *law, qrd_af4_law *out)
{
  *out = (qrd_af4_law){.cdf = exact_cdf, .quantile = exact_quantile, .ctx = law};
}

static double approx_cdf(double x, const void *ctx)
{
  const qrd_af4_approx *a = ctx;
  if (x < -1.0)
    return 0.0;
  if (x >= 1.0)
    return 1.0;
  return 0.5 / a->block + (a->block - 1.0) / a->block * qrd_dist_cdf(&a->d, a->median * x);
}

static int approx_quantile(double v, const void *ctx, double *x)
{
  const qrd_af4_approx *a = ctx;
  double atom = 0.5 / a->block;
  if (v <= atom)
    *x = -1.0;
  else if (v >= 1.0 - atom)
    *x = 1.0;
  else
    *x = qrd_dist_quantile(&a->d, (v - atom) * a->block / (a->block - 1.0)) / a->median;
  return QRD_OK;
}

int qrd_af4_approx_init(const qrd_dist *d, double block, qrd_af4_approx *a)
{
  if (!(block >= 2.0 && block == floor(block)))
    return qrd_error_set(QRD_EINVAL, "af4 approximation: B=%g invalid (allowed: a whole "
                         "number >= 2)", block);
  a->d = *d;
  a->block = block;
  /* P(M <= m) = G(m)^B = 1/2 */
  a->median = qrd_dist_quantile(d, 1.0 + 0.5 * expm1(-M_LN2 / block));
  return QRD_OK;
}

void qrd_af4_law_approx(const qrd_af4_approx *a, qrd_af4_law *out)
{
  *out = (qrd_af4_law){.cdf = approx_cdf, .quantile = approx_quantile, .ctx = a};
}

/* ---- one half ---- */

typedef struct {
  const qrd_af4_law *law;
  size_t steps;
  double *code; /* steps + 1 levels */
  int status;   /* first failure inside a root search's objective */
} chain;

/* code[0] = start; each step solves the median condition of the current
 * level for the next boundary.  A level at or past 0 ends the chain: it
 * and the rest become 0 (the generator's padding). */
static int build(chain *c, double start)
{
  const qrd_af4_law *law = c->law;
  double prev = -1.0, cur = start;
  double p_boundary = law->cdf(0.5 * (prev + cur), law->ctx);
  c->code[0] = start;
  for (size_t k = 1; k <= c->steps; k++) {
    double p_next = 2.0 * law->cdf(cur, law->ctx) - p_boundary, next = 1.0;
    if (p_next <= 1.0) {
      double t;
      int st = law->quantile(p_next, law->ctx, &t);
      if (st)
        return st;
      next = 2.0 * t - cur;
      p_boundary = p_next;
      cur = next;
    }
    if (next >= 0.0) {
      for (; k <= c->steps; k++)
        c->code[k] = 0.0;
      break;
    }
    c->code[k] = next;
  }
  return QRD_OK;
}

/* Strictly increasing, every level but the last below 0, the last <= 0. */
static int feasible(const chain *c)
{
  for (size_t i = 0; i < c->steps; i++)
    if (!(c->code[i + 1] > c->code[i]) || c->code[i] >= 0.0)
      return 0;
  return c->code[c->steps] <= 0.0;
}

/* The top level is the median of [t, 0]: 2 F(c_top) - F(t) - 1/2. */
static double end_condition(double start, void *params)
{
  chain *c = params;
  int st = build(c, start);
  if (st) {
    if (!c->status)
      c->status = st;
    return NAN;
  }
  const qrd_af4_law *law = c->law;
  double top = c->code[c->steps], below = c->code[c->steps - 1];
  return 2.0 * law->cdf(top, law->ctx) - law->cdf(0.5 * (top + below), law->ctx) - 0.5;
}

static int half(chain *c)
{
  double lo = -1.0 + EDGE, hi = -EDGE, start;
  while (hi - lo > BRACKET) {
    double mid = 0.5 * (lo + hi);
    int st = build(c, mid);
    if (st)
      return st;
    if (feasible(c))
      lo = mid;
    else
      hi = mid;
  }
  int st = qrd_root(end_condition, c, -1.0 + EDGE, lo, XTOL, 4.0 * DBL_EPSILON, &start);
  if (c->status)
    return c->status;
  return st ? st : build(c, start);
}

int qrd_af4_shoot(const qrd_af4_law *law, size_t n, double *level)
{
  if (n < 8 || n % 2)
    return qrd_error_set(QRD_EINVAL, "af4: %zu levels invalid (allowed: an even number "
                         ">= 8: -1, n/2-2 negative levels, 0, n/2-1 positive, +1)", n);
  size_t neg = n / 2 - 2, pos = n / 2 - 1;
  double *code = malloc(pos * sizeof *code);
  if (!code)
    return qrd_error_set(QRD_ENOMEM, "af4 chain");
  chain c = {.law = law, .steps = neg - 1, .code = code};
  int st = half(&c);
  for (size_t i = 0; !st && i < neg; i++)
    level[1 + i] = code[i];
  c = (chain){.law = law, .steps = pos - 1, .code = code};
  if (!st)
    st = half(&c);
  for (size_t i = 0; !st && i < pos; i++)
    level[n - 2 - i] = -code[i];
  free(code);
  if (st)
    return st;
  level[0] = -1.0;
  level[neg + 1] = 0.0;
  level[n - 1] = 1.0;
  for (size_t i = 1; i < n; i++)
    if (!(level[i] > level[i - 1]))
      return qrd_error_set(QRD_EDOM, "af4: the chains do not close (level %zu = %.9g after "
                           "%.9g)", i, level[i], level[i - 1]);
  return QRD_OK;
}
