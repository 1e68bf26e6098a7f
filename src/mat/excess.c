/* GPTQ's excess over WaterSIC: closed forms and the sweep over families,
 * rotations, profiles and Wishart matrices. */
#include "mat/excess.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_psi.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "mc/sample.h"

/* ---- closed forms ---- */

double qrd_excess_bits(size_t n, const double *d)
{
  double am, gm;
  qrd_means(n, d, &am, &gm, NULL);
  return 0.5 * log2(am / gm);
}

double qrd_excess_two_level(double eps)
{
  return 0.5 * log2((1.0 + eps) / (2.0 * sqrt(eps)));
}

double qrd_excess_bartlett(size_t n, size_t T, double rho)
{
  double am = 0.0, lgm = 0.0;
  for (size_t i = 0; i < n; i++) {
    double d0 = i == 0 ? 1.0 : 1.0 - rho * rho, t = (double)(T - i);
    am += d0 * t / (double)T;
    lgm += log(d0) + gsl_sf_psi(0.5 * t) + log(2.0 / (double)T);
  }
  return 0.5 * (log(am / (double)n) - lgm / (double)n) / M_LN2;
}

void qrd_excess_mean_sd(const double *x, size_t k, size_t stride, double *mean, double *sd)
{
  double m = 0.0, v = 0.0;
  for (size_t i = 0; i < k; i++)
    m += x[i * stride];
  m /= (double)k;
  for (size_t i = 0; i < k; i++)
    v += (x[i * stride] - m) * (x[i * stride] - m);
  *mean = m;
  *sd = k > 1 ? sqrt(v / (double)(k - 1)) : 0.0;
}

/* ---- the plan ---- */

int qrd_excess_plan_needs_power_of_two(const qrd_excess_plan *p)
{
  for (size_t r = 0; r < p->n_rot; r++)
    if (p->rot[r] == QRD_ROTATE_HADAMARD || p->rot[r] == QRD_ROTATE_SYLVESTER)
      return 1;
  return 0;
}

size_t qrd_excess_wishart_samples(const qrd_excess_plan *p, size_t b)
{
  return (size_t)fmax(1.0, round(p->ratio[b] * (double)p->wishart_n));
}

static unsigned long draw_seed(unsigned long seed, size_t k)
{
  return qrd_sample_stream(seed, (unsigned long)k);
}

static int rotation_is_random(qrd_rotate_kind k)
{
  return k == QRD_ROTATE_HAAR || k == QRD_ROTATE_HADAMARD;
}

/* ---- the sweep's state ----
 * One list of points for the whole sweep, so that the OpenMP loop balances
 * the expensive large-n points against the cheap ones; each writes only
 * its own region (qrd_excess_sweep_results).  The Haar rotations are not
 * points but work the points share, made in a first phase for the points
 * that run: every family of a (size, draw) then applies the same Q. */

enum { ITEM_TABLE, ITEM_PROFILE, ITEM_WISHART };

typedef struct {
  int kind;
  size_t a, b, k; /* table: size, family; profile: family; wishart: rho,
                   * ratio */
  size_t n;
  int status;
  char error[256];
} item;

typedef struct {
  size_t n, k;
  qrd_rotation *q;
  int status;
  char error[256];
} shared_haar;

struct qrd_excess_sweep {
  const qrd_excess_plan *p;
  unsigned long seed;
  int random[QRD_EXCESS_MAX_FAMILIES]; /* two seeds give two matrices */
  shared_haar *haar;
  size_t n_haar;
  item *items;
  size_t n_items;
  /* a point's results are contiguous, the draw outside its values: */
  double *table;   /* [size][family][draw][rot] excess */
  double *profile; /* [family][draw] PROFILE_LINES lines, then [rot][j]
                    * d_j / GM(lambda) */
  double *wishart; /* [rho][ratio][draw][damp] excess */
};

