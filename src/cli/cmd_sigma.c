/* qrd sigma: build a covariance and print the facts that decide GPTQ's and
 * WaterSIC's high-rate distortion (the WaterSIC/HRQMM-II papers). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/spec.h"
#include "mat/cov.h"
#include "mat/limits.h"
#include "mat/point.h"
#include "mat/rotate.h"

#define QRD_SIGMA_MAX_RATES 32

static const char help[] =
  "usage: qrd sigma --family F [--n N] [--rotate R] [--seed S] [--damp P]\n"
  "                 [--rate R[,R...]]\n"
  "Builds Sigma from family F, optionally rotates it (Sigma -> Q^T Sigma Q) and\n"
  "prints its diagnostics (TSV, one row).\n"
  "  --family F   identity | ar1[:rho=] | two-level[:eps=] | power[:beta=] |\n"
  "               outliers[:frac=,value=] | outliers-corr[:k=,value=] |\n"
  "               lognormal[:s=,rho=] | lognormal-random[:s=] |\n"
  "               lowrank[:frac=,eps=] | wishart[:ratio=,rho=,dead=] | randcorr;\n"
  "               every family also takes haar=1.  file:PATH[:GROUP] reads the\n"
  "               dataset Sigma of an HDF5 file (GROUP after the last ':').\n"
  "  --n N        dimension, 1 to 4096 (required for a family; a file gives its\n"
  "               own, also at most 4096): the eigenvalues cost O(n^3)\n"
  "  --rotate R   none (default) | haar | hadamard | sylvester | act-order\n"
  "  --seed S     seed of random families and rotations (default 1)\n"
  "  --damp P     Sigma += P mean(diag Sigma) I first (GPTQ's percdamp; default 0)\n"
  "  --rate R     also reverse waterfilling on eig(Sigma) (sigma = 1) at R bits:\n"
  "               one row per rate, with columns rate rwf_theta rwf_D added\n"
  "columns: family n rotate seed det_root am_d gm_d excess_bits lambda_min\n"
  "lambda_max.  d are GPTQ's conditional variances (column j given the columns\n"
  "after it); det_root = det(Sigma)^{1/n} = GM(d); excess_bits = 1/2 log2(AM/GM),\n"
  "GPTQ's high-rate excess over WaterSIC.\n";

typedef struct {
  qrd_cov cov;
  size_t n;
  qrd_rotate_kind rotate;
  unsigned long seed;
  double damp;
  double rate[QRD_SIGMA_MAX_RATES];
  size_t n_rate;
} request;

/* --rate R[,R...]: rates >= 0 in bits. */
static int parse_rates(const char *text, request *r)
{
  char buf[512], *item[QRD_SIGMA_MAX_RATES];
  int st = qrd_args_list("sigma", "rate", text, buf, sizeof buf, item, QRD_SIGMA_MAX_RATES,
                         &r->n_rate);
  for (size_t i = 0; !st && i < r->n_rate; i++)
    if (qrd_parse_double(item[i], &r->rate[i]) || !(r->rate[i] >= 0.0))
      return qrd_args_bad("sigma", "--rate %s: '%s' is not a number >= 0 (bits)", text,
                          item[i]);
  return st;
}

/* Returns 0, 2 on bad input, or -1 after printing the help. */
static int parse_request(int argc, char **argv, request *r)
{
  qrd_opt opts[] = {{"family", 1, NULL}, {"n", 1, NULL}, {"rotate", 1, NULL},
                    {"seed", 1, NULL}, {"damp", 1, NULL}, {"rate", 1, NULL},
                    {"help", 0, NULL}};
  size_t n_opts = sizeof opts / sizeof opts[0], n_pos;
  const char *pos[1];
  if (qrd_args_parse("sigma", argc, argv, opts, n_opts, pos, 0, &n_pos))
    return 2;
  if (qrd_args_get(opts, n_opts, "help")) {
    fputs(help, stdout);
    return -1;
  }
  const char *family = qrd_args_get(opts, n_opts, "family");
  const char *n = qrd_args_get(opts, n_opts, "n"), *rotate = qrd_args_get(opts, n_opts, "rotate");
  const char *seed = qrd_args_get(opts, n_opts, "seed"), *damp = qrd_args_get(opts, n_opts, "damp");
  unsigned long n_req = 0;
  *r = (request){.rotate = QRD_ROTATE_NONE, .seed = 1};
  if (!family)
    return qrd_args_bad("sigma", "--family is required (see qrd sigma --help)");
  if ((n && qrd_args_count("sigma", "n", n, &n_req)) || (seed && qrd_args_count("sigma", "seed", seed, &r->seed)))
    return 2;
  const char *rate = qrd_args_get(opts, n_opts, "rate");
  if (rate && parse_rates(rate, r))
    return 2;
  if (damp && (qrd_parse_double(damp, &r->damp) || r->damp < 0.0))
    return qrd_args_bad("sigma", "--damp %s: not a number >= 0", damp);
  if (qrd_cov_parse(family, &r->cov) || (rotate && qrd_rotate_parse(rotate, &r->rotate)))
    return qrd_args_bad("sigma", "%s", qrd_error_detail());
  if (r->cov.type && n && (n_req == 0 || n_req > QRD_MATQ_POINT_MAX_N))
    return qrd_args_bad("sigma", "--n %s: covariance family '%s' needs a dimension n >= 1 and "
                        "n <= %zu", n, r->cov.spec, QRD_MATQ_POINT_MAX_N);
  if (qrd_cov_dim(&r->cov, n_req, &r->n))
    return qrd_args_bad("sigma", "%s", qrd_error_detail());
  if (r->n > QRD_MATQ_POINT_MAX_N)
    return qrd_args_bad("sigma", "%s: Sigma is %zux%zu (allowed: n from 1 to %zu)",
                        r->cov.spec, r->n, r->n, QRD_MATQ_POINT_MAX_N);
  return 0;
}

