/* Sharded sweeps (harness/shard.h, io/shard.h, qrd merge).
 *
 * Unit checks: the i/N grammar and the Slurm array variables, the snake
 * deal (every point to exactly one shard, and a linear cost split evenly),
 * shard files written and read back record for record, a damaged file
 * refused with its name.
 *
 * The contract on real drivers: shards 1, 3 and 7 of three figures of
 * different kinds merge to data identical to a single-process run
 * (tests/harness/shard_check.sh: every dataset by h5diff) -- fig-3
 * (Monte Carlo, Orr), fig-17 (exact NF4 / AF4 designs) and fig-20 (GPTQ and
 * WaterSIC), and the drivers that sweep panel by panel, fig-9, fig-12,
 * fig-13 and fig-14 (whose shards once computed nothing: they made their
 * results file, which a shard does not, before their first point).  Then the failure paths: a point made to fail is kept as
 * failed, the shard exits 1 and the merge names it and writes nothing; a
 * missing shard file's points are listed; a shard file of another config
 * is refused and left alone; SLURM_ARRAY_* pick the shard; and under GNU
 * parallel a shard killed with SIGKILL mid-run resumes with only its
 * unfinished points (tests/harness/parallel_kill.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "cli_run.h"
#include "core/error.h"
#include "harness/curve.h"
#include "harness/driver.h"
#include "harness/shard.h"
#include "io/shard.h"
#include "suites.h"

#define FIG_BIN "./" QRD_TEST_BIN

/* ---- grammar, deal, environment ---- */

START_TEST(test_parse)
{
  unsigned i, n;
  ck_assert_int_eq(qrd_shard_parse("3/7", &i, &n), QRD_OK);
  ck_assert_uint_eq(i, 3);
  ck_assert_uint_eq(n, 7);
  ck_assert_int_eq(qrd_shard_parse("1/1", &i, &n), QRD_OK);
  static const char *const bad[] = {"0/3", "4/3", "3", "3/", "/3", "-1/3", "1/3x", "1/0",
                                    "1/100001", "+1/3", "1 /3", ""};
  for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
    ck_assert_msg(qrd_shard_parse(bad[k], &i, &n) == QRD_EINVAL, "accepted '%s'", bad[k]);
    ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "1 <= i <= N"));
  }
}
END_TEST

START_TEST(test_deal)
{
  for (unsigned n = 1; n <= 9; n++) {
    /* 2n k points of cost g: every shard gets 2k of them, of equal cost */
    size_t k = 5, count[10] = {0}, cost[10] = {0};
    for (size_t g = 0; g < 2 * n * k; g++) {
      unsigned s = qrd_shard_owner(g, n);
      ck_assert(s >= 1 && s <= n);
      count[s]++;
      cost[s] += g;
    }
    for (unsigned s = 1; s <= n; s++) {
      ck_assert_uint_eq(count[s], 2 * k);
      ck_assert_uint_eq(cost[s], cost[1]);
    }
  }
}
END_TEST

START_TEST(test_path)
{
  char buf[128];
  qrd_shard_path(buf, sizeof buf, "results/fig-7.h5", 2, 12);
  ck_assert_str_eq(buf, "results/fig-7.shard-2-of-12.h5");
  qrd_shard_path(buf, sizeof buf, "out", 1, 1);
  ck_assert_str_eq(buf, "out.shard-1-of-1.h5");
}
END_TEST

START_TEST(test_env)
{
  unsigned i = 0, n = 0;
  int found = 1;
  unsetenv("SLURM_ARRAY_TASK_ID");
  unsetenv("SLURM_ARRAY_TASK_COUNT");
  unsetenv("SLURM_ARRAY_TASK_MIN");
  ck_assert_int_eq(qrd_shard_from_env(&i, &n, &found), QRD_OK);
  ck_assert_int_eq(found, 0);
  setenv("SLURM_ARRAY_TASK_ID", "5", 1);
  setenv("SLURM_ARRAY_TASK_COUNT", "3", 1);
  setenv("SLURM_ARRAY_TASK_MIN", "4", 1);
  ck_assert_int_eq(qrd_shard_from_env(&i, &n, &found), QRD_OK);
  ck_assert_int_eq(found, 1);
  ck_assert_uint_eq(i, 2);
  ck_assert_uint_eq(n, 3);
  setenv("SLURM_ARRAY_TASK_ID", "7", 1); /* beyond MIN + COUNT - 1 */
  ck_assert_int_eq(qrd_shard_from_env(&i, &n, &found), QRD_EINVAL);
  setenv("SLURM_ARRAY_TASK_ID", "x", 1);
  ck_assert_int_eq(qrd_shard_from_env(&i, &n, &found), QRD_EINVAL);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "SLURM_ARRAY_TASK_ID='x'"));
  unsetenv("SLURM_ARRAY_TASK_ID");
  unsetenv("SLURM_ARRAY_TASK_COUNT");
  unsetenv("SLURM_ARRAY_TASK_MIN");
}
END_TEST

