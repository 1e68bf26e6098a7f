/* Fisher-optimal bit allocation (alloc/alloc.h, Orr et al.) and
 * `qrd allocate`.
 *
 * Hand example H (worked on paper): tensors
 *   a: |T| = 1, σ = 1,   f̄ = 1   δ = 0
 *   b: |T| = 1, σ = 2,   f̄ = 4   δ = 1 + 1 = 2
 *   c: |T| = 2, σ = 1/2, f̄ = 1   δ = −1
 * so δ̄ = (0 + 2 − 2)/4 = 0 and b_t = b̄ + δ_t: at b̄ = 4 the bits are 4, 6, 3.
 * f̄σ² = 1, 16, 1/4: AM = (1 + 16 + 2·¼)/4 = 4.375, GM = 2^{2δ̄} = 1, so the
 * saving is ½ log2 4.375 = 1.0646415084724832.  With ε = 1 the flat 4-bit KL
 * is ½ · 17.5 · 2^−8 = 0.0341796875 and the optimal one
 * ½ (2^−8 + 16·2^−12 + 2·¼·2^−6) = 2^−7 = 0.0078125. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "alloc/alloc.h"
#include "core/error.h"
#include "cli_run.h"
#include "suites.h"

#define STANDIN "data/standin-llama32.tsv"
#define HAND_SAVING 1.0646415084724832

static qrd_alloc_tensor hand_tensors[] = {
  {"a", 1, 1.0, 1.0}, {"b", 1, 2.0, 4.0}, {"c", 2, 0.5, 2.0}};
static const qrd_alloc_stats hand = {3, hand_tensors};

static void expect_bits(const qrd_alloc_stats *s, double target, double min_bits,
                        qrd_alloc_kind kind, const double *want)
{
  double got[8];
  ck_assert_int_eq(qrd_alloc_bits(s, target, min_bits, kind, got), QRD_OK);
  for (size_t t = 0; t < s->n; t++)
    ck_assert_msg(fabs(got[t] - want[t]) < 1e-12, "%s b̄=%g min=%g tensor %zu: %.17g, want %g",
                  qrd_alloc_kind_name(kind), target, min_bits, t, got[t], want[t]);
}

/* Deterministic statistics with spreads like Llama-3.1-8B's (Orr et al.). */
static qrd_alloc_stats *random_stats(size_t n, unsigned long seed)
{
  qrd_alloc_stats *s = malloc(sizeof *s);
  ck_assert_ptr_nonnull(s);
  s->n = n;
  s->tensor = calloc(n, sizeof *s->tensor);
  ck_assert_ptr_nonnull(s->tensor);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  for (size_t t = 0; t < n; t++) {
    qrd_alloc_tensor *x = &s->tensor[t];
    snprintf(x->name, sizeof x->name, "t%zu", t);
    x->numel = 1.0 + (double)gsl_rng_uniform_int(rng, 1000000);
    x->rms = exp2(gsl_ran_gaussian(rng, 0.465) - 5.0);
    x->fisher_sum = x->numel * exp2(2.0 * gsl_ran_gaussian(rng, 0.88) - 20.0);
  }
  gsl_rng_free(rng);
  return s;
}

/* ½ log2(AM/GM) of the size-weighted f̄σ², straight from the definition. */
static double am_gm_saving(const qrd_alloc_stats *s)
{
  double n = 0.0, am = 0.0, log_gm = 0.0;
  for (size_t t = 0; t < s->n; t++) {
    const qrd_alloc_tensor *x = &s->tensor[t];
    double v = x->fisher_sum / x->numel * x->rms * x->rms;
    n += x->numel;
    am += x->numel * v;
    log_gm += x->numel * log2(v);
  }
  return 0.5 * (log2(am / n) - log_gm / n);
}

/* ---- allocation ---- */

