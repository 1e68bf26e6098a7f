/* The results reader behind qrd export (io/results.c): the long TSV, the
 * panel list, and each panel's gnuplot blocks and curve list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "fuzz.h"
#include "io/results.h"

#define MAX_PANELS 16

static FILE *sink(void)
{
  static FILE *null;
  if (!null && !(null = fopen("/dev/null", "w")))
    abort();
  return null;
}

static int export_all(const char *path)
{
  qrd_error_clear();
  qrd_fuzz_status(qrd_results_export_tsv(path, sink()), "qrd_results_export_tsv");
  char *panels = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&panels, &len);
  qrd_fuzz_assert(mem != NULL, "open_memstream");
  int st = qrd_fuzz_status(qrd_results_list_panels(path, mem), "qrd_results_list_panels");
  fclose(mem);
  char *save = NULL;
  int k = 0;
  for (char *p = st ? NULL : strtok_r(panels, "\n", &save); p && k < MAX_PANELS;
       p = strtok_r(NULL, "\n", &save), k++) {
    qrd_fuzz_status(qrd_results_export_panel(path, p, sink()), "qrd_results_export_panel");
    qrd_fuzz_status(qrd_results_list_curves(path, p, sink()), "qrd_results_list_curves");
  }
  free(panels);
  return 0;
}

int qrd_fuzz_export(const uint8_t *data, size_t size)
{
  return qrd_fuzz_hdf5_input("results.h5", data, size, export_all);
}

QRD_FUZZ_MAIN(export)
