#include "harness/shard.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/error.h"
#include "io/results.h"
#include "io/shard.h"

struct qrd_shard_state {
  char *config;  /* the run's config text */
  char commit[64];
  char build[32]; /* the program's identity: what makes two runs' bytes alike */
  /* a shard: its file */
  char path[4096];
  qrd_shard_file own;
  size_t computed, resumed, failed;
  int opened;    /* own holds the file (else it is left alone) */
  int write_st;  /* the first failure to write the file */
  /* a merge: the shard files, by shard index - 1 (NULL: not given) */
  qrd_shard_file *in;
  qrd_shard_file **by_index;
  char *sources;
  size_t missing, bad;
  /* the current sweep */
  size_t base, n;
  qrd_driver_slots slots;
};

int qrd_shard_parse(const char *text, unsigned *shard, unsigned *shards)
{
  unsigned long i, n;
  int end = 0;
  if (sscanf(text, "%lu/%lu%n", &i, &n, &end) != 2 || text[end] != '\0' || i < 1 || n < 1 ||
      i > n || n > 100000 || strchr(text, '-') || strchr(text, '+'))
    return qrd_error_set(QRD_EINVAL,
                         "--shard %s: want i/N, whole numbers with 1 <= i <= N <= 100000", text);
  *shard = (unsigned)i;
  *shards = (unsigned)n;
  return QRD_OK;
}

static int env_whole(const char *name, unsigned long *v)
{
  const char *s = getenv(name);
  char *end;
  if (!s || !*s || *s == '-' || *s == '+')
    return qrd_error_set(QRD_EINVAL, "%s='%s': want a whole number", name, s ? s : "");
  *v = strtoul(s, &end, 10);
  if (*end || *v > UINT_MAX)
    return qrd_error_set(QRD_EINVAL, "%s='%s': want a whole number", name, s);
  return QRD_OK;
}

int qrd_shard_from_env(unsigned *shard, unsigned *shards, int *found)
{
  *found = 0;
  if (!getenv("SLURM_ARRAY_TASK_ID") || !getenv("SLURM_ARRAY_TASK_COUNT"))
    return QRD_OK;
  unsigned long id, count, min = 0;
  int st = env_whole("SLURM_ARRAY_TASK_ID", &id);
  if (!st)
    st = env_whole("SLURM_ARRAY_TASK_COUNT", &count);
  if (!st && getenv("SLURM_ARRAY_TASK_MIN"))
    st = env_whole("SLURM_ARRAY_TASK_MIN", &min);
  if (st)
    return st;
  if (id < min || id - min >= count || count > 100000)
    return qrd_error_set(QRD_EINVAL,
                         "Slurm array task %lu of %lu from %lu: want ids MIN .. MIN + COUNT - 1 "
                         "(an array such as --array=1-N or 0-(N-1), with no step)",
                         id, count, min);
  *shard = (unsigned)(id - min + 1);
  *shards = (unsigned)count;
  *found = 1;
  return QRD_OK;
}

void qrd_shard_path(char *buf, size_t len, const char *out, unsigned shard, unsigned shards)
{
  size_t n = strlen(out);
  int stem = n > 3 && strcmp(out + n - 3, ".h5") == 0 ? (int)(n - 3) : (int)n;
  snprintf(buf, len, "%.*s.shard-%u-of-%u.h5", stem, out, shard, shards);
}

unsigned qrd_shard_owner(size_t g, unsigned shards)
{
  size_t r = g % (2 * (size_t)shards);
  return r < shards ? (unsigned)r + 1 : (unsigned)(2 * (size_t)shards - r);
}

int qrd_shard_active(const qrd_driver *drv) { return drv->shards > 0 || drv->n_merge > 0; }

/* ---- the files ---- */

static char *dup(const char *s)
{
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  return d ? memcpy(d, s, n) : NULL;
}

/* The program's identity: FNV-1a of its own executable.  The git commit
 * is not enough (a dirty tree, or a run from outside the repository) and
 * the bytes of a point's result are only alike between identical
 * programs. */
static void build_id(char *buf, size_t len)
{
  FILE *f = fopen("/proc/self/exe", "rb");
  uint64_t h = 14695981039346656037ull;
  unsigned char chunk[65536];
  size_t n;
  while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
    for (size_t i = 0; i < n; i++)
      h = (h ^ chunk[i]) * 1099511628211ull;
  snprintf(buf, len, f ? "fnv1a64:%016llx" : "unknown", (unsigned long long)h);
  if (f)
    fclose(f);
}

