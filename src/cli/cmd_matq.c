/* qrd matq: quantise one drawn W with a known Sigma at a target rate and
 * print the rates achieved, D, the information-theoretic limit there and
 * the gap (the WaterSIC/HRQMM-II papers; mat/point.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "io/blasinfo.h"
#include "mat/cov.h"
#include "mat/point.h"

static const char help[] =
  "usage: qrd matq --family F --n N --method M --rate R0 [--rows A] [--rotate R]\n"
  "                [--seed S] [--dist D] [--nominal]\n"
  "Draws W (A x N, iid entries of law D), builds Sigma from family F, quantises\n"
  "W with method M at R0 bits and prints one TSV row.\n"
  "  --family F   a covariance family as in qrd sigma (e.g. ar1:rho=0.9,\n"
  "               two-level:eps=1e-3, power:beta=1,haar=1) or file:PATH[:GROUP];\n"
  "               a file's group that holds a dataset W (A x N) gives W itself\n"
  "               (its first --rows rows, default all; the references are then\n"
  "               those of a Gaussian at W's RMS, and --dist is refused)\n"
  "  --n N        dimension, 1 to 4096 (required for a family; a file gives its\n"
  "               own, also at most 4096)\n"
  "  --method M   rtn | gptq | watersic with parameters, e.g.\n"
  "               gptq:percdamp=0,actorder=1 or watersic:lmmse=0,damp=0,drop=0;\n"
  "               gptq:bits=B (absmax grid) takes no --rate\n"
  "  --rate R0    target per-column entropy with Miller-Madow, bits (0 < R0 < 30)\n"
  "  --rows A     rows of W (default 10000; rows x n at most 2^24)\n"
  "  --rotate R   none (default) | haar | hadamard | sylvester | act-order:\n"
  "               W -> W Q, Sigma -> Q^T Sigma Q before the method\n"
  "  --seed S     seed (default 1): Sigma's draws use S, W and the rotation\n"
  "               independent streams of S\n"
  "  --dist D     law of W's entries (default gaussian, unit variance)\n"
  "  --nominal    one run at the nominal step for R0 instead of tuning to it\n"
  "               (not for a fixed grid, which has no step to choose)\n"
  "columns: family n rows method rotate dist seed target scale evals\n"
  "R_entropy_col_mm R_entropy_pooled_mm R_fixed side_bits D rel_mse ref D_rwf\n"
  "D_slb D_ref gap_bits gap_bits_pooled excess_pred.  Rates exclude side_bits;\n"
  "D = tr(E Sigma E^T)/(A N) with the undamped Sigma; D_rwf (reverse\n"
  "waterfilling) and D_slb (Shannon lower bound) are taken at R_entropy_col_mm;\n"
  "ref says which is D_ref (rwf for Gaussian W, slb otherwise); gap_bits =\n"
  "1/2 log2(D/D_ref), gap_bits_pooled the same at R_entropy_pooled_mm;\n"
  "excess_pred = high-rate prediction of gap_bits - 1/2 log2(2 pi e/12).\n"
  "NA: not applicable (target and scale of a fixed grid; excess_pred of a fixed\n"
  "grid or of a run that dropped a column).  Any other value that is not finite\n"
  "is an error (exit 1), never printed.\n";

#define DEFAULT_ROWS 10000

typedef struct {
  qrd_cov cov;
  size_t n, rows;
  qrd_matq method;
  qrd_dist law;
  qrd_matq_point_opts opts;
  unsigned long seed;
  double *file_w;   /* a file's W (column-major, file_rows x n), or NULL: drawn */
  size_t file_rows;
} request;

