/* Safe output files (io/results.h's qrd_output_*), and what the results
 * exporters refuse: a damaged dataset (Fletcher-32), a dataset declaring
 * 2^61 points, a missing checksum the file declares, NaN. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "cli_run.h"
#include "core/error.h"
#include "io/results.h"
#include "io/shard.h"
#include "io/sigma_write.h"
#include "suites.h"

static char dir[64];

static void sandbox_open(void)
{
  strcpy(dir, "/tmp/qrd-output-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void sandbox_close(void)
{
  char cmd[256];
  snprintf(cmd, sizeof cmd, "chmod -R u+w '%s'; rm -rf '%s'", dir, dir);
  ck_assert_int_eq(system(cmd), 0);
}

static void in_dir(char *buf, size_t size, const char *name)
{
  snprintf(buf, size, "%s/%s", dir, name);
}

static void put_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  ck_assert_int_eq(fclose(f), 0);
}

static int count_entries(void)
{
  DIR *d = opendir(dir);
  ck_assert_ptr_nonnull(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
  closedir(d);
  return n;
}

static void expect(int got, int want, const char *needle, const char *needle2)
{
  ck_assert_msg(got == want, "status %d, want %d (%s)", got, want, qrd_error_detail());
  ck_assert_msg(strstr(qrd_error_detail(), needle) != NULL, "'%s' lacks '%s'",
                qrd_error_detail(), needle);
  if (needle2)
    ck_assert_msg(strstr(qrd_error_detail(), needle2) != NULL, "'%s' lacks '%s'",
                  qrd_error_detail(), needle2);
  ck_assert_ptr_null(strchr(qrd_error_detail(), '\n'));
}

/* ---- qrd_output_check and qrd_output_write ---- */

START_TEST(test_check_refuses)
{
  char cfg[128], lnk[128], sub[128], hard[128], dev[128], ok[128], nodir[128];
  in_dir(cfg, sizeof cfg, "fig.cfg");
  in_dir(lnk, sizeof lnk, "link.h5");
  in_dir(sub, sizeof sub, "sub");
  in_dir(hard, sizeof hard, "hard.h5");
  in_dir(dev, sizeof dev, "null");
  in_dir(ok, sizeof ok, "new.h5");
  in_dir(nodir, sizeof nodir, "no-such-dir/x.h5");
  put_file(cfg, "seed = 1\n");
  ck_assert_int_eq(symlink("fig.cfg", lnk), 0);
  ck_assert_int_eq(mkdir(sub, 0755), 0);
  ck_assert_int_eq(link(cfg, hard), 0);

  ck_assert_int_eq(qrd_output_check(ok, cfg), QRD_OK);
  ck_assert_int_eq(qrd_output_check(cfg, NULL), QRD_OK); /* a regular file */
  expect(qrd_output_check(lnk, NULL), QRD_EINVAL, lnk, "symbolic link");
  expect(qrd_output_check(sub, NULL), QRD_EINVAL, sub, "directory");
  expect(qrd_output_check(cfg, cfg), QRD_EINVAL, cfg, "config");
  expect(qrd_output_check(hard, cfg), QRD_EINVAL, hard, "config"); /* same inode */
  expect(qrd_output_check(nodir, NULL), QRD_EIO, nodir, "No such file");
  expect(qrd_output_check("", NULL), QRD_EINVAL, "no name", NULL);
  if (geteuid() == 0) {
    ck_assert_int_eq(mknod(dev, S_IFCHR | 0666, makedev(1, 3)), 0);
    expect(qrd_output_check(dev, NULL), QRD_EINVAL, dev, "device");
    /* and qrd_output_write leaves it alone */
    expect(qrd_output_write(dev, NULL, "x", 1), QRD_EINVAL, dev, "device");
    struct stat sb;
    ck_assert_int_eq(lstat(dev, &sb), 0);
    ck_assert(S_ISCHR(sb.st_mode));
  } else {
    fprintf(stderr, "test_check_refuses: not root, no device node made\n");
  }
  /* refused writes change nothing */
  expect(qrd_output_write(lnk, NULL, "xyz", 3), QRD_EINVAL, lnk, NULL);
  expect(qrd_output_write(cfg, cfg, "xyz", 3), QRD_EINVAL, cfg, NULL);
  size_t n;
  char *text = qrd_test_slurp_n(cfg, &n);
  ck_assert_uint_eq(n, 9);
  ck_assert_mem_eq(text, "seed = 1\n", 9);
  free(text);
  char target[64] = "";
  ck_assert_int_eq(readlink(lnk, target, sizeof target - 1), 7);
  ck_assert_str_eq(target, "fig.cfg");

  /* a read-only directory (root ignores permissions: tested with a
   * read-only mount in the output_safety suite) */
  if (geteuid() != 0) {
    char ro[128], in_ro[160];
    in_dir(ro, sizeof ro, "ro");
    ck_assert_int_eq(mkdir(ro, 0555), 0);
    snprintf(in_ro, sizeof in_ro, "%s/x.h5", ro);
    expect(qrd_output_check(in_ro, NULL), QRD_EIO, ro, "Permission denied");
  }
}
END_TEST

