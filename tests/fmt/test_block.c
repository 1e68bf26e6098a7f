/* Block-scaled evaluation (fmt/block.c): Monte Carlo against the exact
 * integrals of quant/, hand-worked bit counts, and bad input. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

#include "core/error.h"
#include "fmt/bits.h"
#include "fmt/block.h"
#include "law/registry.h"
#include "mc/sample.h"
#include "quant/quantiser.h"

static double *sample(const char *spec, unsigned long seed, size_t n)
{
  qrd_dist d;
  ck_assert_int_eq(qrd_dist_parse(spec, &d), QRD_OK);
  double *x = qrd_sample_alloc(&d, seed, n);
  ck_assert_ptr_nonnull(x);
  return x;
}

static qrd_block_sample *normalise(const double *x, size_t n, const char *scaling,
                                   const char *scale, double lo, double hi, double r)
{
  qrd_scaling sc;
  ck_assert_int_eq(qrd_scaling_parse(scaling, scale, &sc), QRD_OK);
  qrd_block_sample *s;
  int st = qrd_block_sample_alloc(x, n, &sc, lo, hi, r, &s);
  ck_assert_msg(st == QRD_OK, "%s", qrd_error_detail());
  return s;
}

/* Tensor RMS with fp32 scales on 2^22 draws: R of an exactly designed
 * codebook agrees with its exact integral within 3 standard errors. */
START_TEST(test_mc_matches_exact)
{
  static const char *const dists[] = {"gaussian", "laplace", "student-t:nu=5"};
  static const char *const quants[] = {"lloyd-max", "crd", "uniform"};
  size_t n = (size_t)1 << 22;
  for (size_t i = 0; i < 3; i++) {
    qrd_dist d;
    ck_assert_int_eq(qrd_dist_parse(dists[i], &d), QRD_OK);
    double *x = sample(dists[i], 1, n);
    qrd_block_sample *s = normalise(x, n, "rms", "fp32", -1, 1, 0.0);
    for (size_t j = 0; j < 3; j++) {
      qrd_quantiser q;
      qrd_codebook *c;
      qrd_codebook_stats exact;
      ck_assert_int_eq(qrd_quantiser_parse(quants[j], &q), QRD_OK);
      ck_assert_int_eq(qrd_quantiser_design(&q, &d, 16, &c), QRD_OK);
      ck_assert_int_eq(qrd_codebook_eval(c, &d, &exact), QRD_OK);
      qrd_block_result r;
      ck_assert_int_eq(qrd_block_eval(s, c, 4.0, &r), QRD_OK);
      ck_assert_msg(r.rel_rmse_se > 0 && r.rel_rmse_se < 0.02 * r.rel_rmse, "SE %g", r.rel_rmse_se);
      ck_assert_msg(fabs(r.rel_rmse - exact.rel_rmse) < 3.0 * r.rel_rmse_se,
                    "%s %s: MC R %.6f +- %.6f, exact %.6f", dists[i], quants[j], r.rel_rmse,
                    r.rel_rmse_se, exact.rel_rmse);
      qrd_codebook_free(c);
    }
    qrd_block_sample_free(s);
    free(x);
  }
}
END_TEST

/* Bit-counting worked cases (docs/methods-orr.md) through the evaluator's bit count. */
START_TEST(test_bits)
{
  size_t n = (size_t)1 << 16;
  double *x = sample("gaussian", 3, n);
  qrd_element *e;
  ck_assert_int_eq(qrd_element_int(4.0, 0, &e), QRD_OK);
  qrd_block_result r;
  qrd_block_sample *s = normalise(x, n, "absmax:64", "bf16", e->lo, e->hi, 0.0);
  ck_assert_int_eq(qrd_block_eval(s, e->cb, e->bits, &r), QRD_OK);
  ck_assert_double_eq_tol(r.bits, 4.25, 1e-12);
  qrd_block_sample_free(s);
  s = normalise(x, n, "absmax:128", "e8m0", e->lo, e->hi, 0.0);
  ck_assert_int_eq(qrd_block_eval(s, e->cb, e->bits, &r), QRD_OK);
  ck_assert_double_eq_tol(r.bits, 4.0 + 8.0 / 128.0, 1e-12);
  qrd_block_sample_free(s);
  s = normalise(x, n, "rms", "bf16", e->lo, e->hi, 1.0 / 1024.0);
  ck_assert_int_eq(qrd_block_eval(s, e->cb, e->bits, &r), QRD_OK);
  ck_assert_double_eq_tol(r.bits, 4.0 + 16.0 / (double)n + 48.0 / 1024.0, 1e-12);
  qrd_block_sample_free(s);
  qrd_element_free(e);
  free(x);
}
END_TEST

/* Outliers take the largest values out of the dense part: on t5 data the
 * tensor-RMS INT4 error must fall, and it must fall further with more. */
START_TEST(test_outliers_help_heavy_tails)
{
  size_t n = (size_t)1 << 18;
  double *x = sample("student-t:nu=5", 4, n);
  qrd_element *e;
  ck_assert_int_eq(qrd_element_int(4.0, 1, &e), QRD_OK);
  double prev = INFINITY;
  static const double ratios[] = {0.0, 1.0 / 1024, 1.0 / 128};
  for (size_t k = 0; k < 3; k++) {
    qrd_block_sample *s = normalise(x, n, "absmax:65536", "fp32", e->lo, e->hi, ratios[k]);
    qrd_block_result r;
    ck_assert_int_eq(qrd_block_eval(s, e->cb, e->bits, &r), QRD_OK);
    ck_assert_msg(r.rel_rmse < prev, "ratio %g: R %g, previous %g", ratios[k], r.rel_rmse, prev);
    prev = r.rel_rmse;
    qrd_block_sample_free(s);
  }
  qrd_element_free(e);
  free(x);
}
END_TEST

