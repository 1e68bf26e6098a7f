/* qrd allocate: Fisher-optimal per-tensor bit widths from a per-tensor
 * statistics file (docs/methods-orr.md; library in alloc/alloc.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc/alloc.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/spec.h"

#define MAX_TARGETS 64
/* sqrt(pi e / 6): R 2^b of a uniform grid + ideal code on Normal data
 *, the error constant of "Tensor RMS + Compression" */
#define DEFAULT_EPSILON 1.1930231
/* R 2^b of any sensible format is O(1) (1.19 ... 3 for 4-bit codes) */
#define MAX_EPSILON 1000.0

static const char help[] =
  "usage: qrd allocate STATS.tsv --bits B[,B...] [--min-bits M] [--epsilon E] [--summary]\n"
  "Fisher-optimal element bits per tensor at mean B bits per parameter\n"
  "(Orr et al.; docs/methods-orr.md) under the error model MSE_t = rms_t^2 E^2 2^(-2 b_t),\n"
  "predicted KL = 1/2 sum_t fisher_sum_t rms_t^2 E^2 2^(-2 b_t).\n"
  "STATS.tsv: '#' comment lines, then a tab-separated header naming the columns\n"
  "  name, numel, rms, fisher_sum (any order, others ignored), then one line per\n"
  "  tensor: element count (whole, >= 1), RMS of the weights (> 0), sum of the\n"
  "  Fisher diagonal over the tensor (>= 0).  List the tensors to quantise only.\n"
  "  --bits B      target mean bits per parameter (a comma-separated list: one\n"
  "                block of rows each); the minimum width <= B <= 64\n"
  "  --min-bits M  narrowest element width, 0 to 64 (default 2; the paper uses 3\n"
  "                for FP)\n"
  "  --epsilon E   error constant R 2^b of the format, 0 < E <= 1000 (default\n"
  "                1.19302 = sqrt(pi e/6)); scales the predicted KL, not the bits\n"
  "                or saving\n"
  "  --summary     one row per allocation instead of one per tensor\n"
  "Allocations: flat (every tensor at B); optimal (continuous Lagrangian optimum,\n"
  "size-weighted mean exactly B; tensors with fisher_sum 0 sit at the minimum\n"
  "width); clamped = max(optimal, M) (formats with compression); rounded =\n"
  "max(round(optimal), M), half to even (fixed-length formats).  Clamped and\n"
  "rounded are not re-balanced, so their mean only approximates B.  At least one\n"
  "tensor needs fisher_sum > 0; a row that would print a non-finite value is an\n"
  "error instead (exit 2), except delta = -inf for a tensor with fisher_sum 0.\n"
  "per-tensor columns: target_bits name numel rms fisher_mean delta optimal clamped\n"
  "  rounded   (delta = log2 rms + 1/2 log2 fisher_mean)\n"
  "summary columns: target_bits allocation mean_bits predicted_kl flat_bits_same_kl\n"
  "  saving_bits   (saving = flat bits needed for the same predicted KL minus\n"
  "  mean_bits; for optimal it is 1/2 log2(AM/GM) of the size-weighted\n"
  "  fisher_mean rms^2)\n";

typedef struct {
  const char *path;
  double target[MAX_TARGETS];
  size_t n_target;
  double min_bits, epsilon;
  int summary;
} request;

/* One printable line: user text escaped and truncated (core/error.h). */
static int bad(const char *detail)
{
  return qrd_args_bad("allocate", "%s", detail);
}

static int parse_number(const char *opt, const char *text, double *out)
{
  char msg[256];
  if (qrd_parse_double(text, out) == 0)
    return 0;
  snprintf(msg, sizeof msg, "--%s '%s' is not a number", opt, text);
  return bad(msg);
}

