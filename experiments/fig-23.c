/* fig-23 (watersic.md §9 E4, the synthetic analogue of HRQMM II's table):
 * GPTQ's high-rate excess over WaterSIC, 1/2 log2(AM(d)/GM(d)), per
 * covariance family, size and change of basis.  No quantisation: d are
 * the conditional variances of Q^T Sigma Q in GPTQ's front-to-back order
 * (cov.h), of the undamped Sigma except in the Wishart panel.
 *
 * Panels:
 *   n-<N>             one per size; one curve per family (name: its slug,
 *                     label: its spec), x = rotation index (root attribute
 *                     `rotations`), y = mean excess over the draws, y_err =
 *                     their sample sd (0 when neither the family nor the
 *                     rotation is random: then one draw is made)
 *   profile-<family>  d_j / GM(lambda) against the processing index j, one
 *                     curve per rotation (mean and sd over the draws), and
 *                     the lines hm, am = HM(lambda)/GM(lambda),
 *                     AM(lambda)/GM(lambda) (means over the draws)
 *   wishart           excess vs T/n of the Wishart sample covariance of
 *                     AR(1) rho (I for rho = 0) with GPTQ's damping,
 *                     natural order: curves rho-R-percdamp-P (mean +- sd)
 *                     and bartlett-rho-R, the expectation from the Bartlett
 *                     decomposition (undamped, T >= n)
 *
 * Draw k uses the seed qrd_sample_stream(seed, k) for the family and the
 * rotation alike, so all families of draw k share one Haar Q (which is
 * therefore drawn once per size and draw). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_psi.h>

#include "core/error.h"
#include "harness/driver.h"
#include "mat/cov.h"
#include "mat/point.h"
#include "mat/rotate.h"
#include "mc/sample.h"

#define MAX_FAMILIES QRD_CONFIG_MAX_LIST
#define MAX_SIZES 8
#define MAX_ROTATIONS 5
#define MAX_PROFILES 4
#define MAX_RATIOS 16
#define MAX_RHOS 4
#define MAX_DAMPS 4
#define MAX_DRAWS 64
#define MAX_N 16384

static const char doc[] =
  "GPTQ's excess 1/2 log2(AM(d)/GM(d)) per covariance family and rotation\n"
  "(watersic.md E4).  Config keys: seed, families (covariance specs),\n"
  "sizes (powers of two for hadamard/sylvester), draws (one count per\n"
  "size), rotations (none act-order haar hadamard sylvester),\n"
  "profile_families, profile_n, profile_draws, wishart_n, wishart_ratios\n"
  "(T/n), wishart_rhos (AR(1) of Sigma_0), wishart_percdamp, wishart_draws.";

typedef struct {
  qrd_cov family[MAX_FAMILIES];
  int random[MAX_FAMILIES]; /* two seeds give two matrices */
  size_t n_family;
  unsigned long size[MAX_SIZES], draws[MAX_SIZES];
  size_t n_size;
  qrd_rotate_kind rot[MAX_ROTATIONS];
  size_t n_rot;
  qrd_cov profile[MAX_PROFILES];
  size_t n_profile;
  unsigned long profile_n, profile_draws;
  double ratio[MAX_RATIOS], rho[MAX_RHOS], damp[MAX_DAMPS];
  size_t n_ratio, n_rho, n_damp;
  unsigned long wishart_n, wishart_draws;
} setup;

/* ---- configuration ---- */

static int needs_power_of_two(const setup *s)
{
  for (size_t r = 0; r < s->n_rot; r++)
    if (s->rot[r] == QRD_ROTATE_HADAMARD || s->rot[r] == QRD_ROTATE_SYLVESTER)
      return 1;
  return 0;
}

static int power_of_two(size_t n) { return n && !(n & (n - 1)); }