static double *table_slot(const qrd_excess_sweep *sw, size_t i, size_t f, size_t r, size_t k)
{
  const qrd_excess_plan *p = sw->p;
  return sw->table + ((i * p->n_family + f) * QRD_EXCESS_MAX_DRAWS + k) * p->n_rot + r;
}

/* Profile draw k of family f: HM/GM, AM/GM of lambda, then the d_j / GM
 * of each rotation. */
enum { PROFILE_HM, PROFILE_AM, PROFILE_LINES };

static size_t profile_draw_size(const qrd_excess_plan *p)
{
  return PROFILE_LINES + p->n_rot * p->profile_n;
}

static double *profile_draw(const qrd_excess_sweep *sw, size_t f, size_t k)
{
  return sw->profile + (f * sw->p->profile_draws + k) * profile_draw_size(sw->p);
}

static double *profile_slot(const qrd_excess_sweep *sw, size_t f, size_t r, size_t k)
{
  return profile_draw(sw, f, k) + PROFILE_LINES + r * sw->p->profile_n;
}

static double *wishart_slot(const qrd_excess_sweep *sw, size_t a, size_t b, size_t c, size_t k)
{
  const qrd_excess_plan *p = sw->p;
  return sw->wishart + ((a * p->n_ratio + b) * p->wishart_draws + k) * p->n_damp + c;
}

size_t qrd_excess_table_draws(const qrd_excess_sweep *sw, size_t i, size_t f, size_t r)
{
  return sw->random[f] || rotation_is_random(sw->p->rot[r]) ? sw->p->draws[i] : 1;
}

/* ---- one item ---- */

static const qrd_rotation *haar_lookup(const qrd_excess_sweep *sw, size_t n, size_t k)
{
  for (size_t i = 0; i < sw->n_haar; i++)
    if (sw->haar[i].n == n && sw->haar[i].k == k)
      return sw->haar[i].q;
  return NULL;
}

/* Sigma, two n x n matrices of work and an n-vector, the scratch of one
 * item. */
typedef struct {
  double *S, *work, *d;
} scratch;

static int scratch_alloc(size_t n, scratch *w)
{
  w->S = qrd_big_alloc(n * n, sizeof *w->S);
  w->work = qrd_big_alloc(2 * n * n, sizeof *w->work);
  w->d = malloc(n * sizeof *w->d);
  if (w->S && w->work && w->d)
    return QRD_OK;
  return qrd_error_set(QRD_ENOMEM, "scratch for n = %zu", n);
}

static void scratch_free(scratch *w)
{
  qrd_big_free(w->S);
  qrd_big_free(w->work);
  free(w->d);
}

/* d <- GPTQ's conditional variances of Q^T w->S Q for rotation `kind` of
 * draw k (the shared Q for Haar), w->S being family c's draw k. */
static int rotated_d(const qrd_excess_sweep *sw, const qrd_cov *c, qrd_rotate_kind kind,
                     size_t n, size_t k, scratch *w, double *d)
{
  const qrd_rotation *use = kind == QRD_ROTATE_HAAR ? haar_lookup(sw, n, k) : NULL;
  qrd_rotation *own = NULL;
  unsigned long seed = draw_seed(sw->seed, k);
  int st = use ? QRD_OK : qrd_rotation_alloc(kind, n, seed, w->S, &own);
  if (!st)
    st = qrd_rotation_cond_var_cov(use ? use : own, c, seed, w->S, QRD_ORDER_GPTQ, w->work, d);
  qrd_rotation_free(own);
  return st;
}

static int run_table(const qrd_excess_sweep *sw, const item *it, scratch *w)
{
  const qrd_excess_plan *p = sw->p;
  size_t n = it->n, i = it->a, f = it->b;
  int st = qrd_cov_build(&p->family[f], n, draw_seed(sw->seed, it->k), w->S);
  for (size_t r = 0; !st && r < p->n_rot; r++) {
    if (it->k >= qrd_excess_table_draws(sw, i, f, r))
      continue;
    st = rotated_d(sw, &p->family[f], p->rot[r], n, it->k, w, w->d);
    if (!st)
      *table_slot(sw, i, f, r, it->k) = qrd_excess_bits(n, w->d);
  }
  return st;
}

