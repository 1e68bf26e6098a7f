/* Monte-Carlo core: samples, the sorted evaluator, bit counting.
 *
 * Sources of the expected values (never the library's own output):
 *   [S42]  Orr et al.: 4-level Gaussian
 *          Lloyd-Max MSE 0.117482 (Max 1960: levels +-0.4528, +-1.510);
 *   [S27]  Orr et al.: the +1-smoothed model (count + 1)/(N + n);
 *   [CT]   Cover & Thomas, Elements of Information Theory, §5.6-5.8:
 *          Huffman codes are optimal, satisfy Kraft with equality and
 *          have expected length in [H, H + 1); the {1,1,2,4} example;
 *   brute-force passes over the samples written out in this file, and
 *   hand-worked values derived in the comments. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <omp.h>

#include "core/error.h"
#include "dist/dist.h"
#include "law/registry.h"
#include "mc/entropy.h"
#include "mc/rate_tune.h"
#include "mc/sample.h"
#include "mc/sorted.h"
#include "mc/stats.h"
#include "quant/codebook.h"
#include "quant/quantiser.h"
#include "suites.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

static void dist_of(const char *text, qrd_dist *d)
{
  int st = qrd_dist_parse(text, d);
  ck_assert_msg(st == QRD_OK, "dist '%s': %s", text, qrd_error_detail());
}

static double *sample(const qrd_dist *d, unsigned long seed, size_t n)
{
  double *x = qrd_sample_alloc(d, seed, n);
  ck_assert_msg(x != NULL, "sample: %s", qrd_error_detail());
  return x;
}

static qrd_sorted *sorted(const double *x, const double *w, size_t n)
{
  qrd_sorted *s = qrd_sorted_alloc(x, w, n);
  ck_assert_msg(s != NULL, "sorted: %s", qrd_error_detail());
  return s;
}

/* The cell of v by the codebook's rule, independently of the library:
 * cell i is (edge[i], edge[i+1]], the lowest such i on a tie, and values
 * beyond the outer edges clip to the end cells. */
static size_t cell_of(const qrd_codebook *c, double v)
{
  size_t i = 0;
  while (i + 1 < c->n && v > c->edge[i + 1])
    i++;
  return i;
}

typedef struct {
  long double sse, wx2, w;
} direct_sums;

/* The direct quantise-and-measure pass. */
static direct_sums direct_pass(const qrd_codebook *c, const double *x, const double *w,
                               size_t n, size_t *counts)
{
  direct_sums d = {0.0L, 0.0L, 0.0L};
  if (counts)
    memset(counts, 0, c->n * sizeof *counts);
  for (size_t i = 0; i < n; i++) {
    size_t k = cell_of(c, x[i]);
    long double wi = w ? w[i] : 1.0, e = (long double)x[i] - c->level[k];
    d.sse += wi * e * e;
    d.wx2 += wi * x[i] * x[i];
    d.w += wi;
    if (counts)
      counts[k]++;
  }
  return d;
}

static double rel_diff(double a, double b)
{
  return a == b ? 0.0 : fabs(a - b) / fmax(fabs(a), fabs(b));
}

/* ---- samples ---- */

/* qrd_max_abs against fmax one value at a time: every length to 40 (the
 * vector loop's remainders), signed values, -0, infinities and NaNs (fmax
 * passes a NaN over) at every place. */
START_TEST(test_max_abs)
{
  double x[40];
  for (size_t n = 0; n <= 40; n++)
    for (size_t odd = 0; odd <= n; odd++) {
      for (size_t i = 0; i < n; i++)
        x[i] = (i % 3 ? -1.0 : 1.0) * (double)((i * 37 + n) % 41) / 7.0;
      if (odd < n)
        x[odd] = odd % 4 == 0 ? NAN : odd % 4 == 1 ? -INFINITY : odd % 4 == 2 ? -0.0 : -99.0;
      double want = 0.0;
      for (size_t i = 0; i < n; i++)
        want = fmax(want, fabs(x[i]));
      double got = qrd_max_abs(x, n);
      ck_assert_msg(memcmp(&got, &want, sizeof got) == 0, "n = %zu, special at %zu: %g vs %g",
                    n, odd, got, want);
    }
}
END_TEST

START_TEST(test_sample_threads)
{
  qrd_dist d;
  dist_of("student-t:nu=5", &d);
  const size_t n = 3 * QRD_SAMPLE_CHUNK + 123;
  double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
  omp_set_num_threads(1);
  ck_assert_int_eq(qrd_sample_fill(&d, 1, a, n), QRD_OK);
  omp_set_num_threads(2);
  ck_assert_int_eq(qrd_sample_fill(&d, 1, b, n), QRD_OK);
  ck_assert_msg(memcmp(a, b, n * sizeof *a) == 0, "1 vs 2 threads differ");

  /* A shorter sample is a prefix, whatever the cut relative to chunks. */
  const size_t cuts[] = {1, QRD_SAMPLE_CHUNK - 1, QRD_SAMPLE_CHUNK, QRD_SAMPLE_CHUNK + 1,
                         2 * QRD_SAMPLE_CHUNK + 77};
  for (size_t k = 0; k < N_OF(cuts); k++) {
    ck_assert_int_eq(qrd_sample_fill(&d, 1, b, cuts[k]), QRD_OK);
    ck_assert_msg(memcmp(a, b, cuts[k] * sizeof *a) == 0, "prefix of %zu differs", cuts[k]);
  }

  /* Each chunk is its own documented mt19937 stream, across the boundary. */
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  for (size_t chunk = 0; chunk < 4; chunk++) {
    gsl_rng_set(r, qrd_sample_chunk_seed(1, chunk));
    size_t start = chunk * QRD_SAMPLE_CHUNK, end = start + QRD_SAMPLE_CHUNK;
    if (end > n)
      end = n;
    for (size_t i = start; i < end; i++)
      ck_assert_msg(a[i] == qrd_dist_sample(&d, r), "chunk %zu, value %zu", chunk, i);
  }
  gsl_rng_free(r);
  ck_assert_str_eq(gsl_rng_mt19937->name, "mt19937");

  /* Seeds 1 and 2 (evaluation and training) are different samples. */
  ck_assert_int_eq(qrd_sample_fill(&d, 2, b, n), QRD_OK);
  size_t same = 0;
  for (size_t i = 0; i < n; i++)
    same += a[i] == b[i];
  ck_assert_uint_lt(same, 4);
  free(a);
  free(b);
}
END_TEST

/* A shared sample drawn by one helper, or by several at once (each taking
 * chunks as they come), is qrd_sample_fill's sample; the last chunk may be
 * short. */
START_TEST(test_sample_share)
{
  qrd_dist d;
  dist_of("laplace", &d);
  const size_t n = 9 * QRD_SAMPLE_CHUNK + 5;
  double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
  ck_assert_int_eq(qrd_sample_fill(&d, 3, a, n), QRD_OK);
  for (int helpers = 1; helpers <= 4; helpers *= 2) {
    qrd_sample_share sh;
    memset(b, 0, n * sizeof *b);
    qrd_sample_share_init(&sh, &d, 3, b, n);
    int failed = 0;
#pragma omp parallel num_threads(helpers) reduction(+ : failed)
    {
      failed += qrd_sample_share_help(&sh) != QRD_OK;
      /* every helper returns with the whole sample there */
      failed += memcmp(a, b, n * sizeof *a) != 0;
    }
    ck_assert_int_eq(failed, 0);
  }
  free(a);
  free(b);
}
END_TEST