/* --method, --rate, --rotate and --nominal into r->method and r->opts. */
static int parse_method(const qrd_opt *opts, size_t n_opts, request *r)
{
  const char *method = qrd_args_get(opts, n_opts, "method");
  const char *rate = qrd_args_get(opts, n_opts, "rate");
  const char *rotate = qrd_args_get(opts, n_opts, "rotate");
  qrd_matq_point_opts_default(&r->opts);
  if (!method)
    return qrd_args_bad("matq", "--method is required (see qrd matq --help)");
  if (qrd_matq_parse(method, &r->method) ||
      (rotate && qrd_rotate_parse(rotate, &r->opts.rotate)))
    return qrd_args_bad("matq", "%s", qrd_error_detail());
  const qrd_matq_type *t = r->method.type;
  int fixed = t->fixed_grid && t->fixed_grid(r->method.params);
  if (fixed && rate)
    return qrd_args_bad("matq", "--rate %s: method %s has a fixed grid and takes no rate", rate,
               r->method.spec);
  if (!fixed && !rate)
    return qrd_args_bad("matq", "--rate is required for method %s", r->method.spec);
  if (rate && (qrd_parse_double(rate, &r->opts.target) ||
               !(r->opts.target > 0.0 && r->opts.target < 30.0)))
    return qrd_args_bad("matq", "--rate %s: not a number in (0, 30) bits", rate);
  r->opts.method = &r->method;
  r->opts.nominal = qrd_args_get(opts, n_opts, "nominal") != NULL;
  if (fixed && r->opts.nominal)
    return qrd_args_bad("matq", "--nominal: method %s has a fixed grid: there is no step to "
                        "choose (drop --nominal, or give a method with --rate)", r->method.spec);
  r->opts.rotate_seed = qrd_matq_point_rotate_seed(r->seed);
  return 0;
}

/* A file's group with a dataset W: W is the user's, checked (finite,
 * file_rows x n; cov_file.c), and its first `rows` rows are quantised; the
 * law of the references is a Gaussian at their RMS (as fig-29 takes it:
 * qrd_matq_point_file_w_law). */
static int use_file_w(const char *rows, const char *dist, unsigned long *a, request *r)
{
  if (qrd_cov_read_w(&r->cov, r->n, &r->file_rows, &r->file_w))
    return qrd_args_bad("matq", "%s", qrd_error_detail());
  if (!r->file_w)
    return 0;
  if (dist)
    return qrd_args_bad("matq", "--dist %s: %s holds W (dataset W, %zu x %zu): its entries "
                        "are the file's, not drawn (leave out --dist)", dist, r->cov.spec,
                        r->file_rows, r->n);
  if (!rows && r->file_rows > QRD_MATQ_POINT_MAX_ENTRIES / r->n)
    return qrd_args_bad("matq", "%s: W is %zu x %zu, more than %zu entries: give --rows, "
                        "from 1 to %zu", r->cov.spec, r->file_rows, r->n,
                        QRD_MATQ_POINT_MAX_ENTRIES, QRD_MATQ_POINT_MAX_ENTRIES / r->n);
  if (!rows)
    *a = r->file_rows;
  else if (*a == 0) /* refused below, as for a drawn W */
    return 0;
  else if (*a > r->file_rows)
    return qrd_args_bad("matq", "--rows %lu: %s holds a W of %zu rows (allowed: --rows from 1 "
                        "to %zu)", *a, r->cov.spec, r->file_rows, r->file_rows);
  if (qrd_matq_point_file_w_law(r->file_w, r->file_rows, *a, r->n, r->cov.spec, &r->law))
    return qrd_args_bad("matq", "%s", qrd_error_detail());
  return 0;
}

/* Returns 0, 2 on bad input, or -1 after printing the help.  r->file_w
 * may be set on return, whatever it returns. */