static int parse_targets(const char *text, request *r)
{
  char buf[1024], *item[MAX_TARGETS];
  int st = qrd_args_list("allocate", "bits", text, buf, sizeof buf, item, MAX_TARGETS,
                         &r->n_target);
  for (size_t i = 0; !st && i < r->n_target; i++)
    st = parse_number("bits", item[i], &r->target[i]);
  return st;
}

/* 0 to run, -1 after --help, 2 on bad usage (reported). */
static int parse(int argc, char **argv, request *r)
{
  qrd_opt opts[] = {{"bits", 1, NULL}, {"min-bits", 1, NULL}, {"epsilon", 1, NULL},
                    {"summary", 0, NULL}, {"help", 0, NULL}};
  size_t n_opts = sizeof opts / sizeof opts[0], n_pos;
  const char *pos[1];
  if (qrd_args_parse("allocate", argc, argv, opts, n_opts, pos, 1, &n_pos))
    return 2;
  if (qrd_args_get(opts, n_opts, "help")) {
    fputs(help, stdout);
    return -1;
  }
  const char *bits = qrd_args_get(opts, n_opts, "bits");
  const char *min_bits = qrd_args_get(opts, n_opts, "min-bits");
  const char *epsilon = qrd_args_get(opts, n_opts, "epsilon");
  if (n_pos != 1 || !bits)
    return bad("a statistics file and --bits are required (see qrd allocate --help)");
  *r = (request){.path = pos[0], .min_bits = 2.0, .epsilon = DEFAULT_EPSILON,
                 .summary = qrd_args_get(opts, n_opts, "summary") != NULL};
  int st;
  if ((st = parse_targets(bits, r)) ||
      (min_bits && (st = parse_number("min-bits", min_bits, &r->min_bits))) ||
      (epsilon && (st = parse_number("epsilon", epsilon, &r->epsilon))))
    return st;
  if (!(r->epsilon > 0.0 && r->epsilon <= MAX_EPSILON)) {
    char msg[160];
    snprintf(msg, sizeof msg, "--epsilon %s out of range (allowed: 0 < E <= %g)", epsilon,
             MAX_EPSILON);
    return bad(msg);
  }
  return 0;
}

/* bits[k][t] for every allocation kind at one target. */
static int allocate(const qrd_alloc_stats *s, const request *r, double target, double **bits)
{
  for (int k = 0; k < QRD_ALLOC_N_KINDS; k++) {
    int st = qrd_alloc_bits(s, target, r->min_bits, (qrd_alloc_kind)k, bits[k]);
    if (st)
      return st;
  }
  return QRD_OK;
}

static void print_tensors(const qrd_alloc_stats *s, double target, double **bits)
{
  for (size_t t = 0; t < s->n; t++) {
    const qrd_alloc_tensor *x = &s->tensor[t];
    printf("%.10g\t%s\t%.0f\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g\n", target, x->name,
           x->numel, x->rms, x->fisher_sum / x->numel, qrd_alloc_delta(x),
           bits[QRD_ALLOC_OPTIMAL][t], bits[QRD_ALLOC_CLAMPED][t], bits[QRD_ALLOC_ROUNDED][t]);
  }
}

static void print_summary(const qrd_alloc_stats *s, const request *r, double target,
                          double **bits)
{
  for (int k = 0; k < QRD_ALLOC_N_KINDS; k++) {
    qrd_alloc_summary m = qrd_alloc_summarise(s, bits[k], r->epsilon);
    printf("%.10g\t%s\t%.10g\t%.10g\t%.10g\t%.10g\n", target,
           qrd_alloc_kind_name((qrd_alloc_kind)k), m.mean_bits, m.kl, m.flat_bits, m.saving);
  }
}

/* Every value a target's rows would print is finite (delta is -inf for a
 * tensor with fisher_sum 0, as documented); else the one-line error. */