/* The host part of this process's temporaries, from a fresh name. */
static void temp_parts(const char *path, char *host, size_t size)
{
  char *tmp = NULL;
  ck_assert_int_eq(qrd_output_temp_name(path, &tmp), QRD_OK);
  size_t lp = strlen(path);
  ck_assert_int_eq(strncmp(tmp, path, lp), 0);
  ck_assert_int_eq(strncmp(tmp + lp, ".tmp.", 5), 0);
  const char *h = tmp + lp + 5, *dot = strchr(h, '.');
  ck_assert_ptr_nonnull(dot);
  char want[32];
  snprintf(want, sizeof want, ".%ld.", (long)getpid());
  ck_assert_int_eq(strncmp(dot, want, strlen(want)), 0);
  ck_assert_uint_eq(strlen(dot + strlen(want)), 16);
  snprintf(host, size, "%.*s", (int)(dot - h), h);
  free(tmp);
}

START_TEST(test_write_and_stale_temporaries)
{
  char out[128], host[64], stale[256], live[256], legacy[160], other[256];
  in_dir(out, sizeof out, "fig.h5");
  temp_parts(out, host, sizeof host);
  /* two names of one process differ */
  char *a = NULL, *b = NULL;
  ck_assert_int_eq(qrd_output_temp_name(out, &a), QRD_OK);
  ck_assert_int_eq(qrd_output_temp_name(out, &b), QRD_OK);
  ck_assert_str_ne(a, b);
  free(a);
  free(b);

  pid_t child = fork();
  if (child == 0)
    _exit(0);
  ck_assert_int_eq(waitpid(child, NULL, 0), child); /* now a pid that is gone */
  snprintf(stale, sizeof stale, "%s.tmp.%s.%ld.0123456789abcdef", out, host, (long)child);
  snprintf(live, sizeof live, "%s.tmp.%s.1.0123456789abcdef", out, host); /* init lives */
  snprintf(legacy, sizeof legacy, "%s.tmp", out);
  snprintf(other, sizeof other, "%s.tmp.%s.%ld.xyz", out, host, (long)child);
  put_file(stale, "killed run");
  put_file(live, "running");
  put_file(legacy, "old");
  put_file(other, "not ours");

  ck_assert_int_eq(qrd_output_write(out, NULL, "first", 5), QRD_OK);
  ck_assert_int_eq(access(stale, F_OK), -1); /* removed */
  ck_assert_int_eq(access(live, F_OK), 0);
  ck_assert_int_eq(access(legacy, F_OK), 0); /* never blocks, left alone */
  ck_assert_int_eq(access(other, F_OK), 0);
  ck_assert_int_eq(count_entries(), 4); /* out, live, legacy, other: no temporary */
  ck_assert_int_eq(qrd_output_write(out, NULL, "second!", 7), QRD_OK);
  size_t n;
  char *text = qrd_test_slurp_n(out, &n);
  ck_assert_uint_eq(n, 7);
  ck_assert_mem_eq(text, "second!", 7);
  free(text);
  ck_assert_int_eq(count_entries(), 4);
}
END_TEST

