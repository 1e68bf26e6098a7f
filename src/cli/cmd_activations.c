/* qrd activations: the input covariances Sigma_X = X^T X / n of a model's
 * linear layers, from activation rows dumped by
 * experiments/tools/activations.js, with each layer's weight W, into an
 * HDF5 file that `file:PATH:GROUP` covariances read (io/sigma_write.h). */
#include <cblas.h>
#include <json-c/json.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "io/blasinfo.h"
#include "io/sigma_write.h"
#include "io/tensor.h"

#define CHUNK_ROWS 1024 /* rows of X per dsyrk update */

static const char help[] =
  "usage: qrd activations --index DIR/index.json --model MODEL.json --out FILE.h5\n"
  "Reads the activation rows X (float32, rows x cols) of every layer listed in\n"
  "index.json (written by experiments/tools/activations.js), accumulates\n"
  "Sigma_X = X^T X / rows in double precision (dsyrk over chunks of 1024 rows,\n"
  "in file order, one OpenBLAS thread: the same bits on every run), reads the\n"
  "layer's weight from MODEL (any tensor file qrd reads, e.g. a TF.js\n"
  "model.json) as [out, in] rows, and writes one group per layer with datasets\n"
  "Sigma (n x n) and W (out x n) and attributes layer, weight, tokens and\n"
  "sentences: use it as --family file:FILE.h5:/LAYER.  Prints one TSV row per\n"
  "layer: layer rows n out trace.\n";

typedef struct {
  const char *layer, *weight, *file;
  long long rows, cols, sentences;
} entry;

static const char *index_path;

static int field(json_object *o, size_t i, const char *key, json_type t, json_object **v)
{
  if (!json_object_object_get_ex(o, key, v) || !json_object_is_type(*v, t))
    return qrd_error_set(QRD_EINVAL, "%s: layers[%zu]: key '%s' missing or not a%s %s",
                         index_path, i, key, t == json_type_int ? "n" : "",
                         t == json_type_int ? "integer" : "string");
  return QRD_OK;
}

static int read_entry(json_object *o, size_t i, entry *e)
{
  json_object *v;
  int st;
  if ((st = field(o, i, "layer", json_type_string, &v)))
    return st;
  e->layer = json_object_get_string(v);
  if ((st = field(o, i, "weight", json_type_string, &v)))
    return st;
  e->weight = json_object_get_string(v);
  if ((st = field(o, i, "file", json_type_string, &v)))
    return st;
  e->file = json_object_get_string(v);
  if ((st = field(o, i, "rows", json_type_int, &v)))
    return st;
  e->rows = json_object_get_int64(v);
  if ((st = field(o, i, "cols", json_type_int, &v)))
    return st;
  e->cols = json_object_get_int64(v);
  if ((st = field(o, i, "sentences", json_type_int, &v)))
    return st;
  e->sentences = json_object_get_int64(v);
  if (e->rows < 1 || e->cols < 1 || e->cols > 65536 || e->sentences < 0 ||
      strchr(e->file, '/') || strchr(e->layer, '/'))
    return qrd_error_set(QRD_EINVAL, "%s: layer '%s': rows %lld, cols %lld, sentences %lld, "
                         "file '%s' (allowed: rows >= 1, 1 <= cols <= 65536, sentences >= 0, "
                         "names without '/')", index_path, e->layer, e->rows, e->cols,
                         e->sentences, e->file);
  return QRD_OK;
}

/* S (n x n, both triangles) <- X^T X / rows from the float32 file. */
static int accumulate(const char *path, const entry *e, double *S)
{
  size_t n = (size_t)e->cols, rows = (size_t)e->rows;
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return qrd_error_set(QRD_ENOTFOUND, "%s: layer '%s': cannot open", path, e->layer);
  fseek(fp, 0, SEEK_END);
  long size = ftell(fp);
  rewind(fp);
  if (size < 0 || (uint64_t)size != (uint64_t)rows * n * 4) {
    fclose(fp);
    return qrd_error_set(QRD_EIO, "%s: layer '%s': %ld bytes, index.json says %zu x %zu float32 "
                         "(%llu bytes)", path, e->layer, size, rows, n,
                         (unsigned long long)rows * n * 4);
  }
  float *raw = malloc(CHUNK_ROWS * n * sizeof *raw);
  double *A = malloc(CHUNK_ROWS * n * sizeof *A);
  int st = raw && A ? QRD_OK : qrd_error_set(QRD_ENOMEM, "%s: layer '%s': chunk", path, e->layer);
  memset(S, 0, n * n * sizeof *S);
  for (size_t r0 = 0; !st && r0 < rows; r0 += CHUNK_ROWS) {
    size_t k = rows - r0 < CHUNK_ROWS ? rows - r0 : CHUNK_ROWS;
    if (fread(raw, sizeof *raw, k * n, fp) != k * n) {
      st = qrd_error_set(QRD_EIO, "%s: layer '%s': short read at row %zu", path, e->layer, r0);
      break;
    }
    for (size_t i = 0; i < k * n; i++) {
      A[i] = raw[i];
      if (!isfinite(A[i]))
        st = qrd_error_set(QRD_EINVAL, "%s: layer '%s': X[%zu][%zu] is not finite", path,
                           e->layer, r0 + i / n, i % n);
    }
    if (!st)
      cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)n, (int)k, 1.0, A, (int)n, 1.0,
                  S, (int)n);
  }
  for (size_t i = 0; !st && i < n; i++)
    for (size_t j = i; j < n; j++)
      S[j * n + i] = S[i * n + j] = S[i * n + j] / (double)rows;
  free(raw);
  free(A);
  fclose(fp);
  return st;
}

