/* GSL's mt19937 stream, drawn inline.
 *
 * Every sample of qrd comes from GSL's mt19937 generator (re-seeded per
 * chunk, mc/sample.h), and its Student-t and Laplace draws went through
 * four calls each (gsl_ran_tdist -> gsl_ran_ugaussian -> gsl_ran_gaussian
 * -> gsl_rng_uniform_pos -> the type's get_double) for every uniform.
 * qrd_rng_mt19937 is a gsl_rng type whose state is a qrd_mt19937: GSL's
 * samplers accept it and get the same numbers as from gsl_rng_mt19937
 * (same seeding, same outputs), and a family's sampler that finds it
 * (qrd_mt19937_of) draws the same algorithm as GSL's, from the same
 * uniforms through the same libm calls, without the calls between.  The
 * tests compare every stream with GSL's, bit for bit. */
#ifndef QRD_DIST_MT19937_H
#define QRD_DIST_MT19937_H

#include <math.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#define QRD_MT19937_N 624

typedef struct {
  uint32_t mt[QRD_MT19937_N];
  int mti; /* next word of mt to temper; QRD_MT19937_N: regenerate first */
} qrd_mt19937;

/* gsl_rng_alloc(qrd_rng_mt19937): the stream of gsl_rng_mt19937. */
extern const gsl_rng_type *const qrd_rng_mt19937;

/* gsl_rng_set's seeding (0 stands for 4357; the low 32 bits are used). */
void qrd_mt19937_set(qrd_mt19937 *g, unsigned long seed);
/* The next QRD_MT19937_N words of state. */
void qrd_mt19937_regenerate(qrd_mt19937 *g);

/* r's state when r is a qrd_rng_mt19937 generator, else NULL. */
static inline qrd_mt19937 *qrd_mt19937_of(const gsl_rng *r)
{
  return r->type == qrd_rng_mt19937 ? (qrd_mt19937 *)r->state : NULL;
}

/* gsl_rng_get. */
static inline uint32_t qrd_mt19937_get(qrd_mt19937 *g)
{
  if (g->mti >= QRD_MT19937_N)
    qrd_mt19937_regenerate(g);
  uint32_t k = g->mt[g->mti++];
  k ^= k >> 11;
  k ^= (k << 7) & UINT32_C(0x9d2c5680);
  k ^= (k << 15) & UINT32_C(0xefc60000);
  return k ^ (k >> 18);
}

/* gsl_rng_uniform: [0, 1) in steps of 2^-32. */
static inline double qrd_mt19937_uniform(qrd_mt19937 *g)
{
  return qrd_mt19937_get(g) / 4294967296.0;
}

/* gsl_rng_uniform_pos: (0, 1). */
static inline double qrd_mt19937_uniform_pos(qrd_mt19937 *g)
{
  double u;
  do
    u = qrd_mt19937_uniform(g);
  while (u == 0.0);
  return u;
}

/* gsl_ran_ugaussian: Marsaglia's polar method, one variate per accepted
 * pair (GSL drops the other). */
static inline double qrd_mt19937_ugaussian(qrd_mt19937 *g)
{
  double x, y, r2;
  do {
    x = -1.0 + 2.0 * qrd_mt19937_uniform_pos(g);
    y = -1.0 + 2.0 * qrd_mt19937_uniform_pos(g);
    r2 = x * x + y * y;
  } while (r2 > 1.0 || r2 == 0.0);
  return y * sqrt(-2.0 * log(r2) / r2);
}

/* gsl_ran_exponential with mean mu. */
static inline double qrd_mt19937_exponential(qrd_mt19937 *g, double mu)
{
  return -mu * log1p(-qrd_mt19937_uniform(g));
}

#endif