START_TEST(test_chunk_seeds)
{
  /* Seeds stay in mt19937's 32-bit range, avoid 0 (mt19937's "default"),
   * and do not collide over the first chunks of the two standard seeds. */
  enum { M = 1024 };
  unsigned long s[2 * M];
  for (size_t k = 0; k < M; k++) {
    s[k] = qrd_sample_chunk_seed(1, k);
    s[M + k] = qrd_sample_chunk_seed(2, k);
  }
  for (size_t i = 0; i < 2 * M; i++) {
    ck_assert_uint_ge(s[i], 1);
    ck_assert_uint_le(s[i], 0xffffffffUL);
    for (size_t j = 0; j < i; j++)
      ck_assert_msg(s[i] != s[j], "chunk seeds %zu and %zu collide", i, j);
  }
  /* The splitmix64 finaliser is a bijection fixing 0. */
  ck_assert(qrd_mix64(0) == 0);
  ck_assert(qrd_mix64(1) != qrd_mix64(2));
}
END_TEST

/* Sample mean and variance within 5 standard errors.  SE(mean) = sigma/sqrt N;
 * SE(variance) = sqrt((mu4 - sigma^4)/N), mu4 = 3 (Gaussian), 6 (unit
 * Laplace, excess kurtosis 3). */
static const struct {
  const char *dist;
  double mu4;
} MOMENTS[] = {{"gaussian", 3.0}, {"laplace", 6.0}};

START_TEST(test_sample_moments)
{
  const size_t n = (size_t)1 << 21;
  qrd_dist d;
  dist_of(MOMENTS[_i].dist, &d);
  double *x = sample(&d, 1, n);
  long double s1 = 0.0L, s2 = 0.0L;
  for (size_t i = 0; i < n; i++) {
    s1 += x[i];
    s2 += (long double)x[i] * x[i];
  }
  double mean = (double)(s1 / n), var = (double)(s2 / n) - mean * mean;
  double se_mean = 1.0 / sqrt((double)n), se_var = sqrt((MOMENTS[_i].mu4 - 1.0) / n);
  ck_assert_msg(fabs(mean) < 5 * se_mean, "%s mean %g, SE %g", d.spec, mean, se_mean);
  ck_assert_msg(fabs(var - 1.0) < 5 * se_var, "%s var %g, SE %g", d.spec, var, se_var);
  free(x);
}
END_TEST

/* ---- sorted evaluator ---- */

/* A random codebook whose edges lie on multiples of 1/8 (as do half the
 * samples), with empty cells, clipping outer edges and levels anywhere. */
static qrd_codebook *random_codebook(gsl_rng *r)
{
  size_t n = 1 + gsl_rng_uniform_int(r, 40);
  qrd_codebook *c = qrd_codebook_alloc(n);
  for (size_t i = 0; i < n; i++)
    c->level[i] = gsl_ran_flat(r, -3.0, 3.0);
  for (size_t i = 1; i < n; i++) /* insertion sort */
    for (size_t j = i; j > 0 && c->level[j] < c->level[j - 1]; j--) {
      double t = c->level[j];
      c->level[j] = c->level[j - 1];
      c->level[j - 1] = t;
    }
  qrd_codebook_set_midpoints(c);
  for (size_t i = 1; i < n; i++)
    c->edge[i] = round(8.0 * c->edge[i]) / 8.0;
  if (gsl_rng_uniform(r) < 0.3) { /* finite outer edges: values beyond clip */
    c->edge[0] = fmin(c->edge[n > 1 ? 1 : 0], -1.0);
    c->edge[n] = fmax(c->edge[n > 1 ? n - 1 : 0], 1.5);
  }
  return c;
}

/* Counts over several samples at once (more than one interleaved group,
 * sizes from one value to many strides) against the direct pass over each:
 * random codebooks and a fine grid whose cells are mostly empty in the
 * tails; counts add to what the array holds. */
START_TEST(test_sorted_count_many)
{
  enum { NS = 11 };
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 31);
  qrd_sorted *s[NS];
  double *x[NS];
  size_t n[NS];
  for (int k = 0; k < NS; k++) {
    n[k] = k == 3 ? 1 : 1 + gsl_rng_uniform_int(r, 4000);
    x[k] = malloc(n[k] * sizeof *x[k]);
    for (size_t i = 0; i < n[k]; i++) {
      x[k][i] = gsl_ran_tdist(r, 3.0);
      if (i % 3 == 0) /* exact ties with the edges */
        x[k][i] = round(8.0 * x[k][i]) / 8.0;
    }
    s[k] = sorted(x[k], NULL, n[k]);
  }
  for (int t = 0; t < 21; t++) {
    qrd_codebook *c = t < 20 ? random_codebook(r) : qrd_codebook_alloc(2001);
    if (t == 20) { /* levels 1/100 apart on [-10, 10] */
      for (size_t i = 0; i < c->n; i++)
        c->level[i] = -10.0 + 0.01 * (double)i;
      qrd_codebook_set_midpoints(c);
    }
    size_t *cnt = malloc(c->n * sizeof *cnt), *ref = calloc(c->n, sizeof *ref),
           *one = malloc(c->n * sizeof *one);
    for (size_t i = 0; i < c->n; i++)
      cnt[i] = i; /* added to */
    for (int k = 0; k < NS; k++) {
      direct_pass(c, x[k], NULL, n[k], one);
      for (size_t i = 0; i < c->n; i++)
        ref[i] += one[i];
    }
    qrd_sorted_count_many((const qrd_sorted *const *)s, NS, c, cnt);
    for (size_t i = 0; i < c->n; i++)
      ck_assert_msg(cnt[i] == ref[i] + i, "codebook %d cell %zu: %zu vs %zu", t, i, cnt[i] - i,
                    ref[i]);
    free(cnt);
    free(ref);
    free(one);
    qrd_codebook_free(c);
  }
  for (int k = 0; k < NS; k++) {
    qrd_sorted_free(s[k]);
    free(x[k]);
  }
  gsl_rng_free(r);
}
END_TEST

