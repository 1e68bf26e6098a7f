/* qrd eval with a block code: the code's levels (designed for a block law,
 * B taken from --scaling unless the code names its own) evaluated under
 * the law of absmax- or signmax-normalised blocks of --dist, exactly by
 * the law's quadrature (law/blockmax.h) or, with --samples, on Monte Carlo
 * blocks with jackknife standard errors.
 *
 * The Monte Carlo side is fmt/block.h's pass for codes of block-normalised
 * values (exact extremes, errors on X = W / M as the law defines them) and
 * its estimates with their jackknife standard errors. */
#include "cli/eval_law.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/eval_format.h"
#include "cli/eval_tensor.h"
#include "core/bigalloc.h"
#include "core/error.h"
#include "core/spec.h"
#include "fmt/block.h"
#include "law/blockmax.h"
#include "law/code.h"
#include "mc/sample.h"

static const char help[] =
  "usage: qrd eval --dist D --quantiser Q --scaling absmax:B|signmax:B\n"
  "                [--levels N] [--metric M[,M...]] [--samples N [--seed S]]\n"
  "Evaluates a code of block-normalised values under the exact law of blocks\n"
  "of B values of D divided by their absolute maximum M (absmax: atoms at -1\n"
  "and +1) or by their signed extreme (signmax: one atom at +1); with\n"
  "--samples, by Monte Carlo blocks instead, with standard errors.\n"
  "  --quantiser Q  nf4 | af4-pub | af4-shoot | af4-exact | af4-approx\n"
  "                 | bof4[:metric=mae]\n"
  "                 | bof4s | opq[:tau=T]; a code designed for a block law\n"
  "                 takes B from --scaling unless given as Q:B=B0 (a code for\n"
  "                 B0 evaluated at B)\n"
  "  --levels N     levels of the code (default 16)\n"
  "  --metric M     error columns to report, in this order (default all):\n"
  "                 l1        E|X - Q(X)|, X = W/M the normalised value\n"
  "                 l2        E(X - Q(X))^2\n"
  "                 mae       E|W - W^| = E M|X - Q(X)|  (weight domain)\n"
  "                 mse       E(W - W^)^2 = E M^2 (X - Q(X))^2  (weight domain)\n"
  "                 rel_rmse  sqrt(mse / E W^2), Orr et al.'s R\n"
  "  --samples N    Monte Carlo: N values (a multiple of B, at least 2 blocks),\n"
  "                 each column followed by its jackknife standard error _se\n"
  "                 over 64 batches of whole blocks\n"
  "  --seed S       seed of the Monte Carlo sample (default 1)\n"
  "Averages run over every element, block maxima included; weight-domain\n"
  "values are in D's units (unit variance by default).  entropy is the index\n"
  "entropy in bits.  opq: |W| > tau are outliers stored aside (error-free,\n"
  "not in the entropy) and M is the largest inlier |W|.\n"
  "columns: dist quantiser design scaling method bits rel_rmse rel_rmse_se r2b\n"
  "         r2b_se levels entropy <metrics>   (design: the law the code was\n"
  "         designed for -- gaussian for nf4 and af4-pub, the published tables,\n"
  "         whatever D is; af4-shoot, af4-exact, bof4, ... are designed for D;\n"
  "         bits: log2 levels, no scales; method: exact, or monte-carlo with\n"
  "         --samples, which adds samples seed after levels and _se columns;\n"
  "         rel_rmse is in the core columns, not repeated among the metrics)\n";

/* The options of this path; any other sends the arguments elsewhere. */
static const qrd_opt OPTIONS[] = {{"dist", 1, NULL},    {"quantiser", 1, NULL},
                                  {"scaling", 1, NULL}, {"levels", 1, NULL},
                                  {"metric", 1, NULL},  {"samples", 1, NULL},
                                  {"seed", 1, NULL},    {"tensor", 1, NULL},
                                  {"layout", 1, NULL},  {"help", 0, NULL}};
#define N_OPTIONS (sizeof OPTIONS / sizeof OPTIONS[0])

/* The reported values: the index entropy, then the metrics in their
 * default column order (the order of the library's estimates). */