START_TEST(test_hand_example)
{
  const double want4[] = {4, 6, 3};
  expect_bits(&hand, 4.0, 2.0, QRD_ALLOC_OPTIMAL, want4);
  double bits[3];
  ck_assert_int_eq(qrd_alloc_bits(&hand, 4.0, 2.0, QRD_ALLOC_OPTIMAL, bits), QRD_OK);
  qrd_alloc_summary m = qrd_alloc_summarise(&hand, bits, 1.0);
  ck_assert_double_eq_tol(m.mean_bits, 4.0, 1e-15);
  ck_assert_double_eq_tol(m.kl, 0.0078125, 1e-16);
  ck_assert_double_eq_tol(m.saving, HAND_SAVING, 1e-13);
  ck_assert_double_eq_tol(m.flat_bits, 4.0 + HAND_SAVING, 1e-13);
  ck_assert_int_eq(qrd_alloc_bits(&hand, 4.0, 2.0, QRD_ALLOC_FLAT, bits), QRD_OK);
  ck_assert_double_eq_tol(qrd_alloc_predicted_kl(&hand, bits, 1.0), 0.0341796875, 1e-16);
  /* ε scales the KL by ε² and leaves the saving alone */
  ck_assert_int_eq(qrd_alloc_bits(&hand, 4.0, 2.0, QRD_ALLOC_OPTIMAL, bits), QRD_OK);
  m = qrd_alloc_summarise(&hand, bits, 3.0);
  ck_assert_double_eq_tol(m.kl, 9.0 * 0.0078125, 1e-15);
  ck_assert_double_eq_tol(m.saving, HAND_SAVING, 1e-13);
}
END_TEST

/* Clamped / rounded by hand from the optimal bits b̄ + (0, 2, −1). */
START_TEST(test_round_and_clamp)
{
  const double opt33[] = {3.3, 5.3, 2.3}, round33[] = {3, 5, 2};
  const double clamp33_fp[] = {3.3, 5.3, 3}, round33_fp[] = {3, 5, 3};
  const double round35[] = {4, 6, 2}; /* 3.5, 5.5, 2.5: half to even */
  const double clamp24[] = {2.4, 4.4, 2};
  expect_bits(&hand, 3.3, 2.0, QRD_ALLOC_CLAMPED, opt33);
  expect_bits(&hand, 3.3, 2.0, QRD_ALLOC_ROUNDED, round33);
  expect_bits(&hand, 3.3, 3.0, QRD_ALLOC_CLAMPED, clamp33_fp);
  expect_bits(&hand, 3.3, 3.0, QRD_ALLOC_ROUNDED, round33_fp);
  expect_bits(&hand, 3.5, 2.0, QRD_ALLOC_ROUNDED, round35);
  expect_bits(&hand, 2.4, 2.0, QRD_ALLOC_CLAMPED, clamp24);
  /* no re-balancing: the achieved means are (3+5+4)/4, (3.3+5.3+6)/4, (2.4+4.4+4)/4 */
  ck_assert_double_eq_tol(qrd_alloc_mean_bits(&hand, round33), 3.0, 1e-15);
  ck_assert_double_eq_tol(qrd_alloc_mean_bits(&hand, clamp33_fp), 3.65, 1e-15);
  ck_assert_double_eq_tol(qrd_alloc_mean_bits(&hand, clamp24), 2.7, 1e-15);
}
END_TEST

START_TEST(test_constraint_exact)
{
  qrd_alloc_stats *s = random_stats(200, 7);
  double *bits = malloc(s->n * sizeof *bits);
  for (double target = 2.0; target <= 8.0; target += 0.37) {
    ck_assert_int_eq(qrd_alloc_bits(s, target, 2.0, QRD_ALLOC_OPTIMAL, bits), QRD_OK);
    double mean = qrd_alloc_mean_bits(s, bits);
    ck_assert_msg(fabs(mean - target) < 1e-12, "b̄ %g: mean %.17g", target, mean);
  }
  free(bits);
  qrd_alloc_stats_free(s);
}
END_TEST

/* Equal f̄σ² (4 for each: f̄ = 4, 1, 16 with σ = 1, 2, ½): flat. */
START_TEST(test_equal_sensitivity_is_flat)
{
  qrd_alloc_tensor t[] = {{"x", 3, 1.0, 12.0}, {"y", 5, 2.0, 5.0}, {"z", 7, 0.5, 112.0}};
  qrd_alloc_stats s = {3, t};
  const double want[] = {3.7, 3.7, 3.7};
  expect_bits(&s, 3.7, 2.0, QRD_ALLOC_OPTIMAL, want);
  double bits[3];
  qrd_alloc_bits(&s, 3.7, 2.0, QRD_ALLOC_OPTIMAL, bits);
  qrd_alloc_summary m = qrd_alloc_summarise(&s, bits, 1.2);
  ck_assert_double_eq_tol(m.saving, 0.0, 1e-13);
  qrd_alloc_bits(&s, 3.7, 2.0, QRD_ALLOC_FLAT, bits);
  ck_assert_double_eq_tol(m.kl, qrd_alloc_predicted_kl(&s, bits, 1.2), 1e-15 * m.kl);
}
END_TEST

