/* Progress and failures of the library's parallel runs, as figure drivers
 * report them: one progress line per finished item, named by the driver,
 * and the first failure prefixed with its item's name. */
#ifndef QRD_HARNESS_JOBS_H
#define QRD_HARNESS_JOBS_H

#include <stddef.h>

#include "harness/driver.h"
#include "law/lineup.h"
#include "harness/curve.h"
#include "mat/excess.h"
#include "mat/point_grid.h"

/* Names job j of a run in buf (its progress line and failure prefix). */
typedef void (*qrd_driver_job_name_fn)(const void *ctx, size_t j, char *buf, size_t len);

/* Announces n jobs and runs them (qrd_matq_point_batch), one progress
 * line each named by `name`; a failure's detail is prefixed with the
 * failed job's name.  Each job is a sweep point whose result is its out
 * (harness/shard.h). */
int qrd_driver_run_points(qrd_driver *drv, qrd_matq_point_job *jobs, size_t n,
                          qrd_driver_job_name_fn name, const void *ctx);

/* A grid of points run and written by a driver: a driver's state may
 * begin with one, and its callbacks then cast their ctx back. */
typedef struct {
  qrd_matq_point_grid g;
  qrd_matq_point_job *jobs; /* during the run and the writing */
} qrd_driver_grid_run;

/* Runs the jobs of gr->g (qrd_driver_run_points, names from `name`) and
 * writes the results file with `write`; both get gr as ctx. */
int qrd_driver_run_grid(qrd_driver *drv, qrd_driver_grid_run *gr, qrd_driver_job_name_fn name,
                        qrd_driver_write_fn write);

/* Item k = c n_block + j of a lineup sweep: code s->code[c] at block size
 * s->block[j]. */
typedef int (*qrd_driver_lineup_fn)(void *ctx, size_t k);

/* Announces and runs every item of the lineup s on every thread (item k
 * must write only its own results, its slots in `out`), each named
 * "<code> B = <block>". */
int qrd_driver_run_lineup(qrd_driver *drv, const qrd_lineup *s, qrd_driver_lineup_fn fn,
                          void *ctx, const qrd_driver_slots *out);

/* Announces and runs the points of the excess sweep sw
 * (qrd_excess_sweep_run), one progress line each; each is a sweep point
 * whose result is its region (qrd_excess_sweep_results). */
int qrd_driver_run_excess(qrd_driver *drv, qrd_excess_sweep *sw);

#endif