/* Whether file f was made by this program from this config and seed. */
static int same_run(const qrd_driver *drv, const struct qrd_shard_state *z, const char *path,
                    const qrd_shard_file *f)
{
  const char *what = strcmp(f->driver, drv->name) != 0 ? "driver"
                   : strcmp(f->config, z->config) != 0 ? "config text"
                   : f->seed != drv->seed            ? "seed"
                   : strcmp(f->build, z->build) != 0 ||
                       strcmp(z->build, "unknown") == 0 ? "program (build)"
                                                        : NULL;
  if (!what)
    return QRD_OK;
  return qrd_error_set(QRD_ECONFIG,
                       "%s: made by another run (its %s differs: %s from %s, build %s, commit "
                       "%s; this run: %s from %s, build %s)",
                       path, what, f->driver, f->config_path, f->build, f->commit, drv->name,
                       drv->config_path, z->build);
}

static int open_own(qrd_driver *drv, struct qrd_shard_state *z)
{
  qrd_shard_path(z->path, sizeof z->path, drv->out_path, drv->shard, drv->shards);
  qrd_shard_file *f = &z->own;
  int st = qrd_shard_file_read(z->path, f);
  if (st == QRD_OK) {
    if ((st = same_run(drv, z, z->path, f)) == QRD_OK && f->shards != drv->shards)
      st = qrd_error_set(QRD_ECONFIG, "%s: holds shard %u/%u, not %u/%u", z->path, f->shard,
                         f->shards, drv->shard, drv->shards);
    if (st) {
      char why[1024]; /* the detail buffer is about to be rewritten */
      snprintf(why, sizeof why, "%s", qrd_error_detail());
      return qrd_error_set(st, "%s (remove it to start the shard afresh)", why);
    }
    size_t done = 0;
    for (size_t k = 0; k < f->n_rec; k++)
      done += f->rec[k].status == QRD_OK;
    if (!drv->quiet)
      fprintf(stderr, "%s: shard %u/%u: resuming from %s: %zu points done, %zu failed before "
              "(retried)\n", drv->name, drv->shard, drv->shards, z->path, done,
              f->n_rec - done);
    z->opened = 1;
    return QRD_OK;
  }
  if (st != QRD_ENOTFOUND)
    return st;
  qrd_error_clear();
  *f = (qrd_shard_file){.driver = dup(drv->name), .build = dup(z->build),
                        .config = dup(z->config),
                        .config_path = dup(drv->config_path), .out_path = dup(drv->out_path),
                        .commit = dup(z->commit), .seed = drv->seed, .shard = drv->shard,
                        .shards = drv->shards};
  if (!f->driver || !f->build || !f->config || !f->config_path || !f->out_path || !f->commit)
    return qrd_error_set(QRD_ENOMEM, "%s", z->path);
  z->opened = 1;
  return QRD_OK;
}

static int open_merge(qrd_driver *drv, struct qrd_shard_state *z)
{
  z->in = calloc(drv->n_merge, sizeof *z->in);
  size_t len = 1;
  for (size_t k = 0; k < drv->n_merge; k++)
    len += strlen(drv->merge[k]) + 2;
  z->sources = calloc(len, 1);
  if (!z->in || !z->sources)
    return qrd_error_set(QRD_ENOMEM, "%zu shard files", drv->n_merge);
  int st = QRD_OK;
  unsigned shards = 0;
  for (size_t k = 0; !st && k < drv->n_merge; k++) {
    const char *p = drv->merge[k];
    qrd_shard_file *f = &z->in[k];
    if ((st = qrd_shard_file_read(p, f)) || (st = same_run(drv, z, p, f)))
      break;
    if (k == 0 && !(z->by_index = calloc(shards = f->shards, sizeof *z->by_index)))
      return qrd_error_set(QRD_ENOMEM, "%u shards", shards);
    if (f->shards != shards)
      st = qrd_error_set(QRD_ECONFIG, "%s: shard %u of %u, but %s is of %u", p, f->shard,
                         f->shards, drv->merge[0], shards);
    else if (z->by_index[f->shard - 1])
      st = qrd_error_set(QRD_ECONFIG, "%s: shard %u/%u given twice", p, f->shard, shards);
    else
      z->by_index[f->shard - 1] = f;
    strcat(strcat(z->sources, k ? ", " : ""), p);
  }
  drv->shards = shards; /* the merge deals the points as its shards did */
  return st;
}

