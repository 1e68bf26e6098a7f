/* Element formats: the shared codebook plumbing, INT, FP ExMy and LUTs. */
#include "fmt/element.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "fmt/bits.h"
#include "fmt/element_impl.h"

void qrd_element_free(qrd_element *e)
{
  if (!e)
    return;
  qrd_codebook_free(e->cb);
  free(e);
}

int qrd_element_alloc_levels(size_t n, double bits, const char *name,
                             qrd_element **out)
{
  *out = NULL;
  if (n < 2 || n > QRD_ELEMENT_MAX_LEVELS)
    return qrd_error_set(QRD_EINVAL, "%s: %zu levels (need 2..%zu)", name, n,
                         QRD_ELEMENT_MAX_LEVELS);
  qrd_element *e = calloc(1, sizeof *e);
  if (!e || !(e->cb = qrd_codebook_alloc(n))) {
    free(e);
    return qrd_error_set(QRD_ENOMEM, "%s: %zu levels", name, n);
  }
  e->bits = bits;
  snprintf(e->name, sizeof e->name, "%s", name);
  *out = e;
  return QRD_OK;
}

void qrd_element_finish(qrd_element *e)
{
  e->lo = e->cb->level[0];
  e->hi = e->cb->level[e->cb->n - 1];
}

int qrd_element_levels_for(double b, const char *what, size_t *n)
{
  *n = qrd_bits_levels(b);
  if (*n < 2 || *n > QRD_ELEMENT_MAX_LEVELS)
    return qrd_error_set(QRD_EINVAL, "%s: %g bits gives %zu levels (need 2..%zu)",
                         what, b, *n, QRD_ELEMENT_MAX_LEVELS);
  return QRD_OK;
}

size_t qrd_element_index(const qrd_element *e, double x)
{
  return qrd_codebook_cell(e->cb, x);
}

double qrd_element_quantise(const qrd_element *e, double x)
{
  return e->cb->level[qrd_element_index(e, x)];
}

/* The edge of a gap whose tie point is t: a value equal to t stays in the
 * lower cell unless tie_up, in which case the edge sits one double below t
 * so that t itself opens the upper cell. */
static double tie_edge(double t, int tie_up)
{
  return tie_up ? nextafter(t, -INFINITY) : t;
}

static void set_outer_edges(qrd_codebook *c)
{
  c->edge[0] = -INFINITY;
  c->edge[c->n] = INFINITY;
}

/* ---- INT ---- */

/* Name "int4", or "int[n=6]" when n is not a power of two; "-sym" for the
 * symmetric grid. */
static void int_name(char *buf, size_t len, size_t n, int symmetric)
{
  const char *sym = symmetric ? "-sym" : "";
  if ((n & (n - 1)) == 0)
    snprintf(buf, len, "int%d%s", (int)log2((double)n), sym);
  else
    snprintf(buf, len, "int[n=%zu]%s", n, sym);
}

int qrd_element_int(double b, int symmetric, qrd_element **out)
{
  size_t n;
  char name[QRD_ELEMENT_NAME_LEN];
  int st = qrd_element_levels_for(b, "INT", &n);
  if (st)
    return st;
  int_name(name, sizeof name, n, symmetric);
  if ((st = qrd_element_alloc_levels(n, qrd_bits_of_levels(n), name, out)))
    return st;

  size_t h = (n - 1) / 2;
  double lo = symmetric ? -0.5 * (double)(n - 1) : -(double)h - (2 * h + 1 < n);
  /* Half to even: a tie between k and k + 1 goes to the even one.  On the
   * half-integer grid (symmetric, even n) the reference rounds x + 1/2, so
   * the tie goes to the level l with l + 1/2 even. */
  double off = symmetric && n % 2 == 0 ? 0.5 : 0.0;
  qrd_codebook *c = (*out)->cb;
  for (size_t i = 0; i < n; i++)
    c->level[i] = lo + (double)i;
  set_outer_edges(c);
  for (size_t i = 1; i < n; i++)
    c->edge[i] = tie_edge(c->level[i] - 0.5, fmod(c->level[i] + off, 2.0) == 0.0);
  qrd_element_finish(*out);
  return QRD_OK;
}

/* ---- FP ExMy ---- */

#define FP_MAX_E 11   /* 2^{2^{E-1}} stays a finite double */
#define FP_MAX_EM 20  /* 2^21 - 1 levels */

/* Positive codepoint of code c = (e << M) | m, c >= 1; ascending in c. */
static double fp_value(size_t c, int e_bits, int m_bits)
{
  int bias = 1 << (e_bits - 1);
  size_t e = c >> m_bits;
  double frac = ldexp((double)(c & (((size_t)1 << m_bits) - 1)), -m_bits);
  return e ? ldexp(1.0 + frac, (int)e - bias) : ldexp(frac, 1 - bias);
}

