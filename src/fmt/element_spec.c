/* Element formats by name ("int:sym=1", "fp:e=2,m=1", "lut:FILE", ...):
 * one table of families, so that the command line and configs name formats
 * the same way and a new family is one constructor plus one table row. */
#include "fmt/element.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/spec.h"

typedef int (*build_fn)(const double *theta, const qrd_element_request *r, qrd_element **out);

typedef struct {
  const char *name;
  int takes_bits; /* the level count comes from the request's bits */
  const qrd_param_def *params;
  size_t n_params;
  build_fn build;
  const char *doc;
} family;

static const qrd_param_def SYM_PARAM[] = {
  {.name = "sym", .def = 0, .min = 0, .max = 1,
   .doc = "1: symmetric levels, 0: asymmetric (INT4 = -8..7)"},
};
static const qrd_param_def FP_PARAMS[] = {
  {.name = "e", .def = NAN, .min = 1, .max = 11, .doc = "exponent bits"},
  {.name = "m", .def = NAN, .min = 0, .max = 19, .doc = "mantissa bits"},
};
static const qrd_param_def CRD_PARAMS[] = {
  {.name = "alpha", .def = 1.0 / 3.0, .min = 0, .max = 10, .doc = "density power"},
  {.name = "sym", .def = NAN, .min = 0, .max = 1,
   .doc = "1: symmetric, 0: asymmetric (the default under signmax)"},
};

static int whole(double v) { return v == floor(v); }

static int build_int(const double *theta, const qrd_element_request *r, qrd_element **out)
{
  if (!whole(theta[0]))
    return qrd_error_set(QRD_EINVAL, "element format int: sym must be 0 or 1");
  return qrd_element_int(r->bits, (int)theta[0], out);
}

static int build_fp(const double *theta, const qrd_element_request *r, qrd_element **out)
{
  (void)r;
  if (isnan(theta[0]) || isnan(theta[1]) || !whole(theta[0]) || !whole(theta[1]))
    return qrd_error_set(QRD_EINVAL, "element format fp needs whole e and m (fp:e=2,m=1)");
  return qrd_element_fp((int)theta[0], (int)theta[1], QRD_FP_NEAREST, out);
}

static int build_nf4(const double *theta, const qrd_element_request *r, qrd_element **out)
{
  (void)theta;
  (void)r;
  return qrd_element_nf4(out);
}

static int build_sf4(const double *theta, const qrd_element_request *r, qrd_element **out)
{
  (void)theta;
  (void)r;
  return qrd_element_sf4(out);
}

/* The CRD of the data's own distribution: RMS (crd) or block-normalised
 * (crd-block, absmax or signmax with the request's block size). */
static int build_crd_variant(const double *theta, const qrd_element_request *r, int block,
                             qrd_element **out)
{
  qrd_crd_params p;
  if (!r->dist)
    return qrd_error_set(QRD_EINVAL, "element format crd needs the data's distribution");
  int st = qrd_crd_params_for_dist(r->dist, &p, NULL, NULL, 0);
  if (st)
    return st;
  if (!isnan(theta[1]) && !whole(theta[1]))
    return qrd_error_set(QRD_EINVAL, "element format crd: sym must be 0 or 1");
  p.alpha = theta[0];
  p.symmetric = isnan(theta[1]) ? block == 0 || r->crd_scaling != QRD_CRD_SIGNMAX : (int)theta[1];
  if (block) {
    if (r->crd_scaling == QRD_CRD_RMS || !(r->block >= 1.0))
      return qrd_error_set(QRD_EINVAL, "element format crd-block needs an absmax:B or "
                           "signmax:B scaling (use crd with rms scalings)");
    p.scaling = r->crd_scaling;
    p.block = r->block;
  }
  return qrd_element_crd(&p, r->bits, out);
}

static int build_crd(const double *theta, const qrd_element_request *r, qrd_element **out)
{
  return build_crd_variant(theta, r, 0, out);
}

static int build_crd_block(const double *theta, const qrd_element_request *r,
                           qrd_element **out)
{
  return build_crd_variant(theta, r, 1, out);
}

#define PARAMS(a) a, sizeof a / sizeof a[0]