/* ---- the writers refuse unsafe targets ---- */

START_TEST(test_writers_refuse)
{
  char cfg[128], lnk[128], sub[128];
  in_dir(cfg, sizeof cfg, "fig.cfg");
  in_dir(lnk, sizeof lnk, "link.h5");
  in_dir(sub, sizeof sub, "sub.h5");
  put_file(cfg, "seed = 1\n");
  ck_assert_int_eq(symlink("fig.cfg", lnk), 0);
  ck_assert_int_eq(mkdir(sub, 0755), 0);

  qrd_provenance prov = {cfg, 1UL, "mt19937", 1, NULL};
  qrd_results *r = NULL;
  expect(qrd_results_create(lnk, &prov, &r), QRD_EINVAL, lnk, "symbolic link");
  ck_assert_ptr_null(r);
  expect(qrd_results_create(cfg, &prov, &r), QRD_EINVAL, cfg, "config");
  expect(qrd_results_create(sub, &prov, &r), QRD_EINVAL, sub, "directory");

  qrd_shard_file sf = {.driver = "fig-1", .config = "seed = 1\n", .config_path = cfg,
                       .out_path = "x.h5", .commit = "c", .build = "b", .seed = 1,
                       .shard = 1, .shards = 2};
  expect(qrd_shard_file_write(lnk, &sf), QRD_EINVAL, lnk, "symbolic link");
  expect(qrd_shard_file_write(cfg, &sf), QRD_EINVAL, cfg, "config");

  qrd_sigma_file *s = NULL;
  expect(qrd_sigma_file_create(lnk, &s), QRD_EINVAL, lnk, "symbolic link");
  ck_assert_ptr_null(s);
  expect(qrd_sigma_file_create(sub, &s), QRD_EINVAL, sub, "directory");

  size_t n;
  char *text = qrd_test_slurp_n(cfg, &n);
  ck_assert_uint_eq(n, 9);
  free(text);
  ck_assert_int_eq(count_entries(), 3); /* nothing new */

  /* a shard file written and read back, with checksums */
  char shard[128];
  in_dir(shard, sizeof shard, "x.shard-1-of-2.h5");
  ck_assert_int_eq(qrd_shard_file_put(&sf, 3, QRD_OK, "p3", "", "abc", 3), QRD_OK);
  ck_assert_int_eq(qrd_shard_file_write(shard, &sf), QRD_OK);
  for (size_t k = 0; k < sf.n_rec; k++)
    free(sf.rec[k].what);
  free(sf.rec);
  qrd_shard_file back;
  ck_assert_int_eq(qrd_shard_file_read(shard, &back), QRD_OK);
  ck_assert_uint_eq(back.n_rec, 1);
  ck_assert_mem_eq(back.rec[0].bytes, "abc", 3);
  qrd_shard_file_clear(&back);
  ck_assert_int_eq(count_entries(), 4);
}
END_TEST

/* ---- the exporters ---- */

static unsigned char *find(unsigned char *hay, size_t n, const void *needle, size_t k)
{
  for (size_t i = 0; i + k <= n; i++)
    if (memcmp(hay + i, needle, k) == 0)
      return hay + i;
  return NULL;
}

static const double X[] = {1.0, 2.0, 3.0, 4.0};
static const double Y[] = {0.125, 0.0625, 1234.5678, 5e-300};

static void write_results(const char *path, const char *cfg)
{
  qrd_provenance prov = {cfg, 7UL, "mt19937", 1, NULL};
  qrd_results *r = NULL;
  ck_assert_int_eq(qrd_results_create(path, &prov, &r), QRD_OK);
  ck_assert_int_eq(qrd_results_panel(r, "p", "P", "x", "y"), QRD_OK);
  ck_assert_int_eq(qrd_results_curve(r, "p", "c", "C", 4, X, Y, NULL), QRD_OK);
  ck_assert_int_eq(qrd_results_commit(r), QRD_OK);
}

