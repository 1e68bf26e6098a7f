/* qrd eval and qrd gap: design a scalar quantiser for a distribution and
 * evaluate it exactly (numerical integration over the density).  qrd eval
 * hands block codes with an absmax/signmax scaling to cli/eval_law.c and
 * element formats to cli/eval_format.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/eval_format.h"
#include "cli/eval_law.h"
#include "core/error.h"
#include "core/spec.h"
#include "fmt/element.h"
#include "law/registry.h"
#include "quant/rd.h"

#define MAX_TARGETS 64

static const char eval_help[] =
  "usage: qrd eval --dist D --quantiser Q (--levels N | --bits B | --rate R)\n"
  "Designs quantiser Q for distribution D and evaluates it exactly by\n"
  "numerical integration.  Values may be comma-separated lists, one row each.\n"
  "  --dist D       gaussian | laplace | student-t:nu=V  (unit variance unless\n"
  "                 scale=S is given; see qrd dists)\n"
  "  --quantiser Q  uniform | lloyd-max | crd[:alpha=A] (fixed-length: --levels,\n"
  "                 2 to 16384, or --bits/--rate meaning round(2^B) levels)\n"
  "                 uniform-ec | ecsq (entropy-coded: --rate R, 0 < R <= 14,\n"
  "                 index entropy)\n"
  "columns: dist quantiser method bits rel_rmse rel_rmse_se r2b r2b_se levels\n"
  "         rate_fixed entropy mse nmse l1   (method: exact; bits: log2 levels,\n"
  "         or the index entropy of an entropy-coded design; r2b = R 2^bits)\n"
  "Block codes (nf4, af4-pub, af4-exact, bof4, ...) under the exact law of\n"
  "absmax/signmax-normalised blocks, or by Monte Carlo blocks: qrd eval\n"
  "--quantiser Q --scaling absmax:B|signmax:B [--metric l1,mse] [--samples N];\n"
  "see qrd eval --quantiser nf4 --scaling absmax:64 --help.\n"
  "Element formats with a scaling, on a Monte Carlo sample: qrd eval --format F\n"
  "(int, fp:e=E,m=M, nf4, sf4, crd, crd-block, lut:FILE) --scaling S ...; see\n"
  "qrd eval --format int --help.\n";

static const char gap_help[] =
  "usage: qrd gap --dist D --quantiser Q (--rate R | --levels N)\n"
  "The rate gap in bits of Q to the rate-distortion bound at Q's distortion:\n"
  "Shannon's R(D) for a Gaussian, the Shannon lower bound otherwise.  The rate\n"
  "of a fixed-length design is log2(levels), of an entropy-coded one its index\n"
  "entropy.  theory_gap is the high-rate limit where one exists:\n"
  "1/2 log2(2 pi e/12) = 0.2546 for uniform-ec and ecsq, Panter-Dite for\n"
  "lloyd-max and crd.\n"
  "Element formats with a scaling (nf4, int, fp:e=E,m=M, ...) on a Monte Carlo\n"
  "sample: qrd gap --dist D --format F --scaling S; see qrd gap --format int --help.\n"
  "Levels run from 2 to 16384, entropy-coded rates up to 14 bits.\n"
  "columns: dist quantiser bound rate mse bound_rate gap theory_gap\n"
  "(theory_gap NA where the design has no high-rate limit, e.g. uniform).\n";

typedef struct {
  qrd_dist dist;
  qrd_quantiser q;
  double target[MAX_TARGETS];
  size_t n_target;
} request;

static int bad(const char *cmd, const char *detail)
{
  return qrd_args_bad(cmd, "%s", detail);
}

/* Parses a comma-separated list of numbers of the option `name`, converted to
 * design targets of q. */