/* Absmax scaling maps every block's extreme onto the element range, so a
 * symmetric range-[-1, 1] grid holding +-1 reproduces each block maximum
 * exactly: with fp32 scales, a block of one value has zero error. */
START_TEST(test_absmax_extremes_exact)
{
  size_t n = 4096;
  double *x = sample("laplace", 5, n);
  double grid[3] = {-1.0, 0.0, 1.0};
  qrd_element *e;
  ck_assert_int_eq(qrd_element_lut(grid, 3, "ternary", &e), QRD_OK);
  qrd_block_sample *s = normalise(x, n, "absmax:1", "fp32", -1, 1, 0.0);
  qrd_block_result r;
  ck_assert_int_eq(qrd_block_eval(s, e->cb, e->bits, &r), QRD_OK);
  /* fp32 scale rounding leaves x/s within 2^-24 of +-1 */
  ck_assert_msg(r.rel_rmse < 1e-7, "R %g", r.rel_rmse);
  qrd_block_sample_free(s);
  qrd_element_free(e);
  free(x);
}
END_TEST

/* qrd_block_normalise's scales against plain loops over each block:
 * values on a 2^-10 grid, so that fp32 scales of absmax and signmax hold
 * the extreme exactly and every y = x / s is one division.  Blocks of 13
 * (vector loops end mid-vector); one block's extreme is a tie of opposite
 * signs, the negative first (absmax ignores the sign, signmax keeps the
 * first), one block's extreme is its last value, one block is all zeros. */
START_TEST(test_normalise_scales)
{
  enum { B = 13, NB = 6, N = B * NB };
  double x[N], y[N], w[N];
  for (size_t i = 0; i < N; i++)
    x[i] = (double)((long)((i * 7919) % 2001) - 1000) / 1024.0;
  x[2 * B + 3] = -1.5, x[2 * B + 9] = 1.5; /* block 2: the tie */
  x[3 * B + B - 1] = -1.75;                 /* block 3: last in the block */
  for (size_t i = 4 * B; i < 5 * B; i++)
    x[i] = 0.0;
  static const char *const kinds[] = {"absmax:13", "signmax:13", "rms:13"};
  for (size_t k = 0; k < 3; k++) {
    qrd_scaling sc;
    ck_assert_int_eq(qrd_scaling_parse(kinds[k], "fp32", &sc), QRD_OK);
    ck_assert_int_eq(qrd_block_normalise(x, N, &sc, -1.0, 1.0, y, w), QRD_OK);
    for (size_t b = 0; b < NB; b++) {
      const double *xb = x + b * B;
      double first = 0.0, big = 0.0, sum2 = 0.0;
      for (size_t i = 0; i < B; i++) {
        if (fabs(xb[i]) > fabs(first))
          first = xb[i];
        big = fmax(big, fabs(xb[i]));
        sum2 += xb[i] * xb[i];
      }
      /* rms: fp32, clamped to the smallest normal */
      double s = k == 0 ? big : k == 1 ? first : fmax((float)sqrt(sum2 / B), FLT_MIN);
      for (size_t i = 0; i < B; i++) {
        double want = s != 0.0 ? xb[i] / s : 0.0;
        ck_assert_msg(y[b * B + i] == want && w[b * B + i] == s * s,
                      "%s block %zu value %zu: y %.17g w %.17g, want %.17g, %.17g", kinds[k],
                      b, i, y[b * B + i], w[b * B + i], want, s * s);
      }
    }
    /* the tie: absmax divides by +1.5, signmax by the first, -1.5 */
    if (k < 2)
      ck_assert(y[2 * B + 3] == (k ? 1.0 : -1.0) && y[2 * B + 9] == (k ? -1.0 : 1.0));
  }
}
END_TEST

/* Compressed uniform grid: the ideal code length of 2^20 draws, trained on
 * an independent sample, lies between the empirical entropy of the
 * evaluation indices and that plus a small cross-entropy excess. */
START_TEST(test_coded_bits)
{
  size_t n = (size_t)1 << 20;
  double *x = sample("gaussian", 1, n), *t = sample("gaussian", 2, n);
  qrd_block_sample *s = normalise(x, n, "rms", "fp32", -1, 1, 0.0);
  qrd_block_sample *tr = normalise(t, n, "rms", "fp32", -1, 1, 0.0);
  qrd_element *e;
  ck_assert_int_eq(qrd_element_int(6.0, 1, &e), QRD_OK); /* 64 levels, step 1 */
  qrd_codebook *c = e->cb;
  for (size_t i = 0; i < c->n; i++)
    c->level[i] *= 0.12; /* step 0.12: about 5 bits of entropy */
  qrd_codebook_set_midpoints(c);
  qrd_block_result ideal, huff;
  ck_assert_int_eq(qrd_block_eval_coded(s, tr, c, 0, &ideal), QRD_OK);
  ck_assert_int_eq(qrd_block_eval_coded(s, tr, c, 1, &huff), QRD_OK);
  /* entropy of the quantised normal at step 0.12: h - log2(0.12) */
  double h = 0.5 * log2(2 * M_PI * M_E) - log2(0.12);
  ck_assert_msg(fabs(ideal.bits - h) < 0.01, "ideal %.5f vs %.5f", ideal.bits, h);
  ck_assert_msg(huff.bits >= ideal.bits && huff.bits < ideal.bits + 0.05,
                "huffman %.5f, ideal %.5f", huff.bits, ideal.bits);
  ck_assert_double_eq(huff.rel_rmse, ideal.rel_rmse);
  double coded;
  ck_assert_int_eq(qrd_block_coded_bits(s, tr, c, 1, &coded), QRD_OK);
  ck_assert_double_eq_tol(coded + 32.0, huff.bits * (double)n, 1e-6); /* + the fp32 scale */
  qrd_element_free(e);
  qrd_block_sample_free(s);
  qrd_block_sample_free(tr);
  free(x);
  free(t);
}
END_TEST

