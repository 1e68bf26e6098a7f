/* Covariance files for `file:PATH:GROUP` (io/sigma_write.h). */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "io/results.h"
#include "io/sigma_write.h"

struct qrd_sigma_file {
  hid_t file;
  char *path, *tmp;
};

static int fail(const qrd_sigma_file *f, const char *group, const char *what)
{
  return qrd_error_set(QRD_EIO, "%s: group '%s': cannot write %s", f->path, group, what);
}

/* Sigma files can be large, so they are written on disk as they grow: to a
 * temporary of their own (qrd_output_temp_name) created exclusively. */
int qrd_sigma_file_create(const char *path, qrd_sigma_file **out)
{
  *out = NULL;
  int st = qrd_output_check(path, NULL);
  if (st)
    return st;
  qrd_sigma_file *f = calloc(1, sizeof *f);
  size_t len = strlen(path);
  if (!f || !(f->path = malloc(len + 1))) {
    free(f);
    return qrd_error_set(QRD_ENOMEM, "%s: creating the file", path);
  }
  memcpy(f->path, path, len + 1);
  if ((st = qrd_output_temp_name(path, &f->tmp))) {
    free(f->path);
    free(f);
    return st;
  }
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  if (fcpl >= 0 && H5Pset_obj_track_times(fcpl, 0) >= 0)
    f->file = H5Fcreate(f->tmp, H5F_ACC_EXCL, fcpl, H5P_DEFAULT);
  else
    f->file = H5I_INVALID_HID;
  if (fcpl >= 0)
    H5Pclose(fcpl);
  if (f->file < 0) {
    st = qrd_error_set(QRD_EIO, "%s: cannot create the temporary file %s", path, f->tmp);
    free(f->path);
    free(f->tmp);
    free(f);
    return st;
  }
  *out = f;
  return QRD_OK;
}

static int attr_string(hid_t obj, const char *name, const char *value)
{
  hid_t t = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR), a = H5I_INVALID_HID;
  herr_t ok = -1;
  if (t >= 0 && space >= 0 && H5Tset_size(t, H5T_VARIABLE) >= 0 &&
      H5Tset_cset(t, H5T_CSET_UTF8) >= 0 &&
      (a = H5Acreate2(obj, name, t, space, H5P_DEFAULT, H5P_DEFAULT)) >= 0)
    ok = H5Awrite(a, t, &value);
  if (a >= 0)
    H5Aclose(a);
  if (space >= 0)
    H5Sclose(space);
  if (t >= 0)
    H5Tclose(t);
  return ok >= 0 ? QRD_OK : QRD_EIO;
}

static int attr_int(hid_t obj, const char *name, long long value)
{
  hid_t space = H5Screate(H5S_SCALAR), a = H5I_INVALID_HID;
  herr_t ok = -1;
  if (space >= 0 &&
      (a = H5Acreate2(obj, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT)) >= 0)
    ok = H5Awrite(a, H5T_NATIVE_LLONG, &value);
  if (a >= 0)
    H5Aclose(a);
  if (space >= 0)
    H5Sclose(space);
  return ok >= 0 ? QRD_OK : QRD_EIO;
}

int qrd_sigma_file_attr_string(qrd_sigma_file *f, const char *name, const char *value)
{
  if (attr_string(f->file, name, value ? value : ""))
    return qrd_error_set(QRD_EIO, "%s: cannot write root attribute '%s'", f->path, name);
  return QRD_OK;
}

static int write_matrix(hid_t g, const char *name, size_t rows, size_t cols, const double *x)
{
  hsize_t dims[2] = {rows, cols};
  hid_t space = H5Screate_simple(2, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hid_t d = H5I_INVALID_HID;
  herr_t ok = -1;
  if (space >= 0 && dcpl >= 0 && H5Pset_obj_track_times(dcpl, 0) >= 0 &&
      (d = H5Dcreate2(g, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT)) >= 0)
    ok = H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x);
  if (d >= 0)
    H5Dclose(d);
  if (dcpl >= 0)
    H5Pclose(dcpl);
  if (space >= 0)
    H5Sclose(space);
  return ok >= 0 ? QRD_OK : QRD_EIO;
}

int qrd_sigma_file_group(qrd_sigma_file *f, const char *group, size_t n, const double *Sigma,
                         size_t a, const double *W, const qrd_sigma_group_attrs *attrs)
{
  if (!group[0] || strchr(group, '/') || strchr(group, ':'))
    return qrd_error_set(QRD_EINVAL, "%s: group name '%s': want one non-empty path component "
                         "without '/' or ':'", f->path, group);
  if (n == 0 || (W && a == 0))
    return qrd_error_set(QRD_EINVAL, "%s: group '%s': Sigma %zux%zu, W %zux%zu (want n, a >= 1)",
                         f->path, group, n, n, a, n);
  if (H5Lexists(f->file, group, H5P_DEFAULT) > 0)
    return qrd_error_set(QRD_EINVAL, "%s: group '%s' written twice", f->path, group);
  hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE), g = H5I_INVALID_HID;
  if (gcpl >= 0 && H5Pset_obj_track_times(gcpl, 0) >= 0)
    g = H5Gcreate2(f->file, group, H5P_DEFAULT, gcpl, H5P_DEFAULT);
  if (gcpl >= 0)
    H5Pclose(gcpl);
  if (g < 0)
    return fail(f, group, "the group");
  int st = write_matrix(g, "Sigma", n, n, Sigma) ? fail(f, group, "dataset Sigma") : QRD_OK;
  if (!st && W && write_matrix(g, "W", a, n, W))
    st = fail(f, group, "dataset W");
  if (!st && attrs) {
    if ((attrs->layer && attr_string(g, "layer", attrs->layer)) ||
        (attrs->weight && attr_string(g, "weight", attrs->weight)) ||
        (attrs->tokens >= 0 && attr_int(g, "tokens", attrs->tokens)) ||
        (attrs->sentences >= 0 && attr_int(g, "sentences", attrs->sentences)))
      st = fail(f, group, "its attributes");
  }
  H5Gclose(g);
  return st;
}

static void release(qrd_sigma_file *f)
{
  free(f->path);
  free(f->tmp);
  free(f);
}

/* A close that fails (a full disk: its metadata cannot be flushed) leaves
 * HDF5 1.10 holding a freed file, on which its exit handler would crash:
 * the shutdown is skipped then, and the error returned. */
static int close_file(qrd_sigma_file *f)
{
  if (H5Fclose(f->file) >= 0)
    return 0;
  qrd_output_h5_close_failed();
  return -1;
}

int qrd_sigma_file_commit(qrd_sigma_file *f)
{
  int st = QRD_OK;
  if (close_file(f) < 0) {
    st = qrd_error_set(QRD_EIO, "%s: cannot write %s (a full disk?)", f->path, f->tmp);
    remove(f->tmp);
  } else if ((st = qrd_output_check(f->path, NULL)) != QRD_OK) {
    remove(f->tmp);
  } else if (rename(f->tmp, f->path) != 0) {
    st = qrd_error_set(QRD_EIO, "%s: cannot rename %s into place", f->path, f->tmp);
    remove(f->tmp);
  }
  release(f);
  return st;
}

void qrd_sigma_file_abort(qrd_sigma_file *f)
{
  if (!f)
    return;
  close_file(f);
  remove(f->tmp);
  release(f);
}