/* ---- shard files ---- */

static void header(qrd_shard_file *f)
{
  static char driver[] = "fig-0", build[] = "b", config[] = "seed = 1\n", path[] = "c.cfg",
              out[] = "o.h5", commit[] = "abc";
  *f = (qrd_shard_file){.driver = driver, .build = build, .config = config,
                        .config_path = path, .out_path = out, .commit = commit, .seed = 7,
                        .shard = 2, .shards = 3};
}

START_TEST(test_file_round_trip)
{
  char dir[] = "/tmp/qrd-shard-XXXXXX", path[64];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/s.h5", dir);
  qrd_shard_file f, g;
  header(&f);
  const double a[3] = {1.5, -2.25, 1e300}, b[1] = {0.125};
  /* put out of order and once replaced: the file keeps ascending points */
  ck_assert_int_eq(qrd_shard_file_put(&f, 40, QRD_OK, "p40", "", b, sizeof b), QRD_OK);
  ck_assert_int_eq(qrd_shard_file_put(&f, 4, QRD_EMAXITER, "p4", "no", NULL, 0), QRD_OK);
  ck_assert_int_eq(qrd_shard_file_put(&f, 4, QRD_OK, "p4", "", a, sizeof a), QRD_OK);
  ck_assert_int_eq(qrd_shard_file_put(&f, 9, QRD_EINTEG, "p9", "why", NULL, 0), QRD_OK);
  ck_assert_int_eq(qrd_shard_file_write(path, &f), QRD_OK);
  ck_assert_int_eq(qrd_shard_file_read(path, &g), QRD_OK);
  ck_assert_str_eq(g.driver, "fig-0");
  ck_assert_str_eq(g.config, "seed = 1\n");
  ck_assert_uint_eq(g.seed, 7);
  ck_assert_uint_eq(g.shard, 2);
  ck_assert_uint_eq(g.shards, 3);
  ck_assert_uint_eq(g.n_rec, 3);
  const qrd_shard_record *r = qrd_shard_file_get(&g, 4);
  ck_assert_ptr_nonnull(r);
  ck_assert_int_eq(r->status, QRD_OK);
  ck_assert_uint_eq(r->size, sizeof a);
  ck_assert_mem_eq(r->bytes, a, sizeof a);
  r = qrd_shard_file_get(&g, 9);
  ck_assert_int_eq(r->status, QRD_EINTEG);
  ck_assert_str_eq(r->what, "p9");
  ck_assert_str_eq(r->error, "why");
  ck_assert_ptr_null(qrd_shard_file_get(&g, 5));
  ck_assert_mem_eq(qrd_shard_file_get(&g, 40)->bytes, b, sizeof b);
  qrd_shard_file_clear(&g);
  /* the records the caller put are the caller's; only the header is static */
  for (size_t k = 0; k < f.n_rec; k++)
    free(f.rec[k].what);
  free(f.rec);

  /* half a file, and a file that is not HDF5: refused with the name */
  char cmd[160];
  snprintf(cmd, sizeof cmd, "head -c 1500 %s > %s/half.h5 && echo x > %s/text.h5", path, dir,
           dir);
  ck_assert_int_eq(system(cmd), 0);
  snprintf(path, sizeof path, "%s/half.h5", dir);
  ck_assert_int_eq(qrd_shard_file_read(path, &g), QRD_EIO);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "half.h5"));
  snprintf(path, sizeof path, "%s/text.h5", dir);
  ck_assert_int_eq(qrd_shard_file_read(path, &g), QRD_EIO);
  snprintf(path, sizeof path, "%s/none.h5", dir);
  ck_assert_int_eq(qrd_shard_file_read(path, &g), QRD_ENOTFOUND);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ---- drivers ---- */