/* The coded-bits memo answers every codebook as qrd_block_coded_bits
 * does: grids probed out of order and again, a grid of the same size with
 * one edge moved (no confusion by level count), and more distinct grids
 * than it keeps (the forgotten ones are counted again, not misremembered). */
START_TEST(test_coded_memo)
{
  size_t n = (size_t)1 << 16;
  double *x = sample("laplace", 3, n), *t = sample("laplace", 4, n);
  qrd_block_sample *s = normalise(x, n, "absmax:64", "bf16", -1, 1, 0.0);
  qrd_block_sample *tr = normalise(t, n, "absmax:64", "bf16", -1, 1, 0.0);
  qrd_coded_memo *m = qrd_coded_memo_alloc(s, tr, 1);
  ck_assert_ptr_nonnull(m);
  for (int pass = 0; pass < 3; pass++)
    for (int k = 0; k < 300; k++) {
      double b0 = 2.0 + (double)((k * 37 + pass * 11) % 300) / 60.0; /* 2 .. 7 bits */
      qrd_codebook *c = qrd_coded_grid(b0, 0, 1.0);
      ck_assert_ptr_nonnull(c);
      if (k % 7 == 3 && c->n > 2)
        c->edge[1] = 0.5 * (c->edge[1] + c->edge[2]); /* moves samples between cells */
      double direct, memo;
      ck_assert_int_eq(qrd_block_coded_bits(s, tr, c, 1, &direct), QRD_OK);
      ck_assert_int_eq(qrd_coded_memo_bits(m, c, &memo), QRD_OK);
      ck_assert_msg(memo == direct, "b0 %g (%zu levels): memo %.17g, direct %.17g", b0, c->n,
                    memo, direct);
      qrd_codebook_free(c);
    }
  qrd_coded_memo_free(m);
  qrd_block_sample_free(s);
  qrd_block_sample_free(tr);
  free(x);
  free(t);
}
END_TEST

/* A sample normalised outside (qrd_block_normalise) and handed over as
 * (y, w) gives the same R, SE and bits as normalising inside. */
START_TEST(test_from_normalised)
{
  size_t n = (size_t)1 << 18;
  double *x = sample("laplace", 3, n), *y = malloc(n * sizeof *y), *w = malloc(n * sizeof *w);
  qrd_block_sample *in = normalise(x, n, "absmax:64", "bf16", -1, 1, 0.0), *out;
  qrd_scaling sc;
  ck_assert_int_eq(qrd_scaling_parse("absmax:64", "bf16", &sc), QRD_OK);
  ck_assert_int_eq(qrd_block_normalise(x, n, &sc, -1, 1, y, w), QRD_OK);
  ck_assert_int_eq(qrd_block_sample_from_normalised(y, w, n, 64, 16.0, &out), QRD_OK);
  qrd_element *e;
  ck_assert_int_eq(qrd_element_int(4.0, 1, &e), QRD_OK);
  qrd_codebook *c = e->cb;
  for (size_t i = 0; i < c->n; i++)
    c->level[i] /= c->level[c->n - 1];
  qrd_codebook_set_midpoints(c);
  qrd_block_result a, b;
  ck_assert_int_eq(qrd_block_eval(in, c, 4.0, &a), QRD_OK);
  ck_assert_int_eq(qrd_block_eval(out, c, 4.0, &b), QRD_OK);
  ck_assert_double_eq_tol(a.rel_rmse, b.rel_rmse, 1e-12 * a.rel_rmse);
  ck_assert_double_eq_tol(a.rel_rmse_se, b.rel_rmse_se, 1e-9 * a.rel_rmse_se);
  ck_assert_double_eq(a.bits, 4.25);
  ck_assert_double_eq(b.bits, 4.25);
  /* bf16 scales round to nearest: a block's largest |y| is within 2^-8 of 1 */
  ck_assert(qrd_block_absmax(out) >= 1.0 && qrd_block_absmax(out) <= 1.0 + 0x1p-8);
  /* a separate pointer: the failing call must not overwrite (and leak) out */
  qrd_block_sample *bad = NULL;
  ck_assert_int_eq(qrd_block_sample_from_normalised(y, w, n - 1, 64, 16.0, &bad), QRD_EINVAL);
  qrd_block_sample_free(bad);
  qrd_element_free(e);
  qrd_block_sample_free(in);
  qrd_block_sample_free(out);
  free(x);
  free(y);
  free(w);
}
END_TEST

/* The one-pass evaluator and the sorted one agree on every format and
 * scaling (the same batches and estimator; sums in another order): small
 * codes (compare chains) and codes of over QRD_BLOCK_DIRECT_SMALL levels
 * (bucket table: int8, E4M3). */