/* The saving, computed from predicted KLs, against ½ log2(AM/GM) from the
 * definition, for several b̄ and ε. */
START_TEST(test_saving_closed_form)
{
  qrd_alloc_stats *s = random_stats(300, 11);
  double *bits = malloc(s->n * sizeof *bits), want = am_gm_saving(s);
  ck_assert_msg(want > 0.5, "spread too small for a meaningful test: %g", want);
  for (double target = 2.0; target <= 8.0; target += 1.5) {
    ck_assert_int_eq(qrd_alloc_bits(s, target, 2.0, QRD_ALLOC_OPTIMAL, bits), QRD_OK);
    qrd_alloc_summary m = qrd_alloc_summarise(s, bits, 0.7 + target / 10.0);
    ck_assert_msg(fabs(m.saving - want) < 1e-10, "b̄ %g: saving %.15g, AM/GM %.15g", target,
                  m.saving, want);
  }
  /* clamping at a high minimum and rounding only lose */
  ck_assert_int_eq(qrd_alloc_bits(s, 3.0, 3.0, QRD_ALLOC_CLAMPED, bits), QRD_OK);
  ck_assert_double_lt(qrd_alloc_summarise(s, bits, 1.0).saving, want);
  ck_assert_int_eq(qrd_alloc_bits(s, 3.0, 2.0, QRD_ALLOC_ROUNDED, bits), QRD_OK);
  ck_assert_double_lt(qrd_alloc_summarise(s, bits, 1.0).saving, want);
  free(bits);
  qrd_alloc_stats_free(s);
}
END_TEST

/* A: no Fisher -> min_bits; B (δ = 0) and C (δ = 1) share (4·4 − 2)/3 = 14/3
 * around δ̄ = 2/3: 4 and 5; the mean is (2 + 4 + 2·5)/4 = 4. */
START_TEST(test_zero_fisher)
{
  qrd_alloc_tensor t[] = {{"a", 1, 1.0, 0.0}, {"b", 1, 1.0, 1.0}, {"c", 2, 1.0, 8.0}};
  qrd_alloc_stats s = {3, t};
  const double want[] = {2, 4, 5};
  expect_bits(&s, 4.0, 2.0, QRD_ALLOC_OPTIMAL, want);
  ck_assert_double_eq_tol(qrd_alloc_mean_bits(&s, want), 4.0, 1e-15);
  /* no Fisher at all: every allocation predicts 0, so flat */
  qrd_alloc_tensor z[] = {{"a", 1, 1.0, 0.0}, {"b", 3, 2.0, 0.0}};
  qrd_alloc_stats sz = {2, z};
  const double flat[] = {3.5, 3.5};
  expect_bits(&sz, 3.5, 2.0, QRD_ALLOC_OPTIMAL, flat);
  qrd_alloc_summary m = qrd_alloc_summarise(&sz, flat, 1.0);
  ck_assert_double_eq(m.kl, 0.0);
  ck_assert_double_eq(m.saving, 0.0);
}
END_TEST

static void expect_invalid(qrd_alloc_tensor t, const char *keyword)
{
  qrd_alloc_stats s = {1, &t};
  double bits[1];
  ck_assert_int_eq(qrd_alloc_bits(&s, 4.0, 2.0, QRD_ALLOC_OPTIMAL, bits), QRD_EINVAL);
  ck_assert_msg(strstr(qrd_error_detail(), keyword) && strstr(qrd_error_detail(), t.name),
                "'%s' lacks '%s' or '%s'", qrd_error_detail(), keyword, t.name);
}