static int check_sizes(qrd_config *cfg, const setup *s)
{
  for (size_t i = 0; i < s->n_size; i++)
    if (needs_power_of_two(s) && !power_of_two(s->size[i]))
      return qrd_config_invalid(cfg, "sizes",
                                "hadamard and sylvester rotations need powers of two");
  if (needs_power_of_two(s) && !power_of_two(s->profile_n))
    return qrd_config_invalid(cfg, "profile_n",
                              "hadamard and sylvester rotations need a power of two");
  return QRD_OK;
}

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  size_t n_draws;
  int st;
  if ((st = qrd_matq_point_config_covs(cfg, "families", 0, s->family, MAX_FAMILIES,
                                       &s->n_family)) ||
      (st = qrd_config_wholes(cfg, "sizes", 2, MAX_N, s->size, MAX_SIZES, &s->n_size)) ||
      (st = qrd_config_wholes(cfg, "draws", 1, MAX_DRAWS, s->draws, MAX_SIZES, &n_draws)) ||
      (st = qrd_matq_point_config_rotations(cfg, "rotations", s->rot, MAX_ROTATIONS,
                                            &s->n_rot)) ||
      (st = qrd_matq_point_config_covs(cfg, "profile_families", 0, s->profile, MAX_PROFILES,
                                       &s->n_profile)) ||
      (st = qrd_config_whole(cfg, "profile_n", 2, MAX_N, &s->profile_n)) ||
      (st = qrd_config_whole(cfg, "profile_draws", 1, MAX_DRAWS, &s->profile_draws)) ||
      (st = qrd_config_whole(cfg, "wishart_n", 2, MAX_N, &s->wishart_n)) ||
      (st = qrd_config_numbers(cfg, "wishart_ratios", 1e-3, 1e3, s->ratio, MAX_RATIOS,
                               &s->n_ratio)) ||
      (st = qrd_config_numbers(cfg, "wishart_rhos", 0.0, 0.999, s->rho, MAX_RHOS,
                               &s->n_rho)) ||
      (st = qrd_config_numbers(cfg, "wishart_percdamp", 1e-12, 1.0, s->damp, MAX_DAMPS,
                               &s->n_damp)) ||
      (st = qrd_config_whole(cfg, "wishart_draws", 1, MAX_DRAWS, &s->wishart_draws)))
    return st;
  if (n_draws != s->n_size)
    return qrd_config_invalid(cfg, "draws", "want one draw count per entry of sizes");
  return check_sizes(cfg, s);
}

/* ---- the pieces ---- */

static unsigned long draw_seed(unsigned long seed, size_t k)
{
  return qrd_sample_stream(seed, (unsigned long)k);
}

static int rotation_is_random(qrd_rotate_kind k)
{
  return k == QRD_ROTATE_HAAR || k == QRD_ROTATE_HADAMARD;
}

/* Draws needed of (family random?, rotation r): deterministic pairs give
 * the same number every time. */
static size_t draws_needed(int family_random, qrd_rotate_kind r, size_t draws)
{
  return family_random || rotation_is_random(r) ? draws : 1;
}

static double excess_bits(size_t n, const double *d)
{
  double am, gm;
  qrd_means(n, d, &am, &gm, NULL);
  return 0.5 * log2(am / gm);
}

/* Mean and sample sd of x[0..k-1] (sd 0 for one value). */
static void mean_sd(const double *x, size_t k, size_t stride, double *mean, double *sd)
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

/* Haar rotations drawn once and shared by every family of a (size, draw):
 * the same Q qrd_rotation_alloc(haar, n, draw seed) would give each. */
typedef struct {
  size_t n, k;
  qrd_rotation *q;
} shared_haar;

typedef struct {
  shared_haar *h;
  size_t count;
} haar_cache;

static const qrd_rotation *haar_lookup(const haar_cache *c, size_t n, size_t k)
{
  for (size_t i = 0; i < c->count; i++)
    if (c->h[i].n == n && c->h[i].k == k)
      return c->h[i].q;
  return NULL;
}