static int check_finite(const qrd_alloc_stats *s, const request *r, double target,
                        double **bits)
{
  char msg[512];
  for (int k = 0; k < QRD_ALLOC_N_KINDS; k++) {
    qrd_alloc_summary m = qrd_alloc_summarise(s, bits[k], r->epsilon);
    if (!(isfinite(m.mean_bits) && isfinite(m.kl) && isfinite(m.flat_bits) &&
          isfinite(m.saving))) {
      snprintf(msg, sizeof msg, "%s: --bits %g, %s allocation: predicted KL %g (mean bits %g, "
               "flat bits %g) is not finite in double precision: the statistics (or "
               "--epsilon) are too extreme", r->path, target,
               qrd_alloc_kind_name((qrd_alloc_kind)k), m.kl, m.mean_bits, m.flat_bits);
      return bad(msg);
    }
  }
  for (size_t t = 0; t < s->n; t++) {
    const qrd_alloc_tensor *x = &s->tensor[t];
    int ok = isfinite(x->fisher_sum / x->numel) &&
             (isfinite(qrd_alloc_delta(x)) || x->fisher_sum == 0.0);
    for (int k = 0; k < QRD_ALLOC_N_KINDS; k++)
      ok = ok && isfinite(bits[k][t]);
    if (!ok) {
      snprintf(msg, sizeof msg, "%s: tensor %.64s: --bits %g gives a non-finite width or "
               "statistic (rms %g, fisher_sum %g, numel %g)", r->path, x->name, target,
               x->rms, x->fisher_sum, x->numel);
      return bad(msg);
    }
  }
  return 0;
}

/* Some tensor must carry Fisher information: with none, every allocation
 * predicts KL 0 and nothing prefers one over another. */
static int check_fisher(const qrd_alloc_stats *s, const request *r)
{
  for (size_t t = 0; t < s->n; t++)
    if (s->tensor[t].fisher_sum > 0.0)
      return 0;
  char msg[512];
  snprintf(msg, sizeof msg, "%s: every fisher_sum is 0 (%zu tensors): the predicted KL is 0 "
           "for any allocation (allowed: at least one tensor with fisher_sum > 0)", r->path,
           s->n);
  return bad(msg);
}

static int run(const qrd_alloc_stats *s, const request *r, double **bits)
{
  int st = check_fisher(s, r);
  if (st)
    return st;
  /* every target is checked before the first row, so bad input prints nothing */
  for (size_t i = 0; i < r->n_target; i++) {
    st = allocate(s, r, r->target[i], bits);
    if (st)
      return bad(qrd_error_detail());
    if ((st = check_finite(s, r, r->target[i], bits)))
      return st;
  }
  fputs(r->summary ? "target_bits\tallocation\tmean_bits\tpredicted_kl\tflat_bits_same_kl\t"
                     "saving_bits\n"
                   : "target_bits\tname\tnumel\trms\tfisher_mean\tdelta\toptimal\tclamped\t"
                     "rounded\n", stdout);
  for (size_t i = 0; i < r->n_target; i++) {
    allocate(s, r, r->target[i], bits);
    if (r->summary)
      print_summary(s, r, r->target[i], bits);
    else
      print_tensors(s, r->target[i], bits);
  }
  return 0;
}

int qrd_cmd_allocate(int argc, char **argv)
{
  request r;
  int st = parse(argc, argv, &r);
  if (st)
    return st < 0 ? 0 : st;
  qrd_alloc_stats *s;
  if (qrd_alloc_stats_read(r.path, &s))
    return bad(qrd_error_detail());
  double *store = malloc(QRD_ALLOC_N_KINDS * s->n * sizeof *store);
  double *bits[QRD_ALLOC_N_KINDS];
  for (int k = 0; store && k < QRD_ALLOC_N_KINDS; k++)
    bits[k] = store + (size_t)k * s->n;
  st = store ? run(s, &r, bits) : (fprintf(stderr, "qrd allocate: out of memory\n"), 1);
  free(store);
  qrd_alloc_stats_free(s);
  return st;
}