static char sandbox[] = "/tmp/qrd-shards-XXXXXX";

static void sandbox_open(void) { ck_assert_ptr_nonnull(mkdtemp(sandbox)); }

static void sandbox_close(void)
{
  char cmd[64];
  snprintf(cmd, sizeof cmd, "rm -rf %s", sandbox);
  if (system(cmd) != 0)
    fprintf(stderr, "shard: could not remove %s\n", sandbox);
}

static void write_file(const char *name, const char *text)
{
  char path[128];
  snprintf(path, sizeof path, "%s/%s", sandbox, name);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
}

/* shard_check.sh on fig `fig` with config text `cfg`: 1, 3 and 7 shards. */
static void check_identical(const char *fig, const char *cfg)
{
  char name[32];
  snprintf(name, sizeof name, "%s.cfg", fig);
  write_file(name, cfg);
  qrd_run_result r = qrd_test_run("tests/harness/shard_check.sh " QRD_TEST_BIN
                                  " %s %s/%s %s/%s 1 3 7",
                                  fig, sandbox, name, sandbox, fig);
  ck_assert_msg(r.status == 0, "%s: %s%s", fig, r.out, r.err);
  ck_assert_uint_eq(qrd_test_count_lines(r.out), 3);
  ck_assert_ptr_nonnull(strstr(r.out, "7 shards: all"));
  qrd_test_run_free(&r);
}

#define FIG20_CFG(rates)                                                                  \
  "seed = 1\nfamily = identity\nn = 32\nrows = 4000\ndists = gaussian\nrates = " rates   \
  "\ntune = 1\nwatersic = watersic:lmmse=1,damp=0,drop=0\n"                               \
  "watersic_no_lmmse = watersic:lmmse=0,damp=0,drop=0\ngptq_ec = gptq:percdamp=0\n"

START_TEST(test_identical_mc)
{
  check_identical("fig-3", "seed = 1\ntrain_seed = 2\nsamples = 1048576\nbits = 4\n"
                           "block = 64\nscale = bf16\ndists = gaussian laplace student-t:nu=7\n");
}
END_TEST

START_TEST(test_identical_exact)
{
  check_identical("fig-17", "seed = 1\nblock_min = 16\nblock_max = 256\n"
                            "codes = nf4 af4-exact bof4\n");
}
END_TEST

START_TEST(test_identical_matq) { check_identical("fig-20", FIG20_CFG("2 3 4")); }
END_TEST

START_TEST(test_identical_panels)
{
  check_identical("fig-9", "seed = 1\ntrain_seed = 2\nsamples = 8192\n"
                           "dists = gaussian:scale=1 student-t:nu=5,scale=1\n"
                           "element_bits_min = 3\nelement_bits_max = 5\n"
                           "element_bits_step = 1\nblock = 128\nscale = bf16\n"
                           "train_scale = fp32\n");
  check_identical("fig-12", "seed = 1\nsamples = 8192\ndists = gaussian:scale=1 "
                            "laplace:scale=1\nexponent_bits = 2 3\nelement_bits_min = 3\n"
                            "element_bits_max = 8\nblock = 128\nscale = e8m7\n");
  check_identical("fig-13", "seed = 1\nsamples = 33792\ndist = student-t:nu=5,scale=1\n"
                            "total_bits = 4\nblocks = 32 64\nscale_exponent_bits = 7\n"
                            "scale_mantissa_min = 0\nscale_mantissa_max = 3\n"
                            "rescalings = 11\n");
  check_identical("fig-14", "seed = 1\ntrain_seed = 2\nsamples = 8192\n"
                            "dists = gaussian:scale=1 laplace:scale=1\n"
                            "element_bits_min = 3\nelement_bits_max = 5\n"
                            "element_bits_step = 1\nblock = 128\nscale = bf16\n"
                            "train_scale = fp32\n");
}
END_TEST

static int numbered_point(void *ctx, size_t j, char *what, size_t len)
{
  double *v = ctx;
  v[j] = (double)j;
  snprintf(what, len, "point %zu", j);
  return QRD_OK;
}

/* A driver that asks for its results file before any sweep (as fig-9,
 * fig-12, fig-13 and fig-14 once did): as a shard it is stopped with an
 * error that says so, instead of ending with nothing computed and exit 0;
 * after a sweep, a shard's request is the usual QRD_CONTINUE. */