/* d[0..n-1] <- GPTQ's conditional variances of Q^T S Q for rotation
 * `kind` of draw k; R and work: n*n scratch. */
static int rotated_d(qrd_rotate_kind kind, size_t n, unsigned long seed, size_t k,
                     const haar_cache *cache, const double *S, double *R, double *work,
                     double *d)
{
  const qrd_rotation *use = kind == QRD_ROTATE_HAAR ? haar_lookup(cache, n, k) : NULL;
  qrd_rotation *own = NULL;
  int st = use ? QRD_OK : qrd_rotation_alloc(kind, n, seed, S, &own);
  if (st)
    return st;
  memcpy(R, S, n * n * sizeof *R);
  qrd_rotation_apply_sigma(use ? use : own, R, work);
  qrd_rotation_free(own);
  return qrd_cov_cond_var(n, R, QRD_ORDER_GPTQ, work, d);
}

/* Three n x n matrices and an n-vector, the scratch of one work item. */
typedef struct {
  double *S, *R, *work, *d;
} scratch;

static int scratch_alloc(size_t n, scratch *w)
{
  w->S = malloc(n * n * sizeof *w->S);
  w->R = malloc(n * n * sizeof *w->R);
  w->work = malloc(n * n * sizeof *w->work);
  w->d = malloc(n * sizeof *w->d);
  if (w->S && w->R && w->work && w->d)
    return QRD_OK;
  return qrd_error_set(QRD_ENOMEM, "scratch for n = %zu", n);
}

static void scratch_free(scratch *w)
{
  free(w->S);
  free(w->R);
  free(w->work);
  free(w->d);
}

/* ---- work items ----
 * One list for the whole figure, so that the OpenMP loop balances the
 * expensive large-n items against the cheap ones; each writes only its own
 * slots. */

enum { ITEM_HAAR, ITEM_TABLE, ITEM_PROFILE, ITEM_WISHART };

typedef struct {
  int kind;
  size_t a, b, k; /* haar: a = n; table: size, family; profile: family;
                   * wishart: rho, ratio */
  size_t n;
  int status;
  char error[256];
} item;

typedef struct {
  const setup *s;
  unsigned long seed;
  haar_cache cache;
  double *table;   /* [size][family][rot][draw] excess */
  double *profile; /* [family][rot][draw][j] d_j / GM(lambda) */
  double *lines;   /* [family][draw][2]: HM/GM, AM/GM of lambda */
  double *wishart; /* [rho][ratio][damp][draw] excess */
} state;

static double *table_slot(const state *z, size_t i, size_t f, size_t r, size_t k)
{
  const setup *s = z->s;
  return z->table + ((i * s->n_family + f) * s->n_rot + r) * MAX_DRAWS + k;
}

static double *profile_slot(const state *z, size_t p, size_t r, size_t k)
{
  const setup *s = z->s;
  return z->profile + ((p * s->n_rot + r) * s->profile_draws + k) * s->profile_n;
}

static double *wishart_slot(const state *z, size_t rho, size_t ratio, size_t damp, size_t k)
{
  const setup *s = z->s;
  return z->wishart + ((rho * s->n_ratio + ratio) * s->n_damp + damp) * s->wishart_draws + k;
}

static int run_table(const state *z, const item *it, scratch *w)
{
  const setup *s = z->s;
  size_t n = it->n, f = it->b;
  unsigned long seed = draw_seed(z->seed, it->k);
  int st = qrd_cov_build(&s->family[f], n, seed, w->S);
  for (size_t r = 0; !st && r < s->n_rot; r++) {
    if (it->k >= draws_needed(s->random[f], s->rot[r], s->draws[it->a]))
      continue;
    st = rotated_d(s->rot[r], n, seed, it->k, &z->cache, w->S, w->R, w->work, w->d);
    if (!st)
      *table_slot(z, it->a, f, r, it->k) = excess_bits(n, w->d);
  }
  return st;
}