int qrd_shard_open(qrd_driver *drv)
{
  if (!qrd_shard_active(drv))
    return QRD_OK;
  struct qrd_shard_state *z = calloc(1, sizeof *z);
  if (!(drv->sh = z))
    return qrd_error_set(QRD_ENOMEM, "shard state");
  int st = qrd_results_read_config(drv->config_path, &z->config);
  if (st)
    return st;
  qrd_results_git_commit(z->commit, sizeof z->commit);
  build_id(z->build, sizeof z->build);
  return drv->n_merge ? open_merge(drv, z) : open_own(drv, z);
}

/* ---- points ---- */

/* Point j's regions, as absolute addresses. */
static size_t regions(const qrd_driver_slots *s, size_t j, qrd_driver_slot *r)
{
  if (s->at)
    return s->at(s->ctx, j, r);
  for (size_t k = 0; k < s->n; k++)
    r[k] = (qrd_driver_slot){(unsigned char *)s->s[k].base + j * s->s[k].stride, 0,
                             s->s[k].size};
  return s->n;
}

static size_t slot_bytes(const qrd_driver_slots *s, size_t j)
{
  qrd_driver_slot r[QRD_DRIVER_MAX_SLOTS];
  size_t n = regions(s, j, r), bytes = 0;
  for (size_t k = 0; k < n; k++)
    bytes += r[k].size;
  return bytes;
}

static void pack(const qrd_driver_slots *s, size_t j, unsigned char *buf)
{
  qrd_driver_slot r[QRD_DRIVER_MAX_SLOTS];
  size_t n = regions(s, j, r);
  for (size_t k = 0; k < n; buf += r[k++].size)
    memcpy(buf, r[k].base, r[k].size);
}

static void unpack(const qrd_driver_slots *s, size_t j, const unsigned char *buf)
{
  qrd_driver_slot r[QRD_DRIVER_MAX_SLOTS];
  size_t n = regions(s, j, r);
  for (size_t k = 0; k < n; buf += r[k++].size)
    memcpy(r[k].base, buf, r[k].size);
}

/* A record's result, restored into point j's slots. */
static int restore(const struct qrd_shard_state *z, const char *path,
                   const qrd_shard_record *r, size_t j)
{
  size_t want = slot_bytes(&z->slots, j);
  if (r->size != want)
    return qrd_error_set(QRD_ECONFIG, "%s: point %zu (%s) holds %zu bytes, this build keeps "
                         "%zu: made by another build", path, r->point, r->what, r->size, want);
  unpack(&z->slots, j, r->bytes);
  int st = z->slots.restored ? z->slots.restored(z->slots.ctx, j) : QRD_OK;
  if (!st)
    return QRD_OK;
  char why[512];
  snprintf(why, sizeof why, "%s", qrd_error_detail());
  return qrd_error_set(st, "%s: point %zu (%s): %s", path, r->point, r->what, why);
}

static int merge_point(qrd_driver *drv, struct qrd_shard_state *z, size_t j)
{
  size_t g = z->base + j;
  unsigned owner = qrd_shard_owner(g, drv->shards);
  const qrd_shard_file *f = z->by_index[owner - 1];
  const qrd_shard_record *r = f ? qrd_shard_file_get(f, g) : NULL;
  if (r && r->status == QRD_OK)
    return restore(z, drv->merge[f - z->in], r, j);
  if (r) {
    z->bad++;
    fprintf(stderr, "%s: point %zu (%s) failed in shard %u/%u: %s\n", drv->name, g, r->what,
            owner, drv->shards, r->error);
  } else {
    z->missing++;
    fprintf(stderr, "%s: point %zu missing: shard %u/%u %s\n", drv->name, g, owner,
            drv->shards, f ? "has not reached it (run it again: it resumes)"
                           : "was not given (its file)");
  }
  return QRD_OK;
}

int qrd_shard_sweep_begin(qrd_driver *drv, size_t n, const qrd_driver_slots *slots,
                          unsigned char *todo)
{
  struct qrd_shard_state *z = drv->sh;
  memset(todo, !z, n);
  if (!z)
    return QRD_OK;
  z->base = drv->point_base;
  z->n = n;
  z->slots = *slots;
  drv->point_base += n;
  size_t skipped = 0;
  int st = QRD_OK;
  for (size_t j = 0; !st && j < n; j++) {
    if (drv->n_merge) {
      st = merge_point(drv, z, j);
      continue;
    }
    if (qrd_shard_owner(z->base + j, drv->shards) != drv->shard) {
      skipped++;
      continue;
    }
    const qrd_shard_record *r = qrd_shard_file_get(&z->own, z->base + j);
    if (r && r->status == QRD_OK) {
      st = restore(z, z->path, r, j);
      z->resumed++;
      skipped++;
    } else {
      todo[j] = 1;
    }
  }
  if (!drv->n_merge && !drv->quiet)
    fprintf(stderr, "%s: shard %u/%u: points %zu .. %zu: %zu to compute, %zu resumed or "
            "another shard's\n", drv->name, drv->shard, drv->shards, z->base, z->base + n - 1,
            n - skipped, skipped);
  drv->total -= drv->n_merge ? n : skipped;
  return st;
}

