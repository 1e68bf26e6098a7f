/* qrd tensors: the tensors of a checkpoint file, their statistics and the
 * best-fitting registered family by maximum likelihood (mc/fit.h). */
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
  "and tensors of fewer than 16 values are listed without fits (\"-\").\n"
  "  --name NAME  only that tensor\n"
  "  --no-fit     statistics only (fast)\n"
  "  --quiet      no progress on stderr\n"
  "columns: name shape dtype count layout mean rms max_abs excess_kurtosis\n"
  "         best best_loglik fit_<family> loglik_<family> ... (each family)\n";

static void print_shape(const qrd_tensor_info *t)
{
  if (t->ndim == 0)
    fputs("scalar", stdout);
  for (size_t d = 0; d < t->ndim; d++)
    printf("%s%llu", d ? "x" : "", (unsigned long long)t->shape[d]);
}

static void print_header(void)
{
  fputs("name\tshape\tdtype\tcount\tlayout\tmean\trms\tmax_abs\texcess_kurtosis\tbest\t"
        "best_loglik", stdout);
  for (size_t i = 0; i < qrd_dist_count() && i < MAX_FAMILIES; i++)
    printf("\tfit_%s\tloglik_%s", qrd_dist_type_at(i)->name, qrd_dist_type_at(i)->name);
  putchar('\n');
}

/* One row; fits == NULL prints "-" in their columns. */
static void print_row(const qrd_tensor_file *f, size_t i, const qrd_fit_summary *s,
                      const qrd_fit *fits, size_t n_fits, size_t best)
{
  const qrd_tensor_info *t = &f->info[i];
  printf("%s\t", t->name);
  print_shape(t);
  printf("\t%s\t%llu\t%s\t%.10g\t%.10g\t%.10g\t%.10g", qrd_dtype_name(t->dtype),
         (unsigned long long)t->count, qrd_tensor_layout_name(f->reader->layout), s->mean,
         s->rms, s->max_abs, s->excess_kurtosis);
  if (fits)
    printf("\t%s\t%.10g", fits[best].dist.type->name, fits[best].loglik);
  else
    fputs("\t-\t-", stdout);
  for (size_t k = 0; k < qrd_dist_count() && k < MAX_FAMILIES; k++)
    if (fits && k < n_fits && !fits[k].status)
      printf("\t%s\t%.10g", fits[k].dist.spec, fits[k].loglik);
    else
      fputs("\t-\t-", stdout);
  putchar('\n');
}

static int one(const qrd_tensor_file *f, size_t i, int fit, int quiet)
{
  const qrd_tensor_info *t = &f->info[i];
  if (!quiet)
    fprintf(stderr, "qrd tensors: %s (%llu values)\n", t->name, (unsigned long long)t->count);
  double *x;
  int st = qrd_tensor_read(f, i, &x);
  if (st)
    return st;
  qrd_fit_summary s;
  qrd_fit_summarise(x, (size_t)t->count, &s);
  if (s.non_finite)
    st = qrd_error_set(QRD_EINVAL, "%s: tensor '%s' holds %zu non-finite values", f->path,
                       t->name, s.non_finite);
  qrd_fit fits[MAX_FAMILIES];
  size_t n_fits = 0, best = 0;
  int fitted = !st && fit && t->dtype != QRD_DTYPE_I32 && t->count >= 16 && s.rms > 0.0;
  if (fitted && (st = qrd_fit_all(x, (size_t)t->count, fits, MAX_FAMILIES, &n_fits, &best))) {
    char why[512];
    snprintf(why, sizeof why, "%s", qrd_error_detail());
    qrd_error_set(st, "%s: tensor '%s': %s", f->path, t->name, why);
  }
  for (size_t k = 0; !st && fitted && k < n_fits; k++)
    if (fits[k].status) /* said, and left out of the row ("-") */
      fprintf(stderr, "qrd tensors: note: %s: %s\n", t->name, fits[k].dist.spec);
  if (!st)
    print_row(f, i, &s, fitted ? fits : NULL, n_fits, best);
  free(x);
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
  print_header();
  for (size_t i = name ? only : 0; !st && i < (name ? only + 1 : f.n); i++)
    st = one(&f, i, !qrd_args_get(o, n, "no-fit"), qrd_args_get(o, n, "quiet") != NULL);
  if (st)
    fprintf(stderr, "qrd tensors: %s\n", qrd_error_detail());
  qrd_tensor_file_close(&f);
  return !st ? 0 : st == QRD_ENOMEM || st == QRD_EMAXITER ? 1 : 2;
}