static int run_profile(const qrd_excess_sweep *sw, const item *it, scratch *w)
{
  const qrd_excess_plan *p = sw->p;
  size_t n = it->n, f = it->a;
  double hm, gm, am, *line = profile_draw(sw, f, it->k);
  int st = qrd_cov_build(&p->profile[f], n, draw_seed(sw->seed, it->k), w->S);
  if (!st)
    st = qrd_cov_eigenvalues(n, w->S, w->work, w->d);
  if (st)
    return st;
  if (!(w->d[0] > 0.0))
    return qrd_error_set(QRD_EDOM, "%s: Sigma is singular (smallest eigenvalue %g)",
                         p->profile[f].spec, w->d[0]);
  qrd_means(n, w->d, &am, &gm, &hm);
  line[PROFILE_HM] = hm / gm;
  line[PROFILE_AM] = am / gm;
  for (size_t r = 0; !st && r < p->n_rot; r++) {
    double *out = profile_slot(sw, f, r, it->k);
    st = rotated_d(sw, &p->profile[f], p->rot[r], n, it->k, w, out);
    for (size_t j = 0; !st && j < n; j++)
      out[j] /= gm;
  }
  return st;
}

static int run_wishart(const qrd_excess_sweep *sw, const item *it, scratch *w)
{
  const qrd_excess_plan *p = sw->p;
  size_t n = it->n;
  char spec[128];
  qrd_cov c;
  snprintf(spec, sizeof spec, "wishart:ratio=%.17g,rho=%.17g", p->ratio[it->b], p->rho[it->a]);
  int st = qrd_cov_parse(spec, &c);
  if (!st)
    st = qrd_cov_build(&c, n, draw_seed(sw->seed, it->k), w->S);
  for (size_t dp = 0; !st && dp < p->n_damp; dp++) {
    double *R = w->work;
    memcpy(R, w->S, n * n * sizeof *R);
    qrd_cov_damp(n, R, p->damp[dp]);
    st = qrd_cov_cond_var(n, R, QRD_ORDER_GPTQ, R + n * n, w->d);
    if (!st)
      *wishart_slot(sw, it->a, it->b, dp, it->k) = qrd_excess_bits(n, w->d);
  }
  return st;
}

static int run_item(const qrd_excess_sweep *sw, const item *it)
{
  scratch w;
  int st = scratch_alloc(it->n, &w);
  if (!st)
    st = it->kind == ITEM_TABLE     ? run_table(sw, it, &w)
         : it->kind == ITEM_PROFILE ? run_profile(sw, it, &w)
                                    : run_wishart(sw, it, &w);
  scratch_free(&w);
  return st;
}

static void describe(const qrd_excess_sweep *sw, const item *it, char *buf, size_t len)
{
  const qrd_excess_plan *p = sw->p;
  switch (it->kind) {
  case ITEM_TABLE:
    snprintf(buf, len, "%s, n = %zu, draw %zu", p->family[it->b].spec, it->n, it->k);
    return;
  case ITEM_PROFILE:
    snprintf(buf, len, "profile %s, n = %zu, draw %zu", p->profile[it->a].spec, it->n, it->k);
    return;
  default:
    snprintf(buf, len, "wishart T/n = %g, rho = %g, n = %zu, draw %zu", p->ratio[it->b],
             p->rho[it->a], it->n, it->k);
  }
}

/* ---- planning ---- */

static int has_rotation(const qrd_excess_plan *p, qrd_rotate_kind k)
{
  for (size_t r = 0; r < p->n_rot; r++)
    if (p->rot[r] == k)
      return 1;
  return 0;
}