START_TEST(test_sorted_brute)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 100 + (unsigned long)_i);
  const size_t n = 5000 + gsl_rng_uniform_int(r, 3000);
  double *x = malloc(n * sizeof *x), *w = malloc(n * sizeof *w);
  for (size_t i = 0; i < n; i++) {
    x[i] = gsl_ran_gaussian(r, 1.5);
    if (i % 2) /* exact ties with the edges */
      x[i] = round(8.0 * x[i]) / 8.0;
    w[i] = gsl_rng_uniform(r) < 0.05 ? 0.0 : gsl_ran_flat(r, 0.0, 4.0);
  }
  const double *wt = (_i % 2) ? w : NULL;
  qrd_sorted *s = sorted(x, wt, n);
  for (int t = 0; t < 20; t++) {
    qrd_codebook *c = random_codebook(r);
    size_t *cnt = malloc(c->n * sizeof *cnt), *ref = malloc(c->n * sizeof *ref);
    direct_sums d = direct_pass(c, x, wt, n, ref);
    qrd_sorted_stats st;
    ck_assert_int_eq(qrd_sorted_eval(s, c, &st, cnt), QRD_OK);
    for (size_t k = 0; k < c->n; k++)
      ck_assert_msg(cnt[k] == ref[k], "codebook %d cell %zu: %zu vs %zu", t, k, cnt[k], ref[k]);
    memset(cnt, 0, c->n * sizeof *cnt);
    qrd_sorted_count(s, c, cnt);
    for (size_t k = 0; k < c->n; k++)
      ck_assert_msg(cnt[k] == ref[k], "count: codebook %d cell %zu: %zu vs %zu", t, k, cnt[k],
                    ref[k]);
    ck_assert_msg(rel_diff(st.sse, (double)d.sse) < 1e-12, "sse %.17g vs %.17g", st.sse,
                  (double)d.sse);
    ck_assert(rel_diff(st.sum_wx2, (double)d.wx2) < 1e-13);
    ck_assert(rel_diff(st.sum_w, (double)d.w) < 1e-13);
    ck_assert_uint_eq(st.n, n);
    ck_assert(rel_diff(st.rel_rmse, sqrt((double)(d.sse / d.wx2))) < 1e-12);
    free(cnt);
    free(ref);
    qrd_codebook_free(c);
  }

  /* Order statistics and ranks against a brute-force count. */
  double lo = x[0], hi = x[0];
  for (size_t i = 0; i < n; i++) {
    lo = fmin(lo, x[i]);
    hi = fmax(hi, x[i]);
  }
  ck_assert(qrd_sorted_min(s) == lo && qrd_sorted_max(s) == hi);
  ck_assert(qrd_sorted_absmax(s) == fmax(-lo, hi));
  ck_assert(qrd_sorted_quantile(s, 0.0) == lo && qrd_sorted_quantile(s, 1.0) == hi);
  /* the grid, then both infinities, NaN (no sample is <= it) and values
   * beyond the sample, where an interpolated search step clamps */
  static const double EXTRA[] = {-INFINITY, INFINITY, NAN, -100.0, 100.0, -1e-300};
  for (int e = -33; e < (int)(sizeof EXTRA / sizeof EXTRA[0]); e++) {
    double v = e < 0 ? -2.0 + 0.125 * (e + 33) : EXTRA[e];
    size_t le = 0;
    for (size_t i = 0; i < n; i++)
      le += x[i] <= v;
    ck_assert_msg(qrd_sorted_rank(s, v) == le, "rank of %g: %zu, brute force %zu", v,
                  qrd_sorted_rank(s, v), le);
  }
  for (size_t i = 1; i < n; i++)
    ck_assert(s->x[i - 1] <= s->x[i]);
  qrd_sorted_free(s);
  free(x);
  free(w);
  gsl_rng_free(r);
}
END_TEST

START_TEST(test_sorted_threads)
{
  /* The parallel sort and prefix sums give bit-identical objects for 1 and
   * 2 threads (ties and weights included: the sort is stable). */
  const size_t n = 5 * QRD_SAMPLE_CHUNK + 17;
  qrd_dist d;
  dist_of("laplace", &d);
  double *x = sample(&d, 3, n), *w = malloc(n * sizeof *w);
  for (size_t i = 0; i < n; i++) {
    x[i] = round(64.0 * x[i]) / 64.0 + 0.0; /* + 0.0: no -0, which sorts before +0 */
    w[i] = (double)i; /* the input position, to check stability */
  }
  omp_set_num_threads(1);
  qrd_sorted *a = sorted(x, w, n);
  omp_set_num_threads(2);
  qrd_sorted *b = sorted(x, w, n);
  ck_assert(memcmp(a->x, b->x, n * sizeof *a->x) == 0);
  ck_assert(memcmp(a->w, b->w, n * sizeof *a->w) == 0);
  for (size_t k = 0; k <= n / QRD_SORTED_STRIDE; k++)
    for (int m = 0; m < 3; m++)
      ck_assert(a->p[k][m] == b->p[k][m]);
  /* Stable: equal x keep their input order. */
  for (size_t i = 1; i < n; i++)
    ck_assert(a->x[i - 1] < a->x[i] || a->w[i - 1] < a->w[i]);
  qrd_sorted_free(a);
  qrd_sorted_free(b);
  free(x);
  free(w);
}
END_TEST

START_TEST(test_sorted_ties)
{
  /* Hand-worked: samples on the edge 0 go to the lower cell.
   * x = {-1, 0, 0, 0.5, 2}, levels {-0.5, 1}, edges {-inf, 0, inf}:
   * cell 0 = {-1, 0, 0}, cell 1 = {0.5, 2};
   * sse = 0.25 + 0.25 + 0.25 + 0.25 + 1 = 2, sum x^2 = 5.25. */
  const double x[] = {0.5, 0.0, 2.0, -1.0, -0.0};
  qrd_sorted *s = sorted(x, NULL, N_OF(x));
  qrd_codebook *c = qrd_codebook_alloc(2);
  c->level[0] = -0.5;
  c->level[1] = 1.0;
  qrd_codebook_set_midpoints(c);
  c->edge[1] = 0.0;
  size_t cnt[2];
  qrd_sorted_stats st;
  ck_assert_int_eq(qrd_sorted_eval(s, c, &st, cnt), QRD_OK);
  ck_assert_uint_eq(cnt[0], 3);
  ck_assert_uint_eq(cnt[1], 2);
  ck_assert_double_eq(st.sse, 2.0);
  ck_assert_double_eq(st.sum_wx2, 5.25);
  ck_assert_double_eq(st.mse, 0.4);
  /* Kept for counting: the same counts; no error sums to evaluate. */
  qrd_sorted *k = qrd_sorted_alloc_counts(x, N_OF(x));
  size_t kc[2] = {0, 0};
  qrd_sorted_count(k, c, kc);
  ck_assert(kc[0] == 3 && kc[1] == 2 && qrd_sorted_absmax(k) == 2.0);
  ck_assert_int_eq(qrd_sorted_eval(k, c, &st, NULL), QRD_EINVAL);
  qrd_sorted_free(k);

  /* Decreasing or NaN edges, and bad samples, are refused. */
  c->edge[1] = NAN;
  ck_assert_int_eq(qrd_sorted_eval(s, c, &st, cnt), QRD_EINVAL);
  c->edge[1] = -INFINITY - 0.0;
  c->edge[0] = 1.0;
  ck_assert_int_eq(qrd_sorted_eval(s, c, &st, cnt), QRD_EINVAL);
  const double bad[] = {1.0, NAN}, negw[] = {1.0, -1.0};
  ck_assert(qrd_sorted_alloc(bad, NULL, 2) == NULL);
  ck_assert_msg(strstr(qrd_error_detail(), "x[1] = "), "%s", qrd_error_detail());
  ck_assert(qrd_sorted_alloc(x, negw, 2) == NULL);
  ck_assert_msg(strstr(qrd_error_detail(), "w[1] = -1"), "%s", qrd_error_detail());
  ck_assert(qrd_sorted_alloc(x, NULL, 0) == NULL);
  /* the first bad value of a sample sorted by both threads is named */
  size_t nbig = ((size_t)1 << 21) + 5;
  double *big = malloc(nbig * sizeof *big), *bigw = malloc(nbig * sizeof *bigw);
  for (size_t i = 0; i < nbig; i++) {
    big[i] = (double)(i % 1000) - 500.0;
    bigw[i] = 1.0;
  }
  bigw[1777777] = INFINITY;
  ck_assert(qrd_sorted_alloc(big, bigw, nbig) == NULL);
  ck_assert_msg(strstr(qrd_error_detail(), "w[1777777] = inf"), "%s", qrd_error_detail());
  big[1234567] = NAN;
  ck_assert(qrd_sorted_alloc_counts(big, nbig) == NULL);
  ck_assert_msg(strstr(qrd_error_detail(), "x[1234567] = "), "%s", qrd_error_detail());
  free(big);
  free(bigw);
  qrd_codebook_free(c);
  qrd_sorted_free(s);
}
END_TEST

