#include "fig_run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "cli_run.h"

static void bin_path(const qrd_test_fig *f, char *bin, size_t len)
{
  snprintf(bin, len, "./%s/%s", QRD_TEST_BIN, f->name);
}

void qrd_test_fig_open(qrd_test_fig *f, const char *name)
{
  char bin[256];
  snprintf(f->name, sizeof f->name, "%s", name);
  bin_path(f, bin, sizeof bin);
  qrd_test_require_binary(bin);
  snprintf(f->dir, sizeof f->dir, "/tmp/qrd-%s-XXXXXX", name);
  ck_assert_ptr_nonnull(mkdtemp(f->dir));
  snprintf(f->h5, sizeof f->h5, "%s/%s.h5", f->dir, name);
  f->err[0] = '\0';
}

void qrd_test_fig_close(const qrd_test_fig *f)
{
  char cmd[QRD_TEST_FIG_PATH + 16];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  ck_assert_int_eq(system(cmd), 0);
}

static void write_va(const qrd_test_fig *f, const char *file, const char *fmt, va_list ap)
{
  char path[2 * QRD_TEST_FIG_PATH];
  snprintf(path, sizeof path, "%s/%s", f->dir, file);
  FILE *out = fopen(path, "w");
  ck_assert_msg(out != NULL, "cannot write %s", path);
  vfprintf(out, fmt, ap);
  ck_assert_int_eq(fclose(out), 0);
}

void qrd_test_fig_write(const qrd_test_fig *f, const char *file, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  write_va(f, file, fmt, ap);
  va_end(ap);
}

int qrd_test_fig_run(qrd_test_fig *f, const char *config, const char *out, const char *flags)
{
  char bin[256], cmd[1024], errfile[QRD_TEST_FIG_PATH + 16];
  bin_path(f, bin, sizeof bin);
  snprintf(errfile, sizeof errfile, "%s/stderr", f->dir);
  snprintf(cmd, sizeof cmd, "%s --config %s/%s --out %s/%s --quiet %s </dev/null >/dev/null 2>%s",
           bin, f->dir, config, f->dir, out, flags, errfile);
  int st = system(cmd);
  char *err = qrd_test_slurp(errfile);
  snprintf(f->err, sizeof f->err, "%s", err);
  free(err);
  return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void qrd_test_fig_make(qrd_test_fig *f, const char *flags, const char *fmt, ...)
{
  char config[32], out[32];
  snprintf(config, sizeof config, "%s.cfg", f->name);
  snprintf(out, sizeof out, "%s.h5", f->name);
  va_list ap;
  va_start(ap, fmt);
  write_va(f, config, fmt, ap);
  va_end(ap);
  int st = qrd_test_fig_run(f, config, out, flags);
  ck_assert_msg(st == 0, "%s exit %d: %s", f->name, st, f->err);
}

size_t qrd_test_fig_curve_upto(const qrd_test_fig *f, const char *panel, const char *curve,
                               const char *set, double *v, size_t max)
{
  char path[192];
  hsize_t dims[1];
  snprintf(path, sizeof path, "/%s/%s/%s", panel, curve, set);
  hid_t h = H5Fopen(f->h5, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_msg(h >= 0, "cannot open %s", f->h5);
  ck_assert_msg(H5LTget_dataset_info(h, path, dims, NULL, NULL) >= 0, "no %s", path);
  ck_assert_msg(dims[0] <= max, "%s: %llu values, at most %zu expected", path,
                (unsigned long long)dims[0], max);
  ck_assert_int_ge(H5LTread_dataset_double(h, path, v), 0);
  H5Fclose(h);
  return (size_t)dims[0];
}

void qrd_test_fig_curve(const qrd_test_fig *f, const char *panel, const char *curve,
                        const char *set, double *v, size_t n)
{
  size_t got = qrd_test_fig_curve_upto(f, panel, curve, set, v, n);
  ck_assert_msg(got == n, "/%s/%s/%s: %zu values, want %zu", panel, curve, set, got, n);
}

int qrd_test_fig_has(const qrd_test_fig *f, const char *path)
{
  hid_t h = H5Fopen(f->h5, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_msg(h >= 0, "cannot open %s", f->h5);
  int found = H5LTpath_valid(h, path, 1) > 0;
  H5Fclose(h);
  return found;
}

void qrd_test_fig_rejects(qrd_test_fig *f, const char *config, ...)
{
  char out[2 * QRD_TEST_FIG_PATH];
  int st = qrd_test_fig_run(f, config, "rejected.h5", "");
  ck_assert_msg(st == 2, "%s on %s: exit %d, want 2", f->name, config, st);
  ck_assert_msg(qrd_test_count_lines(f->err) == 1 && strstr(f->err, config) != NULL,
                "%s: want one stderr line naming %s, got '%s'", f->name, config, f->err);
  va_list ap;
  va_start(ap, config);
  for (const char *k; (k = va_arg(ap, const char *)) != NULL;)
    ck_assert_msg(strstr(f->err, k) != NULL, "%s: expected '%s' in '%s'", f->name, k, f->err);
  va_end(ap);
  snprintf(out, sizeof out, "%s/rejected.h5", f->dir);
  ck_assert_msg(access(out, F_OK) != 0, "%s left %s behind", f->name, out);
}

/* The figures checked by qrd_test_fig_add_checks; a loop test's index
 * picks one. */
#define MAX_CHECKED 32
static struct {
  qrd_test_fig *fig;
  const char *bad, *key;
} checked[MAX_CHECKED];
static int n_checked;

START_TEST(test_same_with_one_thread)
{
  qrd_test_fig *f = checked[_i].fig;
  char config[32], cmd[3 * QRD_TEST_FIG_PATH];
  snprintf(config, sizeof config, "%s.cfg", f->name);
  int st = qrd_test_fig_run(f, config, "one-thread.h5", "--threads 1");
  ck_assert_msg(st == 0, "%s exit %d: %s", f->name, st, f->err);
  snprintf(cmd, sizeof cmd, "h5diff --exclude-attribute / %s %s/one-thread.h5 >/dev/null 2>&1",
           f->h5, f->dir);
  ck_assert_msg(system(cmd) == 0, "%s: h5diff found differences", f->name);
}
END_TEST

START_TEST(test_rejects_bad_config)
{
  qrd_test_fig_write(checked[_i].fig, "bad.cfg", "%s", checked[_i].bad);
  qrd_test_fig_rejects(checked[_i].fig, "bad.cfg", checked[_i].key, NULL);
}
END_TEST

void qrd_test_fig_add_checks(TCase *tc, qrd_test_fig *f, const char *bad, const char *key)
{
  if (n_checked == MAX_CHECKED) {
    fprintf(stderr, "qrd_test_fig_add_checks: more than %d figures\n", MAX_CHECKED);
    abort();
  }
  checked[n_checked].fig = f;
  checked[n_checked].bad = bad;
  checked[n_checked].key = key;
  tcase_add_loop_test(tc, test_same_with_one_thread, n_checked, n_checked + 1);
  tcase_add_loop_test(tc, test_rejects_bad_config, n_checked, n_checked + 1);
  n_checked++;
}