static int run_profile(const state *z, const item *it, scratch *w)
{
  const setup *s = z->s;
  size_t n = it->n, p = it->a;
  unsigned long seed = draw_seed(z->seed, it->k);
  double hm, gm, am, *line = z->lines + (p * s->profile_draws + it->k) * 2;
  int st = qrd_cov_build(&s->profile[p], n, seed, w->S);
  if (!st)
    st = qrd_cov_eigenvalues(n, w->S, w->work, w->d);
  if (st)
    return st;
  if (!(w->d[0] > 0.0))
    return qrd_error_set(QRD_EDOM, "%s: Sigma is singular (smallest eigenvalue %g)",
                         s->profile[p].spec, w->d[0]);
  qrd_means(n, w->d, &am, &gm, &hm);
  line[0] = hm / gm;
  line[1] = am / gm;
  for (size_t r = 0; !st && r < s->n_rot; r++) {
    double *out = profile_slot(z, p, r, it->k);
    st = rotated_d(s->rot[r], n, seed, it->k, &z->cache, w->S, w->R, w->work, out);
    for (size_t j = 0; !st && j < n; j++)
      out[j] /= gm;
  }
  return st;
}

static int wishart_spec(const setup *s, size_t rho, size_t ratio, qrd_cov *c)
{
  char spec[128];
  snprintf(spec, sizeof spec, "wishart:ratio=%.17g,rho=%.17g", s->ratio[ratio], s->rho[rho]);
  return qrd_cov_parse(spec, c);
}

static int run_wishart(const state *z, const item *it, scratch *w)
{
  const setup *s = z->s;
  size_t n = it->n;
  qrd_cov c;
  int st = wishart_spec(s, it->a, it->b, &c);
  if (!st)
    st = qrd_cov_build(&c, n, draw_seed(z->seed, it->k), w->S);
  for (size_t p = 0; !st && p < s->n_damp; p++) {
    memcpy(w->R, w->S, n * n * sizeof *w->R);
    qrd_cov_damp(n, w->R, s->damp[p]);
    st = qrd_cov_cond_var(n, w->R, QRD_ORDER_GPTQ, w->work, w->d);
    if (!st)
      *wishart_slot(z, it->a, it->b, p, it->k) = excess_bits(n, w->d);
  }
  return st;
}

static int run_item(state *z, item *it)
{
  if (it->kind == ITEM_HAAR) {
    shared_haar *h = &z->cache.h[it->a];
    return qrd_rotation_alloc(QRD_ROTATE_HAAR, h->n, draw_seed(z->seed, h->k), NULL, &h->q);
  }
  scratch w;
  int st = scratch_alloc(it->n, &w);
  if (!st)
    st = it->kind == ITEM_TABLE     ? run_table(z, it, &w)
         : it->kind == ITEM_PROFILE ? run_profile(z, it, &w)
                                    : run_wishart(z, it, &w);
  scratch_free(&w);
  return st;
}

static void describe(const state *z, const item *it, char *buf, size_t len)
{
  const setup *s = z->s;
  switch (it->kind) {
  case ITEM_HAAR:
    snprintf(buf, len, "Haar Q, n = %zu, draw %zu", it->n, it->k);
    return;
  case ITEM_TABLE:
    snprintf(buf, len, "%s, n = %zu, draw %zu", s->family[it->b].spec, it->n, it->k);
    return;
  case ITEM_PROFILE:
    snprintf(buf, len, "profile %s, n = %zu, draw %zu", s->profile[it->a].spec, it->n, it->k);
    return;
  default:
    snprintf(buf, len, "wishart T/n = %g, rho = %g, n = %zu, draw %zu", s->ratio[it->b],
             s->rho[it->a], it->n, it->k);
  }
}

/* ---- planning ---- */

static int has_rotation(const setup *s, qrd_rotate_kind k)
{
  for (size_t r = 0; r < s->n_rot; r++)
    if (s->rot[r] == k)
      return 1;
  return 0;
}