START_TEST(test_bad_requests)
{
  double bits[3];
  ck_assert_int_eq(qrd_alloc_bits(&hand, 1.9, 2.0, QRD_ALLOC_OPTIMAL, bits), QRD_EDOM);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "below the minimum width"));
  ck_assert_int_eq(qrd_alloc_bits(&hand, 2.9, 3.0, QRD_ALLOC_FLAT, bits), QRD_EDOM);
  ck_assert_int_eq(qrd_alloc_bits(&hand, NAN, 2.0, QRD_ALLOC_OPTIMAL, bits), QRD_EDOM);
  ck_assert_int_eq(qrd_alloc_bits(&hand, 4.0, -1.0, QRD_ALLOC_OPTIMAL, bits), QRD_EINVAL);
  qrd_alloc_stats empty = {0, NULL};
  ck_assert_int_eq(qrd_alloc_bits(&empty, 4.0, 2.0, QRD_ALLOC_OPTIMAL, bits), QRD_EINVAL);
  expect_invalid((qrd_alloc_tensor){"zero-count", 0, 1.0, 1.0}, "numel");
  expect_invalid((qrd_alloc_tensor){"half-count", 1.5, 1.0, 1.0}, "numel");
  expect_invalid((qrd_alloc_tensor){"zero-rms", 4, 0.0, 1.0}, "rms");
  expect_invalid((qrd_alloc_tensor){"negative-fisher", 4, 1.0, -1e-9}, "fisher_sum");
  expect_invalid((qrd_alloc_tensor){"nan-fisher", 4, 1.0, NAN}, "fisher_sum");
}
END_TEST

/* ---- statistics files ---- */

static char tmpdir[64];

static void tmpdir_open(void)
{
  strcpy(tmpdir, "/tmp/qrd-alloc-XXXXXX");
  if (!mkdtemp(tmpdir))
    tmpdir[0] = '\0';
}

static void tmpdir_close(void)
{
  char cmd[128];
  if (!tmpdir[0])
    return;
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", tmpdir);
}

/* Writes text to tmpdir/name; returns the path (static buffer). */
static const char *write_file(const char *name, const char *text)
{
  static char path[128];
  ck_assert_msg(tmpdir[0], "no temporary directory");
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  ck_assert_int_eq(fclose(f), 0);
  return path;
}

static const char hand_tsv[] =
  "# hand example H\n"
  "rms\tfisher_sum\tname\tnote\tnumel\r\n"
  "1\t1\ta\tfirst\t1\n"
  "\n"
  "# a comment between rows\n"
  "2\t4\tb\t\t1\n"
  "0.5\t2\tc\tlast\t2\n";

START_TEST(test_read_stats)
{
  qrd_alloc_stats *s;
  ck_assert_int_eq(qrd_alloc_stats_read(write_file("hand.tsv", hand_tsv), &s), QRD_OK);
  ck_assert_uint_eq(s->n, 3);
  for (size_t t = 0; t < 3; t++) {
    ck_assert_str_eq(s->tensor[t].name, hand_tensors[t].name);
    ck_assert_double_eq(s->tensor[t].numel, hand_tensors[t].numel);
    ck_assert_double_eq(s->tensor[t].rms, hand_tensors[t].rms);
    ck_assert_double_eq(s->tensor[t].fisher_sum, hand_tensors[t].fisher_sum);
  }
  qrd_alloc_stats_free(s);
}
END_TEST

/* Each bad file fails with the status and a detail holding every keyword. */
static void expect_bad_file(const char *text, int status, const char *k1, const char *k2)
{
  qrd_alloc_stats dummy, *s = &dummy;
  const char *path = write_file("bad.tsv", text);
  ck_assert_int_eq(qrd_alloc_stats_read(path, &s), status);
  ck_assert_ptr_null(s);
  const char *d = qrd_error_detail();
  ck_assert_msg(strstr(d, k1) && strstr(d, k2), "'%s' lacks '%s' or '%s'", d, k1, k2);
}

START_TEST(test_read_bad_stats)
{
  expect_bad_file("name\tnumel\trms\n", QRD_EINVAL, "bad.tsv:1", "fisher_sum");
  expect_bad_file("# c\nname\tnumel\trms\tfisher_sum\nq\t10\t0.1\t-2\n", QRD_EINVAL,
                  "bad.tsv:3", "fisher_sum");
  expect_bad_file("name\tnumel\trms\tfisher_sum\nq\t0\t0.1\t2\n", QRD_EINVAL, ":2", "numel");
  expect_bad_file("name\tnumel\trms\tfisher_sum\nq\t10\t-0.1\t2\n", QRD_EINVAL, ":2", "rms");
  expect_bad_file("name\tnumel\trms\tfisher_sum\nq\t10\tabc\t2\n", QRD_EINVAL, "'abc'",
                  "not a number");
  expect_bad_file("name\tnumel\trms\tfisher_sum\nq\t10\t0.1\n", QRD_EINVAL, ":2", "fields");
  expect_bad_file("name\tnumel\trms\tfisher_sum\n# no rows\n", QRD_EINVAL, "bad.tsv",
                  "no tensors");
  expect_bad_file("", QRD_EINVAL, "bad.tsv", "no tensors");
  qrd_alloc_stats *s;
  ck_assert_int_eq(qrd_alloc_stats_read("/tmp/qrd-alloc-no-such-file.tsv", &s), QRD_EIO);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "no-such-file"));
}
END_TEST