START_TEST(test_direct_matches_sorted)
{
  size_t n = (size_t)1 << 18;
  double *x = sample("student-t:nu=5", 4, n);
  enum { NF = 5 };
  qrd_element *e[NF];
  ck_assert_int_eq(qrd_element_int(4.0, 0, &e[0]), QRD_OK);
  ck_assert_int_eq(qrd_element_fp(2, 1, QRD_FP_NEAREST, &e[1]), QRD_OK);
  ck_assert_int_eq(qrd_element_nf4(&e[2]), QRD_OK);
  ck_assert_int_eq(qrd_element_int(8.0, 0, &e[3]), QRD_OK);
  ck_assert_int_eq(qrd_element_fp(4, 3, QRD_FP_NEAREST, &e[4]), QRD_OK);
  ck_assert_uint_gt(e[4]->cb->n, QRD_BLOCK_DIRECT_SMALL);
  const char *scaling[] = {"absmax:32", "signmax:128"};
  for (size_t k = 0; k < 2; k++) {
    qrd_scaling sc;
    ck_assert_int_eq(qrd_scaling_parse(scaling[k], "bf16", &sc), QRD_OK);
    qrd_block_direct f[NF];
    qrd_block_result direct[NF], sorted;
    for (int j = 0; j < NF; j++)
      ck_assert_int_eq(qrd_block_direct_init(&f[j], &sc, e[j]), QRD_OK);
    ck_assert_int_eq(qrd_block_eval_direct(x, n, sc.block, f, NF, direct), QRD_OK);
    for (int j = 0; j < NF; j++) {
      qrd_block_sample *s = normalise(x, n, scaling[k], "bf16", e[j]->lo, e[j]->hi, 0.0);
      ck_assert_int_eq(qrd_block_eval(s, e[j]->cb, e[j]->bits, &sorted), QRD_OK);
      ck_assert_msg(fabs(direct[j].rel_rmse - sorted.rel_rmse) < 1e-10 * sorted.rel_rmse,
                    "%s %s: %.15g vs %.15g", scaling[k], e[j]->name, direct[j].rel_rmse,
                    sorted.rel_rmse);
      ck_assert_double_eq_tol(direct[j].rel_rmse_se, sorted.rel_rmse_se, 1e-8 * sorted.rel_rmse_se);
      ck_assert_double_eq(direct[j].bits, sorted.bits);
      qrd_block_sample_free(s);
      qrd_block_direct_free(&f[j]);
    }
  }
  for (int j = 0; j < NF; j++)
    qrd_element_free(e[j]);
  free(x);
}
END_TEST

/* A counts-only sample (no weights) gives the weighted sample's cell
 * counts and extreme under every scaling, and refuses to be evaluated. */
START_TEST(test_counts_only)
{
  size_t n = (size_t)1 << 16;
  double *x = sample("student-t:nu=5", 6, n);
  const char *scaling[] = {"rms", "rms:64", "absmax:32"};
  qrd_codebook *grids[2] = {qrd_codebook_uniform(17, 1.0), qrd_codebook_uniform(256, 0.5)};
  for (size_t k = 0; k < 3; k++) {
    qrd_scaling sc;
    ck_assert_int_eq(qrd_scaling_parse(scaling[k], "bf16", &sc), QRD_OK);
    qrd_block_sample *full, *counts;
    ck_assert_int_eq(qrd_block_sample_alloc(x, n, &sc, -1.0, 1.0, 0.0, &full), QRD_OK);
    ck_assert_int_eq(qrd_block_sample_alloc_counts(x, n, &sc, -1.0, 1.0, &counts), QRD_OK);
    ck_assert(qrd_block_absmax(counts) == qrd_block_absmax(full));
    for (int g = 0; g < 2; g++) {
      size_t a[256] = {0}, b[256] = {0};
      qrd_block_counts(full, grids[g], a);
      qrd_block_counts(counts, grids[g], b);
      ck_assert_mem_eq(a, b, grids[g]->n * sizeof *a);
    }
    qrd_block_result r;
    ck_assert_int_eq(qrd_block_eval(counts, grids[0], 4.0, &r), QRD_EINVAL);
    qrd_block_sample_free(full);
    qrd_block_sample_free(counts);
  }
  qrd_codebook_free(grids[0]);
  qrd_codebook_free(grids[1]);
  free(x);
}
END_TEST

/* R 2^b: the F-S2 legend's R = 0.089 at 4.25 bits is 1.693; a code that
 * halves R with one more bit keeps its efficiency, and so does the SE. */
START_TEST(test_efficiency)
{
  qrd_block_result a = {.rel_rmse = 0.089, .rel_rmse_se = 0.001, .bits = 4.25};
  qrd_block_result b = {.rel_rmse = 0.0445, .rel_rmse_se = 0.0005, .bits = 5.25};
  double ea, sa, eb, sb;
  qrd_block_efficiency(&a, &ea, &sa);
  qrd_block_efficiency(&b, &eb, &sb);
  ck_assert_double_eq_tol(ea, 0.089 * 16.0 * pow(2.0, 0.25), 1e-12);
  ck_assert_double_eq_tol(ea, 1.6934, 1e-4);
  ck_assert_double_eq_tol(sa, 0.001 / 0.089 * ea, 1e-15);
  ck_assert_double_eq_tol(eb, ea, 1e-12);
  ck_assert_double_eq_tol(sb, sa, 1e-15);
}
END_TEST

START_TEST(test_bad_input)
{
  qrd_scaling sc;
  ck_assert_int_eq(qrd_scaling_parse("absmax:0", "bf16", &sc), QRD_EINVAL);
  ck_assert_int_eq(qrd_scaling_parse("blocky:8", "bf16", &sc), QRD_EINVAL);
  ck_assert_int_eq(qrd_scaling_parse("signmax:32", "e8m0", &sc), QRD_EINVAL);
  ck_assert_int_ne(qrd_scaling_parse("absmax:32", "bf17", &sc), QRD_OK);
  ck_assert_int_eq(qrd_scaling_parse("absmax:32", "bf16", &sc), QRD_OK);
  double x[100] = {0};
  qrd_block_sample *s;
  ck_assert_int_eq(qrd_block_sample_alloc(x, 100, &sc, -1, 1, 0, &s), QRD_EINVAL);
}
END_TEST

