#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "io/results.h"

static const char usage[] =
    "usage: qrd export FILE.h5             all curves as long TSV\n"
    "       qrd export --panels FILE.h5    panel names, one per line\n"
    "       qrd export --panel P FILE.h5   one panel as gnuplot data blocks\n"
    "       qrd export --curves P FILE.h5  curve names of panel P, one per line\n"
    "\n"
    "The long TSV starts with '#' provenance comments, then the header\n"
    "panel, curve, label, x, y, y_err (y_err empty when exact).  Gnuplot\n"
    "blocks are one per curve: a comment line '# curve=<curve>;' (select it\n"
    "with gnuplot's index \"curve=<curve>;\"), a header line x, <label>,\n"
    "y_err, the rows (y_err 0 when exact), then two blank lines.\n";

enum mode { ALL, PANELS, PANEL, CURVES };

typedef struct {
  enum mode mode;
  const char *panel;
  const char *file;
} export_args;

static int bad_usage(const char *what, const char *arg)
{
  return qrd_args_bad("export", "%s%s (see qrd export --help)", what, arg ? arg : "");
}

/* 0 to run, 1 after --help, 2 on bad usage (already reported). */
static int parse(int argc, char **argv, export_args *a)
{
  *a = (export_args){ALL, NULL, NULL};
  int modes = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(usage, stdout);
      return 1;
    } else if (strcmp(argv[i], "--panels") == 0) {
      a->mode = PANELS;
      modes++;
    } else if (strcmp(argv[i], "--panel") == 0 ||
               strcmp(argv[i], "--curves") == 0) {
      if (i + 1 == argc)
        return bad_usage(argv[i], " needs a panel name");
      a->mode = argv[i][2] == 'p' ? PANEL : CURVES;
      a->panel = argv[++i];
      modes++;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      return bad_usage("unknown option ", argv[i]);
    } else if (a->file != NULL) {
      return bad_usage("more than one file: ", argv[i]);
    } else {
      a->file = argv[i];
    }
  }
  if (modes > 1)
    return bad_usage("give at most one of --panels, --panel and --curves", NULL);
  if (a->file == NULL)
    return bad_usage("missing FILE.h5", NULL);
  return 0;
}

int qrd_cmd_export(int argc, char **argv)
{
  export_args a;
  int rc = parse(argc, argv, &a);
  if (rc != 0)
    return rc == 1 ? 0 : rc;
  int st = a.mode == PANELS   ? qrd_results_list_panels(a.file, stdout)
           : a.mode == PANEL  ? qrd_results_export_panel(a.file, a.panel, stdout)
           : a.mode == CURVES ? qrd_results_list_curves(a.file, a.panel, stdout)
                              : qrd_results_export_tsv(a.file, stdout);
  if (st != QRD_OK) {
    fprintf(stderr, "qrd export: %s\n", qrd_error_detail());
    return 1;
  }
  return 0;
}
