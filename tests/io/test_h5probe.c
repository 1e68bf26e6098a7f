/* The rehearsal of libhdf5 work in a child (io/h5probe): the inputs on
 * which libhdf5 1.10 itself crashes or loops (found by make fuzz) are
 * refused with one line, in bounded time, and the refusal is kept; a sound
 * file written here with the plain HDF5 API (groups, variable-length
 * string attributes, a chunked compressed dataset of several slabs) reads
 * back its values; an export's output is written once; the lookups by
 * listing agree with libhdf5's lookups by name. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "core/error.h"
#include "io/curve_read.h"
#include "io/h5lookup.h"
#include "io/h5probe.h"
#include "io/h5read.h"
#include "io/results.h"
#include "suites.h"

#define CRASH "tests/fuzz/regress/curve/H5Lexists-H5F__accum_read.h5"
#define LOOP "tests/fuzz/regress/export/H5Aread-H5HG-vlen-timeout.h5"
#define SOUND "tests/fuzz/corpus/export/results.h5"

static double seconds(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void teardown(void)
{
  qrd_h5probe_limit_set(10.0, 50e6);
  qrd_h5probe_forget();
}

START_TEST(test_sound_file)
{
  char path[] = "/tmp/qrd-h5probe-XXXXXX";
  int fd = mkstemp(path);
  ck_assert(fd >= 0 && close(fd) == 0);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert(f >= 0);
  hid_t g = H5Gcreate2(f, "g", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert(g >= 0 && H5LTset_attribute_string(f, "g", "note", "a variable string") >= 0);
  /* 3 x 1M doubles, chunked and deflated: two slabs of 16 MiB */
  hsize_t dims[2] = {3, 1 << 20}, chunk[2] = {1, 1 << 16};
  size_t n = dims[0] * dims[1];
  double *v = malloc(n * sizeof *v);
  ck_assert(v != NULL);
  for (size_t i = 0; i < n; i++)
    v[i] = (double)(i % 1000) - 500.0;
  hid_t space = H5Screate_simple(2, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
  ck_assert(H5Pset_chunk(dcpl, 2, chunk) >= 0 && H5Pset_deflate(dcpl, 1) >= 0);
  hid_t d = H5Dcreate2(g, "w", H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  ck_assert(d >= 0 && H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
  H5Dclose(d);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Gclose(g);
  ck_assert(H5Fclose(f) >= 0);
  qrd_h5read *r;
  ck_assert_int_eq(qrd_h5read_open(path, &r), QRD_OK);
  double *back = calloc(n, sizeof *back);
  ck_assert(back != NULL);
  ck_assert_int_eq(qrd_h5read_doubles(r, "/g/w", n, back), QRD_OK);
  ck_assert(memcmp(back, v, n * sizeof *v) == 0);
  ck_assert_int_eq(qrd_h5read_doubles(r, "/g/nope", n, back), QRD_ENOTFOUND);
  qrd_h5read_close(r);
  free(back);
  free(v);
  /* not an HDF5 file at all: said so, without a child */
  FILE *t = fopen(path, "w");
  ck_assert(t && fputs("not hdf5\n", t) >= 0 && fclose(t) == 0);
  ck_assert_int_eq(qrd_h5read_open(path, &r), QRD_EIO);
  ck_assert(strstr(qrd_error_detail(), "not an HDF5 file") != NULL);
  unlink(path);
  ck_assert_int_eq(qrd_h5read_open(path, &r), QRD_ENOTFOUND);
  ck_assert(strstr(qrd_error_detail(), path) != NULL);
}
END_TEST

/* A crash in the work: libhdf5's on a damaged file look the same to the
 * parent (make test replays the real ones: tests/fuzz/regress). */
static int crash(void *p)
{
  (void)p;
  raise(SIGSEGV);
  return QRD_OK;
}

START_TEST(test_crash_refused)
{
  ck_assert_int_eq(qrd_h5probe_call(CRASH, NULL, crash, NULL), QRD_EIO);
  const char *why = qrd_error_detail();
  ck_assert_msg(strstr(why, CRASH ": damaged HDF5 file: libhdf5 crashed reading it") == why,
                "%s", why);
  ck_assert_msg(strstr(why, "Segmentation fault") != NULL, "%s", why);
  ck_assert(strchr(why, '\n') == NULL);
  /* refused for good: no call on the file reaches libhdf5 any more */
  qrd_curve c;
  ck_assert_int_eq(qrd_results_read_curve(CRASH, "p", "c", &c), QRD_EIO);
  ck_assert(strstr(qrd_error_detail(), "libhdf5 crashed reading it") != NULL);
}
END_TEST

START_TEST(test_loop_refused_in_time)
{
  qrd_h5probe_limit_set(1.0, 50e6);
  FILE *null = fopen("/dev/null", "w");
  ck_assert(null != NULL);
  double t0 = seconds();
  ck_assert_int_eq(qrd_results_export_tsv(LOOP, null), QRD_EIO);
  double t1 = seconds();
  ck_assert_msg(strstr(qrd_error_detail(), "libhdf5 was still reading it after 1 s") != NULL,
                "%s", qrd_error_detail());
  ck_assert_msg(t1 - t0 >= 1.0 && t1 - t0 < 4.0, "%.2f s", t1 - t0);
  /* the refusal is kept: asking again costs no second wait */
  qrd_error_clear();
  ck_assert_int_eq(qrd_results_export_tsv(LOOP, null), QRD_EIO);
  ck_assert_msg(seconds() - t1 < 0.5, "%.2f s", seconds() - t1);
  ck_assert(strstr(qrd_error_detail(), "still reading") != NULL);
  fclose(null);
}
END_TEST

/* The child's export goes nowhere: the file holds the parent's alone. */
START_TEST(test_output_once)
{
  char out[] = "/tmp/qrd-h5probe-out-XXXXXX";
  int fd = mkstemp(out);
  FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
  ck_assert(f != NULL);
  fputs("before\n", f); /* buffered when the child is forked */
  ck_assert_int_eq(qrd_results_export_tsv(SOUND, f), QRD_OK);
  rewind(f);
  char line[4096];
  int before = 0, header = 0;
  while (fgets(line, sizeof line, f)) {
    before += strcmp(line, "before\n") == 0;
    header += strncmp(line, "panel\tcurve\tlabel", 17) == 0;
  }
  fclose(f);
  unlink(out);
  ck_assert_int_eq(before, 1);
  ck_assert_int_eq(header, 1);
}
END_TEST

/* The lookups by listing agree with libhdf5's own lookups by name on a
 * sound file, for compact and dense (more than 8 links, latest format)
 * groups and attribute lists, absent names and absent parents included. */
static void lookups_agree(int latest)
{
  char path[] = "/tmp/qrd-h5lookup-XXXXXX";
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* "/g/d00/x" lists a dataset */
  int fd = mkstemp(path);
  ck_assert(fd >= 0 && close(fd) == 0);
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (latest)
    ck_assert(H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST) >= 0);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  ck_assert(f >= 0);
  hid_t g = H5Gcreate2(f, "g", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t one = 1;
  hid_t space = H5Screate_simple(1, &one, NULL);
  char name[32];
  for (int i = 0; i < 20; i += 2) {
    snprintf(name, sizeof name, "d%02d", i);
    hid_t d = H5Dcreate2(g, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert(d >= 0);
    H5Dclose(d);
    ck_assert(H5LTset_attribute_int(f, "g", name, &i, 1) >= 0);
  }
  H5Sclose(space);
  for (int i = 0; i < 21; i++) {
    snprintf(name, sizeof name, "d%02d", i);
    int want = H5Lexists(g, name, H5P_DEFAULT) > 0;
    ck_assert_int_eq(want, i % 2 == 0 && i < 20);
    ck_assert_int_eq(qrd_h5lookup_link(g, name), want);
    ck_assert_int_eq(qrd_h5lookup_attr(f, "g", name), H5Aexists(g, name) > 0);
    char full[64];
    snprintf(full, sizeof full, "/g/%s", name);
    ck_assert_int_eq(qrd_h5lookup_path(f, full), want);
    ck_assert_int_eq(qrd_h5lookup_path(f, full + 1), want);
    ck_assert_int_eq(qrd_h5lookup_path(g, name), want);
    snprintf(full, sizeof full, "/h/%s", name);
    ck_assert_int_eq(qrd_h5lookup_path(f, full), 0);
  }
  ck_assert_int_eq(qrd_h5lookup_path(f, "/"), 1);
  ck_assert_int_eq(qrd_h5lookup_path(f, "//g//"), 1);
  ck_assert_int_eq(qrd_h5lookup_path(f, "/g/d00/x"), 0); /* below a dataset */
  ck_assert_int_eq(qrd_h5lookup_attr(f, "/", "d00"), 0);
  ck_assert_int_eq(qrd_h5lookup_attr(g, ".", "d02"), 1);
  H5Gclose(g);
  H5Fclose(f);
  H5Pclose(fapl);
  unlink(path);
}

START_TEST(test_lookups_by_listing)
{
  lookups_agree(0);
  lookups_agree(1);
}
END_TEST

Suite *qrd_suite_h5probe(void)
{
  Suite *s = suite_create("h5probe");
  TCase *tc = tcase_create("probe");
  tcase_add_checked_fixture(tc, NULL, teardown);
  tcase_add_test(tc, test_sound_file);
  tcase_add_test(tc, test_crash_refused);
  tcase_add_test(tc, test_loop_refused_in_time);
  tcase_add_test(tc, test_output_once);
  tcase_add_test(tc, test_lookups_by_listing);
  suite_add_tcase(s, tc);
  return s;
}
