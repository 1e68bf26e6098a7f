/* Deterministic Monte-Carlo samples.
 *
 * A sample of n values is cut into chunks of QRD_SAMPLE_CHUNK values; chunk
 * k is drawn by its own generator of gsl_rng_mt19937's stream
 * (qrd_rng_mt19937, dist/mt19937.h) seeded from (seed, k) alone.  The
 * array is therefore bit-identical for any OpenMP thread count, and a
 * shorter sample with the same seed is a prefix of a longer one.
 *
 * Chunk seeding: z = output k of a splitmix64 generator whose state starts
 * at mix64(seed), i.e. z = mix64(mix64(seed) + (k + 1) * 0x9e3779b97f4a7c15),
 * reduced to 1 + (z >> 32) mod (2^32 - 1).  (mt19937 keeps only 32 bits of
 * its seed and maps 0 to its default, so the reduction avoids both.) */
#ifndef QRD_MC_SAMPLE_H
#define QRD_MC_SAMPLE_H

#include <stdatomic.h>
#include <stddef.h>

#include "dist/dist.h"

/* Provenance: record these with every result drawn from a sample. */
#define QRD_SAMPLE_GENERATOR "gsl_rng_mt19937"
#define QRD_SAMPLE_SEEDING "splitmix64(seed, chunk) -> mt19937 per 65536 values"
#define QRD_SAMPLE_CHUNK ((size_t)1 << 16)

/* The splitmix64 finaliser (a bijection of 64-bit words). */
unsigned long long qrd_mix64(unsigned long long z);

/* The RNG-stream policy of the whole library: an independent sub-seed k of
 * seed, mix64(mix64(seed) xor (k + 1) 0x9e3779b97f4a7c15).  Every work item
 * that draws (a covariance's parts, a rotation, a matrix of weights, a
 * figure's draw) takes its own stream, so results do not depend on the
 * order or the thread that runs it. */
unsigned long qrd_sample_stream(unsigned long seed, unsigned long k);

/* The mt19937 seed of chunk k of the sample with this seed. */
unsigned long qrd_sample_chunk_seed(unsigned long seed, size_t chunk);

/* x[0..n-1] <- n draws from d.  Fails only when a generator cannot be
 * allocated (QRD_ENOMEM). */
int qrd_sample_fill(const qrd_dist *d, unsigned long seed, double *x, size_t n);

/* A sample drawn by whichever threads need it, each taking the next chunk
 * not yet taken: where work items running in parallel share a sample that
 * the first of them draws, the others help instead of waiting (the chunks
 * are the same whoever draws them).  Set up once (under the lock that
 * decides who sets it up); then every thread that needs x calls
 * qrd_sample_share_help, which returns when the whole sample is drawn. */
typedef struct {
  const qrd_dist *d;
  unsigned long seed;
  double *x;
  size_t n;
  atomic_size_t next, done; /* chunks taken, chunks drawn */
  atomic_int failed;
} qrd_sample_share;

void qrd_sample_share_init(qrd_sample_share *sh, const qrd_dist *d, unsigned long seed,
                           double *x, size_t n);
/* QRD_ENOMEM when a helper could not make its generator (the chunks it took
 * are then missing). */
int qrd_sample_share_help(qrd_sample_share *sh);

/* The same into a new array (free with qrd_big_free); NULL on failure, with the
 * error detail set. */
double *qrd_sample_alloc(const qrd_dist *d, unsigned long seed, size_t n);

#endif
