#include "fmt/mx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/spec.h"
#include "fmt/bits.h"
#include "fmt/scale.h"
#include "mc/stats.h"

#define MAX_BATCHES 64

typedef struct {
  const char *name;
  int e_bits, m_bits, bias;
  int top_specials;  /* 1: the top mantissa of the top exponent is NaN (e4m3);
                        2: the whole top exponent is inf/NaN (e5m2) */
  double max;
  int emax;
  double bits;
} fp_def;

static const fp_def DEFS[] = {
  [QRD_MX_E2M1] = {"e2m1", 2, 1, 1, 0, 6.0, 2, 4},
  [QRD_MX_E2M3] = {"e2m3", 2, 3, 1, 0, 7.5, 2, 6},
  [QRD_MX_E3M2] = {"e3m2", 3, 2, 3, 0, 28.0, 4, 6},
  [QRD_MX_E4M3] = {"e4m3", 4, 3, 7, 1, 448.0, 8, 8},
  [QRD_MX_E5M2] = {"e5m2", 5, 2, 15, 2, 57344.0, 15, 8},
  [QRD_MX_INT8] = {"int8", 0, 0, 0, 0, 127.0 / 64.0, 0, 8},
};

const char *qrd_mx_type_name(qrd_mx_type t) { return DEFS[t].name; }
double qrd_mx_max(qrd_mx_type t) { return DEFS[t].max; }
int qrd_mx_emax(qrd_mx_type t) { return DEFS[t].emax; }

/* The non-negative finite values of type t, ascending; returns the count. */
static size_t positives(qrd_mx_type t, double *v)
{
  const fp_def *d = &DEFS[t];
  size_t n = 0;
  if (t == QRD_MX_INT8) {
    for (int k = 0; k <= 127; k++)
      v[n++] = k / 64.0;
    return n;
  }
  int top = (1 << d->e_bits) - 1, mant = 1 << d->m_bits;
  for (int e = 0; e <= top; e++)
    for (int m = 0; m < mant; m++) {
      if ((d->top_specials == 1 && e == top && m == mant - 1) || (d->top_specials == 2 && e == top))
        continue;
      v[n++] = e == 0 ? ldexp(m, 1 - d->bias - d->m_bits)
                      : ldexp(mant + m, e - d->bias - d->m_bits);
    }
  return n;
}

int qrd_mx_element(qrd_mx_type t, qrd_element **out)
{
  double pos[256];
  size_t np = positives(t, pos);
  /* negatives mirror the positives (int8 adds -2); zero once */
  size_t n = 2 * np - 1 + (t == QRD_MX_INT8);
  qrd_element *e = calloc(1, sizeof *e);
  qrd_codebook *c = qrd_codebook_alloc(n);
  if (!e || !c) {
    free(e);
    qrd_codebook_free(c);
    return qrd_error_set(QRD_ENOMEM, "element %s", DEFS[t].name);
  }
  size_t k = 0;
  if (t == QRD_MX_INT8)
    c->level[k++] = -2.0;
  for (size_t i = np; i-- > 1;)
    c->level[k++] = -pos[i];
  for (size_t i = 0; i < np; i++)
    c->level[k++] = pos[i];
  qrd_codebook_set_midpoints(c);
  e->cb = c;
  e->bits = DEFS[t].bits;
  e->lo = c->level[0];
  e->hi = c->level[n - 1];
  snprintf(e->name, sizeof e->name, "mx-%s", DEFS[t].name);
  *out = e;
  return QRD_OK;
}

double qrd_mx_e4m3_round(double v)
{
  double pos[128];
  size_t np = positives(QRD_MX_E4M3, pos);
  double a = fmin(fabs(v), 448.0);
  size_t lo = 0, hi = np - 1;
  while (hi - lo > 1) {
    size_t mid = (lo + hi) / 2;
    if (pos[mid] <= a)
      lo = mid;
    else
      hi = mid;
  }
  double dl = a - pos[lo], dh = pos[hi] - a;
  /* ties to the even mantissa: even index within a binade of 8 */
  double r = dl < dh ? pos[lo] : dh < dl ? pos[hi] : pos[lo % 2 == 0 ? lo : hi];
  return v < 0 ? -r : r;
}

