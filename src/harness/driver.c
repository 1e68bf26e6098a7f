#include "harness/driver.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <omp.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "harness/shard.h"
#include "io/blasinfo.h"

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int usage(const char *name, const char *doc)
{
  printf("usage: %s --config FILE --out FILE.h5 [--threads N] [--quiet]\n"
         "         [--shard i/N | --shard off | --merge SHARD...]\n%s\n"
         "  --shard i/N  compute shard i of N (default from a Slurm job array's\n"
         "               SLURM_ARRAY_TASK_ID / _COUNT) into FILE.shard-i-of-N.h5,\n"
         "               resuming what that file holds; --shard off ignores Slurm\n"
         "  --merge      write FILE.h5 from the shard files that follow (every\n"
         "               point present and successful, or a list of what is not)\n",
         name, doc);
  return -1;
}

static int parse_args(qrd_driver *drv, const char *doc, int argc, char **argv, int *shard_off)
{
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int has_next = i + 1 < argc;
    if (strcmp(a, "--help") == 0)
      return usage(drv->name, doc);
    if (strcmp(a, "--quiet") == 0) {
      drv->quiet = 1;
    } else if (strcmp(a, "--config") == 0 && has_next) {
      drv->config_path = argv[++i];
    } else if (strcmp(a, "--out") == 0 && has_next) {
      drv->out_path = argv[++i];
    } else if (strcmp(a, "--shard") == 0 && has_next) {
      *shard_off = strcmp(argv[++i], "off") == 0;
      if (*shard_off)
        drv->shards = 0;
      else if (qrd_shard_parse(argv[i], &drv->shard, &drv->shards)) {
        fprintf(stderr, "%s: %s\n", drv->name, qrd_error_detail());
        return 2;
      }
    } else if (strcmp(a, "--merge") == 0 && has_next) {
      drv->merge = argv + i + 1;
      drv->n_merge = (size_t)(argc - i - 1);
      break;
    } else if (strcmp(a, "--threads") == 0 && has_next) {
      char *end;
      errno = 0;
      long t = strtol(argv[++i], &end, 10);
      if (end == argv[i] || *end != '\0' || errno != 0 || t < 1 || t > QRD_DRIVER_MAX_THREADS) {
        fprintf(stderr, "%s: --threads %s: need a whole number from 1 to %d\n", drv->name,
                argv[i], QRD_DRIVER_MAX_THREADS);
        return 2;
      }
      drv->threads = (int)t;
    } else {
      fprintf(stderr, "%s: unknown or incomplete option '%s' (see %s --help)\n",
              drv->name, a, drv->name);
      return 2;
    }
  }
  if (!drv->config_path || !drv->out_path) {
    fprintf(stderr, "%s: --config and --out are required\n", drv->name);
    return 2;
  }
  if (drv->shards && drv->n_merge) {
    fprintf(stderr, "%s: --shard and --merge exclude each other\n", drv->name);
    return 2;
  }
  /* before any work: --out must be a file the results may replace */
  int st = qrd_output_check(drv->out_path, drv->config_path);
  if (st) {
    fprintf(stderr, "%s: --out %s\n", drv->name, qrd_error_detail());
    return st == QRD_EIO || st == QRD_ENOMEM ? 1 : 2;
  }
  return 0;
}

/* A run inside a Slurm job array is a shard unless told otherwise. */
static int shard_from_env(qrd_driver *drv)
{
  int got = 0;
  if (qrd_shard_from_env(&drv->shard, &drv->shards, &got)) {
    fprintf(stderr, "%s: %s\n", drv->name, qrd_error_detail());
    return 2;
  }
  if (got && !drv->quiet)
    fprintf(stderr, "%s: shard %u/%u from the Slurm job array (--shard off: the whole run)\n",
            drv->name, drv->shard, drv->shards);
  return 0;
}