/* Does draw k of family f at size i need any work? */
static int table_draw_needed(const qrd_excess_sweep *sw, size_t i, size_t f, size_t k)
{
  for (size_t r = 0; r < sw->p->n_rot; r++)
    if (k < qrd_excess_table_draws(sw, i, f, r))
      return 1;
  return 0;
}

static void add_haar(qrd_excess_sweep *sw, size_t n, size_t k)
{
  for (size_t i = 0; i < sw->n_haar; i++)
    if (sw->haar[i].n == n && sw->haar[i].k == k)
      return;
  sw->haar[sw->n_haar++] = (shared_haar){.n = n, .k = k};
}

/* Largest n first, then draw by draw. */
static int by_size_then_draw(const void *pa, const void *pb)
{
  const shared_haar *a = pa, *b = pb;
  if (a->n != b->n)
    return a->n < b->n ? 1 : -1;
  return (a->k > b->k) - (a->k < b->k);
}

/* Largest n first, so that the costliest QR does not start last: the
 * rotations are made in parallel, in this order, before any point. */
static void plan_haar(qrd_excess_sweep *sw)
{
  const qrd_excess_plan *p = sw->p;
  if (!has_rotation(p, QRD_ROTATE_HAAR))
    return;
  for (size_t i = 0; i < p->n_size; i++)
    for (size_t k = 0; k < p->draws[i]; k++)
      add_haar(sw, p->size[i], k);
  for (size_t k = 0; p->n_profile > 0 && k < p->profile_draws; k++)
    add_haar(sw, p->profile_n, k);
  qsort(sw->haar, sw->n_haar, sizeof *sw->haar, by_size_then_draw);
}

static void add_item(qrd_excess_sweep *sw, int kind, size_t a, size_t b, size_t k, size_t n)
{
  sw->items[sw->n_items++] = (item){.kind = kind, .a = a, .b = b, .k = k, .n = n};
}