enum {
  ENTROPY = QRD_CODE_EST_ENTROPY,
  L1 = QRD_CODE_EST_L1,
  L2 = QRD_CODE_EST_L2,
  MAE = QRD_CODE_EST_MAE,
  MSE = QRD_CODE_EST_MSE,
  REL_RMSE = QRD_CODE_EST_R,
  N_VALUES = QRD_CODE_ESTIMATES
};
static const char *const VALUE_NAMES[N_VALUES] = {"entropy", "l1", "l2", "mae", "mse",
                                                  "rel_rmse"};
/* The law's expected errors behind L1 .. MSE. */
static const qrd_law_metric LAW_METRIC[] = {QRD_LAW_L1N, QRD_LAW_L2N, QRD_LAW_L1W,
                                            QRD_LAW_L2W};

#define MC_BATCHES 64

typedef struct {
  qrd_dist dist;
  qrd_quantiser q;
  const char *scaling_text;
  qrd_law_scaling scaling;
  double block, levels;
  int column[N_VALUES - 1]; /* the metric columns, indices into VALUE_NAMES */
  size_t n_columns;
  unsigned long samples, seed; /* samples = 0: exact */
  qrd_eval_tensor tensor;      /* the source's blocks when tensor.x is set */
  char scaling_buf[64];
} request;

/* ---- block codes ---- */

/* Index of t's parameter `name`, or -1. */
static int param_index(const qrd_quantiser_type *t, const char *name)
{
  for (size_t i = 0; i < t->n_params; i++)
    if (strcmp(t->params[i].name, name) == 0)
      return (int)i;
  return -1;
}

int qrd_cli_is_block_code(const qrd_quantiser_type *t)
{
  return param_index(t, "B") >= 0 || strcmp(t->name, "nf4") == 0;
}

void qrd_cli_block_code_names(char *buf, size_t len)
{
  buf[0] = '\0';
  for (size_t i = 0; i < qrd_quantiser_count(); i++)
    if (qrd_cli_is_block_code(qrd_quantiser_type_at(i)))
      snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? ", " : "",
               qrd_quantiser_type_at(i)->name);
}

static int names_block(const char *text)
{
  qrd_spec s;
  if (qrd_spec_parse(text, &s))
    return 0;
  for (size_t k = 0; k < s.n; k++)
    if (strcmp(s.key[k], "B") == 0)
      return 1;
  return 0;
}

int qrd_cli_code_parse(const char *text, double block, qrd_quantiser *q, int *own_block)
{
  int st = qrd_quantiser_parse(text, q);
  int own = !st && names_block(text);
  if (own_block)
    *own_block = own;
  if (st || own || !(block > 0.0) || param_index(q->type, "B") < 0)
    return st;
  char buf[256];
  snprintf(buf, sizeof buf, "%s%cB=%.17g", text, strchr(text, ':') ? ',' : ':', block);
  return qrd_quantiser_parse(buf, q);
}

/* ---- routing and parsing ---- */

static const qrd_opt *find_option(const char *name)
{
  for (size_t i = 0; i < N_OPTIONS; i++)
    if (strcmp(OPTIONS[i].name, name) == 0)
      return &OPTIONS[i];
  return NULL;
}

/* The law scaling named by "absmax:..." or "signmax:..."; the length of
 * that prefix, 0 for anything else. */
static size_t scaling_prefix(const char *text, qrd_law_scaling *kind)
{
  static const struct { const char *prefix; qrd_law_scaling kind; } kinds[] = {
    {"absmax:", QRD_LAW_ABSMAX}, {"signmax:", QRD_LAW_SIGNMAX}};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (strncmp(text, kinds[i].prefix, strlen(kinds[i].prefix)) == 0) {
      *kind = kinds[i].kind;
      return strlen(kinds[i].prefix);
    }
  return 0;
}

int qrd_eval_is_law(int argc, char **argv)
{
  const char *scaling = NULL, *quant = NULL;
  int only_law = 1;
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--", 2) != 0)
      continue;
    const qrd_opt *o = find_option(argv[i] + 2);
    if (!o) {
      only_law = 0;
      continue;
    }
    if (strcmp(o->name, "metric") == 0)
      return 1;
    if (!o->takes_value || i + 1 >= argc)
      continue;
    const char *v = argv[++i];
    if (strcmp(o->name, "scaling") == 0)
      scaling = v;
    else if (strcmp(o->name, "quantiser") == 0)
      quant = v;
  }
  qrd_law_scaling kind;
  return only_law && scaling && scaling_prefix(scaling, &kind) &&
         !(quant && qrd_eval_is_element_format(quant));
}