/* Does draw k of family f need any work? */
static int table_draw_needed(const setup *s, size_t i, size_t f, size_t k)
{
  for (size_t r = 0; r < s->n_rot; r++)
    if (k < draws_needed(s->random[f], s->rot[r], s->draws[i]))
      return 1;
  return 0;
}

static void add_haar(haar_cache *c, item *items, size_t *n_items, size_t n, size_t k)
{
  for (size_t i = 0; i < c->count; i++)
    if (c->h[i].n == n && c->h[i].k == k)
      return;
  c->h[c->count] = (shared_haar){.n = n, .k = k};
  items[(*n_items)++] = (item){.kind = ITEM_HAAR, .a = c->count, .n = n, .k = k};
  c->count++;
}

static size_t plan_haar(state *z, item *items)
{
  const setup *s = z->s;
  size_t m = 0;
  if (!has_rotation(s, QRD_ROTATE_HAAR))
    return 0;
  for (size_t i = 0; i < s->n_size; i++)
    for (size_t k = 0; k < s->draws[i]; k++)
      add_haar(&z->cache, items, &m, s->size[i], k);
  for (size_t k = 0; s->n_profile > 0 && k < s->profile_draws; k++)
    add_haar(&z->cache, items, &m, s->profile_n, k);
  return m;
}

/* Largest n first: the costly items start while there is work to balance. */
static size_t plan_rest(const setup *s, item *items)
{
  size_t m = 0, order[MAX_SIZES];
  for (size_t i = 0; i < s->n_size; i++)
    order[i] = i;
  for (size_t i = 1; i < s->n_size; i++)
    for (size_t j = i; j > 0 && s->size[order[j]] > s->size[order[j - 1]]; j--) {
      size_t t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  for (size_t q = 0; q < s->n_size; q++) {
    size_t i = order[q];
    for (size_t f = 0; f < s->n_family; f++)
      for (size_t k = 0; k < s->draws[i]; k++)
        if (table_draw_needed(s, i, f, k))
          items[m++] = (item){.kind = ITEM_TABLE, .a = i, .b = f, .k = k, .n = s->size[i]};
  }
  for (size_t p = 0; p < s->n_profile; p++)
    for (size_t k = 0; k < s->profile_draws; k++)
      items[m++] = (item){.kind = ITEM_PROFILE, .a = p, .k = k, .n = s->profile_n};
  for (size_t a = 0; a < s->n_rho; a++)
    for (size_t b = 0; b < s->n_ratio; b++)
      for (size_t k = 0; k < s->wishart_draws; k++)
        items[m++] = (item){.kind = ITEM_WISHART, .a = a, .b = b, .k = k, .n = s->wishart_n};
  return m;
}

static size_t max_items(const setup *s)
{
  size_t m = (s->n_profile + 1) * s->profile_draws + s->n_rho * s->n_ratio * s->wishart_draws;
  for (size_t i = 0; i < s->n_size; i++)
    m += s->draws[i] * (s->n_family + 1);
  return m;
}

/* A family is random when two draws give different matrices (checked at
 * the smallest size). */
static int find_random_families(setup *s, unsigned long seed)
{
  size_t n = s->size[0];
  for (size_t i = 1; i < s->n_size; i++)
    n = s->size[i] < n ? s->size[i] : n;
  double *a = malloc(n * n * sizeof *a), *b = malloc(n * n * sizeof *b);
  int st = a && b ? QRD_OK : qrd_error_set(QRD_ENOMEM, "scratch for n = %zu", n);
  for (size_t f = 0; !st && f < s->n_family; f++) {
    if ((st = qrd_cov_build(&s->family[f], n, draw_seed(seed, 0), a)) ||
        (st = qrd_cov_build(&s->family[f], n, draw_seed(seed, 1), b)))
      break;
    s->random[f] = memcmp(a, b, n * n * sizeof *a) != 0;
  }
  free(a);
  free(b);
  return st;
}

/* Runs items[0..n) in parallel; the first failure, in list order. */
static int run_items(qrd_driver *drv, state *z, item *items, size_t n)
{
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t i = 0; i < n; i++) {
    item *it = &items[i];
    it->status = run_item(z, it);
    if (it->status)
      snprintf(it->error, sizeof it->error, "%s", qrd_error_detail());
    char what[256];
    describe(z, it, what, sizeof what);
#pragma omp critical(progress)
    qrd_driver_progress_step(drv, what);
  }
  for (size_t i = 0; i < n; i++)
    if (items[i].status) {
      char what[256];
      describe(z, &items[i], what, sizeof what);
      return qrd_error_set(items[i].status, "%s: %s", what, items[i].error);
    }
  return QRD_OK;
}

