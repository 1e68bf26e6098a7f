/* Covariance families: parsing, building, and the building blocks the
 * family files share. */
#include "mat/cov.h"

#include <gsl/gsl_cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "core/error.h"
#include "mat/cov_impl.h"
#include "mat/rotate.h"
#include "mc/sample.h"

#define FILE_PREFIX "file:"
#define HAAR_DOC "1: Sigma -> Q^T Sigma Q with a Haar Q from the same seed"

/* ---- registry and parsing ---- */

const qrd_cov_type *qrd_cov_type_find(const char *name)
{
  for (size_t i = 0; i < qrd_cov_count(); i++)
    if (strcmp(qrd_cov_type_at(i)->name, name) == 0)
      return qrd_cov_type_at(i);
  return NULL;
}

static const char *name_at(size_t i)
{
  return i < qrd_cov_count() ? qrd_cov_type_at(i)->name : "file:PATH[:GROUP]";
}

/* The family's parameters, then the generic haar flag. */
static size_t param_defs(const qrd_cov_type *t, qrd_param_def *defs)
{
  if (t->n_param) /* a family without parameters has param == NULL */
    memcpy(defs, t->param, t->n_param * sizeof *defs);
  defs[t->n_param] = (qrd_param_def){.name = "haar", .def = 0.0, .min = 0.0, .max = 1.0,
                                     .doc = HAAR_DOC};
  return t->n_param + 1;
}

/* "PATH[:GROUP]": the group follows the last ':'. */
static int parse_file(const char *text, qrd_cov *c)
{
  const char *rest = text + strlen(FILE_PREFIX);
  const char *colon = strrchr(rest, ':');
  size_t path_len = colon ? (size_t)(colon - rest) : strlen(rest);
  const char *group = colon ? colon + 1 : "";
  if (path_len == 0)
    return qrd_error_set(QRD_EINVAL, "'%s': no file name (write file:PATH[:GROUP])", text);
  if (path_len >= sizeof c->path || strlen(group) >= sizeof c->group)
    return qrd_error_set(QRD_EINVAL, "'%s': file or group name too long", text);
  memcpy(c->path, rest, path_len);
  c->path[path_len] = '\0';
  strcpy(c->group, group);
  snprintf(c->spec, sizeof c->spec, "%s", text);
  return QRD_OK;
}

int qrd_cov_parse(const char *text, qrd_cov *c)
{
  memset(c, 0, sizeof *c);
  if (strncmp(text, FILE_PREFIX, strlen(FILE_PREFIX)) == 0)
    return parse_file(text, c);
  qrd_spec s;
  int st = qrd_spec_parse(text, &s);
  if (st)
    return st;
  const qrd_cov_type *t = qrd_cov_type_find(s.name);
  if (!t)
    return qrd_spec_unknown("covariance family", s.name, qrd_cov_count() + 1, name_at);
  qrd_param_def defs[QRD_COV_MAX_PARAM + 1];
  double theta[QRD_COV_MAX_PARAM + 1];
  unsigned given;
  size_t n_defs = param_defs(t, defs);
  if ((st = qrd_spec_bind(&s, "covariance family", defs, n_defs, theta, &given)))
    return st;
  double haar = theta[t->n_param];
  if (haar != 0.0 && haar != 1.0)
    return qrd_error_set(QRD_EINVAL, "covariance family '%s': haar=%g (allowed: 0 or 1)",
                         t->name, haar);
  c->type = t;
  memcpy(c->theta, theta, t->n_param * sizeof *theta);
  c->haar = haar == 1.0;
  qrd_spec_format(c->spec, sizeof c->spec, t->name, defs, n_defs, theta, given);
  return QRD_OK;
}

