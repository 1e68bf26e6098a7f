/* qrd tensors: the tensors of a checkpoint file, their statistics and the
 * best-fitting registered family by maximum likelihood (mc/fit.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "io/tensor.h"
#include "mc/fit.h"

#define MAX_FAMILIES 16

static const char help[] =
  "usage: qrd tensors FILE [--name NAME] [--no-fit] [--quiet]\n"
  "Lists the tensors of a checkpoint file: safetensors, NumPy .npy, an HDF5\n"
  "file (every floating-point dataset) or a TF.js graph model (model.json\n"
  "and its shards).  Per tensor: shape, dtype, count, mean, RMS, max |w|,\n"
  "excess kurtosis, and each registered family fitted by maximum likelihood\n"
  "(location 0; scale and shape by Nelder-Mead on at most 65536 evenly\n"
  "strided values), with the mean log-likelihood per element (nats, over\n"
  "every value); best names the family with the largest.  Integer tensors\n"
  "and tensors of fewer than 16 values are listed without fits (\"-\");\n"
  "excess_kurtosis is NA when every value is the same.  A tensor holding NaN\n"
  "or inf is refused (one line, nothing on stdout).\n"
  "  --name NAME  only that tensor\n"
  "  --no-fit     statistics only (fast)\n"
  "  --quiet      no progress on stderr (one line per tensor fitted)\n"
  "columns: name shape dtype count layout mean rms max_abs excess_kurtosis\n"
  "         best best_loglik fit_<family> loglik_<family> ... (each family)\n";

static void print_shape(FILE *out, const qrd_tensor_info *t)
{
  if (t->ndim == 0)
    fputs("scalar", out);
  for (size_t d = 0; d < t->ndim; d++)
    fprintf(out, "%s%llu", d ? "x" : "", (unsigned long long)t->shape[d]);
}

static void print_header(FILE *out)
{
  fputs("name\tshape\tdtype\tcount\tlayout\tmean\trms\tmax_abs\texcess_kurtosis\tbest\t"
        "best_loglik", out);
  for (size_t i = 0; i < qrd_dist_count() && i < MAX_FAMILIES; i++)
    fprintf(out, "\tfit_%s\tloglik_%s", qrd_dist_type_at(i)->name, qrd_dist_type_at(i)->name);
  fputc('\n', out);
}

/* A number of a row, or "-" where it is not one (a fit that did not
 * converge). */
static void put_number(FILE *out, double v)
{
  if (isfinite(v))
    fprintf(out, "\t%.10g", v);
  else
    fputs("\t-", out);
}

/* A tensor's statistics; the excess kurtosis m4/m2^2 - 3 is undefined
 * (NA) when every value is the same (m2 = 0), e.g. an all-zero bias, and
 * every statistic of a tensor with no values (a zero in its shape). */
typedef struct {
  qrd_fit_summary s;
  int constant;
} summary;

/* One row; fits == NULL prints "-" in their columns. */
static void print_row(FILE *out, const qrd_tensor_file *f, size_t i, const summary *sm,
                      const qrd_fit *fits, size_t n_fits, size_t best)
{
  const qrd_tensor_info *t = &f->info[i];
  const qrd_fit_summary *s = &sm->s;
  fprintf(out, "%s\t", t->name);
  print_shape(out, t);
  fprintf(out, "\t%s\t%llu\t%s", qrd_dtype_name(t->dtype), (unsigned long long)t->count,
          qrd_tensor_layout_name(f->reader->layout));
  if (t->count == 0)
    fputs("\tNA\tNA\tNA", out);
  else
    fprintf(out, "\t%.10g\t%.10g\t%.10g", s->mean, s->rms, s->max_abs);
  if (sm->constant)
    fputs("\tNA", out);
  else
    fprintf(out, "\t%.10g", s->excess_kurtosis);
  if (fits) {
    fprintf(out, "\t%s", fits[best].dist.type->name);
    put_number(out, fits[best].loglik);
  } else {
    fputs("\t-\t-", out);
  }
  for (size_t k = 0; k < qrd_dist_count() && k < MAX_FAMILIES; k++)
    if (fits && k < n_fits && !fits[k].status) {
      fprintf(out, "\t%s", fits[k].dist.spec);
      put_number(out, fits[k].loglik);
    } else {
      fputs("\t-\t-", out);
    }
  fputc('\n', out);
}

/* Tensor i read and summarised into *s: a value that is not finite, or
 * statistics that overflow (|w| near the top of float64), is refused
 * naming the tensor.  *x keeps the values when x is not NULL. */