static int parse_targets(const char *cmd, const char *name, const char *text,
                         request *r)
{
  char buf[1024], *item[MAX_TARGETS];
  size_t n_item;
  int st = qrd_args_list(cmd, name, text, buf, sizeof buf, item, MAX_TARGETS, &n_item);
  if (st)
    return st;
  for (size_t i = 0; i < n_item; i++) {
    const char *t = item[i];
    double v;
    char msg[256];
    if (qrd_parse_double(t, &v) != 0) {
      snprintf(msg, sizeof msg, "--%s %s: '%s' is not a number", name, text, t);
      return bad(cmd, msg);
    }
    int levels = strcmp(name, "levels") == 0;
    if (!levels && !(v > 0.0)) {
      snprintf(msg, sizeof msg, "--%s %s: rate must be > 0 bits", name, t);
      return bad(cmd, msg);
    }
    if (levels && r->q.type->target == QRD_TARGET_RATE) {
      snprintf(msg, sizeof msg, "quantiser '%s' is entropy-coded: give --rate, not --levels",
               r->q.spec);
      return bad(cmd, msg);
    }
    double target = levels ? v : qrd_target_for_rate(&r->q, v);
    if (r->q.type->target == QRD_TARGET_LEVELS &&
        !(target >= 2.0 && target <= QRD_QUANTISER_MAX_LEVELS && target == floor(target))) {
      snprintf(msg, sizeof msg, "--%s %s gives %g levels (allowed: a whole number >= 2 and "
               "<= %d)", name, t, target, QRD_QUANTISER_MAX_LEVELS);
      return bad(cmd, msg);
    }
    if (r->q.type->target == QRD_TARGET_RATE && !(target <= QRD_QUANTISER_MAX_RATE)) {
      snprintf(msg, sizeof msg, "--%s %s: rate of an entropy-coded design (allowed: 0 < rate "
               "<= %g bits)", name, t, QRD_QUANTISER_MAX_RATE);
      return bad(cmd, msg);
    }
    r->target[r->n_target++] = target;
  }
  return 0;
}

/* What to give instead: a block scaling for the exact law (eval), or the
 * element format of the same name on a sample (when there is one). */
static int block_code_without_scaling(const char *cmd, const char *quant, const char *name)
{
  char msg[400];
  qrd_element *e = NULL;
  qrd_element_request er = {.bits = 4.0};
  int element = qrd_element_from_spec(name, &er, &e) == QRD_OK;
  qrd_element_free(e);
  int eval = strcmp(cmd, "eval") == 0;
  snprintf(msg, sizeof msg, "--quantiser %s is a code of block-normalised values, meaningless "
           "on raw values: give %s%s%s%s", quant,
           eval ? "--scaling absmax:B or signmax:B (the exact block law)" : "",
           eval && element ? ", or " : "",
           element ? "--format " : "", element ? name : "");
  if (!eval && !element)
    snprintf(msg, sizeof msg, "--quantiser %s is a code of block-normalised values: qrd gap "
             "measures element formats (--format F --scaling S); for this code use qrd eval "
             "--quantiser %s --scaling absmax:B", quant, name);
  else if (element)
    snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " --scaling absmax:B (a Monte Carlo "
             "sample with scales)");
  return bad(cmd, msg);
}

static int parse_request(const char *cmd, const char *help, int argc, char **argv,
                         request *r)
{
  qrd_opt opts[] = {{"dist", 1, NULL}, {"quantiser", 1, NULL}, {"levels", 1, NULL},
                    {"bits", 1, NULL}, {"rate", 1, NULL}, {"help", 0, NULL}};
  size_t n_opts = sizeof opts / sizeof opts[0], n_pos;
  const char *pos[1];
  if (qrd_args_parse(cmd, argc, argv, opts, n_opts, pos, 0, &n_pos))
    return 2;
  if (qrd_args_get(opts, n_opts, "help")) {
    fputs(help, stdout);
    return -1;
  }
  const char *dist = qrd_args_get(opts, n_opts, "dist");
  const char *quant = qrd_args_get(opts, n_opts, "quantiser");
  if (!dist || !quant)
    return bad(cmd, "--dist and --quantiser are required");
  if (qrd_dist_parse(dist, &r->dist) || qrd_quantiser_parse(quant, &r->q))
    return bad(cmd, qrd_error_detail());
  if (qrd_cli_is_block_code(r->q.type)) /* its levels mean nothing on raw values */
    return block_code_without_scaling(cmd, quant, r->q.type->name);
  const char *names[] = {"levels", "bits", "rate"}, *which = NULL;
  r->n_target = 0;
  for (size_t i = 0; i < 3; i++) {
    const char *v = qrd_args_get(opts, n_opts, names[i]);
    if (!v)
      continue;
    if (which)
      return bad(cmd, "give one of --levels, --bits, --rate");
    which = names[i];
    int st = parse_targets(cmd, names[i], v, r);
    if (st)
      return st;
  }
  return which ? 0 : bad(cmd, "one of --levels, --bits, --rate is required");
}

