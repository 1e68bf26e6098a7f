/* Results files: the layout is checked with the plain HDF5 API, so the
 * writer and the exporters are tested independently of each other. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "core/error.h"
#include "io/results.h"
#include "suites.h"

static const char CONFIG[] = "# test figure\nseed = 12345L\nnu = 5.0\n";

/* Two panels x two curves; "absmax-b64" carries y_err. */
static const double X1[] = {1.0, 2.0, 3.0};
static const double Y1[] = {0.1, 1.0 / 3.0, 1e-300};
static const double E1[] = {0.01, 0.02, 0.03};
static const double X2[] = {4.0, 5.0};
static const double Y2[] = {-2.5, 7.0};

typedef struct {
  char dir[64];
  char h5[128];
  char cfg[128];
} sandbox;

/* Each test's own directory; checked fixtures run in the test's process. */
static sandbox sb;

static void sandbox_open(void)
{
  strcpy(sb.dir, "/tmp/qrd-results-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(sb.dir));
  snprintf(sb.h5, sizeof sb.h5, "%s/fig.h5", sb.dir);
  snprintf(sb.cfg, sizeof sb.cfg, "%s/fig.cfg", sb.dir);
  FILE *f = fopen(sb.cfg, "wb");
  ck_assert_ptr_nonnull(f);
  fputs(CONFIG, f);
  ck_assert_int_eq(fclose(f), 0);
}

/* The sandbox is flat: files only. */
static void sandbox_close(void)
{
  DIR *d = opendir(sb.dir);
  struct dirent *e;
  char path[sizeof sb.dir + 256];
  while (d != NULL && (e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(path, sizeof path, "%s/%s", sb.dir, e->d_name);
    unlink(path);
  }
  if (d != NULL)
    closedir(d);
  rmdir(sb.dir);
}

static int file_exists(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0;
}

/* Entries of the sandbox (files only: it is flat). */
static int count_entries(void)
{
  DIR *d = opendir(sb.dir);
  ck_assert_ptr_nonnull(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
  closedir(d);
  return n;
}

static char *slurp(const char *path, size_t *n)
{
  FILE *f = fopen(path, "rb");
  ck_assert_ptr_nonnull(f);
  char *buf = malloc(1 << 20);
  ck_assert_ptr_nonnull(buf);
  *n = fread(buf, 1, 1 << 20, f);
  fclose(f);
  return buf;
}

static qrd_results *create(const char *path)
{
  qrd_provenance prov = {sb.cfg, 12345UL, "mt19937", 3, NULL};
  qrd_results *r = NULL;
  ck_assert_int_eq(qrd_results_create(path, &prov, &r), QRD_OK);
  ck_assert_ptr_nonnull(r);
  ck_assert_int_eq(qrd_results_describe(r, NULL, "standard error of the mean"), QRD_OK);
  return r;
}

static void write_sample(const char *path)
{
  qrd_results *r = create(path);
  ck_assert_int_eq(qrd_results_panel(r, "normal", "Gaussian source",
                                     "rate (bits)", "MSE"), QRD_OK);
  ck_assert_int_eq(qrd_results_curve(r, "normal", "lloyd-max", "Lloyd-Max", 3,
                                     X1, Y1, NULL), QRD_OK);
  ck_assert_int_eq(qrd_results_curve(r, "normal", "absmax-b64",
                                     "absmax, B = 64", 3, X1, Y1, E1), QRD_OK);
  ck_assert_int_eq(qrd_results_panel(r, "gap", "Gap to the bound", "rate",
                                     "gap (bits)"), QRD_OK);
  ck_assert_int_eq(qrd_results_curve(r, "gap", "uniform", "uniform", 2, X2, Y2,
                                     NULL), QRD_OK);
  ck_assert_int_eq(qrd_results_curve(r, "gap", "crd", "CRD", 2, Y2, X2, NULL),
                   QRD_OK);
  ck_assert_int_eq(qrd_results_commit(r), QRD_OK);
}

/* ---- plain HDF5 readers ---- */

static hid_t open_ro(const char *path)
{
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_int_ge(f, 0);
  return f;
}

static char *read_vlstr(hid_t f, const char *obj, const char *name)
{
  hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_msg(a >= 0, "attribute %s of %s missing", name, obj);
  hid_t t = H5Aget_type(a);
  ck_assert_int_gt(H5Tis_variable_str(t), 0);
  ck_assert_int_eq(H5Tget_cset(t), H5T_CSET_UTF8);
  char *v = NULL;
  ck_assert_int_ge(H5Aread(a, t, &v), 0);
  ck_assert_ptr_nonnull(v);
  char *copy = strdup(v);
  H5free_memory(v);
  H5Tclose(t);
  H5Aclose(a);
  return copy;
}

static void check_vlstr(hid_t f, const char *obj, const char *name,
                        const char *want)
{
  char *v = read_vlstr(f, obj, name);
  ck_assert_str_eq(v, want);
  free(v);
}

static void read_root_number(hid_t f, const char *name, hid_t mtype, void *out)
{
  hid_t a = H5Aopen(f, name, H5P_DEFAULT);
  ck_assert_msg(a >= 0, "root attribute %s missing", name);
  ck_assert_int_ge(H5Aread(a, mtype, out), 0);
  H5Aclose(a);
}

/* Values compared bit for bit: the file must store exactly what was given. */
static void check_dataset(hid_t f, const char *path, size_t n,
                          const double *want)
{
  hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
  ck_assert_msg(d >= 0, "dataset %s missing", path);
  hid_t t = H5Dget_type(d), s = H5Dget_space(d);
  ck_assert_int_gt(H5Tequal(t, H5T_IEEE_F64LE), 0);
  ck_assert_int_eq(H5Sget_simple_extent_ndims(s), 1);
  ck_assert_int_eq(H5Sget_simple_extent_npoints(s), (hssize_t)n);
  double got[8];
  ck_assert_uint_le(n, 8);
  ck_assert_int_ge(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
                           H5P_DEFAULT, got), 0);
  ck_assert_mem_eq(got, want, n * sizeof *want);
  H5Sclose(s);
  H5Tclose(t);
  H5Dclose(d);
}

START_TEST(test_layout)
{
  write_sample(sb.h5);
  char tmp[160];
  snprintf(tmp, sizeof tmp, "%s.tmp", sb.h5);
  ck_assert(!file_exists(tmp));
  hid_t f = open_ro(sb.h5);

  check_vlstr(f, "/normal", "title", "Gaussian source");
  check_vlstr(f, "/normal", "x_label", "rate (bits)");
  check_vlstr(f, "/gap", "y_label", "gap (bits)");
  check_vlstr(f, "/normal/lloyd-max", "label", "Lloyd-Max");
  check_vlstr(f, "/normal/absmax-b64", "label", "absmax, B = 64");
  check_vlstr(f, "/gap/crd", "label", "CRD");
  check_dataset(f, "/normal/lloyd-max/x", 3, X1);
  check_dataset(f, "/normal/lloyd-max/y", 3, Y1);
  check_dataset(f, "/normal/absmax-b64/y_err", 3, E1);
  check_dataset(f, "/gap/uniform/y", 2, Y2);
  check_dataset(f, "/gap/crd/x", 2, Y2);
  ck_assert_int_eq(H5Lexists(f, "/normal/lloyd-max/y_err", H5P_DEFAULT), 0);
  /* every dataset carries a Fletcher-32 checksum, and the file says so */
  check_vlstr(f, "/", "dataset_checksums", "fletcher32");
  const char *sets[] = {"/normal/lloyd-max/x", "/normal/absmax-b64/y_err", "/gap/crd/y"};
  for (size_t i = 0; i < 3; i++) {
    hid_t d = H5Dopen2(f, sets[i], H5P_DEFAULT), dcpl = H5Dget_create_plist(d);
    ck_assert_msg(H5Pget_filter_by_id2(dcpl, H5Z_FILTER_FLETCHER32, NULL, NULL, NULL, 0,
                                       NULL, NULL) >= 0, "%s: no checksum", sets[i]);
    H5Pclose(dcpl);
    H5Dclose(d);
  }

  check_vlstr(f, "/", "config", CONFIG);
  check_vlstr(f, "/", "config_path", sb.cfg);
  check_vlstr(f, "/", "rng", "mt19937");
  check_vlstr(f, "/", "qrd_version", "0.1.0");
  const char *present[] = {"git_commit", "created_utc", "gsl_version",
                           "hdf5_version", "openblas_config",
                           "openblas_corename"};
  for (size_t i = 0; i < sizeof present / sizeof *present; i++) {
    char *v = read_vlstr(f, "/", present[i]);
    ck_assert_msg(v[0] != '\0', "%s is empty", present[i]);
    free(v);
  }
  uint64_t seed = 0;
  int threads = 0;
  read_root_number(f, "seed", H5T_NATIVE_UINT64, &seed);
  ck_assert_uint_eq(seed, 12345);
  read_root_number(f, "threads", H5T_NATIVE_INT, &threads);
  ck_assert_int_eq(threads, 3);
  ck_assert_int_gt(H5Aexists(f, "omp_max_threads"), 0);
  ck_assert_int_gt(H5Aexists(f, "openblas_threads"), 0);

  ck_assert_int_eq(H5Fclose(f), 0);
}
END_TEST

static void check_same_dataset(hid_t fa, hid_t fb, const char *path)
{
  unsigned char ba[64], bb[64];
  hid_t da = H5Dopen2(fa, path, H5P_DEFAULT), db = H5Dopen2(fb, path,
                                                              H5P_DEFAULT);
  ck_assert_int_ge(da, 0);
  ck_assert_int_ge(db, 0);
  hsize_t na = H5Dget_storage_size(da), nb = H5Dget_storage_size(db);
  ck_assert_uint_eq(na, nb);
  hid_t sa = H5Dget_space(da);
  na = (hsize_t)H5Sget_simple_extent_npoints(sa) * 8; /* the values, without checksums */
  H5Sclose(sa);
  ck_assert_uint_le(na, sizeof ba);
  /* Read in the file's own type: these are the stored bytes. */
  ck_assert_int_ge(H5Dread(da, H5T_IEEE_F64LE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                           ba), 0);
  ck_assert_int_ge(H5Dread(db, H5T_IEEE_F64LE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                           bb), 0);
  ck_assert_mem_eq(ba, bb, na);
  H5Dclose(da);
  H5Dclose(db);
}

START_TEST(test_reproducible)
{
  char b[160];
  snprintf(b, sizeof b, "%s/again.h5", sb.dir);
  write_sample(sb.h5);
  write_sample(b);
  hid_t fa = open_ro(sb.h5), fb = open_ro(b);
  const char *sets[] = {"/normal/lloyd-max/x", "/normal/lloyd-max/y",
                        "/normal/absmax-b64/x", "/normal/absmax-b64/y",
                        "/normal/absmax-b64/y_err", "/gap/uniform/x",
                        "/gap/uniform/y", "/gap/crd/x", "/gap/crd/y"};
  for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
    check_same_dataset(fa, fb, sets[i]);
  H5Fclose(fa);
  H5Fclose(fb);

  /* Root attributes hold the creation time, which may differ. */
  if (system("command -v h5diff >/dev/null 2>&1") == 0) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "h5diff --exclude-attribute / '%s' '%s'", sb.h5,
             b);
    ck_assert_int_eq(system(cmd), 0);
  }
}
END_TEST

