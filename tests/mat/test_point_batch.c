/* qrd_matq_point_batch, whose jobs share each problem's rotated copy and
 * its signal tr(W Sigma W^T) (made once, by whichever job runs first) and
 * whose repeated jobs (act-order on a Sigma already in its order is the
 * unrotated job again) run once,
 * against qrd_matq_point_eval of each job on its own, which rotates the
 * problem and computes the signal itself: the same outputs bit for bit
 * over problems, methods, rotation kinds and seeds, rates and skipped jobs
 * on three threads, and a rotation that cannot be made (a Hadamard of
 * order 12) reported by every job that needs it. */
#include <math.h>
#include <omp.h>
#include <string.h>

#include "core/error.h"
#include "mat/point.h"
#include "suites.h"

enum { PANELS = 3, METHODS = 2, ROTS = 5, RATES = 2, ROWS = 40 };

static const char *const FAMILY[PANELS] = {"ar1:rho=0.8", "power:beta=1", "two-level:eps=0.1"};
static const size_t ORDER[PANELS] = {16, 8, 12}; /* 12: no Hadamard */
static const char *const METHOD[METHODS] = {"watersic:damp=0,drop=0,block=4",
                                            "gptq:percdamp=0.01,block=4"};
static const double RATE[RATES] = {2.0, 3.5};

/* Rotation r of a job: none, Haar with two seeds, Hadamard, act-order
 * (no rotation for ar1's equal and power's decreasing diagonal, whose
 * jobs are then their unrotated twins' results; a permutation for
 * two-level's increasing one). */
static void rotation_of(size_t r, qrd_matq_point_opts *o)
{
  static const qrd_rotate_kind kind[ROTS] = {QRD_ROTATE_NONE, QRD_ROTATE_HAAR, QRD_ROTATE_HAAR,
                                             QRD_ROTATE_HADAMARD, QRD_ROTATE_ACT_ORDER};
  o->rotate = kind[r];
  o->rotate_seed = r == 2 ? 77 : 5;
}

static int same_point(const qrd_matq_point *a, const qrd_matq_point *b)
{
  return a->D == b->D && a->signal == b->signal && a->col.bits == b->col.bits &&
         a->pool.bits == b->pool.bits && a->fixed.bits == b->fixed.bits &&
         a->evals == b->evals && a->at_col.gap == b->at_col.gap &&
         memcmp(&a->scale, &b->scale, sizeof a->scale) == 0;
}

START_TEST(test_batch_shares_rotations)
{
  qrd_dist g;
  qrd_matq_point_panel pn[PANELS];
  qrd_matq m[METHODS];
  ck_assert_int_eq(qrd_dist_parse("gaussian", &g), QRD_OK);
  for (size_t p = 0; p < PANELS; p++) {
    qrd_cov c;
    ck_assert_int_eq(qrd_cov_parse(FAMILY[p], &c), QRD_OK);
    ck_assert_int_eq(qrd_matq_point_panel_cov(&g, ROWS, ORDER[p], &c, 3 + p, &pn[p]), QRD_OK);
  }
  for (size_t k = 0; k < METHODS; k++)
    ck_assert_int_eq(qrd_matq_parse(METHOD[k], &m[k]), QRD_OK);

  enum { JOBS = PANELS * METHODS * ROTS * RATES };
  static qrd_matq_point_job jobs[JOBS], want[JOBS];
  for (size_t i = 0; i < JOBS; i++) {
    size_t r = i % RATES, rot = i / RATES % ROTS, k = i / RATES / ROTS % METHODS,
           p = i / RATES / ROTS / METHODS;
    qrd_matq_point_job *j = &jobs[i];
    *j = (qrd_matq_point_job){.lim = pn[p].lim, .problem = &pn[p].p, .skip = i % 7 == 3,
                              .status = 12345};
    qrd_matq_point_opts_default(&j->opts);
    j->opts.method = &m[k];
    j->opts.target = RATE[r];
    rotation_of(rot, &j->opts);
    want[i] = *j;
  }
  qrd_matq_point_work *w = qrd_matq_point_work_alloc(16, ROWS);
  ck_assert_ptr_nonnull(w);
  for (size_t i = 0; i < JOBS; i++)
    if (!want[i].skip)
      want[i].status = qrd_matq_point_eval(&want[i].opts, want[i].lim, want[i].problem, w,
                                           &want[i].out);
  qrd_matq_point_work_free(w);

  int threads = omp_get_max_threads();
  omp_set_num_threads(3);
  size_t failed = JOBS;
  int st = qrd_matq_point_batch(jobs, JOBS, NULL, NULL, &failed);
  omp_set_num_threads(threads);

  size_t first_failure = JOBS, failures = 0, hadamard_12 = 0;
  for (size_t i = 0; i < JOBS; i++) /* the order-12 panel's Hadamard jobs that run */
    hadamard_12 += i / RATES / ROTS / METHODS == 2 && i / RATES % ROTS == 3 && !jobs[i].skip;
  for (size_t i = 0; i < JOBS; i++) {
    if (jobs[i].skip) {
      ck_assert_int_eq(jobs[i].status, 12345);
      continue;
    }
    ck_assert_msg(jobs[i].status == want[i].status, "job %zu: status %d, alone %d", i,
                  jobs[i].status, want[i].status);
    if (want[i].status) {
      ck_assert_msg(strstr(jobs[i].error, "power") != NULL, "job %zu: %s", i, jobs[i].error);
      first_failure = first_failure < i ? first_failure : i;
      failures++;
      continue;
    }
    ck_assert_msg(same_point(&jobs[i].out, &want[i].out),
                  "job %zu: D %.17g vs %.17g alone, signal %.17g vs %.17g, rate %.17g vs %.17g",
                  i, jobs[i].out.D, want[i].out.D, jobs[i].out.signal, want[i].out.signal,
                  jobs[i].out.col.bits, want[i].out.col.bits);
  }
  ck_assert_uint_eq(failures, hadamard_12);
  ck_assert_uint_ge(failures, 1);
  ck_assert_int_eq(st, QRD_EINVAL);
  ck_assert_uint_eq(failed, first_failure);
  for (size_t p = 0; p < PANELS; p++)
    qrd_matq_point_panel_free(&pn[p]);
}
END_TEST

Suite *qrd_suite_point_batch(void)
{
  Suite *s = suite_create("point_batch");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_batch_shares_rotations);
  suite_add_tcase(s, tc);
  return s;
}