static int evaluate(const char *cmd, const request *r, size_t i, qrd_rd_point *p)
{
  int st = qrd_rd_evaluate(&r->q, &r->dist, r->target[i], p);
  if (st) {
    fprintf(stderr, "qrd %s: %s\n", cmd, qrd_error_detail());
    return st == QRD_EINVAL || st == QRD_EDOM ? 2 : 1;
  }
  return 0;
}

/* QRD_EDOM naming the first of v[0..n) that is not finite. */
static int check_finite(const char *cmd, const request *r, const qrd_rd_point *p)
{
  const char *name[] = {"rel_rmse", "rate_fixed", "entropy", "mse", "nmse", "l1", "rate",
                        "bound_rate", "gap"};
  double v[] = {p->s.rel_rmse, p->s.rate_fixed, p->s.entropy, p->s.mse, p->s.nmse, p->s.l1,
                p->rate, p->bound_rate, p->gap};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    if (!isfinite(v[i])) {
      fprintf(stderr, "qrd %s: %s on %s: %s = %g is not finite\n", cmd, r->q.spec,
              r->dist.spec, name[i], v[i]);
      return 1;
    }
  return 0;
}

/* bits: log2 levels of a fixed-length design, the index entropy of an
 * entropy-coded one. */
static void eval_row(const request *r, const qrd_rd_point *p)
{
  printf("%s\t%s\t", r->dist.spec, r->q.spec);
  qrd_eval_print_core(0, r->q.type->target == QRD_TARGET_RATE ? p->s.entropy : p->s.rate_fixed,
                      p->s.rel_rmse, 0.0);
  printf("\t%zu\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g\n", p->s.levels, p->s.rate_fixed,
         p->s.entropy, p->s.mse, p->s.nmse, p->s.l1);
}

/* theory_gap is NA where the design has no high-rate limit. */
static void gap_row(const request *r, const qrd_rd_point *p)
{
  printf("%s\t%s\t%s\t%.10g\t%.10g\t%.10g\t%.10g\t", r->dist.spec, r->q.spec,
         qrd_bound_name(&r->dist), p->rate, p->s.mse, p->bound_rate, p->gap);
  if (isfinite(p->theory_gap))
    printf("%.10g\n", p->theory_gap);
  else
    puts("NA");
}

/* Parses, evaluates every target and checks the results, then prints
 * `header` and one row per target: an error leaves stdout empty. */
static int run(const char *cmd, const char *help, const char *header,
               void (*row)(const request *, const qrd_rd_point *), int argc,
               char **argv)
{
  request r;
  int st = parse_request(cmd, help, argc, argv, &r);
  if (st)
    return st < 0 ? 0 : st;
  qrd_rd_point p[MAX_TARGETS];
  for (size_t i = 0; i < r.n_target; i++)
    if ((st = evaluate(cmd, &r, i, &p[i])) || (st = check_finite(cmd, &r, &p[i])))
      return st;
  fputs(header, stdout);
  for (size_t i = 0; i < r.n_target; i++)
    row(&r, &p[i]);
  return 0;
}

int qrd_cmd_eval(int argc, char **argv)
{
  if (qrd_eval_is_law(argc, argv))
    return qrd_eval_law(argc, argv);
  if (qrd_eval_is_format(argc, argv))
    return qrd_eval_format(argc, argv);
  return run("eval", eval_help,
             "dist\tquantiser\t" QRD_EVAL_CORE_HEADER "\tlevels\trate_fixed\tentropy\tmse\tnmse\tl1\n",
             eval_row, argc, argv);
}

int qrd_cmd_gap(int argc, char **argv)
{
  if (qrd_eval_is_format(argc, argv))
    return qrd_gap_format(argc, argv);
  return run("gap", gap_help,
             "dist\tquantiser\tbound\trate\tmse\tbound_rate\tgap\ttheory_gap\n",
             gap_row, argc, argv);
}