/* ---- results ---- */

static int write_tables(qrd_results *res, const state *z)
{
  const setup *s = z->s;
  char xlabel[160] = "rotation:", rot_list[96] = "";
  for (size_t r = 0; r < s->n_rot; r++) {
    size_t l = strlen(xlabel), m = strlen(rot_list);
    snprintf(xlabel + l, sizeof xlabel - l, " %zu %s", r, qrd_rotate_name(s->rot[r]));
    snprintf(rot_list + m, sizeof rot_list - m, "%s%s", r ? " " : "",
             qrd_rotate_name(s->rot[r]));
  }
  int st = qrd_results_attr_string(res, "rotations", rot_list);
  for (size_t i = 0; !st && i < s->n_size; i++) {
    char panel[32], title[96];
    snprintf(panel, sizeof panel, "n-%lu", s->size[i]);
    snprintf(title, sizeof title, "GPTQ excess over WaterSIC, n = %lu (%lu draws)", s->size[i],
             s->draws[i]);
    st = qrd_results_panel(res, panel, title, xlabel, "1/2 log2(AM(d)/GM(d)) (bits)");
    for (size_t f = 0; !st && f < s->n_family; f++) {
      double x[MAX_ROTATIONS], y[MAX_ROTATIONS], e[MAX_ROTATIONS];
      for (size_t r = 0; r < s->n_rot; r++) {
        x[r] = (double)r;
        mean_sd(table_slot(z, i, f, r, 0), draws_needed(s->random[f], s->rot[r], s->draws[i]),
                1, &y[r], &e[r]);
      }
      char curve[160];
      qrd_driver_slug(curve, sizeof curve, s->family[f].spec);
      st = qrd_results_curve(res, panel, curve, s->family[f].spec, s->n_rot, x, y, e);
    }
  }
  return st;
}

static int write_profile(qrd_results *res, const state *z, size_t p, double *x, double *y,
                         double *e)
{
  const setup *s = z->s;
  size_t n = s->profile_n, K = s->profile_draws;
  char panel[160], slug[140], title[QRD_COV_PATH_LEN + 512];
  qrd_driver_slug(slug, sizeof slug, s->profile[p].spec);
  snprintf(panel, sizeof panel, "profile-%s", slug);
  snprintf(title, sizeof title,
           "GPTQ conditional variances d_j / GM(lambda), %s, n = %zu, mean of %zu draws",
           s->profile[p].spec, n, K);
  int st = qrd_results_panel(res, panel, title, "column j (GPTQ processing order)",
                             "d_j / GM(lambda)");
  for (size_t j = 0; j < n; j++)
    x[j] = (double)j;
  for (size_t r = 0; !st && r < s->n_rot; r++) {
    for (size_t j = 0; j < n; j++)
      mean_sd(profile_slot(z, p, r, 0) + j, K, n, &y[j], &e[j]);
    st = qrd_results_curve(res, panel, qrd_rotate_name(s->rot[r]), qrd_rotate_name(s->rot[r]),
                           n, x, y, e);
  }
  static const char *const line_name[2] = {"hm", "am"};
  static const char *const line_label[2] = {"HM(lambda)/GM", "AM(lambda)/GM"};
  for (int l = 0; !st && l < 2; l++) {
    double lx[2] = {0.0, (double)(n - 1)}, ly[2], sd;
    mean_sd(z->lines + p * K * 2 + (size_t)l, K, 2, &ly[0], &sd);
    ly[1] = ly[0];
    st = qrd_results_curve(res, panel, line_name[l], line_label[l], 2, lx, ly, NULL);
  }
  return st;
}