static int parse_scaling(const char *text, request *r)
{
  static const qrd_param_def def = QRD_CODE_PARAM_BLOCK;
  size_t len = scaling_prefix(text, &r->scaling);
  if (!len || qrd_parse_double(text + len, &r->block) || r->block != floor(r->block) ||
      r->block < def.min || r->block > def.max)
    return qrd_args_bad("eval", "--scaling %s: allowed: absmax:B or signmax:B, B a whole block size from "
               "%.0f to %.0f", text, def.min, def.max);
  r->scaling_text = text;
  return 0;
}

static int parse_quantiser(const char *text, request *r)
{
  char codes[256];
  qrd_cli_block_code_names(codes, sizeof codes);
  int st = qrd_cli_code_parse(text, r->block, &r->q, NULL);
  if (st == QRD_ENOTFOUND)
    return qrd_args_bad("eval", "--quantiser %s: unknown quantiser '%s' (block codes: %s)", text, text, codes);
  if (st)
    return qrd_args_bad("eval", "--quantiser %s: %s", text, qrd_error_detail());
  if (!qrd_cli_is_block_code(r->q.type))
    return qrd_args_bad("eval", "--quantiser %s: not a code of block-normalised values (with --scaling "
               "absmax:B or signmax:B: %s; element formats: --format)", text, codes);
  return 0;
}

static int parse_metrics(const char *text, request *r)
{
  r->n_columns = 0;
  if (!text) {
    for (int k = L1; k < N_VALUES; k++)
      r->column[r->n_columns++] = k;
    return 0;
  }
  char buf[256], *item[N_VALUES - 1];
  size_t n_item;
  int st = qrd_args_list("eval", "metric", text, buf, sizeof buf, item, N_VALUES - 1, &n_item);
  for (size_t i = 0; !st && i < n_item; i++) {
    int k = L1;
    while (k < N_VALUES && strcmp(item[i], VALUE_NAMES[k]) != 0)
      k++;
    if (k == N_VALUES)
      return qrd_args_bad("eval", "--metric %s: unknown metric '%s' (allowed: l1, l2, mae, "
                          "mse, rel_rmse)", text, item[i]);
    r->column[r->n_columns++] = k;
  }
  return st;
}

/* A whole number >= min (and <= 2^53) into *v. */
static int parse_whole(const char *opt, const char *text, double min, double *v)
{
  if (qrd_parse_double(text, v) || *v != floor(*v) || *v < min || *v > 0x1p53)
    return qrd_args_bad("eval", "--%s %s: want a whole number >= %g", opt, text, min);
  return 0;
}

static int parse_sampling(const char *samples, const char *seed, request *r)
{
  double n = 0.0, s = 1.0;
  if (seed && !samples)
    return qrd_args_bad("eval", "--seed %s: applies to Monte Carlo, which --samples N selects", seed);
  if ((samples && parse_whole("samples", samples, 1.0, &n)) ||
      (seed && parse_whole("seed", seed, 0.0, &s)))
    return 2;
  if (samples && (fmod(n, r->block) != 0.0 || n / r->block < 2.0))
    return qrd_args_bad("eval", "--samples %s: want a multiple of the block size %g, at least 2 blocks "
               "(scaling %s)", samples, r->block, r->scaling_text);
  r->samples = (unsigned long)n;
  r->seed = (unsigned long)s;
  return 0;
}

/* 0 on success, -1 after --help, else an exit status. */
/* The tensor's blocks as the Monte Carlo sample (rows cut into blocks of
 * B); a code designed for the source's law is designed for the family
 * fitted to it unless --dist names one. */
static int tensor_source(request *r, int has_dist)
{
  if (r->tensor.cols % (size_t)r->block != 0)
    return qrd_args_bad("eval", "--scaling %s: the tensor's rows of %zu values are not whole "
                        "blocks of %g (blocks follow rows; absmax:row scales each row)",
                        r->scaling_text, r->tensor.cols, r->block);
  r->samples = (unsigned long)(r->tensor.rows * r->tensor.cols);
  if (has_dist)
    return 0;
  if (r->q.type->design_law)
    return qrd_dist_parse(r->q.type->design_law, &r->dist) ? 1 : 0;
  return qrd_eval_tensor_fit("eval", &r->tensor, &r->dist);
}