/* Export into a string. */
typedef int (*export_fn)(const char *path, const char *panel, FILE *out);

static int tsv(const char *path, const char *panel, FILE *out)
{
  (void)panel;
  return qrd_results_export_tsv(path, out);
}

static int list(const char *path, const char *panel, FILE *out)
{
  (void)panel;
  return qrd_results_list_panels(path, out);
}

static char *export_text(export_fn fn, const char *path, const char *panel)
{
  FILE *f = tmpfile();
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(fn(path, panel, f), QRD_OK);
  long len = ftell(f);
  ck_assert_int_ge(len, 0);
  char *text = malloc((size_t)len + 1);
  ck_assert_ptr_nonnull(text);
  rewind(f);
  ck_assert_uint_eq(fread(text, 1, (size_t)len, f), (size_t)len);
  text[len] = '\0';
  fclose(f);
  return text;
}

/* Curves are created "z" before "a" so creation order is distinguishable
 * from name order. */
static void write_tiny(void)
{
  const double x[] = {1.0, 2.0}, y[] = {0.5, 0.1}, x3[] = {3.0},
               y3[] = {1.0}, e3[] = {0.25};
  qrd_results *r = create(sb.h5);
  ck_assert_int_eq(qrd_results_panel(r, "p", "P", "x", "y"), QRD_OK);
  ck_assert_int_eq(qrd_results_curve(r, "p", "z", "Z curve", 2, x, y, NULL),
                   QRD_OK);
  ck_assert_int_eq(qrd_results_describe(r, "source=gaussian; bits=4", NULL), QRD_OK);
  ck_assert_int_eq(qrd_results_curve(r, "p", "a", "A", 1, x3, y3, e3), QRD_OK);
  ck_assert_int_eq(qrd_results_attr_double(r, "block_size", 64.0), QRD_OK);
  ck_assert_int_eq(qrd_results_commit(r), QRD_OK);
}