/* A pass with gains against the same values rescaled beforehand (a power
 * of two: exact), and the split sum against the plain one (rounding). */
START_TEST(test_pass_gain_split)
{
  size_t n = (size_t)1 << 16, block = 32, nb = 12;
  double *x = sample("laplace", 5, n), *xg = malloc(n * sizeof *xg);
  qrd_element *e;
  ck_assert_int_eq(qrd_element_int(4.0, 0, &e), QRD_OK);
  qrd_scaling sc;
  ck_assert_int_eq(qrd_scaling_parse("absmax:32", "e8m3", &sc), QRD_OK);
  qrd_block_direct f;
  ck_assert_int_eq(qrd_block_direct_init(&f, &sc, e), QRD_OK);
  double gain[12], ones[12], sse[4][12], x2[4][12];
  qrd_block_pass p = {.block = block, .n_batches = nb, .gain = gain};
  for (size_t k = 0; k < nb; k++) {
    gain[k] = ldexp(1.0, (int)k % 5 - 2);
    ones[k] = 1.0;
    size_t first, last;
    qrd_block_pass_range(&p, n, k, &first, &last);
    for (size_t i = first * block; i < last * block; i++)
      xg[i] = x[i] * gain[k];
  }
  ck_assert_int_eq(qrd_block_pass_run(x, n, &p, &f, 1, sse[0], x2[0]), QRD_OK);
  p.gain = ones;
  ck_assert_int_eq(qrd_block_pass_run(xg, n, &p, &f, 1, sse[1], x2[1]), QRD_OK);
  p.split_sum = 1;
  ck_assert_int_eq(qrd_block_pass_run(xg, n, &p, &f, 1, sse[2], x2[2]), QRD_OK);
  p.gain = NULL;
  ck_assert_int_eq(qrd_block_pass_run(xg, n, &p, &f, 1, sse[3], x2[3]), QRD_OK);
  for (size_t k = 0; k < nb; k++) {
    ck_assert_double_eq(sse[0][k], sse[1][k]);
    ck_assert_double_eq(x2[0][k], x2[1][k]);
    ck_assert_double_eq_tol(sse[2][k], sse[1][k], 1e-12 * sse[1][k]);
    ck_assert_double_eq(sse[3][k], sse[2][k]);
  }
  qrd_block_direct_free(&f);
  qrd_element_free(e);
  free(x);
  free(xg);
}
END_TEST

/* Batches evaluated in lockstep, several to a thread, give the bits each
 * gives evaluated alone (a pass over just its blocks): small codes (a
 * compare per edge) and large ones (the cell table), plain and split
 * sums, gains, absmax and signmax, an all-zero block, batches of unequal
 * length. */
static void pass_lanes_exact(size_t block)
{
  size_t nb = 11, n = block * 1003;
  double *x = sample("student-t:nu=5", 6, n);
  for (size_t i = 5 * block; i < 6 * block; i++)
    x[i] = 0.0;
  qrd_element *e[2];
  ck_assert_int_eq(qrd_element_int(4.0, 0, &e[0]), QRD_OK);
  ck_assert_int_eq(qrd_element_int(7.0, 0, &e[1]), QRD_OK);
  double gain[11];
  for (size_t k = 0; k < nb; k++)
    gain[k] = 0.75 + 0.05 * (double)k;
  for (int c = 0; c < 4; c++) {
    qrd_scaling sc;
    char scaling[32];
    snprintf(scaling, sizeof scaling, "%s:%zu", c % 2 ? "signmax" : "absmax", block);
    ck_assert_int_eq(qrd_scaling_parse(scaling, "e8m3", &sc), QRD_OK);
    qrd_block_direct f[2];
    for (int j = 0; j < 2; j++)
      ck_assert_int_eq(qrd_block_direct_init(&f[j], &sc, e[j]), QRD_OK);
    qrd_block_pass p = {.block = block, .n_batches = nb, .gain = c < 2 ? gain : NULL,
                        .split_sum = c % 2};
    double sse[22], x2[11];
    ck_assert_int_eq(qrd_block_pass_run(x, n, &p, f, 2, sse, x2), QRD_OK);
    for (size_t k = 0; k < nb; k++) {
      size_t first, last;
      qrd_block_pass_range(&p, n, k, &first, &last);
      qrd_block_pass alone = {.block = block, .n_batches = 1, .gain = p.gain ? &gain[k] : NULL,
                              .split_sum = p.split_sum};
      double sse1[2], x21;
      ck_assert_int_eq(qrd_block_pass_run(x + first * block, (last - first) * block, &alone, f,
                                          2, sse1, &x21), QRD_OK);
      ck_assert_msg(x2[k] == x21, "batch %zu: x2 %.17g alone %.17g", k, x2[k], x21);
      for (int j = 0; j < 2; j++)
        ck_assert_msg(sse[k * 2 + j] == sse1[j], "case %d batch %zu code %d: %.17g alone %.17g",
                      c, k, j, sse[k * 2 + j], sse1[j]);
    }
    for (int j = 0; j < 2; j++)
      qrd_block_direct_free(&f[j]);
  }
  for (int j = 0; j < 2; j++)
    qrd_element_free(e[j]);
  free(x);
}

START_TEST(test_pass_lanes_exact)
{
  /* 30 leaves a remainder after the four-value steps of the lockstep scan
   * and of its sums (split and not) */
  static const size_t blocks[] = {32, 30};
  for (size_t bi = 0; bi < 2; bi++)
    pass_lanes_exact(blocks[bi]);
}
END_TEST