START_TEST(test_sorted_precision)
{
  /* 2^20 samples, weighted and not, 16 and 256 uniform levels: the cell
   * sums are differences of long double prefix sums and the error
   * expansion cancels further (sse / sum x^2 ~ 5e-5 at 256 levels), yet the
   * result must match a direct long double pass to 1e-12 relative. */
  const size_t n = (size_t)1 << 20, levels[] = {16, 256};
  qrd_dist d;
  dist_of("gaussian", &d);
  double *x = sample(&d, 1, n), *w = malloc(n * sizeof *w);
  for (size_t i = 0; i < n; i++)
    w[i] = 0.25 + (double)(qrd_mix64(i) >> 11) * 0x1.0p-53 * 4.0;
  for (int weighted = 0; weighted < 2; weighted++) {
    const double *wt = weighted ? w : NULL;
    qrd_sorted *s = sorted(x, wt, n);
    for (size_t k = 0; k < N_OF(levels); k++) {
      size_t L = levels[k];
      qrd_codebook *c = qrd_codebook_alloc(L);
      for (size_t i = 0; i < L; i++)
        c->level[i] = 6.0 * ((double)i + 0.5) / (double)L - 3.0;
      qrd_codebook_set_midpoints(c);
      qrd_sorted_stats st;
      ck_assert_int_eq(qrd_sorted_eval(s, c, &st, NULL), QRD_OK);
      direct_sums ds = direct_pass(c, x, wt, n, NULL);
      ck_assert_msg(rel_diff(st.sse, (double)ds.sse) < 1e-12, "%zu levels: sse %.17g vs %.17g",
                    L, st.sse, (double)ds.sse);
      ck_assert(rel_diff(st.sum_wx2, (double)ds.wx2) < 1e-12);
      qrd_codebook_free(c);
    }
    direct_sums ds = direct_pass(&(qrd_codebook){.n = 1, .level = (double[]){0.0}}, x, wt, n,
                                 NULL);
    ck_assert(rel_diff(qrd_sorted_sum_wx2(s), (double)ds.wx2) < 1e-12);
    ck_assert(rel_diff(qrd_sorted_sum_w(s), (double)ds.w) < 1e-12);
    qrd_sorted_free(s);
  }
  free(x);
  free(w);
}
END_TEST

START_TEST(test_mc_lloyd_max)
{
  /* [S42]: the 4-level Gaussian Lloyd-Max quantiser; the Monte-Carlo MSE
   * on 2^22 samples agrees with the exact integral within 3 SE, the SE
   * taken from the per-element squared errors. */
  qrd_dist d;
  qrd_quantiser q;
  qrd_codebook *c = NULL;
  dist_of("gaussian", &d);
  ck_assert_int_eq(qrd_quantiser_parse("lloyd-max", &q), QRD_OK);
  ck_assert_msg(qrd_quantiser_design(&q, &d, 4, &c) == QRD_OK, "%s", qrd_error_detail());
  const double max1960[] = {-1.510, -0.4528, 0.4528, 1.510};
  for (size_t i = 0; i < 4; i++)
    ck_assert_msg(fabs(c->level[i] - max1960[i]) < 1e-3, "level %zu = %g", i, c->level[i]);
  qrd_codebook_stats ex;
  ck_assert_int_eq(qrd_codebook_eval(c, &d, &ex), QRD_OK);
  ck_assert(fabs(ex.mse - 0.117482) < 1e-6);

  const size_t n = (size_t)1 << 22;
  double *x = sample(&d, 1, n);
  long double s1 = 0.0L, s2 = 0.0L;
  for (size_t i = 0; i < n; i++) {
    double e = x[i] - c->level[cell_of(c, x[i])];
    s1 += e * e;
    s2 += (long double)e * e * e * e;
  }
  double mse = (double)(s1 / n), se = sqrt(((double)(s2 / n) - mse * mse) / (n - 1));
  ck_assert_msg(fabs(mse - ex.mse) < 3 * se, "MC %g vs exact %g, SE %g", mse, ex.mse, se);

  qrd_sorted *s = sorted(x, NULL, n);
  qrd_sorted_stats st;
  ck_assert_int_eq(qrd_sorted_eval(s, c, &st, NULL), QRD_OK);
  ck_assert_msg(rel_diff(st.mse, mse) < 1e-12, "sorted %.17g vs direct %.17g", st.mse, mse);
  qrd_sorted_free(s);
  free(x);
  qrd_codebook_free(c);
}
END_TEST

/* ---- entropy coding ---- */

static unsigned *huffman(const double *w, size_t n)
{
  qrd_huffman *h = qrd_huffman_alloc(n);
  unsigned *len = malloc(n * sizeof *len);
  ck_assert_int_eq(qrd_huffman_lengths(h, w, n, len), QRD_OK);
  qrd_huffman_free(h);
  return len;
}

/* Kraft sum times 2^max, exactly, for lengths <= 62. */
static int kraft_is_one(const unsigned *len, size_t n)
{
  unsigned m = 0;
  for (size_t k = 0; k < n; k++)
    m = len[k] > m ? len[k] : m;
  if (m > 62)
    return 0;
  unsigned long long s = 0;
  for (size_t k = 0; k < n; k++)
    s += 1ULL << (m - len[k]);
  return s == 1ULL << m;
}