/* A curve with y_err in a file that never says what y_err means is
 * refused; a curve without y_err needs no meaning. */
START_TEST(test_y_err_needs_meaning)
{
  qrd_provenance prov = {sb.cfg, 1UL, "mt19937", 1, NULL};
  qrd_results *r = NULL;
  const double x[] = {1.0}, y[] = {2.0}, e[] = {0.1};
  ck_assert_int_eq(qrd_results_create(sb.h5, &prov, &r), QRD_OK);
  ck_assert_int_eq(qrd_results_panel(r, "p", "P", "x", "y"), QRD_OK);
  ck_assert_int_eq(qrd_results_curve(r, "p", "exact", "E", 1, x, y, NULL), QRD_OK);
  ck_assert_int_eq(qrd_results_curve(r, "p", "mc", "M", 1, x, y, e), QRD_EINVAL);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "qrd_results_describe"));
  ck_assert_int_eq(qrd_results_describe(r, "bad\ttext", NULL), QRD_EINVAL);
  ck_assert_int_eq(qrd_results_describe(r, NULL, "jackknife"), QRD_OK);
  ck_assert_int_eq(qrd_results_curve(r, "p", "mc", "M", 1, x, y, e), QRD_OK);
  qrd_results_abort(r);
}
END_TEST

START_TEST(test_export)
{
  write_tiny();

  char *text = export_text(tsv, sb.h5, NULL);
  char *body = strstr(text, "panel\t");
  ck_assert_ptr_nonnull(body);
  ck_assert_str_eq(body, "panel\tcurve\tlabel\tx\ty\ty_err\n"
                         "p\tz\tZ curve\t1\t0.5\t\n"
                         "p\tz\tZ curve\t2\t0.10000000000000001\t\n"
                         "p\ta\tA\t3\t1\t0.25\n");
  /* Everything before the header is '#' comments; the config's bytes are
   * left to the .h5. */
  for (const char *line = text; line < body; line = strchr(line, '\n') + 1)
    ck_assert_msg(line[0] == '#', "not a comment: %.40s", line);
  ck_assert_ptr_nonnull(strstr(text, "# seed: 12345\n"));
  /* what y_err means and the parameters, per described curve */
  ck_assert_ptr_nonnull(strstr(text, "# p/a: y_err=standard error of the mean; "
                                     "params=source=gaussian; bits=4;\n"));
  ck_assert_ptr_null(strstr(text, "# p/z:"));
  ck_assert_ptr_nonnull(strstr(text, "# threads: 3\n"));
  ck_assert_ptr_nonnull(strstr(text, "# block_size: 64\n"));
  ck_assert_ptr_nonnull(strstr(text, "# git_commit: "));
  ck_assert_ptr_null(strstr(text, "# config:"));
  ck_assert_ptr_null(strstr(text, "nu = 5.0"));
  free(text);

  /* Each block opens with the name gnuplot's `index "curve=<c>;"` selects. */
  text = export_text(qrd_results_export_panel, sb.h5, "p");
  ck_assert_str_eq(text, "# curve=z;\n"
                         "x\tZ curve\ty_err\n"
                         "1\t0.5\t0\n"
                         "2\t0.10000000000000001\t0\n"
                         "\n\n"
                         "# curve=a; y_err=standard error of the mean; "
                         "params=source=gaussian; bits=4;\n"
                         "x\tA\ty_err\n"
                         "3\t1\t0.25\n"
                         "\n\n");
  free(text);

  text = export_text(list, sb.h5, NULL);
  ck_assert_str_eq(text, "p\n");
  free(text);

  text = export_text(qrd_results_list_curves, sb.h5, "p");
  ck_assert_str_eq(text, "z\na\n");
  free(text);
}
END_TEST