/* The grouped jackknife against its definition written out: each
 * delete-one value recomputed from the batch sums. */
START_TEST(test_jackknife_groups)
{
  enum { NB = 12, G = 3 };
  double sse[NB], ref[NB], x2[NB], loo[NB];
  for (int k = 0; k < NB; k++) {
    x2[k] = 10.0 + k % 4;
    sse[k] = 0.1 + 0.01 * sin(k);
    ref[k] = 0.2 + 0.01 * cos(k);
  }
  double value, se, mean = 0.0, var = 0.0;
  for (int skip = -1; skip < NB; skip++) {
    double a = 0.0, b = 0.0;
    for (int j = 0; j < NB / G; j++) {
      double e = 0, r = 0, t = 0;
      for (int k = j * G; k < (j + 1) * G; k++)
        if (k != skip) {
          e += sse[k];
          r += ref[k];
          t += x2[k];
        }
      a += sqrt(e / t) / (NB / G);
      b += sqrt(r / t) / (NB / G);
    }
    if (skip < 0)
      value = a / b;
    else
      mean += (loo[skip] = a / b) / NB;
  }
  for (int k = 0; k < NB; k++)
    var += (loo[k] - mean) * (loo[k] - mean);
  double got, got_se;
  qrd_block_jackknife_groups(sse, ref, x2, NB, G, &got, &got_se);
  ck_assert_double_eq_tol(got, value, 1e-14);
  ck_assert_double_eq_tol(got_se, sqrt(var * (NB - 1) / NB), 1e-12);
  /* one group is the plain ratio estimator */
  qrd_block_result r;
  qrd_block_jackknife(sse, 1, x2, NB, &r);
  qrd_block_jackknife_groups(sse, NULL, x2, NB, NB, &got, &got_se);
  ck_assert_double_eq_tol(got, r.rel_rmse, 1e-14);
  ck_assert_double_eq_tol(got_se, r.rel_rmse_se, 1e-14);
  (void)se;
}
END_TEST

/* Code sums against a plain per-element loop: absmax and signmax, with
 * outliers, the cells found by a linear scan. */
START_TEST(test_code_sums)
{
  size_t n = 4096, block = 16, nb = 8, width;
  double *x = sample("student-t:nu=4", 2, n);
  qrd_element *e;
  ck_assert_int_eq(qrd_element_nf4(&e), QRD_OK);
  const qrd_codebook *c = e->cb;
  width = QRD_CODE_SUMS + c->n;
  double *got = malloc(nb * width * sizeof *got), *want = calloc(nb * width, sizeof *want);
  for (int signmax = 0; signmax < 2; signmax++) {
    double tau = signmax ? 3.0 : INFINITY;
    ck_assert_int_eq(qrd_block_code_sums(x, n, block, nb,
                                         signmax ? QRD_SCALING_SIGNMAX : QRD_SCALING_ABSMAX,
                                         tau, c, got), QRD_OK);
    memset(want, 0, nb * width * sizeof *want);
    for (size_t b = 0; b < n / block; b++) {
      double *w = want + b / (n / block / nb) * width, m = 0.0;
      for (size_t i = b * block; i < (b + 1) * block; i++)
        if (fabs(x[i]) <= tau && fabs(x[i]) > fabs(m))
          m = x[i];
      if (!signmax)
        m = fabs(m);
      for (size_t i = b * block; i < (b + 1) * block; i++) {
        w[QRD_CODE_ELEMENTS] += 1;
        w[QRD_CODE_W2] += x[i] * x[i];
        if (fabs(x[i]) > tau)
          continue;
        size_t k = 0;
        while (k + 1 < c->n && x[i] / m > c->edge[k + 1])
          k++;
        double err = fabs(x[i] / m - c->level[k]);
        w[QRD_CODE_L1] += err;
        w[QRD_CODE_L2] += err * err;
        w[QRD_CODE_MAE] += fabs(m) * err;
        w[QRD_CODE_MSE] += m * m * err * err;
        w[QRD_CODE_SUMS + k] += 1;
      }
    }
    for (size_t j = 0; j < nb * width; j++)
      ck_assert_msg(fabs(got[j] - want[j]) <= 1e-12 * fabs(want[j]), "%zu: %.17g vs %.17g", j,
                    got[j], want[j]);
  }
  qrd_element_free(e);
  free(x);
  free(got);
  free(want);
}
END_TEST

/* The estimates of code sums written out on each set of batches: per
 * element means, R = sqrt(MSE / W2), the entropy -sum p log2 p of the
 * counts; every delete-one value summed afresh over the other batches
 * (not as total minus batch), the jackknife SE by its formula, and the
 * batch mean with its plain standard error s / sqrt(nb). */
static void code_values(const double *sums, size_t nb, size_t levels, size_t skip, double *v)
{
  size_t width = QRD_CODE_SUMS + levels;
  double t[QRD_CODE_SUMS + 16] = {0}, coded = 0.0, h = 0.0;
  for (size_t k = 0; k < nb; k++)
    for (size_t j = 0; k != skip && j < width; j++)
      t[j] += sums[k * width + j];
  for (size_t j = 0; j < levels; j++)
    coded += t[QRD_CODE_SUMS + j];
  for (size_t j = 0; j < levels; j++)
    if (t[QRD_CODE_SUMS + j] > 0)
      h -= t[QRD_CODE_SUMS + j] / coded * log2(t[QRD_CODE_SUMS + j] / coded);
  v[QRD_CODE_EST_ENTROPY] = h;
  v[QRD_CODE_EST_L1] = t[QRD_CODE_L1] / t[QRD_CODE_ELEMENTS];
  v[QRD_CODE_EST_L2] = t[QRD_CODE_L2] / t[QRD_CODE_ELEMENTS];
  v[QRD_CODE_EST_MAE] = t[QRD_CODE_MAE] / t[QRD_CODE_ELEMENTS];
  v[QRD_CODE_EST_MSE] = t[QRD_CODE_MSE] / t[QRD_CODE_ELEMENTS];
  v[QRD_CODE_EST_R] = sqrt(t[QRD_CODE_MSE] / t[QRD_CODE_W2]);
}

