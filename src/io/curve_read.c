#include "io/curve_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "io/h5probe.h"
#include "io/h5read.h"

/* Everything goes through io/h5read, whose calls libhdf5 cannot crash. */
struct qrd_curve_file {
  qrd_h5read *data;
  char path[]; /* for messages */
};

int qrd_curve_file_open(const char *path, qrd_curve_file **out)
{
  *out = NULL;
  qrd_h5read *data;
  int st = qrd_h5read_open(path, &data);
  if (st)
    return st;
  size_t len = strlen(path) + 1;
  qrd_curve_file *f = malloc(sizeof *f + len);
  if (!f) {
    qrd_h5read_close(data);
    return qrd_error_set(QRD_ENOMEM, "%s: cannot open", path);
  }
  memcpy(f->path, path, len);
  f->data = data;
  *out = f;
  return QRD_OK;
}

void qrd_curve_file_close(qrd_curve_file *f)
{
  if (!f)
    return;
  qrd_h5read_close(f->data);
  free(f);
}

void qrd_curve_free(qrd_curve *c)
{
  free(c->x);
  free(c->y);
  free(c->y_err);
  *c = (qrd_curve){0};
}

/* The length of the 1-D dataset <group>/<name>, checked before anything is
 * allocated. */
static int curve_length(const qrd_curve_file *f, const char *group, const char *name,
                        size_t *n)
{
  char obj[1024];
  snprintf(obj, sizeof obj, "%s/%s", group, name);
  int st = qrd_h5read_dims(f->data, obj, 1, n);
  if (st)
    return st;
  if (*n == 0 || *n > QRD_CURVE_MAX_POINTS)
    return qrd_error_set(QRD_EINVAL, "%s: dataset '%s' has %zu points (allowed: 1 ... %zu)",
                         f->path, obj, *n, QRD_CURVE_MAX_POINTS);
  return QRD_OK;
}

static int read_array(const qrd_curve_file *f, const char *group, const char *name, size_t n,
                      double **out)
{
  char obj[1024];
  snprintf(obj, sizeof obj, "%s/%s", group, name);
  if (!(*out = malloc(n * sizeof **out)))
    return qrd_error_set(QRD_ENOMEM, "%s: no memory for '%s' (%zu points)", f->path, obj, n);
  return qrd_h5read_doubles(f->data, obj, n, *out);
}

static int read_now(const qrd_curve_file *f, const char *panel, const char *curve,
                    qrd_curve *out)
{
  char group[512];
  if (snprintf(group, sizeof group, "/%s/%s", panel, curve) >= (int)sizeof group)
    return qrd_error_set(QRD_EINVAL, "%s: curve name '%s/%s' too long", f->path, panel,
                         curve);
  char pgroup[512];
  snprintf(pgroup, sizeof pgroup, "/%s", panel);
  if (qrd_h5read_group(f->data, pgroup) != QRD_OK)
    return qrd_error_set(QRD_ENOTFOUND, "%s: no panel '%s'", f->path, panel);
  if (qrd_h5read_group(f->data, group) != QRD_OK)
    return qrd_error_set(QRD_ENOTFOUND, "%s: no curve '%s' in panel '%s'", f->path, curve,
                         panel);
  size_t n, ny, ne;
  int st = curve_length(f, group, "x", &n);
  if (!st)
    st = curve_length(f, group, "y", &ny);
  if (!st && ny != n)
    st = qrd_error_set(QRD_EINVAL, "%s: curve '%s/%s' has %zu x but %zu y values", f->path,
                       panel, curve, n, ny);
  char eobj[600];
  snprintf(eobj, sizeof eobj, "%s/y_err", group);
  int has_err = !st && qrd_h5read_exists(f->data, eobj);
  if (has_err) {
    st = curve_length(f, group, "y_err", &ne);
    if (!st && ne != n)
      st = qrd_error_set(QRD_EINVAL, "%s: curve '%s/%s' has %zu x but %zu y_err values",
                         f->path, panel, curve, n, ne);
  }
  if (!st)
    st = read_array(f, group, "x", n, &out->x);
  if (!st)
    st = read_array(f, group, "y", n, &out->y);
  if (!st && has_err)
    st = read_array(f, group, "y_err", n, &out->y_err);
  if (st) {
    qrd_curve_free(out);
    return st;
  }
  out->n = n;
  return QRD_OK;
}

typedef struct {
  const qrd_curve_file *f;
  const char *panel, *curve;
  qrd_curve *out;
} read_call;

static int read_call_now(void *p)
{
  read_call *c = p;
  return read_now(c->f, c->panel, c->curve, c->out);
}

/* One rehearsal (io/h5probe.h) for the whole curve instead of one per
 * h5read call: a fork costs milliseconds. */
int qrd_curve_file_read(const qrd_curve_file *f, const char *panel, const char *curve,
                        qrd_curve *out)
{
  *out = (qrd_curve){0};
  read_call c = {f, panel, curve, out};
  return qrd_h5probe_call(f->path, NULL, read_call_now, &c);
}

int qrd_curve_file_attr(const qrd_curve_file *f, const char *name, double *out)
{
  return qrd_h5read_attr_double(f->data, name, out);
}

int qrd_results_read_curve(const char *path, const char *panel, const char *curve,
                           qrd_curve *out)
{
  *out = (qrd_curve){0};
  qrd_curve_file *f;
  int st = qrd_curve_file_open(path, &f);
  if (st)
    return st;
  st = qrd_curve_file_read(f, panel, curve, out);
  qrd_curve_file_close(f);
  return st;
}