int qrd_mx_format_parse(const char *spec, qrd_mx_format *f)
{
  static const struct {
    const char *name;
    qrd_mx_type type;
  } names[] = {{"mxfp4", QRD_MX_E2M1},      {"mxfp6-e2m3", QRD_MX_E2M3},
               {"mxfp6-e3m2", QRD_MX_E3M2}, {"mxfp8-e4m3", QRD_MX_E4M3},
               {"mxfp8-e5m2", QRD_MX_E5M2}, {"mxint8", QRD_MX_INT8}};
  memset(f, 0, sizeof *f);
  size_t len = strcspn(spec, ":");
  if (len == 5 && strncmp(spec, "nvfp4", 5) == 0) {
    if (spec[len])
      return qrd_error_set(QRD_EINVAL, "format '%s': nvfp4 takes no parameters", spec);
    *f = (qrd_mx_format){.name = "nvfp4", .type = QRD_MX_E2M1, .rule = QRD_MX_RULE_NVFP4,
                         .block = 16, .scale_bits = 8, .tensor_bits = 32};
    return QRD_OK;
  }
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strlen(names[i].name) != len || strncmp(spec, names[i].name, len) != 0)
      continue;
    f->type = names[i].type;
    f->rule = QRD_MX_RULE_FLOOR;
    f->block = 32;
    f->scale_bits = 8;
    const char *p = spec + len;
    if (*p && strcmp(p, ":rule=floor") != 0) {
      if (strcmp(p, ":rule=ceil") == 0)
        f->rule = QRD_MX_RULE_CEIL;
      else if (strcmp(p, ":rule=mse") == 0)
        f->rule = QRD_MX_RULE_MSE;
      else
        return qrd_error_set(QRD_EINVAL, "format '%s': '%s' (allowed: rule=floor, the OCP "
                             "rule, rule=ceil or rule=mse)", spec, p + 1);
    }
    snprintf(f->name, sizeof f->name, "%s%s", names[i].name,
             f->rule == QRD_MX_RULE_CEIL  ? ":rule=ceil"
             : f->rule == QRD_MX_RULE_MSE ? ":rule=mse"
                                          : "");
    return QRD_OK;
  }
  return qrd_error_set(QRD_ENOTFOUND, "'%s' is not an MX or NVFP4 format", spec);
}

/* The scale of a block of largest magnitude amax (s_t: NVFP4's tensor
 * scale); 0 when every value of the block reconstructs as 0. */
static double block_scale(const qrd_mx_format *f, double amax, double s_t)
{
  if (!(amax > 0.0))
    return 0.0;
  switch (f->rule) {
  case QRD_MX_RULE_FLOOR: {
    int e = (int)floor(log2(amax)) - DEFS[f->type].emax;
    return ldexp(1.0, e < -127 ? -127 : e > 127 ? 127 : e);
  }
  case QRD_MX_RULE_CEIL:
  case QRD_MX_RULE_MSE: { /* mse: the candidates' search starts from ceil's */
    int e = (int)ceil(log2(amax / DEFS[f->type].max));
    return ldexp(1.0, e < -127 ? -127 : e > 127 ? 127 : e);
  }
  case QRD_MX_RULE_NVFP4:
    return s_t * qrd_mx_e4m3_round(amax / (6.0 * s_t));
  }
  return 0.0;
}

int qrd_block_eval_blockwise(const double *x, size_t n, size_t block, qrd_block_sse_fn fn,
                             const void *ctx, qrd_block_result *r)
{
  size_t blocks = n / block;
  if (n == 0 || block == 0 || n % block)
    return qrd_error_set(QRD_EINVAL, "%zu values are not whole blocks of %zu", n, block);
  size_t nb = blocks < MAX_BATCHES ? blocks : MAX_BATCHES;
  double sse[MAX_BATCHES] = {0}, x2[MAX_BATCHES] = {0};
#pragma omp parallel for schedule(static)
  for (size_t k = 0; k < nb; k++)
    for (size_t b = k * blocks / nb; b < (k + 1) * blocks / nb; b++) {
      const double *v = x + b * block;
      sse[k] += fn(ctx, v, block);
      for (size_t i = 0; i < block; i++)
        x2[k] += v[i] * v[i];
    }
  qrd_block_jackknife(sse, 1, x2, nb, r);
  return QRD_OK;
}

static inline double cell_level(const qrd_codebook_cells *c, double y)
{
  return c->cb->level[qrd_codebook_cells_find(c, y)];
}

/* The squared error of block v under scale s (s = 0: every value to 0;
 * a signmax scale may be negative). */
static double block_sse(const qrd_codebook_cells *c, const double *v, size_t b, double s)
{
  double sse = 0.0;
  for (size_t i = 0; i < b; i++) {
    double q = s != 0.0 ? s * cell_level(c, v[i] / s) : 0.0;
    sse += (v[i] - q) * (v[i] - q);
  }
  return sse;
}

