/* dist/mt19937.h against GSL itself: qrd_rng_mt19937 gives the words,
 * uniforms and positive uniforms of GSL's gsl_rng_mt19937 for the same
 * seeds (0, the 32-bit edge, seeds beyond 32 bits, re-seeding mid-stream),
 * and every registered family's sampler, fast path or not, draws on it the
 * numbers GSL's own samplers draw on gsl_rng_mt19937, bit for bit. */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "core/error.h"
#include "dist/dist.h"
#include "dist/mt19937.h"
#include "suites.h"

static const unsigned long SEEDS[] = {0, 1, 4357, 5489, 0xffffffffUL, 0x100000000UL,
                                      0x123456789abUL, ULONG_MAX};
#define N_SEEDS (sizeof SEEDS / sizeof SEEDS[0])
/* a little over three regenerations of the state */
#define DRAWS 2000

static void both(unsigned long seed, gsl_rng **gsl, gsl_rng **ours)
{
  *gsl = gsl_rng_alloc(gsl_rng_mt19937);
  *ours = gsl_rng_alloc(qrd_rng_mt19937);
  ck_assert_ptr_nonnull(*gsl);
  ck_assert_ptr_nonnull(*ours);
  gsl_rng_set(*gsl, seed);
  gsl_rng_set(*ours, seed);
}

START_TEST(test_stream_is_gsl_mt19937)
{
  for (size_t s = 0; s < N_SEEDS; s++) {
    gsl_rng *g, *q;
    both(SEEDS[s], &g, &q);
    ck_assert_ptr_nonnull(qrd_mt19937_of(q));
    ck_assert_ptr_null(qrd_mt19937_of(g));
    ck_assert_uint_eq(gsl_rng_max(q), gsl_rng_max(g));
    ck_assert_uint_eq(gsl_rng_min(q), gsl_rng_min(g));
    for (int i = 0; i < DRAWS; i++) {
      unsigned long a = gsl_rng_get(g), b = gsl_rng_get(q);
      ck_assert_msg(a == b, "seed %lu, word %d: %lu vs GSL's %lu", SEEDS[s], i, b, a);
    }
    for (int i = 0; i < DRAWS; i++) {
      double a = gsl_rng_uniform(g), b = gsl_rng_uniform(q);
      ck_assert_msg(a == b, "seed %lu, uniform %d", SEEDS[s], i);
      a = gsl_rng_uniform_pos(g);
      b = qrd_mt19937_uniform_pos(qrd_mt19937_of(q));
      ck_assert_msg(a == b, "seed %lu, positive uniform %d", SEEDS[s], i);
    }
    /* re-seeding part-way through a state starts the stream afresh */
    gsl_rng_set(g, SEEDS[s] + 7);
    gsl_rng_set(q, SEEDS[s] + 7);
    for (int i = 0; i < 700; i++)
      ck_assert_uint_eq(gsl_rng_get(q), gsl_rng_get(g));
    gsl_rng_free(g);
    gsl_rng_free(q);
  }
}
END_TEST

START_TEST(test_gaussian_and_exponential_are_gsl)
{
  gsl_rng *g, *q;
  both(99, &g, &q);
  qrd_mt19937 *m = qrd_mt19937_of(q);
  for (int i = 0; i < 20000; i++) {
    double a = gsl_ran_ugaussian(g), b = qrd_mt19937_ugaussian(m);
    ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "ugaussian %d: %.17g vs GSL's %.17g", i, b, a);
    a = gsl_ran_exponential(g, 0.4);
    b = qrd_mt19937_exponential(m, 0.4);
    ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "exponential %d: %.17g vs GSL's %.17g", i,
                  b, a);
  }
  gsl_rng_free(g);
  gsl_rng_free(q);
}
END_TEST

/* Every registered family at its defaults, and t on both sides of nu = 2
 * (GSL's sampler at and below it, the inline one above). */
static const char *const EXTRA[] = {"student-t:nu=1,scale=1", "student-t:nu=2,scale=1",
                                    "student-t:nu=2.0001",
                                    "student-t:nu=3", "student-t:nu=7", "student-t:nu=1e6",
                                    "laplace:scale=3"};
#define N_EXTRA (sizeof EXTRA / sizeof EXTRA[0])

START_TEST(test_family_samples_are_gsl)
{
  size_t n_reg = qrd_dist_count();
  for (size_t i = 0; i < n_reg + N_EXTRA; i++) {
    const char *spec = i < n_reg ? qrd_dist_type_at(i)->name : EXTRA[i - n_reg];
    qrd_dist d;
    ck_assert_msg(qrd_dist_parse(spec, &d) == QRD_OK, "%s: %s", spec, qrd_error_detail());
    gsl_rng *g, *q;
    both(1000 + i, &g, &q);
    for (int k = 0; k < 50000; k++) {
      double a = qrd_dist_sample(&d, g), b = qrd_dist_sample(&d, q);
      ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "%s, draw %d: %.17g vs %.17g on GSL's", spec,
                    k, b, a);
    }
    gsl_rng_free(g);
    gsl_rng_free(q);
  }
}
END_TEST

Suite *qrd_suite_mt19937(void)
{
  Suite *s = suite_create("mt19937");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_stream_is_gsl_mt19937);
  tcase_add_test(tc, test_gaussian_and_exponential_are_gsl);
  tcase_add_test(tc, test_family_samples_are_gsl);
  suite_add_tcase(s, tc);
  return s;
}