/* Largest n first: the costly items start while there is work to balance. */
static void plan_rest(qrd_excess_sweep *sw)
{
  const qrd_excess_plan *p = sw->p;
  size_t order[QRD_EXCESS_MAX_SIZES];
  for (size_t i = 0; i < p->n_size; i++)
    order[i] = i;
  for (size_t i = 1; i < p->n_size; i++)
    for (size_t j = i; j > 0 && p->size[order[j]] > p->size[order[j - 1]]; j--) {
      size_t t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  for (size_t q = 0; q < p->n_size; q++)
    for (size_t f = 0; f < p->n_family; f++)
      for (size_t k = 0; k < p->draws[order[q]]; k++)
        if (table_draw_needed(sw, order[q], f, k))
          add_item(sw, ITEM_TABLE, order[q], f, k, p->size[order[q]]);
  for (size_t f = 0; f < p->n_profile; f++)
    for (size_t k = 0; k < p->profile_draws; k++)
      add_item(sw, ITEM_PROFILE, f, 0, k, p->profile_n);
  for (size_t a = 0; a < p->n_rho; a++)
    for (size_t b = 0; b < p->n_ratio; b++)
      for (size_t k = 0; k < p->wishart_draws; k++)
        add_item(sw, ITEM_WISHART, a, b, k, p->wishart_n);
}

static size_t max_items(const qrd_excess_plan *p)
{
  size_t m = p->n_profile * p->profile_draws + p->n_rho * p->n_ratio * p->wishart_draws;
  for (size_t i = 0; i < p->n_size; i++)
    m += p->draws[i] * p->n_family;
  return m;
}

static int find_random_families(qrd_excess_sweep *sw)
{
  const qrd_excess_plan *p = sw->p;
  size_t n = p->size[0];
  for (size_t i = 1; i < p->n_size; i++)
    n = p->size[i] < n ? p->size[i] : n;
  double *a = malloc(n * n * sizeof *a), *b = malloc(n * n * sizeof *b);
  int st = a && b ? QRD_OK : qrd_error_set(QRD_ENOMEM, "scratch for n = %zu", n);
  for (size_t f = 0; !st && f < p->n_family; f++) {
    if ((st = qrd_cov_build(&p->family[f], n, draw_seed(sw->seed, 0), a)) ||
        (st = qrd_cov_build(&p->family[f], n, draw_seed(sw->seed, 1), b)))
      break;
    sw->random[f] = memcmp(a, b, n * n * sizeof *a) != 0;
  }
  free(a);
  free(b);
  return st;
}

int qrd_excess_sweep_alloc(const qrd_excess_plan *p, unsigned long seed, qrd_excess_sweep **out)
{
  qrd_excess_sweep *sw = calloc(1, sizeof *sw);
  *out = NULL;
  if (!sw)
    return qrd_error_set(QRD_ENOMEM, "excess sweep");
  *sw = (qrd_excess_sweep){.p = p, .seed = seed};
  sw->haar = calloc((p->n_size + 1) * QRD_EXCESS_MAX_DRAWS, sizeof *sw->haar);
  sw->items = malloc(max_items(p) * sizeof *sw->items);
  sw->table = calloc(p->n_size * p->n_family * QRD_EXCESS_MAX_DRAWS * p->n_rot,
                     sizeof *sw->table);
  sw->profile = calloc(p->n_profile * p->profile_draws * profile_draw_size(p),
                       sizeof *sw->profile);
  sw->wishart = calloc(p->n_rho * p->n_ratio * p->wishart_draws * p->n_damp,
                       sizeof *sw->wishart);
  int st = sw->haar && sw->items && sw->table && sw->profile && sw->wishart
               ? find_random_families(sw)
               : qrd_error_set(QRD_ENOMEM, "excess sweep tables");
  if (st) {
    qrd_excess_sweep_free(sw);
    return st;
  }
  plan_haar(sw);
  plan_rest(sw);
  *out = sw;
  return QRD_OK;
}

void qrd_excess_sweep_free(qrd_excess_sweep *sw)
{
  if (!sw)
    return;
  for (size_t i = 0; i < sw->n_haar; i++)
    qrd_rotation_free(sw->haar[i].q);
  free(sw->haar);
  free(sw->items);
  free(sw->table);
  free(sw->profile);
  free(sw->wishart);
  free(sw);
}

const qrd_excess_plan *qrd_excess_sweep_plan(const qrd_excess_sweep *sw)
{
  return sw->p;
}

size_t qrd_excess_sweep_items(const qrd_excess_sweep *sw)
{
  return sw->n_items;
}

double *qrd_excess_sweep_results(const qrd_excess_sweep *sw, size_t j, size_t *count)
{
  const item *it = &sw->items[j];
  const qrd_excess_plan *p = sw->p;
  switch (it->kind) {
  case ITEM_TABLE:
    *count = p->n_rot;
    return table_slot(sw, it->a, it->b, 0, it->k);
  case ITEM_PROFILE:
    *count = profile_draw_size(p);
    return profile_draw(sw, it->a, it->k);
  default:
    *count = p->n_damp;
    return wishart_slot(sw, it->a, it->b, 0, it->k);
  }
}

/* ---- running ---- */

static int runs(const unsigned char *todo, size_t j) { return !todo || todo[j]; }

/* Does a point that runs rotate by Haar rotation h? */
static int haar_needed(const qrd_excess_sweep *sw, const unsigned char *todo,
                       const shared_haar *h)
{
  for (size_t j = 0; j < sw->n_items; j++) {
    const item *it = &sw->items[j];
    if (runs(todo, j) && it->kind != ITEM_WISHART && it->n == h->n && it->k == h->k)
      return 1;
  }
  return 0;
}

/* The shared Haar rotations of the points that run, in parallel; the
 * first failure in plan order. */
static int make_haar(qrd_excess_sweep *sw, const unsigned char *todo)
{
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t i = 0; i < sw->n_haar; i++) {
    shared_haar *h = &sw->haar[i];
    if (h->q || !haar_needed(sw, todo, h))
      continue;
    h->status = qrd_rotation_alloc(QRD_ROTATE_HAAR, h->n, draw_seed(sw->seed, h->k), NULL,
                                   &h->q);
    if (h->status)
      snprintf(h->error, sizeof h->error, "%s", qrd_error_detail());
  }
  for (size_t i = 0; i < sw->n_haar; i++)
    if (sw->haar[i].status)
      return qrd_error_set(sw->haar[i].status, "Haar Q, n = %zu, draw %zu: %s", sw->haar[i].n,
                           sw->haar[i].k, sw->haar[i].error);
  return QRD_OK;
}