static void expect_error(int got, int want, const char *needle)
{
  ck_assert_int_eq(got, want);
  ck_assert_msg(strstr(qrd_error_detail(), needle) != NULL,
                "detail '%s' does not mention '%s'", qrd_error_detail(),
                needle);
}

START_TEST(test_bad_names)
{
  const double x[] = {1.0}, y[] = {2.0};
  qrd_results *r = create(sb.h5);
  const char *bad[] = {"Normal", "a_b", "", "a/b", "-a", "a-", "a--b",
                       "a b", "é"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    expect_error(qrd_results_panel(r, bad[i], "t", "x", "y"), QRD_EINVAL,
                 "panel name");
    ck_assert_ptr_nonnull(strstr(qrd_error_detail(), bad[i]));
  }
  ck_assert_int_eq(qrd_results_panel(r, "absmax-b128", "t", "x", "y"), QRD_OK);
  expect_error(qrd_results_panel(r, "absmax-b128", "t", "x", "y"), QRD_EINVAL,
               "already exists");
  expect_error(qrd_results_curve(r, "absmax-b128", "Fixed", "l", 1, x, y,
                                 NULL), QRD_EINVAL, "Fixed");
  expect_error(qrd_results_curve(r, "no-such", "fixed", "l", 1, x, y, NULL),
               QRD_ENOTFOUND, "no-such");
  expect_error(qrd_results_curve(r, "absmax-b128", "fixed", "a\tb", 1, x, y,
                                 NULL), QRD_EINVAL, "label");
  expect_error(qrd_results_curve(r, "absmax-b128", "fixed", "l", 0, x, y,
                                 NULL), QRD_EINVAL, "no points");
  ck_assert_int_eq(qrd_results_curve(r, "absmax-b128", "fixed", "l", 1, x, y,
                                     NULL), QRD_OK);
  expect_error(qrd_results_curve(r, "absmax-b128", "fixed", "l", 1, x, y,
                                 NULL), QRD_EINVAL, "already exists");
  expect_error(qrd_results_attr_double(r, "Bad", 1.0), QRD_EINVAL, "Bad");
  expect_error(qrd_results_attr_string(r, "seed", "1"), QRD_EINVAL, "seed");
  qrd_results_abort(r);
}
END_TEST

