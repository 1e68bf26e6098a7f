#include "harness/jobs.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "harness/curve.h"

/* Announces a library batch of n points and picks those this process
 * computes (harness/shard.h); *todo is the caller's to free. */
static int batch_begin(qrd_driver *drv, size_t n, const qrd_driver_slots *out,
                       unsigned char **todo)
{
  qrd_driver_progress_begin(drv, n);
  *todo = malloc(n ? n : 1);
  return *todo ? qrd_shard_sweep_begin(drv, n, out, *todo)
               : qrd_error_set(QRD_ENOMEM, "%zu points", n);
}

/* A batch's status st: a shard keeps a failed point (point_failed) in its
 * file and goes on. */
static int batch_end(const qrd_driver *drv, int st, int point_failed)
{
  if (st && point_failed && qrd_shard_keeps_going(drv)) {
    qrd_error_clear();
    return QRD_OK;
  }
  return st;
}

typedef struct {
  qrd_driver *drv;
  const qrd_matq_point_job *jobs;
  qrd_driver_job_name_fn name;
  const void *ctx;
} point_progress;

static void point_step(void *ctx_ptr, const qrd_matq_point_job *job)
{
  const point_progress *p = ctx_ptr;
  char what[512];
  size_t j = (size_t)(job - p->jobs);
  p->name(p->ctx, j, what, sizeof what);
  qrd_driver_progress_step(p->drv, what);
  qrd_shard_point_done(p->drv, j, job->status, what, job->error);
}

int qrd_driver_run_points(qrd_driver *drv, qrd_matq_point_job *jobs, size_t n,
                          qrd_driver_job_name_fn name, const void *ctx)
{
  point_progress p = {drv, jobs, name, ctx};
  size_t failed;
  unsigned char *todo;
  qrd_driver_slots out = {{{&jobs->out, sizeof *jobs, sizeof jobs->out}}, 1, NULL, NULL, NULL};
  int st = batch_begin(drv, n, &out, &todo);
  for (size_t j = 0; !st && j < n; j++)
    jobs[j].skip = !todo[j];
  free(todo);
  if (st || !(st = batch_end(drv, qrd_matq_point_batch(jobs, n, point_step, &p, &failed), 1)))
    return st;
  char what[512];
  name(ctx, failed, what, sizeof what);
  return qrd_error_set(st, "%s: %s", what, jobs[failed].error);
}

int qrd_driver_run_grid(qrd_driver *drv, qrd_driver_grid_run *gr, qrd_driver_job_name_fn name,
                        qrd_driver_write_fn write)
{
  int st = qrd_matq_point_grid_jobs(&gr->g, &gr->jobs);
  if (!st)
    st = qrd_driver_run_points(drv, gr->jobs, qrd_matq_point_grid_size(&gr->g), name, gr);
  if (!st)
    st = qrd_driver_write_results(drv, write, gr);
  free(gr->jobs);
  gr->jobs = NULL;
  return st;
}

typedef struct {
  const qrd_lineup *s;
  qrd_driver_lineup_fn fn;
  void *ctx;
} lineup_run;

static int lineup_item(void *ctx_ptr, size_t k, char *what, size_t len)
{
  const lineup_run *l = ctx_ptr;
  size_t c = k / l->s->n_block, j = k % l->s->n_block;
  snprintf(what, len, "%s B = %g", l->s->code[c]->name, l->s->block[j]);
  return l->fn(l->ctx, k);
}

int qrd_driver_run_lineup(qrd_driver *drv, const qrd_lineup *s, qrd_driver_lineup_fn fn,
                          void *ctx, const qrd_driver_slots *out)
{
  lineup_run l = {s, fn, ctx};
  qrd_driver_progress_begin(drv, s->n_code * s->n_block);
  return qrd_driver_run_items(drv, s->n_code * s->n_block, lineup_item, &l, out);
}

static size_t excess_slot(const void *sw, size_t j, qrd_driver_slot *r)
{
  size_t count;
  double *v = qrd_excess_sweep_results(sw, j, &count);
  r[0] = (qrd_driver_slot){v, 0, count * sizeof *v};
  return 1;
}

static void excess_done(void *drv, size_t j, int status, const char *what, const char *error)
{
  qrd_driver_progress_step(drv, what);
  qrd_shard_point_done(drv, j, status, what, error);
}

int qrd_driver_run_excess(qrd_driver *drv, qrd_excess_sweep *sw)
{
  size_t n = qrd_excess_sweep_items(sw), failed = n;
  unsigned char *todo;
  int st = batch_begin(drv, n, &(qrd_driver_slots){.at = excess_slot, .ctx = sw}, &todo);
  if (!st)
    st = qrd_excess_sweep_run(sw, todo, excess_done, drv, &failed);
  free(todo);
  /* a failed Haar rotation (failed = n) is no point's and ends the run */
  return batch_end(drv, st, failed < n);
}