START_TEST(test_code_estimate)
{
  enum { NB = 16 };
  size_t n = 1 << 14, block = 32;
  double *x = sample("gaussian", 5, n);
  qrd_element *e;
  ck_assert_int_eq(qrd_element_nf4(&e), QRD_OK);
  size_t levels = e->cb->n, width = QRD_CODE_SUMS + levels;
  double *sums = malloc(NB * width * sizeof *sums);
  ck_assert_int_eq(qrd_block_code_sums(x, n, block, NB, QRD_SCALING_ABSMAX, INFINITY, e->cb,
                                       sums), QRD_OK);
  double got[QRD_CODE_ESTIMATES], got_se[QRD_CODE_ESTIMATES], all[QRD_CODE_ESTIMATES];
  double loo[NB][QRD_CODE_ESTIMATES];
  ck_assert_int_eq(qrd_block_code_estimate(sums, NB, levels, got, got_se), QRD_OK);
  code_values(sums, NB, levels, NB, all);
  for (size_t k = 0; k < NB; k++)
    code_values(sums, NB, levels, k, loo[k]);
  for (int j = 0; j < QRD_CODE_ESTIMATES; j++) {
    double mean = 0.0, ss = 0.0;
    for (int k = 0; k < NB; k++)
      mean += loo[k][j] / NB;
    for (int k = 0; k < NB; k++)
      ss += (loo[k][j] - mean) * (loo[k][j] - mean);
    double want_se = sqrt(ss * (NB - 1) / NB);
    ck_assert_double_eq_tol(got[j], all[j], 1e-12 * all[j]);
    ck_assert_msg(fabs(got_se[j] - want_se) < 1e-6 * want_se, "%d: se %.12g vs %.12g", j,
                  got_se[j], want_se);
  }
  double mean, se, m = 0.0, ss = 0.0, per[NB];
  qrd_block_code_batch_mean(sums, NB, levels, QRD_CODE_L1, &mean, &se);
  for (int k = 0; k < NB; k++)
    m += (per[k] = sums[k * width + QRD_CODE_L1] / sums[k * width + QRD_CODE_ELEMENTS]) / NB;
  for (int k = 0; k < NB; k++)
    ss += (per[k] - m) * (per[k] - m);
  ck_assert_double_eq_tol(mean, m, 1e-14);
  ck_assert_double_eq_tol(se, sqrt(ss / (NB - 1) / NB), 1e-10 * se);
  /* equal batches: the batch mean is the pooled mean */
  ck_assert_double_eq_tol(mean, got[QRD_CODE_EST_L1], 1e-12 * mean);
  qrd_element_free(e);
  free(sums);
  free(x);
}
END_TEST

/* Per batch (nb of them), the pass's sums of the INT and FP codes through
 * their grid rules and with the rule cleared (compare chain, or cell
 * table for int8 and E4M3) under absmax E8M0 and bf16 and signmax bf16
 * scales: identical. */
static void grid_vs_chain(const double *x, size_t n, size_t block, size_t nb)
{
  enum { NE = 11 };
  qrd_element *e[NE];
  /* the grid rule each takes: none for NF4, E3M0 (M = 0) and rounding
   * toward zero (edges not midpoints) */
  static const int grid[NE] = {1, 2, 2, 1, 1, 0, 3, 3, 3, 0, 0};
  ck_assert_int_eq(qrd_element_int(4.0, 0, &e[0]), QRD_OK);
  ck_assert_int_eq(qrd_element_int(4.0, 1, &e[1]), QRD_OK);
  ck_assert_int_eq(qrd_element_int(3.0, 1, &e[2]), QRD_OK);
  ck_assert_int_eq(qrd_element_int(log2(6.0), 0, &e[3]), QRD_OK);
  ck_assert_int_eq(qrd_element_int(8.0, 0, &e[4]), QRD_OK);
  ck_assert_int_eq(qrd_element_nf4(&e[5]), QRD_OK);
  ck_assert_int_eq(qrd_element_fp(2, 1, QRD_FP_NEAREST, &e[6]), QRD_OK);
  ck_assert_int_eq(qrd_element_fp(4, 3, QRD_FP_NEAREST, &e[7]), QRD_OK);
  ck_assert_int_eq(qrd_element_fp(1, 2, QRD_FP_NEAREST, &e[8]), QRD_OK);
  ck_assert_int_eq(qrd_element_fp(3, 0, QRD_FP_NEAREST, &e[9]), QRD_OK);
  ck_assert_int_eq(qrd_element_fp(2, 1, QRD_FP_TO_ZERO, &e[10]), QRD_OK);
  double *sse = malloc(2 * nb * NE * sizeof *sse), *x2 = malloc(2 * nb * sizeof *x2);
  ck_assert(sse && x2);
  for (int k = 0; k < 3; k++) {
    qrd_scaling sc;
    char scaling[32];
    snprintf(scaling, sizeof scaling, "%s:%zu", k == 2 ? "signmax" : "absmax", block);
    ck_assert_int_eq(qrd_scaling_parse(scaling, k ? "bf16" : "e8m0", &sc), QRD_OK);
    qrd_block_direct f[NE], chain[NE];
    for (int j = 0; j < NE; j++) {
      ck_assert_int_eq(qrd_block_direct_init(&f[j], &sc, e[j]), QRD_OK);
      ck_assert_msg(f[j].grid == grid[j], "%s: grid %d", e[j]->name, f[j].grid);
      chain[j] = f[j];
      chain[j].grid = 0;
    }
    for (int split = 0; split < 2; split++) {
      qrd_block_pass p = {.block = block, .n_batches = nb, .split_sum = split};
      ck_assert_int_eq(qrd_block_pass_run(x, n, &p, f, NE, sse, x2), QRD_OK);
      ck_assert_int_eq(qrd_block_pass_run(x, n, &p, chain, NE, sse + nb * NE, x2 + nb), QRD_OK);
      for (size_t i = 0; i < nb * NE; i++)
        ck_assert_msg(sse[i] == sse[nb * NE + i], "%s %s, batch %zu: grid %.17g, chain %.17g",
                      scaling, e[i % NE]->name, i / NE, sse[i], sse[nb * NE + i]);
    }
    for (int j = 0; j < NE; j++)
      qrd_block_direct_free(&f[j]);
  }
  for (int j = 0; j < NE; j++)
    qrd_element_free(e[j]);
  free(sse);
  free(x2);
}

