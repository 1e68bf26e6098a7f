/* Sharded, resumable sweeps and their merge.
 *
 * The work of a figure is the ordered list of the points of its sweeps
 * (qrd_driver_run_items, qrd_driver_run_points, ...), numbered across the
 * run: the k-th sweep's point j is global point base_k + j.  Shard i of N
 * (--shard i/N, 1 <= i <= N) computes the points the deal below gives it
 * and keeps each finished one, its result bytes and name, in its shard
 * file <out>.shard-<i>-of-<N>.h5 (io/shard.h), rewritten after every
 * point.  Every point's random streams depend on the seed and the point
 * alone, so the numbers do not depend on N.
 *
 * Deal: global point g goes to shard 1 + (g mod 2N) for g mod 2N < N, and
 * to shard 2N - (g mod 2N) otherwise (a snake: drivers list their
 * costlier points later, and the snake spreads each rise in cost over
 * every shard).
 *
 * Resume: a shard run again with its file present skips the points the
 * file holds as done and retries the failed ones; the file must come from
 * the same driver, config text, commit and N.  A point that fails is kept
 * as failed with its error and the sweep goes on; the shard then exits 1.
 *
 * Merge (--merge SHARD...): every point's bytes come from the shard that
 * owns it, nothing is computed, and the driver writes its results file as
 * a single process would (the same data, bit for bit).  Missing and failed
 * points are listed by name on stderr and the merge fails, writing no
 * results file.
 *
 * A driver that makes work outside its sweeps (samples, designs shared by
 * the points) makes it in every shard and in the merge: it must be
 * deterministic, which the seed policy makes it. */
#ifndef QRD_HARNESS_SHARD_H
#define QRD_HARNESS_SHARD_H

#include <stddef.h>

#include "harness/driver.h"

/* Where sweep point j keeps its result: n regions, region r at
 * s[r].base + j s[r].stride, s[r].size bytes; or, when `at` is set, the
 * regions it names for point j (at most QRD_DRIVER_MAX_SLOTS, their stride
 * unused; it returns how many).  A point's bytes are its regions in order;
 * they must hold no pointers (a pointer is another address in another
 * process). */
#define QRD_DRIVER_MAX_SLOTS 4

typedef struct {
  void *base;
  size_t stride, size;
} qrd_driver_slot;

typedef struct {
  qrd_driver_slot s[QRD_DRIVER_MAX_SLOTS];
  size_t n;
  size_t (*at)(const void *ctx, size_t j, qrd_driver_slot *r);
  const void *ctx;
  /* when set: called after point j's bytes were restored, to mend what
   * bytes cannot carry (qrd_dist_relink) */
  int (*restored)(const void *ctx, size_t j);
} qrd_driver_slots;

/* The common case: point j's result is the whole element a[j]. */
#define QRD_DRIVER_SLOTS(a) (&(qrd_driver_slots){{{(a), sizeof *(a), sizeof *(a)}}, 1, NULL, NULL, NULL})

/* "i/N" with 1 <= i <= N <= 100000 (QRD_EINVAL otherwise, naming what is
 * allowed). */
int qrd_shard_parse(const char *text, unsigned *shard, unsigned *shards);

/* From a Slurm job array (SLURM_ARRAY_TASK_ID, _MIN and _COUNT): shard
 * ID - MIN + 1 of COUNT, *found <- 1; *found <- 0 outside an array.
 * QRD_EINVAL when they are malformed. */
int qrd_shard_from_env(unsigned *shard, unsigned *shards, int *found);

/* The shard file of shard i of N for the results file `out`:
 * "<out without .h5>.shard-<i>-of-<N>.h5". */
void qrd_shard_path(char *buf, size_t len, const char *out, unsigned shard, unsigned shards);

/* The shard (1 .. shards) that owns global point g. */
unsigned qrd_shard_owner(size_t g, unsigned shards);

/* Whether drv runs a shard or a merge. */
int qrd_shard_active(const qrd_driver *drv);

/* Reads what the run needs before its first sweep: a shard's own file
 * (to resume) or the merge's shard files, checked against the run. */
int qrd_shard_open(qrd_driver *drv);

/* A sweep of n points whose results live in `slots`.  todo[j] <- 1 for
 * the points this process computes: all of them in a plain run; the
 * shard's own points not yet done in a shard (the done ones are restored
 * into their slots); none in a merge (every point restored, or counted
 * missing or failed).  Takes the skipped points off drv's progress
 * total. */
int qrd_shard_sweep_begin(qrd_driver *drv, size_t n, const qrd_driver_slots *slots,
                          unsigned char *todo);

/* Point j of the current sweep finished with `status` (its name, and its
 * error when it failed): a shard keeps it in its file.  Callers call it
 * one at a time. */
void qrd_shard_point_done(qrd_driver *drv, size_t j, int status, const char *what,
                          const char *error);

/* Whether the current sweep's failures go on (a shard) rather than end
 * the run (a plain run stops at the first). */
int qrd_shard_keeps_going(const qrd_driver *drv);

/* Before a results file is made: a shard makes none (QRD_CONTINUE: its
 * points are in its file), an incomplete merge fails with the count of
 * missing and failed points (listed on stderr as the sweeps met them).  A
 * shard that gets here before any sweep is a driver making its file before
 * its points, which would end the shard with nothing computed: QRD_EINVAL,
 * naming the driver. */
int qrd_shard_before_results(qrd_driver *drv);

/* The merged shard files, for the results file's provenance ("" unless
 * merging). */
const char *qrd_shard_sources(const qrd_driver *drv);

/* Ends the run: a shard writes its file a last time and reports what it
 * computed, resumed and failed.  Returns the process exit status for the
 * run's status st (QRD_CONTINUE from qrd_shard_before_results is
 * success). */
int qrd_shard_close(qrd_driver *drv, int st);

#endif