static int parse(int argc, char **argv, request *r)
{
  qrd_opt o[N_OPTIONS];
  memcpy(o, OPTIONS, sizeof o);
  size_t n_pos;
  const char *pos[1];
  if (qrd_args_parse("eval", argc, argv, o, N_OPTIONS, pos, 0, &n_pos))
    return 2;
  if (qrd_args_get(o, N_OPTIONS, "help")) {
    fputs(help, stdout);
    return -1;
  }
  const char *dist = qrd_args_get(o, N_OPTIONS, "dist");
  const char *quant = qrd_args_get(o, N_OPTIONS, "quantiser");
  const char *scaling = qrd_args_get(o, N_OPTIONS, "scaling");
  const char *levels = qrd_args_get(o, N_OPTIONS, "levels");
  const char *tensor = qrd_args_get(o, N_OPTIONS, "tensor");
  if (!(dist || tensor) || !quant || !scaling)
    return qrd_args_bad("eval", "--dist (or --tensor), --quantiser and --scaling absmax:B|signmax:B "
               "are required with a block code (see qrd eval --quantiser nf4 --scaling absmax:64 "
               "--help)");
  if (dist && qrd_dist_parse(dist, &r->dist))
    return qrd_args_bad("eval", "--dist %s: %s", dist, qrd_error_detail());
  if (tensor && (qrd_args_get(o, N_OPTIONS, "samples") || qrd_args_get(o, N_OPTIONS, "seed")))
    return qrd_args_bad("eval", "--samples/--seed with --tensor %s: a tensor is its own sample",
                        tensor);
  int st = tensor ? qrd_eval_tensor_load("eval", tensor, qrd_args_get(o, N_OPTIONS, "layout"),
                                         &r->tensor)
                  : 0;
  if (st)
    return st;
  if (tensor) {
    qrd_eval_tensor_scaling(&r->tensor, scaling, r->scaling_buf, sizeof r->scaling_buf);
    scaling = r->scaling_buf;
  }
  r->levels = 16.0;
  st = parse_scaling(scaling, r);
  if (!st)
    st = parse_quantiser(quant, r);
  if (!st && levels)
    st = parse_whole("levels", levels, 2.0, &r->levels);
  if (!st)
    st = parse_metrics(qrd_args_get(o, N_OPTIONS, "metric"), r);
  if (!st && !tensor)
    st = parse_sampling(qrd_args_get(o, N_OPTIONS, "samples"),
                        qrd_args_get(o, N_OPTIONS, "seed"), r);
  if (!st && tensor)
    st = tensor_source(r, dist != NULL);
  return st;
}

/* ---- exact ---- */

/* The outlier threshold of the code's law (opq's tau; none otherwise). */
static double code_tau(const qrd_quantiser *q)
{
  int i = param_index(q->type, "tau");
  return i < 0 ? INFINITY : q->params[i];
}

/* Per element of the tensor: the law's errors are per inlier, and the
 * outliers (a fraction 1 - inlier) are stored aside without error. */
static int exact(const request *r, const qrd_codebook *c, double *v)
{
  qrd_law *law;
  double *prob = malloc(c->n * sizeof *prob);
  int st = prob ? qrd_law_alloc(&r->dist, r->block, r->scaling, code_tau(&r->q), &law)
                : qrd_error_set(QRD_ENOMEM, "cell probabilities");
  if (st) {
    free(prob);
    return st;
  }
  for (int k = L1; !st && k <= MSE; k++) {
    st = qrd_law_error(law, c, LAW_METRIC[k - L1], &v[k]);
    v[k] *= law->inlier;
  }
  v[REL_RMSE] = sqrt(v[MSE] / qrd_dist_variance(&r->dist));
  if (!st)
    st = qrd_law_cell_probs(law, c, prob);
  v[ENTROPY] = st ? NAN : qrd_entropy_bits(prob, c->n);
  qrd_law_free(law);
  free(prob);
  return st;
}

/* ---- Monte Carlo ---- */