static const family FAMILIES[] = {
  {"int", 1, PARAMS(SYM_PARAM), build_int, "round(2^b) integer levels"},
  {"fp", 0, PARAMS(FP_PARAMS), build_fp, "sign + e + m bits, subnormals, no specials"},
  {"nf4", 0, NULL, 0, build_nf4, "QLoRA's NormalFloat table"},
  {"sf4", 0, NULL, 0, build_sf4, "Student-t (nu = 5) float table"},
  {"crd", 1, PARAMS(CRD_PARAMS), build_crd, "cube-root-density, RMS-scaled data"},
  {"crd-block", 1, PARAMS(CRD_PARAMS), build_crd_block, "cube-root-density of block maxima"},
};
#define N_FAMILIES (sizeof FAMILIES / sizeof FAMILIES[0])
#define LUT_PREFIX "lut:"

/* The table's names, then the file-backed family. */
static const char *family_name(size_t i) { return i < N_FAMILIES ? FAMILIES[i].name : "lut:FILE"; }

static const family *find(const char *name)
{
  for (size_t i = 0; i < N_FAMILIES; i++)
    if (strcmp(name, FAMILIES[i].name) == 0)
      return &FAMILIES[i];
  return NULL;
}

int qrd_element_spec_takes_bits(const char *spec)
{
  qrd_spec s;
  if (strncmp(spec, LUT_PREFIX, strlen(LUT_PREFIX)) == 0 || qrd_spec_parse(spec, &s))
    return 0;
  const family *f = find(s.name);
  return f && f->takes_bits;
}

/* Values of a table file: numbers separated by white space, '#' to the end
 * of a line a comment. */
static int read_table(const char *path, double **out, size_t *n)
{
  FILE *f = fopen(path, "r");
  if (!f)
    return qrd_error_set(QRD_EIO, "lut:%s: %s", path, strerror(errno));
  size_t cap = 16, line = 1;
  double *v = malloc(cap * sizeof *v);
  int st = v ? QRD_OK : qrd_error_set(QRD_ENOMEM, "lut:%s", path);
  char word[128];
  *n = 0;
  for (int c = fgetc(f); !st && c != EOF; c = fgetc(f)) {
    if (c == '#')
      while (c != '\n' && c != EOF)
        c = fgetc(f);
    line += c == '\n';
    if (c == EOF || c == '\n' || c == ' ' || c == '\t' || c == '\r' || c == ',')
      continue;
    size_t k = 0;
    for (; c != EOF && !strchr(" \t\r\n,#", c); c = fgetc(f))
      if (k + 1 < sizeof word)
        word[k++] = (char)c;
    word[k] = '\0';
    ungetc(c, f);
    if (*n == cap && !(v = realloc(v, (cap *= 2) * sizeof *v)))
      st = qrd_error_set(QRD_ENOMEM, "lut:%s", path);
    else if (qrd_parse_double(word, &v[*n]))
      st = qrd_error_set(QRD_EINVAL, "lut:%s:%zu: '%s' is not a number", path, line, word);
    else
      (*n)++;
  }
  fclose(f);
  if (st)
    free(v);
  else
    *out = v;
  return st;
}

static int build_lut(const char *path, qrd_element **out)
{
  double *v = NULL;
  size_t n = 0;
  int st = read_table(path, &v, &n);
  if (st)
    return st;
  char name[QRD_ELEMENT_NAME_LEN];
  snprintf(name, sizeof name, "lut:%s", path);
  st = qrd_element_lut(v, n, name, out); /* its errors name the table */
  free(v);
  return st;
}

int qrd_element_from_spec(const char *spec, const qrd_element_request *r, qrd_element **out)
{
  *out = NULL;
  if (strncmp(spec, LUT_PREFIX, strlen(LUT_PREFIX)) == 0)
    return build_lut(spec + strlen(LUT_PREFIX), out);
  qrd_spec s;
  int st = qrd_spec_parse(spec, &s);
  if (st)
    return st;
  const family *f = find(s.name);
  if (!f)
    return qrd_spec_unknown("element format", s.name, N_FAMILIES + 1, family_name);
  double theta[QRD_SPEC_MAX_PARAMS];
  unsigned given;
  if ((st = qrd_spec_bind(&s, "element format", f->params, f->n_params, theta, &given)))
    return st;
  if (f->takes_bits && !(r->bits >= 1.0))
    return qrd_error_set(QRD_EINVAL, "element format %s needs element bits >= 1 (got %g)",
                         s.name, r->bits);
  return f->build(theta, r, out);
}