START_TEST(test_huffman_known)
{
  static const struct {
    size_t n;
    double w[8];
    unsigned len[8];
  } K[] = {
      {4, {1, 1, 2, 4}, {3, 3, 2, 1}},                   /* [CT] */
      {4, {4, 2, 1, 1}, {1, 2, 3, 3}},                   /* same, reversed */
      {4, {0.4, 0.35, 0.2, 0.05}, {1, 2, 3, 3}},
      {1, {7}, {1}},                                     /* one symbol: one bit */
      {2, {0, 0}, {1, 1}},
      {8, {1, 1, 1, 1, 1, 1, 1, 1}, {3, 3, 3, 3, 3, 3, 3, 3}},
      /* Ties: leaves before merged nodes, lower index first (worked out
       * by hand: (0,1)->2, (2,3)->2, (4,{01})->3, root). */
      {5, {1, 1, 1, 1, 1}, {3, 3, 2, 2, 2}},
      /* A leaf tying a merged node: leaf first gives {2,2,2,2} (merged
       * first would give the equally optimal {3,3,2,1}). */
      {4, {1, 1, 2, 2}, {2, 2, 2, 2}},
      /* Zero weights still get codes, the longest ones. */
      {4, {0, 5, 0, 3}, {3, 1, 3, 2}},
  };
  for (size_t k = 0; k < N_OF(K); k++) {
    unsigned *len = huffman(K[k].w, K[k].n);
    for (size_t i = 0; i < K[k].n; i++)
      ck_assert_msg(len[i] == K[k].len[i], "case %zu symbol %zu: %u, expected %u", k, i,
                    len[i], K[k].len[i]);
    ck_assert(K[k].n == 1 || kraft_is_one(len, K[k].n));
    free(len);
  }
  /* Integer weights give the same code; coded size is sum counts len. */
  const size_t cnt[] = {1, 1, 2, 4};
  unsigned len[4];
  qrd_huffman *h = qrd_huffman_alloc(8);
  ck_assert_int_eq(qrd_huffman_lengths_counts(h, cnt, 4, len), QRD_OK);
  ck_assert(len[0] == 3 && len[1] == 3 && len[2] == 2 && len[3] == 1);
  ck_assert_double_eq(qrd_code_bits(cnt, len, 4), 14.0);
  const double bad[] = {1.0, -1.0}, inf[] = {1.0, INFINITY};
  ck_assert_int_eq(qrd_huffman_lengths(h, bad, 2, len), QRD_EINVAL);
  ck_assert_int_eq(qrd_huffman_lengths(h, inf, 2, len), QRD_EINVAL);
  ck_assert_int_eq(qrd_huffman_lengths(h, bad, 9, len), QRD_EINVAL);
  qrd_huffman_free(h);
}
END_TEST

/* Reference optimal cost: repeatedly merge the two smallest (O(n^2)); the
 * cost sum w len of any Huffman code equals the sum of merged weights. */
static double reference_cost(const double *w, size_t n)
{
  double *v = malloc(n * sizeof *v), cost = 0.0;
  memcpy(v, w, n * sizeof *v);
  for (size_t m = n; m > 1; m--) {
    size_t a = 0, b = 1;
    if (v[b] < v[a])
      a = 1, b = 0;
    for (size_t i = 2; i < m; i++) {
      if (v[i] < v[a])
        b = a, a = i;
      else if (v[i] < v[b])
        b = i;
    }
    double s = v[a] + v[b];
    cost += s;
    v[a < b ? a : b] = s;
    v[a < b ? b : a] = v[m - 1];
  }
  free(v);
  return cost;
}

START_TEST(test_huffman_random)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 7);
  for (int t = 0; t < 200; t++) {
    size_t n = 2 + gsl_rng_uniform_int(r, 300);
    double *w = malloc(n * sizeof *w), total = 0.0, hbits = 0.0;
    for (size_t k = 0; k < n; k++) {
      /* Skewed weights, so lengths spread out. */
      w[k] = exp(gsl_ran_gaussian(r, 2.0));
      total += w[k];
    }
    unsigned *len = huffman(w, n);
    double avg = 0.0;
    for (size_t k = 0; k < n; k++) {
      double p = w[k] / total;
      avg += p * len[k];
      hbits -= p * log2(p);
    }
    ck_assert_msg(kraft_is_one(len, n), "trial %d: Kraft sum != 1", t);
    ck_assert_msg(avg >= hbits - 1e-12 && avg < hbits + 1.0, "trial %d: L %g, H %g", t, avg,
                  hbits);
    double cost = 0.0;
    for (size_t k = 0; k < n; k++)
      cost += w[k] * len[k];
    ck_assert_msg(rel_diff(cost, reference_cost(w, n)) < 1e-12, "trial %d not optimal", t);
    free(len);
    free(w);
  }
  gsl_rng_free(r);
}
END_TEST

START_TEST(test_ideal_bits)
{
  /* [S27], worked by hand: train counts {2, 0, 1} (N_train = 3, n = 3)
   * give p = {3, 1, 2}/6 = {1/2, 1/6, 1/3}; coding counts {1, 1, 2} costs
   * 1 + log2 6 + 2 log2 3 = 2 + 3 log2 3 bits. */
  const size_t train[] = {2, 0, 1}, cnt[] = {1, 1, 2}, none[] = {0, 0, 0};
  double bits;
  ck_assert_int_eq(qrd_entropy_ideal_bits(train, cnt, 3, &bits), QRD_OK);
  ck_assert_double_eq_tol(bits, 2.0 + 3.0 * log2(3.0), 1e-13);
  /* An empty training sample gives the uniform model: log2 n per symbol. */
  ck_assert_int_eq(qrd_entropy_ideal_bits(none, cnt, 3, &bits), QRD_OK);
  ck_assert_double_eq_tol(bits, 4.0 * log2(3.0), 1e-13);
  ck_assert_int_eq(qrd_entropy_ideal_bits(train, cnt, 0, &bits), QRD_EINVAL);

  /* Empirical entropy: {1, 1, 2} -> 1.5 bits; degenerate cases 0. */
  ck_assert_double_eq_tol(qrd_entropy_of_counts(cnt, 3), 1.5, 1e-15);
  ck_assert_double_eq(qrd_entropy_of_counts(none, 3), 0.0);
  ck_assert_double_eq(qrd_entropy_of_counts(train + 2, 1), 0.0);

  /* Cross-entropy >= entropy (Gibbs): a model trained on the sample
   * itself codes it in at least N H bits, and close to it for large counts. */
  const size_t big[] = {4000, 2000, 1000, 1000};
  ck_assert_int_eq(qrd_entropy_ideal_bits(big, big, 4, &bits), QRD_OK);
  double nh = 8000.0 * qrd_entropy_of_counts(big, 4);
  ck_assert(bits >= nh && bits < nh + 1.0);
  ck_assert_double_eq_tol(nh, 8000.0 * 1.75, 1e-9);
}
END_TEST

/* ---- rate tuning, QRD_RATE_GRID ---- */

typedef struct {
  size_t n;
  int kind; /* 0: smooth, 1: round(2^b0) levels, 2: out of reach, 3: fails,
               4: smooth with the target left of the first scan point,
               5: overshooting everywhere */
  int calls;
} synth;

/* Synthetic monotone bits(): smooth n (b0 - 0.3), or the step function
 * n (log2 round(2^b0) - 0.25) of an entropy-coded grid of round(2^b0)
 * levels saving a quarter bit. */
static int synth_bits(double b0, void *params, double *bits)
{
  synth *p = params;
  p->calls++;
  switch (p->kind) {
  case 0: *bits = (double)p->n * (b0 - 0.3); return QRD_OK;
  case 1: *bits = (double)p->n * (log2(round(exp2(b0))) - 0.25); return QRD_OK;
  case 2: *bits = (double)p->n * (b0 - 20.0); return QRD_OK;
  case 4: *bits = (double)p->n * (b0 - 0.05); return QRD_OK;
  case 5: *bits = (double)p->n * (b0 + 20.0); return QRD_OK;
  default:
    if (fmod(b0 * 8.0, 1.0) != 0.0) /* the first call off the scan's 1/8 grid */
      return qrd_error_set(QRD_EDOM, "synthetic failure");
    *bits = (double)p->n * (b0 / 2.0 + 0.01);
    return QRD_OK;
  }
}