/* E[excess] of the Wishart matrix of AR(1) rho with T = ratio n samples
 * from the Bartlett decomposition: chol(Sigma_hat) = L0 chol(G G^T / T),
 * whose i-th squared diagonal is d0_i chi2_{T-i} / T, independent over i;
 * AR(1) is persymmetric, so GPTQ's reversed order has the same law.  AM is
 * replaced by its mean (its fluctuation is O(1/sqrt(n T))). */
static double bartlett_excess(size_t n, size_t T, double rho)
{
  double am = 0.0, lgm = 0.0;
  for (size_t i = 0; i < n; i++) {
    double d0 = i == 0 ? 1.0 : 1.0 - rho * rho, t = (double)(T - i);
    am += d0 * t / (double)T;
    lgm += log(d0) + gsl_sf_psi(0.5 * t) + log(2.0 / (double)T);
  }
  return 0.5 * (log(am / (double)n) - lgm / (double)n) / M_LN2;
}

static size_t wishart_samples(const setup *s, size_t b)
{
  return (size_t)fmax(1.0, round(s->ratio[b] * (double)s->wishart_n));
}

/* The measured curves first, then the Bartlett expectations. */
static int write_wishart(qrd_results *res, const state *z)
{
  const setup *s = z->s;
  char title[128], curve[96], label[128];
  snprintf(title, sizeof title, "Wishart sample covariance, n = %lu, natural order (%lu draws)",
           s->wishart_n, s->wishart_draws);
  int st = qrd_results_panel(res, "wishart", title, "T/n",
                             "1/2 log2(AM(d)/GM(d)) of the damped Sigma (bits)");
  for (size_t a = 0; !st && a < s->n_rho; a++)
    for (size_t p = 0; !st && p < s->n_damp; p++) {
      double y[MAX_RATIOS], e[MAX_RATIOS];
      for (size_t b = 0; b < s->n_ratio; b++)
        mean_sd(wishart_slot(z, a, b, p, 0), s->wishart_draws, 1, &y[b], &e[b]);
      snprintf(label, sizeof label, "rho=%g,percdamp=%g", s->rho[a], s->damp[p]);
      qrd_driver_slug(curve, sizeof curve, label);
      if (s->rho[a] == 0.0)
        snprintf(label, sizeof label, "Sigma_0 = I, percdamp %g", s->damp[p]);
      else
        snprintf(label, sizeof label, "Sigma_0 = AR(1) %g, percdamp %g", s->rho[a], s->damp[p]);
      st = qrd_results_curve(res, "wishart", curve, label, s->n_ratio, s->ratio, y, e);
    }
  for (size_t a = 0; !st && a < s->n_rho; a++) {
    double x[MAX_RATIOS], y[MAX_RATIOS];
    size_t m = 0;
    for (size_t b = 0; b < s->n_ratio; b++)
      if (wishart_samples(s, b) >= s->wishart_n) {
        x[m] = s->ratio[b];
        y[m++] = bartlett_excess(s->wishart_n, wishart_samples(s, b), s->rho[a]);
      }
    snprintf(label, sizeof label, "bartlett rho=%g", s->rho[a]);
    qrd_driver_slug(curve, sizeof curve, label);
    snprintf(label, sizeof label, "Bartlett expectation, rho %g (undamped, T >= n)", s->rho[a]);
    if (m > 0)
      st = qrd_results_curve(res, "wishart", curve, label, m, x, y, NULL);
  }
  return st;
}

