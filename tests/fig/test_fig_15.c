/* fig-15 (Orr et al., Fisher-optimal bit allocation) on a statistics
 * file the test writes: the per-tensor bits, the predicted KL and the
 * saving against the closed forms of the Lagrangian optimum computed here
 * from the same statistics (v_t = f̄_t σ_t², sizes n_t, N = Σ n_t):
 *   b_t    = b̄ + ½ log2 v_t − (1/N) Σ n_t ½ log2 v_t
 *   KL     = ½ ε² N GM 2^{−2 b̄}
 *   saving = ½ log2(AM / GM),
 * AM and GM the size-weighted arithmetic and geometric means of v_t. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fig_run.h"
#include "suites.h"

#define N_T 5
#define EPS 1.25
#define CONFIG \
  "seed = 1\nstats = %s/stats.tsv\ntarget = 4\nsweep_min = 3\nsweep_max = 5\n" \
  "sweep_step = 1\nmin_bits = %s\nepsilon = 1.25\n"

static const struct {
  const char *name;
  double numel, rms, fisher_sum;
} T[N_T] = {
  {"model.layers.0.self_attn.q_proj.weight", 1000, 0.02, 1e-2},
  {"model.layers.0.mlp.up_proj.weight", 3000, 0.01, 3e-3},
  {"model.layers.1.self_attn.q_proj.weight", 1000, 0.03, 5e-3},
  {"model.layers.1.mlp.up_proj.weight", 3000, 0.015, 2e-2},
  {"lm_head.weight", 4000, 0.01, 1e-2},
};

static qrd_test_fig fig;
static double n_sum, am, gm, delta_bar;

static double v_of(size_t t) { return T[t].fisher_sum / T[t].numel * T[t].rms * T[t].rms; }

static void sandbox_open(void)
{
  qrd_test_fig_open(&fig, "fig-15");
  char rows[1024] = "# written by test_fig_15\nname\tnumel\trms\tfisher_sum\n";
  for (size_t t = 0; t < N_T; t++) {
    snprintf(rows + strlen(rows), sizeof rows - strlen(rows), "%s\t%g\t%g\t%g\n", T[t].name,
             T[t].numel, T[t].rms, T[t].fisher_sum);
    n_sum += T[t].numel;
    am += T[t].numel * v_of(t);
    delta_bar += T[t].numel * 0.5 * log2(v_of(t));
  }
  qrd_test_fig_write(&fig, "stats.tsv", "%s", rows);
  am /= n_sum;
  delta_bar /= n_sum;
  gm = exp2(2.0 * delta_bar);
  qrd_test_fig_make(&fig, "", CONFIG, fig.dir, "2");
}

static void sandbox_close(void) { qrd_test_fig_close(&fig); }

/* Every sweep point saves ½ log2(AM/GM), whatever b̄. */
START_TEST(test_saving_am_gm)
{
  double x[3], y[3];
  qrd_test_fig_curve(&fig, "saving", "optimal", "x", x, 3);
  qrd_test_fig_curve(&fig, "saving", "optimal", "y", y, 3);
  for (size_t i = 0; i < 3; i++) {
    ck_assert_double_eq_tol(x[i], 3.0 + (double)i, 1e-12);
    ck_assert_msg(fabs(y[i] - 0.5 * log2(am / gm)) < 1e-12, "b̄ = %g: saving %.15f, "
                  "½log2(AM/GM) %.15f", x[i], y[i], 0.5 * log2(am / gm));
  }
}
END_TEST

START_TEST(test_kl_closed_form)
{
  double x[3], y[3];
  qrd_test_fig_curve(&fig, "kl", "optimal", "x", x, 3);
  qrd_test_fig_curve(&fig, "kl", "optimal", "y", y, 3);
  for (size_t i = 0; i < 3; i++) {
    double want = 0.5 * EPS * EPS * n_sum * gm * exp2(-2.0 * x[i]);
    ck_assert_msg(fabs(y[i] / want - 1.0) < 1e-12, "b̄ = %g: KL %.15g, closed form %.15g",
                  x[i], y[i], want);
  }
}
END_TEST

/* The bits panel: each type's tensors at their layers (lm_head, after
 * the layers, at 2) with the optimal bits at b̄ = 4 (none below 2, so the
 * clamp is idle). */
START_TEST(test_bits_per_tensor)
{
  static const struct {
    const char *curve;
    size_t n, t[2];
    double layer[2];
  } types[] = {{"q-proj", 2, {0, 2}, {0, 1}}, {"up-proj", 2, {1, 3}, {0, 1}},
               {"lm-head", 1, {4, 0}, {2, 0}}};
  for (size_t k = 0; k < 3; k++) {
    double x[2], y[2];
    qrd_test_fig_curve(&fig, "bits", types[k].curve, "x", x, types[k].n);
    qrd_test_fig_curve(&fig, "bits", types[k].curve, "y", y, types[k].n);
    for (size_t i = 0; i < types[k].n; i++) {
      double want = 4.0 + 0.5 * log2(v_of(types[k].t[i])) - delta_bar;
      ck_assert(want > 2.0);
      ck_assert_double_eq(x[i], types[k].layer[i]);
      ck_assert_msg(fabs(y[i] - want) < 1e-12, "%s[%zu]: %.15f bits, closed form %.15f",
                    types[k].curve, i, y[i], want);
    }
  }
}
END_TEST

Suite *qrd_suite_fig15(void)
{
  Suite *s = suite_create("fig-15");
  TCase *tc = tcase_create("driver");
  static char bad[512];
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_unchecked_fixture(tc, sandbox_open, sandbox_close);
  tcase_add_test(tc, test_saving_am_gm);
  tcase_add_test(tc, test_kl_closed_form);
  tcase_add_test(tc, test_bits_per_tensor);
  /* the sandbox exists only once the fixture ran: a missing file name will
   * do, as the target is checked first */
  snprintf(bad, sizeof bad, CONFIG, "/nonexistent", "5");
  qrd_test_fig_add_checks(tc, &fig, bad, "target");
  suite_add_tcase(s, tc);
  return s;
}