START_TEST(test_grid_tune)
{
  const double targets[] = {2.0, 3.0, 4.0, 5.5, 8.0};
  for (size_t k = 0; k < N_OF(targets); k++) {
    double b = targets[k];
    synth p = {.n = 1000000, .kind = 0};
    qrd_rate_fit r;
    ck_assert_int_eq(qrd_rate_tune(QRD_RATE_GRID, synth_bits, &p, p.n, b, 0, &r), QRD_OK);
    ck_assert_msg(fabs(r.t - (b + 0.3)) < 1e-5, "b = %g: b0 = %.9g", b, r.t);
    ck_assert(fabs(r.rate - b) < 1e-5 && r.evals == p.calls);

    /* Step function: the best achievable rate is the level count L nearest
     * the target in log2 L - 0.25; the search must find it. */
    p = (synth){.n = 1000000, .kind = 1};
    ck_assert_int_eq(qrd_rate_tune(QRD_RATE_GRID, synth_bits, &p, p.n, b, 0, &r), QRD_OK);
    double best = INFINITY;
    for (double L = ceil(exp2(b)); L <= exp2(b + 8); L++)
      best = fmin(best, fabs(log2(L) - 0.25 - b));
    ck_assert_msg(fabs(fabs(r.rate - b) - best) < 1e-12, "b = %g: rate %.9g, best miss %g", b,
                  r.rate, best);
    ck_assert(r.t > b && r.t < b + 8);
    ck_assert_double_eq_tol(r.rate, log2(round(exp2(r.t))) - 0.25, 1e-12);
  }

  /* The target between b and the first scan point (b + 1/8) is found. */
  synth q = {.n = 1000, .kind = 4};
  qrd_rate_fit rq;
  ck_assert_int_eq(qrd_rate_tune(QRD_RATE_GRID, synth_bits, &q, q.n, 4.0, 0, &rq), QRD_OK);
  ck_assert_msg(fabs(rq.t - 4.05) < 1e-5, "b0 = %.9g", rq.t);

  /* Out of reach: QRD_EMAXITER, with the best point still reported. */
  synth p = {.n = 100, .kind = 2};
  qrd_rate_fit r;
  ck_assert_int_eq(qrd_rate_tune(QRD_RATE_GRID, synth_bits, &p, p.n, 4.0, 0, &r), QRD_EMAXITER);
  ck_assert(r.t > 11.8 && r.t < 12.0 && qrd_error_detail()[0] != '\0');
  /* Overshooting everywhere: the range's end b0 = b is the answer. */
  p = (synth){.n = 100, .kind = 5};
  ck_assert_int_eq(qrd_rate_tune(QRD_RATE_GRID, synth_bits, &p, p.n, 4.0, 0, &r), QRD_OK);
  ck_assert_double_eq(r.t, 4.0);
  /* A failing bits() stops the search with its own status. */
  p = (synth){.n = 100, .kind = 3};
  ck_assert_int_eq(qrd_rate_tune(QRD_RATE_GRID, synth_bits, &p, p.n, 4.0, 0, &r), QRD_EDOM);
  ck_assert_int_eq(p.calls, 49); /* 48 scan points up to rate 5.01 (b0 = 10), then Brent */
  ck_assert_int_eq(qrd_rate_tune(QRD_RATE_GRID, synth_bits, &p, 0, 4.0, 0, &r), QRD_EINVAL);
}
END_TEST

/* The rate-tuning pipeline on a real sample: a uniform grid of floor(2^b0) points
 * on [-a, a] (a = max|X_train|), +1-smoothed model from the seed-2
 * training sample, ideal code length on the seed-1 sample, tuned to 4
 * bits.  Expected R 2^b near the entropy-coded limit (1.1963 at
 * H = 4 for the infinite mid-tread grid; the finite train/test version sits
 * slightly above, and 2^20 samples put R's SE near 0.1%). */
typedef struct {
  const qrd_sorted *eval, *train;
  qrd_codebook *c; /* workspace: up to 2^12 levels */
  size_t *ce, *ct;
  double a;
} grid_ctx;

static int grid_build(grid_ctx *g, double b0)
{
  size_t n = (size_t)floor(exp2(b0));
  if (n < 2 || n > 4096)
    return qrd_error_set(QRD_EINVAL, "grid of %zu points", n);
  g->c->n = n;
  for (size_t i = 0; i < n; i++)
    g->c->level[i] = -g->a + 2.0 * g->a * (double)i / (double)(n - 1);
  qrd_codebook_set_midpoints(g->c);
  return QRD_OK;
}

static int grid_bits(double b0, void *params, double *bits)
{
  grid_ctx *g = params;
  qrd_sorted_stats st;
  int s = grid_build(g, b0);
  if (!s)
    s = qrd_sorted_eval(g->eval, g->c, &st, g->ce);
  if (!s)
    s = qrd_sorted_eval(g->train, g->c, &st, g->ct);
  if (!s)
    s = qrd_entropy_ideal_bits(g->ct, g->ce, g->c->n, bits);
  return s;
}

START_TEST(test_grid_tune_sample)
{
  const size_t n = (size_t)1 << 20;
  qrd_dist d;
  dist_of("gaussian", &d);
  double *xe = sample(&d, 1, n), *xt = sample(&d, 2, n);
  grid_ctx g = {.eval = sorted(xe, NULL, n), .train = sorted(xt, NULL, n),
                .c = qrd_codebook_alloc(4096)};
  g.ce = malloc(4096 * sizeof *g.ce);
  g.ct = malloc(4096 * sizeof *g.ct);
  g.a = qrd_sorted_absmax(g.train);
  qrd_rate_fit r;
  ck_assert_msg(qrd_rate_tune(QRD_RATE_GRID, grid_bits, &g, n, 4.0, 0, &r) == QRD_OK, "%s", qrd_error_detail());
  /* Level counts step the rate by about log2(n/(n-1)): the tuned count must
   * be the best one. */
  size_t levels = (size_t)floor(exp2(r.t));
  for (size_t m = levels - 1; m <= levels + 1; m += 2) {
    double bits;
    ck_assert_int_eq(grid_bits(log2((double)m + 0.5), &g, &bits), QRD_OK);
    ck_assert_msg(fabs(bits / (double)n - 4.0) >= fabs(r.rate - 4.0),
                  "%zu levels: %g bits beats %zu levels: %g", m, bits / (double)n, levels,
                  r.rate);
  }
  ck_assert_msg(fabs(r.rate - 4.0) < 0.5 * log2((double)levels / (levels - 1)),
                "achieved %g bits (b0 %g)", r.rate, r.t);
  qrd_sorted_stats st;
  grid_build(&g, r.t);
  ck_assert_int_eq(qrd_sorted_eval(g.eval, g.c, &st, NULL), QRD_OK);
  double eff = st.rel_rmse * exp2(r.rate);
  ck_assert_msg(eff > 1.19 && eff < 1.22, "R 2^b = %g at b = %g (%zu levels)", eff, r.rate,
                g.c->n);
  qrd_sorted_free((qrd_sorted *)g.eval);
  qrd_sorted_free((qrd_sorted *)g.train);
  g.c->n = 4096;
  qrd_codebook_free(g.c);
  free(g.ce);
  free(g.ct);
  free(xe);
  free(xt);
}
END_TEST