static int parse_request(int argc, char **argv, request *r)
{
  qrd_opt opts[] = {{"family", 1, NULL}, {"n", 1, NULL},      {"rows", 1, NULL},
                    {"method", 1, NULL}, {"rate", 1, NULL},   {"rotate", 1, NULL},
                    {"seed", 1, NULL},   {"dist", 1, NULL},   {"nominal", 0, NULL},
                    {"help", 0, NULL}};
  size_t n_opts = sizeof opts / sizeof opts[0], n_pos;
  const char *pos[1];
  memset(r, 0, sizeof *r);
  if (qrd_args_parse("matq", argc, argv, opts, n_opts, pos, 0, &n_pos))
    return 2;
  if (qrd_args_get(opts, n_opts, "help")) {
    fputs(help, stdout);
    return -1;
  }
  const char *family = qrd_args_get(opts, n_opts, "family");
  const char *n = qrd_args_get(opts, n_opts, "n"), *rows = qrd_args_get(opts, n_opts, "rows");
  const char *seed = qrd_args_get(opts, n_opts, "seed"), *dist = qrd_args_get(opts, n_opts, "dist");
  unsigned long n_req = 0, a = DEFAULT_ROWS;
  r->seed = 1;
  if (!family)
    return qrd_args_bad("matq", "--family is required (see qrd matq --help)");
  if ((n && qrd_args_count("matq", "n", n, &n_req)) || (rows && qrd_args_count("matq", "rows", rows, &a)) ||
      (seed && qrd_args_count("matq", "seed", seed, &r->seed)))
    return 2;
  if (qrd_cov_parse(family, &r->cov))
    return qrd_args_bad("matq", "%s", qrd_error_detail());
  if (r->cov.type && n && (n_req == 0 || n_req > QRD_MATQ_POINT_MAX_N))
    return qrd_args_bad("matq", "--n %s: covariance family '%s' needs a dimension n >= 1 and "
                        "n <= %zu", n, r->cov.spec, QRD_MATQ_POINT_MAX_N);
  if (qrd_cov_dim(&r->cov, n_req, &r->n) || qrd_dist_parse(dist ? dist : "gaussian", &r->law))
    return qrd_args_bad("matq", "%s", qrd_error_detail());
  if (r->n == 0 || r->n > QRD_MATQ_POINT_MAX_N)
    return qrd_args_bad("matq", "%s: Sigma is %zux%zu (allowed: n from 1 to %zu)", r->cov.spec,
                        r->n, r->n, QRD_MATQ_POINT_MAX_N);
  int st = r->cov.type ? 0 : use_file_w(rows, dist, &a, r);
  if (st)
    return st;
  if (a == 0 || a > QRD_MATQ_POINT_MAX_ENTRIES / r->n)
    return qrd_args_bad("matq", "--rows %lu: allowed 1 .. %zu for n = %zu (rows x n <= %zu)", a,
               QRD_MATQ_POINT_MAX_ENTRIES / r->n, r->n, QRD_MATQ_POINT_MAX_ENTRIES);
  r->rows = a;
  return parse_method(opts, n_opts, r);
}

typedef struct {
  double *S, *W;
  qrd_matq_point_limits *lim;
  qrd_matq_point_work *work;
} buffers;

static int compute(const request *r, buffers *b, qrd_matq_point *pt)
{
  size_t n = r->n, rows = r->rows;
  if (!(b->S = qrd_mat_doubles_alloc(n, n, "Sigma")) ||
      !(b->W = qrd_mat_doubles_alloc(rows, n, "W")))
    return QRD_ENOMEM;
  int st = qrd_cov_build(&r->cov, n, r->seed, b->S);
  if (!st && r->file_w) /* its first rows, row-major */
    for (size_t i = 0; i < rows; i++)
      for (size_t c = 0; c < n; c++)
        b->W[i * n + c] = r->file_w[c * r->file_rows + i];
  else if (!st)
    st = qrd_matq_point_draw_w(&r->law, rows, n, r->seed, b->W);
  if (st)
    return st;
  if ((st = qrd_matq_point_limits_alloc(&r->law, n, b->S, &b->lim)))
    return st;
  /* The references need det Sigma > 0 (D_slb, excess_pred ~ log det). */
  if (!(b->lim->det_root > 0.0 && b->lim->mu[0] > 0.0))
    return qrd_error_set(QRD_EDOM, "%s: Sigma is singular (eigenvalues from %g to %g): the "
                         "rate-distortion references need a positive definite Sigma",
                         r->cov.spec, b->lim->mu[0] / b->lim->sigma2,
                         b->lim->mu[n - 1] / b->lim->sigma2);
  if (!(b->work = qrd_matq_point_work_alloc(n, rows)))
    return qrd_error_set(QRD_ENOMEM, "out of memory for the workspace of a %zu x %zu W", rows, n);
  qrd_matq_problem p = {.rows = rows, .n = n, .W = b->W, .Sigma = b->S};
  return qrd_matq_point_eval(&r->opts, b->lim, &p, b->work, pt);
}