void qrd_shard_point_done(qrd_driver *drv, size_t j, int status, const char *what,
                          const char *error)
{
  struct qrd_shard_state *z = drv->sh;
  if (!z || drv->n_merge)
    return;
  size_t size = slot_bytes(&z->slots, j);
  unsigned char *buf = malloc(size ? size : 1);
  int st = buf ? QRD_OK : qrd_error_set(QRD_ENOMEM, "point %zu", z->base + j);
  if (!st) {
    pack(&z->slots, j, buf);
    st = qrd_shard_file_put(&z->own, z->base + j, status, what, status ? error : "", buf,
                            status ? 0 : size);
  }
  free(buf);
  if (!st)
    st = qrd_shard_file_write(z->path, &z->own);
  if (st && !z->write_st) {
    z->write_st = st;
    fprintf(stderr, "%s: %s\n", drv->name, qrd_error_detail());
  }
  if (status) {
    z->failed++;
    fprintf(stderr, "%s: point %zu (%s) failed, kept in %s: %s\n", drv->name, z->base + j,
            what, z->path, error);
  } else {
    z->computed++;
  }
}

int qrd_shard_keeps_going(const qrd_driver *drv) { return drv->sh && !drv->n_merge; }

int qrd_shard_before_results(qrd_driver *drv)
{
  struct qrd_shard_state *z = drv->sh;
  if (!z)
    return QRD_OK;
  if (!drv->n_merge)
    return drv->point_base > 0
               ? QRD_CONTINUE
               : qrd_error_set(QRD_EINVAL, "%s: shard %u/%u asks for its results file before "
                               "any sweep point, so it would compute nothing: the driver must "
                               "run its sweeps before it makes the file",
                               drv->name, drv->shard, drv->shards);
  if (z->missing || z->bad)
    return qrd_error_set(QRD_EIO, "merge incomplete: %zu points failed and %zu missing "
                         "(listed above); no results file written", z->bad, z->missing);
  return QRD_OK;
}

const char *qrd_shard_sources(const qrd_driver *drv)
{
  return drv->sh && drv->sh->sources ? drv->sh->sources : "";
}

static void state_free(struct qrd_shard_state *z, size_t n_in)
{
  qrd_shard_file_clear(&z->own);
  for (size_t k = 0; z->in && k < n_in; k++)
    qrd_shard_file_clear(&z->in[k]);
  free(z->in);
  free(z->by_index);
  free(z->config);
  free(z->sources);
  free(z);
}

/* A shard's last word: its file once more (it exists even when the shard
 * had no points) and what it did. */
static int close_shard(qrd_driver *drv, struct qrd_shard_state *z, int st)
{
  int wst = z->opened ? qrd_shard_file_write(z->path, &z->own) : QRD_OK;
  if (wst && !z->write_st) {
    z->write_st = wst;
    fprintf(stderr, "%s: %s\n", drv->name, qrd_error_detail());
  }
  if (st != QRD_OK && st != QRD_CONTINUE)
    return qrd_driver_fail(drv, st);
  if (!drv->quiet || z->failed)
    fprintf(stderr, "%s: shard %u/%u: %zu points computed, %zu resumed, %zu failed; %s\n",
            drv->name, drv->shard, drv->shards, z->computed, z->resumed, z->failed, z->path);
  qrd_config_free(drv->config);
  drv->config = NULL;
  return z->write_st || z->failed ? 1 : 0;
}

int qrd_shard_close(qrd_driver *drv, int st)
{
  struct qrd_shard_state *z = drv->sh;
  int rc;
  if (z && !drv->n_merge) {
    rc = close_shard(drv, z, st);
  } else if (st) {
    rc = qrd_driver_fail(drv, st);
  } else {
    qrd_driver_finish(drv);
    rc = 0;
  }
  if (z)
    state_free(z, drv->n_merge);
  drv->sh = NULL;
  return rc;
}