START_TEST(test_results_before_sweep)
{
  write_file("early.cfg", "seed = 1\n");
  char cfg[128], out[128], shard[] = "1/2", *argv[9];
  snprintf(cfg, sizeof cfg, "%s/early.cfg", sandbox);
  snprintf(out, sizeof out, "%s/early.h5", sandbox);
  char *args[] = {"fig-early", "--config", cfg, "--out", out, "--shard", shard, "--quiet"};
  memcpy(argv, args, sizeof args);
  argv[8] = NULL;
  qrd_driver drv;
  ck_assert_int_eq(qrd_driver_start(&drv, "fig-early", "a test driver", 8, argv), QRD_OK);
  qrd_results *res = NULL;
  ck_assert_int_eq(qrd_driver_results(&drv, &res), QRD_EINVAL);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "before any sweep point"));
  double v[4] = {-1.0, -1.0, -1.0, -1.0};
  ck_assert_int_eq(qrd_driver_run_items(&drv, 4, numbered_point, v, QRD_DRIVER_SLOTS(v)),
                   QRD_OK);
  ck_assert(v[0] == 0.0 && v[3] == 3.0); /* shard 1 of 2 deals points 0 and 3 */
  ck_assert_int_eq(qrd_driver_results(&drv, &res), QRD_CONTINUE);
  ck_assert_int_eq(qrd_shard_close(&drv, QRD_CONTINUE), 0);
}
END_TEST

/* At R = 20 bits every method's step gives codes beyond int32: the three
 * points at R = 20 fail (one in shard 1, two in shard 2), those at R = 3
 * do not. */