/* The points that run, in parallel; the first failure in plan order, its
 * index in *failed (may be NULL). */
static int run_points(qrd_excess_sweep *sw, const unsigned char *todo, qrd_excess_done_fn done,
                      void *ctx, size_t *failed)
{
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t j = 0; j < sw->n_items; j++) {
    item *it = &sw->items[j];
    if (!runs(todo, j))
      continue;
    it->status = run_item(sw, it);
    it->error[0] = '\0';
    if (it->status)
      snprintf(it->error, sizeof it->error, "%s", qrd_error_detail());
    char what[256];
    describe(sw, it, what, sizeof what);
    if (done) {
#pragma omp critical(qrd_excess_progress)
      done(ctx, j, it->status, what, it->error);
    }
  }
  for (size_t j = 0; j < sw->n_items; j++)
    if (runs(todo, j) && sw->items[j].status) {
      char what[256];
      describe(sw, &sw->items[j], what, sizeof what);
      if (failed)
        *failed = j;
      return qrd_error_set(sw->items[j].status, "%s: %s", what, sw->items[j].error);
    }
  return QRD_OK;
}

int qrd_excess_sweep_run(qrd_excess_sweep *sw, const unsigned char *todo,
                         qrd_excess_done_fn done, void *ctx, size_t *failed)
{
  if (failed)
    *failed = sw->n_items;
  /* the Haar rotations first: the points share them */
  int st = make_haar(sw, todo);
  return st ? st : run_points(sw, todo, done, ctx, failed);
}

/* ---- results ---- */

void qrd_excess_table(const qrd_excess_sweep *sw, size_t i, size_t f, size_t r, double *mean,
                      double *sd)
{
  qrd_excess_mean_sd(table_slot(sw, i, f, r, 0), qrd_excess_table_draws(sw, i, f, r),
                     sw->p->n_rot, mean, sd);
}

void qrd_excess_table_values(const qrd_excess_sweep *sw, size_t i, size_t f, size_t r,
                             double *v)
{
  for (size_t k = 0; k < qrd_excess_table_draws(sw, i, f, r); k++)
    v[k] = *table_slot(sw, i, f, r, k);
}

void qrd_excess_profile(const qrd_excess_sweep *sw, size_t p, size_t r, double *mean,
                        double *sd)
{
  for (size_t j = 0; j < sw->p->profile_n; j++)
    qrd_excess_mean_sd(profile_slot(sw, p, r, 0) + j, sw->p->profile_draws,
                       profile_draw_size(sw->p), &mean[j], &sd[j]);
}

void qrd_excess_profile_lines(const qrd_excess_sweep *sw, size_t p, double *hm, double *am)
{
  size_t K = sw->p->profile_draws, stride = profile_draw_size(sw->p);
  double sd;
  qrd_excess_mean_sd(profile_draw(sw, p, 0) + PROFILE_HM, K, stride, hm, &sd);
  qrd_excess_mean_sd(profile_draw(sw, p, 0) + PROFILE_AM, K, stride, am, &sd);
}

void qrd_excess_wishart(const qrd_excess_sweep *sw, size_t a, size_t b, size_t c,
                        double *mean, double *sd)
{
  qrd_excess_mean_sd(wishart_slot(sw, a, b, c, 0), sw->p->wishart_draws, sw->p->n_damp, mean,
                     sd);
}
