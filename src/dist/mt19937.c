#include "dist/mt19937.h"

/* Matsumoto and Nishimura's MT19937 (1998) with their 2002 seeding, as
 * GSL's mt19937 type uses it. */

#define N QRD_MT19937_N
#define M 397
#define UPPER UINT32_C(0x80000000)
#define LOWER UINT32_C(0x7fffffff)
#define MATRIX_A UINT32_C(0x9908b0df)

void qrd_mt19937_set(qrd_mt19937 *g, unsigned long seed)
{
  if (seed == 0)
    seed = 4357;
  g->mt[0] = (uint32_t)(seed & 0xffffffffUL);
  for (int i = 1; i < N; i++)
    g->mt[i] = UINT32_C(1812433253) * (g->mt[i - 1] ^ (g->mt[i - 1] >> 30)) + (uint32_t)i;
  g->mti = N;
}

static inline uint32_t twist(uint32_t a, uint32_t b, uint32_t far)
{
  uint32_t y = (a & UPPER) | (b & LOWER);
  return far ^ (y >> 1) ^ ((y & 1u) ? MATRIX_A : 0u);
}

void qrd_mt19937_regenerate(qrd_mt19937 *g)
{
  uint32_t *mt = g->mt;
  int k;
  for (k = 0; k < N - M; k++)
    mt[k] = twist(mt[k], mt[k + 1], mt[k + M]);
  for (; k < N - 1; k++)
    mt[k] = twist(mt[k], mt[k + 1], mt[k + M - N]);
  mt[N - 1] = twist(mt[N - 1], mt[0], mt[M - 1]);
  g->mti = 0;
}

static void type_set(void *state, unsigned long seed) { qrd_mt19937_set(state, seed); }
static unsigned long type_get(void *state) { return qrd_mt19937_get(state); }
static double type_get_double(void *state) { return qrd_mt19937_uniform(state); }

static const gsl_rng_type type = {
  .name = "qrd-mt19937",
  .max = 0xffffffffUL,
  .min = 0,
  .size = sizeof(qrd_mt19937),
  .set = type_set,
  .get = type_get,
  .get_double = type_get_double,
};

const gsl_rng_type *const qrd_rng_mt19937 = &type;