START_TEST(test_abort)
{
  char tmp[160];
  snprintf(tmp, sizeof tmp, "%s.tmp", sb.h5);
  const double x[] = {1.0}, y[] = {2.0};

  /* The file lives in memory until commit: nothing beside the config. */
  qrd_results *r = create(sb.h5);
  ck_assert_int_eq(count_entries(), 1);
  ck_assert(!file_exists(sb.h5));
  ck_assert_int_eq(qrd_results_panel(r, "p", "t", "x", "y"), QRD_OK);
  qrd_results_abort(r);
  ck_assert_int_eq(count_entries(), 1);
  ck_assert(!file_exists(sb.h5));

  /* A failed rerun must leave the previous good file alone. */
  write_sample(sb.h5);
  size_t n0, n1;
  char *before = slurp(sb.h5, &n0);
  r = create(sb.h5);
  ck_assert_int_eq(qrd_results_panel(r, "normal", "t", "x", "y"), QRD_OK);
  ck_assert_int_eq(qrd_results_curve(r, "normal", "c", "l", 1, x, y, NULL),
                   QRD_OK);
  qrd_results_abort(r);
  char *after = slurp(sb.h5, &n1);
  ck_assert_uint_eq(n0, n1);
  ck_assert_mem_eq(before, after, n0);
  ck_assert(!file_exists(tmp));
  ck_assert_int_eq(count_entries(), 2); /* the config and the results */
  free(before);
  free(after);
}
END_TEST

START_TEST(test_missing)
{
  char missing[160];
  snprintf(missing, sizeof missing, "%s/missing.h5", sb.dir);
  FILE *devnull = fopen("/dev/null", "w");
  ck_assert_ptr_nonnull(devnull);

  expect_error(qrd_results_export_tsv(missing, devnull), QRD_ENOTFOUND,
               missing);
  expect_error(qrd_results_list_panels(missing, devnull), QRD_ENOTFOUND,
               missing);
  expect_error(qrd_results_export_tsv(sb.cfg, devnull), QRD_EIO, sb.cfg);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "not an HDF5 file"));

  write_sample(sb.h5);
  expect_error(qrd_results_export_panel(sb.h5, "nope", devnull), QRD_ENOTFOUND,
               "'nope'");
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "normal, gap"));
  expect_error(qrd_results_list_curves(sb.h5, "nope", devnull), QRD_ENOTFOUND,
               "'nope'");

  qrd_provenance prov = {missing, 1UL, "mt19937", 1, NULL};
  qrd_results *r = NULL;
  char out[160];
  snprintf(out, sizeof out, "%s/out.h5", sb.dir);
  expect_error(qrd_results_create(out, &prov, &r), QRD_ENOTFOUND, missing);
  ck_assert_ptr_null(r);
  ck_assert(!file_exists(out));

  fclose(devnull);
}
END_TEST

Suite *qrd_suite_results(void)
{
  Suite *s = suite_create("results");
  TCase *tc = tcase_create("results");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_checked_fixture(tc, sandbox_open, sandbox_close);
  tcase_add_test(tc, test_layout);
  tcase_add_test(tc, test_reproducible);
  tcase_add_test(tc, test_export);
  tcase_add_test(tc, test_y_err_needs_meaning);
  tcase_add_test(tc, test_bad_names);
  tcase_add_test(tc, test_abort);
  tcase_add_test(tc, test_missing);
  suite_add_tcase(s, tc);
  return s;
}