typedef struct {
  const qrd_mx_format *f;
  const qrd_codebook_cells *cl;
  double s_t;
} mx_ctx;

static double mx_block(const void *ctx, const double *v, size_t b)
{
  const mx_ctx *c = ctx;
  double amax = qrd_max_abs(v, b);
  double s = block_scale(c->f, amax, c->s_t), best = block_sse(c->cl, v, b, s);
  if (c->f->rule != QRD_MX_RULE_MSE || !(s > 0.0))
    return best;
  /* ceil's exponent + 1 down to the standard's - 1: floor's is at most
   * ceil's, so the span covers both rules and their neighbours */
  int ceil_e = ilogb(s);
  int floor_e = (int)floor(log2(amax)) - DEFS[c->f->type].emax;
  for (int e = ceil_e + 1; e >= floor_e - 1 && e >= -127; e--) {
    if (e == ceil_e || e > 127)
      continue;
    double sse = block_sse(c->cl, v, b, ldexp(1.0, e));
    if (sse < best)
      best = sse;
  }
  return best;
}

int qrd_mx_eval(const qrd_mx_format *f, const double *x, size_t n, qrd_block_result *r)
{
  if (n == 0 || n % f->block)
    return qrd_error_set(QRD_EINVAL, "%s: %zu values are not whole blocks of %zu", f->name, n,
                         f->block);
  qrd_element *e;
  int st = qrd_mx_element(f->type, &e);
  if (st)
    return st;
  qrd_codebook_cells cl;
  qrd_codebook_cells_init(&cl, e->cb);
  mx_ctx c = {f, &cl, 1.0};
  if (f->rule == QRD_MX_RULE_NVFP4) {
    double amax = qrd_max_abs(x, n);
    c.s_t = amax > 0.0 ? (double)(float)(amax / (6.0 * 448.0)) : 1.0; /* an FP32 scale */
  }
  st = qrd_block_eval_blockwise(x, n, f->block, mx_block, &c, r);
  qrd_bit_count bc = {.numel = n, .element_bits = e->bits, .scale_bits = f->scale_bits,
                      .n_blocks = n / f->block, .tensor_bits = f->tensor_bits};
  r->bits = qrd_bits_per_param(&bc);
  qrd_codebook_cells_free(&cl);
  qrd_element_free(e);
  return st;
}

typedef struct {
  double levels; /* 2^bits */
  qrd_scale_format bf16;
} affine_ctx;

static double affine_block(const void *ctx, const double *v, size_t b)
{
  const affine_ctx *c = ctx;
  double lo = v[0], hi = v[0], sse = 0.0;
  for (size_t i = 1; i < b; i++) {
    lo = fmin(lo, v[i]);
    hi = fmax(hi, v[i]);
  }
  double s = qrd_scale_quantise(&c->bf16, (hi - lo) / (c->levels - 1.0));
  if (!(s > 0.0)) { /* a constant group: its value is not representable */
    for (size_t i = 0; i < b; i++)
      sse += v[i] * v[i];
    return sse;
  }
  double z = fmin(fmax(nearbyint(-lo / s), 0.0), c->levels - 1.0);
  for (size_t i = 0; i < b; i++) {
    double q = fmin(fmax(nearbyint(v[i] / s) + z, 0.0), c->levels - 1.0);
    double d = v[i] - (q - z) * s;
    sse += d * d;
  }
  return sse;
}

int qrd_affine_eval(double bits, size_t g, const double *x, size_t n, qrd_block_result *r)
{
  if (!(bits >= 1.0 && bits <= 16.0 && bits == floor(bits)))
    return qrd_error_set(QRD_EINVAL, "affine INT: %g bits (allowed: a whole number from 1 to 16)",
                         bits);
  affine_ctx c = {.levels = exp2(bits)};
  int st = qrd_scale_parse("bf16", &c.bf16);
  if (!st)
    st = qrd_block_eval_blockwise(x, n, g, affine_block, &c, r);
  qrd_bit_count bc = {.numel = n, .element_bits = bits, .scale_bits = 16.0 + bits,
                      .n_blocks = g ? n / g : 0};
  r->bits = qrd_bits_per_param(&bc);
  return st;
}

typedef struct {
  const qrd_element *e;
  const qrd_scaling *sc;
  size_t k;
  const qrd_codebook_cells *cl;
} clip_ctx;