/* The value, or NA where the column does not apply (na). */
static const char *value(char *buf, size_t len, double v, int na)
{
  if (na)
    return "NA";
  snprintf(buf, len, "%.10g", v);
  return buf;
}

/* QRD_EDOM naming the first column that should hold a number but is not
 * finite: nothing is printed that a script could take for a result. */
static int check_point(const request *r, const qrd_matq_point *pt, int fixed)
{
  const char *name[] = {"target", "scale", "R_entropy_col_mm", "R_entropy_pooled_mm",
                        "R_fixed", "side_bits", "D", "rel_mse", "D_rwf", "D_slb", "D_ref",
                        "gap_bits", "gap_bits_pooled", "excess_pred"};
  double v[] = {r->opts.target, pt->scale, pt->col.bits, pt->pool.bits, pt->fixed.bits,
                pt->side_bits, pt->D, pt->D / pt->signal, pt->at_col.d_it, pt->at_col.d_slb,
                pt->at_col.d_ref, pt->at_col.gap, pt->at_pool.gap, pt->excess_pred};
  int na[] = {fixed, fixed, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, isnan(pt->mean_d)};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    if (!na[i] && !isfinite(v[i]))
      return qrd_error_set(QRD_EDOM, "%s, %s, n = %zu, rows = %zu: %s = %g is not finite (Sigma "
                           "singular or badly scaled, or W degenerate)", r->cov.spec,
                           r->method.spec, r->n, r->rows, name[i], v[i]);
  return QRD_OK;
}

static void print_point(const request *r, const qrd_matq_point_limits *lim,
                        const qrd_matq_point *pt, int fixed)
{
  char t[32], sc[32], ex[32];
  printf("family\tn\trows\tmethod\trotate\tdist\tseed\ttarget\tscale\tevals\t"
         "R_entropy_col_mm\tR_entropy_pooled_mm\tR_fixed\tside_bits\tD\trel_mse\tref\t"
         "D_rwf\tD_slb\tD_ref\tgap_bits\tgap_bits_pooled\texcess_pred\n");
  printf("%s\t%zu\t%zu\t%s\t%s\t%s\t%lu\t%s\t%s\t%d\t%.10g\t%.10g\t%.10g\t%.10g\t"
         "%.10g\t%.10g\t%s\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g\t%s\n",
         r->cov.spec, r->n, r->rows, r->method.spec, qrd_rotate_name(r->opts.rotate),
         r->law.spec, r->seed, value(t, sizeof t, r->opts.target, fixed),
         value(sc, sizeof sc, pt->scale, fixed), pt->evals, pt->col.bits,
         pt->pool.bits, pt->fixed.bits, pt->side_bits, pt->D, pt->D / pt->signal,
         lim->gaussian ? "rwf" : "slb", pt->at_col.d_it,
         pt->at_col.d_slb, pt->at_col.d_ref, pt->at_col.gap, pt->at_pool.gap,
         value(ex, sizeof ex, pt->excess_pred, isnan(pt->mean_d)));
}

int qrd_cmd_matq(int argc, char **argv)
{
  request r;
  int st = parse_request(argc, argv, &r);
  if (st) {
    free(r.file_w);
    return st < 0 ? 0 : st;
  }
  /* OpenBLAS rounds differently with more threads: one thread keeps the
   * output identical on every machine. */
  qrd_openblas_set_threads(1);
  buffers b = {0};
  qrd_matq_point pt;
  int fixed = r.method.type->fixed_grid && r.method.type->fixed_grid(r.method.params);
  st = compute(&r, &b, &pt);
  if (!st)
    st = check_point(&r, &pt, fixed);
  if (st)
    fprintf(stderr, "qrd matq: %s\n", qrd_error_detail());
  else
    print_point(&r, b.lim, &pt, fixed);
  free(r.file_w);
  free(b.S);
  free(b.W);
  qrd_matq_point_limits_free(b.lim);
  qrd_matq_point_work_free(b.work);
  if (!st)
    return 0;
  return st == QRD_EINVAL || st == QRD_EDOM || st == QRD_ENOTFOUND ? 2 : 1;
}