/* The export of path into a string; returns its status. */
static int export_to(const char *path, char **text)
{
  FILE *f = tmpfile();
  ck_assert_ptr_nonnull(f);
  int st = qrd_results_export_tsv(path, f);
  long len = ftell(f);
  *text = calloc((size_t)len + 1, 1);
  rewind(f);
  ck_assert_uint_eq(fread(*text, 1, (size_t)len, f), (size_t)len);
  fclose(f);
  return st;
}

static void expect_refused(const char *path, const char *needle)
{
  char *text;
  int st = export_to(path, &text);
  ck_assert_msg(st != QRD_OK, "%s exported", path);
  ck_assert_msg(text[0] == '\0', "printed '%.60s'", text);
  expect(st, st, path, needle);
  free(text);
  FILE *null = tmpfile();
  ck_assert_int_ne(qrd_results_export_panel(path, "p", null), QRD_OK);
  ck_assert_int_eq(ftell(null), 0);
  ck_assert_int_ne(qrd_results_list_panels(path, null), QRD_OK);
  ck_assert_int_eq(ftell(null), 0);
  fclose(null);
}

START_TEST(test_corrupt_data_refused)
{
  char cfg[128], h5[128];
  in_dir(cfg, sizeof cfg, "fig.cfg");
  in_dir(h5, sizeof h5, "fig.h5");
  put_file(cfg, "seed = 7\n");
  write_results(h5, cfg);
  char *text;
  ck_assert_int_eq(export_to(h5, &text), QRD_OK); /* control */
  ck_assert_ptr_nonnull(strstr(text, "p\tc\tC\t3\t1234.5678\t\n"));
  ck_assert_ptr_nonnull(strstr(text, "# dataset_checksums: fletcher32\n"));
  free(text);

  /* one bit of y[2] flipped, where it is stored */
  size_t n;
  unsigned char *bytes = (unsigned char *)qrd_test_slurp_n(h5, &n);
  unsigned char *at = find(bytes, n, &Y[2], sizeof Y[2]);
  ck_assert_ptr_nonnull(at);
  ck_assert_ptr_null(find(at + 1, n - (size_t)(at + 1 - bytes), &Y[2], sizeof Y[2]));
  at[3] ^= 0x10;
  FILE *f = fopen(h5, "wb");
  ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
  ck_assert_int_eq(fclose(f), 0);
  free(bytes);
  expect_refused(h5, "/p/c/y");
}
END_TEST

/* A file written with plain HDF5: /p/c/{x,y}; `huge` points declared by y
 * (chunked, never written), `nan` in y[1], `declare` the checksum
 * attribute without the filter. */
