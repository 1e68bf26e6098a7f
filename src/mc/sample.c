#include "mc/sample.h"

#include <sched.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "dist/mt19937.h"

#define GOLDEN 0x9e3779b97f4a7c15ULL

unsigned long long qrd_mix64(unsigned long long z)
{
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

unsigned long qrd_sample_stream(unsigned long seed, unsigned long k)
{
  return (unsigned long)qrd_mix64(qrd_mix64(seed) ^ ((unsigned long long)(k + 1) * GOLDEN));
}

unsigned long qrd_sample_chunk_seed(unsigned long seed, size_t chunk)
{
  unsigned long long z = qrd_mix64(qrd_mix64(seed) + ((unsigned long long)chunk + 1) * GOLDEN);
  return 1UL + (unsigned long)((z >> 32) % 0xffffffffULL);
}

static size_t n_chunks(size_t n) { return (n + QRD_SAMPLE_CHUNK - 1) / QRD_SAMPLE_CHUNK; }

/* Chunk k of the sample x[0 .. n) with this seed, drawn with r. */
static void draw_chunk(const qrd_dist *d, unsigned long seed, gsl_rng *r, double *x, size_t n,
                       size_t k)
{
  gsl_rng_set(r, qrd_sample_chunk_seed(seed, k));
  size_t end = k + 1 < n_chunks(n) ? (k + 1) * QRD_SAMPLE_CHUNK : n;
  for (size_t i = k * QRD_SAMPLE_CHUNK; i < end; i++)
    x[i] = qrd_dist_sample(d, r);
}

void qrd_sample_share_init(qrd_sample_share *sh, const qrd_dist *d, unsigned long seed,
                           double *x, size_t n)
{
  *sh = (qrd_sample_share){.d = d, .seed = seed, .x = x, .n = n};
  atomic_init(&sh->next, 0);
  atomic_init(&sh->done, 0);
  atomic_init(&sh->failed, 0);
}

static int share_status(qrd_sample_share *sh)
{
  return atomic_load(&sh->failed) ? qrd_error_set(QRD_ENOMEM, "sample: random number generator")
                                  : QRD_OK;
}

/* Draws chunks until none is left to take; one generator per helper,
 * re-seeded per chunk (seeding mt19937 costs 624 words against 65536
 * draws, and a chunk never depends on who drew the one before it). */
static void take_chunks(qrd_sample_share *sh)
{
  const size_t nchunk = n_chunks(sh->n);
  gsl_rng *r = gsl_rng_alloc(qrd_rng_mt19937);
  size_t k;
  while ((k = atomic_fetch_add(&sh->next, 1)) < nchunk) {
    if (r)
      draw_chunk(sh->d, sh->seed, r, sh->x, sh->n, k);
    else
      atomic_store(&sh->failed, 1);
    atomic_fetch_add(&sh->done, 1);
  }
  gsl_rng_free(r);
}

int qrd_sample_share_help(qrd_sample_share *sh)
{
  take_chunks(sh);
  /* the chunks others took: each is short (65536 draws) */
  while (atomic_load(&sh->done) < n_chunks(sh->n))
    sched_yield();
  return share_status(sh);
}

int qrd_sample_fill(const qrd_dist *d, unsigned long seed, double *x, size_t n)
{
  qrd_sample_share sh;
  qrd_sample_share_init(&sh, d, seed, x, n);
#pragma omp parallel
  take_chunks(&sh); /* the region's end waits for every chunk */
  return share_status(&sh);
}

double *qrd_sample_alloc(const qrd_dist *d, unsigned long seed, size_t n)
{
  double *x = qrd_big_alloc(n, sizeof *x);
  if (!x) {
    qrd_error_set(QRD_ENOMEM, "sample of %zu values", n);
    return NULL;
  }
  if (qrd_sample_fill(d, seed, x, n)) {
    qrd_big_free(x);
    return NULL;
  }
  return x;
}