/* Every gap lies on one side of 0 (a codepoint).  Nearest: midpoint, ties
 * toward zero, i.e. up on the negative side.  to_inf: the interior goes to
 * the larger magnitude, so the edge is the smaller-magnitude codepoint (kept
 * in its own cell).  to_zero: the mirror image.  Midpoints of adjacent
 * ExMy values (E + M <= 20) are exact in double. */
static void fp_edges(qrd_codebook *c, qrd_fp_rounding r)
{
  set_outer_edges(c);
  for (size_t i = 1; i < c->n; i++) {
    double a = c->level[i - 1], b = c->level[i];
    int neg = b <= 0.0;
    double t = r == QRD_FP_NEAREST ? 0.5 * (a + b)
             : r == QRD_FP_TO_INF ? (neg ? b : a)
                                  : (neg ? a : b);
    int up = r == QRD_FP_TO_ZERO ? !neg : neg;
    c->edge[i] = tie_edge(t, up);
  }
}

qrd_codebook *qrd_coded_grid(double b0, int floor_levels, double a)
{
  double levels = floor_levels ? floor(exp2(b0)) : (double)qrd_bits_levels(b0);
  return qrd_codebook_uniform(levels < 2.0 ? 2 : (size_t)levels, a);
}

int qrd_element_fp(int e_bits, int m_bits, qrd_fp_rounding r, qrd_element **out)
{
  static const char *suffix[] = {"", "-ri", "-rz"};
  *out = NULL;
  if (e_bits < 1 || e_bits > FP_MAX_E || m_bits < 0 || e_bits + m_bits > FP_MAX_EM)
    return qrd_error_set(QRD_EINVAL, "FP E%dM%d: need 1 <= E <= %d, M >= 0, E + M <= %d",
                         e_bits, m_bits, FP_MAX_E, FP_MAX_EM);
  if (r != QRD_FP_NEAREST && r != QRD_FP_TO_INF && r != QRD_FP_TO_ZERO)
    return qrd_error_set(QRD_EINVAL, "FP E%dM%d: unknown rounding %d", e_bits, m_bits, (int)r);

  size_t half = ((size_t)1 << (e_bits + m_bits)) - 1; /* positive codes */
  char name[QRD_ELEMENT_NAME_LEN];
  snprintf(name, sizeof name, "e%dm%d%s", e_bits, m_bits, suffix[r]);
  /* Sign + E + M bits, not log2 of the 2 half + 1 distinct values (+-0
   * share a value): E2M1 counts 4 bits (reference FPFormat.bits). */
  int st = qrd_element_alloc_levels(2 * half + 1, 1.0 + e_bits + m_bits, name, out);
  if (st)
    return st;
  qrd_codebook *c = (*out)->cb;
  c->level[half] = 0.0;
  for (size_t k = 1; k <= half; k++) {
    double v = fp_value(k, e_bits, m_bits);
    c->level[half + k] = v;
    c->level[half - k] = -v;
  }
  fp_edges(c, r);
  qrd_element_finish(*out);
  return QRD_OK;
}

/* ---- LUT ---- */

int qrd_element_lut(const double *value, size_t n, const char *name,
                    qrd_element **out)
{
  *out = NULL;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(value[i]))
      return qrd_error_set(QRD_EINVAL, "LUT %s: value[%zu] = %g is not finite", name, i,
                           value[i]);
    if (i > 0 && !(value[i] > value[i - 1]))
      return qrd_error_set(QRD_EINVAL,
                           "LUT %s: values must be strictly ascending, but value[%zu] = %g"
                           " follows %g", name, i, value[i], value[i - 1]);
  }
  int st = qrd_element_alloc_levels(n, qrd_bits_of_levels(n), name, out);
  if (st)
    return st;
  memcpy((*out)->cb->level, value, n * sizeof *value);
  qrd_codebook_set_midpoints((*out)->cb);
  qrd_element_finish(*out);
  return QRD_OK;
}

/* QLoRA's NF4, the exact float32 values. */
static const double nf4[16] = {
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
  -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
  0.07958029955625534, 0.16093020141124725, 0.24611230194568634,
  0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
  0.7229568362236023, 1.0,
};

/* SF4 for Student-t nu = 5 (Dotzel et al.), as tabulated to 3 decimals. */
static const double sf4[16] = {
  -1.000, -0.628, -0.455, -0.334, -0.237, -0.153, -0.075, 0.000,
  0.066, 0.133, 0.205, 0.284, 0.376, 0.491, 0.657, 1.000,
};

int qrd_element_nf4(qrd_element **out) { return qrd_element_lut(nf4, 16, "nf4", out); }
int qrd_element_sf4(qrd_element **out) { return qrd_element_lut(sf4, 16, "sf4[nu=5]", out); }