/* The committed stand-in: Llama-3.1-8B's 2-D tensors (with its 65 RMSNorm
 * vectors of 4096, the published 8,030,261,248 parameters) and Orr et al.'s
 * spreads std(½ log2 f̄) = 0.880, std(log2 σ) = 0.465. */
START_TEST(test_standin_file)
{
  qrd_alloc_stats *s;
  ck_assert_msg(qrd_alloc_stats_read(STANDIN, &s) == QRD_OK, "%s", qrd_error_detail());
  ck_assert_uint_eq(s->n, 226);
  double total = 65.0 * 4096.0, h[226], lr[226];
  for (size_t t = 0; t < s->n; t++) {
    total += s->tensor[t].numel;
    h[t] = 0.5 * log2(s->tensor[t].fisher_sum / s->tensor[t].numel);
    lr[t] = log2(s->tensor[t].rms);
  }
  ck_assert_double_eq(total, 8030261248.0);
  ck_assert_double_eq_tol(gsl_stats_sd(h, 1, s->n), 0.880, 5e-4);
  ck_assert_double_eq_tol(gsl_stats_sd(lr, 1, s->n), 0.465, 5e-4);
  qrd_alloc_stats_free(s);
}
END_TEST

/* ---- qrd allocate ---- */

static void expect_cli_bad(const char *args, const char *keyword)
{
  char full[1024];
  snprintf(full, sizeof full, "allocate %s", args);
  qrd_test_expect_bad(full, keyword, NULL);
}

START_TEST(test_cli_bad_input)
{
  char args[256];
  expect_cli_bad("/tmp/qrd-alloc-no-such-file.tsv --bits 4", "no-such-file");
  expect_cli_bad(STANDIN " --bits 1.5", "below the minimum width");
  expect_cli_bad(STANDIN " --bits 2.5 --min-bits 3", "below the minimum width");
  expect_cli_bad(STANDIN " --bits four", "not a number");
  expect_cli_bad(STANDIN, "--bits");
  snprintf(args, sizeof args, "%s --bits 4",
           write_file("neg.tsv", "name\tnumel\trms\tfisher_sum\nq\t10\t0.1\t-2\n"));
  expect_cli_bad(args, "neg.tsv:2");
  snprintf(args, sizeof args, "%s --bits 4",
           write_file("cols.tsv", "name\tcount\trms\tfisher_sum\nq\t10\t0.1\t2\n"));
  expect_cli_bad(args, "numel");
}
END_TEST

/* The hand example end to end: per-tensor bits and the summary. */
START_TEST(test_cli_hand_example)
{
  const char *path = write_file("hand.tsv", hand_tsv);
  char args[256];
  snprintf(args, sizeof args, "allocate %s --bits 4", path);
  char *out = qrd_test_expect_ok(args);
  ck_assert_str_eq(out,
                   "target_bits\tname\tnumel\trms\tfisher_mean\tdelta\toptimal\tclamped\trounded\n"
                   "4\ta\t1\t1\t1\t0\t4\t4\t4\n"
                   "4\tb\t1\t2\t4\t2\t6\t6\t6\n"
                   "4\tc\t2\t0.5\t1\t-1\t3\t3\t3\n");
  free(out);
  snprintf(args, sizeof args, "allocate %s --bits 4 --summary --epsilon 1", path);
  out = qrd_test_expect_ok(args);
  char want[512];
  snprintf(want, sizeof want,
           "target_bits\tallocation\tmean_bits\tpredicted_kl\tflat_bits_same_kl\tsaving_bits\n"
           "4\tflat\t4\t0.0341796875\t4\t0\n"
           "4\toptimal\t4\t0.0078125\t%.10g\t%.10g\n",
           4.0 + HAND_SAVING, HAND_SAVING);
  ck_assert_msg(strncmp(out, want, strlen(want)) == 0, "got '%s', want prefix '%s'", out,
                want);
  free(out);
}
END_TEST

