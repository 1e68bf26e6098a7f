/* qrd merge: the shard files of a sharded figure run (harness/shard.h)
 * into its results file, by the figure's own driver (which alone knows how
 * to write it), or their state with --status. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "io/shard.h"

static const char help[] =
  "usage: qrd merge SHARD... [--out FILE.h5] [--quiet]\n"
  "       qrd merge --status SHARD...\n"
  "Writes the results file of a sharded figure run from its shard files\n"
  "(bin/fig-N --shard i/N writes FILE.shard-i-of-N.h5): the figure's driver,\n"
  "found beside qrd, runs with the config the shards were made from (which\n"
  "must still hold the same text) and --merge SHARD...; every point must be\n"
  "present and successful, otherwise the missing and failed points are\n"
  "listed by name, the exit status is 1 and no results file is written.\n"
  "  --out FILE.h5  the results file (default: the one the shards were run for)\n"
  "  --quiet        no progress on stderr\n"
  "  --status       per shard file: shard shards driver points_done\n"
  "                 points_failed git_commit file (TSV), nothing merged\n";

static int read_all(char **paths, size_t n, qrd_shard_file *f)
{
  for (size_t k = 0; k < n; k++) {
    int st = qrd_shard_file_read(paths[k], &f[k]);
    if (st) {
      fprintf(stderr, "qrd merge: %s\n", qrd_error_detail());
      return 2;
    }
    if (strcmp(f[k].driver, f[0].driver) != 0 || strcmp(f[k].config, f[0].config) != 0) {
      fprintf(stderr, "qrd merge: %s: made by %s from %s, but %s by %s from %s: not one run\n",
              paths[k], f[k].driver, f[k].config_path, paths[0], f[0].driver,
              f[0].config_path);
      return 2;
    }
  }
  return 0;
}

static void print_status(char **paths, size_t n, const qrd_shard_file *f)
{
  puts("shard\tshards\tdriver\tpoints_done\tpoints_failed\tgit_commit\tfile");
  for (size_t k = 0; k < n; k++) {
    size_t done = 0;
    for (size_t r = 0; r < f[k].n_rec; r++)
      done += f[k].rec[r].status == QRD_OK;
    printf("%u\t%u\t%s\t%zu\t%zu\t%s\t%s\n", f[k].shard, f[k].shards, f[k].driver, done,
           f[k].n_rec - done, f[k].commit, paths[k]);
  }
}

/* The driver's program: beside this one. */
static int driver_path(const char *driver, char *buf, size_t len)
{
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) {
    fprintf(stderr, "qrd merge: cannot find qrd's own folder: %s\n", strerror(errno));
    return 1;
  }
  self[n] = '\0';
  char *slash = strrchr(self, '/');
  *slash = '\0';
  if (strchr(driver, '/') || (size_t)snprintf(buf, len, "%s/%s", self, driver) >= len ||
      access(buf, X_OK) != 0) {
    fprintf(stderr, "qrd merge: the driver '%s' is not a program in %s (run make)\n", driver,
            self);
    return 2;
  }
  return 0;
}

static int run_driver(const qrd_shard_file *f, char **paths, size_t n, const char *out,
                      int quiet)
{
  char prog[PATH_MAX];
  int rc = driver_path(f->driver, prog, sizeof prog);
  if (rc)
    return rc;
  char **argv = calloc(n + 9, sizeof *argv);
  if (!argv) {
    fprintf(stderr, "qrd merge: out of memory\n");
    return 1;
  }
  size_t a = 0;
  argv[a++] = prog;
  argv[a++] = "--config";
  argv[a++] = f->config_path;
  argv[a++] = "--out";
  argv[a++] = (char *)(out ? out : f->out_path);
  if (quiet)
    argv[a++] = "--quiet";
  argv[a++] = "--merge";
  for (size_t k = 0; k < n; k++)
    argv[a++] = paths[k];
  fflush(stdout);
  execv(prog, argv);
  fprintf(stderr, "qrd merge: cannot run %s: %s\n", prog, strerror(errno));
  free(argv);
  return 1;
}

int qrd_cmd_merge(int argc, char **argv)
{
  const char *out = NULL;
  int quiet = 0, status = 0;
  char **paths = calloc((size_t)argc, sizeof *paths);
  size_t n = 0;
  if (!paths)
    return 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0) {
      fputs(help, stdout);
      free(paths);
      return 0;
    }
    if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
      out = argv[++i];
    else if (strcmp(argv[i], "--quiet") == 0)
      quiet = 1;
    else if (strcmp(argv[i], "--status") == 0)
      status = 1;
    else if (argv[i][0] == '-') {
      free(paths);
      return qrd_args_bad("merge", "unknown or incomplete option '%s' (see qrd merge --help)",
                          argv[i]);
    } else
      paths[n++] = argv[i];
  }
  if (n == 0) {
    fprintf(stderr, "qrd merge: no shard files given (see qrd merge --help)\n");
    free(paths);
    return 2;
  }
  qrd_shard_file *f = calloc(n, sizeof *f);
  int rc = f ? read_all(paths, n, f) : 1;
  if (!rc && status)
    print_status(paths, n, f);
  else if (!rc)
    rc = run_driver(&f[0], paths, n, out, quiet);
  for (size_t k = 0; f && k < n; k++)
    qrd_shard_file_clear(&f[k]);
  free(f);
  free(paths);
  return rc;
}