START_TEST(test_failed_point)
{
  write_file("bad.cfg", FIG20_CFG("3 20"));
  for (int i = 1; i <= 2; i++) {
    qrd_run_result r = qrd_test_run(FIG_BIN "/fig-20 --config %s/bad.cfg --out %s/bad.h5 "
                                    "--quiet --shard %d/2", sandbox, sandbox, i);
    ck_assert_msg(r.status == 1, "shard %d: %s", i, r.err);
    ck_assert_ptr_nonnull(strstr(r.err, i == 1 ? "1 failed" : "2 failed"));
    ck_assert_ptr_nonnull(strstr(r.err, "R0=20) failed, kept in"));
    ck_assert_ptr_null(strstr(r.err, "R0=3) failed"));
    qrd_test_run_free(&r);
  }
  qrd_run_result r = qrd_test_run(QRD " merge %s/bad.shard-1-of-2.h5 %s/bad.shard-2-of-2.h5",
                                  sandbox, sandbox);
  ck_assert_int_eq(r.status, 1);
  ck_assert_ptr_nonnull(strstr(r.err, "(gaussian watersic R0=20) failed in shard 2/2"));
  ck_assert_ptr_nonnull(strstr(r.err, "(gaussian gptq-ec R0=20) failed in shard 2/2"));
  ck_assert_ptr_nonnull(strstr(r.err, "beyond int32"));
  ck_assert_ptr_nonnull(strstr(r.err, "3 points failed and 0 missing"));
  ck_assert_ptr_nonnull(strstr(r.err, "no results file written"));
  qrd_test_run_free(&r);
  char path[128];
  snprintf(path, sizeof path, "%s/bad.h5", sandbox);
  ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

START_TEST(test_missing_and_foreign)
{
  write_file("m.cfg", FIG20_CFG("2 3"));
  qrd_run_result r = qrd_test_run(FIG_BIN "/fig-20 --config %s/m.cfg --out %s/m.h5 --quiet "
                                  "--shard 1/2", sandbox, sandbox);
  ck_assert_int_eq(r.status, 0);
  qrd_test_run_free(&r);
  /* shard 2 never ran: its three points are listed, nothing is written */
  r = qrd_test_run(FIG_BIN "/fig-20 --config %s/m.cfg --out %s/m.h5 --quiet --merge "
                   "%s/m.shard-1-of-2.h5", sandbox, sandbox, sandbox);
  ck_assert_int_eq(r.status, 1);
  ck_assert_ptr_nonnull(strstr(r.err, "0 points failed and 3 missing"));
  ck_assert_uint_eq(qrd_test_count_lines(r.err), 3 + 1);
  ck_assert_ptr_nonnull(strstr(r.err, "shard 2/2 was not given"));
  qrd_test_run_free(&r);
  char path[128];
  snprintf(path, sizeof path, "%s/m.h5", sandbox);
  ck_assert_int_eq(access(path, F_OK), -1);
  /* the same shard from another config: refused, the file kept */
  write_file("m.cfg", FIG20_CFG("2 4"));
  snprintf(path, sizeof path, "%s/m.shard-1-of-2.h5", sandbox);
  char *before = qrd_test_slurp(path);
  r = qrd_test_run(FIG_BIN "/fig-20 --config %s/m.cfg --out %s/m.h5 --quiet --shard 1/2",
                   sandbox, sandbox);
  ck_assert_int_eq(r.status, 2);
  ck_assert_ptr_nonnull(strstr(r.err, "config text differs"));
  ck_assert_ptr_nonnull(strstr(r.err, "remove it"));
  qrd_test_run_free(&r);
  char *after = qrd_test_slurp(path);
  ck_assert_str_eq(before, after);
  free(before);
  free(after);
}
END_TEST

START_TEST(test_slurm_env)
{
  write_file("s.cfg", FIG20_CFG("2"));
  qrd_run_result r = qrd_test_run("SLURM_ARRAY_TASK_ID=4 SLURM_ARRAY_TASK_MIN=3 "
                                  "SLURM_ARRAY_TASK_COUNT=2 " FIG_BIN "/fig-20 --config "
                                  "%s/s.cfg --out %s/s.h5", sandbox, sandbox);
  ck_assert_msg(r.status == 0, "%s", r.err);
  ck_assert_ptr_nonnull(strstr(r.err, "shard 2/2 from the Slurm job array"));
  qrd_test_run_free(&r);
  r = qrd_test_run(QRD " merge --status %s/s.shard-2-of-2.h5", sandbox);
  ck_assert_int_eq(r.status, 0);
  ck_assert_ptr_nonnull(strstr(r.out, "\n2\t2\tfig-20\t2\t0\t"));
  qrd_test_run_free(&r);
  /* --shard off: the whole run, whatever the environment says */
  r = qrd_test_run("SLURM_ARRAY_TASK_ID=4 SLURM_ARRAY_TASK_COUNT=2 " FIG_BIN "/fig-20 "
                   "--config %s/s.cfg --out %s/s.h5 --quiet --shard off", sandbox, sandbox);
  ck_assert_int_eq(r.status, 0);
  qrd_test_run_free(&r);
  char path[128];
  snprintf(path, sizeof path, "%s/s.h5", sandbox);
  ck_assert_int_eq(access(path, F_OK), 0);
}
END_TEST

START_TEST(test_parallel_kill_resume)
{
  qrd_run_result r = qrd_test_run("tests/harness/parallel_kill.sh " QRD_TEST_BIN " %s/kill",
                                  sandbox);
  ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
  ck_assert_ptr_nonnull(strstr(r.out, "to the single run"));
  qrd_test_run_free(&r);
}
END_TEST

Suite *qrd_suite_shard(void)
{
  Suite *s = suite_create("shard");
  TCase *unit = tcase_create("unit");
  tcase_add_test(unit, test_parse);
  tcase_add_test(unit, test_deal);
  tcase_add_test(unit, test_path);
  tcase_add_test(unit, test_env);
  tcase_add_test(unit, test_file_round_trip);
  suite_add_tcase(s, unit);

  TCase *drivers = tcase_create("drivers");
  tcase_set_timeout(drivers, 4 * QRD_TEST_TIMEOUT);
  tcase_add_unchecked_fixture(drivers, sandbox_open, sandbox_close);
  tcase_add_test(drivers, test_identical_mc);
  tcase_add_test(drivers, test_identical_exact);
  tcase_add_test(drivers, test_identical_matq);
  tcase_add_test(drivers, test_identical_panels);
  tcase_add_test(drivers, test_results_before_sweep);
  tcase_add_test(drivers, test_failed_point);
  tcase_add_test(drivers, test_missing_and_foreign);
  tcase_add_test(drivers, test_slurm_env);
  tcase_add_test(drivers, test_parallel_kill_resume);
  suite_add_tcase(s, drivers);
  return s;
}
