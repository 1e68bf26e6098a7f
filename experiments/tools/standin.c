/* A synthetic stand-in for per-tensor statistics of a 32-layer Llama-style
 * transformer (Llama-3.1-8B shapes), in the format of `qrd allocate`
 * (src/alloc/alloc.h).  The paper's per-tensor Fisher sums and RMS values
 * are not public; this file only exercises the code path.
 *
 * Model: for tensor t of type k in layer l,
 *   ½ log2 f̄_t = a_k + u(l) + noise,   log2 σ_t = c_k + v(l) + noise,
 * with per-type offsets a_k, c_k (below), a U-shaped depth profile u (first
 * and last layers more sensitive), a linear drift v over depth, and
 * independent Normal noise.  Each term is then shifted and scaled so that
 * its sample standard deviation (n − 1) over the tensors is exactly the
 * spread the authors report for Llama-3.1-8B (docs/methods-orr.md,
 * bit_count_contributors): 0.880 for ½ log2 f̄ and 0.465 for log2 σ.  Levels: mean log2 σ = −5.5
 * (σ ≈ 0.022), and the Fisher level makes the flat 4-bit predicted KL with
 * ε = sqrt(πe/6) equal to 0.1 (the order of the paper's 4-bit D_KL).
 *
 *   make bin/tools/standin
 *   bin/tools/standin --seed 1 > data/standin-llama32.tsv
 * (the Makefile's bin/% rule does not create bin/tools itself). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_sort.h>

#include "alloc/alloc.h"

#define LAYERS 32
#define HIDDEN 4096.0
#define KV 1024.0
#define FFN 14336.0
#define VOCAB 128256.0
#define N_TENSORS (2 + 7 * LAYERS)

#define STD_HALF_LOG2_FISHER 0.880
#define STD_LOG2_RMS 0.465
#define MEAN_LOG2_RMS (-5.5)
#define FLAT_BITS 4.0
#define FLAT_KL 0.1
#define EPSILON 1.1930231 /* sqrt(pi e / 6): Normal, uniform + ideal code */
/* Noise around the structure; the small values (with the depth profiles)
 * bring q90 − q10 near the reported 2.037 and 1.333 as well. */
#define NOISE_FISHER 0.2
#define NOISE_RMS 0.1

typedef struct {
  const char *name;  /* printf pattern with the layer number, or a fixed name */
  double rows, cols;
  double fisher, rms; /* type offsets a_k, c_k before rescaling */
} tensor_type;

static const tensor_type embed = {"model.embed_tokens.weight", VOCAB, HIDDEN, -1.5, -0.6};
static const tensor_type head = {"lm_head.weight", VOCAB, HIDDEN, 1.0, 0.0};
static const tensor_type layer_types[] = {
  {"model.layers.%d.self_attn.q_proj.weight", HIDDEN, HIDDEN, -0.6, 0.8},
  {"model.layers.%d.self_attn.k_proj.weight", KV, HIDDEN, -0.5, 1.0},
  {"model.layers.%d.self_attn.v_proj.weight", KV, HIDDEN, 0.6, -0.8},
  {"model.layers.%d.self_attn.o_proj.weight", HIDDEN, HIDDEN, 0.3, -0.7},
  {"model.layers.%d.mlp.gate_proj.weight", FFN, HIDDEN, -0.2, 0.0},
  {"model.layers.%d.mlp.up_proj.weight", FFN, HIDDEN, 0.0, -0.2},
  {"model.layers.%d.mlp.down_proj.weight", HIDDEN, FFN, 0.4, -0.2},
};
#define N_LAYER_TYPES (sizeof layer_types / sizeof layer_types[0])

/* The tensors in file order; h = ½ log2 f̄, s = log2 σ. */
typedef struct {
  size_t n;
  char name[N_TENSORS][QRD_ALLOC_NAME_MAX];
  double numel[N_TENSORS], h[N_TENSORS], s[N_TENSORS];
} standin;

static double depth_fisher(int l)
{
  return 1.5 * (exp(-l / 1.5) + exp(-(LAYERS - 1 - l) / 1.5));
}

static double depth_rms(int l) { return l / (LAYERS - 1.0); }

/* Appends a tensor of type k (layer < 0: outside the layer stack). */
static void add(standin *x, const tensor_type *k, int layer, gsl_rng *rng)
{
  size_t i = x->n++;
  if (layer < 0)
    snprintf(x->name[i], sizeof x->name[i], "%s", k->name);
  else
    snprintf(x->name[i], sizeof x->name[i], k->name, layer);
  x->numel[i] = k->rows * k->cols;
  x->h[i] = k->fisher + (layer < 0 ? 0.0 : depth_fisher(layer)) +
           NOISE_FISHER * gsl_ran_gaussian(rng, 1.0);
  x->s[i] = k->rms + (layer < 0 ? 0.0 : depth_rms(layer)) +
           NOISE_RMS * gsl_ran_gaussian(rng, 1.0);
}