/* The grid rules of the INT and FP codes give the squared errors of the
 * compare chain or cell table bit for bit.  Multiples of 1/8 under E8M0
 * (power-of-two) scales land exactly on levels and midpoints, where the
 * tie rules differ, or a double either side of them, where an inexact
 * rounding would pick the farther level; values within 2^-46 of zero
 * (a midpoint of the half-integer grids) alone in a block beside the
 * extreme, where a squared error differing in its last bit changes the
 * block's sum, and so the midpoints of E4M3 and their neighbours in
 * every binade, subnormals included; heavy-tailed values, zeros, an all-zero block, blocks of
 * 30 (remainders after every four-value step), split and plain sums. */
START_TEST(test_grid_matches_chain)
{
  size_t block = 30, n = block * 1001;
  double *x = sample("student-t:nu=3", 8, n);
  for (size_t i = 0; i < n / 2; i++) {
    x[i] = (double)((long)(i * 7919 % 145) - 72) / 8.0; /* -9 ... 9 */
    x[i] = i % 3 == 1 ? nextafter(x[i], INFINITY) : i % 3 == 2 ? nextafter(x[i], -INFINITY) : x[i];
  }
  for (size_t i = 0; i < n; i += 17)
    x[i] = 0.0;
  for (size_t i = 40 * block; i < 41 * block; i++)
    x[i] = 0.0;
  grid_vs_chain(x, n, block, 13);
  /* pairs (extreme, tiny): +-8, +-2^-46 ... +-3 2^-58 */
  enum { PAIRS = 128 };
  for (size_t i = 0; i < PAIRS; i++) {
    x[2 * i] = i % 4 < 2 ? 8.0 : -8.0;
    x[2 * i + 1] = ldexp(i % 2 ? 1.0 : -1.0, -46 - (int)(i / 2 % 13)) * (i % 8 < 4 ? 1.0 : 3.0);
  }
  grid_vs_chain(x, 2 * PAIRS, 2, PAIRS);
  /* pairs (extreme, near a midpoint of E4M3): its largest level under E8M0
   * has the scale 1, so every value is a midpoint t, or the double either
   * side */
  qrd_element *fp;
  ck_assert_int_eq(qrd_element_fp(4, 3, QRD_FP_NEAREST, &fp), QRD_OK);
  size_t half = fp->cb->n / 2, pairs = 0;
  for (size_t i = half + 1; i < fp->cb->n && pairs + 3 <= PAIRS; i += 3) {
    double t = 0.5 * (fp->cb->level[i - 1] + fp->cb->level[i]);
    double near[3] = {nextafter(t, -INFINITY), t, nextafter(t, INFINITY)};
    for (int k = 0; k < 3; k++, pairs++) {
      x[2 * pairs] = fp->cb->level[fp->cb->n - 1];
      x[2 * pairs + 1] = pairs % 2 ? near[k] : -near[k];
    }
  }
  grid_vs_chain(x, 2 * pairs, 2, pairs);
  qrd_element_free(fp);
  free(x);
}
END_TEST

Suite *qrd_suite_block(void)
{
  Suite *s = suite_create("block");
  TCase *tc = tcase_create("block");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_mc_matches_exact);
  tcase_add_test(tc, test_bits);
  tcase_add_test(tc, test_counts_only);
  tcase_add_test(tc, test_outliers_help_heavy_tails);
  tcase_add_test(tc, test_absmax_extremes_exact);
  tcase_add_test(tc, test_normalise_scales);
  tcase_add_test(tc, test_coded_bits);
  tcase_add_test(tc, test_coded_memo);
  tcase_add_test(tc, test_from_normalised);
  tcase_add_test(tc, test_direct_matches_sorted);
  tcase_add_test(tc, test_pass_gain_split);
  tcase_add_test(tc, test_pass_lanes_exact);
  tcase_add_test(tc, test_grid_matches_chain);
  tcase_add_test(tc, test_jackknife_groups);
  tcase_add_test(tc, test_code_sums);
  tcase_add_test(tc, test_code_estimate);
  tcase_add_test(tc, test_efficiency);
  tcase_add_test(tc, test_bad_input);
  suite_add_tcase(s, tc);
  return s;
}
