/* Random correlation matrix, the building block for correlated
 * families (the WaterSIC/HRQMM-II papers), and the family of it alone.
 *
 * One is a Gaussian draw of 2 n^2 values and a rank-2n Gram matrix
 * (n^3 flop of dsyrk): at n = 2048, 1.7 CPU-s.  Every correlated family
 * draws it from the same stream of its seed, so a sweep over families
 * (fig-23: outliers-corr and three lognormal-random per draw) asked for
 * each one four times.  So the matrices made are remembered within the
 * process, keyed on (n, seed), up to a budget of bytes
 * (qrd_cov_memo_budget), the least recently used going first; a thread
 * asking for one that another is making waits for it instead of making it
 * again.  A matrix does not depend on the thread that made it (the
 * chunked streams of mc/sample.h; OpenBLAS splits dsyrk's output among
 * threads, not its sums), so a copy from the memo is the matrix the
 * caller would have made: fig-23's results are h5diff-identical with it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "mat/cov.h"
#include "mat/cov_impl.h"
#include "mc/sample.h"

static int make(size_t n, unsigned long seed, double *S)
{
  size_t m = 2 * n;
  double *A = qrd_mat_doubles_alloc(n, m, "random correlation's Gaussian draws");
  double *inv = A ? calloc(n, sizeof *inv) : NULL;
  if (!A || !inv) {
    free(A);
    free(inv);
    return A ? qrd_error_set(QRD_ENOMEM, "random correlation of order %zu", n) : QRD_ENOMEM;
  }
  int st = qrd_cov_gaussian(seed, 1.0, A, n * m);
  if (!st) {
    qrd_cov_gram(n, m, A, S);
    for (size_t i = 0; i < n; i++)
      inv[i] = 1.0 / S[i * n + i];
    qrd_cov_scale_sym(n, inv, S);
    /* Exactly 1 (the scaling leaves a rounding error on the diagonal). */
    for (size_t i = 0; i < n; i++)
      S[i * n + i] = 1.0;
  }
  free(A);
  free(inv);
  return st;
}

/* ---- the memo ---- */

#define MEMO_SLOTS 64

typedef struct {
  int live;
  size_t n;
  unsigned long seed;
  double *C;          /* NULL while it is being made */
  int readers;        /* threads copying C out now */
  unsigned long used; /* memo_clock at the last use */
} slot;

static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t memo_made = PTHREAD_COND_INITIALIZER;
static slot memo[MEMO_SLOTS];
static unsigned long memo_clock;
static size_t memo_budget = (size_t)256 << 20;

static slot *find(size_t n, unsigned long seed)
{
  for (size_t i = 0; i < MEMO_SLOTS; i++)
    if (memo[i].live && memo[i].n == n && memo[i].seed == seed)
      return &memo[i];
  return NULL;
}

static size_t bytes_of(size_t n) { return n * n * sizeof(double); }

/* What the slots hold, being made or made. */
static size_t held_bytes(void)
{
  size_t b = 0;
  for (size_t i = 0; i < MEMO_SLOTS; i++)
    b += memo[i].live ? bytes_of(memo[i].n) : 0;
  return b;
}

static void drop(slot *s)
{
  qrd_big_free(s->C);
  *s = (slot){0};
}

/* The least recently used matrix no thread is reading, or NULL. */
static slot *victim(void)
{
  slot *v = NULL;
  for (size_t i = 0; i < MEMO_SLOTS; i++) {
    slot *s = &memo[i];
    if (s->live && s->C && !s->readers && (!v || s->used < v->used))
      v = s;
  }
  return v;
}

/* A slot for an n x n matrix, room made by dropping the least recently
 * used; NULL when there is none (every slot busy, or n too large). */
static slot *claim(size_t n)
{
  if (bytes_of(n) > memo_budget)
    return NULL;
  for (;;) {
    slot *free_slot = NULL;
    for (size_t i = 0; i < MEMO_SLOTS && !free_slot; i++)
      if (!memo[i].live)
        free_slot = &memo[i];
    if (free_slot && held_bytes() + bytes_of(n) <= memo_budget)
      return free_slot;
    slot *v = victim();
    if (!v)
      return NULL;
    drop(v);
  }
}

/* Under the lock: copies the remembered (n, seed) into S, waiting while
 * another thread makes it; 0 when it is not remembered (or its maker
 * failed). */
static int recall(size_t n, unsigned long seed, double *S)
{
  slot *s;
  while ((s = find(n, seed)) && !s->C)
    pthread_cond_wait(&memo_made, &memo_lock);
  if (!s)
    return 0;
  s->readers++;
  s->used = ++memo_clock;
  pthread_mutex_unlock(&memo_lock);
  memcpy(S, s->C, bytes_of(n));
  pthread_mutex_lock(&memo_lock);
  s->readers--;
  return 1;
}

int qrd_cov_random_correlation(size_t n, unsigned long seed, double *S)
{
  pthread_mutex_lock(&memo_lock);
  if (recall(n, seed, S)) {
    pthread_mutex_unlock(&memo_lock);
    return QRD_OK;
  }
  slot *s = claim(n);
  if (s) {
    *s = (slot){.live = 1, .n = n, .seed = seed};
  }
  pthread_mutex_unlock(&memo_lock);

  int st = make(n, seed, S);
  double *C = s && !st ? qrd_big_alloc(n * n, sizeof *C) : NULL;
  if (C)
    memcpy(C, S, bytes_of(n));

  pthread_mutex_lock(&memo_lock);
  if (s) {
    if (C) {
      s->C = C;
      s->used = ++memo_clock;
    } else {
      drop(s); /* the waiting threads make it themselves */
    }
    pthread_cond_broadcast(&memo_made);
  }
  pthread_mutex_unlock(&memo_lock);
  return st;
}

size_t qrd_cov_memo_budget(size_t bytes)
{
  pthread_mutex_lock(&memo_lock);
  size_t old = memo_budget;
  memo_budget = bytes;
  slot *v;
  while (held_bytes() > memo_budget && (v = victim()))
    drop(v);
  pthread_mutex_unlock(&memo_lock);
  return old;
}

/* ---- the family ---- */

static int build(const double *th, size_t n, unsigned long seed, double *S)
{
  (void)th;
  return qrd_cov_random_correlation(n, qrd_sample_stream(seed, 0), S);
}

const qrd_cov_type qrd_cov_randcorr = {
  .name = "randcorr",
  .doc = "diag(G)^-1/2 G diag(G)^-1/2, G = A A^T/(2n), A n x 2n Gaussian",
  .build = build,
};