int qrd_cov_dim(const qrd_cov *c, size_t n_req, size_t *n)
{
  if (!c->type) {
    int st = qrd_cov_file_dim(c->path, c->group, n);
    if (!st && (*n == 0 || *n > QRD_COV_MAX_N))
      st = qrd_error_set(QRD_EINVAL, "%s: Sigma is %zux%zu (allowed: n from 1 to %zu)",
                         c->path, *n, *n, QRD_COV_MAX_N);
    if (!st && n_req != 0 && n_req != *n)
      st = qrd_error_set(QRD_EINVAL, "%s: Sigma is %zux%zu but n = %zu was asked for",
                         c->path, *n, *n, n_req);
    return st;
  }
  if (n_req == 0 || n_req > QRD_COV_MAX_N)
    return qrd_error_set(QRD_EINVAL, "covariance family '%s': n = %zu (it needs a "
                         "dimension n >= 1 and n <= %zu)", c->spec, n_req, QRD_COV_MAX_N);
  *n = n_req;
  return QRD_OK;
}

static int haar_rotate(size_t n, unsigned long seed, double *S)
{
  qrd_rotation *r;
  double *work = qrd_mat_doubles_alloc(n, n, "Haar rotation's workspace");
  int st = work ? qrd_rotation_alloc(QRD_ROTATE_HAAR, n, seed, NULL, &r) : QRD_ENOMEM;
  if (!st) {
    qrd_rotation_apply_sigma(r, S, work);
    qrd_rotation_free(r);
  }
  free(work);
  return st;
}

int qrd_cov_check(size_t n, const double *S, const char *what)
{
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; i < n; i++) {
      double v = S[j * n + i];
      if (!isfinite(v))
        return qrd_error_set(QRD_EDOM, "%s: Sigma[%zu][%zu] = %g is not finite", what, i, j,
                             v);
      if (i == j && v != 0.0 && !(v >= QRD_COV_MIN_VAR && v <= QRD_COV_MAX_VAR))
        return qrd_error_set(QRD_EDOM, "%s: Sigma[%zu][%zu] = %g (allowed on the diagonal: 0 "
                             "or a variance from %g to %g)", what, i, i, v, QRD_COV_MIN_VAR,
                             QRD_COV_MAX_VAR);
    }
  return QRD_OK;
}

int qrd_cov_build(const qrd_cov *c, size_t n, unsigned long seed, double *S)
{
  if (n == 0 || n > QRD_COV_MAX_N)
    return qrd_error_set(QRD_EINVAL, "%s: n = %zu (allowed: 1 to %zu)", c->spec, n,
                         QRD_COV_MAX_N);
  int st = c->type ? c->type->build(c->theta, n, seed, S)
                   : qrd_cov_file_sigma(c->path, c->group, n, S);
  if (!st && c->type && c->haar)
    st = haar_rotate(n, seed, S);
  return st ? st : qrd_cov_check(n, S, c->spec);
}

/* ---- storage ---- */

int qrd_mat_bytes(size_t rows, size_t cols, size_t size, const char *what, size_t *bytes)
{
  if (rows != 0 && (cols > SIZE_MAX / rows || (cols != 0 && size > SIZE_MAX / rows / cols)))
    return qrd_error_set(QRD_ENOMEM, "%s: %zu x %zu elements of %zu bytes do not fit in "
                         "memory (the size overflows)", what, rows, cols, size);
  *bytes = rows * cols * size;
  return QRD_OK;
}

double *qrd_mat_doubles_alloc(size_t rows, size_t cols, const char *what)
{
  size_t bytes = 0;
  if (qrd_mat_bytes(rows, cols, sizeof(double), what, &bytes))
    return NULL;
  double *x = malloc(bytes ? bytes : 1);
  if (!x)
    qrd_error_set(QRD_ENOMEM, "%s: out of memory for %zu x %zu doubles (%.3g GiB)", what, rows,
                  cols, (double)bytes / 1073741824.0);
  return x;
}

int qrd_cov_read_w(const qrd_cov *c, size_t n, size_t *a, double **W)
{
  if (c->type)
    return qrd_error_set(QRD_EINVAL, "covariance '%s' is synthetic: only file: has a W",
                         c->spec);
  return qrd_cov_file_w(c->path, c->group, n, a, W);
}