static double clip_block(const void *ctx, const double *v, size_t b)
{
  const clip_ctx *c = ctx;
  double extreme = 0.0;
  for (size_t i = 0; i < b; i++)
    if (fabs(v[i]) > fabs(extreme))
      extreme = v[i];
  double s0 = (c->sc->kind == QRD_SCALING_SIGNMAX ? extreme : fabs(extreme)) /
              qrd_scaling_divisor(c->sc->kind, c->e->lo, c->e->hi);
  double best = INFINITY;
  for (size_t j = 0; j < c->k; j++) {
    double s = qrd_scale_quantise(&c->sc->scale, s0 * (1.0 - 0.5 * (double)j / (double)(c->k - 1)));
    best = fmin(best, block_sse(c->cl, v, b, s));
  }
  return best;
}

int qrd_clip_eval(const qrd_element *e, const qrd_scaling *sc, size_t k, const double *x,
                  size_t n, qrd_block_result *r)
{
  if (sc->kind != QRD_SCALING_ABSMAX && sc->kind != QRD_SCALING_SIGNMAX)
    return qrd_error_set(QRD_EINVAL, "searched clipping needs an absmax:B or signmax:B scaling");
  if (k < 2)
    return qrd_error_set(QRD_EINVAL, "searched clipping: %zu grid points (want 2 or more)", k);
  qrd_codebook_cells cl;
  qrd_codebook_cells_init(&cl, e->cb);
  clip_ctx c = {e, sc, k, &cl};
  int st = qrd_block_eval_blockwise(x, n, sc->block, clip_block, &c, r);
  qrd_codebook_cells_free(&cl);
  qrd_bit_count bc = {.numel = n, .element_bits = e->bits, .scale_bits = qrd_scale_bits(&sc->scale),
                      .n_blocks = sc->block ? n / sc->block : 0};
  r->bits = qrd_bits_per_param(&bc);
  return st;
}

#define DQ_BLOCK 64
#define DQ_GROUP 256

typedef struct {
  const qrd_element *e;
  double mean; /* the tensor's mean block scale */
  const qrd_codebook_cells *cl;
} dq_ctx;

static double dq_group(const void *ctx, const double *v, size_t b)
{
  const dq_ctx *c = ctx;
  double scale[DQ_GROUP], dev = 0.0, sse = 0.0;
  double div = qrd_scaling_divisor(QRD_SCALING_ABSMAX, c->e->lo, c->e->hi);
  for (size_t k = 0; k < DQ_GROUP; k++) {
    scale[k] = (double)(float)(qrd_max_abs(v + k * DQ_BLOCK, DQ_BLOCK) / div);
    dev = fmax(dev, fabs(scale[k] - c->mean));
  }
  double s2 = (double)(float)(dev / 127.0);
  for (size_t k = 0; k < DQ_GROUP; k++) {
    double s = s2 > 0.0 ? c->mean + s2 * nearbyint((scale[k] - c->mean) / s2) : scale[k];
    for (size_t i = 0; i < DQ_BLOCK; i++) {
      double x = v[k * DQ_BLOCK + i];
      double q = s > 0.0 ? s * cell_level(c->cl, x / s) : 0.0;
      sse += (x - q) * (x - q);
    }
  }
  (void)b;
  return sse;
}

int qrd_dq_eval(const qrd_element *e, const double *x, size_t n, qrd_block_result *r)
{
  size_t group = DQ_BLOCK * DQ_GROUP;
  if (n == 0 || n % group)
    return qrd_error_set(QRD_EINVAL, "double quantisation: %zu values are not whole groups of "
                         "%d blocks of %d", n, DQ_GROUP, DQ_BLOCK);
  double div = qrd_scaling_divisor(QRD_SCALING_ABSMAX, e->lo, e->hi), sum = 0.0;
  for (size_t k = 0; k < n / DQ_BLOCK; k++)
    sum += (double)(float)(qrd_max_abs(x + k * DQ_BLOCK, DQ_BLOCK) / div);
  qrd_codebook_cells cl;
  qrd_codebook_cells_init(&cl, e->cb);
  dq_ctx c = {e, (double)(float)(sum / (double)(n / DQ_BLOCK)), &cl};
  int st = qrd_block_eval_blockwise(x, n, group, dq_group, &c, r);
  qrd_codebook_cells_free(&cl);
  qrd_bit_count bc = {.numel = n, .element_bits = e->bits, .scale_bits = 8.0,
                      .n_blocks = n / DQ_BLOCK,
                      .tensor_bits = 32.0 * (double)(n / group) + 32.0};
  r->bits = qrd_bits_per_param(&bc);
  return st;
}