static int monte_carlo(const request *r, const qrd_codebook *c, double *v, double *se)
{
  size_t block = (size_t)r->block, n_blocks = r->samples / block;
  size_t n_batches = n_blocks < MC_BATCHES ? n_blocks : MC_BATCHES;
  size_t width = QRD_CODE_SUMS + c->n;
  qrd_scaling_kind kind = r->scaling == QRD_LAW_ABSMAX ? QRD_SCALING_ABSMAX : QRD_SCALING_SIGNMAX;
  double *w = r->tensor.x ? r->tensor.x : qrd_sample_alloc(&r->dist, r->seed, r->samples);
  double *batch = malloc(n_batches * width * sizeof *batch);
  int st = w && batch ? QRD_OK : qrd_error_set(QRD_ENOMEM, "Monte Carlo sample");
  if (!st)
    st = qrd_block_code_sums(w, r->samples, block, n_batches, kind, code_tau(&r->q), c, batch);
  if (!st)
    st = qrd_block_code_estimate(batch, n_batches, c->n, v, se);
  if (!r->tensor.x)
    qrd_big_free(w);
  free(batch);
  return st;
}

/* ---- output ---- */

/* The identifying columns, the core every qrd eval row shares (bits: the
 * element bits log2 levels; the law stores no scales), then the rest;
 * rel_rmse is in the core, so not repeated among the metrics. */
static void print_header(const request *r)
{
  fputs("dist\tquantiser\tdesign\tscaling\t" QRD_EVAL_CORE_HEADER "\tlevels", stdout);
  if (r->samples)
    fputs("\tsamples\tseed\tentropy\tentropy_se", stdout);
  else
    fputs("\tentropy", stdout);
  for (size_t i = 0; i < r->n_columns; i++)
    if (r->column[i] != REL_RMSE)
      printf(r->samples ? "\t%s\t%s_se" : "\t%s", VALUE_NAMES[r->column[i]],
             VALUE_NAMES[r->column[i]]);
  putchar('\n');
}

/* A tensor is its own sample: no seed. */
static const char *seed_text(const request *r)
{
  static char buf[32];
  if (r->tensor.x)
    return "-";
  snprintf(buf, sizeof buf, "%lu", r->seed);
  return buf;
}

static void print_row(const request *r, const qrd_codebook *c, const double *v,
                      const double *se)
{
  printf("%s\t%s\t%s\t%s\t", r->tensor.x ? r->tensor.label : r->dist.spec, r->q.spec,
         qrd_quantiser_design_law(&r->q, &r->dist),
         r->scaling_text);
  qrd_eval_print_core(r->samples != 0, log2((double)c->n), v[REL_RMSE],
                      r->samples ? se[REL_RMSE] : 0.0);
  printf("\t%zu", c->n);
  if (r->samples)
    printf("\t%lu\t%s\t%.10g\t%.10g", r->samples, seed_text(r), v[ENTROPY], se[ENTROPY]);
  else
    printf("\t%.10g", v[ENTROPY]);
  for (size_t i = 0; i < r->n_columns; i++) {
    if (r->column[i] == REL_RMSE)
      continue;
    printf("\t%.10g", v[r->column[i]]);
    if (r->samples)
      printf("\t%.10g", se[r->column[i]]);
  }
  putchar('\n');
}

int qrd_eval_law(int argc, char **argv)
{
  request r;
  memset(&r, 0, sizeof r);
  int st = parse(argc, argv, &r);
  if (st) {
    qrd_eval_tensor_free(&r.tensor);
    return st < 0 ? 0 : st;
  }
  qrd_codebook *c = NULL;
  double v[N_VALUES], se[N_VALUES];
  st = qrd_quantiser_design(&r.q, &r.dist, r.levels, &c);
  if (!st)
    st = r.samples ? monte_carlo(&r, c, v, se) : exact(&r, c, v);
  if (st) {
    fprintf(stderr, "qrd eval: %s: %s\n", r.q.spec, qrd_error_detail());
  } else {
    print_header(&r);
    print_row(&r, c, v, se);
  }
  qrd_codebook_free(c);
  qrd_eval_tensor_free(&r.tensor);
  return !st ? 0 : st == QRD_EINVAL || st == QRD_EDOM || st == QRD_ENOTFOUND ? 2 : 1;
}
