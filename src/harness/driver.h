/* What every figure driver shares: its command line
 *   bin/fig-N --config FILE --out FILE.h5 [--threads N] [--quiet]
 *             [--shard i/N | --shard off | --merge SHARD...]
 * the config, the results file with provenance, and progress lines on
 * stderr (one per sweep point, with an ETA; --quiet silences them). */
#ifndef QRD_DRIVER_H
#define QRD_DRIVER_H

#include <stddef.h>

#include "core/config.h"
#include "harness/driver_config.h"
#include "io/results.h"

typedef struct {
  const char *name;        /* "fig-1" */
  const char *config_path;
  const char *out_path;
  int threads;
  int quiet;
  unsigned long seed;
  qrd_config *config;
  /* what the figure's y_err means, set by the driver before it writes
   * results (qrd_results_describe; NULL: the figure has no y_err) */
  const char *y_err;
  /* progress */
  size_t done, total;
  double t_start;
  /* sharding (harness/shard.h): shard `shard` of `shards` (0 of 0: the
   * whole run), or the merge of the shard files merge[0 .. n_merge) */
  unsigned shard, shards;
  char **merge;
  size_t n_merge;
  size_t point_base; /* global index of the next sweep's first point */
  struct qrd_shard_state *sh;
} qrd_driver;

/* The y_err of R (or of R 2^b, scaled alike) from fmt/block.h's
 * evaluators. */
#define QRD_Y_ERR_R                                                                     \
  "standard error of R (times 2^b where y is R 2^b): under a tensor scaling (rms, "     \
  "none) the source law's standard deviation of R at this sample size, by quadrature; " \
  "otherwise the jackknife over 64 batches of whole blocks"

/* The most worker threads a driver runs (--threads, or OMP_NUM_THREADS
 * when --threads is not given): beyond it OpenMP fails to start them. */
#define QRD_DRIVER_MAX_THREADS 1024

/* Parses the command line and loads the config (reading "seed").  --out is
 * checked first (qrd_output_check: a device, a symbolic link, a directory
 * or the config itself is refused, and its directory must be writable).
 * Returns 0, or the exit status after printing one line to stderr (2: bad input,
 * -1: --help was printed). */
int qrd_driver_start(qrd_driver *drv, const char *name, const char *doc,
                     int argc, char **argv);

/* Call after the driver has read every key it knows: unknown keys are an
 * error (a misspelt key would otherwise be silently ignored). */
int qrd_driver_config_done(qrd_driver *drv);

/* Announces `total` work items, then reports each finished one. */
void qrd_driver_progress_begin(qrd_driver *drv, size_t total);
void qrd_driver_progress_step(qrd_driver *drv, const char *what);

/* Creates the results file (a temporary until committed).  A shard makes
 * none: it returns QRD_CONTINUE, which the driver passes up. */
int qrd_driver_results(qrd_driver *drv, qrd_results **out);

/* Prints "fig-N: <detail>" and returns the exit status for `status`;
 * releases the config. */
int qrd_driver_fail(qrd_driver *drv, int status);
void qrd_driver_finish(qrd_driver *drv);

/* Turns a spec such as "student-t:nu=5" into a results name
 * "student-t-nu-5" (lower-case words joined by '-'). */
void qrd_driver_slug(char *buf, size_t len, const char *spec);

/* The whole main() of a figure driver: start, read the setup with
 * `read_setup` (which reads every key it needs from the config), reject
 * unknown keys, run, finish.  Returns the process exit status. */
typedef int (*qrd_driver_setup_fn)(qrd_config *cfg, void *setup);
typedef int (*qrd_driver_run_fn)(qrd_driver *drv, void *setup);
int qrd_driver_main(int argc, char **argv, const char *name, const char *doc,
                    qrd_driver_setup_fn read_setup, qrd_driver_run_fn run, void *setup);

/* Commits res when st is QRD_OK, aborts it otherwise; returns the status
 * to report. */
int qrd_driver_close_results(qrd_results *res, int st);

#endif