/* Shifts and scales v[0..n-1] to the given mean and sample std. */
static void standardise(double *v, size_t n, double mean, double sd)
{
  double m = gsl_stats_mean(v, 1, n), s = gsl_stats_sd_m(v, 1, n, m);
  for (size_t i = 0; i < n; i++)
    v[i] = mean + sd * (v[i] - m) / s;
}

static double q90_q10(const double *v, size_t n)
{
  double sorted[N_TENSORS];
  memcpy(sorted, v, n * sizeof *v);
  gsl_sort(sorted, 1, n);
  return gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.9) -
         gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.1);
}

/* Shifts h so that the flat FLAT_BITS predicted KL is FLAT_KL. */
static void set_fisher_level(standin *x)
{
  double sum = 0.0; /* Σ |T| f̄ σ² */
  for (size_t i = 0; i < x->n; i++)
    sum += x->numel[i] * exp2(2.0 * (x->h[i] + x->s[i]));
  double kl = 0.5 * EPSILON * EPSILON * sum * exp2(-2.0 * FLAT_BITS);
  double shift = 0.5 * log2(FLAT_KL / kl);
  for (size_t i = 0; i < x->n; i++)
    x->h[i] += shift;
}

static void print(const standin *x, unsigned long seed)
{
  printf("# SYNTHETIC STAND-IN, NOT MEASURED DATA.  Per-tensor statistics shaped like a\n"
         "# 32-layer Llama-style transformer (Llama-3.1-8B tensor names and sizes); the\n"
         "# Fisher sums and RMS values are random draws, not the paper's (which are not\n"
         "# public).  Savings computed from this file are not the paper's 0.25 bits.\n"
         "# generated by: make bin/tools/standin && "
         "bin/tools/standin --seed %lu > data/standin-llama32.tsv\n"
         "# seed %lu (gsl_rng_mt19937; N(0,1) draws per tensor in file order, "
         "1/2 log2 fbar then log2 rms)\n", seed, seed);
  printf("# sample std over %zu tensors: 1/2 log2 fbar %.3f (target %.3f), log2 rms %.3f "
         "(target %.3f)\n", x->n, gsl_stats_sd(x->h, 1, x->n), STD_HALF_LOG2_FISHER,
         gsl_stats_sd(x->s, 1, x->n), STD_LOG2_RMS);
  printf("# q90 - q10: 1/2 log2 fbar %.3f (paper 2.037), log2 rms %.3f (paper 1.333)\n",
         q90_q10(x->h, x->n), q90_q10(x->s, x->n));
  printf("# levels: mean log2 rms %.2f; flat %.0f-bit predicted KL %.2f at epsilon %.5f\n",
         MEAN_LOG2_RMS, FLAT_BITS, FLAT_KL, EPSILON);
  printf("name\tnumel\trms\tfisher_sum\n");
  for (size_t i = 0; i < x->n; i++)
    printf("%s\t%.0f\t%.17g\t%.17g\n", x->name[i], x->numel[i], exp2(x->s[i]),
           x->numel[i] * exp2(2.0 * x->h[i]));
}

static int usage(FILE *f, int status)
{
  fprintf(f, "usage: standin [--seed N]\nWrites the synthetic Llama-style per-tensor "
             "statistics (TSV) to stdout.\n");
  return status;
}

int main(int argc, char **argv)
{
  unsigned long seed = 1;
  for (int i = 1; i < argc; i++) {
    char *end;
    if (strcmp(argv[i], "--help") == 0)
      return usage(stdout, 0);
    if (strcmp(argv[i], "--seed") != 0 || i + 1 == argc)
      return usage(stderr, 2);
    seed = strtoul(argv[++i], &end, 10);
    if (*end != '\0' || end == argv[i])
      return usage(stderr, 2);
  }
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!rng)
    return 1;
  gsl_rng_set(rng, seed);
  static standin x;
  add(&x, &embed, -1, rng);
  for (int l = 0; l < LAYERS; l++)
    for (size_t k = 0; k < N_LAYER_TYPES; k++)
      add(&x, &layer_types[k], l, rng);
  add(&x, &head, -1, rng);
  gsl_rng_free(rng);
  standardise(x.h, x.n, 0.0, STD_HALF_LOG2_FISHER);
  standardise(x.s, x.n, MEAN_LOG2_RMS, STD_LOG2_RMS);
  set_fisher_level(&x);
  print(&x, seed);
  return 0;
}