/* ---- cell lookup, standard errors ---- */

/* qrd_codebook_cell against the linear scan above on random codebooks
 * with repeated edges (empty cells), values on edges and beyond them;
 * NaN, above no edge and at or below none, goes to the top cell as
 * documented. */
START_TEST(test_codebook_cell)
{
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 7);
  for (int trial = 0; trial < 200; trial++) {
    size_t n = 1 + gsl_rng_uniform_int(rng, 20);
    qrd_codebook *c = qrd_codebook_alloc(n);
    ck_assert_ptr_nonnull(c);
    for (size_t i = 0; i < n; i++) /* on a coarse grid: ties are frequent */
      c->level[i] = (double)gsl_rng_uniform_int(rng, 9) - 4.0;
    for (size_t i = 1; i < n; i++)
      c->level[i] = fmax(c->level[i], c->level[i - 1]);
    qrd_codebook_set_midpoints(c);
    for (int k = 0; k < 50; k++) {
      double v = k < 20 ? c->edge[gsl_rng_uniform_int(rng, n + 1)]
                        : 12.0 * gsl_rng_uniform(rng) - 6.0;
      ck_assert_uint_eq(qrd_codebook_cell(c, v), cell_of(c, v));
    }
    ck_assert_uint_eq(qrd_codebook_cell(c, NAN), n - 1);
    ck_assert_uint_eq(qrd_codebook_cell(c, -INFINITY), cell_of(c, -INFINITY));
    ck_assert_uint_eq(qrd_codebook_cell(c, INFINITY), n - 1);
    qrd_codebook_free(c);
  }
  gsl_rng_free(rng);
}
END_TEST

/* The table's cell of v, checked against both the linear scan and the
 * bisection. */
static void check_table_cell(const qrd_codebook_table *t, const qrd_codebook *c, double v)
{
  size_t got = qrd_codebook_table_cell(t, v);
  ck_assert_msg(got == qrd_codebook_cell(c, v), "n=%zu v=%a: table %zu, bisection %zu", c->n,
                v, got, qrd_codebook_cell(c, v));
  if (!isnan(v))
    ck_assert_uint_eq(got, cell_of(c, v));
}

/* qrd_codebook_table_cell, the fast path, against the linear scan on
 * random codebooks: levels spread over up to 12 binades (edges far closer
 * at one end than the other, as in FP formats), values on every edge, one
 * double either side of it, at random, beyond the outer ones, +-inf and
 * NaN (the top cell, as qrd_codebook_cell); n = 2 has a single bucket.
 * Repeated edges have no table. */
START_TEST(test_codebook_table)
{
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 11);
  for (int trial = 0; trial < 300; trial++) {
    size_t n = 2 + gsl_rng_uniform_int(rng, 40);
    double spread = exp2((double)gsl_rng_uniform_int(rng, 13));
    qrd_codebook *c = qrd_codebook_alloc(n);
    ck_assert_ptr_nonnull(c);
    for (size_t i = 0; i < n; i++)
      c->level[i] = pow(spread, gsl_rng_uniform(rng)) * (gsl_rng_uniform(rng) - 0.5);
    gsl_sort(c->level, 1, n);
    qrd_codebook_set_midpoints(c);
    qrd_codebook_table t;
    if (qrd_codebook_table_init(&t, c) != QRD_OK) {
      for (size_t i = 2; i < n; i++) /* only coincident edges may be refused */
        if (c->edge[i] == c->edge[i - 1])
          goto next;
      ck_abort_msg("n=%zu: no table for distinct edges", n);
    }
    for (size_t i = 0; i <= n; i++) {
      check_table_cell(&t, c, c->edge[i]);
      check_table_cell(&t, c, nextafter(c->edge[i], -INFINITY));
      check_table_cell(&t, c, nextafter(c->edge[i], INFINITY));
    }
    for (int k = 0; k < 200; k++)
      check_table_cell(&t, c, 2.0 * spread * (gsl_rng_uniform(rng) - 0.5));
    check_table_cell(&t, c, -INFINITY);
    check_table_cell(&t, c, INFINITY);
    check_table_cell(&t, c, NAN);
    qrd_codebook_table_free(&t);
  next:
    qrd_codebook_free(c);
  }
  qrd_codebook *c = qrd_codebook_alloc(3);
  c->level[0] = -1.0;
  c->level[1] = 0.0;
  c->level[2] = 1.0;
  qrd_codebook_set_midpoints(c);
  c->edge[2] = c->edge[1]; /* an empty middle cell */
  qrd_codebook_table t;
  ck_assert_int_eq(qrd_codebook_table_init(&t, c), QRD_EINVAL);
  qrd_codebook_free(c);
  gsl_rng_free(rng);
}
END_TEST

/* For the sample mean the jackknife is exact: its SE is s / sqrt(n), s^2
 * the unbiased variance (Efron & Tibshirani, An Introduction to the
 * Bootstrap, §11.2); the moments' SE is that too. */
START_TEST(test_jackknife_mean)
{
  enum { N = 37 };
  double v[N], loo[N], total = 0.0;
  for (int k = 0; k < N; k++)
    total += v[k] = sin(1.0 + k * k) + 0.1 * k;
  double mean = total / N, ss = 0.0;
  for (int k = 0; k < N; k++) {
    loo[k] = (total - v[k]) / (N - 1);
    ss += (v[k] - mean) * (v[k] - mean);
  }
  double want = sqrt(ss / (N - 1) / N);
  ck_assert_double_eq_tol(qrd_jackknife_se(loo, 1, N), want, 1e-12 * want);
  qrd_moments m = {0};
  for (int k = 0; k < N; k++)
    qrd_moments_add(&m, v[k]);
  double got_mean, got_se;
  qrd_moments_mean_se(&m, &got_mean, &got_se);
  ck_assert_double_eq_tol(got_mean, mean, 1e-14);
  ck_assert_double_eq_tol(got_se, want, 1e-10 * want);
  ck_assert(isnan(qrd_jackknife_se(loo, 1, 1)));
}
END_TEST

/* qrd_jackknife against the delete-one jackknife written out: a
 * two-valued statistic (a ratio of sums and a log of a sum) recomputed
 * from scratch on each set of n - 1 batches, and the SE formula
 * sqrt((n-1)/n sum (t_k - mean)^2) evaluated here. */
typedef struct {
  const double *a, *b;
  size_t n;
} two_sums;

static void ratio_and_log(const two_sums *c, size_t skip, double *out)
{
  double sa = 0.0, sb = 0.0;
  for (size_t k = 0; k < c->n; k++)
    if (k != skip) {
      sa += c->a[k];
      sb += c->b[k];
    }
  out[0] = sa / sb;
  out[1] = log(sa);
}

static void ratio_and_log_stat(void *ctx, size_t skip, double *out)
{
  ratio_and_log(ctx, skip, out);
}

