#include "io/curve_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "core/error.h"
#include "io/h5probe.h"
#include "io/h5read.h"

/* Datasets go through io/h5read (one reader of numeric arrays); the root
 * attributes, which h5read does not cover, through a second read-only
 * handle on the same file. */
struct qrd_curve_file {
  qrd_h5read *data;
  hid_t file;
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
  if ((f->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
    qrd_h5read_close(data);
    free(f);
    return qrd_error_set(QRD_EIO, "%s: cannot open", path);
  }
  *out = f;
  return QRD_OK;
}

void qrd_curve_file_close(qrd_curve_file *f)
{
  if (!f)
    return;
  H5Fclose(f->file);
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

int qrd_curve_file_read(const qrd_curve_file *f, const char *panel, const char *curve,
                        qrd_curve *out)
{
  *out = (qrd_curve){0};
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

int qrd_curve_file_attr(const qrd_curve_file *f, const char *name, double *out)
{
  if (!qrd_h5probe_has_attr(f->file, ".", name))
    return qrd_error_set(QRD_ENOTFOUND, "%s: no root attribute '%s'", f->path, name);
  hid_t a = H5Aopen(f->file, name, H5P_DEFAULT);
  if (a < 0)
    return qrd_error_set(QRD_EIO, "%s: cannot read root attribute '%s'", f->path, name);
  hid_t type = H5Aget_type(a), space = H5Aget_space(a);
  H5T_class_t cls = type < 0 ? H5T_NO_CLASS : H5Tget_class(type);
  hssize_t np = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
  int st = QRD_OK;
  if (cls != H5T_FLOAT && cls != H5T_INTEGER)
    st = qrd_error_set(QRD_EINVAL, "%s: root attribute '%s' is not a number", f->path, name);
  else if (np != 1)
    st = qrd_error_set(QRD_EINVAL, "%s: root attribute '%s' is not a scalar", f->path, name);
  else if (H5Aread(a, H5T_NATIVE_DOUBLE, out) < 0)
    st = qrd_error_set(QRD_EIO, "%s: cannot read root attribute '%s'", f->path, name);
  if (space >= 0)
    H5Sclose(space);
  if (type >= 0)
    H5Tclose(type);
  H5Aclose(a);
  return st;
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
