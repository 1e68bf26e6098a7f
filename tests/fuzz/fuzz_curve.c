/* Reading curves and root attributes back from a results file
 * (io/curve_read.c, for qrd report): every /<panel>/<curve> group the file
 * has (found with HDF5's own listing) and a few root attributes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "core/error.h"
#include "fuzz.h"
#include "io/curve_read.h"

#define MAX_NAMES 16
#define NAME_LEN 128

typedef struct {
  char name[MAX_NAMES][NAME_LEN];
  size_t n;
} names;

static herr_t collect(hid_t g, const char *name, const H5L_info_t *info, void *p)
{
  (void)g;
  (void)info;
  names *l = p;
  if (l->n == MAX_NAMES)
    return 1;
  if (strlen(name) < NAME_LEN)
    strcpy(l->name[l->n++], name);
  return 0;
}

static void list(hid_t file, const char *group, names *l)
{
  l->n = 0;
  H5Literate_by_name(file, group, H5_INDEX_NAME, H5_ITER_INC, NULL, collect, l, H5P_DEFAULT);
}

static int read_curves(const char *path)
{
  qrd_error_clear();
  qrd_curve_file *f;
  if (qrd_fuzz_status(qrd_curve_file_open(path, &f), "qrd_curve_file_open"))
    return 0;
  static const char *const attrs[] = {"seed", "threads", "config", "nope"};
  for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
    double v;
    qrd_fuzz_status(qrd_curve_file_attr(f, attrs[i], &v), "qrd_curve_file_attr");
  }
  hid_t h = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  names panels, curves;
  if (h >= 0)
    list(h, "/", &panels);
  for (size_t p = 0; h >= 0 && p < panels.n; p++) {
    char g[NAME_LEN + 2];
    snprintf(g, sizeof g, "/%s", panels.name[p]);
    list(h, g, &curves);
    for (size_t c = 0; c < curves.n; c++) {
      qrd_curve cv;
      if (qrd_fuzz_status(qrd_curve_file_read(f, panels.name[p], curves.name[c], &cv),
                          "qrd_curve_file_read") == QRD_OK) {
        qrd_fuzz_assert(cv.n >= 1 && cv.n <= QRD_CURVE_MAX_POINTS && cv.x && cv.y,
                        "a curve read without its points");
        qrd_curve_free(&cv);
      }
    }
  }
  if (h >= 0)
    H5Fclose(h);
  qrd_curve_file_close(f);
  qrd_curve cv;
  if (qrd_fuzz_status(qrd_results_read_curve(path, "p", "c", &cv), "qrd_results_read_curve") ==
      QRD_OK)
    qrd_curve_free(&cv);
  return 0;
}

int qrd_fuzz_curve(const uint8_t *data, size_t size)
{
  return qrd_fuzz_hdf5_input("curves.h5", data, size, read_curves);
}

QRD_FUZZ_MAIN(curve)