static void write_foreign(const char *path, hsize_t huge, int nan, int declare)
{
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(f, 0);
  hid_t g = H5Gcreate2(f, "p", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t c = H5Gcreate2(g, "c", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t st = H5Tcopy(H5T_C_S1);
  H5Tset_size(st, 2);
  hid_t sc = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(c, "label", st, sc, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, st, "C");
  H5Aclose(a);
  if (declare) {
    H5Tset_size(st, 11);
    a = H5Acreate2(f, "dataset_checksums", st, sc, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, st, "fletcher32");
    H5Aclose(a);
  }
  double y[4];
  memcpy(y, Y, sizeof y);
  if (nan)
    y[1] = NAN;
  hsize_t four = 4;
  hid_t s4 = H5Screate_simple(1, &four, NULL);
  hid_t d = H5Dcreate2(c, "x", H5T_IEEE_F64LE, s4, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, X), 0);
  H5Dclose(d);
  if (huge) {
    hsize_t chunk = 1024;
    hid_t sh = H5Screate_simple(1, &huge, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, &chunk);
    d = H5Dcreate2(c, "y", H5T_IEEE_F64LE, sh, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    ck_assert_int_ge(d, 0);
    H5Pclose(dcpl);
    H5Sclose(sh);
  } else {
    d = H5Dcreate2(c, "y", H5T_IEEE_F64LE, s4, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, y), 0);
  }
  H5Dclose(d);
  H5Sclose(s4);
  H5Sclose(sc);
  H5Tclose(st);
  H5Gclose(c);
  H5Gclose(g);
  ck_assert_int_ge(H5Fclose(f), 0);
}

START_TEST(test_foreign_files)
{
  char h5[128];
  in_dir(h5, sizeof h5, "foreign.h5");
  char *text;
  write_foreign(h5, 0, 0, 0); /* control: a plain file without checksums exports */
  ck_assert_int_eq(export_to(h5, &text), QRD_OK);
  ck_assert_ptr_nonnull(strstr(text, "p\tc\tC\t3\t1234.5678\t\n"));
  free(text);

  write_foreign(h5, (hsize_t)1 << 61, 0, 0); /* (np + 1) * 8 overflowed */
  expect_refused(h5, "2305843009213693952 points");
  write_foreign(h5, (hsize_t)1 << 20, 0, 0); /* allowed size, but not stored */
  expect_refused(h5, "stores fewer");
  write_foreign(h5, 0, 1, 0);
  expect_refused(h5, "nan");
  write_foreign(h5, 0, 0, 1);
  expect_refused(h5, "no checksum");
}
END_TEST

START_TEST(test_writer_refuses_nonfinite)
{
  char cfg[128], h5[128];
  in_dir(cfg, sizeof cfg, "fig.cfg");
  in_dir(h5, sizeof h5, "fig.h5");
  put_file(cfg, "seed = 7\n");
  qrd_provenance prov = {cfg, 7UL, "mt19937", 1, NULL};
  qrd_results *r = NULL;
  ck_assert_int_eq(qrd_results_create(h5, &prov, &r), QRD_OK);
  ck_assert_int_eq(qrd_results_panel(r, "p", "P", "x", "y"), QRD_OK);
  /* y_err may be +inf (an SE under a law without a finite fourth moment),
   * never -inf or NaN */
  double y[4] = {1.0, NAN, 2.0, 3.0}, e[4] = {0.1, 0.1, -INFINITY, 0.1},
         e_inf[4] = {0.1, INFINITY, 0.1, 0.1};
  expect(qrd_results_curve(r, "p", "c", "C", 4, X, y, NULL), QRD_EDOM, "/p/c", "y[1]");
  ck_assert_int_eq(qrd_results_describe(r, NULL, "sd"), QRD_OK);
  expect(qrd_results_curve(r, "p", "d", "D", 4, X, Y, e), QRD_EDOM, "/p/d", "y_err[2]");
  ck_assert_int_eq(qrd_results_curve(r, "p", "e", "E", 4, X, Y, NULL), QRD_OK);
  ck_assert_int_eq(qrd_results_curve(r, "p", "f", "F", 4, X, Y, e_inf), QRD_OK);
  ck_assert_int_eq(qrd_results_commit(r), QRD_OK);
  char *text;
  ck_assert_int_eq(export_to(h5, &text), QRD_OK);
  ck_assert_ptr_null(strstr(text, "\tc\t"));
  ck_assert_ptr_nonnull(strstr(text, "p\te\tE\t4\t"));
  free(text);
}
END_TEST

Suite *qrd_suite_output(void)
{
  Suite *s = suite_create("output");
  TCase *tc = tcase_create("output");
  tcase_add_checked_fixture(tc, sandbox_open, sandbox_close);
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_check_refuses);
  tcase_add_test(tc, test_write_and_stale_temporaries);
  tcase_add_test(tc, test_writers_refuse);
  tcase_add_test(tc, test_corrupt_data_refused);
  tcase_add_test(tc, test_foreign_files);
  tcase_add_test(tc, test_writer_refuses_nonfinite);
  suite_add_tcase(s, tc);
  return s;
}