/* *W <- the weight as [out, in] rows, in = n. */
static int read_weight(const qrd_tensor_file *tf, const entry *e, size_t n, double **W,
                       size_t *out)
{
  size_t i, rows, cols;
  *W = NULL;
  int st = qrd_tensor_find(tf, e->weight, &i);
  if (!st)
    st = qrd_tensor_read(tf, i, W);
  if (!st)
    st = qrd_tensor_as_rows(&tf->info[i], tf->reader->layout, *W, &rows, &cols);
  if (!st && cols != n)
    st = qrd_error_set(QRD_EINVAL, "%s: layer '%s': weight '%s' has %zu inputs, X has %zu "
                       "columns", tf->path, e->layer, e->weight, cols, n);
  if (st) {
    char detail[1024];
    snprintf(detail, sizeof detail, "%s", qrd_error_detail());
    qrd_error_set(st, "layer '%s': %s", e->layer, detail);
    free(*W);
    *W = NULL;
  } else
    *out = rows;
  return st;
}

static int run(const char *index, const char *model, const char *out_path)
{
  index_path = index;
  json_object *root = json_object_from_file(index);
  if (!root) {
    char why[512];
    snprintf(why, sizeof why, "%s", json_util_get_last_err() ? json_util_get_last_err() : "?");
    why[strcspn(why, "\n")] = '\0';
    return qrd_error_set(QRD_EIO, "%s: cannot read or parse (%s)", index, why);
  }
  json_object *layers, *v;
  long long sentences = -1;
  int st = QRD_OK;
  if (!json_object_object_get_ex(root, "layers", &layers) ||
      !json_object_is_type(layers, json_type_array) || json_object_array_length(layers) == 0)
    st = qrd_error_set(QRD_EINVAL, "%s: key 'layers' missing or not a non-empty array", index);
  if (json_object_object_get_ex(root, "sentences", &v))
    sentences = json_object_get_int64(v);
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", index);
  char *slash = strrchr(dir, '/');
  if (slash)
    slash[1] = '\0';
  else
    dir[0] = '\0';
  qrd_tensor_file tf = {0};
  int tf_open = 0;
  if (!st && !(st = qrd_tensor_file_open(model, &tf)))
    tf_open = 1;
  qrd_sigma_file *f = NULL;
  if (!st)
    st = qrd_sigma_file_create(out_path, &f);
  if (!st)
    st = qrd_sigma_file_attr_string(f, "model", model);
  json_object *corpus;
  if (!st && json_object_object_get_ex(root, "corpus", &corpus))
    st = qrd_sigma_file_attr_string(f, "corpus", json_object_get_string(corpus));
  int blas_threads = qrd_openblas_threads();
  qrd_openblas_set_threads(1);
  /* the table goes to stdout only when the file is complete */
  char table[64 * 256];
  size_t used = (size_t)snprintf(table, sizeof table, "layer\trows\tn\tout\ttrace\n");
  size_t n_layers = st ? 0 : json_object_array_length(layers);
  for (size_t i = 0; !st && i < n_layers; i++) {
    entry e;
    if ((st = read_entry(json_object_array_get_idx(layers, i), i, &e)))
      break;
    size_t n = (size_t)e.cols, a = 0;
    char path[8192];
    snprintf(path, sizeof path, "%s%s", dir, e.file);
    double *S = malloc(n * n * sizeof *S), *W = NULL;
    if (!S)
      st = qrd_error_set(QRD_ENOMEM, "layer '%s': Sigma of %zux%zu", e.layer, n, n);
    if (!st)
      st = accumulate(path, &e, S);
    if (!st)
      st = read_weight(&tf, &e, n, &W, &a);
    if (!st) {
      qrd_sigma_group_attrs at = {e.layer, e.weight, e.rows,
                                  e.sentences ? e.sentences : sentences};
      st = qrd_sigma_file_group(f, e.layer, n, S, a, W, &at);
    }
    if (!st) {
      double tr = 0.0;
      for (size_t j = 0; j < n; j++)
        tr += S[j * n + j];
      if (used < sizeof table)
        used += (size_t)snprintf(table + used, sizeof table - used, "%s\t%lld\t%zu\t%zu\t%.9g\n",
                                 e.layer, e.rows, n, a, tr);
    }
    free(S);
    free(W);
  }
  qrd_openblas_set_threads(blas_threads);
  if (st)
    qrd_sigma_file_abort(f);
  else if (!(st = qrd_sigma_file_commit(f)))
    fputs(table, stdout);
  if (tf_open)
    qrd_tensor_file_close(&tf);
  json_object_put(root);
  return st;
}

int qrd_cmd_activations(int argc, char **argv)
{
  qrd_opt opts[] = {{"index", 1, NULL}, {"model", 1, NULL}, {"out", 1, NULL}, {"help", 0, NULL}};
  size_t n_opts = sizeof opts / sizeof opts[0], n_pos;
  const char *pos[1];
  if (qrd_args_parse("activations", argc, argv, opts, n_opts, pos, 0, &n_pos))
    return 2;
  if (qrd_args_get(opts, n_opts, "help")) {
    fputs(help, stdout);
    return 0;
  }
  const char *index = qrd_args_get(opts, n_opts, "index");
  const char *model = qrd_args_get(opts, n_opts, "model");
  const char *out = qrd_args_get(opts, n_opts, "out");
  if (!index || !model || !out)
    return qrd_args_bad("activations", "--index, --model and --out are required "
                        "(see qrd activations --help)");
  int st = run(index, model, out);
  if (st) {
    fflush(stdout);
    fprintf(stderr, "qrd activations: %s\n", qrd_error_detail());
    return st == QRD_ENOMEM || st == QRD_EIO ? 1 : 2;
  }
  return 0;
}