int qrd_driver_start(qrd_driver *drv, const char *name, const char *doc,
                     int argc, char **argv)
{
  qrd_big_keep_freed();
  memset(drv, 0, sizeof *drv);
  drv->name = name;
  drv->threads = omp_get_max_threads();
  gsl_set_error_handler_off();
  if (drv->threads > QRD_DRIVER_MAX_THREADS) { /* OMP_NUM_THREADS; --threads overrides */
    int given = 0;
    for (int i = 1; i < argc; i++)
      given |= strcmp(argv[i], "--threads") == 0;
    if (!given) {
      fprintf(stderr, "%s: OMP_NUM_THREADS asks for %d threads: at most %d (or give --threads)\n",
              name, drv->threads, QRD_DRIVER_MAX_THREADS);
      return 2;
    }
  }
  int shard_off = 0;
  int st = parse_args(drv, doc, argc, argv, &shard_off);
  if (!st && !shard_off && !drv->shards && !drv->n_merge)
    st = shard_from_env(drv);
  if (st)
    return st;
  omp_set_num_threads(drv->threads);
  /* the figure loops are the parallel level; BLAS runs inside them */
  qrd_openblas_set_threads(1);
  if ((st = qrd_config_load(drv->config_path, &drv->config)) ||
      (st = qrd_config_ulong(drv->config, "seed", &drv->seed)) || (st = qrd_shard_open(drv)))
    return qrd_shard_close(drv, st);
  return 0;
}

int qrd_driver_config_done(qrd_driver *drv)
{
  int st = qrd_config_check_unused(drv->config);
  return st ? qrd_driver_fail(drv, st) : 0;
}

void qrd_driver_progress_begin(qrd_driver *drv, size_t total)
{
  drv->done = 0;
  drv->total = total;
  drv->t_start = now();
}

void qrd_driver_progress_step(qrd_driver *drv, const char *what)
{
  drv->done++;
  if (drv->quiet)
    return;
  double elapsed = now() - drv->t_start;
  double eta = elapsed / (double)drv->done * (double)(drv->total - drv->done);
  fprintf(stderr, "%s: [%zu/%zu] %s  (%.1f s, ETA %.1f s)\n", drv->name, drv->done,
          drv->total, what, elapsed, eta);
}

int qrd_driver_results(qrd_driver *drv, qrd_results **out)
{
  qrd_provenance prov = {.config_path = drv->config_path, .seed = drv->seed,
                         .rng = "mt19937", .threads = drv->threads,
                         .merged_shards = qrd_shard_sources(drv)};
  int st = qrd_shard_before_results(drv);
  if (st)
    return st;
  if ((st = qrd_results_create(drv->out_path, &prov, out)))
    return st;
  if (drv->y_err)
    st = qrd_results_describe(*out, NULL, drv->y_err);
  if (st)
    qrd_results_abort(*out);
  return st;
}

int qrd_driver_fail(qrd_driver *drv, int status)
{
  fprintf(stderr, "%s: %s\n", drv->name,
          *qrd_error_detail() ? qrd_error_detail() : qrd_strerror(status));
  qrd_config_free(drv->config);
  drv->config = NULL;
  return status == QRD_ECONFIG || status == QRD_ENOTFOUND || status == QRD_EINVAL ||
                 status == QRD_EDOM ? 2 : 1;
}

void qrd_driver_finish(qrd_driver *drv)
{
  if (!drv->quiet)
    fprintf(stderr, "%s: wrote %s in %.1f s\n", drv->name, drv->out_path, now() - drv->t_start);
  qrd_config_free(drv->config);
  drv->config = NULL;
}

void qrd_driver_slug(char *buf, size_t len, const char *spec)
{
  size_t k = 0;
  int dash = 0;
  for (const char *p = spec; *p && k + 1 < len; p++) {
    if (isalnum((unsigned char)*p)) {
      if (dash && k > 0)
        buf[k++] = '-';
      if (k + 1 < len)
        buf[k++] = (char)tolower((unsigned char)*p);
      dash = 0;
    } else {
      dash = 1;
    }
  }
  buf[k] = '\0';
}

int qrd_driver_main(int argc, char **argv, const char *name, const char *doc,
                    qrd_driver_setup_fn read_setup, qrd_driver_run_fn run, void *setup)
{
  qrd_driver drv;
  int st = qrd_driver_start(&drv, name, doc, argc, argv);
  if (st)
    return st < 0 ? 0 : st;
  if ((st = read_setup(drv.config, setup)))
    return qrd_shard_close(&drv, st);
  if ((st = qrd_driver_config_done(&drv)))
    return st;
  st = run(&drv, setup);
  if (qrd_shard_active(&drv))
    return qrd_shard_close(&drv, st);
  if (st)
    return qrd_driver_fail(&drv, st);
  qrd_driver_finish(&drv);
  return 0;
}

int qrd_driver_close_results(qrd_results *res, int st)
{
  if (st) {
    qrd_results_abort(res);
    return st;
  }
  return qrd_results_commit(res);
}