/* Tensor names by hand: layers, types, positions of unlayered tensors
 * (before the first layer when they come first in the file, after the
 * last otherwise) and a type's points sorted by layer. */
START_TEST(test_layers_by_name)
{
  static qrd_alloc_tensor t[] = {{"embed.weight", 1, 1, 1},
                                 {"model.layers.7.mlp.up_proj.weight", 1, 1, 1},
                                 {"model.layers.3.mlp.up_proj.weight", 1, 1, 1},
                                 {"lm_head.weight", 1, 1, 1}};
  const qrd_alloc_stats s = {4, t};
  char type[QRD_ALLOC_NAME_MAX];
  double pos[4], lo, hi, x[4], y[4], bits[4] = {1, 2, 3, 4};
  ck_assert_int_eq(qrd_alloc_classify(t[1].name, type, sizeof type), 7);
  ck_assert_str_eq(type, "up_proj");
  ck_assert_int_eq(qrd_alloc_classify(t[3].name, type, sizeof type), -1);
  ck_assert_str_eq(type, "lm_head");
  qrd_alloc_layer_positions(&s, pos, &lo, &hi);
  const double want[4] = {2, 7, 3, 8};
  for (size_t i = 0; i < 4; i++)
    ck_assert_double_eq(pos[i], want[i]);
  ck_assert_double_eq(lo, 2);
  ck_assert_double_eq(hi, 8);
  ck_assert(qrd_alloc_first_of_type(&s, 1, type, sizeof type));
  ck_assert(!qrd_alloc_first_of_type(&s, 2, type, sizeof type));
  ck_assert_uint_eq(qrd_alloc_type_points(&s, "up_proj", pos, bits, x, y), 2);
  ck_assert_double_eq(x[0], 3);
  ck_assert_double_eq(y[0], 3);
  ck_assert_double_eq(x[1], 7);
  ck_assert_double_eq(y[1], 2);
}
END_TEST

/* Every kind at once on hand example H: the optimal saving is its
 * ½ log2 4.375, the flat one 0, and the optimal KL 2^-7 at b̄ = 4, ε = 1. */
START_TEST(test_summarise_kinds_hand)
{
  double bits[3];
  qrd_alloc_summary sum[QRD_ALLOC_N_KINDS];
  ck_assert_int_eq(qrd_alloc_summarise_kinds(&hand, 4.0, 2.0, 1.0, bits, sum), QRD_OK);
  ck_assert_double_eq_tol(sum[QRD_ALLOC_OPTIMAL].saving, HAND_SAVING, 1e-12);
  ck_assert_double_eq_tol(sum[QRD_ALLOC_OPTIMAL].kl, 0.0078125, 1e-15);
  ck_assert_double_eq_tol(sum[QRD_ALLOC_FLAT].saving, 0.0, 1e-12);
  ck_assert_double_eq_tol(sum[QRD_ALLOC_FLAT].kl, 0.0341796875, 1e-15);
}
END_TEST

Suite *qrd_suite_alloc(void)
{
  Suite *s = suite_create("alloc");
  TCase *tc = tcase_create("allocation");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_hand_example);
  tcase_add_test(tc, test_round_and_clamp);
  tcase_add_test(tc, test_constraint_exact);
  tcase_add_test(tc, test_equal_sensitivity_is_flat);
  tcase_add_test(tc, test_saving_closed_form);
  tcase_add_test(tc, test_zero_fisher);
  tcase_add_test(tc, test_bad_requests);
  tcase_add_test(tc, test_layers_by_name);
  tcase_add_test(tc, test_summarise_kinds_hand);
  suite_add_tcase(s, tc);

  tc = tcase_create("files");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_unchecked_fixture(tc, tmpdir_open, tmpdir_close);
  tcase_add_test(tc, test_read_stats);
  tcase_add_test(tc, test_read_bad_stats);
  tcase_add_test(tc, test_standin_file);
  tcase_add_test(tc, test_cli_bad_input);
  tcase_add_test(tc, test_cli_hand_example);
  suite_add_tcase(s, tc);
  return s;
}