static int write_attrs(qrd_results *res, const setup *s)
{
  char sizes[128] = "", draws[128] = "";
  for (size_t i = 0; i < s->n_size; i++) {
    size_t l = strlen(sizes), m = strlen(draws);
    snprintf(sizes + l, sizeof sizes - l, "%s%lu", i ? " " : "", s->size[i]);
    snprintf(draws + m, sizeof draws - m, "%s%lu", i ? " " : "", s->draws[i]);
  }
  int st = qrd_results_attr_string(res, "sizes", sizes);
  if (!st)
    st = qrd_results_attr_string(res, "draws", draws);
  if (!st)
    st = qrd_results_attr_string(res, "quantity",
                                 "1/2 log2(AM(d)/GM(d)), d = GPTQ's conditional variances "
                                 "(front to back) of Q^T Sigma Q; undamped except in the "
                                 "wishart panel (percdamp)");
  if (!st)
    st = qrd_results_attr_string(res, "rate_kind", "none (no quantisation: high-rate excess)");
  if (!st)
    st = qrd_results_attr_double(res, "profile_n", (double)s->profile_n);
  if (!st)
    st = qrd_results_attr_double(res, "wishart_n", (double)s->wishart_n);
  return st;
}

static int write_results(qrd_driver *drv, const state *z)
{
  const setup *s = z->s;
  qrd_results *res;
  int st = qrd_driver_results(drv, &res);
  if (st)
    return st;
  size_t n = s->profile_n;
  double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *e = malloc(n * sizeof *e);
  st = x && y && e ? write_attrs(res, s) : qrd_error_set(QRD_ENOMEM, "profile buffers");
  if (!st)
    st = write_tables(res, z);
  for (size_t p = 0; !st && p < s->n_profile; p++)
    st = write_profile(res, z, p, x, y, e);
  if (!st)
    st = write_wishart(res, z);
  free(x);
  free(y);
  free(e);
  return qrd_driver_close_results(res, st);
}

/* ---- main ---- */

static int state_alloc(state *z, const setup *s, unsigned long seed)
{
  *z = (state){.s = s, .seed = seed};
  z->cache.h = calloc((s->n_size + 1) * MAX_DRAWS, sizeof *z->cache.h);
  z->table = calloc(s->n_size * s->n_family * s->n_rot * MAX_DRAWS, sizeof *z->table);
  z->profile = calloc(s->n_profile * s->n_rot * s->profile_draws * s->profile_n,
                      sizeof *z->profile);
  z->lines = calloc(s->n_profile * s->profile_draws * 2, sizeof *z->lines);
  z->wishart = calloc(s->n_rho * s->n_ratio * s->n_damp * s->wishart_draws,
                      sizeof *z->wishart);
  if (z->cache.h && z->table && z->profile && z->lines && z->wishart)
    return QRD_OK;
  return qrd_error_set(QRD_ENOMEM, "fig-23 tables");
}

static void state_free(state *z)
{
  for (size_t i = 0; i < z->cache.count; i++)
    qrd_rotation_free(z->cache.h[i].q);
  free(z->cache.h);
  free(z->table);
  free(z->profile);
  free(z->lines);
  free(z->wishart);
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  setup *s = setup_ptr;
  state z;
  item *items = malloc(max_items(s) * sizeof *items);
  int st = items ? state_alloc(&z, s, drv->seed) : qrd_error_set(QRD_ENOMEM, "work items");
  if (!st)
    st = find_random_families(s, drv->seed);
  size_t n_haar = 0, n_rest = 0;
  if (!st) {
    n_haar = plan_haar(&z, items);
    n_rest = plan_rest(s, items + n_haar);
    qrd_driver_progress_begin(drv, n_haar + n_rest);
    st = run_items(drv, &z, items, n_haar);
  }
  if (!st)
    st = run_items(drv, &z, items + n_haar, n_rest);
  if (!st)
    st = write_results(drv, &z);
  if (items)
    state_free(&z);
  free(items);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-23", doc, read_setup, run, &s);
}