static int summarise(const qrd_tensor_file *f, size_t i, summary *sm, double **x)
{
  const qrd_tensor_info *t = &f->info[i];
  qrd_fit_summary *s = &sm->s;
  double *v;
  int st = qrd_tensor_read(f, i, &v);
  if (st)
    return st;
  qrd_fit_summarise(v, (size_t)t->count, s);
  sm->constant = 1;
  for (size_t k = 1; k < (size_t)t->count && sm->constant; k++)
    sm->constant = v[k] == v[0];
  if (s->non_finite)
    st = qrd_error_set(QRD_EINVAL, "%s: tensor '%s' holds %zu non-finite values (NaN or "
                       "inf; allowed: finite values)", f->path, t->name, s->non_finite);
  else if (!(isfinite(s->mean) && isfinite(s->rms) && isfinite(s->excess_kurtosis)))
    st = qrd_error_set(QRD_EDOM, "%s: tensor '%s': its statistics overflow float64 (max |w| "
                       "= %g)", f->path, t->name, s->max_abs);
  if (st || !x)
    free(v);
  else
    *x = v;
  return st;
}

/* Tensor i's row into out, its families fitted when fit is set (with a
 * progress line on stderr unless quiet). */
static int one(FILE *out, const qrd_tensor_file *f, size_t i, const summary *s, int fit,
               int quiet)
{
  const qrd_tensor_info *t = &f->info[i];
  int fitted = fit && t->dtype != QRD_DTYPE_I32 && t->count >= 16 && s->s.rms > 0.0;
  qrd_fit fits[MAX_FAMILIES];
  size_t n_fits = 0, best = 0;
  double *x = NULL;
  int st = QRD_OK;
  if (fitted) {
    if (!quiet)
      fprintf(stderr, "qrd tensors: %s (%llu values)\n", t->name, (unsigned long long)t->count);
    summary again;
    st = summarise(f, i, &again, &x);
  }
  if (!st && fitted && (st = qrd_fit_all(x, (size_t)t->count, fits, MAX_FAMILIES, &n_fits,
                                         &best))) {
    char why[512];
    snprintf(why, sizeof why, "%s", qrd_error_detail());
    qrd_error_set(st, "%s: tensor '%s': %s", f->path, t->name, why);
  }
  for (size_t k = 0; !st && fitted && k < n_fits; k++)
    if (fits[k].status) /* said, and left out of the row ("-") */
      fprintf(stderr, "qrd tensors: note: %s: %s\n", t->name, fits[k].dist.spec);
  if (!st)
    print_row(out, f, i, s, fitted ? fits : NULL, n_fits, best);
  free(x);
  return st;
}

/* Every listed tensor is read and checked first, silently, so that a bad
 * one is the only line on stderr; then the fits run (with progress), and
 * stdout gets the table only when every row is complete. */
static int list(const qrd_tensor_file *f, size_t from, size_t to, int fit, int quiet)
{
  summary *s = calloc(to - from, sizeof *s);
  char *table = NULL;
  size_t len = 0;
  FILE *out = s ? open_memstream(&table, &len) : NULL;
  int st = out ? QRD_OK : qrd_error_set(QRD_ENOMEM, "%s: %zu tensors", f->path, to - from);
  for (size_t i = from; !st && i < to; i++)
    st = summarise(f, i, &s[i - from], NULL);
  if (!st)
    print_header(out);
  for (size_t i = from; !st && i < to; i++)
    st = one(out, f, i, &s[i - from], fit, quiet);
  if (out && fclose(out) != 0 && !st)
    st = qrd_error_set(QRD_ENOMEM, "%s: the table of %zu tensors", f->path, to - from);
  if (!st)
    fwrite(table, 1, len, stdout);
  free(table);
  free(s);
  return st;
}

int qrd_cmd_tensors(int argc, char **argv)
{
  qrd_opt o[] = {{"name", 1, NULL}, {"no-fit", 0, NULL}, {"quiet", 0, NULL}, {"help", 0, NULL}};
  size_t n = sizeof o / sizeof o[0], n_pos;
  const char *pos[1];
  if (qrd_args_parse("tensors", argc, argv, o, n, pos, 1, &n_pos))
    return 2;
  if (qrd_args_get(o, n, "help")) {
    fputs(help, stdout);
    return 0;
  }
  if (n_pos != 1)
    return qrd_args_bad("tensors", "give one checkpoint file (see qrd tensors --help)");
  qrd_tensor_file f;
  int st = qrd_tensor_file_open(pos[0], &f);
  if (st) {
    fprintf(stderr, "qrd tensors: %s\n", qrd_error_detail());
    return st == QRD_ENOMEM ? 1 : 2;
  }
  const char *name = qrd_args_get(o, n, "name");
  size_t only = 0;
  if (name && (st = qrd_tensor_find(&f, name, &only))) {
    fprintf(stderr, "qrd tensors: %s\n", qrd_error_detail());
    qrd_tensor_file_close(&f);
    return 2;
  }
  st = list(&f, name ? only : 0, name ? only + 1 : f.n, !qrd_args_get(o, n, "no-fit"),
            qrd_args_get(o, n, "quiet") != NULL);
  if (st)
    fprintf(stderr, "qrd tensors: %s\n", qrd_error_detail());
  qrd_tensor_file_close(&f);
  return !st ? 0 : st == QRD_ENOMEM || st == QRD_EMAXITER ? 1 : 2;
}