/* ---- building blocks ---- */

int qrd_cov_gaussian(unsigned long seed, double sd, double *x, size_t count)
{
  qrd_dist g;
  int st = qrd_dist_parse("gaussian", &g);
  if (!st)
    st = qrd_sample_fill(&g, seed, x, count);
  if (!st && sd != 1.0)
    for (size_t i = 0; i < count; i++)
      x[i] *= sd;
  return st;
}

/* In tiles, so that the strided side of each copy stays in cache. */
static void mirror(size_t n, double *S, int from_upper)
{
  const size_t b = QRD_COV_TILE;
  for (size_t j0 = 0; j0 < n; j0 += b)
    for (size_t i0 = j0; i0 < n; i0 += b)
      for (size_t j = j0; j < j0 + b && j < n; j++)
        for (size_t i = i0 > j ? i0 : j + 1; i < i0 + b && i < n; i++) {
          if (from_upper)
            S[j * n + i] = S[i * n + j];
          else
            S[i * n + j] = S[j * n + i];
        }
}

void qrd_cov_mirror_lower(size_t n, double *S) { mirror(n, S, 0); }

void qrd_cov_mirror_upper(size_t n, double *S) { mirror(n, S, 1); }

void qrd_cov_gram(size_t n, size_t T, const double *X, double *S)
{
  cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, (int)n, (int)T, 1.0 / (double)T, X,
              (int)n, 0.0, S, (int)n);
  qrd_cov_mirror_lower(n, S);
}

void qrd_cov_diagonal(size_t n, const double *v, double *S)
{
  memset(S, 0, n * n * sizeof *S);
  for (size_t i = 0; i < n; i++)
    S[i * n + i] = v[i];
}

/* The lower triangle down each contiguous column, then mirrored in tiles:
 * writing each row's copy as it went crossed the matrix at a power-of-two
 * stride. */
void qrd_cov_ar1_fill(size_t n, double rho, double *S)
{
  for (size_t j = 0; j < n; j++) {
    double p = 1.0;
    for (size_t i = j; i < n; i++, p *= rho)
      S[j * n + i] = p;
  }
  qrd_cov_mirror_lower(n, S);
}

/* Back to front, (L^T z)_j = c_j s_j with s_j = z_j + rho s_{j+1}: each
 * step adds a term of a geometric series, so rounding stays eps relative to
 * sum |rho^k z|. */
void qrd_cov_ar1_root(size_t n, double rho, const double *e, size_t cols, const double *X,
                      double *Y)
{
  double c = sqrt((1.0 - rho) * (1.0 + rho)); /* no cancellation near |rho| = 1 */
  for (size_t j = 0; j < cols; j++) {
    const double *x = X + j * n;
    double *y = Y + j * n, s = 0.0;
    for (size_t i = n; i-- > 0;) {
      s = (e ? e[i] * x[i] : x[i]) + rho * s;
      y[i] = i ? c * s : s;
    }
  }
}

void qrd_cov_scale_sym(size_t n, const double *v, double *S)
{
  for (size_t j = 0; j < n; j++) {
    double *col = S + j * n, vj = v[j];
#pragma omp simd
    for (size_t i = 0; i < n; i++)
      col[i] *= sqrt(v[i] * vj);
  }
}

int qrd_cov_random_subset(size_t n, size_t k, unsigned long seed, size_t *idx)
{
  size_t *all = malloc(n * sizeof *all);
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  int st = all && g ? QRD_OK : qrd_error_set(QRD_ENOMEM, "random subset of %zu", n);
  if (!st) {
    for (size_t i = 0; i < n; i++)
      all[i] = i;
    gsl_rng_set(g, qrd_sample_chunk_seed(seed, 0));
    gsl_ran_choose(g, idx, k, all, n, sizeof *all);
  }
  gsl_rng_free(g);
  free(all);
  return st;
}