START_TEST(test_jackknife_brute)
{
  enum { N = 23 };
  double a[N], b[N], loo[2 * N], value[2], se[2];
  for (int k = 0; k < N; k++) {
    a[k] = 2.0 + sin(3.0 * k);
    b[k] = 5.0 + cos(k * k);
  }
  two_sums c = {a, b, N};
  qrd_jackknife(ratio_and_log_stat, &c, N, 2, loo, value, se);
  double all[2], t[N][2];
  ratio_and_log(&c, N, all);
  for (size_t k = 0; k < N; k++)
    ratio_and_log(&c, k, t[k]);
  for (int j = 0; j < 2; j++) {
    double mean = 0.0, ss = 0.0;
    for (int k = 0; k < N; k++)
      mean += t[k][j] / N;
    for (int k = 0; k < N; k++)
      ss += (t[k][j] - mean) * (t[k][j] - mean);
    ck_assert_double_eq(value[j], all[j]);
    ck_assert_double_eq_tol(se[j], sqrt(ss * (N - 1) / N), 1e-14 * se[j]);
  }
}
END_TEST

/* Mean block max |X| of N(0,1): B = 1 is E|X| = sqrt(2 / pi); B = 2,
 * int_0^inf 1 - (2 Phi(t) - 1)^2 dt, the quadrature of
 * qrd_dist_block_absmax_mean; each within 3 standard errors. */
START_TEST(test_block_absmax_stats)
{
  qrd_dist d;
  dist_of("gaussian", &d);
  size_t n = (size_t)1 << 20;
  double *x = sample(&d, 3, n);
  double mean, se, want;
  qrd_mc_block_absmax_stats(x, n, 1, &mean, &se);
  ck_assert_msg(fabs(mean - sqrt(2.0 / M_PI)) < 3.0 * se, "B = 1: %.6f +- %.6f", mean, se);
  ck_assert_int_eq(qrd_dist_block_absmax_mean(&d, 2.0, &want), QRD_OK);
  qrd_mc_block_absmax_stats(x, n, 2, &mean, &se);
  ck_assert_msg(se > 0 && fabs(mean - want) < 3.0 * se, "B = 2: %.6f +- %.6f vs %.6f", mean, se,
                want);
  free(x);
}
END_TEST

/* qrd_sort_pairs against qsort on (x, original index) pairs, an ordering
 * with no ties: on values with many duplicates (and -0, +0), the radix sort
 * must give the same x and, among equal x, the weights in their original
 * order (it is stable); both below and above the size where it goes
 * parallel. */
typedef struct {
  double x;
  size_t i;
} indexed;

static int cmp_indexed(const void *a, const void *b)
{
  const indexed *p = a, *q = b;
  if (p->x != q->x)
    return p->x < q->x ? -1 : 1;
  return (p->i > q->i) - (p->i < q->i);
}

START_TEST(test_sort_pairs_stable)
{
  /* _i = 0, 1: few distinct values; 2: continuous values (every bit of
   * the keys varies, as in a sample) with every seventh a repeated 1;
   * 3, 4: near-ties, values that agree in their leading bits (groups
   * 2^-12 or 2^-16 apart) and differ in their last few, in random order:
   * runs of 4 (3) and of 768 (4) keys the leading-bit passes leave for the
   * tie settling, both signs; 5: every binade from the subnormals to the
   * largest, both signs, the head of a key taking all its values */
  size_t n = _i == 1 || _i == 2 || _i >= 4 ? (size_t)3 << 20 : 1000;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 7);
  double *x = malloc(n * sizeof *x), *w = malloc(n * sizeof *w), *xs, *ws;
  indexed *ref = malloc(n * sizeof *ref);
  ck_assert(x && w && ref);
  for (size_t i = 0; i < n; i++) {
    /* zeros of both signs */
    if (_i == 5) {
      int e = (int)gsl_rng_uniform_int(r, 2100) - 1074;
      x[i] = ldexp(1.0 + gsl_rng_uniform(r), e < 1023 ? e : 1023);
      x[i] = i % 2 ? -x[i] : x[i];
    } else if (_i >= 3) {
      size_t groups = _i == 3 ? 250 : 4096;
      double near = 1.0 + ldexp((double)(i % groups), _i == 3 ? -12 : -16)
                    + ldexp((double)gsl_rng_uniform_int(r, 1000), -52);
      x[i] = i % 3 ? near : -near;
    } else {
      x[i] = _i < 2 ? round(gsl_ran_gaussian(r, 3.0)) * 0.25
                    : i % 7 ? gsl_ran_gaussian(r, 3.0) : 1.0;
    }
    if (x[i] == 0.0 && i % 2)
      x[i] = -0.0;
    w[i] = (double)i;
    ref[i] = (indexed){x[i], i};
  }
  qsort(ref, n, sizeof *ref, cmp_indexed);
  ck_assert_int_eq(qrd_sort_pairs(x, w, n, &xs, &ws), QRD_OK);
  for (size_t i = 0; i < n; i++) {
    ck_assert_msg(xs[i] == ref[i].x, "x[%zu] = %g, want %g", i, xs[i], ref[i].x);
    if (xs[i] != 0.0) /* the radix order puts -0 first; qsort ties them */
      ck_assert_msg(ws[i] == (double)ref[i].i, "w[%zu] = %g, want %zu", i, ws[i], ref[i].i);
    if (i > 0 && xs[i] == xs[i - 1] && signbit(xs[i]) == signbit(xs[i - 1]))
      ck_assert_msg(ws[i] > ws[i - 1], "not stable at %zu", i);
  }
  free(xs);
  free(ws);
  free(x);
  free(w);
  free(ref);
  gsl_rng_free(r);
}
END_TEST

Suite *qrd_suite_mc(void)
{
  Suite *s = suite_create("mc");
  TCase *tc;

  tc = tcase_create("sample");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_max_abs);
  tcase_add_test(tc, test_sample_threads);
  tcase_add_test(tc, test_sample_share);
  tcase_add_test(tc, test_chunk_seeds);
  tcase_add_loop_test(tc, test_sample_moments, 0, N_OF(MOMENTS));
  suite_add_tcase(s, tc);

  tc = tcase_create("sorted");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, test_sorted_brute, 0, 6);
  tcase_add_test(tc, test_sorted_count_many);
  tcase_add_test(tc, test_sorted_threads);
  tcase_add_loop_test(tc, test_sort_pairs_stable, 0, 6);
  tcase_add_test(tc, test_sorted_ties);
  tcase_add_test(tc, test_sorted_precision);
  tcase_add_test(tc, test_mc_lloyd_max);
  suite_add_tcase(s, tc);

  tc = tcase_create("entropy");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_huffman_known);
  tcase_add_test(tc, test_huffman_random);
  tcase_add_test(tc, test_ideal_bits);
  tcase_add_test(tc, test_grid_tune);
  tcase_add_test(tc, test_grid_tune_sample);
  tcase_add_test(tc, test_codebook_cell);
  tcase_add_test(tc, test_codebook_table);
  tcase_add_test(tc, test_jackknife_mean);
  tcase_add_test(tc, test_jackknife_brute);
  tcase_add_test(tc, test_block_absmax_stats);
  suite_add_tcase(s, tc);
  return s;
}