typedef struct {
  double *S, *work, *d, *lambda;
} buffers;

static int compute(const request *r, buffers *b, qrd_cov_summary *s)
{
  size_t n = r->n;
  if (!(b->S = qrd_mat_doubles_alloc(n, n, "Sigma")) ||
      !(b->work = qrd_mat_doubles_alloc(n, n, "Sigma's workspace")) ||
      !(b->d = qrd_mat_doubles_alloc(n, 1, "conditional variances")) ||
      !(b->lambda = qrd_mat_doubles_alloc(n, 1, "eigenvalues")))
    return QRD_ENOMEM;
  int st = qrd_cov_build(&r->cov, n, r->seed, b->S);
  if (st)
    return st;
  if (r->damp > 0.0)
    qrd_cov_damp(n, b->S, r->damp);
  qrd_rotation *q;
  if ((st = qrd_rotation_alloc(r->rotate, n, r->seed, b->S, &q)))
    return st;
  qrd_rotation_apply_sigma(q, b->S, b->work);
  qrd_rotation_free(q);
  return qrd_cov_summarise(n, b->S, b->work, b->d, b->lambda, s);
}

/* QRD_EDOM naming the column when v is not finite: nothing is printed
 * that a script could take for a number. */
static int check_finite(const request *r, const char *column, double v)
{
  if (isfinite(v))
    return QRD_OK;
  return qrd_error_set(QRD_EDOM, "%s (n = %zu): %s = %g is not finite (Sigma is singular or "
                       "its entries span too wide a range; damp it with --damp)", r->cov.spec,
                       r->n, column, v);
}

static int check_summary(const request *r, const qrd_cov_summary *s)
{
  const char *name[] = {"det_root", "am_d", "gm_d", "excess_bits", "lambda_min", "lambda_max"};
  double v[] = {s->det_root, s->am_d, s->gm_d, s->excess_bits, s->lambda_min, s->lambda_max};
  int st = QRD_OK;
  for (size_t i = 0; !st && i < sizeof v / sizeof v[0]; i++)
    st = check_finite(r, name[i], v[i]);
  return st;
}

/* One row per rate (or one row without rates): the summary, then the
 * reverse-waterfilling water level and distortion over the eigenvalues.
 * Every value is computed and checked before anything is printed. */
static int print_rows(const request *r, const qrd_cov_summary *s, const double *lambda)
{
  double theta[QRD_SIGMA_MAX_RATES], D[QRD_SIGMA_MAX_RATES];
  int st = check_summary(r, s);
  for (size_t i = 0; !st && i < r->n_rate; i++)
    if (!(st = qrd_rwf_solve(r->n, lambda, r->rate[i], &theta[i], &D[i])) &&
        !(st = check_finite(r, "rwf_theta", theta[i])))
      st = check_finite(r, "rwf_D", D[i]);
  if (st)
    return st;
  printf("family\tn\trotate\tseed\tdet_root\tam_d\tgm_d\texcess_bits\tlambda_min\t"
         "lambda_max%s\n", r->n_rate ? "\trate\trwf_theta\trwf_D" : "");
  for (size_t i = 0; i < (r->n_rate ? r->n_rate : 1); i++) {
    printf("%s\t%zu\t%s\t%lu\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g", r->cov.spec, r->n,
           qrd_rotate_name(r->rotate), r->seed, s->det_root, s->am_d, s->gm_d, s->excess_bits,
           s->lambda_min, s->lambda_max);
    if (r->n_rate)
      printf("\t%.10g\t%.10g\t%.10g", r->rate[i], theta[i], D[i]);
    putchar('\n');
  }
  return QRD_OK;
}

int qrd_cmd_sigma(int argc, char **argv)
{
  request r;
  int st = parse_request(argc, argv, &r);
  if (st)
    return st < 0 ? 0 : st;
  buffers b = {0};
  qrd_cov_summary s;
  st = compute(&r, &b, &s);
  if (!st)
    st = print_rows(&r, &s, b.lambda);
  free(b.S);
  free(b.work);
  free(b.d);
  free(b.lambda);
  if (st) {
    fprintf(stderr, "qrd sigma: %s\n", qrd_error_detail());
    return st == QRD_EINVAL || st == QRD_EDOM || st == QRD_ENOTFOUND ? 2 : 1;
  }
  return 0;
}
